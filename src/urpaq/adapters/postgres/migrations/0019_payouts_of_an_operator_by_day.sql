-- Schema version 19 (PostgreSQL): an authorised operator lists its payouts of a day
-- (`GET /api/v1/payouts?paid_on=`) to reconcile them with its own books: they are read
-- by operator and day, in the order of their ids.
CREATE INDEX payout_operator_day ON payout (operator_name, requested_on, payout_id);
CREATE INDEX heir_payout_operator_day ON heir_payout (operator_name, paid_on, payout_id);
