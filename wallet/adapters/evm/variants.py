"""Governor adapters that declare their kind's own vote options, so the CLI, the TUI and batch plans
offer only what the contract takes: GovernorAlpha (for/against, no reasons) and OpenZeppelin
GovernorCountingFractional (split votes by weight). `polis networks add` picks one by evidence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from wallet.adapters.evm.adapter import EvmGovernorAdapter, parse_support
from wallet.adapters.evm.kinds import FACTS
from wallet.errors import BadInput

if TYPE_CHECKING:
    from wallet.networks import DaoConfig, NetworkConfig


class EvmAlphaAdapter(EvmGovernorAdapter):
    """GovernorAlpha: `castVote(uint256,bool)`; no abstain, no reason."""

    NAME = "evm_alpha"
    VOTE_CHOICES: ClassVar[tuple[tuple[str, str], ...]] = FACTS["alpha"].choices
    VOTE_REASON = False

    def __init__(self, network: NetworkConfig, dao: DaoConfig | None = None, *, rpc_url: str | None = None,
                 source: str | None = None) -> None:
        super().__init__(network, dao, rpc_url=rpc_url, source=source)
        if self._kind is None:
            self._kind = "alpha"

    @classmethod
    def read_choice(cls, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                    weights: dict[str, str] | None = None) -> str:
        """for / yes / 1 → FOR, against / no / 0 → AGAINST; GovernorAlpha has no abstain."""
        if weights:
            raise BadInput("GovernorAlpha votes are not split: choose for or against")
        support = parse_support(choice)
        if support == 2:
            raise BadInput("GovernorAlpha takes for or against: it has no abstain")
        return "FOR" if support == 1 else "AGAINST"


class EvmFractionalAdapter(EvmGovernorAdapter):
    """OpenZeppelin GovernorCountingFractional: a voter splits their weight over for/against/abstain and
    may vote several times until it is used (`--weights for=…,against=…,abstain=…`, token amounts)."""

    NAME = "evm_fractional"
    WEIGHTED_VOTES = True
    PARTIAL_VOTES = True
    WEIGHTS_HINT = "token amounts, e.g. for=60,against=30,abstain=10 (blank = all that is left)"

    @classmethod
    def read_choice(cls, choice: str, *, labels: Sequence[str] = (), vote_type: str = "",
                    weights: dict[str, str] | None = None) -> str:
        if weights:
            return "SPLIT"
        return super().read_choice(choice, labels=labels, vote_type=vote_type, weights=weights)
