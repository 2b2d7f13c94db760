"""A small signer interface: an address and a few sign methods, so a hardware signer can plug in.

Signers hold key material in memory only for the life of the process; their repr never shows it.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Signer(Protocol):
    family: str
    address: str

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Sign a transaction dict; return the raw signed transaction bytes."""
        ...


class EvmSigner:
    """Signs EVM transactions and EIP-712 messages with a local secp256k1 key."""

    family = "evm"

    def __init__(self, private_key: bytes) -> None:
        from eth_account import Account

        self._account = Account.from_key(private_key)
        self.address: str = self._account.address

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        signed = self._account.sign_transaction(tx)
        return bytes(signed.raw_transaction)

    def sign_typed_data(self, full_message: dict[str, Any]) -> bytes:
        """Sign an EIP-712 document {domain, types, primaryType, message}; 65-byte r‖s‖v."""
        from eth_account.messages import encode_typed_data

        signable = encode_typed_data(full_message=full_message)
        return bytes(self._account.sign_message(signable).signature)

    def __repr__(self) -> str:
        return f"EvmSigner({self.address})"

    __str__ = __repr__
