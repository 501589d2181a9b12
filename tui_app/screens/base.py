"""The common frame of the four top-level screens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import ClassVar, Literal, Protocol, TypeVar

from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from tui_app.api import OllamaError
from tui_app.core.clipboard import CopyMethod, copy_text, system_copy
from tui_app.core.errors import describe_error
from tui_app.core.hosts import Host
from tui_app.core.observable import Subscription
from tui_app.services import Services
from tui_app.widgets.key_footer import KeyFooter
from tui_app.widgets.status_bar import StatusBar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Followable(Protocol[T_co]):
    """Something that tells listeners of changes (an Observable or a Signal)."""

    def subscribe(self, listener: Callable[[T_co], object]) -> Subscription:
        """Call ``listener`` with every change."""


class AreaScreen(Screen[None]):
    """A top-level screen (chat, models, pulls, options) with the status bar and footer.

    Subclasses implement :meth:`compose_body` and may offer extra command-palette
    entries through :meth:`palette_commands`. Everything shared comes from
    :attr:`services`; :meth:`follow` subscribes to it for as long as the screen is mounted.
    """

    AREA_TITLE: ClassVar[str] = ""
    """Shown as the screen's title and used to group its keys in help."""

    COMPACT_FOOTER: ClassVar[bool] = False
    """Keys in the footer one space apart instead of two (for screens with many keys)."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.title = self.AREA_TITLE
        self.under_dialog = False
        """Last suspended by a dialog (or help, or the palette) pushed on top, rather than by
        a switch to another area: on resume there is nothing new to read."""
        self._subscriptions: list[Subscription] = []

    @classmethod
    def own_bindings(cls) -> list[BindingType]:
        """Bindings this screen family defines (not Textual's generic screen keys)."""
        bindings: list[BindingType] = []
        for klass in reversed(cls.__mro__):
            if isinstance(klass, type) and issubclass(klass, AreaScreen):
                bindings.extend(klass.__dict__.get("BINDINGS", []))
        return bindings

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield from self.compose_body()
        yield KeyFooter(compact=self.COMPACT_FOOTER)

    @on(events.Mount)
    def _follow_the_status(self) -> None:
        services = self.services
        self.follow(services.connection.status, self._refresh_status_bar)
        self.follow(services.current.model, self._refresh_status_bar)
        self.follow(services.transfers.changed, self._refresh_status_bar)
        self.follow(services.current.host, self._refresh_status_bar)
        self.follow(services.hosts, self._refresh_status_bar)
        self._refresh_status_bar()

    @on(events.Unmount)
    def _stop_following(self) -> None:
        for subscription in self._subscriptions:
            subscription.close()
        self._subscriptions.clear()

    def follow(self, source: Followable[T], listener: Callable[[T], object]) -> None:
        """Call ``listener`` with every change of ``source`` until the screen is unmounted."""
        self._subscriptions.append(source.subscribe(listener))

    def _refresh_status_bar(self, _: object = None) -> None:
        services = self.services
        chat_host = services.hosts.get_or_default(services.current.host.value)
        hosts = [(host.name, host.status) for host in services.hosts]
        for bar in self.query(StatusBar):
            bar.show(
                chat_host.status,
                host=chat_host.name,
                model=services.current.model.value,
                demo=services.demo,
                transfers=services.transfers.running_count(),
                hosts=hosts,
            )

    def on_screen_suspend(self) -> None:
        # A screen pushed on top keeps this one on the stack; switching areas does not.
        self.under_dialog = self in self.app.screen_stack

    def host_in_view(self) -> Host:
        """The host this screen's requests go to (the default one unless it says otherwise)."""
        return self.services.hosts.default

    def compose_body(self) -> ComposeResult:
        """The screen's own widgets."""
        yield from ()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Commands this screen adds to the command palette."""
        return ()

    # -- shared jobs -------------------------------------------------------------------

    async def copy_with_notice(self, text: str, what: str) -> None:
        """Copy ``text`` to the clipboard (the system's, else the terminal's) and say how it
        went; ``what`` names it in the notice ("the reply")."""
        problem = await asyncio.to_thread(system_copy, text)
        result = copy_text(text, self._terminal_copy, system_error=problem)
        severities: dict[CopyMethod, SeverityLevel] = {
            CopyMethod.SYSTEM: "information",
            CopyMethod.TERMINAL: "warning",
            CopyMethod.NONE: "error",
        }
        severity = severities[result.method]
        self.notify(result.notice(what), title="Copy", severity=severity, markup=False)

    def _terminal_copy(self, text: str) -> None:
        if not self.app.is_running:
            raise RuntimeError("the app is not attached to a terminal")
        self.app.copy_to_clipboard(text)

    def report(
        self,
        error: BaseException | None,
        title: str | None = None,
        *,
        message: str | None = None,
        severity: Literal["warning", "error"] = "error",
        quiet_offline: bool = False,
        host: Host | None = None,
    ) -> None:
        """Tell the user about ``error``; an unreachable server also turns its host offline.

        ``message`` replaces the error's own text where the caller knows better. With
        ``quiet_offline`` an unreachable server is only shown as offline (for background
        reads, whose failure the status bar already tells). ``host`` is the host that
        failed, when it is not the one in view.
        """
        shown = describe_error(error if error is not None else Exception(message or ""), title)
        if shown.goes_offline and isinstance(error, OllamaError):
            (host or self.host_in_view()).connection.failed(error)
            if quiet_offline:
                return
        text = message if message is not None else shown.message
        self.notify(text, title=shown.title, severity=severity, markup=False)

    @work(exclusive=True, group="models-list", exit_on_error=False)
    async def refresh_models(self) -> None:
        """List the installed models again; every screen showing them follows the catalogue."""
        try:
            await self.host_in_view().catalog.refresh()
        except OllamaError as exc:
            self.report(exc, "Could not list models", quiet_offline=True)
