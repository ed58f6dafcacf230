import * as v from 'valibot';
import { defineEvent } from './envelope.ts';
import { CountryCode, Grade } from './vocabulary.ts';

// Identity's events carry ids and codes only: never e-mails, names or anything typed by a person.

const Purpose = v.picklist(['processing', 'ai_analysis', 'external_ai', 'share_with_treating_physician']);

export const ConsentChangedV1 = defineEvent(
  'consent.changed.v1',
  'A patient granted or withdrew consent for a purpose (e.g. ai_analysis) under a given version of its text.',
  v.object({ consentId: v.string(), userId: v.string(), purpose: Purpose, version: v.string(), granted: v.boolean() }),
);

export const UserRegisteredV1 = defineEvent(
  'identity.user.registered.v1',
  'An account was created (patient by sign-up, professional by application, ops by the command line); country and locale (BCP 47) as given.',
  v.object({ userId: v.string(), role: v.picklist(['patient', 'professional', 'ops']), country: v.nullable(CountryCode), locale: v.nullable(v.string()) }),
);

export const LoginSucceededV1 = defineEvent(
  'identity.login.succeeded.v1',
  'A person signed in and a session was opened; mfa says whether a second factor was given.',
  v.object({ userId: v.string(), sessionId: v.string(), mfa: v.boolean() }),
);

export const LoginFailedV1 = defineEvent(
  'identity.login.failed.v1',
  'A sign-in was refused; userId is null when the e-mail matched no account (the e-mail itself is never recorded).',
  v.object({
    userId: v.nullable(v.string()),
    reason: v.picklist(['bad-credentials', 'mfa-required', 'bad-totp', 'locked']),
  }),
);

export const AccountLockedV1 = defineEvent(
  'identity.account.locked.v1',
  'Repeated failed sign-ins slowed an account down: further attempts are refused for a while.',
  v.object({ userId: v.string(), failures: v.number(), lockedForSeconds: v.number() }),
);

export const MfaEnabledV1 = defineEvent(
  'identity.mfa.enabled.v1',
  'A person confirmed a TOTP authenticator; sign-ins now need its codes.',
  v.object({ userId: v.string() }),
);

export const RefreshTokenReusedV1 = defineEvent(
  'identity.refresh-token.reused.v1',
  'A refresh token was presented after it had been spent (likely stolen): its whole session was revoked.',
  v.object({ userId: v.string(), sessionId: v.string() }),
);

export const SessionRevokedV1 = defineEvent(
  'identity.session.revoked.v1',
  'A session ended before its time: by logout or because one of its refresh tokens was re-used.',
  v.object({ userId: v.string(), sessionId: v.string(), reason: v.picklist(['logout', 'refresh-token-reuse']) }),
);

export const ProfessionalRegisteredV1 = defineEvent(
  'identity.professional.registered.v1',
  'A professional applied and awaits verification of their licence by ops.',
  v.object({ professionalId: v.string() }),
);

export const ProfessionalVerifiedV1 = defineEvent(
  'identity.professional.verified.v1',
  'Ops verified a professional, with the grade and specialties matching and payouts use; they may now receive offers.',
  v.object({
    professionalId: v.string(),
    grade: Grade,
    specialties: v.array(v.string()),
    languages: v.array(v.string()),
    licenseCountry: CountryCode,
    verifiedBy: v.string(),
  }),
);

export const ProfessionalStatusChangedV1 = defineEvent(
  'identity.professional.status-changed.v1',
  'A professional was suspended, paused or reactivated by ops; only active professionals receive offers.',
  v.object({
    professionalId: v.string(),
    from: v.picklist(['pending_verification', 'active', 'suspended', 'paused']),
    to: v.picklist(['pending_verification', 'active', 'suspended', 'paused']),
    changedBy: v.string(),
  }),
);

export const ProfileChangedV1 = defineEvent(
  'identity.user.profile-changed.v1',
  'A person changed their locale (BCP 47) or country; functions that match or notify by language keep their view.',
  v.object({ userId: v.string(), country: v.nullable(CountryCode), locale: v.nullable(v.string()) }),
);
