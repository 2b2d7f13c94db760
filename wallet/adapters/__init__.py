"""Adapter registry: built-in families by name, outside ones through the `polis.adapters` entry points."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from wallet.errors import BadInput

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.networks import DaoConfig, NetworkConfig

BUILTIN = {
    "evm_governor": "wallet.adapters.evm_governor:EvmGovernorAdapter",
}
FAMILY_DEFAULT = {"evm": "evm_governor"}


def adapter_class(name: str) -> type[Adapter]:
    target = BUILTIN.get(name)
    if target is None:
        from importlib.metadata import entry_points

        for ep in entry_points(group="polis.adapters"):
            if ep.name == name:
                return ep.load()  # type: ignore[no-any-return]
        known = sorted(set(BUILTIN) | {ep.name for ep in entry_points(group="polis.adapters")})
        raise BadInput(f"no adapter named {name!r} (installed: {', '.join(known)})")
    module, _, attr = target.partition(":")
    return getattr(import_module(module), attr)  # type: ignore[no-any-return]


def adapter_for(source: str, *, rpc_url: str | None = None) -> Adapter:
    """Build the adapter of an archive source ("ethereum/compound", "akash")."""
    from wallet.networks import resolve_source

    net, dao = resolve_source(source)
    name = dao.adapter if dao else FAMILY_DEFAULT.get(net.family, net.family)
    return adapter_class(name)(net, dao, rpc_url=rpc_url)


def make_adapter(net: NetworkConfig, dao: DaoConfig | None, rpc_url: str | None = None) -> Adapter:
    name = dao.adapter if dao else FAMILY_DEFAULT.get(net.family, net.family)
    return adapter_class(name)(net, dao, rpc_url=rpc_url)
