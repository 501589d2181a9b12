"""The progress of one pull or create, built from the server's progress lines.

Pure Python with no UI imports: the pulls screen feeds each line to a :class:`Transfer`
as it arrives and draws from it at its own pace, so a flood of lines costs a few
arithmetic operations each, never a redraw.

What Ollama sends is described in ``ollama-api.md`` §4. The model copes with its quirks:

- ``completed`` is left out while it is zero;
- a layer's last line may show less than its total (there is no guaranteed 100 % line),
  so moving on to another layer, or to any plain status, means the layer is done;
- tiny layers may send no line at all (they simply never appear);
- a layer already on disk arrives complete in a single line (cached);
- a layer whose first line already shows bytes was resumed from a partial download;
- statuses never seen before are kept as text, not treated as errors.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, cast

from tui_app.api import (
    OllamaClient,
    OllamaError,
    OllamaHTTPError,
    OllamaStreamError,
    OllamaUnavailableError,
    ProgressUpdate,
)
from tui_app.api.names import model_name_problem, push_name_problem, same_model
from tui_app.core.catalog import ModelCatalog
from tui_app.core.clock import Clock
from tui_app.core.connection import ConnectionMonitor
from tui_app.core.file_create import FileCreate, create_from_file
from tui_app.core.formatting import short_digest
from tui_app.core.hosts import Host
from tui_app.core.observable import Signal

RATE_WINDOW_SECONDS = 3.0
"""How far back the transfer rate looks: long enough to be steady, short enough to follow."""
_MIN_RATE_SPAN_SECONDS = 0.25
"""A rate measured over less time than this is noise, so none is reported yet."""
_STATUS_HISTORY = 50
"""How many distinct status lines a transfer remembers."""


class TransferKind(StrEnum):
    """What the server is doing for the user."""

    PULL = "pull"
    CREATE = "create"
    PUSH = "push"


class TransferState(StrEnum):
    """Where a transfer stands."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """True once the transfer is no longer running, whatever the outcome."""
        return self is not TransferState.RUNNING


class RateMeter:
    """Bytes per second over a sliding window of ``(time, cumulative bytes)`` samples."""

    def __init__(self, window: float = RATE_WINDOW_SECONDS) -> None:
        self.window = window
        self._samples: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        """Forget every sample, as when a transfer starts again."""
        self._samples.clear()

    def add(self, when: float, total_bytes: int) -> None:
        """Record that ``total_bytes`` had arrived by ``when``."""
        samples = self._samples
        samples.append((when, total_bytes))
        # Keep one sample at or before the window's start as the baseline.
        cutoff = when - self.window
        while len(samples) > 2 and samples[1][0] <= cutoff:
            samples.popleft()

    def rate(self, now: float) -> float | None:
        """Bytes per second over the window ending ``now``; None until there is enough data.

        Measuring up to ``now`` rather than the last sample lets the rate fall
        towards zero when the server stalls.
        """
        if len(self._samples) < 2:
            return None
        first_time, first_bytes = self._samples[0]
        last_bytes = self._samples[-1][1]
        span = now - first_time
        if span < _MIN_RATE_SPAN_SECONDS:
            return None
        return max(0, last_bytes - first_bytes) / span


def eta_seconds(remaining: int, rate: float | None) -> float | None:
    """Seconds left at ``rate``; None when the rate is unknown or zero."""
    if rate is None or rate <= 0:
        return None
    return remaining / rate


@dataclass(eq=False)
class LayerProgress:
    """One blob of a pull, identified by its digest."""

    digest: str
    total: int = 0
    completed: int = 0
    resumed_from: int = 0
    """Bytes the server already had when this run first reported the layer."""
    finished: bool = False
    """The server has moved past this layer, whatever its last line said."""
    seen_this_run: bool = False
    meter: RateMeter = field(default_factory=RateMeter, repr=False)

    @property
    def short_digest(self) -> str:
        """The layer's name as Ollama's own progress shows it."""
        return short_digest(self.digest)

    @property
    def fraction(self) -> float:
        """Share of the layer that is on the server, 0 to 1."""
        if self.total <= 0:
            return 1.0 if self.finished else 0.0
        return min(1.0, self.completed / self.total)

    @property
    def cached(self) -> bool:
        """The layer was already complete on the server: nothing was downloaded."""
        return self.total > 0 and self.resumed_from >= self.total

    @property
    def resumed(self) -> bool:
        """This run carried on from a partial download of the layer."""
        return 0 < self.resumed_from < self.total

    @property
    def remaining(self) -> int:
        """Bytes still to come."""
        return max(0, self.total - self.completed)

    def rate(self, now: float) -> float | None:
        """Download rate of this layer in bytes per second, while it is downloading."""
        if self.finished or not self.seen_this_run:
            return None
        return self.meter.rate(now)

    def eta(self, now: float) -> float | None:
        """Seconds until the layer is complete at the current rate."""
        return eta_seconds(self.remaining, self.rate(now))

    def finish(self) -> None:
        """Mark the layer complete: Ollama does not always send a last 100 % line."""
        if self.total > 0:
            self.completed = self.total
        self.finished = True


class Transfer:
    """The progress of one pull or create, fed line by line.

    Every method that takes ``now`` wants a monotonic time in seconds; passing it in
    keeps this class free of clocks and easy to test. :attr:`version` changes
    whenever anything visible changes, so a view can skip redraws when it has not.
    """

    def __init__(
        self,
        model: str,
        kind: TransferKind = TransferKind.PULL,
        *,
        now: float,
    ) -> None:
        self.model = model
        self.kind = kind
        self.state = TransferState.RUNNING
        self.status = ""
        """The latest status line, exactly as the server sent it."""
        self.statuses: list[str] = []
        """Distinct status lines of this run that are not per-layer byte counts, in order."""
        self.error = ""
        """The reason the transfer failed, in the server's words where it gave any."""
        self.layers: dict[str, LayerProgress] = {}
        """Layers by digest, in the order the server first reported them."""
        self.started_at = now
        self.finished_at: float | None = None
        self.runs = 1
        """How many times this transfer has been started (pulling again resumes)."""
        self.version = 0
        self._meter = RateMeter()
        self._downloaded = 0
        self._active: LayerProgress | None = None

    def __repr__(self) -> str:
        return f"Transfer({self.model!r}, {self.kind}, {self.state}, status={self.status!r})"

    # -- state ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True until the transfer succeeds, fails or is cancelled."""
        return self.state is TransferState.RUNNING

    @property
    def resumed(self) -> bool:
        """True when this run carried on from bytes a previous one left on the server."""
        return any(layer.resumed for layer in self.layers.values())

    @property
    def active_layer(self) -> LayerProgress | None:
        """The layer being downloaded now, if any."""
        layer = self._active
        return layer if layer is not None and not layer.finished and self.running else None

    # -- feeding ----------------------------------------------------------------------

    def apply(self, update: ProgressUpdate, now: float) -> None:
        """Take in one progress line from the server."""
        if update.status:
            self.status = update.status
        if update.is_layer:
            self._apply_layer(update, now)
        else:
            # Ollama fetches layers one at a time, so any plain status after them
            # (verifying, writing manifest, success...) means the last one is done.
            self._finish_layers()
            if update.status and (not self.statuses or self.statuses[-1] != update.status):
                self.statuses.append(update.status)
                del self.statuses[:-_STATUS_HISTORY]
        self.version += 1

    def _apply_layer(self, update: ProgressUpdate, now: float) -> None:
        layer = self.layers.get(update.digest)
        if layer is None:
            layer = LayerProgress(update.digest)
            self.layers[update.digest] = layer
        active = self._active
        if active is not None and active is not layer:
            active.finish()
        self._active = layer
        layer.total = update.total
        if not layer.seen_this_run:
            # Bytes in a layer's first line were on the server before this run began:
            # all of them for a cached layer, some of them for a resumed download.
            layer.seen_this_run = True
            layer.finished = False
            layer.resumed_from = update.completed
            layer.completed = update.completed
            layer.meter.reset()
            layer.meter.add(now, update.completed)
            if layer.cached:
                layer.finish()
            return
        gained = update.completed - layer.completed
        layer.completed = update.completed
        layer.meter.add(now, update.completed)
        if gained > 0:
            self._downloaded += gained
            self._meter.add(now, self._downloaded)

    def _finish_layers(self) -> None:
        if self._active is not None:
            self._active.finish()
            self._active = None

    def succeed(self, now: float) -> None:
        """The server said ``success``: every layer is complete."""
        for layer in self.layers.values():
            if layer.seen_this_run:
                layer.finish()
        self._active = None
        self._end(TransferState.SUCCEEDED, now)

    def fail(self, message: str, now: float) -> None:
        """End the transfer with ``message`` (the server's words where it gave any)."""
        if self.running:
            self.error = message
        self._end(TransferState.FAILED, now)

    def cancel(self, now: float) -> None:
        """The user stopped the transfer; the server keeps what it downloaded."""
        self._end(TransferState.CANCELLED, now)

    def _end(self, state: TransferState, now: float) -> None:
        if not self.running:
            return
        self.state = state
        self.finished_at = now
        self.version += 1

    def restart(self, now: float) -> None:
        """Start another run of a finished transfer, keeping its layers on view.

        The layers stay as they were until the server reports them again; a layer
        whose first new line already has bytes shows as resumed.
        """
        self.state = TransferState.RUNNING
        self.status = ""
        self.statuses = []
        self.error = ""
        self.started_at = now
        self.finished_at = None
        self.runs += 1
        self._meter.reset()
        self._downloaded = 0
        self._active = None
        for layer in self.layers.values():
            layer.seen_this_run = False
            layer.meter.reset()
        self.version += 1

    # -- figures ----------------------------------------------------------------------

    @property
    def total_bytes(self) -> int:
        """Size of every layer reported so far (the server does not announce them ahead)."""
        return sum(layer.total for layer in self.layers.values())

    @property
    def completed_bytes(self) -> int:
        """Bytes of those layers that are on the server."""
        return sum(layer.completed for layer in self.layers.values())

    @property
    def fraction(self) -> float | None:
        """Share of the known bytes that are on the server; None before any layer."""
        total = self.total_bytes
        if total <= 0:
            return None
        return min(1.0, self.completed_bytes / total)

    @property
    def downloaded_bytes(self) -> int:
        """Bytes this run downloaded (not counting cached or resumed ones)."""
        return self._downloaded

    def rate(self, now: float) -> float | None:
        """Overall download rate in bytes per second while running."""
        if not self.running:
            return None
        return self._meter.rate(now)

    def eta(self, now: float) -> float | None:
        """Seconds until the known layers are complete at the current rate."""
        return eta_seconds(self.total_bytes - self.completed_bytes, self.rate(now))

    def elapsed(self, now: float) -> float:
        """Seconds this run has taken so far, or took in all once finished."""
        end = self.finished_at if self.finished_at is not None else now
        return max(0.0, end - self.started_at)

    def average_rate(self) -> float | None:
        """Bytes per second over the whole of a finished run that downloaded anything."""
        if self.finished_at is None or self._downloaded <= 0:
            return None
        elapsed = self.finished_at - self.started_at
        return self._downloaded / elapsed if elapsed > 0 else None


