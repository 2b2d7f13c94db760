"""Sync and reads through a faulty network: bounded retries, and an archive identical to a clean sync."""

from __future__ import annotations

import pytest

from tests.conftest import add_devnet_dao
from tests.doubles.faults import FaultProxy

pytestmark = pytest.mark.anvil


def archive_dump(cli) -> tuple[str, str]:
    return (cli("export", "proposals", "--format", "json").out, cli("export", "votes", "--format", "json").out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sync_through_faults_matches_a_clean_sync(cli, anvil, seeded_dao, tmp_path, monkeypatch, seed: int) -> None:
    dep, seed_report = seeded_dao("oz", n_voters=25)
    monkeypatch.setenv("POLIS_RPC_TIMEOUT", "0.5")
    src = add_devnet_dao(anvil.url, dep)
    assert cli("sync", src).code == 0
    clean = archive_dump(cli)
    assert clean[1].count('"voter"') == seed_report.votes_cast

    monkeypatch.setenv("POLIS_HOME", str(tmp_path / f"faulty-{seed}"))
    with FaultProxy(anvil.url, rate=0.2, seed=seed, stall=1.0) as proxy:
        add_devnet_dao(proxy.url, dep)
        # a small first range makes many requests, so many faults
        from wallet.adapters.evm.client import JsonRpc

        monkeypatch.setenv("POLIS_SYNC_FIRST_RANGE", "1")
        monkeypatch.setitem(JsonRpc.logs.__kwdefaults__, "target_logs", 8)
        r = cli("sync", src, "--json")
        assert r.code == 0, r.err
        assert sum(v for k, v in proxy.counts.items() if k != "ok") >= 3
    assert archive_dump(cli) == clean


def test_node_on_another_chain_is_refused_and_archive_untouched(cli, anvil, seeded_dao, tmp_path) -> None:
    dep, _ = seeded_dao("oz", n_voters=5, with_states=False)
    with FaultProxy(anvil.url, rate=0.0, chain_id=1) as liar:
        src = add_devnet_dao(liar.url, dep)
        r = cli("sync", src)
        assert r.code == 1 and "chain id 1" in r.err
    assert cli("export", "proposals", "--format", "json").out.strip() == "[]"


def test_unreachable_node_gives_up_quickly(cli, anvil, seeded_dao, monkeypatch) -> None:
    import time

    dep, _ = seeded_dao("oz", n_voters=5, with_states=False)
    monkeypatch.setenv("POLIS_RPC_TIMEOUT", "0.3")
    with FaultProxy(anvil.url, rate=1.0, faults=("stall",), stall=2.0) as dead:
        src = add_devnet_dao(dead.url, dep)
        t0 = time.monotonic()
        r = cli("sync", src)
        assert r.code == 4 and "unreachable" in r.err
        assert time.monotonic() - t0 < 15
