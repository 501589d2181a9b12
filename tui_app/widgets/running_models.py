"""The panel of loaded models (``/api/ps``) with a live countdown to each unload."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from textual.content import Content
from textual.widgets import Static

from tui_app.api import RunningModel
from tui_app.core.formatting import countdown, human_size, processor_split, visible_controls
from tui_app.widgets.model_table import host_cell_text

KEPT_LOADED = "kept loaded"
"""What the panel says of a model that does not unload by itself."""

KEPT_LOADED_AFTER_DAYS = 365
"""An unload further away than this is no countdown worth reading: the model was kept
loaded (Ollama's "forever" is about 292 years ahead, and a long keep-alive such as
``87600h`` is ten years)."""


def unload_phrase(model: RunningModel, now: datetime) -> str:
    """When ``model`` leaves memory: ``unloads in 4:12``, ``kept loaded`` or ``unloading…``."""
    if model.kept_forever:
        return KEPT_LOADED
    if model.expires_at is None:
        return ""
    remaining = (model.expires_at - now).total_seconds()
    if remaining <= 0:
        return "unloading…"
    if remaining > KEPT_LOADED_AFTER_DAYS * 86400:
        return KEPT_LOADED
    return f"unloads in {countdown(remaining)}"


@dataclass(frozen=True, slots=True)
class HostRunning:
    """One host's answer to ``/api/ps``: its loaded models, or why it did not answer."""

    host: str
    models: tuple[RunningModel, ...] = ()
    problem: str | None = None
    """Why the host did not answer; None when it did."""


def _line_width(rows: list[list[str]]) -> int:
    """Width of the widest line the rows make: a marker, then columns two spaces apart."""
    widths = [max(len(row[index]) for row in rows) for index in range(4)]
    return 2 + sum(widths) + 2 * 4 + max(len(row[4]) for row in rows)


def _short_split(model: RunningModel) -> str:
    """Where the model lives, in fewer letters: ``65% GPU`` for a split model."""
    if model.size <= 0 or not 0 <= model.size_vram <= model.size:
        return "?"
    gpu = round(model.size_vram / model.size * 100)
    return f"{gpu}% GPU" if model.size_vram else "CPU"


