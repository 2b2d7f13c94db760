"""Where Polis keeps its files.

`POLIS_HOME` puts everything under one folder (tests and the demo use it); otherwise the platform's
config and data dirs (XDG on Linux: ~/.config/polis, ~/.local/share/polis). `POLIS_CONFIG_DIR` and
`POLIS_DATA_DIR` override each one.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TextIO


def config_dir() -> Path:
    if env := os.environ.get("POLIS_CONFIG_DIR"):
        return Path(env)
    if home := os.environ.get("POLIS_HOME"):
        return Path(home) / "config"
    return Path(_xdg_dir("XDG_CONFIG_HOME", ".config") or _platform_dir("user_config_dir"))


def data_dir() -> Path:
    if env := os.environ.get("POLIS_DATA_DIR"):
        return Path(env)
    if home := os.environ.get("POLIS_HOME"):
        return Path(home) / "data"
    return Path(_xdg_dir("XDG_DATA_HOME", ".local/share") or _platform_dir("user_data_dir"))


def _xdg_dir(variable: str, default: str) -> str | None:
    """The XDG folder for Polis on Linux where every platformdirs release agrees on it (the variable unset or an
    absolute path, and an absolute HOME), without importing platformdirs (it loads tempfile, shutil, random, bz2
    and lzma: ~8 ms a command); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    home = os.environ.get("HOME", "")
    value = os.environ.get(variable)
    if value:
        return os.path.join(value, "polis") if value == value.strip() and os.path.isabs(value) else None
    if not os.path.isabs(home) or home != home.strip():
        return None
    return os.path.join(home, default, "polis")


def _platform_dir(kind: str) -> str:
    import platformdirs

    return str(getattr(platformdirs, kind)("polis", appauthor=False))


def vault_dir() -> Path:
    return data_dir() / "vault"


def archive_path() -> Path:
    return data_dir() / "archive.sqlite3"


def log_path() -> Path:
    return data_dir() / "polis.log"


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable only by its owner (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)
    return path


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write via temp file + fsync + rename, so a crash leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _refuse_target(path: Path, *, new_only: bool) -> None:
    """The one check of an output path the user named: its folder exists, and it is not a folder,
    device, pipe or symlink (or, with `new_only`, nothing at all)."""
    import stat

    from wallet.errors import BadInput

    parent = path.parent
    if not parent.is_dir():
        raise BadInput(f"cannot write {path}: the folder {parent} does not exist")
    try:
        st = path.lstat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BadInput(f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise BadInput(f"cannot write {path}: it is a folder; name a file inside it")
    if stat.S_ISLNK(st.st_mode):
        raise BadInput(f"cannot write {path}: it is a symbolic link; name the file itself")
    if not stat.S_ISREG(st.st_mode):
        raise BadInput(f"cannot write {path}: it is not a regular file (a device or pipe?)")
    if new_only:
        raise BadInput(f"{path} already exists; Polis writes secrets only to new files")


def check_new_target(path: str | Path) -> Path:
    """Refuse early (before a passphrase prompt) a path `write_new_private` would refuse."""
    p = Path(path)
    _refuse_target(p, new_only=True)
    return p


def write_new_private(path: str | Path, data: bytes) -> Path:
    """Create `path` as a new regular file of mode 0600 holding `data`. Refuses anything already at
    the path (files, folders, devices, symlinks: O_EXCL|O_NOFOLLOW, so no race replaces one); a failed
    write (a full disk) removes the partial file."""
    import errno

    from wallet.errors import BadInput

    p = Path(path)
    _refuse_target(p, new_only=True)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        raise BadInput(f"{p} already exists; Polis writes secrets only to new files") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BadInput(f"cannot write {p}: it is a symbolic link") from None
        raise BadInput(f"cannot write {p}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(p)
        raise
    return p


class ReplacingWriter:
    """A text file the user named for output (an export): checked up front, written beside the target
    and renamed over it only when complete, so a full disk or an error leaves the old file (or none)."""

    def __init__(self, path: str | Path, *, newline: str | None = "") -> None:
        self.path = Path(path)
        _refuse_target(self.path, new_only=False)
        self.tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._newline = newline

    def __enter__(self) -> TextIO:
        from wallet.errors import BadInput

        try:
            self.fh = open(self.tmp, "x", newline=self._newline, encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"cannot write {self.path}: {exc.strerror}") from None
        return self.fh

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        try:
            self.fh.close()
            if kind is None:
                os.replace(self.tmp, self.path)
                return
        except BaseException:
            self._drop()
            raise
        self._drop()

    def _drop(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)


class FileLock:
    """An exclusive advisory lock (flock) on `path`, held until `release` or the process ends (the
    kernel drops it then, so a killed run never leaves a stale lock). The file records the holder's pid."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True when taken; False when another process holds it (always True without flock: Windows)."""
        try:
            import fcntl
        except ImportError:
            return True

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
