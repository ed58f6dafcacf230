import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRADES } from '../../shared/auth/grades.ts';
import { payoutsSettings } from './config.ts';
import { checkRates, DEFAULT_RATES, feeFor, ROLES, URGENCIES, type RateTable } from './rates.ts';

describe('payout rate table', () => {
  it('pays by grade × urgency: higher grades and urgent cases earn more, in every default currency', () => {
    for (const currency of Object.keys(DEFAULT_RATES)) {
      checkRates(DEFAULT_RATES, currency);
      for (const role of ROLES) {
        for (const urgency of URGENCIES) {
          const fees = GRADES.map((grade) => feeFor(DEFAULT_RATES, { currency, role, grade, urgency }).amount);
          for (let i = 1; i < fees.length; i++) assert.ok(fees[i]! > fees[i - 1]!, `${currency} ${role} ${urgency}: ${GRADES[i]} earns more than ${GRADES[i - 1]}`);
        }
        for (const grade of GRADES) {
          const standard = feeFor(DEFAULT_RATES, { currency, role, grade, urgency: 'standard' });
          const urgent = feeFor(DEFAULT_RATES, { currency, role, grade, urgency: 'urgent' });
          assert.ok(urgent.amount > standard.amount, `${currency} ${role} ${grade}: urgent pays more`);
          assert.ok(Number.isSafeInteger(standard.amount) && standard.currency === currency);
        }
      }
    }
  });

  it('looks up exactly the cell asked for', () => {
    assert.deepEqual(feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'author', grade: 'G3', urgency: 'urgent' }), { amount: 21_000, currency: 'EUR' });
    assert.deepEqual(feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'reviewer', grade: 'G4', urgency: 'standard' }), { amount: 6_000, currency: 'EUR' });
    assert.deepEqual(feeFor(DEFAULT_RATES, { currency: 'GBP', role: 'author', grade: 'G1', urgency: 'standard' }), { amount: 6_880, currency: 'GBP' });
  });

  it('a reviewer earns less than the author of the same grade and urgency', () => {
    for (const grade of GRADES) {
      for (const urgency of URGENCIES) {
        assert.ok(feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'reviewer', grade, urgency }).amount < feeFor(DEFAULT_RATES, { currency: 'EUR', role: 'author', grade, urgency }).amount);
      }
    }
  });

  it('an injected table is used as given; a table that cannot pay the payout currency is refused at creation', () => {
    const flat = Object.fromEntries(GRADES.map((g) => [g, { standard: 100, urgent: 200 }]));
    const custom: RateTable = { SEK: { author: flat as never, reviewer: flat as never } };
    assert.equal(feeFor(payoutsSettings({ currency: 'SEK', rates: custom }).rates, { currency: 'SEK', role: 'author', grade: 'G4', urgency: 'urgent' }).amount, 200);
    assert.throws(() => payoutsSettings({ currency: 'EUR', rates: custom }), /no EUR row/);
    assert.throws(() => payoutsSettings({ currency: 'SEK', rates: { SEK: { author: { ...flat, G2: { standard: 1.5, urgent: 2 } } as never, reviewer: flat as never } } }), /whole minor units/);
    assert.throws(() => payoutsSettings({ debtor: { name: 'Consilium', iban: 'DE89370400440532013001', bic: 'COBADEFFXXX' } }), /debtor account is not valid/);
    assert.throws(() => feeFor(DEFAULT_RATES, { currency: 'JPY', role: 'author', grade: 'G1', urgency: 'standard' }), /no payout rates for JPY/);
  });
});