class RunningModels(Static):
    """Loaded models: memory, where it lives (GPU/CPU), context length and time to unload.

    The screen feeds it each ``/api/ps`` answer with :meth:`show_running` (or the
    failure with :meth:`show_unreachable`), or every host's answers at once with
    :meth:`show_hosts` (each line then names its host), and calls :meth:`tick` every
    second; a tick only redraws, it never asks the server.
    """

    DEFAULT_CSS = """
    RunningModels {
        height: auto;
        max-height: 9;
        border: round $secondary;
        border-title-color: $text;
        padding: 0 1;
    }
    RunningModels.-unreachable {
        border: round $error;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._models: tuple[RunningModel, ...] = ()
        self._problem: str | None = None
        self._now = datetime.now(UTC)
        self._known = False
        self._hosts: tuple[HostRunning, ...] | None = None
        """Every host's answer, when the panel shows several hosts; else None."""

    @property
    def running(self) -> tuple[RunningModel, ...]:
        """The models of the last successful ``/api/ps`` answer (of every host that answered)."""
        return self._models

    @property
    def unreachable_hosts(self) -> dict[str, str]:
        """Each host that did not answer, with why, when the panel shows several hosts."""
        return {h.host: h.problem for h in self._hosts or () if h.problem is not None}

    @property
    def problem(self) -> str | None:
        """Why the last poll failed, or None if it worked."""
        return self._problem

    def on_mount(self) -> None:
        self._redraw()

    def show_running(self, models: Iterable[RunningModel], now: datetime) -> None:
        """Show a fresh ``/api/ps`` answer."""
        self._hosts = None
        self._models = tuple(models)
        self._problem = None
        self._known = True
        self._now = now
        self._redraw()

    def show_unreachable(self, reason: str, now: datetime) -> None:
        """Say the loaded models are unknown because the server did not answer."""
        self._hosts = None
        self._problem = reason
        self._now = now
        self._redraw()

    def show_hosts(self, answers: Sequence[HostRunning], now: datetime) -> None:
        """Show every host's fresh ``/api/ps`` answer, each line naming its host."""
        self._hosts = tuple(answers)
        self._models = tuple(model for answer in answers for model in answer.models)
        self._problem = None
        self._known = True
        self._now = now
        self._redraw()

    def tick(self, now: datetime) -> None:
        """Redraw the countdowns for ``now`` (no request is made)."""
        self._now = now
        if self._models and self._problem is None:
            self._redraw()

    def describe(self) -> Content:
        """The panel's text as it is drawn now."""
        if self._problem is not None:
            return Content.assemble(
                ("Loaded models unknown: ", "bold $error"),
                visible_controls(self._problem, multi_line=False),
            )
        if not self._known:
            return Content.styled("Asking Ollama which models are loaded…", "$text-muted")
        if self._hosts is not None:
            return self._describe_hosts(self._hosts)
        if not self._models:
            return Content.styled("No model is loaded.", "$text-muted")
        return Content("\n").join(self._model_lines(self._models))

    def _describe_hosts(self, answers: tuple[HostRunning, ...]) -> Content:
        """Every host's loaded models, a host name on each line, then the hosts away."""
        hosts = [host_cell_text(a.host) for a in answers]
        loaded = [
            (host, model)
            for host, answer in zip(hosts, answers, strict=True)
            for model in answer.models
        ]
        lines = self._model_lines(tuple(m for _, m in loaded), [h for h, _ in loaded])
        for host, answer in zip(hosts, answers, strict=True):
            if answer.problem is not None:
                lines.append(
                    Content.assemble(
                        ("○ ", "$error"),
                        (host, "bold"),
                        "  ",
                        (visible_controls(answer.problem, multi_line=False), "$text-muted"),
                    )
                )
        if not lines:
            return Content.styled("No model is loaded on any host.", "$text-muted")
        return Content("\n").join(lines)

    def _model_lines(
        self, models: tuple[RunningModel, ...], hosts: list[str] | None = None
    ) -> list[Content]:
        """One line per model; with ``hosts``, each line starts with its model's host."""
        if not models:
            return []
        host_width = max((len(host) for host in hosts), default=0) if hosts else 0
        names = [visible_controls(model.name, multi_line=False) for model in models]
        rows = [
            [
                name,
                human_size(model.size),
                processor_split(model.size, model.size_vram),
                f"ctx {model.context_length:,}" if model.context_length else "",
                unload_phrase(model, self._now),
            ]
            for name, model in zip(names, models, strict=True)
        ]
        width = self.content_size.width if self.is_mounted else 0
        if host_width:
            width = max(width - host_width - 2, 1) if width else 0
        if width and _line_width(rows) > width:
            # One line per model, always: shorter words first, then shorter names.
            for row, model in zip(rows, models, strict=True):
                row[2] = _short_split(model)
                row[3] = row[3].removeprefix("ctx ") + " ctx" if row[3] else ""
                row[4] = row[4].removeprefix("unloads in ") + (
                    " left" if row[4].startswith("unloads in ") else ""
                )
            excess = _line_width(rows) - width
            if excess > 0:
                longest = max(len(row[0]) for row in rows)
                keep = max(8, longest - excess)
                for row in rows:
                    if len(row[0]) > keep:
                        row[0] = row[0][: keep - 1] + "…"
        name_width = max(len(row[0]) for row in rows)
        widths = [max(len(row[index]) for row in rows) for index in range(1, 4)]
        lines = []
        for index, (name, size, split, context, unload) in enumerate(rows):
            host = (hosts[index].ljust(host_width) + "  ") if hosts else ""
            lines.append(
                Content.assemble(
                    ("● ", "$success"),
                    (host, "$text-muted"),
                    (name.ljust(name_width), "bold"),
                    "  ",
                    size.rjust(widths[0]),
                    "  ",
                    split.ljust(widths[1]),
                    "  ",
                    (context.ljust(widths[2]), "$text-muted"),
                    "  ",
                    (unload, "$accent" if unload == KEPT_LOADED else "$text"),
                )
            )
        return lines

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        answers = self._hosts
        # With several hosts, one away is said on its own line; the border turns only
        # when none answered.
        nobody = answers is not None and all(a.problem is not None for a in answers)
        self.set_class(self._problem is not None or nobody, "-unreachable")
        count = f": {len(self._models)}" if self._known and self._problem is None else ""
        self.border_title = f"Loaded{count}"
        self.update(self.describe())
