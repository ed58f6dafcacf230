import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDFDocument } from 'pdf-lib';
import { embedReportFonts } from './report-fonts.ts';
import { layoutLine, wrapParagraph } from './text-layout.ts';

describe('wrapping with the embedded fonts', () => {
  it('cuts a word wider than a line (a hash, a URL) into the longest pieces that fit, losing nothing', async () => {
    const fonts = (await embedReportFonts(await PDFDocument.create())).regular;
    const word = Array.from({ length: 1000 }, (_, i) => 'aWΩЖ7'[i % 5]).join('');
    const width = 300;
    const lines = wrapParagraph(word, fonts, 10, width, false);
    assert.equal(lines.join(''), word);
    assert.ok(lines.length > 5);
    const measure = (text: string) => layoutLine(text, fonts, 10, false).width;
    let taken = 0;
    for (const line of lines.slice(0, -1)) {
      taken += line.length;
      assert.ok(measure(line) <= width, `${line.length} characters are ${measure(line)} wide`);
      assert.ok(measure(line + word[taken]) > width, 'one more character would still have fitted');
    }
  });
});
