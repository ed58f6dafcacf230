import type { PDFFont } from 'pdf-lib';
import { bidiLevels, visualOrder } from './bidi.ts';
import { MISSING_GLYPH } from './report-fonts.ts';

/** A stretch of one line drawn with one font in one direction, at `x` from the line's left edge. */
export interface Piece {
  text: string;
  font: PDFFont;
  x: number;
  width: number;
}

const characterSets = new WeakMap<PDFFont, Set<number>>();

function has(font: PDFFont, ch: string): boolean {
  let set = characterSets.get(font);
  if (!set) characterSets.set(font, (set = new Set(font.getCharacterSet())));
  return set.has(ch.codePointAt(0)!);
}

/**
 * The text as the fonts can draw it: NFC (precomposed letters have glyphs where a letter plus a combining accent may
 * not), tabs as spaces, and {@link MISSING_GLYPH} for any character none of `fonts` has.
 *
 * @example
 * drawable('王 Łódź', fonts.regular); // '\uFFFD Łódź'
 */
export function drawable(value: string, fonts: PDFFont[]): string {
  return [...value.normalize('NFC').replaceAll('\t', '    ').replaceAll('\r', '')]
    .map((ch) => (ch === '\n' || fonts.some((font) => has(font, ch)) ? ch : MISSING_GLYPH))
    .join('');
}

/**
 * Lays out one line of {@link drawable} text: each character goes to the first font that has it, runs of one font
 * and direction are measured with that font (shaped, so Arabic joins) and placed in display order. Pieces come back
 * in reading order, so text extraction reads them as written.
 *
 * @example
 * const { pieces, width } = layoutLine('Dr محمد علي', fonts.regular, 10, false);
 */
export function layoutLine(line: string, fonts: PDFFont[], size: number, rtl: boolean): { pieces: Piece[]; width: number } {
  const chars = [...line];
  const levels = bidiLevels(chars, rtl);
  const runs: { text: string; font: PDFFont; level: number }[] = [];
  chars.forEach((ch, i) => {
    const font = fonts.find((f) => has(f, ch)) ?? fonts[0]!;
    const last = runs.at(-1);
    if (last && last.font === font && last.level === levels[i]) last.text += ch;
    else runs.push({ text: ch, font, level: levels[i]! });
  });
  const pieces: Piece[] = runs.map((run) => ({ text: run.text, font: run.font, x: 0, width: run.font.widthOfTextAtSize(run.text, size) }));
  let x = 0;
  for (const i of visualOrder(runs.map((run) => run.level))) {
    pieces[i]!.x = x;
    x += pieces[i]!.width;
  }
  return { pieces, width: x };
}

/**
 * Breaks a paragraph (no newlines) into lines no wider than `width` as measured with the embedded fonts; a word wider
 * than a line (a URL, a hash) is cut where it no longer fits.
 *
 * @example
 * const lines = wrapParagraph(text, fonts.regular, 10, 483, false);
 */
export function wrapParagraph(paragraph: string, fonts: PDFFont[], size: number, width: number, rtl: boolean): string[] {
  const measure = (text: string) => layoutLine(text, fonts, size, rtl).width;
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(/ +/)) {
    let rest = word;
    while (measure(rest) > width) {
      const chars = [...rest];
      // The longest prefix that fits, by bisection: measuring shapes the text, too slow to try one length at a time
      // on a 1,000-character hash or URL.
      let [fits, tooWide] = [1, chars.length];
      while (tooWide - fits > 1) {
        const middle = (fits + tooWide) >> 1;
        if (measure(chars.slice(0, middle).join('')) > width) tooWide = middle;
        else fits = middle;
      }
      const cut = fits;
      if (line) lines.push(line);
      lines.push(chars.slice(0, cut).join(''));
      line = '';
      rest = chars.slice(cut).join('');
    }
    const candidate = line ? `${line} ${rest}` : rest;
    if (measure(candidate) > width) {
      lines.push(line);
      line = rest;
    } else line = candidate;
  }
  lines.push(line);
  return lines;
}
