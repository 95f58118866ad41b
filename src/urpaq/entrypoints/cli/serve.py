"""The HTTP server: the API for authorised operators and the web pages.

The server's own modules and uvicorn are imported only when it starts, so that every
other command starts fast.
"""

from __future__ import annotations

import ipaddress
import json
import os
from typing import Annotated, Any

import typer

from urpaq import bootstrap
from urpaq.entrypoints.cli._common import (
    DbOption,
    HostOption,
    PortOption,
    err,
    refuse,
    require_current_schema,
)

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    workers: Annotated[
        int,
        typer.Option("--workers", min=1, max=64, help="Server processes sharing the port."),
    ] = 1,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            "--forwarded-allow-ips",
            help="Comma-separated addresses or networks of the proxies whose"
            " X-Forwarded-For and X-Forwarded-Proto are believed (default: none).",
        ),
    ] = "",
    lookup_limit: Annotated[
        int, typer.Option("--lookup-limit", min=1, help="Lookups a client may make at once.")
    ] = 10,
    lookup_refill: Annotated[
        float,
        typer.Option(
            "--lookup-refill",
            min=0.001,
            max=86_400.0,
            help="Seconds until a client gets one more (at most a day).",
        ),
    ] = 60.0,
    lookup_floor: Annotated[
        float,
        typer.Option(
            "--lookup-floor",
            min=0.0,
            max=5.0,
            help="Seconds every lookup answer takes at least (at most 5: a request has 10"
            " seconds to arrive, and an answer held longer holds its connection).",
        ),
    ] = 0.25,
) -> None:
    """The HTTP API for authorised operators and the web pages."""
    url = bootstrap.database_url(db)
    require_current_schema(db)
    settings = {"lookups_per_client": lookup_limit, "lookup_refill_seconds": lookup_refill,
                "lookup_seconds_min": lookup_floor}  # fmt: skip
    proxies = _proxies(forwarded_allow_ips)
    run_server(
        url, host=host, port=port, web_settings=settings, workers=workers,
        forwarded_allow_ips=proxies,
    )  # fmt: skip


def _proxies(listed: str) -> list[str]:
    """The proxies of `--forwarded-allow-ips`; an entry that is neither an address, a
    network nor `*` is refused, naming it (a proxy silently not believed would make every
    client share its allowance)."""
    proxies = [entry.strip() for entry in listed.split(",") if entry.strip()]
    for entry in proxies:
        if entry == "*":
            continue
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            refuse(f"--forwarded-allow-ips: {entry!r} is not an address or a network")
    return proxies


def run_server(
    url: str,
    *,
    host: str,
    port: int,
    web_settings: dict[str, Any] | None = None,
    workers: int = 1,
    forwarded_allow_ips: list[str] | None = None,
) -> None:
    """Serve the database at `url` until Ctrl-C, with the identity provider chosen, in
    `workers` processes."""
    import uvicorn

    from urpaq.entrypoints.http import server

    server.configure_logging()
    if not os.environ.get("URPAQ_IDENTITY") and host not in LOOPBACK_HOSTS:
        # One-time codes in a log are for a developer's own machine, not for a server
        # others can reach: there the provider must be chosen on purpose.
        refuse(
            f"serving on {host} needs an identity provider: set URPAQ_IDENTITY"
            " (docs/identity.md), or URPAQ_IDENTITY=development to accept one-time codes"
            " in the log"
        )
    try:
        # Loaded here only to refuse a bad choice before starting; each server process
        # loads its own.
        identity = bootstrap.identity_provider(
            serving=lambda: bootstrap.open_unit_of_work(url).serving
        )
    except bootstrap.UnsupportedIdentityProvider as error:
        refuse(str(error))
    if identity.name == "development":
        err.print(
            "[bold yellow]warning:[/] sign-in uses the development identity provider: one-time"
            " codes go to this log. Set URPAQ_IDENTITY for production (docs/identity.md)."
        )
    _check_staff_identity(host)
    processes = f", {workers} processes" if workers > 1 else ""
    err.print(
        f"serving {bootstrap.shown_url(url)} on http://{host}:{port}/{processes}"
        " (API: /api/v1/, Ctrl-C stops)",
        markup=False, highlight=False, soft_wrap=True,
    )  # fmt: skip
    # Every server process builds its application from the environment (server.py).
    os.environ["URPAQ_DB"] = url
    os.environ[server.WEB_SETTINGS_VARIABLE] = json.dumps(web_settings or {})
    os.environ[server.FORWARDED_VARIABLE] = ",".join(forwarded_allow_ips or [])
    uvicorn.run(
        f"{server.__name__}:{server.app_from_environment.__name__}",
        **server.uvicorn_options(host=host, port=port, workers=workers),
    )


def _check_staff_identity(host: str) -> None:
    """Refuse a back-office sign-in that cannot work, or that would let anyone in: the
    development form answers loopback clients only, and is served on loopback only."""
    from urpaq.entrypoints.http.office.identity import (
        StaffIdentity,
        StaffIdentityMisconfigured,
        StaffIdentityMode,
    )

    try:
        staff = StaffIdentity.from_environment()
    except StaffIdentityMisconfigured as error:
        refuse(str(error))
    if staff.mode is StaffIdentityMode.DEVELOPMENT:
        if host not in LOOPBACK_HOSTS:
            refuse(
                "URPAQ_STAFF_IDENTITY=development signs staff in without a password: serve"
                f" it on a loopback address, not on {host} (docs/office.md)"
            )
        err.print(
            "[bold yellow]warning:[/] the back office signs staff in with the development"
            " form. Set URPAQ_STAFF_IDENTITY=oidc for production (docs/office.md)."
        )
