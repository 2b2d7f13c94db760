"""Shared fixtures: an isolated POLIS_HOME per test, a fast KDF, an in-process CLI runner.

The fixtures of each family (devnet/anvil, Cosmos, Bittensor, Snapshot doubles) come from tests/plugins/.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Shared fixtures live in tests/plugins/ and reach every test module through pytest, so no module
# imports a fixture by name (and none imports another test module: tests/test_layout.py holds that).
from tests.plugins.devnet import add_devnet_dao  # noqa: F401  (re-exported: test modules import it from here)

pytest_plugins = ["tests.plugins.devnet", "tests.plugins.cosmos", "tests.plugins.bittensor", "tests.plugins.snapshot",
                  "tests.plugins.snet", "tests.plugins.oz4"]

REPO = Path(__file__).resolve().parents[1]
PASSPHRASE = "correct horse battery staple"
JUNK_MNEMONIC = "test test test test test test test test test test test junk"


@pytest.fixture(autouse=True)
def polis_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "polis-home"
    monkeypatch.setenv("POLIS_HOME", str(home))
    # Keystores in tests use scrypt n=2**10 instead of 2**18: same code path, milliseconds not seconds
    # (honoured only with the explicit insecure-testing variable).
    monkeypatch.setenv("POLIS_SCRYPT_N", "1024")
    monkeypatch.setenv("POLIS_INSECURE_TESTING", "1")
    for var in ("POLIS_PASSPHRASE", "POLIS_PASSPHRASE_FILE", "POLIS_CONFIG_DIR", "POLIS_DATA_DIR", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    p = tmp_path / "pass.txt"
    p.write_text(PASSPHRASE + "\n")
    p.chmod(0o600)
    return p


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(*argv: str, stdin: str = "") -> Result:
    """Run `polis` in-process (stdin is not a TTY, so the run is non-interactive)."""
    from wallet.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:  # argparse usage errors
                code = int(exc.code or 0)
    finally:
        sys.stdin = old_stdin
    return Result(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def polis_bin() -> str:
    exe = Path(sys.executable).with_name("polis")
    return str(exe) if exe.exists() else "polis"


@pytest.fixture
def env_passphrase(monkeypatch: pytest.MonkeyPatch, passphrase_file: Path) -> Path:
    monkeypatch.setenv("POLIS_PASSPHRASE_FILE", str(passphrase_file))
    return passphrase_file


