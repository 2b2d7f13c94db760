"""Cosmos keys: the known derivation vector, bech32 validation, re-prefixing, the DIRECT signer."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import PASSPHRASE
from tests.plugins.cosmos import ABOUT, ME_AKASH, ME_COSMOS


def test_about_mnemonic_derives_the_published_cosmos_address() -> None:
    from wallet.keys.derive import derive_all

    d = derive_all(ABOUT)["cosmos"]
    assert (d.address, d.path) == (ME_COSMOS, "m/44'/118'/0'/0/0")


def test_vault_records_cosmos_address_and_keys_show_lists_it(cli) -> None:
    from wallet.keys.vault import Vault

    meta = Vault().add_mnemonic("me", ABOUT, PASSPHRASE)
    assert meta.addresses["cosmos"] == ME_COSMOS and meta.paths["cosmos"] == "m/44'/118'/0'/0/0"
    r = cli("keys", "show", "me", "--json")
    assert r.code == 0 and ME_COSMOS in r.out


def test_cosmos_only_mnemonic_with_bad_checksum_is_refused() -> None:
    from wallet.errors import BadInput
    from wallet.keys.vault import Vault

    bad = ABOUT.replace("about", "abandon")  # cosmpy would accept it; the vault must not
    with pytest.raises(BadInput, match="checksum"):
        Vault().add_mnemonic("bad", bad, PASSPHRASE)


def test_reprefix_keeps_the_account() -> None:
    from wallet.keys.cosmos_keys import decode_bech32, reprefix

    assert reprefix(ME_COSMOS, "akash") == ME_AKASH
    assert reprefix(ME_AKASH, "cosmos") == ME_COSMOS
    assert decode_bech32(reprefix(ME_COSMOS, "fetch"))[1] == decode_bech32(ME_COSMOS)[1]


@pytest.mark.parametrize(("text", "message"), [
    (ME_AKASH[:-1] + ("q" if ME_AKASH[-1] != "q" else "p"), "checksum"),
    ("akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t", "valoper"),
    ("AkAsH19rl4cm2hmr8afy4kldpxz3fka4jguq0a3mq6x0", "mixes upper and lower"),
    ("not-an-address", "bech32"),
])
def test_account_address_validation(text: str, message: str) -> None:
    from wallet.errors import BadInput
    from wallet.keys.cosmos_keys import parse_address

    with pytest.raises(BadInput, match=message):
        parse_address(text, "akash")


def test_wrong_prefix_is_named() -> None:
    from wallet.errors import BadInput
    from wallet.keys.cosmos_keys import parse_address, reprefix

    with pytest.raises(BadInput, match="prefix 'fetch', but this network uses 'akash'"):
        parse_address(reprefix(ME_AKASH, "fetch"), "akash")
    assert parse_address(ME_AKASH.upper(), "akash") == ME_AKASH


def test_valoper_validation() -> None:
    from wallet.errors import BadInput
    from wallet.keys.cosmos_keys import parse_valoper, reprefix

    real = "akashvaloper1qx9knjqah8s0l4rhwmapsd6cuah4948jy0gf0t"
    assert parse_valoper(real, "akashvaloper") == real
    with pytest.raises(BadInput, match="starts with 'akashvaloper'"):
        parse_valoper(ME_AKASH, "akashvaloper")
    with pytest.raises(BadInput, match="starts with 'akashvaloper'"):
        parse_valoper(reprefix(real, "fetchvaloper"), "akashvaloper")


def test_signer_signs_sign_docs_that_verify_with_low_s() -> None:
    import ecdsa

    from wallet.keys.cosmos_keys import CosmosSigner, cosmos_private_key
    from wallet.keys.derive import mnemonic_seed

    s = CosmosSigner(cosmos_private_key(mnemonic_seed(ABOUT)))
    assert s.address == ME_COSMOS and len(s.public_key) == 33 and "priv" not in repr(s).lower()
    vk = ecdsa.VerifyingKey.from_string(s.public_key, curve=ecdsa.SECP256k1, hashfunc=hashlib.sha256)
    for i in range(20):
        doc = f"sign doc {i}".encode()
        sig = s.sign_direct(doc)
        assert len(sig) == 64 and vk.verify(sig, doc)
        assert int.from_bytes(sig[32:], "big") <= ecdsa.SECP256k1.order // 2
        assert s.sign_direct(doc) == sig  # RFC 6979: deterministic


def test_unlocked_vault_gives_the_cosmos_signer() -> None:
    from wallet.keys.unlock import Unlocked
    from wallet.keys.vault import Vault

    v = Vault()
    meta = v.add_mnemonic("me", ABOUT, PASSPHRASE)
    signer = Unlocked(meta, v.read_secret(meta, PASSPHRASE)).signer("cosmos")
    assert signer.address == ME_COSMOS and signer.family == "cosmos"


@pytest.mark.parametrize("valid", ["A12UEL5L", "a12uel5l",
                                   "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                                   "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"])
def test_bip173_valid_vectors(valid: str) -> None:
    from wallet.keys.cosmos_keys import decode_bech32, encode_bech32

    hrp, payload = decode_bech32(valid)
    assert hrp == valid.lower().rpartition("1")[0]
    if hrp != "split":  # that vector's data is not whole bytes
        assert encode_bech32(hrp, payload) == valid.lower()


@pytest.mark.parametrize("invalid", ["pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8",
                                     "10a06t8", "1qzzfhee"])
def test_bip173_invalid_vectors(invalid: str) -> None:
    from wallet.errors import BadInput
    from wallet.keys.cosmos_keys import decode_bech32

    with pytest.raises(BadInput):
        decode_bech32(invalid)


def test_pure_bech32_matches_bip_utils_and_stays_light() -> None:
    import os
    import subprocess
    import sys

    from bip_utils import Bech32Encoder

    from wallet.keys.cosmos_keys import decode_bech32, encode_bech32

    for n in range(200):
        payload, prefix = os.urandom(20 if n % 2 else 32), ("akash", "fetchvaloper", "cosmos")[n % 3]
        assert encode_bech32(prefix, payload) == Bech32Encoder.Encode(prefix, payload)
        assert decode_bech32(encode_bech32(prefix, payload)) == (prefix, payload)
    code = ("import sys; from wallet.keys.cosmos_keys import reprefix; "
            f"reprefix({ME_COSMOS!r}, 'akash'); "
            "print(sorted({'bip_utils', 'cosmpy', 'coincurve'} & set(sys.modules)))")
    from pathlib import Path

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"
