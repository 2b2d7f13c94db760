"""Deploy a Polis test DAO on a devnet: "oz" (Governor + TimelockController, block clock),
"oz_timestamp" (same on an ERC-6372 timestamp token), "oz_fractional" (GovernorCountingFractional),
"oz_late_quorum" (GovernorPreventLateQuorum), "bravo" (PolisBravo, its own treasury) or "alpha"
(PolisAlpha, GovernorAlpha's interface, on PolisComp: a Comp-style token with 6 decimals)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from wallet.devnet import DevnetError

if TYPE_CHECKING:
    from wallet.devnet.anvil import Anvil, RpcClient

KINDS = ("oz", "oz_timestamp", "oz_fractional", "oz_late_quorum", "bravo", "alpha")
COMPOUND_KINDS = ("bravo", "alpha")
OZ_GOVERNORS = {"oz": "PolisGovernor", "oz_timestamp": "PolisGovernor", "oz_fractional": "PolisFractional",
                "oz_late_quorum": "PolisLateQuorum"}

TOKEN_UNIT = 10**18
ADMIN_TOKENS = 10_000_000  # whole tokens minted to the deployer, self-delegated
TREASURY_TOKENS = 1_000_000  # whole tokens minted to the timelock (OZ) or the governor (Bravo, Alpha)
ADMIN_SUPPLY = ADMIN_TOKENS * TOKEN_UNIT  # of an 18-decimal token
TREASURY_SUPPLY = TREASURY_TOKENS * TOKEN_UNIT
ALPHA_DECIMALS = 6  # the Comp-style token of an "alpha" DAO
LATE_QUORUM_EXTENSION = 20  # blocks a late quorum keeps an "oz_late_quorum" proposal open
TIMELOCK_DELAY = 60  # seconds, OZ TimelockController minDelay and Bravo queue delay
BRAVO_GRACE_PERIOD = 600  # seconds after eta before a queued Bravo proposal is Expired
DEFAULT_VOTING_PERIOD = {"oz": 50, "oz_timestamp": 86_400, "oz_fractional": 50, "oz_late_quorum": 50,
                         "bravo": 50, "alpha": 50}

ZERO_ADDRESS = "0x" + "00" * 20
DEFAULT_ADMIN_ROLE = "0x" + "00" * 32


# --------------------------------------------------------------------------- ABI helpers


def keccak_hex(data: bytes | str) -> str:
    from eth_utils import keccak

    return "0x" + keccak(data.encode() if isinstance(data, str) else data).hex()


def selector(signature: str) -> bytes:
    from eth_utils import keccak

    return keccak(text=signature)[:4]


def arg_types(signature: str) -> list[str]:
    """`f(address,uint256[],(uint8,bool))` -> ["address", "uint256[]", "(uint8,bool)"]."""
    inner = signature[signature.index("(") + 1 : signature.rindex(")")]
    types, depth, cur = [], 0, ""
    for ch in inner:
        if ch == "," and depth == 0:
            types.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    if cur:
        types.append(cur)
    return types


def encode_args(signature: str, args: Sequence[Any]) -> bytes:
    from eth_abi import encode

    return encode(arg_types(signature), list(args))


def encode_call(signature: str, *args: Any) -> str:
    """0x-hex calldata for `signature` (e.g. "transfer(address,uint256)") with `args`."""
    return "0x" + (selector(signature) + encode_args(signature, args)).hex()


def decode_result(types: Sequence[str], data: str) -> tuple:
    from eth_abi import decode

    return decode(list(types), bytes.fromhex(data.removeprefix("0x")))


def checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address(address)


def call(rpc: Anvil | RpcClient | str, to: str, signature: str, *args: Any, returns: Sequence[str] = ("uint256",),
         block: str = "latest") -> Any:
    """eth_call `signature` on `to`; one return type gives a scalar, several a tuple."""
    from wallet.devnet.anvil import as_client

    data = as_client(rpc).rpc("eth_call", {"to": to, "data": encode_call(signature, *args)}, block)
    out = decode_result(returns, data)
    return out[0] if len(returns) == 1 else out


# ------------------------------------------------------------------------ transactions


def send_tx(rpc: Anvil | RpcClient | str, tx: dict[str, Any], *, timeout_blocks: int = 3) -> dict[str, Any]:
    """Send one transaction with eth_sendTransaction, make sure it is mined, return its receipt.

    Raises DevnetError if it reverted. Works whether automine is on or off.
    """
    from wallet.devnet.anvil import as_client

    client = as_client(rpc)
    if "gas" not in tx:
        # Pad the estimate: on a timestamp clock the block that includes the transaction can
        # carry a later second than the estimate saw, and a fresh checkpoint costs more gas.
        estimate = int(client.rpc("eth_estimateGas", tx), 16)
        tx = {**tx, "gas": hex(estimate * 3 // 2 + 50_000)}
    tx_hash = client.rpc("eth_sendTransaction", tx)
    receipt = client.rpc("eth_getTransactionReceipt", tx_hash)
    tries = 0
    while receipt is None:
        if tries >= timeout_blocks:
            raise DevnetError(f"transaction {tx_hash} was not mined")
        client.rpc("evm_mine")
        tries += 1
        receipt = client.rpc("eth_getTransactionReceipt", tx_hash)
    if int(receipt["status"], 16) != 1:
        raise DevnetError(f"transaction {tx_hash} reverted (to={tx.get('to')}, from={tx.get('from')})")
    return receipt


def transact(rpc: Anvil | RpcClient | str, sender: str, to: str, signature: str, *args: Any,
             value: int = 0, gas: int | None = None) -> dict[str, Any]:
    tx: dict[str, Any] = {"from": sender, "to": to, "data": encode_call(signature, *args)}
    if value:
        tx["value"] = hex(value)
    if gas:
        tx["gas"] = hex(gas)
    return send_tx(rpc, tx)


def deploy_contract(rpc: Anvil | RpcClient | str, sender: str, artifact: dict, ctor: str = "",
                    *args: Any) -> tuple[str, int]:
    """Deploy `artifact`; `ctor` is the constructor's type list, e.g. "(string,string)". Returns (address, block)."""
    data = artifact["bytecode"]
    if ctor:
        data += encode_args(f"constructor{ctor}", args).hex()
    receipt = send_tx(rpc, {"from": sender, "data": data, "gas": hex(15_000_000)})
    return checksum(receipt["contractAddress"]), int(receipt["blockNumber"], 16)


