"""Prove every ledger identity, from the ledger and the register as the closes saw them."""

from __future__ import annotations

from dataclasses import dataclass

from urpaq.domain import ledger
from urpaq.domain.accrual import Schedule
from urpaq.domain.money import Money
from urpaq.services.ports import Store


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    holds: bool
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"check": self.name, "holds": self.holds, "detail": self.detail}


def _compare(name: str, found: Money, expected: Money) -> Check:
    if found == expected:
        return Check(name, True, f"{found.grouped()} USD")
    return Check(name, False, f"ledger {found.grouped()} USD, expected {expected.grouped()} USD")


def reconcile(store: Store) -> list[Check]:
    """Every identity the ledger must satisfy, each with whether it holds."""
    checks: list[Check] = []
    unbalanced = store.unbalanced_entries()
    checks.append(
        Check(
            "every journal entry balances",
            not unbalanced,
            "all balance" if not unbalanced else f"off balance: {', '.join(unbalanced[:5])}",
        )
    )
    balances = {b.account: b.balance for b in store.balances()}
    total = Money(sum(b.cents for b in balances.values()))
    checks.append(
        _compare("nothing created or destroyed (all accounts sum to zero)", total, Money(0))
    )
    funded = -(
        balances.get(ledger.NATIONAL_FUND_TR, Money(0))
        + balances.get(ledger.NATIONAL_FUND_II, Money(0))
    )
    held = Money(
        sum(
            amount.cents
            for account, amount in balances.items()
            if ledger.is_class_account(account)
            or account in (ledger.TARGET_SAVINGS, ledger.RESIDUE, ledger.PAID_TO_HEIRS)
            or account.startswith(("pot:", "at_authorised_operator:", "spent:", "pension:"))
        )
    )
    checks.append(
        _compare("TR, TS, payouts and residue equal what the National Fund paid in", held, funded)
    )

    closed = store.closed_years()
    for record in closed:
        year = record.closed.year
        result = record.result
        totals = store.entry_totals(year=year)
        pot = ledger.pot_account(year)

        def moved(kind: str, account: str, totals: dict[str, dict[str, Money]] = totals) -> Money:
            return totals.get(kind, {}).get(account, Money(0))

        checks.append(_compare(f"{year}: pot emptied", balances.get(pot, Money(0)), Money(0)))
        checks.append(
            _compare(f"{year}: TR total paid in", moved("tr_funding", pot), result.tr_total)
        )
        checks.append(
            _compare(f"{year}: forfeited to the pot", moved("forfeiture", pot), result.forfeited)
        )
        checks.append(
            _compare(f"{year}: annulled to the pot", moved("annulment", pot), result.annulled)
        )
        checks.append(
            _compare(
                f"{year}: back-accruals from the pot",
                -moved("back_accrual", pot),
                result.back_accruals,
            )
        )
        checks.append(
            _compare(f"{year}: residue kept", moved("residue", ledger.RESIDUE), result.residue)
        )
        credits = -moved("accrual", pot)
        checks.append(
            _compare(
                f"{year}: credits = inputs + adjustments − residue",
                credits,
                result.tr_total
                + result.forfeited
                + result.annulled
                - result.back_accruals
                - result.residue,
            )
        )
        checks.append(
            _compare(
                f"{year}: per-child TR × participants",
                credits,
                result.per_child.times(result.participants),
            )
        )
        checks.append(
            _compare(
                f"{year}: investment income",
                -moved("investment_income", ledger.NATIONAL_FUND_II),
                result.investment_income,
            )
        )
        checks.append(
            _compare(
                f"{year}: target savings credited",
                moved("maturity", ledger.TARGET_SAVINGS),
                result.target_savings_credited,
            )
        )

    if closed:
        last = closed[-1].closed
        previous = closed[-2].closed.view if len(closed) > 1 else None
        schedule = Schedule([r.closed.as_closed_year() for r in closed])
        members = store.class_members(year=last.year, view=last.view, previous=previous)
        classes = {a for a in balances if ledger.is_class_account(a)} | {
            ledger.class_account(e) for e in members
        }
        for account in sorted(classes):
            entry_year = int(account.split(":")[1])
            count = members.get(entry_year, 0)
            expected = schedule.balance(entry_year, after_year=last.year).times(count)
            checks.append(
                _compare(
                    f"class {entry_year}: account equals its {count:,} members' balances",
                    balances.get(account, Money(0)),
                    expected,
                )
            )
    held, open_payouts = store.money_at_operators()
    checks.append(
        _compare("money at authorised operators equals the open payouts", held, open_payouts)
    )
    negative = store.negative_savings_accounts()
    checks.append(
        Check(
            "no target savings account is negative",
            negative == 0,
            "none" if negative == 0 else f"{negative} negative",
        )
    )
    return checks
