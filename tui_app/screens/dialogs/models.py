"""Dialogs of models: create a derived model, name a copy or a pull, pick a chat's model.

Each checks what the user typed as they type it (model names against Ollama's
grammar, parameters against the option specs) and can only be confirmed once
everything is valid, so nothing malformed is ever sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui_app.api import ModelSummary
from tui_app.api.names import model_name_problem, normalise_model_name, same_model
from tui_app.core.formatting import sanitize, visible_controls
from tui_app.core.options import parameter_lines, parse_parameter_lines
from tui_app.screens.dialogs.base import Dialog, DialogTextArea
from tui_app.screens.dialogs.name import NameDialog


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


def copy_dialog(source: str, existing: Collection[str]) -> NameDialog:
    """The dialog asking for the name of a copy of ``source``."""
    return NameDialog(
        title=f"Copy {_plain(source)}",
        prompt="Name of the copy",
        initial=suggested_name(source),
        check=lambda name: new_name_problem(name, existing),
        placeholder="e.g. myllama:latest",
        hint="A copy shares the files of the original: it takes no extra space.",
        confirm_label="Copy",
    )


def pull_dialog() -> NameDialog:
    """The dialog asking which model to pull."""
    return NameDialog(
        title="Pull a model",
        prompt="Model to pull from its registry",
        check=model_name_problem,
        placeholder="e.g. llama3.2, qwen3:8b, hf.co/namespace/model:tag",
        hint="Progress is shown on the pulls screen (f4). "
        "Pulling an installed model again fetches any update.",
        confirm_label="Pull",
    )


@dataclass(frozen=True, slots=True)
class CreateRequest:
    """What the create dialog asks for: a new model derived from another."""

    name: str
    from_: str
    system: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)


class CreateModelDialog(Dialog[CreateRequest]):
    """Ask for a derived model: new name, base model, system prompt and parameters."""

    HELP_TITLE: ClassVar[str] = "Dialogs: create a model"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
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
        super().__init__("Create a model", hint="ctrl+s creates · escape cancels")
        self._from = from_
        self._system = system
        self._parameters = parameter_lines(parameters)
        self._existing = tuple(existing)
        self._source_note = source_note

    def compose_body(self) -> ComposeResult:
        with Vertical(id="create-form"):
            if self._source_note:
                yield Static(Content(_plain(self._source_note)), classes="dialog-note")
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
            yield DialogTextArea(self._system, id="create-system", compact=True, soft_wrap=True)
            yield Label("Parameters, one per line: name value", classes="dialog-label")
            yield DialogTextArea(
                self._parameters,
                id="create-parameters",
                compact=True,
                placeholder="temperature 0.7\nnum_ctx 8192",
            )

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button("Create")

    def on_mount(self) -> None:
        self._validate()
        self.query_one("#create-name", Input).focus()

    def problems(self) -> list[str]:
        """Everything that stops the form from being sent, one line each."""
        return [problem for _, problem in self._problems()]

    def _problems(self) -> list[tuple[bool, str]]:
        """Each problem, with whether its field is still blank (not worth a word yet)."""
        name = self.query_one("#create-name", Input).value
        base = self.query_one("#create-from", Input).value
        problems: list[tuple[bool, str]] = []
        name_problem = new_name_problem(name, self._existing)
        if name_problem:
            problems.append((not name.strip(), f"name: {name_problem}"))
        base_problem = model_name_problem(base)
        if base_problem:
            problems.append((not base.strip(), f"from: {base_problem}"))
        _, parameter_problems = parse_parameter_lines(
            self.query_one("#create-parameters", TextArea).text
        )
        problems.extend((False, problem) for problem in parameter_problems)
        return problems

    def _validate(self, *, blanks_too: bool = False) -> bool:
        problems = self._problems()
        # A field left blank cannot be sent, but saying so in red before anything was
        # typed reads as a complaint; it is said when the user tries to create.
        shown = Content("\n").join(
            _plain(problem) for blank, problem in problems if blanks_too or not blank
        )
        self.show_error(shown)
        self.button("confirm").disabled = bool(problems)
        return not problems

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        self._validate()

    @on(Input.Submitted)
    def action_confirm(self) -> None:
        """Return the request if the form is valid."""
        if not self._validate(blanks_too=True):
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


# -- choosing the model of a chat ---------------------------------------------------------


CapabilityLookup = Callable[[str], Awaitable[tuple[str, ...] | None]]
"""Says what a model can do (``/api/show`` capabilities, cached), or None if it cannot tell."""

SHOWN_CAPABILITIES = ("vision", "thinking", "tools", "embedding")
"""Capabilities worth a word in the picker, in this order."""


def cannot_chat(capabilities: Collection[str]) -> bool:
    """True for a model that only makes embeddings: it has no chat template to answer with."""
    return "embedding" in capabilities and "completion" not in capabilities


def model_label(
    model: ModelSummary, current: str | None, capabilities: Collection[str] | None = None
) -> Content:
    """One line of the picker: name, size class, quantisation and capabilities."""
    marker = "● " if current and same_model(model.name, current) else "  "
    details = [
        part for part in (model.details.parameter_size, model.details.quantization_level) if part
    ]
    caps = model.capabilities if capabilities is None else capabilities
    extras = [cap for cap in SHOWN_CAPABILITIES if cap in caps]
    line = Content(marker) + Content.styled(sanitize(model.name), "bold")
    if details:
        line += Content.styled("  " + " ".join(sanitize(d) for d in details), "$text-muted")
    if extras:
        line += Content.styled("  " + ", ".join(extras), "$accent")
    if cannot_chat(caps):
        line += Content.styled("  embedding only: cannot chat", "$text-muted italic")
    return line


class ModelPickerDialog(Dialog[str]):
    """A filterable list of installed models with what each can do; returns the chosen name.

    Typing narrows the list. Capabilities come from the list when the server puts them
    there, else from ``/api/show`` through ``capabilities`` (asked once the dialog is up,
    answers cached by the app). Embedding-only models are listed last, greyed out, with
    the reason they cannot chat. A name that is not installed can still be chosen by
    typing it in full and pressing enter: the chat will then offer to pull it.
    """

    HELP_TITLE: ClassVar[str] = "Dialogs: the model picker"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)", "Next", show=False, id="dialog.next", tooltip="The next one"),
        Binding(
            "up", "move(-1)", "Previous", show=False, id="dialog.previous", tooltip="The one before"
        ),
    ]

    def __init__(
        self,
        models: Sequence[ModelSummary],
        current: str | None,
        capabilities: CapabilityLookup | None = None,
    ) -> None:
        super().__init__(
            "Model for this chat",
            hint="enter chooses · escape cancels · models are listed by /api/tags",
        )
        self._models = list(models)
        self._current = current
        self._lookup = capabilities
        self._capabilities: dict[str, tuple[str, ...]] = {
            model.name: model.capabilities for model in models if model.capabilities
        }

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="filter, or type a model name", id="model-filter")
        yield OptionList(id="model-options")

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button("Choose")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#model-filter", Input).focus()
        if self._lookup is not None and len(self._capabilities) < len(self._models):
            self._ask_capabilities()

    @work(exclusive=True, group="picker-capabilities", exit_on_error=False)
    async def _ask_capabilities(self) -> None:
        """Ask what each model can do, then redraw the list with the answers."""
        lookup = self._lookup
        assert lookup is not None
        missing = [m.name for m in self._models if m.name not in self._capabilities]
        answers = await asyncio.gather(*(lookup(name) for name in missing))
        for name, answer in zip(missing, answers, strict=True):
            if answer is not None:
                self._capabilities[name] = answer
        self._fill(self.query_one("#model-filter", Input).value)

    def _can_chat(self, model: ModelSummary) -> bool:
        return not cannot_chat(self._capabilities.get(model.name, ()))

    def _fill(self, query: str) -> None:
        options = self.query_one("#model-options", OptionList)
        needle = query.strip().lower()
        matches = [model for model in self._models if needle in model.name.lower()]
        # Those that cannot chat go last, so the cursor starts on one that can.
        matches.sort(key=lambda model: not self._can_chat(model))
        highlighted = options.highlighted
        kept = (
            options.get_option_at_index(highlighted).id
            if highlighted is not None and highlighted < options.option_count
            else None
        )
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
            Option(
                model_label(model, self._current, self._capabilities.get(model.name, ())),
                id=model.name,
                disabled=not self._can_chat(model),
            )
            for model in matches
        )
        choosable = [index for index, model in enumerate(matches) if self._can_chat(model)]
        if not choosable:
            return
        highlighted = choosable[0]
        for index in choosable:
            name = matches[index].name
            if (kept and name == kept) or (
                not kept and self._current and same_model(name, self._current)
            ):
                highlighted = index
        options.highlighted = highlighted

    @on(Input.Changed, "#model-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self.show_error(None)
        self._fill(event.value)

    @on(Input.Submitted, "#model-filter")
    def action_confirm(self) -> None:
        """Choose the highlighted model, or else the name typed in the filter."""
        options = self.query_one("#model-options", OptionList)
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            if option.id is not None and not option.disabled:
                self.dismiss(option.id)
                return
        name = self.query_one("#model-filter", Input).value.strip()
        problem = model_name_problem(name)
        if problem is None:
            for model in self._models:
                if same_model(model.name, name) and not self._can_chat(model):
                    problem = f"{model.name} only makes embeddings: it cannot chat."
        if problem is not None:
            self.show_error(problem)
            return
        self.dismiss(name)

    @on(OptionList.OptionSelected, "#model-options")
    def _choose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        """Move the highlight while typing in the filter."""
        options = self.query_one("#model-options", OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()
