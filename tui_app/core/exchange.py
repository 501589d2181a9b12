"""One chat turn: save the prompt, stream the reply, and save the reply however it ends.

Every promise of "nothing written is lost" is kept here, not in the screen that draws it:

- the prompt is in the store before its request is sent;
- the reply's row is added (marked ``streaming``) before the request is sent;
- the text that arrived is saved about once a second (:data:`SAVE_INTERVAL`), so a killed
  app loses at most that much;
- how the reply ended is saved whatever the end: finished, failed (the server's words kept),
  dropped connection, or stopped. Stopping is cancelling the task that reads the turn
  (``CancelledError``) or closing the turn's generator (``GeneratorExit``); either saves what
  arrived as ``stopped`` at once, without waiting for a thread. :meth:`ChatExchange.close`
  does the same for an app that is closing mid-reply.

A turn is an async generator of events (:data:`ChatEvent`) that a screen only draws.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar

from tui_app.api import (
    ModelInfo,
    ModelNotFoundError,
    OllamaClient,
    OllamaError,
    OllamaUnavailableError,
)
from tui_app.core.chat_session import chat_title, history_messages, tools_of
from tui_app.core.options import (
    RequestDefaults,
    RequestSettings,
    model_thinks,
    resolve_settings,
)
from tui_app.core.thinking import ThinkTagSplitter
from tui_app.store import ChatRecord, MessageRecord, Store, StoreError

SAVE_INTERVAL = 1.0
"""Seconds between saves of a reply's text while it streams."""

YIELD_INTERVAL = 0.01
"""Longest stretch, in seconds, that reading a fast stream keeps the event loop to itself."""

EDIT_LOOKBACK = 20
"""How many of a chat's newest messages are searched for the last prompt to edit."""

ModelInfoLookup = Callable[[str], Awaitable[ModelInfo | None]]
"""``/api/show`` of a model, or None when the server cannot say."""


@dataclass(frozen=True, slots=True)
class ChatDraft:
    """The settings of a chat that has no messages yet, so is not in the store."""

    model: str | None = None
    system: str | None = None
    think: str | None = None
    format: str | None = None
    tools: str | None = None
    host: str | None = None
    """The host the chat will run on; None for the default host."""


# -- events -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotSent:
    """Nothing was sent; :attr:`message` says why, in words for the user."""

    message: str
    prompt_saved: bool
    """Whether the prompt is in the store; if not, the user should get it back to retry."""
    failed: bool = True
    """False when there was simply nothing to send (a warning rather than an error)."""


@dataclass(frozen=True, slots=True)
class PromptSaved:
    """The prompt is in the store (in a chat created for it if ``created``)."""

    chat: ChatRecord
    record: MessageRecord
    created: bool
    replaced_from: int | None = None
    """The prompt that was edited: it and every later message were deleted first."""


@dataclass(frozen=True, slots=True)
class Started:
    """The reply's row is in the store and its request is on its way."""

    reply: ActiveReply
    json_mode: bool
    """The request asks for JSON (a ``format``), so the reply is JSON text."""


@dataclass(frozen=True, slots=True)
class Delta:
    """Text of the reply that arrived: reasoning and answer (either may be empty)."""

    thinking: str
    answer: str


@dataclass(frozen=True, slots=True)
class ToolCalls:
    """The reply asked for function calls (their wire form), to show as they come."""

    calls: tuple[dict[str, object], ...]


