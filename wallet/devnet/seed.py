"""Fill a devnet DAO with voters, proposals in every state, and votes — quickly.

Transactions are sent with eth_sendTransaction from impersonated accounts in JSON-RPC batches
while automine is off, then mined with evm_mine (`wallet.devnet.txbatch`); the chain clock is moved
with `wallet.devnet.clock` (`mine`, `advance_time`, `advance_clock_past` are importable from here too).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wallet.devnet import DevnetError
from wallet.devnet.clock import advance_clock_past as advance_clock_past
from wallet.devnet.clock import advance_time as advance_time
from wallet.devnet.clock import mine as mine
from wallet.devnet.deploy import (
    TIMELOCK_DELAY,
    TOKEN_UNIT,
    DaoDeployment,
    call,
    checksum,
    encode_args,
    encode_call,
    keccak_hex,
    selector,
)
from wallet.devnet.txbatch import RPC_BATCH, send_batched
from wallet.devnet.txbatch import tx_dict as _tx

if TYPE_CHECKING:
    from wallet.devnet.anvil import Anvil, RpcClient

VOTER_TOKENS = 100  # whole tokens each seeded voter gets
VOTER_AMOUNT = VOTER_TOKENS * TOKEN_UNIT  # of an 18-decimal token
VOTER_ETH = 10 * 10**18
GAS_VOTE = 300_000
GAS_DELEGATE = 200_000
GAS_PROPOSE = 3_000_000
GAS_GOVERN = 2_000_000  # queue / execute / cancel

PROPOSAL_CREATED = "ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)"
PROPOSAL_CREATED_TYPES = ["uint256", "address", "address[]", "uint256[]", "string[]", "bytes[]", "uint256", "uint256",
                          "string"]

# Support patterns (0 Against, 1 For, 2 Abstain): For wins on "pass", Against on "fail".
PASS_PATTERN = (1, 1, 0, 1, 2, 1, 1, 0, 1, 2)
FAIL_PATTERN = (0, 0, 1, 0, 2, 0, 1, 0, 0, 2)
REASONS = (
    "Good use of treasury funds; the milestones are clear.",
    "I support this, but please report progress monthly.",
    "Too expensive for what it delivers.",
    "Abstaining: I have a conflict of interest.",
    "This should have been split into two proposals.",
    "Agree with the forum consensus.",
    "",
)

TOPICS = (
    ("Fund the documentation sprint", "docs working group", "rewrite the governance handbook and the CLI guide"),
    ("Grant for the indexer maintainers", "indexer team", "keep the proposal indexer and its public API running"),
    ("Top up the bug bounty pool", "security council", "pay out critical and high findings for the next quarter"),
    ("Community call stipends", "community stewards", "compensate the hosts of the weekly community calls"),
    ("Security audit of the bridge contracts", "audit firm", "audit the bridge contracts before the mainnet launch"),
    ("Translate the governance handbook", "translation guild", "translate the handbook into Spanish, Korean and Hindi"),
    ("Sponsor the autumn hackathon", "events team", "sponsor prizes and venue costs for the autumn hackathon"),
    ("Renew the RPC infrastructure budget", "infrastructure group",
     "renew the archive-node and RPC contracts for a year"),
)


@dataclass
class SeedReport:
    proposals: dict[str, str]  # state name -> proposal id (decimal string)
    voters: list[str]
    votes_cast: int
    blocks: tuple[int, int]  # first and last block the seeding touched
    descriptions: dict[str, str] = field(default_factory=dict)  # state name -> description
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "proposals": dict(self.proposals),
            "voters": len(self.voters),
            "votes_cast": self.votes_cast,
            "blocks": list(self.blocks),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class LargeSeedReport:
    proposal_ids: list[str]
    voters: list[str]
    votes_cast: int
    blocks: tuple[int, int]
    seconds: float = 0.0


@dataclass
class _Proposal:
    key: str
    description: str
    targets: list[str]
    values: list[int]
    signatures: list[str]  # Bravo only; OZ calldatas carry their selector
    calldatas: list[bytes]
    id: int = 0
    vote_start: int = 0
    vote_end: int = 0


def _client(rpc: Anvil | RpcClient | str) -> RpcClient:
    from wallet.devnet.anvil import as_client

    return as_client(rpc)


# --------------------------------------------------------------------------- voters


def voter_address(i: int) -> str:
    """The i-th deterministic devnet voter (no key; used through anvil impersonation)."""
    from eth_utils import keccak

    return checksum("0x" + keccak(b"polis-devnet-voter:" + str(i).encode())[12:].hex())


def voter_addresses(n: int, offset: int = 0) -> list[str]:
    return [voter_address(i) for i in range(offset, offset + n)]


def grant_recipient(i: int = 0) -> str:
    from eth_utils import keccak

    return checksum("0x" + keccak(b"polis-devnet-grantee:" + str(i).encode())[12:].hex())


def fund_and_delegate(rpc: Anvil | RpcClient | str, dep: DaoDeployment, holders: list[str], amount: int) -> None:
    """Give each holder ETH for gas and `amount` token units (mintBatch), then self-delegate."""
    client = _client(rpc)
    client.rpc("anvil_autoImpersonateAccount", True)
    for start in range(0, len(holders), RPC_BATCH):
        part = holders[start : start + RPC_BATCH]
        client.batch([("anvil_setBalance", [h, hex(VOTER_ETH)]) for h in part])
    txs = []
    for start in range(0, len(holders), RPC_BATCH):
        part = holders[start : start + RPC_BATCH]
        data = encode_call("mintBatch(address[],uint256)", part, amount)
        txs.append(_tx(dep.admin, dep.token, data, 150_000 + 80_000 * len(part)))
    delegate = selector("delegate(address)")
    txs += [_tx(h, dep.token, "0x" + (delegate + encode_args("f(address)", [h])).hex(), GAS_DELEGATE) for h in holders]
    send_batched(client, txs)


# ------------------------------------------------------------------------- proposals


def _description(key: str, n: int, amount_tokens: int, recipient: str, setter: str) -> str:
    title, group, purpose = TOPICS[n % len(TOPICS)]
    suffix = f" ({n // len(TOPICS) + 1})" if n >= len(TOPICS) else ""
    return (
        f"# {title}{suffix}\n\n"
        f"This proposal asks the treasury to send **{amount_tokens:,} PDT** to the {group} "
        f"(`{recipient}`) to {purpose}.\n\n"
        "## Motivation\n\n"
        "The work was discussed on the forum and in two community calls; the budget below covers "
        "the full scope, with a report due at the end.\n\n"
        "## Actions\n\n"
        f"1. `transfer({recipient}, {amount_tokens} PDT)` from the treasury\n"
        f"2. `{setter}` (keeps the current setting; exercises a governance call)\n\n"
        f"_devnet seed: {key}_\n"
    )


def _build_proposal(dep: DaoDeployment, key: str, n: int, description: str | None = None) -> _Proposal:
    amount_tokens = 500 + 250 * (n % 17)
    recipient = grant_recipient(n % 5)
    amount = amount_tokens * dep.unit
    if dep.is_alpha:  # GovernorAlpha has no setters: the second action is a token approval
        signatures = ["transfer(address,uint256)", "approve(address,uint256)"]
        calldatas = [encode_args("f(address,uint256)", [recipient, amount]),
                     encode_args("f(address,uint256)", [recipient, amount])]
        setter_text = f"approve({recipient}, {amount_tokens})"
    elif dep.is_bravo:
        setter_sig, setter_args = "_setVotingPeriod(uint256)", [dep.voting_period]
        setter_text = f"_setVotingPeriod({dep.voting_period})"
        signatures = ["transfer(address,uint256)", setter_sig]
        calldatas = [encode_args("f(address,uint256)", [recipient, amount]), encode_args("f(uint256)", setter_args)]
    else:
        if n % 2 == 0:
            setter_sig, setter_args = "setVotingPeriod(uint32)", [dep.voting_period]
        else:
            setter_sig, setter_args = "setProposalThreshold(uint256)", [0]
        setter_text = f"{setter_sig.split('(')[0]}({setter_args[0]})"
        signatures = ["", ""]
        calldatas = [
            selector("transfer(address,uint256)") + encode_args("f(address,uint256)", [recipient, amount]),
            selector(setter_sig) + encode_args(setter_sig, setter_args),
        ]
    text = description if description is not None else _description(key, n, amount_tokens, recipient, setter_text)
    second = dep.token if dep.is_alpha else dep.governor
    return _Proposal(key, text, [dep.token, second], [0, 0], signatures, calldatas)


def _propose_tx(dep: DaoDeployment, p: _Proposal) -> dict[str, Any]:
    if dep.is_compound:
        data = encode_call(
            "propose(address[],uint256[],string[],bytes[],string)",
            p.targets, p.values, p.signatures, p.calldatas, p.description,
        )
    else:
        data = encode_call("propose(address[],uint256[],bytes[],string)", p.targets, p.values, p.calldatas,
                           p.description)
    return _tx(dep.admin, dep.governor, data, GAS_PROPOSE + 64 * len(p.description))


def _oz_call(name: str, p: _Proposal) -> str:
    desc_hash = bytes.fromhex(keccak_hex(p.description)[2:])
    return encode_call(f"{name}(address[],uint256[],bytes[],bytes32)", p.targets, p.values, p.calldatas, desc_hash)


def _govern_tx(dep: DaoDeployment, name: str, p: _Proposal) -> dict[str, Any]:
    """queue / execute / cancel a proposal, sent by the admin (its proposer)."""
    data = encode_call(f"{name}(uint256)", p.id) if dep.is_compound else _oz_call(name, p)
    return _tx(dep.admin, dep.governor, data, GAS_GOVERN)


def _read_created(receipts: Sequence[dict[str, Any]], proposals: Sequence[_Proposal]) -> None:
    topic = keccak_hex(PROPOSAL_CREATED)
    from eth_abi import decode

    logs = [log for r in receipts for log in r["logs"] if log["topics"] and log["topics"][0] == topic]
    if len(logs) != len(proposals):
        raise DevnetError(f"expected {len(proposals)} ProposalCreated events, saw {len(logs)}")
    for p, log in zip(proposals, logs, strict=True):
        fields = decode(PROPOSAL_CREATED_TYPES, bytes.fromhex(log["data"][2:]))
        p.id, p.vote_start, p.vote_end = fields[0], fields[6], fields[7]


def _propose_all(client: RpcClient, dep: DaoDeployment, proposals: Sequence[_Proposal],
                 extra_after: Sequence[dict[str, Any]] = (), per_block: int = RPC_BATCH) -> None:
    receipts = send_batched(client, [_propose_tx(dep, p) for p in proposals] + list(extra_after), per_block=per_block)
    _read_created(receipts[: len(proposals)], proposals)


def _vote_tx(dep: DaoDeployment, voter: str, proposal_id: int, support: int, reason: str) -> dict[str, Any]:
    if dep.is_alpha:  # bool support, no abstain, no reasons: abstain patterns vote against
        return _tx(voter, dep.governor, encode_call("castVote(uint256,bool)", proposal_id, support == 1), GAS_VOTE)
    if reason:
        data = encode_call("castVoteWithReason(uint256,uint8,string)", proposal_id, support, reason)
    else:
        data = encode_call("castVote(uint256,uint8)", proposal_id, support)
    return _tx(voter, dep.governor, data, GAS_VOTE)


def fractional_params(against: int, for_: int, abstain: int) -> bytes:
    """GovernorCountingFractional's vote params: abi.encodePacked(uint128 against, uint128 for, uint128 abstain)."""
    return b"".join(int(v).to_bytes(16, "big") for v in (against, for_, abstain))


