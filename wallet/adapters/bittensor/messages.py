"""Extrinsics of the Bittensor adapter: pure call builders, the checks before signing, signing and
submission through async-substrate-interface with an external sr25519 signature.

A plan's payload is {"calls": [[pallet, function, args], …], "genesis": "0x…"}; one call is sent as
is, several as one `Utility.batch_all` (all or nothing). At signing time the nonce comes from the
chain (AccountNonceApi), the era is mortal (`extra.era_period` blocks from the head), the genesis
hash must still be the one checked when the plan was made, and the signer must be the plan's account.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from wallet.errors import ActionRefused, BadInput

if TYPE_CHECKING:
    from wallet.adapters.bittensor.client import Client

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
        try:
            out["era"] = int(opts["era"])
        except ValueError:
            raise BadInput("era must be a number of blocks") from None
    return out


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


def fee_of(client: Client, calls: list[Call], public_key: bytes, address: str) -> int:
    info = client.call("get_payment_info", compose(client, calls), _PublicKey(public_key, address))
    fee = info.get("partial_fee", info.get("partialFee")) if isinstance(info, dict) else None
    if isinstance(fee, str) and fee.isdigit() and len(fee) < 40:
        fee = int(fee)
    if not isinstance(fee, int) or not 0 <= fee < 2**128:
        from wallet.errors import RpcError

        raise RpcError(f"the node's payment info has no usable fee: {str(fee)[:40]!r}")
    return fee


def sign_and_submit(client: Client, calls: list[Call], signer: Any, era_period: int) -> Any:
    """Returns the library's receipt (included in a block)."""
    call = compose(client, calls)
    nonce = int(client.call("get_account_nonce", signer.address))
    head, _ = client.head()
    era = {"period": era_period, "current": head}
    payload = client.call("generate_signature_payload", call, era=era, nonce=nonce)
    signature = signer.sign(bytes(payload.data))
    key = _PublicKey(signer.public_key, signer.address)
    ext = client.call("create_signed_extrinsic", call, key, era=era, nonce=nonce, signature=signature)
    return ext, client.call("submit_extrinsic", ext, wait_for_inclusion=True)


def events_of(receipt: Any) -> list[dict[str, Any]]:
    out = []
    for e in receipt.triggered_events:
        ev = e.get("event", e)
        attrs = ev.get("attributes")
        out.append({"module_id": ev.get("module_id"), "event_id": ev.get("event_id"),
                    "attributes": list(attrs) if isinstance(attrs, tuple) else attrs})
    return out


def require(ok: bool, message: str, hint: str | None = None) -> None:
    if not ok:
        raise ActionRefused(message, hint=hint)
