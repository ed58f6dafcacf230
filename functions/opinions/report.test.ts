import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib';
import type { TextItem } from 'pdfjs-dist/types/src/display/api.js';
import { bundle } from '../../triggers/build.ts';
import { openPdf } from '../documents/pdf.ts';
import { extractPdfText } from '../documents/pdf-text.ts';
import { renderOpinionPdf } from './report.ts';
import type { OpinionContent } from './signed-content.ts';

const flat = (text: string) => text.replace(/\s+/g, ' ');
const hash = 'ab'.repeat(32);
const extras = { contentHash: hash, verifyUrl: `https://consilium.example/v1/opinions/verify?hash=${hash}` };

/** Names and sentences a real report carries, in the scripts the embedded fonts cover. */
const international = {
  polish: 'Zażółć gęślą jaźń — pacjentka Łucja Żółkiewska-Głąb, Łódź',
  turkish: 'Hasta Gülşen Çağlayan, İstanbul: ağrı şiddeti düştü, ılık kompres önerilir.',
  greek: 'Ο ασθενής Γιώργος Παπαδόπουλος χρειάζεται υπερηχογράφημα σε δώδεκα μήνες.',
  cyrillic: 'Пациентка Ольга Ёлкина: узел доброкачественный, хирургия не требуется.',
  arabic: 'محمد علي',
  signer: 'Dr Zofia Łukasiewicz-Παπαδοπούλου (Дмитриевна)',
};

function opinion(extra: Partial<OpinionContent> = {}): OpinionContent {
  return {
    type: 'consilium.opinion.v1',
    caseId: '00000000-0000-4000-8000-000000000001',
    opinionId: '00000000-0000-4000-8000-000000000002',
    version: 1,
    signer: { id: '00000000-0000-4000-8000-000000000003', name: international.signer, grade: 'G3', specialty: 'endocrinology' },
    reviewer: null,
    signedAt: '2025-01-02T03:04:05.000Z',
    summary: `${international.polish}\n${international.turkish}`,
    answers: [
      { question: `Czy operacja jest konieczna? Χρειάζεται επέμβαση; Нужна ли операция?`, answer: `${international.greek}\n${international.cyrillic}` },
      { question: `Patient ${international.arabic}: follow-up?`, answer: `Repeat the ultrasound (naïve → ≈ 12 months) for ${international.arabic}.` },
    ],
    recommendations: 'Kontrola za 12 miesięcy; Επανέλεγχος σε 12 μήνες; Контроль через 12 месяцев.',
    references: ['ACR TI-RADS 2017'],
    trials: [],
    ...extra,
  };
}

/** Every font dictionary of the PDF: its BaseFont name and, for embedded TrueType, the size of the font file. */
async function fonts(bytes: Uint8Array): Promise<{ name: string; subtype: string; fileBytes?: number }[]> {
  const doc = await PDFDocument.load(bytes);
  const found: { name: string; subtype: string; fileBytes?: number }[] = [];
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of('Type')) !== PDFName.of('FontDescriptor')) continue;
    const file = object.lookup(PDFName.of('FontFile2'));
    found.push({
      name: object.lookup(PDFName.of('FontName'), PDFName).decodeText(),
      subtype: 'FontDescriptor',
      ...(file instanceof PDFRawStream ? { fileBytes: file.contents.length } : {}),
    });
  }
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (object instanceof PDFDict && object.get(PDFName.of('Type')) === PDFName.of('Font')) {
      found.push({ name: object.lookup(PDFName.of('BaseFont'), PDFName).decodeText(), subtype: object.lookup(PDFName.of('Subtype'), PDFName).decodeText() });
    }
  }
  return found;
}

