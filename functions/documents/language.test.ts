import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guessLanguage } from './language.ts';

describe('guessLanguage', () => {
  it('calls English prose en', () => {
    const text =
      'The patient was admitted with chest pain and a history of hypertension. An ECG was done on arrival.';
    assert.equal(guessLanguage(text), 'en');
  });

  it('calls other languages und', () => {
    for (const text of [
      'Le patient a été admis pour une douleur thoracique et une hypertension connue depuis dix ans.',
      'Der Patient wurde mit Brustschmerzen und bekanntem Bluthochdruck stationär aufgenommen.',
      'Paciente ingresado por dolor torácico con antecedentes de hipertensión arterial desde hace años.',
    ]) {
      assert.equal(guessLanguage(text), 'und', text);
    }
  });

  it('calls short or list-like text und, even in English', () => {
    assert.equal(guessLanguage('Chest pain.'), 'und');
    assert.equal(guessLanguage(''), 'und');
    const labs = 'Sodium 140 Potassium 4.1 Chloride 102 Urea 5.2 Creatinine 88 Glucose 5.4 Haemoglobin 138';
    assert.equal(guessLanguage(labs), 'und');
  });
});
