"""Payouts of target savings: the daily settlement job."""

from __future__ import annotations

from typing import Annotated

import typer

from urpaq.domain.money import CURRENCY
from urpaq.entrypoints.cli._common import (
    DbOption,
    JsonOption,
    err,
    opened,
    parse_date_option,
    print_json,
    today,
)
from urpaq.services.payouts import expire_savings, settle_payouts

app = typer.Typer(help="Payouts of target savings.", no_args_is_help=True)


@app.command("settle")
def payouts_settle(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="The day of the run, today or earlier (default: today)."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The daily job: return to target savings every payout not confirmed as used within
    45 working days of crediting, and move savings unused for ten years to the pension
    accounts."""
    now = today()
    day = parse_date_option("--as-of", as_of) or now
    with opened(db) as uow:
        returned = settle_payouts(uow, as_of=day, today=now)
        expired, expired_total = expire_savings(uow, as_of=day, today=now)
    if as_json:
        print_json(
            {
                "as_of": day.isoformat(),
                "returned": [p.as_json() for p in returned],
                "expired": {"holders": expired, "amount": str(expired_total), "currency": CURRENCY},
            }
        )
        return
    err.print(f"{len(returned)} payout(s) returned to target savings as of {day}")
    err.print(
        f"{expired} holder(s)' savings unused for ten years, {expired_total.grouped()} USD, "
        "moved to pension accounts"
    )