describe('the PDF report in any language', () => {
  it('Polish, Turkish, Greek and Cyrillic names and text, and an Arabic name, parse back exactly', async () => {
    const content = opinion();
    const { text } = await extractPdfText(await renderOpinionPdf(content, extras));
    const all = flat(text);
    for (const [language, sample] of Object.entries(international)) assert.ok(all.includes(sample), `${language}: ${sample}`);
    assert.ok(all.includes(content.answers[0]!.question), 'bold question in three scripts');
    assert.ok(all.includes(flat(content.answers[1]!.answer)), 'arrows and ≈ are no longer "?"');
    assert.ok(all.includes(content.recommendations));
  });

  it('embeds DejaVu Sans and DejaVu Sans Bold as subsets, and no standard font', async () => {
    const bytes = await renderOpinionPdf(opinion(), extras);
    const found = await fonts(bytes);
    const descriptors = found.filter((f) => f.subtype === 'FontDescriptor');
    assert.deepEqual(descriptors.map((f) => f.name.replace(/-\d+$/, '')).sort(), ['DejaVuSans', 'DejaVuSans-Bold']);
    for (const f of descriptors) {
      assert.ok(f.fileBytes !== undefined && f.fileBytes > 1000 && f.fileBytes < 100_000, `${f.name}: an embedded subset, not the 700 kB font (${f.fileBytes} bytes)`);
    }
    assert.ok(found.every((f) => !/Helvetica|Times|Courier/.test(f.name)), found.map((f) => f.name).join(', '));
    assert.ok(bytes.length < 150_000, `the report stays small (${bytes.length} bytes)`);
  });

  it('shows characters no embedded font has (Chinese) as a visible marker, never "?", and says so', async () => {
    const plain = flat((await extractPdfText(await renderOpinionPdf(opinion(), extras))).text);
    assert.ok(!plain.includes('\uFFFD') && !plain.includes('no glyph'), 'no marker and no note when every character is drawn');
    const content = opinion({ summary: '患者王小明 (Wang Xiaoming): 良性结节。' });
    const all = flat((await extractPdfText(await renderOpinionPdf(content, extras))).text);
    assert.ok(all.includes('\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD (Wang Xiaoming): \uFFFD\uFFFD\uFFFD\uFFFD\uFFFD'), all.slice(0, 400));
    assert.ok(!all.includes('??'));
    assert.ok(all.includes('have no glyph in this report and are shown as \uFFFD'));
  });

  it('wraps lines by the widths of the embedded font: no line runs past the right margin', async () => {
    const wide = 'ШЩЖЮ WMWM ЩЖШЮЩ ЖЖЖЖ ΩΨΦΩ MWWM '.repeat(40).trim();
    const pdf = await openPdf(await renderOpinionPdf(opinion({ summary: wide, recommendations: wide }), extras));
    try {
      const page = await pdf.getPage(1);
      const [, , right] = page.view;
      const items = (await page.getTextContent()).items.filter((item): item is TextItem => 'str' in item && item.str.trim() !== '');
      const lines = new Map<number, number>();
      for (const item of items) lines.set(item.transform[5], Math.max(lines.get(item.transform[5]) ?? 0, item.transform[4] + item.width));
      assert.ok(lines.size > 20);
      for (const [y, end] of lines) assert.ok(end <= right! - 56 + 0.5, `line at y=${y} ends at ${end}, past ${right! - 56}`);
      assert.ok([...lines.values()].filter((end) => end > right! - 56 - 60).length > 10, 'lines are filled, not cut short');
    } finally {
      await pdf.destroy();
    }
  });

  it('lays an Arabic paragraph right to left, flush right, with its number left to right', async () => {
    const sentence = 'المريض محمد علي عمره 45 سنة';
    const pdf = await openPdf(await renderOpinionPdf(opinion({ summary: sentence }), extras));
    try {
      const page = await pdf.getPage(1);
      const items = (await page.getTextContent()).items.filter((item): item is TextItem => 'str' in item && /[\u0600-\u06FF]|45/.test(item.str));
      const right = Math.max(...items.map((item) => item.transform[4] + item.width));
      assert.ok(Math.abs(right - (page.view[2]! - 56)) < 1, `flush right (${right})`);
      const number = items.find((item) => item.str.includes('45'))!;
      const name = items.find((item) => item.str.includes('محمد'))!;
      assert.ok(number.transform[4] < name.transform[4], 'the number, later in reading order, is to the left');
    } finally {
      await pdf.destroy();
    }
    // pdf.js drops the space where the direction changes around the number, so only the words are compared.
    assert.ok(flat((await extractPdfText(await renderOpinionPdf(opinion({ summary: sentence }), extras))).text).includes('المريض محمد علي عمره'));
  });

  it('the production bundle carries the fonts: built with the build script and run where node_modules cannot be reached', async () => {
    const out = await mkdtemp(join(tmpdir(), 'opinions-report-'));
    try {
      await bundle({ report: 'functions/opinions/report.ts' }, out);
      const bundled = (await import(pathToFileURL(join(out, 'report.mjs')).href)) as { renderOpinionPdf: typeof renderOpinionPdf };
      const all = flat((await extractPdfText(await bundled.renderOpinionPdf(opinion(), extras))).text);
      for (const sample of [international.greek, international.cyrillic, international.polish, international.signer]) assert.ok(all.includes(sample), sample);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
