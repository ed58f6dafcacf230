/**
 * A small subset of the Unicode bidirectional algorithm (UAX #9), enough to draw Arabic and Hebrew names and
 * sentences inside a left-to-right report and the other way round: paragraph direction from the first strong
 * character (P2–P3), neutrals between two runs of one direction take it, others the paragraph's (N1–N2), numbers
 * stay left-to-right, and runs are reordered for display (L2). No explicit embeddings, no mirroring of brackets.
 */

// Hebrew, Arabic, Syriac, Thaana, N'Ko… and their presentation forms.
const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]/u;
const STRONG_LTR = /[\p{L}\p{Nd}]/u;
const MARK = /\p{M}/u;

type Direction = 'L' | 'R' | 'N';

function direction(ch: string): Direction {
  if (RTL.test(ch)) return 'R';
  return STRONG_LTR.test(ch) ? 'L' : 'N';
}

/**
 * The paragraph's direction: right-to-left when its first strong character is Arabic or Hebrew.
 *
 * @example
 * isRtlParagraph('محمد علي, 45'); // true
 */
export function isRtlParagraph(text: string): boolean {
  for (const ch of text) {
    if (RTL.test(ch)) return true;
    if (/\p{L}/u.test(ch)) return false; // digits are weak: they do not set the direction
  }
  return false;
}

/**
 * The embedding level of each character (given as code points): even left-to-right, odd right-to-left.
 *
 * @example
 * bidiLevels([...'Dr محمد'], false); // [0, 0, 0, 1, 1, 1, 1]
 */
export function bidiLevels(chars: string[], rtl: boolean): number[] {
  const base: Direction = rtl ? 'R' : 'L';
  const dirs: Direction[] = [];
  chars.forEach((ch, i) => dirs.push(i > 0 && MARK.test(ch) ? dirs[i - 1]! : direction(ch)));
  for (let i = 0; i < dirs.length; ) {
    if (dirs[i] !== 'N') {
      i++;
      continue;
    }
    let end = i;
    while (end < dirs.length && dirs[end] === 'N') end++;
    const before = i > 0 ? dirs[i - 1]! : base;
    const after = end < dirs.length ? dirs[end]! : base;
    dirs.fill(before === after ? before : base, i, end);
    i = end;
  }
  return dirs.map((d) => (d === 'R' ? 1 : rtl ? 2 : 0));
}

/**
 * The display order, left to right, of runs with the given levels (rule L2): from the highest level down to 1,
 * every stretch at that level or above is reversed.
 *
 * @example
 * visualOrder([0, 1, 1, 0]); // [0, 2, 1, 3]
 */
export function visualOrder(levels: number[]): number[] {
  const order = levels.map((_, i) => i);
  for (let level = Math.max(0, ...levels); level >= 1; level--) {
    for (let i = 0; i < order.length; ) {
      if (levels[order[i]!]! < level) {
        i++;
        continue;
      }
      let end = i;
      while (end < order.length && levels[order[end]!]! >= level) end++;
      order.splice(i, end - i, ...order.slice(i, end).reverse());
      i = end;
    }
  }
  return order;
}
