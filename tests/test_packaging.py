"""What an installation from the package needs: every library the code imports is
declared, `constraints.txt` pins each declared one at a version its bound allows (the
versions the tests run with), and the package says its version and licence."""

from __future__ import annotations

import ast
import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

import urpaq

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# A module that comes with a declared library, released in step with it.
_WITH = {"pydantic_core": "pydantic"}


def _requirements(extra: bool) -> list[Requirement]:
    declared = PROJECT["dependencies"] + (PROJECT["optional-dependencies"]["dev"] if extra else [])
    return [Requirement(text) for text in declared]


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = Version(version.strip())
    return pins


def _imported_libraries() -> set[str]:
    names = set()
    for source in (ROOT / "src" / "urpaq").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name != "urpaq"}


def test_every_library_the_code_imports_is_declared() -> None:
    declared = {canonicalize_name(r.name) for r in _requirements(extra=False)}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {
        module: distributions.get(module)
        for module in _imported_libraries()
        if not {canonicalize_name(d) for d in distributions.get(_WITH.get(module, module), [])}
        & declared
    }
    assert undeclared == {}


def test_the_constraints_pin_every_declared_library_within_its_bounds() -> None:
    pins = _pins()
    for requirement in _requirements(extra=True):
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pinned, prereleases=True), (requirement, pinned)


def test_the_tests_run_with_the_pinned_versions() -> None:
    pins = _pins()
    for requirement in _requirements(extra=True):
        installed = Version(importlib.metadata.version(requirement.name))
        pinned = pins[canonicalize_name(requirement.name)]
        assert installed == pinned, (
            f"{requirement.name} {installed} is installed, constraints.txt pins {pinned}:"
            " `make constraints` pins what .venv holds"
        )


def test_the_command_says_its_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "urpaq", "--version"], capture_output=True, text=True, check=False
    )

    assert (done.returncode, done.stdout) == (0, f"urpaq {urpaq.__version__}\n")
    assert importlib.metadata.version("urpaq") == urpaq.__version__


def test_the_licence_is_shipped_and_named() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "LICENSE" in PROJECT["license-files"]
