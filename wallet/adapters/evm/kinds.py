"""Which Governor a contract is, decided by evidence, and what each kind can do.

One batch of read-only calls tells the kinds apart:

- OpenZeppelin Governor: `COUNTING_MODE()` answers a string (GovernorCountingSimple,
  GovernorCountingFractional, ...); `CLOCK_MODE()` says block number or timestamp (ERC-6372).
- GovernorBravo: `proposals(uint256)` answers 10 words (id, proposer, eta, startBlock, endBlock,
  forVotes, againstVotes, abstainVotes, canceled, executed) and `quorumVotes()` answers.
- GovernorAlpha: `proposals(uint256)` answers 9 words (no abstainVotes) and `quorumVotes()` answers;
  votes are bool (`castVote(uint256,bool)`, `VoteCast(address,uint256,bool,uint256)`), no reasons.
- Nouns DAO's governor (NounsDAOLogicV1 to V4 and the DAOs that forked them): `vetoer()` answers and
  `proposals(uint256)` answers 13 words (V1: id, proposer, proposalThreshold, quorumVotes, eta, startBlock,
  endBlock, forVotes, againstVotes, abstainVotes, canceled, vetoed, executed) or 15 (V2 on adds totalSupply
  and creationBlock). Bravo's votes and calls; a proposal may also be Vetoed; from V2 the quorum moves with
  the against votes (`quorumVotes(uint256)`); V3 adds the Updatable and ObjectionPeriod states.

`quorumVotes()` alone does not tell Bravo from Alpha (both have it). A public mapping getter answers
its full width even for an id that does not exist, so `proposals(0)` works on an empty governor.
Anything else is refused with the list of what was probed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from wallet.adapters.evm import codec as codec
from wallet.errors import BadInput

if TYPE_CHECKING:
    from wallet.adapters.evm.client import JsonRpc

COMPOUND_KINDS = ("bravo", "alpha", "nouns")
"""Governors with sequential ids, `proposals(id)` tallies and a FOR-only quorum, queued and executed by id."""
KIND_NAMES = ("oz", *COMPOUND_KINDS)

STATE_NAMES = ("Pending", "Active", "Canceled", "Defeated", "Succeeded", "Queued", "Expired", "Executed", "Vetoed",
               "ObjectionPeriod", "Updatable")
"""`state(id)` names: OpenZeppelin, Bravo and Alpha use the first eight; Nouns adds Vetoed (8), and its later
versions ObjectionPeriod (9) and Updatable (10)."""
OBJECTION_PERIOD = 9
"""Nouns V3+: a proposal that swung to FOR in its last minutes takes only AGAINST votes until the period ends."""
STATE_STATUS = ("pending", "active", "canceled", "rejected", "passed", "queued", "expired", "executed", "canceled",
                "active", "pending")
"""Polis's status for each state: a vetoed proposal ended without running, as a canceled one; Nouns's objection
period still takes votes against; an updatable proposal has not opened yet."""


class KindFacts(NamedTuple):
    name: str
    title: str
    choices: tuple[tuple[str, str], ...]
    """(support key, label) this kind accepts."""
    reason: bool
    proposal_words: int
    """Width of `proposals(id)` (Compound kinds); 0 for OpenZeppelin."""
    tally_words: tuple[tuple[str, int], ...]
    """(choice, word index in `proposals(id)`) for Compound kinds."""
    start_word: int = 3
    """Word of `proposals(id)` holding startBlock (Compound kinds)."""
    end_word: int = 4
    """Word of `proposals(id)` holding endBlock (Compound kinds)."""
    quorum_word: int | None = None
    """Word of `proposals(id)` holding the quorum the proposal was created with, where the governor keeps one."""
    eta_word: int = 2
    """Word of `proposals(id)` holding the eta a queued proposal may run after (Compound kinds)."""


FACTS: dict[str, KindFacts] = {
    "oz": KindFacts("oz", "OpenZeppelin Governor", (("1", "for"), ("0", "against"), ("2", "abstain")), True, 0, ()),
    "bravo": KindFacts("bravo", "GovernorBravo", (("1", "for"), ("0", "against"), ("2", "abstain")), True, 10,
                       (("for", 5), ("against", 6), ("abstain", 7))),
    "alpha": KindFacts("alpha", "GovernorAlpha", (("1", "for"), ("0", "against")), False, 9,
                       (("for", 5), ("against", 6))),
    "nouns": KindFacts("nouns", "Nouns DAO governor", (("1", "for"), ("0", "against"), ("2", "abstain")), True, 13,
                       (("for", 7), ("against", 8), ("abstain", 9)), start_word=5, end_word=6, quorum_word=3,
                       eta_word=4),
}
NOUNS_WIDTHS = (13, 15)
"""Words of a Nouns governor's `proposals(id)`: V1's public getter, V2's ProposalCondensed (kept by V3 and V4)."""
NOUNS_CREATION_WORD = 14
"""V2's creationBlock: the block its votes are counted at (V1 counts at startBlock − votingDelay())."""


