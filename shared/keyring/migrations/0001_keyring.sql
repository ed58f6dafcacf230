-- One data key per patient, stored only wrapped. Every function that stores a patient's health data encrypts it
-- under this key (documents, extracted text, de-identified copies…), so shredding one row makes all of it
-- unreadable, in every table, bucket and backup.
create table keyring.data_keys (
  owner_id    text primary key,
  -- null once shredded (erasure); the row stays so nothing re-creates a key for an erased person.
  wrapped     text,
  wrapped_by  text not null,
  created_at  timestamptz not null default now(),
  shredded_at timestamptz,
  check ((wrapped is null) = (shredded_at is not null))
);
