import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hash } from '@node-rs/argon2';
import { ARGON2, hashPassword, needsRehash, passwordProblem, verifyAgainstDummy, verifyPassword } from './passwords.ts';

describe('passwords', () => {
  it('accepts 12 to 256 characters of any Unicode, without composition rules', () => {
    assert.equal(passwordProblem('a'.repeat(11)), 'must be at least 12 characters');
    assert.equal(passwordProblem('lowercase only words'), undefined);
    assert.equal(passwordProblem('😀'.repeat(12)), undefined, 'counts characters, not UTF-16 units');
    assert.equal(passwordProblem('x'.repeat(256)), undefined);
    assert.match(passwordProblem('x'.repeat(257)) ?? '', /at most 256/);
  });

  it('refuses common passwords, case-insensitively and after NFKC', () => {
    assert.match(passwordProblem('Password1234') ?? '', /common/);
    assert.match(passwordProblem('ｑｗｅｒｔｙｕｉｏｐ１２３') ?? '', /common/, 'full-width folds to qwertyuiop123');
  });

  it('hashes with argon2id at the configured cost and verifies NFKC-equivalent input', async () => {
    const stored = await hashPassword('ｃｏｒｒｅｃｔ horse battery');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(stored, 'correct horse battery'), true);
    assert.equal(await verifyPassword(stored, 'correct horse batterz'), false);
    assert.equal(await verifyPassword('not a hash', 'x'), false);
    assert.equal(needsRehash(stored), false);
  });

  it('asks for a rehash when the parameters changed', async () => {
    const weaker = await hash('some long password', { ...ARGON2, memoryCost: 8192, timeCost: 1 });
    assert.equal(needsRehash(weaker), true);
  });

  it('verifies against a dummy in about the same time as a real hash', async () => {
    const stored = await hashPassword('correct horse battery');
    await verifyAgainstDummy('warm up');
    // Medians of a few runs each, to ride out scheduling noise from suites running in parallel.
    const median = async (work: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await work();
        runs.push(performance.now() - started);
      }
      return runs.sort((a, b) => a - b)[2]!;
    };
    const real = await median(() => verifyPassword(stored, 'wrong password here'));
    const dummy = await median(() => verifyAgainstDummy('wrong password here'));
    assert.ok(Math.min(real, dummy) / Math.max(real, dummy) > 0.4, `real ${real} ms vs dummy ${dummy} ms`);
  });
});
