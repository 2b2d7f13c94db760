"""Local EVM devnet for tests, benchmarks and `polis demo`: anvil plus the Polis test DAOs.

`python -m wallet.devnet` starts anvil, deploys and seeds the three DAO kinds and prints their
addresses. The submodules import their heavy dependencies (httpx, eth_abi) inside functions.
"""

from __future__ import annotations

import os
from pathlib import Path

from wallet.errors import PolisError

__all__ = ["DevnetError", "devnet_dir"]


class DevnetError(PolisError):
    """The devnet cannot be built or started (missing npm packages, compile error, anvil failure)."""

    exit_code = 1


def devnet_dir() -> Path:
    """The `devnet/` folder: `$POLIS_DEVNET_DIR`, else `<repo>/devnet`."""
    env = os.environ.get("POLIS_DEVNET_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "devnet"
