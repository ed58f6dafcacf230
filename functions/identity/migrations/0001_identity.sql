-- Accounts, sessions, MFA, professional credentials and consent (functions/identity).
-- Personal data (name, phone, licence number, TOTP secret) is sealed with a per-person key (data_key, itself
-- wrapped by the master key), so shredding data_key erases it everywhere, backups included.

create table identity.users (
  id text primary key,
  email text not null,
  password_hash text not null,
  role text not null check (role in ('patient', 'professional', 'ops')),
  locale text,
  country text,
  data_key text,
  name_sealed text,
  phone_sealed text,
  notification_preferences jsonb not null default '{}'::jsonb,
  mfa_enabled boolean not null default false,
  mfa_secret_sealed text,
  mfa_pending_secret_sealed text,
  -- The last TOTP time step accepted: a code is usable once, so a step at or below it is refused.
  mfa_last_step bigint,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- E-mail addresses are unique regardless of case.
create unique index users_email_key on identity.users (lower(email));

create table identity.professionals (
  user_id text primary key references identity.users (id),
  status text not null default 'pending_verification'
    check (status in ('pending_verification', 'active', 'suspended', 'paused')),
  grade text check (grade in ('G1', 'G2', 'G3', 'G4')),
  specialties text[] not null default '{}',
  languages text[] not null default '{}',
  license_number_sealed text,
  license_country text,
  verified_at timestamptz,
  verified_by text,
  updated_at timestamptz not null default now()
);

-- One login: a family of refresh tokens. Revoking it ends every token of the family.
create table identity.sessions (
  id text primary key,
  user_id text not null references identity.users (id),
  mfa boolean not null default false,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_reason text
);

create index sessions_user_idx on identity.sessions (user_id);

-- Only the SHA-256 of a refresh token is stored; a spent token is kept to recognise its re-use.
create table identity.refresh_tokens (
  token_hash text primary key,
  session_id text not null references identity.sessions (id),
  expires_at timestamptz not null,
  spent_at timestamptz,
  created_at timestamptz not null default now()
);

create index refresh_tokens_session_idx on identity.refresh_tokens (session_id);

-- Signing keys generated outside production (production reads AUTH_SIGNING_KEYS). The private JWK is sealed
-- with the master key; a retired key still verifies until the last token it signed has expired.
create table identity.signing_keys (
  kid text primary key,
  alg text not null,
  public_jwk jsonb not null,
  private_jwk_sealed text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);

-- Consent is a history: every change is a row; the current answer is the newest row per purpose.
create table identity.consents (
  id text primary key,
  user_id text not null references identity.users (id),
  purpose text not null check (purpose in ('processing', 'ai_analysis', 'external_ai', 'share_with_treating_physician')),
  version text not null,
  granted boolean not null,
  created_at timestamptz not null default clock_timestamp()
);

create index consents_user_purpose_idx on identity.consents (user_id, purpose, created_at desc);
