"""A fault-injecting HTTP proxy for the tests (loopback only): sits in front of anvil or a node double
and, at a seeded random rate, drops connections, stalls past the client's timeout, answers 5xx or 429
with Retry-After, truncates or garbles JSON, or returns JSON-RPC "try later" errors."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

FAULTS = ("drop", "stall", "http500", "http503", "http429", "truncate", "garble", "rpc_limit", "rpc_internal")


class FaultProxy:
    def __init__(self, upstream: str, *, rate: float = 0.15, seed: int = 7, faults: tuple[str, ...] = FAULTS,
                 stall: float = 1.5, chain_id: int | None = None) -> None:
        self.upstream = upstream
        self.rate = rate
        self.rng = random.Random(seed)
        self.faults = faults
        self.stall = stall
        self.chain_id = chain_id
        """When set, every eth_chainId answer claims this chain (a node on the wrong network)."""
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                proxy._handle(self)

            def do_GET(self) -> None:  # noqa: N802
                proxy._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._client = httpx.Client(timeout=60)
        self.closed = False
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.closed = True  # a kept-alive connection's next request is dropped, not served
        self.server.shutdown()
        self.server.server_close()
        self._client.close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pick(self) -> str | None:
        with self.lock:
            if self.rng.random() < self.rate:
                fault = self.rng.choice(self.faults)
                self.counts[fault] += 1
                return fault
            self.counts["ok"] += 1
            return None

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        if self.closed:
            h.close_connection = True
            return
        try:
            self._serve(h)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("content-length") or 0))
        fault = self._pick()
        if fault == "drop":
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if fault == "stall":
            time.sleep(self.stall)
        if fault in ("http500", "http503"):
            return self._reply(h, int(fault[4:]), b'{"error":"upstream unavailable"}')
        if fault == "http429":
            return self._reply(h, 429, b'{"error":"rate limited"}', {"Retry-After": "0"})
        if fault in ("rpc_limit", "rpc_internal") and body[:1] in (b"{", b"["):
            doc = json.loads(body)
            err = ({"code": -32005, "message": "limit exceeded, try again"} if fault == "rpc_limit"
                   else {"code": -32603, "message": "internal error: backend busy"})
            calls = doc if isinstance(doc, list) else [doc]
            replies = [{"jsonrpc": "2.0", "id": c.get("id"), "error": err} for c in calls]
            return self._reply(h, 200, json.dumps(replies if isinstance(doc, list) else replies[0]).encode())
        method = "POST" if h.command == "POST" else "GET"
        up = self._client.request(method, self.upstream.rstrip("/") + (h.path if h.path != "/" else ""),
                                  content=body if method == "POST" else None,
                                  headers={"content-type": h.headers.get("content-type", "application/json")})
        data = up.content
        if self.chain_id is not None and b"eth_chainId" in body:
            data = self._patch_chain_id(body, data)
        if fault == "truncate":
            data = data[: max(1, len(data) // 2)]
        elif fault == "garble":
            data = data.replace(b'"', b"'", 3) + b"}}"
        self._reply(h, up.status_code, data)

    def _patch_chain_id(self, body: bytes, data: bytes) -> bytes:
        req, rep = json.loads(body), json.loads(data)
        reqs, reps = (req, rep) if isinstance(req, list) else ([req], [rep])
        ids = {c["id"] for c in reqs if c.get("method") == "eth_chainId"}
        for r in reps:
            if r.get("id") in ids:
                r["result"] = hex(self.chain_id or 0)
        return json.dumps(rep if isinstance(req, list) else reps[0]).encode()

    @staticmethod
    def _reply(h: BaseHTTPRequestHandler, status: int, data: bytes, headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        try:
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout): expected here
            pass
