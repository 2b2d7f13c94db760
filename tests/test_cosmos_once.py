"""Cosmos sends act exactly once, and a send killed before its broadcast is never `pending` forever.

The signed tx bytes are journaled with the tx hash before the broadcast; settling an entry whose hash
the node does not know sends the very same bytes again (same account sequence: they can land at most
once). The LCD double answers as cosmos-sdk does: code 19 (ErrTxInMempoolCache, CometBFT's "tx already
exists in cache") for bytes it has seen, code 32 for a sequence already used."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.plugins.cosmos import Env

UAKT = 1_000_000


def _journal() -> list[dict]:
    from wallet.cache import open_archive, query

    with open_archive(readonly=True) as ar:
        return query.journal(ar, limit=20)


def _raw_of(entry_id: int) -> str | None:
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        return ar.conn.execute("SELECT raw FROM journal WHERE id=?", (entry_id,)).fetchone()[0]


def _killed(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "wallet.cli.main", *args], env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _stake(env: Env) -> list[str]:
    return ["stake", "add", env.validators["beta"], "2 AKT", "-n", "akash", "--yes"]


def test_stake_killed_before_its_broadcast_is_sent_once_by_the_rerun(akash: Env, cli, env_passphrase) -> None:
    node, me, beta = akash.node, akash.me, akash.validators["beta"]
    proc = _killed(_stake(akash))
    node.kill_before_broadcast = proc.pid
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -9, err
    assert node.broadcasts == 0 and not node.chain.txs  # the node never had it
    (entry,) = _journal()
    assert entry["state"] == "signed" and entry["tx_hash"] and "raw" not in entry  # history never shows the bytes
    raw = _raw_of(entry["id"])
    assert raw and raw not in out.decode() + err.decode()
    assert entry["detail"]["sequence"] == 0

    again = cli(*_stake(akash))  # the very same bytes go out now; nothing new is signed
    assert again.code == 0, again.err
    assert "included on chain" in again.out and "nothing new was sent" in again.out
    assert node.broadcasts == 1 and list(node.chain.txs) == [entry["tx_hash"]] and node.signatures_verified == 1
    assert node.chain.delegations[(me, beta)] == 2 * UAKT and node.chain.accounts[me].sequence == 1
    (entry,) = _journal()
    assert entry["state"] == "confirmed" and _raw_of(entry["id"]) is None  # settled: the bytes are dropped


def test_stake_in_the_mempool_answers_already_known_and_stays_pending(akash: Env, cli, env_passphrase) -> None:
    node, me, beta = akash.node, akash.me, akash.validators["beta"]
    node.chain.hidden_polls = 10**6  # accepted into the mempool, not in a block for a long while
    proc = _killed(_stake(akash))
    node.kill_after_broadcast = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9 and node.broadcasts == 1

    again = cli(*_stake(akash))  # the node answers code 19 for the same bytes: on its way, nothing new signed
    assert again.code == 1 and "still pending" in again.err and "nothing new was signed" in again.err, again.err
    assert node.broadcasts == 2 and len(node.chain.txs) == 1 and node.signatures_verified == 1
    assert _journal()[0]["state"] == "pending"

    (tx,) = node.chain.txs.values()
    tx["hidden"] = 0  # a block includes it
    hist = cli("history", "--refresh", "--json")
    assert hist.code == 0 and [r["state"] for r in hist.json()] == ["confirmed"]
    assert len(node.chain.txs) == 1 and node.chain.delegations[(me, beta)] == 2 * UAKT


def test_sequence_used_by_another_tx_settles_failed_and_the_action_goes_once(akash: Env, cli, env_passphrase) -> None:
    node, me, beta = akash.node, akash.me, akash.validators["beta"]
    proc = _killed(_stake(akash))
    node.kill_before_broadcast = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    node.chain.accounts[me].sequence = 1  # another tx of this account (sent elsewhere) used sequence 0

    again = cli(*_stake(akash))  # the old bytes are refused (code 32): the action is signed anew, once
    assert again.code == 0, again.err
    old, new = sorted(_journal(), key=lambda e: e["id"])
    assert old["state"] == "failed" and "another transaction used that sequence" in old["error"], old
    assert new["state"] == "confirmed" and len(node.chain.txs) == 1
    assert node.chain.delegations[(me, beta)] == 2 * UAKT and node.chain.accounts[me].sequence == 2


def test_history_refresh_sends_the_bytes_of_a_send_that_never_left(akash: Env, cli, env_passphrase) -> None:
    node = akash.node
    proc = _killed(_stake(akash))
    node.kill_before_broadcast = proc.pid
    proc.communicate(timeout=120)
    first = cli("history", "--refresh", "--json")  # sent now; not in a block within a zero wait
    assert first.code == 0 and [r["state"] for r in first.json()] == ["pending"] and node.broadcasts == 1
    second = cli("history", "--refresh", "--json")
    assert [r["state"] for r in second.json()] == ["confirmed"] and node.broadcasts == 1


def test_batch_killed_before_its_broadcast_resumes_with_the_same_bytes(akash: Env, cli, env_passphrase,
                                                                      tmp_path: Path) -> None:
    node, me = akash.node, akash.me
    plan = tmp_path / "p.toml"
    plan.write_text('[defaults]\naccount = "me"\n[run]\ntimeout = 10\n'
                    f'[[actions]]\nkind = "stake"\nnetwork = "akash"\ntarget = "{akash.validators["beta"]}"\n'
                    'amount = "2 AKT"\n'
                    '[[actions]]\nkind = "vote"\nnetwork = "akash"\nproposal = "341"\nchoice = "no"\n')
    proc = _killed(["batch", "run", str(plan), "--yes"])
    node.kill_before_broadcast = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9 and node.broadcasts == 0

    r = cli("batch", "resume", "--yes", "--json")
    assert r.code == 0, r.err + r.out
    rep = r.json()
    assert rep["counts"] == {"confirmed": 2} and rep["transactions"] == 1
    assert node.broadcasts == 1 and node.signatures_verified == 1
    assert list(node.chain.txs) == [rep["actions"][0]["tx_hash"]]
    assert node.chain.delegations[(me, akash.validators["beta"])] == 2 * UAKT
    assert node.chain.votes[341][me]["options"] == [(3, "1")]


def test_an_entry_without_a_hash_was_never_sent_and_the_action_goes_once(akash: Env, cli, env_passphrase) -> None:
    """What a process killed after journaling the action and before signing it leaves: no hash, and the hash
    is always committed before the bytes leave, so nothing was sent."""
    from wallet.cache import open_archive, store

    node, me, beta = akash.node, akash.me, akash.validators["beta"]
    assert cli("stake", "add", beta, "1 AKT", "-n", "akash", "--yes").code == 0
    (done,) = _journal()
    with open_archive() as ar:
        store.journal_add(ar, account=done["account"], address=done["address"], network=done["network"],
                          source=done["source"], kind=done["kind"], target=done["target"], summary="stake",
                          detail={"marker": 1})
    again = cli("stake", "add", beta, "1 AKT", "-n", "akash", "--yes")
    assert again.code == 0, again.err
    new, stale, _first = _journal()
    assert stale["state"] == "failed" and "not sent" in stale["error"] and new["state"] == "confirmed"
    assert len(node.chain.txs) == 2 and node.chain.delegations[(me, beta)] == 2 * UAKT
