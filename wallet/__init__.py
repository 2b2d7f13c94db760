"""Polis: a terminal-first governance and staking wallet (headless core)."""

__version__ = "0.1.0"
