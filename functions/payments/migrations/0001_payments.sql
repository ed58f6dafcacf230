-- Payments (functions/payments): its own view of cases, payments and their gateway events, refunds, invoices and
-- the double-entry ledger. No names or health data here: ids, amounts, codes.

-- What payments knows of a case, built from case.submitted / status-changed / cancelled events.
create table payments.cases (
  case_id text primary key,
  owner_id text not null,
  status text not null,
  price_amount bigint not null check (price_amount >= 0),
  price_currency char(3) not null,
  urgency text not null,
  specialty text,
  patient_country char(2),
  was_assigned boolean not null default false,
  delivered boolean not null default false,
  updated_at timestamptz not null default now()
);

create table payments.payments (
  id uuid primary key,
  case_id text not null references payments.cases (case_id),
  owner_id text not null,
  gateway text not null check (gateway in ('stripe', 'adyen', 'sandbox')),
  gateway_ref text,
  client_secret text,
  redirect_url text,
  amount bigint not null check (amount > 0),
  currency char(3) not null,
  status text not null default 'pending'
    check (status in ('pending', 'failed', 'held', 'captured', 'refunding', 'refunded', 'disputed')),
  country char(2),
  ip text,
  ip_country char(2),
  card_country char(2),
  risk_level text,
  hold_reasons jsonb,
  refunded_amount bigint not null default 0 check (refunded_amount >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (gateway, gateway_ref)
);
create index payments_case on payments.payments (case_id);
create index payments_owner_created on payments.payments (owner_id, created_at);

-- Idempotency-Key of checkout: same key and same body answer the same payment; another body is refused.
create table payments.checkout_keys (
  owner_id text not null,
  key text not null,
  body_hash text not null,
  payment_id uuid not null references payments.payments (id),
  created_at timestamptz not null default now(),
  primary key (owner_id, key)
);

-- Every checkout attempt, for velocity limits per account and per address.
create table payments.checkout_attempts (
  id bigint generated always as identity primary key,
  owner_id text not null,
  ip text not null,
  at timestamptz not null default now()
);
create index checkout_attempts_owner on payments.checkout_attempts (owner_id, at);
create index checkout_attempts_ip on payments.checkout_attempts (ip, at);

-- Gateway events applied (or seen), one row per gateway event id: the webhook dedupe key.
create table payments.gateway_events (
  gateway text not null,
  event_key text not null,
  kind text not null,
  payment_id uuid,
  amount bigint,
  currency char(3),
  outcome text not null,
  received_at timestamptz not null default now(),
  primary key (gateway, event_key)
);
create index gateway_events_payment on payments.gateway_events (payment_id);

create table payments.refunds (
  id uuid primary key,
  payment_id uuid not null references payments.payments (id),
  amount bigint not null check (amount > 0),
  currency char(3) not null,
  reason text not null,
  status text not null default 'requested' check (status in ('requested', 'sent', 'succeeded', 'failed')),
  gateway_ref text,
  attempts integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- One refund per payment: a cancelled case is refunded once, whatever the redeliveries.
create unique index refunds_one_per_payment on payments.refunds (payment_id);

-- Invoices: numbers per year from a counter row updated in the capture transaction (a rollback gives the number
-- back, so numbers have no gaps; a sequence would leave gaps).
create table payments.invoice_counters (
  year integer primary key,
  last integer not null
);
create table payments.invoices (
  id uuid primary key,
  number text not null unique,
  year integer not null,
  seq integer not null,
  payment_id uuid not null unique references payments.payments (id),
  case_id text not null,
  owner_id text not null,
  country char(2),
  currency char(3) not null,
  net bigint not null,
  tax bigint not null,
  gross bigint not null,
  vat_rate_bp integer not null,
  issued_at timestamptz not null default now(),
  unique (year, seq),
  check (net + tax = gross)
);
