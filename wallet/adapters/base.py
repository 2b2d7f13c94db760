"""The adapter contract: one abstract base for every protocol family.

Capabilities are declared as class variables so the CLI and the TUI offer only what an adapter can
do. Writes return unsigned `Plan`s; `wallet.actions` signs and submits them through `submit`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from wallet.records import Value

if TYPE_CHECKING:
    from wallet.cache.db import Archive
    from wallet.fees import FeeQuote
    from wallet.keys.signer import Signer
    from wallet.keys.vault import AccountMeta
    from wallet.models import ActionResult, Choice, Plan, PlanCheck
    from wallet.networks import DaoConfig, NetworkConfig
    from wallet.units import Denom

Progress = Callable[[int, int, str], None]
"""(done, total, message): sync progress for a bar or a TUI worker."""


def journaled_bytes(journaled: dict[str, Any], tx_hash: str, hash_of: Callable[[bytes], str]) -> bytes | None:
    """The signed bytes an earlier send journaled (hex under "raw"), only when they are the transaction of
    `tx_hash` by the family's `hash_of` (compared case-insensitively); None: nothing to send again."""
    raw = journaled.get("raw")
    if not isinstance(raw, str):
        return None
    try:
        data = bytes.fromhex(raw.removeprefix("0x"))
    except ValueError:
        return None
    return data if hash_of(data).lower() == tx_hash.lower() else None


class SyncReport(Value):
    """What one sync of one source did (the records here are plain: wallet/records.py)."""

    _fields = ("source", "from_point", "to_point", "new_proposals", "updated_proposals", "votes", "events",
               "reorg_depth", "round_trips", "elapsed_ms", "noop", "warnings")
    source: str
    from_point: int | None
    to_point: int | None
    new_proposals: int
    updated_proposals: int
    votes: int
    events: int
    reorg_depth: int
    """How many blocks were rolled back because their hashes changed (0 = no reorg)."""
    round_trips: int
    elapsed_ms: float
    """Wall time of the sync work itself (round trips, decoding, writes), without imports."""
    noop: bool
    warnings: list[str]

    def __init__(self, source: str, from_point: int | None = None, to_point: int | None = None,
                 new_proposals: int = 0, updated_proposals: int = 0, votes: int = 0, events: int = 0,
                 reorg_depth: int = 0, round_trips: int = 0, elapsed_ms: float = 0.0, noop: bool = False,
                 warnings: list[str] | None = None) -> None:
        self.source = source
        self.from_point = from_point
        self.to_point = to_point
        self.new_proposals = new_proposals
        self.updated_proposals = updated_proposals
        self.votes = votes
        self.events = events
        self.reorg_depth = reorg_depth
        self.round_trips = round_trips
        self.elapsed_ms = elapsed_ms
        self.noop = noop
        self.warnings = [] if warnings is None else warnings

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class StakeTarget(Value):
    """Something an account can stake or delegate to: a Cosmos validator, a Bittensor hotkey (with
    its subnets), a SingularityNET stake window."""

    _fields = ("id", "name", "status", "commission", "power", "extra")
    id: str
    name: str
    status: str
    """bonded / unbonding / jailed (Cosmos), delegate (Bittensor), open / closed (SNET window)."""
    commission: str
    """Commission or take as a decimal string ("0.05"), when the protocol has one."""
    power: int | None
    extra: dict[str, object]

    def __init__(self, id: str, name: str = "", status: str = "", commission: str = "",  # noqa: A002 (field name)
                 power: int | None = None, extra: dict[str, object] | None = None) -> None:
        self.id = id
        self.name = name
        self.status = status
        self.commission = commission
        self.power = power
        self.extra = {} if extra is None else extra


