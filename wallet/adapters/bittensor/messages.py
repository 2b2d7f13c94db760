"""Extrinsics of the Bittensor adapter: pure call builders, the checks before signing, signing
through async-substrate-interface with an external sr25519 signature (the adapter broadcasts).

A plan's payload is {"calls": [[pallet, function, args], …], "genesis": "0x…", "era_period": N}; one
call is sent as is, several as one `Utility.batch_all` (all or nothing). At signing time the nonce
comes from `system_accountNextIndex` (which counts the account's transactions already in the pool,
unlike AccountNonceApi), the era is mortal (`--opt era=N` or `extra.era_period` blocks from the head),
the genesis hash must still be the one checked when the plan was made, and the signer must be the
plan's account. The fee is estimated on the same shape of extrinsic (mortal era, that nonce).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from wallet.errors import ActionRefused, BadInput

if TYPE_CHECKING:
    from wallet.adapters.bittensor.client import Client
    from wallet.keys.signer import SubstrateSigning

Call = tuple[str, str, dict[str, Any]]


# --- pure builders -----------------------------------------------------------------------------

def add_stake(hotkey: str, netuid: int, amount: int, limit_price: int | None = None,
              allow_partial: bool = False) -> Call:
    if limit_price is None:
        return ("SubtensorModule", "add_stake", {"hotkey": hotkey, "netuid": netuid, "amount_staked": amount})
    return ("SubtensorModule", "add_stake_limit", {"hotkey": hotkey, "netuid": netuid, "amount_staked": amount,
                                                   "limit_price": limit_price, "allow_partial": allow_partial})


def remove_stake(hotkey: str, netuid: int, alpha: int, limit_price: int | None = None,
                 allow_partial: bool = False) -> Call:
    if limit_price is None:
        return ("SubtensorModule", "remove_stake", {"hotkey": hotkey, "netuid": netuid, "amount_unstaked": alpha})
    return ("SubtensorModule", "remove_stake_limit", {"hotkey": hotkey, "netuid": netuid, "amount_unstaked": alpha,
                                                      "limit_price": limit_price, "allow_partial": allow_partial})


def unstake_all(hotkey: str) -> Call:
    return ("SubtensorModule", "unstake_all", {"hotkey": hotkey})


def move_stake(origin_hotkey: str, destination_hotkey: str, origin_netuid: int, destination_netuid: int,
               alpha: int) -> Call:
    return ("SubtensorModule", "move_stake", {"origin_hotkey": origin_hotkey, "destination_hotkey": destination_hotkey,
                                              "origin_netuid": origin_netuid, "destination_netuid": destination_netuid,
                                              "alpha_amount": alpha})


def describe(call: Call) -> str:
    pallet, fn, args = call
    return f"{pallet}.{fn}(" + ", ".join(f"{k}={v}" for k, v in args.items()) + ")"


# --- options -------------------------------------------------------------------------------------

_KNOWN = {"limit_price", "tolerance", "allow_partial", "alpha", "era"}


def parse_options(options: dict[str, str] | None) -> dict[str, Any]:
    opts = dict(options or {})
    unknown = set(opts) - _KNOWN
    if unknown:
        raise BadInput(f"unknown option(s) {', '.join(sorted(unknown))} (bittensor knows: {', '.join(sorted(_KNOWN))})")
    out: dict[str, Any] = {}
    for key in ("limit_price", "tolerance"):
        if key in opts:
            try:
                value = Decimal(opts[key])
            except InvalidOperation:
                raise BadInput(f"{key} must be a decimal number, not {opts[key]!r}") from None
            if value < 0 or (key == "tolerance" and value >= 1):
                raise BadInput(f"{key} out of range: {opts[key]}")
            out[key] = value
    if "limit_price" in out and "tolerance" in out:
        raise BadInput("give limit_price or tolerance, not both")
    for key in ("allow_partial", "alpha"):
        if key in opts:
            v = opts[key].strip().lower()
            if v not in ("true", "false", "1", "0", "yes", "no"):
                raise BadInput(f"{key} must be true or false")
            out[key] = v in ("true", "1", "yes")
    if "era" in opts:
        out["era"] = era_period(opts["era"])
    return out


ERA_MIN, ERA_MAX = 4, 65536
"""A mortal era's period is a power of two from 4 to 65,536 blocks (Substrate's MortalEra)."""


def era_period(text: str) -> int:
    """`--opt era=N`: the mortal period in blocks; BadInput unless a power of two the runtime accepts."""
    try:
        n = int(str(text).strip())
    except ValueError:
        raise BadInput(f"era must be a number of blocks, not {text!r}") from None
    if n == 0:
        raise BadInput("era=0 (immortal) is not offered: Polis signs mortal transactions only; give 4 … 65536")
    if not ERA_MIN <= n <= ERA_MAX or n & (n - 1):
        raise BadInput(f"era={n} is not a mortal period the runtime accepts: a power of two from {ERA_MIN} to "
                       f"{ERA_MAX} blocks (e.g. 64, 128, 256)")
    return n


STAKE_SIDE = {"add_stake": ("hotkey", "netuid"), "add_stake_limit": ("hotkey", "netuid"),
              "move_stake": ("destination_hotkey", "destination_netuid")}
UNSTAKE_SIDE = {"remove_stake": ("hotkey", "netuid"), "remove_stake_limit": ("hotkey", "netuid"),
                "move_stake": ("origin_hotkey", "origin_netuid"), "unstake_all": ("hotkey", None),
                "unstake_all_alpha": ("hotkey", None)}


def rate_limit_conflict(calls: list[Call]) -> tuple[Call, Call] | None:
    """The first (stake, unstake) pair of one batch on the same (hotkey, this coldkey, netuid), the stake
    first: subtensor's StakingOperationRateLimiter marks the triple on the stake and refuses the unstake in
    the same block (StakingOperationRateLimitExceeded), so the whole batch_all would revert, fee paid."""
    staked: dict[tuple[str, int], Call] = {}
    for call in calls:
        pallet, fn, args = call
        if pallet != "SubtensorModule":
            continue
        side = UNSTAKE_SIDE.get(fn)
        if side is not None:
            hk, net = args[side[0]], args[side[1]] if side[1] else None
            for (s_hk, s_net), first in staked.items():
                if s_hk == hk and (net is None or s_net == int(net)):
                    return first, call
        side = STAKE_SIDE.get(fn)
        if side is not None:
            staked.setdefault((args[side[0]], int(args[side[1]])), call)
    return None


def limit_price(opts: dict[str, Any], price: Fraction, *, buying: bool) -> int | None:
    """The limit in rao per alpha: explicit (TAO per alpha), or the current price ± tolerance."""
    if "limit_price" in opts:
        return int(Fraction(opts["limit_price"]) * 10**9)
    if "tolerance" in opts:
        tol = Fraction(opts["tolerance"])
        return int(price * (1 + tol if buying else 1 - tol) * 10**9)
    return None


# --- signing and submission ----------------------------------------------------------------------

class _PublicKey:
    """What async-substrate-interface needs of a keypair to build an externally signed extrinsic."""

    crypto_type = 1  # sr25519
    ss58_format = 42

    def __init__(self, public_key: bytes, address: str) -> None:
        self.public_key = public_key
        self.ss58_address = address

    def sign(self, data: bytes | str) -> bytes:
        raise RuntimeError("signing happens in the Polis signer")


def compose(client: Client, calls: list[Call]) -> Any:
    composed = [client.call("compose_call", p, f, a) for p, f, a in calls]
    if len(composed) == 1:
        return composed[0]
    return client.call("compose_call", "Utility", "batch_all", {"calls": [c.value for c in composed]})


def next_index(client: Client, address: str) -> int:
    """The account's next nonce counting its transactions in the pool (`system_accountNextIndex`)."""
    got = client.call("rpc_request", "system_accountNextIndex", [address])
    value = got.get("result") if isinstance(got, dict) else got
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**64:
        from wallet.errors import RpcError

        raise RpcError(f"the node's system_accountNextIndex answer is not a nonce: {str(value)[:40]!r}")
    return value


