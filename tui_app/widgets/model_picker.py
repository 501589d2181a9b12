"""Choosing the model of a chat from the installed models."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui_app.api import ModelSummary
from tui_app.api.names import model_name_problem, same_model
from tui_app.core.formatting import sanitize


def model_label(model: ModelSummary, current: str | None) -> Content:
    """One line of the picker: name, size class, quantisation and capabilities."""
    marker = "● " if current and same_model(model.name, current) else "  "
    details = [
        part for part in (model.details.parameter_size, model.details.quantization_level) if part
    ]
    extras = [cap for cap in model.capabilities if cap not in ("completion",)]
    line = Content(marker) + Content.styled(sanitize(model.name), "bold")
    if details:
        line += Content.styled("  " + " ".join(sanitize(d) for d in details), "$text-muted")
    if extras:
        line += Content.styled("  " + ", ".join(sanitize(e) for e in extras), "$accent")
    return line


class ModelPickerScreen(ModalScreen[str | None]):
    """A filterable list of installed models; returns the chosen name or None.

    Typing narrows the list. A name that is not installed can still be chosen by typing it
    in full and pressing enter: the chat will then offer to pull it.
    """

    DEFAULT_CSS = """
    ModelPickerScreen {
        align: center middle;
    }
    ModelPickerScreen > Vertical {
        width: 70;
        max-width: 95%;
        height: auto;
        max-height: 80%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    ModelPickerScreen .picker-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ModelPickerScreen OptionList {
        height: auto;
        max-height: 20;
    }
    ModelPickerScreen .picker-hint {
        color: $text-muted;
    }
    ModelPickerScreen .picker-error {
        color: $error;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
    ]

    def __init__(self, models: Sequence[ModelSummary], current: str | None) -> None:
        super().__init__()
        self._models = [model for model in models if "embedding" not in model.capabilities]
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Model for this chat", classes="picker-title")
            yield Input(placeholder="filter, or type a model name", id="model-filter")
            yield OptionList(id="model-options")
            yield Static("", classes="picker-error", id="model-error")
            yield Static(
                "enter chooses · escape cancels · models are listed by /api/tags",
                classes="picker-hint",
            )

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#model-error", Static).display = False

    def _fill(self, query: str) -> None:
        options = self.query_one("#model-options", OptionList)
        needle = query.strip().lower()
        matches = [model for model in self._models if needle in model.name.lower()]
        options.clear_options()
        if not self._models:
            options.add_option(
                Option(
                    Content("No models installed: pull one on the pulls screen (f4)"),
                    disabled=True,
                )
            )
            return
        options.add_options(
            Option(model_label(model, self._current), id=model.name) for model in matches
        )
        highlighted = 0
        for index, model in enumerate(matches):
            if self._current and same_model(model.name, self._current):
                highlighted = index
        if matches:
            options.highlighted = highlighted

    @on(Input.Changed, "#model-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.query_one("#model-error", Static).display = False
        self._fill(event.value)

    @on(Input.Submitted, "#model-filter")
    def _choose_typed(self, event: Input.Submitted) -> None:
        options = self.query_one("#model-options", OptionList)
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            if option.id is not None and not option.disabled:
                self.dismiss(option.id)
                return
        name = event.value.strip()
        problem = model_name_problem(name)
        if problem is not None:
            error = self.query_one("#model-error", Static)
            error.update(Content(problem))
            error.display = True
            return
        self.dismiss(name)

    @on(OptionList.OptionSelected, "#model-options")
    def _choose(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        """Move the highlight while typing in the filter."""
        options = self.query_one("#model-options", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        """Close without changing the model."""
        self.dismiss(None)
