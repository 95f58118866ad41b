-- Schema version 9 (PostgreSQL): the check that every new register record belongs to a
-- known person and import batch costs what the import adds, not what the register holds.
-- It hashed every person of the register for each import, a daily feed of a few
-- thousand records included; now a small import looks each of its people up by key, and
-- only an import that adds at least a tenth of the people there hashes them all.
CREATE OR REPLACE FUNCTION register_record_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    added BIGINT;
    people REAL;
BEGIN
    SELECT COUNT(*) INTO added FROM new_records;
    SELECT reltuples INTO people FROM pg_class WHERE oid = 'person'::regclass;
    IF added * 10 >= people THEN
        IF EXISTS (SELECT 1 FROM new_records n
                   WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.person_id = n.person_id)
                      OR NOT EXISTS (SELECT 1 FROM import_batch b WHERE b.batch_id = n.batch_id)) THEN
            RAISE EXCEPTION 'register record of an unknown person or import batch';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM new_records n
                  WHERE (SELECT p.person_id FROM person p WHERE p.person_id = n.person_id) IS NULL
                     OR (SELECT b.batch_id FROM import_batch b WHERE b.batch_id = n.batch_id) IS NULL) THEN
        RAISE EXCEPTION 'register record of an unknown person or import batch';
    END IF;
    RETURN NULL;
END $$;