# ------------------------------------------------------------------------------ deploy


@dataclass
class DaoDeployment:
    kind: str  # one of KINDS
    token: str
    governor: str
    timelock: str | None
    deploy_block: int
    chain_id: int
    admin: str  # the anvil account that deployed; holds ADMIN_SUPPLY, self-delegated
    voting_delay: int  # in the clock's unit (blocks, or seconds for oz_timestamp)
    voting_period: int
    clock_mode: str = "blocknumber"  # "blocknumber" | "timestamp"
    treasury: str = ""  # holds TREASURY_SUPPLY: the timelock (OZ) or the governor (Bravo)
    quorum_percent: int = 4
    token_name: str = ""
    token_symbol: str = ""
    token_decimals: int = 18
    vote_extension: int = 0  # GovernorPreventLateQuorum's extension ("oz_late_quorum"), in clock units

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def is_bravo(self) -> bool:
        return self.kind == "bravo"

    @property
    def is_alpha(self) -> bool:
        return self.kind == "alpha"

    @property
    def is_compound(self) -> bool:
        """Compound-style governor (Bravo or Alpha): sequential ids, signatures + calldatas, own treasury."""
        return self.kind in COMPOUND_KINDS

    @property
    def unit(self) -> int:
        """Base units of one whole token."""
        return 10**self.token_decimals

    @property
    def is_timestamp(self) -> bool:
        return self.clock_mode == "timestamp"


