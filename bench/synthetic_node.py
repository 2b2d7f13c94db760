"""A loopback JSON-RPC node serving a synthetic Governor history of any size, generated on the fly
in the real wire format (eth_getLogs objects with ABI-encoded data), so a sync of 1,000,000 votes
can be measured without building a chain of that size. Used by bench/scale.py and the scale test."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VOTE_TOPIC = "0xb8e138887d0aa13bab447e82de9d5c1777041ecd21ca36ba824ff1e6c07ddda4"
CREATED_TOPIC = "0x7d84a6263ae0d98d3329bd7b46bb4e8d6f98cd35a7adb45c274c8b7fd5ebd5e0"
GOVERNOR = "0x00000000000000000000000000000000000060d1"
TOKEN = "0x0000000000000000000000000000000000007043"


def _w(v: int) -> str:
    return f"{v:064x}"


def _str(s: str) -> str:
    raw = s.encode()
    return _w(len(raw)) + (raw + b"\0" * (-len(raw) % 32)).hex()


class SyntheticGovernor:
    """`proposals` proposals created in block 1; then `votes_per_block` votes a block, cycling over
    the proposals, until `votes` votes exist. Voters are distinct addresses."""

    def __init__(self, proposals: int = 100, votes: int = 1_000_000, votes_per_block: int = 500,
                 chain_id: int = 31337) -> None:
        self.proposals = proposals
        self.votes = votes
        self.per_block = votes_per_block
        self.chain_id = chain_id
        self.head = 1 + (votes + votes_per_block - 1) // votes_per_block + 1

    def _created(self, i: int) -> dict[str, Any]:
        desc = f"# Synthetic proposal {i}\n\nGenerated for the scale benchmark."
        head = [_w(i + 1), _w(0xABC), _w(32 * 9), _w(32 * 10), _w(32 * 11), _w(32 * 12), _w(2), _w(10**9),
                _w(32 * 13)]
        tail = _w(0) + _w(0) + _w(0) + _w(0) + _str(desc)
        return {"address": GOVERNOR, "topics": [CREATED_TOPIC], "data": "0x" + "".join(head) + tail,
                "blockNumber": "0x1", "transactionHash": "0x" + _w(i), "logIndex": hex(i), "blockTimestamp": "0x1"}

    def _vote(self, n: int, block: int, idx: int) -> dict[str, Any]:
        pid = n % self.proposals + 1
        data = _w(pid) + _w(n % 3) + _w(10**18 + n) + _w(128) + _str("synthetic reason" if n % 7 == 0 else "")
        return {"address": GOVERNOR, "topics": [VOTE_TOPIC, "0x" + _w(0x100000 + n)], "data": "0x" + data,
                "blockNumber": hex(block), "transactionHash": "0x" + _w(n), "logIndex": hex(idx),
                "blockTimestamp": hex(block)}

    def logs(self, lo: int, hi: int) -> list[dict[str, Any]]:
        out = []
        if lo <= 1 <= hi:
            out += [self._created(i) for i in range(self.proposals)]
        for b in range(max(lo, 2), min(hi, self.head - 1) + 1):
            first = (b - 2) * self.per_block
            for k in range(self.per_block):
                n = first + k
                if n >= self.votes:
                    break
                out.append(self._vote(n, b, k))
        return out

    def answer(self, method: str, params: list[Any]) -> Any:
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "eth_blockNumber":
            return hex(self.head)
        if method == "eth_getBlockByNumber":
            n = self.head if params[0] == "latest" else int(params[0], 16)
            return {"number": hex(n), "hash": "0x" + _w(n + 0xB10C), "timestamp": hex(n)}
        if method == "eth_getLogs":
            f = params[0]
            return self.logs(int(f["fromBlock"], 16), int(f["toBlock"], 16))
        if method == "eth_call":
            sel = params[0]["data"][2:10]
            if sel == "3e4f49e6":  # state -> Defeated
                return "0x" + _w(3)
            if sel == "544ffc9c":  # proposalVotes
                return "0x" + _w(1) + _w(2) + _w(3)
            if sel == "f8ce560a":  # quorum
                return "0x" + _w(10**21)
            if sel == "dd4e2ba5":  # COUNTING_MODE
                return "0x" + _w(32) + _str("support=bravo&quorum=for,abstain")
            raise KeyError("execution reverted")
        raise KeyError(f"method {method} not served")


class SyntheticNode:
    def __init__(self, gov: SyntheticGovernor) -> None:
        self.gov = gov
        node = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                calls = body if isinstance(body, list) else [body]
                replies = []
                for c in calls:
                    try:
                        replies.append({"jsonrpc": "2.0", "id": c["id"],
                                        "result": node.gov.answer(c["method"], c["params"])})
                    except KeyError as exc:
                        replies.append({"jsonrpc": "2.0", "id": c["id"], "error": {"code": 3, "message": str(exc)}})
                data = json.dumps(replies if isinstance(body, list) else replies[0]).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
