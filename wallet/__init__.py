"""Polis: a terminal-first governance and staking wallet (headless core)."""

import sys as _sys
import types as _types

__version__ = "0.1.0"

# httpx imports its command-line tool (click, pygments, rich: 100-400 ms) whenever those packages are
# installed, as they are beside Textual. Polis never runs that tool; httpx falls back to a stub `main`
# when `httpx._main` cannot provide one, so every command that talks to a node starts that much sooner.
_sys.modules.setdefault("httpx._main", _types.ModuleType("httpx._main"))
