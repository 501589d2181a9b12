"""The panel that shows one pull or create: its status, a bar per layer and an overall bar.

A panel only draws: it reads a :class:`~tui_app.core.transfers.Transfer` when told to
:meth:`PullPanel.redraw`, which the pulls screen does about ten times a second while
the transfer runs, however fast the server sends progress lines. Requests to cancel
or start again go to the screen as messages, because the screen owns the workers.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, ProgressBar, Static

from tui_app.core.formatting import countdown, human_duration, human_size
from tui_app.core.transfers import LayerProgress, Transfer, TransferKind, TransferState

_CREATE_STATUS_LINES = 8
"""How many of a create's status lines stay on view."""


def _rate_text(rate: float | None) -> str:
    return f"{human_size(rate)}/s" if rate else ""


def _eta_text(eta: float | None) -> str:
    return f"{countdown(eta)} left" if eta is not None else ""


def _joined(*parts: str) -> str:
    return "  ".join(part for part in parts if part)


def layer_figures(layer: LayerProgress, now: float, *, active: bool) -> str:
    """Bytes, rate, time left (while ``active``) and how the layer arrived, for its row."""
    size = human_size(layer.total)
    if layer.finished:
        if layer.cached:
            return _joined(size, "cached")
        if layer.resumed:
            return _joined(size, f"resumed at {human_size(layer.resumed_from)}")
        return size
    sizes = f"{human_size(layer.completed)} / {size}"
    rate = layer.rate(now) if active else None
    if rate is None and layer.resumed:
        return _joined(sizes, f"resumed at {human_size(layer.resumed_from)}")
    eta = layer.eta(now) if active else None
    return _joined(sizes, _rate_text(rate), _eta_text(eta))


def overall_figures(transfer: Transfer, now: float) -> str:
    """Bytes, rate and time left over every layer reported so far."""
    done, total = transfer.completed_bytes, transfer.total_bytes
    if transfer.state is TransferState.SUCCEEDED:
        average = transfer.average_rate()
        took = f"in {human_duration(transfer.elapsed(now))}"
        return _joined(human_size(total), took, f"at {_rate_text(average)}" if average else "")
    sizes = f"{human_size(done)} / {human_size(total)}"
    return _joined(sizes, _rate_text(transfer.rate(now)), _eta_text(transfer.eta(now)))


def state_caption(transfer: Transfer, now: float) -> str:
    """The panel's subtitle: where the transfer stands and what can be done next."""
    again = "resume" if transfer.kind is TransferKind.PULL else "retry"
    match transfer.state:
        case TransferState.RUNNING:
            resumed = next((layer for layer in transfer.layers.values() if layer.resumed), None)
            note = f"resumed at {human_size(resumed.resumed_from)}" if resumed else ""
            parts = ("running", countdown(transfer.elapsed(now)), note)
            return " · ".join(part for part in parts if part)
        case TransferState.SUCCEEDED:
            return "done"
        case TransferState.FAILED:
            return "failed · enter to retry"
        case TransferState.CANCELLED:
            return f"cancelled · enter to {again}"


class TextLine(Static):
    """Plain text (never markup) that refreshes only when the text really changes.

    Redraws come ten times a second; most lines are unchanged, and skipping them
    saves a refresh, and for fixed-size lines a layout pass, each time.
    """

    def __init__(self, *, classes: str, fixed_size: bool = False) -> None:
        super().__init__("", classes=classes, markup=False)
        self.text = ""
        """What the line shows now."""
        self._fixed_size = fixed_size

    def set_text(self, text: str) -> None:
        """Show ``text`` if it differs from what is shown."""
        if text != self.text:
            self.text = text
            self.update(Content(text), layout=not self._fixed_size)


