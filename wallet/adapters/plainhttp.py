"""HTTP/1.1 over a plain socket, for the bounded transport's requests to http:// nodes (a local devnet, a node
on the LAN): importing httpx and httpcore costs ~50 ms of every command's start, more than a local no-op sync.

What the transport needs and nothing else: one request and its whole answer on a kept-alive connection, each
socket operation given only the time left before the request's deadline (a slow-loris ends at it), the answer
read under a size cap counted after decompression (gzip and deflate, as httpx asks for), chunked or sized
bodies, basic auth from the URL's user info. https, proxies and query parameters go through httpx
(wallet/adapters/transport.py decides). Failures are these classes, named as httpx's are, so messages read
the same.
"""

from __future__ import annotations

import _socket
import threading
import time
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from _socket import socket

KEEPALIVE_EXPIRY = 5.0
"""Seconds an idle connection is kept (httpcore's default)."""
MAX_IDLE = 20
MAX_HEAD = 64 * 1024
"""Largest status line plus headers, and largest chunk-size line."""
USER_AGENT = "polis"


class HttpError(Exception):
    """A request that failed on the wire (httpx.TransportError's role)."""


class ConnectError(HttpError):
    """Refused or unresolvable: retrying at length rarely helps."""


class ConnectTimeout(HttpError):
    pass


class ReadTimeout(HttpError):
    pass


class WriteTimeout(HttpError):
    pass


class ReadError(HttpError):
    pass


class WriteError(HttpError):
    pass


class RemoteProtocolError(HttpError):
    pass


class LocalProtocolError(HttpError):
    """A request that cannot be written (a line break in a header)."""


class TooLarge(Exception):
    """The answer passed the size cap (the transport turns it into RpcError)."""


class _Conn:
    __slots__ = ("sock", "buf", "idle_since", "answered")

    def __init__(self, sock: socket) -> None:
        self.sock = sock
        self.buf = bytearray()
        self.idle_since = 0.0
        self.answered = False
        """Whether a byte of the current answer arrived (for the message of a connection closed early)."""


class Deadline:
    """The monotonic time a request must end by; `on_bytes(n)` is told of every read (the transport counts
    them to tell a slow answer from a silent one)."""

    def __init__(self, end: float, on_bytes: Any) -> None:
        self.end = end
        self.on_bytes = on_bytes

    def left(self, timeout: type[HttpError]) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise timeout("the request's total deadline passed")
        return left


def _quiet(sock: socket) -> bool:
    """An idle kept-alive connection is usable when it has nothing to read: the server closing it (or
    sending unasked) makes it readable. A peek without blocking works for any descriptor number."""
    sock.setblocking(False)
    try:
        sock.recv(1, _socket.MSG_PEEK)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)
    return False


