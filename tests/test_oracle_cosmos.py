"""cosmjs as the oracle of every Cosmos transaction Polis broadcasts: the bytes decode, rebuild
byte-identical with cosmjs-types/proto-signing, the signature verifies over the SignDoc, is low-S
and equals cosmjs' own signDirect; addresses equal cosmjs' for the akash, fetch and cosmos prefixes."""

from __future__ import annotations

from typing import Any

from tests.plugins import oracles
from tests.plugins.cosmos import ABOUT, ME_AKASH, ME_COSMOS, Env


def _capture(env: Env, ad: Any) -> list[str]:
    sent: list[str] = []
    real_post = ad.lcd.post

    def post(path: str, body: Any) -> Any:
        if path.endswith("/txs"):
            sent.append(body["tx_bytes"])
        return real_post(path, body)

    ad.lcd.post = post
    return sent


def _send_all(env: Env, plans: list[Any]) -> list[dict[str, Any]]:
    from wallet.actions import execute
    from wallet.cache import open_archive

    ad = env.adapter()
    sent = _capture(env, ad)
    with open_archive() as ar:
        for plan in plans:
            assert execute(ad, plan, archive=ar, unlock=env.signer, confirm=None, assume_yes=True, timeout=10).ok
    acc = env.node.chain.accounts[env.me]
    prefix = env.me.split("1")[0]
    return [{"tx_bytes": b, "chain_id": env.node.chain.chain_id, "account_number": acc.number, "mnemonic": ABOUT,
             "prefix": prefix, "address": env.me} for b in sent]


def _plans_of_every_kind(env: Env) -> list[Any]:
    ad, acct = env.adapter(), env.account()
    beta, rescue = env.validators["beta"], env.validators["rescue"]
    return [
        ad.plan_vote(acct, "341", "yes", reason="relayers matter — ünïcode"),
        ad.plan_vote(acct, "340", "weighted", weights={"yes": "0.6", "abstain": "0.4"}),
        ad.plan_stake(acct, beta, 1_000_000 * (10**12 if env.node.chain.denom == "afet" else 1)),
        ad.plan_unstake(acct, rescue, 1_000),
        ad.plan_move(acct, rescue, beta, 2_000),
        ad.plan_claim(acct),
    ]


def _check(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = oracles.run("cosmos", {"cases": cases})["cases"]
    for case in out:
        assert case["errors"] == [], case["errors"]
    return out


def test_every_message_kind_v1_matches_cosmjs(akash: Env) -> None:  # noqa: F811
    cases = _send_all(akash, _plans_of_every_kind(akash))
    ad, acct = akash.adapter(), akash.account()
    combined = ad.combine([ad.plan_vote(acct, "341", "no"), ad.plan_stake(acct, akash.validators["beta"], 5)])
    cases += _send_all(akash, [combined])
    out = _check(cases)
    kinds = [m["typeUrl"] for c in out for m in c["messages"]]
    assert kinds == ["/cosmos.gov.v1.MsgVote", "/cosmos.gov.v1.MsgVoteWeighted", "/cosmos.staking.v1beta1.MsgDelegate",
                     "/cosmos.staking.v1beta1.MsgUndelegate", "/cosmos.staking.v1beta1.MsgBeginRedelegate",
                     "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
                     "/cosmos.gov.v1.MsgVote", "/cosmos.staking.v1beta1.MsgDelegate"]
    vote, weighted = out[0]["messages"][0]["value"], out[1]["messages"][0]["value"]
    assert vote == {"proposalId": "341", "voter": akash.me, "option": 1, "metadata": "relayers matter — ünïcode"}
    # v1 carries the LegacyDec string with 18 decimals; v1beta1 (below) its integer form
    assert weighted["options"] == [{"option": 1, "weight": "0.600000000000000000"},
                                   {"option": 2, "weight": "0.400000000000000000"}]
    assert [c["sequence"] for c in out] == [str(i) for i in range(7)]
    assert all(c["fee"].endswith("uakt") and int(c["gas"]) > 0 for c in out)


def test_v1beta1_messages_match_cosmjs(fetch_v1beta1: Env) -> None:  # noqa: F811
    env = fetch_v1beta1
    ad, acct = env.adapter(), env.account()
    cases = _send_all(env, [ad.plan_vote(acct, "341", "no_with_veto"),
                            ad.plan_vote(acct, "340", "weighted", weights={"yes": "0.25", "no": "0.75"})])
    out = _check(cases)
    assert [c["messages"][0]["typeUrl"] for c in out] == ["/cosmos.gov.v1beta1.MsgVote",
                                                          "/cosmos.gov.v1beta1.MsgVoteWeighted"]
    assert out[0]["messages"][0]["value"]["option"] == 4
    assert out[1]["messages"][0]["value"]["options"] == [{"option": 1, "weight": "250000000000000000"},
                                                         {"option": 3, "weight": "750000000000000000"}]


def test_addresses_equal_cosmjs_for_every_prefix() -> None:
    from wallet.keys.cosmos_keys import reprefix
    from wallet.keys.derive import family

    ours = {(p, i): reprefix(family("cosmos").derive(ABOUT, i).address, p)
            for p in ("akash", "fetch", "cosmos") for i in (0, 1, 7)}
    theirs = oracles.run("cosmos", {"addresses": [{"mnemonic": ABOUT, "prefix": p, "index": i} for p, i in ours]})
    assert list(ours.values()) == theirs["addresses"]
    assert ours[("akash", 0)] == ME_AKASH and ours[("cosmos", 0)] == ME_COSMOS


def test_the_oracle_catches_a_tampered_transaction(akash: Env) -> None:  # noqa: F811
    import base64

    from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import TxRaw

    [case] = _send_all(akash, [akash.adapter().plan_vote(akash.account(), "341", "yes")])
    raw = TxRaw.FromString(base64.b64decode(case["tx_bytes"]))
    forged = TxRaw(body_bytes=raw.body_bytes.replace(b"\x18\x01", b"\x18\x03", 1), auth_info_bytes=raw.auth_info_bytes,
                   signatures=list(raw.signatures))
    wrong_chain = {**case, "chain_id": "akashnet-3"}
    out = oracles.run("cosmos", {"cases": [{**case, "tx_bytes": base64.b64encode(forged.SerializeToString()).decode()},
                                           wrong_chain]})["cases"]
    assert forged.body_bytes != raw.body_bytes
    assert out[0]["messages"][0]["value"]["option"] == 3  # decoded as NO, but signed as YES:
    assert any("does not verify" in e for e in out[0]["errors"])
    assert any("does not verify" in e for e in out[1]["errors"])
