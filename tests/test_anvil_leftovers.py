"""Nothing of anvil stays on disk: no `~/.foundry/anvil/tmp/anvil-state-*` in the home folder and no log or
state folder in the temp dir, after `polis demo --headless`, after an anvil stops, and (at the next start)
after the Polis process that started one was killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.anvil


def _leftovers(home: Path, tmp: Path) -> list[str]:
    found = [str(p) for p in (home / ".foundry").rglob("*")] if (home / ".foundry").exists() else []
    return found + [str(p) for p in tmp.iterdir() if "anvil" in p.name]


def _isolated(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "POLIS_HOME": str(tmp_path / "polis")}
    return env, home, tmp


def test_demo_leaves_nothing_of_anvil(tmp_path: Path, compiled) -> None:
    env, home, tmp = _isolated(tmp_path)
    polis = Path(sys.executable).with_name("polis")
    r = subprocess.run([str(polis), "demo", "--headless", "--voters", "8", "--json"], env=env,
                       capture_output=True, text=True, timeout=300)
    assert _leftovers(home, tmp) == []  # also when the demo failed
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout)


KILLED = r"""
import sys, time
sys.path.insert(0, {repo!r})
from wallet.devnet.anvil import Anvil
node = Anvil().start()
node.rpc("evm_mine")
print(node.process.pid, node.run_dir, flush=True)
time.sleep(600)
"""


def test_a_killed_owner_is_cleaned_at_the_next_start(tmp_path: Path, compiled) -> None:
    from tests.conftest import REPO

    env, home, tmp = _isolated(tmp_path)
    owner = subprocess.Popen([sys.executable, "-c", KILLED.format(repo=str(REPO))], env=env, stdout=subprocess.PIPE,
                             text=True)
    try:
        pid_text, run_dir = owner.stdout.readline().split()  # type: ignore[union-attr]
        anvil_pid = int(pid_text)
        assert Path(run_dir).is_dir() and json.loads((Path(run_dir) / "owner.json").read_text())["anvil"] == anvil_pid
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
    assert Path(run_dir).is_dir()  # a killed Polis removed nothing, and its anvil still runs
    os.kill(anvil_pid, 0)
    probe = subprocess.run([sys.executable, "-c", "from wallet.devnet.anvil import Anvil; Anvil().start().stop()"],
                           env=env, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert probe.returncode == 0, probe.stderr
    for _ in range(50):
        try:
            os.kill(anvil_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the orphaned anvil still runs")
    assert _leftovers(home, tmp) == []


def test_an_anvil_that_mined_leaves_nothing_when_it_stops(tmp_path: Path, monkeypatch, compiled) -> None:
    import tempfile

    from wallet.devnet.anvil import Anvil

    env, home, tmp = _isolated(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    node = Anvil().start()
    try:
        node.rpc("anvil_mine", hex(3000))
        assert node.run_dir is not None and node.run_dir.parent.parent == tmp
        assert not (home / ".foundry").exists()
    finally:
        node.stop()
    assert _leftovers(home, tmp) == []
