"""Local EVM devnet for tests, benchmarks and `polis demo`: anvil plus the Polis test DAOs.

`python -m wallet.devnet` starts anvil, deploys and seeds the three DAO kinds and prints their
addresses. The submodules import their heavy dependencies (httpx, eth_abi) inside functions.
"""

from __future__ import annotations

import os
from pathlib import Path

from wallet.errors import PolisError

__all__ = ["DevnetError", "devnet_dir", "source_devnet", "user_devnet_dir"]


class DevnetError(PolisError):
    """The devnet cannot be built or started (missing npm packages, compile error, anvil failure)."""

    exit_code = 1


def source_devnet() -> Path | None:
    """`<repo>/devnet` when Polis runs from a source tree (a clone or an editable install), else None."""
    candidate = Path(__file__).resolve().parents[2] / "devnet"
    return candidate if (candidate / "compile.js").is_file() and (candidate / "contracts").is_dir() else None


def user_devnet_dir() -> Path:
    """Where an installed Polis unpacks its devnet sources and runs `npm ci`: `<data dir>/devnet`."""
    from wallet.paths import data_dir

    return data_dir() / "devnet"


def devnet_dir() -> Path:
    """The devnet folder: `$POLIS_DEVNET_DIR`, else `<repo>/devnet` in a source tree, else the user's
    data dir (filled from the wheel's copy by `wallet.devnet.install.ensure_devnet`)."""
    env = os.environ.get("POLIS_DEVNET_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return source_devnet() or user_devnet_dir()
