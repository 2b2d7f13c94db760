"""The gov vote metadata (reason) limit is in UTF-8 bytes, as cosmos-sdk's assertMetadataLength counts
it (Go len()), read from the chain where its gov params expose `max_metadata_len`."""

from __future__ import annotations

import base64

from tests.plugins.cosmos import Chain, Env, start


def _tx_posts(env: Env) -> int:
    return sum(1 for m, p in env.node.requests if m == "POST")


def test_multibyte_reason_over_255_bytes_is_refused_before_signing(akash: Env, cli, env_passphrase) -> None:  # noqa: F811
    reason = "é" * 200  # 200 characters, 400 bytes
    r = cli("vote", "341", "yes", "-n", "akash", "--reason", reason, "--yes")
    assert r.code == 2, r.err
    assert "400 bytes (200 characters)" in r.err and "at most 255 bytes" in r.err
    assert _tx_posts(akash) == 0 and akash.me not in akash.node.chain.votes.get(341, {})
    fits = "é" * 127 + "x"  # 255 bytes
    r = cli("vote", "341", "yes", "-n", "akash", "--reason", fits, "--yes")
    assert r.code == 0, r.err
    assert akash.node.chain.votes[341][akash.me]["metadata"] == fits


def test_the_chains_own_limit_is_read_from_gov_params(cli, env_passphrase) -> None:  # type: ignore[no-untyped-def]
    for env in start("akash", Chain(max_metadata_len=1000, expose_metadata_len=True)):
        r = cli("vote", "341", "no", "-n", "akash", "--reason", "ü" * 300, "--yes")  # 600 bytes: fits 1,000
        assert r.code == 0, r.err
        assert env.node.chain.votes[341][env.me]["metadata"] == "ü" * 300
        env.node.chain.max_metadata_len = 100
        r = cli("vote", "341", "yes", "-n", "akash", "--reason", "a" * 101, "--yes")
        assert r.code == 2 and "101 bytes" in r.err and "at most 100 bytes" in r.err


def test_node_double_counts_bytes_like_the_sdk(akash: Env) -> None:  # noqa: F811
    from wallet.adapters.cosmos import messages as m

    signer = akash.signer()
    acc = akash.node.chain.accounts[akash.me]
    body = m.body_bytes([m.vote_msg("v1", "341", akash.me, "yes", metadata="é" * 200)])
    auth = m.auth_info_bytes(signer.public_key, acc.sequence, 300_000, 7_500, "uakt")
    raw = signer.sign_transaction({"body_bytes": body, "auth_info_bytes": auth, "chain_id": "akashnet-2",
                                   "account_number": acc.number})
    doc = akash.adapter().lcd.post("/cosmos/tx/v1beta1/txs", {"tx_bytes": base64.b64encode(raw).decode(),
                                                              "mode": "BROADCAST_MODE_SYNC"})
    resp = akash.node.chain.txs[doc["tx_response"]["txhash"]]["doc"]  # DeliverTx result, fee paid
    assert (resp["codespace"], resp["code"]) == ("gov", 15)
    assert "got metadata with length 400: metadata too long" in resp["raw_log"]
