"""HD derivation from one mnemonic for every key scheme (evm, cosmos, substrate).

Each scheme registers a `KeyScheme`: how to derive its public address and its private key from the
mnemonic, and how to make a signer from that key. EVM lives here; other schemes live in their own
modules, listed in SCHEME_MODULES and imported on first use (a missing module is skipped). A key
scheme is what an adapter's KEY_SCHEME names; it is not a network's protocol nor an adapter.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from wallet.errors import BadInput, VaultError

if TYPE_CHECKING:
    from wallet.keys.signer import Signer

EVM_PATH = "m/44'/60'/0'/0/{index}"

SCHEME_MODULES = (
    "wallet.keys.cosmos_keys",
    "wallet.keys.substrate_keys",
)
"""Modules that call `register_scheme` when imported."""


@dataclass(frozen=True)
class Derived:
    scheme: str
    address: str
    path: str


@dataclass(frozen=True)
class KeyScheme:
    name: str
    derive: Callable[[str, int], Derived]
    """(mnemonic phrase, account index) -> public address and path."""
    private_key: Callable[[str, int], bytes]
    """(mnemonic phrase, account index) -> raw private key (or seed) bytes for `signer`."""
    signer: Callable[[bytes], Signer]


_SCHEMES: dict[str, KeyScheme] = {}
_loaded = False


def register_scheme(scheme: KeyScheme) -> None:
    _SCHEMES[scheme.name] = scheme


def schemes() -> dict[str, KeyScheme]:
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in SCHEME_MODULES:
            try:
                import_module(mod)
            except ModuleNotFoundError as exc:
                if exc.name != mod:
                    raise
    return _SCHEMES


def scheme(name: str) -> KeyScheme:
    known = schemes()
    if name not in known:
        raise VaultError(f"no key scheme {name!r} (known: {', '.join(sorted(known))})")
    return known[name]


# The older names, for plug-ins and scripts written against them.
Family = KeyScheme
register_family = register_scheme
families = schemes
family = scheme


def normalise_mnemonic(text: str) -> str:
    return " ".join(text.strip().lower().split())


def validate_mnemonic(text: str) -> str:
    """Return the normalised phrase, or raise BadInput (word count, unknown word, bad checksum)."""
    from bip_utils import Bip39MnemonicValidator

    phrase = normalise_mnemonic(text)
    words = phrase.split()
    if len(words) not in (12, 15, 18, 21, 24):
        raise BadInput(f"a BIP-39 mnemonic has 12, 15, 18, 21 or 24 words, not {len(words)}")
    try:
        Bip39MnemonicValidator().Validate(phrase)
    except Exception as exc:  # bip-utils raises its own error types; their text has no secret
        kind = "checksum" if "checksum" in str(exc).lower() else "word list"
        raise BadInput(f"not a valid BIP-39 mnemonic ({kind} check failed)") from None
    return phrase


def generate_mnemonic(words: int = 24) -> str:
    from bip_utils import Bip39MnemonicGenerator, Bip39WordsNum

    sizes = {12: Bip39WordsNum.WORDS_NUM_12, 24: Bip39WordsNum.WORDS_NUM_24}
    if words not in sizes:
        raise BadInput("choose 12 or 24 words")
    return str(Bip39MnemonicGenerator().FromWordsNumber(sizes[words]))


@functools.lru_cache(maxsize=4)
def mnemonic_seed(phrase: str) -> bytes:
    """The BIP-39 seed (PBKDF2, ~2 ms); cached so deriving several families costs one."""
    from bip_utils import Bip39SeedGenerator

    return bytes(Bip39SeedGenerator(phrase).Generate())


def evm_private_key(seed: bytes, index: int = 0) -> bytes:
    from bip_utils import Bip44, Bip44Changes, Bip44Coins

    node = (
        Bip44.FromSeed(seed, Bip44Coins.ETHEREUM)
        .Purpose().Coin().Account(0).Change(Bip44Changes.CHAIN_EXT).AddressIndex(index)
    )
    return bytes(node.PrivateKey().Raw().ToBytes())


def evm_address_of(private_key: bytes) -> str:
    from eth_keys import keys

    return keys.PrivateKey(private_key).public_key.to_checksum_address()


def _evm_signer(key: bytes) -> Signer:
    from wallet.keys.signer import EvmSigner

    return EvmSigner(key)


register_scheme(KeyScheme(
    name="evm",
    derive=lambda phrase, i: Derived("evm", evm_address_of(evm_private_key(mnemonic_seed(phrase), i)),
                                     EVM_PATH.format(index=i)),
    private_key=lambda phrase, i: evm_private_key(mnemonic_seed(phrase), i),
    signer=_evm_signer,
))


def derive_all(phrase: str, index: int = 0) -> dict[str, Derived]:
    return {name: s.derive(phrase, index) for name, s in schemes().items()}
