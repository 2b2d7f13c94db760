"""How the tests are laid out, held by a test: shared fixtures come from tests/plugins/ through
conftest's `pytest_plugins`, node doubles live in tests/doubles/, no test module imports another
test module, bench/ imports only doubles and fixtures, and nothing under tests/ or bench/ reaches for
a file outside the repository (a fresh clone with nothing beside it runs everything)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SKIP = {"node_modules", "__pycache__", ".venv", "data", "__snapshots__", "results"}


def _sources(*folders: str, suffixes: tuple[str, ...] = (".py",)) -> Iterator[Path]:
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix in suffixes and path.is_file() and not SKIP & set(path.relative_to(REPO).parts):
                yield path


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # `from tests import test_x`
                yield node.lineno, f"{node.module}.{alias.name}"


def test_no_test_module_imports_another_test_module() -> None:
    bad = [f"{p.relative_to(REPO)}:{line} imports {mod}" for p in _sources("tests") for line, mod in _imports(p)
           if re.match(r"tests\.test_\w+$", mod) and mod != f"tests.{p.stem}"]
    assert not bad, "move shared helpers into tests/plugins/ or tests/doubles/:\n" + "\n".join(bad)


def test_doubles_and_plugins_never_import_test_modules() -> None:
    bad = [f"{p.relative_to(REPO)}:{line} imports {mod}" for p in _sources("tests/doubles", "tests/plugins")
           for line, mod in _imports(p) if mod.startswith("tests.test_")]
    assert not bad, "\n".join(bad)


def test_bench_imports_only_doubles_and_fixtures_from_tests() -> None:
    allowed = ("tests.doubles", "tests.plugins")
    bad = [f"{p.relative_to(REPO)}:{line} imports {mod}" for p in _sources("bench") for line, mod in _imports(p)
           if (mod == "tests" or mod.startswith("tests.")) and not mod.startswith(allowed)]
    assert not bad, "\n".join(bad)


def test_fixtures_reach_test_modules_through_pytest_plugins_not_imports() -> None:
    import tests.conftest as conftest

    plugins = set(conftest.pytest_plugins)
    on_disk = {f"tests.plugins.{p.stem}" for p in (REPO / "tests" / "plugins").glob("*.py")
               if "@pytest.fixture" in p.read_text()}
    assert on_disk <= plugins, f"fixture modules not loaded by conftest: {sorted(on_disk - plugins)}"
    fixtures: set[str] = set()
    for mod in on_disk:
        tree = ast.parse((REPO / "tests" / "plugins" / f"{mod.rsplit('.', 1)[1]}.py").read_text())
        fixtures |= {n.name for n in tree.body if isinstance(n, ast.FunctionDef)
                     and any("fixture" in ast.unparse(d) for d in n.decorator_list)}
    bad = []
    for p in _sources("tests"):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests.plugins"):
                bad += [f"{p.relative_to(REPO)}:{node.lineno} imports fixture {a.name}" for a in node.names
                        if a.name in fixtures]
    assert not bad, ("fixtures reach every module through conftest's pytest_plugins: drop these imports "
                     "(and their noqa)\n" + "\n".join(bad))


_OUTSIDE = re.compile(r"""["'](?:\.\./|\.\.\\|/work/|~/)|shared/fixtures""")
_PARENTS = re.compile(r"__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]")
_PARENT_CHAIN = re.compile(r"__file__\)(?:\.resolve\(\))?((?:\.parent(?!s))+)")


def test_nothing_in_tests_or_bench_refers_outside_the_repository() -> None:
    bad = []
    for p in _sources("tests", "bench", suffixes=(".py", ".js", ".sh", ".toml")):
        if p == Path(__file__).resolve():
            continue  # this file spells the patterns out
        depth = len(p.relative_to(REPO).parts) - 1  # parents[depth] is the repository root
        for n, line in enumerate(p.read_text().splitlines(), 1):
            if _OUTSIDE.search(line):
                bad.append(f"{p.relative_to(REPO)}:{n}: {line.strip()}")
            for m in _PARENTS.finditer(line):
                if int(m.group(1)) > depth:
                    bad.append(f"{p.relative_to(REPO)}:{n}: climbs above the repository: {line.strip()}")
            for m in _PARENT_CHAIN.finditer(line):
                if m.group(1).count(".parent") > depth:
                    bad.append(f"{p.relative_to(REPO)}:{n}: climbs above the repository: {line.strip()}")
    assert not bad, "tests and benchmarks may only use files inside the repository:\n" + "\n".join(bad)


def test_the_layout_rules_catch_what_they_are_meant_to(tmp_path: Path) -> None:
    """The scanners above are not vacuous: they flag each kind of offence."""
    offender = tmp_path / "test_x.py"
    offender.write_text("from tests.test_snapshot import snap\nimport tests.test_batch_evm\n"
                        "DATA = Path(__file__).resolve().parents[3] / 'fixtures'\n"
                        + "F = '" + "../" + "shared/fixtures/a.json'\n")  # built here: the repo holds no such path
    mods = [m for _, m in _imports(offender)]
    assert "tests.test_snapshot" in mods and "tests.test_batch_evm" in mods
    text = offender.read_text()
    assert _OUTSIDE.search(text) and int(_PARENTS.search(text).group(1)) == 3  # type: ignore[union-attr]
