"""Fields of the options form: one setting each, checked as it is typed.

Every field shows its name, an editor, a note and a line of help. The note says why the
text is invalid, or else which value is in force (and where it comes from) and the model's
own default. Fields know nothing about the store: the options screen reads their text,
decides what is in force and tells them with :meth:`OptionField.show_context`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, TextArea

Check = Callable[[str], str | None]
"""A field's validator: the text typed → the reason it is invalid, or None."""


class ReasonValidator(Validator):
    """Adapts a ``text → reason`` check to Textual's validation of an ``Input``."""

    def __init__(self, check: Check) -> None:
        super().__init__()
        self._check = check

    def validate(self, value: str) -> ValidationResult:
        """Fail with the check's reason, if it gives one."""
        reason = self._check(value)
        return self.success() if reason is None else self.failure(reason, value)


class OptionField(Widget):
    """One setting of the options form; subclasses provide the editor.

    Posts :class:`OptionField.Edited` whenever its text changes, whoever changed it.
    """

    DEFAULT_CSS = """
    OptionField {
        height: auto;
        padding: 0 1;
        & > .option-name {
            color: $text;
            text-style: bold;
        }
        & > .option-note {
            color: $text-muted;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        & > .option-help {
            color: $text-muted;
            text-style: italic;
        }
        &.-invalid > .option-note {
            color: $text-error;
            text-style: bold;
        }
        &.-invalid > .option-name {
            color: $text-error;
        }
        &.-warning > .option-note {
            color: $text-warning;
        }
        &:focus-within > .option-name {
            color: $accent;
        }
    }
    """

    class Edited(Message):
        """The field's text changed."""

        def __init__(self, field: OptionField) -> None:
            super().__init__()
            self.field = field
            """The field that changed."""

        @property
        def control(self) -> OptionField:
            """The field that changed (for ``@on`` selectors)."""
            return self.field

    problem: reactive[str | None] = reactive(None, init=False)
    """Why the current text is invalid, or None."""

    def __init__(self, field_name: str, help_text: str, check: Check) -> None:
        super().__init__(id=f"option-{field_name.replace('_', '-')}")
        self.field_name = field_name
        """The option or request field this edits."""
        self.help_text = help_text
        self._check = check
        self._context_note = Content("")
        self._warning: str | None = None

    def compose(self) -> ComposeResult:
        yield Label(Content(self.field_name), classes="option-name")
        yield from self.compose_editor()
        yield Static(classes="option-note")
        yield Static(Content(self.help_text), classes="option-help")

    def compose_editor(self) -> ComposeResult:
        """The widgets that edit the value."""
        yield from ()

    @property
    def text(self) -> str:
        """What is typed or chosen, as the stored text (``""`` when unset)."""
        raise NotImplementedError

    def set_text(self, text: str) -> None:
        """Replace what is typed or chosen."""
        raise NotImplementedError

    def focus_editor(self) -> None:
        """Put the cursor in this field."""
        self.query(".option-editor").first().focus()

    def show_context(self, context: Content, warning: str | None = None) -> None:
        """Show the value in force and the model's default (when the text is valid), after
        ``warning``: a caution about a value that may still be saved."""
        self._context_note = context
        self._warning = warning
        self._refresh_note()

    def check(self) -> str | None:
        """Check the current text, show the reason if any, and return it."""
        self.problem = self._check(self.text)
        return self.problem

    def watch_problem(self) -> None:
        self.set_class(self.problem is not None, "-invalid")
        self._refresh_note()

    def _refresh_note(self) -> None:
        if not self.is_mounted:
            return
        note = self.query_one(".option-note", Static)
        warned = self.problem is None and self._warning is not None
        self.set_class(warned, "-warning")
        if self.problem is not None:
            note.update(Content.assemble("✗ ", self.problem))
        elif self._warning is not None:
            note.update(Content.assemble("⚠ ", self._warning, " · ", self._context_note))
        else:
            note.update(self._context_note)

    def _edited(self) -> None:
        self.check()
        self.post_message(self.Edited(self))


class TextField(OptionField):
    """A one-line text field: numbers, durations."""

    def __init__(self, field_name: str, help_text: str, check: Check) -> None:
        super().__init__(field_name, help_text, check)
        self._input = Input(
            placeholder="unset",
            compact=True,
            validators=[ReasonValidator(check)],
            classes="option-editor",
            select_on_focus=False,
        )

    def compose_editor(self) -> ComposeResult:
        yield self._input

    @property
    def text(self) -> str:
        """The text typed."""
        return self._input.value

    def set_text(self, text: str) -> None:
        """Replace the text typed, cursor at the end."""
        self._input.value = text
        self._input.cursor_position = len(text)

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._edited()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        # Enter in a form moves on, as in most form UIs.
        event.stop()
        self.screen.focus_next()


