"""Raw Ethereum JSON-RPC over httpx: batching, bounded timeouts and retries, adaptive log ranges.

web3's provider stack costs ~0.5 s to import and ~6x more per get_logs call (measured, see
PROTOCOLS.md); sync only needs eth_getLogs, eth_call and a few heads, so it speaks JSON-RPC itself.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from wallet.errors import NodeUnreachable, RpcError

log = logging.getLogger("polis.rpc")

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
# Messages public nodes use when a getLogs range or result set is too big.
RANGE_ERRORS = ("range", "limit", "too many", "exceed", "block range", "query returned more than",
                "response size", "timeout", "10000 results")


def _loads(raw: bytes) -> Any:
    import orjson

    return orjson.loads(raw)


class JsonRpc:
    def __init__(self, url: str, *, timeout: float = 20.0, retries: int = 4, backoff: float = 0.25,
                 headers: dict[str, str] | None = None) -> None:
        import httpx

        self.url = url
        self.retries = retries
        self.backoff = backoff
        self._id = 0
        # Loading the CA bundle costs ~20 ms; a plain-http node (a local devnet) needs none.
        tls = url.lower().startswith("https:")
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)), verify=tls,
                                    headers={"content-type": "application/json", **(headers or {})})
        self.round_trips = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> JsonRpc:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(self, body: bytes) -> Any:
        import httpx

        delay = self.backoff
        last: str = ""
        for attempt in range(self.retries + 1):
            try:
                self.round_trips += 1
                resp = self._client.post(self.url, content=body)
                if resp.status_code in RETRYABLE_STATUS:
                    last = f"HTTP {resp.status_code}"
                    wait = _retry_after(resp.headers.get("retry-after"), delay)
                else:
                    resp.raise_for_status()
                    try:
                        return _loads(resp.content)
                    except ValueError:
                        last = "garbled JSON from the node"
                        wait = delay
            except httpx.HTTPStatusError as exc:
                raise NodeUnreachable(f"{self.url} answered HTTP {exc.response.status_code}") from None
            except httpx.ConnectError as exc:
                # Refused or unresolvable: retrying at length rarely helps; two quick tries.
                last = type(exc).__name__
                wait = delay
                if attempt >= 1:
                    break
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                last = type(exc).__name__
                wait = delay
            if attempt < self.retries:
                log.debug("rpc retry %d after %s", attempt + 1, last)
                time.sleep(min(wait, 30.0) * (1 + random.random() * 0.1))
                delay *= 2
        raise NodeUnreachable(f"node {self.url} is unreachable ({last})")

    def call(self, method: str, *params: Any) -> Any:
        self._id += 1
        import orjson

        reply = self._post(orjson.dumps({"jsonrpc": "2.0", "id": self._id, "method": method, "params": list(params)}))
        if not isinstance(reply, dict):
            raise RpcError("malformed JSON-RPC reply")
        if reply.get("error"):
            err = reply["error"]
            raise RpcError(str(err.get("message", err))[:500], code=err.get("code"), data=err.get("data"))
        return reply.get("result")

    def batch(self, calls: list[tuple[str, list[Any]]], *, size: int = 500) -> list[Any]:
        """Send many calls in batches; each result is the value or an RpcError instance."""
        import orjson

        out: list[Any] = []
        for i in range(0, len(calls), size):
            chunk = calls[i:i + size]
            first = self._id + 1
            payload = [{"jsonrpc": "2.0", "id": first + k, "method": m, "params": p} for k, (m, p) in enumerate(chunk)]
            self._id += len(chunk)
            reply = self._post(orjson.dumps(payload))
            if isinstance(reply, dict) and reply.get("error"):
                err = reply["error"]
                raise RpcError(str(err.get("message", err))[:500], code=err.get("code"))
            if not isinstance(reply, list):
                raise RpcError("malformed JSON-RPC batch reply")
            by_id = {r.get("id"): r for r in reply if isinstance(r, dict)}
            for k in range(len(chunk)):
                r = by_id.get(first + k)
                if r is None:
                    out.append(RpcError("missing reply in batch"))
                elif r.get("error"):
                    e = r["error"]
                    out.append(RpcError(str(e.get("message", e))[:500], code=e.get("code"), data=e.get("data")))
                else:
                    out.append(r.get("result"))
        return out

    # --- helpers ---------------------------------------------------------------------------------
    def eth_call(self, to: str, data: str, block: str | int = "latest", sender: str | None = None) -> bytes:
        tx: dict[str, Any] = {"to": to, "data": data}
        if sender:
            tx["from"] = sender
        res = self.call("eth_call", tx, block if isinstance(block, str) else hex(block))
        return bytes.fromhex(str(res)[2:])

    def logs(self, addresses: list[str], topics: list[Any], start: int, end: int, *, max_range: int,
             on_chunk: Callable[[int, int, int], None] | None = None, target_logs: int = 20_000,
             first_range: int = 2_048) -> Iterator[tuple[int, int, list[dict[str, Any]]]]:
        """Yield (from, to, logs) range by range, in block order.

        The range adapts to the log density so one answer stays near `target_logs` (memory stays
        bounded on a busy contract, round trips few on a quiet one): it doubles after a light answer,
        shrinks in proportion after a heavy one, and halves whenever the node rejects a range.
        """
        size = max(1, min(first_range, max_range))
        ceiling = max_range  # lowered for good once the node rejects a range
        lo = start
        while lo <= end:
            hi = min(lo + size - 1, end)
            try:
                got = self.call("eth_getLogs", {"address": addresses, "topics": topics,
                                                "fromBlock": hex(lo), "toBlock": hex(hi)})
            except RpcError as exc:
                msg = str(exc).lower()
                if hi > lo and (any(k in msg for k in RANGE_ERRORS) or exc.code in (-32005, -32602, -32000)):
                    size = ceiling = max(1, (hi - lo + 1) // 2)
                    log.debug("splitting log range %d-%d: %s", lo, hi, msg[:80])
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


def _retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    try:
        return max(0.0, float(value))  # Retry-After seconds
    except ValueError:
        return default
