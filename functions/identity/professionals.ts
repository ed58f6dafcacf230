import { Hono } from 'hono';
import * as v from 'valibot';
import { ProfessionalRegisteredV1, ProfessionalStatusChangedV1, ProfessionalVerifiedV1 } from '../../events/identity.ts';
import { GRADES } from '../../shared/auth/grades.ts';
import { authorize } from '../../shared/auth/policy.ts';
import { SPECIALTIES } from '../../shared/auth/specialties.ts';
import { emit } from '../../shared/bus/emit.ts';
import { transaction } from '../../shared/db/index.ts';
import { describe } from '../../shared/http/openapi.ts';
import { problems } from '../../shared/http/problem.ts';
import { validate } from '../../shared/http/validate.ts';
import { Country, createAccount, Email, Locale, Name, Password, Phone } from './accounts.ts';
import { signedIn, type IdentityDeps } from './deps.ts';
import { canTransition, type ProfessionalStatus } from './lifecycle.ts';
import { clientIp } from '../../shared/http/client-ip.ts';
import { enforce } from './limits.ts';
import { hashPassword } from './passwords.ts';
import { findProfessional, insertProfessional, isUniqueViolation, updateProfessional } from './queries.ts';

const Specialties = v.pipe(v.array(v.picklist(SPECIALTIES, 'must be one of GET /v1/specialties')), v.minLength(1), v.maxLength(5));

const Apply = v.object({
  email: Email,
  password: Password,
  name: Name,
  country: Country,
  licenseNumber: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(100)),
  licenseCountry: Country,
  specialties: Specialties,
  languages: v.pipe(v.array(v.pipe(v.string(), v.regex(/^[a-z]{2,3}$/, 'must be an ISO 639 code, e.g. fr'))), v.minLength(1), v.maxLength(10)),
  locale: v.optional(Locale),
  phone: v.optional(Phone),
});

const Verify = v.object({ grade: v.picklist(GRADES), specialties: Specialties });

const ChangeStatus = v.object({ status: v.picklist(['active', 'paused', 'suspended']) });

/**
 * `POST /v1/professionals` (apply), `POST /v1/professionals/{id}/verify` (ops: grade and specialties → active),
 * `POST /v1/professionals/{id}/status` (ops: pause, suspend, reactivate) and `GET /v1/specialties`.
 *
 * @example
 * app.route('/', professionalRoutes(deps));
 */
export function professionalRoutes(deps: IdentityDeps): Hono {
  const app = new Hono();

  app.get('/v1/specialties', describe({ summary: 'The specialties (lower-case slugs)', tags: ['identity'], audience: 'anyone' }), (c) => {
    c.header('cache-control', 'public, max-age=3600');
    return c.json({ items: SPECIALTIES });
  });

  app.post(
    '/v1/professionals',
    describe({ summary: 'Apply as a professional', tags: ['identity'], audience: 'anyone', responses: { 201: '{id, status: pending_verification}', 409: 'E-mail taken' } }),
    validate('json', Apply),
    async (c) => {
      const body = c.req.valid('json');
      await enforce(deps.limiters.registerIp, clientIp(c));
      const passwordHash = await hashPassword(body.password);
      try {
        const id = await transaction(async (tx) => {
          const { id, cipher } = await createAccount(tx, { ...body, role: 'professional', passwordHash });
          await insertProfessional(tx, {
            userId: id,
            specialties: body.specialties,
            languages: body.languages,
            licenseNumberSealed: cipher.seal('license-number', body.licenseNumber),
            licenseCountry: body.licenseCountry,
          });
          await emit(tx, ProfessionalRegisteredV1, { source: 'identity', subject: id, data: { professionalId: id } });
          return id;
        }, deps.sql());
        return c.json({ id, status: 'pending_verification' }, 201);
      } catch (error) {
        if (isUniqueViolation(error)) throw problems.conflict('email-taken', 'An account with this e-mail exists.');
        throw error;
      }
    },
  );

  app.post(
    '/v1/professionals/:id/verify',
    describe({ summary: 'Verify a professional with a grade and specialties', tags: ['identity'], audience: 'ops', responses: { 200: '{status: active}', 409: 'Not verifiable now' } }),
    validate('json', Verify),
    signedIn(deps),
    async (c) => {
      const principal = c.get('principal');
      const { grade, specialties } = c.req.valid('json');
      authorize(principal, 'professional:verify');
      const id = c.req.param('id');
      await transaction(async (tx) => {
        const professional = await findProfessional(tx, id, true);
        if (!professional) throw problems.notFound();
        // Verification admits an applicant or re-grades an active professional; a suspension is lifted by /status.
        if (professional.status !== 'pending_verification' && professional.status !== 'active') {
          throw problems.conflict('illegal-transition', `A ${professional.status} professional cannot be verified.`);
        }
        await updateProfessional(tx, id, { status: 'active', grade, specialties, verifiedBy: principal.id });
        await emit(tx, ProfessionalVerifiedV1, {
          source: 'identity',
          subject: id,
          data: { professionalId: id, grade, specialties, languages: professional.languages, licenseCountry: professional.licenseCountry, verifiedBy: principal.id },
        });
      }, deps.sql());
      return c.json({ id, status: 'active', grade, specialties });
    },
  );

  app.post(
    '/v1/professionals/:id/status',
    describe({ summary: 'Pause, suspend or reactivate a professional', tags: ['identity'], audience: 'ops', responses: { 200: '{status}', 409: 'Illegal transition' } }),
    validate('json', ChangeStatus),
    signedIn(deps),
    async (c) => {
      const principal = c.get('principal');
      const { status } = c.req.valid('json');
      authorize(principal, 'professional:set-status');
      const id = c.req.param('id');
      await transaction(async (tx) => {
        const professional = await findProfessional(tx, id, true);
        if (!professional) throw problems.notFound();
        const from: ProfessionalStatus = professional.status;
        // Activation from pending goes through verification, which sets the grade.
        if (from === status || from === 'pending_verification' || !canTransition(from, status)) {
          throw problems.conflict('illegal-transition', `A ${from} professional cannot become ${status} here.`);
        }
        await updateProfessional(tx, id, { status });
        await emit(tx, ProfessionalStatusChangedV1, { source: 'identity', subject: id, data: { professionalId: id, from, to: status, changedBy: principal.id } });
      }, deps.sql());
      return c.json({ id, status });
    },
  );

  return app;
}
