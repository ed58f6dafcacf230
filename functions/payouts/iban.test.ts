import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ibanProblem, ibanRemainder, isBic, normalizeIban } from './iban.ts';

/** Check digits computed the textbook way with BigInt: an oracle independent of the digit-by-digit remainder. */
function withCheckDigits(country: string, bban: string): string {
  const numeric = [...`${bban}${country}00`].map((ch) => (ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch)).join('');
  const check = 98n - (BigInt(numeric) % 97n);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

describe('IBAN checks (ISO 13616, mod 97)', () => {
  it('accepts known valid IBANs, with or without spaces and in lower case', () => {
    for (const iban of ['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'BE68539007547034', 'CH9300762011623852957', 'de89 3704 0044 0532 0130 00']) {
      assert.equal(ibanProblem(iban), undefined, iban);
    }
    assert.equal(normalizeIban('gb82 west 1234 5698 7654 32'), 'GB82WEST12345698765432');
  });

  it('refuses known invalid IBANs: a changed digit, swapped digits, bad check digits, wrong length, junk', () => {
    assert.match(ibanProblem('DE89370400440532013001')!, /mod 97/);
    assert.match(ibanProblem('GB82WEST12345698765423')!, /mod 97/);
    assert.match(ibanProblem('GB28WEST12345698765432')!, /mod 97/);
    assert.match(ibanProblem('DE8937040044053201300')!, /22 characters/);
    assert.match(ibanProblem('1234567890123456')!, /country code/);
    assert.match(ibanProblem('DE89-3704-0044')!, /country code/);
    assert.ok(ibanProblem(''));
  });

  it('agrees with a BigInt oracle, and every single-character change is caught', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('DE', 'FR', 'GB', 'NL', 'XK'),
        fc.stringMatching(/^[0-9A-Z]{14,26}$/),
        fc.nat(),
        fc.constantFrom(...'0123456789'),
        (country, bban, position, digit) => {
          const iban = withCheckDigits(country, bban);
          assert.equal(ibanRemainder(iban), 1);
          const i = 4 + (position % bban.length);
          if (/[0-9]/.test(iban[i]!) && iban[i] !== digit) {
            assert.notEqual(ibanRemainder(iban.slice(0, i) + digit + iban.slice(i + 1)), 1);
          }
        },
      ),
    );
  });

  it('BIC: 8 or 11 characters, bank code letters, country letters', () => {
    for (const bic of ['COBADEFFXXX', 'COBADEFF', 'DEUTDEDB110', 'NWBKGB2L']) assert.ok(isBic(bic), bic);
    for (const bic of ['COBADEFFX', 'C0BADEFF', 'COBA12FF', 'cobadeff', '']) assert.ok(!isBic(bic), bic);
  });
});
