"""Pure parts of the Cosmos adapter: the real Akash captures parse, weights, messages on the wire,
vesting arithmetic, decimals and times as nodes send them, error mapping."""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal

import pytest

from tests.doubles.cosmos_node import fixture
from tests.plugins.cosmos import ABOUT, ME_AKASH, REAL_VALOPER


def test_real_v1_proposal_list_and_341_parse() -> None:
    from wallet.adapters.cosmos.models import proposal_fields

    doc = fixture("akash_gov_v1_proposals_list.getblock.json")
    assert doc["pagination"]["next_key"] == "AAAAAAAAAVQ="  # the reverse-paged capture: 340 comes next
    pid, f = proposal_fields(doc["proposals"][0], "v1", "uakt")
    assert pid == "341" and f["status"] == "active" and f["native_status"] == "PROPOSAL_STATUS_VOTING_PERIOD"
    assert f["title"].startswith("Hermes Price Relayer Operations")
    assert f["start_ts"] == 1789744946 and f["end_ts"] == 1790349746  # 2026-09-18/25T15:22:26.035897772Z
    assert f["actions"][0]["target"] == "/cosmos.distribution.v1beta1.MsgCommunityPoolSpend"
    assert "230557400000uakt" in f["actions"][0]["summary"]
    assert f["extra"]["deposit"] == "1000000000"
    single = fixture("akash_gov_v1_proposal_341.getblock.json")["proposal"]
    assert proposal_fields(single, "v1", "uakt") == (pid, f)


def test_real_tally_validator_and_empty_lists_parse() -> None:
    from wallet.adapters.cosmos.models import Rewards, TallyV1, Validator, tally_rows

    t = tally_rows(TallyV1.model_validate(fixture("akash_gov_v1_proposal_341_tally.getblock.json")["tally"]))
    assert t == [{"choice": "yes", "weight": "35102265275414"}, {"choice": "no", "weight": "8545777331"},
                 {"choice": "abstain", "weight": "763068307757"}, {"choice": "no_with_veto", "weight": "0"}]
    doc = fixture("akash_staking_v1beta1_validators_bonded_limit1.getblock.json")
    v = Validator.model_validate(doc["validators"][0])
    assert (v.operator_address, v.description.moniker, v.short_status) == (REAL_VALOPER, "cosmosrescue", "bonded")
    assert v.commission.commission_rates.rate == "0.050000000000000000" and int(v.tokens) == 399745659305
    empty = fixture("akash_distribution_v1beta1_delegator_rewards_empty.getblock.json")
    assert Rewards.model_validate(empty).rewards == []


def test_v1beta1_deposit_period_proposal_has_no_voting_window() -> None:
    from wallet.adapters.cosmos.models import proposal_fields

    raw = {"proposal_id": "7", "content": {"@type": "/cosmos.gov.v1beta1.TextProposal", "title": "T",
                                           "description": "D"},
           "status": "PROPOSAL_STATUS_DEPOSIT_PERIOD", "final_tally_result": {"yes": "0", "abstain": "0", "no": "0",
                                                                               "no_with_veto": "0"},
           "submit_time": "2024-01-01T00:00:00Z", "deposit_end_time": "2024-01-15T00:00:00Z", "total_deposit": [],
           "voting_start_time": "0001-01-01T00:00:00Z", "voting_end_time": "0001-01-01T00:00:00Z"}
    pid, f = proposal_fields(raw, "v1beta1", "afet")
    assert (pid, f["status"], f["start_ts"], f["end_ts"]) == ("7", "deposit", None, 1705276800)
    assert "tally" not in f and f["title"] == "T" and f["body"] == "D"


