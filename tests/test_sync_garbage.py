"""A sync leaves no reference cycles behind (on anvil, with the devnet Governor).

The sync runs with the cyclic collector paused: whatever it left in a cycle would stay in memory until the
collector ran again, and the first collection after it would walk all of it (a 5,000-vote sync had left
~9,400 objects: the fetch's last log pages, held by futures whose callback held the futures, and the sync's
locals, held by the frames in the tracebacks of the revert answers of its first round trip)."""

from __future__ import annotations

import gc

import pytest

from tests.conftest import add_devnet_dao

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
        found = gc.collect()
    finally:
        if was:
            gc.enable()
    assert found == 0, f"{found} objects in reference cycles after a sync"
