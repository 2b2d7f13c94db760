"""Architecture rules a test enforces: the core is headless, and offline commands stay light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORE_MODULES = [
    "wallet.cli.main", "wallet.cache", "wallet.cache.query", "wallet.keys.vault", "wallet.keys.unlock",
    "wallet.adapters.evm.adapter", "wallet.actions", "wallet.sync", "wallet.networks", "wallet.demo",
]


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
                         capture_output=True, text=True, check=True, cwd=REPO)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_never_imports_the_ui(module: str) -> None:
    mods = _modules_after(f"import {module}")
    assert "textual" not in mods and "screens" not in mods


def test_no_core_source_imports_the_ui() -> None:
    for path in (REPO / "wallet").rglob("*.py"):
        for line in path.read_text().splitlines():
            s = line.strip()
            assert not (s.startswith(("import textual", "from textual", "import screens", "from screens"))), path


def test_help_imports_no_heavy_library() -> None:
    mods = _modules_after("from wallet.cli.main import build_parser; build_parser().format_help()")
    heavy = {"web3", "eth_abi", "eth_account", "eth_keyfile", "httpx", "pydantic", "bip_utils", "textual", "cosmpy"}
    assert not heavy & mods


def test_offline_list_imports_no_network_or_crypto_library(tmp_path) -> None:
    code = (f"import os; os.environ['POLIS_HOME'] = {str(tmp_path)!r}\n"
            "import io, contextlib\nfrom wallet.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
            "    main(['proposals', 'list', '--offline'])")
    mods = _modules_after(code)
    assert not {"web3", "eth_abi", "eth_account", "eth_keyfile", "httpx", "bip_utils", "textual", "pydantic"} & mods


def test_money_is_never_float() -> None:
    import re

    call = re.compile(r"\bfloat\(")
    for path in (REPO / "wallet").rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if call.search(line) and not any(w in line for w in ("seconds", "timeout", "ratio", "latency")):
                pytest.fail(f"{path}:{n} uses float(: amounts must be integers in base units")
