"""Compile the devnet contracts with solc-js (`node devnet/compile.js`), cached by source hash."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from wallet.devnet import DevnetError, devnet_dir

ARTIFACT_NAMES = ("PolisToken", "PolisTokenTs", "PolisGovernor", "TimelockController", "PolisBravo", "PolisAlpha",
                  "PolisComp", "PolisFractional", "PolisLateQuorum", "PolisOverridable", "PolisTokenExt")

_memo: dict[str, dict[str, dict]] = {}


def _package_version(root: Path, package: str) -> str:
    manifest = root / "node_modules" / package / "package.json"
    try:
        return json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "missing"


def _cache_key(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted((root / "contracts").glob("*.sol")) + [root / "compile.js"]:
        h.update(path.name.encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    for package in ("solc", "@openzeppelin/contracts"):
        h.update(f"{package}@{_package_version(root, package)}\0".encode())
    return h.hexdigest()


def artifacts_path() -> Path:
    return devnet_dir() / "build" / "artifacts.json"


def compile_contracts(force: bool = False) -> dict[str, dict]:
    """Return {name: {"abi": [...], "bytecode": "0x..."}} for the devnet contracts.

    Compiles on first use and caches in `devnet/build/artifacts.json`, keyed by a hash of the
    sources, compile.js and the solc / OpenZeppelin versions installed.
    """
    root = devnet_dir()
    node_modules = root / "node_modules"
    if not (node_modules / "solc").is_dir() or not (node_modules / "@openzeppelin" / "contracts").is_dir():
        raise DevnetError(
            f"the devnet npm packages are missing in {node_modules}",
            hint=f"run `npm ci` in {root}",
        )
    key = _cache_key(root)
    if not force and key in _memo:
        return _memo[key]
    out = artifacts_path()
    if not force and out.is_file():
        try:
            cached = json.loads(out.read_text())
            if cached.get("key") == key and all(n in cached["artifacts"] for n in ARTIFACT_NAMES):
                _memo[key] = cached["artifacts"]
                return cached["artifacts"]
        except (OSError, ValueError, KeyError, TypeError):
            pass

    node = shutil.which("node")
    if node is None:
        raise DevnetError("node is not installed; the devnet contracts are compiled with solc-js")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f"artifacts.{os.getpid()}.tmp.json")
    proc = subprocess.run(
        [node, str(root / "compile.js"), str(tmp)],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        detail = (proc.stderr or proc.stdout).strip()
        raise DevnetError(f"compiling the devnet contracts failed:\n{detail}", hint=f"run `npm ci` in {root}")
    compiled = json.loads(tmp.read_text())
    tmp.unlink(missing_ok=True)
    artifacts = compiled["artifacts"]
    missing = [n for n in ARTIFACT_NAMES if n not in artifacts]
    if missing:
        raise DevnetError(f"compile.js did not produce {', '.join(missing)}")
    doc = {"key": key, "solcVersion": compiled.get("solcVersion"), "artifacts": artifacts}
    tmp.write_text(json.dumps(doc))
    os.replace(tmp, out)  # atomic: parallel test workers never read a half-written file
    _memo[key] = artifacts
    return artifacts
