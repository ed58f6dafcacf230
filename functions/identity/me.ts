import { Hono } from 'hono';
import * as v from 'valibot';
import { ProfileChangedV1 } from '../../events/identity.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { cipherOf, Locale, Name, Phone } from './accounts.ts';
import { signedIn, type IdentityDeps } from './deps.ts';
import { findProfessional, findUserById, updateProfile } from './queries.ts';

const Channel = v.picklist(['email', 'sms', 'whatsapp']);

const UpdateMe = v.object({
  name: v.optional(Name),
  locale: v.optional(Locale),
  phone: v.optional(v.nullable(Phone)),
  notificationPreferences: v.optional(
    v.strictObject({
      channels: v.optional(v.pipe(v.array(Channel), v.maxLength(3))),
      marketing: v.optional(v.boolean()),
    }),
  ),
});

/**
 * `GET /v1/me` (the signed-in account, personal data decrypted for its owner) and `PATCH /v1/me` (name, locale,
 * phone, notification preferences).
 *
 * @example
 * app.route('/', meRoutes(deps));
 */
export function meRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();

  app.get('/v1/me', describe({ summary: 'My account', tags: ['identity'], audience: 'signed in' }), signedIn(deps), async (c) => {
    const sql = deps.sql();
    const { id } = c.get('principal');
    const user = await findUserById(sql, id);
    if (!user) throw problems.notFound();
    const cipher = cipherOf(user);
    const professional = user.role === 'professional' ? await findProfessional(sql, id) : undefined;
    return c.json({
      id: user.id,
      email: user.email,
      name: user.nameSealed && cipher ? cipher.open('name', user.nameSealed) : null,
      role: user.role,
      locale: user.locale,
      country: user.country,
      phone: user.phoneSealed && cipher ? cipher.open('phone', user.phoneSealed) : null,
      mfa: user.mfaEnabled,
      notificationPreferences: user.notificationPreferences,
      ...(professional
        ? { professional: { status: professional.status, grade: professional.grade, specialties: professional.specialties } }
        : {}),
    });
  });

  app.patch(
    '/v1/me',
    describe({ summary: 'Change my name, locale, phone or notification preferences', tags: ['identity'], audience: 'signed in' }),
    signedIn(deps),
    validate('json', UpdateMe),
    async (c) => {
      const body = c.req.valid('json');
      const { id } = c.get('principal');
      await transaction(async (tx) => {
        const user = await findUserById(tx, id);
        const cipher = user && cipherOf(user);
        if (!user || !cipher) throw problems.notFound();
        await updateProfile(tx, id, {
          ...(body.name !== undefined ? { nameSealed: cipher.seal('name', body.name) } : {}),
          ...(body.phone !== undefined ? { phoneSealed: body.phone === null ? null : cipher.seal('phone', body.phone) } : {}),
          ...(body.locale !== undefined ? { locale: body.locale } : {}),
          ...(body.notificationPreferences !== undefined
            ? { notificationPreferences: { ...user.notificationPreferences, ...body.notificationPreferences } }
            : {}),
        });
        if (body.locale !== undefined && body.locale !== user.locale) {
          await emit(tx, ProfileChangedV1, { source: 'identity', subject: id, data: { userId: id, country: user.country, locale: body.locale } });
        }
      }, deps.sql());
      return c.body(null, 204);
    },
  );

  return app;
}
