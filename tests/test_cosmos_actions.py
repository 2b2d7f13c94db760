"""Cosmos writes end to end: each tx is signed for real, and the node double verifies the signature
over the SignDoc, the account number, sequence and chain id before it changes its state."""

from __future__ import annotations

import pytest

from tests.plugins.cosmos import REAL_VALOPER, Env


def _run(env: Env, plan):  # type: ignore[no-untyped-def]
    from wallet.actions import execute
    from wallet.cache import open_archive

    ad = env.adapter()
    with open_archive() as ar:
        return execute(ad, plan, archive=ar, unlock=env.signer, confirm=None, assume_yes=True, timeout=10)


def _sent(env: Env) -> list[str]:
    return [p for m, p in env.node.requests if m == "POST"]


def test_cli_vote_is_signed_verified_applied_and_archived(akash: Env, cli, env_passphrase) -> None:
    from wallet.cache import open_archive, query

    r = cli("vote", "341", "yes", "-n", "akash", "--reason", "relayers matter", "--yes", "--json")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["ok"] and len(doc["tx_hash"]) == 64
    node = akash.node
    assert node.signatures_verified == 1 and node.chain.accounts[akash.me].sequence == 1
    assert node.chain.votes[341][akash.me] == {"options": [(1, "1")], "metadata": "relayers matter"}
    with open_archive(readonly=True) as ar:
        mine = query.vote_of(ar, "akash", "341", [akash.me])
    assert mine["choice"] == "yes" and mine["tx"] == doc["tx_hash"] and mine["weight"] == "10000000"
    assert mine["reason"] == "relayers matter"


def test_dry_run_shows_the_exact_message_and_fee(akash: Env, cli) -> None:
    r = cli("vote", "341", "no_with_veto", "-n", "akash", "--dry-run")
    assert r.code == 0, r.err
    assert '{"@type":"/cosmos.gov.v1.MsgVote","proposal_id":"341","voter":"' + akash.me in r.out
    assert '"option":"VOTE_OPTION_NO_WITH_VETO"' in r.out and "fee estimate" in r.out and "× 0.025 uakt" in r.out
    assert _sent(akash) == ["/cosmos/tx/v1beta1/simulate"]  # simulated, never broadcast


def test_same_vote_again_is_already_done_and_a_changed_vote_is_allowed(akash: Env) -> None:
    from wallet.errors import AlreadyDone

    ad = akash.adapter()
    _run(akash, ad.plan_vote(akash.account(), "341", "yes"))
    with pytest.raises(AlreadyDone, match="already voted YES"):
        ad.plan_vote(akash.account(), "341", "yes")
    plan = ad.plan_vote(akash.account(), "341", "no")
    assert any("replaces the earlier vote YES" in line for line in plan.summary)
    _run(akash, plan)
    assert akash.node.chain.votes[341][akash.me]["options"] == [(3, "1")]


def test_weighted_vote_v1(akash: Env, cli, env_passphrase) -> None:
    r = cli("vote", "340", "weighted", "--weights", "yes=0.6,abstain=0.4", "-n", "akash", "--yes")
    assert r.code == 0, r.err
    assert akash.node.chain.votes[340][akash.me]["options"] == [(1, "0.600000000000000000"),
                                                                (2, "0.400000000000000000")]


def test_weights_not_summing_to_one_are_refused_before_signing(akash: Env, cli, env_passphrase) -> None:
    r = cli("vote", "340", "weighted", "--weights", "yes=0.6,no=0.3", "-n", "akash", "--yes")
    assert r.code == 2 and "not exactly 1" in r.err
    assert _sent(akash) == [] and akash.node.requests == []


@pytest.mark.parametrize(("pid", "why"), [("333", "PROPOSAL_STATUS_PASSED"), ("342", "DEPOSIT_PERIOD"),
                                          ("999", "does not exist")])
def test_votes_outside_the_voting_period_are_refused(akash: Env, cli, env_passphrase, pid: str, why: str) -> None:
    r = cli("vote", pid, "yes", "-n", "akash", "--yes")
    assert r.code == 1 and why in r.err and _sent(akash) == []


def test_wrong_chain_id_refused_before_signing(akash: Env, cli, env_passphrase) -> None:
    akash.node.chain.chain_id = "akash-testnet-9"
    r = cli("vote", "341", "yes", "-n", "akash", "--yes")
    assert r.code == 1 and "akash-testnet-9" in r.err and _sent(akash) == []