# -- running transfers ---------------------------------------------------------------------


class Cancellable(Protocol):
    """A running job that can be stopped (an asyncio task, or a Textual worker)."""

    def cancel(self) -> object:
        """Stop the job; it unwinds on its own."""


Runner = Callable[[Coroutine[Any, Any, None], str], Cancellable]
"""Runs a coroutine under a name and returns its handle. The app passes one that runs
Textual workers, so tests can wait for them; the default runs asyncio tasks."""


def run_as_task(coroutine: Coroutine[Any, Any, None], name: str) -> Cancellable:
    """The default runner: an asyncio task, kept until it ends."""
    task = asyncio.create_task(coroutine, name=name)
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
    return task


_TASKS: set[asyncio.Task[None]] = set()
"""Tasks of the default runner; asyncio keeps only weak references to running tasks."""


class TransferRefused(Exception):
    """A transfer was not started: a bad name, or the same model is already running."""

    def __init__(self, message: str, running: TransferJob | None = None) -> None:
        super().__init__(message)
        self.running = running
        """The job already running for that model, when that was the reason."""


@dataclass(eq=False)
class TransferJob:
    """One transfer, what it is called on screen, and how to (re)open its stream."""

    transfer: Transfer
    subject: str
    """What the transfer does, as shown: "pull llama3.2", "create mine from llama3.2"."""
    open_stream: Callable[[], AsyncIterator[ProgressUpdate]]
    handle: Cancellable | None = None
    """The run following the stream now, while there is one."""
    host: Host | None = None
    """The host it runs on, when it is not the default host."""


