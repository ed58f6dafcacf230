/** One token of a text: its normalised form (for matching), its surface and where it is. */
export interface Token {
  /** Lower-case, British spellings folded to American, a plural `s` dropped: what dictionaries are keyed by. */
  norm: string;
  /** The token as written (case kept), to tell `HTN` from `htn`. */
  raw: string;
  start: number;
  end: number;
  /** Sentence punctuation or a line break: ends negation scopes. */
  punct: boolean;
}

// Words, numbers with decimals, or one punctuation mark that matters for scope; hyphens, slashes and quotes are
// only separators ("type-2" = "type 2", "r/o" = "r o"). A possessive 's is dropped ("Crohn's" = "Crohn").
const TOKEN = /[A-Za-z0-9]+(?:\.[0-9]+)?(?:['’]s\b)?|[.,;:?!()\n]/g;

/**
 * The form a word is matched by. The same function runs over dictionary phrases and over notes, so a rule only has
 * to be consistent, not linguistically right: `haemorrhage` and `hemorrhage`, `oedema` and `edema`,
 * `tumours` and `tumor` all meet.
 *
 * @example
 * normaliseWord("Haemorrhoids"); // 'hemorrhoid'
 */
export function normaliseWord(word: string): string {
  let w = word.toLowerCase().replace(/['’]s$/, '');
  if (/^[0-9]/.test(w)) return w;
  w = w.replace(/aem/g, 'em').replace(/^oe/, 'e').replace(/rhoea/g, 'rhea').replace(/paed/g, 'ped').replace(/isation/g, 'ization');
  w = w.replace(/our$/, 'or').replace(/ours$/, 'ors');
  if (w.length > 3 && w.endsWith('s') && !/(ss|us|is|ys)$/.test(w)) w = w.slice(0, -1);
  return w;
}

/**
 * Splits a text into tokens with character offsets into the original (the evidence of every finding).
 *
 * @example
 * tokenize('No chest pain.').map((t) => t.norm); // ['no', 'chest', 'pain', '.']
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const raw = m[0];
    const punct = raw.length === 1 && /[.,;:?!()\n]/.test(raw);
    // A full stop inside an abbreviation or a number does not end a sentence ("Dr." is handled by the scrubber).
    tokens.push({ norm: punct ? raw : normaliseWord(raw), raw: raw.replace(/['’]s$/, ''), start: m.index!, end: m.index! + raw.length, punct });
  }
  return tokens;
}

/**
 * The normalised tokens of a dictionary phrase, and whether it must match capitals exactly (an abbreviation).
 *
 * @example
 * phraseKey('HTN'); // { norms: ['htn'], caseSensitive: true, raw: ['HTN'] }
 */
export function phraseKey(phrase: string): { norms: string[]; raw: string[]; caseSensitive: boolean } {
  const tokens = tokenize(phrase).filter((t) => !t.punct);
  // Abbreviations: all capitals ("HTN", "LDL C") or a single word with two capitals or more ("PsA", "eGFR").
  const letters = phrase.replace(/[^A-Za-z]/g, '');
  const caseSensitive =
    (/[A-Z]/.test(phrase) && phrase === phrase.toUpperCase() && letters.length <= 6) || (!/\s/.test(phrase) && (phrase.match(/[A-Z]/g)?.length ?? 0) >= 2);
  return { norms: tokens.map((t) => t.norm), raw: tokens.map((t) => t.raw), caseSensitive };
}
