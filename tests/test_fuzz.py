"""Property fuzzing (hypothesis, bounded example counts so CI stays fast) of every parser that takes
input from a user or a node: EVM/bech32/SS58 addresses, plan files, Cosmos LCD models, Snapshot hub
records, Bittensor/Substrate decoding. The property: it answers, or it raises a PolisError with a
message; never another exception.

`FUZZ_EXAMPLES` scales the example count (bench/reliability.py raises it)."""

from __future__ import annotations

import json
import os
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet.errors import PolisError

N = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
CASES: dict[str, int] = {}
"""Examples run per target (read by bench/reliability.py)."""

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**300), max_value=2**300) | \
    st.floats(allow_nan=True) | st.text(max_size=40)
json_values = st.recursive(json_scalars,
                           lambda c: st.lists(c, max_size=5) | st.dictionaries(st.text(max_size=12), c, max_size=5),
                           max_leaves=25)


def _count(name: str) -> None:
    CASES[name] = CASES.get(name, 0) + 1


def _only_polis_errors(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except PolisError as exc:
        assert str(exc)
        return None


# --- addresses ---------------------------------------------------------------------------------------

hexish = st.text(alphabet="0123456789abcdefABCDEFxX", min_size=0, max_size=44)


@FUZZ
@given(st.one_of(hexish, hexish.map(lambda s: "0x" + s), st.text(max_size=50)))
def test_evm_address_parsing(text: str) -> None:
    from wallet.addresses import parse_evm_address, to_checksum

    _count("evm address")
    got = _only_polis_errors(parse_evm_address, text)
    if got is not None:
        assert got == to_checksum(got) and got.lower() == text.strip().lower()


@FUZZ
@given(st.binary(min_size=20, max_size=20), st.integers(min_value=0, max_value=39), st.sampled_from("qpzry9x8"))
def test_eip55_checksum_flips_are_refused(raw: bytes, pos: int, _c: str) -> None:
    from wallet.addresses import parse_evm_address, to_checksum
    from wallet.errors import BadInput

    _count("evm address")
    good = to_checksum("0x" + raw.hex())
    assert parse_evm_address(good) == good
    body = list(good[2:])
    if body[pos].isalpha():
        body[pos] = body[pos].swapcase()
        bad = "0x" + "".join(body)
        if bad[2:] not in (bad[2:].lower(), bad[2:].upper()):
            with pytest.raises(BadInput):
                parse_evm_address(bad)


bech_chars = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


@FUZZ
@given(st.one_of(st.text(max_size=80), st.text(alphabet=bech_chars + "1AKSH", max_size=70).map(lambda s: "akash1" + s),
                 st.binary(min_size=0, max_size=40)))
def test_bech32_account_and_valoper_parsing(data: Any) -> None:
    from wallet.keys.cosmos_keys import decode_bech32, encode_bech32, parse_address, parse_valoper

    _count("bech32 address")
    if isinstance(data, bytes):
        for prefix in ("akash", "akashvaloper", "fetch"):
            enc = encode_bech32(prefix, data)
            assert decode_bech32(enc) == (prefix, data)
        return
    _only_polis_errors(parse_address, data, "akash")
    _only_polis_errors(parse_valoper, data, "akashvaloper")
    try:
        decode_bech32(data)
    except PolisError:
        pass
    except ValueError:
        pytest.fail("decode_bech32 raised a bare ValueError")


@FUZZ
@given(st.binary(min_size=20, max_size=20), st.integers(min_value=0, max_value=60), st.sampled_from(bech_chars))
def test_bech32_single_character_errors_are_detected(payload: bytes, pos: int, c: str) -> None:
    from wallet.keys.cosmos_keys import encode_bech32, parse_address

    _count("bech32 address")
    good = encode_bech32("akash", payload)
    assert parse_address(good, "akash") == good
    i = 6 + pos % (len(good) - 6)
    if good[i] != c:
        bad = good[:i] + c + good[i + 1:]
        with pytest.raises(PolisError):
            parse_address(bad, "akash")


@FUZZ
@given(st.one_of(st.text(max_size=60), st.text(alphabet=string.ascii_letters + string.digits, min_size=40, max_size=52),
                 st.binary(min_size=32, max_size=32)))
def test_ss58_parsing(data: Any) -> None:
    from wallet.keys.substrate_keys import is_ss58, normalise_address, ss58_decode, ss58_encode

    _count("ss58 address")
    if isinstance(data, bytes):
        enc = ss58_encode(data)
        assert ss58_decode(enc) == data and is_ss58(enc)
        return
    _only_polis_errors(ss58_decode, data)
    _only_polis_errors(normalise_address, data)
    assert isinstance(is_ss58(data), bool)


# --- plan files (wallet.batch.parse_text, read-only) ----------------------------------------------------

def _plan_docs() -> Any:
    action = st.fixed_dictionaries({"kind": st.sampled_from(["vote", "delegate", "stake", "unstake", "move", "claim",
                                                             "x"])},
                                   optional={"network": st.sampled_from(["akash", "ethereum/compound", "bittensor",
                                                                         "?"]),
                                             "proposal": st.one_of(st.text(max_size=10), st.integers()),
                                             "choice": json_scalars, "amount": json_values,
                                             "reason": st.text(max_size=30),
                                             "weights": json_values, "to": st.text(max_size=50),
                                             "account": json_scalars})
    return st.fixed_dictionaries({}, optional={"version": st.one_of(st.just(1), json_scalars), "name": json_scalars,
                                               "actions": st.lists(action, max_size=4) | json_values,
                                               "policy": json_values, "run": json_values, "defaults": json_values})


@FUZZ
@given(st.one_of(_plan_docs(), json_values), st.booleans())
def test_plan_files_parse_or_name_the_problem(doc: Any, as_toml: bool) -> None:
    from wallet.batch import parse_text

    _count("plan file")
    text = json.dumps(doc, default=str)
    if as_toml:
        text = "\n".join(f"{k} = {json.dumps(v)}" for k, v in (doc.items() if isinstance(doc, dict) else [])
                         if isinstance(v, (str, int, bool)))
    _only_polis_errors(parse_text, text, "plan.toml" if as_toml else "plan.json")


@FUZZ
@given(st.text(max_size=300))
def test_plan_file_random_text(text: str) -> None:
    from wallet.batch import parse_text

    _count("plan file")
    for name in ("p.toml", "p.json"):
        _only_polis_errors(parse_text, text, name)


# --- node-response models --------------------------------------------------------------------------------

def _cosmos_proposal() -> Any:
    num = st.one_of(st.integers(min_value=-(10**90), max_value=10**90).map(str), json_scalars)
    return st.fixed_dictionaries({}, optional={
        "id": num, "proposal_id": num, "status": st.sampled_from(["PROPOSAL_STATUS_PASSED", "X"]) | json_scalars,
        "title": json_scalars, "summary": json_scalars, "metadata": json_scalars, "messages": json_values,
        "content": json_values, "voting_end_time": json_scalars, "submit_time": st.text(max_size=35),
        "final_tally_result": st.dictionaries(st.sampled_from(["yes", "no", "yes_count", "abstain_count"]), num,
                                              max_size=4) | json_values,
        "total_deposit": st.lists(st.fixed_dictionaries({"denom": json_scalars, "amount": num}),
                                  max_size=2) | json_values})


@FUZZ
@given(_cosmos_proposal(), st.sampled_from(["v1", "v1beta1"]))
def test_cosmos_proposal_model(raw: dict[str, Any], version: str) -> None:
    from wallet.adapters.cosmos.models import proposal_fields

    _count("cosmos model")
    got = _only_polis_errors(proposal_fields, raw, version, "uakt")
    if got is not None:
        json.dumps(got[1])  # what reaches the archive serialises


@FUZZ
@given(json_values, st.sampled_from(["Validator", "VoteRecord", "DelegationResponse", "Rewards", "Unbonding",
                                      "RedelegationResponse", "TxResponse", "GovParams", "TallyV1", "TallyV1beta1"]))
def test_cosmos_models(raw: Any, name: str) -> None:
    from wallet.adapters.cosmos import models as m

    _count("cosmos model")
    obj = _only_polis_errors(m.parse_node, getattr(m, name), raw)
    if obj is None:
        return
    if name == "VoteRecord":
        obj.choice()
    if name.startswith("Tally"):
        m.tally_rows(obj)
    if name == "Rewards":
        m.amount_of(obj.total, "uakt")
    if name == "Validator":
        _ = obj.short_status  # a property that parses the status: it must not raise either


def _hub_row() -> Any:
    num = st.one_of(st.floats(allow_nan=True), st.integers(min_value=-(10**60), max_value=10**60), st.text(max_size=12))
    return st.fixed_dictionaries({"id": st.text(max_size=20) | json_scalars}, optional={
        "title": json_scalars, "body": json_scalars, "choices": json_values,
        "scores": st.lists(num, max_size=4) | json_values,
        "scores_total": num, "quorum": num, "created": num, "start": num, "end": num, "state": json_scalars,
        "type": st.sampled_from(["single-choice", "approval", "ranked-choice", "weighted", "quadratic",
                                 "basic"]) | json_scalars,
        "voter": json_scalars, "choice": json_values, "vp": num, "reason": json_scalars, "space": json_values,
        "proposal": json_values, "votes": num, "snapshot": json_scalars})


@FUZZ
@given(st.lists(_hub_row(), max_size=3) | json_values)
def test_snapshot_hub_records(rows: Any) -> None:
    from wallet.adapters.snapshot import choices as sc
    from wallet.adapters.snapshot.models import HubProposal, HubVote, checked
    from wallet.adapters.snapshot.sync import proposal_fields, vote_row

    _count("snapshot model")
    props = _only_polis_errors(checked, rows, HubProposal, "proposal") or []
    for p in props:
        json.dumps(proposal_fields(p))
    votes = _only_polis_errors(checked, rows, HubVote, "vote") or []
    for v in votes:
        for kind in ("single-choice", "approval", "ranked-choice", "weighted", "quadratic", "basic"):
            row = _only_polis_errors(vote_row, "snapshot/x.eth", v, kind, ["a", "b", "c"])
            if row is not None:
                json.dumps(row)
        _only_polis_errors(sc.label, "weighted", ["a", "b"], v.get("choice"))


@FUZZ
@given(st.binary(max_size=200))
def test_substrate_event_rows_from_random_events(blob: bytes) -> None:
    """Bittensor decoding: random bytes as System.Events through the real finney metadata, then the
    adapter's event reader; only a PolisError or the codec's clean refusal."""
    from wallet.adapters.bittensor import reads as reads

    _count("bittensor decoding")
    codec = _finney_codec()
    try:
        events = codec.decode(codec.storage("System", "Events").value_type, blob)
    except Exception:  # the metadata codec (a test helper) refuses bytes that are not events
        return
    rows = _only_polis_errors(lambda: list(reads.stake_event_rows("bittensor", _as_node_events(events),
                                                                  {"5" + "x" * 47},
                                                                   block=1, tx=None, timestamp=None)))
    assert rows is None or isinstance(rows, list)


_CODEC: Any = None


def _finney_codec() -> Any:
    global _CODEC
    if _CODEC is None:
        from tests.doubles.substrate_codec import FINNEY_METADATA, Codec, metadata_bytes

        _CODEC = Codec(metadata_bytes(FINNEY_METADATA))
    return _CODEC


def _as_node_events(events: Any) -> list[dict[str, Any]]:
    out = []
    for e in events if isinstance(events, list) else []:
        ev = e.get("event") if isinstance(e, dict) else None
        if isinstance(ev, dict) and ev:
            (pallet, inner), = list(ev.items())[:1]
            if isinstance(inner, dict) and inner:
                (name, attrs), = list(inner.items())[:1]
                out.append({"event": {"module_id": pallet, "event_id": name, "attributes": attrs}})
    return out


@FUZZ
@given(json_values)
def test_bittensor_event_reader_on_arbitrary_json(events: Any) -> None:
    from wallet.adapters.bittensor import reads as reads

    _count("bittensor decoding")
    ev = events if isinstance(events, list) else [events]
    _only_polis_errors(lambda: list(reads.stake_event_rows("bittensor", ev, {"5abc"}, block=1, tx=None,
                                                           timestamp=None)))