def deploy_dao(
    rpc: Anvil | RpcClient | str,
    kind: str = "oz",
    voting_delay: int = 1,
    voting_period: int | None = None,
    quorum_percent: int = 4,
    token_name: str = "Polis Devnet Token",
    token_symbol: str = "PDT",
    *,
    proposal_threshold: int = 0,
    bravo_grace_period: int = BRAVO_GRACE_PERIOD,
    token_decimals: int | None = None,
    vote_extension: int = LATE_QUORUM_EXTENSION,
) -> DaoDeployment:
    """Deploy a token and governor of `kind`. voting_period defaults to 50 blocks (block clocks)
    or 86,400 seconds (oz_timestamp: its clock follows wall time, so short periods run out).
    `token_decimals` (Comp-style token of "alpha" only) defaults to 6."""
    from wallet.devnet.anvil import as_client
    from wallet.devnet.compile import compile_contracts

    if kind not in KINDS:
        raise DevnetError(f"unknown DAO kind {kind!r}; expected one of {', '.join(KINDS)}")
    if voting_period is None:
        voting_period = DEFAULT_VOTING_PERIOD[kind]
    client = as_client(rpc)
    art = compile_contracts()
    chain_id = int(client.rpc("eth_chainId"), 16)
    admin = checksum(client.rpc("eth_accounts")[0])

    decimals = 18
    if kind == "alpha":
        decimals = ALPHA_DECIMALS if token_decimals is None else token_decimals
        token, deploy_block = deploy_contract(client, admin, art["PolisComp"], "(string,string,uint8)",
                                              token_name, token_symbol, decimals)
    else:
        token_art = art["PolisTokenTs" if kind == "oz_timestamp" else "PolisToken"]
        token, deploy_block = deploy_contract(client, admin, token_art, "(string,string)", token_name, token_symbol)
    unit = 10**decimals
    transact(client, admin, token, "mint(address,uint256)", admin, ADMIN_TOKENS * unit)
    transact(client, admin, token, "delegate(address)", admin)

    timelock: str | None = None
    if kind in COMPOUND_KINDS:
        quorum_votes = (ADMIN_TOKENS + TREASURY_TOKENS) * unit * quorum_percent // 100
        governor, _ = deploy_contract(
            client, admin, art["PolisAlpha" if kind == "alpha" else "PolisBravo"],
            "(address,uint256,uint256,uint256,uint256,uint256,uint256)",
            token, voting_delay, voting_period, proposal_threshold, quorum_votes, TIMELOCK_DELAY, bravo_grace_period,
        )
        treasury = governor
    else:
        timelock, _ = deploy_contract(
            client, admin, art["TimelockController"], "(uint256,address[],address[],address)",
            TIMELOCK_DELAY, [], [ZERO_ADDRESS], admin,
        )
        if kind == "oz_late_quorum":
            governor, _ = deploy_contract(
                client, admin, art["PolisLateQuorum"], "(address,address,uint48,uint32,uint256,uint256,uint48)",
                token, timelock, voting_delay, voting_period, proposal_threshold, quorum_percent, vote_extension,
            )
        else:
            governor, _ = deploy_contract(
                client, admin, art[OZ_GOVERNORS[kind]], "(address,address,uint48,uint32,uint256,uint256)",
                token, timelock, voting_delay, voting_period, proposal_threshold, quorum_percent,
            )
        for role in ("PROPOSER_ROLE", "CANCELLER_ROLE"):
            role_id = keccak_hex(role)
            transact(client, admin, timelock, "grantRole(bytes32,address)", bytes.fromhex(role_id[2:]), governor)
        transact(client, admin, timelock, "renounceRole(bytes32,address)", bytes(32), admin)
        treasury = timelock
    transact(client, admin, token, "mint(address,uint256)", treasury, TREASURY_TOKENS * unit)

    return DaoDeployment(
        kind=kind,
        token=token,
        governor=governor,
        timelock=timelock,
        deploy_block=deploy_block,
        chain_id=chain_id,
        admin=admin,
        voting_delay=voting_delay,
        voting_period=voting_period,
        clock_mode="timestamp" if kind == "oz_timestamp" else "blocknumber",
        treasury=treasury,
        quorum_percent=quorum_percent,
        token_name=token_name,
        token_symbol=token_symbol,
        token_decimals=decimals,
        vote_extension=vote_extension if kind == "oz_late_quorum" else 0,
    )
