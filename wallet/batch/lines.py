"""Where each field of a plan file sits: (path) -> line number, for TOML and JSON.

tomllib and json give values without positions, so errors found after parsing (an unknown network in
`actions[3].network`) could not name a line. These locators read the text a second time and record the
line each key (and each array element) starts on. They assume the text already parsed; on anything
unexpected they stop and return what they have, and the caller falls back to the nearest parent.
"""

from __future__ import annotations

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


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+')


def json_lines(text: str, duplicates: list[tuple[Path, int]] | None = None) -> dict[Path, int]:
    """Paths to lines; a key repeated within one object is appended to `duplicates` (path, line),
    since json.loads silently keeps the last one. One regex pass over the tokens with a stack of open
    objects and arrays: linear in the text, no recursion."""
    out: dict[Path, int] = {}
    # A frame per open container: [is_object, path, next index or current key, expecting a key, keys seen]
    stack: list[list[Any]] = []
    line, last = 1, 0
    for m in _JSON_TOKEN.finditer(text):
        pos = m.start()
        line += text.count("\n", last, pos)
        last = pos
        tok = m.group()
        c = tok[0]
        top = stack[-1] if stack else None
        if c == "," and top is not None:
            if top[0]:
                top[3] = True
            else:
                top[2] += 1
            continue
        if c == ":":
            continue
        if c in "}]":
            if stack:
                stack.pop()
            continue
        if top is not None and top[0] and top[3] and c == '"':
            key = tok[1:-1] if "\\" not in tok else json.loads(tok)
            if key in top[4] and duplicates is not None:
                duplicates.append((top[1] + (key,), line))
            top[4].add(key)
            top[2], top[3] = key, False
            continue
        path: Path = () if top is None else top[1] + (top[2],)
        out.setdefault(path, line)
        if c == "{":
            stack.append([True, path, None, True, set()])
        elif c == "[":
            stack.append([False, path, 0, False, None])
    return out


MAX_DEPTH = 32


_NESTING_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # TOML multi-line basic string
    r"|'''.*?'''"  # TOML multi-line literal string
    r'|"(?:[^"\\\n]|\\.)*"'  # basic / JSON string
    r"|'[^'\n]*'"  # TOML literal string
    r"|#[^\n]*"  # TOML comment
    r"|[\[\]{}]", re.S)


def nesting_too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The line where brackets ([ {) outside strings and comments nest deeper than `limit`, or None.
    One linear regex pass, run before json/tomllib (which recurse, and fail with RecursionError on a
    plan nested 50,000 deep). Works for JSON and TOML: strings and # comments are skipped whole."""
    depth = 0
    for m in _NESTING_TOKEN.finditer(text):
        c = m.group()
        if c in ("[", "{"):
            depth += 1
            if depth > limit:
                return text.count("\n", 0, m.start()) + 1
        elif c in ("]", "}"):
            depth = max(0, depth - 1)
    return None


def line_for(lines: dict[Path, int], loc: Path) -> int | None:
    """The line of `loc`, or of its nearest parent that has one."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None
