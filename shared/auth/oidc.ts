/**
 * Knative Eventing OIDC on the receiving side. With `authentication-oidc` on, the Broker's dispatcher and the
 * PingSource adapter call a function with a service-account JWT issued by the cluster (RS256, audience = the
 * function's name, the `audience` infra sets on every destination). A function accepts such a token in place of
 * the HS256 platform token only when PLATFORM_OIDC_ISSUER names the cluster's issuer; without it nothing changes
 * (the local runtime and the bus worker keep signing platform tokens).
 *
 * Settings, parsed with every other in shared/config (`config().platformOidc`):
 * - PLATFORM_OIDC_ISSUER: the issuer (`iss`), e.g. https://kubernetes.default.svc.cluster.local or the cloud's.
 * - PLATFORM_OIDC_JWKS_URL: optional; otherwise discovered from `<issuer>/.well-known/openid-configuration`.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/** Where cluster tokens are checked against (`config().platformOidc` when configured). */
export interface OidcSettings {
  issuer: string;
  jwksUrl?: string | undefined;
}

// One key set per issuer: jose caches the keys and refetches on an unknown `kid` (key rotation), rate-limited.
const keySets = new Map<string, Promise<JWTVerifyGetKey>>();

async function keySet(settings: OidcSettings): Promise<JWTVerifyGetKey> {
  const cacheKey = `${settings.issuer}\u0000${settings.jwksUrl ?? ''}`;
  let found = keySets.get(cacheKey);
  if (!found) {
    found = (async () => {
      const url = settings.jwksUrl ?? (await discoverJwksUrl(settings.issuer));
      return createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
    })();
    // A failed discovery is not remembered: the next token tries again.
    found.catch(() => keySets.delete(cacheKey));
    keySets.set(cacheKey, found);
  }
  return found;
}

async function discoverJwksUrl(issuer: string): Promise<string> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`OIDC discovery for ${issuer}: HTTP ${response.status}`);
  const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: string };
  if (!jwksUri) throw new Error(`OIDC discovery for ${issuer}: no jwks_uri`);
  return jwksUri;
}

/**
 * Verifies a cluster-issued token for `audience`: signature against the issuer's keys (asymmetric algorithms only),
 * `iss`, `aud` and expiry. Resolves with its expiry (seconds) or rejects.
 *
 * @example
 * const { exp } = await verifyClusterToken(token, 'matching', { issuer: 'https://kubernetes.default.svc.cluster.local' });
 */
export async function verifyClusterToken(token: string, audience: string, settings: OidcSettings): Promise<{ exp: number }> {
  const { payload } = await jwtVerify(token, await keySet(settings), {
    issuer: settings.issuer,
    audience,
    algorithms: ['RS256', 'ES256', 'PS256'],
    requiredClaims: ['exp'],
  });
  return { exp: payload.exp! };
}

/**
 * The fallback `requirePlatformCaller` uses when a token is not a valid platform token: accept a cluster token when
 * OIDC is configured (`settings`), otherwise fail with the platform token's own error.
 *
 * @example
 * const { exp } = await verify(token, secret, opts).catch((error) => acceptClusterToken(token, audience, error, config().platformOidc));
 */
export async function acceptClusterToken(
  token: string,
  audience: string,
  platformError: unknown,
  settings: OidcSettings | undefined,
): Promise<{ exp: number }> {
  if (!settings) throw platformError;
  return verifyClusterToken(token, audience, settings);
}
