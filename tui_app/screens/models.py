"""The model browser (f3): installed and loaded models, their details, and what to do with them.

It does the jobs of ``ollama list``, ``ps``, ``show``, ``cp``, ``rm`` and ``stop``
in one place. The table follows the model catalogue, so a pull, copy,
delete or create made anywhere shows up here; loaded models are polled from
``/api/ps`` every few seconds, but only while this screen is on show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from tui_app.api import (
    ModelSummary,
    OllamaError,
    OllamaUnavailableError,
)
from tui_app.api.names import push_name_problem, same_model
from tui_app.core.disk_use import DeleteEstimate, weights_blob
from tui_app.core.file_create import FileCreate
from tui_app.core.formatting import human_size
from tui_app.core.hosts import Host
from tui_app.core.observable import Subscription
from tui_app.core.options import RequestDefaults, effective_settings
from tui_app.messages import OpenChat, StartCreate, StartCreateFromFile, StartPull, StartPush
from tui_app.screens.base import AreaScreen
from tui_app.screens.dialogs import (
    ConfirmDialog,
    CreateFromFileDialog,
    CreateModelDialog,
    CreateRequest,
    HostChoiceDialog,
    copy_dialog,
    pull_dialog,
)
from tui_app.services import Services
from tui_app.store import StoreError
from tui_app.widgets.model_details import ModelDetails
from tui_app.widgets.model_table import ModelTable, is_embedding_only, model_key
from tui_app.widgets.running_models import RunningModels

KEEP_FILTER_SETTING = "models_keep_filter"
"""Store setting: True when the user chose to keep the models filter between visits."""


class FilterInput(Input):
    """The filter line above the table; down or enter goes back to the table."""

    HELP_TITLE: ClassVar[str] = "Models: the filter"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "down",
            "screen.focus_table",
            "To the table",
            show=False,
            id="models.to_table",
            tooltip="From the filter: back to the table",
        ),
    ]


class ModelsScreen(AreaScreen):
    """Models: installed and loaded models, details, and actions on them."""

    AREA_TITLE = "Models"
    COMPACT_FOOTER = True
    AUTO_FOCUS = "#models-table"
    # Textual annotates this as an instance variable, so it cannot be a ClassVar here.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-narrow"),
        (110, "-wide"),
    ]

    PS_POLL_SECONDS: ClassVar[float] = 3.0
    """How often ``/api/ps`` is asked while the screen is on show."""
    DETAILS_DELAY_SECONDS: ClassVar[float] = 0.12
    """Pause before asking ``/api/show``, so scrolling through the list sends nothing."""
    INSTANT_FILTER_LIMIT: ClassVar[int] = 150
    """Up to this many models the table filters on every keystroke."""
    FILTER_DELAY_SECONDS: ClassVar[float] = 0.15
    """Above the limit, the table filters once typing pauses for this long."""

    # The footer cannot hold every key beside the global ones: filtering (just type),
    # reversing the sort (click the header again) and the details toggle are left to
    # help (f1) and the command palette.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "chat",
            "Chat",
            id="models.chat",
            tooltip="Open a new chat with the highlighted model",
        ),
        Binding(
            "ctrl+f,slash",
            "focus_filter",
            "Filter",
            id="models.filter",
            show=False,
            tooltip="Filter by name, family or quantization (or just start typing)",
        ),
        Binding(
            "escape",
            "clear_filter",
            "Clear filter",
            id="models.clear_filter",
            tooltip="Clear the filter and go back to the table",
        ),
        Binding(
            "ctrl+w",
            "load",
            "Load",
            id="models.load",
            tooltip="Load the model into memory (the server's keep-alive applies)",
        ),
        Binding("ctrl+u", "unload", "Unload", id="models.unload", tooltip="Unload the model now"),
        Binding(
            "ctrl+k",
            "keep_loaded",
            "Keep",
            id="models.keep_loaded",
            tooltip="Load the model and keep it loaded until it is unloaded",
        ),
        Binding("ctrl+y", "copy", "Copy", id="models.copy", tooltip="Copy to a new name"),
        Binding(
            "delete,ctrl+d",
            "delete",
            "Delete",
            id="models.delete",
            tooltip="Delete the model (asks first)",
        ),
        Binding(
            "ctrl+n",
            "create",
            "Create",
            id="models.create",
            tooltip="Create a model from this one with a system prompt and parameters",
        ),
        Binding("ctrl+a", "pull", "Pull", id="models.pull", tooltip="Add a model: pull it by name"),
        Binding(
            "ctrl+e",
            "cycle_sort",
            "Sort",
            id="models.sort",
            tooltip="Sort by the next column (or click a column header)",
        ),
        Binding(
            "ctrl+v",
            "reverse_sort",
            "Reverse",
            id="models.reverse",
            show=False,
            tooltip="Reverse the sort order",
        ),
        Binding(
            "ctrl+t",
            "toggle_details",
            "Details",
            id="models.details",
            show=False,
            tooltip="Show or hide the details pane",
        ),
        Binding(
            "ctrl+o",
            "next_host",
            "Host",
            id="models.host",
            tooltip="Show the models of the next host (with several hosts configured)",
        ),
    ]

    _NEEDS_MODEL: ClassVar[frozenset[str]] = frozenset(
        {"chat", "load", "unload", "keep_loaded", "copy", "delete"}
    )

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._details_pending: str | None = None
        self._details_shown: str | None = None
        self._key_state: tuple[bool, bool] | None = None
        self._filter_timer: Timer | None = None
        self._select_when_listed: str | None = None
        self._poll_timer: Timer | None = None
        self._countdown_timer: Timer | None = None
        self._host_name = services.hosts.default.name
        self._models_subscription: Subscription | None = None

    # -- hosts ----------------------------------------------------------------------

    @property
    def host(self) -> Host:
        """The host whose models are in view; every action on a row goes to it."""
        return self.services.hosts.get_or_default(self._host_name)

    def host_in_view(self) -> Host:
        """The host whose models are in view."""
        return self.host

    def show_host(self, name: str) -> None:
        """Show the models and loaded models of host ``name``."""
        host = self.services.hosts.get(name)
        if host is None:
            return
        self._host_name = host.name
        self._follow_models()
        self.running_panel.show_running((), self.services.clock.utc())
        self.table.set_loaded(())
        self.poll_running_models()
        self.refresh_models()

    def action_next_host(self) -> None:
        """Show the next host's models (in the order of the configuration file)."""
        names = self.services.hosts.names()
        if len(names) < 2:
            self.notify("Only one host is configured: see [[hosts]] in the README.")
            return
        self.show_host(names[(names.index(self.host.name) + 1) % len(names)])
        self.notify(f"Models on {self.host.name}", markup=False)

    def _follow_models(self) -> None:
        if len(self.services.hosts) > 1:
            # Which host's /api/ps the panel shows; with one host there is nothing to say.
            self.running_panel.border_subtitle = Content(f"on {self.host.name}")
        if self._models_subscription is not None:
            self._models_subscription.close()
        models = self.host.catalog.models
        self._models_subscription = models.subscribe(self._models_changed)
        self._models_changed(models.value)

    @on(events.Unmount)
    def _stop_following_models(self) -> None:
        if self._models_subscription is not None:
            self._models_subscription.close()
            self._models_subscription = None

    # -- layout ---------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="models-body"):
            with Vertical(id="models-main"):
                with Horizontal(id="models-filter-row"):
                    yield FilterInput(
                        placeholder="Filter: type a name, family or quantization  (ctrl+f or /)",
                        id="models-filter",
                        compact=True,
                        # Typing in the table hands over its first character; selecting
                        # it on focus would let the second one replace it.
                        select_on_focus=False,
                    )
                    yield Static(id="models-count")
                yield ModelTable(id="models-table")
                yield RunningModels(id="models-running")
            yield ModelDetails(id="models-details")

    @property
    def table(self) -> ModelTable:
        """The table of installed models."""
        return self.query_one(ModelTable)

    @property
    def running_panel(self) -> RunningModels:
        """The panel of loaded models."""
        return self.query_one(RunningModels)

    @property
    def details(self) -> ModelDetails:
        """The details pane."""
        return self.query_one(ModelDetails)

    @property
    def filter_input(self) -> FilterInput:
        """The filter line."""
        return self.query_one(FilterInput)

    def on_mount(self) -> None:
        self._poll_timer = self.set_interval(self.PS_POLL_SECONDS, self._poll_tick, pause=True)
        self._countdown_timer = self.set_interval(1.0, self._countdown_tick, pause=True)
        self._follow_models()

    def on_screen_resume(self) -> None:
        """Start polling and bring the list up to date whenever the screen comes into view."""
        if self._poll_timer is not None and self._countdown_timer is not None:
            self._poll_timer.resume()
            self._countdown_timer.resume()
        if not self.under_dialog:
            if not self.keep_filter:
                # A filter left from an earlier visit would hide models and take the
                # next name typed as more of itself.
                self.filter_input.value = ""
                self._apply_filter()
            self.poll_running_models()
            self.refresh_models()

    @property
    def keep_filter(self) -> bool:
        """Whether the filter stays as it was when the screen is shown again (a saved choice)."""
        return self.services.store.get_setting(KEEP_FILTER_SETTING) is True

    def action_toggle_keep_filter(self) -> None:
        """Choose whether the filter outlives a visit to another screen."""
        keep = not self.keep_filter
        try:
            self.services.store.set_setting(KEEP_FILTER_SETTING, keep)
        except StoreError as exc:
            self.notify(str(exc), title="Could not save the choice", severity="error")
            return
        if keep:
            self.notify("The models filter is kept between visits.")
        else:
            self.notify("The models filter starts empty on each visit.")

    def on_screen_suspend(self) -> None:
        """Stop asking the server while the screen is out of view."""
        if self._poll_timer is not None and self._countdown_timer is not None:
            self._poll_timer.pause()
            self._countdown_timer.pause()
        self.workers.cancel_group(self, "models-ps")

    # -- the list -------------------------------------------------------------------

    def _models_changed(self, models: tuple[ModelSummary, ...]) -> None:
        self.table.show_models(models, self.services.clock.utc())
        if self._select_when_listed and self.table.select_model(self._select_when_listed):
            self._select_when_listed = None
        self._update_key_states()
        self._follow_highlight()

    @on(ModelTable.Listed)
    def _listed(self, event: ModelTable.Listed) -> None:
        if event.shown == event.total:
            text = f"{event.total} model{'' if event.total == 1 else 's'}"
        else:
            text = f"{event.shown} of {event.total}"
        if len(self.services.hosts) > 1:
            text += f" on {self.host.name}"
        self.query_one("#models-count", Static).update(text)

    @on(ModelTable.FilterTyped)
    def _start_filter(self, event: ModelTable.FilterTyped) -> None:
        self.filter_input.focus()
        self.filter_input.insert_text_at_cursor(event.character)

    @on(Input.Changed, "#models-filter")
    def _filter_changed(self) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        # Redrawing hundreds of rows per keystroke would make typing lag: the input
        # echoes at once and the table catches up when typing pauses.
        if len(self.table.models) > self.INSTANT_FILTER_LIMIT:
            self._filter_timer = self.set_timer(self.FILTER_DELAY_SECONDS, self._apply_filter)
        else:
            self._apply_filter()

    def _apply_filter(self) -> None:
        self._filter_timer = None
        self.table.set_filter(self.filter_input.value)
        self._update_key_states()
        self._follow_highlight()

    @on(Input.Submitted, "#models-filter")
    def action_focus_table(self) -> None:
        """Move the focus to the table."""
        self.table.focus()

    def action_focus_filter(self) -> None:
        """Move the focus to the filter line."""
        self.filter_input.focus()

    def action_clear_filter(self) -> None:
        """Clear the filter and go back to the table."""
        self.filter_input.value = ""
        self.table.focus()

    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        self.table.cycle_sort()

    def action_reverse_sort(self) -> None:
        """Reverse the sort."""
        self.table.reverse_sort()

    def action_toggle_details(self) -> None:
        """Show or hide the details pane (hidden by default on narrow terminals)."""
        self.toggle_class("-details-toggled")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out actions on a model while none is highlighted; hide escape with no filter
        and the host key with one host."""
        if action == "next_host":
            # Only with several hosts: otherwise the key would do nothing.
            return len(self.services.hosts) > 1
        if action == "clear_filter":
            return bool(self.is_mounted and self.table.filter_text) or (
                self.is_mounted and self.focused is self.filter_input
            )
        if action in self._NEEDS_MODEL and self.is_mounted:
            return None if self.table.highlighted_model is None else True
        return True

    # -- details --------------------------------------------------------------------

    @on(DataTable.RowHighlighted, "#models-table")
    def _row_highlighted(self) -> None:
        self._update_key_states()
        self._follow_highlight()

    def _update_key_states(self) -> None:
        """Redraw the footer only when what the keys can act on has changed."""
        state = (self.table.highlighted_model is not None, bool(self.table.filter_text))
        if state != self._key_state:
            self._key_state = state
            self.refresh_bindings()

    def _follow_highlight(self) -> None:
        """Make the details pane follow the table's cursor."""
        model = self.table.highlighted_model
        if model is None:
            self._details_pending = None
            self.workers.cancel_group(self, "models-details")
            self.details.clear_model(
                "No model matches the filter." if self.table.filter_text else "No model selected."
            )
            return
        if model.name == self._details_pending:
            return  # highlighted again by a rebuild of the table: already on its way
        if model.name == self.details.model_name and self._details_shown == self._cache_key(model):
            return
        self._details_pending = model.name
        self.load_details(model)

    @staticmethod
    def _cache_key(model: ModelSummary) -> str:
        # A digest names the manifest, so copies share details and an update misses the cache.
        return model.digest or model_key(model.name)

    @work(exclusive=True, group="models-details", exit_on_error=False)
    async def load_details(self, model: ModelSummary) -> None:
        """Show ``model`` in the details pane, asking ``/api/show`` unless it is cached.

        It waits a moment first, so scrolling through the list neither redraws the
        pane nor asks the server for every row passed; and it shows nothing if the
        cursor has moved on by the time the answer comes.
        """
        key = self._cache_key(model)
        try:
            await asyncio.sleep(self.DETAILS_DELAY_SECONDS)
            info = self.host.catalog.cached_info(model.name)
            if info is None:
                self.details.show_summary(model, self.services.clock.utc())
                self._details_shown = None
                try:
                    info = await self.host.catalog.info(model.name)
                except OllamaError as exc:
                    if self._still_highlighted(model):
                        self.details.show_problem(model, str(exc), self.services.clock.utc())
                    return
            if self._still_highlighted(model):
                self.details.show_info(model, info, self.services.clock.utc())
                self._details_shown = key
        finally:
            if self._details_pending == model.name:
                self._details_pending = None

    def _still_highlighted(self, model: ModelSummary) -> bool:
        highlighted = self.table.highlighted_model
        return highlighted is not None and highlighted.name == model.name

    async def _capabilities(self, model: ModelSummary) -> tuple[str, ...]:
        """What the model can do: from the list if the server said, else from ``/api/show``."""
        if model.capabilities:
            return model.capabilities
        return (await self.host.catalog.info(model.name)).capabilities

    # -- loaded models --------------------------------------------------------------

    def _poll_tick(self) -> None:
        self.poll_running_models()

    def _countdown_tick(self) -> None:
        self.running_panel.tick(self.services.clock.utc())

    @work(exclusive=True, group="models-ps", exit_on_error=False)
    async def poll_running_models(self) -> None:
        """Ask ``/api/ps`` which models are loaded; a failure is shown, never raised."""
        try:
            running = await self.host.client.running_models()
        except OllamaUnavailableError as exc:
            self.host.connection.failed(exc)
            self._running_unknown(f"Ollama is unreachable ({exc.reason})")
            return
        except OllamaError as exc:
            self._running_unknown(str(exc))
            return
        notes = self.services.catalog.unsaid(running.skipped)
        if notes:
            self.notify(
                "\n".join(notes), title="Some loaded models are not shown", severity="warning"
            )
        self.running_panel.show_running(running, self.services.clock.utc())
        self.table.set_loaded(model.name for model in running)

    def _running_unknown(self, reason: str) -> None:
        self.running_panel.show_unreachable(reason, self.services.clock.utc())
        self.table.set_loaded(())

    # -- actions --------------------------------------------------------------------

    def _target(self) -> ModelSummary | None:
        model = self.table.highlighted_model
        if model is None:
            self.notify("No model is highlighted.", severity="warning")
        return model

    @on(DataTable.RowSelected, "#models-table")
    def action_chat(self) -> None:
        """Open a new chat with the highlighted model (not with an embedding model)."""
        model = self._target()
        if model is not None:
            self.chat_with(model)

    @work(group="models-action", exit_on_error=False)
    async def chat_with(self, model: ModelSummary) -> None:
        """Hand over to the chat screen, after checking the model can chat."""
        try:
            capabilities = await self._capabilities(model)
        except OllamaError as exc:
            self.report(exc, f"Could not check {model.name}")
            return
        if is_embedding_only(capabilities):
            self.notify(
                f"{model.name} is an embedding model: it turns text into vectors for search "
                "and cannot hold a conversation. Pick a chat model instead.",
                title="Cannot chat with this model",
                severity="warning",
                markup=False,
            )
            return
        self.post_message(OpenChat(model.name, host=self._host_tag()))

    def action_load(self) -> None:
        """Load the highlighted model with the server's default keep-alive."""
        model = self._target()
        if model is not None:
            self.load_model(model, keep_alive=None)

    def action_keep_loaded(self) -> None:
        """Load the highlighted model and keep it loaded (``keep_alive: -1``)."""
        model = self._target()
        if model is not None:
            self.load_model(model, keep_alive=-1)

    @work(group="models-action", exit_on_error=False)
    async def load_model(self, model: ModelSummary, *, keep_alive: int | None) -> None:
        """Load ``model`` into memory, then refresh the loaded models."""
        self.notify(f"Loading {model.name}…", markup=False)
        client = self.host.client
        try:
            if is_embedding_only(await self._capabilities(model)):
                # Embedding models cannot load through chat; an empty embed loads them.
                await client.embed(model.name, [], keep_alive=keep_alive)
            else:
                await client.load(model.name, keep_alive=keep_alive)
        except OllamaError as exc:
            self.report(exc, f"Could not load {model.name}")
            return
        finally:
            self.poll_running_models()
        if keep_alive is not None and keep_alive < 0:
            self.notify(f"{model.name} is loaded and kept loaded.", markup=False)
        else:
            self.notify(f"{model.name} is loaded.", markup=False)

    def action_unload(self) -> None:
        """Unload the highlighted model now (``keep_alive: 0``)."""
        model = self._target()
        if model is not None:
            self.unload_model(model)

    @work(group="models-action", exit_on_error=False)
    async def unload_model(self, model: ModelSummary) -> None:
        """Unload ``model``, then refresh the loaded models."""
        try:
            await self.host.client.unload(model.name)
        except OllamaError as exc:
            self.report(exc, f"Could not unload {model.name}")
            return
        finally:
            self.poll_running_models()
        self.notify(f"{model.name} is unloaded.", markup=False)

    def action_copy(self) -> None:
        """Copy the highlighted model to a new name (asked for, and checked, first)."""
        model = self._target()
        if model is None:
            return
        existing = self.host.catalog.names()

        def copy_to(destination: str | None) -> None:
            if destination:
                self.copy_model(model, destination)

        self.app.push_screen(copy_dialog(model.name, existing), copy_to)

    @work(group="models-action", exit_on_error=False)
    async def copy_model(self, model: ModelSummary, destination: str) -> None:
        """Copy ``model`` to ``destination`` and select the copy once it is listed."""
        try:
            await self.host.client.copy(model.name, destination)
        except OllamaError as exc:
            self.report(exc, f"Could not copy {model.name}")
            self.refresh_models()
            return
        self.notify(f"Copied {model.name} to {destination}.", markup=False)
        self._select_when_listed = destination
        self.refresh_models()

    def action_delete(self) -> None:
        """Delete the highlighted model, after a confirmation saying what it frees.

        The question is up at once, so a quick ``y`` or ``enter`` answers it; what is
        freed fills in when the server has said.
        """
        model = self._target()
        if model is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_model(model)

        question = ConfirmDialog(
            f"Delete {model.name} ({human_size(model.size)})?",
            "Checking whether other models share its files…",
            heading="Delete model",
        )
        self.app.push_screen(question, answered)
        self.explain_delete(model, question)

    @work(exclusive=True, group="models-ask-delete", exit_on_error=False)
    async def explain_delete(self, model: ModelSummary, question: ConfirmDialog) -> None:
        """Say in ``question`` how much disk deleting ``model`` really frees."""
        estimate = await self.delete_estimate(model)
        if question.is_attached:
            question.update_detail(estimate.describe())

    async def delete_estimate(self, model: ModelSummary) -> DeleteEstimate:
        """What deleting ``model`` frees, from the manifests listed and the weights shown.

        Only models that look alike (family, size class, quantization) can share weights,
        so only those are asked about (``/api/show``, cached).
        """
        listed = self.host.catalog.models.value
        others = [m for m in listed if not same_model(m.name, model.name)]
        copies = tuple(m.name for m in others if model.digest and m.digest == model.digest)
        if copies:
            return DeleteEstimate(model.size, same_manifest=copies)
        mine = model.details
        lookalikes = [
            m.name
            for m in others
            if (m.details.family, m.details.parameter_size, m.details.quantization_level)
            == (mine.family, mine.parameter_size, mine.quantization_level)
        ]
        if not lookalikes:
            return DeleteEstimate(model.size)
        try:
            own = weights_blob((await self.host.catalog.info(model.name)).modelfile)
        except OllamaError:
            own = None
        if own is None:
            return DeleteEstimate(model.size, checked=False)
        sharing: list[str] = []
        checked = True
        for name in lookalikes:
            try:
                theirs = weights_blob((await self.host.catalog.info(name)).modelfile)
            except OllamaError:
                theirs = None
            if theirs is None:
                checked = False
            elif theirs == own:
                sharing.append(name)
        return DeleteEstimate(model.size, same_weights=tuple(sharing), checked=checked)

    @work(group="models-action", exit_on_error=False)
    async def delete_model(self, model: ModelSummary) -> None:
        """Delete ``model``; the list is refreshed whether it worked or not."""
        try:
            await self.host.client.delete(model.name)
        except OllamaError as exc:
            self.report(exc, f"Could not delete {model.name}")
        else:
            self.notify(f"Deleted {model.name}.", markup=False)
        self.refresh_models()
        self.poll_running_models()

    def action_create(self) -> None:
        """Create a model derived from the highlighted one, prefilled from the current chat."""
        model = self.table.highlighted_model
        self._open_create_dialog(model.name if model is not None else None)

    def action_create_from_chat(self) -> None:
        """Create a model from the current chat's model, system prompt and parameters."""
        self._open_create_dialog(None, prefer_chat_model=True)

    def _open_create_dialog(self, base: str | None, *, prefer_chat_model: bool = False) -> None:
        store = self.services.store
        chat_id = self.services.current.id.value
        chat = store.get_chat(chat_id) if chat_id is not None else None
        settings = effective_settings(RequestDefaults.load(store), chat)
        # A new chat has no record until its first prompt, but it has a model already.
        chat_model = chat.model if chat is not None else self.services.current.model.value
        if chat_model and (prefer_chat_model or base is None):
            base = chat_model
        if chat is not None:
            note = f"System prompt and parameters from the chat “{chat.title}”."
        elif chat_model:
            note = "The chat in view is new: parameters come from the global defaults."
        else:
            note = "Parameters come from the global defaults."
        dialog = CreateModelDialog(
            from_=base or "",
            system=(chat.system or "") if chat is not None else "",
            parameters=settings.options,
            existing=self.host.catalog.names(),
            source_note=note,
        )

        def create(request: CreateRequest | None) -> None:
            if request is not None:
                # The pulls screen shows its progress.
                self.post_message(
                    StartCreate(
                        request.name,
                        request.from_,
                        system=request.system,
                        parameters=dict(request.parameters),
                        host=self._host_tag(),
                    )
                )

        self.app.push_screen(dialog, create)

    def _host_tag(self) -> str:
        """The host in view for a message to the app; "" when it is the default host."""
        return "" if self.host is self.services.hosts.default else self.host.name

    def action_pull(self) -> None:
        """Ask for a model name and pull it on the pulls screen; with several hosts, ask
        which one too (the one in view is chosen at first)."""

        def pull_on(name: str, host: str | None) -> None:
            if host is not None:
                default = self.services.hosts.default.name
                self.post_message(StartPull(name, host="" if host == default else host))

        def pull(name: str | None) -> None:
            if not name:
                return
            if len(self.services.hosts) < 2:
                self.post_message(StartPull(name))
                return
            self.app.push_screen(
                HostChoiceDialog(
                    f"Pull {name} onto which host?",
                    [(host.name, host.status) for host in self.services.hosts],
                    chosen=self.host.name,
                    confirm_label="Pull",
                ),
                lambda host: pull_on(name, host),
            )

        self.app.push_screen(pull_dialog(), pull)

    def action_push(self) -> None:
        """Push the highlighted model to its registry, with progress on the pulls screen."""
        model = self.table.highlighted_model
        if model is None:
            self.notify("No model is highlighted.", severity="warning")
            return
        problem = push_name_problem(model.name)
        if problem is not None:
            self.notify(
                f"Cannot push {model.name}: {problem}.",
                title="Push",
                severity="warning",
                markup=False,
            )
            return
        self.post_message(StartPush(model.name))

    def action_create_from_file(self) -> None:
        """Ask for a GGUF file and a name, then create the model on the pulls screen."""

        def create(request: FileCreate | None) -> None:
            if request is not None:
                self.post_message(StartCreateFromFile(request))

        self.app.push_screen(CreateFromFileDialog(), create)

    # -- command palette ------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every model action, for the command palette."""
        model = self.table.highlighted_model if self.is_mounted else None
        target = f" {model.name}" if model is not None else " the highlighted model"
        commands = [
            ("Chat with" + target, "Open a new chat with this model", self.action_chat),
            ("Load" + target, "Load it into memory (default keep-alive)", self.action_load),
            ("Unload" + target, "Free its memory now", self.action_unload),
            ("Keep loaded:" + target, "Load it and never unload it", self.action_keep_loaded),
            ("Copy" + target + "…", "Copy it to a new name", self.action_copy),
            ("Delete" + target + "…", "Delete it from disk (asks first)", self.action_delete),
            (
                "Create a model from" + target + "…",
                "Derive a model with a system prompt and parameters",
                self.action_create,
            ),
            (
                "Create a model from the current chat…",
                "Its model, system prompt and parameters as a new model",
                self.action_create_from_chat,
            ),
            ("Pull a model…", "Download a model by name", self.action_pull),
            ("Push" + target, "Upload it to its registry", self.action_push),
            (
                "Create a model from a GGUF file…",
                "Hash and upload a local .gguf file, then create a model",
                self.action_create_from_file,
            ),
            ("Filter models", "Filter by name, family or quantization", self.action_focus_filter),
            (
                "Start the models filter empty on each visit"
                if self.is_mounted and self.keep_filter
                else "Keep the models filter between visits",
                "Whether the filter outlives a visit to another screen",
                self.action_toggle_keep_filter,
            ),
            ("Sort models by the next column", "Cycle the sort column", self.action_cycle_sort),
            ("Reverse the model sort", "Flip the sort order", self.action_reverse_sort),
            ("Show or hide model details", "Toggle the details pane", self.action_toggle_details),
        ]
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)
