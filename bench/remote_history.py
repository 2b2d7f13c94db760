"""A five-year Governor history over a remote node: `polis sync` through a loopback proxy that adds a
fixed round-trip time, caps eth_getLogs ranges and enforces a request rate (every call of a JSON-RPC
batch counts, HTTP 429 with Retry-After above it), in front of the synthetic node serving a sparse
12,000,000-block history.

The floor is what no client can beat against that node: ranges ÷ allowed rate, or (when the rate is
generous) round trips × RTT ÷ concurrency. Goal: wall time ≤ 1.2× the floor. The old sequential
fetch (one range per round trip) is reported for comparison as ranges × RTT.

Run alone: `.venv/bin/python bench/remote_history.py` (bench/run.py calls `run()`).
"""

from __future__ import annotations

import bisect
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
POLIS = str(Path(sys.executable).with_name("polis"))

from synthetic_node import GOVERNOR, TOKEN, SyntheticGovernor, SyntheticNode  # noqa: E402


class SparseGovernor(SyntheticGovernor):
    """`proposals` proposals, then `votes` votes in clusters of `per_cluster`, spread evenly over
    `blocks` blocks: most log ranges of a long history hold a handful of events."""

    def __init__(self, blocks: int = 12_000_000, proposals: int = 20, votes: int = 20_000,
                 per_cluster: int = 10) -> None:
        super().__init__(proposals=proposals, votes=votes, votes_per_block=per_cluster)
        self.head = blocks
        clusters = math.ceil(votes / per_cluster)
        self.cluster_blocks = [2 + i * (blocks - 10) // clusters for i in range(clusters)]

    def logs(self, lo: int, hi: int) -> list[dict[str, Any]]:
        out = []
        if lo <= 1 <= hi:
            out += [self._created(i) for i in range(self.proposals)]
        i = bisect.bisect_left(self.cluster_blocks, lo)
        while i < len(self.cluster_blocks) and self.cluster_blocks[i] <= hi:
            b = self.cluster_blocks[i]
            for k in range(self.per_block):
                n = i * self.per_block + k
                if n < self.votes:
                    out.append(self._vote(n, b, k))
            i += 1
        return out


class RemoteProxy:
    """RTT, range cap and rate limit in front of a node. Counts calls, batches, 429s and range refusals."""

    def __init__(self, upstream: str, *, rtt: float = 0.08, range_cap: int = 10_000, rate: float = 200.0) -> None:
        import httpx

        self.upstream = upstream
        self.rtt, self.range_cap, self.rate = rtt, range_cap, rate
        self.tokens, self.stamp = rate, time.monotonic()
        self.lock = threading.Lock()
        self.stats = {"http_requests": 0, "calls": 0, "getlogs": 0, "429": 0, "range_refused": 0}
        client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["content-length"]))
                body = json.loads(raw)
                calls = body if isinstance(body, list) else [body]
                time.sleep(proxy.rtt)  # the round trip to a distant node
                with proxy.lock:
                    proxy.stats["http_requests"] += 1
                    now = time.monotonic()
                    proxy.tokens = min(proxy.rate, proxy.tokens + (now - proxy.stamp) * proxy.rate)
                    proxy.stamp = now
                    allowed = proxy.tokens >= len(calls)
                    if allowed:
                        proxy.tokens -= len(calls)
                        proxy.stats["calls"] += len(calls)
                    else:
                        proxy.stats["429"] += 1
                if not allowed:
                    self._send(429, b'{"error": "rate limit exceeded"}', {"retry-after": "1"})
                    return
                refused = {}
                for c in calls:
                    if c.get("method") == "eth_getLogs":
                        proxy.stats["getlogs"] += 1
                        f = c["params"][0]
                        if int(f["toBlock"], 16) - int(f["fromBlock"], 16) + 1 > proxy.range_cap:
                            proxy.stats["range_refused"] += 1
                            refused[c["id"]] = {"jsonrpc": "2.0", "id": c["id"], "error": {
                                "code": -32005, "message": f"query exceeds max block range {proxy.range_cap}"}}
                if not refused:  # pass the node's bytes through untouched
                    up = client.post(proxy.upstream, content=raw, headers={"content-type": "application/json"})
                    self._send(200, up.content, {})
                    return
                passed = [c for c in calls if c["id"] not in refused]
                answers: dict[Any, Any] = dict(refused)
                if passed:
                    up = client.post(proxy.upstream, json=passed)
                    for a in up.json():
                        answers[a["id"]] = a
                out = [answers[c["id"]] for c in calls]
                self._send(200, json.dumps(out if isinstance(body, list) else out[0]).encode(), {})

            def _send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._client = client
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()


