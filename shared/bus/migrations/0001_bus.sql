-- The transactional outbox: a handler writes its event here in the same transaction as its change;
-- the relay publishes unpublished rows in order and marks them.
create table bus.outbox (
  seq bigint generated always as identity primary key,
  id uuid not null unique,
  source text not null,
  type text not null,
  subject text,
  time timestamptz not null,
  data jsonb not null,
  traceparent text,
  published_at timestamptz
);
create index outbox_unpublished on bus.outbox (seq) where published_at is null;
create index outbox_published on bus.outbox (published_at) where published_at is not null;

-- Deliveries waiting for a consumer when events travel in process (no NATS) and for replays: the queue the
-- dispatcher leases from, with its retry schedule.
create table bus.deliveries (
  id bigint generated always as identity primary key,
  consumer text not null,
  event_id uuid not null,
  envelope jsonb not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  leased_until timestamptz,
  last_error text,
  unique (consumer, event_id)
);
create index deliveries_due on bus.deliveries (next_attempt_at);

-- Idempotent consumers: the event ids each consumer has applied, written in the same transaction as the effect.
create table bus.processed (
  consumer text not null,
  event_id uuid not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);
create index processed_at on bus.processed (processed_at);

-- Deliveries that failed every attempt, parked for ops to inspect and replay.
create table bus.dead_letters (
  id bigint generated always as identity primary key,
  consumer text not null,
  event_id uuid not null,
  type text not null,
  envelope jsonb not null,
  attempts integer not null,
  last_error text not null,
  failed_at timestamptz not null default now(),
  replayed_at timestamptz
);
create index dead_letters_open on bus.dead_letters (failed_at) where replayed_at is null;
