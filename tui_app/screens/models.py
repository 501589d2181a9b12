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
from tui_app.core.connection import LinkState
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
from tui_app.widgets.model_table import (
    HOST_NAME_WIDTH,
    NARROW_HOST_NAME_WIDTH,
    HostedModel,
    ModelTable,
    is_embedding_only,
    model_key,
)
from tui_app.widgets.running_models import HostRunning, RunningModels

KEEP_FILTER_SETTING = "models_keep_filter"
"""Store setting: True when the user chose to keep the models filter between visits."""

MODELS_HOST_SETTING = "models_host"
"""Store setting: the host whose models the browser shows, or :data:`ALL_HOSTS`."""

ALL_HOSTS = ""
"""The browser's choice of showing every host's models in one table (no host is called "")."""

FILTER_PLACEHOLDER = "Filter: type a name, family or quantization  (ctrl+f or /)"
"""What the empty filter line says; with every host's models, host names filter too."""
ALL_HOSTS_FILTER_PLACEHOLDER = "Filter: type a name, family, quantization or host  (ctrl+f or /)"

_AWAY = frozenset({LinkState.OFFLINE, LinkState.AUTH_FAILED})
"""Link states whose host lists no rows in the all-hosts table."""


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
            tooltip="Show the next host's models, then every host's (with several hosts)",
        ),
    ]

    _NEEDS_MODEL: ClassVar[frozenset[str]] = frozenset(
        {"chat", "load", "unload", "keep_loaded", "copy", "delete"}
    )

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._details_pending: tuple[str, str] | None = None
        self._details_shown: str | None = None
        self._key_state: tuple[bool, bool] | None = None
        self._filter_timer: Timer | None = None
        self._select_when_listed: tuple[str, str] | None = None
        """(host, model) to put the cursor on once it is listed."""
        self._poll_timer: Timer | None = None
        self._countdown_timer: Timer | None = None
        saved = services.store.get_setting(MODELS_HOST_SETTING)
        self._view = saved if isinstance(saved, str) else ALL_HOSTS
        """The name of the host in view, or ALL_HOSTS; see :meth:`viewed_host`."""
        self._models_subscription: Subscription | None = None

    # -- hosts ----------------------------------------------------------------------

    def viewed_host(self) -> Host | None:
        """The one host whose models are in view, or None when every host's are.

        With one host it is that host. A saved choice naming a host that is no longer
        configured (removed, or renamed in the file) falls back to every host.
        """
        hosts = self.services.hosts
        if len(hosts) < 2:
            return hosts.default
        return None if self._view == ALL_HOSTS else hosts.get(self._view)

    @property
    def shows_all_hosts(self) -> bool:
        """Whether the table lists every host's models, with a host column."""
        return self.viewed_host() is None

    def host_in_view(self) -> Host:
        """The host in view; in the all-hosts view, the highlighted row's (else the default)."""
        return self.viewed_host() or self._acting_host()

    def _acting_host(self) -> Host:
        """Where an action that is not on a row goes: the highlighted row's host, else the
        host in view, else the default host."""
        row = self.table.highlighted_row if self.is_mounted else None
        found = self.services.hosts.get(row.host) if row is not None else None
        return found or self.viewed_host() or self.services.hosts.default

    def _hosts_in_view(self) -> list[Host]:
        viewed = self.viewed_host()
        return list(self.services.hosts) if viewed is None else [viewed]

    def show_host(self, name: str) -> None:
        """Show the models and loaded models of host ``name`` (of every host for
        :data:`ALL_HOSTS`), and remember the choice for the next visit and run."""
        if name != ALL_HOSTS and self.services.hosts.get(name) is None:
            return
        self._view = name
        try:
            self.services.store.set_setting(MODELS_HOST_SETTING, name)
        except StoreError as exc:
            self.notify(str(exc), title="Could not save the choice", severity="warning")
        self._follow_models()
        self.running_panel.show_running((), self.services.clock.utc())
        self.poll_running_models()
        self.refresh_models()

    def action_next_host(self) -> None:
        """Show the next host's models (in the order of the configuration file), then every
        host's, then the first host's again."""
        names = self.services.hosts.names()
        if len(names) < 2:
            self.notify("Only one host is configured: see [[hosts]] in the README.")
            return
        views = [*names, ALL_HOSTS]
        viewed = self.viewed_host()
        current = views.index(viewed.name if viewed is not None else ALL_HOSTS)
        self.show_host(views[(current + 1) % len(views)])
        viewed = self.viewed_host()
        self.notify(f"Models on {viewed.name if viewed else 'all hosts'}", markup=False)

    def _follow_models(self) -> None:
        if self._models_subscription is not None:
            self._models_subscription.close()
        viewed = self.viewed_host()
        self.filter_input.placeholder = (
            ALL_HOSTS_FILTER_PLACEHOLDER if viewed is None else FILTER_PLACEHOLDER
        )
        if viewed is None:
            self.running_panel.border_subtitle = Content("on all hosts")
            self._models_subscription = self.services.hosts.subscribe(
                lambda _: self._list_all_hosts()
            )
            self._list_all_hosts()
            return
        if len(self.services.hosts) > 1:
            # Which host's /api/ps the panel shows; with one host there is nothing to say.
            self.running_panel.border_subtitle = Content(f"on {viewed.name}")
        self._models_subscription = viewed.catalog.models.subscribe(
            lambda _: self._list_host(viewed)
        )
        self._list_host(viewed)

    def _list_host(self, host: Host) -> None:
        """One host's models, without a host column."""
        rows = [HostedModel(host.name, model) for model in host.catalog.models.value]
        self._show_rows(rows, host_column=False)

    def _list_all_hosts(self) -> None:
        """Every host's models in one table; a host that is away lists none."""
        rows = [
            HostedModel(host.name, model)
            for host in self.services.hosts
            if host.status.state not in _AWAY
            for model in host.catalog.models.value
        ]
        self._show_rows(rows, host_column=True)

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
                        placeholder=FILTER_PLACEHOLDER,
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

    def on_resize(self, event: events.Resize) -> None:
        """Give the host column fewer characters on a narrow terminal."""
        narrow = event.size.width < self.HORIZONTAL_BREAKPOINTS[1][0]
        self.table.host_width = NARROW_HOST_NAME_WIDTH if narrow else HOST_NAME_WIDTH

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

    def _show_rows(self, rows: list[HostedModel], host_column: bool) -> None:
        self.table.show_rows(rows, self.services.clock.utc(), host_column=host_column)
        wanted = self._select_when_listed
        if wanted and self.table.select_model(wanted[1], wanted[0]):
            self._select_when_listed = None
        self._update_key_states()
        self._follow_highlight()

    @on(ModelTable.Listed)
    def _listed(self, event: ModelTable.Listed) -> None:
        if event.shown == event.total:
            text = f"{event.total} model{'' if event.total == 1 else 's'}"
        else:
            text = f"{event.shown} of {event.total}"
        viewed = self.viewed_host()
        if viewed is None:
            hosts = list(self.services.hosts)
            away = [f"{h.name} {h.status.state.value}" for h in hosts if h.status.state in _AWAY]
            listing = len(hosts) - len(away)
            text += f" on {listing} host{'' if listing == 1 else 's'}"
            if away:
                text += ", " + ", ".join(away)
        elif len(self.services.hosts) > 1:
            text += f" on {viewed.name}"
        self.query_one("#models-count", Static).update(Content(text))

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
        row = self.table.highlighted_row
        if row is None:
            self._details_pending = None
            self.workers.cancel_group(self, "models-details")
            self.details.clear_model(
                "No model matches the filter." if self.table.filter_text else "No model selected."
            )
            return
        if row.key == self._details_pending:
            return  # highlighted again by a rebuild of the table: already on its way
        shown = self._details_shown
        if row.model.name == self.details.model_name and shown == self._cache_key(row):
            return
        self._details_pending = row.key
        self.load_details(row)

    @staticmethod
    def _cache_key(row: HostedModel) -> str:
        # A digest names the manifest, so copies share details and an update misses the
        # cache; the same digest on two hosts is still asked of each.
        return f"{row.host}\x1f{row.model.digest or model_key(row.model.name)}"

    @work(exclusive=True, group="models-details", exit_on_error=False)
    async def load_details(self, row: HostedModel) -> None:
        """Show ``row``'s model in the details pane, asking its host's ``/api/show`` unless
        it is cached.

        It waits a moment first, so scrolling through the list neither redraws the
        pane nor asks the server for every row passed; and it shows nothing if the
        cursor has moved on by the time the answer comes.
        """
        key = self._cache_key(row)
        model = row.model
        host = self.services.hosts.get(row.host)
        try:
            await asyncio.sleep(self.DETAILS_DELAY_SECONDS)
            info = host.catalog.cached_info(model.name) if host is not None else None
            if info is None:
                self.details.show_summary(model, self.services.clock.utc())
                self._details_shown = None
                if host is None:
                    return
                try:
                    info = await host.catalog.info(model.name)
                except OllamaError as exc:
                    if self._still_highlighted(row):
                        self.details.show_problem(model, str(exc), self.services.clock.utc())
                    return
            if self._still_highlighted(row):
                self.details.show_info(model, info, self.services.clock.utc())
                self._details_shown = key
        finally:
            if self._details_pending == row.key:
                self._details_pending = None

    def _still_highlighted(self, row: HostedModel) -> bool:
        highlighted = self.table.highlighted_row
        return highlighted is not None and highlighted.key == row.key

    @staticmethod
    async def _capabilities(host: Host, model: ModelSummary) -> tuple[str, ...]:
        """What the model can do: from the list if the server said, else from ``/api/show``."""
        if model.capabilities:
            return model.capabilities
        return (await host.catalog.info(model.name)).capabilities

    # -- loaded models --------------------------------------------------------------

    def _poll_tick(self) -> None:
        self.poll_running_models()

    def _countdown_tick(self) -> None:
        self.running_panel.tick(self.services.clock.utc())

    @work(exclusive=True, group="models-ps", exit_on_error=False)
    async def poll_running_models(self) -> None:
        """Ask ``/api/ps`` which models are loaded (every host at once in the all-hosts
        view); a failure is shown for its host, never raised."""
        viewed = self.viewed_host()
        hosts = [viewed] if viewed is not None else list(self.services.hosts)
        answers = await asyncio.gather(*(self._ask_running(host) for host in hosts))
        now = self.services.clock.utc()
        if viewed is None:
            self.running_panel.show_hosts(answers, now)
        elif answers[0].problem is not None:
            self.running_panel.show_unreachable(answers[0].problem, now)
        else:
            self.running_panel.show_running(answers[0].models, now)
        for answer in answers:
            self.table.set_loaded((model.name for model in answer.models), answer.host)

    async def _ask_running(self, host: Host) -> HostRunning:
        """One host's ``/api/ps``, or why it did not answer."""
        try:
            running = await host.client.running_models()
        except OllamaUnavailableError as exc:
            host.connection.failed(exc)
            return HostRunning(host.name, problem=f"Ollama is unreachable ({exc.reason})")
        except OllamaError as exc:
            return HostRunning(host.name, problem=str(exc))
        notes = host.catalog.unsaid(running.skipped)
        if notes:
            self.notify(
                "\n".join(notes), title="Some loaded models are not shown", severity="warning"
            )
        return HostRunning(host.name, tuple(running))

    @work(exclusive=True, group="models-list", exit_on_error=False)
    async def refresh_models(self) -> None:
        """List the installed models again, of every host in view at once; one host
        failing leaves the others' lists as they come."""
        hosts = self._hosts_in_view()
        results = await asyncio.gather(
            *(host.catalog.refresh() for host in hosts), return_exceptions=True
        )
        for host, result in zip(hosts, results, strict=True):
            if isinstance(result, OllamaError):
                self.report(result, "Could not list models", quiet_offline=True, host=host)
            elif isinstance(result, BaseException):
                raise result

    # -- actions --------------------------------------------------------------------

    def _target(self) -> tuple[Host, ModelSummary] | None:
        """The highlighted row's host and model; every action on a row goes to its host."""
        row = self.table.highlighted_row
        if row is None:
            self.notify("No model is highlighted.", severity="warning")
            return None
        host = self.services.hosts.get(row.host)
        if host is None:
            self.notify(f"{row.host} is no longer a host.", severity="warning", markup=False)
            return None
        return host, row.model

    def _host_tag(self, host: Host) -> str:
        """``host`` for a message to the app; "" when it is the default host."""
        return "" if host is self.services.hosts.default else host.name

    @on(DataTable.RowSelected, "#models-table")
    def action_chat(self) -> None:
        """Open a new chat with the highlighted model (not with an embedding model)."""
        target = self._target()
        if target is not None:
            self.chat_with(*target)

    @work(group="models-action", exit_on_error=False)
    async def chat_with(self, host: Host, model: ModelSummary) -> None:
        """Hand over to the chat screen, after checking the model can chat."""
        try:
            capabilities = await self._capabilities(host, model)
        except OllamaError as exc:
            self.report(exc, f"Could not check {model.name}", host=host)
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
        self.post_message(OpenChat(model.name, host=self._host_tag(host)))

    def action_load(self) -> None:
        """Load the highlighted model with the server's default keep-alive."""
        target = self._target()
        if target is not None:
            self.load_model(*target, keep_alive=None)

    def action_keep_loaded(self) -> None:
        """Load the highlighted model and keep it loaded (``keep_alive: -1``)."""
        target = self._target()
        if target is not None:
            self.load_model(*target, keep_alive=-1)

    @work(group="models-action", exit_on_error=False)
    async def load_model(self, host: Host, model: ModelSummary, *, keep_alive: int | None) -> None:
        """Load ``model`` into ``host``'s memory, then refresh the loaded models."""
        self.notify(f"Loading {model.name}…", markup=False)
        client = host.client
        try:
            if is_embedding_only(await self._capabilities(host, model)):
                # Embedding models cannot load through chat; an empty embed loads them.
                await client.embed(model.name, [], keep_alive=keep_alive)
            else:
                await client.load(model.name, keep_alive=keep_alive)
        except OllamaError as exc:
            self.report(exc, f"Could not load {model.name}", host=host)
            return
        finally:
            self.poll_running_models()
        if keep_alive is not None and keep_alive < 0:
            self.notify(f"{model.name} is loaded and kept loaded.", markup=False)
        else:
            self.notify(f"{model.name} is loaded.", markup=False)

    def action_unload(self) -> None:
        """Unload the highlighted model now (``keep_alive: 0``)."""
        target = self._target()
        if target is not None:
            self.unload_model(*target)

    @work(group="models-action", exit_on_error=False)
    async def unload_model(self, host: Host, model: ModelSummary) -> None:
        """Unload ``model`` from ``host``, then refresh the loaded models."""
        try:
            await host.client.unload(model.name)
        except OllamaError as exc:
            self.report(exc, f"Could not unload {model.name}", host=host)
            return
        finally:
            self.poll_running_models()
        self.notify(f"{model.name} is unloaded.", markup=False)

    def action_copy(self) -> None:
        """Copy the highlighted model to a new name on its host (asked for, and checked,
        first)."""
        target = self._target()
        if target is None:
            return
        host, model = target

        def copy_to(destination: str | None) -> None:
            if destination:
                self.copy_model(host, model, destination)

        self.app.push_screen(copy_dialog(model.name, host.catalog.names()), copy_to)

    @work(group="models-action", exit_on_error=False)
    async def copy_model(self, host: Host, model: ModelSummary, destination: str) -> None:
        """Copy ``model`` to ``destination`` on ``host`` and select the copy once listed."""
        try:
            await host.client.copy(model.name, destination)
        except OllamaError as exc:
            self.report(exc, f"Could not copy {model.name}", host=host)
            self.refresh_models()
            return
        self.notify(f"Copied {model.name} to {destination}.", markup=False)
        self._select_when_listed = (host.name, destination)
        self.refresh_models()

    def action_delete(self) -> None:
        """Delete the highlighted model, after a confirmation saying what it frees.

        The question is up at once, so a quick ``y`` or ``enter`` answers it; what is
        freed fills in when the server has said.
        """
        target = self._target()
        if target is None:
            return
        host, model = target

        def answered(yes: bool | None) -> None:
            if yes:
                self.delete_model(host, model)

        where = f" from {host.name}" if len(self.services.hosts) > 1 else ""
        question = ConfirmDialog(
            f"Delete {model.name}{where} ({human_size(model.size)})?",
            "Checking whether other models share its files…",
            heading="Delete model",
        )
        self.app.push_screen(question, answered)
        self.explain_delete(host, model, question)

    @work(exclusive=True, group="models-ask-delete", exit_on_error=False)
    async def explain_delete(
        self, host: Host, model: ModelSummary, question: ConfirmDialog
    ) -> None:
        """Say in ``question`` how much disk deleting ``model`` from ``host`` really frees."""
        estimate = await self.delete_estimate(host, model)
        if question.is_attached:
            question.update_detail(estimate.describe())

    @staticmethod
    async def delete_estimate(host: Host, model: ModelSummary) -> DeleteEstimate:
        """What deleting ``model`` frees on ``host``, from the manifests it lists and the
        weights it shows.

        Only models that look alike (family, size class, quantization) can share weights,
        so only those are asked about (``/api/show``, cached). Other hosts have their own
        disks: their copies share nothing.
        """
        listed = host.catalog.models.value
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
            own = weights_blob((await host.catalog.info(model.name)).modelfile)
        except OllamaError:
            own = None
        if own is None:
            return DeleteEstimate(model.size, checked=False)
        sharing: list[str] = []
        checked = True
        for name in lookalikes:
            try:
                theirs = weights_blob((await host.catalog.info(name)).modelfile)
            except OllamaError:
                theirs = None
            if theirs is None:
                checked = False
            elif theirs == own:
                sharing.append(name)
        return DeleteEstimate(model.size, same_weights=tuple(sharing), checked=checked)

    @work(group="models-action", exit_on_error=False)
    async def delete_model(self, host: Host, model: ModelSummary) -> None:
        """Delete ``model`` from ``host``; the list is refreshed whether it worked or not."""
        try:
            await host.client.delete(model.name)
        except OllamaError as exc:
            self.report(exc, f"Could not delete {model.name}", host=host)
        else:
            self.notify(f"Deleted {model.name}.", markup=False)
        self.refresh_models()
        self.poll_running_models()

    def action_create(self) -> None:
        """Create a model derived from the highlighted one on its host, prefilled from the
        current chat."""
        model = self.table.highlighted_model
        self._open_create_dialog(model.name if model is not None else None)

    def action_create_from_chat(self) -> None:
        """Create a model from the current chat's model, system prompt and parameters."""
        self._open_create_dialog(None, prefer_chat_model=True)

    def _open_create_dialog(self, base: str | None, *, prefer_chat_model: bool = False) -> None:
        store = self.services.store
        current = self.services.current
        chat_id = current.id.value
        chat = store.get_chat(chat_id) if chat_id is not None else None
        settings = effective_settings(RequestDefaults.load(store), chat)
        # A new chat has no record until its first prompt, but it has a model already.
        chat_model = chat.model if chat is not None else current.model.value
        host = self._acting_host()
        if chat_model and (prefer_chat_model or base is None):
            base = chat_model
            # The chat's model is on the chat's host.
            host = self.services.hosts.get_or_default(current.host.value or None)
        if chat is not None:
            note = f"System prompt and parameters from the chat “{chat.title}”."
        elif chat_model:
            note = "The chat in view is new: parameters come from the global defaults."
        else:
            note = "Parameters come from the global defaults."
        if len(self.services.hosts) > 1:
            note += f" Created on {host.name}."
        dialog = CreateModelDialog(
            from_=base or "",
            system=(chat.system or "") if chat is not None else "",
            parameters=settings.options,
            existing=host.catalog.names(),
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
                        host=self._host_tag(host),
                    )
                )

        self.app.push_screen(dialog, create)

    def action_pull(self) -> None:
        """Ask for a model name and pull it on the pulls screen; with several hosts, ask
        which one too (the one in view, or the highlighted row's, is chosen at first)."""

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
                    chosen=self._acting_host().name,
                    confirm_label="Pull",
                ),
                lambda host: pull_on(name, host),
            )

        self.app.push_screen(pull_dialog(), pull)

    def action_push(self) -> None:
        """Push the highlighted model from its host to its registry, with progress on the
        pulls screen."""
        target = self._target()
        if target is None:
            return
        host, model = target
        problem = push_name_problem(model.name)
        if problem is not None:
            self.notify(
                f"Cannot push {model.name}: {problem}.",
                title="Push",
                severity="warning",
                markup=False,
            )
            return
        self.post_message(StartPush(model.name, host=self._host_tag(host)))

    def action_create_from_file(self) -> None:
        """Ask for a GGUF file and a name, then create the model on the pulls screen, on
        the highlighted row's host (else the host in view)."""
        host = self._acting_host()

        def create(request: FileCreate | None) -> None:
            if request is not None:
                self.post_message(StartCreateFromFile(request, host=self._host_tag(host)))

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
            (
                "Filter models",
                "Filter by name, family or quantization (or host, with every host's models)",
                self.action_focus_filter,
            ),
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
