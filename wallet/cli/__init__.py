"""The headless command line (`polis`). The parser builds without importing any heavy library."""

from wallet.cli.process import console as main  # the console script; in-process callers: wallet.cli.main.main

__all__ = ["main"]
