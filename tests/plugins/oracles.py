"""The reference libraries as test oracles: cosmjs, @polkadot/types + util-crypto, snapshot.js + ethers.

Each family has one node script in tests/js/ that reads a batch of cases as JSON on stdin and
answers JSON on stdout, so a whole family costs one node start. `make setup` installs tests/js/
with `npm ci`; without it these tests fail (they are part of `make test`, never skipped in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parent.parent / "js"


def run(family: str, doc: dict[str, Any], *, timeout: float = 60.0) -> dict[str, Any]:
    """Run tests/js/<family>.js on `doc`; its JSON answer."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules").is_dir():
        if os.environ.get("CI"):
            raise RuntimeError("the oracle libraries are not installed: run `make setup` (npm ci in tests/js)")
        pytest.skip("tests/js/node_modules missing: run `make setup`")
    proc = subprocess.run([node, str(JS / f"{family}.js")], input=json.dumps(doc), capture_output=True, text=True,
                          timeout=timeout, cwd=JS, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"oracle {family} failed: {proc.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(proc.stdout)
    return out


def substrate_cases(node: Any) -> list[dict[str, Any]]:
    """One bittensor-oracle case per extrinsic a SubstrateNode double included, with what a verifier needs
    from the chain: genesis, runtime versions, the head when it was signed and every block hash."""
    hashes = {str(b["number"]): "0x" + b["hash"].hex() for b in node.blocks}
    return [{"extrinsic": x, "genesis": "0x" + node.genesis.hex(), "spec_version": node.version["specVersion"],
             "tx_version": node.version["transactionVersion"], "current": b["number"] - 1, "hashes": hashes}
            for b in node.blocks for x in b["extrinsics"]]
