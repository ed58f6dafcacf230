import { Hono } from 'hono';
import * as v from 'valibot';
import { AccountLockedV1, LoginFailedV1, LoginSucceededV1 } from '../../events/identity.ts';
import { emit, outboxInsert } from '../../shared/bus/emit.ts';
import { wakeRelay } from '../../shared/bus/signal.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem, problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { cipherOf } from './accounts.ts';
import type { IdentityDeps } from './deps.ts';
import { clientIp } from '../../shared/http/client-ip.ts';
import { accountKey, enforce } from './limits.ts';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { claimTotpStep, findLoginByEmail, updatePasswordHash, type LoginRow } from './queries.ts';
import { signingKeys } from './signing-keys.ts';
import { openSessionAtOnce } from './tokens.ts';
import { totpStep } from './totp.ts';

const Login = v.object({
  email: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(254)),
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  totp: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{6}$/, 'must be 6 digits'))),
});

/** The one answer for an unknown e-mail and a wrong password alike. */
const badCredentials = () => new HttpProblem(401, 'invalid-credentials', { detail: 'The e-mail or the password is wrong.' });

/**
 * `POST /v1/auth/login` → 200 `{accessToken, refreshToken, expiresIn}`. An unknown e-mail and a wrong password get
 * the same 401 after the same work (a dummy hash is verified); repeated failures slow the account down; an account
 * with MFA on needs `totp` (401 `mfa-required`), and each code works once.
 *
 * @example
 * app.route('/', loginRoutes(deps));
 */
export function loginRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();
  const { limiters } = deps;

  const fail = async (user: LoginRow | undefined, key: string, reason: 'bad-credentials' | 'bad-totp') => {
    const { failures, lockedForSeconds } = await limiters.lockout.failed(key);
    await transaction(async (tx) => {
      await emit(tx, LoginFailedV1, { source: 'identity', ...(user ? { subject: user.id } : {}), data: { userId: user?.id ?? null, reason } });
      if (user && lockedForSeconds > 0) {
        await emit(tx, AccountLockedV1, { source: 'identity', subject: user.id, data: { userId: user.id, failures, lockedForSeconds } });
      }
    }, deps.sql());
  };

  app.post(
    '/v1/auth/login',
    describe({ summary: 'Sign in', tags: ['identity'], audience: 'anyone', responses: { 200: 'Tokens', 401: 'Bad credentials or mfa-required', 429: 'Rate-limited' } }),
    validate('json', Login),
    async (c) => {
      const body = c.req.valid('json');
      const key = accountKey(body.email);
      await enforce(limiters.loginIp, clientIp(c));
      await enforce(limiters.loginAccount, key);
      const lockedFor = await limiters.lockout.retryAfter(key);
      if (lockedFor > 0) throw problems.tooManyRequests(lockedFor);

      const sql = deps.sql();
      const user = await findLoginByEmail(sql, body.email);
      const valid = user ? await verifyPassword(user.passwordHash, body.password) : await verifyAgainstDummy(body.password);
      if (!user || !valid) {
        await fail(user, key, 'bad-credentials');
        throw badCredentials();
      }

      let mfa = false;
      if (user.mfaEnabled) {
        if (!body.totp) {
          await transaction((tx) => emit(tx, LoginFailedV1, { source: 'identity', subject: user.id, data: { userId: user.id, reason: 'mfa-required' } }), sql);
          throw new HttpProblem(401, 'mfa-required', { detail: 'Give the current code of your authenticator as totp.' });
        }
        const secret = user.mfaSecretSealed ? cipherOf(user)?.open('totp', user.mfaSecretSealed) : undefined;
        const step = secret ? totpStep(secret, body.totp) : undefined;
        if (step === undefined || !(await claimTotpStep(sql, user.id, step))) {
          await fail(user, key, 'bad-totp');
          throw new HttpProblem(401, 'invalid-totp', { detail: 'The code is wrong, expired or already used.' });
        }
        mfa = true;
      }

      if (needsRehash(user.passwordHash)) await updatePasswordHash(sql, user.id, await hashPassword(body.password));
      await limiters.lockout.succeeded(key);
      const keys = await signingKeys();
      // One statement (session, refresh token, event): a login is the hottest write path, argon2 aside.
      const { tokens } = await openSessionAtOnce(sql, keys, { userId: user.id, role: user.role, grade: user.grade, mfa }, (sessionId) =>
        outboxInsert(sql, LoginSucceededV1, { source: 'identity', subject: user.id, data: { userId: user.id, sessionId, mfa } }),
      );
      wakeRelay();
      return c.json(tokens);
    },
  );
  return app;
}
