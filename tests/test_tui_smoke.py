"""One smoke test in a real terminal: `polis tui` inside a detached tmux session of 80x24, keys sent
with send-keys, the screen read with capture-pane, as a person would see it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.plugins.tui_data import fill

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(*args: str, sock: str) -> str:
    return subprocess.run(["tmux", "-L", sock, *args], capture_output=True, text=True, timeout=10).stdout


def _wait_screen(sock: str, needle: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = _tmux("capture-pane", "-p", "-t", "smoke", sock=sock)
        if needle in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} not on screen:\n{text}")


def test_tui_in_tmux(polis_home: Path) -> None:
    fill(250)
    polis = Path(sys.executable).with_name("polis")
    cmd = f"{polis} tui" if polis.exists() else f"{sys.executable} -m wallet.cli tui"
    sock = f"polis-smoke-{uuid.uuid4().hex[:8]}"  # a private tmux server: never touches the user's
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}  # the pane decides the size
    env.update(POLIS_HOME=str(polis_home), TERM="xterm-256color")
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-s", "smoke", "-x", "80", "-y", "24",
                    f"cd {Path(__file__).resolve().parents[1]} && {cmd}"], check=True, env=env, timeout=10)
    try:
        screen = _wait_screen(sock, "of 250 proposals")
        assert "Polis" in screen and "Network" in screen and "Title" in screen
        assert "[bold red]FREE[/]" in screen  # hostile markup shown as text
        assert "Help" in screen and "Search" in screen  # footer
        _tmux("send-keys", "-t", "smoke", "f", sock=sock)  # status filter: open
        _wait_screen(sock, "status:open")
        _tmux("send-keys", "-t", "smoke", "Enter", sock=sock)
        screen = _wait_screen(sock, "voting closes")
        assert "Timeline" in screen and "Tally" in screen
        _tmux("send-keys", "-t", "smoke", "Escape", sock=sock)
        _wait_screen(sock, "of 83 proposals")
        _tmux("send-keys", "-t", "smoke", "?", sock=sock)
        screen = _wait_screen(sock, "inbox.search")
        _tmux("send-keys", "-t", "smoke", "Escape", sock=sock)
        deadline = time.monotonic() + 5  # ESC then q at once would read as alt+q: wait for the help to close
        while time.monotonic() < deadline and "inbox.search" in _tmux("capture-pane", "-p", "-t", "smoke", sock=sock):
            time.sleep(0.1)
        _tmux("send-keys", "-t", "smoke", "q", sock=sock)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and "smoke" in _tmux("list-sessions", sock=sock):
            time.sleep(0.1)
        assert "smoke" not in _tmux("list-sessions", sock=sock), "q did not quit"
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=10)


def test_inbox_at_120_columns_shows_a_60_character_title_whole(polis_home: Path) -> None:
    from wallet.cache import open_archive

    title = "Fund the public goods round for Q3 with forty thousand token"
    assert len(title) == 60
    fill(250)
    with open_archive() as ar, ar.conn:
        ar.conn.execute("UPDATE proposals SET title=? WHERE id='249'", (title,))
    polis = Path(sys.executable).with_name("polis")
    cmd = f"{polis} tui --offline" if polis.exists() else f"{sys.executable} -m wallet.cli tui --offline"
    sock = f"polis-wide-{uuid.uuid4().hex[:8]}"
    # COLUMNS/LINES left in the environment by in-process app tests would override the pane's real size
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(POLIS_HOME=str(polis_home), TERM="xterm-256color")
    subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", "new-session", "-d", "-s", "smoke", "-x", "120", "-y", "36",
                    f"cd {Path(__file__).resolve().parents[1]} && {cmd}"], check=True, env=env, timeout=10)
    try:
        _wait_screen(sock, "of 250 proposals")
        # the status bar can paint before the table's rows on a loaded machine: wait for the row itself
        screen = _wait_screen(sock, "Fund the public goods", timeout=20.0)
        line = next(x for x in screen.splitlines() if "Fund the public goods" in x)
        assert title in line, line  # whole, not cut at 22 characters
        assert "4 Networks" in screen and "q Quit" in screen  # the footer fits at 120 columns
        _tmux("send-keys", "-t", "smoke", "q", sock=sock)
    finally:
        subprocess.run(["tmux", "-L", sock, "kill-server"], capture_output=True, timeout=10)
