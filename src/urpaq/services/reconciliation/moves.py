"""Reconcile's checks of what the totals cannot see: each payout against the entries
that moved its money, and each person's summary against their register records.

A cent moved from one holder's payout to another's, a payout relabelled to another
operator, or a returned heir's payout marked paid again leaves every total of the ledger
as it was; the entries each payout's state implies (`domain/payouts.py`,
`domain/inheritance.py`) must be exactly the entries the ledger holds under their keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from urpaq.domain import inheritance, payouts
from urpaq.domain.inheritance import HeirPayout, HeirPayoutStatus
from urpaq.domain.ledger import JournalEntry
from urpaq.domain.payouts import Payout, PayoutStatus
from urpaq.services.ports.reads import Moved
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation.books import Books, Check

#: How many disagreements a check's detail names; the rest are counted.
SHOWN = 3


def payouts_match_their_entries(uow: UnitOfWork, books: Books) -> list[Check]:
    """Every payout and heir's payout moved exactly its own amount, for its own person,
    through its own operator, by the entries its status implies — and no such entry
    lacks its payout."""
    moves = uow.reads.money_moves()
    found = {key: sorted(postings, key=_order) for key, postings in moves.postings.items()}
    expected = {
        entry.key: sorted(_moved(entry), key=_order)
        for entry in (
            *_payout_entries(moves.payouts),
            *_heir_payout_entries(moves.heir_payouts),
        )
    }
    problems = [
        f"{key}: the ledger moves {_said(found.get(key))} — its payout says"
        f" {_said(expected.get(key))}"
        for key in sorted(set(found) | set(expected))
        if found.get(key) != expected.get(key)
    ]
    count = len(moves.payouts) + len(moves.heir_payouts)
    return [
        Check(
            "each payout moved its own amount, person and operator",
            not problems,
            _detail(problems) if problems else f"{count:,} payouts",
        )
    ]


def summaries_agree_with_the_register(uow: UnitOfWork, books: Books) -> list[Check]:
    """The close and the recount take people whose only record is their birth from each
    person's summary; a record deleted or changed beneath it would go unseen."""
    count, first = uow.reads.summaries_disagreeing(shown=SHOWN)
    detail = (
        "all agree"
        if count == 0
        else f"{count:,} people: person {', '.join(map(str, first))}"
        + (", …" if count > len(first) else "")
    )
    return [Check("each person's summary agrees with their register records", not count, detail)]


def closes_keep_their_parameters(uow: UnitOfWork, books: Books) -> list[Check]:
    """Each close's TR total and investment-income rate are the parameters on file for
    its year, and the per-child amount it fixed is the one it printed."""
    checks = []
    for record in books.closed:
        year, result = record.closed.year, record.result
        on_file = uow.parameters.parameters_for(year)
        problems = []
        if on_file is None:
            problems.append("no parameters on file")
        else:
            if on_file.tr_total != result.tr_total:
                problems.append(f"TR total on file {on_file.tr_total}, closed {result.tr_total}")
            if on_file.ii_rate != record.closed.ii_rate:
                problems.append(f"rate on file {on_file.ii_rate}, closed {record.closed.ii_rate}")
        if record.closed.per_child != result.per_child:
            problems.append(
                f"per child fixed {record.closed.per_child}, printed {result.per_child}"
            )
        checks.append(
            Check(
                f"{year}: the close's parameters are those on file",
                not problems,
                "; ".join(problems) or f"TR {result.tr_total} USD, rate {record.closed.ii_rate}",
            )
        )
    return checks


def _payout_entries(found: Iterable[Payout]) -> Iterator[JournalEntry]:
    for payout in found:
        yield payouts.payout_entry(payout, year=0)
        if payout.status is PayoutStatus.CONFIRMED:
            yield payouts.confirmation_entry(payout, year=0)
        elif payout.status is PayoutStatus.RETURNED:
            yield payouts.return_entry(payout, year=0)


def _heir_payout_entries(found: Iterable[HeirPayout]) -> Iterator[JournalEntry]:
    for payout in found:
        yield inheritance.heir_payout_entry(payout, year=0)
        if payout.status is HeirPayoutStatus.RETURNED:
            yield inheritance.heir_return_entry(payout, year=0)


def _moved(entry: JournalEntry) -> list[Moved]:
    return [(posting.account, posting.amount, posting.person_id) for posting in entry.postings]


def _order(moved: Moved) -> tuple[int, str, int]:
    account, amount, person = moved
    return amount.cents, account, -1 if person is None else person


def _said(postings: list[Moved] | None) -> str:
    if postings is None:
        return "nothing"
    return ", ".join(
        f"{amount if amount.cents > 0 else -amount} USD"
        f" {'to' if amount.cents > 0 else 'from'} {account}"
        + ("" if person is None else f" of person {person}")
        for account, amount, person in postings
    )


def _detail(problems: list[str]) -> str:
    more = len(problems) - SHOWN
    return "; ".join(problems[:SHOWN]) + (f"; and {more:,} more" if more > 0 else "")