class Detected(NamedTuple):
    kind: str
    counting_mode: str | None = None
    clock_mode: str = "blocknumber"
    late_quorum: bool = False
    """GovernorPreventLateQuorum (answers lateQuorumVoteExtension()): deadlines may move."""


def _string(result: Any) -> str | None:
    if isinstance(result, Exception) or not isinstance(result, str):
        return None
    try:
        return codec.decode_string_result(codec.hexbytes(result))
    except codec.DecodeError:
        return None


def _width(result: Any) -> int | None:
    """Whole words in an eth_call answer, None when it failed."""
    if isinstance(result, Exception) or not isinstance(result, str):
        return None
    try:
        n = len(codec.hexbytes(result))
    except codec.DecodeError:
        return None
    return n // 32 if n % 32 == 0 else None


def _eth_call(to: str, sig: str, *words: str) -> tuple[str, list[Any]]:
    return ("eth_call", [{"to": to, "data": codec.call_data(sig, *words)}, "latest"])


def detect_calls(governor: str) -> list[tuple[str, list[Any]]]:
    """The read-only calls `detect_from` decides the kind by (COUNTING_MODE, CLOCK_MODE, proposals(0),
    quorumVotes, the code, lateQuorumVoteExtension, vetoer): DETECT_CALLS of them."""
    return [_eth_call(governor, "COUNTING_MODE()"), _eth_call(governor, "CLOCK_MODE()"),
            _eth_call(governor, "proposals(uint256)", codec.enc_uint(0)), _eth_call(governor, "quorumVotes()"),
            ("eth_getCode", [governor, "latest"]), _eth_call(governor, "lateQuorumVoteExtension()"),
            _eth_call(governor, "vetoer()")]


DETECT_CALLS = 7


def detect(rpc: JsonRpc, governor: str, where: str) -> Detected:
    """The kind of the contract at `governor`, from one batch; BadInput naming the probes when none fits."""
    return detect_from(rpc.batch(detect_calls(governor)), governor, where)


def detect_from(res: list[Any], governor: str, where: str) -> Detected:
    """The kind, from the answers to `detect_calls(governor)`."""
    code = res[4] if isinstance(res[4], str) else None
    if code in ("0x", "0x0"):
        raise BadInput(f"{governor} on {where} has no contract code: is the address or the network right?")
    counting = _string(res[0])
    if counting is not None and "support=" in counting:
        clock = _string(res[1]) or ""
        return Detected("oz", counting, "timestamp" if "mode=timestamp" in clock else "blocknumber",
                        late_quorum=_width(res[5]) == 1)
    width, quorum, vetoer = _width(res[2]), _width(res[3]), _width(res[6]) == 1
    if width in NOUNS_WIDTHS and vetoer:
        return Detected("nouns")
    if quorum == 1 and width == FACTS["bravo"].proposal_words:
        return Detected("bravo")
    if quorum == 1 and width == FACTS["alpha"].proposal_words:
        return Detected("alpha")
    seen = [f"COUNTING_MODE() {'-> ' + repr(counting[:60]) if counting else 'no string'}",
            f"proposals(0) {f'-> {width} words' if width is not None else 'no answer'}",
            f"quorumVotes() {'answers' if quorum == 1 else 'no answer'}",
            f"vetoer() {'answers' if vetoer else 'no answer'}"]
    raise BadInput(f"{governor} on {where} is not a Governor Polis knows: probed {'; '.join(seen)} "
                   "(OpenZeppelin answers COUNTING_MODE(); GovernorBravo 10 words and GovernorAlpha 9 words "
                   "from proposals(), both with quorumVotes(); a Nouns governor 13 or 15 words, with vetoer())",
                   hint="check the governor address; a proxy must be given by its own address")


