-- The ai function's own view of cases (built from case, payment and document events), its consent view, the
-- triage results, provider usage for billing and budgets, and the budget alerts already raised.

create table ai.cases (
  case_id text primary key,
  owner_id text not null,
  requested_specialty text,
  urgency text not null default 'standard' check (urgency in ('standard', 'urgent')),
  document_ids jsonb not null default '[]' check (jsonb_typeof(document_ids) = 'array'),
  submitted_at timestamptz,
  paid_at timestamptz,
  -- Paid and every submitted document processed or failed: set once, then triage runs.
  ready_at timestamptz,
  -- Whoever triages holds the case until then (the event's runner or the sweep), so providers are asked once.
  lease_until timestamptz,
  triaged_at timestamptz
);

-- The sweep: paid cases not yet triaged.
create index cases_untriaged on ai.cases (paid_at) where triaged_at is null and paid_at is not null;

create table ai.documents (
  case_id text not null,
  document_id text not null,
  owner_id text,
  status text not null check (status in ('processed', 'failed')),
  text_blob_key text,
  characters integer,
  updated_at timestamptz not null default now(),
  primary key (case_id, document_id)
);

-- Latest consent per person and purpose, by the time of the event that set it (then by version).
create table ai.consents (
  user_id text not null,
  purpose text not null,
  granted boolean not null,
  version text not null,
  changed_at timestamptz not null,
  primary key (user_id, purpose)
);

-- One triage per case, ever: the primary key is what makes case.triaged.v1 unique.
create table ai.triages (
  case_id text primary key,
  source text not null check (source in ('built-in', 'provider', 'none')),
  provider text,
  specialty text not null,
  urgency text not null check (urgency in ('standard', 'urgent')),
  min_grade text not null check (min_grade in ('G1', 'G2', 'G3', 'G4')),
  disagreement boolean not null,
  red_flags jsonb not null,
  summary text not null,
  -- The built-in analyser's findings (codes, offsets, the words as written): health data, never in events.
  analysis jsonb not null,
  created_at timestamptz not null default now()
);

-- Every provider call, for billing and budgets. Cost in integer micro-units of the configured currency.
create table ai.usage (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  month text not null,
  provider text not null,
  model text not null,
  case_id text,
  tokens_in integer not null check (tokens_in >= 0),
  tokens_out integer not null check (tokens_out >= 0),
  cost_micros bigint not null check (cost_micros >= 0),
  latency_ms integer not null check (latency_ms >= 0),
  outcome text not null check (outcome in ('ok', 'invalid-output', 'timeout', 'rate-limited', 'server-error', 'client-error', 'network-error'))
);

create index usage_month_provider on ai.usage (month, provider);
create index usage_at on ai.usage (at);

-- A budget threshold is announced once per scope and month ('overall' or 'provider:<name>').
create table ai.budget_alerts (
  scope text not null,
  month text not null,
  threshold integer not null,
  raised_at timestamptz not null default now(),
  primary key (scope, month, threshold)
);
