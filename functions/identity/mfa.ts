import { Hono } from 'hono';
import * as v from 'valibot';
import { MfaEnabledV1 } from '../../events/identity.ts';
import { emit } from '../../shared/bus/emit.ts';
import { config } from '../../shared/config/index.ts';
import { db, transaction, type Sql } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { createKv } from '../../shared/kv/index.ts';
import { cipherOf } from './accounts.ts';
import { signedIn, type IdentityDeps } from './deps.ts';
import { createLimiters, enforce, type Limiters } from './limits.ts';
import { claimTotpStep, enableMfa, findUserById, setPendingMfaSecret } from './queries.ts';
import { newTotpSecret, totpStep, totpUri } from './totp.ts';

const Code = v.object({ code: v.pipe(v.string(), v.regex(/^[0-9]{6}$/, 'must be 6 digits')) });

const invalidCode = (status: 401 | 422) => new HttpProblem(status, 'invalid-totp', { detail: 'The code is wrong, expired or already used.' });

let defaultLimiters: Limiters | undefined;

/**
 * Checks a step-up code: true when `principalId` has MFA on and `code` is a current TOTP code not used before
 * (it is then spent). Counted against the account's MFA rate limit (429 when over). Opinions call it before
 * signing; over HTTP the same check is `POST /v1/auth/mfa/step-up`.
 *
 * @example
 * if (!(await verifyStepUp(principal.id, body.totp))) throw new HttpProblem(401, 'invalid-totp');
 */
export async function verifyStepUp(
  principalId: string,
  code: string,
  options: { sql?: Sql; limiters?: Limiters } = {},
): Promise<boolean> {
  const sql = options.sql ?? db();
  const limiters = options.limiters ?? (defaultLimiters ??= createLimiters(createKv(config())));
  await enforce(limiters.mfaAccount, principalId);
  const user = await findUserById(sql, principalId);
  if (!user?.mfaEnabled || !user.mfaSecretSealed) return false;
  const secret = cipherOf(user)?.open('totp', user.mfaSecretSealed);
  const step = secret && /^[0-9]{6}$/.test(code) ? totpStep(secret, code) : undefined;
  return step !== undefined && (await claimTotpStep(sql, principalId, step));
}

/**
 * `POST /v1/auth/mfa/setup` → `{otpauthUri}` (a new pending secret), `POST /v1/auth/mfa/verify` `{code}` → 204 and
 * MFA is on, `POST /v1/auth/mfa/step-up` `{code}` → 204 when the code is good (401 otherwise).
 *
 * @example
 * app.route('/', mfaRoutes(deps));
 */
export function mfaRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();

  app.post(
    '/v1/auth/mfa/setup',
    describe({ summary: 'Start TOTP enrolment', tags: ['identity'], audience: 'signed in', responses: { 200: '{otpauthUri}', 409: 'MFA is on already' } }),
    signedIn(deps),
    async (c) => {
      const { id } = c.get('principal');
      await enforce(deps.limiters.mfaAccount, id);
      const uri = await transaction(async (tx) => {
        const user = await findUserById(tx, id);
        const cipher = user && cipherOf(user);
        if (!user || !cipher) throw problems.notFound();
        // Replacing an active factor would let a stolen access token take the account over.
        if (user.mfaEnabled) throw problems.conflict('mfa-already-enabled', 'MFA is on already.');
        const secret = newTotpSecret();
        await setPendingMfaSecret(tx, id, cipher.seal('totp', secret));
        return totpUri(secret, user.email);
      }, deps.sql());
      return c.json({ otpauthUri: uri });
    },
  );

  app.post(
    '/v1/auth/mfa/verify',
    describe({ summary: 'Confirm TOTP enrolment with a code', tags: ['identity'], audience: 'signed in', responses: { 204: 'MFA is on', 422: 'Wrong code' } }),
    signedIn(deps),
    validate('json', Code),
    async (c) => {
      const { id } = c.get('principal');
      const { code } = c.req.valid('json');
      await enforce(deps.limiters.mfaAccount, id);
      const enabled = await transaction(async (tx) => {
        const user = await findUserById(tx, id);
        if (!user) throw problems.notFound();
        if (!user.mfaPendingSecretSealed) throw problems.conflict('mfa-not-pending', 'Call /v1/auth/mfa/setup first.');
        const secret = cipherOf(user)?.open('totp', user.mfaPendingSecretSealed);
        const step = secret ? totpStep(secret, code) : undefined;
        if (step === undefined || !(await enableMfa(tx, id, step))) return false;
        await emit(tx, MfaEnabledV1, { source: 'identity', subject: id, data: { userId: id } });
        return true;
      }, deps.sql());
      if (!enabled) throw invalidCode(422);
      return c.body(null, 204);
    },
  );

  app.post(
    '/v1/auth/mfa/step-up',
    describe({ summary: 'Check a fresh TOTP code (step-up before signing)', tags: ['identity'], audience: 'signed in', responses: { 204: 'Good code', 401: 'Wrong or used code' } }),
    signedIn(deps),
    validate('json', Code),
    async (c) => {
      const ok = await verifyStepUp(c.get('principal').id, c.req.valid('json').code, { sql: deps.sql(), limiters: deps.limiters });
      if (!ok) throw invalidCode(401);
      return c.body(null, 204);
    },
  );

  return app;
}
