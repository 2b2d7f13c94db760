"""Architecture rules a test enforces: the core is headless, and offline commands stay light."""

from __future__ import annotations

import ast
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
            durations = ("seconds", "timeout", "ratio", "latency", "days")  # floats that are no amounts
            if call.search(line) and not any(w in line.lower() for w in durations):
                pytest.fail(f"{path}:{n} uses float(: amounts must be integers in base units")


FAMILY_NAMES = {"evm", "cosmos", "snapshot", "substrate", "bittensor", "snet_stake", "evm_governor"}
ADAPTER_HOOKS = {"plan_withdraw", "result_from_receipt", "account_nonce", "parse_target", "parse_valoper",
                 "poll_interval", "token_denom", "rpc", "account", "dao", "family", "KEY_FAMILY", "KEY_SCHEME",
                 "STAKE_ACTIONS", "delegation", "staking", "stake_actions", "key_scheme", "nonce_lane"}


def _outside_adapters() -> list[Path]:
    return [p for d in ("wallet", "screens") for p in (REPO / d).rglob("*.py")
            if not p.relative_to(REPO).as_posix().startswith(("wallet/adapters/", "wallet/networks/"))]


def _family_switches(tree: ast.AST) -> list[int]:
    """Lines comparing anything with a family name (== "evm", in ("cosmos", "substrate"), ...)."""
    def names(node: ast.AST) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        return set()

    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Compare)
            and any(names(x) & FAMILY_NAMES for x in [n.left, *n.comparators])]


def test_no_adapter_probes_outside_adapters() -> None:
    """Callers use what the adapter contract declares: no getattr/hasattr for an adapter hook."""
    found = []
    for path in _outside_adapters():
        for n in ast.walk(ast.parse(path.read_text())):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ("getattr", "hasattr") \
                    and len(n.args) >= 2 and isinstance(n.args[1], ast.Constant) and n.args[1].value in ADAPTER_HOOKS \
                    and not (isinstance(n.args[0], ast.Name) and n.args[0].id == "args"):  # argparse options
                found.append(f"{path.relative_to(REPO)}:{n.lineno}")
    assert not found, f"adapter hooks probed instead of declared: {found}"


def test_no_family_name_switches_outside_adapters_and_networks() -> None:
    """A family fact lives on its adapter (or, for a network's own protocol, on NetworkConfig): no
    `x == "evm"` / `in ("cosmos", ...)` / `n.adapter == "snet_stake"` anywhere else."""
    found = {}
    for path in _outside_adapters():
        lines = _family_switches(ast.parse(path.read_text()))
        if lines:
            found[path.relative_to(REPO).as_posix()] = lines
    assert not found, f"family-name switches outside wallet/adapters and wallet/networks: {found}"


def test_the_switch_finder_finds_switches() -> None:
    for code in ('x.family == "evm"', 'n.adapter == "snet_stake"', 'f in ("cosmos", "substrate")', '"snapshot" != k'):
        assert _family_switches(ast.parse(code)) == [1], code
    assert _family_switches(ast.parse('acc.addresses.get("evm")')) == []


def test_the_cli_vote_path_goes_through_the_services() -> None:
    """CLI → services → adapter → actions → keys: the vote command plans through the service layer (which
    calls the adapter), then signs through wallet.actions with the unlock policy's signer."""
    tree = ast.parse((REPO / "wallet/cli/actions_cmd.py").read_text())
    vote = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_vote")
    calls = {n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
             for n in ast.walk(vote) if isinstance(n, ast.Call)}
    assert "plan_checked" in calls and "plan_vote" not in calls
    finish = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "_finish")
    assert "execute" in {getattr(n.func, "id", "") for n in ast.walk(finish) if isinstance(n, ast.Call)}
    requests = (REPO / "wallet/services/requests.py").read_text()
    assert "adapter.plan_vote(" in requests and "wallet.cli" not in requests and "screens" not in requests
    for module in ("wallet/services/requests.py", "wallet/services/proposals.py", "wallet/services/power.py"):
        text = (REPO / module).read_text()
        assert "from wallet.cli" not in text and "import textual" not in text
    for module in ("wallet/inbox.py", "wallet/health.py"):
        assert "wallet.cli" not in (REPO / module).read_text(), f"{module} imports the CLI"
