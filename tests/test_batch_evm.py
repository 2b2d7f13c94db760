"""Batch runs on a real anvil: pipelined votes, dry-run changes nothing, re-runs are no-ops, actions
already on chain are skipped, a node failing mid-batch is reported and resumed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import JUNK_MNEMONIC
from tests.plugins.batch_evm import (
    active_proposals,
    assert_each_voted_once,
    import_voter,
    journal_rows,
    nonce,
    vote_plan,
)

pytestmark = pytest.mark.anvil

def test_batch_votes_pipelined_then_noop(cli, anvil, env_passphrase, tmp_path: Path) -> None:
    voter = import_voter(cli)
    dep, src, ids = active_proposals(anvil, voter, 12)
    plan = tmp_path / "votes.toml"
    plan.write_text(vote_plan(src, ids))
    start = nonce(anvil, voter)

    # dry-run: every action planned against the node, nothing signed, nothing written
    from wallet.paths import archive_path

    dry = cli("batch", "check", str(plan), "--dry-run", "--json")
    assert dry.code == 0, dry.err
    doc = dry.json()
    assert [a["status"] for a in doc["actions"]] == ["ok"] * 12
    assert doc["networks"]["devnet"]["transactions"] == 12 and int(doc["networks"]["devnet"]["fee"]) > 0
    assert nonce(anvil, voter) == start and not archive_path().exists()

    assert cli("sync", src).code == 0
    report_path = tmp_path / "report.json"
    r = cli("batch", "run", str(plan), "--yes", "--json", "--report", str(report_path))
    assert r.code == 0, r.err + r.out
    rep = r.json()
    assert rep["counts"] == {"confirmed": 12} and rep["transactions"] == 12 and rep["ok"]
    assert all(a["tx_hash"] and a["block"] and int(a["fee"]) > 0 for a in rep["actions"])
    assert nonce(anvil, voter) == start + 12
    assert_each_voted_once(anvil, dep, voter, ids)

    assert json.loads(report_path.read_text())["counts"] == {"confirmed": 12}
    rows = journal_rows(rep["batch"])
    assert [r["state"] for r in rows] == ["confirmed"] * 12
    assert {r["tx_hash"] for r in rows} == {a["tx_hash"] for a in rep["actions"]}
    # the votes are in the archive at once (record), with the reason
    shown = cli("proposals", "show", f"{src}:{ids[0]}", "--json").json()
    assert shown["my_vote"]["choice"] == "for" and shown["my_vote"]["reason"] == "batch vote 0"

    # the same plan again: a no-op that says so; nothing sent
    again = cli("batch", "run", str(plan), "--yes")
    assert again.code == 0 and "already ran to the end" in again.out
    assert nonce(anvil, voter) == start + 12
    status = cli("batch", "status", str(plan), "--json").json()
    assert status["state"] == "finished" and status["counts"] == {"confirmed": 12}


def test_already_on_chain_is_skipped_and_changed_vote_refused(cli, anvil, env_passphrase, tmp_path: Path) -> None:
    voter = import_voter(cli)
    dep, src, ids = active_proposals(anvil, voter, 4)
    assert cli("sync", src).code == 0
    r = cli("vote", f"{src}:{ids[0]}", "for", "--yes")  # choice of index 0 in the plan: for
    assert r.code == 0, r.err
    r = cli("vote", f"{src}:{ids[1]}", "for", "--yes")  # the plan wants against: cannot change
    assert r.code == 0, r.err
    start = nonce(anvil, voter)
    plan = tmp_path / "p.toml"
    plan.write_text(vote_plan(src, ids, reasons=False))
    r = cli("batch", "run", str(plan), "--yes", "--json")
    assert r.code == 1
    st = {a["index"]: a for a in r.json()["actions"]}
    assert st[0]["status"] == "already_done" and "already voted" in st[0]["message"]
    assert st[1]["status"] == "failed" and "cannot be changed" in st[1]["error"]
    assert st[2]["status"] == st[3]["status"] == "confirmed"
    assert nonce(anvil, voter) == start + 2
    rows = journal_rows(r.json()["batch"])
    assert [x["state"] for x in rows] == ["confirmed", "failed", "confirmed", "confirmed"]
    assert json.loads(rows[0]["detail"])["noop"] is True


def test_node_failing_mid_batch_then_resume(cli, anvil, env_passphrase, tmp_path: Path) -> None:
    """A proxy in front of anvil stops answering after a number of requests: the report names what
    is pending, what went through is recorded; resume finishes the rest exactly once."""
    from tests.doubles.flaky_proxy import FlakyProxy
    from wallet import networks

    voter = import_voter(cli)
    dep, src, ids = active_proposals(anvil, voter, 10)
    start = nonce(anvil, voter)
    with FlakyProxy(anvil.url, sends_allowed=4) as proxy:
        networks.set_user_table("devnet", {"rpc": [proxy.url]})
        plan = tmp_path / "p.toml"
        plan.write_text(vote_plan(src, ids))
        r = cli("batch", "run", str(plan), "--yes", "--json")
        assert r.code == 4, r.err
        rep = r.json()
        # four went out before the node died; none could be confirmed: all ten are reported pending
        assert rep["counts"] == {"pending": 10} and not rep["ok"]
        assert all("unreachable" in (a["error"] or "") for a in rep["actions"])
        assert nonce(anvil, voter) == start + 4
        rows = journal_rows(rep["batch"])
        assert [x["state"] for x in rows] == ["sent"] * 4 + ["signed"] * 6
        st = cli("batch", "status", "--json").json()
        assert st[0]["state"] == "running"
    networks.set_user_table("devnet", {"rpc": [anvil.url]})
    r = cli("batch", "resume", "--yes", "--json")
    assert r.code == 0, r.err
    assert r.json()["counts"] == {"confirmed": 10} and r.json()["resumed"]
    assert nonce(anvil, voter) == start + 10
    assert_each_voted_once(anvil, dep, voter, ids)


def test_headless_api_with_progress_events(cli, anvil, tmp_path: Path) -> None:
    """What a TUI batch screen calls from a worker: load → dry_run → BatchRunner(passphrase=…).run()
    with an event callback; no prompt, no environment passphrase."""
    from tests.conftest import PASSPHRASE
    from wallet.batch import BatchRunner, dry_run, load
    from wallet.keys.vault import Vault

    voter = Vault().add_mnemonic("me", JUNK_MNEMONIC, PASSPHRASE, index=7).addresses["evm"]
    dep, src, ids = active_proposals(anvil, voter, 5)
    path = tmp_path / "p.toml"
    path.write_text(vote_plan(src, ids))
    plan = load(path)
    seen: list[Any] = []
    preview = dry_run(plan, on_event=seen.append)
    assert preview.ok and [p.status for p in preview.previews] == ["ok"] * 5
    assert [e.done for e in seen] == [1, 2, 3, 4, 5] and all(e.total == 5 for e in seen)
    events: list[Any] = []
    rep = BatchRunner(plan, passphrase=PASSPHRASE, on_event=events.append).run()
    assert rep["counts"] == {"confirmed": 5}
    kinds = [e.kind for e in events]
    assert kinds[0] == "group" and kinds.count("signed") == 5 and kinds.count("confirmed") == 5
    assert events[-1].done == 5 and events[-1].total == 5
    assert_each_voted_once(anvil, dep, voter, ids)
