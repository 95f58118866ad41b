-- Schema version 2 (PostgreSQL).
-- The close counts people whose only record bearing on participation is citizenship by
-- birth from an index, per birth year (docs/decisions/0004); the person row keeps their
-- birth year and when that record was recorded and imported.  Register records and
-- closed years become strictly append-only.

ALTER TABLE person ADD COLUMN birth_year INTEGER;
ALTER TABLE person ADD COLUMN sole_birth_recorded_on TEXT COLLATE "C";
ALTER TABLE person ADD COLUMN sole_birth_seq BIGINT;

UPDATE person SET birth_year = CAST(substr(birth_date, 1, 4) AS INTEGER);
ALTER TABLE person ALTER COLUMN birth_year SET NOT NULL;

UPDATE person SET (sole_birth_recorded_on, sole_birth_seq) = (
    SELECT CASE WHEN COUNT(*) = 1 AND MIN(r.kind) = 'born_citizen' THEN MIN(r.recorded_on) END,
           CASE WHEN COUNT(*) = 1 AND MIN(r.kind) = 'born_citizen' THEN MIN(r.seq) END
    FROM register_record r
    WHERE r.person_id = person.person_id AND r.kind <> 'data_updated');

CREATE INDEX person_born_citizen ON person (birth_year, sole_birth_recorded_on, sole_birth_seq)
    WHERE sole_birth_seq IS NOT NULL;
CREATE INDEX person_with_events ON person (birth_year, person_id) WHERE sole_birth_seq IS NULL;

DROP INDEX register_record_birth_year;
ALTER TABLE register_record DROP COLUMN birth_year;

DROP TRIGGER year_close_is_final ON year_close;
CREATE TRIGGER year_close_is_final BEFORE UPDATE OR DELETE ON year_close
FOR EACH ROW EXECUTE FUNCTION refuse_change('a closed year is final');
CREATE TRIGGER year_close_is_final_truncate BEFORE TRUNCATE ON year_close
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('a closed year is final');

-- What the register said is never rewritten: a correction is a new record.
CREATE TRIGGER register_record_is_append_only BEFORE UPDATE OR DELETE ON register_record
FOR EACH ROW EXECUTE FUNCTION refuse_change('register records are append-only');
CREATE TRIGGER register_record_is_append_only_truncate BEFORE TRUNCATE ON register_record
FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('register records are append-only');
