"""Route logic and in-memory state of the simulated Ollama server."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import _replies as replies
from ._models import (
    SimModel,
    blob_digest,
    default_catalog,
    default_models,
    modelfile_text,
    parameters_text,
    sha256_hex,
    show_model_info,
    show_tensors,
)
from ._wire import (
    GoError,
    ModelName,
    decode_keep_alive,
    go_float,
    go_json,
    go_json_bytes,
    go_quote,
    go_string,
    go_syntax_error,
    parse_model_name,
    rfc3339_local,
    rfc3339_utc,
)

if TYPE_CHECKING:
    import httpx

    from ._http import SimulatedServer

JSON_CT = "application/json; charset=utf-8"
"""gin's ``c.JSON`` content type."""
JSON_BARE_CT = "application/json"
"""Errors before a stream's first byte, and non-streaming pull/create replies."""
NDJSON_CT = "application/x-ndjson"
TEXT_CT = "text/plain; charset=utf-8"
GIN_TEXT_CT = "text/plain"
"""gin's own 404/405 bodies."""

_DEFAULT_KEEP_ALIVE_NS = 5 * 60 * 1_000_000_000


class ConnectionDropped(Exception):
    """Raised from a response body: the server must cut the connection without finishing."""


@dataclass(frozen=True)
class Fault:
    """A failure to inject into the next request whose path equals ``path``.

    ``error_after_chunks`` and ``drop_after_chunks`` count NDJSON lines of a streamed reply; on
    a one-shot reply they become a 500 ``{"error": message}`` and a connection closed before
    any response, respectively.
    """

    path: str
    status: int | None = None
    """Reply with this HTTP status and ``{"error": message}`` before any byte of a normal reply."""
    message: str = "simulated failure"
    error_after_chunks: int | None = None
    """Stream status 200, then after this many lines an ``{"error": message}`` line instead of
    the done chunk."""
    drop_after_chunks: int | None = None
    """Close the connection abruptly after this many lines (no done chunk, no error line)."""
    first_byte_delay: float = 0.0
    """Seconds to wait before the status line and first byte, as during a cold model load."""
    plain_text: bool = False
    """Send the ``status`` error body as ``text/plain`` rather than JSON."""


@dataclass
class RecordedRequest:
    """One request as the simulator received it."""

    method: str
    path: str
    body: Any
    """The parsed JSON body, or ``None`` when it was empty or not JSON."""
    headers: dict[str, str]
    """Request headers with lower-cased names."""
    raw: bytes = b""


