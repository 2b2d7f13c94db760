"""wallet/keccak.py against the reference libraries: eth-hash's Keccak-256 and eth-utils' EIP-55."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from eth_utils import keccak as eth_keccak
from eth_utils import to_checksum_address

from wallet import keccak
from wallet.adapters.evm import codec
from wallet.addresses import checksum, parse_evm_address

REPO = Path(__file__).resolve().parents[1]
rng = random.Random(1155)


def test_the_compiled_keccak_is_reached_through_ctypes() -> None:
    assert keccak.implementation_name() == "ctypes"


# The sponge's rate is 136 bytes: lengths around it and its multiples take the padding's edge cases.
LENGTHS = [0, 1, 20, 31, 32, 33, 40, 64, 135, 136, 137, 271, 272, 273, 1000, 100_000]


@pytest.mark.parametrize("n", LENGTHS)
def test_keccak256_matches_eth_hash(n: int) -> None:
    for _ in range(5):
        data = rng.randbytes(n)
        assert keccak.keccak256(data) == eth_keccak(data)


def test_the_pycryptodome_fallback_matches_too() -> None:
    fallback = keccak._load_pycryptodome()
    for n in LENGTHS:
        data = rng.randbytes(n)
        assert fallback(data) == eth_keccak(data)


def test_eip55_matches_eth_utils() -> None:
    samples = ["0x" + rng.randbytes(20).hex() for _ in range(5000)]
    samples += ["0x" + "0" * 40, "0x" + "f" * 40, "0x" + "9" * 40, "0x" + "a" * 40, "0x" + "8" * 40]
    for addr in samples:
        want = to_checksum_address(addr)
        assert checksum(addr[2:]) == want
        assert checksum(addr[2:].upper()) == want
        assert codec.address_from_word("0x" + "0" * 24 + addr[2:]) == want
        assert codec.address_from_word(bytes(12) + bytes.fromhex(addr[2:])) == want
        assert parse_evm_address(want) == want


@pytest.mark.parametrize("word", ["0x" + "0" * 24 + "zz" * 20, "0x" + "0" * 24 + "a b " * 10, "0x12", "",
                                  "0x" + "0" * 24 + "é" * 40])
def test_a_topic_that_is_no_address_is_a_decode_error(word: str) -> None:
    with pytest.raises(codec.DecodeError):
        codec.address_from_word(word)


def test_threads_share_the_state_safely() -> None:
    from concurrent.futures import ThreadPoolExecutor

    data = [rng.randbytes(rng.randrange(0, 300)) for _ in range(2000)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(keccak.keccak256, data))
    assert got == [eth_keccak(d) for d in data]


def test_checksums_load_neither_cffi_nor_pycryptodome_python_side() -> None:
    code = ("from wallet.addresses import checksum; checksum('ab' * 20)\nimport sys\n"
            "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('cffi', 'pycparser', 'Crypto')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                         env={**os.environ}).stdout.split()
    assert out == [], out
