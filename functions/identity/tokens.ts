import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_TYPE } from '../../shared/auth/authenticate.ts';
import type { Grade } from '../../shared/auth/grades.ts';
import type { Role } from '../../shared/auth/principal.ts';
import { config } from '../../shared/config/index.ts';
import type { OutboxInsert } from '../../shared/bus/emit.ts';
import type { Sql, Tx } from '../../shared/db/index.ts';
import { insertRefreshToken, insertSession, insertSessionAtOnce } from './queries.ts';
import type { SigningKeys } from './signing-keys.ts';

/** What a successful login or refresh answers. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Who a token is for: the claims that end up in the access token. */
export interface TokenSubject {
  userId: string;
  role: Role;
  grade: Grade | null;
  mfa: boolean;
  sessionId: string;
}

/**
 * Signs a short-lived access token (RFC 9068 `at+jwt`) with the active key, naming it by `kid`. The keys are
 * loaded by the caller before its transaction: loading them may itself need a transaction (first use).
 *
 * @example
 * const { token, expiresIn } = await signAccessToken(await signingKeys(), { userId, role: 'patient', grade: null, mfa: false, sessionId });
 */
export async function signAccessToken({ active }: SigningKeys, subject: TokenSubject): Promise<{ token: string; expiresIn: number }> {
  const { auth } = config();
  // Absolute NumericDates: a relative "900s" would be parsed by a regular expression at every login.
  const issuedAt = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    role: subject.role,
    mfa: subject.mfa,
    sid: subject.sessionId,
    ...(subject.grade ? { grade: subject.grade } : {}),
  })
    .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: ACCESS_TOKEN_TYPE })
    .setSubject(subject.userId)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt(issuedAt)
    .setJti(randomUUID())
    .setExpirationTime(issuedAt + auth.accessTtlSeconds)
    .sign(active.privateKey);
  return { token, expiresIn: auth.accessTtlSeconds };
}

/**
 * A new opaque refresh token (256 bits from the CSPRNG) and the hash stored in its place.
 *
 * @example
 * const { token, hash } = newRefreshToken();
 */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

/**
 * What is stored for a refresh token: its SHA-256 (the token is random, so no salt or slow hash is needed).
 *
 * @example
 * await findRefreshToken(tx, hashRefreshToken(body.refreshToken));
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Stores a fresh refresh token in `sessionId`'s family and signs the access token that goes with it.
 *
 * @example
 * const keys = await signingKeys(); // before the transaction
 * const pair = await transaction((tx) => issueTokens(tx, keys, { userId, role, grade, mfa, sessionId }));
 */
export async function issueTokens(tx: Tx, keys: SigningKeys, subject: TokenSubject): Promise<TokenPair> {
  const refresh = newRefreshToken();
  await insertRefreshToken(tx, {
    tokenHash: refresh.hash,
    sessionId: subject.sessionId,
    expiresAt: new Date(Date.now() + config().auth.refreshTtlSeconds * 1000),
  });
  const access = await signAccessToken(keys, subject);
  return { accessToken: access.token, refreshToken: refresh.token, expiresIn: access.expiresIn };
}

/**
 * Opens a session (a new refresh-token family) and issues its first pair.
 *
 * @example
 * const { sessionId, tokens } = await openSession(tx, keys, { userId, role, grade, mfa: true });
 */
export async function openSession(tx: Tx, keys: SigningKeys, subject: Omit<TokenSubject, 'sessionId'>): Promise<{ sessionId: string; tokens: TokenPair }> {
  const sessionId = randomUUID();
  await insertSession(tx, { id: sessionId, userId: subject.userId, mfa: subject.mfa });
  return { sessionId, tokens: await issueTokens(tx, keys, { ...subject, sessionId }) };
}

/**
 * Opens a session and issues its first pair in ONE statement together with the event `announce` makes for it
 * (an outbox insert, see `outboxInsert`): the login's hot path, without a transaction's round trips.
 *
 * @example
 * const { tokens } = await openSessionAtOnce(sql, keys, subject, (sessionId) => outboxInsert(sql, LoginSucceededV1, …));
 */
export async function openSessionAtOnce(
  sql: Sql,
  keys: SigningKeys,
  subject: Omit<TokenSubject, 'sessionId'>,
  announce: (sessionId: string) => OutboxInsert,
): Promise<{ sessionId: string; tokens: TokenPair }> {
  const sessionId = randomUUID();
  const refresh = newRefreshToken();
  const expiresAt = new Date(Date.now() + config().auth.refreshTtlSeconds * 1000);
  // Signed while the statement runs: a token whose session failed to open is simply never handed out.
  const [access] = await Promise.all([
    signAccessToken(keys, { ...subject, sessionId }),
    insertSessionAtOnce(sql, { id: sessionId, userId: subject.userId, mfa: subject.mfa }, { tokenHash: refresh.hash, expiresAt }, announce(sessionId)),
  ]);
  return { sessionId, tokens: { accessToken: access.token, refreshToken: refresh.token, expiresIn: access.expiresIn } };
}
