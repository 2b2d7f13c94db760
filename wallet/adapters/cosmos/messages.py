"""Pure builders: Cosmos messages as their proto3-JSON dicts (what the plan shows and stores), the
protobufs made from them, and the SIGN_MODE_DIRECT tx pieces. No network, no keys.

The JSON form is the one `polis vote --dry-run` prints: it is exactly what gets encoded and signed.
"""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from typing import Any

from wallet.adapters.cosmos.models import OPTION_ENUM, OPTION_NUM
from wallet.errors import BadInput

DEC_PLACES = 18
_ALIASES = {"yes": "yes", "y": "yes", "no": "no", "n": "no", "abstain": "abstain",
            "no_with_veto": "no_with_veto", "nowithveto": "no_with_veto", "veto": "no_with_veto",
            "no-with-veto": "no_with_veto"}


def parse_option(choice: str) -> str:
    key = _ALIASES.get(str(choice).strip().lower())
    if key is None:
        raise BadInput(f"unknown choice {choice!r}: use yes, no, abstain or no_with_veto")
    return key


def parse_weights(weights: dict[str, str]) -> list[tuple[str, str]]:
    """[(option, 18-decimal weight)] sorted by option number; the weights must sum to exactly 1."""
    out: dict[str, Decimal] = {}
    for raw_key, raw_w in weights.items():
        key = parse_option(raw_key)
        if key in out:
            raise BadInput(f"the option {key!r} appears twice in the weights")
        try:
            w = Decimal(str(raw_w).strip())
        except InvalidOperation:
            raise BadInput(f"weight {raw_w!r} of {key!r} is not a decimal number") from None
        if not w.is_finite() or w <= 0 or w > 1:
            raise BadInput(f"weight {raw_w!r} of {key!r} must be above 0 and at most 1")
        if w.as_tuple().exponent < -DEC_PLACES:  # type: ignore[operator]
            raise BadInput(f"weight {raw_w!r} has more than {DEC_PLACES} decimals")
        out[key] = w
    if not out:
        raise BadInput("give at least one weight, e.g. yes=0.7,no=0.3")
    total = sum(out.values(), Decimal(0))
    if total != 1:
        raise BadInput(f"the weights sum to {total.normalize():f}, not exactly 1: nothing was signed")
    return [(k, f"{out[k]:.{DEC_PLACES}f}") for k in sorted(out, key=OPTION_NUM.__getitem__)]


MAX_METADATA_LEN = 255
"""cosmos-sdk x/gov's default `MaxMetadataLen` (module config; a chain may set another)."""


def metadata_limit(params: dict[str, Any] | None) -> int:
    """The chain's vote metadata limit in bytes: `max_metadata_len` where the gov params expose it
    (top level or under "params"), else the SDK default."""
    for part in (params or {}, (params or {}).get("params") or {}):
        raw = part.get("max_metadata_len") if isinstance(part, dict) else None
        if raw is not None and str(raw).isdigit() and 0 < int(raw) < 1 << 32:
            return int(raw)
    return MAX_METADATA_LEN


def check_metadata(reason: str, limit: int) -> None:
    """BadInput unless the reason fits the limit. The SDK's assertMetadataLength compares Go `len()`,
    i.e. UTF-8 bytes, so a 200-character reason of 2-byte letters is 400 and too long."""
    size = len(reason.encode("utf-8"))
    if size > limit:
        chars = f" ({len(reason):,} characters)" if size != len(reason) else ""
        raise BadInput(f"the vote reason is {size:,} bytes{chars}; this chain takes at most {limit:,} bytes of "
                       "gov metadata (UTF-8): shorten it")


def coin(amount: int, denom: str) -> dict[str, str]:
    return {"denom": denom, "amount": str(int(amount))}


# --- messages (proto3 JSON) ------------------------------------------------------------------------

def vote_msg(version: str, proposal_id: str, voter: str, option: str, metadata: str = "") -> dict[str, Any]:
    msg = {"@type": f"/cosmos.gov.{version}.MsgVote", "proposal_id": str(int(proposal_id)), "voter": voter,
           "option": OPTION_ENUM[option]}
    if version == "v1":
        msg["metadata"] = metadata
    return msg


def weighted_vote_msg(version: str, proposal_id: str, voter: str, options: list[tuple[str, str]],
                      metadata: str = "") -> dict[str, Any]:
    msg: dict[str, Any] = {"@type": f"/cosmos.gov.{version}.MsgVoteWeighted", "proposal_id": str(int(proposal_id)),
                           "voter": voter,
                           "options": [{"option": OPTION_ENUM[o], "weight": w} for o, w in options]}
    if version == "v1":
        msg["metadata"] = metadata
    return msg


def delegate_msg(delegator: str, validator: str, amount: int, denom: str) -> dict[str, Any]:
    return {"@type": "/cosmos.staking.v1beta1.MsgDelegate", "delegator_address": delegator,
            "validator_address": validator, "amount": coin(amount, denom)}


def undelegate_msg(delegator: str, validator: str, amount: int, denom: str) -> dict[str, Any]:
    return {"@type": "/cosmos.staking.v1beta1.MsgUndelegate", "delegator_address": delegator,
            "validator_address": validator, "amount": coin(amount, denom)}


def redelegate_msg(delegator: str, src: str, dst: str, amount: int, denom: str) -> dict[str, Any]:
    return {"@type": "/cosmos.staking.v1beta1.MsgBeginRedelegate", "delegator_address": delegator,
            "validator_src_address": src, "validator_dst_address": dst, "amount": coin(amount, denom)}


def withdraw_msg(delegator: str, validator: str) -> dict[str, Any]:
    return {"@type": "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", "delegator_address": delegator,
            "validator_address": validator}


def signer_of(msg: dict[str, Any]) -> str:
    return str(msg.get("voter") or msg.get("delegator_address") or "")


# --- protobufs ---------------------------------------------------------------------------------------

def to_proto(msg: dict[str, Any]) -> Any:
    """The cosmpy protobuf of one JSON message."""
    t = msg["@type"]
    if t in ("/cosmos.gov.v1.MsgVote", "/cosmos.gov.v1beta1.MsgVote"):
        if t.startswith("/cosmos.gov.v1."):
            from cosmpy.protos.cosmos.gov.v1 import tx_pb2 as g1

            return g1.MsgVote(proposal_id=int(msg["proposal_id"]), voter=msg["voter"],
                              option=_option_num(msg["option"]), metadata=msg.get("metadata", ""))
        from cosmpy.protos.cosmos.gov.v1beta1 import tx_pb2 as g0

        return g0.MsgVote(proposal_id=int(msg["proposal_id"]), voter=msg["voter"], option=_option_num(msg["option"]))
    if t == "/cosmos.gov.v1.MsgVoteWeighted":
        from cosmpy.protos.cosmos.gov.v1 import gov_pb2
        from cosmpy.protos.cosmos.gov.v1 import tx_pb2 as g1

        return g1.MsgVoteWeighted(
            proposal_id=int(msg["proposal_id"]), voter=msg["voter"], metadata=msg.get("metadata", ""),
            options=[gov_pb2.WeightedVoteOption(option=_option_num(o["option"]), weight=o["weight"])
                     for o in msg["options"]])
    if t == "/cosmos.gov.v1beta1.MsgVoteWeighted":
        from cosmpy.protos.cosmos.gov.v1beta1 import gov_pb2 as b_gov
        from cosmpy.protos.cosmos.gov.v1beta1 import tx_pb2 as g0

        # v1beta1 weights are gogoproto LegacyDec: on the wire the integer of weight × 10^18.
        return g0.MsgVoteWeighted(
            proposal_id=int(msg["proposal_id"]), voter=msg["voter"],
            options=[b_gov.WeightedVoteOption(option=_option_num(o["option"]), weight=dec_atomics(o["weight"]))
                     for o in msg["options"]])
    from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin

    if t == "/cosmos.staking.v1beta1.MsgDelegate":
        from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as st

        return st.MsgDelegate(delegator_address=msg["delegator_address"], validator_address=msg["validator_address"],
                              amount=Coin(**msg["amount"]))
    if t == "/cosmos.staking.v1beta1.MsgUndelegate":
        from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as st

        return st.MsgUndelegate(delegator_address=msg["delegator_address"],
                                validator_address=msg["validator_address"], amount=Coin(**msg["amount"]))
    if t == "/cosmos.staking.v1beta1.MsgBeginRedelegate":
        from cosmpy.protos.cosmos.staking.v1beta1 import tx_pb2 as st

        return st.MsgBeginRedelegate(delegator_address=msg["delegator_address"],
                                     validator_src_address=msg["validator_src_address"],
                                     validator_dst_address=msg["validator_dst_address"], amount=Coin(**msg["amount"]))
    if t == "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward":
        from cosmpy.protos.cosmos.distribution.v1beta1 import tx_pb2 as dist

        return dist.MsgWithdrawDelegatorReward(delegator_address=msg["delegator_address"],
                                               validator_address=msg["validator_address"])
    raise BadInput(f"cannot encode message type {t!r}")


def _option_num(enum_name: str) -> int:
    return {"VOTE_OPTION_YES": 1, "VOTE_OPTION_ABSTAIN": 2, "VOTE_OPTION_NO": 3,
            "VOTE_OPTION_NO_WITH_VETO": 4}[enum_name]


def dec_atomics(dec: str) -> str:
    """"0.700000000000000000" -> "700000000000000000" (LegacyDec's wire form)."""
    return str(int(Decimal(dec).scaleb(DEC_PLACES)))


def body_bytes(msgs: list[dict[str, Any]], memo: str = "") -> bytes:
    from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import TxBody
    from google.protobuf.any_pb2 import Any as ProtoAny

    anys = []
    for m in msgs:
        a = ProtoAny()
        a.Pack(to_proto(m), type_url_prefix="/")
        anys.append(a)
    return TxBody(messages=anys, memo=memo).SerializeToString()


def auth_info_bytes(public_key: bytes | None, sequence: int, gas_limit: int, fee: int, denom: str) -> bytes:
    """One SIGN_MODE_DIRECT signer. `public_key` None is allowed for simulate only (the node then
    uses a placeholder key); a signed tx always carries it."""
    from cosmpy.protos.cosmos.base.v1beta1.coin_pb2 import Coin
    from cosmpy.protos.cosmos.crypto.secp256k1.keys_pb2 import PubKey
    from cosmpy.protos.cosmos.tx.signing.v1beta1.signing_pb2 import SignMode
    from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import AuthInfo, Fee, ModeInfo, SignerInfo
    from google.protobuf.any_pb2 import Any as ProtoAny

    info = SignerInfo(mode_info=ModeInfo(single=ModeInfo.Single(mode=SignMode.SIGN_MODE_DIRECT)), sequence=sequence)
    if public_key is not None:
        pk = ProtoAny()
        pk.Pack(PubKey(key=public_key), type_url_prefix="/")
        info.public_key.CopyFrom(pk)
    fee_coins = [Coin(denom=denom, amount=str(fee))] if fee else []
    return AuthInfo(signer_infos=[info], fee=Fee(amount=fee_coins, gas_limit=gas_limit)).SerializeToString()


def unsigned_tx_b64(body: bytes, auth_info: bytes) -> str:
    """A TxRaw with one empty signature, base64: what /simulate accepts."""
    from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import TxRaw

    raw = TxRaw(body_bytes=body, auth_info_bytes=auth_info, signatures=[b""]).SerializeToString()
    return base64.b64encode(raw).decode()


def tx_hash(tx_bytes: bytes) -> str:
    import hashlib

    return hashlib.sha256(tx_bytes).hexdigest().upper()
