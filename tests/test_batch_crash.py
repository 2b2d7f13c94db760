"""Crash safety: the real `polis` executable running a 100-vote plan on anvil is killed with SIGKILL at
random points, several times; `polis batch resume` then finishes it. On chain every vote landed exactly
once (the voter's nonce moved by exactly 100: not even a reverted duplicate was mined) and the journal
names the transaction of each."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.plugins.batch_evm import (
    active_proposals,
    assert_each_voted_once,
    import_voter,
    journal_rows,
    nonce,
    vote_plan,
)

pytestmark = pytest.mark.anvil


def states(home: Path) -> dict[str, int]:
    import sqlite3

    db = home / "data" / "archive.sqlite3"
    if not db.exists():
        return {}
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return dict(con.execute("SELECT state, COUNT(*) FROM batch_actions GROUP BY state").fetchall())
        finally:
            con.close()
    except sqlite3.OperationalError:
        return {}


def test_sigkill_at_random_points_then_resume(cli, anvil, env_passphrase, polis_bin, polis_home, tmp_path) -> None:
    seed = int(os.environ.get("POLIS_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    voter = import_voter(cli)
    dep, src, ids = active_proposals(anvil, voter, 100, dao_id="crash")
    plan = tmp_path / "hundred.toml"
    # 15 ms between broadcasts: a 1.5 s sending window, so random kills land between sends
    plan.write_text(vote_plan(src, ids, send_interval=0.015))
    start = nonce(anvil, voter)
    env = {**os.environ, "POLIS_LOG_LEVEL": "WARNING"}
    kills = []
    t0 = time.monotonic()
    phases = ["signed", "time", "signed", "confirmed", "time", "signed"]
    for trial in range(6):
        verb = "run" if trial == 0 else "resume"
        before = states(polis_home)
        done_before = before.get("confirmed", 0)
        # Kill at a random moment after the signed transactions were committed (mid-broadcast), after
        # some confirmations, or at a random time (start-up, planning, anywhere).
        target = rng.randint(1, max(1, 100 - done_before))
        phase = phases[trial]
        proc = subprocess.Popen([polis_bin, "batch", verb, str(plan), "--yes", "--json"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + rng.uniform(0.2, 1.5)
        signed_at: float | None = None
        while proc.poll() is None:
            s = states(polis_home)
            if phase == "signed" and s.get("signed", 0) > 0 and s != before and signed_at is None:
                signed_at = time.monotonic() + rng.uniform(0.0, 1.2)  # somewhere in the sending window
            reached = (signed_at is not None and time.monotonic() >= signed_at) or \
                (phase == "confirmed" and s.get("confirmed", 0) - done_before >= min(target, 15))
            if reached or (phase == "time" and time.monotonic() > deadline) or time.monotonic() > deadline + 6:
                break
            time.sleep(0.003)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        kills.append((phase, target, states(polis_home)))
        # never more transactions on chain than actions
        assert nonce(anvil, voter) - start <= 100, (seed, kills)
    r = subprocess.run([polis_bin, "batch", "resume", str(plan), "--yes", "--json"], capture_output=True, env=env,
                       timeout=120)
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, (seed, kills, r.stderr.decode()[-2000:])
    rep = json.loads(r.stdout)
    assert rep["counts"] == {"confirmed": 100}, (seed, kills, rep["counts"])

    # on chain: exactly one transaction per action, each vote counted once on its planned side
    assert nonce(anvil, voter) - start == 100, (seed, kills)
    assert_each_voted_once(anvil, dep, voter, ids)
    # the journal matches the chain: each row's hash is a successful receipt voting on its proposal
    rows = journal_rows(rep["batch"])
    assert len(rows) == 100 and all(r["state"] == "confirmed" for r in rows)
    receipts = anvil.batch([("eth_getTransactionReceipt", [r["tx_hash"]]) for r in rows])
    for row, rc in zip(rows, receipts, strict=True):
        assert rc and rc["status"] == "0x1" and rc["from"].lower() == voter.lower()
        assert int(rc["logs"][0]["data"][2:66], 16) == int(row["target"])
    assert len({r["tx_hash"] for r in rows}) == 100
    # and resuming once more is a no-op
    again = subprocess.run([polis_bin, "batch", "run", str(plan), "--yes"], capture_output=True, env=env, timeout=60)
    assert again.returncode == 0 and b"already ran to the end" in again.stdout
    assert nonce(anvil, voter) - start == 100
    print(f"crash test seed {seed}: kills {[(k[0], k[2]) for k in kills]}; {elapsed:.1f} s", file=sys.stderr)
