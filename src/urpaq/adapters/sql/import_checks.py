"""The import's checks that need more than one record, as named SQL.

Each check is a refusal code (documented in docs/register-feed.md) and one statement
that writes the reason into `staged.reason` for the rows it refuses.  They run in the
order of `IMPORT_STEPS`, between the steps that prepare what the next checks need; each
sees only rows that are still valid, so a row's reason is the first check it fails.
The single-record checks live in the domain (`domain/register.py: parse_record`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CrossRowCheck:
    """A refusal code and the statement that refuses the staged rows it names."""

    code: str
    sql: str


@dataclass(frozen=True, slots=True)
class Step:
    """A statement that prepares what later checks, or the import, need."""

    sql: str


RECORD_ID_REPEATED = CrossRowCheck(
    "record_id_repeated",
    # The same record_id twice in one file: the first stands.
    """UPDATE staged SET reason = 'record_id ''' || staged.record_id
           || ''' appears again (first on line ' || twice.first_line || ')'
       FROM (SELECT record_id, MIN(line) AS first_line FROM staged
             WHERE reason IS NULL GROUP BY record_id HAVING COUNT(*) > 1) AS twice
       WHERE staged.record_id = twice.record_id AND staged.reason IS NULL
         AND staged.line > twice.first_line""",
)

RECORD_CHANGED = CrossRowCheck(
    "record_changed",
    # A record imported before with other content (the same content is a no-op).
    """UPDATE staged SET reason = 'record_id ''' || record_id
           || ''' was imported before with different content'
       WHERE reason IS NULL AND unchanged = 0 AND EXISTS (
           SELECT 1 FROM register_record r WHERE r.record_id = staged.record_id)""",
)

SECOND_BIRTH = CrossRowCheck(
    "second_birth_record",
    # Citizenship by birth is stated once per person.
    """UPDATE staged SET reason = 'IIN ' || staged.iin || ' already has a born_citizen record'
       FROM (SELECT person_id, MIN(line) AS first_line FROM staged
             WHERE reason IS NULL AND unchanged = 0 AND kind = 'born_citizen'
             GROUP BY person_id) AS born
       WHERE staged.person_id = born.person_id AND staged.reason IS NULL
         AND staged.unchanged = 0 AND staged.kind = 'born_citizen'
         AND (staged.line > born.first_line OR (staged.person_id <= :before AND EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id AND r.kind = 'born_citizen')))""",
)

AFTER_DEATH = CrossRowCheck(
    "after_death",
    # Nobody gains or loses citizenship after their death.
    """UPDATE staged SET reason = kind || ' on ' || effective_date
           || ' is after the death of IIN ' || iin || ' on '
           || (SELECT d.died_on FROM death d WHERE d.person_id = staged.person_id)
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('born_citizen', 'citizenship_acquired',
                      'citizenship_lost', 'citizenship_renounced')
         AND person_id IN (SELECT person_id FROM death)
         AND effective_date > (SELECT d.died_on FROM death d
                               WHERE d.person_id = staged.person_id)""",
)

LOSS_WITHOUT_CITIZENSHIP = CrossRowCheck(
    "loss_without_citizenship",
    # Citizenship can be lost or renounced only by someone who had it.
    """UPDATE staged SET reason = kind || ' on ' || effective_date || ' but IIN ' || iin
           || ' was not a citizen by then'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('citizenship_lost', 'citizenship_renounced')
         AND NOT EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id
               AND r.kind IN ('born_citizen', 'citizenship_acquired')
               AND r.effective_date <= staged.effective_date)
         AND NOT EXISTS (
             SELECT 1 FROM staged s
             WHERE s.person_id = staged.person_id AND s.reason IS NULL
               AND s.kind IN ('born_citizen', 'citizenship_acquired')
               AND s.effective_date <= staged.effective_date)""",
)

PERSON_UNKNOWN = CrossRowCheck(
    "person_unknown",
    # Updates and annulments are about a person the register already knows.
    """UPDATE staged SET reason = kind || ' for IIN ' || iin
           || ' which has no citizenship or death record'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('data_updated', 'record_annulled')
         AND NOT EXISTS (
             SELECT 1 FROM register_record r
             WHERE r.person_id = staged.person_id
               AND r.kind NOT IN ('data_updated', 'record_annulled'))
         AND NOT EXISTS (
             SELECT 1 FROM staged s
             WHERE s.person_id = staged.person_id AND s.reason IS NULL
               AND s.kind NOT IN ('data_updated', 'record_annulled'))""",
)

#: Every cross-row check, in the order they run.
CROSS_ROW_CHECKS = (
    RECORD_ID_REPEATED,
    RECORD_CHANGED,
    SECOND_BIRTH,
    AFTER_DEATH,
    LOSS_WITHOUT_CITIZENSHIP,
    PERSON_UNKNOWN,
)

IMPORT_STEPS: tuple[Step | CrossRowCheck, ...] = (
    Step("CREATE INDEX IF NOT EXISTS staged_record_id ON staged (record_id)"),
    RECORD_ID_REPEATED,
    # A record imported before with the same content changes nothing.
    Step(
        """UPDATE staged SET unchanged = 1
       WHERE reason IS NULL AND EXISTS (
           SELECT 1 FROM register_record r JOIN person p ON p.person_id = r.person_id
           WHERE r.record_id = staged.record_id AND p.iin = staged.iin
             AND r.kind = staged.kind AND r.effective_date = staged.effective_date
             AND r.recorded_on = staged.recorded_on
             AND (r.region = staged.region OR (r.region IS NULL AND staged.region IS NULL)))"""
    ),
    RECORD_CHANGED,
    # New people get their person id in the order they first appear.  For someone whose
    # file has one record, region and sole birth record are known now; people with more
    # records, or records refused later, are brought up to date after the checks.
    Step(
        """INSERT INTO person (iin, birth_date, birth_year, is_male, region,
                           sole_birth_recorded_on, sole_birth_seq)
       SELECT iin, MIN(birth_date), CAST(substr(MIN(birth_date), 1, 4) AS INTEGER), MIN(is_male),
              MIN(region),
              CASE WHEN COUNT(*) = 1 AND MIN(kind) = 'born_citizen' THEN MIN(recorded_on) END,
              CASE WHEN COUNT(*) = 1 AND MIN(kind) = 'born_citizen' THEN :base + MIN(line) END
       FROM staged
       WHERE reason IS NULL AND unchanged = 0
         AND iin NOT IN (SELECT iin FROM person)
       GROUP BY iin ORDER BY MIN(line)"""
    ),
    Step(
        """UPDATE staged SET person_id = p.person_id
       FROM person p
       WHERE p.iin = staged.iin AND staged.reason IS NULL AND staged.unchanged = 0"""
    ),
    Step("CREATE INDEX IF NOT EXISTS staged_person ON staged (person_id, kind)"),
    SECOND_BIRTH,
    # Deaths known after this file, for the checks that follow.
    Step(
        """CREATE TEMP TABLE death AS
       SELECT person_id, MIN(effective_date) AS died_on FROM (
           SELECT person_id, effective_date FROM register_record
           WHERE kind IN ('died', 'declared_dead')
             AND person_id IN (SELECT person_id FROM staged
                               WHERE reason IS NULL AND person_id <= :before)
           UNION ALL
           SELECT person_id, effective_date FROM staged
           WHERE reason IS NULL AND unchanged = 0 AND kind IN ('died', 'declared_dead')
       ) AS known_death
       GROUP BY person_id"""
    ),
    AFTER_DEATH,
    LOSS_WITHOUT_CITIZENSHIP,
    PERSON_UNKNOWN,
    Step("DROP TABLE death"),
)
