import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTotpSecret, totpCode, totpStep, totpUri } from './totp.ts';

describe('totp', () => {
  it('accepts the current code and one step of drift, and names the step', () => {
    const secret = newTotpSecret();
    const now = 1_800_000_000_000;
    const step = Math.floor(now / 30_000);
    assert.equal(totpStep(secret, totpCode(secret, now), now), step);
    assert.equal(totpStep(secret, totpCode(secret, now - 30_000), now), step - 1);
    assert.equal(totpStep(secret, totpCode(secret, now + 30_000), now), step + 1);
    assert.equal(totpStep(secret, totpCode(secret, now - 90_000), now), undefined);
  });

  it('builds an otpauth URI authenticator apps read', () => {
    const uri = new URL(totpUri(newTotpSecret(), 'ada@example.org'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('issuer'), 'Consilium');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.match(uri.searchParams.get('secret')!, /^[A-Z2-7]{32}$/);
  });
});
