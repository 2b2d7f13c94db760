"""The adapter registry: one table (the `polis.adapters` entry points), resolved lazily, plug-ins welcome,
unknown names refused with the installed ones listed."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from wallet import adapters
from wallet.adapters.base import Adapter
from wallet.errors import BadInput

REPO = Path(__file__).resolve().parents[1]


def _pyproject_adapters() -> dict[str, str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["polis.adapters"]


def test_every_builtin_adapter_is_an_entry_point_that_loads() -> None:
    table = _pyproject_adapters()
    assert set(table) >= {"evm_governor", "cosmos", "bittensor", "snapshot", "snet_stake"}
    # The installed metadata says the same as pyproject.toml (`pip install -e .` after editing it).
    assert adapters.builtin_adapters() == table
    for name in table:
        cls = adapters.adapter_class(name)
        assert isinstance(cls, type) and issubclass(cls, Adapter), name


def test_every_network_family_defaults_to_a_registered_adapter() -> None:
    for family, name in adapters.FAMILY_DEFAULT.items():
        assert name in adapters.builtin_adapters(), family


def test_the_source_tree_fallback_reads_the_same_table() -> None:
    assert adapters._pyproject_table() == _pyproject_adapters()


def test_unknown_name_is_a_typed_bad_input_naming_the_installed_adapters() -> None:
    with pytest.raises(adapters.UnknownAdapter) as exc:
        adapters.adapter_class("evm_govenor")
    err = exc.value
    assert isinstance(err, BadInput) and err.exit_code == 2
    assert err.name == "evm_govenor"
    assert set(err.installed) >= set(_pyproject_adapters())
    assert "installed: " in str(err) and "evm_governor" in str(err)


def _plugin(root: Path, name: str, attr_target: str) -> None:
    """A plug-in distribution as pip would lay it out: a module and its dist-info with entry points."""
    (root / "polis_plugin_demo.py").write_text(
        "from wallet.adapters.evm.adapter import EvmGovernorAdapter\n\n\n"
        "class PluginAdapter(EvmGovernorAdapter):\n    pass\n")
    info = root / "polis_plugin_demo-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: polis-plugin-demo\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[polis.adapters]\n{name} = {attr_target}\n")


def test_a_plugin_distribution_registers_an_adapter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _plugin(tmp_path, "demo_chain", "polis_plugin_demo:PluginAdapter")
    monkeypatch.syspath_prepend(str(tmp_path))
    cls = adapters.adapter_class("demo_chain")
    assert cls.__name__ == "PluginAdapter" and issubclass(cls, Adapter)
    assert "demo_chain" in adapters.installed_adapters()
    monkeypatch.delitem(sys.modules, "polis_plugin_demo", raising=False)


def test_a_plugin_cannot_shadow_a_builtin_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _plugin(tmp_path, "cosmos", "polis_plugin_demo:PluginAdapter")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert adapters.adapter_class("cosmos").__name__ == "CosmosAdapter"


def test_a_registered_module_that_is_missing_is_a_one_line_error(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _plugin(tmp_path, "gone_chain", "polis_plugin_gone.adapter:Gone")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(BadInput, match="polis_plugin_gone.adapter, which is not installed"):
        adapters.adapter_class("gone_chain")


def test_the_registry_imports_no_adapter_until_one_is_built() -> None:
    code = ("import sys, wallet.adapters\n"
            "print(sorted(m for m in sys.modules if m.startswith('wallet.adapters.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_cli_names_the_installed_adapters_for_a_misspelt_one(cli, anvil) -> None:
    from wallet import networks

    networks.set_user_table("devnet", {"rpc": [anvil.url], "confirmations": 0})
    networks.add_dao("devnet", {"id": "typo", "name": "Typo DAO", "kind": "oz", "adapter": "evm_govenor",
                                "governor": "0x" + "11" * 20, "token": "0x" + "22" * 20}, replace=True)
    r = cli("sync", "devnet/typo")
    assert r.code == 1, (r.out, r.err)  # sync reports each source's failure and goes on with the others
    assert "no adapter named 'evm_govenor'" in r.err and "evm_governor" in r.err
    assert "Traceback" not in r.err
