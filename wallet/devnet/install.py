"""Make the devnet usable from an installed Polis.

A wheel carries the devnet sources (contracts, compile.js, package.json, package-lock.json) as
`wallet/devnet/project/`. On the first `polis demo` they are copied into the user's data dir and
`npm ci` installs anvil, cast, solc-js and OpenZeppelin there; later runs reuse that folder until
the packaged sources change. A source tree (clone or editable install) uses `<repo>/devnet` as it is.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from wallet.devnet import DevnetError, devnet_dir, source_devnet, user_devnet_dir

PACKAGED = Path(__file__).resolve().parent / "project"
STAMP = ".polis-sources"
NODE_MIN = 18
NPM_HINT = ("install Node.js ≥ 18 with npm (Debian/Ubuntu: `apt install nodejs npm`, macOS: `brew install node`, "
            "or https://nodejs.org), then run `polis demo` again")


def packaged_sources() -> Path | None:
    """The devnet sources shipped inside the installed package, or None (a source tree has none)."""
    return PACKAGED if (PACKAGED / "package.json").is_file() and (PACKAGED / "contracts").is_dir() else None


def _source_files(root: Path) -> list[Path]:
    files = [root / name for name in ("package.json", "package-lock.json", "compile.js")]
    return [f for f in files if f.is_file()] + sorted((root / "contracts").glob("*.sol"))


def sources_digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in _source_files(root):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def node_tools() -> tuple[str, str]:
    """Paths of node and npm; a DevnetError saying what to install when either is missing or too old."""
    node, npm = shutil.which("node"), shutil.which("npm")
    missing = [name for name, path in (("Node.js", node), ("npm", npm)) if path is None]
    if missing:
        raise DevnetError(
            f"polis demo needs {' and '.join(missing)}: it installs anvil, cast, solc-js and OpenZeppelin "
            f"from the npm registry into {user_devnet_dir()} on its first run",
            hint=NPM_HINT)
    assert node is not None and npm is not None
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        major = int(version.lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        major = 0
    if major < NODE_MIN:
        raise DevnetError(f"polis demo needs Node.js ≥ {NODE_MIN} (found {version or 'an unreadable version'})",
                          hint=NPM_HINT)
    return node, npm


def unpack(src: Path, target: Path) -> None:
    """Copy the packaged sources into `target`, replacing older contracts (node_modules is kept)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(target / "contracts", ignore_errors=True)
    for path in _source_files(src):
        dest = target / path.relative_to(src)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def ensure_devnet(say: Callable[[str], None] = lambda s: None) -> Path:
    """The devnet folder, ready for compiling and starting anvil.

    `$POLIS_DEVNET_DIR` and a source tree are used as they are. An installed Polis unpacks its
    packaged sources into the user's data dir and runs `npm ci` there when they are new or changed.
    """
    if os.environ.get("POLIS_DEVNET_DIR") or source_devnet() is not None:
        return devnet_dir()
    src = packaged_sources()
    if src is None:
        raise DevnetError("this Polis installation carries no devnet sources",
                          hint="install Polis from its wheel or sdist, or run it from a clone of the repository")
    target = user_devnet_dir()
    digest = sources_digest(src)
    stamp = target / STAMP
    ready = (target / "node_modules" / ".package-lock.json").is_file()
    if ready and stamp.is_file() and stamp.read_text().strip() == digest:
        return target
    _node, npm = node_tools()
    unpack(src, target)
    say(f"installing the devnet tools (anvil, solc-js, OpenZeppelin) into {target} — first run only…")
    try:
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=target,
                              capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DevnetError(f"npm ci in {target} failed: {exc}", hint=NPM_HINT) from None
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        raise DevnetError(f"npm ci in {target} failed:\n{tail}",
                          hint="check the network connection to the npm registry, then run `polis demo` again")
    stamp.write_text(digest + "\n")
    return target
