"""Authorised operators (banks, the postal operator) and their API credentials."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.table import Table

from urpaq.domain.operators import (
    AuthorisedOperator,
    InvalidOperator,
    Purpose,
    parse_name,
    parse_scopes,
)
from urpaq.domain.refusals import Refused
from urpaq.entrypoints.cli._common import (
    EXIT_REFUSED,
    DbOption,
    JsonOption,
    err,
    opened,
    out,
    print_json,
    refuse,
    shown,
    today,
)
from urpaq.entrypoints.cli._reads import record_change
from urpaq.entrypoints.printable import printable
from urpaq.services.operators import (
    add_operator,
    grant_purposes,
    operators,
    revoke_operator,
    rotate_credential,
)
from urpaq.services.ports.unit_of_work import UnitOfWork

app = typer.Typer(
    help="Authorised operators (banks, the postal operator) and their API credentials.",
    no_args_is_help=True,
)


def new_credential() -> str:
    """A fresh API credential: 256 random bits."""
    return secrets.token_urlsafe(32)


@contextmanager
def recorded(uow: UnitOfWork, action: str) -> Iterator[Callable[[], None]]:
    """The audit event of a change to an operator, as the back office's are recorded:
    who (`cli:` and the operating system's user) and what; given to the service to write
    before its change commits, or written with the refusal's exit code."""
    try:
        yield lambda: record_change(uow, action=action, outcome=0, done=False)
    except Refused:
        record_change(uow, action=action, outcome=EXIT_REFUSED, done=False)
        raise


@app.command("add")
def operator_add(
    name: Annotated[str, typer.Argument(help="The operator's name, e.g. a bank's.")],
    purposes: Annotated[
        str,
        typer.Option(
            "--purposes",
            help="What it may pay for: housing, education, and inheritance (heirs' payouts),"
            " e.g. housing,education,inheritance.",
        ),
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an authorised operator; print its API credential, once."""
    try:
        clean_name, (served, pays_heirs) = parse_name(name), parse_scopes(purposes)
    except InvalidOperator as error:
        refuse(str(error))
    action = f"operator add {clean_name} ({purposes_of(served, pays_heirs)})"
    with opened(db) as uow, recorded(uow, action) as audit:
        credential = add_operator(
            uow, name=clean_name, purposes=served, pays_heirs=pays_heirs, today=today(),
            new_credential=new_credential, audit=audit,
        )  # fmt: skip
    print_credential(clean_name, credential, as_json=as_json)


@app.command("grant")
def operator_grant(
    name: Annotated[str, typer.Argument(help="The operator's name.")],
    purposes: Annotated[
        str,
        typer.Option(
            "--purposes",
            help="What it may pay for from now on, besides what it had: housing, education,"
            " inheritance (heirs' payouts).",
        ),
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Grant an active operator more purposes, or the right to pay heirs (inheritance);
    what it had stays."""
    try:
        served, pays_heirs = parse_scopes(purposes)
    except InvalidOperator as error:
        refuse(str(error))
    action = f"operator grant {printable(name)} ({purposes_of(served, pays_heirs)})"
    with opened(db) as uow, recorded(uow, action) as audit:
        granted = grant_purposes(
            uow, name=name, purposes=served, pays_heirs=pays_heirs, audit=audit
        )
    if as_json:
        print_json(granted.as_json())
        return
    out.print(f"operator {name}: {', '.join(granted.scopes())}", markup=False, highlight=False)


@app.command("rotate")
def operator_rotate(
    name: Annotated[str, typer.Argument(help="The operator's name.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a new credential for an operator; the old one stops working at once."""
    with opened(db) as uow, recorded(uow, f"operator rotate {printable(name)}") as audit:
        credential = rotate_credential(
            uow, name=name, today=today(), new_credential=new_credential, audit=audit
        )
    print_credential(name, credential, as_json=as_json)


@app.command("revoke")
def operator_revoke(
    name: Annotated[str, typer.Argument(help="The operator's name.")],
    db: DbOption = None,
) -> None:
    """Revoke an operator: its credential stops working; its history stays."""
    with opened(db) as uow, recorded(uow, f"operator revoke {printable(name)}") as audit:
        revoke_operator(uow, name=name, today=today(), audit=audit)
    err.print(f"operator {name} is revoked", highlight=False, markup=False)


@app.command("list")
def operator_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The authorised operators, the purposes each serves (inheritance: it pays heirs),
    and whether it is active."""
    with opened(db) as uow:
        registered = operators(uow)
    if as_json:
        print_json([operator.as_json() for operator in registered])
        return
    table = Table("operator", "purposes", "active")
    for operator in registered:
        served = ", ".join(operator.scopes())
        table.add_row(shown(operator.name), served, "yes" if operator.active else "no")
    out.print(table)


def purposes_of(served: frozenset[Purpose], pays_heirs: bool) -> str:
    """The scopes as `--purposes` takes them: `education, housing, inheritance`."""
    return ", ".join(AuthorisedOperator("", served, True, pays_heirs).scopes())


def print_credential(name: str, credential: str, *, as_json: bool) -> None:
    """Show an operator's new credential, the one time it is ever shown."""
    if as_json:
        print_json({"name": name, "credential": credential})
        return
    out.print(f"operator: {name}", markup=False, highlight=False)
    out.print(f"credential: {credential}", markup=False, highlight=False)
    err.print("The credential is shown once: only its digest is kept.")
