import type { MiddlewareHandler } from 'hono';
import { errors, jwtVerify } from 'jose';
import * as v from 'valibot';
import { config } from '../config/index.ts';
import { problems } from '../http/problem.ts';
import { log } from '../telemetry/index.ts';
import { GRADES } from './grades.ts';
import { defaultKeys, type KeyResolver } from './keys.ts';
import { ROLES, type Principal } from './principal.ts';

/** The only algorithms an access token may use; anything else (`none`, `HS256` with a public key…) is refused. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'];

/** The JOSE `typ` of access tokens (RFC 9068), so no other JWT the platform signs passes as one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

const Claims = v.object({
  sub: v.pipe(v.string(), v.minLength(1)),
  role: v.picklist(ROLES),
  grade: v.optional(v.picklist(GRADES)),
  mfa: v.boolean(),
  sid: v.pipe(v.string(), v.minLength(1)),
});

/** How to verify access tokens; defaults come from configuration. */
export interface AuthenticateOptions {
  keys?: KeyResolver;
  issuer?: string;
  audience?: string;
}

/**
 * Tokens already verified, per key source: the same token string verifies the same way until it expires, so a
 * client's requests pay for one signature check, not one each (the check costs more than a whole request). A
 * bounded cache that may vanish; a key withdrawn from the JWKS stops new tokens at once and cached ones when they
 * expire (minutes).
 */
const verifiedTokens = new WeakMap<KeyResolver, Map<string, { principal: Principal; exp: number }>>();
const MAX_VERIFIED_TOKENS = 10_000;

function remember(keys: KeyResolver, cacheKey: string, principal: Principal, exp: number): void {
  let cache = verifiedTokens.get(keys);
  if (!cache) verifiedTokens.set(keys, (cache = new Map()));
  if (cache.size >= MAX_VERIFIED_TOKENS) cache.clear();
  cache.set(cacheKey, { principal, exp });
}

/**
 * Verifies an access token and returns its principal, or `undefined` for any token that is not valid: wrong
 * algorithm or `typ`, unknown `kid`, bad signature, wrong issuer or audience, expired, or claims out of shape.
 *
 * @example
 * const principal = await verifyAccessToken(token, { keys });
 */
export async function verifyAccessToken(token: string, options: AuthenticateOptions = {}): Promise<Principal | undefined> {
  const { auth } = config();
  const keys = options.keys ?? defaultKeys;
  const issuer = options.issuer ?? auth.issuer;
  const audience = options.audience ?? auth.audience;
  const cacheKey = `${issuer}\u0000${audience}\u0000${token}`;
  const cached = verifiedTokens.get(keys)?.get(cacheKey);
  if (cached && cached.exp * 1000 > Date.now()) return cached.principal;
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ACCESS_TOKEN_ALGORITHMS,
      issuer,
      audience,
      typ: ACCESS_TOKEN_TYPE,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: 5,
    });
    const claims = v.parse(Claims, payload);
    const principal: Principal = {
      id: claims.sub,
      role: claims.role,
      mfa: claims.mfa,
      sessionId: claims.sid,
      ...(claims.grade ? { grade: claims.grade } : {}),
    };
    remember(keys, cacheKey, principal, payload.exp!);
    return principal;
  } catch (error) {
    // A bad token is the caller's problem; anything else (no key source configured, JWKS unreachable) is ours.
    if (!(error instanceof errors.JOSEError) && !(error instanceof v.ValiError)) {
      log.warn('access token could not be checked', { error: error instanceof Error ? error.message : String(error) });
    }
    return undefined;
  }
}

/**
 * Requires `Authorization: Bearer <access token>`, verified locally against identity's public keys, and puts the
 * caller on the context as `c.get('principal')`. A missing or invalid token is 401 problem+json with
 * `WWW-Authenticate: Bearer`; which check failed is not said.
 *
 * @example
 * app.use('/v1/cases/*', authenticate());
 * app.get('/v1/cases/:id', (c) => c.json({ caller: c.get('principal').id }));
 */
export function authenticate(options: AuthenticateOptions = {}): MiddlewareHandler {
  return async function authenticated(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    const principal = match ? await verifyAccessToken(match[1]!, options) : undefined;
    if (!principal) {
      const problem = problems.unauthorized('A valid access token is required.');
      Object.assign(problem.headers, { 'www-authenticate': 'Bearer' });
      throw problem;
    }
    c.set('principal', principal);
    await next();
  };
}
