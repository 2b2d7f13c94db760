"""The transport's standard-library client for http:// nodes (wallet/adapters/plainhttp.py), on a loopback
server: what the hostile-node and fault suites do not reach (compressed answers and their size cap after
decompression, kept-alive connections the server closed, user info as basic auth, which client serves
which URL). Answers are compared with httpx's for the same server."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from wallet.adapters.transport import Transport, _plain_ok
from wallet.errors import NodeUnreachable, RpcError

REPO = Path(__file__).resolve().parents[1]
DOC = {"jsonrpc": "2.0", "id": 1, "result": ["0x" + "ab" * 32] * 2000}


class Server:
    """Answers by path: /plain, /gzip, /deflate, /rawdeflate, /chunked, /bomb (a 200 MB gzip of zeros),
    /close (Connection: close), /echo (the request's method, headers and body), /eof (no length: ends at close)."""

    def __init__(self, idle_timeout: float | None = None) -> None:
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = idle_timeout  # a kept-alive connection idle this long is closed by the server

            def log_message(self, *a: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def do_GET(self) -> None:  # noqa: N802
                server.answer(self)

            def do_POST(self) -> None:  # noqa: N802
                server.answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *a: None  # type: ignore[method-assign]  # a client that hung up
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        body = h.rfile.read(int(h.headers.get("content-length") or 0))
        raw = json.dumps(DOC).encode()
        path = h.path.split("?")[0]
        headers: dict[str, str] = {"content-type": "application/json"}
        if path == "/echo":
            raw = json.dumps({"method": h.command, "path": h.path, "body": body.decode(),
                              "headers": {k.lower(): v for k, v in h.headers.items()}}).encode()
        elif path == "/gzip":
            raw, headers["content-encoding"] = gzip.compress(raw), "gzip"
        elif path == "/deflate":
            raw, headers["content-encoding"] = zlib.compress(raw), "deflate"
        elif path == "/rawdeflate":
            c = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            raw, headers["content-encoding"] = c.compress(raw) + c.flush(), "deflate"
        elif path == "/bomb":
            c = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
            raw = c.compress(b"\0" * (200 * 2**20)) + c.flush()
            headers["content-encoding"] = "gzip"
        h.send_response(200)
        for k, v in headers.items():
            h.send_header(k, v)
        if path == "/chunked":
            h.send_header("transfer-encoding", "chunked")
            h.end_headers()
            for i in range(0, len(raw), 777):
                part = raw[i:i + 777]
                h.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
            h.wfile.write(b"0\r\nx-trailer: 1\r\n\r\n")
            return
        if path == "/eof":
            h.send_header("connection", "close")
            h.end_headers()
            h.wfile.write(raw)
            h.close_connection = True
            return
        h.send_header("content-length", str(len(raw)))
        if path == "/close":
            h.send_header("connection", "close")
            h.close_connection = True
        h.end_headers()
        h.wfile.write(raw)


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.mark.parametrize("path", ["/plain", "/gzip", "/deflate", "/rawdeflate", "/chunked", "/close", "/eof"])
def test_answers_read_as_httpx_reads_them(server: Server, path: str) -> None:
    t = Transport(retries=0)
    try:
        got = t.request("POST", server.url + path, content=b'{"x": 1}')
    finally:
        t.close()
    want = httpx.post(server.url + path, content=b'{"x": 1}')
    assert got.status == want.status_code == 200
    assert bytes(got.body) == want.content and json.loads(got.body) == DOC
    assert got.headers["content-type"] == "application/json"  # keys lower case, as httpx's dict(headers)


def test_the_size_cap_counts_decompressed_bytes(server: Server) -> None:
    t = Transport(retries=0, max_bytes=8 * 2**20)
    try:
        with pytest.raises(RpcError, match="more than the 8 MB allowed"):
            t.request("GET", server.url + "/bomb")
        t.max_bytes = 1000
        with pytest.raises(RpcError, match="sent 0 MB, more than the 0 MB allowed"):
            t.request("GET", server.url + "/plain")  # its declared content-length is over the cap
    finally:
        t.close()


def test_connections_are_kept_alive_and_a_closed_one_is_replaced(server: Server) -> None:
    t = Transport(retries=0)
    try:
        for _ in range(5):
            assert json.loads(t.request("POST", server.url + "/plain", content=b"{}").body) == DOC
        assert server.connections == 1
        t.request("GET", server.url + "/close")  # the server ends this one
        assert json.loads(t.request("GET", server.url + "/plain").body) == DOC
        assert server.connections == 2 and t.round_trips == 7
    finally:
        t.close()


def test_a_server_that_drops_idle_connections_costs_no_retry() -> None:
    server = Server(idle_timeout=0.3)
    t = Transport(retries=0)
    try:
        t.request("GET", server.url + "/plain")
        time.sleep(0.8)  # the server closes the idle connection meanwhile
        assert json.loads(t.request("GET", server.url + "/plain").body) == DOC  # no retry allowed, none needed
        assert server.connections == 2
    finally:
        t.close()
        server.close()
    t = Transport(retries=0)
    try:
        with pytest.raises(NodeUnreachable, match=r"unreachable \(ConnectError\)"):
            t.request("GET", server.url + "/plain")  # nobody listens there now
    finally:
        t.close()


def test_request_line_headers_and_user_info(server: Server) -> None:
    t = Transport(retries=0, headers={"content-type": "application/json"})
    user_url = server.url.replace("http://", "http://us%40er:p%3Ass@") + "/echo?key=1"
    try:
        doc = json.loads(t.request("POST", user_url, content=b'{"a":1}', headers={"x-extra": "2"}).body)
    finally:
        t.close()
    assert doc["method"] == "POST" and doc["path"] == "/echo?key=1" and doc["body"] == '{"a":1}'
    h = doc["headers"]
    assert h["authorization"] == "Basic " + base64.b64encode(b"us@er:p:ss").decode()
    assert h["host"] == server.url.removeprefix("http://") and h["content-length"] == "7"
    assert h["content-type"] == "application/json" and h["x-extra"] == "2"
    assert "gzip" in h["accept-encoding"]


def test_a_line_break_in_a_header_is_refused_not_sent(server: Server) -> None:
    t = Transport(retries=0)
    try:
        with pytest.raises(NodeUnreachable, match="LocalProtocolError"):
            t.request("GET", server.url + "/echo", headers={"x-evil": "a\r\nx-injected: 1"})
    finally:
        t.close()
    assert server.connections == 0


def test_which_client_serves_which_url(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in list(os.environ):
        if k.lower().endswith("_proxy"):
            monkeypatch.delenv(k)
    assert _plain_ok("http://127.0.0.1:8545") and _plain_ok("HTTP://node.lan/rpc")
    assert not _plain_ok("https://eth.example/rpc") and not _plain_ok("http://bücher.example/")
    monkeypatch.setenv("Http_Proxy", "http://proxy.example:3128")
    assert not _plain_ok("http://127.0.0.1:8545")  # httpx honours the proxy: it serves this one
    monkeypatch.delenv("Http_Proxy")
    monkeypatch.setenv("ALL_PROXY", "socks5://proxy.example:1080")
    assert not _plain_ok("http://127.0.0.1:8545")


def test_a_plain_http_request_loads_no_httpx_nor_the_socket_module(server: Server) -> None:
    code = ("import sys\nfrom wallet.adapters.transport import Transport\n"
            f"t = Transport(retries=0); r = t.request('GET', {server.url + '/gzip'!r}); t.close()\n"
            "assert len(r.body) > 1000\n"
            "print(' '.join(m for m in ('httpx', 'httpcore', 'h11', 'anyio', 'ssl', 'socket') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO, env=env)
    assert out.stdout.split() == [], out.stdout


def test_a_name_with_several_addresses_is_tried_in_turn(server: Server) -> None:
    """`localhost` may resolve to ::1 before 127.0.0.1: a refused first address is not the answer."""
    from wallet.adapters.plainhttp import ConnectError, Deadline, PlainHttp

    client = PlainHttp(connect_timeout=5, headers={})
    try:
        deadline = Deadline(time.monotonic() + 10, lambda n: None)
        status, _h, body = client.request("GET", server.url.replace("127.0.0.1", "localhost") + "/plain", None, None,
                                          deadline, 1 << 20)
        assert status == 200 and json.loads(bytes(body)) == DOC
        with pytest.raises(ConnectError):
            client.request("GET", "http://127.0.0.1:9/plain", None, None, deadline, 1 << 20)  # discard: refused
    finally:
        client.close()
