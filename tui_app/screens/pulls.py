"""The Pulls screen: download models with per-layer progress, several at once.

Each pull (or create) runs in its own worker owned by this screen. Mode screens
persist once created, so pulls keep going while the user is on another screen.
Workers only update plain :class:`~tui_app.core.transfers.Transfer` objects; a timer
redraws the panels about ten times a second, so a server sending a thousand
progress lines a second costs a thousand small updates, not a thousand redraws.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, cast

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Label, Static
from textual.worker import Worker

from tui_app.api import (
    OllamaError,
    OllamaHTTPError,
    OllamaStreamError,
    OllamaUnavailableError,
    ProgressUpdate,
)
from tui_app.api.names import model_name_problem, push_name_problem, same_model
from tui_app.core.file_create import FileCreate, create_from_file
from tui_app.core.transfers import Transfer, TransferKind
from tui_app.screens.base import AreaScreen
from tui_app.services import Services
from tui_app.widgets.pull_progress import PullPanel

EMPTY_HINT = (
    "Nothing pulled yet. Type a model name above (for example llama3.2, qwen3:8b or "
    "hf.co/namespace/model) and press enter. Several pulls can run at once; a cancelled "
    "pull resumes where it stopped when you pull it again."
)


@dataclass(eq=False)
class _Job:
    """A transfer, how to (re)open its stream, and the worker following it now."""

    transfer: Transfer
    panel: PullPanel
    open_stream: Callable[[], AsyncIterator[ProgressUpdate]]
    worker: Worker[None] | None = None


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
            "ctrl+l",
            "clear_finished",
            "Clear finished",
            id="pulls.clear",
            tooltip="Remove finished, failed and cancelled pulls from the list",
        ),
        Binding(
            "down",
            "focus_newest",
            "Newest pull",
            show=False,
            tooltip="Go from the name field to the pulls",
        ),
    ]

    REDRAW_SECONDS: ClassVar[float] = 0.1
    """How often running pulls are redrawn, however fast progress arrives."""

    clock: Callable[[], float] = staticmethod(time.monotonic)
    """Where transfer times come from; tests may replace it."""

    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self._jobs: list[_Job] = []
        self._redraw_timer: Timer | None = None

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
        return sum(1 for job in self._jobs if job.transfer.running)

    @property
    def transfers(self) -> list[Transfer]:
        """Every transfer on the list, newest first."""
        return [job.transfer for job in self._jobs]

    def start_pull(self, model: str) -> None:
        """Start pulling ``model``, or resume it if it was pulled before in this session."""
        name = model.strip()
        problem = model_name_problem(name)
        if problem is not None:
            self._show_problem(f"Cannot pull {name!r}: {problem}.")
            return
        self._show_problem(None)
        client = self.services.client
        self._start(name, TransferKind.PULL, lambda: client.pull(name))

    def start_push(self, model: str) -> None:
        """Push ``model`` to its registry, with progress per layer."""
        name = model.strip()
        problem = push_name_problem(name)
        if problem is not None:
            self._show_problem(f"Cannot push {name!r}: {problem}.")
            return
        self._show_problem(None)
        client = self.services.client
        self._start(name, TransferKind.PUSH, lambda: client.push(name))

    def start_create_from_file(self, request: FileCreate) -> None:
        """Create a model from a local GGUF file: hash, upload what is missing, create."""
        name = request.model.strip()
        problem = model_name_problem(name)
        if problem is not None:
            self._show_problem(f"Cannot create {name!r}: {problem}.")
            return
        self._show_problem(None)
        client = self.services.client

        def open_stream() -> AsyncIterator[ProgressUpdate]:
            return create_from_file(client, request)

        subject = f"create {name} from {request.path.name}"
        self._start(name, TransferKind.CREATE, open_stream, subject=subject)

    def start_create(
        self,
        model: str,
        *,
        from_: str,
        system: str | None = None,
        parameters: dict[str, object] | None = None,
    ) -> None:
        """Create ``model`` from ``from_`` (with an optional system prompt and parameters)."""
        name = model.strip()
        problem = model_name_problem(name) or model_name_problem(from_)
        if problem is not None:
            self._show_problem(f"Cannot create {name!r} from {from_!r}: {problem}.")
            return
        self._show_problem(None)
        client = self.services.client

        def open_stream() -> AsyncIterator[ProgressUpdate]:
            return client.create(name, from_=from_, system=system, parameters=parameters)

        self._start(name, TransferKind.CREATE, open_stream, subject=f"create {name} from {from_}")

    # -- starting, following and stopping ------------------------------------------------

    def _find_job(
        self, name: str, kind: TransferKind | None = None, *, running: bool = False
    ) -> _Job | None:
        """The job for model ``name`` (of ``kind``, if given; only a running one if asked)."""
        for job in self._jobs:
            transfer = job.transfer
            if running and not transfer.running:
                continue
            if same_model(transfer.model, name) and kind in (None, transfer.kind):
                return job
        return None

    def _start(
        self,
        name: str,
        kind: TransferKind,
        open_stream: Callable[[], AsyncIterator[ProgressUpdate]],
        *,
        subject: str | None = None,
    ) -> None:
        running = self._find_job(name, running=True)
        if running is not None:
            # A second request would only share the first one's download.
            self.notify(
                f"{running.panel.subject} is already running.",
                title="Already running",
                severity="warning",
                markup=False,
            )
            running.panel.scroll_visible()
            return
        job = self._find_job(name, kind)
        if job is None:
            transfer = Transfer(name, kind, now=self.clock())
            job = _Job(transfer, PullPanel(transfer, subject=subject), open_stream)
            self._jobs.insert(0, job)
            self.query_one("#pull-empty").display = False
            self._list.mount(job.panel, before=0)
        else:
            job.open_stream = open_stream
            job.transfer.restart(self.clock())
            self._jobs.remove(job)
            self._jobs.insert(0, job)
            self._list.move_child(job.panel, before=0)
        self._launch(job)

    def _launch(self, job: _Job) -> None:
        transfer = job.transfer
        job.worker = self.run_worker(
            self._follow(job, transfer.runs),
            name=f"{transfer.kind}:{transfer.model}",
            group="pulls",
            exit_on_error=False,
        )
        job.panel.redraw(self.clock())
        if self._redraw_timer is not None:
            self._redraw_timer.resume()

    async def _follow(self, job: _Job, run: int) -> None:
        """Feed the stream's progress lines into the transfer until it ends."""
        transfer = job.transfer
        clock = self.clock
        # The client's streams are async generators; closing one closes the HTTP request.
        updates = cast(AsyncGenerator[ProgressUpdate, None], job.open_stream())
        try:
            async with contextlib.aclosing(updates):
                async for update in updates:
                    transfer.apply(update, clock())
        except asyncio.CancelledError:
            if transfer.runs == run:
                transfer.cancel(clock())
                self._ended(job)
            raise
        except OllamaUnavailableError as exc:
            self.tui.mark_offline(exc)
            self._failed(job, run, str(exc))
        except (OllamaStreamError, OllamaHTTPError) as exc:
            self._failed(job, run, exc.server_message)
        except OllamaError as exc:
            # A dropped connection or a garbled reply: the message says which.
            self._failed(job, run, str(exc))
        except Exception as exc:
            # Whatever went wrong, the panel must not stay "running" for ever.
            self._failed(job, run, f"{type(exc).__name__}: {exc}")
        else:
            if transfer.runs != run:
                return
            transfer.succeed(clock())
            self._ended(job)
            self.tui.refresh_models()
            done = {
                TransferKind.PULL: "Pulled",
                TransferKind.CREATE: "Created",
                TransferKind.PUSH: "Pushed",
            }[transfer.kind]
            self.notify(f"{done} {transfer.model}", title="Model ready", markup=False)

    def _failed(self, job: _Job, run: int, message: str) -> None:
        transfer = job.transfer
        if transfer.runs != run:
            return
        transfer.fail(message, self.clock())
        self._ended(job)
        self.notify(
            message,
            title=f"{job.panel.subject.capitalize()} failed",
            severity="error",
            markup=False,
        )

    def _ended(self, job: _Job) -> None:
        """Draw a transfer's final state at once, and rest the timer if nothing runs."""
        if not job.panel.is_attached:
            return
        job.panel.redraw(self.clock())
        if self.running_count() == 0 and self._redraw_timer is not None:
            self._redraw_timer.pause()

    def cancel(self, transfer: Transfer) -> None:
        """Stop ``transfer``: its HTTP request is closed now; the server keeps the bytes."""
        job = next((job for job in self._jobs if job.transfer is transfer), None)
        if job is None or not transfer.running:
            return
        # Mark it at once so the panel does not wait for the worker to unwind.
        transfer.cancel(self.clock())
        if job.worker is not None:
            job.worker.cancel()
        self._ended(job)

    # -- drawing -----------------------------------------------------------------------

    def _redraw_running(self) -> None:
        self._redraw(force=False)

    def _redraw(self, *, force: bool) -> None:
        if not self.is_current:
            return
        now = self.clock()
        for job in self._jobs:
            # Running panels are redrawn every tick anyway: rates and times move on.
            if force or job.transfer.running or job.panel.drawn_version != job.transfer.version:
                job.panel.redraw(now)

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
        self.start_pull(name)
        if model_name_problem(name) is None:
            self._input.value = ""

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
        job = next((job for job in self._jobs if job.panel is event.panel), None)
        if job is not None and not job.transfer.running:
            self._start(job.transfer.model, job.transfer.kind, job.open_stream)
            job.panel.focus()

    @on(PullPanel.MoveRequested)
    def _move_requested(self, event: PullPanel.MoveRequested) -> None:
        event.stop()
        panels = [job.panel for job in self._jobs]
        index = panels.index(event.panel) + event.direction
        if index < 0:
            self._input.focus()
        elif index < len(panels):
            panels[index].focus()

    def action_focus_newest(self) -> None:
        """From the name field, down goes to the newest pull."""
        if self._jobs:
            self._jobs[0].panel.focus()

    def _selected(self) -> Transfer | None:
        """The focused pull, else the newest running one."""
        focused = self.focused
        if isinstance(focused, PullPanel):
            return focused.transfer
        return next((job.transfer for job in self._jobs if job.transfer.running), None)

    def action_cancel_selected(self) -> None:
        """Stop the highlighted pull, or the newest running one."""
        transfer = self._selected()
        if transfer is None or not transfer.running:
            self.notify("No pull is running.", severity="warning")
            return
        self.cancel(transfer)

    def action_clear_finished(self) -> None:
        """Take finished, failed and cancelled pulls off the list."""
        finished = [job for job in self._jobs if not job.transfer.running]
        if any(job.panel is self.focused for job in finished):
            self._input.focus()
        for job in finished:
            self._jobs.remove(job)
            job.panel.remove()
        self.query_one("#pull-empty").display = not self._jobs

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
