"""The National Bank's side of the programme: its target assets, per reporting year.

The TR total the National Bank reports is a running balance: each year's TR total, plus
the investment income on what it carries, minus what was transferred to the people who
turned 18.  The operator keeps that side of the books in memorandum accounts of its own
ledger (`domain/ledger.py: NATIONAL_BANK_*`), moved by one `target_assets` entry per
close, posted with the close's other entries:

    national_bank:accrued                 − TR total of Y
    national_bank:investment_income       − II of Y
    national_bank:transferred_to_savings  + target savings credited at maturity
    national_bank:residue                 + the residue of Y
    national_bank:target_assets           + the rest: TR total + II − transferred − residue

Over a close the TR owed to all participants (the class accounts) changes by exactly the
same amount — forfeitures, annulments and back-accruals only move TR through the pot —
so the Bank's running balance always equals the TR obligation, and reconcile checks it.
The residue is kept by the National Fund (programme.md's policy default): it is no one's
TR, so it is reported beside the balance and not carried in it (decision 0013).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from urpaq.domain import ledger
from urpaq.domain.invariants import require
from urpaq.domain.ledger import EntryKind, JournalEntry
from urpaq.domain.money import CURRENCY, Money


def target_assets_key(year: int) -> str:
    return f"close:{year}:{EntryKind.TARGET_ASSETS.value}"


def target_assets_entry(
    *,
    year: int,
    accrued: Money,
    investment_income: Money,
    transferred: Money,
    residue: Money,
) -> JournalEntry:
    """The National Bank's side of the close of `year`: what was accrued and earned, what
    became target savings and the residue, and the change of the running balance."""
    change = accrued + investment_income - transferred - residue
    entry = ledger.entry_from_amounts(
        key=target_assets_key(year),
        kind=EntryKind.TARGET_ASSETS,
        reporting_year=year,
        amounts={
            ledger.NATIONAL_BANK_ACCRUED: -accrued,
            ledger.NATIONAL_BANK_II: -investment_income,
            ledger.NATIONAL_BANK_TRANSFERRED: transferred,
            ledger.NATIONAL_BANK_RESIDUE: residue,
            ledger.NATIONAL_BANK_TARGET_ASSETS: change,
        },
    )
    require(entry is not None, f"the close of {year} accrues a TR total")
    assert entry is not None  # for the type checker: `require` raised otherwise
    return entry


@dataclass(frozen=True, slots=True)
class FundingYear:
    """One reporting year on the National Bank's side; `balance` is the running balance
    after its close."""

    reporting_year: int
    accrued: Money
    investment_income: Money
    transferred_to_savings: Money
    residue: Money
    balance: Money

    def as_json(self) -> dict[str, object]:
        return {
            "reporting_year": self.reporting_year,
            "accrued": str(self.accrued),
            "investment_income": str(self.investment_income),
            "transferred_to_savings": str(self.transferred_to_savings),
            "residue": str(self.residue),
            "balance": str(self.balance),
        }


def funding_years(moved: Sequence[tuple[int, Mapping[str, Money]]]) -> list[FundingYear]:
    """The National Bank's side year by year, from what each year's `target_assets` entry
    moved per account (`moved`: reporting year and amounts, in order of year)."""
    years = []
    balance = Money(0)
    for year, amounts in moved:

        def amount(account: str, amounts: Mapping[str, Money] = amounts) -> Money:
            return amounts.get(account, Money(0))

        row = FundingYear(
            reporting_year=year,
            accrued=-amount(ledger.NATIONAL_BANK_ACCRUED),
            investment_income=-amount(ledger.NATIONAL_BANK_II),
            transferred_to_savings=amount(ledger.NATIONAL_BANK_TRANSFERRED),
            residue=amount(ledger.NATIONAL_BANK_RESIDUE),
            balance=balance + amount(ledger.NATIONAL_BANK_TARGET_ASSETS),
        )
        require(
            row.balance - balance
            == row.accrued + row.investment_income - row.transferred_to_savings - row.residue,
            f"the National Bank's side of {year} must change by accrued + II − transferred "
            "− residue",
        )
        balance = row.balance
        years.append(row)
    return years


def funding_json(years: Sequence[FundingYear]) -> dict[str, object]:
    """What `urpaq funding --json` prints."""
    return {"years": [year.as_json() for year in years], "currency": CURRENCY}
