"""Fixtures of the proposal-simulation tests: a funded DAO of each Governor kind on the devnet with a passed
3-action proposal and an open one whose second action reverts."""

from __future__ import annotations

from typing import Any

from tests.plugins.devnet import add_devnet_dao

RECIPIENT = "0x000000000000000000000000000000000000bEEF"


def deploy_funded(anvil: Any, kind: str) -> Any:
    from wallet.devnet.deploy import deploy_dao
    from wallet.devnet.proposals import deploy_direct, fund_treasury

    dep = deploy_direct(anvil) if kind == "oz_direct" else deploy_dao(anvil, kind)
    fund_treasury(anvil, dep)
    return dep


def add_source(anvil: Any, dep: Any, name: str) -> str:
    from wallet import networks

    src = add_devnet_dao(anvil.url, dep, name, kind="bravo" if dep.kind in ("bravo", "alpha") else "oz")
    networks.add_dao("devnet", {"id": name, "name": name, "kind": "auto" if dep.kind == "alpha" else
                                ("bravo" if dep.kind == "bravo" else "oz"), "governor": dep.governor,
                                "token": dep.token, "token_symbol": "PDT", "token_decimals": dep.token_decimals,
                                "start_block": dep.deploy_block}, replace=True)
    return src


def scenario(anvil: Any, kind: str, name: str) -> tuple[Any, str, str, str]:
    """A DAO with a passed 3-action proposal (pay 4,000 PDT, send 1 ETH, change a setting) and an open one
    whose second action asks for more tokens than the treasury holds."""
    from wallet.devnet.proposals import Call, pass_vote, propose, three_actions

    dep = deploy_funded(anvil, kind)
    unit = 10**dep.token_decimals
    paid = propose(anvil, dep, three_actions(dep, RECIPIENT, amount=4_000 * unit, eth=10**18, new_delay=7),
                   f"# Pay the {kind} grant\nthree actions")
    pass_vote(anvil, dep, paid)
    too_much = dep.token_decimals and 10**12 * unit
    bad = propose(anvil, dep, [Call(dep.token, "transfer(address,uint256)", (RECIPIENT, 5 * unit)),
                               Call(dep.token, "transfer(address,uint256)", (RECIPIENT, min(too_much, 2**95))),
                               Call(RECIPIENT, "", (), 1)], f"# Too much ({kind})\nthe second action reverts")
    anvil.rpc("anvil_mine", hex(40))  # the node's "safe" block (head − 32) is past the voting period
    return dep, add_source(anvil, dep, name), paid, bad
