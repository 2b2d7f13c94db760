"""Cosmos keys: derivation at m/44'/118'/0'/0/i, bech32 addresses, and a SIGN_MODE_DIRECT signer.

The vault stores one address per key scheme; for Cosmos it is the generic "cosmos1…" form. Every Cosmos
SDK chain that uses coin type 118 (Akash, Fetch.ai, …) has the same 20-byte account behind its own
bech32 prefix, so `reprefix` turns the stored address into "akash1…" or "fetch1…" without the key.
"""

from __future__ import annotations

import hashlib
from typing import Any

from wallet.errors import BadInput
from wallet.keys.derive import Derived, KeyScheme, mnemonic_seed, register_scheme

COSMOS_PATH = "m/44'/118'/0'/0/{index}"
GENERIC_PREFIX = "cosmos"


# --- bech32 (BIP-173), pure Python so offline commands can re-prefix without crypto libraries ---------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= _GEN[i] if (top >> i) & 1 else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert(data: list[int] | bytes, frm: int, to: int, pad: bool) -> list[int] | None:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to) - 1
    for value in data:
        acc = (acc << frm) | value
        bits += frm
        while bits >= to:
            bits -= to
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (to - bits)) & maxv)
    elif not pad and (bits >= frm or (acc << (to - bits)) & maxv):
        return None
    return out


def decode_bech32(address: str) -> tuple[str, bytes]:
    """(prefix, payload) of a bech32 address; BadInput on a bad checksum or malformed text."""
    text = (address or "").strip()
    if text != text.lower() and text != text.upper():
        raise BadInput(f"{address!r} mixes upper and lower case: not a bech32 address")
    text = text.lower()
    hrp, sep, data = text.rpartition("1")
    if not sep or not hrp or len(data) < 6 or len(text) > 90 or any(c not in _CHARSET for c in data) \
            or any(not 33 <= ord(c) <= 126 for c in hrp):
        raise BadInput(f"{address!r} is not a bech32 address")
    values = [_CHARSET.index(c) for c in data]
    if _polymod(_hrp_expand(hrp) + values) != 1:
        raise BadInput(f"{address!r} is not a valid bech32 address (checksum check failed)")
    payload = _convert(values[:-6], 5, 8, False)
    if payload is None:
        raise BadInput(f"{address!r} is not a valid bech32 address (bad padding)")
    return hrp, bytes(payload)


def encode_bech32(prefix: str, payload: bytes) -> str:
    data = _convert(payload, 8, 5, True) or []
    poly = _polymod(_hrp_expand(prefix) + data + [0] * 6) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return prefix + "1" + "".join(_CHARSET[d] for d in data + checksum)


def reprefix(address: str, prefix: str) -> str:
    """The same account under another bech32 prefix ("cosmos1…" -> "akash1…")."""
    _, payload = decode_bech32(address)
    return encode_bech32(prefix, payload)


def parse_address(text: str, prefix: str, what: str = "address") -> str:
    """An account address with exactly `prefix` (20- or 32-byte payload), lower-cased."""
    hrp, payload = decode_bech32(text)
    if hrp != prefix:
        hint = " (a validator? use it as a validator, not an account)" if hrp == prefix + "valoper" else ""
        raise BadInput(f"{what} {text!r} has the prefix {hrp!r}, but this network uses {prefix!r}{hint}")
    if len(payload) not in (20, 32):
        raise BadInput(f"{what} {text!r} has a {len(payload)}-byte payload; accounts have 20 or 32")
    return text.strip().lower()


def parse_valoper(text: str, valoper_prefix: str, what: str = "validator") -> str:
    """A validator operator address ("akashvaloper1…")."""
    hrp, payload = decode_bech32(text)
    if hrp != valoper_prefix:
        raise BadInput(f"{what} {text!r} has the prefix {hrp!r}; a validator here starts with "
                       f"{valoper_prefix!r}1…", hint="list them with 'polis validators -n NETWORK'")
    if len(payload) != 20:
        raise BadInput(f"{what} {text!r} has a {len(payload)}-byte payload; validators have 20")
    return text.strip().lower()


def address_of_pubkey(public_key: bytes, prefix: str = GENERIC_PREFIX) -> str:
    """bech32(prefix, RIPEMD160(SHA256(compressed secp256k1 public key)))."""
    from bip_utils.utils.crypto import Ripemd160

    return encode_bech32(prefix, bytes(Ripemd160.QuickDigest(hashlib.sha256(public_key).digest())))


# --- derivation ------------------------------------------------------------------------------------

def cosmos_private_key(seed: bytes, index: int = 0) -> bytes:
    from bip_utils import Bip44, Bip44Changes, Bip44Coins

    node = (Bip44.FromSeed(seed, Bip44Coins.COSMOS)
            .Purpose().Coin().Account(0).Change(Bip44Changes.CHAIN_EXT).AddressIndex(index))
    return bytes(node.PrivateKey().Raw().ToBytes())


def public_key_of(private_key: bytes) -> bytes:
    """Compressed 33-byte secp256k1 public key."""
    import coincurve

    return bytes(coincurve.PrivateKey(private_key).public_key.format(compressed=True))


def _derive(phrase: str, index: int) -> Derived:
    key = cosmos_private_key(mnemonic_seed(phrase), index)
    return Derived("cosmos", address_of_pubkey(public_key_of(key)), COSMOS_PATH.format(index=index))


# --- signing ---------------------------------------------------------------------------------------

class CosmosSigner:
    """Signs SIGN_MODE_DIRECT SignDocs with a local secp256k1 key (cosmpy's signer: RFC 6979, low-S).

    A hardware signer only needs the same surface: `address`, `public_key` and `sign_direct`.
    """

    family = "cosmos"

    def __init__(self, private_key: bytes) -> None:
        from cosmpy.crypto.keypairs import PrivateKey

        self._key = PrivateKey(private_key)
        self.public_key: bytes = self._key.public_key.public_key_bytes
        """Compressed secp256k1 public key (33 bytes), what goes into the tx's SignerInfo."""
        self.address: str = address_of_pubkey(self.public_key)
        """The generic "cosmos1…" form; adapters re-prefix it per network."""

    def sign_direct(self, sign_doc: bytes) -> bytes:
        """64-byte r‖s over SHA-256 of the serialised SignDoc."""
        return bytes(self._key.sign(sign_doc, deterministic=True, canonicalise=True))

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """tx = {body_bytes, auth_info_bytes, chain_id, account_number}; returns the TxRaw bytes."""
        from cosmpy.protos.cosmos.tx.v1beta1.tx_pb2 import SignDoc, TxRaw

        doc = SignDoc(body_bytes=tx["body_bytes"], auth_info_bytes=tx["auth_info_bytes"],
                      chain_id=str(tx["chain_id"]), account_number=int(tx["account_number"]))
        sig = self.sign_direct(doc.SerializeToString())
        return TxRaw(body_bytes=tx["body_bytes"], auth_info_bytes=tx["auth_info_bytes"],
                     signatures=[sig]).SerializeToString()

    def __repr__(self) -> str:
        return f"CosmosSigner({self.address})"

    __str__ = __repr__


def _signer(key: bytes) -> CosmosSigner:
    return CosmosSigner(key)


register_scheme(KeyScheme(
    name="cosmos",
    derive=_derive,
    private_key=lambda phrase, i: cosmos_private_key(mnemonic_seed(phrase), i),
    signer=_signer,
))
