"""`polis sync` of a local node imports only what the sync needs: no pydantic (network settings are checked by
hand), no httpx/httpcore (plain http goes through the standard-library client), no cffi/pycparser (EIP-55
through ctypes), no web3/eth_* and no importlib.metadata. A real first sync and a no-op re-sync of a seeded
DAO on anvil, each in a fresh interpreter that then lists what it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.plugins.devnet import add_devnet_dao

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pydantic", "pydantic_core", "httpx", "httpcore", "h11", "anyio", "cffi", "pycparser", "Crypto", "web3",
         "eth_abi", "eth_account", "eth_utils", "eth_keys", "importlib.metadata", "email", "ssl", "textual")

RUN = """
import io, contextlib, json, sys
from wallet.cli.main import main
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    code = main(["sync", sys.argv[1], "--json"])
print(json.dumps({"code": code, "doc": json.loads(buf.getvalue()), "modules": sorted(sys.modules)}))
"""


def _sync(source: str) -> tuple[dict, set[str]]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    r = subprocess.run([sys.executable, "-c", RUN, source], capture_output=True, text=True, cwd=REPO, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.splitlines()[-1])
    assert out["code"] == 0, out["doc"]
    return out["doc"], set(out["modules"])


def test_a_local_sync_imports_no_heavy_library(anvil: Any, seeded_dao: Any) -> None:
    dep, _ = seeded_dao("oz", n_voters=12)
    src = add_devnet_dao(anvil.url, dep)
    for first in (True, False):
        doc, mods = _sync(src)
        report = doc["reports"][0]
        assert report["noop"] is not first and (report["votes"] > 0) is first, report
        loaded = sorted(set(HEAVY) & mods)  # a package's submodule loads the package ("httpx._main" is a stub)
        assert not loaded, f"{'first' if first else 'no-op'} sync loaded {loaded}"
