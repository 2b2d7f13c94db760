"""A loopback JSON-RPC proxy in front of anvil that stops listening after a number of sends."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class FlakyProxy:
    """A loopback JSON-RPC proxy in front of anvil that goes away (stops listening) after forwarding
    `sends_allowed` eth_sendRawTransaction calls: a node dying in the middle of a batch."""

    def __init__(self, upstream: str, sends_allowed: int) -> None:
        self.upstream = upstream
        self.left = sends_allowed
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_a: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                doc = json.loads(body)
                calls = doc if isinstance(doc, list) else [doc]
                sends = sum(1 for c in calls if c.get("method") == "eth_sendRawTransaction")
                with proxy.lock:
                    if sends and proxy.left <= 0:
                        proxy.go_away()
                        self.close_connection = True
                        return
                    proxy.left -= sends
                reply = httpx.post(proxy.upstream, content=body, headers={"content-type": "application/json"})
                self.send_response(reply.status_code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._gone = False

    def go_away(self) -> None:
        if not self._gone:
            self._gone = True
            self.server.socket.close()  # new connections are refused from now on
            threading.Thread(target=self.server.shutdown, daemon=True).start()

    def __enter__(self) -> FlakyProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.go_away()
