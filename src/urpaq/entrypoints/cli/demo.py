"""The demonstration: an example register imported and closed for 2023–2025."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from urpaq import bootstrap
from urpaq.demo import demo as demo_service
from urpaq.domain.operators import Purpose
from urpaq.entrypoints.cli._common import (
    DbOption,
    HostOption,
    JsonOption,
    PortOption,
    err,
    opened,
    out,
    print_json,
    refuse,
    step_progress,
    today,
)
from urpaq.entrypoints.cli.closes import close_table
from urpaq.entrypoints.cli.operators import new_credential
from urpaq.entrypoints.cli.register import import_with_progress
from urpaq.entrypoints.cli.serve import run_server
from urpaq.services.operators import add_operator
from urpaq.services.ports.unit_of_work import UnitOfWork
from urpaq.services.register_import import is_empty


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
    report = build_demo(db, scale=scale, workdir=workdir)
    if as_json:
        print_json(report.as_json())
    else:
        out.print(close_table(report.results))
        for line in report.notes:
            out.print(line, markup=False)
    if serve_after:
        add_demo_operator(db)
        run_server(url, host=host, port=port)


def build_demo(
    db: str | None, *, scale: demo_service.Scale, workdir: Path
) -> demo_service.DemoReport:
    """Run the demonstration on an empty database, which is created first."""
    if workdir.exists() and not workdir.is_dir():
        refuse(f"workdir {str(workdir)!r} is not a directory")
    # Before the database is made: a refused demo leaves no database behind.
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        refuse(f"workdir {str(workdir)!r} cannot be written: {error.strerror}")
    if not os.access(workdir, os.W_OK):
        refuse(f"workdir {str(workdir)!r} cannot be written: Permission denied")
    with opened(db, create=True) as uow:
        if not is_empty(uow):
            url = bootstrap.database_url(db)
            refuse(
                f"database {bootstrap.shown_url(url)} already holds data:"
                " give the demo an empty one with --db"
            )
        with step_progress(f"demo at {scale.value} scale") as step:
            return demo_service.run_demo(
                uow,
                scale=scale,
                published=bootstrap.shipped_parameters(),
                feed_path=workdir / f"register-{scale.value}.csv",
                write_feed=write_demo_feed,
                import_feed=lambda path: import_demo_feed(uow, path),
                progress=step,
            )


def write_demo_feed(path: Path, rows: Iterator[dict[str, str]]) -> None:
    """Write the generated register; refuse a workdir where it cannot be written."""
    try:
        bootstrap.write_feed(path, rows)
    except OSError as error:
        refuse(f"workdir {str(path.parent)!r} cannot be written: {error.strerror}")


def import_demo_feed(uow: UnitOfWork, path: Path) -> int:
    """Import the generated register, which must be free of rejections; the records stored."""
    feed = bootstrap.inspect_feed(path)
    summary = import_with_progress(
        uow,
        rows=bootstrap.read_feed(feed),
        source=path.name,
        sha256=feed.sha256,
        lines=feed.lines,
    )
    if summary.rejected:
        raise RuntimeError(f"the demo register has rejected records: {summary.rejections[:3]}")
    return summary.accepted


def add_demo_operator(db: str | None) -> None:
    """Register 'Demo Bank' for both purposes and show its credential, once."""
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
