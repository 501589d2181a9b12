"""The chat screen: saved chats beside a streaming conversation with a local model."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import replace
from functools import partial
from typing import ClassVar

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static, TextArea
from textual.worker import Worker

from tui_app.api import (
    ModelInfo,
    ModelSummary,
    OllamaError,
)
from tui_app.core.chat_session import (
    AttachedImage,
    CodeBlock,
    code_blocks,
    context_usage,
    format_size,
    image_kind,
    model_num_ctx,
    next_think,
    pending_tool_results,
    reads_images,
    tool_call_name,
    tools_of,
)
from tui_app.core.connection import LinkState
from tui_app.core.exchange import (
    ActiveReply,
    ChatDraft,
    ChatEvent,
    ChatExchange,
    Delta,
    Failed,
    ModelMissing,
    NotSaved,
    NotSent,
    PromptSaved,
    ReplyEnd,
    Started,
    Stopped,
    ToolCalls,
)
from tui_app.core.export import chat_to_markdown, export_file_name
from tui_app.core.formatting import one_line, sanitize
from tui_app.core.hosts import Host
from tui_app.core.options import (
    RequestDefaults,
    ResolvedSettings,
    effective_settings,
    model_thinks,
    resolve_settings,
)
from tui_app.messages import OpenChat, StartPull, WarmedUp
from tui_app.screens.base import AreaScreen
from tui_app.screens.dialogs import (
    AttachImageDialog,
    CodeBlockDialog,
    ConfirmDialog,
    ExportChatDialog,
    FormatDialog,
    HostChoiceDialog,
    ModelPickerDialog,
    NameDialog,
    SearchChatsDialog,
    SystemPromptDialog,
    ToolsDialog,
)
from tui_app.services import Services
from tui_app.store import ChatRecord, MessageRecord, NotFoundError, StoreError
from tui_app.widgets.chat_list import ChatList
from tui_app.widgets.message_view import MessageView
from tui_app.widgets.prompt_input import PromptInput
from tui_app.widgets.transcript import Transcript

LAST_MODEL_SETTING = "last_model"
"""Store setting remembering the model last chosen, for new chats."""

PROMPT_PLACEHOLDER = "Message · enter sends · ctrl+j new line"

CHAT_GONE = "That chat no longer exists; it may have been deleted in another window."


def _title_problem(title: str) -> str | None:
    """Why ``title`` cannot be a chat's title, or None."""
    return None if title.strip() else "A title cannot be blank."


