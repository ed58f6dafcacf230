import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyse } from './analyse.ts';

const findings = (text: string) =>
  Object.fromEntries(analyse([{ documentId: 'd', text }]).conditions.map((c) => [c.name, c.negated ? 'negated' : c.uncertain ? 'uncertain' : 'present']));

test('pre-negation triggers negate what follows them up to a terminator', () => {
  assert.deepEqual(findings('Denies chest pain, palpitations or syncope but reports cough.'), {
    'chest pain': 'negated',
    palpitations: 'negated',
    syncope: 'negated',
    cough: 'present',
  });
  assert.deepEqual(findings('No evidence of pneumonia. Asthma.'), { pneumonia: 'negated', asthma: 'present' });
});

test('post-negation and two-way triggers', () => {
  assert.equal(findings('Pulmonary embolism was ruled out.')['pulmonary embolism'], 'negated');
  assert.equal(findings('Ruled out: pulmonary embolism.')['pulmonary embolism'], 'negated'); // a colon after a trigger opens its list
  assert.equal(findings('Assessment: pulmonary embolism.')['pulmonary embolism'], 'present');
  assert.equal(findings('Sepsis unlikely.').sepsis, 'negated');
  assert.equal(findings('HIV negative.')['HIV infection'], 'negated');
});

test('uncertainty: possible, cannot exclude, suspected, and "cannot be ruled out" is doubt not denial', () => {
  assert.equal(findings('Possible pneumonia.').pneumonia, 'uncertain');
  assert.equal(findings('We cannot exclude a myocardial infarction.')['acute myocardial infarction'], 'uncertain');
  assert.equal(findings('Sarcoidosis cannot be ruled out.').sarcoidosis, 'uncertain');
  assert.deepEqual(findings('Cough, suspected pneumonia.'), { cough: 'present', pneumonia: 'uncertain' });
});

test('pseudo-triggers do not negate, family history is not the patient', () => {
  assert.equal(findings('No increase in ankle swelling.')['peripheral edema'], 'present');
  assert.deepEqual(findings('Family history: mother had breast cancer.\nHPI: asthma.'), { asthma: 'present' });
  assert.deepEqual(findings('His father has diabetes. He has gout.'), { gout: 'present' });
});

test('historical findings raise no red flag, current ones do', () => {
  assert.deepEqual(analyse([{ documentId: 'd', text: 'Previous myocardial infarction in 2015.' }]).redFlags, []);
  assert.deepEqual(analyse([{ documentId: 'd', text: 'Acute myocardial infarction today.' }]).redFlags, ['acute-coronary-syndrome']);
  assert.deepEqual(analyse([{ documentId: 'd', text: 'No myocardial infarction.' }]).redFlags, []);
});

test('abbreviations match only in capitals', () => {
  assert.equal(findings('Known HTN.').hypertension, 'present');
  assert.equal(findings('known htn').hypertension, undefined);
  assert.equal(findings('PSA 9.8 ng/mL')['psoriatic arthritis'], undefined);
});
