"""Sync of every followed source (or the named ones) into the archive, with progress events."""

from __future__ import annotations

import gc
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from wallet.adapters.base import SyncReport
from wallet.errors import BadInput, PolisError
from wallet.records import Value

log = logging.getLogger("polis.sync")

DECODE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError, UnicodeError)
"""What decoding a malformed node answer raises (struct, int(), dict access); never a Polis bug path
that should pass silently: the traceback goes to polis.log."""


class SyncOutcome(Value):
    _fields = ("reports", "errors")
    reports: list[SyncReport]
    errors: dict[str, str]

    def __init__(self, reports: list[SyncReport] | None = None, errors: dict[str, str] | None = None) -> None:
        self.reports = [] if reports is None else reports
        self.errors = {} if errors is None else errors

    @property
    def ok(self) -> bool:
        return not self.errors


def expand_targets(targets: list[str]) -> list[str]:
    """Network names expand to their sources; "ethereum/compound" stays; nothing means all."""
    from wallet.networks import load_networks

    nets = load_networks()
    if not targets:
        return followed_sources()
    out: list[str] = []
    from wallet.networks import canonical

    for t in targets:
        key, _, dao = t.partition("/")
        key = canonical(key, nets)
        t = f"{key}/{dao}" if dao else key
        if key not in nets:
            raise BadInput(f"unknown network {key!r} (known: {', '.join(sorted(nets))})")
        if dao:
            if t not in nets[key].sources():
                known = ", ".join(nets[key].sources()) or "none"
                raise BadInput(f"{t!r} is not followed (known on {key}: {known})")
            out.append(t)
        else:
            srcs = nets[key].sources()
            if not srcs:
                raise BadInput(f"network {key!r} has nothing to sync yet; "
                               f"add a DAO with 'polis networks add {key}/NAME'")
            out.extend(srcs)
    return list(dict.fromkeys(out))


def followed_sources() -> list[str]:
    """What a bare `polis sync` covers: every source already in the archive plus the DAOs and
    networks the user added. Preset DAOs are followed from their first explicit sync."""
    from wallet.cache import open_archive, query
    from wallet.networks import load_networks

    nets = load_networks()
    known = {s for n in nets.values() for s in n.sources()}
    with open_archive(readonly=True) as ar:
        archived = [r["id"] for r in query.sources(ar)]
    user = [s for n in nets.values() if n.user for s in n.sources()]
    return [s for s in dict.fromkeys(archived + user) if s in known]


def sync_sources(sources: list[str], *, archive_path: Path | None = None, rpc_url: str | None = None,
                 progress: Callable[[str, int, int, str], None] | None = None,
                 accept_deep_reorg: bool = False) -> SyncOutcome:
    """Sync each source in turn; one that fails (unreachable, refused, undecodable answers) is reported
    in `errors` and the others still sync."""
    from wallet.adapters import adapter_for
    from wallet.cache import open_archive

    outcome = SyncOutcome()
    with open_archive(archive_path) as ar, _collector_paused():
        # SQLite's statement journals (the undo of one statement within a transaction: each multi-row write
        # of a sync) are kept in memory, not in temporary files: ~500 file writes of a 5,000-vote sync. This
        # connection does no large sort, the one other thing kept there.
        ar.conn.execute("PRAGMA temp_store = MEMORY")
        for src in sources:
            try:
                adapter = adapter_for(src, rpc_url=rpc_url)
            except PolisError as exc:
                outcome.errors[src] = str(exc)
                continue
            adapter.accept_deep_reorg = accept_deep_reorg
            try:
                cb = (lambda d, t, m, s=src: progress(s, d, t, m)) if progress else None
                adapter.prepare()
                t0 = time.perf_counter()
                rep = adapter.sync(ar, cb)
                rep.elapsed_ms = round((time.perf_counter() - t0) * 1000, 2)
                outcome.reports.append(rep)
                log.info("synced %s: %s", src, {k: v for k, v in rep.as_dict().items() if k != "warnings"})
            except PolisError as exc:
                outcome.errors[src] = str(exc)
                log.info("sync of %s failed: %s", src, exc)
            except DECODE_ERRORS as exc:
                # A node answer of the wrong shape or size (an absurd number, a string for a list):
                # this source failed, the archive keeps what committed chunks wrote, the rest sync on.
                if ar.conn.in_transaction:
                    ar.conn.rollback()
                outcome.errors[src] = f"the node sent data Polis cannot decode ({type(exc).__name__}: {str(exc)[:120]})"
                log.warning("sync of %s: undecodable node data", src, exc_info=True)
            finally:
                adapter.close()
    return outcome


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while sources sync. A sync allocates hundreds of thousands of
    acyclic objects (decoded logs, rows) that reference counting frees chunk by chunk; the collector would
    only traverse them again and again (~15 ms of a 5,000-vote sync). It resumes afterwards.

    The interpreter also switches threads every 0.5 ms instead of 5 ms meanwhile: a fetch thread whose
    answer arrived gets the GIL from the thread writing the chunk before sooner, so the next request
    leaves sooner and the node keeps working while Python does (~15-25 ms of a 5,000-vote sync)."""
    was = gc.isenabled()
    gc.disable()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if was:
            gc.enable()
