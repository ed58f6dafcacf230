-- Cases and their timeline (functions/cases). Statuses mirror functions/cases/lifecycle.ts; titles and
-- questions are health data and never leave this schema in events.

create table cases.cases (
  id uuid primary key,
  owner_id text not null,
  status text not null default 'draft'
    check (status in ('draft', 'awaiting_payment', 'triage', 'matching', 'assigned', 'in_review', 'peer_review',
                      'delivered', 'closed', 'cancelled', 'refunded')),
  title text not null,
  specialty text,
  urgency text not null default 'standard' check (urgency in ('standard', 'urgent')),
  preferred_professional_id text,
  price_amount bigint not null check (price_amount >= 0),
  price_currency char(3) not null,
  questions jsonb not null check (jsonb_typeof(questions) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Keyset pagination on (created_at, id): a patient's own list, and ops' list of all.
create index cases_owner_created on cases.cases (owner_id, created_at desc, id desc);
create index cases_created on cases.cases (created_at desc, id desc);

-- Every status a case has had, one row per transition (the first row is its creation as a draft).
create table cases.timeline (
  id bigint generated always as identity primary key,
  case_id uuid not null references cases.cases (id),
  at timestamptz not null default clock_timestamp(),
  status text not null,
  note text
);
create index timeline_case on cases.timeline (case_id, id);
