import type { Sql, Tx } from '../../shared/db/index.ts';

/** What cases keeps from identity's events: the latest consent per purpose and each patient's country and locale. */

type Db = Sql | Tx;

/**
 * Records a consent change unless a later one is already known (events may arrive out of order).
 *
 * @example
 * await upsertConsent(tx, { userId, purpose: 'processing', granted: true, version: '2026-01', changedAt: new Date(event.time) });
 */
export async function upsertConsent(tx: Tx, row: { userId: string; purpose: string; granted: boolean; version: string; changedAt: Date }): Promise<void> {
  await tx`
    insert into cases.consents ${tx(row)}
    on conflict (user_id, purpose) do update set granted = excluded.granted, version = excluded.version, changed_at = excluded.changed_at
      where cases.consents.changed_at <= excluded.changed_at`;
}

/**
 * Whether the patient's latest word on `purpose` is a grant.
 *
 * @example
 * if (!(await hasConsent(tx, ownerId, 'processing'))) throw …;
 */
export async function hasConsent(sql: Db, userId: string, purpose: string): Promise<boolean> {
  const [row] = await sql<{ granted: boolean }[]>`select granted from cases.consents where user_id = ${userId} and purpose = ${purpose}`;
  return row?.granted === true;
}

/**
 * Records a patient's country and locale unless a later change is already known.
 *
 * @example
 * await upsertPatient(tx, { userId, country: 'FR', locale: 'fr-FR', changedAt: new Date(event.time) });
 */
export async function upsertPatient(tx: Tx, row: { userId: string; country: string | null; locale: string | null; changedAt: Date }): Promise<void> {
  await tx`
    insert into cases.patients ${tx(row)}
    on conflict (user_id) do update set country = excluded.country, locale = excluded.locale, changed_at = excluded.changed_at
      where cases.patients.changed_at <= excluded.changed_at`;
}

/**
 * A patient's country and locale, if identity told us.
 *
 * @example
 * const patient = await findPatient(tx, ownerId);
 */
export async function findPatient(sql: Db, userId: string): Promise<{ country: string | null; locale: string | null } | undefined> {
  const [row] = await sql<{ country: string | null; locale: string | null }[]>`select country, locale from cases.patients where user_id = ${userId}`;
  return row;
}
