"""Dependencies say the truth: every package in [project].dependencies is imported by Polis's own code
(wallet/, screens/, themes/), every third-party package that code imports is declared, and test-only
oracles sit in the dev extra."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
# Declared without being imported, with the reason: a bound on a dependency's own dependency.
VERSION_BOUNDS = {"pyunormalize": "web3's ens module breaks with pyunormalize 18 (see pyproject.toml)"}
TEST_ORACLES = {"eth-keyfile"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


@cache
def _by_module() -> dict[str, list[str]]:
    return dict(packages_distributions())


@cache
def _imported_distributions() -> dict[str, set[str]]:
    """distribution name → the files of wallet/, screens/, themes/ importing it (function-level too)."""
    by_module = _by_module()
    found: dict[str, set[str]] = {}
    for folder in ("wallet", "screens", "themes"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                         else [])
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("wallet", "screens", "themes"):
                        continue
                    for dist in by_module.get(top, [top]):
                        found.setdefault(dist.lower().replace("_", "-"), set()).add(str(path.relative_to(REPO)))
    return found


def test_every_declared_dependency_is_imported_by_polis() -> None:
    imported = _imported_distributions()
    unused = [d for d in map(_name, PROJECT["dependencies"]) if d not in imported and d not in VERSION_BOUNDS]
    assert not unused, f"declared but never imported by wallet/, screens/ or themes/: {unused}"


def test_every_imported_package_is_declared() -> None:
    declared = set(map(_name, PROJECT["dependencies"]))
    imported = _imported_distributions()
    # A module shipped by several distributions (google.* by protobuf and its siblings) needs one declared.
    missing = {d: sorted(files)[:3] for d, files in imported.items() if d not in declared
               and not any(other in declared for other in _siblings(d))}
    assert not missing, f"imported but not declared in [project].dependencies: {missing}"


def _siblings(dist: str) -> set[str]:
    by_module = _by_module()
    return {o.lower().replace("_", "-") for dists in by_module.values() if dist in
            {x.lower().replace("_", "-") for x in dists} for o in dists}


def test_test_oracles_are_dev_only() -> None:
    runtime = set(map(_name, PROJECT["dependencies"]))
    dev = set(map(_name, PROJECT["optional-dependencies"]["dev"]))
    assert dev >= TEST_ORACLES and not TEST_ORACLES & runtime
    for oracle in TEST_ORACLES:
        assert oracle not in _imported_distributions(), f"{oracle} is imported at run time: it is no test oracle"
