"""The participation rule of `urpaq.domain.participation`, as set-based SQL.

Most people have one record that bears on participation: citizenship by birth.  Their
standing in any view depends only on their birth year and on when that record was
recorded and imported, which the person row keeps (`sole_birth_recorded_on`,
`sole_birth_seq`); the close counts them per birth year from one index, without
grouping records.  Everyone else — people who acquired, lost or renounced citizenship,
died, or whose record was annulled — is grouped by person over their records, in one pass
that yields their standing in two views at once: the previous close's and this one's.

`tests/test_standing_sql.py` holds the SQL to agreement with the domain rule on
generated histories.
"""

from __future__ import annotations

import datetime as dt

from urpaq.domain.participation import AGE_SPAN_YEARS, FIRST_REPORTING_YEAR, View

GAINS = "('born_citizen', 'citizenship_acquired')"
LOSSES = "('citizenship_lost', 'citizenship_renounced')"
DEATHS = "('died', 'declared_dead')"
NOT_BEARING = "('data_updated', 'record_retracted')"

#: People whose records need grouping: anyone with more than citizenship by birth.
WITH_EVENTS = "p.sole_birth_seq IS NULL"


def _at_least_first_year(year: str) -> str:
    """The later of a year and the programme's first (written to run on any SQL)."""
    return f"CASE WHEN {year} > {FIRST_REPORTING_YEAR} THEN {year} ELSE {FIRST_REPORTING_YEAR} END"


def _aggregates(p: str) -> str:
    # A record counts in a view when the view sees it and does not see its withdrawal
    # (`x`, the record that withdraws `r`, if any).
    recorded = f"r.recorded_on <= :as_of_{p} AND r.seq <= :watermark_{p}"
    withdrawn = f"x.seq IS NOT NULL AND x.recorded_on <= :as_of_{p} AND x.seq <= :watermark_{p}"
    seen = f"{recorded} AND NOT ({withdrawn})"
    dated = f"{seen} AND r.effective_date <= :end_{p}"
    return f"""
        MAX(CASE WHEN {seen} AND r.kind = 'record_annulled' THEN 1 ELSE 0 END) AS annulled_{p},
        MAX(CASE WHEN {recorded} AND {withdrawn} THEN 1 ELSE 0 END) AS withdrew_{p},
        MAX(CASE WHEN {seen} AND r.kind NOT IN {NOT_BEARING} THEN 1 ELSE 0 END) AS remains_{p},
        MAX(CASE WHEN {dated} AND r.kind IN {DEATHS} THEN 1 ELSE 0 END) AS dead_{p},
        MIN(CASE WHEN {dated} AND r.kind IN {GAINS} THEN r.effective_date END) AS first_gain_{p},
        MAX(CASE WHEN {dated} AND r.kind IN {GAINS} THEN r.effective_date END) AS last_gain_{p},
        MAX(CASE WHEN {dated} AND r.kind IN {LOSSES} THEN r.effective_date END) AS last_loss_{p}"""


def _annulled(p: str) -> str:
    """An annulment seen, or every record that bears on taking part withdrawn."""
    return f"(a.annulled_{p} = 1 OR (a.withdrew_{p} = 1 AND a.remains_{p} = 0))"


def _standing(p: str) -> str:
    # The start of the current citizenship is the first gain after the last loss; the
    # correlated look-up runs only for the few people who ever lost citizenship.
    start = f"""CASE WHEN a.last_loss_{p} IS NULL THEN a.first_gain_{p} ELSE (
            SELECT MIN(g.effective_date) FROM register_record g
            WHERE g.person_id = a.person_id AND g.kind IN {GAINS}
              AND g.recorded_on <= :as_of_{p} AND g.seq <= :watermark_{p}
              AND g.effective_date <= :end_{p} AND g.effective_date > a.last_loss_{p}
              AND NOT EXISTS (
                  SELECT 1 FROM register_record y WHERE y.retracts = g.record_id
                    AND y.recorded_on <= :as_of_{p} AND y.seq <= :watermark_{p})) END"""
    return f"""
        CASE WHEN {_annulled(p)} THEN 'annulled'
             WHEN a.dead_{p} = 1 THEN 'deceased'
             WHEN a.last_gain_{p} IS NULL
               OR (a.last_loss_{p} IS NOT NULL AND a.last_gain_{p} <= a.last_loss_{p})
               THEN 'not_citizen'
             WHEN a.birth_year < :year_{p} - {AGE_SPAN_YEARS} OR a.birth_year > :year_{p}
               THEN 'out_of_age'
             ELSE 'participant' END AS status_{p},
        CASE WHEN NOT {_annulled(p)} AND a.dead_{p} = 0 AND a.last_gain_{p} IS NOT NULL
              AND (a.last_loss_{p} IS NULL OR a.last_gain_{p} > a.last_loss_{p})
              AND a.birth_year BETWEEN :year_{p} - {AGE_SPAN_YEARS} AND :year_{p}
             THEN {_at_least_first_year(f"CAST(substr({start}, 1, 4) AS INTEGER)")}
        END AS entry_{p},
        a.last_loss_{p} AS last_loss_{p}"""


