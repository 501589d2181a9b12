"""An async client for the Ollama HTTP API over one long-lived ``httpx.AsyncClient``.

Streaming methods are async generators. Leaving one early (``break``, or the
worker being cancelled) closes the HTTP response, which is how Ollama learns
that a reply or a pull was abandoned; wrap them in ``contextlib.aclosing`` when
breaking out of the loop so the close happens at once rather than at garbage
collection.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import socket
import ssl
import time
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import httpx

from tui_app import __version__
from tui_app.api.errors import (
    ConnectionLostError,
    MalformedResponseError,
    ModelNotFoundError,
    OllamaHTTPError,
    OllamaStreamError,
    OllamaUnavailableError,
    ReplyTimeoutError,
)
from tui_app.api.models import (
    JSON,
    BadEntryError,
    BlobUpload,
    ChatChunk,
    ChatMessage,
    EmbedResult,
    GenerateChunk,
    Listing,
    Metrics,
    ModelInfo,
    ModelSummary,
    ProgressUpdate,
    RunningModel,
    Streamed,
)
from tui_app.api.requests import (
    ChatRequest,
    EmbedRequest,
    FormatValue,
    GenerateRequest,
    KeepAlive,
    ThinkValue,
)
from tui_app.safe_text import safe_line

T = TypeVar("T")


# One-shot calls should not hang for ever on a wedged server; streams may wait
# minutes for a cold model load before the first byte, so they get no read limit.
_QUICK = httpx.Timeout(30.0, connect=5.0)

PROGRESS_PACE = 0.05
"""Least seconds between network reads of a pull or create: progress is drawn ten
times a second, so reading it more often only costs CPU."""
REPLY_PACE = 0.04
"""Least seconds between network reads of a reply that arrives token by token: the
screen draws a streaming reply at most 12.5 times a second, so half that interval adds
no wait a reader can see, and at 200 tokens/s one read takes in eight tokens, not two.
A slower stream (a token more than this apart) is read as each token comes."""
_BUFFERED_READ_SECONDS = 0.001
"""A read that returns sooner than this found its data already received."""
UPLOAD_CHUNK = 1 << 20
"""Bytes read from disk at a time while uploading a blob."""
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def _request_fields(**fields: Any) -> JSON:
    """Drop unset fields so that only what the user chose is sent."""
    return {key: value for key, value in fields.items() if value is not None}


_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HTML_DROP = re.compile(
    r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>", re.IGNORECASE | re.DOTALL
)
ERROR_TEXT_LIMIT = 300
"""Characters of a server's error message kept for a notification."""


def _error_text(response: httpx.Response) -> str:
    """The server's words from an error body: JSON ``{"error"}``, plain text, or for an HTML
    page (a reverse proxy's 502) its title and first line of text, never the markup."""
    body = response.text.strip()
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return _cap(str(data["error"]))
    content_type = str(response.headers.get("content-type", "")).lower()
    if "html" in content_type or body[:200].lstrip().lower().startswith(("<!doctype", "<html")):
        return _html_summary(body) or response.reason_phrase or f"HTTP {response.status_code}"
    return _cap(body) or response.reason_phrase or f"HTTP {response.status_code}"


def _html_summary(body: str) -> str:
    """``title: first line of text`` of an HTML error page, entities decoded."""
    match = _HTML_TITLE.search(body)
    title = " ".join(html.unescape(match.group(1)).split()) if match else ""
    text = html.unescape(_HTML_DROP.sub("\n", body))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    first = next((line for line in lines if line and line != title), "")
    return _shorten(": ".join(part for part in (title, first) if part))


def _cap(text: str) -> str:
    """The server's own words, cut at :data:`ERROR_TEXT_LIMIT` characters."""
    return text if len(text) <= ERROR_TEXT_LIMIT else text[: ERROR_TEXT_LIMIT - 1] + "…"


def _shorten(text: str) -> str:
    """One line of at most :data:`ERROR_TEXT_LIMIT` characters."""
    return _cap(" ".join(text.split()))


