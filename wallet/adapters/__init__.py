"""Adapter registry: one table, the `polis.adapters` entry points.

Polis's own adapters are entry points of the polis-wallet distribution (pyproject.toml); a plug-in
package registers more under the same group. Names resolve to "module:attribute" strings and a
module is imported only when its adapter is built, so start-up never pays for the registry. Running
from a source tree without installed metadata, the same table is read from pyproject.toml.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from wallet.errors import BadInput

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.networks import DaoConfig, NetworkConfig

GROUP = "polis.adapters"
DISTRIBUTION = "polis-wallet"
FAMILY_DEFAULT = {"evm": "evm_governor", "cosmos": "cosmos", "substrate": "bittensor", "snapshot": "snapshot"}


class UnknownAdapter(BadInput):
    """No installed adapter has this name (a typo in a network's `adapter`, or a plug-in not installed)."""

    def __init__(self, name: str, installed: list[str]) -> None:
        super().__init__(f"no adapter named {name!r} (installed: {', '.join(installed) or 'none'})",
                         hint="check the network's `adapter` setting, or install the package that provides it")
        self.name = name
        self.installed = installed


_own: dict[str, str] | None = None


def _pyproject_table() -> dict[str, str]:
    import tomllib
    from pathlib import Path

    try:
        doc = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
        return {str(k): str(v) for k, v in doc["project"]["entry-points"][GROUP].items()}
    except (OSError, KeyError, AttributeError, tomllib.TOMLDecodeError):
        return {}


def _dist_info_table() -> dict[str, str] | None:
    """The group's entries in Polis's own dist-info folder (entry_points.txt), found on sys.path as
    importlib.metadata finds it but without importing it (~20 ms: email, zipfile, csv); None when there is
    no such folder (an egg or zipped install, which importlib.metadata reads)."""
    import os
    import sys

    prefix = DISTRIBUTION.replace("-", "_") + "-"
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.lower().startswith(prefix)
                           and n.endswith(".dist-info"))
        except OSError:
            continue
        if not names:
            continue
        table: dict[str, str] = {}
        try:
            with open(os.path.join(entry or ".", names[0], "entry_points.txt"), encoding="utf-8") as f:
                text = f.read()
        except FileNotFoundError:
            return table
        except OSError:
            return None
        section = ""
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1].strip()
            elif section == GROUP and "=" in line:
                name, _, value = line.partition("=")
                table[name.strip()] = value.strip()
        return table
    return None


def builtin_adapters() -> dict[str, str]:
    """Polis's own adapters, name → "module:attribute", from its installed metadata (one distribution
    is read, not every installed one), else from pyproject.toml in a source tree."""
    global _own
    if _own is None:
        _own = _dist_info_table()
    if _own is None:
        from importlib.metadata import PackageNotFoundError, distribution

        try:
            _own = {ep.name: ep.value for ep in distribution(DISTRIBUTION).entry_points if ep.group == GROUP}
        except PackageNotFoundError:
            _own = _pyproject_table()
    return _own


def installed_adapters() -> dict[str, str]:
    """Every adapter: Polis's own, then plug-ins from other distributions (a built-in name wins)."""
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group=GROUP)}
    return {**found, **builtin_adapters()}


def adapter_class(name: str) -> type[Adapter]:
    """The adapter class registered as `name`; UnknownAdapter (exit 2) names the installed ones."""
    target = builtin_adapters().get(name)
    if target is None:
        target = installed_adapters().get(name)
    if target is None:
        raise UnknownAdapter(name, sorted(installed_adapters()))
    module, _, attr = target.partition(":")
    try:
        cls: type[Adapter] = getattr(import_module(module.strip()), attr.split("[")[0].strip())
    except ModuleNotFoundError as exc:
        if exc.name and module.strip().startswith(exc.name):
            raise BadInput(f"the {name!r} adapter points at {module.strip()}, which is not installed",
                           hint="reinstall Polis (or the plug-in that provides it)") from None
        raise
    return cls


def adapter_for(source: str, *, rpc_url: str | None = None) -> Adapter:
    """Build the adapter of an archive source ("ethereum/compound", "akash")."""
    from wallet.networks import resolve_source

    net, dao = resolve_source(source)
    _, _, rest = source.partition("/")
    return make_adapter(net, dao, rpc_url=rpc_url, source=f"{net.key}/{rest}" if rest else net.key)


def adapter_name(net: NetworkConfig, dao: DaoConfig | None) -> str:
    """The registry name of the adapter a network (or one of its DAOs) uses."""
    return dao.adapter if dao else (net.adapter or FAMILY_DEFAULT.get(net.protocol, net.protocol))


def _networks_signature() -> tuple[object, ...]:
    """What the configured networks are read from (a changed or replaced file changes it)."""
    from wallet.network_tables import files_signature

    return files_signature()


_SOURCE_CLASSES: dict[tuple[object, ...], type[Adapter] | None] = {}
"""source_adapter_class answers per (source, archived kind/protocol, networks files): resolving a source
validates every configured network (~2 ms), and one proposal view asks three times (quorum, choices,
partial votes)."""


def source_adapter_class(source: str, archived: dict[str, Any] | None = None) -> type[Adapter] | None:
    """The adapter class of an archive source, without building it (no network): from the configured
    networks, else from the archived source row (a network the user removed), else None."""
    row = archived or {}
    key = (source, str(row.get("kind") or ""), str(row.get("protocol") or row.get("family") or ""),
           _networks_signature())
    if key not in _SOURCE_CLASSES:
        if len(_SOURCE_CLASSES) > 256:
            _SOURCE_CLASSES.clear()
        _SOURCE_CLASSES[key] = _resolve_source_class(source, row)
    return _SOURCE_CLASSES[key]


def _resolve_source_class(source: str, row: dict[str, Any]) -> type[Adapter] | None:
    from wallet.errors import PolisError
    from wallet.networks import resolve_source

    try:
        net, dao = resolve_source(source)
        return adapter_class(adapter_name(net, dao))
    except PolisError:
        pass
    kind = str(row.get("kind") or "")
    name = kind if kind in builtin_adapters() else FAMILY_DEFAULT.get(str(row.get("protocol") or row.get("family")))
    try:
        return adapter_class(name) if name else None
    except PolisError:
        return None


def make_adapter(net: NetworkConfig, dao: DaoConfig | None, rpc_url: str | None = None,
                 source: str | None = None) -> Adapter:
    return adapter_class(adapter_name(net, dao))(net, dao, rpc_url=rpc_url, source=source)