def test_delegate_undelegate_redelegate_claim(akash: Env, cli, env_passphrase) -> None:
    node, me, beta = akash.node, akash.me, akash.validators["beta"]
    r = cli("stake", "add", beta, "1.5 AKT", "-n", "akash", "--yes")
    assert r.code == 0, r.err
    assert node.chain.delegations[(me, beta)] == 1_500_000
    r = cli("stake", "move", REAL_VALOPER, beta, "2", "-n", "akash", "--yes")
    assert r.code == 0, r.err
    assert node.chain.delegations[(me, REAL_VALOPER)] == 8_000_000 and node.chain.delegations[(me, beta)] == 3_500_000
    before = node.chain.balances[me]
    r = cli("stake", "claim", "-n", "akash", "--yes")
    assert r.code == 0, r.err
    assert node.chain.balances[me] > before and not node.chain.rewards
    r = cli("stake", "claim", "-n", "akash", "--yes")
    assert r.code == 0 and "no rewards" in r.out  # nothing to withdraw: nothing sent
    r = cli("stake", "remove", REAL_VALOPER, "--all", "-n", "akash", "--yes")
    assert r.code == 0, r.err
    assert (me, REAL_VALOPER) not in node.chain.delegations
    assert node.signatures_verified == 4
    r = cli("stake", "list", "-n", "akash", "--json")
    kinds = {(s["target"], s["kind"]) for s in r.json()}
    assert kinds == {(beta, "staked"), (REAL_VALOPER, "unbonding"), (beta, "redelegating")}
    assert all(s["completes_at"] for s in r.json() if s["kind"] != "staked")


@pytest.mark.parametrize(("target", "code", "text"), [
    ("jailed", 1, "jailed"), ("idle", 1, "unbonded"),
    ("fetchvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy8wdty", 2, "bech32|prefix"),
    ("akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0q", 2, "checksum"),
    ("akash19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0", 2, "akashvaloper"),
])
def test_delegation_targets_are_checked(akash: Env, cli, env_passphrase, target: str, code: int, text: str) -> None:
    import re

    target = akash.validators.get(target, target)
    r = cli("stake", "add", target, "1", "-n", "akash", "--yes")
    assert r.code == code and re.search(text, r.err), r.err
    assert _sent(akash) == []


def test_jailed_validator_with_explicit_flag(akash: Env, cli, env_passphrase) -> None:
    r = cli("stake", "add", akash.validators["jailed"], "1", "-n", "akash", "--opt", "allow_jailed=true", "--yes")
    assert r.code == 0, r.err


def test_amount_checks(akash: Env, cli, env_passphrase) -> None:
    beta = akash.validators["beta"]
    r = cli("stake", "add", beta, "1.0000001 AKT", "-n", "akash", "--yes")
    assert r.code == 2 and "decimals" in r.err
    r = cli("stake", "add", beta, "50 AKT", "-n", "akash", "--yes")  # the whole balance leaves nothing for the fee
    assert r.code == 1 and "not enough" in r.err and _sent(akash) == ["/cosmos/tx/v1beta1/simulate"]
    r = cli("stake", "remove", beta, "1", "-n", "akash", "--yes")
    assert r.code == 1 and "no delegation" in r.err


def test_several_actions_in_one_transaction(akash: Env) -> None:
    ad = akash.adapter()
    acct = akash.account()
    plans = [ad.plan_vote(acct, "340", "abstain"), ad.plan_vote(acct, "341", "no"),
             ad.plan_stake(acct, akash.validators["beta"], 1_000_000), ad.plan_claim(acct)]
    combined = ad.combine(plans)
    assert len(combined.payload["msgs"]) == 4 and combined.kind == "multi"
    assert combined.fee_estimate < sum(p.fee_estimate for p in plans)  # one fee, one signature
    res = _run(akash, combined)
    assert res.ok and akash.node.broadcasts == 1 and akash.node.signatures_verified == 1
    c = akash.node.chain
    assert c.votes[340][akash.me]["options"] == [(2, "1")] and c.votes[341][akash.me]["options"] == [(3, "1")]
    assert c.delegations[(akash.me, akash.validators["beta"])] == 1_000_000 and not c.rewards


def test_stale_sequence_is_retried_once(akash: Env) -> None:
    ad = akash.adapter()
    plan = ad.plan_vote(akash.account(), "341", "yes")
    acc = akash.node.chain.accounts[akash.me]
    acc.sequence += 1  # another wallet sent a tx between plan and send
    real_get = ad.lcd.get
    calls = {"n": 0}

    def stale_then_fresh(path, params=None):  # type: ignore[no-untyped-def]
        doc = real_get(path, params)
        if "/auth/" in path and calls["n"] == 0:  # the first read still sees the old sequence
            calls["n"] += 1
            doc["account"]["sequence"] = str(acc.sequence - 1)
        return doc

    ad.lcd.get = stale_then_fresh  # type: ignore[method-assign]
    h = ad.submit(plan, akash.signer())
    assert akash.node.broadcasts == 2 and ad.await_result(plan, h, timeout=5).ok
    assert acc.sequence == 2


def test_wrong_chain_or_account_number_fails_signature_verification(akash: Env) -> None:
    import base64

    from wallet.adapters.cosmos import messages as m

    signer = akash.signer()
    acc = akash.node.chain.accounts[akash.me]
    body = m.body_bytes([m.vote_msg("v1", "341", akash.me, "yes")])
    auth = m.auth_info_bytes(signer.public_key, 0, 300_000, 7_500, "uakt")
    ad = akash.adapter()
    for chain_id, number in (("akashnet-3", acc.number), ("akashnet-2", acc.number + 1)):
        raw = signer.sign_transaction({"body_bytes": body, "auth_info_bytes": auth, "chain_id": chain_id,
                                       "account_number": number})
        doc = ad.lcd.post("/cosmos/tx/v1beta1/txs", {"tx_bytes": base64.b64encode(raw).decode(),
                                                     "mode": "BROADCAST_MODE_SYNC"})
        assert doc["tx_response"]["code"] == 4 and "signature verification failed" in doc["tx_response"]["raw_log"]
    assert acc.sequence == 0 and 341 in akash.node.chain.votes and akash.me not in akash.node.chain.votes[341]


