"""Where Polis keeps its files.

`POLIS_HOME` puts everything under one folder (tests and the demo use it); otherwise the platform's
config and data dirs (XDG on Linux: ~/.config/polis, ~/.local/share/polis). `POLIS_CONFIG_DIR` and
`POLIS_DATA_DIR` override each one.
"""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    if env := os.environ.get("POLIS_CONFIG_DIR"):
        return Path(env)
    if home := os.environ.get("POLIS_HOME"):
        return Path(home) / "config"
    from platformdirs import user_config_dir

    return Path(user_config_dir("polis", appauthor=False))


def data_dir() -> Path:
    if env := os.environ.get("POLIS_DATA_DIR"):
        return Path(env)
    if home := os.environ.get("POLIS_HOME"):
        return Path(home) / "data"
    from platformdirs import user_data_dir

    return Path(user_data_dir("polis", appauthor=False))


def vault_dir() -> Path:
    return data_dir() / "vault"


def archive_path() -> Path:
    return data_dir() / "archive.sqlite3"


def log_path() -> Path:
    return data_dir() / "polis.log"


def ensure_private_dir(path: Path) -> Path:
    """Create a directory readable only by its owner (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
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
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
