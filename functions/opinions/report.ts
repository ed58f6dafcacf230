import { PDFDocument, rgb, type PDFPage } from 'pdf-lib';
import { GRADE_TITLES } from '../../shared/auth/grades.ts';
import { isRtlParagraph } from './bidi.ts';
import { embedReportFonts, MISSING_GLYPH, type ReportFonts } from './report-fonts.ts';
import type { AddendumContent, OpinionContent } from './signed-content.ts';
import { drawable, layoutLine, wrapParagraph } from './text-layout.ts';

const PAGE = { width: 595.28, height: 841.89, margin: 56 };

/** What the report shows beyond the signed content. */
export interface ReportExtras {
  contentHash: string;
  /** Where anyone can check the hash (GET /v1/opinions/verify?hash=…). */
  verifyUrl: string;
  /** Signed answers to follow-up questions, in order. */
  addenda?: { content: AddendumContent; contentHash: string }[];
}

/** Lays text out top to bottom over as many pages as it needs. */
class Writer {
  private page: PDFPage;
  private y: number;
  /** Whether some character had no glyph and was drawn as {@link MISSING_GLYPH}. */
  missingGlyphs = false;
  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: ReportFonts,
  ) {
    this.page = doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  /** Writes a paragraph wrapped to the page width, right-aligned when it is Arabic or Hebrew. */
  text(value: string, options: { size?: number; bold?: boolean; gap?: number } = {}): void {
    const size = options.size ?? 10;
    const fonts = options.bold ? this.fonts.bold : this.fonts.regular;
    const width = PAGE.width - 2 * PAGE.margin;
    const text = drawable(value, fonts);
    if (text.split(MISSING_GLYPH).length > value.split(MISSING_GLYPH).length) this.missingGlyphs = true;
    for (const paragraph of text.split('\n')) {
      const rtl = isRtlParagraph(paragraph);
      for (const line of wrapParagraph(paragraph, fonts, size, width, rtl)) {
        if (this.y - size < PAGE.margin) {
          this.page = this.doc.addPage([PAGE.width, PAGE.height]);
          this.y = PAGE.height - PAGE.margin;
        }
        const laid = layoutLine(line, fonts, size, rtl);
        const left = PAGE.margin + (rtl ? width - laid.width : 0);
        for (const piece of laid.pieces) {
          this.page.drawText(piece.text, { x: left + piece.x, y: this.y - size, size, font: piece.font, color: rgb(0.1, 0.1, 0.1) });
        }
        this.y -= size * 1.35;
      }
    }
    this.y -= options.gap ?? 4;
  }
}

/**
 * Renders the signed opinion as a PDF: questions and answers, summary, recommendations, references, signer and date,
 * the content hash and the link that verifies it, then any signed follow-up answers. Text is drawn with embedded
 * Unicode fonts (see {@link embedReportFonts} for what they cover and how the rest is shown), so names and text in any
 * Latin, Greek or Cyrillic language, Hebrew or Arabic come out as signed; the signed content and its hash are not
 * touched.
 *
 * @example
 * const bytes = await renderOpinionPdf(content, { contentHash, verifyUrl });
 */
export async function renderOpinionPdf(content: OpinionContent, extras: ReportExtras): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Second opinion');
  doc.setCreator('Consilium');
  doc.setCreationDate(new Date(content.signedAt));
  doc.setModificationDate(new Date(content.signedAt));
  const w = new Writer(doc, await embedReportFonts(doc));
  const signer = content.signer;
  w.text('Medical second opinion', { size: 18, bold: true, gap: 8 });
  w.text(`Case ${content.caseId}`, { size: 9 });
  w.text(`Signed ${content.signedAt} by ${signer.name ? `${signer.name}, ` : ''}professional ${signer.id}, ${signer.grade} (${GRADE_TITLES[signer.grade]}), ${signer.specialty}`, { size: 9, gap: 12 });
  w.text('Summary', { size: 13, bold: true });
  w.text(content.summary, { gap: 10 });
  w.text('Your questions', { size: 13, bold: true });
  content.answers.forEach((item, i) => {
    w.text(`${i + 1}. ${item.question}`, { bold: true });
    w.text(item.answer, { gap: 8 });
  });
  w.text('Recommendations', { size: 13, bold: true });
  w.text(content.recommendations, { gap: 10 });
  for (const [title, items] of [['References', content.references], ['Clinical trials', content.trials]] as const) {
    if (items.length === 0) continue;
    w.text(title, { size: 13, bold: true });
    for (const item of items) w.text(`- ${item}`);
  }
  for (const { content: addendum, contentHash } of extras.addenda ?? []) {
    w.text(`Follow-up ${addendum.seq} (signed ${addendum.signedAt})`, { size: 13, bold: true });
    w.text(addendum.question, { bold: true });
    w.text(addendum.answer);
    w.text(`Addendum hash ${contentHash}`, { size: 8, gap: 10 });
  }
  w.text('Verification', { size: 13, bold: true });
  w.text('Content hash (SHA-256 of the canonical signed content):', { size: 9 });
  w.text(extras.contentHash, { size: 9 });
  w.text(`Verify at ${extras.verifyUrl}`, { size: 9 });
  if (w.missingGlyphs) {
    w.text(`Some characters (in scripts such as Chinese, Japanese or Korean) have no glyph in this report and are shown as ${MISSING_GLYPH}; the signed content keeps them, and the hash covers them.`, { size: 8 });
  }
  return doc.save({ useObjectStreams: false });
}
