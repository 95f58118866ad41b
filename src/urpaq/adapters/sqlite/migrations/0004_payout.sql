-- Schema version 4 (SQLite): payouts of target savings through authorised operators.
-- The money moves in the ledger; this table follows each payout from its request to its
-- confirmation of use or its return.

CREATE TABLE payout (
    payout_id     TEXT PRIMARY KEY,
    person_id     INTEGER NOT NULL,
    operator_name TEXT NOT NULL,
    amount_cents  INTEGER NOT NULL CHECK (amount_cents > 0),
    purpose       TEXT NOT NULL CHECK (purpose IN ('housing', 'education')),
    sub_purpose   TEXT NOT NULL,
    account       TEXT NOT NULL,
    requested_on  TEXT NOT NULL,
    return_due_on TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('paid', 'confirmed', 'returned')),
    closed_on     TEXT,
    documents     TEXT
);

CREATE INDEX payout_person ON payout (person_id);
CREATE INDEX payout_open ON payout (return_due_on) WHERE status = 'paid';