class ProgressRow(Horizontal):
    """One labelled bar with its figures: a layer, or the whole transfer."""

    DEFAULT_CSS = """
    ProgressRow {
        height: 1;
        width: 1fr;
    }
    ProgressRow > .row-name {
        width: 14;
        color: $text-muted;
    }
    ProgressRow > ProgressBar {
        width: 1fr;
    }
    ProgressRow > ProgressBar > Bar {
        width: 1fr;
        min-width: 8;
    }
    ProgressRow > .row-figures {
        width: 42;
        padding-left: 2;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ProgressRow.-overall > .row-name {
        color: $text;
        text-style: bold;
    }
    """

    _STEPS = 1000
    """Bar resolution: finer than any terminal is wide."""

    def __init__(self, label: str, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._label = label
        # Built here rather than in compose so show() works before the row is mounted.
        self._bar = ProgressBar(total=self._STEPS, show_eta=False)
        self._figures = TextLine(classes="row-figures", fixed_size=True)

    def compose(self) -> ComposeResult:
        yield Label(Content(self._label), classes="row-name")
        yield self._bar
        yield self._figures

    def show(self, fraction: float, figures: str) -> None:
        """Fill the bar to ``fraction`` (0 to 1) and set the figures beside it."""
        step = round(fraction * self._STEPS)
        if step != self._bar.progress:
            self._bar.update(progress=step)
        self._figures.set_text(figures)


class PullPanel(Vertical, can_focus=True):
    """Everything about one pull or create, drawn from its :class:`Transfer`."""

    HELP_TITLE: ClassVar[str] = "Pulls: a pull"
    """The heading of this class's keys in help (f1)."""

    DEFAULT_CSS = """
    PullPanel {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
        padding: 0 1;
    }
    PullPanel:focus {
        border: round $accent;
        background: $boost;
    }
    PullPanel.-succeeded {
        border: round $success 70%;
    }
    PullPanel.-failed {
        border: round $error;
    }
    PullPanel.-cancelled {
        border: round $warning 70%;
    }
    PullPanel:focus.-succeeded, PullPanel:focus.-failed, PullPanel:focus.-cancelled {
        border: double $accent;
    }
    PullPanel > .pull-status {
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    PullPanel.-create > .pull-status {
        text-wrap: wrap;
    }
    PullPanel > .pull-error {
        color: $error;
    }
    PullPanel > .pull-layers {
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # ctrl+x on the screen does the same for the focused pull, and it shows in the footer.
        Binding(
            "x",
            "cancel",
            "Cancel",
            show=False,
            id="pulls.cancel-this",
            tooltip="Stop this pull",
        ),
        Binding(
            "enter,ctrl+g",
            "again",
            "Pull again",
            id="pulls.again",
            tooltip="Start again; a pull resumes where it stopped",
        ),
        Binding(
            "up", "move(-1)", "Previous", show=False, id="pulls.previous", tooltip="The pull above"
        ),
        Binding("down", "move(1)", "Next", show=False, id="pulls.next", tooltip="The pull below"),
    ]

    class CancelRequested(Message):
        """The user asked to stop this panel's transfer."""

        def __init__(self, panel: PullPanel) -> None:
            super().__init__()
            self.panel = panel

    class AgainRequested(Message):
        """The user asked to run this panel's finished transfer again."""

        def __init__(self, panel: PullPanel) -> None:
            super().__init__()
            self.panel = panel

    class MoveRequested(Message):
        """The user pressed up or down on this panel."""

        def __init__(self, panel: PullPanel, direction: int) -> None:
            super().__init__()
            self.panel = panel
            self.direction = direction

    def __init__(self, transfer: Transfer, *, subject: str | None = None) -> None:
        super().__init__()
        self.transfer = transfer
        """What this panel shows."""
        self.subject = subject or f"{transfer.kind} {transfer.model}"
        """The panel's title, e.g. ``pull llama3.2``."""
        self.drawn_version = -1
        """The transfer's version when last drawn, so unchanged panels are skipped."""
        self._drawn_state: TransferState | None = None
        self._caption = ""
        self.border_title = Content(self.subject)
        self.set_class(transfer.kind is TransferKind.CREATE, "-create")
        # Built here rather than in compose so redraw() works before the panel is mounted.
        self._status = TextLine(classes="pull-status")
        self._layers: Vertical | None = None
        self._overall = ProgressRow("total", classes="-overall")
        self._overall.display = False
        self._error = TextLine(classes="pull-error")
        self._error.display = False
        self._layer_rows: list[ProgressRow] = []

    def compose(self) -> ComposeResult:
        yield self._status
        # Rows made by a redraw before mounting go in now; later ones are mounted as they come.
        self._layers = Vertical(*self._layer_rows, classes="pull-layers")
        yield self._layers
        yield self._overall
        yield self._error

    # -- drawing ---------------------------------------------------------------------

    def redraw(self, now: float) -> None:
        """Bring every line of the panel up to date with the transfer."""
        transfer = self.transfer
        self.drawn_version = transfer.version
        self._draw_state(transfer, now)
        self._draw_status(transfer)
        self._draw_layers(transfer, now)
        if self._error.display != bool(transfer.error):
            self._error.display = bool(transfer.error)
        self._error.set_text(f"✗ {transfer.error}")

    def _draw_state(self, transfer: Transfer, now: float) -> None:
        caption = state_caption(transfer, now)
        if caption != self._caption:
            self._caption = caption
            self.border_subtitle = Content(caption)
        if self._drawn_state is transfer.state:
            return
        self._drawn_state = transfer.state
        for state in TransferState:
            self.set_class(transfer.state is state, f"-{state}")
        self.refresh_bindings()

    def _draw_status(self, transfer: Transfer) -> None:
        if transfer.kind is TransferKind.CREATE:
            text = "\n".join(transfer.statuses[-_CREATE_STATUS_LINES:]) or transfer.status
        else:
            text = transfer.status
        self._status.set_text(text or "starting…")

    def _draw_layers(self, transfer: Transfer, now: float) -> None:
        layers = list(transfer.layers.values())
        rows = self._layer_rows
        if len(layers) > len(rows):
            added = [ProgressRow(layer.short_digest) for layer in layers[len(rows) :]]
            rows.extend(added)
            if self._layers is not None:
                self._layers.mount_all(added)
        for row, layer in zip(rows, layers, strict=False):
            active = layer is transfer.active_layer
            row.show(layer.fraction, layer_figures(layer, now, active=active))
        fraction = transfer.fraction
        if self._overall.display != (fraction is not None):
            self._overall.display = fraction is not None
        if fraction is not None:
            self._overall.show(fraction, overall_figures(transfer, now))

    # -- keys --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer cancel only while running and pulling again only once finished."""
        if action == "cancel":
            return self.transfer.running
        if action == "again":
            return not self.transfer.running
        return True

    def action_cancel(self) -> None:
        """Ask the screen to stop this transfer."""
        self.post_message(self.CancelRequested(self))

    def action_again(self) -> None:
        """Ask the screen to run this transfer again."""
        self.post_message(self.AgainRequested(self))

    def action_move(self, direction: int) -> None:
        """Ask the screen to move the focus to the neighbouring panel."""
        self.post_message(self.MoveRequested(self, direction))
