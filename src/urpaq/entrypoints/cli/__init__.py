"""The command line: one command per use case.  Each translates, calls one service, prints.

Exit codes: 0 success, 2 usage error, 3 input refused (each refused item named),
1 internal failure.  `--json` prints exactly one JSON document on stdout; messages and
progress go to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from urpaq import bootstrap
from urpaq.bootstrap import FeedUnreadable, SchemaTooNew
from urpaq.demo import demo as demo_service
from urpaq.domain.close import CloseResult
from urpaq.domain.iin import Iin, InvalidIin
from urpaq.domain.money import InvalidAmount, Money
from urpaq.domain.operators import InvalidOperator, Purpose, parse_name, parse_purposes
from urpaq.domain.parameters import InvalidParameters, YearParameters, parse_rate
from urpaq.domain.refusals import Refused
from urpaq.services.audit import audit_events
from urpaq.services.closing import close_year
from urpaq.services.operators import (
    add_operator,
    operators,
    revoke_operator,
    rotate_credential,
)
from urpaq.services.parameters import set_parameters
from urpaq.services.payouts import expire_savings, settle_payouts
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.reconciliation import reconcile as reconcile_ledger
from urpaq.services.register_import import import_records, is_empty, rejections_of
from urpaq.services.statements import statement_of

EXIT_REFUSED = 3
EXIT_USAGE = 2
EXIT_FAILURE = 1

app = typer.Typer(
    help="urpaq: the operator system of the National Fund for Children programme.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
register_app = typer.Typer(help="The population register feed.", no_args_is_help=True)
parameters_app = typer.Typer(
    help="The National Bank's inputs per reporting year.", no_args_is_help=True
)
operator_app = typer.Typer(
    help="Authorised operators (banks, the postal operator) and their API credentials.",
    no_args_is_help=True,
)
app.add_typer(register_app, name="register")
app.add_typer(parameters_app, name="parameters")
app.add_typer(operator_app, name="operator")
payouts_app = typer.Typer(help="Payouts of target savings.", no_args_is_help=True)
app.add_typer(payouts_app, name="payouts")

err = Console(stderr=True)
out = Console(highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="Database URL (else $URPAQ_DB, else sqlite:///./urpaq.db).", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def refuse(message: str) -> NoReturn:
    err.print("[bold red]refused:[/]", end=" ")
    err.print(message, highlight=False, markup=False)
    raise typer.Exit(EXIT_REFUSED)


def print_json(document: object) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


@contextmanager
def opened(db: str | None, *, create: bool = False) -> Iterator[UnitOfWork]:
    url = bootstrap.database_url(db)
    try:
        uow = bootstrap.open_unit_of_work(url)
    except bootstrap.UnsupportedDatabase as error:
        err.print("[bold red]error:[/]", end=" ")
        err.print(str(error), highlight=False, markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    except bootstrap.DatabaseUnavailable as error:
        err.print("[bold red]error:[/]", end=" ")
        err.print(str(error), highlight=False, markup=False)
        raise typer.Exit(EXIT_FAILURE) from None
    try:
        if create:
            uow.schema.initialise()
        elif (version := uow.schema.version()) != uow.schema.latest_version():
            if version == 0:
                refuse(f"database {url} has no urpaq schema: run `urpaq init` first")
            refuse(f"database {url} has schema version {version}: run `urpaq init` to upgrade")
        yield uow
    except SchemaTooNew as error:
        refuse(str(error))
    except Refused as error:
        # Every business refusal of a service ends the same way: exit 3, reason named.
        refuse(f"{error} [{error.code}]")
    finally:
        uow.close()


def today() -> dt.date:
    return dt.date.today()


def parse_date_option(name: str, text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date YYYY-MM-DD", param_hint=name) from None


@app.command()
def init(db: DbOption = None) -> None:
    """Create the database schema, or upgrade it to this version."""
    with opened(db, create=True) as uow:
        err.print(f"database {uow.description} is at schema version {uow.schema.version()}")


@register_app.command("import")
def register_import(
    file: Annotated[Path, typer.Argument(help="CSV with a header, or JSON Lines.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import register records: valid ones are stored, invalid ones kept and reported."""
    try:
        feed = bootstrap.inspect_feed(file)
    except FeedUnreadable as error:
        refuse(str(error))
    with opened(db) as uow:
        try:
            with progress_bar(f"importing {file.name}", total=feed.lines) as advance:
                summary = import_records(
                    uow,
                    rows=bootstrap.read_feed(feed),
                    source=file.name,
                    sha256=feed.sha256,
                    today=today(),
                    on_chunk=advance,
                )
        except FeedUnreadable as error:
            refuse(f"{error}; nothing was imported")
    if as_json:
        print_json(
            {
                "batch": summary.batch_id,
                "file": summary.source,
                "accepted": summary.accepted,
                "unchanged": summary.unchanged,
                "rejected": summary.rejected,
                "repeated_file": summary.repeated_file,
                "rejections": [
                    {"line": r.line, "record_id": r.record_id, "reason": r.reason}
                    for r in summary.rejections
                ],
            }
        )
    else:
        if summary.repeated_file:
            err.print(
                f"{file.name} was imported before (batch {summary.batch_id}): nothing changed"
            )
        err.print(
            f"batch {summary.batch_id}: {summary.accepted:,} records stored, "
            f"{summary.unchanged:,} already known, {summary.rejected:,} rejected"
        )
        for rejection in summary.rejections[:50]:
            err.print(f"  line {rejection.line}: {rejection.reason}", highlight=False, markup=False)
        if summary.rejected > 50:
            err.print(
                f"  … and {summary.rejected - 50:,} more: "
                f"`urpaq register rejections {summary.batch_id}` lists them all"
            )
    if summary.rejected:
        raise typer.Exit(EXIT_REFUSED)