def _fractional_tx(dep: DaoDeployment, voter: str, proposal_id: int, split: tuple[int, int, int],
                   reason: str = "") -> dict[str, Any]:
    data = encode_call("castVoteWithReasonAndParams(uint256,uint8,string,bytes)", proposal_id, 255, reason,
                       fractional_params(*split))
    return _tx(voter, dep.governor, data, GAS_VOTE)


def cast_fractional(rpc: Anvil | RpcClient | str, dep: DaoDeployment, proposal_id: str | int,
                    votes: Sequence[tuple[str, tuple[int, int, int]]], reason: str = "") -> int:
    """Cast partial votes (voter, (against, for, abstain) in base units) on a fractional Governor; a
    voter may appear several times until their weight is used. Returns the number cast."""
    client = _client(rpc)
    client.rpc("anvil_autoImpersonateAccount", True)
    send_batched(client, [_fractional_tx(dep, v, int(proposal_id), split, reason) for v, split in votes])
    return len(votes)


FRACTIONAL_SPLITS = ((10, 30, 0), (5, 0, 15))
"""Two partial votes, in whole tokens, by each of the seeded fractional voters (60 of their 100 used)."""


def _per_block(client: RpcClient, dep: DaoDeployment, n_txs: int, deadline: int) -> int:
    """Transactions per block so that `n_txs` are all mined before `deadline` (block mode)."""
    if dep.is_timestamp:
        return RPC_BATCH
    left = deadline - int(client.rpc("eth_blockNumber"), 16) - 1
    if left < 1:
        raise DevnetError("the voting period ends before the votes can be mined; deploy a longer voting_period")
    return max(RPC_BATCH, math.ceil(n_txs / left))


