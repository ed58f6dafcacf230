import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { analyseFiles } from './ops.ts';

test('analyse prints one JSON object per text or PDF file, and an error line for a missing file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ai-ops-'));
  const txt = join(dir, 'note.txt');
  await writeFile(txt, 'Assessment: atrial fibrillation. No chest pain. On apixaban 5 mg. Potassium 5.9 mmol/L (ref 3.5-5.0).');
  const pdfDoc = await PDFDocument.create();
  const page = pdfDoc.addPage();
  page.drawText('Impression: possible pneumonia. Denies fever.', { x: 40, y: 700, size: 12, font: await pdfDoc.embedFont(StandardFonts.Helvetica) });
  const pdf = join(dir, 'letter.pdf');
  await writeFile(pdf, await pdfDoc.save());

  const lines: string[] = [];
  const failures = await analyseFiles([txt, pdf, join(dir, 'missing.txt')], (l) => lines.push(l));
  assert.equal(failures, 1);
  const [a, b, missing] = lines.map((l) => JSON.parse(l));
  assert.equal(a.file, txt);
  assert.deepEqual(a.conditions.map((c: any) => [c.text, c.icd10, c.negated, c.uncertain]), [
    ['atrial fibrillation', 'I48.91', false, false],
    ['chest pain', 'R07.9', true, false],
  ]);
  assert.deepEqual(a.medications.map((m: any) => [m.text, m.name, m.atc]), [['apixaban', 'apixaban', 'B01AF02']]);
  assert.deepEqual(a.labs.map((l: any) => [l.name, l.value, l.unit, l.flag]), [['potassium', 5.9, 'mmol/L', 'high']]);
  assert.equal(a.specialty, 'cardiology');
  assert.ok(['G1', 'G2', 'G3', 'G4'].includes(a.minGrade));
  assert.deepEqual(b.conditions.map((c: any) => [c.icd10, c.negated, c.uncertain]), [['J18.9', false, true], ['R50.9', true, false]]);
  assert.equal(b.urgency, 'standard');
  assert.equal(missing.file, join(dir, 'missing.txt'));
  assert.ok(missing.error);
});
