"""One column of the compare area: its model, its options, its reply and its figures.

A view only: the compare screen hands it models, option sources and results, and reads back
the setup the user chose. Replies are model output, so they are drawn as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Select, Static

from tui_app.core.compare import (
    BENCH_FIGURES,
    ColumnResult,
    ColumnSetup,
    DiffOp,
    FigureRow,
    Spread,
    bar,
    format_figure,
    options_text,
    parse_options_text,
)

EDITED = "edited"
"""The option source that means "as typed in the column"."""

STATUS_WORDS: Mapping[str, str] = {
    "idle": "",
    "queued": "queued: waiting for the server",
    "streaming": "streaming…",
    "done": "done",
    "stopped": "stopped: what arrived is kept",
    "failed": "failed",
}

_DIFF_STYLES: Mapping[DiffOp, str] = {
    "same": "",
    "added": "bold $success",
    "removed": "strike $error",
}


class CompareColumn(Vertical):
    """A model, an option set (a preset, this chat's settings, or typed), and what came back."""

    DEFAULT_CLASSES = "compare-column"

    class SourceChosen(Message):
        """The user picked where this column's options come from."""

        def __init__(self, column: CompareColumn, source: str) -> None:
            super().__init__()
            self.column = column
            self.source = source

    class SetupChanged(Message):
        """The user changed this column's model or options."""

    class HostChosen(Message):
        """The user picked another host for this column: its models are that host's."""

        def __init__(self, column: CompareColumn, host: str) -> None:
            super().__init__()
            self.column = column
            self.host = host

    def __init__(self, number: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.number = number
        """1-based position, as the user sees it."""
        self.answer = ""
        """The reply text so far, drawn as plain text."""
        self._filling = False
        """Options are being filled in from a source, not typed."""
        self._source = EDITED
        """The source last chosen, so the picker's own change events are not taken as one."""
        self._host = ""
        """The host chosen ("" the default), so the picker's own change events are not
        taken as one."""
        self._default_host = ""

    def compose(self) -> ComposeResult:
        yield Static(f"Column {self.number}", classes="compare-title")
        with Horizontal(classes="compare-pickers"):
            yield Select[str]([], prompt="model", compact=True, classes="compare-model")
            yield Select[str](
                [(EDITED, EDITED)],
                value=EDITED,
                allow_blank=False,
                compact=True,
                classes="compare-source",
            )
            yield Select[str](
                [], prompt="host", compact=True, classes="compare-host", tooltip="Runs on"
            )
        yield Input(
            placeholder="options, e.g. temperature 0.7, seed 42 (blank: defaults)",
            compact=True,
            classes="compare-options",
        )
        yield Static("", classes="compare-problem")
        yield Static("", classes="compare-status")
        with VerticalScroll(classes="compare-reply-box"):
            yield Static("", classes="compare-reply", markup=False)
        yield Static("", classes="compare-figures")
        yield Static("", classes="compare-note")

    # -- what the user chose ----------------------------------------------------------------

    def set_models(self, names: Sequence[str], chosen: str | None = None) -> None:
        """The models to choose from; keeps the choice when it is still there."""
        select = self.query_one(".compare-model", Select)
        current = select.value if isinstance(select.value, str) else chosen
        select.set_options([(name, name) for name in names])
        if current in names:
            select.value = current
        elif names and select.is_blank():
            select.value = (
                names[min(self.number - 1, len(names) - 1)] if chosen is None else names[0]
            )

    def set_hosts(self, names: Sequence[str], default: str, chosen: str | None = None) -> None:
        """The hosts to run on, ``default`` first chosen; shown only with several hosts.

        ``chosen`` (a renamed host's new name) replaces the column's host; else a column
        keeps its host while it is there, and otherwise runs on the default host.
        """
        select = self.query_one(".compare-host", Select)
        self._default_host = default
        if chosen is not None:
            self._host = "" if chosen == default else chosen
        if self._host not in names:
            self._host = ""
        select.display = len(names) > 1
        with self.prevent(Select.Changed):
            select.set_options([(name, name) for name in names])
            select.value = self._host or default

    @property
    def host(self) -> str:
        """The host chosen for this column; "" is the default host."""
        return self._host

    def choose_host(self, host: str) -> None:
        """Run this column on ``host`` ("" or the default's name: the default host)."""
        host = "" if host == self._default_host else host
        if host == self._host:
            return
        self._host = host
        select = self.query_one(".compare-host", Select)
        with self.prevent(Select.Changed):
            select.value = host or self._default_host
        self.post_message(self.HostChosen(self, host))

    def set_sources(self, names: Sequence[str]) -> None:
        """The option sources offered: presets, ``this chat``, and ``edited``."""
        select = self.query_one(".compare-source", Select)
        if self._source not in names:
            self._source = EDITED
        # "edited" first: a Select that may not be blank falls back to its first option.
        select.set_options([(name, name) for name in [EDITED, *names]])
        select.value = self._source

    def choose(self, model: str | None = None, options: Mapping[str, object] | None = None) -> None:
        """Set the model and/or the typed options (the source becomes ``edited``)."""
        if model is not None:
            select = self.query_one(".compare-model", Select)
            select.value = model
        if options is not None:
            self.fill_options(options, EDITED)

    def fill_options(self, options: Mapping[str, object], source: str) -> None:
        """Show a source's options in the editor, without calling the source ``edited``."""
        self._filling = True
        self.query_one(".compare-options", Input).value = options_text(options)
        self._source = source
        source_select = self.query_one(".compare-source", Select)
        if source_select.value != source:
            source_select.value = source
        self.call_after_refresh(self._filled)

    def _filled(self) -> None:
        self._filling = False

    @property
    def source(self) -> str:
        """Where the options came from."""
        return self._source

    def setup(self) -> ColumnSetup | str:
        """The column's model and options, or why they cannot be sent."""
        model = self.query_one(".compare-model", Select).value
        if not isinstance(model, str):
            return f"Column {self.number} has no model."
        options, problems = parse_options_text(self.query_one(".compare-options", Input).value)
        if problems:
            return f"Column {self.number}: {problems[0]}"
        return ColumnSetup(model, options, self.source, self._host)

    @on(Input.Changed, ".compare-options")
    def _options_typed(self, event: Input.Changed) -> None:
        event.stop()
        _, problems = parse_options_text(event.value)
        self.query_one(".compare-problem", Static).update(Content(problems[0]) if problems else "")
        self.set_class(bool(problems), "-invalid")
        if not self._filling and self._source != EDITED:
            self._source = EDITED
            self.query_one(".compare-source", Select).value = EDITED
        self.post_message(self.SetupChanged())

    @on(Select.Changed, ".compare-model")
    def _model_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.SetupChanged())

    @on(Select.Changed, ".compare-host")
    def _host_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str):
            self.choose_host(event.value)

    @on(Select.Changed, ".compare-source")
    def _source_changed(self, event: Select.Changed) -> None:
        event.stop()
        if not isinstance(event.value, str) or event.value == self._source:
            return
        self._source = event.value
        if event.value != EDITED:
            self.post_message(self.SourceChosen(self, event.value))

    # -- what came back ---------------------------------------------------------------------

    def show_status(self, result: ColumnResult, extra: str = "") -> None:
        """The column's state in words (queued, streaming, done…), with ``extra`` after it."""
        words = STATUS_WORDS[result.status]
        if result.status == "failed" and result.error:
            words = f"failed: {result.error}"
        self.query_one(".compare-status", Static).update(
            Content(" · ".join(part for part in (words, extra) if part))
        )
        self.set_class(result.status in {"queued", "streaming"}, "-running")

    def clear_reply(self) -> None:
        """Empty the reply, figures and note for a new run."""
        self.answer = ""
        self.query_one(".compare-reply", Static).update("")
        self.query_one(".compare-figures", Static).update("")
        self.query_one(".compare-note", Static).update("")

    def add_text(self, answer: str) -> None:
        """Text of the reply that arrived."""
        if answer:
            self.answer += answer
            self.query_one(".compare-reply", Static).update(Content(self.answer))

    def show_reply(self, answer: str) -> None:
        """The whole reply (a loaded comparison)."""
        self.answer = answer
        self.query_one(".compare-reply", Static).update(Content(answer))

    def show_figures(self, rows: Sequence[FigureRow], index: int) -> None:
        """This column's cell of each figure row; ``★`` marks the best of a row."""
        lines = []
        for row in rows:
            cell = row.cells[index]
            if index in row.best:
                lines.append(Content.assemble(f"{row.label:>13} ", (f"{cell} ★", "bold $success")))
            else:
                lines.append(Content(f"{row.label:>13} {cell}"))
        self.query_one(".compare-figures", Static).update(Content("\n").join(lines))

    def show_differing(self, names: set[str]) -> None:
        """Highlight the options (and model) that differ from another column's."""
        self.set_class("model" in names, "-model-differs")
        pieces: list[Content | tuple[str, str]] = []
        options, _ = parse_options_text(self.query_one(".compare-options", Input).value)
        for name, value in options.items():
            text = options_text({name: value})
            pieces.append((text, "reverse $accent") if name in names else Content(text))
        title = Content.assemble(
            f"Column {self.number} ",
            *[piece for i, p in enumerate(pieces) for piece in ([Content(" ")] if i else []) + [p]],
        )
        self.query_one(".compare-title", Static).update(title)

    def show_diff(self, verdict: str, pieces: Sequence[tuple[DiffOp, str]]) -> None:
        """The word diff against the previous run, under the verdict."""
        style = "bold $success" if verdict == "identical" else "bold $warning"
        parts: list[Content | tuple[str, str]] = [(f"{verdict} vs previous run", style)]
        if verdict != "identical":
            parts.append(Content("\n"))
            for i, (op, words) in enumerate(pieces):
                if i:
                    parts.append(Content(" "))
                parts.append((words, _DIFF_STYLES[op]) if _DIFF_STYLES[op] else Content(words))
        self.query_one(".compare-note", Static).update(Content.assemble(*parts))

    def show_bench(
        self, runs: int, summary: Mapping[str, Spread | None], most: Mapping[str, float]
    ) -> None:
        """A bench's median and range per figure, with a bar scaled across the columns."""
        lines = [Content(f"bench: {runs} run{'' if runs == 1 else 's'}, median [range]")]
        for key, label in BENCH_FIGURES:
            spread = summary.get(key)
            if spread is None:
                lines.append(Content(f"{label:>12} -"))
                continue
            text = (
                f"{label:>12} {format_figure(key, spread.median)} "
                f"[{format_figure(key, spread.low)}..{format_figure(key, spread.high)}]"
            )
            lines.append(
                Content.assemble(
                    text + " ", (bar(spread.median, most.get(key, 0.0), 10), "$accent")
                )
            )
        self.query_one(".compare-note", Static).update(Content("\n").join(lines))

    def show_note(self, text: str) -> None:
        """A line of plain words under the figures (bench progress)."""
        self.query_one(".compare-note", Static).update(Content(text))
