"""Batch benchmark: N votes on N proposals on anvil, `polis batch run` vs a shell loop of `cast send`.

Same devnet, same run: one DAO, two voters with equal power (anvil's dev accounts #1 and #2; the
first imported into a Polis vault with the real scrypt parameters, so the one unlock is counted),
N Active proposals. Each side votes on every proposal; both results are checked on chain.

Two chains: anvil with automine (a block per transaction, receipts at once: pure client overhead)
and anvil with 1-second blocks (what a real chain looks like: `cast send` waits for each receipt,
Polis sends every transaction and then awaits them together).

Run alone: `python bench/batch_bench.py` (env BENCH_BATCH_N, BENCH_BATCH_BLOCKTIME_N); from
bench/run.py: `results["batch"] = __import__("bench.batch_bench", fromlist=["run"]).run()`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
POLIS = str(Path(sys.executable).with_name("polis"))
CAST = REPO / "devnet/node_modules/@foundry-rs/cast-linux-amd64/bin/cast"
# anvil's well-known dev keys #1 and #2 (public test vectors; they hold nothing anywhere real)
POLIS_KEY = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
CAST_KEY = "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
PASSPHRASE = "bench passphrase for the batch run"


def _address(key: str) -> str:
    from eth_account import Account

    return str(Account.from_key(bytes.fromhex(key)).address)


def _one(n: int, block_time: float | None) -> dict[str, object]:
    from wallet.devnet.anvil import Anvil
    from wallet.devnet.deploy import call, deploy_dao
    from wallet.devnet.seed import fund_and_delegate, mine, seed_large

    res: dict[str, object] = {"votes": n, "chain": f"{block_time:g} s blocks" if block_time else "automine"}
    with Anvil(block_time=block_time) as node, tempfile.TemporaryDirectory() as d:
        home = Path(d)
        polis_voter, cast_voter = _address(POLIS_KEY), _address(CAST_KEY)
        client_node = node
        if block_time:  # seed fast, then let blocks come on their own
            client_node.rpc("evm_setIntervalMining", 0)
            client_node.rpc("evm_setAutomine", True)
        dep = deploy_dao(node, "oz", voting_delay=1, voting_period=1_000_000)
        fund_and_delegate(node, dep, [polis_voter, cast_voter], 1_000 * 10**18)
        ids = seed_large(node, dep, n_proposals=n, n_votes=0).proposal_ids
        mine(node, 2)
        if block_time:
            node.rpc("evm_setAutomine", False)
            node.rpc("evm_setIntervalMining", int(block_time))

        env = {**os.environ, "POLIS_HOME": str(home), "POLIS_PASSPHRASE_FILE": str(home / "pass")}
        env.pop("POLIS_SCRYPT_N", None)  # the real KDF: the one unlock is part of the run
        (home / "pass").write_text(PASSPHRASE + "\n")
        os.environ["POLIS_HOME"] = str(home)
        try:
            from wallet import networks
            from wallet.keys.vault import Vault

            Vault().add_private_key("bench", bytes.fromhex(POLIS_KEY), PASSPHRASE)
            networks.set_user_table("devnet", {"rpc": [node.url], "confirmations": 0})
            networks.add_dao("devnet", {"id": "bench", "kind": "oz", "governor": dep.governor, "token": dep.token,
                                        "start_block": dep.deploy_block}, replace=True)
        finally:
            os.environ.pop("POLIS_HOME")
        plan = home / "votes.toml"
        plan.write_text('[defaults]\naccount = "bench"\n[run]\ntimeout = 600\n' + "".join(
            f'[[actions]]\nkind = "vote"\nnetwork = "devnet/bench"\nproposal = "{pid}"\nchoice = "for"\n'
            for pid in ids))

        t0 = time.perf_counter()
        r = subprocess.run([POLIS, "batch", "run", str(plan), "--yes", "--json"], capture_output=True, env=env)
        polis_s = time.perf_counter() - t0
        if r.returncode != 0:
            raise RuntimeError(f"polis batch run failed: {r.stderr.decode()[-800:]}")
        rep = json.loads(r.stdout)
        assert rep["counts"] == {"confirmed": n}, rep["counts"]

        loop = (f'for id in {" ".join(ids)}; do "{CAST}" send --rpc-url {node.url} --private-key 0x{CAST_KEY} '
                f'{dep.governor} "castVote(uint256,uint8)" $id 1 >/dev/null || exit 1; done')
        t0 = time.perf_counter()
        c = subprocess.run(["bash", "-c", loop], capture_output=True)
        cast_s = time.perf_counter() - t0
        if c.returncode != 0:
            raise RuntimeError(f"cast loop failed: {c.stderr.decode()[-800:]}")
        for who in (polis_voter, cast_voter):
            voted = sum(bool(call(node, dep.governor, "hasVoted(uint256,address)", int(p), who, returns=["bool"]))
                        for p in ids)
            assert voted == n, (who, voted)
        res.update({"polis batch run s": round(polis_s, 2), "cast send loop s": round(cast_s, 2),
                    "speedup": round(cast_s / polis_s, 1), "polis transactions": rep["transactions"]})
    return res


def run() -> dict[str, object]:
    if not CAST.exists():
        return {"error": "cast is missing: run `make setup`"}
    n = int(os.environ.get("BENCH_BATCH_N", "200"))
    bt_n = int(os.environ.get("BENCH_BATCH_BLOCKTIME_N", "30"))
    out: dict[str, object] = {"automine": _one(n, None)}
    if bt_n:
        out["1s blocks"] = _one(bt_n, 1.0)
    return out


def main() -> int:
    res = run()
    print(json.dumps(res, indent=2))
    auto = res.get("automine")
    if isinstance(auto, dict):
        print(f"[{'ok' if auto['speedup'] >= 5 else 'MISS'}] {auto['votes']} votes, automine: "
              "≥ 5× faster than a cast loop "
              f"({auto['speedup']}×)")
    bt = res.get("1s blocks")
    if isinstance(bt, dict):
        print(f"[{'ok' if bt['speedup'] >= 5 else 'MISS'}] {bt['votes']} votes, 1 s blocks: ≥ 5× ({bt['speedup']}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
