-- Schema version 10 (SQLite): the register withdraws records (programme.md, "Corrections").
-- A record of kind `record_retracted` names in `retracts` the record it withdraws; any
-- other kind has no `retracts`.  Records stay append-only: a withdrawal is a record of its
-- own, found from the withdrawn one through the unique index on `retracts` (a record is
-- withdrawn at most once).  SQLite cannot change a CHECK in place, so the table is
-- rebuilt, with its rows, keys and triggers (once, on upgrade).

CREATE TABLE register_record_rebuilt (
    person_id      INTEGER NOT NULL REFERENCES person (person_id),
    seq            INTEGER NOT NULL,
    record_id      TEXT NOT NULL UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN (
                       'born_citizen', 'citizenship_acquired', 'citizenship_lost',
                       'citizenship_renounced', 'died', 'declared_dead',
                       'record_annulled', 'data_updated', 'record_retracted')),
    effective_date TEXT NOT NULL,
    recorded_on    TEXT NOT NULL CHECK (recorded_on >= effective_date),
    region         TEXT,
    batch_id       INTEGER NOT NULL REFERENCES import_batch (batch_id),
    retracts       TEXT CHECK ((kind = 'record_retracted') = (retracts IS NOT NULL)),
    PRIMARY KEY (person_id, seq)
) WITHOUT ROWID;

INSERT INTO register_record_rebuilt (person_id, seq, record_id, kind, effective_date,
                                     recorded_on, region, batch_id)
SELECT person_id, seq, record_id, kind, effective_date, recorded_on, region, batch_id
FROM register_record ORDER BY person_id, seq;

DROP TABLE register_record;
ALTER TABLE register_record_rebuilt RENAME TO register_record;

CREATE UNIQUE INDEX register_record_retracts ON register_record (retracts)
    WHERE retracts IS NOT NULL;

CREATE TRIGGER register_record_is_append_only_update BEFORE UPDATE ON register_record
BEGIN
    SELECT RAISE(ABORT, 'register records are append-only');
END;

CREATE TRIGGER register_record_is_append_only_delete BEFORE DELETE ON register_record
BEGIN
    SELECT RAISE(ABORT, 'register records are append-only');
END;
