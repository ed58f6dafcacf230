import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { PDFDocument, PDFFont } from 'pdf-lib';

/** Shown, one per character, for what no embedded font can draw (visibly not a "?" the author typed). */
export const MISSING_GLYPH = '\uFFFD';

/** Fonts to try in order for each character: the first that has a glyph draws it. */
export interface ReportFonts {
  regular: PDFFont[];
  bold: PDFFont[];
}

// From source (tsx, tests) the package's files are read from node_modules. The production bundles carry no
// node_modules for them, so there esbuild inlines the bytes (the `bytes` import attribute) in a chunk loaded on the
// first report.
const fromSource = import.meta.url.endsWith('.ts');
const require = createRequire(import.meta.url);

async function dejaVu(file: 'DejaVuSans.ttf' | 'DejaVuSans-Bold.ttf'): Promise<Uint8Array> {
  if (fromSource) return readFile(require.resolve(`dejavu-fonts-ttf/ttf/${file}`));
  const bundled = file === 'DejaVuSans.ttf'
    ? await import('dejavu-fonts-ttf/ttf/DejaVuSans.ttf', { with: { type: 'bytes' } })
    : await import('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf', { with: { type: 'bytes' } });
  return bundled.default;
}

let files: Promise<{ regular: Uint8Array; bold: Uint8Array }> | undefined;

/**
 * Embeds the report's fonts in `doc`, as subsets (only the glyphs drawn are written): DejaVu Sans and DejaVu Sans
 * Bold (npm `dejavu-fonts-ttf`, Bitstream Vera licence with public-domain DejaVu changes; free to embed and
 * redistribute). They cover Latin with its extensions (Polish, Turkish, Vietnamese…), Greek, Cyrillic, Armenian,
 * Georgian, and in the regular face Hebrew and most of Arabic; bold text falls back to the regular face for those.
 *
 * Limitation: no CJK (Chinese, Japanese, Korean), Indic or Thai glyphs — a usable CJK font is 10–20 MB, too much to
 * inline in every bundle. Such characters are drawn as {@link MISSING_GLYPH} (never "?") and the report says so;
 * the signed content itself keeps every character.
 *
 * @example
 * const fonts = await embedReportFonts(doc);
 * page.drawText('Łódź, Αθήνα, Москва', { font: fonts.regular[0] });
 */
export async function embedReportFonts(doc: PDFDocument): Promise<ReportFonts> {
  files ??= Promise.all([dejaVu('DejaVuSans.ttf'), dejaVu('DejaVuSans-Bold.ttf')]).then(
    ([regular, bold]) => ({ regular, bold }),
    (error: unknown) => {
      files = undefined;
      throw error;
    },
  );
  const { regular, bold } = await files;
  // Loaded with the first report, not at start: 1.2 MB every cold start of opinions would otherwise pay for.
  doc.registerFontkit((await import('@pdf-lib/fontkit')).default);
  const sans = await doc.embedFont(regular, { subset: true });
  const sansBold = await doc.embedFont(bold, { subset: true });
  return { regular: [sans], bold: [sansBold, sans] };
}
