import * as v from 'valibot';

// Shared vocabularies of the catalogue: the same picklists wherever an event names a grade, an urgency or money.

export const GRADE_CODES = ['G1', 'G2', 'G3', 'G4'] as const;
export const Grade = v.picklist(GRADE_CODES);

export const URGENCY_CODES = ['standard', 'urgent'] as const;
export const Urgency = v.picklist(URGENCY_CODES);

/** ISO 4217 code, upper case. */
export const CurrencyCode = v.pipe(v.string(), v.regex(/^[A-Z]{3}$/));

/** Money is integer minor units with its currency, never a float. */
export const Money = v.object({ amount: v.pipe(v.number(), v.integer(), v.minValue(0)), currency: CurrencyCode });

/** ISO 3166-1 alpha-2, upper case. */
export const CountryCode = v.pipe(v.string(), v.regex(/^[A-Z]{2}$/));

/** An RFC 3339 instant. */
export const Instant = v.pipe(v.string(), v.isoTimestamp());
