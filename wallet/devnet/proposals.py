"""Devnet proposals with chosen actions, for simulations (tests, `make bench`): an OpenZeppelin Governor
without a timelock ("oz_direct"), proposing on any devnet DAO, and voting a proposal to Succeeded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wallet.devnet.deploy import (
    DaoDeployment,
    checksum,
    deploy_contract,
    encode_args,
    encode_call,
    selector,
    transact,
)

if TYPE_CHECKING:
    from wallet.devnet.anvil import Anvil, RpcClient

TREASURY_ETH = 5 * 10**18  # sent to every treasury by `fund_treasury`


@dataclass
class Call:
    target: str
    signature: str  # "transfer(address,uint256)"
    args: tuple[Any, ...] = ()
    value: int = 0


def deploy_direct(rpc: Anvil | RpcClient | str, *, voting_delay: int = 1, voting_period: int = 50,
                  quorum_percent: int = 4) -> DaoDeployment:
    """PolisToken + PolisGovernorDirect: the governor executes and holds the treasury itself."""
    from wallet.devnet.anvil import as_client
    from wallet.devnet.compile import compile_contracts
    from wallet.devnet.deploy import ADMIN_SUPPLY, TREASURY_SUPPLY

    client = as_client(rpc)
    art = compile_contracts()
    admin = checksum(client.rpc("eth_accounts")[0])
    token, deploy_block = deploy_contract(client, admin, art["PolisToken"], "(string,string)",
                                          "Polis Devnet Token", "PDT")
    transact(client, admin, token, "mint(address,uint256)", admin, ADMIN_SUPPLY)
    transact(client, admin, token, "delegate(address)", admin)
    governor, _ = deploy_contract(client, admin, art["PolisGovernorDirect"], "(address,uint48,uint32,uint256,uint256)",
                                  token, voting_delay, voting_period, 0, quorum_percent)
    transact(client, admin, token, "mint(address,uint256)", governor, TREASURY_SUPPLY)
    return DaoDeployment(kind="oz", token=token, governor=governor, timelock=None, deploy_block=deploy_block,
                         chain_id=int(client.rpc("eth_chainId"), 16), admin=admin, voting_delay=voting_delay,
                         voting_period=voting_period, treasury=governor, quorum_percent=quorum_percent,
                         token_name="Polis Devnet Token", token_symbol="PDT")


def fund_treasury(rpc: Anvil | RpcClient | str, dep: DaoDeployment, wei: int = TREASURY_ETH) -> None:
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    balance = int(client.rpc("eth_getBalance", dep.treasury, "latest"), 16)
    client.rpc("anvil_setBalance", dep.treasury, hex(balance + wei))


def propose(rpc: Anvil | RpcClient | str, dep: DaoDeployment, calls: list[Call], description: str) -> str:
    """Propose `calls` from the admin; Compound-style governors get signature strings + argument data."""
    from wallet.devnet.anvil import as_client
    from wallet.devnet.deploy import send_tx

    client = as_client(rpc)
    targets = [c.target for c in calls]
    values = [c.value for c in calls]
    def args(c: Call) -> bytes:
        return encode_args(c.signature, c.args) if c.signature else b""

    if dep.kind in ("bravo", "alpha"):
        data = encode_call("propose(address[],uint256[],string[],bytes[],string)", targets, values,
                           [c.signature for c in calls], [args(c) for c in calls], description)
    else:
        data = encode_call("propose(address[],uint256[],bytes[],string)", targets, values,
                           [(selector(c.signature) if c.signature else b"") + args(c) for c in calls], description)
    receipt = send_tx(client, {"from": dep.admin, "to": dep.governor, "data": data, "gas": hex(5_000_000)})
    from wallet.devnet.deploy import keccak_hex

    topic = keccak_hex("ProposalCreated(uint256,address,address[],uint256[],string[],bytes[],uint256,uint256,string)")
    for lg in receipt["logs"]:
        if lg["topics"][0] == topic:
            return str(int(lg["data"][2:66], 16))
    raise RuntimeError("no ProposalCreated in the propose receipt")


def pass_vote(rpc: Anvil | RpcClient | str, dep: DaoDeployment, pid: str) -> None:
    """The admin (most of the supply, self-delegated) votes FOR; the clock moves to the end of voting (blocks
    mined, or on a timestamp governor the chain's time moved past the deadline): Succeeded."""
    from wallet.devnet.anvil import as_client
    from wallet.devnet.clock import advance_clock_past
    from wallet.devnet.deploy import call

    client = as_client(rpc)
    if dep.is_timestamp:
        advance_clock_past(client, dep, call(client, dep.governor, "proposalSnapshot(uint256)", int(pid)))
    else:
        client.rpc("anvil_mine", hex(dep.voting_delay + 1))
    if dep.kind == "alpha":
        transact(client, dep.admin, dep.governor, "castVote(uint256,bool)", int(pid), True)
    else:
        transact(client, dep.admin, dep.governor, "castVote(uint256,uint8)", int(pid), 1)
    if dep.is_timestamp:
        advance_clock_past(client, dep, call(client, dep.governor, "proposalDeadline(uint256)", int(pid)))
    else:
        client.rpc("anvil_mine", hex(dep.voting_period + 1))
    state = call(client, dep.governor, "state(uint256)", int(pid), returns=("uint8",))
    if state != 4:
        raise RuntimeError(f"proposal {pid} is in state {state}, not Succeeded")


def three_actions(dep: DaoDeployment, recipient: str, *, amount: int, eth: int, new_delay: int) -> list[Call]:
    """Pay `amount` tokens from the treasury, send `eth` wei, and set the voting delay."""
    return [Call(dep.token, "transfer(address,uint256)", (recipient, amount)), Call(recipient, "", (), eth),
            setting_call(dep, new_delay)]


def setting_call(dep: DaoDeployment, new_delay: int) -> Call:
    """A call into the governor that changes its voting delay (Alpha has no setter: it reads the quorum)."""
    if dep.kind == "alpha":
        return Call(dep.governor, "quorumVotes()")
    if dep.kind == "bravo":
        return Call(dep.governor, "_setVotingDelay(uint256)", (new_delay,))
    return Call(dep.governor, "setVotingDelay(uint48)", (new_delay,))