def test_node_error_codes_become_clear_messages(akash: Env) -> None:
    from wallet import networks
    from wallet.errors import ActionFailed

    base = dict(networks.get_network("akash").extra)
    networks.set_user_table("akash", {"extra": {**base, "gas_price": "0.001"}})
    ad = akash.adapter()
    with pytest.raises(ActionFailed, match="below the node's minimum gas price"):
        ad.submit(ad.plan_vote(akash.account(), "341", "yes"), akash.signer())
    networks.set_user_table("akash", {"extra": {**base, "gas_adjustment": "1.0"}})
    ad = akash.adapter()
    plan = ad.plan_vote(akash.account(), "341", "yes")
    res = ad.await_result(plan, ad.submit(plan, akash.signer()), timeout=5)
    assert not res.ok and "ran out of gas" in (res.error or "")
    assert akash.node.chain.accounts[akash.me].sequence == 1  # included and failed: the sequence moved


def test_vesting_account_decodes_and_only_spendable_coins_pay_fees(akash: Env) -> None:
    import time

    from tests.conftest import PASSPHRASE
    from tests.plugins.cosmos import ABOUT
    from wallet.errors import ActionRefused
    from wallet.keys.vault import Vault

    meta = Vault().add_mnemonic("vest", ABOUT, PASSPHRASE, index=1)
    ad = akash.adapter()
    addr = ad.address_of(meta)
    now = time.time()
    vesting = {"type": "ContinuousVestingAccount", "original": 100_000_000, "start": now - 10, "end": now + 10**8}
    akash.node.add_account(addr, 100_000_000, vesting=vesting)
    akash.node.chain.delegations[(addr, REAL_VALOPER)] = 1  # some power, so the vote gets past that check
    acc = ad.account(addr)
    assert acc.type == "ContinuousVestingAccount" and acc.locked(int(now)) > 99_000_000
    with pytest.raises(ActionRefused, match="still vesting"):
        ad.plan_vote(meta, "341", "yes")
    akash.node.chain.balances[addr] += 1_000_000  # a free AKT for fees; the vesting coins may be delegated
    plan = ad.plan_stake(meta, akash.validators["beta"], 90_000_000)
    assert any("ContinuousVestingAccount" in c.detail for c in plan.checks)

    from wallet.keys.unlock import Unlocked

    signer = Unlocked(meta, Vault().read_secret(meta, PASSPHRASE)).signer("cosmos")
    assert ad.await_result(plan, ad.submit(plan, signer), timeout=5).ok
    assert akash.node.chain.delegations[(addr, akash.validators["beta"])] == 90_000_000


def test_v1beta1_chain_votes_with_v1beta1_messages(fetch_v1beta1: Env, cli, env_passphrase) -> None:
    env = fetch_v1beta1
    r = cli("vote", "341", "abstain", "-n", "fetchai", "--reason", "why", "--yes")
    assert r.code == 2 and "v1beta1" in r.err
    r = cli("vote", "341", "weighted", "--weights", "yes=0.25,no_with_veto=0.75", "-n", "fetchai", "--yes")
    assert r.code == 0, r.err
    from decimal import Decimal

    opts = env.node.chain.votes[341][env.me]["options"]  # the double read 10^18 atomics off the wire
    assert [(o, Decimal(w)) for o, w in opts] == [(1, Decimal("0.25")), (4, Decimal("0.75"))]
    r = cli("stake", "add", env.validators["beta"], "2 FET", "-n", "fetchai", "--yes")
    assert r.code == 0, r.err
    assert env.node.chain.delegations[(env.me, env.validators["beta"])] == 2 * 10**18


def test_lost_broadcast_reply_never_sends_twice(akash: Env, cli, env_passphrase) -> None:
    """The node applies the tx but its reply is lost (the client times out and re-posts the same
    bytes): Polis recognises its own transaction instead of re-signing a second one."""
    akash.node.fault("/cosmos/tx/v1beta1/txs", "lost_reply", count=1, delay=2.5)
    r = cli("vote", "341", "no", "-n", "akash", "--yes", "--json")
    assert r.code == 0, r.err
    node = akash.node
    assert node.chain.accounts[akash.me].sequence == 1  # exactly one transaction applied
    assert node.chain.votes[341][akash.me]["options"] == [(3, "1")]
    posts = [p for m, p in node.requests if m == "POST" and p == "/cosmos/tx/v1beta1/txs"]
    assert len(posts) == 2 and list(node.chain.txs) == [r.json()["tx_hash"]]
