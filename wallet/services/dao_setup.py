"""Adding a Governor DAO: what the chain says (its Governor kind, the token's symbol and decimals)
merged with what the user typed. User-given values win; a mismatch with the chain is a warning.
An address that is no Governor Polis knows is refused before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wallet.errors import NodeUnreachable, RpcError

DEFAULT_SYMBOL = "VOTES"
DEFAULT_DECIMALS = 18


@dataclass
class DaoSetup:
    fields: dict[str, Any]
    """DaoConfig fields to write: kind, adapter, token_symbol, token_decimals."""
    warnings: list[str] = field(default_factory=list)
    read_from_chain: bool = False


def resolve_dao(network: str, governor: str, token: str, *, kind: str = "auto", symbol: str | None = None,
                decimals: int | None = None, rpc_url: str | None = None) -> DaoSetup:
    """Ask the network's node about the governor and token; BadInput when the contract is no known Governor.
    A node that cannot be reached leaves the given (or default) values, with a warning."""
    from wallet.adapters.evm import kinds
    from wallet.addresses import parse_evm_address
    from wallet.networks import get_network

    net = get_network(network)
    governor = parse_evm_address(governor, "governor")
    token = parse_evm_address(token, "token")
    setup = DaoSetup(fields={"kind": kind, "token_symbol": symbol or DEFAULT_SYMBOL,
                             "token_decimals": DEFAULT_DECIMALS if decimals is None else decimals})
    try:
        facts = kinds.inspect(rpc_url or net.rpc[0], int(net.chain_id), governor, token, net.key)
    except (NodeUnreachable, RpcError) as exc:
        setup.warnings.append(f"could not read the governor and token from {net.key} ({str(exc)[:120]}); "
                              "the kind is detected on the first sync and the token's symbol and decimals are "
                              "the given or default values")
        return setup
    setup.read_from_chain = True
    titles = {k: f.title for k, f in kinds.FACTS.items()}
    if kind not in ("auto", facts.kind):
        setup.warnings.append(f"--kind {kind} was given, but the contract answers as {titles[facts.kind]}; "
                              f"using {facts.kind}")
    setup.fields["kind"] = facts.kind
    setup.fields["adapter"] = facts.adapter
    chain_symbol, chain_decimals = facts.token.symbol, facts.token.decimals
    if symbol is None:
        if chain_symbol and _symbol_ok(chain_symbol):
            setup.fields["token_symbol"] = chain_symbol
        elif chain_symbol:
            setup.warnings.append(f"the token's symbol {chain_symbol!r} cannot be used as a unit; showing "
                                  f"{DEFAULT_SYMBOL} (give --token-symbol)")
    elif chain_symbol and chain_symbol != symbol:
        setup.warnings.append(f"the token calls itself {chain_symbol!r}; keeping the given symbol {symbol!r}")
    if decimals is None:
        if chain_decimals is not None:
            setup.fields["token_decimals"] = chain_decimals
        else:
            setup.warnings.append(f"the token answers no decimals(); assuming {DEFAULT_DECIMALS}")
    elif chain_decimals is not None and chain_decimals != decimals:
        setup.warnings.append(f"the token has {chain_decimals} decimals, but {decimals} was given: amounts will "
                              f"show {10 ** abs(chain_decimals - decimals):,}× "
                              f"{'too large' if decimals < chain_decimals else 'too small'}")
    return setup


def _symbol_ok(symbol: str) -> bool:
    import re

    return re.fullmatch(r"[A-Za-z0-9._/-]{1,16}", symbol) is not None
