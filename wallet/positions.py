"""Kept for callers of the old path: the positions live in `wallet.services.positions`."""

from wallet.services.positions import PositionRow, actionable_sources, positions

__all__ = ["PositionRow", "actionable_sources", "positions"]
