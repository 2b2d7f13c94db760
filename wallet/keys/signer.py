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


def _rlp(item: object) -> bytes:
    """Recursive Length Prefix encoding of bytes and lists (what a type-2 transaction needs)."""
    if isinstance(item, list):
        body = b"".join(_rlp(x) for x in item)
        return _rlp_len(len(body), 0xC0) + body
    assert isinstance(item, bytes)
    if len(item) == 1 and item[0] < 0x80:
        return item
    return _rlp_len(len(item), 0x80) + item


def _rlp_len(n: int, offset: int) -> bytes:
    if n < 56:
        return bytes([offset + n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(raw)]) + raw


def _int(v: int) -> bytes:
    return int(v).to_bytes((int(v).bit_length() + 7) // 8, "big") if v else b""


def _hex(v: str | bytes | None) -> bytes:
    if v is None:
        return b""
    if isinstance(v, bytes):
        return v
    return bytes.fromhex(v[2:] if v[:2] in ("0x", "0X") else v)


class EvmSigner:
    """Signs EVM transactions and EIP-712 messages with a local secp256k1 key.

    EIP-1559 transactions are encoded here and signed with libsecp256k1 (coincurve, RFC 6979, low-s):
    importing eth-account costs ~0.7 s, more than a whole batch of votes takes to sign. Tests check
    the bytes equal eth-account's. Other transaction types and EIP-712 go through eth-account.
    """

    family = "evm"

    def __init__(self, private_key: bytes) -> None:
        from coincurve import PrivateKey, PublicKey

        from wallet.adapters.evm.codec import checksum

        self.__key = PrivateKey(bytes(private_key))
        pub = PublicKey.from_secret(bytes(private_key)).format(compressed=False)[1:]
        from Crypto.Hash import keccak

        self.address: str = checksum(keccak.new(digest_bits=256, data=pub).hexdigest()[-40:])

    def _account(self):  # type: ignore[no-untyped-def]
        from eth_account import Account

        return Account.from_key(self.__key.secret)

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        if tx.get("type") not in (2, "0x2") or "maxFeePerGas" not in tx or tx.get("accessList"):
            return bytes(self._account().sign_transaction(tx).raw_transaction)
        from Crypto.Hash import keccak

        fields = [_int(tx["chainId"]), _int(tx["nonce"]), _int(tx["maxPriorityFeePerGas"]),
                  _int(tx["maxFeePerGas"]), _int(tx["gas"]), _hex(tx.get("to")), _int(tx.get("value", 0)),
                  _hex(tx.get("data", "0x")), []]
        digest = keccak.new(digest_bits=256, data=b"\x02" + _rlp(fields)).digest()
        sig = self.__key.sign_recoverable(digest, hasher=None)  # r (32) ‖ s (32) ‖ recovery id (1)
        r, s_, v = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:64], "big"), sig[64]
        return b"\x02" + _rlp([*fields, _int(v), _int(r), _int(s_)])

    def sign_typed_data(self, full_message: dict[str, Any]) -> bytes:
        """Sign an EIP-712 document {domain, types, primaryType, message}; 65-byte r‖s‖v."""
        from eth_account.messages import encode_typed_data

        signable = encode_typed_data(full_message=full_message)
        return bytes(self._account().sign_message(signable).signature)

    def __repr__(self) -> str:
        return f"EvmSigner({self.address})"

    __str__ = __repr__
