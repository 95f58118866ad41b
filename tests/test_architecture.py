"""The layers import only what architecture.md allows them to."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "urpaq"

# Which urpaq packages each layer may import (the standard library is always allowed).
ALLOWED = {
    "domain": {"urpaq.domain"},
    "services": {"urpaq.domain", "urpaq.services"},
    "adapters": {"urpaq.domain", "urpaq.adapters", "urpaq.services.ports"},
    "entrypoints": {
        "urpaq.domain",
        "urpaq.services",
        "urpaq.bootstrap",
        "urpaq.entrypoints",
        "urpaq",
    },
}
THIRD_PARTY_ALLOWED = {
    "domain": set(),
    "services": set(),
    "adapters": {"psycopg", "holidays"},  # drivers and the working-day calendar
    "entrypoints": {
        "typer",
        "rich",
        "click",
        "fastapi",
        "starlette",
        "pydantic",
        "anyio",
        "uvicorn",
        "jinja2",
        "markupsafe",
    },
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def is_allowed(name: str, prefixes: set[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    """domain imports only itself; services add domain; adapters add the ports; entry points
    reach adapters only through bootstrap."""
    import sys

    stdlib = sys.stdlib_module_names
    offences = []
    for path in sorted((SOURCE / layer).rglob("*.py")):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top == "urpaq":
                if name == "urpaq" and layer != "entrypoints":
                    offences.append(f"{path.name}: {name}")
                elif name != "urpaq" and not is_allowed(name, ALLOWED[layer]):
                    offences.append(f"{path.relative_to(SOURCE)}: {name}")
            elif (
                top not in stdlib and top != "__future__" and top not in THIRD_PARTY_ALLOWED[layer]
            ):
                offences.append(f"{path.relative_to(SOURCE)}: {name}")
    assert not offences, offences
