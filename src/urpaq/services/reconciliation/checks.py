"""The identities the ledger must satisfy, each a small named check.

Each check reads what it needs through the unit of work (`Books` holds what several
share, read once) and returns `Check`s: errors are data, reported, never thrown away.
`CHECKS` lists them in the order `urpaq reconcile` prints them.
"""

from __future__ import annotations

from collections.abc import Callable

from urpaq.domain import ledger
from urpaq.domain.accrual import Schedule
from urpaq.domain.invariants import InvariantBroken
from urpaq.domain.ledger import EntryKind
from urpaq.domain.money import Money
from urpaq.domain.participation import FIRST_REPORTING_YEAR
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation.books import Books, Check, compare
from urpaq.services.reconciliation.moves import (
    closes_keep_their_parameters,
    payouts_match_their_entries,
    summaries_agree_with_the_register,
)
from urpaq.services.reconciliation.recount import class_members


def entries_balance(uow: UnitOfWork, books: Books) -> list[Check]:
    unbalanced = uow.ledger.unbalanced_entries()
    detail = "all balance" if not unbalanced else f"off balance: {', '.join(unbalanced[:5])}"
    return [Check("every journal entry balances", not unbalanced, detail)]


def nothing_created(uow: UnitOfWork, books: Books) -> list[Check]:
    total = Money(sum(b.cents for b in books.balances.values()))
    return [compare("nothing created or destroyed (all accounts sum to zero)", total, Money(0))]


def funded_equals_held(uow: UnitOfWork, books: Books) -> list[Check]:
    funded = -(books.balance(ledger.NATIONAL_FUND_TR) + books.balance(ledger.NATIONAL_FUND_II))
    held = Money(
        sum(
            amount.cents
            for account, amount in books.balances.items()
            if ledger.is_class_account(account)
            or account in (ledger.TARGET_SAVINGS, ledger.RESIDUE, ledger.PAID_TO_HEIRS)
            or account.startswith(("pot:", "at_authorised_operator:", "spent:", "pension:"))
        )
    )
    return [
        compare("TR, TS, payouts and residue equal what the National Fund paid in", held, funded)
    ]


def closes_add_up(uow: UnitOfWork, books: Books) -> list[Check]:
    """Each close's printed result against what its entries moved."""
    checks = []
    for record in books.closed:
        year, result = record.closed.year, record.result
        totals = books.totals[year]
        pot = ledger.pot_account(year)

        def moved(
            kind: EntryKind, account: str, totals: dict[EntryKind, dict[str, Money]] = totals
        ) -> Money:
            return totals.get(kind, {}).get(account, Money(0))

        credits = -moved(EntryKind.ACCRUAL, pot)
        pot_in = result.tr_total + result.forfeited + result.annulled - result.back_accruals
        checks += [
            compare(f"{year}: pot emptied", books.balance(pot), Money(0)),
            compare(f"{year}: TR total paid in", moved(EntryKind.TR_FUNDING, pot), result.tr_total),
            compare(
                f"{year}: forfeited to the pot", moved(EntryKind.FORFEITURE, pot), result.forfeited
            ),
            compare(
                f"{year}: annulled to the pot", moved(EntryKind.ANNULMENT, pot), result.annulled
            ),
            compare(
                f"{year}: back-accruals from the pot",
                -moved(EntryKind.BACK_ACCRUAL, pot),
                result.back_accruals,
            ),
            compare(
                f"{year}: residue kept", moved(EntryKind.RESIDUE, ledger.RESIDUE), result.residue
            ),
            compare(
                f"{year}: credits = inputs + adjustments − residue",
                credits,
                pot_in - result.residue,
            ),
            compare(
                f"{year}: per-child TR × participants",
                credits,
                result.per_child.times(result.participants),
            ),
            compare(
                f"{year}: investment income",
                -moved(EntryKind.INVESTMENT_INCOME, ledger.NATIONAL_FUND_II),
                result.investment_income,
            ),
            compare(
                f"{year}: target savings credited",
                moved(EntryKind.MATURITY, ledger.TARGET_SAVINGS),
                result.target_savings_credited,
            ),
        ]
    return checks


