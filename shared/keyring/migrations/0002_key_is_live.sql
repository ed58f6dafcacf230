-- Whether an owner's data key may still seal what is stored for them (it exists and was not shredded): a statement
-- storing data sealed under a key a process remembered (keyring.sealingKeyFor) must check it, in the same statement.
create function keyring.key_is_live(owner text) returns boolean language sql stable as $$
  select exists (select from keyring.data_keys where owner_id = owner and wrapped is not null)
$$;
