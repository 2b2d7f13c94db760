"""The networks as raw TOML tables: presets beside `wallet/networks/` overlaid with the user's file.

No validation and no pydantic here, so offline commands (proposals, export) can resolve aliases and
prefixes in a millisecond; `wallet.networks` validates the same tables into models. The presets, parsed,
are kept beside them in `__pycache__` as Python keeps bytecode (see `_preset_docs`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from wallet.errors import BadInput
from wallet.paths import config_dir

PRESET_DIR = Path(__file__).resolve().parent / "networks"


def user_networks_path() -> Path:
    return config_dir() / "networks.toml"


def _read_toml(text: str, origin: str) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{origin}: {exc}") from None


_PARSED: dict[str, tuple[tuple[int, ...], dict[str, Any]]] = {}
"""Parsed TOML per file, keyed by its stat signature: the proposal screen, every vote plan and each batch step
resolve a source; a changed file is parsed again."""


def _stat_signature(path: Path) -> tuple[int, ...]:
    """What tells one state of a file from the next: inode, mtime, ctime and size (an editor's or a rename's
    write changes at least one)."""
    st = path.stat()
    return (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


def _read_cached(path: Path) -> dict[str, Any]:
    """The user's networks file parsed: from this process's copy, else the copy Polis kept when it last wrote the
    file (`keep_user_file`) while the file is still as written, else parsed."""
    sig = _stat_signature(path)
    hit = _PARSED.get(str(path))
    if hit is None or hit[0] != sig:
        doc = _load_kept(_user_compiled_path(path), sig)
        if not isinstance(doc, dict):
            doc = _read_toml(path.read_text(), str(path))
        hit = (sig, doc)
        _PARSED[str(path)] = hit
    # Callers merge and overlay these tables (top-level keys of each table, never nested values):
    # each gets its own copy of both levels.
    return {k: dict(v) for k, v in hit[1].get("networks", {}).items()}


def keep_user_file() -> None:
    """After Polis wrote the user's networks file: keep its parse for the commands that follow (as bytecode is kept;
    not under PYTHONDONTWRITEBYTECODE). Only writes keep it, so a read never writes a file; a file edited by
    hand is parsed at each start, as it always was, until Polis writes it again."""
    path = user_networks_path()
    kept_at = _user_compiled_path(path)
    try:
        os.unlink(kept_at)  # no copy of what the file held before stays behind (it may hold a URL's API key)
    except OSError:
        pass
    if sys.dont_write_bytecode:
        return
    try:
        sig = _stat_signature(path)
        doc = _read_toml(path.read_text(), str(path))
    except (OSError, BadInput):
        return
    _keep(kept_at, sig, doc, private=True)


def _user_compiled_path(path: Path) -> str:
    """Where the parsed user file is kept: its folder's `__pycache__`, readable by the user only (the file may
    hold node URLs with API keys, as the TOML does)."""
    return os.path.join(path.parent, "__pycache__", f"{path.name}.{sys.implementation.cache_tag}.marshal")


def files_signature() -> tuple[object, ...]:
    """What the networks are read from: each preset file's and the user file's path, inode, mtime and size (a
    write by set_user_table or add_dao, an editor, a replaced file changes it)."""
    import os

    presets = str(PRESET_DIR)
    paths = [os.path.join(presets, n) for n in sorted(os.listdir(presets)) if n.endswith(".toml")]
    sig: list[object] = []
    for path in (*paths, str(user_networks_path())):
        try:
            st = os.stat(path)
        except OSError:
            sig.append((path, None))
            continue
        sig.append((path, st.st_ino, st.st_mtime_ns, st.st_size))
    return tuple(sig)


_PRESETS: list[tuple[tuple[Any, ...], list[dict[str, Any]]]] = []
"""The parsed preset files of this process, with the signature they were read at."""


def _compiled_path() -> str:
    return os.path.join(PRESET_DIR, "__pycache__", f"presets.{sys.implementation.cache_tag}.marshal")


def _preset_docs() -> list[dict[str, Any]]:
    """Each preset file parsed, in name order. Parsing them costs ~5 ms a start (and loads tomllib): like
    bytecode, the parsed documents are kept in `__pycache__` beside them with the name, mtime and size of every
    file, and used while those match; where that folder cannot be written (or PYTHONDONTWRITEBYTECODE is set)
    they are parsed each time, as before. The TOML files stay the only source."""
    names = sorted(n for n in os.listdir(PRESET_DIR) if n.endswith(".toml"))
    sig = tuple((n, st.st_mtime_ns, st.st_size) for n in names for st in (os.stat(os.path.join(PRESET_DIR, n)),))
    if _PRESETS and _PRESETS[0][0] == sig:
        return _PRESETS[0][1]
    kept = _load_kept(_compiled_path(), sig)
    docs = kept if isinstance(kept, list) else None
    if docs is None:
        docs = [_read_toml(Path(PRESET_DIR, n).read_text(), n) for n in names]
        if not sys.dont_write_bytecode:
            _keep(_compiled_path(), sig, docs)
    _PRESETS[:] = [(sig, docs)]
    return docs


def _load_kept(path: str, sig: tuple[Any, ...]) -> Any:
    """The parsed documents kept at `path` when they were kept for the signature `sig`, else None (missing,
    stale or corrupt: parsed again)."""
    import marshal

    try:
        with open(path, "rb") as f:
            kept = marshal.load(f)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == sig and isinstance(kept[1], (list, dict)):
        return kept[1]
    return None


def _keep(path: str, sig: tuple[Any, ...], docs: Any, *, private: bool = False) -> None:
    """Keep parsed documents for the next start (atomically; silently not where it cannot be written). `private`:
    the folder 0700 and the file 0600."""
    import marshal

    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        data = marshal.dumps((sig, docs))  # ValueError for a value marshal cannot keep (a TOML date)
        os.makedirs(os.path.dirname(path), mode=0o700 if private else 0o777, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _preset_tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for doc in _preset_docs():
        # Callers merge and overlay these tables (top-level keys of each table): each gets its own copy of both levels.
        tables.update({k: dict(v) for k, v in doc.get("networks", {}).items()})
    return tables


def _user_tables() -> dict[str, dict[str, Any]]:
    path = user_networks_path()
    if not path.exists():
        return {}
    return _read_cached(path)


def raw_tables() -> dict[str, dict[str, Any]]:
    """Presets overlaid with the user's file, as plain TOML tables (no validation: cheap)."""
    merged = _preset_tables()
    for key, table in _user_tables().items():
        merged[key] = {**merged.get(key, {}), **{k: v for k, v in table.items() if k != "daos"}}
    return merged


