"""The Textual application: five areas, a status bar, and the link to Ollama."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import threading
from collections.abc import Callable, Coroutine, Iterable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker

from tui_app.api import ModelSummary, OllamaClient, OllamaError, OllamaUnavailableError
from tui_app.core.config import (
    append_host,
    host_problem,
    read_config_file,
    remove_host,
    rename_host,
)
from tui_app.core.connection import ConnectionStatus, LinkState
from tui_app.core.formatting import sanitize, visible_controls
from tui_app.core.hosts import Host
from tui_app.core.transfers import TransferRefused
from tui_app.messages import (
    OpenChat,
    StartCreate,
    StartCreateFromFile,
    StartPull,
    StartPush,
    WarmedUp,
)
from tui_app.screens.base import AreaScreen
from tui_app.screens.chat import ChatScreen
from tui_app.screens.compare import CompareScreen
from tui_app.screens.dialogs import ConfirmDialog, HelpDialog, HostChoiceDialog, NameDialog
from tui_app.screens.dialogs.help import app_bindings, binding_groups
from tui_app.screens.models import MODELS_HOST_SETTING, ModelsScreen
from tui_app.screens.options import OptionsScreen
from tui_app.screens.pulls import PullsScreen
from tui_app.screens.workbench import WorkbenchScreen
from tui_app.services import Services
from tui_app.store import StoreError
from tui_app.terminal_output import app_driver, redraw_changes_only

AREAS: dict[str, type[AreaScreen]] = {
    "chat": ChatScreen,
    "models": ModelsScreen,
    "pulls": PullsScreen,
    "options": OptionsScreen,
    "workbench": WorkbenchScreen,
    "compare": CompareScreen,
}
"""Top-level screens by mode name, in the order of their function keys."""

THEME_SETTING = "theme"
"""Store setting holding the theme last chosen in the app."""

TEXTUAL_WRITER_THREAD = "textual-output"
"""Textual's thread that writes to the terminal; it dies when the terminal is gone."""

QUIT_GRACE_SECONDS = 5.0
"""How long a quit asked for by a signal may take before the process ends regardless."""


def quit_unless_done(code: int) -> None:
    """End the process with ``code`` in :data:`QUIT_GRACE_SECONDS` unless it has ended by
    then: a quit that cannot finish (its terminal gone in the middle of a write) must not
    leave the process running, deaf to every signal but SIGKILL."""
    timer = threading.Timer(QUIT_GRACE_SECONDS, os._exit, args=(code,))
    timer.daemon = True
    timer.start()


def known_binding_ids() -> set[str]:
    """The id of every binding the app's own screens and widgets define.

    A ``[keymap]`` entry can only rebind one of these; the rest are reported.
    """
    return {b.id for _, bindings in app_bindings() for b in bindings if b.id}


