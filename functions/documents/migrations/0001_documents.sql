-- What the documents function made of each upload (functions/documents). One row per document, written in the
-- transaction that emits document.processed.v1 or document.failed.v1. No text and no identity here: the text and
-- the de-identified DICOM copy are blobs sealed under the owner's key; metadata holds DICOM clinical context
-- (modality, body part, study description and date…) or PDF OCR counts.
create table documents.results (
  document_id text primary key,
  case_id text not null,
  kind text not null check (kind in ('pdf', 'jpeg', 'png', 'dicom', 'text')),
  status text not null check (status in ('processed', 'failed')),
  reason text check (reason in ('unsupported-kind', 'type-mismatch', 'corrupt', 'encrypted', 'too-large', 'unreadable')),
  pages integer check (pages >= 0),
  characters integer check (characters >= 0),
  language text,
  metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  processed_at timestamptz not null default now(),
  check ((status = 'failed') = (reason is not null)),
  check ((status = 'processed') = (pages is not null and characters is not null and language is not null))
);

create index results_case on documents.results (case_id);