def test_module_account_capture_decodes_and_vesting_schedules() -> None:
    from wallet.adapters.cosmos.vesting import decode_account

    fee = decode_account(fixture("akash_auth_v1beta1_account_moduleaccount_fee_collector.getblock.json")["account"],
                         "uakt")
    assert (fee.type, fee.account_number, fee.sequence, fee.pub_key, fee.vesting) == ("ModuleAccount", 220, 0, None,
                                                                                      False)
    key = base64.b64encode(b"\x02" + b"\x11" * 32).decode()
    base = {"address": ME_AKASH, "pub_key": {"@type": "/cosmos.crypto.secp256k1.PubKey", "key": key},
            "account_number": "77", "sequence": "5"}
    bva = {"base_account": base, "original_vesting": [{"denom": "uakt", "amount": "1000"}], "delegated_free": [],
           "delegated_vesting": [{"denom": "uakt", "amount": "100"}], "end_time": "2000"}
    cont = decode_account({"@type": "/cosmos.vesting.v1beta1.ContinuousVestingAccount", "base_vesting_account": bva,
                           "start_time": "1000"}, "uakt")
    assert (cont.account_number, cont.sequence, cont.pub_key) == (77, 5, b"\x02" + b"\x11" * 32)
    assert [cont.still_vesting(t) for t in (500, 1000, 1500, 2000)] == [1000, 1000, 500, 0]
    assert cont.locked(1500) == 400  # still vesting 500 − delegated vesting 100
    delayed = decode_account({"@type": "/cosmos.vesting.v1beta1.DelayedVestingAccount", "base_vesting_account": bva},
                             "uakt")
    assert (delayed.still_vesting(1999), delayed.still_vesting(2000)) == (1000, 0)
    periodic = decode_account({"@type": "/cosmos.vesting.v1beta1.PeriodicVestingAccount", "base_vesting_account": bva,
                               "start_time": "1000", "vesting_periods": [
                                   {"length": "100", "amount": [{"denom": "uakt", "amount": "400"}]},
                                   {"length": "900", "amount": [{"denom": "uakt", "amount": "600"}]}]}, "uakt")
    assert [periodic.still_vesting(t) for t in (1099, 1100, 1999)] == [1000, 600, 600]
    perm = decode_account({"@type": "/cosmos.vesting.v1beta1.PermanentLockedAccount", "base_vesting_account": bva},
                          "uakt")
    assert perm.still_vesting(10**10) == 1000


@pytest.mark.parametrize(("weights", "error"), [
    ({"yes": "0.7", "no": "0.2"}, "sum to 0.9"),
    ({"yes": "0.7", "no": "0.4"}, "sum to 1.1"),
    ({"yes": "0.5", "y": "0.5"}, "appears twice"),
    ({"yes": "1", "no": "0"}, "above 0"),
    ({"yes": "0.5000000000000000001", "no": "0.4999999999999999999"}, "more than 18 decimals"),
    ({"maybe": "1"}, "unknown choice"),
    ({"yes": "abc"}, "not a decimal"),
])
def test_weights_must_sum_to_exactly_one(weights: dict[str, str], error: str) -> None:
    from wallet.adapters.cosmos.messages import parse_weights
    from wallet.errors import BadInput

    with pytest.raises(BadInput, match=error):
        parse_weights(weights)


def test_weights_are_normalised_in_option_order() -> None:
    from wallet.adapters.cosmos.messages import parse_weights

    assert parse_weights({"no": "0.3", "YES": ".7"}) == [("yes", "0.700000000000000000"),
                                                         ("no", "0.300000000000000000")]
    third = "0.333333333333333333"
    assert sum(Decimal(w) for _,
               w in parse_weights({"yes": third, "no": third, "abstain": "0.333333333333333334"})) == 1


def test_weighted_vote_wire_format_per_gov_version() -> None:
    """v1 sends the decimal string; v1beta1's LegacyDec goes on the wire as weight × 10^18."""
    from cosmpy.protos.cosmos.gov.v1 import tx_pb2 as g1
    from cosmpy.protos.cosmos.gov.v1beta1 import tx_pb2 as g0

    from wallet.adapters.cosmos import messages as m

    opts = m.parse_weights({"yes": "0.7", "no": "0.3"})
    v1 = g1.MsgVoteWeighted.FromString(m.to_proto(m.weighted_vote_msg("v1", "5", ME_AKASH, opts,
                                                                      "why")).SerializeToString())
    assert [(o.option, o.weight) for o in v1.options] == [(1, "0.700000000000000000"), (3, "0.300000000000000000")]
    assert v1.metadata == "why" and v1.proposal_id == 5
    v0 = g0.MsgVoteWeighted.FromString(m.to_proto(m.weighted_vote_msg("v1beta1", "5", ME_AKASH,
                                                                      opts)).SerializeToString())
    assert [(o.option, o.weight) for o in v0.options] == [(1, "700000000000000000"), (3, "300000000000000000")]


