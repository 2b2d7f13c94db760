"""The adapter contract: one abstract base for every protocol family.

Capabilities are declared as class variables so the CLI and the TUI offer only what an adapter can
do. Writes return unsigned `Plan`s; `wallet.actions` signs and submits them through `submit`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from wallet.cache.db import Archive
    from wallet.keys.signer import Signer
    from wallet.keys.vault import AccountMeta
    from wallet.models import ActionResult, Choice, Plan
    from wallet.networks import DaoConfig, NetworkConfig

Progress = Callable[[int, int, str], None]
"""(done, total, message): sync progress for a bar or a TUI worker."""


@dataclass
class SyncReport:
    source: str
    from_point: int | None = None
    to_point: int | None = None
    new_proposals: int = 0
    updated_proposals: int = 0
    votes: int = 0
    events: int = 0
    reorg_depth: int = 0
    """How many blocks were rolled back because their hashes changed (0 = no reorg)."""
    round_trips: int = 0
    elapsed_ms: float = 0.0
    """Wall time of the sync work itself (round trips, decoding, writes), without imports."""
    noop: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class StakeTarget:
    """Something an account can stake or delegate to: a Cosmos validator, a Bittensor hotkey (with
    its subnets), a SingularityNET stake window."""

    id: str
    name: str = ""
    status: str = ""
    """bonded / unbonding / jailed (Cosmos), delegate (Bittensor), open / closed (SNET window)."""
    commission: str = ""
    """Commission or take as a decimal string ("0.05"), when the protocol has one."""
    power: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class StakePosition:
    """One stake of an account, amounts in base units of `symbol`."""

    source: str
    address: str
    target: str
    target_name: str = ""
    subtarget: str = ""
    """Bittensor netuid, or empty."""
    amount: int = 0
    symbol: str = ""
    decimals: int = 0
    rewards: int = 0
    kind: str = "staked"
    """staked | unbonding | redelegating | pending | claimable"""
    completes_at: int | None = None
    """Unix seconds when an unbonding/redelegation/claim completes."""
    extra: dict[str, object] = field(default_factory=dict)


class Adapter(ABC):
    """Base of every protocol family (evm_governor, cosmos, substrate, snapshot, snet_stake)."""

    family: ClassVar[str]
    KEY_FAMILY: ClassVar[str] = "evm"
    """Which vault key family signs for this adapter (evm, cosmos, substrate)."""
    VOTE_CHOICES: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(key, label) pairs a vote may take; empty when choices are per proposal (Snapshot)."""
    WEIGHTED_VOTES: ClassVar[bool] = False
    VOTE_REASON: ClassVar[bool] = False
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

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        self.network = network
        self.dao = dao
        self.source = source or (f"{network.key}/{dao.id}" if dao else network.key)
        """The archive source key: "ethereum/compound", "akash", "snapshot/ens.eth"."""
        self.rpc_url = rpc_url or network.rpc[0]

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

    def parse_amount(self, text: str) -> int:
        """A user amount ("1.5 AKT", "1500000uakt", "2") in the network's base units."""
        from wallet.units import parse_amount

        return parse_amount(text, self.network.denom.denom())

    def address_of(self, account: AccountMeta) -> str:
        """The account's address on this network (Cosmos adapters re-prefix the bech32 address)."""
        from wallet.errors import BadInput

        addr = account.addresses.get(self.KEY_FAMILY)
        if not addr:
            raise BadInput(f"account {account.name!r} has no {self.KEY_FAMILY} key",
                           hint="unlock it once (e.g. 'polis keys show NAME --derive') or import a mnemonic")
        return addr

    # --- writes --------------------------------------------------------------------------------
    @abstractmethod
    def plan_vote(self, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "",
                  weights: dict[str, str] | None = None) -> Plan:
        """`weights` (choice -> decimal string) only where WEIGHTED_VOTES is declared."""

    def _unsupported(self, what: str) -> Plan:
        from wallet.errors import BadInput

        raise BadInput(f"{self.source} ({self.family}) does not support {what}")

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

    def combine(self, plans: list[Plan]) -> Plan:
        """Merge several plans of one account into one transaction (MULTI_ACTION_TX adapters)."""
        return self._unsupported("several actions in one transaction")

    @abstractmethod
    def submit(self, plan: Plan, signer: Signer) -> str:
        """Sign and send; return the transaction hash (or receipt id off-chain)."""

    @abstractmethod
    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult: ...

    def record(self, archive: Archive, result: ActionResult) -> None:
        """Write what an included action changed into the archive (the user's own vote, at once)."""

    def record_many(self, archive: Archive, results: list[ActionResult]) -> None:
        """`record` for many included actions; adapters may do it in fewer round trips."""
        for result in results:
            self.record(archive, result)