@register_app.command("rejections")
def register_rejections(
    batch: Annotated[int, typer.Argument(help="The import batch number.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the records an import rejected, with their lines and reasons."""
    with opened(db) as uow:
        rejections = rejections_of(uow, batch_id=batch)
    if rejections is None:
        refuse(f"there is no import batch {batch}")
    if as_json:
        print_json(
            [{"line": r.line, "record_id": r.record_id, "reason": r.reason} for r in rejections]
        )
        return
    for rejection in rejections:
        out.print(f"line {rejection.line}: {rejection.reason}", markup=False)


@parameters_app.command("set")
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
    """Record the National Bank's two inputs for a reporting year."""
    try:
        parameters = YearParameters(
            year=year,
            tr_total=Money.parse(tr_total),
            ii_rate=parse_rate(ii_rate),
            reference=reference,
        )
    except (InvalidAmount, InvalidParameters) as error:
        refuse(str(error))
    save_parameters([parameters], db)


@parameters_app.command("import")
def parameters_import(
    file: Annotated[
        Path | None,
        typer.Argument(help="A parameters TOML file; without it, the shipped published values."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Record the inputs of every year in a parameters file."""
    try:
        if file is None:
            parameters = bootstrap.shipped_parameters()
        else:
            parameters = bootstrap.read_parameters(file)
    except (InvalidAmount, InvalidParameters) as error:
        refuse(str(error))
    save_parameters(parameters, db)


def save_parameters(parameters: list[YearParameters], db: str | None) -> None:
    with opened(db) as uow:
        set_parameters(uow, parameters=parameters, today=today())
    for item in parameters:
        err.print(
            f"{item.year}: TR total {item.tr_total.grouped()} USD, II rate {item.ii_rate} "
            f"({item.reference})",
            highlight=False,
            markup=False,
        )


def new_credential() -> str:
    """A fresh API credential: 256 random bits."""
    return secrets.token_urlsafe(32)


@operator_app.command("add")
def operator_add(
    name: Annotated[str, typer.Argument(help="The operator's name, e.g. a bank's.")],
    purposes: Annotated[
        str, typer.Option("--purposes", help="What it may pay for: housing,education.")
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register an authorised operator; print its API credential, once."""
    try:
        clean_name, served = parse_name(name), parse_purposes(purposes)
    except InvalidOperator as error:
        refuse(str(error))
    with opened(db) as uow:
        credential = add_operator(
            uow, name=clean_name, purposes=served, today=today(),
            new_credential=new_credential,
        )  # fmt: skip
    print_credential(clean_name, credential, as_json=as_json)


@operator_app.command("rotate")
def operator_rotate(
    name: Annotated[str, typer.Argument(help="The operator's name.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a new credential for an operator; the old one stops working at once."""
    with opened(db) as uow:
        credential = rotate_credential(uow, name=name, today=today(), new_credential=new_credential)
    print_credential(name, credential, as_json=as_json)


@operator_app.command("revoke")
def operator_revoke(
    name: Annotated[str, typer.Argument(help="The operator's name.")],
    db: DbOption = None,
) -> None:
    """Revoke an operator: its credential stops working; its history stays."""
    with opened(db) as uow:
        revoke_operator(uow, name=name, today=today())
    err.print(f"operator {name} is revoked", highlight=False, markup=False)


@operator_app.command("list")
def operator_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The authorised operators, the purposes each serves, and whether it is active."""
    with opened(db) as uow:
        registered = operators(uow)
    if as_json:
        print_json([operator.as_json() for operator in registered])
        return
    table = Table("operator", "purposes", "active")
    for operator in registered:
        served = ", ".join(sorted(p.value for p in operator.purposes))
        table.add_row(operator.name, served, "yes" if operator.active else "no")
    out.print(table)


@payouts_app.command("settle")
def payouts_settle(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day of the run (default: today).")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The daily job: return to target savings every payout not confirmed as used within
    45 working days of crediting, and move savings unused for ten years to the pension
    accounts."""
    day = parse_date_option("--as-of", as_of) or today()
    with opened(db) as uow:
        returned = settle_payouts(uow, as_of=day)
        expired, expired_total = expire_savings(uow, as_of=day)
    if as_json:
        print_json(
            {
                "as_of": day.isoformat(),
                "returned": [p.as_json() for p in returned],
                "expired": {"holders": expired, "amount": str(expired_total), "currency": "USD"},
            }
        )
        return
    err.print(f"{len(returned)} payout(s) returned to target savings as of {day}")
    err.print(
        f"{expired} holder(s)' savings unused for ten years, {expired_total.grouped()} USD, "
        "moved to pension accounts"
    )


def print_credential(name: str, credential: str, *, as_json: bool) -> None:
    if as_json:
        print_json({"name": name, "credential": credential})
        return
    out.print(f"operator: {name}", markup=False, highlight=False)
    out.print(f"credential: {credential}", markup=False, highlight=False)
    err.print("The credential is shown once: only its digest is kept.")


@app.command()
def close(
    year: Annotated[int, typer.Argument(help="The reporting year to close.")],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="See register records recorded by this date (default: today)."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The annual close of a reporting year."""
    as_of_date = parse_date_option("--as-of", as_of) or today()
    with opened(db) as uow, step_progress(f"closing {year}") as step:
        result = close_year(uow, year=year, as_of=as_of_date, today=today(), progress=step)
    if as_json:
        print_json(result.as_json())
    else:
        out.print(close_table([result]))


@app.command()
def statement(
    iin: Annotated[str, typer.Argument(help="The person's 12-digit IIN.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person's statement: every cent of TR and target savings."""
    try:
        person = Iin.parse(iin)
    except InvalidIin as error:
        refuse(str(error))
    with opened(db) as uow:
        result = statement_of(uow, iin=person)
    if as_json:
        print_json(result.as_json())
        return
    out.print(f"IIN {result.iin}: {result.status}", markup=False)
    if result.participant_since is not None:
        out.print(f"participates since reporting year {result.participant_since}")
    table = Table("year", "entry", "account", "amount, USD")
    for line in result.lines:
        table.add_row(str(line.reporting_year), line.kind, line.account, str(line.amount))
    out.print(table)
    out.print(f"target requirements: {result.target_requirements.grouped()} USD")
    out.print(f"target savings: {result.target_savings.grouped()} USD")


@app.command()
def reconcile(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Check every ledger identity; exit 0 only if all hold."""
    with opened(db) as uow:
        checks = reconcile_ledger(uow)
    holds = all(c.holds for c in checks)
    if as_json:
        print_json({"holds": holds, "checks": [c.as_json() for c in checks]})
    else:
        table = Table("check", "holds", "detail")
        for check in checks:
            table.add_row(check.name, "yes" if check.holds else "[bold red]NO[/]", check.detail)
        out.print(table)
    if not holds:
        raise typer.Exit(1)


HostOption = Annotated[str, typer.Option("--host", help="The address to listen on.")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="The TCP port.")]


@app.command()
def serve(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    lookup_limit: Annotated[
        int, typer.Option("--lookup-limit", min=1, help="Lookups a client may make at once.")
    ] = 10,
    lookup_refill: Annotated[
        float,
        typer.Option("--lookup-refill", min=0.001, help="Seconds until a client gets one more."),
    ] = 60.0,
    lookup_floor: Annotated[
        float,
        typer.Option("--lookup-floor", min=0.0, help="Seconds every lookup answer takes at least."),
    ] = 0.25,
) -> None:
    """The HTTP API for authorised operators and the web pages."""
    url = bootstrap.database_url(db)
    with opened(db):
        pass  # refuses a database without the current schema before the server starts
    settings = {"lookups_per_client": lookup_limit, "lookup_refill_seconds": lookup_refill,
                "lookup_seconds_min": lookup_floor}  # fmt: skip
    _serve(url, host=host, port=port, web_settings=settings)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _serve(url: str, *, host: str, port: int, web_settings: dict[str, Any] | None = None) -> None:
    import logging

    import uvicorn

    from urpaq.entrypoints.server import create_app
    from urpaq.entrypoints.web import WebSettings

    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    if not os.environ.get("URPAQ_IDENTITY") and host not in LOOPBACK_HOSTS:
        # One-time codes in a log are for a developer's own machine, not for a server
        # others can reach: there the provider must be chosen on purpose.
        refuse(
            f"serving on {host} needs an identity provider: set URPAQ_IDENTITY"
            " (docs/identity.md), or URPAQ_IDENTITY=development to accept one-time codes"
            " in the log"
        )
    try:
        identity = bootstrap.identity_provider()
    except bootstrap.UnsupportedIdentityProvider as error:
        refuse(str(error))
    if identity.name == "development":
        err.print(
            "[bold yellow]warning:[/] sign-in uses the development identity provider: one-time"
            " codes go to this log. Set URPAQ_IDENTITY for production (docs/identity.md)."
        )
    err.print(
        f"serving {url} on http://{host}:{port}/ (API: /api/v1/, Ctrl-C stops)",
        markup=False, highlight=False, soft_wrap=True,
    )  # fmt: skip
    app = create_app(
        database_url=url, identity=identity, web_settings=WebSettings(**(web_settings or {}))
    )
    # uvicorn's own access log prints raw paths, which may hold an IIN: urpaq.access
    # logs every request instead, with IINs masked.
    uvicorn.run(app, host=host, port=port, access_log=False)


@app.command()
def audit(
    iin: Annotated[str | None, typer.Option("--iin", help="Only events about this person.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only events from this day on (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The audit log of access to personal data, newest first (for auditors)."""
    person = None
    if iin is not None:
        try:
            person = Iin.parse(iin).value
        except InvalidIin as error:
            refuse(str(error))
    day = parse_date_option("--since", since)
    with opened(db) as uow:
        events = audit_events(uow, iin=person, since=day, limit=limit)
    if as_json:
        print_json({"events": [event.as_json() for event in events]})
        return
    table = Table("at (UTC)", "actor", "action", "IIN", "outcome", "request")
    for event in events:
        table.add_row(
            event.at.isoformat(timespec="seconds"), event.actor, event.action,
            event.iin or "", str(event.outcome), event.request_id,
        )  # fmt: skip
    out.print(table)


@app.command()
def demo(
    scale: Annotated[
        demo_service.Scale,
        typer.Option("--scale", help="small: seconds; national: the published counts."),
    ] = demo_service.Scale.SMALL,
    db: DbOption = None,
    workdir: Annotated[
        Path, typer.Option("--workdir", help="Where the generated register file is written.")
    ] = Path("demo"),
    as_json: JsonOption = False,
    serve_after: Annotated[
        bool, typer.Option("--serve", help="Then start the web server on the demo database.")
    ] = False,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Build an example register, import it, close 2023–2025, print a summary."""
    url = bootstrap.database_url(db)
    with opened(db, create=True) as uow:
        if not is_empty(uow):
            refuse(f"database {url} already holds data: give the demo an empty one with --db")
        with step_progress(f"demo at {scale.value} scale") as step:
            report = demo_service.run_demo(
                uow,
                scale=scale,
                published=bootstrap.shipped_parameters(),
                feed_path=workdir / f"register-{scale.value}.csv",
                write_feed=bootstrap.write_feed,
                import_feed=lambda path: _import_file(uow, path),
                progress=step,
            )
    if as_json:
        print_json(report.as_json())
    else:
        out.print(close_table(report.results))
        for line in report.notes:
            out.print(line, markup=False)
    if serve_after:
        with opened(db) as uow:
            credential = add_operator(
                uow, name="Demo Bank", purposes=frozenset(Purpose), today=today(),
                new_credential=new_credential,
            )  # fmt: skip
        err.print(
            "An authorised operator 'Demo Bank' serves both purposes; its API credential"
            f" (shown once): {credential}",
            markup=False, highlight=False, soft_wrap=True,
        )  # fmt: skip
        _serve(url, host=host, port=port)


def _import_file(uow: UnitOfWork, path: Path) -> int:
    feed = bootstrap.inspect_feed(path)
    with progress_bar(f"importing {path.name}", total=feed.lines) as advance:
        summary = import_records(
            uow,
            rows=bootstrap.read_feed(feed),
            source=path.name,
            sha256=feed.sha256,
            today=today(),
            on_chunk=advance,
        )
    if summary.rejected:
        raise RuntimeError(f"the demo register has rejected records: {summary.rejections[:3]}")
    return summary.accepted


def close_table(results: list[CloseResult]) -> Table:
    """The published figures of closes, one column per reporting year."""
    table = Table(title="annual close (USD)")
    table.add_column("")
    for result in results:
        table.add_column(str(result.reporting_year), justify="right")
    rows: list[tuple[str, Callable[[CloseResult], str]]] = [
        ("participants", lambda r: f"{r.participants:,}"),
        ("per-child TR", lambda r: str(r.per_child)),
        ("TR total", lambda r: r.tr_total.grouped()),
        ("forfeited", lambda r: r.forfeited.grouped()),
        ("annulled", lambda r: r.annulled.grouped()),
        ("back-accruals", lambda r: r.back_accruals.grouped()),
        ("residue", lambda r: r.residue.grouped()),
        ("investment income", lambda r: r.investment_income.grouped()),
        ("turning 18 next year", lambda r: f"{r.matured:,}"),
        ("target savings credited", lambda r: r.target_savings_credited.grouped()),
    ]
    for name, cell in rows:
        table.add_row(name, *(cell(r) for r in results))
    return table


@contextmanager
def progress_bar(description: str, *, total: int) -> Iterator[Callable[[int], None]]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=max(total, 1))
        yield lambda n: progress.advance(task, n)


@contextmanager
def step_progress(description: str) -> Iterator[Callable[[str], None]]:
    with Progress(
        TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task(description, total=None)
        yield lambda step: progress.update(task, description=f"{description}: {step}")


def main() -> None:
    app()
