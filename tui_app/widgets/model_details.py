"""The details pane: what ``/api/show`` says about the highlighted model."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.widgets import Collapsible, Static

from tui_app.api import ModelInfo, ModelSummary
from tui_app.core.formatting import human_size, relative_time, short_digest, visible_controls
from tui_app.widgets.model_table import is_embedding_only

SUMMARY_FIELDS: tuple[tuple[str, str], ...] = (
    ("capabilities", "capabilities"),
    ("family", "family"),
    ("parameters", "parameters"),
    ("quantization", "quantization"),
    ("context", "context"),
    ("embedding", "embedding"),
    ("size", "on disk"),
    ("modified", "modified"),
    ("parent", "derived from"),
    ("remote", "remote"),
    ("digest", "digest"),
)
"""The summary's rows: widget id suffix and label, in display order."""

TEXT_LIMIT = 4_000
"""Characters of a long text (a license, a template) shown at first. A server may send
megabytes (a 5 MB license took the pane 8 s and 400 MB to lay out); the rest is shown
on request, a step at a time."""
MORE_FACTOR = 10
"""Each "show more" shows this many times as much."""


def cut_text(text: str, limit: int) -> tuple[str, int]:
    """``text`` up to ``limit`` characters (at a line end when one is near) and how many
    characters were left out."""
    if len(text) <= limit:
        return text, 0
    cut = text.rfind("\n", limit // 2, limit)
    end = cut if cut > 0 else limit
    return text[:end], len(text) - end


def sorted_parameters(parameters: str) -> str:
    """``/api/show`` parameters as ``key  value`` lines, sorted (the server's order is random).

    The server pads keys to 30 columns; they are re-aligned to the longest key so
    the values fit a narrow pane.
    """
    pairs = []
    for line in parameters.splitlines():
        key, _, value = line.strip().partition(" ")
        if key:
            pairs.append((key, value.strip()))
    if not pairs:
        return ""
    width = max(len(key) for key, _ in pairs)
    # Sort by key only, so several "stop" lines keep the server's relative order.
    pairs.sort(key=lambda pair: pair[0])
    return "\n".join(f"{key.ljust(width)}  {value}" for key, value in pairs)


class ModelDetails(VerticalScroll):
    """Capabilities, context length, parameters, template, system prompt and license.

    The screen shows a model with :meth:`show_summary` as soon as it is
    highlighted (what ``/api/tags`` already said), then :meth:`show_info` once
    ``/api/show`` answers, or :meth:`show_problem` if it fails. All text from
    the server is shown literally; a long one is cut at :data:`TEXT_LIMIT` characters and
    ``m`` shows more of it.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "show_more",
            "More text",
            id="models.details.more",
            tooltip="Show more of a long license, template or system prompt",
        ),
    ]

    DEFAULT_CSS = """
    ModelDetails {
        border: round $secondary;
        border-title-color: $text;
        padding: 0 1;
        scrollbar-gutter: stable;
    }
    ModelDetails:focus-within {
        border: round $accent;
    }
    ModelDetails #details-summary {
        layout: grid;
        grid-size: 2;
        grid-columns: 13 1fr;
        grid-rows: auto;
        height: auto;
    }
    ModelDetails .details-label {
        color: $text-muted;
    }
    ModelDetails #details-value-capabilities {
        text-style: bold;
    }
    ModelDetails #details-status {
        color: $text-muted;
    }
    ModelDetails #details-status.-problem {
        color: $error;
    }
    ModelDetails .details-note {
        color: $warning;
        margin-top: 1;
    }
    ModelDetails .details-heading {
        color: $accent;
        text-style: bold;
        margin-top: 1;
    }
    ModelDetails .details-text {
        color: $text;
    }
    ModelDetails Collapsible {
        padding-bottom: 0;
        border-top: none;
    }
    ModelDetails Collapsible > Contents {
        padding: 0 0 0 2;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.model_name: str | None = None
        """The model on show, if any."""
        self.info: ModelInfo | None = None
        """The ``/api/show`` answer on show, if it has arrived."""
        self.text_limit = TEXT_LIMIT
        """Characters shown of each long text; grows with :meth:`action_show_more`."""
        self._cut = False

    def compose(self) -> ComposeResult:
        with Grid(id="details-summary"):
            for key, label in SUMMARY_FIELDS:
                yield Static(label, id=f"details-label-{key}", classes="details-label")
                yield Static(id=f"details-value-{key}", classes="details-value")
        yield Static(id="details-status")
        yield Static(id="details-note", classes="details-note")
        yield Static("Parameters", id="details-parameters-heading", classes="details-heading")
        yield Static(id="details-parameters", classes="details-text")
        yield Static("System prompt", id="details-system-heading", classes="details-heading")
        yield Static(id="details-system", classes="details-text")
        with Collapsible(title="Template", id="details-template-section"):
            yield Static(id="details-template", classes="details-text")
        with Collapsible(title="License", id="details-license-section"):
            yield Static(id="details-license", classes="details-text")

    def on_mount(self) -> None:
        self.clear_model()

    # -- what the screen calls ------------------------------------------------------

    def show_summary(self, model: ModelSummary, now: datetime) -> None:
        """Show what the model list says while ``/api/show`` is asked."""
        self._begin(model)
        self._show_summary(model, None, now)
        self._set_status("Reading details…")
        self._show_sections(None)

    def show_info(self, model: ModelSummary, info: ModelInfo, now: datetime) -> None:
        """Show the full details from ``/api/show``."""
        self._begin(model)
        self.info = info
        self._show_summary(model, info, now)
        self._set_status("")
        self._show_sections(info)

    def show_problem(self, model: ModelSummary, message: str, now: datetime) -> None:
        """Say why the details could not be read, keeping what the list says."""
        self._begin(model)
        self._show_summary(model, None, now)
        self._set_status(f"Could not read details: {message}", problem=True)
        self._show_sections(None)

    def clear_model(self, message: str = "No model selected.") -> None:
        """Show that no model is selected (an empty or fully filtered table)."""
        self.model_name = None
        self.info = None
        self.border_title = "Details"
        self.query_one("#details-summary").display = False
        self._set_status(message)
        self._show_sections(None)

    # -- building -------------------------------------------------------------------

    def _begin(self, model: ModelSummary) -> None:
        if model.name != self.model_name:
            self.scroll_home(animate=False)
            self.text_limit = TEXT_LIMIT
        self.model_name = model.name
        self.info = None
        # A name is server text: plain Content, so "[link=…]" in it is shown, not parsed.
        self.border_title = Content(visible_controls(model.name, multi_line=False))

    def _set(self, selector: str, content: Content | str) -> None:
        self.query_one(selector, Static).update(content)

    def _set_status(self, text: str, *, problem: bool = False) -> None:
        status = self.query_one("#details-status", Static)
        status.update(Content(visible_controls(text)))
        status.set_class(problem, "-problem")
        status.display = bool(text)

    def _show_summary(self, model: ModelSummary, info: ModelInfo | None, now: datetime) -> None:
        values = self._summary_values(model, info, now)
        self.query_one("#details-summary").display = True
        for key, _ in SUMMARY_FIELDS:
            value = values.get(key, "")
            self._set(f"#details-value-{key}", Content(visible_controls(value)))
            self.query_one(f"#details-label-{key}").display = bool(value)
            self.query_one(f"#details-value-{key}").display = bool(value)

    @staticmethod
    def _summary_values(
        model: ModelSummary, info: ModelInfo | None, now: datetime
    ) -> dict[str, str]:
        details = info.details if info is not None else model.details
        capabilities = info.capabilities if info is not None and info.capabilities else ()
        capabilities = capabilities or model.capabilities
        values: dict[str, str] = {"capabilities": ", ".join(capabilities)}
        family = details.family or model.details.family
        others = [name for name in details.families or () if name != family]
        values["family"] = ", ".join(name for name in [family, *others] if name)
        values["parameters"] = details.parameter_size or model.details.parameter_size
        count = info.model_info.get("general.parameter_count") if info is not None else None
        if isinstance(count, int) and not isinstance(count, bool):
            values["parameters"] = f"{values['parameters']} ({count:,})".strip()
        quantization = [
            details.quantization_level or model.details.quantization_level,
            details.format or model.details.format,
        ]
        values["quantization"] = ", ".join(part for part in quantization if part)
        context = info.context_length if info is not None else model.details.context_length
        if context:
            values["context"] = f"{context:,} tokens"
        if model.details.embedding_length:
            values["embedding"] = f"{model.details.embedding_length:,} dimensions"
        values["size"] = human_size(model.size)
        if model.modified_at is not None:
            stamp = model.modified_at.strftime("%Y-%m-%d")
            values["modified"] = f"{relative_time(model.modified_at, now)} ({stamp})"
        values["parent"] = details.parent_model
        if model.remote_host:
            values["remote"] = f"{model.remote_model} on {model.remote_host}"
        values["digest"] = short_digest(model.digest)
        return values

    def _show_sections(self, info: ModelInfo | None) -> None:
        note = self.query_one("#details-note", Static)
        capabilities = (info.capabilities if info is not None else ()) or ()
        if info is not None and is_embedding_only(capabilities):
            note.update("Embedding model: it turns text into vectors for search and cannot chat.")
            note.display = True
        else:
            note.display = False
        sections = {
            "parameters": sorted_parameters(info.parameters) if info is not None else "",
            "system": info.system if info is not None else "",
        }
        was_cut, self._cut = self._cut, False
        for name, text in sections.items():
            self._set(f"#details-{name}", self._long_text(text))
            self.query_one(f"#details-{name}-heading").display = bool(text)
            self.query_one(f"#details-{name}").display = bool(text)
        for name, text in (
            ("template", info.template if info is not None else ""),
            ("license", info.license if info is not None else ""),
        ):
            self._set(f"#details-{name}", self._long_text(text))
            self.query_one(f"#details-{name}-section").display = bool(text)
        if self._cut != was_cut:
            self.refresh_bindings()

    def _long_text(self, text: str) -> Content:
        """``text`` as plain content, cut at :attr:`text_limit` with a note saying so."""
        shown, left_out = cut_text(text, self.text_limit)
        content = Content(visible_controls(shown))
        if not left_out:
            return content
        self._cut = True
        return content + Content.styled(
            f"\n… {left_out:,} more characters: m shows more", "$warning"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # The key is only offered while some text is cut.
        return self._cut if action == "show_more" else True

    def action_show_more(self) -> None:
        """Show :data:`MORE_FACTOR` times as much of each long text."""
        if self.info is not None and self._cut:
            self.text_limit *= MORE_FACTOR
            self._show_sections(self.info)
