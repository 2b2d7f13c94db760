"""HD derivation from one mnemonic for every family.

Families register a deriver here so a vault mnemonic yields all of them; the EVM one lives here,
the Cosmos and Substrate ones come with their adapters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wallet.errors import BadInput

EVM_PATH = "m/44'/60'/0'/0/{index}"


@dataclass(frozen=True)
class Derived:
    family: str
    address: str
    path: str


Deriver = Callable[[bytes, int], Derived]
"""(bip39 seed, account index) -> public part of the derived key."""

_DERIVERS: dict[str, Deriver] = {}


def register_family(name: str, deriver: Deriver) -> None:
    _DERIVERS[name] = deriver


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


def mnemonic_seed(phrase: str) -> bytes:
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


def _derive_evm(seed: bytes, index: int) -> Derived:
    return Derived("evm", evm_address_of(evm_private_key(seed, index)), EVM_PATH.format(index=index))


register_family("evm", _derive_evm)


def derive_all(seed: bytes, index: int = 0) -> dict[str, Derived]:
    out = {}
    for name, fn in _DERIVERS.items():
        out[name] = fn(seed, index)
    return out