def test_signed_tx_verifies_over_the_sign_doc() -> None:
    import ecdsa
    from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import AuthInfo, SignDoc, TxBody, TxRaw

    from wallet.adapters.cosmos import messages as m
    from wallet.keys.cosmos_keys import CosmosSigner, cosmos_private_key
    from wallet.keys.derive import mnemonic_seed

    s = CosmosSigner(cosmos_private_key(mnemonic_seed(ABOUT)))
    msgs = [m.vote_msg("v1", "341", ME_AKASH, "yes"), m.delegate_msg(ME_AKASH, REAL_VALOPER, 1_500_000, "uakt")]
    body = m.body_bytes(msgs, "memo")
    auth = m.auth_info_bytes(s.public_key, 9, 200_000, 5_000, "uakt")
    raw = TxRaw.FromString(s.sign_transaction({"body_bytes": body, "auth_info_bytes": auth,
                                               "chain_id": "akashnet-2", "account_number": 42}))
    assert [a.type_url for a in TxBody.FromString(raw.body_bytes).messages] == [
        "/cosmos.gov.v1.MsgVote", "/cosmos.staking.v1beta1.MsgDelegate"]
    ai = AuthInfo.FromString(raw.auth_info_bytes)
    assert ai.signer_infos[0].sequence == 9 and ai.fee.gas_limit == 200_000 and ai.fee.amount[0].amount == "5000"
    vk = ecdsa.VerifyingKey.from_string(s.public_key, curve=ecdsa.SECP256k1, hashfunc=hashlib.sha256)
    doc = SignDoc(body_bytes=body, auth_info_bytes=auth, chain_id="akashnet-2", account_number=42)
    assert vk.verify(raw.signatures[0], doc.SerializeToString())
    wrong = SignDoc(body_bytes=body, auth_info_bytes=auth, chain_id="akashnet-3", account_number=42)
    with pytest.raises(ecdsa.BadSignatureError):
        vk.verify(raw.signatures[0], wrong.SerializeToString())


@pytest.mark.parametrize(("sent", "expected"), [
    ("0.334000000000000000", "0.334"), ("334000000000000000", "0.334"),
    (base64.b64encode(b"334000000000000000").decode(), "0.334"), ("0.5", "0.5"), ("", ""),
])
def test_gov_param_decimals_in_every_form(sent: str, expected: str) -> None:
    from wallet.adapters.cosmos.sync import parse_dec

    assert parse_dec(sent) == expected


def test_times_with_nanoseconds_and_go_zero_time() -> None:
    from wallet.adapters.cosmos.models import ts

    assert ts("2026-09-18T15:22:26.035897772Z") == 1789744946
    assert ts("0001-01-01T00:00:00Z") is None and ts(None) is None and ts("garbage") is None


def test_error_codes_become_clear_messages() -> None:
    from wallet.adapters.cosmos.errors import explain, sdk_code_of

    assert sdk_code_of("sdk", 32, "") == 32
    assert sdk_code_of("", 2, "failed: account sequence mismatch, expected 4, got 3: incorrect account sequence") == 32
    assert "insufficient funds" in explain("sdk", 5, "10uakt is smaller than 20uakt: insufficient funds")
    assert "ran out of gas" in explain("sdk", 11, "out of gas") and "gas_adjustment" in explain("sdk", 11, "")
    assert "minimum gas price" in explain("sdk", 13, "insufficient fees")
    assert "[gov 3]" in explain("gov", 3, "341: inactive proposal")
