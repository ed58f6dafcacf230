/**
 * The week a payout batch pays for. A batch runs on (or after) a Monday and pays every unpaid earning from before
 * that Monday 00:00 UTC — the cutoff; it is named after the ISO 8601 week that ended there (`2026-W49`), so every
 * tick in the same week finds the same batch.
 */

const DAY = 86_400_000;

/**
 * Monday 00:00 UTC of the ISO week containing `at`.
 *
 * @example
 * weekCutoff(new Date('2026-12-09T15:00:00Z')).toISOString(); // '2026-12-07T00:00:00.000Z'
 */
export function weekCutoff(at: Date): Date {
  const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return new Date(midnight - sinceMonday * DAY);
}

/**
 * The ISO 8601 week (`YYYY-Www`) containing `at`; the year is the week's, which differs from the calendar year
 * around New Year.
 *
 * @example
 * isoWeek(new Date('2027-01-01T00:00:00Z')); // '2026-W53'
 */
export function isoWeek(at: Date): string {
  const monday = weekCutoff(at);
  // The week belongs to the year of its Thursday.
  const thursday = new Date(monday.getTime() + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The batch a run at `at` makes: the cutoff (this week's Monday) and the key of the week that ended there.
 *
 * @example
 * batchWeek(new Date('2026-12-07T06:00:00Z')); // { weekKey: '2026-W49', cutoff: 2026-12-07T00:00:00Z }
 */
export function batchWeek(at: Date): { weekKey: string; cutoff: Date } {
  const cutoff = weekCutoff(at);
  return { weekKey: isoWeek(new Date(cutoff.getTime() - DAY)), cutoff };
}
