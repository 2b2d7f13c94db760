"""Fee caps: the one check between a node's fee figures and a signature, for every family.

A node sets the figures a fee is computed from (base fee, priority fee, gas estimate, Cosmos simulate,
Substrate payment info), so a hostile or broken node could make Polis sign a transaction that pays a
fortune. Adapters describe their fee as a `FeeQuote`; `check` bounds it before a plan is shown and
`actions.execute` checks it again right before signing:

- the most the action can cost ≤ the cap: `--max-fee`, else the plan's `[policy] max_fee`, else the
  network's `max_fee` (user networks file over preset), else a tenth of one native unit;
- EVM: max fee per gas ≤ `max_fee_multiple` × the latest block's base fee (never below the floor the
  adapter names, 1 gwei on EVM chains);
- gas ≤ the ceiling the adapter names (the block gas limit, the network's `max_gas`), and ≤ the
  simulated gas with the adapter's margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.errors import ActionRefused

if TYPE_CHECKING:
    from wallet.models import Plan, PlanCheck
    from wallet.networks import NetworkConfig


class FeeRefused(ActionRefused):
    """The fee figures are over a cap: nothing is signed (exit 1)."""

    hint = ("if the fee is right, raise the cap for this run with --max-fee AMOUNT (or [policy] max_fee in a "
            "plan, max_fee in the networks file); otherwise use another node (--rpc)")


@dataclass(frozen=True)
class FeeQuote:
    """An adapter's fee figures for one transaction, integers in base units (gas in gas units)."""

    max_fee: int
    """The most this transaction can cost (EVM: gas × max fee per gas)."""
    gas: int | None = None
    simulated_gas: int | None = None
    gas_margin: tuple[int, int] = (3, 2)
    """gas may be at most simulated_gas × num / den + gas_slack."""
    gas_slack: int = 0
    gas_ceiling: int | None = None
    """Largest gas allowed (block gas limit, the network's max_gas)."""
    max_fee_per_gas: int | None = None
    base_fee: int | None = None
    base_fee_floor: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FeeQuote:
        known: dict[str, Any] = {k: (tuple(v) if k == "gas_margin" else v) for k, v in d.items()
                                 if k in cls.__dataclass_fields__}
        return cls(**known)


CAP_TEXT_MAX = 80


def cap_text(text: str, what: str = "--max-fee") -> str:
    """A fee cap as typed (`--max-fee`): an amount with an optional unit ("0.01 ETH", "5000uakt", "0.002").
    BadInput unless it reads as one; its unit is checked against each network the cap applies to
    (`cap_of`, `cap_for`), since the network is not known where it is typed."""
    import re

    from wallet.errors import BadInput
    from wallet.units import Denom, parse_amount

    t = str(text).strip()
    unit = re.search(r"([A-Za-z][A-Za-z0-9/]*)$", t)
    name = unit.group(1) if unit else "unit"
    try:
        if not t or len(t) > CAP_TEXT_MAX:
            raise BadInput("empty or too long")
        parse_amount(t, Denom(name, name, 78))  # the amount rule itself, for any unit
    except BadInput:
        raise BadInput(f"{what}: {t[:40]!r} is not an amount (e.g. '0.01 ETH', '5000uakt', '0.002')") from None
    return t


def cap_for(caps: dict[str, str], source: str) -> str | None:
    """The cap of `caps` (by source, else by its network, else the entry "" for every network) for a source:
    the one lookup of a plan's `[policy] max_fee` and of a batch run's `--max-fee`."""
    return caps.get(source) or caps.get(source.partition("/")[0]) or caps.get("")


def check_caps(caps: dict[str, str], where: str, sources: dict[str, NetworkConfig]) -> None:
    """BadInput unless every entry of `caps` names a network or source among `sources` ("" is every one) and
    reads as an amount of the native unit of each network it applies to."""
    from wallet.errors import BadInput
    from wallet.units import parse_amount

    known = set(sources) | {s.partition("/")[0] for s in sources}
    for key in caps:
        if key and key not in known:
            raise BadInput(f"{where} {key}=…: the plan has no action on {key!r} (it has {', '.join(sorted(known))})")
    for source, network in sources.items():
        text = cap_for(caps, source)
        if text is not None:
            try:
                parse_amount(text, network.denom.denom())
            except BadInput as exc:
                raise BadInput(f"{where} for {source}: {exc}") from None


def cap_of(network: NetworkConfig, *, override: str | None = None, policy: str | None = None) -> tuple[int, str]:
    """(cap in base units, where it comes from)."""
    from wallet.units import parse_amount

    denom = network.denom.denom()
    if override:
        return parse_amount(override, denom), "--max-fee"
    if policy:
        return parse_amount(policy, denom), "the plan's [policy] max_fee"
    if network.max_fee:
        from wallet.network_tables import _user_tables

        where = "the networks file" if _user_tables().get(network.key, {}).get("max_fee") else "the network preset"
        return parse_amount(network.max_fee, denom), f"{network.key} max_fee in {where}"
    return 10 ** denom.decimals // 10, f"the default for {network.key} (0.1 {denom.symbol})"


def check(network: NetworkConfig, quote: FeeQuote, *, override: str | None = None,
          policy: str | None = None) -> PlanCheck:
    """The passed "fee cap" check of a plan, or FeeRefused with the numbers."""
    from wallet.models import PlanCheck
    from wallet.units import format_amount

    denom = network.denom.denom()

    def amt(v: int) -> str:
        return format_amount(v, denom)

    def gwei(v: int) -> str:
        return f"{v / 10**9:,.3f} gwei" if network.denom.decimals == 18 else f"{v:,} {denom.base}"

    cap, where = cap_of(network, override=override, policy=policy)
    problems: list[str] = []
    if quote.max_fee_per_gas is not None and quote.base_fee is not None:
        ceiling = network.max_fee_multiple * max(quote.base_fee, quote.base_fee_floor)
        if quote.max_fee_per_gas > ceiling:
            problems.append(f"max fee per gas {gwei(quote.max_fee_per_gas)} is over {network.max_fee_multiple} × "
                            f"the latest base fee ({gwei(quote.base_fee)})")
    if quote.gas is not None:
        if quote.gas_ceiling is not None and quote.gas > quote.gas_ceiling:
            problems.append(f"gas {quote.gas:,} is over the limit of {quote.gas_ceiling:,}")
        if quote.simulated_gas is not None:
            num, den = quote.gas_margin
            allowed = quote.simulated_gas * num // den + quote.gas_slack
            if quote.gas > allowed:
                problems.append(f"gas {quote.gas:,} is over the simulated {quote.simulated_gas:,} with its margin")
    if quote.max_fee > cap:
        problems.append(f"the fee may reach {amt(quote.max_fee)}, over the cap of {amt(cap)} ({where})")
    elif problems:
        problems.append(f"the fee may reach {amt(quote.max_fee)} (cap {amt(cap)}, {where})")
    if problems:
        raise FeeRefused("refusing to sign: " + "; ".join(problems))
    return PlanCheck(name="fee cap", ok=True, detail=f"at most {amt(quote.max_fee)}; cap {amt(cap)} ({where})")


def recheck(plan: Plan, network: NetworkConfig, *, override: str | None = None, policy: str | None = None) -> None:
    """Right before signing: the plan's own quote (kept in `plan.payload["fee_quote"]`) against the cap."""
    raw = plan.payload.get("fee_quote")
    if isinstance(raw, dict):
        check(network, FeeQuote.from_dict(raw), override=override, policy=policy)
    elif plan.fee_estimate is not None:
        check(network, FeeQuote(max_fee=plan.fee_estimate), override=override, policy=policy)
