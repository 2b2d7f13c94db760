"""A small Cosmos LCD (REST) client over the bounded transport (total deadline, size cap, retries with
backoff and Retry-After): pagination and the gov v1 → v1beta1 fallback.

cosmpy's LedgerClient speaks gRPC or REST but rejects vesting accounts and retries nothing; sync only
needs GETs of JSON and two POSTs, so this talks HTTP itself (httpx, already a dependency).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from wallet.adapters.cosmos.errors import LcdError
from wallet.adapters.transport import OverTransport

log = logging.getLogger("polis.cosmos")

# gRPC codes meaning "this route does not exist on this node": 12 Unimplemented (grpc-gateway's
# answer to an unregistered path, HTTP 501), or a plain 404/405 from a proxy in front of it.
UNIMPLEMENTED = 12
MAX_RESPONSE_BYTES = 64 * 2**20
"""Largest answer read from a node (a page of 1,000 validators is ~2 MB): a node streaming more is
refused instead of filling memory."""


class Lcd(OverTransport):
    def __init__(self, url: str, *, timeout: float | None = None, retries: int = 3, backoff: float = 0.2,
                 max_wait: float = 10.0) -> None:
        from wallet.adapters.transport import Transport, default_deadline

        self.url = url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        """Longest honoured Retry-After, seconds (a node asking for more counts as unreachable)."""
        # `timeout` is the total deadline of one request (POLIS_RPC_TIMEOUT, default 15 s).
        self._http = Transport(deadline=timeout if timeout is not None else default_deadline(15.0), retries=retries,
                               backoff=backoff, max_wait=max_wait, max_bytes=MAX_RESPONSE_BYTES,
                               headers={"accept": "application/json"})

    def _request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                 body: dict[str, Any] | None = None) -> Any:
        import orjson

        def garbled(reply: Any) -> bool:
            try:
                reply.doc = orjson.loads(reply.body)
            except orjson.JSONDecodeError:
                return reply.status < 400  # a 200 with truncated or garbled JSON: asked again
            return False

        post = method != "GET"
        reply = self._http.request(method, self.url + path, params=None if post else params,
                                   content=orjson.dumps(body) if post else None,
                                   headers={"content-type": "application/json"} if post else None,
                                   retry_garbled=garbled)
        if reply.status >= 400:
            if reply.doc is None:
                raise LcdError(f"{path}: HTTP {reply.status}", status=reply.status)
            raise _error(path, reply.status, reply.doc)
        return reply.doc

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
