-- A paid case whose promised turnaround (paid_at + the hours of its urgency, functions/cases/pricing.ts) ran out
-- before delivery: when the `flag-overdue-cases` sweep found it. Set once; a case flagged here is not counted
-- again when it is delivered late.
alter table cases.cases add column sla_breached_at timestamptz;

-- What the sweep looks through: paid, open, not yet flagged — a small set, oldest payment first.
create index cases_sla_watch on cases.cases (paid_at)
  where paid_at is not null and sla_breached_at is null and status not in ('delivered', 'closed', 'cancelled', 'refunded');