def standing_sql(*, people: str) -> str:
    """Each chosen person's standing now and before: status, entry year, last loss.

    `people` is a condition on the person row `p`; the people are read first, then their
    records by the primary key, so a small set of people costs a small read.
    """
    return f"""
    WITH agg AS (
        SELECT p.person_id AS person_id, p.birth_year AS birth_year,
               {_aggregates("now")},
               {_aggregates("before")}
        FROM person p CROSS JOIN register_record r
             LEFT JOIN register_record x ON x.retracts = r.record_id
        WHERE r.person_id = p.person_id AND ({people})
        GROUP BY p.person_id, p.birth_year
    )
    SELECT a.person_id, a.birth_year, {_standing("now")}, {_standing("before")}
    FROM agg a"""


NO_VIEW = View(as_of=dt.date(1, 1, 1), watermark=0)


def standing_parameters(*, year: int, view: View, previous: View | None) -> dict[str, object]:
    before = previous or NO_VIEW
    return {
        "year_now": year,
        "as_of_now": view.as_of.isoformat(),
        "watermark_now": view.watermark,
        "end_now": f"{year}-12-31",
        "year_before": year - 1,
        "as_of_before": before.as_of.isoformat(),
        "watermark_before": before.watermark,
        "end_before": f"{year - 1}-12-31",
    }


def movements_sql() -> str:
    """Counts per (held class, outcome, entry year, matures) of the people with events."""
    return f"""
    SELECT held_class, outcome, entry_year, matures, COUNT(*)
    FROM (
        SELECT CASE WHEN s.status_before = 'participant'
                     AND s.birth_year >= :year_now - {AGE_SPAN_YEARS}
                    THEN s.entry_before END AS held_class,
               CASE WHEN s.status_now = 'participant' AND s.last_loss_now > :end_before
                      THEN 'restarts'
                    WHEN s.status_now = 'participant' THEN 'participates'
                    WHEN s.status_now = 'annulled' THEN 'annulled'
                    ELSE 'forfeits' END AS outcome,
               CASE WHEN s.status_now = 'participant' THEN s.entry_now END AS entry_year,
               CASE WHEN s.status_now = 'participant'
                     AND s.birth_year = :year_now - {AGE_SPAN_YEARS} THEN 1 ELSE 0 END AS matures
        FROM ({standing_sql(people=WITH_EVENTS)}) s
    ) AS moved
    WHERE held_class IS NOT NULL OR outcome IN ('participates', 'restarts')
    GROUP BY held_class, outcome, entry_year, matures"""


def _seen(p: str) -> str:
    return f"(p.sole_birth_recorded_on <= :as_of_{p} AND p.sole_birth_seq <= :watermark_{p})"


def born_citizens_sql() -> str:
    """Per birth year of a participant of the year: how many of the people whose only
    record is citizenship by birth each view saw."""
    return f"""
    SELECT p.birth_year,
           SUM(CASE WHEN {_seen("before")} AND {_seen("now")} THEN 1 ELSE 0 END),
           SUM(CASE WHEN NOT {_seen("before")} AND {_seen("now")} THEN 1 ELSE 0 END),
           SUM(CASE WHEN {_seen("before")} AND NOT {_seen("now")} THEN 1 ELSE 0 END)
    FROM person p
    WHERE p.sole_birth_seq IS NOT NULL
      AND p.birth_year BETWEEN :year_now - {AGE_SPAN_YEARS} AND :year_now
    GROUP BY p.birth_year"""


def maturing_sql(*, amount_by_entry_year: dict[int, int]) -> str:
    """Insert one target-savings posting per participant of the year born 17 years before."""
    amount = " ".join(
        f"WHEN {int(entry_year)} THEN {int(cents)}"
        for entry_year, cents in sorted(amount_by_entry_year.items())
    )
    born_entry = _at_least_first_year("p.birth_year")
    return f"""
    INSERT INTO posting (entry_id, account, person_id, amount_cents)
    SELECT :entry_id, :account, person_id, amount FROM (
        SELECT p.person_id AS person_id, CASE {born_entry} {amount} END AS amount
        FROM person p
        WHERE p.sole_birth_seq IS NOT NULL AND p.birth_year = :maturing_year
          AND {_seen("now")}
        UNION ALL
        SELECT s.person_id, CASE s.entry_now {amount} END
        FROM ({standing_sql(people=WITH_EVENTS + " AND p.birth_year = :maturing_year")}) s
        WHERE s.status_now = 'participant'
    ) AS maturing
    ORDER BY person_id"""


#: The people with events who may mature late at a close, for one maturity year: those
#: born 17 years before it (the `person_with_events` index reads just them).
LATE_WITH_EVENTS = WITH_EVENTS + " AND p.birth_year = :late_birth_year"


