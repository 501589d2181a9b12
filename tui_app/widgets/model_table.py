"""The table of installed models: sortable by any column, filtered by typing."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from tui_app.api import ModelSummary
from tui_app.api.names import normalise_model_name
from tui_app.core.formatting import clipped, human_size, relative_time, visible_controls

_PARAMETER_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMBT]?)", re.IGNORECASE)
_PARAMETER_SCALE = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}

# Characters a model name, family or quantization can contain: typing one of them
# in the table starts a filter. "/" is left out because it is the filter key itself.
_FILTER_CHARACTERS = re.compile(r"^[A-Za-z0-9_.:\-]$")


def _cell_text(value: str) -> str:
    """Server text for one cell: control characters shown, never acted on; "?" when empty."""
    return visible_controls(value, multi_line=False) if value else "?"


def parameter_count(parameter_size: str) -> float:
    """``3.2B`` → 3.2e9, ``137M`` → 1.37e8; -1 when the server gave no usable size."""
    match = _PARAMETER_SIZE.match(parameter_size)
    if match is None:
        return -1.0
    return float(match.group(1)) * _PARAMETER_SCALE[match.group(2).upper()]


def model_key(name: str) -> str:
    """A name in the form tags and ps use, lower-cased, for matching one against the other."""
    return normalise_model_name(name).lower()


def is_embedding_only(capabilities: Iterable[str]) -> bool:
    """True for a model that makes embeddings and cannot chat."""
    caps = set(capabilities)
    return "embedding" in caps and "completion" not in caps


def matches_filter(model: ModelSummary, text: str, host: str = "") -> bool:
    """Whether every word of ``text`` appears in the model's name, family or quantization
    (or in ``host``, the name of the host it is on, when one is given)."""
    haystack = " ".join(
        (model.name, model.details.family, model.details.quantization_level, host)
    ).casefold()
    return all(word in haystack for word in text.casefold().split())


@dataclass(frozen=True, slots=True)
class HostedModel:
    """One row of the table: a model as listed by one host."""

    host: str
    """The name of the host that lists it."""
    model: ModelSummary

    @property
    def key(self) -> tuple[str, str]:
        """What tells this row from every other: its host and its name as ps spells it."""
        return (self.host, model_key(self.model.name))


@dataclass(frozen=True, slots=True)
class TableColumn:
    """One column of the model table and how it sorts."""

    key: str
    label: str
    sort_key: Callable[[HostedModel, bool], Any]
    """Sort key of a row; the flag says whether its model is loaded."""
    descending_first: bool = False
    """Sort big-to-small when this column is first chosen (sizes, dates)."""
    right_aligned: bool = False


HOST_COLUMN = TableColumn("host", "Host", lambda row, loaded: row.host.casefold())
"""Shown only when the table lists the models of several hosts."""

COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("loaded", "●", lambda row, loaded: not loaded),
    TableColumn("name", "Name", lambda row, loaded: row.model.name.casefold()),
    HOST_COLUMN,
    TableColumn(
        "parameters",
        "Params",
        lambda row, loaded: parameter_count(row.model.details.parameter_size),
        descending_first=True,
        right_aligned=True,
    ),
    TableColumn(
        "quantization",
        "Quant",
        lambda row, loaded: row.model.details.quantization_level.casefold(),
    ),
    TableColumn("family", "Family", lambda row, loaded: row.model.details.family.casefold()),
    TableColumn(
        "size",
        "Size",
        lambda row, loaded: row.model.size,
        descending_first=True,
        right_aligned=True,
    ),
    TableColumn(
        "modified",
        "Modified",
        lambda row, loaded: row.model.modified_at.timestamp() if row.model.modified_at else 0.0,
        descending_first=True,
    ),
)
"""Every column in display order; the host column is left out with one host."""

COLUMNS_BY_KEY: dict[str, TableColumn] = {column.key: column for column in COLUMNS}

HOST_NAME_WIDTH = 12
"""Host names longer than this are cut short in the host column (the filter and the sort
still use the whole name)."""

NARROW_HOST_NAME_WIDTH = 8
"""The host column's width on a narrow terminal, so size still fits in 80 columns."""


