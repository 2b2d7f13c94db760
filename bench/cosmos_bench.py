"""Cosmos: sign and encode 1,000 votes; one 20-message transaction vs 20 single transactions against the
loopback LCD double (round trips, time, fees). Run alone or from bench/run.py (run())."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def run() -> dict[str, object]:
    os.environ["POLIS_HOME"] = tempfile.mkdtemp()
    os.environ["POLIS_SCRYPT_N"] = "1024"
    os.environ["POLIS_INSECURE_TESTING"] = "1"
    try:
        return _run()
    finally:
        os.environ.pop("POLIS_HOME")
        os.environ.pop("POLIS_SCRYPT_N")
        os.environ.pop("POLIS_INSECURE_TESTING")


def _run() -> dict[str, object]:
    from tests.doubles.cosmos_node import Chain
    from tests.plugins.cosmos import ABOUT, ME_AKASH, start
    from wallet.adapters.cosmos import messages as m
    from wallet.keys.cosmos_keys import CosmosSigner, cosmos_private_key
    from wallet.keys.derive import mnemonic_seed

    res: dict[str, object] = {}
    s = CosmosSigner(cosmos_private_key(mnemonic_seed(ABOUT)))
    t = time.perf_counter()
    for i in range(1000):
        body = m.body_bytes([m.vote_msg("v1", str(i + 1), ME_AKASH, "yes")])
        auth = m.auth_info_bytes(s.public_key, i, 200000, 5000, "uakt")
        s.sign_transaction({"body_bytes": body, "auth_info_bytes": auth, "chain_id": "akashnet-2", "account_number": 7})
    res["sign + encode 1,000 votes (ms)"] = round((time.perf_counter() - t) * 1000)

    gen = start("akash", Chain())
    env = next(gen)
    try:
        for pid in range(400, 440):
            env.node.add_proposal(pid, 2)
        env.node.chain.hidden_polls = 0
        ad, acct, signer = env.adapter(), env.account(), env.signer()
        lcd = ad.lcd
        r0, t = lcd.round_trips, time.perf_counter()
        plan = ad.combine([ad.plan_vote(acct, str(p), "yes") for p in range(400, 420)])
        assert ad.await_result(plan, ad.submit(plan, signer), timeout=10).ok
        res["one 20-message tx: round trips"] = lcd.round_trips - r0
        res["one 20-message tx: ms"] = round((time.perf_counter() - t) * 1000)
        res["one 20-message tx: fee uakt"] = plan.fee_estimate
        r0, t, fees = lcd.round_trips, time.perf_counter(), 0
        for p in range(420, 440):
            pl = ad.plan_vote(acct, str(p), "yes")
            fees += pl.fee_estimate or 0
            assert ad.await_result(pl, ad.submit(pl, signer), timeout=10).ok
        res["20 single txs: round trips"] = lcd.round_trips - r0
        res["20 single txs: ms"] = round((time.perf_counter() - t) * 1000)
        res["20 single txs: fees uakt"] = fees
    finally:
        try:
            next(gen)
        except StopIteration:
            pass
    return res


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
