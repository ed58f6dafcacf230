import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import { uniqueName } from '../../test/support/names.ts';
import { db } from '../../shared/db/index.ts';
import { createIdentity } from './app.ts';
import { DEFAULT_LIMITS, type IdentityLimits } from './limits.ts';
import { createUser } from './ops.ts';

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