def _open(where: tuple[Any, int], timeout: float) -> socket:
    """socket.create_connection with the C module alone: the `socket` module's enums cost ~7 ms of a start.
    Each address getaddrinfo gives is tried in turn, each with the whole timeout; the last failure is raised."""
    failure: OSError | None = None
    for family, kind, proto, _name, address in _socket.getaddrinfo(*where, 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            sock.close()
            failure = exc
    raise failure or OSError("getaddrinfo returned no address")


class PlainHttp:
    """A pool of kept-alive connections per host. Thread-safe: each request holds its own connection."""

    def __init__(self, *, connect_timeout: float, headers: dict[str, str]) -> None:
        self.connect_timeout = connect_timeout
        self.headers = headers
        self._idle: dict[tuple[str, int], list[_Conn]] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            conns = [c for lst in self._idle.values() for c in lst]
            self._idle.clear()
        for c in conns:
            c.sock.close()

    def request(self, method: str, url: str, content: bytes | None, headers: dict[str, str] | None,
                deadline: Deadline, max_bytes: int) -> tuple[int, dict[str, str], bytearray]:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        fields = {"host": parts.netloc.rpartition("@")[2], "accept": "*/*", "accept-encoding": "gzip, deflate",
                  "connection": "keep-alive", "user-agent": USER_AGENT}
        if parts.username is not None:
            import base64

            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            fields["authorization"] = "Basic " + base64.b64encode(pair).decode()
        for extra in (self.headers, headers or {}):
            fields.update({k.lower(): v for k, v in extra.items()})
        if content is not None or method in ("POST", "PUT", "PATCH"):
            fields["content-length"] = str(len(content or b""))
        if any(c in text for text in (target, *fields, *fields.values()) for c in "\r\n\x00"):
            raise LocalProtocolError("a header or the URL holds a line break")
        head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
        try:
            wire = head.encode("latin-1") + (content or b"")
        except UnicodeEncodeError:
            raise LocalProtocolError("a header holds characters HTTP cannot carry") from None
        # A kept-alive connection is reused unless the server closed it meanwhile (it reads as readable);
        # one that fails anyway fails this attempt, and the transport's retry takes a new connection.
        conn = self._take(host, port) or self._connect(host, port, deadline)
        try:
            self._send(conn, wire, deadline)
            status, reply_headers, body, keep = self._receive(conn, method, deadline, max_bytes)
        except BaseException:
            conn.sock.close()
            raise
        if keep:
            self._give(host, port, conn)
        else:
            conn.sock.close()
        return status, reply_headers, body

    # --- connections ---------------------------------------------------------------------------------

    def _take(self, host: str, port: int) -> _Conn | None:
        now = time.monotonic()
        while True:
            with self._lock:
                lst = self._idle.get((host, port))
                if not lst:
                    return None
                conn = lst.pop()
            if now - conn.idle_since < KEEPALIVE_EXPIRY and _quiet(conn.sock):
                return conn
            conn.sock.close()

    def _give(self, host: str, port: int, conn: _Conn) -> None:
        conn.idle_since = time.monotonic()
        with self._lock:
            lst = self._idle.setdefault((host, port), [])
            if len(lst) < MAX_IDLE and not conn.buf:
                lst.append(conn)
                return
        conn.sock.close()

    def _connect(self, host: str, port: int, deadline: Deadline) -> _Conn:
        timeout = min(self.connect_timeout, deadline.left(ConnectTimeout))
        try:
            # An ASCII host goes as bytes (getaddrinfo takes them; typeshed says str): a str one is IDNA-encoded
            # first, which imports encodings.idna (~2 ms).
            where: Any = (host.encode() if host.isascii() else host, port)
            sock = _open(where, timeout)
        except TimeoutError:
            raise ConnectTimeout(f"no connection within {timeout:.1f} s") from None
        except OSError as exc:
            raise ConnectError(str(exc)) from None
        sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        return _Conn(sock)

    # --- one exchange --------------------------------------------------------------------------------

    @staticmethod
    def _send(conn: _Conn, wire: bytes, deadline: Deadline) -> None:
        view = memoryview(wire)
        while view:
            conn.sock.settimeout(deadline.left(WriteTimeout))
            try:
                n = conn.sock.send(view)
            except TimeoutError:
                raise WriteTimeout("the node stopped taking the request") from None
            except OSError as exc:
                raise WriteError(str(exc)) from None
            view = view[n:]

    @staticmethod
    def _recv(conn: _Conn, deadline: Deadline) -> bytes:
        conn.sock.settimeout(deadline.left(ReadTimeout))
        try:
            data = conn.sock.recv(65536)
        except TimeoutError:
            raise ReadTimeout("the node stopped answering") from None
        except OSError as exc:
            raise ReadError(str(exc)) from None
        if data:
            conn.answered = True
            deadline.on_bytes(len(data))
        return data

    def _line(self, conn: _Conn, deadline: Deadline) -> bytes:
        while True:
            end = conn.buf.find(b"\r\n")
            if end >= 0:
                line = bytes(conn.buf[:end])
                del conn.buf[:end + 2]
                return line
            if len(conn.buf) > MAX_HEAD:
                raise RemoteProtocolError("the answer's header lines are too long")
            data = self._recv(conn, deadline)
            if not data:
                raise RemoteProtocolError("the node closed the connection mid-answer" if conn.answered
                                          else "the node closed the connection without an answer")
            conn.buf += data

    def _exactly(self, conn: _Conn, n: int, deadline: Deadline, sink: Any) -> None:
        while n > 0:
            if not conn.buf:
                data = self._recv(conn, deadline)
                if not data:
                    raise RemoteProtocolError("the node closed the connection mid-answer")
                conn.buf += data
            take = bytes(conn.buf[:n])
            del conn.buf[:len(take)]
            n -= len(take)
            sink(take)

    def _receive(self, conn: _Conn, method: str, deadline: Deadline,
                 max_bytes: int) -> tuple[int, dict[str, str], bytearray, bool]:
        conn.answered = False
        while True:  # 1xx interim answers are skipped
            line = self._line(conn, deadline)
            version, _, rest = line.partition(b" ")
            code = rest[:3]
            if version not in (b"HTTP/1.1", b"HTTP/1.0") or not code.isdigit():
                raise RemoteProtocolError("the answer is not HTTP/1.1")
            status = int(code)
            headers: dict[str, str] = {}
            size = len(line)
            while (line := self._line(conn, deadline)) != b"":
                size += len(line)
                name, sep, value = line.partition(b":")
                if not sep or size > MAX_HEAD:
                    raise RemoteProtocolError("a malformed header line")
                key, text = name.strip().lower().decode("latin-1"), value.strip().decode("latin-1")
                headers[key] = f"{headers[key]}, {text}" if key in headers else text
            if not 100 <= status < 200 or status == 101:
                break
        keep = version == b"HTTP/1.1" and "close" not in headers.get("connection", "").lower()
        sink = _Body(headers.get("content-encoding", ""), max_bytes)
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return status, headers, sink.finish(), keep
        declared = headers.get("content-length")
        if "chunked" in headers.get("transfer-encoding", "").lower():
            while True:
                size_line = self._line(conn, deadline).split(b";")[0].strip()
                try:
                    n = int(size_line, 16)
                except ValueError:
                    raise RemoteProtocolError("a malformed chunk size") from None
                if n == 0:
                    while self._line(conn, deadline) != b"":  # trailers
                        pass
                    break
                self._exactly(conn, n, deadline, sink.feed)
                if self._line(conn, deadline) != b"":
                    raise RemoteProtocolError("a chunk without its line end")
        elif declared is not None:
            if not declared.strip().isdigit():
                raise RemoteProtocolError("a malformed content-length")
            if int(declared) > max_bytes:
                raise TooLarge(int(declared))
            self._exactly(conn, int(declared), deadline, sink.feed)
        else:  # the body ends when the node closes the connection
            keep = False
            while data := (bytes(conn.buf) or self._recv(conn, deadline)):
                conn.buf.clear()
                sink.feed(data)
        return status, headers, sink.finish(), keep


class _Body:
    """The answer's bytes, decompressed as they arrive, never more than `limit` of them."""

    def __init__(self, encoding: str, limit: int) -> None:
        enc = encoding.strip().lower()
        self.limit = limit
        self.buf = bytearray()
        self.inflate: Any = (zlib.decompressobj(16 + zlib.MAX_WBITS) if enc in ("gzip", "x-gzip")
                             else zlib.decompressobj() if enc == "deflate" else None)
        self.deflate = enc == "deflate"
        self.first = True

    def _add(self, data: bytes) -> None:
        if len(self.buf) + len(data) > self.limit:
            raise TooLarge(None)
        self.buf += data

    def feed(self, data: bytes) -> None:
        if self.inflate is None:
            self._add(data)
            return
        try:
            if self.deflate and self.first and data:
                self.first = False
                zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
                if not zlib_header:  # "deflate" sent as raw deflate, as some servers do (httpx reads both)
                    self.inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            chunk = self.inflate.decompress(data, self.limit - len(self.buf) + 1)
            self._add(chunk)
            while self.inflate.unconsumed_tail:
                self._add(self.inflate.decompress(self.inflate.unconsumed_tail, self.limit - len(self.buf) + 1))
        except zlib.error as exc:
            raise ReadError(f"the answer does not decompress ({exc})") from None

    def finish(self) -> bytearray:
        if self.inflate is not None:
            try:
                self._add(self.inflate.flush())
            except zlib.error as exc:
                raise ReadError(f"the answer does not decompress ({exc})") from None
        return self.buf
