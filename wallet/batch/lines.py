"""Where each field of a plan file sits: (path) -> line number, for TOML and JSON.

tomllib and json give values without positions, so errors found after parsing (an unknown network in
`actions[3].network`) could not name a line. These locators read the text a second time and record the
line each key (and each array element) starts on. They assume the text already parsed; on anything
unexpected they stop and return what they have, and the caller falls back to the nearest parent.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import re
from typing import Any

Path = tuple[Any, ...]

_KEY = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_DOTTED = re.compile(rf"^({_KEY}(?:\s*\.\s*{_KEY})*)\s*=")
_ARRAY_TABLE = re.compile(rf"^\[\[\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*\]\]")
_TABLE = re.compile(rf"^\[\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*\]")
_BARE = re.compile(r"^([A-Za-z0-9_-]+)\s*=")
_WS = re.compile(r"[ \t\r\n]*")


def _split(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_KEY, dotted)
    return tuple(p[1:-1] if p[:1] in ("'", '"') else p for p in parts)


def toml_lines(text: str) -> dict[Path, int]:
    out: dict[Path, int] = {}
    arrays: dict[tuple[str, ...], int] = {}
    current: Path = ()
    in_multiline: str | None = None

    def with_indices(path: tuple[str, ...]) -> Path:
        """`[actions.options]` after the third `[[actions]]` means actions[2].options."""
        resolved: list[Any] = []
        for i, part in enumerate(path):
            resolved.append(part)
            if path[: i + 1] in arrays and i + 1 < len(path):
                resolved.append(arrays[path[: i + 1]])
        return tuple(resolved)

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        if not line or line.startswith("#"):
            continue
        if line[0] != "[":
            pass
        elif m := _ARRAY_TABLE.match(line):
            path = _split(m.group(1))
            arrays[path] = arrays.get(path, -1) + 1
            current = with_indices(path[:-1]) + (path[-1], arrays[path])
            out.setdefault(current[:-1], number)
            out.setdefault(current, number)
            continue
        elif m := _TABLE.match(line):
            current = with_indices(_split(m.group(1)))
            out.setdefault(current, number)
            continue
        if m := _BARE.match(line) or _DOTTED.match(line):
            key = current + (_split(m.group(1)) if m.re is _DOTTED else (m.group(1),))
            out.setdefault(key, number)
            rest = line[m.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return out


def json_lines(text: str, duplicates: list[tuple[Path, int]] | None = None) -> dict[Path, int]:
    """Paths to lines; a key repeated within one object is appended to `duplicates` (path, line),
    since json.loads silently keeps the last one. Linear in the text: newline offsets are found once."""
    out: dict[Path, int] = {}
    decoder = json.JSONDecoder()
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(pos: int) -> int:
        return bisect.bisect_left(newlines, pos) + 1

    def skip(i: int) -> int:
        m = _WS.match(text, i)  # matches the empty string at worst
        return m.end() if m else i

    def value(i: int, path: Path) -> int:
        i = skip(i)
        out.setdefault(path, line_of(i))
        if text[i] == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            seen: set[str] = set()
            while True:
                i = skip(i)
                start = i
                key, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                if key in seen and duplicates is not None:
                    duplicates.append((path + (key,), line_of(start)))
                seen.add(key)
                i = skip(i)
                i = value(i + 1, path + (key,))  # past the ':'
                i = skip(i)
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if text[i] == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            k = 0
            while True:
                i = value(i, path + (k,))
                i = skip(i)
                k += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        _, end = decoder.raw_decode(text, i)
        return end

    with contextlib.suppress(IndexError, ValueError, RecursionError):
        value(0, ())
    return out


MAX_DEPTH = 32


def nesting_too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The line where brackets ([ {) outside strings and comments nest deeper than `limit`, or None.
    One linear pass, run before json/tomllib (which recurse, and fail with RecursionError on a plan
    nested 50,000 deep). Works for JSON and TOML: quotes, escapes and # comments are skipped."""
    depth, line, i, n = 0, 1, 0, len(text)
    quote: str | None = None
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        if quote:
            if c == "\\" and quote == '"':
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def line_for(lines: dict[Path, int], loc: Path) -> int | None:
    """The line of `loc`, or of its nearest parent that has one."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None
