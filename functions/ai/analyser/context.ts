import { PhraseMatcher } from './matcher.ts';
import type { Token } from './text.ts';

/**
 * NegEx-style context (Chapman et al. 2001, with the ConText additions for uncertainty and experiencer): trigger
 * phrases before or after a finding negate it, make it uncertain, or say it belongs to a relative; a scope ends at
 * a terminator ("but", "however"…), at sentence punctuation or a line break, or after a few words.
 */
type Kind = 'pre-neg' | 'post-neg' | 'both-neg' | 'pre-unc' | 'post-unc' | 'both-unc' | 'pseudo' | 'term' | 'family' | 'hist';

const TRIGGERS: Record<Kind, string[]> = {
  'pre-neg': [
    'no', 'not', 'denies', 'denied', 'denying', 'without', 'no evidence of', 'no signs of', 'no sign of', 'no history of',
    'negative for', 'free of', 'absence of', 'rules out', 'never had', 'never', 'nor', 'neither', 'non',
    'no complaints of', 'no new', 'did not have', 'does not have', 'not have', 'no further', 'resolution of',
    'no symptoms of', 'no features of', 'no suggestion of', 'no longer has', 'fails to reveal', 'no findings of',
  ],
  'post-neg': [
    'was ruled out', 'is ruled out', 'has been ruled out', 'have been ruled out', 'were ruled out',
    'was excluded', 'has been excluded', 'negative', 'was negative', 'is negative', 'not present', 'is not present',
    'not seen', 'not identified', 'not detected', 'not found', 'is absent', 'absent', 'unlikely', 'is unlikely',
    'not suspected', 'is not suspected', 'was not suspected', 'not confirmed',
  ],
  'both-neg': ['ruled out', 'excluded'],
  'both-unc': ['suspected', 'not excluded', 'likely', 'possible', 'probable'],
  'pre-unc': [
    'possibly', 'probably', 'suspicion of', 'suspect', 'i suspect', 'we suspect', 'suspicious for', 'suspicious of',
    'concern for', 'concerning for', 'worrying for', 'query', 'cannot exclude', 'can not exclude', 'could not exclude',
    'cannot rule out', 'can not rule out', 'may have', 'might have', 'may be', 'questionable', 'rule out', 'r o',
    'to exclude', 'to rule out', 'differential includes', 'differential diagnosis', 'presumed', 'suggestive of',
    'uncertain', 'equivocal for', 'evaluate for', 'evaluation for', 'assess for', 'ddx',
  ],
  'post-unc': [
    'is suspected', 'was suspected', 'cannot be excluded', 'cannot be ruled out', 'can not be excluded',
    'could not be excluded', 'not ruled out', 'is possible', 'is likely', 'is probable', 'is query',
    'was queried', 'queried', 'is a differential', 'is in the differential', 'to be excluded', 'to be ruled out', '?',
  ],
  pseudo: [
    'no increase', 'no change', 'no significant change', 'not only', 'not necessarily', 'gram negative', 'no suspicious change',
    'not certain whether', 'not certain if', 'without difficulty', 'not drain', 'no further investigation',
  ],
  term: [
    'but', 'however', 'although', 'though', 'except', 'apart from', 'aside from', 'which', 'who', 'presents with',
    'presented with', 'reports', 'reported', 'complains of', 'now has', 'yet', 'nevertheless', 'whereas', 'with new',
    'secondary to', 'due to', 'because of', 'cause of', 'etiology of', 'source of',
  ],
  family: [
    'family history of', 'family history', 'mother has', 'mother had', 'father has', 'father had', 'mother with', 'father with',
    'brother has', 'brother had', 'sister has', 'sister had', 'maternal', 'paternal', 'mother', 'father', 'grandmother',
    'grandfather', 'sibling with',
  ],
  // Historical (ConText): still the patient's, but not what makes the case urgent today.
  hist: ['previous', 'previously', 'prior', 'history of', 'past history of', 'in the past', 'remote'],
};

const matcher = new PhraseMatcher<Kind>();
// Pseudo-triggers first so "no increase" is never read as "no".
for (const kind of ['pseudo', 'post-unc', 'pre-unc', 'both-unc', 'post-neg', 'both-neg', 'pre-neg', 'term', 'family', 'hist'] as Kind[]) {
  for (const phrase of TRIGGERS[kind]) matcher.add(phrase, kind);
}

