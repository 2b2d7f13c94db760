"""A long log history over a remote node, fast: ranges fetched concurrently, several in one JSON-RPC
batch where the node takes batches, paced to the node's rate limit, answered in block order.

- Ranges are planned at the node's range cap (`max_log_range`); a range the node refuses as too big,
  or whose answer is heavier than `target_logs`, is split in halves and asked again.
- At most `concurrency` requests are in flight and at most `2 × concurrency` groups wait to be
  consumed, so memory stays bounded whatever the history's length.
- Groups are yielded strictly in block order: the caller commits each chunk with its cursor, so a
  crash resumes after the last committed block exactly as with sequential fetching.
- The client's Pacer (a token bucket shared by the workers) paces every call, a batch of n counting n,
  to the node's known rate; a rate-limit error pauses every worker and lowers the pace.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from wallet.errors import RpcError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from wallet.adapters.evm.client import JsonRpc

log = logging.getLogger("polis.rpc")

RANGE_WORDS = ("range", "limit", "too many", "exceed", "block range", "query returned more than",
               "response size", "10000 results", "too large", "mb allowed")
"""Words of a node's "this range is too big" answers, and of the transport's own size cap."""
RATE_WORDS = ("rate", "too many requests", "capacity", "throttl")

Chunk = tuple[int, int, list[dict[str, Any]]]


class Pacer:
    """A token bucket shared by the workers: `rate` tokens a second (None: unpaced), one token per call."""

    def __init__(self, rate: float | None, *, burst: float = 1.0) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self, n: int = 1) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                wait = self._paused_until - now
                if wait <= 0:
                    if self.rate is None:
                        return
                    self._tokens = min(max(self.burst, n), self._tokens + (now - self._stamp) * self.rate)
                    self._stamp = now
                    if self._tokens >= n:
                        self._tokens -= n
                        return
                    wait = (n - self._tokens) / self.rate
            time.sleep(min(wait, 5.0))

    def back_off(self, seconds: float) -> None:
        """The node said "too many": nobody sends for `seconds`, and the pace drops by a fifth."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            if self.rate is not None:
                self.rate = max(0.5, self.rate * 0.8)
            self._tokens = 0.0


def _is_range_error(exc: RpcError) -> bool:
    msg = str(exc).lower()
    return (any(w in msg for w in RANGE_WORDS) or exc.code in (-32005, -32602)) and not _is_rate_error(exc)


def _is_rate_error(exc: RpcError) -> bool:
    msg = str(exc).lower()
    return exc.code == 429 or any(w in msg for w in RATE_WORDS) and "range" not in msg