@dataclass(frozen=True, slots=True)
class NotSaved:
    """A save of the text so far failed; the reply goes on and is saved again later."""

    error: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyEnd:
    """How a reply ended, yielded once that is in the store."""

    status: ClassVar[str]
    """The status the reply was saved with."""
    stats: dict[str, object] | None = None
    """The final chunk's metrics and ``done_reason``, for a finished reply."""
    error: str | None = None
    """What went wrong, for a failed reply: the server's words where it gave any."""
    save_error: str = ""
    """Why saving the end failed, if it did."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Finished(ReplyEnd):
    """The server said the reply is done."""

    status: ClassVar[str] = "complete"


@dataclass(frozen=True, slots=True, kw_only=True)
class Stopped(ReplyEnd):
    """The reply was stopped: its task cancelled, its turn closed, or the app closing.

    A stopped turn yields nothing more, so this is left on :attr:`ActiveReply.end` for
    whoever stopped it. (Only a turn that goes on after :meth:`ChatExchange.close`
    yields it.)
    """

    status: ClassVar[str] = "stopped"
    tail: Delta | None = None
    """Text saved with the end that no :class:`Delta` carried (held back as a possible
    ``<think>`` tag when the reply stopped)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Failed(ReplyEnd):
    """The request failed or the stream broke; the text that arrived is kept."""

    status: ClassVar[str] = "failed"
    cause: Exception | None = None
    """The error itself (an :class:`OllamaUnavailableError` means the server is offline)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelMissing(Failed):
    """The reply failed because the server does not have the model (an offer to pull it)."""

    model: str


ChatEvent = NotSent | PromptSaved | Started | Delta | ToolCalls | NotSaved | ReplyEnd
"""What a turn yields."""


# -- the reply on its way -----------------------------------------------------------------------


@dataclass(eq=False)
class ActiveReply:
    """A reply on its way: where it is saved and what has arrived so far."""

    chat: ChatRecord
    record: MessageRecord
    """The reply's row as it was added, marked ``streaming``."""
    thinking: list[str] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)
    tool_calls: list[dict[str, object]] = field(default_factory=list)
    """The function calls the reply asked for, in their wire form."""
    end: ReplyEnd | None = None
    """How it ended, once that is saved."""
    _splitter: ThinkTagSplitter = field(default_factory=ThinkTagSplitter, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    """Held while writing the reply, so a save of the text so far that a thread is still
    running can never land after the end was saved."""
    _saved: bool = False
    _save_error: str = ""

    @property
    def chat_id(self) -> int:
        """The chat the reply belongs to."""
        return self.chat.id

    @property
    def message_id(self) -> int:
        """The reply's row."""
        return self.record.id

    def add(self, thinking: str, answer: str) -> None:
        """Record text that arrived."""
        if thinking:
            self.thinking.append(thinking)
        if answer:
            self.answer.append(answer)

    def text(self) -> tuple[str, str]:
        """``(thinking, answer)`` so far."""
        self.thinking[:] = ["".join(self.thinking)] if self.thinking else []
        self.answer[:] = ["".join(self.answer)] if self.answer else []
        return (self.thinking[0] if self.thinking else "", self.answer[0] if self.answer else "")


# -- the exchange -------------------------------------------------------------------------------


class ChatExchange:
    """Runs chat turns against one server and one store, and keeps every reply saved.

    One reply streams at a time: :meth:`send` or :meth:`reply` while another is arriving
    would leave :attr:`active` naming only the newer one. ``model_info`` says which models
    can think (``think`` is only sent to those); without it, the server is asked each time.
    """

    def __init__(
        self,
        client: OllamaClient,
        store: Store,
        *,
        model_info: ModelInfoLookup | None = None,
    ) -> None:
        self._client = client
        self._store = store
        self._model_info = model_info or self._ask_server
        self._active: ActiveReply | None = None

    @property
    def active(self) -> ActiveReply | None:
        """The reply arriving now, if any."""
        return self._active

    async def _ask_server(self, model: str) -> ModelInfo | None:
        try:
            return await self._client.show(model)
        except OllamaError:
            return None

    # -- turns ----------------------------------------------------------------------------------

    async def send(
        self,
        chat: ChatRecord | None,
        draft: ChatDraft,
        text: str,
        images: list[str],
        *,
        model: str,
        replace_from: int | None = None,
        tool_name: str | None = None,
        ask: bool = True,
        client: OllamaClient | None = None,
    ) -> AsyncGenerator[ChatEvent]:
        """Save ``text`` as the next prompt of ``chat``, then ask for and stream the reply.

        With no ``chat``, one is created from ``draft`` and titled after the prompt. With
        ``replace_from`` (editing the last prompt) that message and every later one are
        deleted in the same step. ``model`` is used when the chat names none. ``client``
        is the chat's host, when it is not the one this exchange was made with. With
        ``tool_name``, the text is that tool's result (a ``tool`` message); with ``ask``
        false it is only saved (more results are still to come before the next reply).
        """
        try:
            saved, created, record = await asyncio.to_thread(
                self._save_prompt, chat, draft, text, images, replace_from, tool_name
            )
        except (StoreError, ValueError, TypeError) as error:
            yield NotSent(f"The prompt was not sent: {error}", prompt_saved=False)
            return
        yield PromptSaved(saved, record, created, replace_from)
        if not ask:
            return
        async with contextlib.aclosing(self.reply(saved, model, client=client)) as events:
            async for event in events:
                yield event

    async def reply(
        self, chat: ChatRecord, model: str, *, client: OllamaClient | None = None
    ) -> AsyncGenerator[ChatEvent]:
        """Ask for a reply to the chat's history as saved, and stream it.

        Yields :class:`Started`, then :class:`Delta`\\ s (and :class:`NotSaved` if a save of
        the text so far failed), then one :class:`ReplyEnd`; or only :class:`NotSent`.
        ``model`` is used when the chat names none.
        """
        model = chat.model or model
        info = await self._model_info(model)
        try:
            settings, records, row = await self._start_reply(chat, model, model_thinks(info))
        except (StoreError, ValueError) as problem:
            yield NotSent(
                f"The prompt is saved, but the request could not be made: {problem}",
                prompt_saved=True,
            )
            return
        reply = ActiveReply(chat, row)
        self._active = reply
        splitter = reply._splitter
        figures: dict[str, object] = {}
        failure: Failed | None = None
        last_save = last_yield = time.monotonic()
        try:
            yield Started(reply, json_mode=settings.format is not None)
            stream = (client or self._client).chat(
                model,
                history_messages(records, chat.system),
                options=settings.options or None,
                think=settings.think,
                format=settings.format,
                keep_alive=settings.keep_alive,
                tools=tools_of(chat.tools),
            )
            # Closing the client's generator closes the request.
            async with contextlib.aclosing(stream) as chunks:
                async for chunk in chunks:
                    thinking, answer = chunk.thinking, ""
                    if chunk.content:
                        tagged, answer = splitter.feed(chunk.content)
                        thinking += tagged
                    if chunk.done:
                        figures = {**chunk.metrics.to_json()}
                        if chunk.done_reason:
                            figures["done_reason"] = chunk.done_reason
                    if thinking or answer:
                        reply.add(thinking, answer)
                        yield Delta(thinking, answer)
                    if chunk.tool_calls:
                        calls = tuple(call.to_json() for call in chunk.tool_calls)
                        reply.tool_calls.extend(calls)
                        yield ToolCalls(calls)
                    now = time.monotonic()
                    if now - last_save >= SAVE_INTERVAL:
                        save_error = await self._save_partial(reply)
                        if save_error:
                            yield NotSaved(save_error)
                        last_save = now
                    elif now - last_yield >= YIELD_INTERVAL:
                        # Lines already buffered are read without ever suspending; let the
                        # screen draw and keys through now and then.
                        await asyncio.sleep(0.001)
                        last_yield = time.monotonic()
        except ModelNotFoundError as exc:
            failure = ModelMissing(error=exc.server_message, cause=exc, model=exc.model)
        except OllamaUnavailableError as exc:
            reason = f"{exc}. Start Ollama with `ollama serve`; the app reconnects by itself."
            failure = Failed(error=reason, cause=exc)
        except OllamaError as exc:
            failure = Failed(error=str(exc), cause=exc)
        except (asyncio.CancelledError, GeneratorExit):
            # Stopped: save at once, without a thread; nothing more may be yielded.
            self._stop(reply)
            raise
        except Exception as exc:  # a bug must not lose the reply
            failure = Failed(error=f"{type(exc).__name__}: {exc}", cause=exc)
        tail = splitter.finish()
        reply.add(*tail)
        end = failure or Finished(stats=figures)
        await self._save_end_soon(reply, end)
        if tail[0] or tail[1]:
            yield Delta(*tail)
        yield reply.end or end

    def close(self) -> None:
        """Save the reply arriving now as stopped, at once: the app is closing, and the task
        reading it may never run again."""
        reply = self._active
        if reply is not None:
            self._stop(reply)

    # -- store operations of a turn ----------------------------------------------------------

    async def drop_last_reply(self, chat_id: int) -> MessageRecord | None:
        """Delete the chat's last message if it is a reply, so it can be asked for again.

        Returns that last message (deleted if it was a reply), or None for an empty chat.
        Raises :class:`StoreError`.
        """

        def drop() -> MessageRecord | None:
            newest = self._store.messages(chat_id, limit=1)
            if not newest:
                return None
            last = newest[0]
            if last.role == "assistant":
                self._store.delete_messages_from(chat_id, last.id)
            return last

        return await asyncio.to_thread(drop)

    async def last_prompt(self, chat_id: int) -> MessageRecord | None:
        """The chat's last prompt, to edit and send again (see ``replace_from`` of
        :meth:`send`); None if there is none among its newest messages.
        Raises :class:`StoreError`."""
        records = await asyncio.to_thread(self._store.messages, chat_id, limit=EDIT_LOOKBACK)
        return next((record for record in reversed(records) if record.role == "user"), None)

    def _save_prompt(
        self,
        chat: ChatRecord | None,
        draft: ChatDraft,
        text: str,
        images: list[str],
        replace_from: int | None,
        tool_name: str | None = None,
    ) -> tuple[ChatRecord, bool, MessageRecord]:
        """Store the prompt before anything is sent (runs in a thread)."""
        store = self._store
        created = chat is None
        if chat is None:
            chat = store.create_chat(
                title=chat_title(text),
                model=draft.model,
                system=draft.system,
                think=draft.think,
                format=draft.format,
                tools=draft.tools,
                host=draft.host,
            )
        if replace_from is not None:
            store.delete_messages_from(chat.id, replace_from)
        if tool_name is not None:
            record = store.add_message(chat.id, "tool", text, tool_name=tool_name)
        else:
            record = store.add_message(chat.id, "user", text, images=images)
        return chat, created, record

    async def _start_reply(
        self, chat: ChatRecord, model: str, thinks: bool
    ) -> tuple[RequestSettings, list[MessageRecord], MessageRecord]:
        """Read the settings and history, and add the reply's row marked streaming.

        One thread hop for everything the request needs from the store. Cancelled while
        the thread runs, it still waits for the row and marks it stopped, so no row is
        left ``streaming`` for a reply that never started.
        """

        def start() -> tuple[RequestSettings, list[MessageRecord], MessageRecord]:
            store = self._store
            defaults = RequestDefaults.load(store)
            settings = resolve_settings(defaults, chat, thinks=thinks).sendable()
            records = store.messages(chat.id)
            row = store.add_message(chat.id, "assistant", "", status="streaming", model=model)
            return settings, records, row

        job = asyncio.ensure_future(asyncio.to_thread(start))
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                _, _, row = await job
                self._stop(ActiveReply(chat, row))
            raise

    async def _save_partial(self, reply: ActiveReply) -> str:
        """Save the text so far, off the event loop; return why it failed, or ''."""
        thinking, answer = reply.text()
        calls = list(reply.tool_calls)

        def write() -> None:
            with reply._lock:
                if not reply._saved:
                    self._store.update_message(
                        reply.message_id,
                        content=answer,
                        thinking=thinking,
                        tool_calls=calls,
                    )

        try:
            await asyncio.to_thread(write)
        except StoreError as error:
            return str(error)
        return ""

    def _save_end(self, reply: ActiveReply, end: ReplyEnd) -> None:
        """Write how the reply ended, once (callable from a thread); a failure is kept in
        the end's ``save_error``. The first end saved wins."""
        with reply._lock:
            if reply._saved:
                return
            reply._saved = True
            thinking, answer = reply.text()
            try:
                self._store.update_message(
                    reply.message_id,
                    content=answer,
                    thinking=thinking,
                    stats=end.stats,
                    status=end.status,
                    error=end.error,
                    tool_calls=list(reply.tool_calls),
                )
            except StoreError as failure:
                end = replace(end, save_error=str(failure))
            reply.end = end
        if self._active is reply:
            self._active = None

    async def _save_end_soon(self, reply: ActiveReply, end: ReplyEnd) -> None:
        """Save the end in a thread; cancelled meanwhile, still make sure it is saved."""
        try:
            await asyncio.to_thread(self._save_end, reply, end)
        except asyncio.CancelledError:
            # The thread goes on; this waits for its write, or writes first if it has not.
            self._save_end(reply, end)
            raise

    def _stop(self, reply: ActiveReply) -> None:
        """Save what arrived as stopped, now, with the text held back by the splitter."""
        if reply._saved:
            return
        thinking, answer = reply._splitter.finish()
        reply.add(thinking, answer)
        self._save_end(reply, Stopped(tail=Delta(thinking, answer) if thinking or answer else None))