def canonical_source(text: str) -> str:
    """A source filter with a network alias replaced by the network's key ("fetchhub" → "fetchai"),
    read from the raw tables so offline commands stay light."""
    key, sep, rest = text.partition("/")
    tables = raw_tables()
    if key not in tables:
        for k, t in tables.items():
            if key in (t.get("aliases") or []):
                key = k
                break
    return key + sep + rest




def _archived_sources() -> list[str]:
    from wallet.cache import open_archive

    with open_archive(readonly=True) as ar:
        return [str(r[0]) for r in ar.conn.execute("SELECT id FROM sources")]


def checked_source(text: str) -> str:
    """`canonical_source` for a filter the user typed (`-n devnet/polis`): a network, alias or source
    that neither the networks nor the archive know is BadInput naming the known ones, so a typo in a
    cron job never reads as "nothing due"."""
    import difflib

    source = canonical_source(text.strip())
    key, _, sub = source.partition("/")
    tables = raw_tables()
    table = tables.get(key)
    if table is not None and not sub:
        return source
    archived = _archived_sources()
    if source in archived or any(a.startswith(source + "/") for a in archived):
        return source
    if table is None:
        names = sorted(set(tables) | {a.partition("/")[0] for a in archived})
        close = difflib.get_close_matches(key, names, n=1)
        raise BadInput(f"unknown network {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
                       + f"; known: {', '.join(names)}")
    known = [f"{key}/{d.get('id')}" for d in table.get("daos", []) or []]
    known += [f"{key}/{s}" for s in (table.get("extra", {}) or {}).get("spaces", []) or []]
    known += [a for a in archived if a.startswith(key + "/")]
    for t in _user_tables().get(key, {}).get("daos", []) or []:
        known.append(f"{key}/{t.get('id')}")
    known = sorted(set(known))
    if source in known:
        return source
    raise BadInput(f"unknown source {source!r}; known on {key}: {', '.join(known) or 'none'}")
