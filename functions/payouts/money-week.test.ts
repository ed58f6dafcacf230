import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decimalAmount, decimalSum } from './money.ts';
import { batchWeek, isoWeek, weekCutoff } from './week.ts';

describe('decimal amounts from minor units', () => {
  it('puts the point by the currency exponent, never through a float', () => {
    assert.equal(decimalAmount(123_456, 'EUR'), '1234.56');
    assert.equal(decimalAmount(5, 'EUR'), '0.05');
    assert.equal(decimalAmount(0, 'EUR'), '0.00');
    assert.equal(decimalAmount(1234, 'JPY'), '1234');
    assert.equal(decimalAmount(1234, 'KWD'), '1.234');
    assert.equal(decimalAmount(9_007_199_254_740_993n, 'EUR'), '90071992547409.93');
    assert.throws(() => decimalAmount(-1, 'EUR'));
  });

  it('sums mixed currencies at the finest exponent, and the sum of parts equals the decimal of the sum', () => {
    assert.equal(decimalSum([{ amount: 150, currency: 'EUR' }, { amount: 1, currency: 'EUR' }]), '1.51');
    assert.equal(decimalSum([{ amount: 150, currency: 'EUR' }, { amount: 7, currency: 'JPY' }]), '8.50');
    assert.equal(decimalSum([]), '0');
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 10_000_000 }), { maxLength: 20 }), (amounts) => {
        const total = amounts.reduce((a, b) => a + b, 0);
        assert.equal(decimalSum(amounts.map((amount) => ({ amount, currency: 'EUR' }))), amounts.length ? decimalAmount(total, 'EUR') : '0');
      }),
    );
  });
});

describe('payout weeks', () => {
  it('cuts off at Monday 00:00 UTC and names the ISO week that ended there', () => {
    assert.equal(weekCutoff(new Date('2026-12-09T15:00:00Z')).toISOString(), '2026-12-07T00:00:00.000Z');
    assert.equal(weekCutoff(new Date('2026-12-07T00:00:00Z')).toISOString(), '2026-12-07T00:00:00.000Z');
    assert.equal(weekCutoff(new Date('2026-12-06T23:59:59Z')).toISOString(), '2026-11-30T00:00:00.000Z');
    assert.deepEqual(batchWeek(new Date('2026-12-07T06:00:00Z')), { weekKey: '2026-W49', cutoff: new Date('2026-12-07T00:00:00Z') });
    // A late tick (Wednesday) finds the same week as Monday's.
    assert.deepEqual(batchWeek(new Date('2026-12-09T10:00:00Z')), batchWeek(new Date('2026-12-07T06:00:00Z')));
  });

  it('uses the ISO week-numbering year around New Year', () => {
    assert.equal(isoWeek(new Date('2027-01-01T00:00:00Z')), '2026-W53');
    assert.equal(isoWeek(new Date('2025-12-29T00:00:00Z')), '2026-W01');
    assert.equal(isoWeek(new Date('2024-12-30T12:00:00Z')), '2025-W01');
    assert.equal(isoWeek(new Date('2021-01-03T12:00:00Z')), '2020-W53');
    assert.equal(batchWeek(new Date('2027-01-04T06:00:00Z')).weekKey, '2026-W53');
  });
});