class TokenInfo(NamedTuple):
    symbol: str | None
    decimals: int | None
    votes_api: str
    """"erc20votes" (getVotes/getPastVotes) or "comp" (getCurrentVotes/getPriorVotes)."""


def token_calls(token: str) -> list[tuple[str, list[Any]]]:
    """symbol(), decimals(), getVotes(0x0…) and getCurrentVotes(0x0…) on the token."""
    probe = codec.enc_address("0x" + "00" * 20)
    return [_eth_call(token, "symbol()"), _eth_call(token, "decimals()"),
            _eth_call(token, "getVotes(address)", probe), _eth_call(token, "getCurrentVotes(address)", probe)]


def read_token(rpc: JsonRpc, token: str) -> TokenInfo:
    """symbol(), decimals() and which voting-power interface the token answers, in one batch."""
    return token_from(rpc.batch(token_calls(token)))


def token_from(res: list[Any]) -> TokenInfo:
    """The token's metadata, from the answers to `token_calls`."""
    symbol = _string(res[0])
    if symbol is None and _width(res[0]) == 1:  # a few old tokens answer bytes32 (MKR)
        symbol = codec.hexbytes(res[0]).rstrip(b"\0").decode("utf-8", "replace") or None
    decimals: int | None = None
    if _width(res[1]) == 1:
        d = codec.decode_words(codec.hexbytes(res[1]), 1)[0]
        decimals = d if d <= 36 else None
    votes_api = "comp" if _width(res[2]) != 1 and _width(res[3]) == 1 else "erc20votes"
    if symbol is not None:
        symbol = "".join(c for c in symbol if c.isprintable()).strip()[:16] or None
    return TokenInfo(symbol, decimals, votes_api)


ADAPTERS = {"alpha": "evm_alpha", "fractional": "evm_fractional"}
"""Registry names of the adapters that declare a kind's own vote options (see variants.py)."""


def has_late_quorum(rpc: JsonRpc, governor: str) -> bool:
    """Whether the governor answers lateQuorumVoteExtension() (GovernorPreventLateQuorum)."""
    return answers_word(rpc.batch([_eth_call(governor, "lateQuorumVoteExtension()")])[0])


def answers_word(result: Any) -> bool:
    """An eth_call answer of exactly one word (a getter that exists)."""
    return _width(result) == 1


def answers_string(result: Any) -> str | None:
    """An eth_call answer decoded as a string, None when it failed or is not one."""
    return _string(result)


def is_overridable(counting_mode: str | None) -> bool:
    """GovernorCountingOverridable's COUNTING_MODE (`…&overridable=true`): delegators may override their delegate's
    vote; its votes, overrides and reductions are archived as parts, and votes are cast whole."""
    return "overridable=true" in (counting_mode or "")


def adapter_name_for(kind: str, counting_mode: str | None) -> str:
    """The adapter whose declared choices, reasons and weights match this Governor."""
    if kind == "alpha":
        return ADAPTERS["alpha"]
    if kind == "oz" and "fractional" in (counting_mode or ""):
        return ADAPTERS["fractional"]
    return "evm_governor"


class DaoFacts(NamedTuple):
    """What the chain says about a DAO being added: its Governor kind and its token's metadata."""

    kind: str
    counting_mode: str | None
    clock_mode: str
    adapter: str
    token: TokenInfo


def inspect(rpc_url: str, chain_id: int, governor: str, token: str, where: str) -> DaoFacts:
    """Detect the Governor and read the token on the network's node (chain id checked first)."""
    from wallet.adapters.evm.client import JsonRpc, quantity

    with JsonRpc(rpc_url, retries=1) as rpc:
        got = quantity(rpc.call("eth_chainId"), "chain id", limit=2**256)
        if got != chain_id:
            raise BadInput(f"the node at {rpc_url} is on chain id {got}, but {where} is chain id {chain_id}")
        found = detect(rpc, governor, where)
        info = read_token(rpc, token)
    return DaoFacts(found.kind, found.counting_mode, found.clock_mode,
                    adapter_name_for(found.kind, found.counting_mode), info)
