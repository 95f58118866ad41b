"""The import's checks that need more than one record, as named SQL.

Each check is a refusal code (documented in docs/register-feed.md) and one statement
that writes the reason into `reason` for the rows it refuses.  They run in the order of
`CHECK_STEPS`, between the steps that prepare what the next checks need; each sees only
rows that are still valid, so a row's reason is the first check it fails.  The
single-record checks live in the domain (`domain/register.py: parse_record`).

The checks run before the import takes the writer, in one read snapshot of the register,
on temporary tables only (docs/decisions/0010): `staged` holds the rows of the file that
passed their own checks, `refused` those that did not; `known` the people of the file
the register knows (among those with rows not imported before); `crowd` the only rows a
check about a person can refuse — the rows of people with more than one row in the file
or known to the register, and the kinds refused when they stand alone.  A row outside
`crowd` is either one imported before with the same content (`unchanged`: it is in the
register, where the checks find it) or the only record of a person new to the register,
and a birth, an acquired citizenship or a death: nothing of the others or of the
register can refuse it.  So the checks about people cost what the file's new rows of
people with a history cost, not what the register holds.
Where the register is looked up row by row, the lookup is a scalar subquery: no query
planner can turn it into a scan of the whole register joined to the file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CrossRowCheck:
    """A refusal code and the statement that refuses the staged rows it names."""

    code: str
    sql: str
    #: Whether it can refuse anything only when the register holds records.
    needs_register: bool = False
    #: `"refused"` if it refuses rows of `staged` itself (the others refuse rows of
    #: `crowd`), for the import's counts, as `Step.marks`.
    marks: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """A statement that prepares what later checks, or the import, need."""

    sql: str
    needs_register: bool = False
    #: A temporary table this step fills, whose statistics the query planner then needs.
    fills: str | None = None
    #: A unique index tried first: if it can be built, the values repeat nowhere, and
    #: the check of that name can refuse nothing (it is then not run); if not, `sql`.
    unique: str | None = None
    unless_unique: str | None = None
    #: What the rows it changes are, for the import's counts: refused rows of `staged`
    #: (`"refused"`), rows imported before unchanged (`"unchanged"`), or, in a staged
    #: table whose rows were all presumed unchanged, the rows that are not
    #: (`"not_unchanged"`).
    marks: str | None = None


GAINS = "('born_citizen', 'citizenship_acquired')"
LOSSES = "('citizenship_lost', 'citizenship_renounced')"
#: A record `r` of the register that no withdrawal of the register names.
NOT_WITHDRAWN = "NOT EXISTS (SELECT 1 FROM register_record x WHERE x.retracts = r.record_id)"

RECORD_ID_REPEATED = CrossRowCheck(
    "record_id_repeated",
    # The same record_id twice in one file: the first stands.  It is the first check, so
    # every staged row is still valid: the index on record_id answers it alone.
    """UPDATE staged SET reason = 'record_id ''' || record_id
           || ''' appears again (first on line ' || (
               SELECT MIN(s.line) FROM staged s WHERE s.record_id = staged.record_id) || ')'
       WHERE line IN (
           SELECT s.line
           FROM (SELECT record_id, MIN(line) AS first_line FROM staged
                 GROUP BY record_id HAVING COUNT(*) > 1) AS twice
           JOIN staged s ON s.record_id = twice.record_id
           WHERE s.line > twice.first_line)""",
    marks="refused",
)


RECORD_CHANGED = CrossRowCheck(
    "record_changed",
    # A record imported before with other content (the same content is a no-op).
    """UPDATE staged SET reason = 'record_id ''' || record_id
           || ''' was imported before with different content'
       WHERE reason IS NULL AND unchanged = 0 AND (
           SELECT 1 FROM register_record r WHERE r.record_id = staged.record_id) IS NOT NULL""",
    needs_register=True,
    marks="refused",
)

SECOND_BIRTH = CrossRowCheck(
    "second_birth_record",
    # Citizenship by birth is stated once per person (a withdrawn one no longer counts).
    f"""UPDATE crowd SET reason = 'IIN ' || crowd.iin || ' already has a born_citizen record'
       FROM (SELECT iin, MIN(line) AS first_line FROM crowd
             WHERE reason IS NULL AND unchanged = 0 AND kind = 'born_citizen'
             GROUP BY iin) AS born
       WHERE crowd.iin = born.iin AND crowd.reason IS NULL
         AND crowd.unchanged = 0 AND crowd.kind = 'born_citizen'
         AND (crowd.line > born.first_line OR (
             SELECT 1 FROM known k JOIN register_record r ON r.person_id = k.person_id
             WHERE k.iin = crowd.iin AND r.kind = 'born_citizen' AND {NOT_WITHDRAWN}
             LIMIT 1) IS NOT NULL)""",
)

AFTER_DEATH = CrossRowCheck(
    "after_death",
    # Nobody gains or loses citizenship after their death.
    """UPDATE crowd SET reason = kind || ' on ' || effective_date
           || ' is after the death of IIN ' || iin || ' on '
           || (SELECT d.died_on FROM death d WHERE d.iin = crowd.iin)
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('born_citizen', 'citizenship_acquired',
                      'citizenship_lost', 'citizenship_renounced')
         AND iin IN (SELECT iin FROM death)
         AND effective_date > (SELECT d.died_on FROM death d WHERE d.iin = crowd.iin)""",
)

LOSS_WITHOUT_CITIZENSHIP = CrossRowCheck(
    "loss_without_citizenship",
    # Citizenship can be lost or renounced only by someone who had it.
    f"""UPDATE crowd SET reason = kind || ' on ' || effective_date || ' but IIN ' || iin
           || ' was not a citizen by then'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN {LOSSES}
         AND (
             SELECT 1 FROM known k JOIN register_record r ON r.person_id = k.person_id
             WHERE k.iin = crowd.iin AND r.kind IN {GAINS}
               AND r.effective_date <= crowd.effective_date LIMIT 1) IS NULL
         AND NOT EXISTS (
             SELECT 1 FROM crowd s
             WHERE s.iin = crowd.iin AND s.reason IS NULL
               AND s.kind IN {GAINS} AND s.effective_date <= crowd.effective_date)""",
)

PERSON_UNKNOWN = CrossRowCheck(
    "person_unknown",
    # Updates and annulments are about a person the register already knows, or whom a
    # record of this file makes known: not a withdrawal, which withdraws a record of a
    # person known already (and may itself be refused by the checks after this one).
    """UPDATE crowd SET reason = kind || ' for IIN ' || iin
           || ' which has no citizenship or death record'
       WHERE reason IS NULL AND unchanged = 0
         AND kind IN ('data_updated', 'record_annulled')
         AND (
             SELECT 1 FROM known k JOIN register_record r ON r.person_id = k.person_id
             WHERE k.iin = crowd.iin AND r.kind NOT IN ('data_updated', 'record_annulled')
             LIMIT 1) IS NULL
         AND NOT EXISTS (
             SELECT 1 FROM crowd s
             WHERE s.iin = crowd.iin AND s.reason IS NULL
               AND s.kind NOT IN ('data_updated', 'record_annulled', 'record_retracted'))""",
)

#: The withdrawals of the file still valid, with the record each names (`named`).
_WITHDRAWALS = """UPDATE crowd SET reason = {reason}
       FROM named
       WHERE named.line = crowd.line AND crowd.reason IS NULL AND {condition}"""


def _quoted(column: str) -> str:
    """A column's value in single quotes, inside a reason."""
    return f"'''' || {column} || ''''"


RETRACTS_UNKNOWN = CrossRowCheck(
    "retracts_unknown",
    # A withdrawal names a record of the register, or one accepted earlier in the file.
    _WITHDRAWALS.format(
        reason=f"'retracts ' || {_quoted('named.retracts')} || ' names no record of the "
        "register or accepted earlier in this file'",
        condition="named.iin IS NULL",
    ),
)

RETRACTS_OTHER_PERSON = CrossRowCheck(
    "retracts_other_person",
    _WITHDRAWALS.format(
        reason=f"'retracts ' || {_quoted('named.retracts')} || ' names a record of another "
        "person, not of IIN ' || crowd.iin",
        condition="named.iin <> crowd.iin",
    ),
)

RETRACTS_WITHDRAWAL = CrossRowCheck(
    "retracts_withdrawal",
    _WITHDRAWALS.format(
        reason=f"'retracts ' || {_quoted('named.retracts')} || ' names a withdrawal, which "
        "cannot itself be withdrawn'",
        condition="named.kind = 'record_retracted'",
    ),
)

RETRACTS_LATER_RECORD = CrossRowCheck(
    "retracts_later_record",
    # The register withdraws only what it had recorded by then.
    _WITHDRAWALS.format(
        reason=f"'retracts ' || {_quoted('named.retracts')} || ' recorded on ' || "
        "named.recorded_on || ', after this withdrawal recorded on ' || crowd.recorded_on",
        condition="named.recorded_on > crowd.recorded_on",
    ),
)

#: An earlier withdrawal in the file of the record that the row `crowd` withdraws.
_EARLIER_WITHDRAWAL = """SELECT {column} FROM crowd e
            WHERE e.iin = crowd.iin AND e.kind = 'record_retracted' AND e.reason IS NULL
              AND e.unchanged = 0 AND e.retracts = crowd.retracts AND e.line < crowd.line"""
#: The withdrawal that stands, of those: the first in the file (any later one is refused
#: by this check; naming the least record id named one refused, and which one is least
#: depended on the database's collation).
_STANDING_WITHDRAWAL = _EARLIER_WITHDRAWAL.format(column="e.record_id") + " ORDER BY e.line LIMIT 1"

ALREADY_RETRACTED = CrossRowCheck(
    "already_retracted",
    # A record is withdrawn once: by the register before, or earlier in the file.
    _WITHDRAWALS.format(
        reason=f"'record ' || {_quoted('named.retracts')} || ' is already withdrawn by ' || "
        + _quoted("COALESCE(named.withdrawn_by, (" + _STANDING_WITHDRAWAL + "))"),
        condition="(named.withdrawn_by IS NOT NULL OR EXISTS ("
        + _EARLIER_WITHDRAWAL.format(column="1")
        + "))",
    ),
)

#: Every cross-row check, in the order they run.
CROSS_ROW_CHECKS = (
    RECORD_ID_REPEATED,
    RECORD_CHANGED,
    SECOND_BIRTH,
    AFTER_DEATH,
    LOSS_WITHOUT_CITIZENSHIP,
    PERSON_UNKNOWN,
    RETRACTS_UNKNOWN,
    RETRACTS_OTHER_PERSON,
    RETRACTS_WITHDRAWAL,
    RETRACTS_LATER_RECORD,
    ALREADY_RETRACTED,
)

#: A value of the register's record that a withdrawal `c` names (null if none).
_NAMED_IN_REGISTER = """(SELECT {column} FROM register_record r
                 JOIN person p ON p.person_id = r.person_id WHERE r.record_id = c.retracts)"""

#: People with more than one row in the file.  The staging counts the file's IINs as it
#: goes and fills `multi` (`MULTI_TABLE`) itself, without grouping the staged rows; this
#: statement says what it holds, and fills it where the staging could not count.
MULTI = Step(
    """CREATE TEMP TABLE multi AS
       SELECT iin FROM staged WHERE iin IS NOT NULL GROUP BY iin HAVING COUNT(*) > 1""",
    fills="multi",
)
MULTI_TABLE = "CREATE TEMP TABLE multi (iin TEXT NOT NULL)"

#: Once the rows are staged: what every check needs, whatever the register holds.
PREPARE_STEPS = (
    # A file names each record once, as a rule: the unique index then shows it with no
    # grouping of the whole file.
    Step(
        "CREATE INDEX staged_record_id ON staged (record_id)",
        unique="CREATE UNIQUE INDEX staged_record_id ON staged (record_id)",
        unless_unique=RECORD_ID_REPEATED.code,
    ),
    MULTI,
    Step("CREATE UNIQUE INDEX multi_iin ON multi (iin)"),
)

#: 1 if a staged row is a record imported before with the same content (it changes
#: nothing), else NULL.
_STORED_THE_SAME = """(
           SELECT 1 FROM register_record r JOIN person p ON p.person_id = r.person_id
           WHERE r.record_id = staged.record_id AND p.iin = staged.iin
             AND r.kind = staged.kind AND r.effective_date = staged.effective_date
             AND r.recorded_on = staged.recorded_on
             AND (r.region = staged.region OR (r.region IS NULL AND staged.region IS NULL))
             AND (r.retracts = staged.retracts
                  OR (r.retracts IS NULL AND staged.retracts IS NULL))
       )"""

# A record imported before with the same content changes nothing.  Staged rows come in
# presumed new (`unchanged` 0) while the register is empty, and presumed unchanged (1)
# once it holds records (`ImportStaging.stage`): the step that tells them apart then
# rewrites only the rows that are not what the presumption says — in a register sent
# again whole, its new rows, not every row of the file (docs/decisions/0023).

#: Presumed new: the rows imported before with the same content are marked.
UNCHANGED_MARKED = Step(
    f"UPDATE staged SET unchanged = 1 WHERE reason IS NULL AND {_STORED_THE_SAME} IS NOT NULL",
    needs_register=True,
    marks="unchanged",
)
#: Presumed unchanged: every other row is cleared, the refused ones too.
UNCHANGED_CLEARED = Step(
    f"""UPDATE staged SET unchanged = 0
       WHERE unchanged = 1 AND (reason IS NOT NULL OR {_STORED_THE_SAME} IS NULL)""",
    marks="not_unchanged",
)
#: Every staged row back to its presumption, before the checks run again.
UNCHANGED_RESET = Step("UPDATE staged SET unchanged = 0 WHERE unchanged = 1")
UNCHANGED_RESET_PRESUMED = Step("UPDATE staged SET unchanged = 1 WHERE unchanged = 0")

#: The steps a staged table presumed unchanged runs in place of the ones above.
PRESUMED_UNCHANGED = {
    UNCHANGED_MARKED: UNCHANGED_CLEARED,
    UNCHANGED_RESET: UNCHANGED_RESET_PRESUMED,
}

#: Undoes what the checks wrote, before they run again on a register that changed.
RESET_STEPS = (
    Step("UPDATE staged SET reason = NULL WHERE reason IS NOT NULL"),
    UNCHANGED_RESET,
    Step("DROP TABLE IF EXISTS known"),
    Step("DROP TABLE IF EXISTS crowd"),
    Step("DROP TABLE IF EXISTS death"),
    Step("DROP TABLE IF EXISTS named"),
)

CHECK_STEPS: tuple[Step | CrossRowCheck, ...] = (
    RECORD_ID_REPEATED,
    UNCHANGED_MARKED,
    RECORD_CHANGED,
    # The people of this file whom the register knows, among those with rows that can
    # change it: a record imported before with the same content is in the register, and
    # the checks find it there (a register sent again whole costs its new rows).
    Step("CREATE TEMP TABLE known (person_id BIGINT NOT NULL, iin TEXT NOT NULL)"),
    Step(
        """INSERT INTO known (person_id, iin)
       SELECT person_id, iin FROM (
           SELECT (SELECT p.person_id FROM person p WHERE p.iin = s.iin) AS person_id, s.iin
           FROM (SELECT DISTINCT iin FROM staged
                 WHERE reason IS NULL AND unchanged = 0) AS s) AS found
       WHERE person_id IS NOT NULL""",
        needs_register=True,
        fills="known",
    ),
    Step("CREATE UNIQUE INDEX known_iin ON known (iin)"),
    # The rows that a check about a person can refuse (see the module's docstring).
    Step(
        f"""CREATE TEMP TABLE crowd AS
       SELECT line, record_id, iin, kind, effective_date, recorded_on, region, birth_date,
              is_male, retracts, reason, unchanged
       FROM staged
       WHERE reason IS NULL AND unchanged = 0
         AND (kind IN {LOSSES} OR kind IN ('data_updated', 'record_annulled', 'record_retracted')
              OR iin IN (SELECT iin FROM multi) OR iin IN (SELECT iin FROM known))""",
        fills="crowd",
    ),
    Step("CREATE INDEX crowd_iin ON crowd (iin, kind)"),
    SECOND_BIRTH,
    # Deaths known after this file, for the checks that follow.
    Step(
        f"""CREATE TEMP TABLE death AS
       SELECT iin, MIN(effective_date) AS died_on FROM (
           SELECT k.iin, (SELECT MIN(r.effective_date) FROM register_record r
                          WHERE r.person_id = k.person_id
                            AND r.kind IN ('died', 'declared_dead')
                            AND {NOT_WITHDRAWN}) AS effective_date
           FROM known k
           UNION ALL
           SELECT iin, effective_date FROM crowd
           WHERE reason IS NULL AND unchanged = 0 AND kind IN ('died', 'declared_dead')
       ) AS known_death
       WHERE effective_date IS NOT NULL
       GROUP BY iin""",
        fills="death",
    ),
    Step("CREATE UNIQUE INDEX death_iin ON death (iin)"),
    AFTER_DEATH,
    LOSS_WITHOUT_CITIZENSHIP,
    PERSON_UNKNOWN,
    # Each withdrawal with the record it names: in the register, else the first valid
    # row of the file before it with that record_id.
    Step(
        f"""CREATE TEMP TABLE named AS
       SELECT c.line AS line, c.retracts AS retracts,
              (SELECT x.record_id FROM register_record x
               WHERE x.retracts = c.retracts) AS withdrawn_by,
              (SELECT MIN(s.line) FROM staged s
               WHERE s.record_id = c.retracts AND s.line < c.line
                 AND s.reason IS NULL AND s.unchanged = 0) AS file_line,
              {_NAMED_IN_REGISTER.format(column="p.iin")} AS iin,
              {_NAMED_IN_REGISTER.format(column="r.kind")} AS kind,
              {_NAMED_IN_REGISTER.format(column="r.recorded_on")} AS recorded_on
       FROM crowd c
       WHERE c.kind = 'record_retracted' AND c.reason IS NULL AND c.unchanged = 0""",
        fills="named",
    ),
    Step(
        """UPDATE named SET iin = s.iin, kind = s.kind, recorded_on = s.recorded_on
       FROM staged s
       WHERE named.iin IS NULL AND named.file_line IS NOT NULL
         AND s.record_id = named.retracts AND s.line = named.file_line
         AND NOT EXISTS (SELECT 1 FROM crowd v
                         WHERE v.iin = s.iin AND v.line = s.line AND v.reason IS NOT NULL)"""
    ),
    RETRACTS_UNKNOWN,
    RETRACTS_OTHER_PERSON,
    RETRACTS_WITHDRAWAL,
    RETRACTS_LATER_RECORD,
    ALREADY_RETRACTED,
    # The refusals about people, back onto the file's rows.
    Step(
        """UPDATE staged SET reason = crowd.reason
       FROM crowd WHERE crowd.line = staged.line AND crowd.reason IS NOT NULL""",
        marks="refused",
    ),
)

#: How many rows are stored, unchanged and refused, and the last line (one pass).  The
#: staging counts the same as the checks run, from the rows each step changed; this is
#: what those counts must equal (tests compare them).
COUNTS = """SELECT COALESCE(SUM(CASE WHEN reason IS NULL AND unchanged = 0 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(unchanged), 0),
                   COALESCE(SUM(CASE WHEN reason IS NOT NULL THEN 1 ELSE 0 END), 0)
                       + (SELECT COUNT(*) FROM refused),
                   COALESCE((SELECT MAX(line) FROM (SELECT MAX(line) AS line FROM staged
                              UNION ALL SELECT MAX(line) FROM refused) AS ends), 0)
            FROM staged"""