class StakePosition(Value):
    """One stake of an account, amounts in base units of `symbol`."""

    _fields = ("source", "address", "target", "target_name", "subtarget", "amount", "symbol", "decimals", "rewards",
               "kind", "completes_at", "extra")
    source: str
    address: str
    target: str
    target_name: str
    subtarget: str
    """Bittensor netuid, or empty."""
    amount: int
    symbol: str
    decimals: int
    rewards: int
    kind: str
    """staked | unbonding | redelegating | pending | claimable"""
    completes_at: int | None
    """Unix seconds when an unbonding/redelegation/claim completes."""
    extra: dict[str, object]

    def __init__(self, source: str, address: str, target: str, target_name: str = "", subtarget: str = "",
                 amount: int = 0, symbol: str = "", decimals: int = 0, rewards: int = 0, kind: str = "staked",
                 completes_at: int | None = None, extra: dict[str, object] | None = None) -> None:
        self.source = source
        self.address = address
        self.target = target
        self.target_name = target_name
        self.subtarget = subtarget
        self.amount = amount
        self.symbol = symbol
        self.decimals = decimals
        self.rewards = rewards
        self.kind = kind
        self.completes_at = completes_at
        self.extra = {} if extra is None else extra


class VotingPower(Value):
    """An account's current governance weight on one source, amounts in base units of `token_denom`."""

    _fields = ("delegate", "power", "balance", "note")
    delegate: str | None
    """Who the account's votes are delegated to (itself, another address), None where the protocol has no
    vote delegation or the account never delegated."""
    power: int | None
    """Votes the account can cast now (delegated to it, or its bonded stake); None when the protocol
    only knows power per proposal (Snapshot) or has none."""
    balance: int | None
    """The account's balance of the governance token, when it is one."""
    note: str

    def __init__(self, delegate: str | None = None, power: int | None = None, balance: int | None = None,
                 note: str = "") -> None:
        self.delegate = delegate
        self.power = power
        self.balance = balance
        self.note = note


