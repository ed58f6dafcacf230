-- The built-in analysis holds health data (the note's own words, offsets): sealed under the patient's data key
-- (shared/keyring) like every other health datum at rest, so erasure (shredding the key) makes it unreadable.
alter table ai.triages drop column analysis;
alter table ai.triages add column analysis_sealed text;
