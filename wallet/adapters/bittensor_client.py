"""The chain client of the Bittensor adapter: async-substrate-interface's sync `SubstrateInterface`
(opentensor's own client, the one the bittensor SDK uses), wrapped so the adapter sees Polis errors,
SS58-42 addresses, one connection per adapter, and a genesis-hash check.

Genesis hash: the preset's `extra.genesis_hash` when it is known; otherwise the hash seen on the
first connection is pinned in `<data dir>/substrate_genesis.json` (trust on first use, like SSH)
and every later connection — and every signature — must match it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wallet.errors import ActionRefused, NodeUnreachable, RpcError

log = logging.getLogger("polis.bittensor")


class BittensorExtra(BaseModel):
    """`extra` of a substrate/bittensor network preset."""

    model_config = ConfigDict(extra="ignore")
    ss58_format: int = 42
    """SS58 address prefix (42 on every Bittensor network)."""
    genesis_hash: str | None = Field(default=None, pattern=r"^0x[0-9a-f]{64}$")
    """The chain's block-0 hash; None = pin it on first connection."""
    system_chain: str = ""
    """Expected `system_chain` answer ("Bittensor"); empty = not checked."""
    archive: str | None = None
    """An archive node for history reads older than the pruning window."""
    min_stake: int = Field(default=2_000_000, ge=0)
    """Minimum stake in rao when the chain does not say more (NominatorMinRequiredStake)."""
    era_period: int = Field(default=64, ge=4, le=65536)
    """Mortal era length in blocks (~13 minutes at 12 s)."""
    sync_blocks: int = Field(default=300, ge=0)
    """How many recent blocks the first sync scans for the user's staking events."""


def extra_of(network: Any) -> BittensorExtra:
    from pydantic import ValidationError

    from wallet.errors import BadInput

    try:
        return BittensorExtra.model_validate(network.extra or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"network {network.key!r}: extra.{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _pins_path():  # type: ignore[no-untyped-def]
    from wallet.paths import data_dir

    return data_dir() / "substrate_genesis.json"


def pinned_genesis(network_key: str) -> str | None:
    path = _pins_path()
    try:
        return json.loads(path.read_text()).get(network_key)
    except (OSError, ValueError):
        return None


def pin_genesis(network_key: str, genesis: str) -> None:
    from wallet.paths import atomic_write, ensure_private_dir

    path = _pins_path()
    try:
        pins = json.loads(path.read_text())
    except (OSError, ValueError):
        pins = {}
    pins[network_key] = genesis
    ensure_private_dir(path.parent)
    atomic_write(path, json.dumps(pins, indent=2).encode(), 0o600)


class Client:
    """One websocket connection to a subtensor node."""

    def __init__(self, url: str, network_key: str, extra: BittensorExtra) -> None:
        self.url = url
        self.network_key = network_key
        self.extra = extra
        self._sub: Any = None
        self._genesis: str | None = None
        self._chain_ok = False

    @property
    def sub(self) -> Any:
        if self._sub is None:
            from async_substrate_interface.sync_substrate import SubstrateInterface

            try:
                # retry_timeout bounds a silent node; max_retries=1 keeps a dead endpoint from
                # costing minutes (the library's default is 5 retries of 60 s).
                self._sub = SubstrateInterface(self.url, ss58_format=self.extra.ss58_format, max_retries=1,
                                               retry_timeout=30.0)
            except (OSError, ConnectionError, TimeoutError) as exc:
                raise NodeUnreachable(f"cannot reach {self.url}: {type(exc).__name__}") from None
            except Exception as exc:
                raise self.error(exc) from None
        return self._sub

    def close(self) -> None:
        if self._sub is not None:
            try:
                self._sub.close()
            except Exception:  # closing a dead socket is not an error worth reporting
                pass
            self._sub = None

    @staticmethod
    def error(exc: Exception) -> Exception:
        from async_substrate_interface.errors import SubstrateRequestException

        if isinstance(exc, (OSError, ConnectionError, TimeoutError)):
            return NodeUnreachable(f"the node stopped answering: {type(exc).__name__}")
        if isinstance(exc, SubstrateRequestException):
            detail = exc.args[0] if exc.args else exc
            if isinstance(detail, dict) and "error" in detail:
                e = detail["error"]
                return RpcError(f"{e.get('message')}: {e.get('data', '')}".rstrip(": "), e.get("code"), e.get("data"))
            return RpcError(str(detail))
        return exc

    def call(self, fn: str, *args: Any, **kw: Any) -> Any:
        try:
            return getattr(self.sub, fn)(*args, **kw)
        except (NodeUnreachable, RpcError):
            raise
        except Exception as exc:
            err = self.error(exc)
            if err is exc:
                raise
            raise err from None

    # --- identity of the chain -----------------------------------------------------------------
    def genesis(self) -> str:
        if self._genesis is None:
            self._genesis = str(self.call("get_block_hash", 0))
        return self._genesis

    def check_chain(self) -> str:
        """Raise ActionRefused unless the node's genesis hash is this network's; returns it."""
        got = self.genesis().lower()
        want = (self.extra.genesis_hash or pinned_genesis(self.network_key) or "").lower()
        if not want:
            pin_genesis(self.network_key, got)
            log.warning("pinned the genesis hash of %s on first connection: %s", self.network_key, got)
            want = got
        if got != want:
            raise ActionRefused(f"the node at {self.url} is on another chain: genesis {got[:18]}…, "
                                f"{self.network_key} is {want[:18]}…",
                                hint="check --rpc / the network's rpc list; nothing was signed")
        if self.extra.system_chain and not self._chain_ok:
            name = self.call("rpc_request", "system_chain", []).get("result")
            if name != self.extra.system_chain:
                raise ActionRefused(f"the node says it is {name!r}, not {self.extra.system_chain!r}")
            self._chain_ok = True
        return got

    def pallets(self) -> list[str]:
        return [p.name for p in self.call("init_runtime").metadata.pallets]

    # --- reads -----------------------------------------------------------------------------------
    def query(self, pallet: str, item: str, params: list[Any] | None = None, block_hash: str | None = None) -> Any:
        obj = self.call("query", pallet, item, params or [], block_hash=block_hash)
        return getattr(obj, "value", obj)

    def query_multi(self, keys: list[tuple[str, str, list[Any]]], block_hash: str | None = None) -> list[Any]:
        """Several storage reads in one round trip (state_queryStorageAt)."""
        if not keys:
            return []
        skeys = [self.call("create_storage_key", p, i, params, block_hash=block_hash) for p, i, params in keys]
        out = self.call("query_multi", skeys, block_hash=block_hash)
        return [getattr(v, "value", v) for _, v in out]

    def query_map(self, pallet: str, item: str, params: list[Any] | None = None, page_size: int = 500) -> list[tuple[Any, Any]]:
        result = self.call("query_map", pallet, item, params or [], page_size=page_size)
        return [(getattr(k, "value", k), getattr(v, "value", v)) for k, v in result]

    def constant(self, pallet: str, name: str) -> Any:
        obj = self.call("get_constant", pallet, name)
        return getattr(obj, "value", obj)

    def head(self) -> tuple[int, str]:
        h = self.call("get_chain_head")
        return int(self.call("get_block_number", h)), str(h)
