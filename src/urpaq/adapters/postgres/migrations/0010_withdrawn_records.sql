-- Schema version 10 (PostgreSQL): the register withdraws records (programme.md,
-- "Corrections").  A record of kind `record_retracted` names in `retracts` the record it
-- withdraws; any other kind has no `retracts`.  Records stay append-only: a withdrawal is
-- a record of its own, found from the withdrawn one through the unique index on
-- `retracts` (a record is withdrawn at most once).

ALTER TABLE register_record DROP CONSTRAINT register_record_kind_check;
ALTER TABLE register_record ADD CONSTRAINT register_record_kind_check CHECK (kind IN (
    'born_citizen', 'citizenship_acquired', 'citizenship_lost',
    'citizenship_renounced', 'died', 'declared_dead',
    'record_annulled', 'data_updated', 'record_retracted'));
ALTER TABLE register_record ADD COLUMN retracts TEXT COLLATE "C"
    CHECK ((kind = 'record_retracted') = (retracts IS NOT NULL));

CREATE UNIQUE INDEX register_record_retracts ON register_record (retracts)
    WHERE retracts IS NOT NULL;
