"""Adapter registry: built-in families by name, outside ones through the `polis.adapters` entry points."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from wallet.errors import BadInput

if TYPE_CHECKING:
    from wallet.adapters.base import Adapter
    from wallet.networks import DaoConfig, NetworkConfig

BUILTIN = {
    "evm_governor": "wallet.adapters.evm.adapter:EvmGovernorAdapter",
    "cosmos": "wallet.adapters.cosmos.adapter:CosmosAdapter",
    "bittensor": "wallet.adapters.bittensor.adapter:BittensorAdapter",
    "snapshot": "wallet.adapters.snapshot.adapter:SnapshotAdapter",
    "snet_stake": "wallet.adapters.snet.adapter:SnetStakeAdapter",
}
FAMILY_DEFAULT = {"evm": "evm_governor", "cosmos": "cosmos", "substrate": "bittensor", "snapshot": "snapshot"}


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
    try:
        return getattr(import_module(module), attr)  # type: ignore[no-any-return]
    except ModuleNotFoundError as exc:
        if exc.name == module:
            raise BadInput(f"the {name!r} adapter is not available in this build") from None
        raise


def adapter_for(source: str, *, rpc_url: str | None = None) -> Adapter:
    """Build the adapter of an archive source ("ethereum/compound", "akash")."""
    from wallet.networks import resolve_source

    net, dao = resolve_source(source)
    _, _, rest = source.partition("/")
    return make_adapter(net, dao, rpc_url=rpc_url, source=f"{net.key}/{rest}" if rest else net.key)


def make_adapter(net: NetworkConfig, dao: DaoConfig | None, rpc_url: str | None = None,
                 source: str | None = None) -> Adapter:
    name = dao.adapter if dao else (net.adapter or FAMILY_DEFAULT.get(net.family, net.family))
    return adapter_class(name)(net, dao, rpc_url=rpc_url, source=source)
