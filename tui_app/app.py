"""The Textual application: four areas, a status bar, and the link to Ollama."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen

from tui_app.api import ModelInfo, ModelSummary, OllamaError, OllamaUnavailableError
from tui_app.api.names import normalise_model_name
from tui_app.core.connection import ConnectionStatus, LinkState
from tui_app.core.file_create import FileCreate
from tui_app.screens.base import AreaScreen
from tui_app.screens.chat import ChatScreen
from tui_app.screens.dialogs import ConfirmDialog, HelpDialog
from tui_app.screens.models import ModelsScreen
from tui_app.screens.options import OptionsScreen
from tui_app.screens.pulls import PullsScreen
from tui_app.screens.workbench import WorkbenchScreen
from tui_app.services import Services
from tui_app.store import StoreError

AREAS: dict[str, type[AreaScreen]] = {
    "chat": ChatScreen,
    "models": ModelsScreen,
    "pulls": PullsScreen,
    "options": OptionsScreen,
    "workbench": WorkbenchScreen,
}
"""Top-level screens by mode name, in the order of their function keys."""

THEME_SETTING = "theme"
"""Store setting holding the theme last chosen in the app."""


def known_binding_ids() -> set[str]:
    """The id of every binding the app's own screens and widgets define.

    A ``[keymap]`` entry can only rebind one of these; the rest are reported.
    """
    ids: set[str] = set()
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if klass.__module__.startswith("tui_app."):
            for binding in klass.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


class OllamaTUI(App[None]):
    """ollama-tui: chat, models, pulls and options for one Ollama server."""

    TITLE = "ollama-tui"
    CSS_PATH = "tui_app.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="nav.help", tooltip="Show every key"),
        Binding("f2", "switch_area('chat')", "Chat", id="nav.chat"),
        Binding("f3", "switch_area('models')", "Models", id="nav.models"),
        Binding("f4", "switch_area('pulls')", "Pulls", id="nav.pulls"),
        Binding("f5", "switch_area('options')", "Options", id="nav.options"),
        Binding("f10", "switch_area('workbench')", "Workbench", id="nav.workbench"),
        Binding(
            "ctrl+r",
            "reconnect",
            "Reconnect",
            show=False,
            id="app.reconnect",
            tooltip="Check the connection to Ollama now",
        ),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit"),
    ]

    ONLINE_CHECK_SECONDS: ClassVar[float] = 15.0
    """How often a reachable server is checked again."""
    OFFLINE_RETRY_SECONDS: ClassVar[float] = 2.0
    """How often an unreachable server is tried again."""

    connection: reactive[ConnectionStatus] = reactive(ConnectionStatus, always_update=False)
    """The link to the server, as last checked."""
    current_model: reactive[str] = reactive("")
    """The model of the chat in view, shown in the status bar."""
    models: reactive[tuple[ModelSummary, ...]] = reactive(tuple)
    """Installed models, as last listed; pickers and the model table follow it."""
    current_chat_id: reactive[int | None] = reactive(None)
    """The chat in view; the options screen edits its per-chat settings."""

    def __init__(self, services: Services, *, freeze_startup_heap: bool = False) -> None:
        super().__init__()
        self.services = services
        # Only the real program freezes its heap: an app built in a test process would
        # freeze the objects of every test before it.
        self._startup_frozen = not freeze_startup_heap
        self._check_now = asyncio.Event()
        self._model_info: dict[str, ModelInfo] = {}
        for name, screen_class in AREAS.items():
            self.add_mode(name, partial(screen_class, services))

    def on_mount(self) -> None:
        self.services.store.mark_interrupted()
        self._apply_config()
        self.switch_mode("chat")
        self.watch_connection_loop()

    # -- configuration ------------------------------------------------------------

    def _apply_config(self) -> None:
        """Theme and keymap from the configuration file; say what in it was wrong."""
        problems = list(self.services.config_problems)
        wanted = self.services.theme
        if wanted is not None and wanted not in self.available_themes:
            problems.append(f"theme: unknown theme {wanted!r}; the default is used")
            wanted = None
        remembered = self.services.store.get_setting(THEME_SETTING)
        if wanted is None and isinstance(remembered, str) and remembered in self.available_themes:
            wanted = remembered
        if wanted is not None:
            self.theme = wanted
        self.watch(self, "theme", self._remember_theme, init=False)

        keymap = dict(self.services.keymap)
        known = known_binding_ids()
        for binding_id in [b for b in keymap if b not in known]:
            problems.append(f"keymap: no binding has the id {binding_id!r}")
            del keymap[binding_id]
        if keymap:
            self.set_keymap(keymap)
        for problem in problems:
            self.notify(problem, title="Configuration", severity="warning", markup=False)

    def _remember_theme(self, theme: str) -> None:
        # The file's theme, when it names one, still wins at the next start.
        with contextlib.suppress(StoreError):
            self.services.store.set_setting(THEME_SETTING, theme)

    async def on_unmount(self) -> None:
        await self.services.client.aclose()

    # -- connection -------------------------------------------------------------

    @work(exclusive=True, group="connection", exit_on_error=False)
    async def watch_connection_loop(self) -> None:
        """Check the server now and then for as long as the app runs."""
        while True:
            await self.check_connection()
            delay = (
                self.ONLINE_CHECK_SECONDS if self.connection.online else self.OFFLINE_RETRY_SECONDS
            )
            self._check_now.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._check_now.wait(), timeout=delay)

    async def check_connection(self) -> None:
        """Ask the server for its version and update :attr:`connection`."""
        was_online = self.connection.online
        try:
            version = await self.services.client.version()
        except OllamaError as exc:
            self.mark_offline(exc)
            return
        self.connection = ConnectionStatus(LinkState.ONLINE, version=version)
        if not was_online:
            self.refresh_models()

    def freeze_startup_objects(self) -> None:
        """Take what start-up built (modules, styles, screens) out of garbage collection.

        Python's full collections walk every live object; with the app's start-up heap
        that took about 30 ms, and one would land in the middle of a streaming reply.
        Frozen objects are never walked again. Done once, after a collection, so no
        garbage is frozen with them.
        """
        if self._startup_frozen:
            return
        self._startup_frozen = True
        gc.collect()
        gc.freeze()

    def mark_offline(self, error: OllamaError) -> None:
        """Record that the server could not be reached; retries continue on their own."""
        reason = error.reason if isinstance(error, OllamaUnavailableError) else str(error)
        was = self.connection.state
        self.connection = ConnectionStatus(LinkState.OFFLINE, error=reason)
        if was is LinkState.ONLINE:
            self.notify(
                f"Lost the connection to {self.services.host}: {reason}",
                title="Ollama offline",
                severity="error",
            )

    def action_reconnect(self) -> None:
        """Check the connection at once instead of waiting for the next retry."""
        self._check_now.set()

    def watch_models(self) -> None:
        # A model may have been pulled again, created over, or deleted.
        self._model_info.clear()

    async def model_info(self, model: str) -> ModelInfo:
        """``/api/show`` of ``model``, kept until the list of models changes; every screen
        asks here, so a model is read once. Raises :class:`OllamaError` (and marks the
        server offline when it cannot be reached)."""
        key = normalise_model_name(model).lower()
        cached = self._model_info.get(key)
        if cached is not None:
            return cached
        try:
            info = await self.services.client.show(model)
        except OllamaUnavailableError as exc:
            self.mark_offline(exc)
            raise
        self._model_info[key] = info
        return info

    def cached_model_info(self, model: str) -> ModelInfo | None:
        """What :meth:`model_info` has for ``model`` already, without asking the server."""
        return self._model_info.get(normalise_model_name(model).lower())

    @work(exclusive=True, group="models-list", exit_on_error=False)
    async def refresh_models(self) -> None:
        """Fetch the installed models; everything showing them follows :attr:`models`."""
        try:
            models = await self.services.client.list_models()
        except OllamaUnavailableError as exc:
            self.mark_offline(exc)
            return
        except OllamaError as exc:
            self.notify(str(exc), title="Could not list models", severity="error")
            return
        self.models = tuple(models)

    # -- hand-overs between areas ---------------------------------------------------

    async def start_pull(self, model: str) -> None:
        """Show the pulls screen and start pulling ``model`` there."""
        await self.switch_mode("pulls")
        screen = self.screen
        if isinstance(screen, PullsScreen):
            screen.start_pull(model)

    async def start_push(self, model: str) -> None:
        """Show the pulls screen and push ``model`` there, with progress."""
        await self.switch_mode("pulls")
        screen = self.screen
        if isinstance(screen, PullsScreen):
            screen.start_push(model)

    async def start_create_from_file(self, request: FileCreate) -> None:
        """Show the pulls screen and create a model from a local GGUF file there."""
        await self.switch_mode("pulls")
        screen = self.screen
        if isinstance(screen, PullsScreen):
            screen.start_create_from_file(request)

    async def start_create(
        self,
        model: str,
        *,
        from_: str,
        system: str | None = None,
        parameters: dict[str, object] | None = None,
    ) -> None:
        """Show the pulls screen and create a derived model there, with progress."""
        await self.switch_mode("pulls")
        screen = self.screen
        if isinstance(screen, PullsScreen):
            screen.start_create(model, from_=from_, system=system, parameters=parameters)

    async def open_chat_with(self, model: str) -> None:
        """Show the chat screen with a new chat using ``model``."""
        await self.switch_mode("chat")
        screen = self.screen
        if isinstance(screen, ChatScreen):
            await screen.new_chat(model=model)

    # -- navigation ---------------------------------------------------------------

    async def action_switch_area(self, area: str) -> None:
        """Show one of the top-level areas."""
        if area in AREAS and self.current_mode != area:
            await self.switch_mode(area)

    def action_help(self) -> None:
        """Show every binding, grouped by screen."""
        groups: list[tuple[str, Iterable[BindingType]]] = [("Everywhere", self.BINDINGS)]
        groups += [(screen.AREA_TITLE, screen.own_bindings()) for screen in AREAS.values()]
        self.push_screen(HelpDialog(groups))

    async def action_quit(self) -> None:
        """Quit, asking first while pulls are running; ``ctrl+q`` in the question quits."""
        try:
            stack = self.get_screen_stack("pulls")
        except KeyError:  # the pulls screen was never opened
            stack = []
        running = sum(s.running_count() for s in stack if isinstance(s, PullsScreen))
        if running and self.screen.id != "quit-question":
            plural = "pulls are" if running > 1 else "pull is"
            question = ConfirmDialog(
                f"Quit while {running} {plural} running?",
                "Ollama keeps what was downloaded: pulling the model again resumes.",
                confirm_label="Quit",
            )
            question.id = "quit-question"
            self.push_screen(question, lambda confirmed: self.exit() if confirmed else None)
            return
        self.exit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for name, area in AREAS.items():
            yield SystemCommand(
                f"Go to {area.AREA_TITLE}",
                f"Switch to the {area.AREA_TITLE.lower()} screen",
                partial(self.action_switch_area, name),
            )
        yield SystemCommand("Help", "Show every key binding", self.action_help)
        yield SystemCommand(
            "Reconnect", "Check the connection to Ollama now", self.action_reconnect
        )
        yield SystemCommand("Refresh models", "List installed models again", self.refresh_models)
        yield SystemCommand(
            "Pull a model",
            "Type the name of a model to download",
            partial(self.action_switch_area, "pulls"),
        )
        if isinstance(screen, AreaScreen):
            yield from screen.palette_commands()
        yield from super().get_system_commands(screen)
