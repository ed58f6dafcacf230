-- An open dispute holds its payment (a win of another dispute leaves the payment disputed while it is open) when its
-- payment_status_before is set: it disputed the payment or joined the disputes that had it. 0004 gave every dispute
-- recorded before it `captured`, whether or not it ever moved its payment; an open one whose payment is neither
-- disputed nor charged back holds nothing.
update payments.disputes d set payment_status_before = null
where d.status = 'open'
  and exists (select 1 from payments.payments p where p.id = d.payment_id and p.status not in ('disputed', 'charged_back'));

comment on column payments.disputes.fee is
  'What the gateway last reported it kept in fees for this dispute (Stripe: net of its balance transactions), else null; the ledger is settled to it on each closing that reports it.';
