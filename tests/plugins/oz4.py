"""OpenZeppelin 4.9 governors (tests/contracts/Oz4Governors.sol), compiled by devnet/compile.js against
tests/js's @openzeppelin/contracts-v4 once per source hash into tests/js/build/. The tests deploy them as DAOs
of that release run them: an ERC20Votes token, a TimelockController the governor proposes to and executes
through, holders who delegate to themselves. `compile_folder` compiles any other folder of test contracts the
same way (tests/contracts/nouns)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent.parent
CONTRACTS = TESTS / "contracts"
JS = TESTS / "js"
OZ4 = JS / "node_modules" / "@openzeppelin" / "contracts-v4"
COMPILE = TESTS.parent / "devnet" / "compile.js"
OUT = JS / "build" / "oz4.json"


def _key(folder: Path, oz: Path) -> str:
    h = hashlib.sha256()
    for path in [*sorted(folder.glob("*.sol")), COMPILE, oz / "package.json"]:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def compile_folder(folder: Path, oz: Path, out: Path) -> dict[str, dict[str, Any]]:
    """{name: {abi, bytecode}} of the contracts in `folder`, compiled by devnet/compile.js against the
    OpenZeppelin package `oz` into `out` once per source hash, under a lock so parallel workers compile once."""
    if not oz.is_dir():
        pytest.fail(f"npm {oz.name} is missing: run `make setup` (npm ci in tests/js)")
    key = _key(folder, oz)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            doc = json.loads(out.read_text())
            if doc.get("key") == key:
                return doc["artifacts"]
        except (OSError, ValueError):
            pass
        tmp = out.with_name(f"{out.stem}.{os.getpid()}.tmp.json")
        node = shutil.which("node") or "node"
        proc = subprocess.run([node, str(COMPILE), str(tmp), str(folder), str(oz)],
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            pytest.fail(f"compiling {folder.relative_to(TESTS.parent)} failed:\n{proc.stderr}")
        doc = json.loads(tmp.read_text())
        doc["key"] = key
        tmp.write_text(json.dumps(doc))
        os.replace(tmp, out)
        return doc["artifacts"]


def compile_oz4() -> dict[str, dict[str, Any]]:
    return compile_folder(CONTRACTS, OZ4, OUT)


@pytest.fixture(scope="session")
def oz4_artifacts() -> dict[str, dict[str, Any]]:
    return compile_oz4()
