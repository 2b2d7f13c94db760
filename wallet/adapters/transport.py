"""One bounded HTTP transport for every family's client (EVM JSON-RPC, Cosmos LCD, Snapshot hub).

- A total deadline per request: connecting, sending and the whole answer (headers and body) must fit
  in `deadline` seconds. httpx's timeouts are per socket operation, so a node sending one byte every
  2 s would never trip them; here every socket read and write is given only the time left before the
  request's deadline (a network backend that wraps httpcore's), so a slow-loris ends at the deadline.
- A size cap on every answer, read streamed into one buffer: over the cap the read stops (bounded
  memory) with a clear error. Compressed bodies are counted after decompression.
- Bounded retries with exponential backoff and jitter for refused connections, dropped sockets and
  429/5xx answers; Retry-After is honoured up to `max_wait` (a node asking for longer is unreachable).
  A request that ran out of its deadline while the node was sending (a slow-loris) is not retried: the
  same node would keep the user waiting; one that stalled without a byte is retried on a new connection.
- Two clients with the same bounds: plain http:// without a proxy (a local node) through the standard
  library (wallet/adapters/plainhttp.py: no ~50 ms of httpx imports), https and proxies through httpx.
- The command's time budget (wallet/budget.py) bounds them all: each request's deadline is cut to what
  is left of it, and retries pause only within it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

from wallet import budget
from wallet.adapters.http import retry_after
from wallet.errors import NodeUnreachable, RpcError
from wallet.records import Value

log = logging.getLogger("polis.http")

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_MAX_BYTES = 64 * 2**20
"""Largest answer read (a 10,000-log eth_getLogs page is ~10 MB, a page of 1,000 validators ~2 MB)."""

_local = threading.local()


def default_deadline(fallback: float = 20.0) -> float:
    """Seconds per request: POLIS_RPC_TIMEOUT, else `fallback`."""
    try:
        value = float(os.environ.get("POLIS_RPC_TIMEOUT") or fallback)
    except ValueError:
        value = fallback
    return value if 0 < value <= 3600 else fallback


def _left(timeout: float | None) -> float | None:
    end = getattr(_local, "deadline", None)
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        import httpcore

        raise httpcore.ReadTimeout("the request's total deadline passed")
    return left if timeout is None else min(timeout, left)


def _backend() -> Any:
    import httpcore
    from httpcore._backends.sync import SyncBackend

    class DeadlineStream(httpcore.NetworkStream):
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            data: bytes = self.inner.read(max_bytes, _left(timeout))
            _local.received = getattr(_local, "received", 0) + len(data)
            return data

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self.inner.write(buffer, _left(timeout))

        def close(self) -> None:
            self.inner.close()

        def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                      timeout: float | None = None) -> Any:
            return DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, _left(timeout)))

        def get_extra_info(self, info: str) -> Any:
            return self.inner.get_extra_info(info)

    class DeadlineBackend(SyncBackend):
        def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                        socket_options: Any = None) -> Any:
            return DeadlineStream(super().connect_tcp(host, port, _left(timeout), local_address, socket_options))

    return DeadlineBackend()


class Reply(Value):
    _fields = ("status", "headers", "body", "doc")
    status: int
    headers: dict[str, str]
    body: bytes | bytearray
    doc: Any
    """The decoded JSON, when a caller decoded it."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes | bytearray, doc: Any = None) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.doc = doc


def _plain_ok(url: str) -> bool:
    """Whether a request goes through the standard-library client (wallet/adapters/plainhttp.py): plain
    http:// to an ASCII host with no proxy that httpx would honour (HTTP_PROXY/ALL_PROXY in any case, and on
    macOS and Windows the system's proxy settings). https, proxies and query parameters go through httpx."""
    if url[:7].lower() != "http://" or not url.isascii():
        return False
    if sys.platform in ("darwin", "win32"):
        from urllib.request import getproxies

        return not {"http", "all"} & set(getproxies())
    return not any(v and k.lower() in ("http_proxy", "all_proxy") for k, v in os.environ.items())


def _errors(*, connect: bool) -> tuple[type[BaseException], ...]:
    """The failures of either client that a retry may cure; httpx's only when it was loaded."""
    from wallet.adapters import plainhttp

    found: tuple[type[BaseException], ...] = (plainhttp.ConnectError,) if connect else (plainhttp.HttpError,)
    if "httpx" in sys.modules:
        import httpx

        found += (httpx.ConnectError,) if connect else (httpx.TransportError, httpx.TimeoutException)
    return found


