"""Raw Ethereum JSON-RPC over the bounded transport (total deadline, size cap, retries): batching,
adaptive log ranges.

web3's provider stack costs ~0.5 s to import and ~6x more per get_logs call (measured, see
PROTOCOLS.md); sync only needs eth_getLogs, eth_call and a few heads, so it speaks JSON-RPC itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from wallet.errors import NodeUnreachable, RpcError

if TYPE_CHECKING:
    from wallet.adapters.evm.logs import Pacer
    from wallet.networks import NetworkConfig

log = logging.getLogger("polis.rpc")

# Messages public nodes use when a getLogs range or result set is too big.
RANGE_ERRORS = ("range", "limit", "too many", "exceed", "block range", "query returned more than",
                "response size", "timeout", "10000 results")


ORJSON_AFTER = 16 * 2**20
"""Bytes of answers parsed by the standard library before large answers go to orjson. On eth_getLogs pages
(objects of short strings) orjson saves ~1 µs a log but its import (it pulls in uuid and platform) costs
~15 ms: a sync of a few thousand votes never pays that back, one of millions does many times over."""
_parsed = 0


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _loads(raw: bytes) -> Any:
    global _parsed
    if _parsed < ORJSON_AFTER or len(raw) <= 256 * 1024:
        import json

        _parsed += len(raw)
        try:
            return json.loads(raw, parse_constant=_no_constants)  # NaN/Infinity refused, as orjson does
        except RecursionError:
            raise ValueError("JSON nested too deep") from None
    import orjson

    return orjson.loads(raw)


def _dumps(doc: Any) -> bytes:
    import json

    return json.dumps(doc, separators=(",", ":")).encode()


class JsonRpc:
    def __init__(self, url: str, *, timeout: float | None = None, retries: int = 4, backoff: float = 0.25,
                 headers: dict[str, str] | None = None, max_bytes: int | None = None) -> None:
        from wallet.adapters.transport import DEFAULT_MAX_BYTES, Transport

        self.url = url
        self.retries = retries
        self.backoff = backoff
        self._id = 0
        self.pacer: Pacer | None = None
        """Paces every call (a batch of n counts n) to the node's rate limit, when one is known."""
        # Loading the CA bundle costs ~20 ms; a plain-http node (a local devnet) needs none.
        # `timeout` is the total deadline of one request (POLIS_RPC_TIMEOUT, default 20 s).
        self._http = Transport(deadline=timeout, retries=retries, backoff=backoff, tls=url.lower().startswith("https:"),
                               max_bytes=max_bytes or DEFAULT_MAX_BYTES,
                               headers={"content-type": "application/json", **(headers or {})})

    @property
    def round_trips(self) -> int:
        return self._http.round_trips

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> JsonRpc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, body: bytes) -> Any:
        """One JSON-RPC POST through the bounded transport (deadline, size cap, retries); the decoded answer."""

        def garbled(reply: Any) -> bool:
            if reply.status >= 400:
                return False
            try:
                reply.doc = _loads(reply.body)
            except ValueError:
                return True
            return False

        reply = self._http.request("POST", self.url, content=body, retry_garbled=garbled)
        if reply.status >= 400:
            raise NodeUnreachable(f"{self.url} answered HTTP {reply.status}")
        return reply.doc

    def call(self, method: str, *params: Any, retry_errors: bool = True) -> Any:
        """One call; JSON-RPC errors that say "try later" are retried with backoff (bounded)."""
        delay = self.backoff
        for attempt in range(self.retries + 1):
            self._id += 1
            if self.pacer is not None:
                self.pacer.acquire(1)
            reply = self._post(_dumps({"jsonrpc": "2.0", "id": self._id, "method": method,
                                       "params": list(params)}))
            try:
                return _result(reply)
            except RpcError as exc:
                if not (retry_errors and is_transient(exc)) or attempt == self.retries:
                    raise
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def batch(self, calls: list[tuple[str, list[Any]]], *, size: int = 500) -> list[Any]:
        """Send many calls in batches; each result is the value or an RpcError instance. Items that
        failed with a transient error (or went missing from the answer) are asked again, bounded."""
        out: list[Any] = [None] * len(calls)
        todo = list(range(len(calls)))
        delay = self.backoff
        if self.pacer is not None and self.pacer.rate:  # a node that allows n calls a second takes no more at once
            size = max(1, min(size, int(self.pacer.rate)))
        for attempt in range(self.retries + 1):
            for i in range(0, len(todo), size):
                idx = todo[i:i + size]
                for k, res in zip(idx, self._batch_once([calls[j] for j in idx]), strict=True):
                    out[k] = res
            todo = [k for k in todo if isinstance(out[k], RpcError) and is_transient(out[k])]
            if not todo or attempt == self.retries:
                break
            log.debug("re-asking %d batch items after transient errors", len(todo))
            time.sleep(delay)
            delay *= 2
        return out

    def _batch_once(self, chunk: list[tuple[str, list[Any]]]) -> list[Any]:
        first = self._id + 1
        payload = [{"jsonrpc": "2.0", "id": first + k, "method": m, "params": p} for k, (m, p) in enumerate(chunk)]
        self._id += len(chunk)
        if self.pacer is not None:
            self.pacer.acquire(len(chunk))
        reply = self._post(_dumps(payload))
        if isinstance(reply, dict) and reply.get("error"):
            err = reply["error"]
            e = RpcError(str(err.get("message", err))[:500], code=err.get("code") if isinstance(err, dict) else None)
            return [e] * len(chunk)
        if not isinstance(reply, list):
            return [RpcError("malformed JSON-RPC batch reply")] * len(chunk)
        by_id = {r.get("id"): r for r in reply if isinstance(r, dict)}
        out: list[Any] = []
        for k in range(len(chunk)):
            r = by_id.get(first + k)
            if r is None:
                out.append(RpcError("missing reply in batch"))
            else:
                try:
                    out.append(_result(r))
                except RpcError as exc:
                    # The error is this call's answer, kept as a value: without its traceback, whose frames
                    # would link back to the caller's locals (holding this list) in a cycle that keeps them all
                    # alive until the garbage collector runs.
                    out.append(exc.with_traceback(None))
        return out

    # --- helpers ---------------------------------------------------------------------------------
    def eth_call(self, to: str, data: str, block: str | int = "latest", sender: str | None = None) -> bytes:
        tx: dict[str, Any] = {"to": to, "data": data}
        if sender:
            tx["from"] = sender
        res = self.call("eth_call", tx, block if isinstance(block, str) else hex(block))
        return bytes.fromhex(str(res)[2:])

    def logs(self, addresses: list[str], topics: list[Any], start: int, end: int, *, max_range: int,
             on_chunk: Callable[[int, int, int], None] | None = None, target_logs: int = 10_000,
             first_range: int = 16) -> Iterator[tuple[int, int, list[dict[str, Any]]]]:
        """Yield (from, to, logs) range by range, in block order.

        The range adapts to the log density so one answer stays near `target_logs` (memory stays
        bounded on a busy contract, round trips few on a quiet one): it doubles after a light answer,
        shrinks in proportion after a heavy one, and halves whenever the node rejects a range.
        """
        size = max(1, min(first_range, max_range))
        ceiling = max_range  # lowered for good once the node rejects a range
        transient_left = 8 * (self.retries + 1)
        lo = start
        while lo <= end:
            hi = min(lo + size - 1, end)
            try:
                got = self.call("eth_getLogs", {"address": addresses, "topics": topics,
                                                "fromBlock": hex(lo), "toBlock": hex(hi)}, retry_errors=False)
            except RpcError as exc:
                msg = str(exc).lower()
                ratey = "rate" in msg or "too many requests" in msg or exc.code == 429
                rangey = any(k in msg for k in RANGE_ERRORS) or exc.code in (-32005, -32602)
                if rangey and not ratey and hi > lo:
                    size = ceiling = max(1, (hi - lo + 1) // 2)
                    log.debug("splitting log range %d-%d: %s", lo, hi, msg[:80])
                    continue
                if (ratey or rangey or is_transient(exc)) and transient_left > 0:
                    transient_left -= 1
                    time.sleep(self.backoff)
                    continue
                raise
            if not isinstance(got, list):
                raise RpcError("eth_getLogs returned no list")
            if on_chunk:
                on_chunk(lo, hi, len(got))
            yield lo, hi, got
            span = hi - lo + 1
            n = len(got)
            del got
            if n > target_logs:
                size = max(1, span * target_logs // n)
            elif n < target_logs // 4 and span == size:
                size = min(ceiling, size * 2)
            lo = hi + 1


def quantity(value: Any, what: str, *, limit: int = 2**63) -> int:
    """A JSON-RPC hex quantity ("0x1b4") below `limit`, or RpcError naming what it was."""
    if isinstance(value, str) and value[:2] in ("0x", "0X") and 2 < len(value) <= 66:
        try:
            n = int(value, 16)
        except ValueError:
            n = -1
        if 0 <= n < limit:
            return n
    raise RpcError(f"the node answered an impossible {what}: {str(value)[:40]!r}")


TRANSIENT_CODES = {-32005, -32603, -32002, -32097, 429}
TRANSIENT_WORDS = ("rate limit", "too many requests", "timeout", "timed out", "busy", "try again",
                   "temporar", "header not found", "missing reply", "malformed", "internal error", "overload")


def is_transient(exc: RpcError) -> bool:
    """A node error that a later retry may not repeat (rate limits, overload, a lagging backend)."""
    msg = str(exc).lower()
    if "revert" in msg:
        return False
    return exc.code in TRANSIENT_CODES or any(w in msg for w in TRANSIENT_WORDS)


def _result(reply: Any) -> Any:
    if not isinstance(reply, dict) or "jsonrpc" not in reply and "result" not in reply and "error" not in reply:
        raise RpcError("malformed JSON-RPC reply")
    err = reply.get("error")
    if err:
        if not isinstance(err, dict):
            raise RpcError(str(err)[:500])
        raise RpcError(str(err.get("message", err))[:500], code=err.get("code"), data=err.get("data"))
    if "result" not in reply:
        raise RpcError("malformed JSON-RPC reply (no result)")
    return reply["result"]


class LazyRpcClient:
    """Adapter plumbing: one JsonRpc client to `self.rpc_url`, created on first use (httpx loads then)."""

    rpc_url: str
    network: NetworkConfig
    _rpc: JsonRpc | None = None

    @property
    def rpc(self) -> JsonRpc:
        if self._rpc is None:
            self._rpc = JsonRpc(self.rpc_url)
            if self.network.rpc_rate:  # the node's known rate limit paces every call (half a second's burst)
                from wallet.adapters.evm.logs import Pacer

                self._rpc.pacer = Pacer(self.network.rpc_rate, burst=max(self.network.rpc_rate / 2,
                                                                         self.network.rpc_batch))
        return self._rpc

    def prepare(self) -> None:
        _ = self.rpc

    def close(self) -> None:
        if self._rpc is not None:
            self._rpc.close()
            self._rpc = None
