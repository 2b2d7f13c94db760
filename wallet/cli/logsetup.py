"""Logging for the `polis` process: warnings to stderr, records at POLIS_LOG_LEVEL to polis.log, URLs redacted.

Set up the moment anything imports the `logging` module, never before: a command that logs nothing (a read
of the archive) does not import logging and its traceback, threading and string machinery at all, and a
command that logs (a sync, a vote, anything that imports an HTTP client) is set up before its first record.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import ModuleType


def setup() -> None:
    """Warnings to stderr; everything at POLIS_LOG_LEVEL (default INFO) to polis.log in the data dir.
    Log records carry addresses, hashes and URLs (redacted: no userinfo or keys), never secrets;
    third-party libraries log at WARNING only. Nothing to do when the root logger has handlers already."""
    import logging

    root = logging.getLogger()
    if root.handlers:
        return
    from wallet.urls import RedactingFilter, quiet_third_party_loggers

    level = getattr(logging, os.environ.get("POLIS_LOG_LEVEL", "INFO").upper(), logging.INFO)
    root.setLevel(level)
    quiet_third_party_loggers()
    redacting = RedactingFilter()
    console = logging.StreamHandler(sys.stderr)
    console.addFilter(redacting)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    try:
        from wallet.paths import ensure_private_dir, log_path

        path = log_path()
        ensure_private_dir(path.parent)
        fh = logging.FileHandler(path, encoding="utf-8")
        fh.addFilter(redacting)
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(fh)
    except OSError:
        pass


class _ThenSetUp:
    """The logging module's own loader, which calls `setup` once the module has run."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        setup()

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename … for tracebacks and inspect
        return getattr(self._loader, name)


class _OnLoggingImport:
    """A `sys.meta_path` finder that answers for `logging` only: the spec the other finders give, with a loader
    that sets logging up right after the module runs; it then takes itself off the path."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != "logging":
            return None
        remove_hook()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _ThenSetUp(spec.loader)
                return spec
        return None


def set_up_when_imported() -> None:
    """`setup` now when logging is loaded already (an in-process caller), else the moment it is imported."""
    if "logging" in sys.modules:
        setup()
    elif not any(isinstance(f, _OnLoggingImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _OnLoggingImport())


def remove_hook() -> None:
    """Take the import hook off `sys.meta_path` (logging was imported, or the command is over)."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _OnLoggingImport)]
