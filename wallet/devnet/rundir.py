"""A folder Polis owns for each anvil it starts: the log and anvil's HOME (where anvil would otherwise
write `~/.foundry/anvil/tmp/anvil-state-*`, hundreds of MB per run), removed when anvil stops.

Folders live in `<temp dir>/polis-anvil/<owner pid>-<port>/` with an `owner.json` naming the Polis
process and the anvil process. When Polis itself was killed, nothing removed them: every start first
removes the folders whose owner is gone, stopping their orphaned anvil (checked to be anvil by its
command line, so a reused pid is never killed).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path


def base() -> Path:
    return Path(tempfile.gettempdir()) / "polis-anvil"


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_anvil(pid: int) -> bool:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"anvil" in cmd.split(b"\0", 1)[0]


def create(port: int) -> Path:
    """A fresh folder for an anvil on `port` (stale ones are cleaned first)."""
    clean_stale()
    root = base()
    root.mkdir(mode=0o700, exist_ok=True)
    d = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-{port}-", dir=root))
    (d / "home").mkdir()
    write_owner(d, None)
    return d


def write_owner(d: Path, anvil_pid: int | None) -> None:
    (d / "owner.json").write_text(json.dumps({"owner": os.getpid(), "anvil": anvil_pid}))


def remove(d: Path | None) -> None:
    if d is None:
        return
    shutil.rmtree(d, ignore_errors=True)
    try:
        d.parent.rmdir()  # the last one out removes the base folder too
    except OSError:
        pass


def clean_stale() -> list[Path]:
    """Remove folders whose Polis process is gone; stop their anvil if it still runs. Returns them."""
    root = base()
    if not root.is_dir():
        return []
    removed = []
    for d in root.iterdir():
        try:
            info = json.loads((d / "owner.json").read_text())
        except (OSError, ValueError):
            info = {}
            try:
                if time.time() - d.stat().st_mtime < 30:
                    continue  # being created right now by another process
            except OSError:
                continue
        if _alive(info.get("owner")):
            continue
        pid = info.get("anvil")
        if isinstance(pid, int) and _alive(pid) and _is_anvil(pid):
            try:
                os.killpg(pid, signal.SIGKILL)  # anvil leads its own process group (start_new_session)
            except (ProcessLookupError, PermissionError):
                pass
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed
