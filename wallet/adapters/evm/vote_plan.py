"""Vote plans for every Governor kind: OpenZeppelin (simple or fractional counting), Bravo, Alpha.

Three round trips in all: chain id, state, receipt (or used weight) and snapshot together; then power,
simulation and fee data together (a batch run plans hundreds of votes this way).

- Alpha: `castVote(uint256,bool)`, for or against only, no reason.
- Bravo / OZ: `castVote(uint256,uint8)` or `castVoteWithReason`; a cast vote is final.
- OZ GovernorCountingFractional: a voter may vote again until their weight is used; `weights`
  (for/against/abstain amounts of the DAO's token) cast a split vote (support 255 with params
  `abi.encodePacked(uint128 against, uint128 for, uint128 abstain)`); a plain choice uses what is left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wallet.adapters.evm import codec as codec
from wallet.adapters.evm.kinds import OBJECTION_PERIOD, STATE_NAMES
from wallet.adapters.evm.sync import SUPPORT_LABEL
from wallet.errors import ActionRefused, AlreadyDone, BadInput, RpcError

if TYPE_CHECKING:
    from wallet.adapters.evm.adapter import EvmGovernorAdapter
    from wallet.keys.vault import AccountMeta
    from wallet.models import Plan
    from wallet.units import Denom

SPLIT_KEYS = {"against": 0, "for": 1, "abstain": 2}
_SPLIT_ALIASES = {**SPLIT_KEYS, "0": 0, "1": 1, "2": 2, "no": 0, "yes": 1}
_CHOICE_ALIASES = {"for": 1, "yes": 1, "y": 1, "1": 1, "against": 0, "no": 0, "n": 0, "0": 0,
                   "abstain": 2, "2": 2}


def parse_support(choice: str) -> int:
    """A Governor support value from a choice: for/yes/y/1 → 1, against/no/n/0 → 0, abstain/2 → 2."""
    key = str(choice).strip().lower()
    if key not in _CHOICE_ALIASES:
        raise BadInput(f"unknown choice {choice!r}: use for, against or abstain")
    return _CHOICE_ALIASES[key]


def parse_split(weights: dict[str, str], token: Denom) -> tuple[int, int, int]:
    """`{"for": "60", "against": "40"}` (amounts of the token) -> (against, for, abstain) in base units."""
    from wallet.units import parse_amount

    out = [0, 0, 0]
    for key, text in weights.items():
        k = str(key).strip().lower()
        if k not in _SPLIT_ALIASES:
            raise BadInput(f"unknown part {key!r} of a split vote: use for=…, against=…, abstain=…")
        if out[_SPLIT_ALIASES[k]]:
            raise BadInput(f"{key!r} names a part of the split twice")
        out[_SPLIT_ALIASES[k]] = parse_amount(str(text), token)
    if not any(out):
        raise BadInput("a split vote needs a weight above 0 on at least one of for, against, abstain")
    if any(v >= 1 << 128 for v in out):
        raise BadInput("a part of a split vote is larger than a Governor can count (uint128)")
    return out[0], out[1], out[2]


def _dyn(*chunks: bytes) -> tuple[list[str], str]:
    """Offsets (relative to a head of len(chunks) + static words, filled by the caller) and tails."""
    tails, offs = "", []
    for raw in chunks:
        offs.append(str(len(tails) // 2))
        tails += codec.enc_uint(len(raw)) + (raw + b"\0" * (-len(raw) % 32)).hex()
    return offs, tails


def vote_calldata(kind: str, pid: int, support: int, reason: str,
                  split: tuple[int, int, int] | None) -> tuple[str, str]:
    """(0x calldata, readable call) for the vote."""
    short = f'"{reason[:60]}{"…" if len(reason) > 60 else ""}"'
    if kind == "alpha":
        data = codec.call_data("castVote(uint256,bool)", codec.enc_uint(pid), codec.enc_uint(1 if support == 1 else 0))
        return data, f"castVote({pid}, {'true' if support == 1 else 'false'})"
    if split is not None:
        offs, tails = _dyn(reason.encode(), codec.encode_fractional(*split))
        head = 4 * 32
        data = ("0x" + codec.SEL["castVoteWithReasonAndParams(uint256,uint8,string,bytes)"] + codec.enc_uint(pid)
                + codec.enc_uint(codec.FRACTIONAL_SUPPORT) + codec.enc_uint(head + int(offs[0]))
                + codec.enc_uint(head + int(offs[1])) + tails)
        return data, (f"castVoteWithReasonAndParams({pid}, 255, {short}, against={split[0]} for={split[1]} "
                      f"abstain={split[2]})")
    if reason:
        offs, tails = _dyn(reason.encode())
        data = ("0x" + codec.SEL["castVoteWithReason(uint256,uint8,string)"] + codec.enc_uint(pid)
                + codec.enc_uint(support) + codec.enc_uint(3 * 32 + int(offs[0])) + tails)
        return data, f"castVoteWithReason({pid}, {support}, {short})"
    return (codec.call_data("castVote(uint256,uint8)", codec.enc_uint(pid), codec.enc_uint(support)),
            f"castVote({pid}, {support})")


def plan_vote(ad: EvmGovernorAdapter, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
              weights: dict[str, str] | None = None) -> Plan:
    from wallet.models import Plan, PlanCheck  # pydantic: only when acting
    from wallet.units import Denom, format_amount

    address = account.addresses.get("evm")
    if not address:
        raise BadInput(f"account {account.name!r} has no EVM address")
    try:
        pid_int = int(proposal_id)
    except ValueError:
        raise BadInput(f"proposal id {proposal_id!r} is not a number") from None
    facts, kind, fractional = ad.facts, ad.kind(), ad.fractional()
    token = Denom(ad.dao.token_symbol, "base", ad.dao.token_decimals)
    split: tuple[int, int, int] | None = None
    if weights:
        if not fractional:
            raise BadInput(f"{ad.source} ({facts.title}) does not split votes: choose "
                           + ", ".join(label for _k, label in facts.choices))
        split = parse_split(weights, token)
        support = codec.FRACTIONAL_SUPPORT
        label = "split"
    else:
        support = parse_support(choice)
        if str(support) not in {k for k, _ in facts.choices}:
            raise BadInput(f"{ad.source} is a {facts.title}: it takes "
                           + " or ".join(label for _k, label in facts.choices) + f" (no {SUPPORT_LABEL[support]})")
        label = SUPPORT_LABEL[support]
    if reason and not facts.reason:
        raise BadInput(f"{ad.source} is a {facts.title}: it records no vote reasons")

    gov, pidw, addrw = ad.dao.governor, codec.enc_uint(pid_int), codec.enc_address(address)

    def gcall(sig: str, *w: str) -> tuple[str, list[Any]]:
        return ("eth_call", [{"to": gov, "data": codec.call_data(sig, *w)}, "latest"])

    if ad.compound:
        receipt_call, snap_call = gcall("getReceipt(uint256,address)", pidw, addrw), gcall("proposals(uint256)", pidw)
    else:
        receipt_call = gcall("usedVotes(uint256,address)" if fractional else "hasVoted(uint256,address)", pidw, addrw)
        snap_call = gcall("proposalSnapshot(uint256)", pidw)
    first = ad.rpc.batch([("eth_chainId", []), gcall("state(uint256)", pidw), receipt_call, snap_call])
    if isinstance(first[0], Exception):
        raise first[0]
    from wallet.adapters.evm.client import quantity

    ad.verify_chain_id(quantity(first[0], "chain id", limit=2**256))
    checks = [PlanCheck(name="chain id", ok=True, detail=f"{ad.network.chain_id}")]
    try:
        state = codec.answer_word(first[1])
    except (RpcError, codec.DecodeError):
        raise ActionRefused(f"proposal {proposal_id} does not exist on {ad.source}") from None
    objecting = kind == "nouns" and state == OBJECTION_PERIOD  # Nouns V3+: after a last-minute swing to FOR
    if objecting and support != 0:
        raise ActionRefused(f"proposal {proposal_id} is in its objection period: only AGAINST votes are accepted")
    if state != 1 and not objecting:
        name = STATE_NAMES[state] if state < len(STATE_NAMES) else str(state)
        raise ActionRefused(f"proposal {proposal_id} is {name}, not Active: votes are not accepted",
                            hint="see 'polis proposals show' for its voting window")
    checks.append(PlanCheck(name="proposal state", ok=True, detail=STATE_NAMES[state]))
    used = 0
    if ad.compound:
        voted_w, prior_w, _votes = codec.answer_words(first[2], 3)
        voted, prior = bool(voted_w), (prior_w if voted_w else None)
        if isinstance(first[3], Exception):
            raise first[3]
        snap = ad.snapshot_from(codec.hexbytes(first[3]))
    elif fractional:
        used = codec.answer_word(first[2])
        voted, prior = False, None
        snap = codec.answer_word(first[3])
    else:
        voted, prior = bool(codec.answer_word(first[2])), None
        snap = codec.answer_word(first[3])
    if voted:
        prior_label = SUPPORT_LABEL.get(prior, "") if prior is not None else ""
        if prior is None or prior == support:
            raise AlreadyDone(f"{account.name} ({address}) has already voted"
                              + (f" {prior_label.upper()}" if prior_label else "")
                              + f" on proposal {proposal_id}; nothing sent")
        raise ActionRefused(f"{account.name} has already voted {prior_label.upper()} on proposal "
                            f"{proposal_id}; a Governor vote cannot be changed")
    data, fn = vote_calldata(kind, pid_int, support, reason, split)
    second = ad.rpc.batch([ad.power_call(address, snap), *ad._fee_calls(address, gov, data)])
    try:
        power = codec.answer_word(second[0])
    except (RpcError, codec.DecodeError):
        power = ad.power_at(address, snap)
    if power <= 0:
        raise ActionRefused(f"{account.name} ({address}) has no voting power at the proposal's snapshot "
                            f"({ad.clock_mode()} {snap})",
                            hint="voting power comes from delegated tokens: 'polis delegate --to self' "
                                 "before a proposal's snapshot")
    checks.append(PlanCheck(name="voting power", ok=True, detail=format_amount(power, token)))
    from wallet.services.weights import weight_left  # the one rule `proposals show` and the TUI use too

    weight = weight_left(address, power, used)
    remaining = weight.remaining or 0
    this_vote = sum(split) if split else remaining
    if fractional:
        if remaining == 0:
            raise ActionRefused(f"{account.name} ({address}) has used all {format_amount(power, token)} of its "
                                f"weight on proposal {proposal_id}: nothing is left to vote with")
        if this_vote > remaining:
            raise ActionRefused(f"the split adds up to {format_amount(this_vote, token)}, but {account.name} has "
                                f"{format_amount(remaining, token)} of {format_amount(power, token)} left on "
                                f"proposal {proposal_id}")
        checks.append(PlanCheck(name="weight left", ok=True,
                                detail=f"{format_amount(remaining, token)} of {format_amount(power, token)}"))
    else:
        checks.append(PlanCheck(name="not yet voted", ok=True))
    tx, fee_checks, quote = ad._fees(address, gov, data, second[1:])
    dao = ad.dao.name or ad.source
    if split:
        parts = ", ".join(f"{k} {format_amount(split[i], token)}" for k, i in SPLIT_KEYS.items() if split[i])
        head = f"Vote SPLIT ({parts}) on {dao} proposal {proposal_id}"
    else:
        head = f"Vote {label.upper()} on {dao} proposal {proposal_id}"
    summary = [head, f"with {format_amount(this_vote, token)} of voting power"]
    if fractional:
        summary.append(f"weight: {format_amount(power, token)} in all, {format_amount(used, token)} used before, "
                       f"{format_amount(weight.after(this_vote) or 0, token)} left after this vote")
    if reason:
        summary.append(f"reason: {reason}")
    summary += [f"from {account.name} {address}",
                f"calls {fn} on Governor {ad.dao.governor} (chain {ad.network.chain_id})"]
    payload: dict[str, Any] = {"tx": tx, "support": support, "reason": reason, "fee_quote": quote.as_dict()}
    if split:
        payload["split"] = {"against": str(split[0]), "for": str(split[1]), "abstain": str(split[2])}
    return Plan(kind="vote", network=ad.network.key, source=ad.source, account=account.name,
                address=address, summary=summary, checks=checks + fee_checks,
                fee_estimate=tx["gas"] * (tx["maxFeePerGas"] // 2 + tx["maxPriorityFeePerGas"] // 2),
                fee_symbol=ad.network.denom.symbol, fee_decimals=ad.network.denom.decimals,
                payload=payload, target=proposal_id)
