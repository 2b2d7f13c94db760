"""Bittensor: `polis stake list --network bittensor` against the loopback Substrate double (real finney
metadata), wall time and RPC round trips; and `btcli stake list` pointed at the same double, where it
can run against it (the result says why not when it cannot).

Run alone: `python bench/bittensor_bench.py`; bench/run.py calls run().
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
POLIS = str(Path(sys.executable).with_name("polis"))
BTCLI = REPO / "bench/.venv/bin/btcli"


def run(runs: int = 5) -> dict[str, object]:
    from tests.doubles.substrate_node import SubstrateNode
    from tests.plugins.bittensor import MNEMONIC, derive, seed_chain, use_node

    res: dict[str, object] = {}
    with SubstrateNode() as node, tempfile.TemporaryDirectory() as d:
        os.environ["POLIS_HOME"] = d
        os.environ["POLIS_SCRYPT_N"] = "1024"
        os.environ["POLIS_INSECURE_TESTING"] = "1"
        try:
            from wallet.keys.vault import Vault

            Vault().add_mnemonic("tao", MNEMONIC, "bench passphrase")
            coldkey, hotkeys = derive(0), [derive(1), derive(2), derive(3)]
            seed_chain(node, coldkey, hotkeys)
            use_node(node)
        finally:
            os.environ.pop("POLIS_HOME")
            os.environ.pop("POLIS_SCRYPT_N")
            os.environ.pop("POLIS_INSECURE_TESTING")
        env = {**os.environ, "POLIS_HOME": d, "POLIS_PASSPHRASE": "bench passphrase", "POLIS_SCRYPT_N": "1024",
               "POLIS_INSECURE_TESTING": "1"}
        for hk in hotkeys:  # stake on 3 hotkeys × 2 subnets first, through Polis itself
            for netuid in ("1", "71"):
                r = subprocess.run([POLIS, "stake", "add", hk, "2 TAO", "--subnet", netuid, "-n", "bittensor", "--yes"],
                                   capture_output=True, env=env)
                if r.returncode != 0:
                    raise RuntimeError(r.stderr.decode()[-500:])
        walls, trips = [], []
        for _ in range(runs):
            before = sum(node.calls.values())
            t0 = time.perf_counter()
            r = subprocess.run([POLIS, "stake", "list", "-n", "bittensor", "--json"], capture_output=True, env=env)
            walls.append(time.perf_counter() - t0)
            if r.returncode != 0:
                raise RuntimeError(r.stderr.decode()[-500:])
            trips.append(sum(node.calls.values()) - before)
        res["polis stake list: rows"] = len(json.loads(r.stdout))
        res["polis stake list: wall ms (median)"] = round(statistics.median(walls) * 1000)
        res["polis stake list: RPC round trips"] = int(statistics.median(trips))
        res["btcli stake list"] = _btcli(node.url, coldkey)
    return res


def _btcli(url: str, coldkey: str) -> object:
    if not BTCLI.exists():
        return "not measured: bittensor-cli is not installed in bench/.venv (make bench installs it)"
    with tempfile.TemporaryDirectory() as wallets:
        wdir = Path(wallets) / "bench"
        wdir.mkdir()
        (wdir / "coldkeypub.txt").write_text(json.dumps({"ss58Address": coldkey}))
        t0 = time.perf_counter()
        r = subprocess.run([str(BTCLI), "stake", "list", "--network", url, "--wallet-name", "bench",
                            "--wallet-path", wallets, "--no-prompt"],
                           capture_output=True, text=True, timeout=120, env={**os.environ, "BT_WALLET_PATH": wallets})
        wall = round((time.perf_counter() - t0) * 1000)
    why = " ".join(r.stderr.split())
    if r.returncode == 0 and not why:
        return {"wall ms": wall, "output bytes": len(r.stdout)}
    return {"ran": False, "wall ms until it failed": wall,
            "why": (why or " ".join(r.stdout.split()[-40:]))[:300],
            "note": "btcli reads stakes through runtime APIs (StakeInfoRuntimeApi), which execute the runtime's "
                    "wasm; the double serves storage and the real metadata but runs no wasm. Polis reads "
                    "storage directly, so it runs against the double."}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
