import type { JWK } from 'jose';
import type { Grade } from '../../shared/auth/grades.ts';
import type { Role } from '../../shared/auth/principal.ts';
import type { OutboxInsert } from '../../shared/bus/emit.ts';
import { lockNamed, type Sql, type Tx } from '../../shared/db/index.ts';
import { keyring } from '../../shared/keyring/index.ts';

/** Every statement of the identity schema, one function each; the transaction or client comes first. */

type Db = Sql | Tx;

export interface UserRow {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  locale: string | null;
  country: string | null;
  dataKey: string | null;
  nameSealed: string | null;
  phoneSealed: string | null;
  notificationPreferences: Record<string, unknown>;
  mfaEnabled: boolean;
  mfaSecretSealed: string | null;
  mfaPendingSecretSealed: string | null;
  /** The professional's grade when verified (joined), for the token. */
  grade: Grade | null;
}

/**
 * True when `error` is PostgreSQL's unique violation (23505).
 *
 * @example
 * if (isUniqueViolation(error)) throw problems.conflict('email-taken', '…');
 */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/**
 * Inserts an account row (fails with a unique violation when the e-mail is taken in any case).
 *
 * @example
 * await insertUser(tx, row);
 */
export async function insertUser(
  tx: Tx,
  user: { id: string; email: string; passwordHash: string; role: Role; locale: string | null; country: string | null; dataKey: string; nameSealed: string | null; phoneSealed: string | null },
): Promise<void> {
  await tx`insert into identity.users ${tx(user)}`;
}

const userColumns = (sql: Db) => sql`
  u.id, u.email, u.password_hash, u.role, u.locale, u.country, u.data_key, u.name_sealed, u.phone_sealed,
  u.notification_preferences, u.mfa_enabled, u.mfa_secret_sealed, u.mfa_pending_secret_sealed,
  case when p.status = 'active' then p.grade end as grade`;

/** What signing in needs of an account: no profile, no sealed personal data but the TOTP secret. */
export type LoginRow = Pick<UserRow, 'id' | 'passwordHash' | 'role' | 'dataKey' | 'mfaEnabled' | 'mfaSecretSealed' | 'grade'>;

/**
 * The account with this e-mail, compared case-insensitively, with what a login needs (the grade of an active
 * professional for the token). A fixed statement of seven columns: it runs at every login.
 *
 * @example
 * await findLoginByEmail(sql, 'ada@example.org');
 */
export async function findLoginByEmail(sql: Db, email: string): Promise<LoginRow | undefined> {
  const [row] = await sql<LoginRow[]>`
    select u.id, u.password_hash, u.role, u.data_key, u.mfa_enabled, u.mfa_secret_sealed, case when p.status = 'active' then p.grade end as grade
    from identity.users u left join identity.professionals p on p.user_id = u.id
    where lower(u.email) = lower(${email})`;
  return row;
}

/**
 * The account with this id, with the grade of an active professional.
 *
 * @example
 * await findUserById(sql, principal.id);
 */
export async function findUserById(sql: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await sql<UserRow[]>`
    select ${userColumns(sql)}
    from identity.users u left join identity.professionals p on p.user_id = u.id
    where u.id = ${id}`;
  return row;
}

/**
 * Replaces the stored hash (rehash at login).
 *
 * @example
 * await updatePasswordHash(sql, id, await hashPassword(password));
 */
export async function updatePasswordHash(sql: Db, id: string, passwordHash: string): Promise<void> {
  await sql`update identity.users set password_hash = ${passwordHash}, updated_at = now() where id = ${id}`;
}

/**
 * Applies the given profile changes; absent fields stay as they are.
 *
 * @example
 * await updateProfile(tx, id, { locale: 'fr-FR' });
 */
export async function updateProfile(
  tx: Tx,
  id: string,
  changes: { nameSealed?: string; phoneSealed?: string | null; locale?: string; notificationPreferences?: Record<string, unknown> },
): Promise<void> {
  const row: Record<string, unknown> = {};
  if (changes.nameSealed !== undefined) row.nameSealed = changes.nameSealed;
  if (changes.phoneSealed !== undefined) row.phoneSealed = changes.phoneSealed;
  if (changes.locale !== undefined) row.locale = changes.locale;
  if (changes.notificationPreferences !== undefined) row.notificationPreferences = tx.json(changes.notificationPreferences as never);
  if (Object.keys(row).length === 0) return;
  await tx`update identity.users set ${tx(row)}, updated_at = now() where id = ${id}`;
}

/**
 * Stores a TOTP secret awaiting its first code (enrolment).
 *
 * @example
 * await setPendingMfaSecret(tx, id, cipher.seal('totp', secret));
 */
export async function setPendingMfaSecret(tx: Tx, id: string, sealed: string): Promise<void> {
  await tx`update identity.users set mfa_pending_secret_sealed = ${sealed}, updated_at = now() where id = ${id}`;
}

