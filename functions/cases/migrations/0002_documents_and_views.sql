-- Documents of a case (their bytes live encrypted in the blob store, see events/documents.ts documentStorage),
-- who works on a case (from matching's events), and the facts cases keeps from identity's events.

create table cases.documents (
  id uuid primary key,
  case_id uuid not null references cases.cases (id),
  -- A file name can carry a patient's name: sealed under the owner's data key like the bytes.
  filename_sealed text not null,
  content_type text not null,
  size bigint not null check (size > 0),
  sha256 char(64) not null,
  -- pending: an upload URL was handed out; uploaded: verified and stored; processed / failed: the pipeline's verdict.
  status text not null default 'pending' check (status in ('pending', 'uploaded', 'processed', 'failed')),
  kind text check (kind in ('pdf', 'jpeg', 'png', 'dicom', 'text')),
  pages integer,
  characters integer,
  language text,
  failure_reason text,
  created_at timestamptz not null default now(),
  uploaded_at timestamptz,
  processed_at timestamptz
);
create index documents_case on cases.documents (case_id, created_at, id);

alter table cases.cases
  add column assigned_professional_id text,
  add column reviewer_id text,
  add column opinion_due_at timestamptz,
  add column paid_at timestamptz;
create index cases_assigned on cases.cases (assigned_professional_id, created_at desc, id desc) where assigned_professional_id is not null;
create index cases_reviewer on cases.cases (reviewer_id, created_at desc, id desc) where reviewer_id is not null;

-- The latest consent per patient and purpose, from consent.changed.v1 (identity owns the records).
create table cases.consents (
  user_id text not null,
  purpose text not null,
  granted boolean not null,
  version text not null,
  changed_at timestamptz not null,
  primary key (user_id, purpose)
);

-- Country and locale of patients, from identity.user.registered.v1 / profile-changed.v1, for case.submitted.v1.
create table cases.patients (
  user_id text primary key,
  country text,
  locale text,
  changed_at timestamptz not null
);
