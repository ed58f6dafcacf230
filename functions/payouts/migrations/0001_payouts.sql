-- Professional pay (functions/payouts): earnings per delivered case, weekly payout batches, bank accounts.
-- Bank details are stored sealed (AES-256-GCM, see bank-seal.ts); only the last four IBAN characters are plain.

-- What payouts knows about professionals, from identity's events (grade as a fallback for a reviewer's fee).
create table payouts.professionals (
  professional_id text primary key,
  grade text check (grade in ('G1', 'G2', 'G3', 'G4')),
  status text not null default 'active',
  updated_at timestamptz not null default now()
);

-- Set by the professional; `sealed` holds {iban, bic, accountHolderName} encrypted.
create table payouts.bank_accounts (
  professional_id text primary key,
  sealed text not null,
  iban_last4 text not null,
  updated_at timestamptz not null default now()
);

-- A weekly run; one per week key, so a repeated or concurrent tick finds the batch already made.
create table payouts.batches (
  id uuid primary key,
  week_key text not null unique,
  cutoff timestamptz not null,
  created_at timestamptz not null default now()
);

-- One per professional and currency in a batch; `creditor_sealed` is the bank account as it was when batched.
create table payouts.payouts (
  id uuid primary key,
  batch_id uuid not null references payouts.batches (id),
  professional_id text not null,
  amount bigint not null check (amount >= 0),
  currency char(3) not null,
  creditor_sealed text not null,
  status text not null default 'pending' check (status in ('pending', 'paid')),
  paid_at timestamptz,
  unique (batch_id, professional_id, currency)
);
create index payouts_professional on payouts.payouts (professional_id);

-- Professionals a batch could not pay (no bank account): their earnings stay unpaid for the next batch.
create table payouts.skipped (
  batch_id uuid not null references payouts.batches (id),
  professional_id text not null,
  amount bigint not null,
  currency char(3) not null,
  reason text not null,
  primary key (batch_id, professional_id, currency)
);

-- One earning per (case, professional, role): a redelivered or re-emitted opinion.delivered never pays twice.
create table payouts.earnings (
  id uuid primary key,
  case_id text not null,
  opinion_id text not null,
  professional_id text not null,
  role text not null check (role in ('author', 'reviewer')),
  grade text not null check (grade in ('G1', 'G2', 'G3', 'G4')),
  urgency text not null check (urgency in ('standard', 'urgent')),
  amount bigint not null check (amount >= 0),
  currency char(3) not null,
  earned_at timestamptz not null,
  payout_id uuid references payouts.payouts (id),
  created_at timestamptz not null default now(),
  unique (case_id, professional_id, role)
);
create index earnings_unpaid on payouts.earnings (earned_at) where payout_id is null;
create index earnings_professional on payouts.earnings (professional_id, earned_at desc, id desc);
create index earnings_payout on payouts.earnings (payout_id);
