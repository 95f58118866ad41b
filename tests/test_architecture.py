"""The layers import only what architecture.md allows them to; no module imports itself
back through others; entry points reach adapters only through bootstrap's functions and
errors; and the code stays within its limits (function, module and port sizes)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parent.parent / "src" / "urpaq"

# Which urpaq packages each layer may import (the standard library is always allowed).
ALLOWED = {
    "domain": {"urpaq.domain"},
    "demo": {"urpaq.domain", "urpaq.services", "urpaq.demo"},
    "services": {"urpaq.domain", "urpaq.services"},
    "adapters": {"urpaq.domain", "urpaq.adapters", "urpaq.services.ports"},
    "entrypoints": {
        "urpaq.domain",
        "urpaq.services",
        "urpaq.bootstrap",
        "urpaq.demo",
        "urpaq.entrypoints",
        "urpaq",
    },
}
THIRD_PARTY_ALLOWED = {
    "domain": set(),
    "demo": set(),
    "services": set(),
    # drivers, the working-day calendar and the columnar reader of register feeds
    # and the back office's OpenID Connect client
    "adapters": {"psycopg", "holidays", "pyarrow", "httpx", "authlib", "joserfc"},
    "entrypoints": {
        "typer",
        "rich",
        "click",
        "fastapi",
        "starlette",
        "pydantic",
        "pydantic_core",  # pydantic's own core: a validation error with a kind of its own
        "anyio",
        "uvicorn",
        "h11",  # uvicorn's HTTP/1.1, which the server's protocol extends
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
    """`urpaq` itself allows `from urpaq import bootstrap` only; any other entry allows
    its modules too."""
    return any(name == p or (p != "urpaq" and name.startswith(p + ".")) for p in prefixes)


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


def module_name(path: Path) -> str:
    name = ".".join(("urpaq", *path.relative_to(SOURCE).with_suffix("").parts))
    return name.removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """Which urpaq modules each urpaq module imports, at any depth of its code."""
    paths = {module_name(path): path for path in SOURCE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        targets = set()
        for imported in imports_of(path):
            while imported and imported not in paths:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def test_no_module_imports_itself_back() -> None:
    """The import graph of src/ has no cycle, not even one broken by a function-level
    import: each module can be read knowing only what it imports."""
    graph = import_graph()
    cycles = []
    for start in graph:
        path = [start]
        seen = {start}
        stack = [(start, iter(sorted(graph[start])))]
        while stack:
            _, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
            elif child == start:
                cycles.append(" -> ".join([*path, start]))
            elif child not in seen:
                seen.add(child)
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    assert not cycles, cycles[:5]


def test_entry_points_take_only_functions_and_errors_from_bootstrap() -> None:
    """bootstrap picks the adapters; an entry point gets a unit of work (a port) from it,
    never an adapter's class to use or to type against."""
    import inspect

    from urpaq import bootstrap

    offences = []
    for path in sorted((SOURCE / "entrypoints").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "bootstrap"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "urpaq.bootstrap":
                used.update(alias.name for alias in node.names)
        for name in sorted(used):
            value = getattr(bootstrap, name)
            is_error = inspect.isclass(value) and issubclass(value, BaseException)
            if not (inspect.isfunction(value) or is_error):
                offences.append(f"{path.relative_to(SOURCE)}: bootstrap.{name}")
    assert not offences, offences
    public = [getattr(bootstrap, name) for name in bootstrap.__all__]
    assert all(inspect.isfunction(v) or issubclass(v, BaseException) for v in public)
    returns = inspect.get_annotations(bootstrap.open_unit_of_work, eval_str=True)["return"]
    assert returns.__module__ == "urpaq.services.ports.unit_of_work"


FUNCTION_LINES_MAX = 70
MODULE_LINES_MAX = 500
PORT_METHODS_MAX = 15
DATA_MODULES = {"i18n.py", "regions.py"}  # tables of data, not logic


def test_functions_modules_and_ports_stay_within_their_limits() -> None:
    """No function over 70 lines, no module over 500 (data tables aside), and no port
    (a Protocol) over 15 methods: each fits in a reader's head."""
    offences = []
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(SOURCE)
        lines = text.count("\n")
        if path.name not in DATA_MODULES and lines > MODULE_LINES_MAX:
            offences.append(f"{where}: {lines} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES_MAX:
                    offences.append(f"{where}:{node.lineno} {node.name}: {length} lines")
            elif isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id == "Protocol" for base in node.bases
            ):
                methods = [n for n in node.body if isinstance(n, ast.FunctionDef)]
                if len(methods) > PORT_METHODS_MAX:
                    offences.append(f"{where}: port {node.name} has {len(methods)} methods")
    assert not offences, offences
