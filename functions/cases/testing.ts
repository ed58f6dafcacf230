import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { db } from '../../shared/db/index.ts';
import { client, identityApp, login, newOps, newPatient, PASSWORD, type Client } from '../identity/testing.ts';
import { totpCode } from '../identity/totp.ts';
import cases from './app.ts';

/** Helpers for the cases tests: identity and cases on one origin, as the local runtime serves them. */

/** One app answering identity's and cases' routes (identity also registers its keys for in-process checks). */
export function platformApp(): Hono {
  const app = new Hono();
  app.route('/', identityApp());
  app.route('/', cases.app);
  return app;
}

/** A new patient, signed in. */
export async function signedInPatient(api: Client): Promise<{ id: string; token: string }> {
  const { id, email } = await newPatient(api);
  return { id, token: (await login(api, email)).accessToken };
}

/** A new ops account that enrolled TOTP and signed in with it (ops need a second factor for case data). */
export async function signedInOpsWithMfa(api: Client): Promise<{ id: string; token: string }> {
  const { id, tokens } = await newOps(api);
  const setup = await api.post('/v1/auth/mfa/setup', undefined, tokens.accessToken);
  assert.equal(setup.status, 200);
  const secret = new URL(((await setup.json()) as { otpauthUri: string }).otpauthUri).searchParams.get('secret')!;
  assert.equal((await api.post('/v1/auth/mfa/verify', { code: totpCode(secret) }, tokens.accessToken)).status, 204);
  const { email } = (await (await api.get('/v1/me', tokens.accessToken)).json()) as { email: string };
  const mfaTokens = await login(api, email, PASSWORD, totpCode(secret, Date.now() + 30_000));
  return { id, token: mfaTokens.accessToken };
}

/** The events cases wrote to the outbox about `caseId`, oldest first. */
export async function caseEvents(caseId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const rows = await db()<{ type: string; data: Record<string, unknown> }[]>`
    select type, data from bus.outbox where source = 'cases' and subject = ${caseId} order by seq`;
  return [...rows];
}

export { client, type Client };

/** A valid body for `POST /v1/cases`. */
export const newCaseBody = (extra: Record<string, unknown> = {}) => ({
  title: 'Second opinion on a thyroid nodule',
  questions: ['Is surgery necessary?', 'What follow-up do you advise?'],
  currency: 'EUR',
  ...extra,
});
