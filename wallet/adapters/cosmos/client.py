"""A small Cosmos LCD (REST) client: bounded timeouts, retries with backoff and Retry-After,
pagination, and the gov v1 → v1beta1 fallback.

cosmpy's LedgerClient speaks gRPC or REST but rejects vesting accounts and retries nothing; sync only
needs GETs of JSON and two POSTs, so this talks HTTP itself (httpx, already a dependency).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from typing import Any

from wallet.adapters.cosmos.errors import LcdError
from wallet.adapters.http import read_capped, retry_after
from wallet.errors import NodeUnreachable

log = logging.getLogger("polis.cosmos")

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
# gRPC codes meaning "this route does not exist on this node": 12 Unimplemented (grpc-gateway's
# answer to an unregistered path, HTTP 501), or a plain 404/405 from a proxy in front of it.
UNIMPLEMENTED = 12
MAX_RESPONSE_BYTES = 64 * 2**20
"""Largest answer read from a node (a page of 1,000 validators is ~2 MB): a node streaming more is
refused instead of filling memory."""


class Lcd:
    def __init__(self, url: str, *, timeout: float = 15.0, retries: int = 3, backoff: float = 0.2,
                 max_wait: float = 10.0) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        """Longest honoured Retry-After, seconds (a node asking for more counts as unreachable)."""
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
                                    headers={"accept": "application/json"})
        self.round_trips = 0
        self.max_bytes = MAX_RESPONSE_BYTES

    def close(self) -> None:
        self._client.close()

    def _request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                 body: dict[str, Any] | None = None) -> Any:
        import httpx
        import orjson

        delay = self.backoff
        last = ""
        url = self.url + path
        for attempt in range(self.retries + 1):
            wait = delay
            try:
                self.round_trips += 1
                if method == "GET":
                    req = self._client.build_request("GET", url, params=params)
                else:
                    req = self._client.build_request("POST", url, content=orjson.dumps(body),
                                                     headers={"content-type": "application/json"})
                resp = self._client.send(req, stream=True)
                try:
                    content = read_capped(resp, self.max_bytes, url)
                finally:
                    resp.close()
                if resp.status_code in RETRYABLE_STATUS:
                    last = f"HTTP {resp.status_code}"
                    wait = retry_after(resp.headers.get("retry-after"), delay)
                    if wait > self.max_wait:
                        raise NodeUnreachable(f"{self.url} is rate limiting (asks to wait {wait:.0f} s)")
                else:
                    try:
                        doc = orjson.loads(content)
                    except orjson.JSONDecodeError:
                        if resp.status_code >= 400:
                            raise LcdError(f"{path}: HTTP {resp.status_code}", status=resp.status_code) from None
                        last = "garbled or truncated JSON"
                        doc = None
                    if doc is not None or resp.status_code >= 400:
                        if resp.status_code >= 400:
                            raise _error(path, resp.status_code, doc)
                        return doc
            except httpx.ConnectError as exc:
                last = type(exc).__name__
                if attempt >= 1:  # refused or unresolvable: retrying at length rarely helps
                    break
            except (httpx.TransportError, httpx.TimeoutException) as exc:
                last = type(exc).__name__
            if attempt < self.retries:
                log.debug("lcd retry %d of %s after %s", attempt + 1, path, last)
                time.sleep(min(wait, self.max_wait) * (1 + random.random() * 0.1))
                delay *= 2
        raise NodeUnreachable(f"node {self.url} is unreachable ({last})")

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self._request("POST", path, body=body)

    def pages(self, path: str, key: str, *, limit: int = 100, reverse: bool = False,
              params: dict[str, Any] | None = None) -> Iterator[list[dict[str, Any]]]:
        """Yield the `key` list of each page, following pagination.next_key until it is empty."""
        next_key: str | None = None
        seen: set[str] = set()
        while True:
            q = dict(params or {})
            q["pagination.limit"] = str(limit)
            if reverse:
                q["pagination.reverse"] = "true"
            if next_key:
                q["pagination.key"] = next_key
            doc = self.get(path, q)
            items = doc.get(key) if isinstance(doc, dict) else None
            if not isinstance(items, list):
                raise LcdError(f"{path}: the answer has no {key!r} list", status=200)
            yield items
            next_key = ((doc.get("pagination") or {}).get("next_key")) or None
            if not next_key or next_key in seen:  # a node repeating a key would loop forever
                return
            seen.add(next_key)


def is_unimplemented(exc: LcdError) -> bool:
    """True when the error means the route is not served (a v1beta1-only gov module)."""
    return exc.code == UNIMPLEMENTED or exc.status in (404, 405, 501) and exc.code in (None, UNIMPLEMENTED)


def _error(path: str, status: int, doc: Any) -> LcdError:
    code = None
    message = f"HTTP {status}"
    if isinstance(doc, dict):
        if isinstance(doc.get("code"), int):
            code = doc["code"]
        message = str(doc.get("message") or doc.get("error") or message)
    return LcdError(f"{path}: {message[:400]}", status=status, code=code)