class ChatScreen(AreaScreen):
    """Chat with local models: the saved chats, the conversation, and the prompt.

    A :class:`ChatExchange` runs each turn in a worker and keeps it saved (the prompt before
    its request is sent, the reply as it streams and however it ends); the screen draws
    what it reports. Only the newest page of a long chat is drawn; older messages load as
    the view is scrolled up.
    """

    AREA_TITLE = "Chat"

    WAITING_NOTICE_SECONDS: ClassVar[float] = 3.0
    """How long a reply may show nothing before the line under the prompt says it waits."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "stop",
            "Stop",
            id="chat.stop",
            tooltip="Stop the reply that is arriving, or stop editing",
        ),
        Binding("ctrl+n", "new_chat", "New chat", id="chat.new", tooltip="Start a new chat"),
        Binding("ctrl+o", "pick_model", "Model", id="chat.model", tooltip="Choose the model"),
        Binding(
            "ctrl+t",
            "cycle_think",
            "Think",
            id="chat.think",
            tooltip="Think: default, off, on, low, medium, high, max",
        ),
        Binding(
            "ctrl+g",
            "regenerate",
            "Regenerate",
            id="chat.regenerate",
            tooltip="Regenerate the last reply",
        ),
        Binding(
            "ctrl+l",
            "edit_last",
            "Edit last",
            id="chat.edit",
            tooltip="Edit the last prompt and send it again",
        ),
        Binding("f9", "copy_reply", "Copy", id="chat.copy", tooltip="Copy the last reply"),
        Binding(
            "ctrl+b",
            "copy_code",
            "Copy code",
            show=False,
            id="chat.copy_code",
            tooltip="Copy a code block (choose which)",
        ),
        Binding(
            "f6",
            "system_prompt",
            "System",
            show=False,
            priority=True,  # the prompt box would take f6 as "select line"
            id="chat.system",
            tooltip="Edit the chat's system prompt",
        ),
        Binding(
            "f7",
            "reply_format",
            "Format",
            show=False,
            priority=True,  # the prompt box would take f7 as "select all"
            id="chat.format",
            tooltip="Reply format: default, off, JSON or a JSON schema",
        ),
        Binding(
            "ctrl+f",
            "search_chats",
            "Search",
            show=False,
            id="chat.search",
            tooltip="Search every chat's messages",
        ),
        Binding(
            "f8",
            "attach_image",
            "Image",
            show=False,
            id="chat.attach",
            tooltip="Attach an image to the next prompt (vision models)",
        ),
        Binding(
            "escape",
            "focus_prompt",
            "Prompt",
            id="chat.focus_prompt",
            tooltip="From the chat list or the conversation: back to the prompt",
        ),
        Binding(
            "ctrl+backslash",
            "toggle_thinking",
            "Thinking",
            show=False,
            id="chat.thinking",
            tooltip="Show or hide the thinking of the last reply (or click its title)",
        ),
        Binding(
            "ctrl+right_square_bracket",
            "toggle_all_thinking",
            "All thinking",
            show=False,
            id="chat.thinking_all",
            tooltip="Show or hide the thinking of every reply on screen",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.chat: ChatRecord | None = None
        """The open chat; None while a new chat has no messages yet."""
        self._draft = ChatDraft()
        self._exchange = ChatExchange(services.client, services.store, model_info=self.model_info)
        self._defaults = RequestDefaults()
        """The global defaults as last read, under the open chat's own settings."""
        self._reply: ActiveReply | None = None
        """The reply arriving now."""
        self._reply_view: MessageView | None = None
        """Where that reply is drawn; None while its chat is not on screen."""
        self._worker: Worker[None] | None = None
        self._turn_over = False
        """Set once the reply of :attr:`_worker` has ended, while it still tidies up."""
        self._attachments: list[AttachedImage] = []
        self._editing: MessageRecord | None = None
        self._tool_results: list[str] = []
        """The tools whose results the open chat waits for: the prompt sends the first's."""
        self._chosen_model: str | None = None
        self._stored_model: str | None = None
        self._waiting: Timer | None = None
        """Ticks while a reply has shown nothing yet; see :meth:`_show_waiting`."""
        self._waiting_since = 0.0
        self._waiting_shown = False

    @classmethod
    def own_bindings(cls) -> list[BindingType]:
        """The screen's keys with those of the prompt box, for help."""
        return [*PromptInput.BINDINGS, *super().own_bindings()]

    # -- layout ----------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="chat-body"):
            yield ChatList(
                self._read_chats,
                follow_open_chat=True,
                clock=self.services.clock,
                id="chat-list",
            )
            with Vertical(id="chat-main"):
                yield Static(id="chat-header")
                yield Transcript(id="transcript")
                yield Static(id="chat-editing")
                yield Static(id="chat-attachments")
                yield PromptInput(id="prompt", placeholder=PROMPT_PLACEHOLDER)
                yield Static(id="chat-meter")

    @property
    def transcript(self) -> Transcript:
        """The conversation view."""
        return self.query_one("#transcript", Transcript)

    @property
    def prompt(self) -> PromptInput:
        """The prompt box."""
        return self.query_one("#prompt", PromptInput)

    async def on_mount(self) -> None:
        stored = self.services.store.get_setting(LAST_MODEL_SETTING)
        self._stored_model = stored if isinstance(stored, str) and stored else None
        with contextlib.suppress(StoreError):
            self._defaults = RequestDefaults.load(self.services.store)
        self.follow(self.services.catalog.models, self._models_changed)
        self.follow(self.services.current.id, self._show_open_chat)
        self._show_open_chat(self.services.current.id.value)
        self.transcript.set_empty_hint(self._empty_hint())
        await self.new_chat()
        self.call_after_refresh(self._warm_up)

    @work(group="chat-warm-up", exit_on_error=False)
    async def _warm_up(self) -> None:
        await self.transcript.warm_up()
        self.post_message(WarmedUp())

    def on_screen_resume(self) -> None:
        # Another area (options, models) may have changed this chat or its model; a dialog
        # of this screen changes them through the screen itself.
        if not self.under_dialog:
            self._reread_chat()
        # Back from a dialog or another area, what is typed goes to the prompt, wherever
        # focus was before.
        self.focus_prompt()

    def focus_prompt(self) -> None:
        """Put focus in the prompt box (the chat key, escape, closing a dialog)."""
        if self.is_mounted:
            self.set_focus(self.prompt)

    def _typing_elsewhere(self) -> bool:
        """Whether focus is outside any text field, so typed text is meant for the prompt."""
        return not isinstance(self.focused, Input | TextArea)

    def take_typing(self, event: events.Key | events.Paste) -> bool:
        """Send a printable key or a paste arriving outside a text field to the prompt, and
        focus the prompt; True if it was taken.

        The app asks before it hands the event to the focused widget, so a burst of typed
        keys reaches the prompt whole and in order. Keys bound where focus is (the chat
        list's single letters) keep their meaning: they act only while the list has focus,
        and the footer names them then.
        """
        if not self._typing_elsewhere():
            return False
        if isinstance(event, events.Key):
            if not (event.is_printable and event.character) or event.key in self.active_bindings:
                return False
            text = event.character
        else:
            text = event.text
        if not text:
            return False
        self.focus_prompt()
        self.prompt.type_text(text)
        return True

    # -- the chat's settings -----------------------------------------------------------------

    @property
    def model(self) -> str | None:
        """The model of the open chat."""
        return self.chat.model if self.chat is not None else self._draft.model

    @property
    def host(self) -> Host:
        """The host the open chat runs on (chosen when it was started; the default else)."""
        name = self.chat.host if self.chat is not None else self._draft.host
        return self.services.hosts.get_or_default(name)

    def host_in_view(self) -> Host:
        """The open chat's host: its failures turn that host offline, not the default."""
        return self.host

    def _publish_host(self) -> None:
        self.services.current.host.set(self.host.name)

    @property
    def system(self) -> str | None:
        """The open chat's system prompt."""
        return self.chat.system if self.chat is not None else self._draft.system

    @property
    def think(self) -> str | None:
        """The open chat's think setting."""
        return self.chat.think if self.chat is not None else self._draft.think

    @property
    def reply_format(self) -> str | None:
        """The open chat's ``format``."""
        return self.chat.format if self.chat is not None else self._draft.format

    @property
    def tools(self) -> str | None:
        """The open chat's tools: a JSON list's text, or None."""
        return self.chat.tools if self.chat is not None else self._draft.tools

    def settings(self) -> ResolvedSettings:
        """The open chat's settings as its next request carries them, and where each comes
        from (the chat, the global defaults, the model)."""
        if self.chat is not None:
            overrides = RequestDefaults.of_chat(self.chat)
        else:
            overrides = RequestDefaults(think=self._draft.think, format=self._draft.format)
        return resolve_settings(self._defaults, overrides, thinks=model_thinks(self._cached_info()))

    def _json_mode(self) -> bool:
        """Whether replies of the open chat are constrained to JSON."""
        return self.settings().request.format is not None

    @property
    def replying(self) -> bool:
        """True from sending a prompt until its reply ends (not while the turn then tidies
        up: a prompt sent as the reply's figures appear goes, it is not refused)."""
        return self._worker is not None and self._worker.is_running and not self._turn_over

    async def _update_chat(self, **fields: str | None) -> bool:
        """Change settings of the open chat (in the store, or of the draft)."""
        if self.chat is None:
            self._draft = replace(self._draft, **fields)
        else:
            try:
                self.chat = await asyncio.to_thread(
                    self.services.store.update_chat, self.chat.id, **fields
                )
            except (StoreError, ValueError, TypeError) as error:
                self.report(error, "Could not save")
                return False
            await self._chat_list.reload(select=self.chat.id)
        self._refresh_header()
        return True

    @property
    def _chat_list(self) -> ChatList:
        return self.query_one("#chat-list", ChatList)

    def _preferred_model(self) -> str | None:
        """The model for a new chat: chosen this run, named on the command line, last used,
        else the first installed chat model."""
        for name in (self._chosen_model, self.services.initial_model, self._stored_model):
            if name:
                return name
        return self.services.catalog.first_chat_model()

    def _models_changed(self, models: tuple[ModelSummary, ...]) -> None:
        if self.model is None and self.chat is None:
            self._draft = replace(self._draft, model=self._preferred_model())
            self.services.current.model.set(self.model or "")
        self._refresh_header()
        self._load_model_details()

    # -- model details ---------------------------------------------------------------------------

    async def model_info(self, model: str) -> ModelInfo | None:
        """``/api/show`` of ``model`` (the catalogue keeps it); None when the server cannot say."""
        try:
            return await self.host.catalog.info(model)
        except OllamaError:
            return None

    async def _capabilities_of(self, model: str) -> tuple[str, ...] | None:
        """What ``model`` can do, for the model picker; None when the server cannot say."""
        info = await self.model_info(model)
        if info is None:
            return None
        if not info.capabilities and reads_images(info):
            # An older Ollama lists no capabilities; the model's metadata shows vision.
            return ("vision",)
        return info.capabilities

    def _cached_info(self) -> ModelInfo | None:
        model = self.model
        return self.host.catalog.cached_info(model) if model else None

    @work(exclusive=True, group="chat-model-details", exit_on_error=False)
    async def _load_model_details(self) -> None:
        """Fetch the model's capabilities and context size, then redraw what shows them."""
        model = self.model
        if model:
            await self.model_info(model)
        self._refresh_header()
        await self._refresh_meter()

    # -- header, meter, banners -----------------------------------------------------------------

    def _empty_hint(self) -> Content:
        lines = [
            Content.styled("Start a conversation", "bold"),
            Content(
                "Type below and press enter. ctrl+j starts a new line; ↑ recalls earlier prompts."
            ),
            Content(
                "ctrl+o model · ctrl+t think · f6 system prompt · f7 format · f8 image · "
                "f1 every key"
            ),
        ]
        if self.services.demo:
            lines.append(
                Content.styled(
                    "Demo mode: replies are simulated. Ask for code, a table or an overview.",
                    "$warning",
                )
            )
        return Content("\n").join(lines)

    def _refresh_header(self) -> None:
        if not self.is_mounted:
            return
        header = self.query_one("#chat-header", Static)
        header.update(self._header(header.content_size.width))

    def _header(self, width: int) -> Content:
        """The header line, shortened to ``width`` cells: the think, format and system
        indicators are never cut; words shrink first, then the title."""
        title = self.chat.title if self.chat is not None else "New chat"
        model = self.model
        info = self._cached_info() if model else None
        extras = [c for c in info.capabilities if c in ("thinking", "vision")] if info else []
        settings = self.settings()
        tool_count = len(tools_of(self.tools) or [])

        def line(compact: int, title_cells: int | None) -> Content:
            shown_title = sanitize(title)
            if title_cells is not None and len(shown_title) > title_cells:
                shown_title = shown_title[: max(title_cells - 1, 0)] + "…"
            parts = [Content.styled(shown_title, "bold")] if shown_title else []
            if model:
                label = Content.styled(sanitize(model), "$accent bold")
                if extras and compact < 1:
                    label += Content.styled(f" ({', '.join(extras)})", "$text-muted")
                parts.append(label)
            else:
                parts.append(Content.styled("no model: ctrl+o", "$warning"))
            think, reply_format = settings.label("think"), settings.label("format")
            if compact >= 2:
                think = think.replace(" (global)", " (g)")
                reply_format = reply_format.replace(" (global)", " (g)")
            if compact >= 3:
                parts += [Content(f"th:{think}"), Content(f"fmt:{reply_format}")]
            else:
                parts += [Content(f"think: {think}"), Content(f"format: {reply_format}")]
            if self.system:
                parts.append(Content("system prompt set" if compact < 1 else "system"))
            if tool_count:
                parts.append(Content(f"tools: {tool_count}" if compact < 3 else f"t:{tool_count}"))
            return Content(" · " if compact < 3 else "·").join(parts)

        if width <= 0:
            return line(0, None)
        for compact in range(4):
            for title_cells in (None, 16, 8):
                candidate = line(compact, title_cells)
                if candidate.cell_length <= width:
                    return candidate
        return line(3, 0)

    def on_resize(self) -> None:
        # After the layout, when the header knows its new width.
        self.call_after_refresh(self._refresh_header)

    async def _refresh_meter(self, stats: dict[str, object] | None = None) -> None:
        """Redraw the context meter from the last reply's stats (or ``stats``)."""
        if not self.is_mounted:
            return
        if stats is None:
            last = next((view for view in reversed(self.transcript.views) if view.stats), None)
            stats = last.stats if last is not None else {}
        try:
            defaults = await asyncio.to_thread(RequestDefaults.load, self.services.store)
            settings = effective_settings(defaults, self.chat)
            chat_num_ctx = settings.options.get("num_ctx")
        except (StoreError, ValueError):
            chat_num_ctx = None
        info = self._cached_info()
        usage = context_usage(
            stats,
            chat_num_ctx=chat_num_ctx,
            model_parameters_num_ctx=model_num_ctx(info.parameters) if info else None,
            trained=info.context_length if info else None,
        )
        meter = self.query_one("#chat-meter", Static)
        meter.update(Content(usage.text()))
        meter.set_class(usage.warning, "-warning")

    def _refresh_banners(self) -> None:
        editing = self.query_one("#chat-editing", Static)
        waiting = self._tool_results if self._editing is None else []
        editing.display = self._editing is not None or bool(waiting)
        if self._editing is not None:
            editing.update(
                "Editing your last prompt: enter sends it again and replaces the last exchange"
                " · escape stops editing"
            )
        elif waiting:
            more = f" ({len(waiting) - 1} more after it)" if len(waiting) > 1 else ""
            # The name is model output: plain Content, never markup.
            editing.update(
                Content(
                    f"The model called {sanitize(waiting[0])}{more}: enter sends what you type"
                    " as its result · escape types a prompt instead"
                )
            )
        # A str placeholder would be read as markup; the name is model output.
        self.prompt.placeholder = (
            Content(f"Tool result for {sanitize(waiting[0])}") if waiting else PROMPT_PLACEHOLDER
        )
        attachments = self.query_one("#chat-attachments", Static)
        attachments.display = bool(self._attachments)
        if self._attachments:
            names = ", ".join(
                f"{sanitize(image.name)} ({image.kind}, {format_size(image.size)})"
                for image in self._attachments
            )
            attachments.update(Content(f"📎 {names} · goes with the next prompt · f8 to change"))

    @on(Worker.StateChanged)
    def _reply_worker_changed(self, event: Worker.StateChanged) -> None:
        # The stop key depends on whether a reply is running, and that ends here.
        if event.worker.group == "chat-reply":
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape goes back to the prompt from elsewhere; in the prompt it stops.
        focused = self.focused
        in_prompt = focused is not None and focused.id == "prompt"
        if action == "stop":
            return in_prompt and (
                self.replying or self._editing is not None or bool(self._tool_results)
            )
        if action == "focus_prompt":
            return not in_prompt
        return True

    # -- opening chats ---------------------------------------------------------------------------

    async def new_chat(self, model: str | None = None, host: str | None = None) -> None:
        """Start a new chat, optionally with ``model`` on host ``host`` (None: the default)."""
        if model and host is None:
            await self._remember_model(model)
        await self._detach_reply_view()
        self.chat = None
        if host is not None and self.services.hosts.get(host) is self.services.hosts.default:
            host = None
        self._draft = ChatDraft(model=model or self._preferred_model(), host=host)
        self._publish_host()
        self._editing = None
        self._tool_results = []
        self._attachments = []
        await self.transcript.show([], has_older=False)
        self.services.current.show(None, self.model)
        self._refresh_banners()
        self._refresh_header()
        self._load_model_details()
        self.prompt.focus()

    async def open_chat(
        self, chat_id: int, message_id: int | None = None, *, in_thinking: bool = False
    ) -> None:
        """Show a saved chat: its newest messages, or the ones around ``message_id``
        (highlighted; its thinking open when ``in_thinking``, where a search found it)."""
        store = self.services.store
        page = Transcript.PAGE_SIZE

        def read() -> tuple[ChatRecord | None, list[MessageRecord], bool, bool]:
            """The chat, its page of messages, and whether older and newer ones exist."""
            chat = store.get_chat(chat_id)
            if chat is None:
                return None, [], False, False
            if message_id is None:
                # The newest page: nothing comes after it.
                records = store.messages(chat_id, limit=page)
                return chat, records, len(records) == page, False
            # Half a page up to the message and half after it, one more each way to know
            # whether the chat goes on beyond them.
            half = page // 2
            before = store.messages(chat_id, limit=half + 1, before_id=message_id + 1)
            after = store.messages(chat_id, limit=half + 1, after_id=message_id)
            return chat, before[-half:] + after[:half], len(before) > half, len(after) > half

        try:
            chat, records, has_older, has_newer = await asyncio.to_thread(read)
        except StoreError as error:
            self.report(error, "Could not open the chat")
            return
        if chat is None:
            self.notify("That chat no longer exists.", severity="warning")
            await self._chat_list.reload()
            return
        await self._detach_reply_view()
        self.chat = chat
        self._editing = None
        self._tool_results = pending_tool_results(records) if not has_newer else []
        self._attachments = []
        await self.transcript.show(
            records,
            has_older=has_older,
            has_newer=has_newer,
            json_mode=self._json_mode(),
            focus_id=message_id,
            reveal_thinking=in_thinking,
        )
        await self._attach_reply_view()
        self.services.current.show(chat.id, chat.model)
        self._publish_host()
        self.prompt.set_history(record.content for record in records if record.role == "user")
        self._refresh_banners()
        self._refresh_header()
        self._load_model_details()
        if message_id is None:
            self.prompt.focus()

    def _reread_chat(self) -> None:
        self._reload_chat_record(self.chat.id if self.chat is not None else None)

    @work(exclusive=True, group="chat-reread", exit_on_error=False)
    async def _reload_chat_record(self, chat_id: int | None) -> None:
        store = self.services.store

        def read() -> tuple[RequestDefaults, ChatRecord | None]:
            chat = store.get_chat(chat_id) if chat_id is not None else None
            return RequestDefaults.load(store), chat

        try:
            self._defaults, chat = await asyncio.to_thread(read)
        except StoreError:
            return
        if chat is not None and self.chat is not None and self.chat.id == chat_id:
            self.chat = chat
            self.services.current.model.set(chat.model or "")
        self._refresh_header()
        self._load_model_details()

    async def _detach_reply_view(self) -> None:
        """Stop drawing the streaming reply before its view leaves the screen."""
        view, self._reply_view = self._reply_view, None
        if view is not None:
            await view.stop_streaming()

    async def _attach_reply_view(self) -> None:
        """Draw the streaming reply again if its chat is back on screen."""
        reply = self._reply
        if reply is None or self.chat is None or reply.chat_id != self.chat.id:
            return
        view = self.transcript.view_for(reply.message_id)
        if view is not None:
            self._reply_view = view
            await view.resume(*reply.text())

    async def _show_latest(self) -> None:
        """Load the newest page of the open chat (the window had moved away from it)."""
        if self.chat is None:
            return
        page = Transcript.PAGE_SIZE
        records = await asyncio.to_thread(self.services.store.messages, self.chat.id, limit=page)
        await self._detach_reply_view()
        await self.transcript.show(
            records, has_older=len(records) == page, json_mode=self._json_mode()
        )
        await self._attach_reply_view()

    @on(Transcript.OlderWanted)
    async def _load_older(self, event: Transcript.OlderWanted) -> None:
        if self.chat is None:
            event.transcript.paging_done()
            return
        page = Transcript.PAGE_SIZE
        try:
            records = await asyncio.to_thread(
                self.services.store.messages, self.chat.id, limit=page, before_id=event.before_id
            )
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            event.transcript.paging_done()
            return
        await event.transcript.prepend(
            records, has_older=len(records) == page, json_mode=self._json_mode()
        )

    @on(Transcript.NewerWanted)
    async def _load_newer(self, event: Transcript.NewerWanted) -> None:
        if self.chat is None:
            event.transcript.paging_done()
            return
        page = Transcript.PAGE_SIZE
        try:
            # One more than a page, to know whether still newer ones follow.
            records = await asyncio.to_thread(
                self.services.store.messages, self.chat.id, limit=page + 1, after_id=event.after_id
            )
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            event.transcript.paging_done()
            return
        await event.transcript.append(
            records[:page], has_newer=len(records) > page, json_mode=self._json_mode()
        )
        if not event.transcript.has_newer and self._reply_view is None:
            # The newest messages are back: a reply arriving in this chat is among them.
            await self._attach_reply_view()

    # -- the chat list ------------------------------------------------------------------------

    async def _read_chats(self) -> list[ChatRecord] | None:
        """The saved chats for the list, newest first; ``None`` (said why) if unreadable."""
        try:
            return await asyncio.to_thread(self.services.store.list_chats)
        except StoreError as error:
            self.report(error, "Could not read chats")
            return None

    def _show_open_chat(self, chat_id: int | None) -> None:
        self._chat_list.open_chat_id = chat_id

    @on(OpenChat)
    async def _open_chat_requested(self, request: OpenChat) -> None:
        # Handed over by the app from another area; it must not bubble back up.
        request.stop()
        if request.chat_id is not None:
            await self.open_chat(request.chat_id)
            await self._chat_list.reload(select=request.chat_id)
            return
        await self.new_chat(model=request.model, host=request.host or None)

    @on(ChatList.ChatSelected)
    async def _chat_selected(self, event: ChatList.ChatSelected) -> None:
        if self.chat is None or self.chat.id != event.chat_id:
            await self.open_chat(event.chat_id)
        else:
            self.prompt.focus()

    @on(ChatList.NewChatRequested)
    async def _new_chat_requested(self) -> None:
        await self.new_chat()

    async def _chat_deleted(self, chat_id: int) -> None:
        """Forget chat ``chat_id``, which is gone from the store: stop its reply, close it."""
        if self._reply is not None and self._reply.chat_id == chat_id:
            self.action_stop()
        if self.chat is not None and self.chat.id == chat_id:
            await self.new_chat()

    def _chat_renamed(self, chat_id: int, title: str) -> None:
        if self.chat is not None and self.chat.id == chat_id:
            self.chat = replace(self.chat, title=title)
            self._refresh_header()

    @on(ChatList.RenameRequested)
    def _rename_requested(self, event: ChatList.RenameRequested) -> None:
        self.rename_chat(event.chat_id, event.title)

    @on(ChatList.DeleteRequested)
    def _delete_requested(self, event: ChatList.DeleteRequested) -> None:
        self.delete_chat(event.chat_id, event.title)

    @on(ChatList.ExportRequested)
    def _export_requested(self, event: ChatList.ExportRequested) -> None:
        self.export_chat(event.chat_id)

    @on(ChatList.SearchRequested)
    def _search_requested(self) -> None:
        self.search_chats()

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def rename_chat(self, chat_id: int, title: str) -> None:
        """Rename chat ``chat_id`` through a dialog prefilled with its ``title``."""
        shown = one_line(title)
        typed = await self.app.push_screen_wait(
            NameDialog("Rename chat", shown, check=_title_problem, placeholder="Chat title")
        )
        if typed is None:
            return
        new_title = " ".join(typed.split())
        if new_title == shown:
            return
        try:
            renamed = await asyncio.to_thread(self.services.store.rename_chat, chat_id, new_title)
        except NotFoundError:
            self.notify(CHAT_GONE, severity="warning")
            await self._chat_list.reload()
            return
        except (StoreError, ValueError) as error:
            self.report(error, "Could not rename")
            return
        await self._chat_list.reload(select=chat_id)
        self._chat_renamed(chat_id, renamed.title)

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def delete_chat(self, chat_id: int, title: str) -> None:
        """Delete chat ``chat_id`` after a confirmation naming it and its message count."""
        store = self.services.store
        try:
            count = await asyncio.to_thread(store.count_messages, chat_id)
        except StoreError as error:
            self.report(error, "Could not delete")
            return
        messages = f"{count} message{'s' if count != 1 else ''}"
        confirmed = await self.app.push_screen_wait(
            ConfirmDialog(
                f"Delete “{one_line(title)}”?",
                f"The chat and its {messages} will be deleted. This cannot be undone.",
                heading="Delete chat",
            )
        )
        if not confirmed:
            return
        try:
            # False means another window deleted it first: gone either way.
            await asyncio.to_thread(store.delete_chat, chat_id)
        except StoreError as error:
            self.report(error, "Could not delete")
            return
        await self._chat_list.reload()
        await self._chat_deleted(chat_id)
        self.notify(f"Deleted “{one_line(title)}”.", title="Chat deleted", markup=False)

    def _export_text(self, chat_id: int) -> tuple[ChatRecord, str] | None:
        """The chat and its Markdown, read in one go (runs in a worker thread)."""
        store = self.services.store
        chat = store.get_chat(chat_id)
        if chat is None:
            return None
        return chat, chat_to_markdown(chat, store.messages(chat_id))

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def export_chat(self, chat_id: int) -> None:
        """Export chat ``chat_id`` to a Markdown file whose path the user can edit."""
        try:
            exported = await asyncio.to_thread(self._export_text, chat_id)
        except StoreError as error:
            self.report(error, "Could not export")
            return
        if exported is None:
            self.notify(CHAT_GONE, severity="warning")
            await self._chat_list.reload()
            return
        chat, text = exported
        path = await self.app.push_screen_wait(
            ExportChatDialog(chat.title, f"~/{export_file_name(chat.title)}", text)
        )
        if path is not None:
            self.notify(
                f"Wrote “{one_line(chat.title)}” to {one_line(str(path))}",
                title="Chat exported",
                markup=False,
            )

    @work(exclusive=True, group="chat-list-action", exit_on_error=False)
    async def search_chats(self) -> None:
        """Search every chat's messages and open the chat of the hit chosen, at that message."""
        dialog = SearchChatsDialog(self.services.store, self.services.clock)
        hit = await self.app.push_screen_wait(dialog)
        if hit is not None:
            await self.open_chat(hit.chat_id, hit.message_id, in_thinking=hit.in_thinking)

    # -- sending ---------------------------------------------------------------------------------

    @on(PromptInput.Changed)
    def _prompt_edited(self) -> None:
        # Typing comes first: a streaming reply waits with its next redraw.
        if self._reply_view is not None:
            self._reply_view.hold_drawing()

    @on(PromptInput.Submitted)
    async def _prompt_submitted(self, event: PromptInput.Submitted) -> None:
        await self.send_prompt(event.text)

    async def send_prompt(self, text: str) -> None:
        """Send ``text`` (with any attached images) and stream the reply."""
        if not text.strip():
            return
        if self.replying:
            self.notify("A reply is still arriving: escape stops it.", severity="warning")
            return
        model = self.model or self._preferred_model()
        if not model:
            self.notify(
                "No model chosen: press ctrl+o to pick one, or pull one on the pulls screen (f4).",
                severity="warning",
            )
            return
        if self.model is None:
            await self._update_chat(model=model)
        images = [image.data for image in self._attachments]
        if images and not self._tool_results:
            readable = reads_images(await self.model_info(model))
            if readable is False:
                self.notify(
                    f"{model} cannot read images (its capabilities list no vision), so nothing "
                    "was sent. Pick a vision model with ctrl+o, or remove the images with f8.",
                    title="Images need a vision model",
                    severity="error",
                    markup=False,
                )
                return
            if readable is None:
                # An older Ollama lists no capabilities: let the server decide.
                self.notify(
                    f"Ollama does not say whether {model} reads images; they are sent anyway.",
                    severity="warning",
                    markup=False,
                )
        missing = self.chat.host if self.chat is not None else self._draft.host
        if missing and self.services.hosts.get(missing) is None:
            # Its host was removed, or this run was started with other hosts: never sent
            # to another machine without asking.
            self._offer_hosts_for_missing(missing, model, text)
            return
        host = self.host
        if len(self.services.hosts) > 1 and host.status.state in (
            LinkState.OFFLINE,
            LinkState.AUTH_FAILED,
        ):
            # Never sent elsewhere without asking: the user picks another host, or waits.
            self._offer_other_hosts(host, model, text)
            return
        self._turn_over = False
        self._worker = self._send(text, images, model)

    def _offer_other_hosts(self, host: Host, model: str, text: str) -> None:
        """Say that the chat's host cannot take the prompt; offer the hosts with the very
        same model. The prompt stays in the box until the user chooses."""
        why = "is offline" if host.status.state is LinkState.OFFLINE else "refused the key"
        others = self.services.hosts.others_with(host, model)
        if not others:
            self.notify(
                f"{host.name} {why}: nothing was sent. No other online host has {model} "
                "with the same digest; the prompt stays in the box.",
                title=f"{host.name} {why}",
                severity="warning",
                markup=False,
            )
            return

        self.app.push_screen(
            HostChoiceDialog(
                f"{host.name} {why}: send to another host?",
                [(other.name, other.status) for other in others],
                confirm_label="Send there",
                hint=f"These hosts have {model} with the same digest · "
                "ctrl+s sends there · escape keeps the prompt",
            ),
            partial(self._run_on, text=text),
        )

    def _offer_hosts_for_missing(self, missing: str, model: str, text: str) -> None:
        """Say that the chat's host is not configured in this run; offer the online hosts,
        those listing ``model`` first. The prompt stays in the box until the user chooses."""
        online = [host for host in self.services.hosts if host.status.online]
        if not online:
            self.notify(
                f"This chat ran on {missing}, which is not configured now, and no other host "
                "is online: nothing was sent. The prompt stays in the box.",
                title=f"{missing} is not configured",
                severity="warning",
                markup=False,
            )
            return
        having = [host for host in online if host.find(model) is not None]
        ordered = having + [host for host in online if host not in having]
        if having:
            hint = f"{model} is on {', '.join(host.name for host in having)}"
        else:
            hint = f"No online host lists {model}: pick a model there with ctrl+o"

        self.app.push_screen(
            HostChoiceDialog(
                f"This chat ran on {missing}, which is not configured now: send to which host?",
                [(host.name, host.status) for host in ordered],
                confirm_label="Send there",
                hint=f"{hint} · ctrl+s sends there · escape keeps the prompt",
            ),
            partial(self._run_on, text=text),
        )

    async def _run_on(self, name: str | None, text: str) -> None:
        """Move the open chat to host ``name`` and send ``text`` there (nothing when the
        user kept the prompt)."""
        if name is None:
            return
        default = self.services.hosts.default.name
        if await self._update_chat(host=None if name == default else name):
            self._publish_host()
            self.notify(f"This chat now runs on {name}.", markup=False)
            await self.send_prompt(text)

    @work(group="chat-reply", exit_on_error=False)
    async def _send(self, text: str, images: list[str], model: str) -> None:
        """Send the prompt through the exchange and draw the turn."""
        prompt = self.prompt
        attachments, editing, results = self._attachments, self._editing, self._tool_results
        tool_name = results[0] if results and editing is None else None
        prompt.clear()
        prompt.remember(text)
        # A tool result carries no images: attached ones wait for the next prompt.
        self._attachments = [] if tool_name is None else attachments
        self._editing = None
        self._tool_results = results[1:] if tool_name is not None else []
        self._refresh_banners()

        def give_back() -> None:
            # The prompt was not saved: it goes back in the box, to send again.
            prompt.load_text(text)
            self._attachments, self._editing = attachments, editing
            self._tool_results = results
            self._refresh_banners()

        turn = self._exchange.send(
            self.chat,
            self._draft,
            text,
            images if tool_name is None else [],
            model=model,
            replace_from=editing.id if editing is not None else None,
            client=self.host.client,
            tool_name=tool_name,
            # With more results to give, the model is asked once it has them all.
            ask=not self._tool_results,
        )
        await self._draw_turn(turn, give_back=give_back)

    async def _draw_turn(
        self, turn: AsyncGenerator[ChatEvent], *, give_back: Callable[[], None] | None = None
    ) -> None:
        """Draw what a turn reports as it comes; the exchange does all the saving."""
        reply: ActiveReply | None = None
        try:
            async with contextlib.aclosing(turn) as events:
                async for event in events:
                    match event:
                        case NotSent():
                            self._not_sent(event, give_back)
                        case PromptSaved():
                            await self._show_prompt(event)
                        case Started():
                            reply = event.reply
                            self._start_waiting()
                            await self._show_reply_start(event)
                        case Delta():
                            await self._stop_waiting()
                            if self._reply_view is not None:
                                await self._reply_view.feed(event.thinking, event.answer)
                        case ToolCalls():
                            await self._stop_waiting()
                            if self._reply_view is not None:
                                await self._reply_view.add_tool_calls(event.calls)
                        case NotSaved():
                            self.notify(
                                event.error,
                                title="Could not save the reply",
                                severity="error",
                                markup=False,
                            )
                        case ReplyEnd() if reply is not None:
                            self._turn_over = True
                            await self._stop_waiting()
                            await self._reply_ended(reply, event)
        except asyncio.CancelledError:
            if self._drop_waiting():
                self.call_later(self._refresh_meter)
            # Escape, or the app closing: the exchange saved the reply as stopped.
            if reply is not None and self._reply is reply:
                view = self._let_go(reply)
                with contextlib.suppress(Exception):  # the screen may already be closing
                    await self._show_reply_end(reply, reply.end or Stopped(), view)
            raise

    def _start_waiting(self) -> None:
        """Start watching for a reply that shows nothing (a model loading, a hung server)."""
        if self._waiting is not None:
            self._waiting.stop()
        self._waiting_since = time.monotonic()
        self._waiting_shown = False
        self._waiting = self.set_interval(1.0, self._show_waiting)

    def _show_waiting(self) -> None:
        """Say under the prompt how long the reply has been awaited, once it is a while.

        Without it nothing moves while a big model loads (or a server hangs) and the app
        looks frozen; the client gives up after the reply timeout.
        """
        elapsed = time.monotonic() - self._waiting_since
        if elapsed < self.WAITING_NOTICE_SECONDS:
            return
        self._waiting_shown = True
        meter = self.query_one("#chat-meter", Static)
        meter.update(
            Content(f"waiting for Ollama (model loading?) · {int(elapsed)} s · escape stops")
        )
        meter.set_class(True, "-warning")

    def _drop_waiting(self) -> bool:
        """Stop watching; True if the waiting notice took the meter's place."""
        if self._waiting is None:
            return False
        self._waiting.stop()
        self._waiting = None
        shown, self._waiting_shown = self._waiting_shown, False
        return shown

    async def _stop_waiting(self) -> None:
        """The reply showed something, or ended: put the meter back if it was replaced."""
        if self._drop_waiting():
            await self._refresh_meter()

    def _not_sent(self, event: NotSent, give_back: Callable[[], None] | None) -> None:
        if not event.prompt_saved and give_back is not None:
            give_back()
            self.notify(event.message, title="Could not save", severity="error", markup=False)
        else:
            self.notify(
                event.message, severity="error" if event.failed else "warning", markup=False
            )

    async def _show_prompt(self, event: PromptSaved) -> None:
        """Draw the saved prompt in the open chat (created for it, maybe)."""
        chat = event.chat
        self.chat = chat
        # A new chat's list entry appears by itself (the list follows the current chat), and
        # the list is read again when the reply ends: the request does not wait for it.
        if event.created:
            self.services.current.show(chat.id, chat.model)
            self._publish_host()
            self._refresh_header()
        transcript = self.transcript
        if event.replaced_from is not None:
            await transcript.remove_from(event.replaced_from)
        if transcript.has_newer:
            await self._show_latest()
        else:
            await transcript.add(event.record)
        transcript.follow()

    async def _show_reply_start(self, event: Started) -> None:
        """Add the reply's view if its chat is on screen."""
        reply = event.reply
        self._reply = reply
        self._reply_view = None
        if self.chat is not None and self.chat.id == reply.chat_id:
            view = await self.transcript.add(reply.record, json_mode=event.json_mode)
            view.begin_streaming()
            self._reply_view = view

    def _let_go(self, reply: ActiveReply) -> MessageView | None:
        """Forget the reply that ended; return the view it was drawn in, if on screen."""
        view = self._reply_view if self._reply is reply else None
        if self._reply is reply:
            self._reply, self._reply_view = None, None
        return view

    async def _reply_ended(self, reply: ActiveReply, end: ReplyEnd) -> None:
        """Say how the reply ended; offer to pull a missing model."""
        view = self._let_go(reply)
        if isinstance(end, Failed):
            self.report(end.cause, "The reply failed", message=end.error or "")
        await self._show_reply_end(reply, end, view)
        if isinstance(end, ModelMissing):
            # In a worker of its own: the turn is over, and its keys (stop) go now, not
            # when the question is answered.
            self._offer_pull(end.model, end.error or "")

    async def _show_reply_end(
        self, reply: ActiveReply, end: ReplyEnd, view: MessageView | None
    ) -> None:
        """Draw how the reply ended, update the meter and move its chat to the top."""
        if end.save_error:
            self.notify(
                end.save_error, title="Could not save the reply", severity="error", markup=False
            )
        if view is not None and view.is_attached:
            if isinstance(end, Stopped) and end.tail is not None:
                await view.feed(end.tail.thinking, end.tail.answer)
            await view.finish(status=end.status, stats=end.stats, error=end.error)
        if self.chat is not None and self.chat.id == reply.chat_id:
            calls = reply.tool_calls if end.status in ("complete", "stopped") else []
            self._tool_results = [tool_call_name(call) for call in calls]
            self._refresh_banners()
        if end.status == "complete" and self.chat is not None and self.chat.id == reply.chat_id:
            await self._refresh_meter(end.stats)
        await self._chat_list.reload(select=self.chat.id if self.chat is not None else None)

    def on_unmount(self) -> None:
        # The app is closing mid-reply: the worker may never get to run its own save.
        self._exchange.close()

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _offer_pull(self, model: str, server_message: str) -> None:
        """Say the model is missing in the server's words and offer to pull it."""
        offer = ConfirmDialog(
            f"Pull {model} now?"
            if len(self.services.hosts) < 2
            else f"Pull {model} onto {self.host.name} now?",
            f"Ollama said: {server_message}\nProgress shows on the pulls screen (f4).",
            confirm_label="Pull",
            cancel_label="Not now",
            danger=False,
            heading="Model not installed",
        )
        if await self.app.push_screen_wait(offer):
            host = self.host
            on_default = host is self.services.hosts.default
            self.post_message(StartPull(model, host="" if on_default else host.name))

    # -- actions ---------------------------------------------------------------------------------

    def action_stop(self) -> None:
        """Stop the reply that is arriving, or stop editing the last prompt."""
        if self.replying and self._worker is not None:
            self._worker.cancel()
        elif self._editing is not None:
            self._editing = None
            self.prompt.clear()
            self._attachments = []
            self._refresh_banners()
            self.refresh_bindings()
        elif self._tool_results:
            # What is typed stays: it goes as an ordinary prompt now.
            self._tool_results = []
            self._refresh_banners()
            self.refresh_bindings()

    def action_focus_prompt(self) -> None:
        """Move focus back to the prompt."""
        self.focus_prompt()

    def action_toggle_thinking(self) -> None:
        """Show or hide the thinking of the newest reply that has some."""
        view = next((view for view in reversed(self.transcript.views) if view.has_thinking), None)
        if view is None:
            self.notify("No reply here has thinking to show.", severity="warning", timeout=3)
            return
        view.show_thinking(not view.thinking_shown)
        if view.thinking_shown:
            self.transcript.scroll_to_widget(view, animate=False, top=True)

    def action_toggle_all_thinking(self) -> None:
        """Show the thinking of every reply on screen, or hide it if all of it shows."""
        views = [view for view in self.transcript.views if view.has_thinking]
        if not views:
            self.notify("No reply here has thinking to show.", severity="warning", timeout=3)
            return
        shown = not all(view.thinking_shown for view in views)
        for view in views:
            view.show_thinking(shown)

    async def action_new_chat(self) -> None:
        """Start a new chat with the preferred model."""
        await self.new_chat()

    def action_pick_model(self) -> None:
        """Choose the model of this chat."""
        if not self.host.catalog.models.value:
            self.refresh_models()
        self._pick_model()

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _pick_model(self) -> None:
        # The models of the chat's own host: a chat never moves host by picking a model.
        picker = ModelPickerDialog(
            self.host.catalog.models.value, self.model, self._capabilities_of
        )
        chosen = await self.app.push_screen_wait(picker)
        if not chosen:
            return
        await self._remember_model(chosen)
        if not await self._update_chat(model=chosen):
            return
        self.services.current.model.set(chosen)
        self._load_model_details()
        if self._attachments and reads_images(await self.model_info(chosen)) is False:
            self.notify(
                f"{chosen} cannot read images; the attached images will not be sent.",
                severity="warning",
                markup=False,
            )

    async def _remember_model(self, model: str) -> None:
        self._chosen_model = model
        with contextlib.suppress(StoreError):
            await asyncio.to_thread(self.services.store.set_setting, LAST_MODEL_SETTING, model)

    async def action_cycle_think(self) -> None:
        """Step this chat's think setting: default, off, on, low, medium, high, max."""
        if not await self._update_chat(think=next_think(self.think)):
            return
        model = self.model
        info = self._cached_info()
        label = self.settings().label("think")
        if model and info is not None and not info.has_capability("thinking"):
            self.notify(
                f"think {label}: {model} is not a thinking model, so think is not sent to it.",
                severity="warning",
                markup=False,
            )
        else:
            self.notify(f"think {label}", timeout=2)

    def action_system_prompt(self) -> None:
        """Edit the chat's system prompt."""
        self._edit_system_prompt()

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _edit_system_prompt(self) -> None:
        info = self._cached_info()
        text = await self.app.push_screen_wait(
            SystemPromptDialog(self.system, info.system if info is not None else None)
        )
        if text is not None:
            await self._update_chat(system=text if text.strip() else None)

    def action_reply_format(self) -> None:
        """Choose the reply format: as the defaults, off, JSON or a JSON schema."""
        self._edit_format()

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _edit_format(self) -> None:
        inherited = resolve_settings(self._defaults, None).words("format")
        choice = await self.app.push_screen_wait(FormatDialog(self.reply_format, inherited))
        if choice is not None:
            await self._update_chat(format=choice.value)

    def action_edit_tools(self) -> None:
        """Give the chat tools (a JSON list of functions), or change or clear them."""
        self._edit_tools()

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _edit_tools(self) -> None:
        text = await self.app.push_screen_wait(ToolsDialog(self.tools))
        if text is None:
            return
        if await self._update_chat(tools=text or None):
            count = len(tools_of(text) or [])
            self.notify(
                f"{count} tool{'s' if count != 1 else ''} go with each request"
                if count
                else "No tools are sent",
                timeout=3,
            )

    def action_search_chats(self) -> None:
        """Open the full-text search over all chats, from anywhere on this screen."""
        self.search_chats()

    def action_attach_image(self) -> None:
        """Attach an image file to the next prompt."""
        self._attach_image()

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _attach_image(self) -> None:
        model = self.model
        if not model:
            self.notify("Choose a model first (ctrl+o).", severity="warning")
            return
        info = await self.model_info(model)
        if info is None:
            self.notify(
                f"Could not ask Ollama whether {model} can read images.",
                severity="error",
                markup=False,
            )
            return
        readable = reads_images(info)
        if readable is False:
            self.notify(
                f"{model} cannot read images: its capabilities list no vision. Pick a vision "
                "model (ctrl+o), such as llava.",
                severity="warning",
                markup=False,
            )
            return
        if readable is None:
            # An older Ollama lists no capabilities and nothing else tells: the user may try.
            self.notify(
                f"Ollama does not say whether {model} reads images (an older server?); "
                "you can try.",
                severity="warning",
                markup=False,
            )
        attached = await self.app.push_screen_wait(AttachImageDialog(self._attachments, model))
        if attached is not None:
            self._attachments = attached
            self._refresh_banners()
        self.prompt.focus()

    def action_regenerate(self) -> None:
        """Ask for the last reply again (with the chat's current model and settings)."""
        if self.replying:
            self.notify("A reply is still arriving: escape stops it.", severity="warning")
            return
        if self.chat is None:
            self.notify("There is no reply to regenerate yet.", severity="warning")
            return
        self._turn_over = False
        self._worker = self._regenerate(self.chat)

    @work(group="chat-reply", exit_on_error=False)
    async def _regenerate(self, chat: ChatRecord) -> None:
        model = chat.model or self.model
        if not model:
            self.notify("No model chosen: press ctrl+o to pick one.", severity="warning")
            return
        try:
            last = await self._exchange.drop_last_reply(chat.id)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if last is None:
            self.notify("There is no reply to regenerate yet.", severity="warning")
            return
        if last.role == "assistant":
            await self.transcript.remove_from(last.id)
        if self.transcript.has_newer:
            await self._show_latest()
        self.transcript.follow()
        await self._draw_turn(self._exchange.reply(chat, model, client=self.host.client))

    def action_edit_last(self) -> None:
        """Put the last prompt back in the box; sending replaces the last exchange."""
        if self.replying:
            self.notify("A reply is still arriving: escape stops it.", severity="warning")
            return
        if self.chat is None:
            self.notify("There is no prompt to edit yet.", severity="warning")
            return
        self._edit_last(self.chat.id)

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _edit_last(self, chat_id: int) -> None:
        try:
            last = await self._exchange.last_prompt(chat_id)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if last is None:
            self.notify("There is no prompt to edit yet.", severity="warning")
            return
        self._editing = last
        self._attachments = [
            _attachment_from(data, index) for index, data in enumerate(last.images)
        ]
        prompt = self.prompt
        prompt.load_text(last.content)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        self._refresh_banners()
        self.refresh_bindings()

    async def action_copy_reply(self) -> None:
        """Copy the last reply."""
        view = next(
            (
                view
                for view in reversed(self.transcript.views)
                if view.role == "assistant" and view.content
            ),
            None,
        )
        if view is None:
            self.notify("There is no reply to copy yet.", severity="warning")
            return
        await self.copy_with_notice(view.content, "the last reply")

    def action_copy_text(self) -> None:
        """Copy what the mouse selected (``ctrl+c``), the same way as the copy keys."""
        text = self.get_selected_text()
        if not text:
            raise SkipAction()  # nothing selected: the key goes on to the app
        self.call_later(self.copy_with_notice, text, "the selected text")

    async def action_copy_code(self) -> None:
        """Copy one code block of the conversation, chosen from a list."""
        blocks: list[tuple[str, CodeBlock]] = []
        replies = [view for view in reversed(self.transcript.views) if view.role == "assistant"]
        for age, view in enumerate(replies):
            where = "last reply" if age == 0 else f"{age + 1} replies back"
            blocks.extend((where, block) for block in code_blocks(view.content))
        if not blocks:
            self.notify("No reply here has a code block.", severity="warning")
            return
        if len(blocks) == 1:
            await self.copy_with_notice(blocks[0][1].code, "the code block")
            return
        self._choose_code_block(blocks)

    @work(exclusive=True, group="chat-dialog", exit_on_error=False)
    async def _choose_code_block(self, blocks: list[tuple[str, CodeBlock]]) -> None:
        index = await self.app.push_screen_wait(CodeBlockDialog(blocks))
        if index is not None:
            where, block = blocks[index]
            await self.copy_with_notice(
                block.code, f"the {block.language or 'code'} block ({where})"
            )

    # -- command palette ---------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every chat action, for the command palette."""
        yield SystemCommand("New chat", "Start a new chat (ctrl+n)", self.action_new_chat)
        yield SystemCommand("Choose model", "Model of this chat (ctrl+o)", self.action_pick_model)
        yield SystemCommand(
            "Cycle think",
            "Default, off, on, low, medium, high, max (ctrl+t)",
            self.action_cycle_think,
        )
        yield SystemCommand(
            "System prompt", "Edit this chat's system prompt (f6)", self.action_system_prompt
        )
        yield SystemCommand(
            "Reply format", "Default, off, JSON or a JSON schema (f7)", self.action_reply_format
        )
        yield SystemCommand(
            "Tools", "Functions the model may call, as a JSON list", self.action_edit_tools
        )
        yield SystemCommand(
            "Attach image", "Add an image to the next prompt (f8)", self.action_attach_image
        )
        yield SystemCommand("Copy last reply", "To the clipboard (f9)", self.action_copy_reply)
        yield SystemCommand(
            "Copy code block", "Choose a code block to copy (ctrl+b)", self.action_copy_code
        )
        yield SystemCommand(
            "Regenerate reply", "Ask for the last reply again (ctrl+g)", self.action_regenerate
        )
        yield SystemCommand(
            "Edit last prompt", "Edit and resend the last prompt (ctrl+l)", self.action_edit_last
        )
        if self.replying:
            yield SystemCommand("Stop reply", "Stop the reply (escape)", self.action_stop)
        for chat_list in self.query(ChatList):
            yield from chat_list.palette_commands()


def _attachment_from(data: str, index: int) -> AttachedImage:
    """An attachment for an image that was already sent (editing the last prompt)."""
    head = base64.b64decode(data[:24] + "=" * (-len(data[:24]) % 4), validate=False)
    size = len(data) * 3 // 4 - data[-2:].count("=")
    return AttachedImage(
        name=f"image {index + 1}", data=data, size=size, kind=image_kind(head) or "image"
    )
