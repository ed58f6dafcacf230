-- The double-entry ledger. Every journal entry balances (sum of debits = sum of credits, per entry and currency):
-- the database checks it at COMMIT with a deferred constraint trigger, so no code path can write a lopsided entry.
-- Entries are append-only; a correction is a new entry.

create table payments.accounts (
  code text primary key,
  kind text not null check (kind in ('asset', 'liability', 'revenue', 'expense', 'contra_revenue'))
);
insert into payments.accounts (code, kind) values
  ('gateway_clearing', 'asset'),
  ('bank', 'asset'),
  ('deferred_revenue', 'liability'),
  ('vat_payable', 'liability'),
  ('professional_payable', 'liability'),
  ('revenue', 'revenue'),
  ('refunds', 'contra_revenue'),
  ('professional_cost', 'expense'),
  ('platform_fees', 'expense');

create table payments.journal_entries (
  id bigint generated always as identity primary key,
  -- What caused it (capture, refund, delivery, earning, payout) and that thing's id: booked once.
  kind text not null,
  ref text not null,
  payment_id uuid,
  case_id text,
  country char(2),
  currency char(3) not null,
  booked_at timestamptz not null default now(),
  unique (kind, ref)
);
create index journal_entries_payment on payments.journal_entries (payment_id);

create table payments.journal_lines (
  id bigint generated always as identity primary key,
  entry_id bigint not null references payments.journal_entries (id),
  account text not null references payments.accounts (code),
  debit bigint not null default 0 check (debit >= 0),
  credit bigint not null default 0 check (credit >= 0),
  check ((debit = 0) <> (credit = 0))
);
create index journal_lines_entry on payments.journal_lines (entry_id);
create index journal_lines_account on payments.journal_lines (account);

-- Running balance per account and currency, kept by the trigger below in the same transaction as each line.
create table payments.account_balances (
  account text not null references payments.accounts (code),
  currency char(3) not null,
  debit bigint not null default 0,
  credit bigint not null default 0,
  primary key (account, currency)
);

create function payments.check_entry_balanced() returns trigger language plpgsql as $$
declare
  lines integer;
  debits numeric;
  credits numeric;
begin
  select count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0)
    into lines, debits, credits
    from payments.journal_lines where entry_id = new.entry_id;
  if lines < 2 or debits <> credits then
    raise exception 'journal entry % does not balance: debits %, credits %, lines %', new.entry_id, debits, credits, lines
      using errcode = '23514';
  end if;
  return null;
end $$;

create constraint trigger journal_entry_balanced
  after insert on payments.journal_lines
  deferrable initially deferred
  for each row execute function payments.check_entry_balanced();

create function payments.add_to_balance() returns trigger language plpgsql as $$
begin
  insert into payments.account_balances (account, currency, debit, credit)
    select new.account, e.currency, new.debit, new.credit from payments.journal_entries e where e.id = new.entry_id
    on conflict (account, currency) do update
      set debit = payments.account_balances.debit + excluded.debit,
          credit = payments.account_balances.credit + excluded.credit;
  return new;
end $$;

create trigger journal_line_balance
  after insert on payments.journal_lines
  for each row execute function payments.add_to_balance();

-- Append-only: booked lines and entries never change.
create function payments.refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'the ledger is append-only (% on %)', tg_op, tg_table_name using errcode = '55000';
end $$;

create trigger journal_lines_append_only before update or delete on payments.journal_lines
  for each row execute function payments.refuse_change();
create trigger journal_entries_append_only before update or delete on payments.journal_entries
  for each row execute function payments.refuse_change();
