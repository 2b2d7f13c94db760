"""SingularityNET staking on the devnet: an 8-decimal AGIX stand-in and a TokenStake-compatible
contract (devnet/contracts/SnetToken.sol, SnetTokenStake.sol), plus the operator's moves that a
test needs to walk a stake window through its periods (open, reward, time travel)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from wallet.devnet.deploy import checksum, deploy_contract, transact

if TYPE_CHECKING:
    from wallet.devnet.anvil import Anvil, RpcClient

AGIX = 10**8
"""One AGIX in base units (8 decimals)."""
REWARD_POOL = 1_000_000 * AGIX


@dataclass
class SnetDeployment:
    token: str
    stake: str
    operator: str
    deploy_block: int
    chain_id: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Window:
    """Absolute unix times of one stake window's periods."""

    start: int
    submission_end: int
    approval_end: int
    request_withdraw_start: int
    end: int
    reward: int = 1_000 * AGIX
    min_stake: int = 10 * AGIX
    open_for_external: bool = True


def chain_time(rpc: Anvil | RpcClient | str) -> int:
    from wallet.devnet.anvil import as_client

    return int(as_client(rpc).rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16)


def travel_to(rpc: Anvil | RpcClient | str, ts: int) -> None:
    """Mine a block at `ts` (or one second after the head, if `ts` is already past)."""
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    client.rpc("evm_setNextBlockTimestamp", hex(max(ts, chain_time(client) + 1)))
    client.rpc("evm_mine")


MAX_MIGRATION_BLOCKS = 100
"""The published TokenStake's constructor argument: how long after deployment its owner may migrate stakes."""


def deploy_snet(rpc: Anvil | RpcClient | str, *, token_name: str = "SingularityNET Token",
                token_symbol: str = "AGIX", published: tuple[dict[str, Any], dict[str, Any]] | None = None
                ) -> SnetDeployment:
    """The token and the stake contract compiled from devnet/contracts, or `published`: SingularityNET's own
    builds of SingularityNetToken and TokenStake (abi + bytecode, as npm singularitynet-token-contracts and
    singularitynet-stake-contracts ship them), whose TokenStake also takes the migration window."""
    from wallet.devnet.anvil import as_client
    from wallet.devnet.compile import compile_contracts

    client = as_client(rpc)
    operator = checksum(client.rpc("eth_accounts")[0])
    if published:
        token_art, stake_art = published
        token, block = deploy_contract(client, operator, token_art, "(string,string)", token_name, token_symbol)
        stake, _ = deploy_contract(client, operator, stake_art, "(address,uint256)", token, MAX_MIGRATION_BLOCKS)
    else:
        art = compile_contracts()
        token, block = deploy_contract(client, operator, art["SnetToken"], "(string,string)", token_name, token_symbol)
        stake, _ = deploy_contract(client, operator, art["SnetTokenStake"], "(address)", token)
    transact(client, operator, token, "mint(address,uint256)", operator, REWARD_POOL)
    transact(client, operator, token, "transfer(address,uint256)", stake, REWARD_POOL)
    return SnetDeployment(token=token, stake=stake, operator=operator, deploy_block=block,
                          chain_id=int(client.rpc("eth_chainId"), 16))


def open_window(rpc: Anvil | RpcClient | str, dep: SnetDeployment, w: Window) -> int:
    """Open a stake window; returns its index."""
    from wallet.devnet.deploy import call

    transact(rpc, dep.operator, dep.stake,
             "openForStake(uint256,uint256,uint256,uint256,uint256,uint256,uint256,bool)",
             w.start, w.submission_end, w.approval_end, w.request_withdraw_start, w.end, w.reward, w.min_stake,
             w.open_for_external)
    return int(call(rpc, dep.stake, "currentStakeMapIndex()"))


def window_from_now(rpc: Anvil | RpcClient | str, *, lead: int = 10, submission: int = 1_000, approval: int = 1_000,
                    incubation: int = 1_000, request: int = 1_000, **kw: Any) -> Window:
    """A window starting `lead` seconds after the chain's clock, each period the given length."""
    t = chain_time(rpc) + lead
    return Window(t, t + submission, t + submission + approval, t + submission + approval + incubation,
                  t + submission + approval + incubation + request, **kw)


def add_rewards(rpc: Anvil | RpcClient | str, dep: SnetDeployment, index: int, stakers: list[str]) -> None:
    """The operator approves the pending stakes and adds rewards (during the incubation period)."""
    transact(rpc, dep.operator, dep.stake, "updateRewards(uint256,address[])", index, stakers)


def mint(rpc: Anvil | RpcClient | str, dep: SnetDeployment, to: str, amount: int) -> None:
    transact(rpc, dep.operator, dep.token, "mint(address,uint256)", to, amount)
