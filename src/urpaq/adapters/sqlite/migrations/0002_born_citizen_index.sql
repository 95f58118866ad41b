-- Schema version 2 (SQLite).
-- The close counts people whose only record bearing on participation is citizenship by
-- birth from an index, per birth year (docs/decisions/0004); the person row keeps their
-- birth year and when that record was recorded and imported.  Register records and
-- closed years become strictly append-only.

ALTER TABLE person ADD COLUMN birth_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE person ADD COLUMN sole_birth_recorded_on TEXT;
ALTER TABLE person ADD COLUMN sole_birth_seq INTEGER;

UPDATE person SET birth_year = CAST(substr(birth_date, 1, 4) AS INTEGER);

UPDATE person SET (sole_birth_recorded_on, sole_birth_seq) = (
    SELECT CASE WHEN COUNT(*) = 1 AND MIN(r.kind) = 'born_citizen' THEN MIN(r.recorded_on) END,
           CASE WHEN COUNT(*) = 1 AND MIN(r.kind) = 'born_citizen' THEN MIN(r.seq) END
    FROM register_record r
    WHERE r.person_id = person.person_id AND r.kind != 'data_updated');

CREATE INDEX person_born_citizen ON person (birth_year, sole_birth_recorded_on, sole_birth_seq)
    WHERE sole_birth_seq IS NOT NULL;
CREATE INDEX person_with_events ON person (birth_year, person_id) WHERE sole_birth_seq IS NULL;

DROP INDEX register_record_birth_year;
ALTER TABLE register_record DROP COLUMN birth_year;

DROP TRIGGER year_close_is_final;

CREATE TRIGGER year_close_is_final_update BEFORE UPDATE ON year_close
BEGIN
    SELECT RAISE(ABORT, 'a closed year is final');
END;

CREATE TRIGGER year_close_is_final_delete BEFORE DELETE ON year_close
BEGIN
    SELECT RAISE(ABORT, 'a closed year is final');
END;

-- What the register said is never rewritten: a correction is a new record.
CREATE TRIGGER register_record_is_append_only_update BEFORE UPDATE ON register_record
BEGIN
    SELECT RAISE(ABORT, 'register records are append-only');
END;

CREATE TRIGGER register_record_is_append_only_delete BEFORE DELETE ON register_record
BEGIN
    SELECT RAISE(ABORT, 'register records are append-only');
END;
