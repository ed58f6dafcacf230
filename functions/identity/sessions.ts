import { Hono } from 'hono';
import * as v from 'valibot';
import { RefreshTokenReusedV1, SessionRevokedV1 } from '../../events/identity.ts';
import { authenticate } from '../../shared/auth/authenticate.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { HttpProblem } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import type { IdentityDeps } from './deps.ts';
import { clientIp } from '../../shared/http/client-ip.ts';
import { enforce } from './limits.ts';
import { findRefreshToken, findUserById, revokeSession, spendRefreshToken } from './queries.ts';
import { signingKeys } from './signing-keys.ts';
import { hashRefreshToken, issueTokens, type TokenPair } from './tokens.ts';

const Refresh = v.object({ refreshToken: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) });

const invalidRefresh = () => new HttpProblem(401, 'invalid-refresh-token', { detail: 'Sign in again.' });

/**
 * `POST /v1/auth/refresh` (rotate), `POST /v1/auth/logout` (revoke) and `GET /v1/auth/jwks.json` (public keys).
 *
 * Every refresh spends the token it is given and returns a new pair in the same family. Presenting a spent token
 * again means two parties hold it (one of them a thief): the whole family is revoked and both must sign in again.
 *
 * @example
 * app.route('/', sessionRoutes(deps));
 */
export function sessionRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();

  app.post(
    '/v1/auth/refresh',
    describe({ summary: 'Exchange a refresh token for a new pair', tags: ['identity'], audience: 'anyone', responses: { 200: 'Tokens', 401: 'Invalid, spent or revoked', 429: 'Rate-limited' } }),
    validate('json', Refresh),
    async (c) => {
      const { refreshToken } = c.req.valid('json');
      await enforce(deps.limiters.refreshIp, clientIp(c));
      const hash = hashRefreshToken(refreshToken);
      const keys = await signingKeys();
      // Decided inside the transaction, thrown after it: a re-use must commit its revocation before answering 401.
      const outcome = await transaction(async (tx): Promise<TokenPair | 'invalid' | 'reused'> => {
        const row = await findRefreshToken(tx, hash);
        if (!row || row.revokedAt) return 'invalid';
        if (row.spentAt) {
          await revokeSession(tx, row.sessionId, 'refresh-token-reuse');
          await emit(tx, RefreshTokenReusedV1, { source: 'identity', subject: row.userId, data: { userId: row.userId, sessionId: row.sessionId } });
          await emit(tx, SessionRevokedV1, {
            source: 'identity',
            subject: row.userId,
            data: { userId: row.userId, sessionId: row.sessionId, reason: 'refresh-token-reuse' },
          });
          return 'reused';
        }
        if (row.expiresAt.getTime() <= Date.now()) return 'invalid';
        await enforce(deps.limiters.refreshAccount, row.userId);
        const user = await findUserById(tx, row.userId);
        if (!user || !(await spendRefreshToken(tx, hash))) return 'invalid';
        return issueTokens(tx, keys, { userId: user.id, role: user.role, grade: user.grade, mfa: row.mfa, sessionId: row.sessionId });
      }, deps.sql());
      if (outcome === 'invalid' || outcome === 'reused') throw invalidRefresh();
      return c.json(outcome);
    },
  );

  app.post(
    '/v1/auth/logout',
    describe({ summary: 'End this session', tags: ['identity'], audience: 'signed in', responses: { 204: 'Signed out' } }),
    // Any valid token may end its session, even one already ended (logout is idempotent).
    authenticate({ keys: deps.keys }),
    async (c) => {
      const { id, sessionId } = c.get('principal');
      await transaction(async (tx) => {
        if (await revokeSession(tx, sessionId, 'logout')) {
          await emit(tx, SessionRevokedV1, { source: 'identity', subject: id, data: { userId: id, sessionId, reason: 'logout' } });
        }
      }, deps.sql());
      return c.body(null, 204);
    },
  );

  app.get(
    '/v1/auth/jwks.json',
    describe({ summary: 'Public keys that verify access tokens (JWK Set)', tags: ['identity'], audience: 'anyone' }),
    async (c) => {
      const { jwks } = await signingKeys();
      c.header('cache-control', 'public, max-age=300');
      return c.json(jwks);
    },
  );

  return app;
}
