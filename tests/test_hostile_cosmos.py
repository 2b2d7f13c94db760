"""A Cosmos node's silence proves nothing: an archived voting proposal the node says it does not know
keeps its state and votes (only a deposit-period proposal is ever deleted by the chain)."""

from __future__ import annotations

from tests.plugins.cosmos import Env


def _sync(env: Env):  # type: ignore[no-untyped-def]
    from wallet.cache import open_archive

    ad = env.adapter()
    try:
        with open_archive() as ar:
            return ad.sync(ar)
    finally:
        ad.close()


def _row(pid: str) -> tuple:
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        return ar.conn.execute("SELECT status, native_status, tally, vote_count FROM proposals WHERE source='akash' "
                               "AND id=?", (pid,)).fetchone()


def test_a_node_forgetting_a_voting_proposal_changes_nothing(akash: Env) -> None:  # noqa: F811
    _sync(akash)
    before = _row("340")
    assert before[0] == "active"
    del akash.node.chain.proposals[340]
    rep = _sync(akash)
    assert any("does not know proposal 340" in w and "archive kept" in w for w in rep.warnings), rep.warnings
    assert _row("340") == before


def test_cosmos_fee_over_the_cap_is_refused_before_signing(akash: Env, cli) -> None:  # noqa: F811
    ok = cli("vote", "341", "yes", "-n", "akash", "--dry-run")
    assert ok.code == 0 and "fee cap: at most" in ok.out and "akash max_fee in the network preset" in ok.out, ok.out
    r = cli("vote", "341", "yes", "-n", "akash", "--dry-run", "--max-fee", "1uakt")
    assert r.code == 1 and "refusing to sign" in r.err and "over the cap of 0.000001 AKT (--max-fee)" in r.err, r.err
    assert not [p for m, p in akash.node.requests if m == "POST" and p.endswith("/cosmos/tx/v1beta1/txs")]
