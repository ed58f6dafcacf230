import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultBankKey, openBank, sealBank } from './bank-seal.ts';

const details = { iban: 'DE89370400440532013000', bic: 'COBADEFFXXX', accountHolderName: 'Dr Zoë Müller' };

describe('sealed bank details (AES-256-GCM)', () => {
  it('round-trips, and the sealed text shows neither the IBAN nor the name', () => {
    const key = randomBytes(32);
    const sealed = sealBank(key, 'pro-1', details);
    assert.deepEqual(openBank(key, 'pro-1', sealed), details);
    assert.ok(!sealed.includes('DE89') && !sealed.includes('Müller') && !sealed.includes('0532013000'));
    assert.notEqual(sealBank(key, 'pro-1', details), sealed, 'a fresh nonce each time');
  });

  it('does not open with another key, for another professional, or when altered', () => {
    const key = randomBytes(32);
    const sealed = sealBank(key, 'pro-1', details);
    assert.throws(() => openBank(randomBytes(32), 'pro-1', sealed));
    assert.throws(() => openBank(key, 'pro-2', sealed));
    const parts = sealed.split('.');
    const body = Buffer.from(parts[2]!, 'base64url');
    body[0] = body[0]! ^ 1;
    assert.throws(() => openBank(key, 'pro-1', [parts[0], parts[1], body.toString('base64url'), parts[3]].join('.')));
    assert.throws(() => openBank(key, 'pro-1', 'plain text'));
  });

  it('derives a stable 32-byte default key', () => {
    assert.equal(defaultBankKey().length, 32);
    assert.deepEqual(defaultBankKey(), defaultBankKey());
  });
});
