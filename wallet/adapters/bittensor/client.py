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
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wallet.errors import ActionRefused, NodeUnreachable, RpcError

log = logging.getLogger("polis.bittensor")


# JSON-RPC codes meaning "try later": internal error, and the limits of public RPC providers.
TRANSIENT_CODES = {-32603, -32005, -32029, -32097, -32098, -32099}


def _transient(exc: Exception) -> bool:
    from async_substrate_interface.errors import MaxRetriesExceeded, SubstrateRequestException
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    if isinstance(exc, (OSError, ConnectionError, TimeoutError, ConnectionClosed, InvalidHandshake,
                        MaxRetriesExceeded, json.JSONDecodeError, UnicodeDecodeError, TryLater)):
        return True
    if isinstance(exc, SubstrateRequestException):
        detail = exc.args[0] if exc.args else None
        if isinstance(detail, str) and detail.startswith("{"):
            try:  # the library sometimes passes the JSON-RPC answer as its str()
                import ast

                detail = ast.literal_eval(detail)
            except (ValueError, SyntaxError):
                return False
        if isinstance(detail, dict):
            err = detail.get("error")
            return isinstance(err, dict) and err.get("code") in TRANSIENT_CODES
    return False


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
    timeout: float = Field(default=30.0, gt=0, le=300)
    """Seconds to wait for one answer before the connection counts as stalled."""
    retries: int = Field(default=3, ge=0, le=10)
    """Retries of a read after a timeout, a dropped connection, a garbled answer or a "try later"
    JSON-RPC error (each on a fresh connection). Submissions are never retried."""
    backoff: float = Field(default=0.25, ge=0, le=30)
    """First pause between retries, seconds; doubles each time."""