def cast_votes(
    rpc: Anvil | RpcClient | str,
    dep: DaoDeployment,
    proposal_id: str | int,
    voters: list[str],
    supports: list[int] | None = None,
    reasons: list[str] | None = None,
) -> int:
    """Cast one vote per voter on an Active proposal (For unless `supports` says otherwise;
    castVoteWithReason where `reasons` has a non-empty string). Voters need ETH and voting power
    (see fund_and_delegate). Returns the number of votes cast; raises if any reverted."""
    client = _client(rpc)
    client.rpc("anvil_autoImpersonateAccount", True)
    pid = int(proposal_id)
    txs = [
        _vote_tx(dep, v, pid, supports[i] if supports else 1, reasons[i] if reasons and i < len(reasons) else "")
        for i, v in enumerate(voters)
    ]
    send_batched(client, txs)
    return len(txs)


def _pattern_votes(dep: DaoDeployment, p: _Proposal, voters: Sequence[str], pattern: Sequence[int],
                   admin_support: int | None, salt: int = 0) -> list[dict[str, Any]]:
    txs = []
    for i, v in enumerate(voters):
        support = pattern[(i + salt) % len(pattern)]
        reason = REASONS[(i + salt) % len(REASONS)] if (i + salt) % 3 == 0 else ""
        txs.append(_vote_tx(dep, v, p.id, support, reason))
    if admin_support is not None:
        txs.append(_vote_tx(dep, dep.admin, p.id, admin_support, "Treasury committee position."))
    return txs


