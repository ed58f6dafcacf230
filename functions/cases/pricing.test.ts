import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SPECIALTIES } from '../../shared/auth/specialties.ts';
import { CURRENCIES, GENERIC_PRICES, priceOf, turnaroundOf, URGENCIES } from './pricing.ts';

describe('pricing', () => {
  it('prices every specialty × urgency × currency as a positive integer, urgent dearer than standard', () => {
    for (const specialty of [undefined, ...SPECIALTIES]) {
      for (const currency of CURRENCIES) {
        const standard = priceOf({ specialty, urgency: 'standard', currency });
        const urgent = priceOf({ specialty, urgency: 'urgent', currency });
        for (const price of [standard, urgent]) {
          assert.ok(Number.isSafeInteger(price.amount) && price.amount > 0, `${specialty} ${currency}`);
          assert.equal(price.currency, currency);
        }
        assert.ok(urgent.amount > standard.amount, `${specialty} ${currency}`);
      }
    }
  });

  it('uses the generic row when no specialty is given', () => {
    for (const urgency of URGENCIES) {
      assert.deepEqual(priceOf({ urgency, currency: 'GBP' }), { amount: GENERIC_PRICES[urgency].GBP, currency: 'GBP' });
    }
    assert.deepEqual(priceOf({ urgency: 'standard', currency: 'EUR' }), { amount: 29_000, currency: 'EUR' });
  });

  it('charges complex specialties more', () => {
    assert.deepEqual(priceOf({ specialty: 'cardiology', urgency: 'urgent', currency: 'EUR' }), { amount: 59_000, currency: 'EUR' });
    assert.deepEqual(priceOf({ specialty: 'dermatology', urgency: 'urgent', currency: 'EUR' }), { amount: 48_000, currency: 'EUR' });
  });

  it('promises 5 days standard, 48 hours urgent', () => {
    assert.deepEqual(turnaroundOf('standard'), { hours: 120, duration: 'P5D' });
    assert.deepEqual(turnaroundOf('urgent'), { hours: 48, duration: 'PT48H' });
  });
});
