"""A hostile node on 127.0.0.1: forwards JSON-RPC to a real upstream (anvil) and lies in one way.

Modes (set `node.mode`, switchable while it runs):
- "honest": forwards everything.
- "wrong_hashes": every eth_getBlockByNumber answer carries another hash and parent hash.
- "null_blocks": eth_getBlockByNumber answers null.
- "refuse_blocks": eth_getBlockByNumber answers a JSON-RPC error.
- "huge_fees": eth_maxPriorityFeePerGas answers 50 ETH, the latest block a base fee of 1,000 gwei.
- "huge_gas": eth_estimateGas answers 25,000,000.
- "simulate_latest": eth_estimateGas and eth_call run on the latest block, not on anvil's pending one.
- "absurd_numbers": eth_blockNumber answers 2^256 - 1.
- "garbled_chain_id": eth_chainId answers a string that is no hex quantity.
- "malformed_json": every answer is cut in the middle of a JSON document.
- "slow_loris": headers at once, then one byte of the body every `drip` seconds.
- "huge_body": a body of `huge_mb` MB of JSON whitespace, streamed (never held in memory here).
Any path and method is answered (GET too), so the transport modes also serve LCD and hub clients.
`requests` counts what arrived, `sent_raw` the eth_sendRawTransaction calls that were forwarded.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

TRANSPORT_MODES = ("malformed_json", "slow_loris", "huge_body")


class HostileNode:
    def __init__(self, upstream: str = "", mode: str = "honest", *, drip: float = 2.0, huge_mb: int = 100) -> None:
        self.upstream = upstream
        self.mode = mode
        self.drip = drip
        self.huge_mb = huge_mb
        self.requests = 0
        self.sent_raw = 0
        self.kill_pid: int | None = None
        """When set, this process is killed (SIGKILL) as soon as the upstream accepted an eth_sendRawTransaction."""
        self.kill_before_send: int | None = None
        """When set, this process is killed when its eth_sendRawTransaction arrives, which is never forwarded."""
        node = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                node._serve(self, b"")

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("content-length") or 0)
                node._serve(self, self.rfile.read(n))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._client = httpx.Client(timeout=30)

    def __enter__(self) -> HostileNode:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()

    # --- answers --------------------------------------------------------------------------------
    def _serve(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        self.requests += 1
        mode = self.mode
        try:
            if mode == "slow_loris":
                return self._slow(h)
            if mode == "huge_body":
                return self._huge(h)
            canned = b'{"jsonrpc":"2.0","id":1,"result":"0x1","data":{"space":null}}'
            reply = self._forward(body) if body and self.upstream else canned
            if mode == "malformed_json":
                reply = reply[: max(1, len(reply) // 2)]
            self._send(h, reply)
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, reply: bytes) -> None:
        h.send_response(200)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", str(len(reply)))
        h.end_headers()
        h.wfile.write(reply)

    def _slow(self, h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("content-type", "application/json")
        h.send_header("content-length", "1000000")
        h.end_headers()
        h.wfile.flush()
        for _ in range(10_000):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(self.drip)

    def _huge(self, h: BaseHTTPRequestHandler) -> None:
        size = self.huge_mb * 2**20
        h.send_response(200)
        h.send_header("content-type", "application/json")
        h.send_header("transfer-encoding", "chunked")
        h.end_headers()
        chunk = b" " * 2**20
        for _ in range(size // len(chunk)):
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        h.wfile.write(b"0\r\n\r\n")

    def _forward(self, body: bytes) -> bytes:
        calls = json.loads(body)
        single = not isinstance(calls, list)
        items = [calls] if single else calls
        if self.kill_before_send and any(c.get("method") == "eth_sendRawTransaction" for c in items):
            import os
            import signal

            os.kill(self.kill_before_send, signal.SIGKILL)  # the sender dies before its transaction left
            self.kill_before_send = None
            time.sleep(0.2)
            return json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": "gone"}}).encode()
        for c in items:
            if c.get("method") == "eth_sendRawTransaction":
                self.sent_raw += 1
            if self.mode == "simulate_latest" and c.get("method") in ("eth_estimateGas", "eth_call"):
                c["params"] = [c["params"][0], "latest"]  # as nodes that simulate on the latest block do
        if self.mode == "simulate_latest":
            body = json.dumps(calls).encode()
        up = self._client.post(self.upstream, content=body, headers={"content-type": "application/json"}).json()
        if self.kill_pid and any(c.get("method") == "eth_sendRawTransaction" for c in items):
            import os
            import signal

            os.kill(self.kill_pid, signal.SIGKILL)  # the node has the transaction; its sender never hears back
            self.kill_pid = None
            time.sleep(0.2)
        answers = [up] if single else up
        by_id = {c.get("id"): c for c in items}
        out = [self._tamper(by_id.get(a.get("id"), {}), a) for a in answers]
        return json.dumps(out[0] if single else out).encode()

    def _tamper(self, call: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
        m, mode = call.get("method"), self.mode
        if m == "eth_getBlockByNumber":
            if mode == "null_blocks":
                return {**answer, "result": None}
            if mode == "refuse_blocks":
                return {"jsonrpc": "2.0", "id": answer.get("id"),
                        "error": {"code": -32601, "message": "method not allowed on this gateway"}}
            if mode == "wrong_hashes" and isinstance(answer.get("result"), dict):
                blk = dict(answer["result"])
                n = int(blk["number"], 16)
                blk["hash"] = "0x" + f"{n:x}".rjust(8, "0") * 8
                blk["parentHash"] = "0x" + f"{n + 7:x}".rjust(8, "0") * 8
                return {**answer, "result": blk}
            if mode == "huge_fees" and isinstance(answer.get("result"), dict):
                return {**answer, "result": {**answer["result"], "baseFeePerGas": hex(1000 * 10**9)}}
        if m == "eth_maxPriorityFeePerGas" and mode == "huge_fees":
            return {**answer, "result": hex(50 * 10**18)}
        if m == "eth_estimateGas" and mode == "huge_gas":
            return {**answer, "result": hex(25_000_000)}
        if m == "eth_blockNumber" and mode == "absurd_numbers":
            return {**answer, "result": hex(2**256 - 1)}
        if m == "eth_chainId" and mode == "garbled_chain_id":
            return {**answer, "result": "0xzz-not-a-number"}
        return answer


class HostileWs:
    """The websocket side (Substrate JSON-RPC): every request is answered in `mode`:
    "huge_body" one text message of `huge_mb` MB, "slow_loris" a message sent in one-byte fragments every
    `drip` seconds, "malformed_json" a JSON answer cut in half."""

    def __init__(self, mode: str, *, drip: float = 0.5, huge_mb: int = 100) -> None:
        from websockets.sync.server import serve

        self.mode, self.drip, self.huge_mb = mode, drip, huge_mb
        self._huge: bytes | None = None
        self.server = serve(self._handle, "127.0.0.1", 0, max_size=2**20)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostileWs:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()

    def _handle(self, ws: Any) -> None:
        try:
            for raw in ws:
                req = json.loads(raw)
                rid = req[0]["id"] if isinstance(req, list) else req.get("id")
                answer = json.dumps({"jsonrpc": "2.0", "id": rid, "result": "0x" + "11" * 32})
                if self.mode == "huge_body":
                    if self._huge is None:
                        self._huge = answer[:-1].encode() + b" " * (self.huge_mb * 2**20) + b"}"
                    ws.send(self._huge, text=True)
                elif self.mode == "slow_loris":
                    ws.send(self._drip(answer))
                else:
                    ws.send(answer[: len(answer) // 2])
        except Exception:  # the client hung up
            pass

    def _drip(self, text: str) -> Any:
        for ch in text * 1000:
            time.sleep(self.drip)
            yield ch