class TransferEventKind(StrEnum):
    """What happened to a job."""

    STARTED = "started"
    """Added to the list, or started again (it moves to the top)."""
    ENDED = "ended"
    """Succeeded, failed or was cancelled."""
    REMOVED = "removed"
    """Cleared off the list."""


@dataclass(frozen=True, slots=True)
class TransferEvent:
    """A change to the list of transfers, told to :attr:`TransferManager.changed`'s listeners."""

    kind: TransferEventKind
    job: TransferJob


class TransferManager:
    """Every pull and create of this app run: start, cancel, start again, count.

    Jobs keep running whatever screen is on show; the pulls screen draws :attr:`jobs` and
    follows :attr:`changed`, and the quit guard asks :meth:`running_count`. A finished
    transfer refreshes the model catalogue; an unreachable server turns the connection
    offline.
    """

    def __init__(
        self,
        client: OllamaClient,
        catalog: ModelCatalog,
        connection: ConnectionMonitor,
        clock: Clock,
    ) -> None:
        self._client = client
        self._catalog = catalog
        self._connection = connection
        self._clock = clock
        self.jobs: list[TransferJob] = []
        """Every transfer on the list, newest first."""
        self.changed: Signal[TransferEvent] = Signal()
        """Told when a job starts, ends or is cleared."""
        self.runner: Runner = run_as_task
        """How a job's stream is followed; the app sets one that runs workers."""

    # -- asking ------------------------------------------------------------------------------

    @property
    def transfers(self) -> list[Transfer]:
        """Every transfer on the list, newest first."""
        return [job.transfer for job in self.jobs]

    def running_count(self) -> int:
        """How many pulls and creates are still running."""
        return sum(1 for job in self.jobs if job.transfer.running)

    def find(
        self,
        name: str,
        kind: TransferKind | None = None,
        *,
        running: bool = False,
        host: Host | None = None,
    ) -> TransferJob | None:
        """The job for model ``name`` (of ``kind``, if given; only a running one if asked)
        on ``host`` (None: the default host)."""
        for job in self.jobs:
            transfer = job.transfer
            if running and not transfer.running:
                continue
            if job.host is not host:
                continue
            if same_model(transfer.model, name) and kind in (None, transfer.kind):
                return job
        return None

    def job_of(self, transfer: Transfer) -> TransferJob | None:
        """The job of ``transfer``, if it is on the list."""
        return next((job for job in self.jobs if job.transfer is transfer), None)

    # -- starting ----------------------------------------------------------------------------

    def start_pull(self, model: str, *, host: Host | None = None) -> TransferJob:
        """Pull ``model`` onto ``host`` (None: the default host), or pull it again
        (resuming) if it was pulled there before in this run.

        Raises :class:`TransferRefused` for a bad name or a pull of it already running.
        """
        name = model.strip()
        problem = model_name_problem(name)
        if problem is not None:
            raise TransferRefused(f"Cannot pull {name!r}: {problem}.")
        client = self._client if host is None else host.client
        return self._start(name, TransferKind.PULL, lambda: client.pull(name), host=host)

    def start_create(
        self,
        model: str,
        *,
        from_: str,
        system: str | None = None,
        parameters: Mapping[str, object] | None = None,
        host: Host | None = None,
    ) -> TransferJob:
        """Create ``model`` from ``from_`` (with an optional system prompt and parameters)
        on ``host`` (None: the default host).

        Raises :class:`TransferRefused` for a bad name or the same model already running.
        """
        name = model.strip()
        problem = model_name_problem(name) or model_name_problem(from_)
        if problem is not None:
            raise TransferRefused(f"Cannot create {name!r} from {from_!r}: {problem}.")
        client = self._client if host is None else host.client
        wanted = dict(parameters) if parameters else None

        def open_stream() -> AsyncIterator[ProgressUpdate]:
            return client.create(name, from_=from_, system=system, parameters=wanted)

        return self._start(
            name, TransferKind.CREATE, open_stream, subject=f"create {name} from {from_}", host=host
        )

    def start_push(self, model: str, *, host: Host | None = None) -> TransferJob:
        """Push ``model`` from ``host`` (None: the default host) to its registry, a bar per
        layer.

        Raises :class:`TransferRefused` for a name outside the user's own namespace, or the
        same model already running.
        """
        name = model.strip()
        problem = push_name_problem(name)
        if problem is not None:
            raise TransferRefused(f"Cannot push {name!r}: {problem}.")
        client = self._client if host is None else host.client
        return self._start(name, TransferKind.PUSH, lambda: client.push(name), host=host)

    def start_create_from_file(
        self, request: FileCreate, *, host: Host | None = None
    ) -> TransferJob:
        """Create a model from a local GGUF file on ``host`` (None: the default host): hash,
        upload what is missing, create.

        Raises :class:`TransferRefused` for a bad name or the same model already running;
        the file itself is checked as the run starts, and a bad one fails it.
        """
        name = request.model.strip()
        problem = model_name_problem(name)
        if problem is not None:
            raise TransferRefused(f"Cannot create {name!r}: {problem}.")
        client = self._client if host is None else host.client

        def open_stream() -> AsyncIterator[ProgressUpdate]:
            return create_from_file(client, request)

        subject = f"create {name} from {request.path.name}"
        return self._start(name, TransferKind.CREATE, open_stream, subject=subject, host=host)

    def again(self, job: TransferJob) -> TransferJob:
        """Start a finished job once more (a pull resumes where it stopped)."""
        if job.transfer.running:
            return job
        return self._start(job.transfer.model, job.transfer.kind, job.open_stream, host=job.host)

    def _start(
        self,
        name: str,
        kind: TransferKind,
        open_stream: Callable[[], AsyncIterator[ProgressUpdate]],
        *,
        subject: str | None = None,
        host: Host | None = None,
    ) -> TransferJob:
        running = self.find(name, running=True, host=host)
        if running is not None:
            # A second request would only share the first one's download.
            raise TransferRefused(f"{running.subject} is already running.", running)
        now = self._clock.monotonic()
        job = self.find(name, kind, host=host)
        if job is None:
            transfer = Transfer(name, kind, now=now)
            subject = subject or f"{kind} {name}"
            if host is not None:
                subject += f" on {host.name}"
            job = TransferJob(transfer, subject, open_stream, host=host)
        else:
            job.open_stream = open_stream
            job.transfer.restart(now)
            self.jobs.remove(job)
        self.jobs.insert(0, job)
        transfer = job.transfer
        job.handle = self.runner(self.follow(job, transfer.runs), f"{kind}:{transfer.model}")
        self.changed.emit(TransferEvent(TransferEventKind.STARTED, job))
        return job

    # -- following ---------------------------------------------------------------------------

    async def follow(self, job: TransferJob, run: int) -> None:
        """Feed run ``run`` of ``job``'s stream into its transfer until the stream ends."""
        transfer = job.transfer
        clock = self._clock
        # The client's streams are async generators; closing one closes the HTTP request.
        updates = cast(AsyncGenerator[ProgressUpdate, None], job.open_stream())
        try:
            async with contextlib.aclosing(updates):
                async for update in updates:
                    transfer.apply(update, clock.monotonic())
        except asyncio.CancelledError:
            if transfer.runs == run and transfer.running:
                transfer.cancel(clock.monotonic())
                self._ended(job)
            raise
        except OllamaUnavailableError as exc:
            (self._connection if job.host is None else job.host.connection).failed(exc)
            self._failed(job, run, str(exc))
        except (OllamaStreamError, OllamaHTTPError) as exc:
            self._failed(job, run, exc.server_message)
        except OllamaError as exc:
            # A dropped connection or a garbled reply: the message says which.
            self._failed(job, run, str(exc))
        except Exception as exc:
            # Whatever went wrong, the transfer must not stay "running" for ever.
            self._failed(job, run, f"{type(exc).__name__}: {exc}")
        else:
            if transfer.runs != run:
                return
            transfer.succeed(clock.monotonic())
            self._ended(job)
            with contextlib.suppress(OllamaError):
                # The new model shows up everywhere; a failure here already said offline.
                await (self._catalog if job.host is None else job.host.catalog).refresh()

    def _failed(self, job: TransferJob, run: int, message: str) -> None:
        transfer = job.transfer
        if transfer.runs != run:
            return
        transfer.fail(message, self._clock.monotonic())
        self._ended(job)

    def _ended(self, job: TransferJob) -> None:
        job.handle = None
        self.changed.emit(TransferEvent(TransferEventKind.ENDED, job))

    # -- stopping ----------------------------------------------------------------------------

    def cancel(self, transfer: Transfer) -> bool:
        """Stop ``transfer``: its HTTP request is closed now; the server keeps the bytes.

        False if it was not running.
        """
        job = self.job_of(transfer)
        if job is None or not transfer.running:
            return False
        # Marked at once, so views do not wait for the run to unwind.
        transfer.cancel(self._clock.monotonic())
        handle, job.handle = job.handle, None
        if handle is not None:
            handle.cancel()
        self._ended(job)
        return True

    def clear_finished(self) -> list[TransferJob]:
        """Take finished, failed and cancelled transfers off the list; returns them."""
        finished = [job for job in self.jobs if not job.transfer.running]
        for job in finished:
            self.jobs.remove(job)
            self.changed.emit(TransferEvent(TransferEventKind.REMOVED, job))
        return finished
