import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSpecialty } from '../../../shared/auth/specialties.ts';
import { CONDITIONS, LABS, MEDICATIONS, RED_FLAGS, synonymsOf } from './dictionary/index.ts';
import { phraseKey } from './text.ts';
import { specialtyOfCode } from './specialty.ts';

test('the condition dictionary has at least 300 conditions with well-formed ICD-10 codes and specialties', () => {
  assert.ok(CONDITIONS.length >= 300, `only ${CONDITIONS.length} conditions`);
  for (const [code, , , specialty] of CONDITIONS) {
    assert.match(code, /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/, code);
    if (specialty) assert.ok(isSpecialty(specialty), `${code}: ${specialty}`);
    assert.ok(isSpecialty(specialtyOfCode(code)));
  }
});

test('no phrase means two different things (a synonym belongs to one condition, drug or lab)', () => {
  const owner = new Map<string, string>();
  const claim = (phrase: string, what: string) => {
    const key = phraseKey(phrase);
    const id = `${key.caseSensitive ? key.raw.join(' ') : key.norms.join(' ')}`;
    const previous = owner.get(id);
    assert.ok(previous === undefined || previous === what, `"${phrase}" is both ${previous} and ${what}`);
    owner.set(id, what);
  };
  for (const [code, name, synonyms] of CONDITIONS) for (const p of [name, ...synonymsOf(synonyms)]) claim(p, `condition ${code}`);
  for (const [name, atc, synonyms] of MEDICATIONS) for (const p of [name, ...synonymsOf(synonyms)]) claim(p, `drug ${atc}`);
  assert.ok(LABS.length >= 30);
});

test('medications carry level-5 ATC codes (or a level-4 class) and red flags point at dictionary codes', () => {
  for (const [name, atc] of MEDICATIONS) assert.match(atc, /^[A-Z][0-9]{2}[A-Z]{2}([0-9]{2})?$/, name);
  const codes = CONDITIONS.map(([code]) => code);
  for (const rule of RED_FLAGS) {
    assert.match(rule.slug, /^[a-z-]+$/);
    for (const prefix of rule.codes) assert.ok(codes.some((c) => c.startsWith(prefix)), `${rule.slug}: ${prefix} matches no condition`);
  }
});
