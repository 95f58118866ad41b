-- Schema version 4 (PostgreSQL): payouts of target savings through authorised operators.
-- The money moves in the ledger; this table follows each payout from its request to its
-- confirmation of use or its return.

CREATE TABLE payout (
    payout_id     TEXT COLLATE "C" PRIMARY KEY,
    person_id     BIGINT NOT NULL,
    operator_name TEXT NOT NULL,
    amount_cents  BIGINT NOT NULL CHECK (amount_cents > 0),
    purpose       TEXT NOT NULL CHECK (purpose IN ('housing', 'education')),
    sub_purpose   TEXT NOT NULL,
    account       TEXT NOT NULL,
    requested_on  TEXT COLLATE "C" NOT NULL,
    return_due_on TEXT COLLATE "C" NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('paid', 'confirmed', 'returned')),
    closed_on     TEXT COLLATE "C",
    documents     TEXT
);

CREATE INDEX payout_person ON payout (person_id);
CREATE INDEX payout_open ON payout (return_due_on) WHERE status = 'paid';