def _connect_failure_reason(exc: BaseException) -> str:
    """Say why a connection failed in a few words, from the OS error httpx wraps."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return str(exc)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed: {cause.reason or cause}"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text or "all connection attempts failed" in text:
        return "connection refused"
    return str(exc) or type(exc).__name__


def _is_json_error(response: httpx.Response) -> bool:
    return str(response.headers.get("content-type", "")).startswith("application/json")


class OllamaClient:
    """Async access to one Ollama server.

    ``base_url`` is a resolved host such as ``http://127.0.0.1:11434`` (see
    :func:`tui_app.api.host.resolve_host`). ``transport`` lets tests and the demo
    mode plug in an in-process server. ``api_key`` is sent as a bearer token.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        reply_timeout: float | None = None,
    ) -> None:
        self.reply_timeout = reply_timeout
        """Seconds a chat or generate stream may go without a byte from the server before
        :class:`ReplyTimeoutError` ends it (a cold load of a big model sends nothing for
        minutes); None waits for ever."""
        headers = {
            "Accept": "application/json",
            "User-Agent": f"ollama-tui/{__version__}",
        }
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.sends_key = bool(api_key)
        """True when requests carry a key (the key itself is never kept in sight)."""
        self._base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            headers=headers,
            transport=transport,
            timeout=httpx.Timeout(None, connect=5.0),
        )

    @property
    def base_url(self) -> str:
        """The server's address as requests are sent to it, without a trailing slash."""
        return self._base_url

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> OllamaClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # -- plumbing -----------------------------------------------------------

    def _unavailable(self, exc: Exception) -> OllamaUnavailableError:
        return OllamaUnavailableError(self._base_url, _connect_failure_reason(exc))

    async def _send(
        self,
        method: str,
        path: str,
        body: JSON | None = None,
        *,
        model: str | None = None,
        timeout: httpx.Timeout | None = _QUICK,
    ) -> httpx.Response:
        """Send a one-shot request and return the successful response."""
        try:
            response = await self._http.request(
                method, path, json=body, timeout=timeout if timeout else httpx.USE_CLIENT_DEFAULT
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            raise self._unavailable(exc) from exc
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError) as exc:
            raise ConnectionLostError(str(exc) or type(exc).__name__) from exc
        except httpx.TimeoutException as exc:
            raise ConnectionLostError("the server did not answer in time") from exc
        if response.is_error:
            raise self._http_error(response, model)
        return response

    def _http_error(self, response: httpx.Response, model: str | None) -> OllamaHTTPError:
        text = _error_text(response)
        if (
            response.status_code == 404
            and model is not None
            and _is_json_error(response)
            and "not found" in text
        ):
            return ModelNotFoundError(model, text)
        return OllamaHTTPError(response.status_code, text)

    async def _json(
        self,
        method: str,
        path: str,
        body: JSON | None = None,
        *,
        model: str | None = None,
        timeout: httpx.Timeout | None = _QUICK,
    ) -> JSON:
        response = await self._send(method, path, body, model=model, timeout=timeout)
        try:
            data = json.loads(response.content)
        except ValueError as exc:
            raise MalformedResponseError(f"{path} did not return JSON") from exc
        if not isinstance(data, dict):
            raise MalformedResponseError(f"{path} returned {type(data).__name__}, not an object")
        if data.get("error"):
            raise OllamaStreamError(str(data["error"]))
        return data

    @overload
    def _stream(
        self,
        path: str,
        body: JSON,
        parse: Callable[[JSON], T],
        *,
        model: str | None = None,
        pace: float = 0.0,
        with_lines: Literal[False] = False,
        silence: float | None = None,
    ) -> AsyncGenerator[T]: ...

    @overload
    def _stream(
        self,
        path: str,
        body: JSON,
        parse: Callable[[JSON], T],
        *,
        model: str | None = None,
        pace: float = 0.0,
        with_lines: Literal[True],
        silence: float | None = None,
    ) -> AsyncGenerator[Streamed[T]]: ...

    async def _stream(
        self,
        path: str,
        body: JSON,
        parse: Callable[[JSON], T],
        *,
        model: str | None = None,
        pace: float = 0.0,
        with_lines: bool = False,
        silence: float | None = None,
    ) -> AsyncGenerator[Any]:
        """Yield the objects of an NDJSON stream, checked for an error and then ``parse``d.

        With ``with_lines`` each object comes as a :class:`Streamed` that also holds the
        line as received, so a raw view can sit beside the parsed one.

        The public streaming methods return this generator itself rather than wrapping
        it in one of their own: one generator less per line read.

        With ``pace``, after a read that had to wait for the network the socket is left
        alone for ``pace`` seconds, so lines that arrive one by one are taken in a few at
        a time: a pull sending a thousand progress lines a second then wakes the app
        twenty times a second, not a thousand. Lines already received are never held
        back, so a stream faster than the reader is read at full speed.

        A stream that ends without an object carrying ``done: true`` (or, for
        progress streams, ``status: success``) raises :class:`ConnectionLostError`; with
        ``silence``, one that sends nothing for that many seconds (headers included)
        raises :class:`ReplyTimeoutError`.
        """
        body = {**body, "stream": True}
        finished = False
        timeout = httpx.Timeout(None, connect=5.0, read=silence)
        try:
            async with self._http.stream("POST", path, json=body, timeout=timeout) as response:
                if response.is_error:
                    await response.aread()
                    raise self._http_error(response, model)
                lines = response.aiter_lines()
                while True:
                    asked = time.monotonic()
                    try:
                        line = await anext(lines)
                    except StopAsyncIteration:
                        break
                    waited = time.monotonic() - asked > _BUFFERED_READ_SECONDS
                    if line.strip():
                        obj = self._decode_line(path, line)
                        if obj.get("done") is True or obj.get("status") == "success":
                            finished = True
                        yield Streamed(parse(obj), line) if with_lines else parse(obj)
                    if pace and waited:
                        await asyncio.sleep(pace)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            raise self._unavailable(exc) from exc
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError) as exc:
            raise ConnectionLostError(str(exc) or type(exc).__name__) from exc
        except httpx.ReadTimeout as exc:
            raise ReplyTimeoutError(silence or 0.0) from exc
        if not finished:
            raise ConnectionLostError("the stream ended before the server said it was done")

    @staticmethod
    def _decode_line(path: str, line: str) -> JSON:
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise MalformedResponseError(f"{path} sent a line that is not JSON") from exc
        if not isinstance(obj, dict):
            raise MalformedResponseError(f"{path} sent {type(obj).__name__}, not an object")
        error = obj.get("error")
        if error:
            raise OllamaStreamError(str(error))
        return obj

    # -- server ---------------------------------------------------------------

    async def heartbeat(self) -> None:
        """``HEAD /``: succeed if the server is up, else raise."""
        await self._send("HEAD", "/", timeout=httpx.Timeout(5.0))

    async def version(self) -> str:
        """The server's version string, e.g. ``0.12.3``."""
        data = await self._json("GET", "/api/version", timeout=httpx.Timeout(5.0))
        return safe_line(data.get("version"))

    # -- models -----------------------------------------------------------------

    async def list_models(self) -> Listing[ModelSummary]:
        """Installed models, most recently modified first (``GET /api/tags``).

        Entries that cannot be shown (no name, a name listed twice, a size that is not a
        number) are left out and named in the listing's ``skipped``.
        """
        data = await self._json("GET", "/api/tags")
        return _listing(data.get("models"), ModelSummary.from_json, "/api/tags")

    async def running_models(self) -> Listing[RunningModel]:
        """Loaded models (``GET /api/ps``); bad entries are left out as in :meth:`list_models`."""
        data = await self._json("GET", "/api/ps")
        return _listing(data.get("models"), RunningModel.from_json, "/api/ps")

    async def show(self, model: str, *, verbose: bool = False) -> ModelInfo:
        """Details, parameters, template and capabilities of ``model``."""
        body = _request_fields(model=model, verbose=verbose or None)
        return ModelInfo.from_json(await self._json("POST", "/api/show", body, model=model))

    async def copy(self, source: str, destination: str) -> None:
        """Copy ``source`` to a new name (the server replies with an empty body)."""
        await self._send(
            "POST", "/api/copy", {"source": source, "destination": destination}, model=source
        )

    async def delete(self, model: str) -> None:
        """Delete an installed model (``DELETE /api/delete`` with a JSON body)."""
        await self._send("DELETE", "/api/delete", {"model": model}, model=model)

    async def load(self, model: str, *, keep_alive: KeepAlive | None = None) -> ChatChunk:
        """Load ``model`` into memory (a chat with no messages); returns the ``load`` reply."""
        body = _request_fields(model=model, messages=[], keep_alive=keep_alive)
        # The model may take minutes to load; the reply only comes after.
        data = await self._json("POST", "/api/chat", body, model=model, timeout=None)
        return ChatChunk.from_json(data)

    async def unload(self, model: str) -> ChatChunk:
        """Unload ``model`` now (``keep_alive: 0``); returns the ``unload`` reply."""
        body = {"model": model, "messages": [], "keep_alive": 0}
        return ChatChunk.from_json(await self._json("POST", "/api/chat", body, model=model))

    # -- inference ----------------------------------------------------------------

    @staticmethod
    def _inference_body(
        model: str,
        options: Mapping[str, Any] | None,
        think: ThinkValue | None,
        format: FormatValue | None,
        keep_alive: KeepAlive | None,
        **extra: Any,
    ) -> JSON:
        return _request_fields(
            model=model,
            **extra,
            format=dict(format) if isinstance(format, Mapping) else format,
            options=dict(options) if options else None,
            think=think,
            keep_alive=keep_alive,
        )

    def chat(
        self,
        model: str,
        messages: Iterable[ChatMessage],
        *,
        options: Mapping[str, Any] | None = None,
        think: ThinkValue | None = None,
        format: FormatValue | None = None,
        keep_alive: KeepAlive | None = None,
        tools: list[JSON] | None = None,
    ) -> AsyncGenerator[ChatChunk]:
        """Stream a reply to ``messages`` from ``POST /api/chat``, chunk by chunk."""
        body = self._inference_body(
            model,
            options,
            think,
            format,
            keep_alive,
            messages=[m.to_json() for m in messages],
            tools=tools,
        )
        return self._stream(
            "/api/chat",
            body,
            ChatChunk.from_json,
            model=model,
            pace=REPLY_PACE,
            silence=self.reply_timeout,
        )

    async def chat_once(
        self,
        model: str,
        messages: Iterable[ChatMessage],
        *,
        options: Mapping[str, Any] | None = None,
        think: ThinkValue | None = None,
        format: FormatValue | None = None,
        keep_alive: KeepAlive | None = None,
    ) -> ChatChunk:
        """The whole reply at once (``stream: false``)."""
        body = self._inference_body(
            model,
            options,
            think,
            format,
            keep_alive,
            messages=[m.to_json() for m in messages],
            stream=False,
        )
        return ChatChunk.from_json(
            await self._json("POST", "/api/chat", body, model=model, timeout=None)
        )

    def generate(
        self,
        model: str,
        prompt: str,
        *,
        suffix: str | None = None,
        system: str | None = None,
        template: str | None = None,
        raw: bool = False,
        images: list[str] | None = None,
        options: Mapping[str, Any] | None = None,
        think: ThinkValue | None = None,
        format: FormatValue | None = None,
        keep_alive: KeepAlive | None = None,
        context: Iterable[int] | None = None,
    ) -> AsyncGenerator[GenerateChunk]:
        """Stream a completion of ``prompt`` from ``POST /api/generate``.

        ``suffix`` asks a model with the ``insert`` capability to fill in between prompt
        and suffix; ``raw`` skips the model's template; ``context`` continues from the
        tokens a previous final chunk returned. The final chunk carries the metrics,
        ``done_reason`` and, unless ``raw``, the new ``context``.
        """
        request = GenerateRequest(
            model,
            prompt,
            suffix=suffix,
            system=system,
            template=template,
            raw=raw,
            images=tuple(images or ()),
            format=format,
            options=dict(options or {}),
            keep_alive=keep_alive,
            think=think,
            context=tuple(context or ()),
        )
        return self._stream(
            "/api/generate",
            request.body(),
            GenerateChunk.from_json,
            model=model,
            pace=REPLY_PACE,
            silence=self.reply_timeout,
        )

    def stream_generate(self, request: GenerateRequest) -> AsyncGenerator[Streamed[GenerateChunk]]:
        """Send ``request`` as it is, yielding each chunk with its raw line.

        With ``request.stream`` false the one reply comes as a single item whose line is
        the whole body.
        """
        return self._raw_exchange(request.path, request.body(), GenerateChunk.from_json)

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[Streamed[ChatChunk]]:
        """Send ``request`` as it is, yielding each chunk (tool calls parsed) with its raw line."""
        return self._raw_exchange(request.path, request.body(), ChatChunk.from_json)

    async def _raw_exchange(
        self, path: str, body: JSON, parse: Callable[[JSON], T]
    ) -> AsyncGenerator[Streamed[T]]:
        model = str(body.get("model", ""))
        if body.get("stream") is False:
            response = await self._send("POST", path, body, model=model, timeout=None)
            text = response.text
            yield Streamed(parse(self._decode_line(path, text)), text)
            return
        async with contextlib.aclosing(
            self._stream(path, body, parse, model=model, pace=REPLY_PACE, with_lines=True)
        ) as stream:
            async for item in stream:
                yield item

    async def generate_once(
        self,
        model: str,
        prompt: str,
        *,
        system: str | None = None,
        options: Mapping[str, Any] | None = None,
        think: ThinkValue | None = None,
        format: FormatValue | None = None,
        keep_alive: KeepAlive | None = None,
    ) -> GenerateChunk:
        """The whole completion at once (``stream: false``)."""
        body = self._inference_body(
            model, options, think, format, keep_alive, prompt=prompt, system=system, stream=False
        )
        return GenerateChunk.from_json(
            await self._json("POST", "/api/generate", body, model=model, timeout=None)
        )

    async def embed(
        self,
        model: str,
        input: str | list[str],
        *,
        truncate: bool | None = None,
        dimensions: int | None = None,
        keep_alive: KeepAlive | None = None,
    ) -> EmbedResult:
        """Embedding vectors for ``input`` (``POST /api/embed``).

        A server too old to have ``/api/embed`` (a 404 for the route, not for the model)
        is asked through the legacy ``/api/embeddings``, one input at a time.
        """
        request = EmbedRequest(
            model,
            input if isinstance(input, str) else tuple(input),
            truncate=truncate,
            dimensions=dimensions,
            keep_alive=keep_alive,
        )
        return await self.embed_request(request)

    async def embed_request(self, request: EmbedRequest) -> EmbedResult:
        """Send ``request`` as it is; see :meth:`embed`."""
        try:
            data = await self._json(
                "POST", request.path, request.body(), model=request.model, timeout=None
            )
        except ModelNotFoundError:
            raise
        except OllamaHTTPError as exc:
            if exc.status != 404:
                raise
            return await self._legacy_embed(request)
        return EmbedResult.from_json(data)

    async def embed_exchange(self, request: EmbedRequest) -> Streamed[EmbedResult]:
        """Send ``request`` as it is; the reply comes with its body exactly as received.

        A server that only has the legacy ``/api/embeddings`` is asked there, as
        :meth:`embed` does; that reply is pieced together, so its line is empty.
        """
        try:
            response = await self._send(
                "POST", request.path, request.body(), model=request.model, timeout=None
            )
        except ModelNotFoundError:
            raise
        except OllamaHTTPError as exc:
            if exc.status != 404:
                raise
            return Streamed(await self._legacy_embed(request), "")
        text = response.text
        return Streamed(EmbedResult.from_json(self._decode_line(request.path, text)), text)

    async def _legacy_embed(self, request: EmbedRequest) -> EmbedResult:
        """``/api/embeddings`` takes one ``prompt`` and returns one ``embedding``."""
        vectors: list[tuple[float, ...]] = []
        started = time.monotonic()
        for text in request.inputs:
            body = _request_fields(
                model=request.model,
                prompt=text,
                keep_alive=request.keep_alive,
                options=dict(request.options) or None,
            )
            data = await self._json(
                "POST", "/api/embeddings", body, model=request.model, timeout=None
            )
            vector = data.get("embedding")
            values = vector if isinstance(vector, list) else []
            vectors.append(tuple(float(x) for x in values if isinstance(x, int | float)))
        # The legacy route reports no timings; the wall time is the best figure there is.
        elapsed = int((time.monotonic() - started) * 1e9)
        return EmbedResult(request.model, tuple(vectors), Metrics(total_duration=elapsed))

    # -- transfers ------------------------------------------------------------------

    def pull(self, model: str, *, insecure: bool = False) -> AsyncGenerator[ProgressUpdate]:
        """Stream the progress of pulling ``model`` from its registry."""
        body = _request_fields(model=model, insecure=insecure or None)
        return self._stream("/api/pull", body, ProgressUpdate.from_json, pace=PROGRESS_PACE)

    def push(self, model: str, *, insecure: bool = False) -> AsyncGenerator[ProgressUpdate]:
        """Stream the progress of pushing ``model`` to its registry (``POST /api/push``)."""
        body = _request_fields(model=model, insecure=insecure or None)
        return self._stream("/api/push", body, ProgressUpdate.from_json, pace=PROGRESS_PACE)

    async def blob_exists(self, digest: str) -> bool:
        """Whether the server already has the blob ``sha256:<hex>`` (``HEAD /api/blobs``)."""
        _check_digest(digest)
        try:
            await self._send("HEAD", f"/api/blobs/{digest}")
        except OllamaHTTPError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    async def upload_blob(
        self,
        digest: str,
        path: str | Path,
        *,
        progress: Callable[[int], object] | None = None,
    ) -> BlobUpload:
        """Upload the file at ``path`` as blob ``digest``, streamed from disk.

        The file is read a chunk at a time in a thread, so neither the whole file nor a
        blocked event loop is the price of a large upload. ``progress`` is called with the
        bytes sent so far after each chunk. The server hashes what it receives and refuses
        a mismatch with its own message.
        """
        _check_digest(digest)
        file = Path(path)
        size = await asyncio.to_thread(lambda: file.stat().st_size)

        async def chunks() -> AsyncGenerator[bytes]:
            sent = 0
            handle = await asyncio.to_thread(file.open, "rb")
            try:
                while chunk := await asyncio.to_thread(handle.read, UPLOAD_CHUNK):
                    yield chunk
                    sent += len(chunk)
                    if progress is not None:
                        progress(sent)
            finally:
                await asyncio.to_thread(handle.close)

        try:
            response = await self._http.post(
                f"/api/blobs/{digest}",
                content=chunks(),
                headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"},
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            raise self._unavailable(exc) from exc
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError) as exc:
            raise ConnectionLostError(str(exc) or type(exc).__name__) from exc
        if response.is_error:
            raise self._http_error(response, None)
        return BlobUpload(digest, size, created=response.status_code == 201)

    def create(
        self,
        model: str,
        *,
        from_: str | None = None,
        files: Mapping[str, str] | None = None,
        adapters: Mapping[str, str] | None = None,
        quantize: str | None = None,
        system: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        template: str | None = None,
        license: str | None = None,
        messages: Iterable[ChatMessage] | None = None,
    ) -> AsyncGenerator[ProgressUpdate]:
        """Create ``model``, streaming its progress.

        The source is either ``from_``, an existing model, or ``files``, a map of file
        name to the ``sha256:`` digest of a blob uploaded first (see :meth:`upload_blob`);
        ``quantize`` (e.g. ``q4_K_M``) converts F16/F32 weights on the way.
        """
        body = _request_fields(
            model=model,
            **{"from": from_},
            files=dict(files) if files else None,
            adapters=dict(adapters) if adapters else None,
            quantize=quantize or None,
            system=system,
            parameters=dict(parameters) if parameters else None,
            template=template,
            license=license,
            messages=[m.to_json() for m in messages] if messages else None,
        )
        return self._stream(
            "/api/create", body, ProgressUpdate.from_json, model=from_, pace=PROGRESS_PACE
        )


_Named = TypeVar("_Named", ModelSummary, RunningModel)


def _listing(entries: object, parse: Callable[[JSON], _Named], path: str) -> Listing[_Named]:
    """The entries of a ``models`` array that can be shown, each name once."""
    kept: list[_Named] = []
    seen: set[str] = set()
    problems: dict[str, int] = {}
    for entry in entries if isinstance(entries, list) else []:
        try:
            if not isinstance(entry, dict):
                raise BadEntryError("not an object")
            item = parse(entry)
            if not item.name.strip():
                raise BadEntryError("no name")
            if item.name in seen:
                raise BadEntryError(f"{item.name} listed twice")
        except BadEntryError as exc:
            problems[str(exc)] = problems.get(str(exc), 0) + 1
            continue
        seen.add(item.name)
        kept.append(item)
    notes = [
        f"{path}: left out {count} {'entry' if count == 1 else 'entries'}: {reason}"
        for reason, count in problems.items()
    ]
    return Listing(kept, notes)


def _check_digest(digest: str) -> None:
    """Refuse a digest that is not ``sha256:`` and 64 lower-case hex digits before sending."""
    if not _DIGEST.fullmatch(digest):
        raise ValueError(f"not a sha256 digest: {digest!r}")
