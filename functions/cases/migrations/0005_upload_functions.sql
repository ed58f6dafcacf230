-- The two statements of an upload as database functions. Through PgBouncer in transaction mode the app cannot keep
-- prepared statements, so every statement is parsed and planned again; a PL/pgSQL function's statements are planned
-- once per server connection and kept. Measured on the upload benchmark (bench/README.md): the database's CPU per
-- completion about halved. The rules are the ones the statements had (functions/cases/document-queries.ts).

-- Records an upload intent on the owner's draft case if its limits leave room, and takes the room. The UPDATE's
-- WHERE is re-checked on the case row's latest version when intents race, so the limits hold; the room is given
-- back by documents_release_room when a record is deleted. The file name was sealed under a key the caller may
-- have remembered: nothing is stored once that key is shredded. Not recorded: the case as it is now, to explain.
create function cases.reserve_document(
  p_id uuid, p_case uuid, p_owner text, p_filename_sealed text, p_content_type text, p_declared_kind text,
  p_size bigint, p_sha256 text, p_max_count integer, p_max_bytes bigint
) returns table (recorded boolean, case_owner text, case_professional text, case_reviewer text, case_status text, case_documents integer, case_bytes bigint)
language plpgsql as $$
begin
  update cases.cases c
  set document_count = c.document_count + 1, document_bytes = c.document_bytes + p_size
  where c.id = p_case and c.owner_id = p_owner and c.status = 'draft'
    and c.document_count < p_max_count and c.document_bytes + p_size <= p_max_bytes
    and keyring.key_is_live(p_owner);
  if found then
    insert into cases.documents (id, case_id, filename_sealed, content_type, declared_kind, size, sha256)
    values (p_id, p_case, p_filename_sealed, p_content_type, p_declared_kind, p_size, p_sha256);
    return query select true, null::text, null::text, null::text, null::text, null::integer, null::bigint;
  else
    return query select false, c.owner_id, c.assigned_professional_id, c.reviewer_id, c.status, c.document_count, c.document_bytes
      from cases.cases c where c.id = p_case;
  end if;
end
$$;

-- Completes the owner's pending upload when the bytes found are the declared ones (size, SHA-256, the kind the
-- declared type names): marks it uploaded and appends its document.uploaded.v1. False, and nothing changed or
-- announced, for anyone else's document, a mismatch, or one no longer pending (a repeated complete).
create function cases.complete_upload(p_document uuid, p_case uuid, p_owner text, p_size bigint, p_sha256 text, p_kind text, p_event jsonb)
returns boolean language plpgsql as $$
begin
  update cases.documents d
  set status = 'uploaded', kind = p_kind, uploaded_at = now()
  from cases.cases c
  where d.id = p_document and d.case_id = p_case and c.id = d.case_id and c.owner_id = p_owner
    and d.status = 'pending' and d.size = p_size and d.sha256 = p_sha256 and d.declared_kind = p_kind;
  if not found then
    return false;
  end if;
  perform bus.append(p_event);
  return true;
end
$$;
