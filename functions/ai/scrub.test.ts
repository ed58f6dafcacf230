import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse } from './analyser/analyse.ts';
import { loadCorpus } from './analyser/corpus.ts';
import { scrub } from './scrub.ts';

/** Notes with identifiers planted in the ways they turn up in referral letters; every one must go. */
const PLANTED: { note: string; identifiers: string[] }[] = [
  {
    note: "Patient: John O'Neil-Smith\nDOB: 03/04/1956\nMRN: AB1234567\nMr O'Neil-Smith reports chest pain; John denies fever.",
    identifiers: ["O'Neil-Smith", 'John', '03/04/1956', 'AB1234567'],
  },
  {
    note: 'Name: Maria Garcia Lopez, born on 1 Jan 1980. NHS number 943 476 5919. Seen by Dr. Jane Foster on 12 March 2024.',
    identifiers: ['Maria', 'Garcia', 'Lopez', '1 Jan 1980', '943 476 5919', 'Jane', 'Foster', '12 March 2024'],
  },
  {
    note: 'Referral from Dr Ahmed Khan (tel 020 7946 0958, a.khan@clinic.example.org). Mrs Chen, SSN 123-45-6789, has AF.',
    identifiers: ['Ahmed', 'Khan', '020 7946 0958', 'a.khan@clinic.example.org', 'Chen', '123-45-6789'],
  },
  {
    note: 'Address: 14 Elm Grove, Leeds LS6 2AB\nLives at 221B Baker Street, London NW1 6XE. Mobile (555) 123-4567. Date of birth: 1975-11-30.',
    identifiers: ['Elm Grove', 'LS6 2AB', '221B Baker Street', 'NW1 6XE', '(555) 123-4567', '1975-11-30'],
  },
  {
    note: 'Ms Priya Patel, 94-year-old, hospital number 55512345, Springfield, IL 62704. Signed by Prof A. Kumar. Patel is frail.',
    identifiers: ['Priya', 'Patel', '94', '55512345', 'Springfield, IL 62704', 'Kumar'],
  },
  {
    note: 'Dear Dr Okafor,\nI saw Miss Emily Brown (D.O.B. 7/9/2001, Patient ID 0042-7781) at https://portal.example.org/p/77.\nEmily has asthma. Phone +1 415 555 0132.',
    identifiers: ['Okafor', 'Emily', 'Brown', '7/9/2001', '0042-7781', 'https://portal.example.org/p/77', '+1 415 555 0132'],
  },
];

test('the scrubber removes every planted identifier', () => {
  for (const { note, identifiers } of PLANTED) {
    const { text } = scrub(note);
    for (const id of identifiers) assert.ok(!text.includes(id), `"${id}" survived in: ${text}`);
    // No run of 7+ digits (an id or a phone) survives either.
    assert.doesNotMatch(text, /\d[\d\s-]{6,}\d/, text);
  }
});

test('the scrubber counts what it removed and keeps the clinical words', () => {
  const { text, removed } = scrub('Mr John Smith, DOB 03/04/1956, MRN 12345678, seen for atrial fibrillation. Smith is well.');
  assert.equal(text, 'Mr [NAME], DOB [DATE], MRN [ID], seen for atrial fibrillation. [NAME] is well.');
  assert.deepEqual({ NAME: removed.NAME, DATE: removed.DATE, ID: removed.ID }, { NAME: 2, DATE: 1, ID: 1 });
});

test('scrubbing a clinical note does not change what the analyser finds in it', async () => {
  for (const note of await loadCorpus()) {
    const codes = (text: string) => analyse([{ documentId: 'd', text }]).conditions.map((c) => `${c.icd10}${c.negated ? '-' : ''}`);
    assert.deepEqual(codes(scrub(note.text).text), codes(note.text), note.name);
  }
});

test('the scrubber is deterministic', () => {
  const note = PLANTED.map((p) => p.note).join('\n');
  assert.equal(scrub(note).text, scrub(note).text);
});
