-- The room a case's records take (pending intents included: they reserve it), kept on the case row so that one
-- statement can check the limits and take the room: an UPDATE's WHERE is re-checked on the row's latest version
-- when two intents race, which a count in the same statement's snapshot would not be (functions/cases/document-queries.ts
-- reserveDocument). Every delete of a record gives its room back through the trigger, whoever deletes it.
alter table cases.cases
  add column document_count integer not null default 0 check (document_count >= 0),
  add column document_bytes bigint not null default 0 check (document_bytes >= 0);

update cases.cases c
set document_count = d.count, document_bytes = d.bytes
from (select case_id, count(*) as count, sum(size) as bytes from cases.documents group by case_id) d
where d.case_id = c.id;

create function cases.release_document_room() returns trigger language plpgsql as $$
begin
  update cases.cases
  set document_count = document_count - 1, document_bytes = document_bytes - old.size
  where id = old.case_id;
  return null;
end
$$;

create trigger documents_release_room after delete on cases.documents
  for each row execute function cases.release_document_room();

-- The kind the declared content type names (functions/cases/uploads.ts kindDeclaredBy), so that one statement can
-- compare it with the kind the bytes show when the upload completes.
alter table cases.documents add column declared_kind text check (declared_kind in ('pdf', 'jpeg', 'png', 'dicom', 'text'));
update cases.documents
set declared_kind = case lower(btrim(split_part(content_type, ';', 1)))
  when 'application/pdf' then 'pdf' when 'image/jpeg' then 'jpeg' when 'image/png' then 'png'
  when 'application/dicom' then 'dicom' when 'text/plain' then 'text' end;
alter table cases.documents alter column declared_kind set not null;