class OllamaTUI(App[None]):
    """ollama-tui: chat, models, pulls and options for one Ollama server."""

    TITLE = "ollama-tui"
    HELP_TITLE: ClassVar[str] = "Everywhere"
    CSS_PATH = "tui_app.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="nav.help", tooltip="Show every key"),
        Binding("f2", "switch_area('chat')", "Chat", id="nav.chat"),
        Binding("f3", "switch_area('models')", "Models", id="nav.models"),
        Binding("f4", "switch_area('pulls')", "Pulls", id="nav.pulls"),
        Binding("f5", "switch_area('options')", "Options", id="nav.options"),
        Binding("f10", "switch_area('workbench')", "Workbench", id="nav.workbench"),
        # Out of the footer, which the other areas' keys already fill at 120 columns; help,
        # the palette and README name it.
        Binding("f12", "switch_area('compare')", "Compare", id="nav.compare", show=False),
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

    def get_driver_class(self) -> type[Driver]:
        """The platform's driver, writing only the cells each frame changes (unless
        ``OLLAMA_TUI_REDRAW=full``) and nothing once the terminal is gone: see
        :mod:`tui_app.terminal_output`."""
        return app_driver(super().get_driver_class(), changes_only=redraw_changes_only())

    def __init__(self, services: Services, *, freeze_startup_heap: bool = False) -> None:
        super().__init__()
        self.services = services
        # Only the real program freezes its heap: an app built in a test process would
        # freeze the objects of every test before it.
        self._startup_frozen = not freeze_startup_heap
        self._check_timer: Timer | None = None
        self._host_timers: dict[Host, Timer] = {}
        self._link = services.connection.current.state
        for name, screen_class in AREAS.items():
            self.add_mode(name, partial(screen_class, services))
        # Pulls and creates run as the app's workers: they outlive any screen, and tests
        # can wait for them like any other worker.
        services.transfers.runner = self._run_transfer

    def _run_transfer(self, coroutine: Coroutine[Any, Any, None], name: str) -> Worker[None]:
        return self.run_worker(coroutine, name=name, group="pulls", exit_on_error=False)

    def on_mount(self) -> None:
        if not self.is_headless:
            # Process-wide handlers: for the app on a terminal, not one under test.
            self._quit_on_signals()
        self.services.store.mark_interrupted()
        self._apply_config()
        self._connection_subscription = self.services.connection.status.subscribe(
            self._connection_changed
        )
        self.switch_mode("chat")
        self.check_connection_now()
        for host in list(self.services.hosts)[1:]:
            self.check_host_now(host)

    # -- shared state, read through the app (tests and scripts use these) ---------------

    @property
    def connection(self) -> ConnectionStatus:
        """The link to the server, as last checked."""
        return self.services.connection.current

    @property
    def models(self) -> tuple[ModelSummary, ...]:
        """Installed models, as last listed."""
        return self.services.catalog.models.value

    @property
    def current_chat_id(self) -> int | None:
        """The chat on the chat screen (None: a new chat)."""
        return self.services.current.id.value

    @current_chat_id.setter
    def current_chat_id(self, chat_id: int | None) -> None:
        self.services.current.id.set(chat_id)

    @property
    def current_model(self) -> str:
        """The model of the chat on the chat screen."""
        return self.services.current.model.value

    @current_model.setter
    def current_model(self, model: str) -> None:
        self.services.current.model.set(model)

    def _quit_on_signals(self) -> None:
        """Quit as ``ctrl+q`` does on SIGTERM (``kill``) and SIGHUP (the terminal closed).

        Their default action ends the process at once, leaving the terminal in the
        alternate screen with mouse reporting on and the cursor hidden; quitting
        normally restores it, and a reply being streamed is saved as stopped.
        """
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is None:  # no SIGHUP on Windows
                continue
            # A plain handler, not the event loop's: it runs even while the loop is stuck
            # (a write to a terminal that is gone), and then the watchdog ends the process.
            with contextlib.suppress(ValueError):  # not the main thread (tests)
                signal.signal(number, partial(self._on_signal, loop))
        previous_hook = threading.excepthook

        def writer_died(args: threading.ExceptHookArgs) -> None:
            thread = args.thread
            if (
                thread is not None
                and thread.name == TEXTUAL_WRITER_THREAD
                and isinstance(args.exc_value, OSError)
            ):
                # The terminal was closed under the app (its window, an SSH link).
                self._terminal_lost(loop)
                return
            previous_hook(args)

        threading.excepthook = writer_died

    def _on_signal(self, loop: asyncio.AbstractEventLoop, number: int, frame: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: exiting already
            loop.call_soon_threadsafe(self._signalled, number)
        quit_unless_done(128 + number)

    def _terminal_lost(self, loop: asyncio.AbstractEventLoop) -> None:
        """Stop writing, and quit as on SIGHUP (the reply arriving is saved as stopped)."""
        driver = self._driver
        if driver is not None and hasattr(driver, "terminal_lost"):
            driver.terminal_lost = True
        self._on_signal(loop, signal.SIGHUP if hasattr(signal, "SIGHUP") else 1, None)

    def _signalled(self, number: int) -> None:
        # The shell's convention for a process ended by a signal: 128 + its number.
        self.exit(return_code=128 + number)

    # -- notifications ------------------------------------------------------------

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification; every one, from any screen or widget, passes here.

        Notifications often quote the server (an error body, a model name), so the
        text is always plain: control characters made visible and brackets shown as
        they are, whatever ``markup`` asks for.
        """
        del markup  # never markup: see above
        super().notify(
            sanitize(message),
            title=visible_controls(title, multi_line=False),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

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
        for host in self.services.hosts:
            await host.client.aclose()

    # -- connection -------------------------------------------------------------

    def check_connection_now(self) -> None:
        """Check the server at once; the next check is then timed from this one."""
        if self._check_timer is not None:
            self._check_timer.stop()
            self._check_timer = None
        self._connection_check()

    @work(exclusive=True, group="connection", exit_on_error=False)
    async def _connection_check(self) -> None:
        """One check, then a timer for the next: soon while offline, now and then online."""
        await self.check_connection()
        delay = self.services.connection.next_check_in()
        self._check_timer = self.set_timer(delay, self.check_connection_now, name="connection")

    async def check_connection(self) -> None:
        """Ask the server for its version; list the models when it comes back online."""
        if await self.services.connection.check():
            self.refresh_models()

    def check_host_now(self, host: Host) -> None:
        """Check one of the other hosts at once; its next check is timed from this one.

        Each host is checked by its own short worker and timer: one that is away never
        holds up the others.
        """
        timer = self._host_timers.pop(host, None)
        if timer is not None:
            timer.stop()
        self.run_worker(
            self._check_host(host), name=f"host {host.name}", group="hosts", exit_on_error=False
        )

    async def _check_host(self, host: Host) -> None:
        was = host.status.state
        if await host.connection.check():
            with contextlib.suppress(OllamaError):
                await host.catalog.refresh()
        if was is LinkState.ONLINE and host.status.state is LinkState.OFFLINE:
            self.notify(
                f"Lost the connection to {host.name}: {host.status.error}",
                title="Host offline",
                severity="warning",
                markup=False,
            )
        self._tell_auth_failure(was, host.status)
        if host not in self.services.hosts:
            return  # removed while it was being checked: no more checks
        delay = host.connection.next_check_in()
        self._host_timers[host] = self.set_timer(
            delay, partial(self.check_host_now, host), name=f"host {host.name}"
        )

    def _tell_auth_failure(self, was: LinkState, status: ConnectionStatus) -> None:
        """Say once that a host refused the key: which host, and which variable to fix."""
        if status.state is LinkState.AUTH_FAILED and was is not LinkState.AUTH_FAILED:
            self.notify(
                visible_controls(status.error, multi_line=False),
                title="Authentication failed",
                severity="error",
                markup=False,
            )

    def _connection_changed(self, status: ConnectionStatus) -> None:
        was, self._link = self._link, status.state
        self._tell_auth_failure(was, status)
        if was is LinkState.ONLINE and status.state is LinkState.OFFLINE:
            self.notify(
                f"Lost the connection to {self.services.host}: {status.error}",
                title="Ollama offline",
                severity="error",
            )

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

    @on(WarmedUp)
    def _warmed_up(self) -> None:
        self.freeze_startup_objects()

    def action_add_host(self) -> None:
        """Ask for a new host's name and address, write it to the configuration file and
        start following it. Nothing is written unless both are good."""
        hosts = self.services.hosts
        path = self.services.config_file
        if path is None:
            self.notify("The demo has no configuration file to add a host to.", severity="warning")
            return

        def name_problem(name: str) -> str | None:
            return host_problem(name.strip(), "127.0.0.1", hosts.names())

        def got_name(name: str | None) -> None:
            if not name:
                return
            name = name.strip()
            self.push_screen(
                NameDialog(
                    f"Address of {name}",
                    check=lambda url: host_problem(name, url, hosts.names()),
                    placeholder="e.g. gpubox:11434 or https://example.com/ollama",
                    hint=f"read like OLLAMA_HOST · written to {path} · escape cancels",
                    confirm_label="Add",
                ),
                lambda url: add(name, url),
            )

        def add(name: str, url: str | None) -> None:
            if not url:
                return
            try:
                entry = append_host(path, name, url.strip())
            except ValueError as exc:
                self.notify(str(exc), title="Host not added", severity="error", markup=False)
                return
            host = Host(entry.name, entry.url, OllamaClient(entry.url))
            hosts.add(host)
            self.notify(f"Added {entry.name} ({entry.url}) to {path}.", markup=False)
            self.check_host_now(host)

        self.push_screen(
            NameDialog(
                "Add a host",
                check=name_problem,
                placeholder="e.g. gpu",
                hint="a name for the new Ollama server · escape cancels",
                confirm_label="Next",
            ),
            got_name,
        )

    def _choose_host(
        self, heading: str, confirm_label: str, then: Callable[[Host], object]
    ) -> None:
        """Ask which host (the first other than the default at first), then go on with it."""
        hosts = self.services.hosts
        names = hosts.names()

        def chosen(name: str | None) -> None:
            host = hosts.get(name)
            if host is not None:
                then(host)

        self.push_screen(
            HostChoiceDialog(
                heading,
                [(host.name, host.status) for host in hosts],
                chosen=names[1] if len(names) > 1 else names[0],
                confirm_label=confirm_label,
            ),
            chosen,
        )

    def _host_in_file(self, host: Host, doing: str) -> Path | None:
        """The configuration file, when ``host`` is one of its ``[[hosts]]``; else say why
        ``doing`` cannot be done and return None."""
        path = self.services.config_file
        if path is None:
            self.notify(f"The demo has no configuration file to {doing} a host in.")
            return None
        if host.name not in {entry.name for entry in read_config_file(path).hosts}:
            self.notify(
                f"{host.name} comes from --host or OLLAMA_HOST, not from [[hosts]] in {path}: "
                f"it cannot be {doing}d here.",
                title=f"Host not {doing}d",
                severity="warning",
                markup=False,
            )
            return None
        return path

    def action_rename_host(self) -> None:
        """Ask which host and its new name; write the name to the configuration file and
        use it at once (chats on that host keep running there)."""
        hosts = self.services.hosts

        def rename(host: Host) -> None:
            path = self._host_in_file(host, "rename")
            if path is None:
                return
            old = host.name
            others = [name for name in hosts.names() if name != old]
            self.push_screen(
                NameDialog(
                    f"Rename {old}",
                    old,
                    check=lambda name: host_problem(name.strip(), "127.0.0.1", others),
                    hint=f"written to {path} · escape cancels",
                    confirm_label="Rename",
                ),
                lambda name: renamed(host, path, old, name),
            )

        def renamed(host: Host, path: Path, old: str, name: str | None) -> None:
            if not name or name.strip() == old:
                return
            name = name.strip()
            try:
                rename_host(path, old, name)
                hosts.rename(host, name)
            except ValueError as exc:
                self.notify(str(exc), title="Host not renamed", severity="error", markup=False)
                return
            try:
                self.services.store.rename_chat_host(old, name)
                if self.services.store.get_setting(MODELS_HOST_SETTING) == old:
                    # The model browser's choice of host follows it to the next run.
                    self.services.store.set_setting(MODELS_HOST_SETTING, name)
            except StoreError as exc:
                self.notify(
                    f"Chats on {old} could not be moved to the new name: {exc}",
                    title="Host renamed",
                    severity="error",
                    markup=False,
                )
            self.notify(f"{old} is called {name} now, in {path}.", markup=False)

        self._choose_host("Rename which host?", "Next", rename)

    def action_remove_host(self) -> None:
        """Ask which host; after a yes, take it out of the configuration file and stop
        following it. The default host of this run cannot be removed."""
        hosts = self.services.hosts

        def remove(host: Host) -> None:
            if host is hosts.default:
                self.notify(
                    f"{host.name} is the default host of this run (from --host, OLLAMA_HOST "
                    "or default_host): new chats and the loaded panel use it. Start with "
                    "another default host to remove it.",
                    title="Host not removed",
                    severity="warning",
                    markup=False,
                )
                return
            path = self._host_in_file(host, "remove")
            if path is None:
                return
            self.push_screen(
                ConfirmDialog(
                    f"Remove {host.name} ({host.url}) from {path}?",
                    "Chats that ran on it ask which host to use at their next prompt; "
                    "its models stay on the machine.",
                    confirm_label="Remove",
                ),
                lambda yes: removed(host, path) if yes else None,
            )

        def removed(host: Host, path: Path) -> None:
            try:
                remove_host(path, host.name)
            except ValueError as exc:
                self.notify(str(exc), title="Host not removed", severity="error", markup=False)
                return
            timer = self._host_timers.pop(host, None)
            if timer is not None:
                timer.stop()
            hosts.remove(host)
            self.notify(f"Removed {host.name} from {path}.", markup=False)

        if len(hosts) < 2:
            self.notify("Only the default host is configured: there is no host to remove.")
            return
        self._choose_host("Remove which host?", "Next", remove)

    def action_test_host(self) -> None:
        """Ask which host, check it at once and say what came back."""
        self._choose_host("Test which host?", "Test", self._test_host)

    @work(group="hosts", exit_on_error=False)
    async def _test_host(self, host: Host) -> None:
        if host is self.services.hosts.default:
            await self.check_connection()
        else:
            timer = self._host_timers.pop(host, None)
            if timer is not None:
                timer.stop()
            await self._check_host(host)
        status = host.status
        if status.state is LinkState.ONLINE:
            version = f", Ollama {status.version}" if status.version else ""
            self.notify(f"{host.name} is online{version}.", title="Host test", markup=False)
        elif status.state is LinkState.AUTH_FAILED:
            self.notify(status.error, title="Host test", severity="error", markup=False)
        else:
            self.notify(
                f"{host.name} is offline: {status.error}",
                title="Host test",
                severity="warning",
                markup=False,
            )

    def action_reconnect(self) -> None:
        """Check the connection at once instead of waiting for the next retry."""
        self.check_connection_now()
        for host in list(self.services.hosts)[1:]:
            self.check_host_now(host)

    @work(exclusive=True, group="models-list", exit_on_error=False)
    async def refresh_models(self) -> None:
        """Fetch the installed models; everything showing them follows the catalogue."""
        for host in list(self.services.hosts)[1:]:
            self.check_host_now(host)
        catalog = self.services.catalog
        try:
            await catalog.refresh()
        except OllamaUnavailableError:
            return  # the catalogue has turned the status bar offline
        except OllamaError as exc:
            self.notify(str(exc), title="Could not list models", severity="error", markup=False)
            return
        notes = catalog.unsaid(catalog.skipped)
        if notes:
            self.notify("\n".join(notes), title="Some models are not shown", severity="warning")

    # -- hand-overs between areas ---------------------------------------------------

    @on(StartPull)
    async def _start_pull(self, request: StartPull) -> None:
        """Show the pulls screen and start pulling there."""
        await self.switch_mode("pulls")
        host = self.services.hosts.get(request.host) if request.host else None
        self._start_transfer(lambda: self.services.transfers.start_pull(request.model, host=host))

    @on(StartCreate)
    async def _start_create(self, request: StartCreate) -> None:
        """Show the pulls screen and create a derived model there, with progress."""
        await self.switch_mode("pulls")
        host = self.services.hosts.get(request.host) if request.host else None
        self._start_transfer(
            lambda: self.services.transfers.start_create(
                request.model,
                from_=request.from_,
                system=request.system,
                parameters=request.parameters or None,
                host=host,
            )
        )

    @on(StartPush)
    async def _start_push(self, request: StartPush) -> None:
        """Show the pulls screen and push there, with progress per layer."""
        await self.switch_mode("pulls")
        host = self.services.hosts.get(request.host) if request.host else None
        self._start_transfer(lambda: self.services.transfers.start_push(request.model, host=host))

    @on(StartCreateFromFile)
    async def _start_create_from_file(self, request: StartCreateFromFile) -> None:
        """Show the pulls screen and create a model from a local GGUF file there."""
        await self.switch_mode("pulls")
        host = self.services.hosts.get(request.host) if request.host else None
        self._start_transfer(
            lambda: self.services.transfers.start_create_from_file(request.request, host=host)
        )

    def _start_transfer(self, start: Callable[[], object]) -> None:
        try:
            start()
        except TransferRefused as refused:
            self.notify(str(refused), title="Not started", severity="warning", markup=False)

    @on(OpenChat)
    async def _open_chat(self, request: OpenChat) -> None:
        """Show the chat screen and hand it the request for a new chat."""
        await self.switch_mode("chat")
        # The chat screen itself, even under one of its dialogs: anything else would send
        # the request back up here.
        for screen in self.get_screen_stack("chat"):
            if isinstance(screen, ChatScreen):
                screen.post_message(OpenChat(request.model, request.chat_id, host=request.host))
                return

    # -- navigation ---------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        # Text typed on the chat screen outside the prompt goes to the prompt. It is routed
        # here, before the focused widget gets it, so keys typed in one burst stay in order.
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            screen = self.screen
            if isinstance(screen, ChatScreen) and screen.take_typing(event):
                return
        await super().on_event(event)

    async def action_switch_area(self, area: str) -> None:
        """Show one of the top-level areas; the chat's and compare's keys also put focus in
        their prompt."""
        if area in AREAS and self.current_mode != area:
            await self.switch_mode(area)
        screen = self.screen
        if area in {"chat", "compare"} and isinstance(screen, ChatScreen | CompareScreen):
            screen.focus_prompt()

    def action_help(self) -> None:
        """Show every binding of every screen, widget and dialog, with the user's keys."""
        known = known_binding_ids()
        keymap = {key: value for key, value in self.services.keymap.items() if key in known}
        groups: list[tuple[str, Iterable[BindingType]]] = list(binding_groups())
        self.push_screen(HelpDialog(groups, keymap))

    async def action_quit(self) -> None:
        """Quit, asking first while pulls are running; ``ctrl+q`` in the question quits."""
        running = self.services.transfers.running_count()
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
        yield SystemCommand(
            "Compare: models and options side by side",
            "One prompt in 2 to 4 columns, with figures",
            partial(self.action_switch_area, "compare"),
        )
        yield SystemCommand("Help", "Show every key binding", self.action_help)
        yield SystemCommand(
            "Reconnect", "Check the connection to Ollama now", self.action_reconnect
        )
        yield SystemCommand("Refresh models", "List installed models again", self.refresh_models)
        yield SystemCommand(
            "Add a host…",
            "Another Ollama server: a name and an address, written to the configuration file",
            self.action_add_host,
        )
        yield SystemCommand(
            "Rename a host…",
            "A new name for a host of the configuration file",
            self.action_rename_host,
        )
        yield SystemCommand(
            "Remove a host…",
            "Take a host out of the configuration file",
            self.action_remove_host,
        )
        yield SystemCommand(
            "Test a host…",
            "Check one host now: online with its version, offline or refusing the key",
            self.action_test_host,
        )
        yield SystemCommand(
            "Pull a model",
            "Type the name of a model to download",
            partial(self.action_switch_area, "pulls"),
        )
        if isinstance(screen, AreaScreen):
            yield from screen.palette_commands()
        yield from super().get_system_commands(screen)