def run(blocks: int = 12_000_000, rtt: float = 0.08, range_cap: int = 10_000, rate: float = 200.0,
        concurrency: int = 8, batch: int = 10, runs: int = 3) -> dict[str, object]:
    """Median of `runs` whole `polis sync` commands (a fresh archive each), against the floor."""
    gov = SparseGovernor(blocks=blocks)
    node = SyntheticNode(gov)
    proxy = RemoteProxy(node.url, rtt=rtt, range_cap=range_cap, rate=rate)
    res: dict[str, object] = {"blocks": blocks, "rtt_ms": round(rtt * 1000), "range_cap": range_cap,
                              "rate_per_s": rate, "concurrency": concurrency, "batch": batch,
                              "load average before (1, 5 min)": tuple(round(x, 2) for x in os.getloadavg()[:2])}
    try:
        with tempfile.TemporaryDirectory() as d:
            os.environ["POLIS_HOME"] = d
            from wallet import networks

            networks.add_network("remote", {
                "family": "evm", "chain_id": 31337, "rpc": [proxy.url], "confirmations": 0, "block_time": 12,
                "max_log_range": range_cap, "rpc_rate": rate, "rpc_concurrency": concurrency, "rpc_batch": batch,
                "denom": {"symbol": "ETH", "base": "wei", "decimals": 18}})
            networks.add_dao("remote", {"id": "dao", "kind": "oz", "governor": GOVERNOR, "token": TOKEN,
                                        "start_block": 1})
            os.environ.pop("POLIS_HOME")
            walls, works = [], []
            for _ in range(runs):  # each run syncs the whole history into a fresh archive
                for suffix in ("", "-wal", "-shm"):
                    Path(d, "data", "archive.sqlite3" + suffix).unlink(missing_ok=True)
                t0 = time.perf_counter()
                r = subprocess.run([POLIS, "sync", "remote/dao", "--json"], capture_output=True, text=True,
                                   env={**os.environ, "POLIS_HOME": d})
                walls.append(time.perf_counter() - t0)
                if r.returncode != 0:
                    raise RuntimeError(f"polis sync failed: {r.stderr[-800:]}")
                rep = json.loads(r.stdout)["reports"][0]
                works.append(rep["elapsed_ms"] / 1000)
                assert rep["votes"] == gov.votes and rep["new_proposals"] == gov.proposals, rep
            wall, work = statistics.median(walls), statistics.median(works)
        ranges = math.ceil(blocks / range_cap)
        rate_floor = ranges / rate
        rtt_floor = math.ceil(ranges / batch) * rtt / concurrency
        floor = max(rate_floor, rtt_floor)
        res.update({
            "ranges": ranges, "votes archived": rep["votes"], "proposals archived": rep["new_proposals"],
            "runs": runs, "wall s": round(wall, 2), "wall s (best)": round(min(walls), 2),
            "sync work s": round(work, 2),
            "floor s (ranges ÷ rate)": round(rate_floor, 2),
            "floor s (round trips × RTT ÷ concurrency)": round(rtt_floor, 2),
            "floor s": round(floor, 2), "wall / floor": round(wall / floor, 2),
            "sequential fetch (ranges × RTT) s": round(ranges * rtt, 1),
            **{f"proxy {k} (all runs)": v for k, v in proxy.stats.items()},
            "load average after (1, 5 min)": tuple(round(x, 2) for x in os.getloadavg()[:2]),
        })
    finally:
        proxy.close()
        node.close()
    return res


if __name__ == "__main__":
    out = run()
    for k, v in out.items():
        print(f"  {k:<46} {v}")
    print(f"  {'goal: median wall ≤ 1.2× floor':<46} {'ok' if out['wall / floor'] <= 1.2 else 'MISS'}")  # type: ignore[operator]