class SimResponse:
    """A response ready to be written by either the socket server or the in-process transport.

    ``body`` yields ``bytes`` to send or a ``float`` number of seconds to wait first; it may
    raise ``ConnectionDropped``. Leading floats delay the status line too, as Ollama sends no
    headers until the model has loaded. With ``streaming`` the body is sent chunked, one write
    per item; otherwise it is collected and sent with a Content-Length.
    """

    def __init__(
        self,
        status: int,
        headers: dict[str, str],
        body: Iterator[bytes | float],
        *,
        streaming: bool = False,
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.streaming = streaming

    def __repr__(self) -> str:
        return f"SimResponse(status={self.status}, headers={self.headers!r})"


class _HTTPError(Exception):
    def __init__(self, status: int, message: str, content_type: str = JSON_CT) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.content_type = content_type


# --- request decoding -------------------------------------------------------------------------


def _decode_think(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    levels = '"high", "medium", "low", "max", true, or false'
    if isinstance(value, str):
        if value in ("high", "medium", "low", "max"):
            return value
        raise GoError(f"invalid think value: {go_quote(value)} (must be {levels})")
    raise GoError(f"think must be a boolean or string ({levels})")


_MESSAGE: dict[str, Any] = {
    "role": "string",
    "content": "string",
    "thinking": "string",
    "images": "images",
    "tool_calls": ("array", "object", "[]api.ToolCall"),
    "tool_name": "string",
    "tool_call_id": "string",
}
_MESSAGES = ("array", ("struct", _MESSAGE), "[]api.Message")
_CHAT: dict[str, Any] = {
    "model": "string",
    "messages": _MESSAGES,
    "stream": "bool",
    "format": "any",
    "keep_alive": decode_keep_alive,
    "tools": ("array", "object", "api.Tools"),
    "options": "object",
    "think": _decode_think,
    "truncate": "bool",
    "shift": "bool",
    "logprobs": "bool",
    "top_logprobs": "int",
}
_GENERATE: dict[str, Any] = {
    "model": "string",
    "prompt": "string",
    "suffix": "string",
    "system": "string",
    "template": "string",
    "context": ("array", "int", "[]int"),
    "stream": "bool",
    "raw": "bool",
    "format": "any",
    "keep_alive": decode_keep_alive,
    "images": "images",
    "options": "object",
    "think": _decode_think,
    "truncate": "bool",
    "shift": "bool",
    "logprobs": "bool",
    "top_logprobs": "int",
}
_PULL: dict[str, Any] = {
    "model": "string",
    "insecure": "bool",
    "username": "string",
    "password": "string",
    "stream": "bool",
    "name": "string",
}
_CREATE: dict[str, Any] = {
    "model": "string",
    "from": "string",
    "files": ("map", "string", "map[string]string"),
    "adapters": ("map", "string", "map[string]string"),
    "template": "string",
    "license": "any",
    "system": "string",
    "parameters": "object",
    "messages": _MESSAGES,
    "stream": "bool",
    "quantize": "string",
    "renderer": "string",
    "parser": "string",
    "requires": "string",
    "name": "string",
}
_PUSH: dict[str, Any] = {
    "model": "string",
    "insecure": "bool",
    "username": "string",
    "password": "string",
    "stream": "bool",
    "name": "string",
}
_COPY: dict[str, Any] = {"source": "string", "destination": "string"}
_DELETE: dict[str, Any] = {"model": "string", "name": "string"}
_SHOW: dict[str, Any] = {
    "model": "string",
    "system": "string",
    "template": "string",
    "verbose": "bool",
    "options": "object",
    "name": "string",
}
_EMBED: dict[str, Any] = {
    "model": "string",
    "input": "any",
    "truncate": "bool",
    "dimensions": "int",
    "keep_alive": decode_keep_alive,
    "options": "object",
}
_EMBEDDINGS: dict[str, Any] = {
    "model": "string",
    "prompt": "string",
    "keep_alive": decode_keep_alive,
    "options": "object",
}

_SCALAR_GO_TYPES = {
    "string": "string",
    "bool": "bool",
    "int": "int",
    "object": "map[string]interface {}",
    "images": "api.ImageData",
}


_SCALAR_CHECKS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "bool": lambda v: isinstance(v, bool),
    "int": lambda v: (
        isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer()
    ),
    "object": lambda v: isinstance(v, dict),
    "images": lambda v: isinstance(v, list),
}


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _base64_error(text: str) -> str | None:
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    cleaned = []
    for index, char in enumerate(text):
        if char in "\r\n":
            continue
        if char not in alphabet and char != "=":
            return f"illegal base64 data at input byte {index}"
        cleaned.append(char)
    try:
        base64.b64decode("".join(cleaned), validate=True)
    except (binascii.Error, ValueError):
        return f"illegal base64 data at input byte {max(0, len(text) - 1)}"
    return None


class _Decoder:
    """Checks a decoded JSON body against a Go struct shape, reporting errors as Go would."""

    def __init__(self, struct: str) -> None:
        self.struct = struct
        self.first_error: str | None = None
        self.custom: dict[str, Any] = {}

    def _type_error(self, value: Any, path: str, go_type: str) -> None:
        if self.first_error is None:
            kind = _json_kind(value)
            if kind == "number" and go_type == "int":
                kind = f"number {go_float(float(value))}"
            self.first_error = (
                f"json: cannot unmarshal {kind} into Go struct field "
                f"{self.struct}.{path} of type {go_type}"
            )

    def fields(self, body: dict[str, Any], spec: dict[str, Any], prefix: str = "") -> None:
        lowered = {key.lower(): key for key in spec}
        for key, value in body.items():
            name = key if key in spec else lowered.get(key.lower())
            if name is None:
                continue
            self.check(value, spec[name], prefix + name, top_level=not prefix)

    def check(self, value: Any, spec: Any, path: str, *, top_level: bool = False) -> None:
        if value is None:
            return
        if callable(spec):
            decoded = spec(value)
            if top_level:
                self.custom[path] = decoded
            return
        if spec == "any":
            return
        if isinstance(spec, tuple):
            kind = spec[0]
            if kind == "struct":
                if not isinstance(value, dict):
                    self._type_error(value, path, "api.Message")
                    return
                self.fields(value, spec[1], prefix=path + ".")
            elif kind == "array":
                if not isinstance(value, list):
                    self._type_error(value, path, spec[2])
                    return
                for item in value:
                    self.check(item, spec[1], path)
            elif kind == "map":
                if not isinstance(value, dict):
                    self._type_error(value, path, spec[2])
                    return
                for item in value.values():
                    self.check(item, spec[1], path)
            return
        ok = _SCALAR_CHECKS[spec](value)
        if spec == "images" and ok:
            for item in value:
                if item is None:
                    continue
                if not isinstance(item, str):
                    self._type_error(item, path, "api.ImageData")
                elif self.first_error is None:
                    self.first_error = _base64_error(item)
            return
        if not ok:
            go_type = "[]api.ImageData" if spec == "images" else _SCALAR_GO_TYPES[spec]
            self._type_error(value, path, go_type)


def _decode(
    body: bytes, struct: str, spec: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``c.ShouldBindJSON`` into ``api.<struct>``: returns the body and custom-decoded fields."""
    text = body.decode("utf-8", errors="replace")
    start = len(text) - len(text.lstrip())
    if start == len(text):
        raise _HTTPError(400, "missing request body")
    try:
        # A json.Decoder reads one value and ignores whatever follows it.
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise _HTTPError(400, go_syntax_error(text, exc)) from None
    if value is None:
        return {}, {}
    if not isinstance(value, dict):
        kind = _json_kind(value)
        raise _HTTPError(400, f"json: cannot unmarshal {kind} into Go value of type api.{struct}")
    decoder = _Decoder(struct)
    try:
        decoder.fields(value, spec)
    except GoError as exc:
        raise _HTTPError(400, str(exc)) from None
    if decoder.first_error is not None:
        raise _HTTPError(400, decoder.first_error)
    canonical = {key.lower(): key for key in spec}
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = str(key) if key in spec else canonical.get(str(key).lower(), str(key))
        out[name] = item
    return out, decoder.custom


_INT_OPTIONS = {
    "num_keep",
    "seed",
    "num_predict",
    "top_k",
    "repeat_last_n",
    "num_ctx",
    "num_batch",
    "num_gpu",
    "main_gpu",
    "num_thread",
    "draft_num_predict",
}
_FLOAT_OPTIONS = {
    "top_p",
    "min_p",
    "typical_p",
    "temperature",
    "repeat_penalty",
    "presence_penalty",
    "frequency_penalty",
}


def _check_options(options: dict[str, Any]) -> None:
    """``api.Options.FromMap``: a wrong type is an HTTP 500; unknown keys are ignored."""
    for key, value in options.items():
        if value is None:
            continue
        problem: str | None = None
        if key in _INT_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                problem = "must be of type integer"
        elif key in _FLOAT_OPTIONS:
            if isinstance(value, bool) or not isinstance(value, int | float):
                problem = "must be of type float32"
        elif key == "use_mmap":
            if not isinstance(value, bool):
                problem = "must be of type boolean"
        elif key == "stop":
            if not isinstance(value, list):
                problem = "must be of type array"
            elif not all(isinstance(item, str) for item in value):
                problem = "must be of an array of strings"
        if problem:
            raise _HTTPError(500, f"option {go_quote(key)} {problem}")


def _valid_format(value: Any) -> bool:
    return value is None or value in ("", "json") or isinstance(value, dict)


# --- state ------------------------------------------------------------------------------------


@dataclass
class _Loaded:
    model: SimModel
    num_ctx: int
    expires_ns: int
    keep_alive_ns: int
    busy: int = 0


@dataclass
class _Plan:
    thinking: list[str]
    content: list[str]
    tool_calls: list[dict[str, Any]]
    done_reason: str
    prompt_tokens: int


@dataclass
class _Scripted:
    content: str
    thinking: str | None
    done_reason: str


@dataclass
class _Chunks:
    """Mutable state shared by the generator helpers of one chat/generate reply."""

    count: int = 0
    content: list[str] = field(default_factory=list)
    thinking: list[str] = field(default_factory=list)


_ROUTES: dict[str, tuple[str, ...]] = {
    "/": ("GET", "HEAD"),
    "/api/version": ("GET", "HEAD"),
    "/api/tags": ("GET", "HEAD"),
    "/api/ps": ("GET",),
    "/api/show": ("POST",),
    "/api/chat": ("POST",),
    "/api/generate": ("POST",),
    "/api/pull": ("POST",),
    "/api/push": ("POST",),
    "/api/create": ("POST",),
    "/api/copy": ("POST",),
    "/api/delete": ("DELETE",),
    "/api/embed": ("POST",),
    "/api/embeddings": ("POST",),
}
_BLOBS_PREFIX = "/api/blobs/"
_BLOB_METHODS = ("HEAD", "POST")
_BLOB_DIGEST = re.compile(r"sha256[:-][0-9a-fA-F]{64}")
"""``server/modelpath.go:GetBlobsPath``: either separator, either case of hex."""
_QUANTIZE_TYPES = {
    "Q4_0",
    "Q4_1",
    "Q5_0",
    "Q5_1",
    "Q8_0",
    "Q2_K",
    "Q3_K_S",
    "Q3_K_M",
    "Q3_K_L",
    "Q4_K_S",
    "Q4_K_M",
    "Q5_K_S",
    "Q5_K_M",
    "Q6_K",
}


def _once(*items: bytes | float) -> Iterator[bytes | float]:
    yield from items


def _parse_body(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None


class SimulatedOllama:
    """In-memory Ollama server logic speaking the real wire format.

    One instance holds the installed models, the registry catalogue, the loaded-model table and
    blob download progress. ``handle`` turns a request into a ``SimResponse``; ``transport()``
    and ``serve()`` expose it in process or on a loopback socket. All shared state is guarded by
    one lock so the threaded server can serve requests concurrently.
    """

    def __init__(
        self,
        *,
        models: list[SimModel] | None = None,
        token_delay: float = 0.015,
        version: str = "0.12.3",
        clock: Callable[[], float] = time.time,
        pull_tick: float = 0.06,
        pull_rate: float = 400e6,
        reply_tokens: int | None = None,
        tz: dt.tzinfo | None = None,
    ) -> None:
        self.models: list[SimModel] = default_models() if models is None else models
        self.catalog: dict[str, SimModel] = default_catalog()
        for model in self.models:
            self.catalog.setdefault(model.key, model)
        self.requests: list[RecordedRequest] = []
        self.token_delay = token_delay
        """Seconds between streamed chat/generate chunks (0 = as fast as possible)."""
        self.version = version
        self.clock = clock
        self.pull_tick = pull_tick
        """Seconds between pull progress lines (Ollama's ticker is 60 ms)."""
        self.pull_rate = pull_rate
        """Simulated download speed in bytes per second."""
        self.reply_tokens = reply_tokens
        """When set, every chat/generate reply is exactly this many tokens of Markdown."""
        self.end_marker: str | None = None
        self.reply_shape = "markdown"
        """With ``reply_tokens``: ``markdown`` (varied sections), ``code`` (one fenced block
        of ``reply_tokens`` lines) or ``thinking`` (``reply_tokens`` tokens of reasoning,
        then a short Markdown answer)."""
        self.tokens_per_second: float | None = None
        """When set, streamed tokens keep to this rate on a fixed schedule (a late token
        does not push back the ones after it), instead of ``token_delay`` apart."""
        """With ``reply_tokens``, the last token becomes this word (benchmarks watch for it)."""
        self.first_byte_hook: Callable[[str, float], None] | None = None
        """Called with the path and ``time.monotonic()`` right after the first body chunk of
        a streamed response is sent over a socket (benchmarks time the client from there)."""
        self.tz = tz
        """Zone for ``modified_at``/``expires_at``; ``None`` means the machine's local zone."""
        self.load_delay: float | None = None
        """Seconds a cold load takes before the first byte; ``None`` derives it from token_delay."""
        self.default_keep_alive_ns = _DEFAULT_KEEP_ALIVE_NS
        self.default_num_ctx = 4096
        self._lock = threading.RLock()
        self._scripted: deque[_Scripted] = deque()
        self._faults: list[Fault] = []
        self._loaded: dict[str, _Loaded] = {}
        self._blobs: dict[str, int] = {}
        self._uploads: dict[str, bytes] = {}
        """First bytes of blobs clients uploaded, by digest (create reads the GGUF magic)."""
        self.registry: set[str] = set()
        """Digests the registry already has from earlier pushes (pushed again at once)."""
        self._downloading: set[str] = set()
        for model in self.models:
            for digest, size in model.layers:
                self._blobs[digest] = size

    # --- public API ---------------------------------------------------------------------------

    def script_reply(
        self, content: str, *, thinking: str | None = None, done_reason: str = "stop"
    ) -> None:
        """Queue the text of the next chat/generate reply (FIFO); otherwise a canned reply is
        chosen."""
        with self._lock:
            self._scripted.append(_Scripted(content, thinking, done_reason))

    def inject(self, fault: Fault) -> None:
        """Queue a fault consumed by the next request whose path matches fault.path."""
        with self._lock:
            self._faults.append(fault)

    def transport(self) -> httpx.AsyncBaseTransport:
        """In-process transport: httpx.AsyncClient(transport=sim.transport(), base_url="http://ollama.test")."""
        from ._http import SimTransport

        return SimTransport(self)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> SimulatedServer:
        """Start a real HTTP server on a loopback port in a daemon thread."""
        from ._http import SimulatedServer

        return SimulatedServer(self, host, port)

    def installed(self, name: str) -> SimModel | None:
        """The installed model a client-supplied name refers to (case-insensitive, ``:latest``)."""
        parsed = parse_model_name(name)
        return self._find(parsed) if parsed is not None else None

    def blob_progress(self, digest: str) -> int:
        """Bytes of blob ``digest`` on "disk" (partial downloads included)."""
        with self._lock:
            return self._blobs.get(digest, 0)

    def active_downloads(self) -> set[str]:
        """Digests a pull is downloading right now."""
        with self._lock:
            return set(self._downloading)

    def loaded_names(self) -> list[str]:
        """Names of the models /api/ps would list now."""
        now = self._now_ns()
        with self._lock:
            self._expire_locked(now)
            return [loaded.model.name for loaded in self._loaded.values()]

    def handle(
        self, method: str, path: str, body: bytes, headers: Mapping[str, str] | None = None
    ) -> SimResponse:
        """Answer one HTTP request; the body generator does any waiting and later state changes."""
        path = path.split("?", 1)[0] or "/"
        method = method.upper()
        lowered = {key.lower(): value for key, value in (headers or {}).items()}
        with self._lock:
            self.requests.append(RecordedRequest(method, path, _parse_body(body), lowered, body))
            fault = next((f for f in self._faults if f.path == path), None)
            if fault is not None:
                self._faults.remove(fault)
        if fault is not None and fault.status is not None:
            response = self._fault_error(fault)
        else:
            response = self._route(method, path, body)
            if fault is not None:
                response = self._cut(response, fault)
        if fault is not None and fault.first_byte_delay > 0:
            response.body = _prepend(fault.first_byte_delay, response.body)
        return response

    # --- routing ------------------------------------------------------------------------------

    def _route(self, method: str, path: str, body: bytes) -> SimResponse:
        if path.startswith(_BLOBS_PREFIX) and "/" not in path[len(_BLOBS_PREFIX) :]:
            return self._blob_route(method, path[len(_BLOBS_PREFIX) :], body)
        allowed = _ROUTES.get(path)
        if allowed is None:
            stripped = path.rstrip("/")
            if path != "/" and stripped in _ROUTES:
                return self._redirect(method, stripped)
            return self._text(404, "404 page not found", GIN_TEXT_CT)
        if method not in allowed:
            response = self._text(405, "405 method not allowed", GIN_TEXT_CT)
            response.headers["Allow"] = ", ".join(allowed)
            return response
        handlers: dict[str, Callable[[bytes], SimResponse]] = {
            "/": lambda _: self._text(200, "Ollama is running", TEXT_CT),
            "/api/version": lambda _: self._json(200, {"version": self.version}),
            "/api/tags": self._tags,
            "/api/ps": self._ps,
            "/api/show": self._show,
            "/api/chat": self._chat,
            "/api/generate": self._generate,
            "/api/pull": self._pull,
            "/api/push": self._push,
            "/api/create": self._create,
            "/api/copy": self._copy,
            "/api/delete": self._delete,
            "/api/embed": self._embed,
            "/api/embeddings": self._embeddings,
        }
        try:
            response = handlers[path](body)
        except _HTTPError as exc:
            response = self._json(exc.status, {"error": exc.message}, exc.content_type)
        if method == "HEAD":
            data = b"".join(item for item in response.body if isinstance(item, bytes))
            response.headers["Content-Length"] = str(len(data))
            response.body = _once()
        return response

    def _blob_route(self, method: str, digest: str, body: bytes) -> SimResponse:
        """``HEAD``/``POST /api/blobs/:digest`` (``HeadBlobHandler``, ``CreateBlobHandler``)."""
        if not digest:
            return self._text(404, "404 page not found", GIN_TEXT_CT)
        if method not in _BLOB_METHODS:
            response = self._text(405, "405 method not allowed", GIN_TEXT_CT)
            response.headers["Allow"] = ", ".join(_BLOB_METHODS)
            return response
        if not _BLOB_DIGEST.fullmatch(digest):
            response = self._json(400, {"error": "invalid digest format"})
        else:
            key = "sha256:" + digest[7:]
            with self._lock:
                present = key in self._uploads or self._blob_complete_locked(key)
            if method == "HEAD":
                response = (
                    SimResponse(200, {}, _once())
                    if present
                    else self._json(404, {"error": f"blob {go_quote(digest)} not found"})
                )
            elif present:
                response = SimResponse(200, {}, _once())
            else:
                response = self._store_blob(digest, body)
        if method == "HEAD":
            data = b"".join(item for item in response.body if isinstance(item, bytes))
            response.headers["Content-Length"] = str(len(data))
            response.body = _once()
        return response

    def _blob_complete_locked(self, digest: str) -> bool:
        sizes = [size for m in self.catalog.values() for d, size in m.layers if d == digest]
        have = self._blobs.get(digest)
        return have is not None and (not sizes or have >= sizes[0])

    def _store_blob(self, digest: str, body: bytes) -> SimResponse:
        """Hash what arrived; keep it only when it matches the digest in the path."""
        actual = "sha256:" + hashlib.sha256(body).hexdigest()
        if actual != digest:
            message = f"digest mismatch, expected {go_quote(digest)}, got {go_quote(actual)}"
            return self._json(400, {"error": message})
        with self._lock:
            self._uploads[digest] = body[:64]
            self._blobs[digest] = len(body)
        return SimResponse(201, {}, _once())

    def _redirect(self, method: str, location: str) -> SimResponse:
        if method in ("GET", "HEAD"):
            body = f'<a href="{location}">Moved Permanently</a>.\n\n'.encode()
            headers = {"Content-Type": "text/html; charset=utf-8", "Location": location}
            return SimResponse(301, headers, _once(body))
        return SimResponse(307, {"Location": location}, _once())

    def _text(self, status: int, text: str, content_type: str) -> SimResponse:
        return SimResponse(status, {"Content-Type": content_type}, _once(text.encode()))

    def _json(
        self, status: int, value: Any, content_type: str = JSON_CT, *, delay: float = 0.0
    ) -> SimResponse:
        items: tuple[bytes | float, ...] = (go_json_bytes(value),)
        if delay > 0:
            items = (delay, *items)
        return SimResponse(status, {"Content-Type": content_type}, _once(*items))

    def _empty(self) -> SimResponse:
        return SimResponse(200, {}, _once())

    def _stream(self, lines: Iterator[bytes | float]) -> SimResponse:
        return SimResponse(200, {"Content-Type": NDJSON_CT}, lines, streaming=True)

    # --- faults -------------------------------------------------------------------------------

    def _fault_error(self, fault: Fault) -> SimResponse:
        status = fault.status if fault.status is not None else 500
        if fault.plain_text:
            return self._text(status, fault.message, TEXT_CT)
        return self._json(status, {"error": fault.message})

    def _cut(self, response: SimResponse, fault: Fault) -> SimResponse:
        if fault.error_after_chunks is None and fault.drop_after_chunks is None:
            return response
        if not response.streaming:
            close_iterator(response.body)
            if fault.drop_after_chunks is not None:
                return SimResponse(200, {}, _drop_now(), streaming=True)
            return self._json(500, {"error": fault.message})
        limit = (
            fault.error_after_chunks
            if fault.error_after_chunks is not None
            else fault.drop_after_chunks
        )
        assert limit is not None
        error = fault.message if fault.error_after_chunks is not None else None
        response.body = _truncated(response.body, limit, error)
        return response

    # --- helpers ------------------------------------------------------------------------------

    def _now_ns(self) -> int:
        if self.clock is time.time:
            return time.time_ns()
        return _to_ns(self.clock())

    def _find(self, name: ModelName) -> SimModel | None:
        key = name.key
        with self._lock:
            return next((m for m in self.models if m.key == key), None)

    def _find_catalog(self, name: ModelName) -> SimModel | None:
        key = name.key
        with self._lock:
            found = self.catalog.get(key)
            if found is None:
                found = next((m for k, m in self.catalog.items() if k.lower() == key), None)
            return found

    def _install(self, model: SimModel) -> None:
        with self._lock:
            self.models[:] = [m for m in self.models if m.key != model.key]
            self.models.append(model)
            for digest, size in model.layers:
                self._blobs[digest] = max(self._blobs.get(digest, 0), size)

    def _local(self, ns: int) -> str:
        return rfc3339_local(ns, self.tz)

    def _cold_delay(self, cold: bool) -> float:
        if not cold:
            return 0.0
        if self.load_delay is not None:
            return self.load_delay
        return min(1.5, self.token_delay * 40)

    def _memory(self, model: SimModel, num_ctx: int) -> tuple[int, int]:
        arch = model.architecture
        info = model.model_info
        emb = int(info.get(f"{arch}.embedding_length", model.embedding_length) or 1024)
        heads = int(info.get(f"{arch}.attention.head_count", max(1, emb // 128)) or 1)
        kv_heads = int(info.get(f"{arch}.attention.head_count_kv", heads) or heads)
        blocks = int(info.get(f"{arch}.block_count", 16) or 16)
        kv_cache = 2 * blocks * (emb * kv_heads // heads) * 2 * num_ctx
        graph = int(model.size * 0.12) + 268_435_456
        total = model.size + kv_cache + graph
        return total, int(total * model.gpu_fraction)

    def _load(self, model: SimModel, options: dict[str, Any], keep_alive: int | None) -> bool:
        """Schedule ``model`` as /api/ps shows it; returns whether this was a cold load."""
        merged = {**model.parameters, **options}
        requested = merged.get("num_ctx")
        num_ctx = int(requested) if isinstance(requested, int | float) else self.default_num_ctx
        if model.context_length:
            num_ctx = min(num_ctx, model.context_length)
        if "vision" in model.capabilities:
            num_ctx = max(num_ctx, 2048)
        keep = self.default_keep_alive_ns if keep_alive is None else keep_alive
        now = self._now_ns()
        with self._lock:
            self._expire_locked(now)
            current = self._loaded.get(model.key)
            cold = current is None or current.num_ctx != num_ctx
            if current is None or cold:
                current = _Loaded(model, num_ctx, now + keep, keep)
                self._loaded[model.key] = current
            current.model = model
            current.keep_alive_ns = keep
            current.expires_ns = now + keep
        return cold

    def _busy(self, key: str, delta: int) -> None:
        now = self._now_ns()
        with self._lock:
            loaded = self._loaded.get(key)
            if loaded is None:
                return
            loaded.busy = max(0, loaded.busy + delta)
            if delta < 0:
                loaded.expires_ns = now + loaded.keep_alive_ns
                if loaded.keep_alive_ns == 0 and loaded.busy == 0:
                    del self._loaded[key]

    def _unload(self, model: SimModel) -> None:
        with self._lock:
            self._loaded.pop(model.key, None)

    def _expire_locked(self, now: int) -> None:
        for key, loaded in list(self._loaded.items()):
            if loaded.busy == 0 and loaded.expires_ns <= now:
                del self._loaded[key]

    # --- simple routes ------------------------------------------------------------------------

    def _tags(self, body: bytes) -> SimResponse:
        with self._lock:
            models = sorted(self.models, key=lambda m: m.modified_at, reverse=True)
        out = []
        for model in models:
            entry: dict[str, Any] = {
                "name": model.name,
                "model": model.name,
                "modified_at": self._local(_to_ns(model.modified_at)),
                "size": model.size,
                "digest": model.digest,
                "details": model.details(for_tags=True),
            }
            if model.capabilities:
                entry["capabilities"] = list(model.capabilities)
            out.append(entry)
        return self._json(200, {"models": out})

    def _ps(self, body: bytes) -> SimResponse:
        now = self._now_ns()
        with self._lock:
            self._expire_locked(now)
            loaded = sorted(self._loaded.values(), key=lambda item: -item.expires_ns)
        out = []
        for item in loaded:
            size, vram = self._memory(item.model, item.num_ctx)
            out.append(
                {
                    "name": item.model.name,
                    "model": item.model.name,
                    "size": size,
                    "digest": item.model.digest,
                    "details": item.model.details(for_ps=True),
                    "expires_at": self._local(item.expires_ns),
                    "size_vram": vram,
                    "context_length": item.num_ctx,
                }
            )
        return self._json(200, {"models": out})

    def _show(self, body: bytes) -> SimResponse:
        req, _ = _decode(body, "ShowRequest", _SHOW)
        raw = str(req.get("model") or req.get("name") or "")
        if not raw:
            raise _HTTPError(400, "model is required")
        name = parse_model_name(raw)
        if name is None:
            raise _HTTPError(400, "invalid model name")
        model = self._find(name)
        if model is None:
            raise _HTTPError(404, f"model '{name.display()}' not found")
        system = str(req.get("system") or model.system)
        out: dict[str, Any] = {}
        if model.license:
            out["license"] = model.license
        out["modelfile"] = modelfile_text(model, system=system)
        params = parameters_text(model)
        if params:
            out["parameters"] = params
        if model.template:
            out["template"] = model.template
        if system:
            out["system"] = system
        out["details"] = model.details()
        if model.messages:
            out["messages"] = [
                {"role": m.get("role", "user"), "content": m.get("content", "")}
                for m in model.messages
            ]
        out["model_info"] = show_model_info(model, verbose=req.get("verbose") is True)
        if model.projector_info:
            out["projector_info"] = dict(sorted(model.projector_info.items()))
        tensors = show_tensors(model)
        if tensors:
            out["tensors"] = tensors
        if model.capabilities:
            out["capabilities"] = list(model.capabilities)
        out["modified_at"] = self._local(_to_ns(model.modified_at))
        return self._json(200, out)

    def _copy(self, body: bytes) -> SimResponse:
        req, _ = _decode(body, "CopyRequest", _COPY)
        source = str(req.get("source") or "")
        destination = str(req.get("destination") or "")
        src = parse_model_name(source)
        if src is None:
            raise _HTTPError(400, f"source {go_quote(source)} is invalid")
        dst = parse_model_name(destination)
        if dst is None:
            raise _HTTPError(400, f"destination {go_quote(destination)} is invalid")
        model = self._find(src)
        if model is None:
            raise _HTTPError(404, f"model {go_quote(source)} not found")
        existing = self._find(dst)
        new_name = existing.name if existing is not None else dst.display()
        # A copy is the same manifest under a new name, so the digest does not change.
        copy = replace(model, name=new_name, modified_at=self._now_ns() / 1e9)
        self._install(copy)
        return self._empty()

    def _delete(self, body: bytes) -> SimResponse:
        req, _ = _decode(body, "DeleteRequest", _DELETE)
        raw = str(req.get("model") or req.get("name") or "")
        if not raw:
            raise _HTTPError(400, "model is required")
        name = parse_model_name(raw)
        if name is None:
            raise _HTTPError(400, f"name {go_quote(raw)} is invalid")
        model = self._find(name)
        if model is None:
            raise _HTTPError(404, f"model '{raw}' not found")
        with self._lock:
            self.models[:] = [m for m in self.models if m.key != model.key]
            self._loaded.pop(model.key, None)
            self._prune_blobs_locked()
            # An uploaded blob goes with the last model that used it, like any other layer.
            for digest, _ in model.layers:
                if digest not in self._blobs:
                    self._uploads.pop(digest, None)
        return self._empty()

    def _prune_blobs_locked(self) -> None:
        used = {digest for m in self.models for digest, _ in m.layers}
        for digest, done in list(self._blobs.items()):
            sizes = [size for m in self.catalog.values() for d, size in m.layers if d == digest]
            complete = bool(sizes) and done >= sizes[0]
            if digest not in used and (complete or not sizes):
                del self._blobs[digest]

    # --- chat and generate --------------------------------------------------------------------

    def _check_top_logprobs(self, req: dict[str, Any]) -> None:
        top = req.get("top_logprobs")
        if isinstance(top, int | float) and not 0 <= top <= 20:
            raise _HTTPError(400, "top_logprobs must be between 0 and 20")

    def _think(self, model: SimModel, raw_model: str, think: Any) -> bool:
        if "thinking" in model.capabilities:
            return think is not False
        if think is not None and think is not False:
            raise _HTTPError(400, f"{go_quote(raw_model)} does not support thinking")
        return False

    def _qualified(self, model: SimModel) -> str:
        parsed = parse_model_name(model.name)
        return parsed.qualified() if parsed is not None else model.name

    def _chat(self, body: bytes) -> SimResponse:
        req, custom = _decode(body, "ChatRequest", _CHAT)
        self._check_top_logprobs(req)
        raw_model = str(req.get("model") or "")
        stream = req.get("stream") is not False
        if not raw_model.strip():
            raise _HTTPError(400, "model is required")
        name = parse_model_name(raw_model)
        if name is None:
            raise _HTTPError(400, "invalid model name")
        model = self._find(name)
        if model is None:
            raise _HTTPError(404, f"model '{raw_model}' not found")
        messages: list[dict[str, Any]] = [m for m in req.get("messages") or [] if m]
        keep_alive: int | None = custom.get("keep_alive")
        if not messages and keep_alive == 0:
            self._unload(model)
            return self._json(200, self._chat_done(raw_model, "unload"))
        think_on = self._think(model, raw_model, custom.get("think"))
        if "completion" not in model.capabilities:
            raise _HTTPError(400, f"{go_quote(raw_model)} does not support chat")
        tools = req.get("tools") or []
        if tools and "tools" not in model.capabilities:
            raise _HTTPError(400, f"{self._qualified(model)} does not support tools")
        options: dict[str, Any] = req.get("options") or {}
        _check_options(options)
        cold = self._load(model, options, keep_alive)
        delay = self._cold_delay(cold)
        if not messages:
            return self._json(200, self._chat_done(raw_model, "load"), delay=delay)
        fmt = req.get("format")
        if not _valid_format(fmt):
            return self._format_error(fmt, stream, delay)
        last = messages[-1]
        users = [m for m in messages if str(m.get("role", "")).lower() == "user"]
        prompt = str(users[-1].get("content") or "") if users else ""
        has_images = bool(users and users[-1].get("images"))
        prompt_tokens = sum(
            replies.count_tokens(str(m.get("content") or "")) + 4 for m in messages
        ) + replies.count_tokens(model.system)
        plan = self._plan(
            model,
            prompt,
            think_on=think_on,
            has_images=has_images,
            fmt=fmt if fmt not in (None, "") else None,
            tools=tools,
            last=last,
            options=options,
            prompt_tokens=prompt_tokens,
        )
        lines = self._generation(
            "chat", raw_model, model, plan, stream=stream, delay=delay, cold=cold, tools=tools
        )
        if stream:
            return self._stream(lines)
        return SimResponse(200, {"Content-Type": JSON_CT}, lines)

    def _generate(self, body: bytes) -> SimResponse:
        req, custom = _decode(body, "GenerateRequest", _GENERATE)
        self._check_top_logprobs(req)
        raw_model = str(req.get("model") or "")
        stream = req.get("stream") is not False
        if not raw_model.strip():
            raise _HTTPError(404, f"model '{raw_model}' not found")
        name = parse_model_name(raw_model)
        if name is None:
            raise _HTTPError(400, "invalid model name")
        raw = req.get("raw") is True
        if raw and (req.get("template") or req.get("system") or req.get("context")):
            raise _HTTPError(400, "raw mode does not support template, system, or context")
        model = self._find(name)
        if model is None:
            raise _HTTPError(404, f"model '{raw_model}' not found")
        prompt = str(req.get("prompt") or "")
        keep_alive: int | None = custom.get("keep_alive")
        if not prompt and keep_alive == 0:
            self._unload(model)
            return self._json(200, self._generate_done(raw_model, "unload"))
        think_on = self._think(model, raw_model, custom.get("think"))
        if "completion" not in model.capabilities:
            raise _HTTPError(400, f"{go_quote(raw_model)} does not support generate")
        if req.get("suffix") and "insert" not in model.capabilities:
            raise _HTTPError(400, f"{self._qualified(model)} does not support insert")
        options: dict[str, Any] = req.get("options") or {}
        _check_options(options)
        cold = self._load(model, options, keep_alive)
        delay = self._cold_delay(cold)
        if not prompt:
            return self._json(200, self._generate_done(raw_model, "load"), delay=delay)
        fmt = req.get("format")
        if not _valid_format(fmt):
            return self._format_error(fmt, stream, delay)
        system = str(req.get("system") or model.system)
        context_in = [int(t) for t in req.get("context") or []]
        suffix = str(req.get("suffix") or "")
        plan = self._plan(
            model,
            prompt,
            think_on=think_on,
            has_images=bool(req.get("images")),
            fmt=fmt if fmt not in (None, "") else None,
            tools=[],
            last={"role": "user", "content": prompt},
            options=options,
            # The earlier exchange in ``context`` is read again as part of the prompt.
            prompt_tokens=replies.count_tokens(prompt + suffix)
            + replies.count_tokens(system)
            + len(context_in)
            + 6,
            suffix=suffix,
        )
        lines = self._generation(
            "generate",
            raw_model,
            model,
            plan,
            stream=stream,
            delay=delay,
            cold=cold,
            tools=[],
            context=None if raw else (context_in, prompt),
        )
        if stream:
            return self._stream(lines)
        return SimResponse(200, {"Content-Type": JSON_CT}, lines)

    def _format_error(self, fmt: Any, stream: bool, delay: float) -> SimResponse:
        message = (
            f"invalid format: {go_quote(go_json(fmt))}; "
            'expected "json" or a valid JSON Schema object'
        )
        return self._json(500, {"error": message}, JSON_BARE_CT if stream else JSON_CT, delay=delay)

    def _chat_done(self, raw_model: str, reason: str) -> dict[str, Any]:
        return {
            "model": raw_model,
            "created_at": rfc3339_utc(self._now_ns()),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": reason,
        }

    def _generate_done(self, raw_model: str, reason: str) -> dict[str, Any]:
        return {
            "model": raw_model,
            "created_at": rfc3339_utc(self._now_ns()),
            "response": "",
            "done": True,
            "done_reason": reason,
        }

    def _plan(
        self,
        model: SimModel,
        prompt: str,
        *,
        think_on: bool,
        has_images: bool,
        fmt: Any,
        tools: list[Any],
        last: dict[str, Any],
        options: dict[str, Any],
        prompt_tokens: int,
        suffix: str = "",
    ) -> _Plan:
        with self._lock:
            scripted = self._scripted.popleft() if self._scripted else None
        merged = {**model.parameters, **options}
        thinking = ""
        content = ""
        content_tokens: list[str] | None = None
        tool_calls: list[dict[str, Any]] = []
        done_reason = "stop"
        if scripted is not None:
            content = scripted.content
            thinking = (scripted.thinking or "") if think_on else ""
            done_reason = scripted.done_reason
        elif self.reply_tokens is not None:
            if self.reply_shape == "code":
                content_tokens = replies.code_block_tokens(self.reply_tokens)
            elif self.reply_shape == "thinking":
                thinking = "".join(replies.long_thinking_tokens(self.reply_tokens))
                content_tokens = replies.long_markdown_tokens(200)
            else:
                content_tokens = replies.long_markdown_tokens(self.reply_tokens)
            if self.end_marker and content_tokens:
                if self.reply_shape == "code":
                    content_tokens.append(f"\n\n{self.end_marker}")  # after the fence
                else:
                    content_tokens[-1] = f"\n\n{self.end_marker}"
        elif str(last.get("role", "")).lower() == "tool":
            content = replies.tool_result_reply(
                str(last.get("tool_name") or ""), str(last.get("content") or "")
            )
        else:
            call = replies.tool_call_plan(prompt, tools) if tools else None
            if call is not None:
                name, arguments = call
                tool_calls.append(
                    {
                        "id": replies.tool_call_id(prompt, name, len(self.requests)),
                        "function": {"index": 0, "name": name, "arguments": arguments},
                    }
                )
            elif suffix:
                content = replies.infill_reply(prompt, suffix)
            elif fmt is not None:
                content = replies.json_reply(prompt, fmt)
            else:
                content = replies.choose_reply(
                    prompt, seed=merged.get("seed"), has_images=has_images
                )
                temperature = options.get("temperature")
                if isinstance(temperature, int | float) and not isinstance(temperature, bool):
                    content = replies.sample_reply(
                        content,
                        temperature=float(temperature),
                        seed=merged.get("seed"),
                        nonce=len(self.requests),
                    )
            if think_on and content != replies.THINK_TAGS:
                thinking = replies.thinking_for(prompt)
        stops = merged.get("stop")
        if isinstance(stops, list) and content:
            cut = min((content.find(s) for s in stops if s and s in content), default=-1)
            if cut >= 0:
                content = content[:cut]
                done_reason = "stop"
        think_tokens = replies.tokenize(thinking)
        if content_tokens is None:
            content_tokens = replies.tokenize(content)
        limit = merged.get("num_predict")
        if isinstance(limit, int | float) and not isinstance(limit, bool) and limit > 0:
            budget = int(limit)
            if len(think_tokens) + len(content_tokens) + len(tool_calls) > budget:
                think_tokens = think_tokens[:budget]
                content_tokens = content_tokens[: max(0, budget - len(think_tokens))]
                tool_calls = []
                done_reason = "length"
        return _Plan(think_tokens, content_tokens, tool_calls, done_reason, prompt_tokens)

    def _generation(
        self,
        kind: str,
        raw_model: str,
        model: SimModel,
        plan: _Plan,
        *,
        stream: bool,
        delay: float,
        cold: bool,
        tools: list[Any],
        context: tuple[list[int], str] | None = None,
    ) -> Iterator[bytes | float]:
        """The body of a chat/generate reply: per-token lines, then the done chunk with metrics."""
        started = time.perf_counter()
        key = model.key
        self._busy(key, +1)
        try:
            if delay > 0:
                yield delay
            step = 1.0 / self.tokens_per_second if self.tokens_per_second else self.token_delay
            gen_started = time.perf_counter()
            state = _Chunks()
            if stream:
                yield from self._token_lines(kind, raw_model, plan, step, state)
            else:
                state.thinking = list(plan.thinking)
                state.content = list(plan.content)
                state.count = len(plan.thinking) + len(plan.content)
                if plan.tool_calls:
                    state.count += self._tool_tokens(plan)
                if step > 0 and state.count:
                    yield step * state.count
            if step > 0 and state.count and stream:
                yield step
            eval_ns = max(int((time.perf_counter() - gen_started) * 1e9), state.count * 20_000)
            if cold:
                load_ns = int(delay * 1e9) + int(model.size / 2.5)
            else:
                load_ns = 1_000_000 + replies.stable_hash(raw_model, plan.prompt_tokens) % 2_000_000
            prompt_ns = plan.prompt_tokens * 180_000
            overhead = int((time.perf_counter() - started) * 1e9) - eval_ns - int(delay * 1e9)
            total_ns = load_ns + prompt_ns + eval_ns + max(overhead, 250_000)
            final: dict[str, Any] = {
                "model": raw_model,
                "created_at": rfc3339_utc(self._now_ns()),
            }
            if kind == "chat":
                message: dict[str, Any] = {"role": "assistant", "content": ""}
                if not stream:
                    message["content"] = "".join(state.content)
                    if state.thinking:
                        message["thinking"] = "".join(state.thinking)
                    if tools and plan.tool_calls:
                        message["tool_calls"] = plan.tool_calls
                final["message"] = message
            else:
                final["response"] = "" if stream else "".join(state.content)
                if not stream and state.thinking:
                    final["thinking"] = "".join(state.thinking)
            final["done"] = True
            final["done_reason"] = plan.done_reason
            if kind == "generate" and context is not None:
                vocab = int(model.model_info.get(f"{model.architecture}.vocab_size", 32000))
                pieces = replies.tokenize(context[1]) + plan.content
                final["context"] = context[0] + replies.token_ids(pieces, vocab)
            metrics = {
                "total_duration": total_ns,
                "load_duration": load_ns,
                "prompt_eval_count": plan.prompt_tokens,
                "prompt_eval_duration": prompt_ns,
                "eval_count": state.count,
                "eval_duration": eval_ns,
            }
            final.update({k: v for k, v in metrics.items() if v})
            yield go_json_bytes(final, newline=stream)
        finally:
            self._busy(key, -1)

    def _tool_tokens(self, plan: _Plan) -> int:
        return sum(
            replies.count_tokens(go_json(call["function"]["arguments"])) + 6
            for call in plan.tool_calls
        )

    def _token_lines(
        self, kind: str, raw_model: str, plan: _Plan, step: float, state: _Chunks
    ) -> Iterator[bytes | float]:
        # Hand-assembled lines: this loop runs 20,000 times for the streaming benchmark.
        model_json = go_string(raw_model)
        if kind == "chat":
            head = '{"model":' + model_json + ',"created_at":"'
            mid = '","message":{"role":"assistant","content":'
            think_mid = '","message":{"role":"assistant","content":"","thinking":'
            tail = '},"done":false}\n'
        else:
            head = '{"model":' + model_json + ',"created_at":"'
            mid = '","response":'
            think_mid = '","response":"","thinking":'
            tail = ',"done":false}\n'
        paced = self.tokens_per_second
        started = time.perf_counter()

        def wait() -> float:
            if paced:
                return started + state.count / paced - time.perf_counter()
            return step

        for piece in plan.thinking:
            if state.count and (pause := wait()) > 0:
                yield pause
            state.count += 1
            now = rfc3339_utc(self._now_ns())
            yield (head + now + think_mid + go_string(piece) + tail).encode()
        for piece in plan.content:
            if state.count and (pause := wait()) > 0:
                yield pause
            state.count += 1
            now = rfc3339_utc(self._now_ns())
            yield (head + now + mid + go_string(piece) + tail).encode()
        if plan.tool_calls and kind == "chat":
            if state.count and step > 0:
                yield step
            state.count += self._tool_tokens(plan)
            chunk = {
                "model": raw_model,
                "created_at": rfc3339_utc(self._now_ns()),
                "message": {"role": "assistant", "content": "", "tool_calls": plan.tool_calls},
                "done": False,
            }
            yield go_json_bytes(chunk, newline=True)

    # --- embeddings ---------------------------------------------------------------------------

    def _embed(self, body: bytes) -> SimResponse:
        req, custom = _decode(body, "EmbedRequest", _EMBED)
        value = req.get("input")
        texts: list[str] = []
        if isinstance(value, str):
            texts = [value] if value else []
        elif isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                raise _HTTPError(400, "invalid input type")
            texts = list(value)
        elif value is not None:
            raise _HTTPError(400, "invalid input type")
        raw_model = str(req.get("model") or "")
        name = parse_model_name(raw_model)
        if name is None:
            raise _HTTPError(404, f"model '{raw_model}' not found")
        model = self._find(name)
        if model is None:
            raise _HTTPError(404, f"model {go_quote(raw_model)} not found, try pulling it first")
        options: dict[str, Any] = req.get("options") or {}
        _check_options(options)
        cold = self._load(model, options, custom.get("keep_alive"))
        delay = self._cold_delay(cold)
        if not texts:
            return self._json(200, {"model": raw_model, "embeddings": []}, delay=delay)
        dims = model.embedding_length or 768
        limit = self._loaded_ctx(model)
        counts = [replies.count_tokens(text) for text in texts]
        if req.get("truncate") is False and any(count > limit for count in counts):
            raise _HTTPError(400, "the input length exceeds the context length")
        vectors = [replies.embed_text(text, dims) for text in texts]
        wanted = req.get("dimensions")
        if isinstance(wanted, int | float) and 0 < wanted < dims:
            vectors = [replies.normalise(vector[: int(wanted)]) for vector in vectors]
        load_ns = int(delay * 1e9) + (int(model.size / 2.5) if cold else 1_019_500)
        prompt_count = sum(min(count, limit) for count in counts)
        result = {
            "model": raw_model,
            "embeddings": vectors,
            "total_duration": load_ns + prompt_count * 60_000 + 2_000_000,
            "load_duration": load_ns,
            "prompt_eval_count": prompt_count,
        }
        return self._json(200, result, delay=delay)

    def _loaded_ctx(self, model: SimModel) -> int:
        with self._lock:
            loaded = self._loaded.get(model.key)
            return loaded.num_ctx if loaded is not None else self.default_num_ctx

    def _embeddings(self, body: bytes) -> SimResponse:
        req, custom = _decode(body, "EmbeddingRequest", _EMBEDDINGS)
        raw_model = str(req.get("model") or "")
        name = parse_model_name(raw_model)
        model = self._find(name) if name is not None else None
        if model is None:
            raise _HTTPError(404, f"model {go_quote(raw_model)} not found, try pulling it first")
        options: dict[str, Any] = req.get("options") or {}
        _check_options(options)
        cold = self._load(model, options, custom.get("keep_alive"))
        prompt = str(req.get("prompt") or "")
        vector = replies.embed_text(prompt, model.embedding_length or 768) if prompt else []
        return self._json(200, {"embedding": vector}, delay=self._cold_delay(cold))

    # --- pull and create ----------------------------------------------------------------------

    def _pull(self, body: bytes) -> SimResponse:
        req, _ = _decode(body, "PullRequest", _PULL)
        raw = str(req.get("model") or req.get("name") or "")
        name = parse_model_name(raw)
        if name is None:
            raise _HTTPError(400, "invalid model name")
        stream = req.get("stream") is not False
        source = self._find_catalog(name)
        if source is None:
            missing = "pull model manifest: file does not exist"
            if stream:
                return self._stream(
                    _once(
                        go_json_bytes({"status": "pulling manifest"}, newline=True),
                        self._tick(),
                        go_json_bytes({"error": missing}, newline=True),
                    )
                )
            return self._json(500, {"error": missing}, JSON_BARE_CT, delay=self._tick())
        steps = self._pull_steps(source, name)
        return self._progress_response(steps, stream)

    def _tick(self) -> float:
        return self.pull_tick if self.pull_tick > 0 else 0.0

    def _progress_response(
        self, steps: Iterator[dict[str, Any] | float], stream: bool
    ) -> SimResponse:
        if stream:
            response = self._stream(_once())
            response.body = _ndjson(steps, response)
        else:
            response = SimResponse(200, {"Content-Type": JSON_BARE_CT}, _once())
            response.body = _last_only(steps, response)
        return response

    def _pull_steps(self, source: SimModel, name: ModelName) -> Iterator[dict[str, Any] | float]:
        """Ollama's pull progress for ``source`` (server/images.go:PullModel)."""
        yield {"status": "pulling manifest"}
        if self._tick():
            yield self._tick()
        for digest, size in source.layers:
            with self._lock:
                have = self._blobs.get(digest, 0)
            if have >= size:
                yield _progress(digest, size, size)
                continue
            yield from self._download(digest, size)
        yield {"status": "verifying sha256 digest"}
        yield {"status": "writing manifest"}
        existing = self._find(name)
        display = existing.name if existing is not None else source.name
        installed = replace(source, name=display, modified_at=self._now_ns() / 1e9)
        old_layers = set(existing.layers) if existing is not None else set()
        self._install(installed)
        if old_layers - set(installed.layers):
            with self._lock:
                self._prune_blobs_locked()
            yield {"status": "removing unused layers"}
        yield {"status": "success"}

    def _download(self, digest: str, size: int) -> Iterator[dict[str, Any] | float]:
        """Ticker-driven progress for one blob; partial bytes survive a client disconnect."""
        step = max(1, int(self.pull_rate * (self.pull_tick if self.pull_tick > 0 else 0.06)))
        owner = False
        first = True
        reported = 0
        deadline = time.perf_counter()
        try:
            while True:
                if self.pull_tick > 0:
                    # Sleep to a deadline, not a fixed interval, so the line rate holds even
                    # at 1,000 lines per second; after a long stall, start counting afresh.
                    deadline += self.pull_tick
                    wait = deadline - time.perf_counter()
                    if wait < -5 * self.pull_tick:
                        deadline, wait = time.perf_counter(), 0.0
                    yield max(wait, 0.0)
                with self._lock:
                    done = self._blobs.get(digest, 0)
                    if not owner and digest not in self._downloading:
                        # Two pulls of one blob share a download, as in server/download.go.
                        self._downloading.add(digest)
                        owner = True
                    # A fresh large blob's first tick fires before any byte has arrived.
                    if owner and not (first and done == 0 and size > step):
                        done = min(size, done + step)
                        self._blobs[digest] = done
                    first = False
                if done >= size:
                    if reported == 0:
                        # A small blob done within the first tick still gets its one line,
                        # so a fresh pull lists every layer of the model.
                        yield _progress(digest, size, size)
                    return
                reported += 1
                yield _progress(digest, size, done)
        finally:
            if owner:
                with self._lock:
                    self._downloading.discard(digest)

    def _push(self, body: bytes) -> SimResponse:
        """``PushHandler``/``PushModel``: progress per layer, or the registry's refusal."""
        req, _ = _decode(body, "PushRequest", _PUSH)
        raw = str(req.get("model") or req.get("name") or "")
        name = parse_model_name(raw)
        if name is None:
            raise _HTTPError(400, "invalid model name")
        stream = req.get("stream") is not False
        return self._progress_response(self._push_steps(name), stream)

    def _push_steps(self, name: ModelName) -> Iterator[dict[str, Any] | float]:
        yield {"status": "retrieving manifest"}
        model = self._find(name)
        if model is None:
            yield {"status": "couldn't retrieve manifest"}
            path = f"/root/.ollama/models/manifests/{name.qualified().replace(':', '/')}"
            yield {"error": f"open {path}: no such file or directory"}
            return
        if name.namespace == "library":
            # Nobody may push into the official namespace: the registry refuses the first
            # blob and the server reports errUnauthorized.
            if self._tick():
                yield self._tick()
            yield {"error": "unauthorized: access denied"}
            return
        for digest, size in model.layers:
            with self._lock:
                known = digest in self.registry
            if known:
                yield _progress(digest, size, size, verb="pushing")
                continue
            yield from self._upload(digest, size)
            with self._lock:
                self.registry.add(digest)
        yield {"status": "pushing manifest"}
        yield {"status": "success"}

    def _upload(self, digest: str, size: int) -> Iterator[dict[str, Any] | float]:
        """Ticker-driven push progress for one blob, as ``server/upload.go`` reports it."""
        step = max(1, int(self.pull_rate * (self.pull_tick if self.pull_tick > 0 else 0.06)))
        done = 0
        yield _progress(digest, size, 0, verb="pushing")
        while done < size:
            if self._tick():
                yield self._tick()
            done = min(size, done + step)
            yield _progress(digest, size, done, verb="pushing")

    def _create(self, body: bytes) -> SimResponse:
        req, _ = _decode(body, "CreateRequest", _CREATE)
        raw = str(req.get("model") or req.get("name") or "")
        name = parse_model_name(raw)
        if name is None:
            raise _HTTPError(400, "invalid model name")
        stream = req.get("stream") is not False
        base_name = str(req.get("from") or "")
        files = req.get("files") or {}
        if not base_name and not files:
            raise _HTTPError(400, "neither 'from' or 'files' was specified", JSON_BARE_CT)
        quantize = str(req.get("quantize") or "")
        if quantize and quantize.upper() not in _QUANTIZE_TYPES:
            raise _HTTPError(500, f"unsupported quantization type {quantize}", JSON_BARE_CT)
        if not base_name:
            weights = self._check_files(files)
            steps = self._create_from_files(name, weights, quantize.upper(), req)
        else:
            steps = self._create_steps(name, base_name, files, req)
        return self._progress_response(steps, stream)

    def _check_files(self, files: dict[str, Any]) -> tuple[str, int]:
        """``detectModelTypeFromFiles``: relative paths, blobs on disk, GGUF content.

        Returns the digest and size of the weights; every failure here comes before any
        output, so it is a real HTTP error.
        """
        weights: tuple[str, int] | None = None
        for file_name, digest in files.items():
            parts = str(file_name).split("/")
            if str(file_name).startswith("/") or ".." in parts or "" in parts:
                raise _HTTPError(400, "file path must be relative", JSON_BARE_CT)
            with self._lock:
                head = self._uploads.get(str(digest))
                size = self._blobs.get(str(digest), 0)
            if head is None:
                path = "/root/.ollama/models/blobs/" + str(digest).replace(":", "-")
                raise _HTTPError(500, f"open {path}: no such file or directory", JSON_BARE_CT)
            if not head.startswith(b"GGUF"):
                raise _HTTPError(400, "supplied file was not in GGUF format", JSON_BARE_CT)
            weights = weights or (str(digest), size)
        assert weights is not None
        return weights

    def _create_from_files(
        self, name: ModelName, weights: tuple[str, int], quantize: str, req: dict[str, Any]
    ) -> Iterator[dict[str, Any] | float]:
        """A model from an uploaded GGUF: parse, optionally quantize, add the small layers."""
        yield {"status": "parsing GGUF"}
        digest, size = weights
        yield {"status": f"using existing layer {digest}"}
        level = "F16"
        if quantize:
            digest, size = yield from self._quantize_steps(digest, size, quantize)
            level = quantize
        template = str(req.get("template") or "{{ .Prompt }}")
        capabilities = ["completion"]
        if ".Tools" in template:
            capabilities.append("tools")
        if ".Suffix" in template:
            capabilities.append("insert")
        updates, new_layers = self._small_layers(name, req, {})
        for layer_digest, _ in new_layers:
            yield {"status": f"creating new layer {layer_digest}"}
        config = (blob_digest("config", name.key, digest, *new_layers), 487)
        yield {"status": "writing manifest"}
        layers = [(digest, size), *new_layers, config]
        existing = self._find(name)
        created = SimModel(
            name=existing.name if existing is not None else name.display(),
            family="llama",
            parameter_size=_parameter_label(weights[1] // 2),
            quantization_level=level,
            capabilities=capabilities,
            families=["llama"],
            layers=layers,
            size=sum(layer_size for _, layer_size in layers),
            modified_at=self._now_ns() / 1e9,
            **{"template": template, **updates},
        )
        self._install(created)
        yield {"status": "success"}

    def _quantize_steps(
        self, digest: str, size: int, quantize: str
    ) -> Generator[dict[str, Any] | float, None, tuple[str, int]]:
        """Quantize F16 weights with progress; returns the new weights layer."""
        total = max(1, size)
        step = max(1, total // 4)
        yield {"status": f"quantizing F16 model to {quantize}"}
        done = 0
        while done < total:
            if self._tick():
                yield self._tick()
            done = min(total, done + step)
            yield {
                "status": f"quantizing F16 model to {quantize}",
                "digest": "0000000000000000000",
                "total": total,
                "completed": done,
            }
        yield {"status": "verifying conversion"}
        new_size = max(1, int(size * _QUANT_BITS_OF.get(quantize, 4.85) / 16))
        new_digest = blob_digest("quantized", digest, quantize)
        yield {"status": f"creating new layer {new_digest}"}
        return new_digest, new_size

    def _small_layers(
        self, name: ModelName, req: dict[str, Any], base_parameters: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, int]]]:
        """The template, system, parameters, license and messages layers a create adds."""
        updates: dict[str, Any] = {}
        parameters = req.get("parameters")
        if isinstance(req.get("template"), str) and req["template"]:
            updates["template"] = req["template"]
        if isinstance(req.get("system"), str) and req["system"]:
            updates["system"] = req["system"]
        if isinstance(parameters, dict) and parameters:
            updates["parameters"] = {**base_parameters, **parameters}
        license_value = req.get("license")
        if isinstance(license_value, list):
            license_value = "\n".join(str(item) for item in license_value)
        if isinstance(license_value, str) and license_value:
            updates["license"] = license_value
        if isinstance(req.get("messages"), list) and req["messages"]:
            updates["messages"] = [
                {"role": str(m.get("role", "user")), "content": str(m.get("content", ""))}
                for m in req["messages"]
                if isinstance(m, dict)
            ]
        layers: list[tuple[str, int]] = []
        for key, value in updates.items():
            text = value if isinstance(value, str) else go_json(value)
            layers.append((blob_digest("create", name.key, key, text), len(text.encode())))
        return updates, layers

    def _create_steps(
        self, name: ModelName, base_name: str, files: dict[str, Any], req: dict[str, Any]
    ) -> Iterator[dict[str, Any] | float]:
        parsed = parse_model_name(base_name)
        if parsed is None:
            yield {"error": "invalid model name"}
            return
        base = self._find(parsed)
        if base is None:
            source = self._find_catalog(parsed)
            if source is None:
                yield {"status": "pulling manifest"}
                yield {"error": "pull model manifest: file does not exist"}
                return
            yield from self._pull_steps(source, parsed)
            base = self._find(parsed)
            if base is None:
                yield {"error": "pull model manifest: file does not exist"}
                return
        base_layers = base.layers[:-1] if len(base.layers) > 1 else list(base.layers)
        for digest, _ in base_layers:
            yield {"status": f"using existing layer {digest}"}
        quantize = str(req.get("quantize") or "").upper()
        quantized: dict[str, Any] = {}
        if quantize:
            if base.quantization_level.upper() not in ("F16", "F32"):
                yield {"error": "quantization is only supported for F16 and F32 models"}
                return
            weights = yield from self._quantize_steps(*base_layers[0], quantize)
            base_layers = [weights, *base_layers[1:]]
            quantized["quantization_level"] = quantize
        updates, new_layers = self._small_layers(name, req, base.parameters)
        for digest, _ in new_layers:
            yield {"status": f"creating new layer {digest}"}
        config = (blob_digest("config", name.key, *new_layers), 487)
        yield {"status": "writing manifest"}
        layers = [*base_layers, *new_layers, config]
        existing = self._find(name)
        created = replace(
            base,
            name=existing.name if existing is not None else name.display(),
            parent_model=base.name,
            layers=layers,
            size=sum(size for _, size in layers),
            digest=sha256_hex("manifest", name.key, *layers),
            modified_at=self._now_ns() / 1e9,
            **quantized,
            **updates,
        )
        self._install(created)
        yield {"status": "success"}


_QUANT_BITS_OF = {"Q4_0": 4.5, "Q8_0": 8.5, "Q4_K_M": 4.85, "Q4_K_S": 4.6, "Q6_K": 6.6}
"""Rough bits per weight after quantizing, for a plausible size of the new layer."""


def _parameter_label(count: int) -> str:
    """``parameter_size`` as Ollama prints it: ``8.0B``, ``135M``, ``12K``."""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if count >= scale:
            return (
                f"{count / scale:.1f}{suffix}" if suffix == "B" else f"{count / scale:.0f}{suffix}"
            )
    return str(max(count, 1))


def _to_ns(seconds: float) -> int:
    # Split first: a float product near 1.7e18 would lose the low nanosecond digits.
    whole = math.floor(seconds)
    return whole * 1_000_000_000 + round((seconds - whole) * 1_000_000_000)


def _progress(digest: str, total: int, completed: int, *, verb: str = "pulling") -> dict[str, Any]:
    out: dict[str, Any] = {"status": f"{verb} {digest[7:19]}", "digest": digest, "total": total}
    if completed:
        out["completed"] = completed
    return out


def _prepend(delay: float, body: Iterator[bytes | float]) -> Iterator[bytes | float]:
    try:
        yield delay
        yield from body
    finally:
        close_iterator(body)


def close_iterator(iterator: Iterator[Any]) -> None:
    """Close a generator (or any iterator with ``close``), running its cleanup now."""
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


def _drop_now() -> Iterator[bytes | float]:
    raise ConnectionDropped
    yield b""  # pragma: no cover - makes this a generator


def _truncated(
    body: Iterator[bytes | float], limit: int, error: str | None
) -> Iterator[bytes | float]:
    sent = 0
    try:
        if limit > 0:
            for item in body:
                yield item
                if isinstance(item, bytes):
                    sent += 1
                    if sent >= limit:
                        break
            else:
                # The reply ended before the fault's chunk count: nothing left to break.
                return
        if error is None:
            raise ConnectionDropped
        yield go_json_bytes({"error": error}, newline=True)
    finally:
        close_iterator(body)


def _ndjson(
    steps: Iterator[dict[str, Any] | float], response: SimResponse
) -> Iterator[bytes | float]:
    """``streamResponse``: one line per status; an error before any output becomes a 500."""
    started = False
    try:
        for step in steps:
            if not isinstance(step, dict):
                yield step
                continue
            if "error" in step and not started:
                # Nothing written yet, so the server can still send a real HTTP error.
                response.status = 500
                response.headers["Content-Type"] = JSON_BARE_CT
                response.streaming = False
                yield go_json_bytes({"error": step["error"]})
                return
            started = True
            yield go_json_bytes(step, newline=True)
            if "error" in step:
                return
    finally:
        close_iterator(steps)


def _last_only(
    steps: Iterator[dict[str, Any] | float], response: SimResponse
) -> Iterator[bytes | float]:
    """``waitForStream``: wait for the whole operation, then send only its last status."""
    latest: dict[str, Any] = {}
    try:
        for step in steps:
            if not isinstance(step, dict):
                yield step
            elif "error" in step:
                response.status = 500
                yield go_json_bytes({"error": step["error"]})
                return
            else:
                latest = step
    finally:
        close_iterator(steps)
    yield go_json_bytes(latest)