/** Makes the pending secret the MFA secret and records the step of the code that confirmed it. */
export async function enableMfa(tx: Tx, id: string, step: number): Promise<boolean> {
  const rows = await tx`
    update identity.users
    set mfa_secret_sealed = mfa_pending_secret_sealed, mfa_pending_secret_sealed = null, mfa_enabled = true,
        mfa_last_step = greatest(coalesce(mfa_last_step, 0), ${step}), updated_at = now()
    where id = ${id} and mfa_pending_secret_sealed is not null
    returning id`;
  return rows.length === 1;
}

/** Claims a TOTP time step for the user: false when it (or a later one) was used already, so each code works once. */
export async function claimTotpStep(sql: Db, id: string, step: number): Promise<boolean> {
  const rows = await sql`
    update identity.users set mfa_last_step = ${step}
    where id = ${id} and (mfa_last_step is null or mfa_last_step < ${step})
    returning id`;
  return rows.length === 1;
}

// --- professionals ---------------------------------------------------------------------------------

export interface ProfessionalRow {
  userId: string;
  status: 'pending_verification' | 'active' | 'suspended' | 'paused';
  grade: Grade | null;
  specialties: string[];
  languages: string[];
  licenseCountry: string;
}

/**
 * Inserts a professional's credentials (status pending_verification).
 *
 * @example
 * await insertProfessional(tx, { userId, specialties, languages, licenseNumberSealed, licenseCountry });
 */
export async function insertProfessional(
  tx: Tx,
  professional: { userId: string; specialties: string[]; languages: string[]; licenseNumberSealed: string; licenseCountry: string },
): Promise<void> {
  await tx`insert into identity.professionals ${tx(professional)}`;
}

/**
 * A professional's status, grade, specialties, languages and licence country, row-locked when `forUpdate`.
 *
 * @example
 * await findProfessional(tx, id, true);
 */
export async function findProfessional(sql: Db, id: string, forUpdate = false): Promise<ProfessionalRow | undefined> {
  const [row] = forUpdate
    ? await sql<ProfessionalRow[]>`select user_id, status, grade, specialties, languages, license_country from identity.professionals where user_id = ${id} for update`
    : await sql<ProfessionalRow[]>`select user_id, status, grade, specialties, languages, license_country from identity.professionals where user_id = ${id}`;
  return row;
}

/**
 * Sets a professional's status (and grade, specialties, verifier on verification).
 *
 * @example
 * await updateProfessional(tx, id, { status: 'paused' });
 */
export async function updateProfessional(
  tx: Tx,
  id: string,
  changes: { status: ProfessionalRow['status']; grade?: Grade; specialties?: string[]; verifiedBy?: string },
): Promise<void> {
  const row: Record<string, unknown> = { status: changes.status };
  if (changes.grade) row.grade = changes.grade;
  if (changes.specialties) row.specialties = changes.specialties;
  if (changes.verifiedBy) row.verifiedBy = changes.verifiedBy;
  await tx`
    update identity.professionals
    set ${tx(row)}, updated_at = now() ${changes.verifiedBy ? tx`, verified_at = now()` : tx``}
    where user_id = ${id}`;
}

// --- sessions and refresh tokens -------------------------------------------------------------------

/**
 * Opens a session (a refresh-token family).
 *
 * @example
 * await insertSession(tx, { id, userId, mfa });
 */
export async function insertSession(tx: Tx, session: { id: string; userId: string; mfa: boolean }): Promise<void> {
  await tx`insert into identity.sessions ${tx(session)}`;
}

/**
 * Inserts a session, its first refresh token and `also` (an outbox insert) in one statement: atomic on its own, so
 * the login's hot path needs no BEGIN and COMMIT round trips.
 *
 * @example
 * await insertSessionAtOnce(sql, { id, userId, mfa }, { tokenHash, expiresAt }, outboxInsert(sql, LoginSucceededV1, event));
 */
export async function insertSessionAtOnce(
  sql: Sql,
  session: { id: string; userId: string; mfa: boolean },
  token: { tokenHash: string; expiresAt: Date },
  also: OutboxInsert,
): Promise<void> {
  await sql`
    with session as (insert into identity.sessions (id, user_id, mfa) values (${session.id}, ${session.userId}, ${session.mfa}) returning id),
         token as (insert into identity.refresh_tokens (token_hash, session_id, expires_at) select ${token.tokenHash}, id, ${token.expiresAt} from session),
         also as (${also})
    select 1`;
}

/**
 * Stores a refresh token's hash in its family.
 *
 * @example
 * await insertRefreshToken(tx, { tokenHash, sessionId, expiresAt });
 */
export async function insertRefreshToken(tx: Tx, token: { tokenHash: string; sessionId: string; expiresAt: Date }): Promise<void> {
  await tx`insert into identity.refresh_tokens ${tx(token)}`;
}

export interface RefreshTokenRow {
  sessionId: string;
  userId: string;
  expiresAt: Date;
  spentAt: Date | null;
  revokedAt: Date | null;
  mfa: boolean;
}

/** The token with its session, row-locked so two uses of one token are decided one after the other. */
export async function findRefreshToken(tx: Tx, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  const [row] = await tx<RefreshTokenRow[]>`
    select t.session_id, s.user_id, t.expires_at, t.spent_at, s.revoked_at, s.mfa
    from identity.refresh_tokens t join identity.sessions s on s.id = t.session_id
    where t.token_hash = ${tokenHash}
    for update of t, s`;
  return row;
}

