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
    noop: bool = False
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class Adapter(ABC):
    """Base of every protocol family (evm_governor, cosmos, substrate, snapshot, snet_stake)."""

    family: ClassVar[str]
    VOTE_CHOICES: ClassVar[tuple[tuple[str, str], ...]] = ()
    """(key, label) pairs a vote may take; empty when choices are per proposal (Snapshot)."""
    WEIGHTED_VOTES: ClassVar[bool] = False
    VOTE_REASON: ClassVar[bool] = False
    DELEGATION: ClassVar[bool] = False
    STAKING: ClassVar[bool] = False
    MULTI_ACTION_TX: ClassVar[bool] = False
    OFFCHAIN: ClassVar[bool] = False

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        self.network = network
        self.dao = dao
        self.source = source or (f"{network.key}/{dao.id}" if dao else network.key)
        """The archive source key: "ethereum/compound", "akash", "snapshot/ens.eth"."""
        self.rpc_url = rpc_url or network.rpc[0]

    def close(self) -> None:
        """Release connections."""

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

    # --- writes --------------------------------------------------------------------------------
    @abstractmethod
    def plan_vote(self, account: AccountMeta, proposal_id: str, choice: str, *, reason: str = "") -> Plan: ...

    def plan_delegate(self, account: AccountMeta, delegatee: str) -> Plan:
        from wallet.errors import BadInput

        raise BadInput(f"{self.family} does not support delegation")

    @abstractmethod
    def submit(self, plan: Plan, signer: Signer) -> str:
        """Sign and send; return the transaction hash (or receipt id off-chain)."""

    @abstractmethod
    def await_result(self, plan: Plan, tx_hash: str, *, timeout: float = 120.0) -> ActionResult: ...

    def record(self, archive: Archive, result: ActionResult) -> None:
        """Write what an included action changed into the archive (the user's own vote, at once)."""