def host_cell_text(host: str, width: int = HOST_NAME_WIDTH) -> str:
    """A host's name for a narrow cell: a name that is an address loses its ``http://``,
    then it is cut to ``width``."""
    short = host.removeprefix("http://").removeprefix("https://") or host
    return clipped(_cell_text(short), width)


class ModelTable(DataTable[Text]):
    """Installed models, one row each, keyed by host and model name.

    Give it one host's models with :meth:`show_models` (or several hosts' with
    :meth:`show_rows`, which adds a host column) and the loaded ones with
    :meth:`set_loaded`; it keeps its own sort order and filter and keeps the
    cursor on the same row when either changes. Every cell is plain text
    (names come from the server and are never read as markup).
    """

    HELP_TITLE: ClassVar[str] = "Models: the table"
    """The heading of this class's keys in help (f1)."""

    DEFAULT_CSS = """
    ModelTable {
        height: 1fr;
    }
    ModelTable:focus > .datatable--header {
        text-style: bold;
    }
    ModelTable > .model-table--loaded {
        color: $success;
        text-style: bold;
    }
    ModelTable > .model-table--muted {
        color: $text-muted;
    }
    ModelTable > .model-table--embedding {
        color: $warning;
        text-style: italic;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "model-table--loaded",
        "model-table--muted",
        "model-table--embedding",
    }

    # Replaces DataTable's hidden "select" on enter so the footer says what enter does.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select_cursor",
            "Chat",
            id="models.chat",
            tooltip="Open a new chat with the highlighted model",
        ),
    ]

    class FilterTyped(Message):
        """A filter character was typed while the table had focus."""

        def __init__(self, character: str) -> None:
            self.character = character
            """The character typed."""
            super().__init__()

    class Listed(Message):
        """The rows on show changed (new models, filter or sort)."""

        def __init__(self, shown: int, total: int) -> None:
            self.shown = shown
            """Rows on show."""
            self.total = total
            """Rows given, before filtering."""
            super().__init__()

    class SortChanged(Message):
        """The sort column or direction changed."""

        def __init__(self, column: str, descending: bool) -> None:
            self.column = column
            """Key of the column sorted by."""
            self.descending = descending
            """True when sorted big-to-small (or Z-to-A)."""
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=id, classes=classes)
        self._rows: tuple[HostedModel, ...] = ()
        self._host_column = False
        # (host, model key) of every model loaded, as each host's /api/ps last said.
        self._loaded: frozenset[tuple[str, str]] = frozenset()
        self._filter = ""
        self._now = datetime.now(UTC)
        self._visible: list[HostedModel] = []
        # Cells of each row as last drawn, so filtering and sorting reuse them.
        self._cells: dict[tuple[str, str], tuple[ModelSummary, bool, list[Text]]] = {}
        self.sort_column = "modified"
        """Key of the column the rows are sorted by; the server's own order to begin with."""
        self.sort_descending = True
        """Direction of the sort."""
        self._host_width = HOST_NAME_WIDTH
        self._ready = False

    def on_mount(self) -> None:
        self._ready = True
        self.watch(self.app, "theme", self._restyle, init=False)
        self._rebuild()

    def _restyle(self) -> None:
        # Component styles follow the theme only after the new CSS is applied.
        self._cells.clear()
        self.call_after_refresh(self._rebuild)

    # -- what to show -------------------------------------------------------------

    @property
    def models(self) -> tuple[ModelSummary, ...]:
        """Every model given, filtered or not."""
        return tuple(row.model for row in self._rows)

    @property
    def rows_given(self) -> tuple[HostedModel, ...]:
        """Every row given, filtered or not."""
        return self._rows

    @property
    def visible_models(self) -> list[ModelSummary]:
        """The models on show, in order."""
        return [row.model for row in self._visible]

    @property
    def visible_rows(self) -> list[HostedModel]:
        """The rows on show, in order."""
        return list(self._visible)

    @property
    def shows_hosts(self) -> bool:
        """Whether the rows come from several hosts (with a host column)."""
        return self._host_column

    @property
    def columns_shown(self) -> tuple[TableColumn, ...]:
        """The columns on show, in order."""
        return tuple(c for c in COLUMNS if self._host_column or c is not HOST_COLUMN)

    @property
    def host_width(self) -> int:
        """How many characters of a host's name the host column shows."""
        return self._host_width

    @host_width.setter
    def host_width(self, width: int) -> None:
        if width != self._host_width:
            self._host_width = width
            if self._host_column:
                self._cells.clear()
                self._rebuild()

    @property
    def filter_text(self) -> str:
        """The filter in force ('' for none)."""
        return self._filter

    @property
    def highlighted_row(self) -> HostedModel | None:
        """The row under the cursor, if any."""
        if not self._visible or not 0 <= self.cursor_row < len(self._visible):
            return None
        return self._visible[self.cursor_row]

    @property
    def highlighted_model(self) -> ModelSummary | None:
        """The model under the cursor, if any."""
        row = self.highlighted_row
        return row.model if row is not None else None

    def is_loaded(self, name: str, host: str | None = None) -> bool:
        """Whether ``name`` is among the loaded models last given (on ``host``, or on any)."""
        wanted = model_key(name)
        return any(key == wanted and host in (None, on) for on, key in self._loaded)

    def show_models(self, models: Iterable[ModelSummary], now: datetime, host: str = "") -> None:
        """Replace the rows with one host's models; ``now`` is the time "modified" is
        measured from."""
        self.show_rows((HostedModel(host, model) for model in models), now, host_column=False)

    def show_rows(
        self, rows: Iterable[HostedModel], now: datetime, *, host_column: bool = True
    ) -> None:
        """Replace the rows (of any hosts); ``host_column`` shows which host each is on."""
        self._rows = tuple(rows)
        self._now = now
        self._cells.clear()
        if host_column != self._host_column:
            self._host_column = host_column
            if not host_column and self.sort_column == HOST_COLUMN.key:
                self.sort_column, self.sort_descending = "name", False
        self._rebuild()

    def set_loaded(self, names: Iterable[str], host: str = "") -> None:
        """Mark the models of ``host`` whose names are given as loaded, and only those of
        that host (other hosts' marks stay as they were)."""
        loaded = frozenset(key for key in self._loaded if key[0] != host) | frozenset(
            (host, model_key(name)) for name in names
        )
        if loaded == self._loaded:
            return
        changed = loaded ^ self._loaded
        self._loaded = loaded
        if self.sort_column == "loaded":
            self._rebuild()
            return
        for row in self._visible:
            if row.key in changed:
                self.update_cell(self._row_key(row), "loaded", self._loaded_cell(row))

    def set_filter(self, text: str) -> None:
        """Show only models whose name, family or quantization (or host, with the host
        column) contain every word of ``text``."""
        text = text.strip()
        if text != self._filter:
            self._filter = text
            self._rebuild()

    def select_model(self, name: str, host: str | None = None) -> bool:
        """Put the cursor on ``name`` (on ``host``, or the first row of any host) if it is
        on show; True if it is.

        ``name`` may be spelled as a user typed it (``Llama3.2``): the server lists
        it as ``llama3.2:latest``, and that row is found.
        """
        wanted = model_key(name)
        index = next(
            (
                i
                for i, row in enumerate(self._visible)
                if row.key[1] == wanted and host in (None, row.host)
            ),
            -1,
        )
        if index < 0:
            return False
        self.move_cursor(row=index, animate=False)
        return True

    # -- sorting ------------------------------------------------------------------

    def sort_by(self, column: str, descending: bool | None = None) -> None:
        """Sort by ``column``; without a direction, its natural one (newest, biggest first)."""
        spec = COLUMNS_BY_KEY[column]
        self.sort_column = column
        self.sort_descending = spec.descending_first if descending is None else descending
        self._rebuild()
        self.post_message(self.SortChanged(self.sort_column, self.sort_descending))

    def cycle_sort(self) -> None:
        """Sort by the next column to the right (wrapping round)."""
        keys = [column.key for column in self.columns_shown]
        self.sort_by(keys[(keys.index(self.sort_column) + 1) % len(keys)])

    def reverse_sort(self) -> None:
        """Flip the direction of the current sort."""
        self.sort_by(self.sort_column, not self.sort_descending)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a header sorts by it; a second click reverses."""
        event.stop()
        column = str(event.column_key.value)
        if column == self.sort_column:
            self.reverse_sort()
        else:
            self.sort_by(column)

    # -- typing starts a filter -----------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Hand a typed name character to the filter instead of ignoring it."""
        character = event.character
        if character and event.is_printable and _FILTER_CHARACTERS.match(character):
            event.stop()
            event.prevent_default()
            self.post_message(self.FilterTyped(character))

    # -- rendering ------------------------------------------------------------------

    def _row_key(self, row: HostedModel) -> str:
        # One host's names are unique; across hosts the host makes them so.
        return f"{row.host}\x1f{row.model.name}" if self._host_column else row.model.name

    def _sorted(self, rows: Iterable[HostedModel]) -> list[HostedModel]:
        spec = COLUMNS_BY_KEY[self.sort_column]
        loaded = self._loaded
        # Name and host first, then the chosen column: sorts are stable, so ties keep
        # that order.
        by_name = sorted(rows, key=lambda row: (row.model.name.casefold(), row.host.casefold()))
        return sorted(
            by_name,
            key=lambda row: spec.sort_key(row, row.key in loaded),
            reverse=self.sort_descending,
        )

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component, partial=True)

    def _loaded_cell(self, row: HostedModel) -> Text:
        if row.key in self._loaded:
            return Text("●", style=self._style("model-table--loaded"), justify="center")
        return Text("", justify="center")

    def _row(self, row: HostedModel) -> list[Text]:
        loaded = row.key in self._loaded
        cache_key = (row.host, row.model.name)
        cached = self._cells.get(cache_key)
        if cached is not None and cached[0] is row.model and cached[1] == loaded:
            return cached[2]
        cells = self._new_row(row)
        self._cells[cache_key] = (row.model, loaded, cells)
        return cells

    def _new_row(self, row: HostedModel) -> list[Text]:
        model = row.model
        details = model.details
        name = Text(_cell_text(model.name))
        if is_embedding_only(model.capabilities):
            name.append(" embed", style=self._style("model-table--embedding"))
        muted = self._style("model-table--muted")
        cells = [
            self._loaded_cell(row),
            name,
            Text(_cell_text(details.parameter_size), justify="right"),
            Text(_cell_text(details.quantization_level)),
            Text(_cell_text(details.family)),
            Text(human_size(model.size), justify="right"),
            Text(relative_time(model.modified_at, self._now), style=muted),
        ]
        if self._host_column:
            cells.insert(2, Text(host_cell_text(row.host, self._host_width), style=muted))
        return cells

    def _label(self, column: TableColumn) -> Text:
        label = Text(column.label, justify="right" if column.right_aligned else "left")
        if column.key == self.sort_column:
            label.append(" ▼" if self.sort_descending else " ▲")
        return label

    def _rebuild(self) -> None:
        if not self._ready:
            return
        previous = self.highlighted_row
        hosts = self._host_column
        shown = [
            row
            for row in self._rows
            if matches_filter(row.model, self._filter, row.host if hosts else "")
        ]
        self._visible = self._sorted(shown)
        self.clear(columns=True)
        for column in self.columns_shown:
            self.add_column(self._label(column), key=column.key)
        for row in self._visible:
            self.add_row(*self._row(row), key=self._row_key(row))
        if previous is not None:
            self.select_model(previous.model.name, previous.host)
        self.post_message(self.Listed(len(self._visible), len(self._rows)))
