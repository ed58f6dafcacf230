import { Hono } from 'hono';
import * as v from 'valibot';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { Country, createAccount, Email, Locale, Name, Password, Phone } from './accounts.ts';
import type { IdentityDeps } from './deps.ts';
import { clientIp } from '../../shared/http/client-ip.ts';
import { enforce } from './limits.ts';
import { hashPassword } from './passwords.ts';
import { isUniqueViolation } from './queries.ts';

const RegisterPatient = v.object({
  email: Email,
  password: Password,
  name: Name,
  role: v.optional(v.literal('patient', 'only patients register here; professionals apply at /v1/professionals'), 'patient'),
  locale: v.optional(Locale),
  phone: v.optional(Phone),
  country: Country,
});

/**
 * `POST /v1/auth/register`: a patient signs up → 201 `{id}`; 409 when the e-mail (in any case) is taken.
 *
 * @example
 * app.route('/', registerRoutes(deps));
 */
export function registerRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();
  app.post(
    '/v1/auth/register',
    describe({ summary: 'Register a patient account', tags: ['identity'], audience: 'anyone', responses: { 201: 'Created', 409: 'E-mail taken', 429: 'Rate-limited' } }),
    validate('json', RegisterPatient),
    async (c) => {
      const body = c.req.valid('json');
      await enforce(deps.limiters.registerIp, clientIp(c));
      const passwordHash = await hashPassword(body.password);
      try {
        const { id } = await transaction((tx) => createAccount(tx, { ...body, passwordHash }), deps.sql());
        return c.json({ id }, 201);
      } catch (error) {
        if (isUniqueViolation(error)) throw problems.conflict('email-taken', 'An account with this e-mail exists.');
        throw error;
      }
    },
  );
  return app;
}
