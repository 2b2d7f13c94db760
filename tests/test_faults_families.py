"""Cosmos and Snapshot syncs through the fault-injecting proxy (tests/faults.py), and a Bittensor sync
against a Substrate double that injects faults itself on a seeded schedule (its transport is a
websocket): each must finish and leave an archive identical to a fault-free sync, within bounded time."""

from __future__ import annotations

import time

import pytest

from tests.doubles.archive_dump import dump
from tests.doubles.faults import FaultProxy
from tests.plugins.cosmos import Env

HTTP_FAULTS = ("drop", "stall", "http500", "http503", "http429", "truncate", "garble")


def _sync(source: str):  # type: ignore[no-untyped-def]
    from wallet.sync import sync_sources

    outcome = sync_sources([source])
    assert outcome.ok, outcome.errors
    return outcome.reports[0]


def _fresh_archive() -> None:
    """Start over with an empty archive in the same home (the vault and networks stay)."""
    from wallet.paths import archive_path

    for suffix in ("", "-wal", "-shm"):
        p = archive_path().with_name(archive_path().name + suffix)
        p.unlink(missing_ok=True)


def _point_cosmos(url: str, **extra: object) -> None:
    from wallet import networks

    net = networks.get_network("akash")
    networks.set_user_table("akash", {"rpc": [url], "extra": {**net.extra, **extra}})


@pytest.mark.parametrize("seed", [11, 12])
def test_cosmos_sync_through_faults_matches_a_clean_sync(akash: Env, tmp_path, monkeypatch, seed: int) -> None:  # noqa: F811
    _sync("akash")
    clean = dump()
    assert clean["proposals"] and clean["votes"] and clean["stake_targets"]

    _fresh_archive()
    with FaultProxy(akash.node.url, rate=0.2, seed=seed, faults=HTTP_FAULTS, stall=0.8) as proxy:
        _point_cosmos(proxy.url, timeout=0.4, retries=4, page_limit=1)
        t0 = time.monotonic()
        _sync("akash")
        took = time.monotonic() - t0
    faults = sum(v for k, v in proxy.counts.items() if k != "ok")
    assert faults >= 4, proxy.counts
    assert dump() == clean
    assert took < 30


@pytest.mark.parametrize("seed", [21, 22])
def test_snapshot_sync_through_faults_matches_a_clean_sync(tmp_path, monkeypatch, cli, seed: int) -> None:  # type: ignore[no-untyped-def]
    from tests.doubles.snapshot_hub import SIDEKICK_SPACE, SnapshotDouble
    from wallet import networks

    source = f"snapshot/{SIDEKICK_SPACE}"

    def configure(base: str) -> None:
        networks.set_user_table("snapshot", {"rpc": [base + "/graphql"], "extra": {
            "sequencer": base + "/sequencer", "score": base + "/score", "spaces": [], "page_size": 200,
            "backoff": 0.02, "max_wait": 2.0, "timeout": 0.5, "retries": 5}})
        assert cli("networks", "add", source).code == 0

    snap = SnapshotDouble().start()
    try:
        configure(snap.url)
        _sync(source)
        clean = dump()
        assert len(clean["votes"]) > 2000

        _fresh_archive()
        with FaultProxy(snap.url, rate=0.2, seed=seed, faults=HTTP_FAULTS, stall=1.0) as proxy:
            configure(proxy.url)
            _sync(source)
        assert sum(v for k, v in proxy.counts.items() if k != "ok") >= 2, proxy.counts
        faulty = dump()
        # the source records which hub it read (the proxy's address here): the only allowed difference
        faulty["sources"] = [row.replace(proxy.url, snap.url) for row in faulty["sources"]]
        assert faulty == clean
    finally:
        snap.stop()


@pytest.mark.parametrize("seed", [31])
def test_bittensor_sync_through_faults_matches_a_clean_sync(bt_ready, bt_keys, cli, seed: int) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.doubles.substrate_node import Faults
    from tests.plugins.bittensor import use_node
    from wallet import networks

    r = cli("stake", "add", bt_keys.hotkeys[0], "1.5 TAO", "--subnet", "1", "-n", "bittensor", "--yes")
    assert r.code == 0, r.err
    bt_ready.mine(3)
    _fresh_archive()
    _sync("bittensor")
    clean = dump()
    assert clean["stakes"] and clean["stake_targets"] and clean["stake_events"]

    use_node(bt_ready)
    networks.set_user_table("bittensor", {"extra": {**networks.get_network("bittensor").extra,
                                                     "timeout": 0.5, "retries": 4, "backoff": 0.02}})
    _fresh_archive()
    bt_ready.faults = Faults(rate=0.15, seed=seed, stall=1.0)
    t0 = time.monotonic()
    _sync("bittensor")
    took = time.monotonic() - t0
    injected = bt_ready.faults.injected
    bt_ready.faults = None
    assert injected >= 3, injected
    assert dump() == clean
    assert took < 45


def test_bittensor_dead_node_gives_up_within_bounds(bt_ready) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from tests.doubles.substrate_node import Faults
    from wallet import networks
    from wallet.sync import sync_sources

    networks.set_user_table("bittensor", {"extra": {**networks.get_network("bittensor").extra,
                                                     "timeout": 0.3, "retries": 2, "backoff": 0.05}})
    bt_ready.faults = Faults(rate=1.0, seed=1, kinds=("stall",), stall=1.0)
    t0 = time.monotonic()
    outcome = sync_sources(["bittensor"])
    assert "unreachable" in outcome.errors["bittensor"]
    assert time.monotonic() - t0 < 8  # 3 tries × 0.3 s + backoff, not the library's 5 × 60 s
