import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareGrades, GRADES, meetsGrade, type Grade } from './grades.ts';
import { isSpecialty, SPECIALTIES } from './specialties.ts';

describe('grades and specialties', () => {
  it('orders grades G1 < G2 < G3 < G4', () => {
    assert.deepEqual(GRADES, ['G1', 'G2', 'G3', 'G4']);
    assert.deepEqual((['G4', 'G1', 'G3', 'G2'] as Grade[]).sort(compareGrades), ['G1', 'G2', 'G3', 'G4']);
    assert.equal(meetsGrade('G3', 'G2'), true);
    assert.equal(meetsGrade('G2', 'G2'), true);
    assert.equal(meetsGrade('G1', 'G2'), false);
  });

  it('lists specialties as unique lower-case slugs', () => {
    assert.equal(new Set(SPECIALTIES).size, SPECIALTIES.length);
    for (const slug of SPECIALTIES) assert.match(slug, /^[a-z]+(-[a-z]+)*$/);
    assert.equal(isSpecialty('cardiology'), true);
    assert.equal(isSpecialty('Cardiology'), false);
  });
});