class LogFetcher:
    def __init__(self, rpc: JsonRpc, addresses: list[str], topics: list[Any], *, max_range: int,
                 concurrency: int = 8, batch: int = 10, target_logs: int = 10_000, retries: int = 8,
                 first_range: int = 16, aim_logs: int | None = None) -> None:
        self.rpc = rpc
        self.addresses = addresses
        self.topics = topics
        self.max_range = max(1, max_range)
        self.concurrency = max(1, concurrency)
        self.batch = max(1, batch)
        self.target_logs = target_logs
        self.full_aim = max(1, target_logs // 2)
        self.aim = max(1, min(aim_logs or self.full_aim, self.full_aim))
        """Logs a range is sized to hold: `aim_logs` at first (the caller writes the first answers while the
        next come), half of `target_logs` once 4 × `target_logs` logs came (fewer, larger calls on a long
        dense history, which a rate-limited node answers sooner)."""
        self._delivered = 0
        self.retries = retries
        self.batches_ok = True
        """False once the node refused a JSON-RPC batch: ranges go one request each from then on."""
        self.first_range = max(1, first_range)
        self.size = self.max_range
        """Blocks per range, adjusted to the density the answers show."""
        self.density = 0.0
        """Logs per block lately seen."""
        self.answered = threading.Event()
        """Set once the node has answered every range of the current fetch (chunks may still wait to be read)."""
        self.on_answered: Callable[[], None] | None = None
        """Called once, from a fetching thread, when `answered` is set."""
        self._lock = threading.Lock()
        self._calls = 0
        self._started = time.monotonic()

    def _slow_down(self, pause: float) -> None:
        """A rate-limit answer: pace every later call (at 4/5 of the rate seen so far when the node's limit
        was not configured) and pause them all."""
        with self._lock:
            if self.rpc.pacer is None:
                seen = self._calls / max(0.5, time.monotonic() - self._started)
                self.rpc.pacer = Pacer(max(1.0, seen * 0.8), burst=self.batch)
                log.debug("the node limits the request rate: pacing at %.1f calls a second", self.rpc.pacer.rate)
        self.rpc.pacer.back_off(pause)

    def _filter(self, lo: int, hi: int) -> dict[str, Any]:
        return {"address": self.addresses, "topics": self.topics, "fromBlock": hex(lo), "toBlock": hex(hi)}

    def _ask(self, ranges: list[tuple[int, int]]) -> list[Any]:
        """One round trip for the ranges (a batch, or one call each when the node takes no batches)."""
        with self._lock:
            self._calls += len(ranges)
        if len(ranges) == 1 or not self.batches_ok:
            return self._ask_each(ranges)
        try:
            got = self.rpc.batch([("eth_getLogs", [self._filter(lo, hi)]) for lo, hi in ranges], size=len(ranges))
        except RpcError:  # the batch's whole answer was refused (over the size cap): ask each on its own
            return self._ask_each(ranges)
        if all(isinstance(g, RpcError) for g in got) and any("batch" in str(g).lower() for g in got):
            log.debug("the node refuses JSON-RPC batches; one request per range from now on")
            self.batches_ok = False
            return self._ask(ranges)
        return got

    def _ask_each(self, ranges: list[tuple[int, int]]) -> list[Any]:
        out: list[Any] = []
        for lo, hi in ranges:
            try:
                out.append(self.rpc.call("eth_getLogs", self._filter(lo, hi), retry_errors=False))
            except RpcError as exc:
                out.append(exc.with_traceback(None))  # an answer kept as a value (see JsonRpc._batch_once)
        return out

    def _group(self, ranges: list[tuple[int, int]]) -> list[Chunk]:
        """Fetch consecutive ranges; split the ones the node refuses as too big; bounded retries."""
        done: dict[tuple[int, int], list[dict[str, Any]]] = {}
        todo = list(ranges)
        failures = 0
        while todo:
            again: list[tuple[int, int]] = []
            failed: RpcError | None = None
            for (lo, hi), ans in zip(todo, self._ask(todo), strict=True):
                if isinstance(ans, list):
                    if len(ans) > self.target_logs and hi > lo:  # keep each chunk's memory bounded
                        mid = (lo + hi) // 2
                        again += [(lo, mid), (mid + 1, hi)]
                    else:
                        done[(lo, hi)] = ans
                    continue
                exc = ans if isinstance(ans, RpcError) else RpcError("eth_getLogs returned no list")
                if _is_range_error(exc) and hi > lo:
                    mid = (lo + hi) // 2
                    again += [(lo, mid), (mid + 1, hi)]
                    continue
                failed = exc
                again.append((lo, hi))
            if failed is not None:
                failures += 1
                if failures > self.retries:
                    raise failed
                if _is_rate_error(failed):
                    self._slow_down(min(0.5 * failures, 5.0))
                else:
                    time.sleep(min(0.25 * failures, 2.0))
            todo = sorted(again)
        return [(lo, hi, done[(lo, hi)]) for lo, hi in sorted(done)]

    def fetch(self, start: int, end: int, on_chunk: Callable[[int, int, int], None] | None = None) -> Iterator[Chunk]:
        """Yield (from, to, logs) in block order, covering start..end without a gap.

        Density is unknown at first: ranges are probed one at a time from `first_range` blocks, each next
        one as wide as a cautious bound on the density seen so far allows for `aim` logs (Poisson:
        (n + 3) / blocks, so a few empty blocks do not open the full cap on a dense chain). Once that
        bound allows the cap, or an answer held half of `aim`, ranges are sized for `aim` logs each (at the
        density of that answer's last eighth), grouped so one group holds about 2 × `aim`, and as many
        groups wait as keep about 4 × `target_logs` logs in memory."""
        if start > end:
            return
        lo = start
        size = min(self.first_range, self.max_range)
        seen_blocks = seen_logs = 0
        while lo <= end:  # the probe: sequential, one or two round trips on a sparse history
            hi = min(lo + size - 1, end)
            chunks = self._group([(lo, hi)])
            if hi >= end:
                self._mark_answered()
            n = sum(len(c[2]) for c in chunks)
            yield from self._emit(chunks, on_chunk)
            span = hi - lo + 1
            seen_blocks, seen_logs = seen_blocks + span, seen_logs + n
            self.density = seen_logs / seen_blocks
            lo = hi + 1
            if n * 2 >= self.aim:
                # Activity comes in bursts: what follows a dense answer is sized for its dense end.
                self.density = max(self.density, self._recent_density(chunks))
                size = max(1, min(self.max_range, int(self.aim // self.density)))
                break
            size = max(size, min(self.max_range, seen_blocks * self.aim // (seen_logs + 3)))
            if size >= self.max_range:
                break
        if lo > end:
            return
        self.size = size

        def groups() -> Iterator[list[tuple[int, int]]]:
            nonlocal lo
            while lo <= end:
                group: list[tuple[int, int]] = []
                for _ in range(self._per_group()):
                    if lo > end:
                        break
                    hi = min(lo + self.size - 1, end)
                    group.append((lo, hi))
                    lo = hi + 1
                yield group

        from concurrent.futures import ThreadPoolExecutor

        pending: deque[Future[list[Chunk]]] = deque()
        with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="polis-logs") as pool:
            try:
                for group in groups():
                    pending.append(pool.submit(self._timed_group, group))
                    while len(pending) >= self._max_pending():
                        yield from self._emit(pending.popleft().result(), on_chunk)
                # Every range is asked: the fetch is answered once these are. The callback counts them instead
                # of holding them: a future holding a callback that holds the futures would be a cycle that keeps
                # their logs alive until the garbage collector runs.
                left = [len(pending)]
                count = threading.Lock()

                def answered(_f: Future[list[Chunk]]) -> None:
                    with count:
                        left[0] -= 1
                        done = left[0] == 0
                    if done:
                        self._mark_answered()

                for f in list(pending):
                    f.add_done_callback(answered)
                while pending:
                    yield from self._emit(pending.popleft().result(), on_chunk)
            finally:
                for f in pending:
                    f.cancel()

    def _mark_answered(self) -> None:
        with self._lock:
            if self.answered.is_set():
                return
            self.answered.set()
        if self.on_answered is not None:
            self.on_answered()

    def _size_for(self, span: int, n: int) -> int:
        """Blocks a range should span to hold about `aim` logs, from one answer's density."""
        if n == 0:
            return self.max_range
        return max(1, min(self.max_range, span * self.aim // n))

    def _per_group(self) -> int:
        """Ranges per request: up to `batch` on a sparse history, about two ranges' worth of logs on a dense
        one (several groups in flight, each answered and written while the next is on its way)."""
        per_range = max(1, self.density * self.size)
        return max(1, min(self.batch, int(2 * self.aim // per_range)))

    @staticmethod
    def _recent_density(chunks: list[Chunk]) -> float:
        """Logs a block over the last eighth (at least one block) of the blocks the chunks cover; 0 when a log
        carries no readable block number."""
        since = chunks[-1][1] - max(1, (chunks[-1][1] - chunks[0][0] + 1) // 8) + 1
        n = 0
        for _lo, _hi, logs in reversed(chunks):
            for lg in reversed(logs):
                try:
                    if int(lg["blockNumber"], 16) < since:
                        return n / (chunks[-1][1] - since + 1)
                except (KeyError, TypeError, ValueError):
                    return 0.0
                n += 1
        return n / (chunks[-1][1] - since + 1)

    def _max_pending(self) -> int:
        per_group = max(1.0, self.density * self.size * self._per_group())
        return max(2, min(2 * self.concurrency, int(4 * self.target_logs // per_group)))

    def _timed_group(self, ranges: list[tuple[int, int]]) -> list[Chunk]:
        """A group, and what its answers say about the density ahead (heavier: narrower ranges)."""
        chunks = self._group(ranges)
        blocks = sum(hi - lo + 1 for lo, hi, _ in chunks)
        n = sum(len(c[2]) for c in chunks)
        with self._lock:
            self._delivered += n
            if self.aim < self.full_aim and self._delivered >= 4 * self.target_logs:
                self.size = max(1, min(self.max_range, self.size * self.full_aim // self.aim))
                self.aim = self.full_aim
        if blocks:
            self.density = max(self.density * 0.5, n / blocks)
            if n / len(chunks) > self.aim:
                self.size = max(1, min(self.size, self._size_for(blocks // len(chunks), n // len(chunks))))
            elif n / len(chunks) < self.aim // 8 and self.size < self.max_range:
                self.size = min(self.max_range, self.size * 2)
        return chunks

    @staticmethod
    def _emit(chunks: list[Chunk], on_chunk: Callable[[int, int, int], None] | None) -> Iterator[Chunk]:
        for lo, hi, logs in chunks:
            if on_chunk:
                on_chunk(lo, hi, len(logs))
            yield lo, hi, logs


def ahead(chunks: Iterator[Chunk], *, max_logs: int = 5_000, min_logs: int = 256, max_delay: float = 0.2,
          depth: int = 1) -> Iterator[Chunk]:
    """The chunks, fetched in a thread while the caller writes the ones before (at most `depth` wait), and
    merged: what is ready when the caller asks is one chunk of up to `max_logs` logs; fewer than `min_logs`
    wait up to `max_delay` seconds for more, so a sparse history commits a few times a second instead of
    once per range. Still in block order and contiguous: the cursor of a merged chunk is its last block.
    The caller may stop early; the thread ends after its current request. A failed fetch is raised after
    the chunks before it were yielded."""
    import queue

    ready: queue.Queue[Chunk | BaseException | None] = queue.Queue(maxsize=max(1, depth))
    stop = threading.Event()

    def put(item: Chunk | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(None)
        except BaseException as exc:  # handed to the caller's thread, raised there
            put(exc)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="polis-logs-ahead", daemon=True)
    worker.start()
    try:
        lo: int | None = None
        hi = 0
        buf: list[dict[str, Any]] = []
        since = time.monotonic()
        while True:
            if lo is None:
                item = ready.get()
                since = time.monotonic()
            else:
                wait = 0.0 if len(buf) >= min_logs else max_delay - (time.monotonic() - since)
                try:
                    item = ready.get(timeout=wait) if wait > 0 else ready.get_nowait()
                except queue.Empty:
                    yield lo, hi, buf
                    lo, buf = None, []
                    continue
            if item is None or isinstance(item, BaseException):
                if lo is not None:
                    yield lo, hi, buf
                if item is None:
                    return
                raise item
            c_lo, c_hi, logs = item
            if lo is None:
                lo, buf = c_lo, logs
            else:
                buf.extend(logs)
            hi = c_hi
            if len(buf) >= max_logs:
                yield lo, hi, buf
                lo, buf = None, []
    finally:
        stop.set()
        worker.join()