/** How far a trigger reaches, in words, when nothing ends its scope earlier. */
const PRE_WINDOW = 8;
/** A comma-separated list after a trigger ("negative for fever, chills, night sweats…") reaches further. */
const LIST_WINDOW = 20;
const POST_WINDOW = 5;

/** What the context says about the finding at tokens [first, last]. */
export interface Context {
  negated: boolean;
  uncertain: boolean;
  family: boolean;
  historical: boolean;
}

/** Context of every span, computed from one pass of the trigger matcher over the tokens. */
export interface ContextReader {
  at(first: number, last: number): Context;
}

/**
 * Reads the triggers of a note once; then answers for any finding span.
 *
 * @example
 * const tokens = tokenize('Denies chest pain but reports cough.');
 * contextOf(tokens).at(1, 2); // { negated: true, uncertain: false, family: false, historical: false }
 */
export function contextOf(tokens: readonly Token[]): ContextReader {
  const triggers = matcher.find(tokens);
  // A trigger at token i with kind k; '?' is punctuation, so look for it separately as a post-uncertainty trigger.
  const kinds: (Kind | undefined)[] = new Array(tokens.length);
  const spanEnd: number[] = new Array(tokens.length);
  const endsTrigger: (Kind | undefined)[] = new Array(tokens.length);
  for (const t of triggers) {
    kinds[t.first] = t.value;
    spanEnd[t.first] = t.last;
    endsTrigger[t.last] = t.value;
  }
  tokens.forEach((token, i) => {
    if (token.raw === '?') kinds[i] = 'post-unc';
  });
  const opens = (kind: Kind | undefined) => kind === 'pre-neg' || kind === 'pre-unc' || kind === 'both-neg' || kind === 'both-unc';
  const ends = (i: number) => {
    const token = tokens[i]!;
    // "Negative for: fever, chills" — a colon right after a trigger introduces its list rather than ending it.
    if (token.raw === ':' && i > 0 && opens(endsTrigger[i - 1])) return false;
    return kinds[i] === 'term' || (token.punct && token.raw !== ',' && token.raw !== '(' && token.raw !== ')' && token.raw !== '?');
  };

  const closesClause = (i: number) => i >= tokens.length || ends(i) || tokens[i]!.raw === ',';

  return {
    at(first, last) {
      const context: Context = { negated: false, uncertain: false, family: false, historical: false };
      // Backwards from the finding: pre-triggers whose scope reaches it (the nearest one decides).
      // "?sepsis": a question mark glued to the front of a finding is doubt about it.
      const before = tokens[first - 1];
      if (before?.raw === '?' && before.end === tokens[first]!.start) context.uncertain = true;
      let words = 0;
      let reach = PRE_WINDOW;
      for (let i = first - 1; i >= 0 && words <= reach; i--) {
        if (ends(i)) break;
        if (tokens[i]!.raw === ',') reach = LIST_WINDOW;
        const kind = spanEnd[i] !== undefined && spanEnd[i]! >= first ? undefined : kinds[i];
        if (kind === 'family') context.family = true;
        if (kind === 'hist') context.historical = true;
        if (kind === 'pre-neg' || kind === 'both-neg') {
          context.negated = true;
          break;
        }
        if (kind === 'pre-unc' || kind === 'both-unc') {
          context.uncertain = true;
          break;
        }
        if (!tokens[i]!.punct) words++;
      }
      // Forwards from the finding: the first post-trigger within reach.
      words = 0;
      for (let i = last + 1; i < tokens.length && words <= POST_WINDOW; i++) {
        let kind = kinds[i];
        // A two-way trigger counts after a finding only when it closes the clause ("PE suspected."), otherwise it
        // belongs to the next finding ("cough, suspected pneumonia").
        if (kind === 'both-unc' && !closesClause(spanEnd[i]! + 1)) kind = undefined;
        if (kind === 'post-neg' || kind === 'both-neg') {
          context.negated = true;
          break;
        }
        if (kind === 'post-unc' || kind === 'both-unc') {
          context.uncertain = true;
          break;
        }
        if (ends(i)) break;
        if (!tokens[i]!.punct) words++;
      }
      // "cannot be ruled out" is doubt, not denial.
      if (context.negated && context.uncertain) context.negated = false;
      return context;
    },
  };
}
