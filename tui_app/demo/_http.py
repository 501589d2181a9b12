"""The two ways to reach a ``SimulatedOllama``: a loopback socket server and an httpx transport."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx

from ._sim import ConnectionDropped, SimResponse, close_iterator

if TYPE_CHECKING:
    from ._sim import SimulatedOllama

_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine's loopback interface only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Stopped(Exception):
    """The server is shutting down: abandon the response in progress."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; Nagle plus delayed ACK would stall each
    # response by ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the app under test may share the terminal."""

    def do_GET(self) -> None:
        """Serve GET."""
        self._dispatch()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        body = self._read_body()
        response = self.server.sim.handle(self.command, self.path, body, dict(self.headers.items()))
        try:
            self._write(response)
        except _DISCONNECTS:
            # The client went away (cancelled a stream): stop quietly, like Ollama does.
            self.close_connection = True
        except (_Stopped, ConnectionDropped):
            self._abort()
        finally:
            close_iterator(response.body)

    def _sleep(self, seconds: float) -> None:
        if self.server.stopping.wait(seconds):
            raise _Stopped

    def _abort(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _start(self, response: SimResponse, extra: dict[str, str]) -> None:
        self.send_response_only(response.status)
        headers = {**response.headers, **extra}
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Date", self.date_time_string())
        self.end_headers()

    def _write(self, response: SimResponse) -> None:
        body = response.body
        first: bytes | None = None
        # Like Ollama while a model loads: no status line until the first byte is ready.
        for item in body:
            if isinstance(item, bytes):
                first = item
                break
            self._sleep(item)
        head = self.command == "HEAD"
        if not response.streaming:
            parts = [first] if first else []
            for item in body:
                if isinstance(item, bytes):
                    parts.append(item)
                else:
                    self._sleep(item)
            data = b"".join(parts)
            extra = (
                {} if "Content-Length" in response.headers else {"Content-Length": str(len(data))}
            )
            self._start(response, extra)
            if not head:
                self.wfile.write(data)
            self.wfile.flush()
            return
        self._start(response, {"Transfer-Encoding": "chunked"})
        if first:
            # Timed as the write starts: the client may have read it before write returns.
            sent = time.monotonic()
            self._chunk(first)
            hook = self.server.sim.first_byte_hook
            if hook is not None:
                hook(self.path, sent)
        for item in body:
            if isinstance(item, bytes):
                if item:
                    self._chunk(item)
            else:
                self._sleep(item)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    sim: SimulatedOllama
    stopping: threading.Event

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Drop connection errors silently; anything else is a simulator bug worth printing."""
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        super().handle_error(request, client_address)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Track open connections so ``close()`` can end keep-alive and streaming ones."""
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget a finished connection."""
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    connections: set[Any]
    connections_lock: threading.Lock


class _Server6(_Server):
    address_family = socket.AF_INET6


class SimulatedServer:
    """A ``SimulatedOllama`` on a real loopback socket, served by a daemon thread.

    Use as a context manager, or call ``close()``; ``url`` is ``http://127.0.0.1:PORT``.
    """

    def __init__(self, sim: SimulatedOllama, host: str = "127.0.0.1", port: int = 0) -> None:
        if not is_loopback(host):
            raise ValueError(f"refusing to listen on non-loopback address {host!r}")
        bind_host = host.strip("[]")
        server_class = _Server6 if ":" in bind_host else _Server
        self._httpd = server_class((bind_host, port), _Handler)
        self._httpd.sim = sim
        self._httpd.stopping = threading.Event()
        self._httpd.connections = set()
        self._httpd.connections_lock = threading.Lock()
        self.host = host
        self.sim = sim
        self._closed = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"simulated-ollama-{self.port!s}",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The bound TCP port (useful when 0 was asked for)."""
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """Base URL for clients, e.g. ``http://127.0.0.1:41234``."""
        address = self._httpd.server_address[0]
        host = address.decode() if isinstance(address, bytes) else str(address)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}"

    def close(self) -> None:
        """Stop accepting, end open connections and join the server thread."""
        if self._closed:
            return
        self._closed = True
        self._httpd.stopping.set()
        self._httpd.shutdown()
        with self._httpd.connections_lock:
            open_connections = list(self._httpd.connections)
        for connection in open_connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> SimulatedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SimulatedServer(url={self.url!r})"


class _SimByteStream(httpx.AsyncByteStream):
    def __init__(self, first: bytes | None, body: Iterator[bytes | float]) -> None:
        self._first = first
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._first:
            first, self._first = self._first, None
            yield first
        # Pauses keep to a schedule, as a server sending from its own thread does: time the
        # reader spends away counts towards them, so a reader that takes a few lines at a
        # time does not slow the stream down.
        due = time.monotonic()
        while True:
            try:
                item = next(self._body)
            except StopIteration:
                return
            except ConnectionDropped:
                raise httpx.RemoteProtocolError(
                    "peer closed connection without sending complete message body"
                ) from None
            if isinstance(item, bytes):
                # A real socket read would give the event loop a turn; keep that property.
                await asyncio.sleep(0)
                if item:
                    yield item
            else:
                due += item
                await asyncio.sleep(max(due - time.monotonic(), 0))

    async def aclose(self) -> None:
        close_iterator(self._body)


class SimTransport(httpx.AsyncBaseTransport):
    """An httpx transport that answers from a ``SimulatedOllama`` without any socket."""

    def __init__(self, sim: SimulatedOllama) -> None:
        self.sim = sim

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Run the simulator for ``request``; streams stay lazy, so cancelling stops them."""
        content = await request.aread()
        path = request.url.raw_path.decode("ascii", errors="replace")
        response = self.sim.handle(request.method, path, content, dict(request.headers.items()))
        body = response.body
        first: bytes | None = None
        try:
            for item in body:
                if isinstance(item, bytes):
                    first = item
                    break
                await asyncio.sleep(item)
            if not response.streaming:
                parts = [first] if first else []
                for item in body:
                    if isinstance(item, bytes):
                        parts.append(item)
                    else:
                        await asyncio.sleep(item)
                close_iterator(body)
                data = b"".join(parts)
                headers = {"Content-Length": str(len(data)), **response.headers}
                if request.method == "HEAD":
                    data = b""
                return httpx.Response(
                    response.status, headers=headers, content=data, request=request
                )
        except ConnectionDropped:
            close_iterator(body)
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        except BaseException:
            close_iterator(body)
            raise
        headers = {**response.headers, "Transfer-Encoding": "chunked"}
        return httpx.Response(
            response.status,
            headers=headers,
            stream=_SimByteStream(first, body),
            request=request,
        )


def wait_forever(stop: threading.Event) -> None:
    """Block until ``stop`` is set, waking often enough for signal handlers to run."""
    while not stop.wait(0.2):
        continue
