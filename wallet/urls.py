"""Node URLs: the one check of a URL a user gives, and the one redaction of URLs Polis shows or logs.

A node URL may carry credentials (`https://user:pass@host`), an API key in its path (Infura's
`/v3/<key>`, Alchemy's `/v2/<key>`) or in its query (`?apikey=…`). Everything Polis prints, logs or
puts in an error goes through `redact` / `redact_text`, so none of them reach polis.log, a terminal's
scrollback or a bug report. Light: `re` and `urllib.parse` only (not even `logging`: the CLI imports it only
when something logs).
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urlsplit, urlunsplit

from wallet.errors import BadInput

if TYPE_CHECKING:
    import logging

SCHEMES = ("http", "https", "ws", "wss")
MAX_URL = 2048
MASK = "***"


@cache
def _secret_query() -> re.Pattern[str]:
    return re.compile(r"(?i)^(?:api[-_]?key|key|token|access[-_]?token|auth|secret|password|pass|jwt)$")


@cache
def _keylike() -> re.Pattern[str]:
    """A path segment that looks like a key: long, one token of letters and digits (Infura/Alchemy/QuickNode)."""
    return re.compile(r"^(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}$")


@cache
def _url_in_text() -> re.Pattern[str]:
    """A URL inside a message (compiled on first use: most log lines and messages carry none)."""
    return re.compile(r"\b(?:https?|wss?)://[^\s'\"<>()\[\]]+(?:\[[0-9a-fA-F:.]+\][^\s'\"<>()]*)?", re.IGNORECASE)


_METADATA_HOSTS = ("metadata.google.internal", "metadata", "instance-data", "metadata.azure.com")


def check_url(text: str, what: str = "URL") -> str:
    """A node URL the user typed: http(s) or ws(s), a host, a valid port, no spaces or control
    characters, at most MAX_URL characters. Anything else is BadInput (one line, exit 2)."""
    s = (text or "").strip()
    if not s:
        raise BadInput(f"the {what} is empty")
    if len(s) > MAX_URL:
        raise BadInput(f"the {what} is longer than {MAX_URL} characters")
    if re.search(r"[\x00-\x20\x7f-\x9f]", s):
        raise BadInput(f"the {what} {redact(s)!r} contains spaces or control characters")
    try:
        parts = urlsplit(s)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise BadInput(f"the {what} {redact(s)!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in SCHEMES:
        raise BadInput(f"the {what} {redact(s)!r} must start with http://, https://, ws:// or wss://")
    if not parts.hostname:
        raise BadInput(f"the {what} {redact(s)!r} names no host")
    return s


def link_local_warning(url: str) -> str | None:
    """A warning when a URL points at a link-local or cloud metadata address (169.254.0.0/16, fe80::/10):
    a node there is rarely what the user meant, and such hosts can answer with credentials."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    link_local = False
    try:
        link_local = ipaddress.ip_address(host).is_link_local
    except ValueError:
        link_local = host in _METADATA_HOSTS
    if link_local:
        return f"{redact(url)} points at a link-local or cloud metadata address ({host}); is that really a node?"
    return None


def redact(url: str) -> str:
    """The URL with userinfo, key-like path segments and secret query values replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _redact_loose(url)
    if not parts.scheme or not parts.netloc:
        return url
    return urlunsplit(_redacted_parts(parts))


def _redacted_parts(parts: SplitResult) -> SplitResult:
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    path = "/".join(MASK if _keylike().match(seg) else seg for seg in parts.path.split("/"))
    query = parts.query
    if query:
        pairs = []
        for pair in query.split("&"):
            name, eq, value = pair.partition("=")
            pairs.append(f"{name}={MASK}" if eq and (_secret_query().match(name) or _keylike().match(value)) else pair)
        query = "&".join(pairs)
    return parts._replace(netloc=netloc, path=path, query=query, fragment="")


def _redact_loose(url: str) -> str:
    """For text that does not even parse as a URL: drop anything that could be userinfo or a key."""
    url = re.sub(r"//[^/@\s]*@", f"//{MASK}@", url)
    return re.sub(r"[A-Za-z0-9_-]{16,}", lambda m: MASK if _keylike().match(m.group()) else m.group(), url)


def redact_text(text: str) -> str:
    """Every URL inside a message redacted (errors, log lines)."""
    if "://" not in text:
        return text
    return _url_in_text().sub(lambda m: redact(m.group()), text)


class RedactingFilter:
    """Rewrites each record's message with its URLs redacted, before any handler formats it (a logging filter:
    handlers take any object with this `filter` method)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error handling
            return True
        cleaned = redact_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


NOISY_LOGGERS = ("httpx", "httpcore", "websockets", "websocket", "urllib3", "asyncio", "hpack", "substrateinterface",
                 "async_substrate_interface", "bittensor_wallet", "web3", "keyring")


def quiet_third_party_loggers() -> None:
    """Libraries log every request at INFO/DEBUG with the full URL: keep them at WARNING."""
    import logging

    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
