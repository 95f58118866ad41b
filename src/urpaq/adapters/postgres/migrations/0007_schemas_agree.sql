-- Schema version 7 (PostgreSQL): every text column compares bytes, as on SQLite.
-- Migrations 1–6 put the "C" collation on dates and keys only; the other text columns
-- took the database's locale, so that `ORDER BY name` (operators), the payout summary's
-- order and the ledger's order of kinds depended on how the database was created.  A
-- collation-only change rewrites no table; the indexes on the changed columns are rebuilt.
-- (SQLite's migration 0007 makes its payout ids NOT NULL; nothing else changes here.)

ALTER TABLE person
    ALTER COLUMN region TYPE TEXT COLLATE "C";

ALTER TABLE import_batch
    ALTER COLUMN sha256 TYPE TEXT COLLATE "C",
    ALTER COLUMN source TYPE TEXT COLLATE "C";

ALTER TABLE register_record
    ALTER COLUMN kind TYPE TEXT COLLATE "C",
    ALTER COLUMN region TYPE TEXT COLLATE "C";

ALTER TABLE rejected_record
    ALTER COLUMN record_id TYPE TEXT COLLATE "C",
    ALTER COLUMN reason TYPE TEXT COLLATE "C";

ALTER TABLE year_parameters
    ALTER COLUMN ii_rate TYPE TEXT COLLATE "C",
    ALTER COLUMN reference TYPE TEXT COLLATE "C";

ALTER TABLE year_close
    ALTER COLUMN ii_rate TYPE TEXT COLLATE "C",
    ALTER COLUMN result_json TYPE TEXT COLLATE "C";

ALTER TABLE journal_entry
    ALTER COLUMN content_hash TYPE TEXT COLLATE "C",
    ALTER COLUMN kind TYPE TEXT COLLATE "C";

ALTER TABLE authorised_operator
    ALTER COLUMN name TYPE TEXT COLLATE "C",
    ALTER COLUMN purposes TYPE TEXT COLLATE "C";

ALTER TABLE payout
    ALTER COLUMN operator_name TYPE TEXT COLLATE "C",
    ALTER COLUMN purpose TYPE TEXT COLLATE "C",
    ALTER COLUMN sub_purpose TYPE TEXT COLLATE "C",
    ALTER COLUMN account TYPE TEXT COLLATE "C",
    ALTER COLUMN status TYPE TEXT COLLATE "C",
    ALTER COLUMN documents TYPE TEXT COLLATE "C";

ALTER TABLE idempotency_record
    ALTER COLUMN fingerprint TYPE TEXT COLLATE "C",
    ALTER COLUMN body TYPE TEXT COLLATE "C";

ALTER TABLE audit_event
    ALTER COLUMN actor TYPE TEXT COLLATE "C",
    ALTER COLUMN action TYPE TEXT COLLATE "C",
    ALTER COLUMN request_id TYPE TEXT COLLATE "C";

ALTER TABLE heir_payout
    ALTER COLUMN operator_name TYPE TEXT COLLATE "C",
    ALTER COLUMN notary_certificate TYPE TEXT COLLATE "C",
    ALTER COLUMN account TYPE TEXT COLLATE "C";

ALTER TABLE participant_count
    ALTER COLUMN region TYPE TEXT COLLATE "C";