def fee_of(client: Client, calls: list[Call], public_key: bytes, address: str, era_period: int = 64) -> int:
    """TransactionPaymentApi.query_info of the extrinsic as it will be signed: mortal era of this period
    from the head and the next nonce (their encoded lengths are part of the fee)."""
    head, _ = client.head()
    info = client.call("get_payment_info", compose(client, calls), _PublicKey(public_key, address),
                       era={"period": era_period, "current": head}, nonce=next_index(client, address))
    fee = info.get("partial_fee", info.get("partialFee")) if isinstance(info, dict) else None
    if isinstance(fee, str) and fee.isdigit() and len(fee) < 40:
        fee = int(fee)
    if not isinstance(fee, int) or not 0 <= fee < 2**128:
        from wallet.errors import RpcError

        raise RpcError(f"the node's payment info has no usable fee: {str(fee)[:40]!r}")
    return fee


def sign(client: Client, calls: list[Call], signer: SubstrateSigning, era_period: int) -> tuple[bytes, int, int]:
    """The signed extrinsic's encoded bytes, the nonce and the head number it was signed with (mortal era
    of `era_period` blocks from that head). Nothing is sent."""
    call = compose(client, calls)
    nonce = next_index(client, signer.address)
    head, _ = client.head()
    era = {"period": era_period, "current": head}
    payload = client.call("generate_signature_payload", call, era=era, nonce=nonce)
    signature = signer.sign(bytes(payload.data))
    key = _PublicKey(signer.public_key, signer.address)
    ext = client.call("create_signed_extrinsic", call, key, era=era, nonce=nonce, signature=signature)
    return bytes(ext.data.data), nonce, head


def require(ok: bool, message: str, hint: str | None = None) -> None:
    if not ok:
        raise ActionRefused(message, hint=hint)
