"""The signer interface, one protocol per key scheme, so a hardware signer can implement one.

Typed the way eth-account types its signer (`BaseAccount`: an address and the sign methods): a
signer says which key scheme it signs for and its account address, and signs what its scheme
signs. Adapters check for the scheme protocol they need (`isinstance(signer, CosmosSigning)`,
else `raise wrong_scheme(signer, "Cosmos")`); actions, the unlock policy and batch runs hold any
`Signer`. The local-key signers here and in cosmos_keys / substrate_keys hold key material in
memory only for the life of the process; their repr never shows it. Nothing in wallet/keys imports
an adapter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from wallet.addresses import checksum


@runtime_checkable
class Signer(Protocol):
    """Any signer: its key scheme, its account address and a transaction signer."""

    @property
    def family(self) -> str:
        """The key scheme it signs for: "evm", "cosmos" or "substrate"."""
        ...

    @property
    def address(self) -> str:
        """The account address in the scheme's generic form (EIP-55, cosmos1…, SS58 42)."""
        ...

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """Sign a transaction in the scheme's dict form; return the raw signed bytes."""
        ...


@runtime_checkable
class EvmSigning(Signer, Protocol):
    """secp256k1 over keccak: EIP-1559 (and legacy) transactions and EIP-712 typed data.
    `sign_transaction` takes an eth-account style dict and returns the raw transaction."""

    def sign_typed_data(self, full_message: dict[str, Any]) -> bytes:
        """Sign an EIP-712 document {domain, types, primaryType, message}; 65 bytes r‖s‖v."""
        ...


@runtime_checkable
class CosmosSigning(Signer, Protocol):
    """secp256k1 over SHA-256, SIGN_MODE_DIRECT. `sign_transaction` takes {body_bytes,
    auth_info_bytes, chain_id, account_number} and returns the TxRaw bytes."""

    @property
    def public_key(self) -> bytes:
        """Compressed secp256k1 public key (33 bytes), what goes into the SignerInfo."""
        ...

    def sign_direct(self, sign_doc: bytes) -> bytes:
        """64-byte r‖s (low-s) over SHA-256 of the serialised SignDoc."""
        ...


@runtime_checkable
class SubstrateSigning(Signer, Protocol):
    """sr25519. `sign_transaction` takes {"payload": bytes} and returns the raw signature."""

    @property
    def public_key(self) -> bytes:
        """The 32-byte sr25519 public key."""
        ...

    def sign(self, message: bytes) -> bytes:
        """64-byte signature of exactly these bytes (the caller hashes payloads over 256 bytes)."""
        ...


def wrong_scheme(signer: Signer, needed: str) -> Exception:
    """The refusal an adapter raises when `isinstance(signer, <its scheme protocol>)` fails."""
    from wallet.errors import ActionRefused

    return ActionRefused(f"a {signer.family} signer cannot sign for this network (it needs {needed} signing)")


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

        self.__key = PrivateKey(bytes(private_key))
        pub = PublicKey.from_secret(bytes(private_key)).format(compressed=False)[1:]
        from Crypto.Hash import keccak

        self.address: str = checksum(keccak.new(digest_bits=256, data=pub).hexdigest()[-40:])

    def _account(self) -> Any:  # an eth_account LocalAccount (imported only for these paths)
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


if TYPE_CHECKING:  # mypy holds each local signer to its scheme's protocol
    from wallet.keys.cosmos_keys import CosmosSigner
    from wallet.keys.substrate_keys import SubstrateSigner

    _evm: type[EvmSigning] = EvmSigner
    _cosmos: type[CosmosSigning] = CosmosSigner
    _substrate: type[SubstrateSigning] = SubstrateSigner
