"""The National Bank's inputs per reporting year: set them, or import them from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from urpaq import bootstrap
from urpaq.domain.money import InvalidAmount
from urpaq.domain.parameters import InvalidParameters, YearParameters, year_parameters
from urpaq.domain.refusals import Refused
from urpaq.entrypoints.cli._common import (
    EXIT_REFUSED,
    DbOption,
    err,
    not_a_regular_file,
    opened,
    refuse,
    today,
)
from urpaq.entrypoints.cli._reads import record_change
from urpaq.services.parameters import set_parameters

app = typer.Typer(help="The National Bank's inputs per reporting year.", no_args_is_help=True)


@app.command("set")
def parameters_set(
    year: Annotated[int, typer.Argument(help="The reporting year.")],
    tr_total: Annotated[
        str, typer.Option("--tr-total", help="TR total in USD, e.g. 695519269.00.")
    ],
    ii_rate: Annotated[
        str, typer.Option("--ii-rate", help="Investment-income rate: 0.0297 or 2.97%.")
    ],
    reference: Annotated[str, typer.Option("--reference", help="The letter or publication.")],
    db: DbOption = None,
) -> None:
    """Record the National Bank's two inputs for a reporting year, at once: the
    administrator's path, recorded in the audit log (in the back office one staff member
    enters them and another approves them)."""
    try:
        parameters = year_parameters(
            year=year, tr_total=tr_total, ii_rate=ii_rate, reference=reference
        )
    except InvalidParameters as error:
        refuse_recorded(db, str(error), action=f"parameters set {year}")
    save_parameters([parameters], db, action=f"parameters set {year}")


@app.command("import")
def parameters_import(
    file: Annotated[
        Path | None,
        typer.Argument(
            help="A parameters TOML file; without it, the shipped published values.",
            readable=False,  # refused by the command (exit 3), not as a usage error
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Record the inputs of every year in a parameters file."""
    try:
        parameters = bootstrap.shipped_parameters() if file is None else read_parameters_file(file)
    except (InvalidAmount, InvalidParameters, FileRefused) as error:
        refuse_recorded(db, str(error), action="parameters import")
    years = ",".join(str(item.year) for item in parameters)
    save_parameters(parameters, db, action=f"parameters import {years}")


class FileRefused(ValueError):
    """A parameters file that cannot be read as text; the message names it."""


def read_parameters_file(file: Path) -> list[YearParameters]:
    """Every year of a parameters file; `FileRefused` for one that cannot be read as text."""
    if (why := not_a_regular_file(file, kind="parameters file")) is not None:
        raise FileRefused(why)
    try:
        return bootstrap.read_parameters(file)
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"parameters file {str(file)!r} is not UTF-8 text: {error.reason}"
        ) from None
    except OSError as error:
        raise FileRefused(
            f"parameters file {str(file)!r} cannot be read: {error.strerror}"
        ) from None


def refuse_recorded(db: str | None, message: str, *, action: str) -> NoReturn:
    """Refuse the administrator's inputs, as `refuse` does, once the refusal is recorded
    in the audit log (as a refusal of the service is, in `save_parameters`).  A database
    that cannot record it says why, and the inputs are refused all the same, naming the
    value: the reason to mend them comes first."""
    try:
        with opened(db) as uow:
            record_change(uow, action=action, outcome=EXIT_REFUSED, done=False)
    except typer.Exit:
        pass  # its message is printed; the refusal of the inputs follows
    refuse(message)


def save_parameters(parameters: list[YearParameters], db: str | None, *, action: str) -> None:
    """Record the inputs of each year (all or none) and the audit event that says who did,
    refused or not; then name each year on stderr."""
    with opened(db) as uow:
        try:
            set_parameters(
                uow, parameters=parameters, today=today(),
                audit=lambda: record_change(uow, action=action, outcome=0, done=False),
            )  # fmt: skip
        except Refused:
            record_change(uow, action=action, outcome=EXIT_REFUSED, done=False)
            raise
    for item in parameters:
        err.print(
            f"{item.year}: TR total {item.tr_total.grouped()} USD, II rate {item.ii_rate} "
            f"({item.reference})",
            highlight=False,
            markup=False,
        )
