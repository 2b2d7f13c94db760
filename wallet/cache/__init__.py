"""The local archive: SQLite (WAL, one writer) holding every proposal, tally and vote ever synced."""

from wallet.cache.db import Archive, open_archive

__all__ = ["Archive", "open_archive"]
