"""Cosmos SDK error codes turned into messages a person can act on.

A tx result carries (codespace, code, raw_log); a failed simulate or query is a gRPC-gateway error
{code, message} whose message embeds the SDK error text, so both are matched: by code first, then by
the SDK's own error strings.
"""

from __future__ import annotations

from wallet.errors import RpcError

# codespace "sdk" (cosmos-sdk types/errors): the ones a wallet meets.
SDK_CODES: dict[int, tuple[str, str]] = {
    2: ("tx_decode", "the node could not decode the transaction"),
    3: ("invalid_sequence", "the account sequence is invalid"),
    4: ("unauthorized", "the signature did not verify (wrong chain id, account number or key)"),
    5: ("insufficient_funds", "the account has insufficient funds for this transaction and its fee"),
    7: ("invalid_address", "an address in the transaction is invalid"),
    8: ("invalid_pubkey", "the public key does not match the account"),
    9: ("unknown_address", "the account does not exist on chain yet (it needs a first deposit)"),
    11: ("out_of_gas", "the transaction ran out of gas"),
    13: ("insufficient_fee", "the fee is below the node's minimum gas price"),
    19: ("tx_in_mempool", "this exact transaction is already in the node's mempool"),
    32: ("wrong_sequence", "the account sequence changed (another transaction was sent from this account)"),
}
# The SDK's error strings, for errors that reach us as text (simulate, gRPC-gateway).
TEXT_CODES: tuple[tuple[str, int], ...] = (
    ("incorrect account sequence", 32),
    ("account sequence mismatch", 32),
    ("insufficient funds", 5),
    ("out of gas", 11),
    ("insufficient fee", 13),
    ("signature verification failed", 4),
    ("unauthorized", 4),
    ("tx already in mempool", 19),
)
WRONG_SEQUENCE = 32
TX_IN_MEMPOOL = 19


class LcdError(RpcError):
    """An LCD answer that is an error: HTTP status, gRPC code and the node's message."""

    def __init__(self, message: str, *, status: int, code: int | None = None) -> None:
        super().__init__(message, code=code)
        self.status = status


def sdk_code_of(codespace: str, code: int, text: str) -> int | None:
    """The codespace-"sdk" error code of a result or an error text, if it is one we know."""
    if codespace == "sdk" and code in SDK_CODES:
        return code
    low = (text or "").lower()
    for needle, c in TEXT_CODES:
        if needle in low:
            return c
    return None


def explain(codespace: str, code: int, raw_log: str) -> str:
    """One clear sentence, then the node's own words (kept as data; the CLI cleans them)."""
    sdk = sdk_code_of(codespace, code, raw_log)
    log = (raw_log or "").strip()[:300]
    if sdk is not None:
        name, text = SDK_CODES[sdk]
        hint = {
            11: " (raise extra.gas_adjustment for this network)",
            13: " (raise extra.gas_price for this network)",
            4: " (check the network's chain id and that the node is the right chain)",
        }.get(sdk, "")
        return f"{text}{hint} [{codespace or 'sdk'} {code}: {name}] — node said: {log}"
    where = f"{codespace} {code}" if codespace else f"code {code}"
    return f"the chain rejected the transaction [{where}] — node said: {log}"
