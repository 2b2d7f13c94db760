"""Concurrent eth_getLogs (wallet/adapters/evm/logs.py) against a loopback JSON-RPC node that caps ranges,
may refuse batches, and counts what it was asked: every block covered once, answers in block order,
the range cap honoured, a refused batch falls back to single requests, a known rate limit is kept."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class LogsNode:
    """Logs at `blocks` (one per listed block); eth_getLogs over more than `cap` blocks is refused."""

    def __init__(self, blocks: list[int], *, cap: int = 1_000, batches: bool = True, rtt: float = 0.0,
                 limit: float | None = None) -> None:
        self.blocks, self.cap, self.batches, self.rtt = sorted(blocks), cap, batches, rtt
        self.limit, self.tokens, self.stamp, self.refused = limit, limit or 0.0, time.monotonic(), 0
        self.asked: list[tuple[int, int]] = []
        self.requests = 0
        self.in_flight = self.peak_in_flight = 0
        self.stamps: list[float] = []
        self.lock = threading.Lock()
        node = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                with node.lock:
                    node.requests += 1
                    node.in_flight += 1
                    node.peak_in_flight = max(node.peak_in_flight, node.in_flight)
                    node.stamps += [time.monotonic()] * (len(body) if isinstance(body, list) else 1)
                time.sleep(node.rtt)
                if isinstance(body, list) and not node.batches:
                    out: Any = {"jsonrpc": "2.0", "id": None,
                                "error": {"code": -32600, "message": "batch requests are not supported"}}
                else:
                    calls = body if isinstance(body, list) else [body]
                    answers = [node.answer(c) for c in calls]
                    out = answers if isinstance(body, list) else answers[0]
                with node.lock:
                    node.in_flight -= 1
                data = json.dumps(out).encode()
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

    def answer(self, call: dict[str, Any]) -> dict[str, Any]:
        if self.limit is not None:  # a token bucket of one second: over it, a JSON-RPC rate-limit error
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.limit, self.tokens + (now - self.stamp) * self.limit)
                self.stamp = now
                if self.tokens < 1:
                    self.refused += 1
                    return {"jsonrpc": "2.0", "id": call["id"],
                            "error": {"code": -32005, "message": "rate limit exceeded, slow down"}}
                self.tokens -= 1
        f = call["params"][0]
        lo, hi = int(f["fromBlock"], 16), int(f["toBlock"], 16)
        if hi - lo + 1 > self.cap:
            msg = f"query exceeds max block range {self.cap}"
            return {"jsonrpc": "2.0", "id": call["id"], "error": {"code": -32005, "message": msg}}
        with self.lock:
            self.asked.append((lo, hi))
        logs = [{"blockNumber": hex(b), "logIndex": "0x0"} for b in self.blocks if lo <= b <= hi]
        return {"jsonrpc": "2.0", "id": call["id"], "result": logs}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def node_factory():
    made: list[LogsNode] = []

    def make(*args: Any, **kw: Any) -> LogsNode:
        made.append(LogsNode(*args, **kw))
        return made[-1]

    yield make
    for n in made:
        n.close()


def fetch_all(node: LogsNode, start: int, end: int, **kw: Any) -> list[tuple[int, int, list[dict[str, Any]]]]:
    from wallet.adapters.evm.client import JsonRpc
    from wallet.adapters.evm.logs import LogFetcher

    with JsonRpc(node.url, retries=1) as rpc:
        if kw.get("rate"):
            from wallet.adapters.evm.logs import Pacer

            rpc.pacer = Pacer(kw.pop("rate"), burst=kw.get("batch", 10))
        return list(LogFetcher(rpc, [], [], **kw).fetch(start, end))


def test_every_block_once_in_order_within_the_cap(node_factory) -> None:
    blocks = list(range(5, 200_000, 997))
    node = node_factory(blocks, cap=5_000, rtt=0.01)
    chunks = fetch_all(node, 1, 199_999, max_range=5_000, concurrency=4, batch=5)
    covered = [(lo, hi) for lo, hi, _ in chunks]
    assert covered[0][0] == 1 and covered[-1][1] == 199_999
    assert all(b[0] == a[1] + 1 for a, b in zip(covered, covered[1:], strict=False))  # no gap, no overlap
    assert [int(lg["blockNumber"], 16) for _, _, logs in chunks for lg in logs] == blocks
    assert all(hi - lo + 1 <= 5_000 for lo, hi in node.asked)
    assert node.peak_in_flight > 1  # ranges were fetched concurrently
    assert node.requests < len(covered)  # and several per JSON-RPC batch


def test_a_node_cap_below_the_preset_splits_ranges(node_factory) -> None:
    node = node_factory([10, 3_000, 7_777], cap=1_000)
    chunks = fetch_all(node, 1, 10_000, max_range=50_000, concurrency=2, batch=4)
    assert [int(lg["blockNumber"], 16) for _, _, logs in chunks for lg in logs] == [10, 3_000, 7_777]
    assert all(hi - lo + 1 <= 1_000 for lo, hi in node.asked)


def test_a_node_that_refuses_batches_gets_single_requests(node_factory) -> None:
    node = node_factory(list(range(1, 50_000, 333)), cap=2_000, batches=False)
    chunks = fetch_all(node, 1, 49_999, max_range=2_000, concurrency=3, batch=8)
    assert [int(lg["blockNumber"], 16) for _, _, logs in chunks for lg in logs] == list(range(1, 50_000, 333))


def test_a_dense_history_keeps_answers_small(node_factory) -> None:
    blocks = [b for b in range(1, 400) for _ in range(50)]  # 50 logs a block
    node = node_factory(blocks, cap=100_000)
    chunks = fetch_all(node, 1, 399, max_range=100_000, concurrency=4, batch=10, target_logs=1_000)
    assert sum(len(c[2]) for c in chunks) == len(blocks)
    assert max(len(c[2]) for c in chunks) <= 1_000


def test_a_known_rate_limit_is_kept(node_factory) -> None:
    node = node_factory(list(range(1, 60_000, 1_000)), cap=1_000)
    t0 = time.monotonic()
    fetch_all(node, 1, 59_999, max_range=1_000, concurrency=4, batch=5, rate=40.0)
    took = time.monotonic() - t0
    calls = len(node.stamps)
    assert calls >= 60 and took >= (calls - 10) / 40 * 0.9  # the burst, then 40 calls a second
    # no one-second window saw more than the rate plus the burst
    for i, t in enumerate(node.stamps):
        assert sum(1 for u in node.stamps[i:] if u - t < 1.0) <= 40 + 10


def test_an_unannounced_rate_limit_slows_the_fetch_down(node_factory) -> None:
    blocks = list(range(1, 120_000, 1_500))
    node = node_factory(blocks, cap=1_000, limit=60.0, rtt=0.005)
    chunks = fetch_all(node, 1, 119_999, max_range=1_000, concurrency=4, batch=5)
    assert [int(lg["blockNumber"], 16) for _, _, logs in chunks for lg in logs] == blocks
    covered = [(lo, hi) for lo, hi, _ in chunks]
    assert covered[0][0] == 1 and covered[-1][1] == 119_999
    assert node.refused > 0  # it did hit the limit, then paced itself instead of failing


def test_an_answer_over_the_size_cap_is_split(node_factory) -> None:
    from wallet.adapters.evm.client import JsonRpc
    from wallet.adapters.evm.logs import LogFetcher

    blocks = [b for b in range(1, 2_001) for _ in range(3)]  # ~40 bytes a log: 6,000 logs ≈ 240 kB
    node = node_factory(blocks, cap=1_000_000)
    with JsonRpc(node.url, retries=1, max_bytes=32_000) as rpc:
        chunks = list(LogFetcher(rpc, [], [], max_range=1_000_000, concurrency=2, batch=4,
                                 first_range=2_000).fetch(1, 2_000))
    assert sum(len(c[2]) for c in chunks) == len(blocks)
    assert [c[0] for c in chunks] == sorted(c[0] for c in chunks)


@pytest.mark.parametrize("at_start, probes", [(1, 1), (8, 2)])
def test_a_sparse_history_reaches_the_cap_after_one_or_two_probes(node_factory, at_start: int, probes: int) -> None:
    """Sequential probing ends as soon as a cautious bound on the density seen allows the cap: one log in
    the first 16 blocks opens it at once, eight (a DAO's first proposals) after a second probe."""
    blocks = [3] * at_start + list(range(20_000, 1_000_000, 50_000))
    node = node_factory(blocks, cap=10_000, rtt=0.02)
    chunks = fetch_all(node, 1, 999_999, max_range=10_000, concurrency=4, batch=5)
    assert [int(lg["blockNumber"], 16) for _, _, logs in chunks for lg in logs] == blocks
    sizes = [hi - lo + 1 for lo, hi in sorted(node.asked)]  # concurrent requests arrive in any order
    assert sizes[0] == 16 and all(s < 10_000 for s in sizes[:probes])
    assert all(s == 10_000 for s in sizes[probes:-1])
    assert node.peak_in_flight > 1


def test_a_dense_start_keeps_probing_small(node_factory) -> None:
    """Ten logs a block from the start: the probe never opens a range the density bound does not allow."""
    blocks = [b for b in range(1, 3_001) for _ in range(10)]
    node = node_factory(blocks, cap=100_000)
    chunks = fetch_all(node, 1, 3_000, max_range=100_000, concurrency=2, batch=4, target_logs=2_000)
    assert sum(len(c[2]) for c in chunks) == len(blocks)
    assert max(len(c[2]) for c in chunks) <= 2_000
    assert all(hi - lo + 1 <= 200 for lo, hi in node.asked)  # ≤ 2,000 logs a range at ten a block


def test_ranges_aim_at_fewer_logs_than_the_answer_cap(node_factory) -> None:
    """aim_logs sizes ranges (so the sync writes one while the node answers the next) without lowering the
    cap an answer is split at: no range of the dense history is asked again."""
    blocks = [b for b in range(1, 2_001) for _ in range(10)]
    node = node_factory(blocks, cap=100_000)
    chunks = fetch_all(node, 1, 2_000, max_range=100_000, concurrency=2, batch=4, aim_logs=500)
    assert [int(lg["blockNumber"], 16) for _, _, logs in chunks for lg in logs] == blocks
    assert all(len(c[2]) <= 1_000 for c in chunks[1:])  # ~500 a range once the density is known
    assert len(node.asked) == len(set(node.asked))


def _chunks(spans: list[tuple[int, int, int]], fail_after: int | None = None,
            started: list[int] | None = None) -> Any:
    for k, (lo, hi, n) in enumerate(spans):
        if fail_after is not None and k == fail_after:
            raise RuntimeError("node went away")
        if started is not None:
            started.append(lo)
        yield lo, hi, [{"blockNumber": hex(lo)}] * n


def test_ahead_merges_what_is_ready_in_block_order() -> None:
    from wallet.adapters.evm.logs import ahead

    spans = [(lo, lo + 9, 3) for lo in range(1, 1_000, 10)]
    got = list(ahead(_chunks(spans), max_logs=30, min_logs=10, max_delay=5.0))
    assert got[0][0] == 1 and got[-1][1] == 1_000
    assert all(b[0] == a[1] + 1 for a, b in zip(got, got[1:], strict=False))  # contiguous, no overlap
    assert sum(len(c[2]) for c in got) == 300
    assert all(len(c[2]) <= 30 for c in got) and len(got) < len(spans)  # merged, bounded


def test_ahead_yields_the_chunks_before_a_failure_then_raises_it() -> None:
    from wallet.adapters.evm.logs import ahead

    got = []
    with pytest.raises(RuntimeError, match="node went away"):
        for chunk in ahead(_chunks([(1, 10, 5), (11, 20, 5), (21, 30, 5)], fail_after=2), min_logs=1):
            got.append(chunk)
    assert got[0][0] == 1 and got[-1][1] == 20  # both whole chunks before the failure, merged or not
    assert sum(len(c[2]) for c in got) == 10


def test_ahead_stops_fetching_when_the_caller_stops() -> None:
    from wallet.adapters.evm.logs import ahead

    started: list[int] = []
    before = {t.name for t in threading.enumerate()}
    gen = ahead(_chunks([(lo, lo, 1) for lo in range(1, 10_000)], started=started), max_logs=1, depth=2)
    assert next(gen)[0] == 1
    gen.close()
    assert len(started) <= 5  # the thread ran at most `depth` chunks ahead, then ended
    assert {t.name for t in threading.enumerate()} - before == set()


def test_ranges_after_a_burst_are_sized_for_the_burst(node_factory) -> None:
    """A probe whose last blocks are dense (a vote opening) sizes the next ranges for those blocks, not for
    the probe's quiet average: each later answer stays near aim_logs, so it is written while the next comes."""
    blocks = [b for b in range(1, 15) for _ in range(2)] + [b for b in range(15, 41) for _ in range(300)]
    node = node_factory(blocks, cap=100_000)
    chunks = fetch_all(node, 1, 40, max_range=100_000, concurrency=2, batch=4, aim_logs=600)
    assert [int(lg["blockNumber"], 16) for _, _, logs in chunks for lg in logs] == blocks
    assert chunks[0][:2] == (1, 16)
    assert max(len(c[2]) for c in chunks[1:]) <= 600  # the probe's average (39 a block) would ask 4,500 at once
    assert node.requests > 3  # several requests after the probe, not one batch of everything


def test_the_fetch_says_once_when_every_range_is_answered(node_factory) -> None:
    """on_answered fires once, when the node has answered the last range (the sync then sends its refresh
    batch while the chunks still waiting are written)."""
    from wallet.adapters.evm.client import JsonRpc
    from wallet.adapters.evm.logs import LogFetcher

    node = node_factory(list(range(1, 50_000, 50)), cap=2_000)
    seen: list[int] = []
    with JsonRpc(node.url, retries=1) as rpc:
        fetcher = LogFetcher(rpc, [], [], max_range=2_000, concurrency=3, batch=2)
        fetcher.on_answered = lambda: seen.append(len(node.asked))
        chunks = list(fetcher.fetch(1, 49_999))
    assert fetcher.answered.is_set() and seen == [len(node.asked)]
    assert chunks[-1][1] == 49_999
