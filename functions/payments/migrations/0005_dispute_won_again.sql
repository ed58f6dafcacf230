-- A dispute the gateway gave back again after losing it again (Adyen PREARBITRATION_WON after SECOND_CHARGEBACK or
-- PREARBITRATION_LOST): its last word, so every later event of it is stale (as after lost_again, but for the
-- pre-arbitration's win itself).
alter table payments.disputes add column won_again boolean not null default false;
