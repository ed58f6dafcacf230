import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse } from './analyse.ts';

const labsOf = (text: string) => analyse([{ documentId: 'd', text }]).labs.map(({ name, value, unit, flag }) => ({ name, value, unit, flag }));

test('lab values with units, flagged from the reference range the text gives', () => {
  assert.deepEqual(labsOf('Potassium 5.9 mmol/L (ref 3.5-5.0), Hb 9.1 g/dL (13.0-17.0), TSH 1.8 mIU/L (ref 0.4–4.0).'), [
    { name: 'potassium', value: 5.9, unit: 'mmol/L', flag: 'high' },
    { name: 'hemoglobin', value: 9.1, unit: 'g/dL', flag: 'low' },
    { name: 'tsh', value: 1.8, unit: 'mIU/L', flag: 'normal' },
  ]);
});

test('one-sided ranges, no range (no flag), and an explicit H marker', () => {
  assert.deepEqual(labsOf('Troponin I 0.12 ng/mL (ref < 0.04). eGFR 42 mL/min/1.73m2 (ref > 60). HbA1c 8.1 %. CRP 30 mg/L H.'), [
    { name: 'troponin', value: 0.12, unit: 'ng/mL', flag: 'high' },
    { name: 'egfr', value: 42, unit: 'mL/min/1.73m2', flag: 'low' },
    { name: 'hba1c', value: 8.1, unit: '%', flag: null },
    { name: 'crp', value: 30, unit: 'mg/L', flag: 'high' },
  ]);
});

test('a raised troponin and a critical potassium are red flags; every lab has its evidence', () => {
  const text = 'Labs: troponin 0.5 ng/mL (ref < 0.04), potassium 6.8 mmol/L.';
  const a = analyse([{ documentId: 'doc-1', text }]);
  assert.deepEqual(a.redFlags, ['critical-potassium', 'elevated-troponin']);
  assert.equal(a.urgency, 'urgent');
  const [troponin] = a.labs;
  assert.equal(text.slice(troponin!.evidence.start, troponin!.evidence.start + 8), 'troponin');
  assert.equal(troponin!.evidence.documentId, 'doc-1');
});
