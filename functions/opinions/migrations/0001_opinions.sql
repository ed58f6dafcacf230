-- Opinions (functions/opinions): drafts and their versions, peer review rounds, signed opinions and addenda,
-- follow-up questions, share links; plus the views this function keeps from other functions' events.
-- Opinion text is health data: it stays in this schema, sealed (AES-256-GCM) under the patient's data key from the
-- shared keyring (columns named *_sealed), and never goes into events or logs. Shredding the patient's key (erasure)
-- makes it unreadable while the immutable rows stay.

-- The case as events described it (cases, triage, matching); never read from the cases schema.
create table opinions.cases (
  case_id text primary key,
  owner_id text,
  specialty text,
  urgency text not null default 'standard' check (urgency in ('standard', 'urgent')),
  question_count integer check (question_count between 1 and 10),
  disagreement boolean not null default false,
  author_id text,
  peer_review_required boolean not null default false,
  reviewer_id text,
  updated_at timestamptz not null default now()
);

-- Verified professionals (identity.professional.verified/status-changed.v1): grade and specialties, never names.
create table opinions.professionals (
  professional_id text primary key,
  grade text not null check (grade in ('G1', 'G2', 'G3', 'G4')),
  specialties jsonb not null,
  status text not null default 'active'
);

-- The latest consent per patient and purpose (consent.changed.v1).
create table opinions.consents (
  user_id text not null,
  purpose text not null,
  granted boolean not null,
  primary key (user_id, purpose)
);

-- One opinion per author and case; an author who lost the case leaves an archived one, the next starts fresh.
create table opinions.opinions (
  id uuid primary key,
  case_id text not null,
  author_id text not null,
  status text not null default 'draft'
    check (status in ('draft', 'peer_review', 'changes_requested', 'ready_to_sign', 'signed', 'archived')),
  peer_review boolean,
  review_round integer not null default 0,
  current_version integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index opinions_live_per_case on opinions.opinions (case_id) where status <> 'archived';

-- Every saved draft, kept for good (the history author, reviewer and ops read).
create table opinions.versions (
  opinion_id uuid not null references opinions.opinions (id),
  version integer not null check (version >= 1),
  content_sealed text not null,
  saved_by text not null,
  saved_at timestamptz not null default now(),
  primary key (opinion_id, version)
);

-- Peer review rounds: one row per decision.
create table opinions.reviews (
  opinion_id uuid not null references opinions.opinions (id),
  round integer not null check (round >= 1),
  reviewer_id text not null,
  decision text not null check (decision in ('approve', 'changes_requested')),
  comments_sealed text,
  at timestamptz not null default now(),
  primary key (opinion_id, round)
);

-- A signed opinion: the canonical content (RFC 8785), its SHA-256 and the platform's Ed25519 signature over it.
create table opinions.signed (
  opinion_id uuid primary key,
  case_id text not null unique,
  canonical_sealed text not null,
  content_hash char(64) not null unique,
  signature text not null,
  kid text not null,
  signer_id text not null,
  signed_at timestamptz not null
);

-- Follow-up questions after delivery; seq 1..3 makes "at most three" hold under any interleaving.
create table opinions.followups (
  id uuid primary key,
  case_id text not null,
  seq integer not null check (seq between 1 and 3),
  owner_id text not null,
  text_sealed text not null,
  asked_at timestamptz not null,
  unique (case_id, seq)
);

-- The signed answer to a follow-up (an addendum to the opinion), same canonicalise + hash + sign.
create table opinions.addenda (
  followup_id uuid primary key references opinions.followups (id),
  case_id text not null,
  canonical_sealed text not null,
  content_hash char(64) not null unique,
  signature text not null,
  kid text not null,
  signer_id text not null,
  signed_at timestamptz not null
);

-- The follow-up window of a delivered case; ended_at is set once, by the close-follow-ups job.
create table opinions.deliveries (
  case_id text primary key,
  opinion_id uuid not null,
  follow_up_until timestamptz not null,
  ended_at timestamptz
);
create index deliveries_open on opinions.deliveries (follow_up_until) where ended_at is null;

-- Expiring links for the treating physician; only a SHA-256 of the token is stored.
create table opinions.share_links (
  id uuid primary key,
  case_id text not null,
  created_by text not null,
  token_hash char(64) not null unique,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

-- Every use of a share link (the audit row; an event goes out with it).
create table opinions.share_uses (
  id bigint generated always as identity primary key,
  link_id uuid not null references opinions.share_links (id),
  format text not null,
  at timestamptz not null default now()
);

-- A signed opinion can never change: the database itself refuses it, whatever the code does.
create function opinions.refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'opinions.%: signed content and history are immutable', tg_table_name using errcode = '55000';
end $$;

create trigger signed_immutable before update or delete on opinions.signed
  for each row execute function opinions.refuse_change();
create trigger addenda_immutable before update or delete on opinions.addenda
  for each row execute function opinions.refuse_change();
create trigger versions_immutable before update or delete on opinions.versions
  for each row execute function opinions.refuse_change();

-- The opinion row itself is frozen once signed (it may move from ready_to_sign to signed, never away).
create function opinions.refuse_signed_change() returns trigger language plpgsql as $$
begin
  if old.status = 'signed' then
    raise exception 'opinions.opinions: opinion % is signed and cannot change', old.id using errcode = '55000';
  end if;
  if tg_op = 'DELETE' then return old; end if;
  return new;
end $$;

create trigger opinions_signed_frozen before update or delete on opinions.opinions
  for each row execute function opinions.refuse_signed_change();
