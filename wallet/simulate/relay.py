"""A loopback relay between the fork and the real node. anvil forks `http://127.0.0.1:PORT`, so the node's
URL (which may carry an API key) never appears on anvil's command line, where any local user could read
it; and only read methods pass, so nothing the fork does can reach the node as a write."""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger("polis.simulate")

READ_METHODS = frozenset({
    "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_getBlockByNumber",
    "eth_getBlockByHash", "eth_call", "eth_getCode", "eth_getBalance", "eth_getStorageAt",
    "eth_getTransactionCount", "eth_getProof", "eth_getAccount", "eth_getAccountInfo", "eth_gasPrice",
    "eth_feeHistory", "eth_maxPriorityFeePerGas", "eth_getTransactionReceipt", "eth_getTransactionByHash",
    "eth_getLogs", "eth_getBlockReceipts", "anvil_nodeInfo",
})
MAX_BODY = 64 * 1024 * 1024
"""Largest request or answer relayed (bytes)."""


class _Upstream:
    """POSTs to the node over a pool of keep-alive connections (http.client: a few hundred
    microseconds a request less than httpx under anvil's bursts)."""

    def __init__(self, url: str, timeout: float) -> None:
        import base64
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url)
        self.tls = parts.scheme.lower() == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.tls else 80)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.timeout = timeout
        self.headers = {"content-type": "application/json", "accept": "application/json"}
        if parts.username:
            token = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self.headers["authorization"] = "Basic " + base64.b64encode(token).decode()
        self._idle: queue.LifoQueue[Any] = queue.LifoQueue()
        """Kept-alive connections to the node, shared by the relay's threads (anvil opens a connection
        for almost every request; the node sees a few)."""

    def _connection(self) -> Any:
        import http.client

        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        if self.tls:
            import ssl

            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def post(self, body: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):  # a kept-alive connection the node closed meanwhile: reconnect once
            conn = self._connection()
            try:
                conn.request("POST", self.path, body=body, headers=self.headers)
                answer = conn.getresponse()
                content = answer.read(MAX_BODY + 1)
                if len(content) > MAX_BODY:
                    raise ValueError("answer too large")
            except Exception:
                conn.close()
                if attempt == 2:
                    raise
                continue
            self._idle.put(conn)
            return answer.status, content
        raise AssertionError("unreachable")

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # anvil opens dozens of connections at once; a backlog of 5 drops SYNs (1 s each)
    daemon_threads = True


class Relay:
    """`with Relay(upstream) as relay:` → `relay.url` forwards read-only JSON-RPC to `upstream`."""

    def __init__(self, upstream: str, *, timeout: float = 30.0) -> None:
        self.upstream = upstream
        self.refused: list[str] = []
        self._http = _Upstream(upstream, timeout)
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: anvil sends many small requests
            disable_nagle_algorithm = True

            def log_message(self, *_a: Any) -> None:
                pass

            def do_POST(self) -> None:
                relay._handle(self)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        size = int(req.headers.get("content-length") or 0)
        if size > MAX_BODY:
            return self._reply(req, 413, b"")
        body = req.rfile.read(size)
        try:
            doc = json.loads(body)
        except ValueError:
            return self._reply(req, 400, b"")
        calls = doc if isinstance(doc, list) else [doc]
        bad = [c for c in calls if not isinstance(c, dict) or c.get("method") not in READ_METHODS]
        if bad:
            names = [str(c.get("method")) if isinstance(c, dict) else "?" for c in bad]
            self.refused += names
            log.warning("simulation relay refused %s", ", ".join(names))
            errors = [{"jsonrpc": "2.0", "id": c.get("id") if isinstance(c, dict) else None,
                       "error": {"code": -32601, "message": "Polis relays only reads to the real node"}}
                      for c in calls]
            return self._reply(req, 200, json.dumps(errors if isinstance(doc, list) else errors[0]).encode())
        try:
            status, content = self._http.post(body)
        except Exception as exc:
            log.debug("relay upstream failed: %s", type(exc).__name__)
            return self._reply(req, 502, b"")
        return self._reply(req, status, content)

    @staticmethod
    def _reply(req: BaseHTTPRequestHandler, status: int, content: bytes) -> None:
        head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\ncontent-type: application/json\r\n"
                f"content-length: {len(content)}\r\n\r\n").encode()
        with contextlib.suppress(OSError):  # the fork hung up
            req.wfile.write(head + content)  # one write: no wait on a delayed ACK between head and body

    def start(self) -> Relay:
        self._thread = threading.Thread(target=self._server.serve_forever, name="polis-fork-relay", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread = None
        self._server.server_close()
        self._http.close()

    def __enter__(self) -> Relay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