class Transport:
    """httpx (https, proxies) or the standard library (plain http) with the bounds above. Thread-safe: batch
    planning shares one per node."""

    def __init__(self, *, deadline: float | None = None, connect_timeout: float = 5.0, retries: int = 4,
                 backoff: float = 0.25, max_wait: float = 30.0, max_bytes: int = DEFAULT_MAX_BYTES,
                 headers: dict[str, str] | None = None, tls: bool = True) -> None:
        from wallet.adapters.plainhttp import PlainHttp

        self.deadline = deadline if deadline is not None else default_deadline()
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_bytes = max_bytes
        self.round_trips = 0
        self.waited = 0.0
        """Seconds spent waiting before retries (Retry-After included)."""
        self._tls, self._headers, self._connect_timeout = tls, headers or {}, connect_timeout
        self._plain = PlainHttp(connect_timeout=min(self.deadline, connect_timeout), headers=self._headers)
        self._client: Any = None
        self._lock = threading.Lock()

    def _httpx(self) -> Any:
        """The httpx client, built on first use (~50 ms of imports a plain-http command never pays)."""
        with self._lock:
            if self._client is None:
                import httpcore
                import httpx

                transport = httpx.HTTPTransport(verify=self._tls)
                # The same pool httpx builds, on a backend whose socket operations respect the deadline.
                transport._pool = httpcore.ConnectionPool(ssl_context=transport._pool._ssl_context,  # noqa: SLF001
                                                          network_backend=_backend())
                self._client = httpx.Client(transport=transport, headers=self._headers, timeout=httpx.Timeout(
                    self.deadline, connect=min(self.deadline, self._connect_timeout)))
            return self._client

    def close(self) -> None:
        self._plain.close()
        if self._client is not None:
            self._client.close()

    def _exchange(self, method: str, url: str, content: bytes | None, params: dict[str, Any] | None,
                  headers: dict[str, str] | None, name: str) -> Reply:
        """One request and its whole answer (size-capped), by the client that serves the URL."""
        if not params and _plain_ok(url):
            from wallet.adapters import plainhttp

            def count(n: int) -> None:
                _local.received = getattr(_local, "received", 0) + n

            try:
                status, got, body = self._plain.request(method, url, content, headers,
                                                        plainhttp.Deadline(_local.deadline, count), self.max_bytes)
            except plainhttp.TooLarge as exc:
                limit = self.max_bytes // 2**20
                if exc.args and exc.args[0] is not None:
                    raise RpcError(f"{name} sent {exc.args[0] // 2**20} MB, more than the {limit} MB allowed") from None
                raise RpcError(f"{name} sent more than the {limit} MB allowed for one answer") from None
            return Reply(status, got, body)
        client = self._httpx()
        req = client.build_request(method, url, content=content, params=params, headers=headers)
        resp = client.send(req, stream=True)
        try:
            body = self._read(resp, name)
        finally:
            resp.close()
        return Reply(resp.status_code, dict(resp.headers), body)

    def request(self, method: str, url: str, *, content: bytes | None = None, params: dict[str, Any] | None = None,
                headers: dict[str, str] | None = None, retry_garbled: Any = None, shown: str | None = None) -> Reply:
        """The first answer that is not a retryable status (any 2xx-5xx the caller must judge).

        `retry_garbled(reply) -> bool` may ask for another try of an answer (a truncated JSON body).
        `shown` names the node in messages (a URL with secrets redacted); default `url`."""
        name = shown or url
        delay = self.backoff
        last = ""
        for attempt in range(self.retries + 1):
            wait = delay
            started = time.monotonic()
            # the request's own deadline, cut to what is left of the command's (wallet/budget.py)
            _local.deadline, _local.received = started + budget.bound(self.deadline), 0
            try:
                self.round_trips += 1
                reply = self._exchange(method, url, content, params, headers, name)
                if reply.status in RETRYABLE_STATUS:
                    last = f"HTTP {reply.status}"
                    wait = retry_after(reply.headers.get("retry-after"), delay)
                    if wait > self.max_wait:
                        raise NodeUnreachable(f"{name} is rate limiting (asks to wait {wait:.0f} s)")
                elif retry_garbled is not None and retry_garbled(reply):
                    last = "an answer that is not JSON (truncated or garbled)"
                else:
                    return reply
            except _errors(connect=True) as exc:
                last = type(exc).__name__
                if attempt >= 1:  # refused or unresolvable: retrying at length rarely helps
                    break
            except _errors(connect=False) as exc:
                budget.check()  # the command's budget ran out during this request
                if time.monotonic() - started >= self.deadline * 0.99 and int(getattr(_local, "received", 0)) > 0:
                    # It was answering, too slowly (a slow-loris): the same node would keep the user waiting.
                    # A stall that sent nothing is retried on a fresh connection.
                    raise NodeUnreachable(f"{name} did not answer within {self.deadline:g} s "
                                          f"(the deadline of one request)") from None
                last = type(exc).__name__
            finally:
                _local.deadline = None
            if attempt < self.retries:
                import random  # only a retry needs the jitter

                pause = min(wait, self.max_wait) * (1 + random.random() * 0.1)
                log.debug("%s: %s, retry %d in %.2f s", name, last, attempt + 1, pause)
                self.waited += pause
                budget.sleep(pause)
                delay *= 2
        raise NodeUnreachable(f"node {name} is unreachable ({last})")

    def _read(self, resp: Any, name: str) -> bytearray:
        limit = self.max_bytes
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise RpcError(f"{name} sent {int(declared) // 2**20} MB, more than the {limit // 2**20} MB allowed")
        buf = bytearray()
        for chunk in resp.iter_bytes():
            if len(buf) + len(chunk) > limit:
                raise RpcError(f"{name} sent more than the {limit // 2**20} MB allowed for one answer")
            buf += chunk
        return buf


class OverTransport:
    """Base of a family's HTTP client that sends through one `Transport` (`self._http`): its counters,
    size cap and close, written once for every family."""

    _http: Transport

    @property
    def round_trips(self) -> int:
        return self._http.round_trips

    @property
    def waited(self) -> float:
        """Seconds spent waiting on 429/5xx answers (reported by sync)."""
        return self._http.waited

    @property
    def max_bytes(self) -> int:
        """Largest answer read; over it a request fails with a clear error."""
        return self._http.max_bytes

    @max_bytes.setter
    def max_bytes(self, value: int) -> None:
        self._http.max_bytes = value

    def close(self) -> None:
        self._http.close()