def extra_of(network: Any) -> BittensorExtra:
    from pydantic import ValidationError

    from wallet.errors import BadInput

    try:
        return BittensorExtra.model_validate(network.extra or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput(f"network {network.key!r}: extra.{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def _pins_path() -> Path:
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


MAX_MESSAGE_BYTES = 32 * 2**20
"""Largest websocket message read from a node (finney's runtime metadata is ~1 MB): a bigger one closes
the connection (websockets stops reading at the cap) instead of filling memory. Each answer must arrive
whole within `extra.timeout` seconds (the library's recv timeout covers the whole message)."""


def _too_big(exc: Exception) -> bool:
    from websockets.exceptions import ConnectionClosed

    seen: BaseException | None = exc
    for _ in range(4):  # the library re-raises a closed connection as MaxRetriesExceeded
        if isinstance(seen, ConnectionClosed):
            return any(getattr(f, "code", None) == 1009 for f in (seen.sent, seen.rcvd))  # 1009: message too big
        seen = seen.__context__ if seen is not None else None
    return False


class TryLater(Exception):
    """A JSON-RPC "try later" answer (internal error, rate limit), raised so the round trip is retried."""


_SUBCLASS: Any = None


def _substrate_class() -> Any:
    """async-substrate-interface's sync client with a retry around each JSON-RPC round trip.

    The library retries only timeouts and closed sockets, on the same connection and without
    backoff; a truncated frame raises JSONDecodeError and a "try later" error is final. One high-level
    call (connecting alone is ~6 requests) is many round trips, so the retry belongs to each round
    trip: at a 15 % fault rate a 10-request call retried as a whole succeeds one time in five.
    Subscriptions (watched submissions) and `author_*` methods are never retried: a retry could send twice."""
    global _SUBCLASS
    if _SUBCLASS is not None:
        return _SUBCLASS

    from async_substrate_interface.errors import MaxRetriesExceeded
    from async_substrate_interface.sync_substrate import SubstrateInterface

    class Retrying(SubstrateInterface):
        ws_max_size = MAX_MESSAGE_BYTES  # the library's default is 4 GiB

        def connect(self, init: bool = False) -> Any:
            """The library's connect with bounded options: messages up to MAX_MESSAGE_BYTES; frames never
            queue behind an unread answer (a slow-loris node otherwise blocks the reader thread and the
            close waits for it forever); opening and closing within `retry_timeout`."""
            import socket

            from websockets.sync.client import connect

            if not init and not self.ws.close_code:
                return self.ws
            from wallet import budget

            opening = budget.bound(self.retry_timeout)  # within the command's time budget
            try:
                ws = connect(self.chain_endpoint, max_size=MAX_MESSAGE_BYTES, max_queue=None,
                             open_timeout=opening, close_timeout=min(opening, 2.0))
            except (ConnectionError, socket.gaierror) as e:
                raise ConnectionError(e) from None
            if not init:
                self.ws = ws
            return ws

        def __del__(self) -> None:
            # The library closes its socket here, also at interpreter exit, when the reader thread (a
            # daemon) is already stopped: the close then waits for it forever. Client.close() closes.
            pass

        def __init__(self, *a: Any, polis_retries: int = 3, polis_backoff: float = 0.25, **kw: Any) -> None:
            self.polis_retries = polis_retries
            self.polis_backoff = polis_backoff
            self.polis_timeout = float(kw.get("retry_timeout", 60.0))
            try:
                super().__init__(*a, **kw)
            except BaseException:
                ws = getattr(self, "ws", None)  # a connection opened before the failure
                if ws is not None:
                    try:
                        ws.close()
                    except Exception:
                        pass
                raise

        def _polis_retry(self, payloads: list[dict[str, Any]], once: Any) -> Any:
            from wallet import budget

            methods = [str((p.get("payload") or p).get("method", "")) for p in payloads]
            # each answer's wait (the library's recv timeout) is cut to what is left of the command's budget
            self.retry_timeout = budget.bound(self.polis_timeout)
            if any(m.startswith("author_") for m in methods):
                return once()
            delay = self.polis_backoff
            why = ""
            for attempt in range(self.polis_retries + 1):
                try:
                    self.retry_timeout = budget.bound(self.polis_timeout)
                    return once()
                except Exception as exc:
                    budget.check()  # the command's budget ran out during this round trip
                    if _too_big(exc):  # the same node would send it again: not retried
                        raise RpcError(f"the node sent a websocket message over the {MAX_MESSAGE_BYTES // 2**20} MB "
                                       "allowed") from None
                    if not _transient(exc):
                        raise
                    why = type(exc).__name__
                    if attempt == self.polis_retries:
                        raise MaxRetriesExceeded(f"{methods[:1]} failed {attempt + 1} times ({why})") from None
                try:  # a stalled or garbled stream may still deliver stale frames: reconnect
                    self.ws.close()
                except Exception:
                    pass
                log.debug("substrate %s: %s, retry %d in %.2f s", methods[:1], why, attempt + 1, delay)
                budget.sleep(delay)
                delay *= 2
            raise AssertionError("unreachable")

        def _process_response(self, response: dict[str, Any], subscription_id: Any, value_scale_type: Any = None,
                              storage_item: Any = None, result_handler: Any = None) -> Any:
            err = response.get("error") if isinstance(response, dict) else None
            if isinstance(err, dict):
                if err.get("code") in TRANSIENT_CODES:
                    raise TryLater(str(err.get("message"))[:200])
                if value_scale_type:
                    # the library would decode an error as the storage item's default value (a
                    # zero balance, an empty stake): a wrong answer, not an absent one
                    from async_substrate_interface.errors import SubstrateRequestException

                    raise SubstrateRequestException({"error": err})
            return super()._process_response(response, subscription_id, value_scale_type, storage_item,
                                             result_handler)

        def _make_rpc_request(self, payloads: list[dict[str, Any]], value_scale_type: Any = None,
                              storage_item: Any = None, result_handler: Any = None, attempt: int = 1) -> Any:
            parent = super()._make_rpc_request
            if callable(result_handler) or attempt > 1:
                return parent(payloads, value_scale_type, storage_item, result_handler, attempt)
            return self._polis_retry(payloads, lambda: parent(payloads, value_scale_type, storage_item, result_handler))

        def _make_batch_rpc_request(self, payloads: list[dict[str, Any]], attempt: int = 1) -> Any:
            parent = super()._make_batch_rpc_request
            if attempt > 1:
                return parent(payloads, attempt)
            return self._polis_retry(payloads, lambda: parent(payloads))

    _SUBCLASS = Retrying
    return _SUBCLASS


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
            try:
                self._sub = _substrate_class()(self.url, ss58_format=self.extra.ss58_format, max_retries=1,
                                               retry_timeout=self.extra.timeout, polis_retries=self.extra.retries,
                                               polis_backoff=self.extra.backoff)
            except ConnectionError as exc:
                raise NodeUnreachable(f"cannot reach {self.url}: {type(exc).__name__}") from None
            except Exception as exc:
                err = self.error(exc)
                if err is exc:
                    raise
                raise err from None
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

        if isinstance(exc, (OSError, ConnectionError, TimeoutError)) or _transient(exc):
            return NodeUnreachable(f"the node at this endpoint is unreachable or failing ({type(exc).__name__})")
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

    def query_map(self, pallet: str, item: str, params: list[Any] | None = None,
                  page_size: int = 500) -> list[tuple[Any, Any]]:
        result = self.call("query_map", pallet, item, params or [], page_size=page_size)
        return [(getattr(k, "value", k), getattr(v, "value", v)) for k, v in result]

    def constant(self, pallet: str, name: str) -> Any:
        obj = self.call("get_constant", pallet, name)
        return getattr(obj, "value", obj)

    def broadcast(self, encoded: bytes) -> str:
        """`author_submitExtrinsic` (never retried: a retry could send twice); the hash the node answers.
        A refusal is RpcError with the node's reason (e.g. 1010 Invalid Transaction: Transaction is outdated)."""
        sub = self.sub
        payload = sub.make_payload("submit", "author_submitExtrinsic", ["0x" + encoded.hex()])
        answer = self.call("_make_rpc_request", [payload])["submit"][0]
        err = answer.get("error") if isinstance(answer, dict) else None
        if isinstance(err, dict):
            data = err.get("data")
            raise RpcError(f"{err.get('message')}: {data}" if data else str(err.get("message")), err.get("code"), data)
        return str(answer.get("result") if isinstance(answer, dict) else answer)

    def head(self) -> tuple[int, str]:
        h = self.call("get_chain_head")
        return int(self.call("get_block_number", h)), str(h)