# ------------------------------------------------------------------------------ seed


def seed_dao(
    rpc: Anvil | RpcClient | str,
    dep: DaoDeployment,
    n_voters: int = 200,
    votes_per_proposal: int | None = None,
    active_votes: int = 20,
    with_states: bool = True,
    descriptions: list[str] | None = None,
    *,
    voter_offset: int = 0,
    voter_amount: int | None = None,
) -> SeedReport:
    """Fund `n_voters` voters and leave one proposal in each state.

    Returned keys: pending, active, and with with_states also canceled, defeated, succeeded,
    queued, executed (+ expired on bravo). Closed proposals get `votes_per_proposal` voter votes
    (default: every voter) plus the admin's deciding vote; the active one gets `active_votes`
    and stays open for most of the voting period; pending lasts `voting_delay`.
    `descriptions` replace the generated markdown, in the order executed, queued, succeeded,
    defeated, canceled, [expired,] active, pending (or active, pending without with_states).
    """
    t0 = time.perf_counter()
    client = _client(rpc)
    client.rpc("anvil_autoImpersonateAccount", True)
    first_block = int(client.rpc("eth_blockNumber"), 16) + 1
    voters = voter_addresses(n_voters, voter_offset)
    fund_and_delegate(client, dep, voters, VOTER_TOKENS * dep.unit if voter_amount is None else voter_amount)
    per_prop = n_voters if votes_per_proposal is None else min(votes_per_proposal, n_voters)
    base = int(call(client, dep.governor, "proposalCount()")) if dep.is_compound else 0

    keys = ["executed", "queued", "succeeded", "defeated", "canceled"] if with_states else []
    if with_states and dep.is_compound:
        keys.append("expired")
    all_keys = keys + ["active", "pending"]
    texts = {k: (descriptions[i] if descriptions and i < len(descriptions) else None) for i, k in enumerate(all_keys)}
    # Proposal numbers vary the generated text between runs on the same chain.
    serial = base + int(client.rpc("eth_blockNumber"), 16)
    props = {k: _build_proposal(dep, k, serial + i, texts[k]) for i, k in enumerate(all_keys)}
    votes = 0

    if keys:
        closed = [props[k] for k in keys]
        cancel_txs = []
        if dep.is_compound:
            for i, p in enumerate(closed):
                p.id = base + 1 + i
        cancel_txs.append(_govern_tx(dep, "cancel", props["canceled"]))
        _propose_all(client, dep, closed, cancel_txs)  # canceled while still Pending, same block

        advance_clock_past(client, dep, max(p.vote_start for p in closed))
        vote_txs: list[dict[str, Any]] = []
        for salt, k in enumerate(keys):
            if k == "canceled":
                continue
            fail = k == "defeated"
            vote_txs += _pattern_votes(dep, props[k], voters[:per_prop], FAIL_PATTERN if fail else PASS_PATTERN,
                                       0 if fail else 1, salt)
        deadline = min(p.vote_end for p in closed)
        send_batched(client, vote_txs, per_block=_per_block(client, dep, len(vote_txs), deadline))
        votes += len(vote_txs)
        advance_clock_past(client, dep, max(p.vote_end for p in closed))

        if dep.is_compound:
            send_batched(client, [_govern_tx(dep, "queue", props["expired"])])
            grace = int(call(client, dep.governor, "gracePeriod()"))
            delay = int(call(client, dep.governor, "queueDelay()"))
            advance_time(client, delay + grace + 1)
        send_batched(client, [_govern_tx(dep, "queue", props["executed"]), _govern_tx(dep, "queue", props["queued"])])
        delay = int(call(client, dep.governor, "queueDelay()")) if dep.is_compound else TIMELOCK_DELAY
        advance_time(client, delay + 1)
        send_batched(client, [_govern_tx(dep, "execute", props["executed"])])

    active = props["active"]
    _propose_all(client, dep, [active])
    advance_clock_past(client, dep, active.vote_start)
    active_voters = voters[: min(active_votes, len(voters))]
    if active_voters:
        txs = _pattern_votes(dep, active, active_voters, PASS_PATTERN, None, salt=7)
        send_batched(client, txs)
        votes += len(txs)
    if dep.kind == "oz_fractional":  # three voters split part of their weight, twice each
        splitters = voters[len(active_voters):len(active_voters) + 3]
        votes += cast_fractional(client, dep, active.id, [
            (v,
             tuple(t * dep.unit for t in split)) for v in splitters for split in FRACTIONAL_SPLITS],  # type: ignore[misc]
            reason="split vote")
    _propose_all(client, dep, [props["pending"]])

    last_block = int(client.rpc("eth_blockNumber"), 16)
    return SeedReport(
        proposals={k: str(p.id) for k, p in props.items()},
        voters=voters,
        votes_cast=votes,
        blocks=(first_block, last_block),
        descriptions={k: p.description for k, p in props.items()},
        seconds=time.perf_counter() - t0,
    )