def late_standing_parameters(
    *, maturity_year: int, view: View, at_maturity: View | None
) -> dict[str, object]:
    """`standing_sql`'s parameters for the standing in `maturity_year` as the close's
    view and the view of the close of `maturity_year` see it (`before`), for the people
    born 17 years before."""
    before = at_maturity or NO_VIEW
    end = f"{maturity_year}-12-31"
    return {
        "year_now": maturity_year,
        "as_of_now": view.as_of.isoformat(),
        "watermark_now": view.watermark,
        "end_now": end,
        "year_before": maturity_year,
        "as_of_before": before.as_of.isoformat(),
        "watermark_before": before.watermark,
        "end_before": end,
        "late_birth_year": maturity_year - AGE_SPAN_YEARS,
    }


def _late(select_born: str, select_events: str) -> str:
    """The people who mature late (`domain/late_maturity.py: matures_late`) for the
    maturity year of `late_standing_parameters`: participants of that year in this view,
    not in the view of its close (`before`), who hold no posting on target savings —
    those whose only record is their birth when this view sees it and that close's did
    not, and those with events by their standing."""
    never_credited = (
        "NOT EXISTS (SELECT 1 FROM posting t WHERE t.person_id = {} AND t.account = :savings)"
    )
    return f"""
        SELECT {select_born} FROM person p
        WHERE p.sole_birth_seq IS NOT NULL AND p.birth_year = :late_birth_year
          AND {_seen("now")} AND NOT {_seen("before")} AND {never_credited.format("p.person_id")}
        UNION ALL
        SELECT {select_events} FROM ({standing_sql(people=LATE_WITH_EVENTS)}) s
        WHERE s.status_now = 'participant' AND s.status_before <> 'participant'
          AND {never_credited.format("s.person_id")}"""


def late_maturities_sql() -> str:
    """Per entry year, how many people mature late for one maturity year."""
    born_entry = _at_least_first_year("p.birth_year")
    return f"""
    SELECT entry_year, COUNT(*) FROM ({_late(f"{born_entry} AS entry_year", "s.entry_now")})
        AS late GROUP BY entry_year"""


def late_maturing_sql(*, amount_by_entry_year: dict[int, int]) -> str:
    """Insert one target-savings posting per person who matures late for one maturity
    year, with their class's amount."""
    amount = " ".join(
        f"WHEN {int(entry_year)} THEN {int(cents)}"
        for entry_year, cents in sorted(amount_by_entry_year.items())
    )
    born = f"p.person_id AS person_id, CASE {_at_least_first_year('p.birth_year')} {amount} END"
    events = f"s.person_id, CASE s.entry_now {amount} END"
    return f"""
    INSERT INTO posting (entry_id, account, person_id, amount_cents)
    SELECT :entry_id, :savings, person_id, amount FROM ({_late(f"{born} AS amount", events)})
        AS late ORDER BY person_id"""


def participant_groups_sql() -> str:
    """Participants of a close per (birth year, sex, region): the people with only
    citizenship by birth from the person rows, everyone else from their standing; each
    in the region the close's view saw, which is the person row's own for those whose
    only record is their birth (no personal-data update moved them since)."""
    return f"""
    SELECT birth_year, is_male, region, COUNT(*) FROM (
        SELECT p.birth_year AS birth_year, p.is_male AS is_male,
               CASE WHEN p.person_id IN (
                        SELECT person_id FROM register_record WHERE kind = 'data_updated')
                    THEN {region_seen_sql()} ELSE p.region END AS region
        FROM person p
        WHERE p.sole_birth_seq IS NOT NULL
          AND p.birth_year BETWEEN :year_now - {AGE_SPAN_YEARS} AND :year_now
          AND {_seen("now")}
        UNION ALL
        SELECT p.birth_year, p.is_male, {region_seen_sql()}
        FROM ({standing_sql(people=WITH_EVENTS)}) s JOIN person p ON p.person_id = s.person_id
        WHERE s.status_now = 'participant'
    ) AS participants
    GROUP BY birth_year, is_male, region"""


def region_seen_sql() -> str:
    """The region of the person `p` as the view `now` saw it: that of their latest record
    naming one (by effective date, then sequence, as `person.region` is chosen), among
    the records the view saw recorded and not withdrawn.  A record recorded after the
    close (a move) changes `person.region`, never what the close saw."""
    return """(SELECT r.region FROM register_record r
               WHERE r.person_id = p.person_id AND r.region IS NOT NULL
                 AND r.recorded_on <= :as_of_now AND r.seq <= :watermark_now
                 AND NOT EXISTS (
                     SELECT 1 FROM register_record w
                     WHERE w.retracts = r.record_id
                       AND w.recorded_on <= :as_of_now AND w.seq <= :watermark_now)
               ORDER BY r.effective_date DESC, r.seq DESC LIMIT 1)"""
