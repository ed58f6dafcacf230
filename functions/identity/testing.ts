import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { uniqueName } from '../../test/support/names.ts';
import { db } from '../../shared/db/index.ts';
import { createIdentity } from './app.ts';
import { DEFAULT_LIMITS, type IdentityLimits } from './limits.ts';
import { createUser } from './ops.ts';
import { totpCode } from './totp.ts';

/** Helpers for identity's tests: each test makes its own accounts and calls from its own address. */

export const PASSWORD = 'a perfectly long passphrase';

/** An identity app with its own limiters (so one test's bursts never reach another's counters). */
export function identityApp(limits: Partial<IdentityLimits> = {}): Hono {
  return createIdentity({ limits: { ...DEFAULT_LIMITS, ...limits } }).app;
}

/** A random documentation-range-like address, unique per caller. */
export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

export interface Client {
  ip: string;
  post(path: string, body?: unknown, token?: string): Promise<Response>;
  put(path: string, body: unknown, token?: string): Promise<Response>;
  patch(path: string, body: unknown, token?: string): Promise<Response>;
  get(path: string, token?: string): Promise<Response>;
}

/** Calls `app` as one client (one IP), with JSON bodies and an optional bearer token. */
export function client(app: Hono, ip = randomIp()): Client {
  const headers = (token?: string, json = false) => ({
    'x-forwarded-for': ip,
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  });
  return {
    ip,
    post: async (path, body, token) =>
      app.request(path, { method: 'POST', headers: headers(token, body !== undefined), ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }),
    put: async (path, body, token) => app.request(path, { method: 'PUT', headers: headers(token, true), body: JSON.stringify(body) }),
    patch: async (path, body, token) => app.request(path, { method: 'PATCH', headers: headers(token, true), body: JSON.stringify(body) }),
    get: async (path, token) => app.request(path, { headers: headers(token) }),
  };
}

export const uniqueEmail = (prefix = 'user') => `${uniqueName(prefix)}@example.org`;

/** Registers a patient and returns their credentials. */
export async function newPatient(api: Client, extra: Record<string, unknown> = {}): Promise<{ id: string; email: string; password: string }> {
  const email = uniqueEmail('patient');
  const res = await api.post('/v1/auth/register', { email, password: PASSWORD, name: 'Ada Lovelace', country: 'GB', ...extra });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return { id, email, password: PASSWORD };
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Logs in and returns the token pair (throws on anything but 200). */
export async function login(api: Client, email: string, password = PASSWORD, totp?: string): Promise<Tokens> {
  const res = await api.post('/v1/auth/login', { email, password, ...(totp ? { totp } : {}) });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  return (await res.json()) as Tokens;
}

/** A new ops account (made the CLI way) and its tokens. */
export async function newOps(api: Client): Promise<{ id: string; tokens: Tokens }> {
  const email = uniqueEmail('ops');
  const { id } = await createUser(db(), { role: 'ops', email, password: PASSWORD });
  return { id, tokens: await login(api, email) };
}

/** The claims of a JWT, unverified (tests only). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

/** The event types identity wrote to the outbox about `subject`, oldest first. */
export async function eventsAbout(subject: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return db()<{ type: string; data: Record<string, unknown> }[]>`
    select type, data from bus.outbox where source = 'identity' and subject = ${subject} order by seq`;
}

/** A session with a second factor: its access token, the TOTP secret, and the last time step spent. */
export interface MfaSession {
  token: string;
  secret: string;
  step: number;
}

/**
 * Enrols TOTP for a signed-in account and signs in again with a code: a session with `mfa: true`. The previous
 * step's code enrols and the current one signs in, so the next step is free for a step-up at once; `step` is the
 * last one spent. Close to the end of a step it first waits for the next, so no code turns stale in flight.
 *
 * @example
 * const { token, secret } = await enrolMfa(api, email, tokens.accessToken);
 */
export async function enrolMfa(api: Client, email: string, accessToken: string): Promise<MfaSession> {
  const setup = await api.post('/v1/auth/mfa/setup', undefined, accessToken);
  if (setup.status !== 200) throw new Error(`mfa setup: ${setup.status} ${await setup.text()}`);
  const secret = new URL(((await setup.json()) as { otpauthUri: string }).otpauthUri).searchParams.get('secret')!;
  const leftInStep = 30_000 - (Date.now() % 30_000);
  if (leftInStep < 5_000) await new Promise((resolve) => setTimeout(resolve, leftInStep + 50));
  const step = Math.floor(Date.now() / 30_000);
  const enrolled = await api.post('/v1/auth/mfa/verify', { code: totpCode(secret, (step - 1) * 30_000) }, accessToken);
  if (enrolled.status !== 204) throw new Error(`mfa verify: ${enrolled.status} ${await enrolled.text()}`);
  const tokens = await login(api, email, PASSWORD, totpCode(secret, step * 30_000));
  return { token: tokens.accessToken, secret, step };
}

/**
 * A new ops account (made the CLI way) signed in with its second factor, as ops must be for case data.
 *
 * @example
 * const ops = await signedInOps(api);
 */
export async function signedInOps(api: Client): Promise<{ id: string; token: string }> {
  const email = uniqueEmail('ops');
  const { id } = await createUser(db(), { role: 'ops', email, password: PASSWORD });
  return { id, token: (await enrolMfa(api, email, (await login(api, email)).accessToken)).token };
}

/** Who a test professional is; every field has a default. */
export interface ProfessionalOptions {
  name?: string;
  grade?: 'G1' | 'G2' | 'G3' | 'G4';
  specialties?: string[];
  languages?: string[];
  /** Country of residence and licence. */
  country?: string;
  /** Signed in with a second factor (default) or without. */
  mfa?: boolean;
  /** Ops who verify them; a new ops account when absent. */
  opsToken?: string;
}

/**
 * A professional who applied, was verified by ops, and signed in (with TOTP unless `mfa: false`).
 *
 * @example
 * const pro = await signedInProfessional(api, { grade: 'G3', specialties: ['cardiology'] });
 */
export async function signedInProfessional(api: Client, options: ProfessionalOptions = {}): Promise<{ id: string; email: string; token: string; mfa?: MfaSession }> {
  const email = uniqueEmail('pro');
  const specialties = options.specialties ?? ['cardiology'];
  const country = options.country ?? 'DE';
  const applied = await api.post('/v1/professionals', {
    email, password: PASSWORD, name: options.name ?? 'Dr Zoë Müller', country, licenseNumber: 'LANR 123456789', licenseCountry: country, specialties, languages: options.languages ?? ['de', 'en'],
  });
  if (applied.status !== 201) throw new Error(`apply: ${applied.status} ${await applied.text()}`);
  const { id } = (await applied.json()) as { id: string };
  const opsToken = options.opsToken ?? (await signedInOps(api)).token;
  const verified = await api.post(`/v1/professionals/${id}/verify`, { grade: options.grade ?? 'G2', specialties }, opsToken);
  if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${await verified.text()}`);
  const plain = await login(api, email);
  if (options.mfa === false) return { id, email, token: plain.accessToken };
  const mfa = await enrolMfa(api, email, plain.accessToken);
  return { id, email, token: mfa.token, mfa };
}
