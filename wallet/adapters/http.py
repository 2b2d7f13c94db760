"""What the HTTP clients of every adapter share about waiting before a retry."""

from __future__ import annotations

import time


def retry_after(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); `default` otherwise."""
    if not value:
        return default
    try:
        return max(0.0, float(value))  # Retry-After delta-seconds
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default
