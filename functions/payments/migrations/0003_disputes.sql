-- Disputes (chargebacks): one row per dispute at its gateway, so that its closing is remembered even when it
-- arrives before its opening (webhooks come out of order), and a lost dispute is booked as a chargeback once.

alter table payments.payments drop constraint payments_status_check;
alter table payments.payments add constraint payments_status_check
  check (status in ('pending', 'failed', 'held', 'captured', 'refunding', 'refunded', 'disputed', 'charged_back'));

create table payments.disputes (
  id uuid primary key,
  payment_id uuid not null references payments.payments (id),
  gateway text not null,
  -- The gateway's id of the dispute (Stripe dp_…, Adyen the dispute's pspReference): the same for all its events.
  dispute_ref text not null,
  amount bigint check (amount >= 0),
  currency char(3) not null,
  reason text,
  status text not null default 'open' check (status in ('open', 'won', 'lost')),
  -- The gateway's dispute fee as it reported it (Stripe: the dispute's balance transactions), else null.
  fee bigint check (fee >= 0),
  fee_currency char(3),
  opened_at timestamptz not null default now(),
  closed_at timestamptz,
  unique (gateway, dispute_ref)
);
create index disputes_payment on payments.disputes (payment_id);
