-- Schema version 7 (SQLite): payout ids are NOT NULL, as on PostgreSQL.
-- In a table with a rowid, SQLite lets a TEXT PRIMARY KEY hold NULL (any number of them)
-- unless the column says NOT NULL, and a column cannot be changed in place: the two
-- payout tables are rebuilt, with their rows and indexes.
-- (PostgreSQL's migration 0007 puts its remaining text columns in the "C" collation, the
-- byte order SQLite's text columns already have; nothing else changes here.)

CREATE TABLE payout_rebuilt (
    payout_id     TEXT NOT NULL PRIMARY KEY,
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

INSERT INTO payout_rebuilt (payout_id, person_id, operator_name, amount_cents, purpose,
                            sub_purpose, account, requested_on, return_due_on, status,
                            closed_on, documents)
SELECT payout_id, person_id, operator_name, amount_cents, purpose, sub_purpose, account,
       requested_on, return_due_on, status, closed_on, documents
FROM payout;

DROP TABLE payout;
ALTER TABLE payout_rebuilt RENAME TO payout;

CREATE INDEX payout_person ON payout (person_id);
CREATE INDEX payout_open ON payout (return_due_on) WHERE status = 'paid';

CREATE TABLE heir_payout_rebuilt (
    payout_id           TEXT NOT NULL PRIMARY KEY,
    person_id           INTEGER NOT NULL,
    operator_name       TEXT NOT NULL,
    amount_cents        INTEGER NOT NULL CHECK (amount_cents > 0),
    notary_certificate  TEXT NOT NULL,
    account             TEXT NOT NULL,
    paid_on             TEXT NOT NULL
);

INSERT INTO heir_payout_rebuilt (payout_id, person_id, operator_name, amount_cents,
                                 notary_certificate, account, paid_on)
SELECT payout_id, person_id, operator_name, amount_cents, notary_certificate, account, paid_on
FROM heir_payout;

DROP TABLE heir_payout;
ALTER TABLE heir_payout_rebuilt RENAME TO heir_payout;

CREATE INDEX heir_payout_person ON heir_payout (person_id);
