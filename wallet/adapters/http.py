"""What the HTTP clients of every adapter share: waiting before a retry, size-capped reads."""

from __future__ import annotations

import time
from typing import Any


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


def read_capped(resp: Any, limit: int, url: str) -> bytes:
    """The body of a streamed httpx response, or RpcError once it passes `limit` bytes."""
    from wallet.errors import RpcError

    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RpcError(f"{url} sent {int(declared) // 2**20} MB, more than the {limit // 2**20} MB allowed")
    chunks, size = [], 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise RpcError(f"{url} sent more than the {limit // 2**20} MB allowed")
        chunks.append(chunk)
    return b"".join(chunks)
