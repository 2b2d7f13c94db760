"""A sync leaves no reference cycles behind (on anvil, with the devnet Governor).

The sync runs with the cyclic collector paused: whatever it left in a cycle would stay in memory until the
collector ran again, and the first collection after it would walk all of it (a 5,000-vote sync had left
~9,400 objects: the fetch's last log pages, held by futures whose callback held the futures, and the sync's
locals, held by the frames in the tracebacks of the revert answers of its first round trip)."""

from __future__ import annotations

import gc
from concurrent.futures import Future
from types import FrameType

import pytest

from tests.conftest import add_devnet_dao
from wallet.errors import RpcError

pytestmark = pytest.mark.anvil


def test_a_fresh_sync_leaves_no_cyclic_garbage(anvil, seeded_dao, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from wallet.sync import sync_sources

    dep, _seed = seeded_dao("oz", n_voters=12)
    monkeypatch.setenv("POLIS_HOME", str(tmp_path))
    add_devnet_dao(anvil.url, dep)
    # Small ranges: the probe's first answer, then the rest fetched concurrently (the futures' path).
    monkeypatch.setenv("POLIS_SYNC_FIRST_RANGE", "2")
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        outcome = sync_sources(["devnet/test"])
        assert outcome.ok and outcome.reports[0].votes > 0, outcome
        assert outcome.reports[0].round_trips > 3  # the fetch went past its probe
        # Threads that earlier tests of this worker left running may make garbage meanwhile: what is looked
        # for is the sync's own (its futures, its answers kept as values, its frames).
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        ours = [o for o in gc.garbage if isinstance(o, (Future, RpcError))
                or isinstance(o, FrameType) and "/wallet/" in o.f_code.co_filename.replace("\\", "/")]
        names = sorted({type(o).__name__ for o in ours})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was:
            gc.enable()
    assert not ours, f"{len(ours)} of the sync's objects in reference cycles after it: {names}"
