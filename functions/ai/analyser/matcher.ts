import { phraseKey, type Token } from './text.ts';

/** A phrase a {@link PhraseMatcher} finds, with what it stands for. */
interface Entry<T> {
  norms: string[];
  raw: string[];
  caseSensitive: boolean;
  value: T;
}

/** One match: the value, and the token span [first, last] it covers. */
export interface PhraseMatch<T> {
  value: T;
  first: number;
  last: number;
}

/**
 * Finds dictionary phrases in a token stream, longest match first, left to right, without overlaps. Phrases are
 * indexed by their first token, so a note costs about one map lookup per token whatever the dictionary's size.
 *
 * @example
 * const m = new PhraseMatcher<string>();
 * m.add('chest pain', 'R07.9');
 * m.find(tokenize('Denies chest pain.')); // [{ value: 'R07.9', first: 1, last: 2 }]
 */
export class PhraseMatcher<T> {
  private readonly byFirst = new Map<string, Entry<T>[]>();

  /** Adds a phrase; an identical phrase added earlier keeps its value (first wins). */
  add(phrase: string, value: T): void {
    const key = phraseKey(phrase);
    if (key.norms.length === 0) return;
    const list = this.byFirst.get(key.norms[0]!) ?? [];
    if (list.some((e) => e.norms.join(' ') === key.norms.join(' ') && e.caseSensitive === key.caseSensitive)) return;
    list.push({ ...key, value });
    // Longest first, so the first hit at a position is the longest.
    list.sort((a, b) => b.norms.length - a.norms.length);
    this.byFirst.set(key.norms[0]!, list);
  }

  /** Every non-overlapping match in `tokens`, in text order. */
  find(tokens: readonly Token[]): PhraseMatch<T>[] {
    const found: PhraseMatch<T>[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const candidates = this.byFirst.get(tokens[i]!.norm);
      if (!candidates) continue;
      for (const entry of candidates) {
        if (matchesAt(tokens, i, entry)) {
          found.push({ value: entry.value, first: i, last: i + entry.norms.length - 1 });
          i += entry.norms.length - 1;
          break;
        }
      }
    }
    return found;
  }
}

function matchesAt<T>(tokens: readonly Token[], at: number, entry: Entry<T>): boolean {
  if (at + entry.norms.length > tokens.length) return false;
  for (let k = 0; k < entry.norms.length; k++) {
    const token = tokens[at + k]!;
    if (token.punct || token.norm !== entry.norms[k]) return false;
    if (entry.caseSensitive && token.raw !== entry.raw[k]) return false;
  }
  return true;
}
