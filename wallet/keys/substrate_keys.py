"""Substrate (sr25519, SS58) keys: the "substrate" key scheme of the vault, its signer, address helpers.

Derivation follows the Substrate convention that btcli and polkadot.js use for a mnemonic: the
sr25519 mini secret is PBKDF2 over the BIP-39 *entropy* (bip-utils `SubstrateBip39SeedGenerator`),
not the BIP-44 seed. Account index 0 is that root key, so a btcli user who imports their coldkey
mnemonic gets the same SS58 address btcli shows; index i > 0 is the hard junction `//i`.

A vault secret of this scheme may also be a raw sr25519 key imported from a btcli keyfile: the text
"sr25519:0x…" holding the 32-byte mini secret or the 64-byte expanded secret key (see btcli_import).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wallet.errors import BadInput, VaultError
from wallet.keys.derive import Derived, KeyScheme, register_scheme

SS58_FORMAT = 42
"""The generic Substrate prefix; Bittensor (finney, test, local) uses it."""
RAW_PREFIX = "sr25519:"
"""Marks a vault secret that is a raw sr25519 key, not a mnemonic."""


# --- addresses ---------------------------------------------------------------------------------

def ss58_encode(public_key: bytes, ss58_format: int = SS58_FORMAT) -> str:
    from bip_utils import SS58Encoder

    if len(public_key) != 32:
        raise BadInput("an sr25519 public key is 32 bytes")
    return str(SS58Encoder.Encode(public_key, ss58_format))


def ss58_decode(address: str, ss58_format: int | None = SS58_FORMAT) -> bytes:
    """The 32-byte public key of an SS58 address; BadInput on a bad checksum or another network's
    prefix. A 0x-prefixed 64-hex public key is accepted too."""
    from bip_utils import SS58Decoder

    text = (address or "").strip()
    if text.startswith("0x") and len(text) == 66:
        try:
            return bytes.fromhex(text[2:])
        except ValueError:
            raise BadInput(f"not a public key: {address!r}") from None
    try:
        fmt, key = SS58Decoder.Decode(text)
    except Exception:  # bip-utils raises ValueError / SS58ChecksumError; the text holds no secret
        raise BadInput(f"not a valid SS58 address: {address!r}") from None
    if len(key) != 32:
        raise BadInput(f"{address!r} is not a 32-byte account address")
    if ss58_format is not None and fmt != ss58_format:
        raise BadInput(f"{address!r} uses SS58 prefix {fmt}, this network uses {ss58_format}")
    return bytes(key)


def normalise_address(address: str, ss58_format: int = SS58_FORMAT) -> str:
    """Canonical SS58 form of an address or 0x public key (checksum verified)."""
    return ss58_encode(ss58_decode(address, None if address.strip().startswith("0x") else ss58_format),
                       ss58_format)


def is_ss58(address: str, ss58_format: int = SS58_FORMAT) -> bool:
    try:
        ss58_decode(address, ss58_format)
        return True
    except BadInput:
        return False


# --- keys --------------------------------------------------------------------------------------

def secret_key(phrase: str, index: int = 0) -> bytes:
    """The 64-byte sr25519 secret key (key ‖ nonce) of a mnemonic or a raw "sr25519:0x…" secret."""
    import sr25519

    if phrase.startswith(RAW_PREFIX):
        if index:
            raise VaultError("a raw sr25519 key has no HD accounts (index must be 0)")
        try:
            raw = bytes.fromhex(phrase[len(RAW_PREFIX):].removeprefix("0x"))
        except ValueError:
            raise VaultError("the stored sr25519 key is corrupt") from None
        if len(raw) == 32:
            return bytes(sr25519.pair_from_seed(raw)[1])
        if len(raw) == 64:
            return raw
        raise VaultError("the stored sr25519 key is corrupt (wrong length)")
    if index < 0:
        raise BadInput("the account index must be ≥ 0")
    from bip_utils import Substrate, SubstrateBip39SeedGenerator, SubstrateCoins

    seed = SubstrateBip39SeedGenerator(phrase).Generate()
    node = (Substrate.FromSeedAndPath(seed, f"//{index}", SubstrateCoins.GENERIC) if index
            else Substrate.FromSeed(seed, SubstrateCoins.GENERIC))
    return bytes(node.PrivateKey().Raw().ToBytes())


def public_key_of(secret: bytes) -> bytes:
    import sr25519

    return bytes(sr25519.public_from_secret_key(secret))


def path_of(index: int) -> str:
    return "sr25519 (mnemonic root)" if index == 0 else f"sr25519 //{index}"


def _derive(phrase: str, index: int) -> Derived:
    return Derived("substrate", ss58_encode(public_key_of(secret_key(phrase, index))), path_of(index))


@dataclass(repr=False)
class SubstrateSigner:
    """Signs with a local sr25519 key. `sign` returns the 64-byte signature of the exact bytes given
    (Substrate signs the payload itself, or its blake2-256 hash when it exceeds 256 bytes — the
    caller decides, as the chain does)."""

    _secret: bytes
    family: str = "substrate"

    def __post_init__(self) -> None:
        if len(self._secret) != 64:
            raise VaultError("an sr25519 secret key is 64 bytes")
        self.public_key: bytes = public_key_of(self._secret)
        self.address: str = ss58_encode(self.public_key)

    def sign(self, message: bytes) -> bytes:
        import sr25519

        return bytes(sr25519.sign((self.public_key, self._secret), bytes(message)))

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        """`tx["payload"]`: the signature payload bytes; returns the raw signature."""
        return self.sign(tx["payload"])

    def __repr__(self) -> str:
        return f"SubstrateSigner({self.address})"

    __str__ = __repr__


def verify(signature: bytes, message: bytes, public_key: bytes) -> bool:
    import sr25519

    try:
        return bool(sr25519.verify(bytes(signature), bytes(message), bytes(public_key)))
    except Exception:
        return False


register_scheme(KeyScheme(
    name="substrate",
    derive=_derive,
    private_key=secret_key,
    signer=lambda key: SubstrateSigner(key),
))
