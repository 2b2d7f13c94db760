"""The headless command line (`polis`). The parser builds without importing any heavy library."""

from wallet.cli.main import main

__all__ = ["main"]
