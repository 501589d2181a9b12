"""The Pulls screen: download models with per-layer progress, several at once.

The pulls and creates themselves belong to the
:class:`~tui_app.core.transfers.TransferManager`, so they keep going whatever screen is
on show; this screen draws a panel per transfer and follows the manager's changes. Runs
only update plain :class:`~tui_app.core.transfers.Transfer` objects; a timer redraws the
panels about ten times a second, so a server sending a thousand progress lines a second
costs a thousand small updates, not a thousand redraws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Label, Static

from tui_app.api.names import model_name_problem
from tui_app.core.transfers import (
    Transfer,
    TransferEvent,
    TransferEventKind,
    TransferJob,
    TransferKind,
    TransferRefused,
    TransferState,
)
from tui_app.screens.base import AreaScreen
from tui_app.screens.dialogs import HostChoiceDialog
from tui_app.services import Services
from tui_app.widgets.pull_progress import PullPanel

EMPTY_HINT = (
    "Nothing pulled yet. Type a model name above (for example llama3.2, qwen3:8b or "
    "hf.co/namespace/model) and press enter. Several pulls can run at once; a cancelled "
    "pull resumes where it stopped when you pull it again."
)


class PullsScreen(AreaScreen):
    """Pulls: model downloads and creates, each with live progress."""

    AREA_TITLE = "Pulls"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+x",
            "cancel_selected",
            "Cancel pull",
            id="pulls.cancel",
            tooltip="Stop the highlighted pull (or the newest one)",
            # Also from the name field, where ctrl+x would otherwise cut text.
            priority=True,
        ),
        Binding(
            "ctrl+d",
            "clear_finished",
            "Clear finished",
            id="pulls.clear",
            tooltip="Remove finished, failed and cancelled pulls from the list",
            # Also from the name field, where ctrl+d would otherwise delete a character
            # (the delete key still does).
            priority=True,
        ),
        Binding(
            "down",
            "focus_newest",
            "Newest pull",
            show=False,
            id="pulls.newest",
            tooltip="Go from the name field to the pulls",
        ),
    ]

    REDRAW_SECONDS: ClassVar[float] = 0.1
    """How often running pulls are redrawn, however fast progress arrives."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.clock = services.clock.monotonic
        """Where transfer times come from."""
        self.manager = services.transfers
        """Where the transfers live."""
        self._panels: dict[Transfer, PullPanel] = {}
        self._redraw_timer: Timer | None = None
        self._last_host: str | None = None
        """The host the last typed pull went to: offered first for the next one."""

    @classmethod
    def own_bindings(cls) -> list[BindingType]:
        """The screen's keys plus those of a highlighted pull, for the help screen."""
        return [*super().own_bindings(), *PullPanel.BINDINGS]

    # -- layout ------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="pull-form"):
            yield Label("Model to pull", id="pull-label")
            yield Input(placeholder="e.g. llama3.2 or qwen3:8b, then enter", id="pull-model")
        yield Static("", id="pull-problem")
        with VerticalScroll(id="pull-list", can_focus=False):
            yield Static(EMPTY_HINT, id="pull-empty", markup=False)

    def on_mount(self) -> None:
        self._redraw_timer = self.set_interval(
            self.REDRAW_SECONDS, self._redraw_running, pause=True, name="pulls-redraw"
        )
        self.query_one("#pull-problem").display = False
        self._input.focus()
        # Transfers started before this screen was first shown (from another area).
        for job in reversed(self.manager.jobs):
            self._started(job)
        self.follow(self.manager.changed, self._transfer_changed)

    def on_screen_resume(self) -> None:
        if not self.under_dialog:
            self._input.focus()
        # Panels are not redrawn while another screen is showing; catch up at once.
        self._redraw(force=True)

    @property
    def _input(self) -> Input:
        return self.query_one("#pull-model", Input)

    @property
    def _list(self) -> VerticalScroll:
        return self.query_one("#pull-list", VerticalScroll)

    # -- public hooks ------------------------------------------------------------------

    def running_count(self) -> int:
        """How many pulls and creates are still running."""
        return self.manager.running_count()

    @property
    def transfers(self) -> list[Transfer]:
        """Every transfer on the list, newest first."""
        return self.manager.transfers

    def start_pull(self, model: str, *, host: str | None = None) -> None:
        """Start pulling ``model`` onto the host called ``host`` (None: the default host),
        or resume it if it was pulled there before in this session."""
        hosts = self.services.hosts
        chosen = hosts.get(host)
        target = None if chosen is None or chosen is hosts.default else chosen
        self._start(lambda: self.manager.start_pull(model, host=target))

    def start_create(
        self,
        model: str,
        *,
        from_: str,
        system: str | None = None,
        parameters: dict[str, object] | None = None,
    ) -> None:
        """Create ``model`` from ``from_`` (with an optional system prompt and parameters)."""
        self._start(
            lambda: self.manager.start_create(
                model, from_=from_, system=system, parameters=parameters
            )
        )

    def cancel(self, transfer: Transfer) -> None:
        """Stop ``transfer``: its HTTP request is closed now; the server keeps the bytes."""
        self.manager.cancel(transfer)

    # -- following the manager -----------------------------------------------------------

    def _start(self, start: Callable[[], TransferJob]) -> None:
        try:
            start()
        except TransferRefused as refused:
            if refused.running is None:
                self._show_problem(str(refused))
                return
            self._show_problem(None)
            self.notify(str(refused), title="Already running", severity="warning", markup=False)
            panel = self._panels.get(refused.running.transfer)
            if panel is not None:
                panel.scroll_visible()
            return
        self._show_problem(None)

    def _transfer_changed(self, event: TransferEvent) -> None:
        job = event.job
        if event.kind is TransferEventKind.STARTED:
            self._started(job)
        elif event.kind is TransferEventKind.ENDED:
            self._ended(job)
        else:
            self._removed(job)

    def _started(self, job: TransferJob) -> None:
        """Put the job's panel at the top of the list, and keep redrawing while it runs."""
        panel = self._panels.get(job.transfer)
        if panel is None:
            panel = PullPanel(job.transfer, subject=job.subject)
            self._panels[job.transfer] = panel
            self.query_one("#pull-empty").display = False
            self._list.mount(panel, before=0)
        else:
            self._list.move_child(panel, before=0)
        if job.transfer.running:
            panel.redraw(self.clock())
            if self._redraw_timer is not None:
                self._redraw_timer.resume()

    def _ended(self, job: TransferJob) -> None:
        """Draw a transfer's final state at once, say how it ended, and rest the timer."""
        transfer = job.transfer
        panel = self._panels.get(transfer)
        if panel is not None and panel.is_attached:
            panel.redraw(self.clock())
        if self.manager.running_count() == 0 and self._redraw_timer is not None:
            self._redraw_timer.pause()
        if transfer.state is TransferState.SUCCEEDED:
            done = {
                TransferKind.PULL: "Pulled",
                TransferKind.CREATE: "Created",
                TransferKind.PUSH: "Pushed",
            }[transfer.kind]
            self.notify(f"{done} {transfer.model}", title="Model ready", markup=False)
        elif transfer.state is TransferState.FAILED:
            self.notify(
                transfer.error,
                title=f"{job.subject.capitalize()} failed",
                severity="error",
                markup=False,
            )

    def _removed(self, job: TransferJob) -> None:
        panel = self._panels.pop(job.transfer, None)
        if panel is not None:
            if panel is self.focused:
                self._input.focus()
            panel.remove()
        self.query_one("#pull-empty").display = not self._panels

    # -- drawing -----------------------------------------------------------------------

    def _redraw_running(self) -> None:
        self._redraw(force=False)

    def _redraw(self, *, force: bool) -> None:
        if not self.is_current:
            return
        now = self.clock()
        for transfer, panel in self._panels.items():
            # Running panels are redrawn every tick anyway: rates and times move on.
            if force or transfer.running or panel.drawn_version != transfer.version:
                panel.redraw(now)

    def _show_problem(self, problem: str | None) -> None:
        label = self.query_one("#pull-problem", Static)
        label.display = problem is not None
        label.update(Content(problem or ""))

    # -- events and keys -------------------------------------------------------------------

    @on(Input.Submitted, "#pull-model")
    def _pull_typed_name(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self._show_problem("Type the name of a model to pull, for example llama3.2.")
            return
        hosts = self.services.hosts
        if len(hosts) < 2 or model_name_problem(name) is not None:
            # A bad name is said at once, before asking where it should go.
            self.start_pull(name)
            if model_name_problem(name) is None:
                self._input.value = ""
            return

        def pull_on(host: str | None) -> None:
            if host is None:
                return  # cancelled: the typed name stays in the field
            self._last_host = host
            self.start_pull(name, host=host)
            if self._input.value.strip() == name:
                self._input.value = ""

        chosen = hosts.get_or_default(self._last_host).name
        self.app.push_screen(
            HostChoiceDialog(
                f"Pull {name} onto which host?",
                [(host.name, host.status) for host in hosts],
                chosen=chosen,
                confirm_label="Pull",
            ),
            pull_on,
        )

    @on(Input.Changed, "#pull-model")
    def _forget_problem(self) -> None:
        self._show_problem(None)

    @on(PullPanel.CancelRequested)
    def _cancel_requested(self, event: PullPanel.CancelRequested) -> None:
        event.stop()
        self.cancel(event.panel.transfer)

    @on(PullPanel.AgainRequested)
    def _again_requested(self, event: PullPanel.AgainRequested) -> None:
        event.stop()
        job = self.manager.job_of(event.panel.transfer)
        if job is not None and not job.transfer.running:
            self._start(lambda: self.manager.again(job))
            event.panel.focus()

    @on(PullPanel.MoveRequested)
    def _move_requested(self, event: PullPanel.MoveRequested) -> None:
        event.stop()
        panels = self._ordered_panels()
        index = panels.index(event.panel) + event.direction
        if index < 0:
            self._input.focus()
        elif index < len(panels):
            panels[index].focus()

    def action_focus_newest(self) -> None:
        """From the name field, down goes to the newest pull."""
        panels = self._ordered_panels()
        if panels:
            panels[0].focus()

    def _ordered_panels(self) -> list[PullPanel]:
        """The panels as listed, newest first."""
        return [self._panels[t] for t in self.manager.transfers if t in self._panels]

    def _selected(self) -> Transfer | None:
        """The focused pull, else the newest running one."""
        focused = self.focused
        if isinstance(focused, PullPanel):
            return focused.transfer
        return next((t for t in self.manager.transfers if t.running), None)

    def action_cancel_selected(self) -> None:
        """Stop the highlighted pull, or the newest running one."""
        transfer = self._selected()
        if transfer is None or not transfer.running:
            self.notify("No pull is running.", severity="warning")
            return
        self.cancel(transfer)

    def action_clear_finished(self) -> None:
        """Take finished, failed and cancelled pulls off the list."""
        self.manager.clear_finished()

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Pull-screen commands for the command palette."""
        yield SystemCommand(
            "Cancel pull",
            "Stop the highlighted or newest running pull",
            self.action_cancel_selected,
        )
        yield SystemCommand(
            "Clear finished pulls",
            "Remove finished, failed and cancelled pulls from the list",
            self.action_clear_finished,
        )