class StopField(OptionField):
    """Stop strings, one per line; escapes such as ``\\n`` stand for special characters."""

    def __init__(self, field_name: str, help_text: str, check: Check) -> None:
        super().__init__(field_name, help_text, check)
        self._area = TextArea(
            compact=True,
            soft_wrap=False,
            tab_behavior="focus",
            placeholder=Content("one per line"),
            classes="option-editor",
        )

    def compose_editor(self) -> ComposeResult:
        yield self._area

    @property
    def text(self) -> str:
        """The lines typed."""
        return self._area.text

    def set_text(self, text: str) -> None:
        """Replace the lines typed."""
        self._area.load_text(text)

    @on(TextArea.Changed)
    def _area_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._edited()


class ChoiceField(OptionField):
    """One of a few values, or unset."""

    UNSET_PROMPT: ClassVar[str] = "unset"

    def __init__(
        self, field_name: str, help_text: str, check: Check, choices: tuple[str, ...]
    ) -> None:
        super().__init__(field_name, help_text, check)
        self._choices = choices
        self._select: Select[str] = Select(
            [(Content(choice), choice) for choice in choices],
            prompt=self.UNSET_PROMPT,
            allow_blank=True,
            compact=True,
            classes="option-editor",
        )

    def compose_editor(self) -> ComposeResult:
        yield self._select

    @property
    def text(self) -> str:
        """The choice, or ``""`` when unset."""
        value = self._select.value
        return value if isinstance(value, str) else ""

    def set_text(self, text: str) -> None:
        """Choose ``text`` (``""`` for unset).

        A stored value that is not a known choice is still shown (and reported by the check)
        rather than silently lost.
        """
        choices = self._choices if not text or text in self._choices else (*self._choices, text)
        self._select.set_options((Content(choice), choice) for choice in choices)
        self._select.value = text if text else Select.NULL

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._edited()


class FormatField(OptionField):
    """``format``: unset, off, JSON mode, or a JSON schema typed below the choice."""

    OFF = "off"
    JSON = "json"
    SCHEMA = "schema"

    def __init__(self, field_name: str, help_text: str, check: Check, schema_check: Check) -> None:
        super().__init__(field_name, help_text, check)
        self._schema_check = schema_check
        self._select: Select[str] = Select(
            [
                (Content("off"), self.OFF),
                (Content("json"), self.JSON),
                (Content("JSON schema"), self.SCHEMA),
            ],
            prompt=ChoiceField.UNSET_PROMPT,
            allow_blank=True,
            compact=True,
            classes="option-editor",
        )
        self._schema = TextArea(
            compact=True,
            soft_wrap=True,
            tab_behavior="focus",
            placeholder=Content('{"type": "object", "properties": {…}}'),
            classes="option-schema",
        )
        self._schema.display = False

    def compose_editor(self) -> ComposeResult:
        yield self._select

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield self._schema

    @property
    def mode(self) -> str:
        """``off``, ``json``, ``schema`` or ``""`` (unset)."""
        value = self._select.value
        return value if isinstance(value, str) else ""

    @property
    def text(self) -> str:
        """``""``, ``off``, ``json``, or the schema's text."""
        if self.mode == self.SCHEMA:
            return self._schema.text
        return self.mode

    def set_text(self, text: str) -> None:
        """Show a stored format: blank, ``off``, ``json`` or schema text."""
        stripped = text.strip()
        # Another level's schema must not linger, hidden, for the next "JSON schema" choice.
        self._schema.load_text(text if stripped not in ("", self.OFF, self.JSON) else "")
        if not stripped:
            self._select.value = Select.NULL
        elif stripped in (self.OFF, self.JSON):
            self._select.value = stripped
        else:
            self._select.value = self.SCHEMA
        self._schema.display = self.mode == self.SCHEMA

    def check(self) -> str | None:
        """A schema is checked as a schema, so an empty one is not silently "unset"."""
        if self.mode == self.SCHEMA:
            self.problem = self._schema_check(self._schema.text)
            return self.problem
        return super().check()

    @on(Select.Changed)
    def _mode_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._schema.display = self.mode == self.SCHEMA
        self._edited()

    @on(TextArea.Changed)
    def _schema_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.mode == self.SCHEMA:
            self._edited()