/**
 * Marks a refresh token spent; false when it already was (a concurrent use won).
 *
 * @example
 * await spendRefreshToken(tx, hash);
 */
export async function spendRefreshToken(tx: Tx, tokenHash: string): Promise<boolean> {
  const rows = await tx`
    update identity.refresh_tokens set spent_at = now() where token_hash = ${tokenHash} and spent_at is null returning token_hash`;
  return rows.length === 1;
}

/** Revokes a session (the whole refresh-token family); false when it was revoked already. */
export async function revokeSession(tx: Tx, id: string, reason: string): Promise<boolean> {
  const rows = await tx`
    update identity.sessions set revoked_at = now(), revoked_reason = ${reason}
    where id = ${id} and revoked_at is null returning id`;
  return rows.length === 1;
}

/**
 * Whether a session is still open.
 *
 * @example
 * await sessionIsLive(sql, principal.sessionId);
 */
export async function sessionIsLive(sql: Db, id: string): Promise<boolean> {
  const rows = await sql`select 1 from identity.sessions where id = ${id} and revoked_at is null`;
  return rows.length === 1;
}

// --- signing keys ------------------------------------------------------------------------------------

export interface StoredKeyRow {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwkSealed: string;
  retiredAt: Date | null;
}

/** Serialises key generation and rotation across processes (transaction-scoped, so safe behind PgBouncer). */
export async function lockSigningKeys(tx: Tx): Promise<void> {
  await lockNamed(tx, 'identity.signing_keys');
}

/** Keys still published: the signing one (newest first) and those retired less than `graceSeconds` ago. */
export async function activeStoredKeys(sql: Db, graceSeconds: number): Promise<StoredKeyRow[]> {
  return sql<StoredKeyRow[]>`
    select kid, alg, public_jwk, private_jwk_sealed, retired_at
    from identity.signing_keys
    where retired_at is null or retired_at > now() - make_interval(secs => ${graceSeconds})
    order by retired_at is not null, created_at desc`;
}

/**
 * Stores a generated key pair (private half sealed).
 *
 * @example
 * await insertSigningKey(tx, { kid, alg, publicJwk, privateJwkSealed });
 */
export async function insertSigningKey(tx: Tx, key: { kid: string; alg: string; publicJwk: JWK; privateJwkSealed: string }): Promise<void> {
  await tx`
    insert into identity.signing_keys (kid, alg, public_jwk, private_jwk_sealed)
    values (${key.kid}, ${key.alg}, ${tx.json(key.publicJwk as never)}, ${key.privateJwkSealed})`;
}

/**
 * Stops every current key from signing (they stay published for the grace period).
 *
 * @example
 * await retireSigningKeys(tx);
 */
export async function retireSigningKeys(tx: Tx): Promise<void> {
  await tx`update identity.signing_keys set retired_at = now() where retired_at is null`;
}

// --- consents ----------------------------------------------------------------------------------------

export interface ConsentRow {
  id: string;
  purpose: string;
  version: string;
  granted: boolean;
  createdAt: Date;
}

/**
 * Appends a consent decision to the history.
 *
 * @example
 * await insertConsent(tx, { id, userId, purpose, version, granted });
 */
export async function insertConsent(tx: Tx, consent: { id: string; userId: string; purpose: string; version: string; granted: boolean }): Promise<ConsentRow> {
  const [row] = await tx<ConsentRow[]>`
    insert into identity.consents ${tx(consent)} returning id, purpose, version, granted, created_at`;
  return row!;
}

/** The current answer per purpose: the newest row of each. */
export async function currentConsents(sql: Db, userId: string): Promise<ConsentRow[]> {
  return sql<ConsentRow[]>`
    select distinct on (purpose) id, purpose, version, granted, created_at
    from identity.consents where user_id = ${userId}
    order by purpose, created_at desc, id`;
}

// --- erasure -----------------------------------------------------------------------------------------

/**
 * Destroys a person's data keys and every value sealed under them (GDPR Art. 17): name, phone, licence number and
 * TOTP secret, and — through their health-data key in the shared keyring — every record, extracted text and
 * opinion stored for them by any function, become unreadable everywhere, backups included; sessions end.
 * Returns false for an unknown id.
 *
 * @example
 * await shredPersonalData(tx, userId);
 */
export async function shredPersonalData(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx`
    update identity.users
    set data_key = null, name_sealed = null, phone_sealed = null, mfa_secret_sealed = null,
        mfa_pending_secret_sealed = null, updated_at = now()
    where id = ${id} returning id`;
  await tx`update identity.professionals set license_number_sealed = null, updated_at = now() where user_id = ${id}`;
  await tx`update identity.sessions set revoked_at = now(), revoked_reason = 'erasure' where user_id = ${id} and revoked_at is null`;
  if (rows.length === 1) await keyring().shred(tx, id);
  return rows.length === 1;
}