def seed_large(
    rpc: Anvil | RpcClient | str,
    dep: DaoDeployment,
    n_proposals: int = 200,
    n_votes: int = 5_000,
    *,
    voter_offset: int = 1_000_000,
    voter_amount: int | None = None,
) -> LargeSeedReport:
    """Benchmark fill: `n_proposals` proposals and `n_votes` votes spread evenly over them.

    Uses ceil(n_votes / n_proposals) funded voters. All proposals are created first and voted on
    while Active; they are left Active (or closed, if the voting period ran out)."""
    t0 = time.perf_counter()
    client = _client(rpc)
    client.rpc("anvil_autoImpersonateAccount", True)
    first_block = int(client.rpc("eth_blockNumber"), 16) + 1
    per_prop = math.ceil(n_votes / n_proposals) if n_proposals else 0
    voters = voter_addresses(per_prop, voter_offset)
    if voters:
        fund_and_delegate(client, dep, voters, VOTER_TOKENS * dep.unit if voter_amount is None else voter_amount)
    serial = int(client.rpc("eth_blockNumber"), 16) * 1000
    props = [_build_proposal(dep, f"bench-{i}", serial + i) for i in range(n_proposals)]
    # Large proposals: fit ~250 per block by gas limit.
    _propose_all(client, dep, props, per_block=250)
    votes = 0
    if props and n_votes:
        advance_clock_past(client, dep, max(p.vote_start for p in props))
        txs = []
        remaining = n_votes
        for j, p in enumerate(props):
            take = min(per_prop, remaining - (len(props) - j - 1) * (per_prop - 1)) if remaining else 0
            take = max(0, min(take, remaining, per_prop))
            txs += _pattern_votes(dep, p, voters[:take], PASS_PATTERN if j % 3 else FAIL_PATTERN, None, salt=j)
            remaining -= take
        deadline = min(p.vote_end for p in props)
        send_batched(client, txs, per_block=_per_block(client, dep, len(txs), deadline))
        votes = len(txs)
    return LargeSeedReport(
        proposal_ids=[str(p.id) for p in props],
        voters=voters,
        votes_cast=votes,
        blocks=(first_block, int(client.rpc("eth_blockNumber"), 16)),
        seconds=time.perf_counter() - t0,
    )
