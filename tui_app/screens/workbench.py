"""The Workbench screen: compose a ``/api/generate`` or ``/api/embed`` request by hand.

The form on the left is read into a request on every edit (:mod:`tui_app.core.workbench`
holds the rules); the preview on the right shows the exact JSON body that will be sent, or
why it cannot be. Replies stream in a worker, parsed on one side and line by line as
received on the other; ``escape`` stops one. The request can be copied as a ``curl``
command or a Python script, and a request with its response saved to a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible, Label, Select, Static, Switch, TextArea
from textual.worker import Worker

from tui_app.api import (
    ModelNotFoundError,
    ModelSummary,
    OllamaError,
    OllamaHTTPError,
    OllamaStreamError,
)
from tui_app.api.names import same_model
from tui_app.api.requests import EmbedRequest, GenerateRequest
from tui_app.core.formatting import one_line, sanitize
from tui_app.core.hosts import Host
from tui_app.core.options import OPTION_SPECS
from tui_app.core.requests import as_curl, as_python, body_json, request_url
from tui_app.core.workbench import (
    MODES,
    TRUNCATE_CHOICES,
    Built,
    EmbedForm,
    GenerateForm,
    ImageFiles,
    Mode,
    build_embed,
    build_generate,
    embed_form_from_body,
    embed_summary,
    exchange_text,
    generate_form_from_body,
    generate_stats,
    read_images,
    similarity_lines,
)
from tui_app.messages import StartPull
from tui_app.records import WorkbenchRecord
from tui_app.screens.base import AreaScreen
from tui_app.screens.dialogs import ConfirmDialog, SaveExchangeDialog
from tui_app.screens.options import build_field
from tui_app.services import Services
from tui_app.store import StoreError
from tui_app.widgets.option_field import ChoiceField, OptionField, TextField
from tui_app.widgets.workbench import HistoryList, LabelledArea, RawLines

_TEXT_FIELDS = ("prompt", "suffix", "images", "system", "template", "inputs")
"""Request fields typed in a :class:`LabelledArea` (id ``wb-<name>``)."""


def _dimensions_problem(text: str) -> str | None:
    stripped = text.strip()
    if not stripped:
        return None
    try:
        value = int(stripped)
    except ValueError:
        return "must be a whole number"
    return None if value >= 1 else "must be at least 1"


def _truncate_problem(text: str) -> str | None:
    return None if not text or text in TRUNCATE_CHOICES else "must be true or false"


class WorkbenchScreen(AreaScreen):
    """Workbench: generate and embed requests composed by hand, with the wire in view."""

    AREA_TITLE = "Workbench"
    COMPACT_FOOTER = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+g", "send", "Send", id="workbench.send", tooltip="Send the request"),
        Binding("escape", "stop", "Stop", id="workbench.stop", tooltip="Stop the running request"),
        Binding(
            "ctrl+t",
            "carry_context",
            "Carry context",
            id="workbench.context",
            tooltip="Continue from the last reply's context (again: drop it)",
        ),
        Binding(
            "ctrl+e",
            "switch_mode",
            "Generate/embed",
            id="workbench.mode",
            tooltip="Change the mode",
            priority=True,  # the text boxes would take ctrl+e as "end of line" (end does)
        ),
        Binding(
            "f9",
            "copy_curl",
            "Copy curl",
            id="workbench.copy_curl",
            tooltip="Copy the request as a curl command",
        ),
        Binding(
            "ctrl+b",
            "copy_python",
            "Copy Python",
            id="workbench.copy_python",
            tooltip="Copy the request as a script for the ollama package",
        ),
        Binding(
            "ctrl+s",
            "save",
            "Save",
            id="workbench.save",
            tooltip="Save the last request and its response to a file",
        ),
        Binding(
            "ctrl+f",
            "history",
            "History",
            id="workbench.history",
            tooltip="Find a past request: enter edits it, ctrl+g sends it again",
        ),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.mode: Mode = "generate"
        """Which endpoint the form composes for."""
        self.models: list[ModelSummary] = []
        """Installed models, as last listed."""
        self.capabilities: dict[str, tuple[str, ...]] = {}
        """Capabilities by model name, from ``/api/show``."""
        self.reply_context: tuple[int, ...] = ()
        """The ``context`` of the last finished generate reply."""
        self.carried_context: tuple[int, ...] = ()
        """The context the next generate request continues from."""
        self._images_read: tuple[str, ImageFiles] | None = None
        self.sent_body: dict[str, Any] | None = None
        """The body of the last request sent."""
        self._sent_url = ""
        self._raw_received: list[str] = []
        self._result_text = ""
        self._stats = ""
        self._sender: Worker[None] | None = None
        self.preview_text = ""
        self._record: WorkbenchRecord | None = None
        self._wanted_model = ""
        self._clean_form: tuple[GenerateForm, EmbedForm] | None = None
        self._host_name = services.hosts.default.name
        self._host_options = services.hosts.names()
        """The form as last sent or taken from the history: nothing in it is unsaved."""
        """What the request preview shows: ``POST <url>`` and the body, or the problems."""

    # -- layout ----------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="wb-body"):
            with VerticalScroll(id="wb-form"):
                with Horizontal(id="wb-top"):
                    yield Select(
                        [(Content(mode), mode) for mode in MODES],
                        value="generate",
                        allow_blank=False,
                        compact=True,
                        id="wb-mode",
                    )
                    yield Select[str]([], prompt="choose a model", compact=True, id="wb-model")
                with Horizontal(id="wb-host-row"):
                    yield Label(Content("host"), classes="wb-name")
                    yield Select[str](
                        [(Content(name), name) for name in self.services.hosts.names()],
                        value=self.host.name,
                        allow_blank=False,
                        compact=True,
                        id="wb-host",
                        tooltip="The host requests are sent to",
                    )
                yield Static("", id="wb-model-note", markup=False)
                with Vertical(id="wb-generate", classes="wb-mode-fields"):
                    yield LabelledArea("prompt", placeholder="the text to complete", id="wb-prompt")
                    yield LabelledArea(
                        "suffix",
                        "Text after the gap: a code model (insert capability) fills in between.",
                        id="wb-suffix",
                    )
                    yield LabelledArea(
                        "images",
                        "Image files to send, one path per line (vision models).",
                        id="wb-images",
                    )
                    yield LabelledArea(
                        "system", "Replaces the model's system prompt.", id="wb-system"
                    )
                    yield LabelledArea(
                        "template", "Replaces the model's prompt template.", id="wb-template"
                    )
                    with Horizontal(id="wb-raw-row"):
                        yield Label(Content("raw"), classes="wb-name")
                        yield Switch(False, id="wb-raw")
                        yield Static(
                            Content("send the prompt as it is, without the template"),
                            classes="wb-help",
                        )
                    yield Static("", id="wb-raw-problem", classes="wb-problem", markup=False)
                    yield build_field("format")
                    yield build_field("think")
                    with Collapsible(title="options", collapsed=True, id="wb-options"):
                        for spec in OPTION_SPECS:
                            yield build_field(spec.name)
                    yield Static("", id="wb-context", markup=False)
                with Vertical(id="wb-embed", classes="wb-mode-fields"):
                    yield LabelledArea(
                        "inputs", "One input per line; blank lines are skipped.", id="wb-inputs"
                    )
                    yield ChoiceField(
                        "truncate",
                        "Cut inputs longer than the context (the server's default is true).",
                        _truncate_problem,
                        TRUNCATE_CHOICES,
                    )
                    yield TextField(
                        "dimensions",
                        "Shorten each vector to this many values (models that support it).",
                        _dimensions_problem,
                    )
                yield build_field("keep_alive")
                with Collapsible(title="history (ctrl+f)", collapsed=False, id="wb-history-box"):
                    yield HistoryList(id="wb-history")
            with Vertical(id="wb-side"):
                with VerticalScroll(id="wb-preview-box") as preview_box:
                    preview_box.border_title = "request preview"
                    yield Static("", id="wb-preview", markup=False)
                with Horizontal(id="wb-output"):
                    with VerticalScroll(id="wb-result-box") as result_box:
                        result_box.border_title = "response"
                        yield Static("", id="wb-result", markup=False)
                        yield Static("", id="wb-stats", markup=False)
                    yield RawLines(id="wb-raw-lines")
                yield Static("", id="wb-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#wb-embed").display = False
        self._fill_hosts()
        self.follow(self.services.hosts, self._hosts_changed)
        self.query_one("#wb-raw-problem").display = False
        self.query_one("#wb-prompt", LabelledArea).area.focus()
        self.refresh_preview()
        self.load_models()
        self.load_history()

    def on_screen_resume(self) -> None:
        if not self.under_dialog:
            self.load_models()

    # -- hosts -----------------------------------------------------------------------------

    @property
    def host(self) -> Host:
        """The host requests are sent to: the one chosen, else the default host."""
        return self.services.hosts.get_or_default(self._host_name)

    def host_in_view(self) -> Host:
        """The chosen host: its failures turn that host offline, not the default."""
        return self.host

    def choose_host(self, name: str) -> None:
        """Send requests to the host called ``name`` from now on, and list its models."""
        host = self.services.hosts.get(name)
        if host is None or host is self.host:
            return
        self._host_name = host.name
        self.capabilities = {}
        self._fill_hosts()
        self.refresh_preview()
        self.load_models()

    def _fill_hosts(self) -> None:
        """The host choice: shown only when there is more than one host to choose from."""
        select = self.query_one("#wb-host", Select)
        hosts = self.services.hosts
        self.query_one("#wb-host-row").display = len(hosts) > 1
        names = hosts.names()
        current = self._host_name = self.host.name
        if names != self._host_options or select.value != current:
            self._host_options = names
            with self.prevent(Select.Changed):
                select.set_options((Content(name), name) for name in names)
                select.value = current

    def _hosts_changed(self, _: object) -> None:
        self._fill_hosts()

    @on(Select.Changed, "#wb-host")
    def _host_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self.choose_host(event.value)

    # -- fields ----------------------------------------------------------------------------

    def area(self, name: str) -> LabelledArea:
        """The text field of request field ``name``."""
        return self.query_one(f"#wb-{name}", LabelledArea)

    def option_field(self, name: str) -> OptionField:
        """The option (or format, think, keep_alive, truncate, dimensions) field ``name``."""
        return self.query_one(f"#option-{name.replace('_', '-')}", OptionField)

    @property
    def model(self) -> str:
        """The chosen model, or ``""``."""
        value = self.query_one("#wb-model", Select).value
        return value if isinstance(value, str) else ""

    def generate_form(self) -> GenerateForm:
        """The generate form's values as typed."""
        return GenerateForm(
            model=self.model,
            prompt=self.area("prompt").text,
            suffix=self.area("suffix").text,
            system=self.area("system").text,
            template=self.area("template").text,
            raw=self.query_one("#wb-raw", Switch).value,
            format=self.option_field("format").text,
            think=self.option_field("think").text,
            keep_alive=self.option_field("keep_alive").text,
            options={spec.name: self.option_field(spec.name).text for spec in OPTION_SPECS},
            images=self._read_images(self.area("images").text),
        )

    def _read_images(self, paths: str) -> ImageFiles:
        """The image files named, read again only when the field's text changed (the
        preview is rebuilt at every key)."""
        if self._images_read is None or self._images_read[0] != paths:
            self._images_read = (paths, read_images(paths))
        return self._images_read[1]

    def embed_form(self) -> EmbedForm:
        """The embed form's values as typed."""
        return EmbedForm(
            model=self.model,
            inputs=self.area("inputs").text,
            truncate=self.option_field("truncate").text,
            dimensions=self.option_field("dimensions").text,
            keep_alive=self.option_field("keep_alive").text,
        )

    def build(self, capabilities: tuple[str, ...] | None = None) -> Built:
        """The request the form amounts to now (capabilities: those known, unless given)."""
        model = self.model
        if capabilities is None:
            capabilities = self.capabilities.get(model)
        if self.mode == "embed":
            return build_embed(self.embed_form(), capabilities=capabilities)
        return build_generate(
            self.generate_form(), context=self.carried_context, capabilities=capabilities
        )

    def refresh_preview(self) -> None:
        """Show the body the form would send now, or why it cannot be sent."""
        built = self.build()
        preview = self.query_one("#wb-preview", Static)
        if built.request is not None:
            url = request_url(self.host.client.base_url, built.request)
            self.preview_text = f"POST {url}\n{body_json(built.request, indent=2)}"
        else:
            lines = ["Not ready to send:"]
            lines += [f"• {name}: {problem}" for name, problem in built.problems.items()]
            self.preview_text = "\n".join(lines)
        preview.update(Content(self.preview_text))
        self._show_context_note()

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put each problem next to its field and clear the others."""
        for name in _TEXT_FIELDS:
            self.area(name).show_problem(problems.get(name))
        raw_problem = self.query_one("#wb-raw-problem", Static)
        raw_problem.update(Content(f"✗ {problems['raw']}" if "raw" in problems else ""))
        raw_problem.display = "raw" in problems
        note = self.query_one("#wb-model-note", Static)
        note.set_class("model" in problems, "-invalid")
        if "model" in problems:
            note.update(Content(f"✗ {problems['model']}"))
        else:
            self._show_model_note()
        for field in self.query(OptionField):
            if field.field_name in problems:
                field.problem = problems[field.field_name]
            else:
                field.check()

    def _show_model_note(self) -> None:
        note = self.query_one("#wb-model-note", Static)
        note.remove_class("-invalid")
        model = self.model
        capabilities = self.capabilities.get(model)
        if not model:
            note.update(Content("No model chosen."))
        elif capabilities is None:
            note.update(Content(""))
        else:
            note.update(Content(f"capabilities: {', '.join(capabilities) or 'none listed'}"))

    def _show_context_note(self) -> None:
        note = self.query_one("#wb-context", Static)
        parts: list[str] = []
        if self.carried_context:
            parts.append(
                f"Continuing from {len(self.carried_context)} tokens of context (ctrl+t drops it)."
            )
        if self.reply_context and self.reply_context != self.carried_context:
            parts.append(
                f"The last reply has {len(self.reply_context)} tokens of context: "
                "ctrl+t carries them into the next request."
            )
        note.update(Content(" ".join(parts)))
        note.display = bool(parts)

    def _set_status(self, text: str, kind: str = "") -> None:
        self.status_text = text
        status = self.query_one("#wb-status", Static)
        status.update(Content(text))
        for name in ("-error", "-running", "-done"):
            status.set_class(name == f"-{kind}", name)

    # -- models ----------------------------------------------------------------------------

    @work(exclusive=True, group="workbench-models", exit_on_error=False)
    async def load_models(self) -> None:
        """List the installed models into the model choice."""
        try:
            models = await self.host.client.list_models()
        except OllamaError as exc:
            self._set_status(f"Could not list models: {exc}", "error")
            return
        self.models = models
        self._fill_models()

    def _fits_mode(self, summary: ModelSummary) -> bool:
        capabilities = summary.capabilities or self.capabilities.get(summary.name)
        if not capabilities:
            return True  # not known: let the server say
        if self.mode == "embed":
            return "embedding" in capabilities
        return "completion" in capabilities

    def _fill_models(self) -> None:
        select = self.query_one("#wb-model", Select)
        current = self.model
        names = [summary.name for summary in self.models if self._fits_mode(summary)]
        wanted = self._wanted_model
        if wanted and wanted not in names:
            # A past request's model, even if it is gone: the server will say so.
            names.insert(0, wanted)
        with self.prevent(Select.Changed):
            select.set_options((Content(name), name) for name in names)
            preferred = [wanted, current, self.services.initial_model or ""]
            chosen = next(
                (name for want in preferred if want for name in names if same_model(name, want)),
                None,
            )
            if chosen is None and names:
                chosen = names[0]
            if chosen is not None:
                select.value = chosen
        self._wanted_model = ""
        self._model_chosen()

    def _model_chosen(self) -> None:
        model = self.model
        if model and model not in self.capabilities:
            self.fetch_capabilities(model)
        self._show_model_note()
        self.refresh_preview()

    @work(group="workbench-show", exit_on_error=False)
    async def fetch_capabilities(self, model: str) -> None:
        """Read ``model``'s capabilities from ``/api/show``."""
        await self.capabilities_of(model)
        if model == self.model:
            self._show_model_note()
            self.refresh_preview()

    async def capabilities_of(self, model: str) -> tuple[str, ...] | None:
        """``model``'s capabilities, asked once; None when the server could not say."""
        if model in self.capabilities:
            return self.capabilities[model]
        try:
            info = await self.host.client.show(model)
        except OllamaError:
            return None
        self.capabilities[model] = tuple(info.capabilities)
        return self.capabilities[model]

    # -- events ----------------------------------------------------------------------------

    @on(Select.Changed, "#wb-model")
    def _model_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._model_chosen()

    @on(Select.Changed, "#wb-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        if value in MODES and value != self.mode:
            self._set_mode("embed" if value == "embed" else "generate")
            first = "inputs" if self.mode == "embed" else "prompt"
            self.area(first).area.focus()

    def _set_mode(self, mode: Mode) -> None:
        self.mode = mode
        select = self.query_one("#wb-mode", Select)
        if select.value != mode:
            with self.prevent(Select.Changed):
                select.value = mode
        self.query_one("#wb-generate").display = mode == "generate"
        self.query_one("#wb-embed").display = mode == "embed"
        self._fill_models()

    @on(TextArea.Changed)
    @on(OptionField.Edited)
    @on(Switch.Changed)
    def _form_edited(self, event: TextArea.Changed | OptionField.Edited | Switch.Changed) -> None:
        event.stop()
        for name in _TEXT_FIELDS:
            # A problem shown at the last send goes once its field is edited.
            area = self.area(name)
            if isinstance(event, TextArea.Changed) and event.text_area is area.area:
                area.show_problem(None)
        if isinstance(event, Switch.Changed):
            self.query_one("#wb-raw-problem").display = False
        self.refresh_preview()

    # -- sending ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while a request is on its way or streaming."""
        return self._sender is not None and self._sender.is_running

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            # Only while a request runs; otherwise escape goes on to the focused widget.
            return self.running
        return True

    def action_send(self) -> None:
        """Send the request the form composes (checked first; nothing is sent if it fails)."""
        if self.running:
            self.notify("A request is still running: escape stops it.", severity="warning")
            return
        self._sender = self.send()

    @work(exclusive=True, group="workbench-send", exit_on_error=False)
    async def send(self) -> None:
        """Check the form against the model's capabilities, then send and show the reply."""
        model = self.model
        capabilities = await self.capabilities_of(model) if model else None
        built = self.build(capabilities)
        self.show_problems(built.problems)
        self.refresh_preview()
        request = built.request
        if request is None:
            summary = built.summary()
            self._set_status(f"Not sent: {summary}", "error")
            self.notify(summary, title="Not sent", severity="warning", markup=False)
            return
        self.sent_body = request.body()
        self._clean_form = self._form_values()
        self._sent_url = request_url(self.host.client.base_url, request)
        self._record = await self._remember(self.mode, self.sent_body)
        self._raw_received = []
        self._result_text = ""
        self._stats = ""
        self.query_one("#wb-raw-lines", RawLines).clear()
        self.query_one("#wb-result", Static).update("")
        self.query_one("#wb-stats", Static).update("")
        self._set_status(f"Sending to {self._sent_url} … (escape stops)", "running")
        try:
            if isinstance(request, EmbedRequest):
                await self._embed(request)
            else:
                await self._generate(request)
        except asyncio.CancelledError:
            self._set_status("Stopped: what arrived is kept.", "error")
            self._finish_record("stopped", "stopped before the end")
            raise
        except ModelNotFoundError as exc:
            self._failed(exc.server_message)
            self.offer_pull(request.model, exc.server_message)
        except (OllamaHTTPError, OllamaStreamError) as exc:
            self._failed(exc.server_message)
        except OllamaError as exc:
            self._failed(str(exc))
        else:
            count = len(self._raw_received)
            self._set_status(f"Done: {count} line{'s' if count != 1 else ''} received.", "done")
            self._finish_record("complete")

    @work(exclusive=True, group="workbench-dialog", exit_on_error=False)
    async def offer_pull(self, model: str, server_message: str) -> None:
        """Say the model is missing in the server's words and offer to pull it."""
        where = "" if len(self.services.hosts) < 2 else f" onto {self.host.name}"
        offer = ConfirmDialog(
            f"Pull {model}{where} now?",
            f"Ollama said: {server_message}\nProgress shows on the pulls screen (f4).",
            confirm_label="Pull",
            cancel_label="Not now",
            danger=False,
            heading="Model not installed",
        )
        if await self.app.push_screen_wait(offer):
            host = self.host
            # The model is missing on the host the request went to: pull it there.
            default = host is self.services.hosts.default
            self.post_message(StartPull(model, host="" if default else host.name))

    def _failed(self, message: str) -> None:
        self._set_status(f"Failed: {one_line(message)}", "error")
        self.notify(message, title="Request failed", severity="error", markup=False)
        self._finish_record("failed", message)

    # -- history -----------------------------------------------------------------------------

    async def _remember(self, mode: str, body: dict[str, Any]) -> WorkbenchRecord | None:
        """Record a request as it is sent; a store that fails never stops the request."""
        try:
            record = await asyncio.to_thread(self.services.store.add_workbench_request, mode, body)
        except StoreError as exc:
            self.notify(
                f"Not kept in the history: {exc}",
                title="History",
                severity="warning",
                markup=False,
            )
            return None
        self.load_history()
        return record

    def _finish_record(self, status: str, error: str | None = None) -> None:
        record, self._record = self._record, None
        if record is None:
            return
        # Written at once, not in a worker: a stopped request's worker is unwinding. A
        # failure is let go: the request itself is done, only its line in the history lags.
        with contextlib.suppress(StoreError):
            self.services.store.finish_workbench_request(
                record.id, status, result=self._result_text, stats=self._stats, error=error
            )
        self.load_history()

    @work(exclusive=True, group="workbench-history", exit_on_error=False)
    async def load_history(self) -> None:
        """Read the past requests into the history list."""
        try:
            records = await asyncio.to_thread(self.services.store.list_workbench_requests)
        except StoreError as exc:
            self._set_status(f"Could not read the history: {exc}", "error")
            return
        running = self._record.id if self._record is not None else None
        now = self.services.clock.time()
        self.query_one("#wb-history", HistoryList).show(records, now, running=running)

    def action_history(self) -> None:
        """Go to the list of past requests."""
        self.query_one("#wb-history-box", Collapsible).collapsed = False
        history = self.query_one("#wb-history", HistoryList)
        history.focus()
        history.scroll_visible()

    def _form_values(self) -> tuple[GenerateForm, EmbedForm]:
        return self.generate_form(), self.embed_form()

    def has_unsent_edits(self) -> bool:
        """Whether the form holds typed text that was neither sent nor taken from the history."""
        typed = any(self.area(name).text.strip() for name in _TEXT_FIELDS)
        return typed and self._form_values() != self._clean_form

    @on(HistoryList.Chosen)
    def _history_chosen(self, event: HistoryList.Chosen) -> None:
        event.stop()
        if event.again and self.running:
            self.notify("A request is still running: escape stops it.", severity="warning")
            return
        self._use_record(event.record, again=event.again)

    @work(exclusive=True, group="workbench-dialog", exit_on_error=False)
    async def _use_record(self, record: WorkbenchRecord, *, again: bool) -> None:
        """Put a past request in the form (asking first if that would replace unsent text)."""
        if self.has_unsent_edits():
            replace = await self.app.push_screen_wait(
                ConfirmDialog(
                    "Replace what is in the form?",
                    "The text typed there has not been sent; it will be lost.",
                    confirm_label="Replace",
                )
            )
            if not replace:
                return
        self.apply_record(record)
        if again:
            self.action_send()
        else:
            first = "inputs" if self.mode == "embed" else "prompt"
            self.area(first).area.focus()

    @on(HistoryList.Forget)
    def _history_forget(self, event: HistoryList.Forget) -> None:
        event.stop()
        try:
            self.services.store.delete_workbench_request(event.record.id)
        except StoreError as exc:
            self.notify(str(exc), title="History", severity="error", markup=False)
        self.load_history()

    def apply_record(self, record: WorkbenchRecord) -> None:
        """Put a past request back in the form, as it was sent."""
        self._wanted_model = record.model
        if record.mode == "embed":
            embed = embed_form_from_body(record.body)
            self.area("inputs").set_text(embed.inputs)
            self.option_field("truncate").set_text(embed.truncate)
            self.option_field("dimensions").set_text(embed.dimensions)
            self.option_field("keep_alive").set_text(embed.keep_alive)
        else:
            form, context = generate_form_from_body(record.body)
            for name in ("prompt", "suffix", "system", "template"):
                self.area(name).set_text(getattr(form, name))
            self.query_one("#wb-raw", Switch).value = form.raw
            self.option_field("format").set_text(form.format)
            self.option_field("think").set_text(form.think)
            self.option_field("keep_alive").set_text(form.keep_alive)
            for spec in OPTION_SPECS:
                self.option_field(spec.name).set_text(form.options.get(spec.name, ""))
            self.carried_context = context
        self._set_mode("embed" if record.mode == "embed" else "generate")
        self._clean_form = self._form_values()
        self.refresh_preview()

    def _received(self, line: str) -> None:
        self._raw_received.append(line)
        self.query_one("#wb-raw-lines", RawLines).add(line)

    async def _generate(self, request: GenerateRequest) -> None:
        thinking: list[str] = []
        response: list[str] = []
        result = self.query_one("#wb-result", Static)
        stream = self.host.client.stream_generate(request)
        async with contextlib.aclosing(stream):
            async for item in stream:
                self._received(item.line)
                chunk = item.chunk
                if chunk.thinking:
                    thinking.append(chunk.thinking)
                if chunk.response:
                    response.append(chunk.response)
                self._result_text = "".join(response)
                result.update(self._generate_view(request, "".join(thinking), self._result_text))
                self._follow_result()
                if chunk.done:
                    self._stats = generate_stats(chunk.metrics, chunk.done_reason)
                    self.query_one("#wb-stats", Static).update(Content(self._stats))
                    # The figures sit under a reply that may fill the box: keep them in view.
                    self._follow_result()
                    self.reply_context = chunk.context
                    self._show_context_note()

    def _follow_result(self) -> None:
        """Keep the newest text in view, unless the reader scrolled up to read."""
        box = self.query_one("#wb-result-box", VerticalScroll)
        if box.scroll_y >= box.max_scroll_y - 2:
            box.call_after_refresh(box.scroll_end, animate=False)

    @staticmethod
    def _generate_view(request: GenerateRequest, thinking: str, response: str) -> Content:
        """The reply as read: thinking dimmed, and for a suffix request the filled-in part
        between the prompt and the suffix (both dimmed)."""
        parts: list[Content] = []
        if thinking:
            parts.append(Content.styled(f"thinking: {sanitize(thinking)}\n\n", "dim italic"))
        if request.suffix:
            parts.append(Content.styled(sanitize(request.prompt), "dim"))
            parts.append(Content.styled(sanitize(response), "bold"))
            parts.append(Content.styled(sanitize(request.suffix), "dim"))
        else:
            parts.append(Content(sanitize(response)))
        return Content.assemble(*parts)

    async def _embed(self, request: EmbedRequest) -> None:
        item = await self.host.client.embed_exchange(request)
        if item.line:
            self._received(item.line)
        result = item.chunk
        inputs = request.inputs
        lines = embed_summary(result, inputs)
        if len(result.embeddings) > 1:
            lines += ["", "cosine similarity", *similarity_lines(result.embeddings)]
        self._result_text = "\n".join(lines)
        self.query_one("#wb-result", Static).update(Content(self._result_text))

    def action_stop(self) -> None:
        """Stop the running request; what arrived stays on screen."""
        if self._sender is not None and self._sender.is_running:
            self._sender.cancel()

    # -- context -----------------------------------------------------------------------------

    def action_carry_context(self) -> None:
        """Carry the last reply's context into the next request; again, drop it."""
        if self.reply_context and self.reply_context != self.carried_context:
            self.carried_context = self.reply_context
            self.notify(
                f"The next request continues from {len(self.carried_context)} tokens of context.",
                title="Context",
            )
        elif self.carried_context:
            self.carried_context = ()
            self.notify("The next request starts afresh.", title="Context")
        else:
            self.notify("No finished reply has a context to carry yet.", severity="warning")
        self.refresh_preview()

    # -- other actions -----------------------------------------------------------------------

    def action_switch_mode(self) -> None:
        """Between generate and embed."""
        select = self.query_one("#wb-mode", Select)
        select.value = "embed" if self.mode == "generate" else "generate"

    def action_choose_model(self) -> None:
        """Open the model choice."""
        select = self.query_one("#wb-model", Select)
        select.focus()
        select.expanded = True

    def _request_to_copy(self) -> GenerateRequest | EmbedRequest | None:
        built = self.build()
        if built.request is None:
            self.notify(
                f"Nothing to copy yet: {built.summary()}",
                title="Copy",
                severity="warning",
                markup=False,
            )
        return built.request

    async def action_copy_curl(self) -> None:
        """Copy the request as a ``curl`` command."""
        request = self._request_to_copy()
        if request is not None:
            client = self.host.client
            text = as_curl(client.base_url, request, api_key_env=self._key_variable())
            await self.copy_with_notice(text, "the request as a curl command")

    async def action_copy_python(self) -> None:
        """Copy the request as a Python script using the ``ollama`` package."""
        request = self._request_to_copy()
        if request is not None:
            client = self.host.client
            text = as_python(client.base_url, request, api_key_env=self._key_variable())
            await self.copy_with_notice(text, "the request as Python")

    def _key_variable(self) -> str | None:
        """The variable a copied command reads the key from, when requests carry one."""
        return self.host.api_key_env if self.host.client.sends_key else None

    def exchange_document(self) -> str | None:
        """The last request and its response as a document to save, or None before any."""
        if self.sent_body is None:
            return None
        return exchange_text(
            self._sent_url, self.sent_body, self._raw_received, self._result_text, self._stats
        )

    def action_save(self) -> None:
        """Save the last request and its response to a file, asking where."""
        text = self.exchange_document()
        if text is None:
            self.notify("Send a request first: there is nothing to save.", severity="warning")
            return
        name = f"ollama-{self.mode}-{time.strftime('%Y%m%d-%H%M%S')}.md"
        default = str(Path.cwd() / name)

        def saved(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Saved to {path}", title="Saved", markup=False)

        self.app.push_screen(SaveExchangeDialog(default, text), saved)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Workbench commands for the command palette."""
        yield SystemCommand("Workbench: send", "Send the request (ctrl+g)", self.action_send)
        if self.running:
            yield SystemCommand("Workbench: stop", "Stop the request (escape)", self.action_stop)
        yield SystemCommand(
            "Workbench: carry context",
            "Continue from the last reply's context, or drop it (ctrl+t)",
            self.action_carry_context,
        )
        yield SystemCommand(
            "Workbench: generate or embed", "Change the mode (ctrl+e)", self.action_switch_mode
        )
        yield SystemCommand(
            "Workbench: copy as curl", "The request as a curl command (f9)", self.action_copy_curl
        )
        yield SystemCommand(
            "Workbench: copy as Python",
            "The request as a script for the ollama package (ctrl+b)",
            self.action_copy_python,
        )
        yield SystemCommand(
            "Workbench: save request and response", "To a file (ctrl+s)", self.action_save
        )
        yield SystemCommand(
            "Workbench: choose model", "Open the model choice", self.action_choose_model
        )
        yield SystemCommand(
            "Workbench: past requests",
            "Edit or send again a past request (ctrl+f)",
            self.action_history,
        )
