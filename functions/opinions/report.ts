import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { GRADE_TITLES } from '../../shared/auth/grades.ts';
import type { AddendumContent, OpinionContent } from './signed-content.ts';

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
  constructor(
    private readonly doc: PDFDocument,
    private readonly fonts: { regular: PDFFont; bold: PDFFont },
  ) {
    this.page = doc.addPage([PAGE.width, PAGE.height]);
    this.y = PAGE.height - PAGE.margin;
  }

  /** Writes a paragraph, wrapped to the page width (long words are cut), with the standard fonts' characters only. */
  text(value: string, options: { size?: number; bold?: boolean; gap?: number } = {}): void {
    const size = options.size ?? 10;
    const font = options.bold ? this.fonts.bold : this.fonts.regular;
    for (const line of wrap(printable(value, font), font, size, PAGE.width - 2 * PAGE.margin)) {
      if (this.y - size < PAGE.margin) {
        this.page = this.doc.addPage([PAGE.width, PAGE.height]);
        this.y = PAGE.height - PAGE.margin;
      }
      this.page.drawText(line, { x: PAGE.margin, y: this.y - size, size, font, color: rgb(0.1, 0.1, 0.1) });
      this.y -= size * 1.35;
    }
    this.y -= options.gap ?? 4;
  }
}

/** Replaces what the standard (WinAnsi) fonts cannot draw, so any language renders instead of throwing. */
function printable(value: string, font: PDFFont): string {
  const supported = new Set(font.getCharacterSet());
  return [...value.replaceAll('\t', '    ').replaceAll('\r', '')]
    .map((ch) => (ch === '\n' || supported.has(ch.codePointAt(0)!) ? ch : '?'))
    .join('');
}

function wrap(value: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of value.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/)) {
      let rest = word;
      // A word wider than the page (a URL, a hash) is cut where it no longer fits.
      while (font.widthOfTextAtSize(rest, size) > width) {
        let cut = rest.length;
        while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
        if (line) lines.push(line);
        lines.push(rest.slice(0, cut));
        line = '';
        rest = rest.slice(cut);
      }
      const candidate = line ? `${line} ${rest}` : rest;
      if (font.widthOfTextAtSize(candidate, size) > width) {
        lines.push(line);
        line = rest;
      } else line = candidate;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Renders the signed opinion as a PDF: questions and answers, summary, recommendations, references, signer and date,
 * the content hash and the link that verifies it, then any signed follow-up answers.
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
  const w = new Writer(doc, { regular: await doc.embedFont(StandardFonts.Helvetica), bold: await doc.embedFont(StandardFonts.HelveticaBold) });
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
  return doc.save({ useObjectStreams: false });
}
