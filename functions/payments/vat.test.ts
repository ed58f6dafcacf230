import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assessRisk } from './risk.ts';
import { proportion, splitGross, vatRateFor } from './vat.ts';

describe('VAT (prices include VAT)', () => {
  it('splits a gross into net and tax that add up exactly', () => {
    assert.deepEqual(splitGross(11_900, 1_900), { net: 10_000, tax: 1_900, gross: 11_900, rateBp: 1_900 });
    assert.deepEqual(splitGross(29_000, 0), { net: 29_000, tax: 0, gross: 29_000, rateBp: 0 });
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 3_000 }), (gross, rate) => {
      const s = splitGross(gross, rate);
      return s.net + s.tax === gross && s.tax >= 0 && Math.abs(s.net * (10_000 + rate) - gross * 10_000) <= 10_000 + rate;
    }));
  });

  it('takes the rate by country, the default elsewhere', () => {
    assert.equal(vatRateFor({ default: 0, DE: 1_900 }, 'DE'), 1_900);
    assert.equal(vatRateFor({ default: 500, DE: 1_900 }, 'US'), 500);
    assert.equal(vatRateFor({ default: 500 }, null), 500);
  });

  it('refunding a part gives back its share of net and tax', () => {
    const split = splitGross(11_900, 1_900);
    assert.deepEqual(proportion(split, 5_950), { net: 5_000, tax: 950 });
    assert.deepEqual(proportion(split, 11_900), { net: 10_000, tax: 1_900 });
  });
});

describe('fraud rules', () => {
  it('holds on the gateway\'s highest risk, on elevated risk with a country mismatch, and on card and address both abroad', () => {
    assert.equal(assessRisk({ gatewayRisk: 'highest' }).hold, true);
    assert.equal(assessRisk({ gatewayRisk: 'elevated', patientCountry: 'DE', cardCountry: 'DE' }).hold, false);
    assert.equal(assessRisk({ gatewayRisk: 'elevated', patientCountry: 'DE', cardCountry: 'NG' }).hold, true);
    assert.equal(assessRisk({ patientCountry: 'DE', cardCountry: 'US' }).hold, false);
    assert.deepEqual(assessRisk({ patientCountry: 'DE', cardCountry: 'US', ipCountry: 'BR' }), { hold: true, reasons: ['card-country-mismatch', 'ip-country-mismatch'] });
    assert.equal(assessRisk({ gatewayRisk: 'normal', patientCountry: 'DE', cardCountry: 'DE', ipCountry: 'DE' }).hold, false);
  });
});
