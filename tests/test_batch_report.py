"""Batch output a person reads, on a real anvil: one group header naming every source of a nonce
sequence, a count per settled action ([1/4] … [4/4]), reports with timestamps that keep resumed and
finished on a re-run (with already_finished), and an offline `batch check` warning for a vote on a
proposal the archive knows is closed."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.plugins.batch_evm import active_proposals, import_voter, vote_plan

pytestmark = pytest.mark.anvil


def test_group_header_counts_report_times_and_offline_warning(cli, anvil, env_passphrase, tmp_path: Path) -> None:
    voter = import_voter(cli)
    _dep_a, src_a, ids_a = active_proposals(anvil, voter, 2, dao_id="a")
    _dep_b, src_b, ids_b = active_proposals(anvil, voter, 2, dao_id="b")
    plan = tmp_path / "two-daos.toml"
    body = vote_plan(src_a, ids_a, reasons=False)
    body += "\n" + vote_plan(src_b, ids_b, reasons=False).split("\n\n", 3)[-1]  # the second DAO's actions only
    plan.write_text(body)
    assert cli("sync", src_a, src_b).code == 0

    # offline check: a vote on a proposal the archive holds as executed is flagged (and still passes)
    from wallet.cache import open_archive

    with open_archive() as ar, ar.conn:
        ar.conn.execute("UPDATE proposals SET status='executed' WHERE source=? AND id=?", (src_b, ids_b[1]))
    chk = cli("batch", "check", str(plan))
    assert chk.code == 0 and "1 warning(s)" in chk.out
    assert re.search(r"warning: line \d+: action 4 .*EXECUTED: it does not accept votes", chk.err), chk.err
    assert cli("batch", "check", str(plan), "--json").json()["warnings"][0].startswith("line ")
    with open_archive() as ar, ar.conn:
        ar.conn.execute("UPDATE proposals SET status='active' WHERE source=? AND id=?", (src_b, ids_b[1]))

    t0 = int(time.time())
    r = cli("batch", "run", str(plan), "--yes", "--report", str(tmp_path / "r.json"))
    assert r.code == 0, r.err + r.out
    # one account's nonce sequence spans both DAOs of the network: the header names both
    assert f"{src_a} (2) + {src_b} (2) · me: 4 action(s)" in r.err
    counts = re.findall(r"\[(\d)/4\] confirmed", r.err)
    assert counts == ["1", "2", "3", "4"], r.err
    import json

    rep = json.loads((tmp_path / "r.json").read_text())
    assert rep["resumed"] is False and rep["finished"] is True and rep["already_finished"] is False
    assert t0 - 5 <= rep["started_at"] <= rep["reported_at"] <= time.time() + 1
    assert all(a["updated_at"] >= rep["started_at"] for a in rep["actions"])

    again = cli("batch", "run", str(plan), "--yes", "--json")
    assert again.code == 0
    rep2 = again.json()
    assert rep2["already_finished"] is True and rep2["resumed"] is True and rep2["finished"] is True
    assert rep2["started_at"] == rep["started_at"] and rep2["runs"] == 2
