-- key_is_live in PL/pgSQL. As a SQL function with a subquery it is never inlined, so the database parsed and
-- planned its body again on every call (every upload intent checks it: about a tenth of the intent's database
-- CPU, bench/README.md "Intake"); a PL/pgSQL function's plan is kept per server connection.
create or replace function keyring.key_is_live(owner text) returns boolean language plpgsql stable as $$
begin
  return exists (select from keyring.data_keys where owner_id = owner and wrapped is not null);
end
$$;
