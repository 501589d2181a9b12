"""Dialogs of the model browser: confirm delete, copy to a name, pull by name, create a model.

Each checks what the user typed as they type it (model names against Ollama's
grammar, parameters against the option specs) and can only be confirmed once
everything is valid, so nothing malformed is ever sent.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, Static, TextArea

from tui_app.api.names import model_name_problem, normalise_model_name, same_model
from tui_app.core.formatting import human_size, visible_controls
from tui_app.core.options import parameter_lines, parse_parameter_lines

NameCheck = Callable[[str], str | None]
"""Says why a name cannot be used, or returns None when it can."""


def _plain(text: str) -> str:
    return visible_controls(text, multi_line=False)


def suggested_name(source: str, suffix: str = "copy") -> str:
    """A name for a model made from ``source``: ``llama3.2:latest`` → ``llama3.2-copy:latest``."""
    text = source.strip()
    colon, slash = text.rfind(":"), text.rfind("/")
    if colon > slash:
        return f"{text[:colon]}-{suffix}{text[colon:]}"
    return f"{text}-{suffix}"


def new_name_problem(name: str, existing: Collection[str]) -> str | None:
    """Why ``name`` cannot be the name of a new model: bad grammar, or already taken.

    ``existing`` holds installed names; Ollama silently replaces a model when a copy
    or create reuses its name, so that is refused here rather than risked.
    """
    problem = model_name_problem(name)
    if problem is not None:
        return problem
    if any(same_model(name, other) for other in existing):
        return f"{normalise_model_name(name.strip())} is already installed: pick another name"
    return None


# -- dialogs ------------------------------------------------------------------------------

ResultType = TypeVar("ResultType")


class ModelDialog(ModalScreen[ResultType]):
    """A centred dialog box; the looks every model dialog shares."""

    DEFAULT_CSS = """
    ModelDialog {
        align: center middle;
    }
    ModelDialog .model-dialog {
        width: 72;
        max-width: 95%;
        height: auto;
        max-height: 95%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    ModelDialog .dialog-question {
        margin-top: 1;
    }
    ModelDialog .dialog-label {
        color: $text-muted;
    }
    ModelDialog .dialog-hint {
        color: $text-muted;
        margin-top: 1;
    }
    ModelDialog .dialog-problem {
        color: $error;
        height: auto;
    }
    ModelDialog .dialog-fields {
        layout: grid;
        grid-size: 2;
        grid-columns: 8 1fr;
        grid-rows: auto;
        height: auto;
        margin-top: 1;
    }
    ModelDialog TextArea {
        height: 3;
        margin-bottom: 1;
    }
    ModelDialog #create-parameters {
        height: 4;
    }
    ModelDialog .dialog-buttons {
        height: auto;
        margin: 1 0;
        align-horizontal: right;
    }
    ModelDialog .dialog-buttons Button {
        margin-left: 2;
    }
    """


class ConfirmDeleteDialog(ModelDialog[bool]):
    """Ask before deleting a model; names the model and the space it takes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "Keep it"),
        Binding("y", "confirm", "Delete"),
    ]

    def __init__(self, model: str, size: int) -> None:
        super().__init__()
        self.model = model
        self.model_size = size

    def compose(self) -> ComposeResult:
        with Vertical(classes="model-dialog", id="delete-dialog") as dialog:
            dialog.border_title = "Delete model"
            yield Static(
                Content.assemble(
                    "Delete ",
                    (_plain(self.model), "bold"),
                    f" ({human_size(self.model_size)} on disk)?",
                ),
                classes="dialog-question",
            )
            yield Static(
                "It is removed from disk; pulling it again downloads it again.",
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete", variant="error", id="confirm-delete", compact=True)
                yield Button("Cancel", id="cancel-delete", compact=True)

    def on_mount(self) -> None:
        # Cancel has focus, so a stray enter never deletes.
        self.query_one("#cancel-delete", Button).focus()

    @on(Button.Pressed, "#confirm-delete")
    def action_confirm(self) -> None:
        """Delete."""
        self.dismiss(True)

    @on(Button.Pressed, "#cancel-delete")
    def action_cancel(self) -> None:
        """Keep the model."""
        self.dismiss(False)


class ModelNameDialog(ModelDialog[str | None]):
    """Ask for one model name, checked as it is typed; returns it, or None if cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        *,
        title: str,
        prompt: str,
        confirm_label: str,
        check: NameCheck,
        value: str = "",
        placeholder: str = "",
        hint: str = "",
        dialog_id: str = "name-dialog",
    ) -> None:
        super().__init__()
        self._title = title
        self._prompt = prompt
        self._confirm_label = confirm_label
        self._check = check
        self._value = value
        self._placeholder = placeholder
        self._hint = hint
        self._dialog_id = dialog_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="model-dialog", id=self._dialog_id) as dialog:
            dialog.border_title = self._title
            yield Label(self._prompt, classes="dialog-question")
            yield Input(self._value, placeholder=self._placeholder, id="name-input", compact=True)
            yield Static(id="name-problem", classes="dialog-problem")
            if self._hint:
                yield Static(self._hint, classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    self._confirm_label, variant="primary", id="confirm-name", compact=True
                )
                yield Button("Cancel", id="cancel-name", compact=True)

    def on_mount(self) -> None:
        self._validate(self._value)
        self.query_one("#name-input", Input).focus()

    def _validate(self, value: str) -> bool:
        problem = self._check(value)
        label = self.query_one("#name-problem", Static)
        # An empty field is not an error yet; it just cannot be confirmed.
        label.update(_plain(problem) if problem and value.strip() else "")
        self.query_one("#confirm-name", Button).disabled = problem is not None
        return problem is None

    @on(Input.Changed, "#name-input")
    def _changed(self, event: Input.Changed) -> None:
        self._validate(event.value)

    @on(Input.Submitted, "#name-input")
    @on(Button.Pressed, "#confirm-name")
    def action_confirm(self) -> None:
        """Return the name if it is valid."""
        value = self.query_one("#name-input", Input).value
        if self._validate(value):
            self.dismiss(value.strip())
        else:
            problem = self._check(value)
            self.query_one("#name-problem", Static).update(_plain(problem or ""))

    @on(Button.Pressed, "#cancel-name")
    def action_cancel(self) -> None:
        """Close without a name."""
        self.dismiss(None)


def copy_dialog(source: str, existing: Collection[str]) -> ModelNameDialog:
    """The dialog asking for the name of a copy of ``source``."""
    return ModelNameDialog(
        title=f"Copy {_plain(source)}",
        prompt="Name of the copy",
        confirm_label="Copy",
        check=lambda name: new_name_problem(name, existing),
        value=suggested_name(source),
        placeholder="e.g. myllama:latest",
        hint="A copy shares the files of the original: it takes no extra space.",
        dialog_id="copy-dialog",
    )


def pull_dialog() -> ModelNameDialog:
    """The dialog asking which model to pull."""
    return ModelNameDialog(
        title="Pull a model",
        prompt="Model to pull from its registry",
        confirm_label="Pull",
        check=model_name_problem,
        placeholder="e.g. llama3.2, qwen3:8b, hf.co/namespace/model:tag",
        hint="Progress is shown on the pulls screen (f4). "
        "Pulling an installed model again fetches any update.",
        dialog_id="pull-dialog",
    )


@dataclass(frozen=True, slots=True)
class CreateRequest:
    """What the create dialog asks for: a new model derived from another."""

    name: str
    from_: str
    system: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


class CreateModelDialog(ModelDialog[CreateRequest | None]):
    """Ask for a derived model: new name, base model, system prompt and parameters."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "confirm", "Create", id="models.create.confirm"),
    ]

    def __init__(
        self,
        *,
        from_: str,
        system: str,
        parameters: Mapping[str, Any],
        existing: Collection[str],
        source_note: str = "",
    ) -> None:
        super().__init__()
        self._from = from_
        self._system = system
        self._parameters = parameter_lines(parameters)
        self._existing = tuple(existing)
        self._source_note = source_note

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="model-dialog", id="create-dialog") as dialog:
            dialog.border_title = "Create a model"
            if self._source_note:
                yield Static(_plain(self._source_note), classes="dialog-hint")
            with Grid(classes="dialog-fields"):
                yield Label("Name", classes="dialog-label")
                yield Input(
                    suggested_name(self._from, "custom") if self._from else "",
                    placeholder="name of the new model",
                    id="create-name",
                    compact=True,
                )
                yield Label("From", classes="dialog-label")
                yield Input(
                    self._from,
                    placeholder="an installed model",
                    id="create-from",
                    compact=True,
                    suggester=SuggestFromList(self._existing, case_sensitive=False),
                )
            yield Label("System prompt (empty keeps the base model's)", classes="dialog-label")
            yield TextArea(self._system, id="create-system", compact=True, soft_wrap=True)
            yield Label("Parameters, one per line: name value", classes="dialog-label")
            yield TextArea(
                self._parameters,
                id="create-parameters",
                compact=True,
                placeholder="temperature 0.7\nnum_ctx 8192",
            )
            yield Static(id="create-problems", classes="dialog-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create", variant="primary", id="confirm-create", compact=True)
                yield Button("Cancel", id="cancel-create", compact=True)

    def on_mount(self) -> None:
        self._validate()
        self.query_one("#create-name", Input).focus()

    def problems(self) -> list[str]:
        """Everything that stops the form from being sent, one line each."""
        name = self.query_one("#create-name", Input).value
        base = self.query_one("#create-from", Input).value
        problems = []
        name_problem = new_name_problem(name, self._existing)
        if name_problem:
            problems.append(f"name: {name_problem}")
        base_problem = model_name_problem(base)
        if base_problem:
            problems.append(f"from: {base_problem}")
        _, parameter_problems = parse_parameter_lines(
            self.query_one("#create-parameters", TextArea).text
        )
        problems.extend(parameter_problems)
        return problems

    def _validate(self) -> bool:
        problems = self.problems()
        shown = Content("\n").join(_plain(problem) for problem in problems)
        self.query_one("#create-problems", Static).update(shown)
        self.query_one("#confirm-create", Button).disabled = bool(problems)
        return not problems

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._validate()

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm-create")
    def action_confirm(self) -> None:
        """Return the request if the form is valid."""
        if not self._validate():
            return
        parameters, _ = parse_parameter_lines(self.query_one("#create-parameters", TextArea).text)
        system = self.query_one("#create-system", TextArea).text.strip()
        self.dismiss(
            CreateRequest(
                name=self.query_one("#create-name", Input).value.strip(),
                from_=self.query_one("#create-from", Input).value.strip(),
                system=system or None,
                parameters=parameters,
            )
        )

    @on(Button.Pressed, "#cancel-create")
    def action_cancel(self) -> None:
        """Close without creating anything."""
        self.dismiss(None)
