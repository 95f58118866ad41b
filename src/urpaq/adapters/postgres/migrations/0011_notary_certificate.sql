-- Schema version 11 (PostgreSQL): the notaries' certificates heirs are paid on, and heirs'
-- payouts that can be returned.
-- A certificate is recorded at its first use, with its notary, its heir and the heir's
-- share of the estate (an exact fraction), for one holder's savings and one operator.
-- Heirs' payouts made before this version keep the number as it was written and stay
-- paid; no certificate is recorded for them.

CREATE TABLE notary_certificate (
    number            TEXT COLLATE "C" PRIMARY KEY,
    notary            TEXT COLLATE "C" NOT NULL,
    heir_iin          TEXT COLLATE "C" NOT NULL,
    share_numerator   BIGINT NOT NULL CHECK (share_numerator > 0),
    share_denominator BIGINT NOT NULL CHECK (share_denominator >= share_numerator),
    person_id         BIGINT NOT NULL,
    operator_name     TEXT COLLATE "C" NOT NULL,
    first_used_on     TEXT COLLATE "C" NOT NULL
);

CREATE INDEX notary_certificate_person ON notary_certificate (person_id);

ALTER TABLE heir_payout ADD COLUMN status TEXT COLLATE "C" NOT NULL DEFAULT 'paid_to_heir'
    CHECK (status IN ('paid_to_heir', 'returned'));
ALTER TABLE heir_payout ADD COLUMN returned_on TEXT COLLATE "C";
