"""The set-based SQL of a close computes exactly the domain's participation rule."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from urpaq.adapters.sql.standing import standing_parameters, standing_sql
from urpaq.adapters.sql.unit_of_work import SqlUnitOfWork
from urpaq.domain.participation import (
    Fact,
    StoredRecord,
    View,
    participation_in,
    with_withdrawals,
)
from urpaq.domain.register import RecordKind
from urpaq.services.unit_of_work import writing

DAY0 = dt.date(2004, 1, 1)
KINDS = [kind for kind in RecordKind if kind is not RecordKind.RECORD_RETRACTED]


def day(offset: int) -> dt.date:
    return DAY0 + dt.timedelta(days=offset)


#: A record, and when the register withdrew it (None: never).
Drawn = tuple[Fact, dt.date | None]


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[dt.date, list[Drawn]]]:
    """People with any records at all, in any order of import, valid or not, some of
    them withdrawn."""
    people = []
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        birth = day(draw(st.integers(min_value=0, max_value=8000)))
        records: list[Drawn] = []
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            effective = birth + dt.timedelta(days=draw(st.integers(min_value=0, max_value=4000)))
            recorded = effective + dt.timedelta(days=draw(st.integers(min_value=0, max_value=800)))
            withdrawn = draw(st.none() | st.integers(min_value=0, max_value=800))
            records.append(
                (
                    Fact(draw(st.sampled_from(KINDS)), effective, recorded, 0),
                    None if withdrawn is None else recorded + dt.timedelta(days=withdrawn),
                )
            )
        people.append((birth, records))
    return people


def _insert_record(
    uow: SqlUnitOfWork, person_id: int, seq: int, fact: Fact, retracts: str | None = None
) -> None:
    uow.db.execute(
        "INSERT INTO register_record (person_id, seq, record_id, kind,"
        " effective_date, recorded_on, region, batch_id, retracts)"
        " VALUES (?, ?, ?, ?, ?, ?, NULL, 1, ?)",
        (
            person_id,
            seq,
            f"r{seq}",
            fact.kind.value,
            fact.effective_date.isoformat(),
            fact.recorded_on.isoformat(),
            retracts,
        ),
    )


_next_id = itertools.count(1)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=histories(),
    year=st.integers(min_value=2023, max_value=2028),
    as_of_days=st.integers(min_value=0, max_value=900),
    before_days=st.integers(min_value=0, max_value=900),
    watermark_cut=st.floats(min_value=0, max_value=1),
)
def test_sql_standing_equals_domain_participation(
    uow: SqlUnitOfWork,
    people: list[tuple[dt.date, list[Drawn]]],
    year: int,
    as_of_days: int,
    before_days: int,
    watermark_cut: float,
) -> None:
    """For random histories and views, every person's standing in SQL matches the domain rule."""
    # Each example writes people and records with fresh numbers: the register is
    # append-only, so examples add to it and the query reads only this example's people.
    with writing(uow, joined=False):
        if not uow.db.scalar("SELECT COUNT(*) FROM import_batch"):
            uow.db.execute(
                "INSERT INTO import_batch VALUES (1, 'x', 'x', '2026-01-01', 1, 1, 0, 0, 0)"
            )
        stored: dict[int, tuple[dt.date, list[Fact]]] = {}
        first_seq = last_seq = next(_next_id) * 100
        first_person = 0
        for birth, records in people:
            person_id = next(_next_id)
            first_person = first_person or person_id
            uow.db.execute(
                "INSERT INTO person (person_id, iin, birth_date, birth_year, is_male)"
                " VALUES (?, ?, ?, ?, 1)",
                (person_id, f"{person_id:012d}", birth.isoformat(), birth.year),
            )
            numbered: list[StoredRecord] = []
            for fact, _ in records:
                last_seq += 1
                numbered.append(
                    StoredRecord(
                        f"r{last_seq}",
                        Fact(fact.kind, fact.effective_date, fact.recorded_on, last_seq),
                    )
                )
                _insert_record(uow, person_id, last_seq, numbered[-1].fact)
            # The withdrawals come after the records they name, in the order drawn.
            for index, (_, withdrawn_on) in enumerate(records):
                if withdrawn_on is None:
                    continue
                last_seq += 1
                named = numbered[index].record_id
                withdrawal = Fact(RecordKind.RECORD_RETRACTED, withdrawn_on, withdrawn_on, last_seq)
                numbered.append(StoredRecord(f"r{last_seq}", withdrawal, named))
                _insert_record(uow, person_id, last_seq, withdrawal, retracts=named)
            stored[person_id] = (birth, with_withdrawals(numbered))
        for _ in range(last_seq - first_seq):
            next(_next_id)  # keep later examples' numbers above this one's records
    watermark = first_seq + round((last_seq - first_seq) * watermark_cut)
    view = View(dt.date(year + 1, 1, 1) + dt.timedelta(days=as_of_days), watermark)
    before = View(
        dt.date(year, 1, 1) + dt.timedelta(days=before_days), max(first_seq, watermark - 2)
    )
    parameters = standing_parameters(year=year, view=view, previous=before)
    parameters.update(first=first_person, last=max(stored))
    rows = uow.db.query(standing_sql(people="p.person_id BETWEEN :first AND :last"), parameters)
    found = {row[0]: row for row in rows}

    for person_id, (birth, facts) in stored.items():
        if not facts:
            continue
        now = participation_in(year, birth_date=birth, facts=facts, view=view)
        then = participation_in(year - 1, birth_date=birth, facts=facts, view=before)
        _, _, status_now, entry_now, loss_now, status_then, entry_then, _ = found[person_id]
        assert (status_now, entry_now) == (now.status.value, now.entry_year)
        assert (status_then, entry_then) == (then.status.value, then.entry_year)
        if now.is_participant:
            # The last loss decides whether a participation restarted in the year.
            assert loss_now == (now.last_loss.isoformat() if now.last_loss else None)
