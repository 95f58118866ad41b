"""The documentation keeps up with the code: every command is described."""

from __future__ import annotations

from pathlib import Path

import typer.main

from urpaq.entrypoints.cli import app

DOCS = Path(__file__).parent.parent / "docs"


def command_paths() -> list[str]:
    group = typer.main.get_command(app)
    paths = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        if sub:
            paths.extend(f"{name} {child}" for child in sub)
        else:
            paths.append(name)
    return sorted(paths)


def test_every_command_is_described_in_commands_md() -> None:
    """docs/commands.md has a section for each command of the CLI."""
    text = (DOCS / "commands.md").read_text(encoding="utf-8")
    missing = [path for path in command_paths() if f"## `urpaq {path}" not in text]
    assert command_paths() and not missing, missing


def test_docs_link_to_files_that_exist() -> None:
    """Relative links between the documents point at files that exist."""
    import re

    broken = []
    for page in [*DOCS.rglob("*.md"), DOCS.parent / "README.md"]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).exists() and not target.startswith("../shared"):
                broken.append(f"{page.name} → {target}")
    assert not broken, broken


def test_every_api_route_is_described_in_api_md() -> None:
    """docs/api.md has a section for each route of the OpenAPI document."""
    from urpaq.entrypoints.http.app import create_app

    document = create_app(database_url="sqlite:///:memory:").openapi()
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    routes = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method in operations
    ]
    missing = [route for route in routes if f"### `{route}`" not in text]
    assert routes and not missing, missing


def test_every_refusal_of_the_api_is_named_in_the_openapi_document_and_api_md() -> None:
    """`savings_expired` was answered, and named in api.md, but not in the document a
    bank's developer generates a client from."""
    import json

    from urpaq.entrypoints.http.api import STATUS_OF_REFUSAL
    from urpaq.entrypoints.http.app import create_app

    document = json.dumps(create_app(database_url="sqlite:///:memory:").openapi())
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    assert [code for code in STATUS_OF_REFUSAL if f"`{code}`" not in document] == []
    assert [code for code in STATUS_OF_REFUSAL if f"`{code}`" not in text] == []


def test_every_cross_row_import_check_is_documented_with_its_code() -> None:
    """Each named check of the import (code and SQL) has its code in register-feed.md, in
    the order the checks run."""
    from urpaq.adapters.sql.import_checks import CROSS_ROW_CHECKS

    text = (DOCS / "register-feed.md").read_text(encoding="utf-8")
    places = [text.find(f"| `{check.code}` |") for check in CROSS_ROW_CHECKS]
    assert -1 not in places, [
        c.code for c, at in zip(CROSS_ROW_CHECKS, places, strict=True) if at == -1
    ]
    assert places == sorted(places)
