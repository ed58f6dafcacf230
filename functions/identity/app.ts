import { Hono } from 'hono';
import { registerInProcessKeys } from '../../shared/auth/keys.ts';
import { config, ConfigError } from '../../shared/config/index.ts';
import type { ReadinessCheck } from '../../shared/http/app.ts';
import { databaseReady, defineFunction, type ConsiliumFunction } from '../../shared/http/function.ts';
import { consentRoutes } from './consents.ts';
import { identityDeps, ownKeys, type IdentityDeps } from './deps.ts';
import { loginRoutes } from './login.ts';
import { meRoutes } from './me.ts';
import { mfaRoutes } from './mfa.ts';
import { professionalRoutes } from './professionals.ts';
import { registerRoutes } from './register.ts';
import { sessionRoutes } from './sessions.ts';

/**
 * Settings identity cannot run without in production (the rest of the platform starts without them, so they are
 * checked here, when identity is loaded).
 *
 * @example
 * identityProductionProblems(config()); // ['AUTH_SIGNING_KEYS: …']
 */
export function identityProductionProblems(cfg = config()): string[] {
  if (!cfg.production) return [];
  const problems: string[] = [];
  if (!cfg.auth.signingKeys) problems.push('AUTH_SIGNING_KEYS: required in production (private JWKs that sign access tokens)');
  if (!cfg.auth.masterKey) problems.push('IDENTITY_MASTER_KEY: required in production (32 random bytes, base64; encrypts personal data)');
  return problems;
}

/**
 * Every identity route on the given dependencies.
 *
 * @example
 * const routes = identityRoutes(identityDeps());
 */
export function identityRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();
  for (const routes of [registerRoutes, loginRoutes, sessionRoutes, mfaRoutes, meRoutes, professionalRoutes, consentRoutes]) {
    app.route('/', routes(deps));
  }
  return app;
}

/**
 * Identity as a deployable function; tests build one with their own limits.
 *
 * @example
 * const { app } = createIdentity({ limits: { ...DEFAULT_LIMITS, loginIp: { limit: 3, windowSeconds: 60 } } });
 */
export function createIdentity(options: Parameters<typeof identityDeps>[0] = {}): ConsiliumFunction {
  const deps = identityDeps(options);
  // Without its rate-limit store identity would either refuse every login or stop limiting: not ready either way.
  const kvReady: ReadinessCheck = { name: 'kv', check: () => deps.kv.check() };
  return defineFunction({ name: 'identity', routes: identityRoutes(deps), ready: [databaseReady, kvReady] });
}

const refusals = identityProductionProblems();
if (refusals.length > 0) throw new ConfigError(refusals);

// Functions running in this process (the local runtime) verify tokens against identity's keys directly.
registerInProcessKeys(ownKeys);

export default createIdentity();