def bank_side_agrees(uow: UnitOfWork, books: Books) -> list[Check]:
    """The National Bank's side (`domain/funding.py`, decision 0013): each close's
    `target_assets` entry records its published figures, the Bank's accruals are what the
    National Fund paid in, and its running balance is the TR owed to all participants."""
    checks = []
    for record in books.closed:
        year, result = record.closed.year, record.result
        moved = books.totals[year].get(EntryKind.TARGET_ASSETS, {})

        def amount(account: str, moved: dict[str, Money] = moved) -> Money:
            return moved.get(account, Money(0))

        names = ("accrued", "investment income", "transferred", "residue")
        found = (
            -amount(ledger.NATIONAL_BANK_ACCRUED),
            -amount(ledger.NATIONAL_BANK_II),
            amount(ledger.NATIONAL_BANK_TRANSFERRED),
            amount(ledger.NATIONAL_BANK_RESIDUE),
        )
        expected = (
            result.tr_total,
            result.investment_income,
            result.target_savings_credited,
            result.residue,
        )
        detail = ", ".join(
            f"{name} {f.grouped()}" if f == e else f"{name} {f.grouped()}, expected {e.grouped()}"
            for name, f, e in zip(names, found, expected, strict=True)
        )
        checks.append(
            Check(
                f"{year}: the National Bank's side records the close",
                found == expected,
                f"{detail} USD",
            )
        )
    accrued = books.balance(ledger.NATIONAL_BANK_ACCRUED) + books.balance(ledger.NATIONAL_BANK_II)
    paid_in = books.balance(ledger.NATIONAL_FUND_TR) + books.balance(ledger.NATIONAL_FUND_II)
    obligation = Money(
        sum(
            amount.cents
            for account, amount in books.balances.items()
            if ledger.is_class_account(account)
        )
    )
    return [
        *checks,
        compare(
            "the National Bank's accrued TR and II equal what the National Fund paid in",
            -accrued,
            -paid_in,
        ),
        compare(
            "the National Bank's target assets equal the TR owed to all participants",
            books.balance(ledger.NATIONAL_BANK_TARGET_ASSETS),
            obligation,
        ),
    ]


def classes_equal_members(uow: UnitOfWork, books: Books) -> list[Check]:
    """Each entry-year class account holds exactly its members' balances, the members
    recounted from the register independently of the close (`recount.py`)."""
    if not books.closed:
        return []
    last = books.closed[-1].closed
    schedule = Schedule([record.closed.as_closed_year() for record in books.closed])
    members = class_members(uow.reads, last=last)
    classes = {a for a in books.balances if ledger.is_class_account(a)} | {
        ledger.class_account(entry_year) for entry_year in members
    }
    checks = []
    for account in sorted(classes):
        entry_year = int(account.split(":")[1])
        count = members.get(entry_year, 0)
        expected = schedule.balance(entry_year, after_year=last.year).times(count)
        checks.append(
            compare(
                f"class {entry_year}: account equals its {count:,} members' balances",
                books.balance(account),
                expected,
            )
        )
    return checks


def maturities_are_class_balances(uow: UnitOfWork, books: Books) -> list[Check]:
    """At each close, every maturing person's target savings are credited with the whole
    balance of their class (decision 0001): as many accounts credited with each amount
    as the classes that hold it gave up members.  The close's totals alone would not see
    a cent moved from one person's credit to another's."""
    schedule = Schedule([record.closed.as_closed_year() for record in books.closed])
    credits = uow.ledger.maturity_credits()
    checks = []
    for record in books.closed:
        year = record.closed.year
        given_up = dict(books.totals[year].get(EntryKind.MATURITY, {}))
        credited = credits.get(year, {})
        late = {key: n for key, n in credited.items() if key[0] < year}
        problems = _take_late(given_up, late, schedule)
        expected, more = _members_matured(given_up, schedule, year=year)
        problems += more
        found: dict[Money, int] = {}
        for (maturity_year, amount), count in credited.items():
            if maturity_year >= year:
                found[amount] = found.get(amount, 0) + count
        for amount in sorted(set(found) | set(expected)):
            if found.get(amount, 0) != expected.get(amount, 0):
                problems.append(
                    f"{found.get(amount, 0):,} accounts credited {amount} USD,"
                    f" {expected.get(amount, 0):,} expected"
                )
        matured_late = sum(late.values())
        detail = "; ".join(problems[:3]) or f"{sum(credited.values()):,} accounts" + (
            f" ({matured_late:,} matured late)" if matured_late else ""
        )
        checks.append(
            Check(f"{year}: each maturity credits its class's balance", not problems, detail)
        )
    return checks


