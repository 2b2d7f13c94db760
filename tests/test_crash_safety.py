"""Kills at random points: the archive stays consistent and a rerun completes; vault files are never
half-written; two syncs at once both finish."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import add_devnet_dao

REPO = Path(__file__).resolve().parents[1]


def polis_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("polis")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "wallet.cli.main"]


def dump(home: Path) -> tuple[list, list]:
    db = sqlite3.connect(home / "data" / "archive.sqlite3")
    props = db.execute("SELECT source, id, title, status, tally, vote_count FROM proposals "
                       "ORDER BY source, id").fetchall()
    votes = db.execute("SELECT * FROM votes ORDER BY source, proposal_id, voter").fetchall()
    db.close()
    return props, votes


@pytest.mark.anvil
def test_sigkill_during_sync_then_rerun(anvil, dao, tmp_path, monkeypatch) -> None:
    from wallet.devnet.seed import seed_large

    dep = dao("oz")
    seed_large(anvil, dep, n_proposals=40, n_votes=3_000)
    clean_home = tmp_path / "clean"
    monkeypatch.setenv("POLIS_HOME", str(clean_home))
    src = add_devnet_dao(anvil.url, dep)
    env = {**os.environ, "POLIS_HOME": str(clean_home)}
    assert subprocess.run([*polis_cmd(), "sync", src], env=env, capture_output=True).returncode == 0
    want = dump(clean_home)
    rng = random.Random(11)
    for trial in range(4):
        home = tmp_path / f"kill{trial}"
        monkeypatch.setenv("POLIS_HOME", str(home))
        add_devnet_dao(anvil.url, dep)
        env = {**os.environ, "POLIS_HOME": str(home), "POLIS_SYNC_FIRST_RANGE": "4"}
        for _ in range(2):
            proc = subprocess.Popen([*polis_cmd(), "sync", src], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.15, 0.6))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        db_path = home / "data" / "archive.sqlite3"
        if db_path.exists():
            db = sqlite3.connect(db_path)
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            db.close()
        r = subprocess.run([*polis_cmd(), "sync", src, "--json"], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        got = dump(home)
        if got != want:
            bad_props = [a for a, b in zip(got[0], want[0], strict=False) if a != b][:3]
            pytest.fail(f"trial {trial}: {len(got[0])}/{len(want[0])} proposals, {len(got[1])}/{len(want[1])} votes; "
                        f"first differing proposals: {bad_props}; rerun said: {r.stdout[-300:]}")


WRITER = """
import os, sys
sys.path.insert(0, {repo!r})
from pathlib import Path
from wallet.paths import atomic_write
target = Path(sys.argv[1])
i = 0
while True:
    i += 1
    atomic_write(target, (str(i) + ":" + "x" * 200_000 + ":" + str(i)).encode())
"""


def test_sigkill_during_vault_write_leaves_a_whole_file(tmp_path) -> None:
    from wallet.paths import atomic_write

    target = tmp_path / "vault" / "k.keystore.json"
    atomic_write(target, b"0:" + b"x" * 200_000 + b":0")
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(repo=str(REPO)))
    rng = random.Random(5)
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, str(script), str(target)])
        time.sleep(rng.uniform(0.05, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        data = target.read_bytes().decode()
        head, body, tail = data.split(":")
        assert head == tail and len(body) == 200_000
        assert oct(target.stat().st_mode & 0o777) == "0o600"


@pytest.mark.anvil
def test_two_syncs_at_once_both_finish(anvil, dao, tmp_path, monkeypatch) -> None:
    from wallet.devnet.seed import seed_large

    dep = dao("oz")
    seed_large(anvil, dep, n_proposals=30, n_votes=2_000)
    home = tmp_path / "shared"
    monkeypatch.setenv("POLIS_HOME", str(home))
    src = add_devnet_dao(anvil.url, dep)
    env = {**os.environ, "POLIS_HOME": str(home), "POLIS_SYNC_FIRST_RANGE": "2"}
    procs = [subprocess.Popen([*polis_cmd(), "--debug", "sync", src, "--json"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert json.loads(out)["ok"]
    db = sqlite3.connect(home / "data" / "archive.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM votes").fetchone()[0] == 2_000
    db.close()
