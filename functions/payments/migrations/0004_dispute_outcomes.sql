-- What a won dispute gives back, and a dispute the gateway lost again after reversing its chargeback.

-- The payment's status before this dispute moved it (opened it, or charged it back): a win returns the payment there,
-- so a payment held for fraud review stays held and a partly refunded one stays refunded. Disputes recorded before
-- this column get `captured`, which is where a win took every payment until now.
alter table payments.disputes add column payment_status_before text
  check (payment_status_before in ('pending', 'failed', 'held', 'captured', 'refunding', 'refunded', 'disputed'));
update payments.disputes set payment_status_before = 'captured';

-- The gateway took the money again after a reversal (Adyen SECOND_CHARGEBACK, PREARBITRATION_LOST): the dispute's
-- last word, so a late reversal or chargeback of it is stale.
alter table payments.disputes add column lost_again boolean not null default false;