class Adapter(ABC):
    """Base of every protocol family (evm_governor, cosmos, bittensor, snapshot, snet_stake).

    Every fact about a family that a caller (CLI, TUI, batch, services) needs is declared here, with a
    default, and overridden by the family: callers never branch on a family's name or probe for hooks.
    """

    NAME: ClassVar[str]
    """The adapter's identity: its registry name ("evm_governor", "cosmos", "snet_stake", ...)."""
    KEY_SCHEME: ClassVar[str] = "evm"
    """Which vault key scheme signs for this adapter (evm, cosmos, substrate)."""
    VOTE_CHOICES: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(key, label) pairs a vote may take; empty when choices are per proposal (Snapshot)."""
    WEIGHTED_VOTES: ClassVar[bool] = False
    PARTIAL_VOTES: ClassVar[bool] = False
    """True when a voter may vote several times, each a part of their weight at the snapshot
    (GovernorCountingFractional): the CLI and TUI list every part and show the weight left."""
    WEIGHTS_HINT: ClassVar[str] = "e.g. yes=0.7,no=0.3"
    """How a split vote is written for this adapter (shown beside the weights field)."""
    VOTE_REASON: ClassVar[bool] = False
    VOTES_FINAL: ClassVar[bool] = False
    """True when a cast vote can never be changed (Governors): asking for another choice is refused,
    asking for the same one is "already voted". False where a new vote replaces the old (Cosmos, Snapshot)."""
    DELEGATION: ClassVar[bool] = False
    STAKING: ClassVar[bool] = False
    MULTI_ACTION_TX: ClassVar[bool] = False
    OFFCHAIN: ClassVar[bool] = False
    STAKE_ACTIONS: ClassVar[tuple[str, ...]] = ()
    """Subset of ("stake", "unstake", "move", "claim", "withdraw") the adapter can plan."""
    SIMULATION: ClassVar[bool] = False
    """True when `polis proposals simulate` can run a proposal's actions on a local fork (EVM Governors)."""
    accept_deep_reorg: bool = False
    """Set by `polis sync --accept-deep-reorg`: a sync may roll back further than the network's reorg_depth."""
    max_fee: str | None = None
    """A fee cap for this run (`--max-fee`), over the network's `max_fee`."""
    policy_max_fee: str | None = None
    """A batch plan's `[policy] max_fee` for this adapter's network or source."""
    on_signed: Callable[[str, dict[str, Any] | None], None] | None = None
    """Called by `submit` with the transaction hash of the signed bytes right before they are broadcast, so
    the journal knows the hash even if the process dies during the send (wallet/once.py); the adapter may
    add what it needs to look the transaction up later (Substrate: nonce, signing block, era)."""

    HASH_BEFORE_SEND: ClassVar[bool] = False
    """True when `submit` reports the transaction's hash through `signed` before its bytes leave: an
    unfinished journal entry without a hash was then never sent (a batch resume plans it again)."""

    def signed(self, tx_hash: str, detail: dict[str, Any] | None = None) -> None:
        if self.on_signed is not None:
            self.on_signed(tx_hash, detail)

    def look_up(self, plan: Plan, tx_hash: str, journaled: dict[str, Any], *, timeout: float) -> ActionResult:
        """The outcome of a transaction an earlier process sent, with what `signed` journaled about it."""
        return self.await_result(plan, tx_hash, timeout=timeout)

    def fee_check(self, quote: FeeQuote) -> PlanCheck:
        """The plan's passed "fee cap" check, or FeeRefused with the numbers (wallet/fees.py)."""
        from wallet.fees import check

        return check(self.network, quote, override=self.max_fee, policy=self.policy_max_fee)
    STAKE_IS_POWER: ClassVar[bool] = False
    """True when bonded stake is the account's voting power (Cosmos validators, Bittensor hotkeys)."""
    POLL_INTERVAL: ClassVar[float] = 1.0
    """Seconds between polls for an inclusion; batch runs lower it per instance (`poll_interval`)."""

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        self.network = network
        self.dao = dao
        self.source = source or (f"{network.key}/{dao.id}" if dao else network.key)
        """The archive source key: "ethereum/compound", "akash", "snapshot/ens.eth"."""
        self.rpc_url = rpc_url or network.rpc[0]
        self.poll_interval: float = self.POLL_INTERVAL

    def close(self) -> None:
        """Release connections."""

    def prepare(self) -> None:
        """Import clients and open connections ahead of timed work (sync measures only its own work)."""

    # --- reads ---------------------------------------------------------------------------------
    @abstractmethod
    def check_chain(self) -> None:
        """Raise ActionRefused unless the node is on the network's chain."""

    @abstractmethod
    def sync(self, archive: Archive, progress: Progress | None = None) -> SyncReport:
        """Bring this source's proposals, votes and delegations in the archive up to date."""

    @abstractmethod
    def voting_power(self, address: str, proposal_id: str) -> int:
        """Power at the proposal's snapshot, in base units."""

    @abstractmethod
    def has_voted(self, address: str, proposal_id: str) -> bool: ...

    def choices(self, proposal_id: str | None = None) -> list[Choice]:
        from wallet.models import Choice

        return [Choice(key=k, label=label) for k, label in self.VOTE_CHOICES]

    @classmethod
    def read_choice(cls, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                    weights: dict[str, str] | None = None) -> str:
        """How this family reads a typed choice, as the label a person checks ("yes" → "FOR"); no network.
        `labels` and `vote_type` are the proposal's own (per-proposal choices). BadInput when unknown."""
        from wallet.errors import BadInput

        low = str(choice).strip().lower()
        for key, label in cls.VOTE_CHOICES:
            if low in (key.lower(), label.lower()):
                return label.upper()
        known = ", ".join(label for _k, label in cls.VOTE_CHOICES) or "none"
        raise BadInput(f"unknown choice {choice!r}: use {known}")

    def delegations(self, address: str) -> dict[str, object]:
        return {}

    def balances(self, address: str) -> dict[str, int]:
        return {}

    def stakes(self, address: str) -> list[StakePosition]:
        """The account's stakes, unbondings and claimable amounts (network read)."""
        return []

    def stake_targets(self) -> list[StakeTarget]:
        """Validators / delegates / stake windows a user can choose from (network read)."""
        return []

    @property
    def token_denom(self) -> Denom:
        """The unit amounts of this source are in (the network's coin; a DAO or staking token where it has one)."""
        return self.network.denom.denom()

    def balance_denom(self, key: str) -> Denom:
        """The Denom to format a key of `balances()` with: the network's coin, this source's token, else base units."""
        from wallet.units import Denom

        net = self.network.denom
        if key in (net.symbol, net.base):
            return net.denom()
        token = self.token_denom
        if key.split(" ")[0] == token.symbol:
            return Denom(key, token.base, token.decimals)
        return Denom(key, "base", 0)

    def current_power(self, address: str) -> VotingPower:
        """The account's delegation and voting power now (network reads): `delegations()` where the
        protocol delegates votes, the sum of its bonded stake where STAKE_IS_POWER."""
        info = self.delegations(address)
        votes, bal = info.get("votes"), info.get("balance")
        out = VotingPower(delegate=str(info["delegate"]) if info.get("delegate") else None,
                          power=int(str(votes)) if votes is not None else None,
                          balance=int(str(bal)) if bal is not None else None)
        if out.power is None and self.STAKE_IS_POWER:
            out.power = sum(p.amount for p in self.stakes(address) if p.kind == "staked")
            out.note = "bonded stake"
        return out

    @classmethod
    def network_table(cls, key: str, options: Mapping[str, Any]) -> dict[str, Any]:
        """The networks-file table of a new network this adapter serves, from `polis networks add --adapter`
        options (chain_id, rpc, title, block_time, and the adapter's own), validated; BadInput when this
        adapter is not described that way."""
        from wallet.errors import BadInput

        raise BadInput(f"'polis networks add --adapter {cls.NAME}' is not offered; write the network's table "
                       "in the networks file instead")

    @classmethod
    def quorum_choices(cls, proposal: Mapping[str, Any], source: Mapping[str, Any] | None = None
                       ) -> frozenset[str] | None:
        """The archived choice labels whose weight counts toward this proposal's quorum, or None when
        every choice counts. Reads only archived data (`proposal` and its `source` row), never the network."""
        return None

    @classmethod
    def parts_are_split_votes(cls, source: Mapping[str, Any] | None = None) -> bool:
        """Whether partial votes archived for this source (its archived `source` row) mean it takes split votes,
        as GovernorCountingFractional does, rather than whole votes archived as parts."""
        return True

    @classmethod
    def counted_for_quorum(cls, proposal: Mapping[str, Any], source: Mapping[str, Any] | None = None) -> int:
        """The weight of the archived tally that counts toward the quorum, in base units."""
        counted = cls.quorum_choices(proposal, source)
        return sum(int(t["weight"]) for t in proposal.get("tally") or []
                   if counted is None or str(t["choice"]).lower() in counted)

    def parse_delegatee(self, text: str) -> str:
        """A delegate as the adapter writes it ("self"/"me" allowed where the protocol has self-delegation);
        checked offline (batch plans), BadInput when malformed."""
        from wallet.errors import BadInput

        t = text.strip()
        if not t:
            raise BadInput("enter a delegate address (or 'self')")
        return t

    def parse_target(self, text: str, what: str = "target") -> str:
        """A stake target (validator, hotkey, window) as the adapter writes it, or BadInput."""
        from wallet.errors import BadInput

        t = text.strip()
        if not t:
            raise BadInput(f"enter a {what}")
        return t

    def parse_amount(self, text: str) -> int:
        """A user amount ("1.5 AKT", "1500000uakt", "2") in the network's base units."""
        from wallet.units import parse_amount

        return parse_amount(text, self.token_denom)

    def address_forms(self, address: str) -> list[str]:
        """Every form the archive may hold this account's address in on this network (Cosmos: the
        network's bech32 prefix), so "my vote" finds it."""
        return [address]

    def address_of(self, account: AccountMeta) -> str:
        """The account's address on this network (Cosmos adapters re-prefix the bech32 address)."""
        from wallet.errors import BadInput

        addr = account.addresses.get(self.KEY_SCHEME)
        if not addr:
            raise BadInput(f"account {account.name!r} has no {self.KEY_SCHEME} key",
                           hint="unlock it once (e.g. 'polis keys show NAME --derive') or import a mnemonic")
        return addr

    # --- writes --------------------------------------------------------------------------------
    @abstractmethod
    def plan_vote(self, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
                  weights: dict[str, str] | None = None) -> Plan:
        """`weights` (choice -> decimal string) only where WEIGHTED_VOTES is declared."""

    def _unsupported(self, what: str) -> Plan:
        from wallet.errors import BadInput

        raise BadInput(f"{self.source} ({self.NAME}) does not support {what}")

    def plan_delegate(self, account: AccountMeta, delegatee: str) -> Plan:
        return self._unsupported("delegating voting power")

    def plan_stake(self, account: AccountMeta, target: str, amount: int, *, subtarget: str | None = None,
                   options: dict[str, str] | None = None) -> Plan:
        return self._unsupported("staking")

    def plan_unstake(self, account: AccountMeta, target: str, amount: int | None, *, subtarget: str | None = None,
                     options: dict[str, str] | None = None) -> Plan:
        """`amount` None means everything staked on the target."""
        return self._unsupported("unstaking")

    def plan_move(self, account: AccountMeta, source_target: str, dest_target: str, amount: int | None, *,
                  source_sub: str | None = None, dest_sub: str | None = None,
                  options: dict[str, str] | None = None) -> Plan:
        return self._unsupported("moving stake")

    def plan_claim(self, account: AccountMeta, target: str | None = None, *,
                   options: dict[str, str] | None = None) -> Plan:
        """Withdraw rewards (Cosmos), claim a stake window (SNET); `target` None means all."""
        return self._unsupported("claiming")

    def plan_withdraw(self, account: AccountMeta, target: str, amount: int | None) -> Plan:
        """Take back stake that is no longer locked (SNET: a closed window's stake); `amount` None: all."""
        return self._unsupported("a separate withdraw (use unstake)")

    def combine(self, plans: list[Plan]) -> Plan:
        """Merge several plans of one account into one transaction (MULTI_ACTION_TX adapters)."""
        return self._unsupported("several actions in one transaction")

    @abstractmethod
    def submit(self, plan: Plan, signer: Signer) -> str:
        """Sign and send; return the transaction hash (or receipt id off-chain)."""

    @abstractmethod
    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult: ...

    def result_from_receipt(self, plan: Plan, tx_hash: str, receipt: dict[str, Any]) -> ActionResult | None:
        """The result of an action from a receipt a batched poll already fetched, or None when the adapter
        needs its own `await_result` (no receipt form, or not this family's)."""
        return None

    # --- nonces ------------------------------------------------------------------------------------
    def nonce_lane(self, address: str) -> str | None:
        """The key of the nonce sequence that pipelined sends from `address` share (EVM: the network and the
        address, across its DAOs), or None when this adapter's actions go one transaction at a time."""
        return None

    def account_nonce(self, address: str, *, pending: bool = False) -> int | None:
        """The account's next nonce / sequence on chain (`pending`: counting the node's mempool), or None
        when the protocol has none (off-chain votes)."""
        return None

    def send_raw(self, raw_hex: str) -> str:
        """Broadcast signed transaction bytes (pipelined sends); returns what the node answered."""
        raise NotImplementedError(f"{self.NAME} has no pipelined sends")

    def send_again(self, raw_hex: str) -> str:
        """Broadcast signed bytes that may have gone out before: "sent" (the node took them now), "known" (it
        already has them) or "used" (their nonce is used: look them up by hash); RpcError for another refusal."""
        raise NotImplementedError(f"{self.NAME} has no pipelined sends")

    def receipts(self, tx_hashes: list[str]) -> list[dict[str, Any] | None]:
        """Receipts of many transactions in one round trip where the protocol allows (pipelined sends)."""
        raise NotImplementedError(f"{self.NAME} has no pipelined sends")

    def record(self, archive: Archive, result: ActionResult) -> None:
        """Write what an included action changed into the archive (the user's own vote, at once)."""

    def record_many(self, archive: Archive, results: list[ActionResult]) -> None:
        """`record` for many included actions; adapters may do it in fewer round trips."""
        for result in results:
            self.record(archive, result)
