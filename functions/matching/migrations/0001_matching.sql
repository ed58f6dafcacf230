-- Matching (functions/matching): its own views of professionals, patients and cases (built from identity's and
-- cases' events, never from their tables), and the offers, requests and assignments it decides.

-- A professional as matching sees them. Languages hold primary subtags ('fr' for 'fr-BE').
create table matching.professionals (
  id text primary key,
  status text not null default 'pending_verification'
    check (status in ('pending_verification', 'active', 'suspended', 'paused')),
  verified boolean not null default false,
  mfa boolean not null default false,
  grade text check (grade in ('G1', 'G2', 'G3', 'G4')),
  grade_rank smallint not null default 0,
  specialties text[] not null default '{}',
  languages text[] not null default '{}',
  license_country text,
  -- Paused by matching after offers expired in a row; cleared by POST /v1/offers/resume.
  paused_at timestamptz,
  expired_streak integer not null default 0,
  active_cases integer not null default 0 check (active_cases >= 0),
  offers_received integer not null default 0,
  offers_accepted integer not null default 0,
  opinions_on_time integer not null default 0,
  opinions_late integer not null default 0,
  updated_at timestamptz not null default now()
);
-- The candidate search: only offerable professionals are indexed, by specialty.
create index professionals_offerable on matching.professionals using gin (specialties)
  where status = 'active' and verified and mfa and paused_at is null;

create table matching.patients (
  id text primary key,
  country text,
  languages text[] not null default '{}'
);

-- A case as matching sees it: from case.submitted (patient facts, price) and case.triaged (what it needs).
create table matching.cases (
  id text primary key,
  owner_id text,
  status text,
  preferred_professional_id text,
  patient_country text,
  patient_languages text[] not null default '{}',
  price_amount bigint,
  price_currency text,
  specialty text,
  urgency text check (urgency in ('standard', 'urgent')),
  min_grade text check (min_grade in ('G1', 'G2', 'G3', 'G4')),
  summary text,
  disagreement boolean not null default false,
  cancelled boolean not null default false
);

-- One search for professionals: the opinion of a case, or a review round. Its row is the lock every change of its
-- offers takes first (accept, decline, expiry, take-back), so they run one after another per case.
create table matching.requests (
  id uuid primary key,
  case_id text not null,
  kind text not null check (kind in ('opinion', 'review')),
  round integer not null default 1,
  specialty text not null,
  min_grade text not null check (min_grade in ('G1', 'G2', 'G3', 'G4')),
  urgency text not null check (urgency in ('standard', 'urgent')),
  exclude_ids text[] not null default '{}',
  state text not null default 'open' check (state in ('open', 'assigned', 'rescue', 'cancelled', 'done')),
  tier smallint not null default -1,
  -- Bumped when an assignment is taken back: the search starts again, without whoever lost it.
  generation integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  unique (case_id, kind, round)
);
create index requests_rescue on matching.requests (updated_at) where state = 'rescue';

create table matching.offers (
  id uuid primary key,
  request_id uuid not null references matching.requests (id),
  case_id text not null,
  professional_id text not null,
  kind text not null check (kind in ('opinion', 'review')),
  tier smallint not null,
  generation integer not null,
  urgency text not null check (urgency in ('standard', 'urgent')),
  state text not null default 'open' check (state in ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
  fee_amount bigint not null check (fee_amount >= 0),
  fee_currency char(3) not null,
  expires_at timestamptz not null,
  created_at timestamptz not null,
  responded_at timestamptz,
  decline_reason text,
  unique (request_id, generation, professional_id)
);
create index offers_open_by_professional on matching.offers (professional_id, expires_at) where state = 'open';
create index offers_open_by_expiry on matching.offers (expires_at) where state = 'open';
create index offers_by_case on matching.offers (case_id, professional_id);

create table matching.assignments (
  id uuid primary key,
  request_id uuid not null references matching.requests (id),
  offer_id uuid not null unique references matching.offers (id),
  case_id text not null,
  professional_id text not null,
  kind text not null check (kind in ('opinion', 'review')),
  tier smallint not null,
  peer_review_required boolean not null,
  state text not null default 'active' check (state in ('active', 'done', 'revoked', 'cancelled')),
  due_at timestamptz not null,
  created_at timestamptz not null,
  ended_at timestamptz
);
-- The last guard of "one winner": a case never has two active assignments of a kind.
create unique index assignments_one_active on matching.assignments (case_id, kind) where state = 'active';
create index assignments_due on matching.assignments (due_at) where state = 'active' and kind = 'opinion';
create index assignments_by_case on matching.assignments (case_id, professional_id);
