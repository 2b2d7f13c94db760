"""Helpers of the EVM batch tests (test_batch_evm, test_batch_crash, test_batch_mixed): a voter in the
vault, a fresh DAO with Active proposals on anvil, vote plans, on-chain checks and journal reads."""

from __future__ import annotations

from typing import Any

from tests.conftest import JUNK_MNEMONIC, add_devnet_dao

POWER = 1_000 * 10**18


def import_voter(cli) -> str:  # type: ignore[no-untyped-def]
    r = cli("keys", "import", "me", "--mnemonic", "--index", "7", "--json", stdin=JUNK_MNEMONIC)
    assert r.code == 0, r.err
    return str(r.json()["addresses"]["evm"])


def active_proposals(anvil, voter: str, n: int, dao_id: str = "b") -> tuple[Any, str, list[str]]:  # type: ignore[no-untyped-def]
    """A fresh DAO whose vault voter holds power, with `n` Active proposals (long voting period:
    every vote mines a block under automine)."""
    from wallet.devnet.deploy import deploy_dao
    from wallet.devnet.seed import fund_and_delegate, mine, seed_large

    dep = deploy_dao(anvil, "oz", voting_delay=1, voting_period=100_000)
    fund_and_delegate(anvil, dep, [voter], POWER)
    ids = seed_large(anvil, dep, n_proposals=n, n_votes=0).proposal_ids
    mine(anvil, 2)
    return dep, add_devnet_dao(anvil.url, dep, dao_id), ids


def vote_plan(source: str, ids: list[str], *, reasons: bool = True, send_interval: float = 0.0) -> str:
    lines = ['version = 1\nname = "votes"\n\n[defaults]\naccount = "me"\n\n'
             f'[run]\ntimeout = 30\nsend_interval = {send_interval}\n']
    for i, pid in enumerate(ids):
        choice = ("for", "against", "abstain")[i % 3]
        lines.append(f'[[actions]]\nkind = "vote"\nnetwork = "{source}"\nproposal = "{pid}"\nchoice = "{choice}"\n'
                     + (f'reason = "batch vote {i}"\n' if reasons and i % 4 == 0 else ""))
    return "\n".join(lines)


def nonce(anvil, address: str) -> int:  # type: ignore[no-untyped-def]
    """The sender's mined nonce once anvil has mined what its pool holds for it: anvil answers
    eth_sendRawTransaction before its automine has run, so a sender killed right after the node took a tx can
    be looked at before the block exists."""
    import time

    deadline = time.monotonic() + 15
    while True:
        mined = int(anvil.rpc("eth_getTransactionCount", address, "latest"), 16)
        if mined == int(anvil.rpc("eth_getTransactionCount", address, "pending"), 16) or time.monotonic() > deadline:
            return mined
        time.sleep(0.05)


def tallies(anvil, dep, ids: list[str]) -> dict[str, tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    from wallet.devnet.deploy import call

    return {pid: tuple(call(anvil, dep.governor, "proposalVotes(uint256)", int(pid), returns=["uint256"] * 3))
            for pid in ids}


def assert_each_voted_once(anvil, dep, voter: str, ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    """On chain: every proposal carries exactly the voter's power once, on the planned side
    (against, for, abstain as proposalVotes orders them)."""
    from wallet.devnet.deploy import call

    for i, (pid, t) in enumerate(tallies(anvil, dep, ids).items()):
        support = (1, 0, 2)[i % 3]  # for, against, abstain
        want = [0, 0, 0]
        want[support] = POWER
        assert list(t) == want, (i, pid, t)
        assert call(anvil, dep.governor, "hasVoted(uint256,address)", int(pid), voter, returns=["bool"])


def journal_rows(batch: str | None = None) -> list[dict[str, Any]]:
    from wallet.cache import open_archive

    with open_archive() as ar:
        cur = ar.conn.execute("SELECT * FROM journal" + (" WHERE batch=?" if batch else "") + " ORDER BY id",
                              (batch,) if batch else ())
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
