"""Reconcile's own count of who holds TR in each entry-year class.

The close counts people set-based with SQL of its own (`adapters/sql/standing.py`); a
check that reused that count would prove nothing.  This recount reads the register
plainly and applies the domain's participation rule (`participation_in`) to each person
— to each group of people whose only record is the same birth date, and to everyone
else record by record.
"""

from __future__ import annotations

from collections import Counter

from urpaq.domain.close import ClosedView
from urpaq.domain.participation import Fact, is_maturing, participation_in
from urpaq.domain.register import RecordKind
from urpaq.services.ports.reads import ReadsPort


def class_members(reads: ReadsPort, *, last: ClosedView) -> dict[int, int]:
    """Per entry-year class, how many people hold TR after the close `last`: its
    participants, less those who matured at it."""
    year, view = last.year, last.view
    members: Counter[int] = Counter()
    for group in reads.birth_groups(view=view):
        if not group.seen:
            continue
        birth = Fact(RecordKind.BORN_CITIZEN, group.birth_date, group.birth_date, 0)
        standing = participation_in(year, birth_date=group.birth_date, facts=[birth], view=view)
        if standing.entry_year is not None and not is_maturing(group.birth_date.year, year=year):
            members[standing.entry_year] += group.count
    for birth_date, facts in reads.facts_by_person():
        standing = participation_in(year, birth_date=birth_date, facts=facts, view=view)
        if standing.entry_year is not None and not is_maturing(birth_date.year, year=year):
            members[standing.entry_year] += 1
    return dict(members)
