-- Schema version 11 (SQLite): the notaries' certificates heirs are paid on, and heirs'
-- payouts that can be returned.
-- A certificate is recorded at its first use, with its notary, its heir and the heir's
-- share of the estate (an exact fraction), for one holder's savings and one operator.
-- Heirs' payouts made before this version keep the number as it was written and stay
-- paid; no certificate is recorded for them.

CREATE TABLE notary_certificate (
    number            TEXT NOT NULL PRIMARY KEY,
    notary            TEXT NOT NULL,
    heir_iin          TEXT NOT NULL,
    share_numerator   INTEGER NOT NULL CHECK (share_numerator > 0),
    share_denominator INTEGER NOT NULL CHECK (share_denominator >= share_numerator),
    person_id         INTEGER NOT NULL,
    operator_name     TEXT NOT NULL,
    first_used_on     TEXT NOT NULL
);

CREATE INDEX notary_certificate_person ON notary_certificate (person_id);

ALTER TABLE heir_payout ADD COLUMN status TEXT NOT NULL DEFAULT 'paid_to_heir'
    CHECK (status IN ('paid_to_heir', 'returned'));
ALTER TABLE heir_payout ADD COLUMN returned_on TEXT;