def _take_late(
    given_up: dict[str, Money], late: dict[tuple[int, Money], int], schedule: Schedule
) -> list[str]:
    """Take out of what the classes gave up the credits of those who matured late (each
    their class's balance after their maturity close, `domain/late_maturity.py`); name
    any such credit no class balance explains."""
    problems = []
    for (maturity_year, amount), count in sorted(late.items()):
        owed = amount.times(count)
        for entry_year in range(FIRST_REPORTING_YEAR, maturity_year + 1):
            account = ledger.class_account(entry_year)
            held = -given_up.get(account, Money(0))
            if schedule.balance(entry_year, after_year=maturity_year) == amount and held >= owed:
                given_up[account] = given_up.get(account, Money(0)) + owed
                break
        else:
            problems.append(
                f"{count:,} accounts credited {amount} USD late for {maturity_year},"
                " no class's balance after that close"
            )
    return problems


def _members_matured(
    given_up: dict[str, Money], schedule: Schedule, *, year: int
) -> tuple[dict[Money, int], list[str]]:
    """How many members matured with each amount, from what each class gave up at the
    close of `year` (each member its class's balance after that close); and any class
    that gave up other than a whole number of balances."""
    expected: dict[Money, int] = {}
    problems = []
    for account, moved in given_up.items():
        if not ledger.is_class_account(account):
            continue
        each = schedule.balance(int(account.split(":")[1]), after_year=year)
        members, left = divmod(-moved.cents, each.cents) if each.cents > 0 else (0, -moved.cents)
        expected[each] = expected.get(each, 0) + members
        if left:
            problems.append(f"{account} gave up {-moved} USD, not a whole number of {each} USD")
    return expected, problems


def operators_hold_open_payouts(uow: UnitOfWork, books: Books) -> list[Check]:
    held, open_payouts = uow.payouts.money_at_operators()
    return [compare("money at authorised operators equals the open payouts", held, open_payouts)]


def no_negative_savings(uow: UnitOfWork, books: Books) -> list[Check]:
    negative = uow.ledger.negative_savings_accounts()
    detail = "none" if negative == 0 else f"{negative} negative"
    return [Check("no target savings account is negative", negative == 0, detail)]


CHECKS: tuple[Callable[[UnitOfWork, Books], list[Check]], ...] = (
    entries_balance,
    nothing_created,
    funded_equals_held,
    closes_add_up,
    closes_keep_their_parameters,
    bank_side_agrees,
    summaries_agree_with_the_register,
    classes_equal_members,
    maturities_are_class_balances,
    operators_hold_open_payouts,
    payouts_match_their_entries,
    no_negative_savings,
)


def reconcile(uow: UnitOfWork) -> list[Check]:
    """Every identity the ledger must satisfy, each with whether it holds."""
    with uow.snapshot():  # every check sees the same moment, even while payouts go on
        if odd := uow.ledger.amounts_not_whole():  # no sum of them would mean anything
            detail = f"not a whole number of cents: {', '.join(odd)}; no other check is made"
            return [Check("every amount is a whole number of cents", False, detail)]
        try:
            closed, unreadable = uow.closes.closed_years(), []
        except InvariantBroken as error:  # a close changed past the database's refusal
            closed, unreadable = [], [Check("every close as stored is whole", False, str(error))]
        books = Books(
            balances={b.account: b.balance for b in uow.ledger.balances()},
            closed=closed,
            totals={r.closed.year: uow.ledger.entry_totals(year=r.closed.year) for r in closed},
        )
        return unreadable + [check for run in CHECKS for check in run(uow, books)]
