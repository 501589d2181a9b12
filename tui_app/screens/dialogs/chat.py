"""Dialogs of the chat screen: system prompt, format, tools, images, code blocks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Button, Input, OptionList, RadioButton, RadioSet, Static, TextArea
from textual.widgets.option_list import Option

from tui_app.core.chat_session import (
    AttachedImage,
    CodeBlock,
    ImageError,
    format_size,
    load_image,
    tools_problem,
)
from tui_app.core.formatting import sanitize
from tui_app.core.options import schema_problem
from tui_app.screens.dialogs.base import Dialog, DialogTextArea


class SystemPromptDialog(Dialog[str]):
    """Edit the chat's system prompt; returns the new text ("" clears it) or None."""

    HELP_TITLE: ClassVar[str] = "Dialogs: system prompt"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Save", id="chat.system.save"),
    ]

    def __init__(self, current: str | None, model_system: str | None = None) -> None:
        super().__init__("System prompt of this chat", hint="ctrl+s saves · escape cancels")
        self._current = current or ""
        self._model_system = model_system or ""

    def compose_body(self) -> ComposeResult:
        yield DialogTextArea(
            self._current,
            id="system-text",
            soft_wrap=True,
            placeholder="Empty: the model's own system prompt is used",
        )
        if self._model_system:
            yield Static(
                Content("The model's own: ")
                + Content.styled(sanitize(self._model_system[:300]), "italic"),
                classes="dialog-note",
            )

    def compose_buttons(self) -> Iterable[Button]:
        yield Button("Clear", id="system-clear", compact=True)
        yield self.cancel_button()
        yield self.confirm_button("Save")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_confirm(self) -> None:
        """Keep the text as the chat's system prompt."""
        self.dismiss(self.query_one("#system-text", TextArea).text)

    @on(Button.Pressed, "#system-clear")
    def _clear(self) -> None:
        self.dismiss("")


@dataclass(frozen=True, slots=True)
class FormatChoice:
    """The ``format`` chosen in :class:`FormatDialog`."""

    value: str | None
    """None (as the global defaults), ``off``, ``json``, or a JSON schema object's text."""


SCHEMA_EXAMPLE = """{
  "type": "object",
  "properties": {
    "answer": {"type": "string"},
    "confidence": {"type": "number"}
  },
  "required": ["answer"]
}"""


class ChoiceSet(RadioSet):
    """A radio set whose cursor starts on the pressed button, not on the first one.

    Otherwise ``enter`` straight after opening would press the first choice and replace
    what was saved.
    """

    def on_mount(self) -> None:
        # RadioSet's own mount handler runs after this one and puts the cursor on the
        # first button; then walk it to the pressed one, as the arrow keys would.
        self.call_next(self._to_pressed)

    def _to_pressed(self) -> None:
        for _ in range(max(self.pressed_index, 0)):
            self.action_next_button()


class FormatDialog(Dialog[FormatChoice]):
    """Choose the chat's reply format: as the global defaults, off, JSON, or a JSON schema
    checked before use."""

    HELP_TITLE: ClassVar[str] = "Dialogs: reply format"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Save", id="chat.format.save"),
    ]

    def __init__(self, current: str | None, inherited: str = "off") -> None:
        super().__init__(
            "Reply format of this chat",
            hint="type or paste a schema · ctrl+s saves · escape cancels",
        )
        self._current = current
        self._inherited = inherited
        """The global default in a word (``off``, ``json``, ``schema``)."""

    def compose_body(self) -> ComposeResult:
        current = self._current
        kind = "default" if not current else current if current in ("off", "json") else "schema"
        with ChoiceSet(id="format-kind"):
            yield RadioButton(
                f"Default: as the global defaults ({self._inherited})",
                value=kind == "default",
                id="format-default",
            )
            yield RadioButton("Off: free text", value=kind == "off", id="format-off")
            yield RadioButton("JSON", value=kind == "json", id="format-json")
            yield RadioButton("JSON schema", value=kind == "schema", id="format-schema")
        schema = self._current if kind == "schema" and self._current else SCHEMA_EXAMPLE
        yield DialogTextArea(schema, id="format-schema-text", language="json", soft_wrap=True)

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button("Save")

    def on_mount(self) -> None:
        self._sync()
        self.query_one(RadioSet).focus()

    def _kind(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return "default"
        return pressed.id.removeprefix("format-")

    @on(RadioSet.Changed)
    def _sync(self) -> None:
        self.query_one("#format-schema-text", TextArea).disabled = self._kind() != "schema"
        self.show_error(None)

    @on(TextArea.Changed, "#format-schema-text")
    def _hide_error(self) -> None:
        self.show_error(None)

    def action_confirm(self) -> None:
        """Check the choice and keep it."""
        kind = self._kind()
        if kind == "default":
            self.dismiss(FormatChoice(None))
        elif kind in ("off", "json"):
            self.dismiss(FormatChoice(kind))
        else:
            text = self.query_one("#format-schema-text", TextArea).text
            problem = schema_problem(text)
            if problem is not None:
                self.show_error(problem)
                return
            self.dismiss(FormatChoice(text.strip()))


TOOLS_EXAMPLE = """[
  {
    "type": "function",
    "function": {
      "name": "get_weather",
      "description": "Get the weather in a city",
      "parameters": {
        "type": "object",
        "required": ["city"],
        "properties": {
          "city": {"type": "string", "description": "City name"}
        }
      }
    }
  }
]"""


class ToolsDialog(Dialog[str]):
    """Give the chat tools as a JSON list, checked before it is kept.

    Returns the list's text (``""`` clears the tools), or None when cancelled.
    """

    HELP_TITLE: ClassVar[str] = "Dialogs: tools"
    """The heading of this class's keys in help (f1)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Save", id="chat.tools.save"),
    ]

    def __init__(self, current: str | None) -> None:
        super().__init__(
            "Tools of this chat",
            hint="a JSON list of functions · ctrl+s saves · escape cancels",
        )
        self._current = current

    def compose_body(self) -> ComposeResult:
        text = TOOLS_EXAMPLE
        if self._current:
            try:
                text = json.dumps(json.loads(self._current), indent=2, ensure_ascii=False)
            except json.JSONDecodeError:
                text = self._current
        if not self._current:
            yield Static(
                "This chat has no tools yet; the text below is an example.",
                classes="dialog-note",
            )
        # Last in the body, so that what is wrong with it shows right under it.
        yield DialogTextArea(text, id="tools-text", language="json", soft_wrap=True)

    def compose_buttons(self) -> Iterable[Button]:
        yield Button("Clear", id="tools-clear", compact=True, disabled=not self._current)
        yield self.cancel_button()
        yield self.confirm_button("Save")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(TextArea.Changed, "#tools-text")
    def _hide_error(self) -> None:
        self.show_error(None)

    def action_confirm(self) -> None:
        """Check the list and keep it; say why not next to the text."""
        text = self.query_one("#tools-text", TextArea).text
        if not text.strip():
            self.dismiss("")
            return
        problem = tools_problem(text)
        if problem is not None:
            self.show_error(problem)
            return
        tools = json.loads(text)
        self.dismiss(json.dumps(tools, ensure_ascii=False) if tools else "")

    @on(Button.Pressed, "#tools-clear")
    def _clear(self) -> None:
        self.dismiss("")


class AttachImageDialog(Dialog[list[AttachedImage]]):
    """Attach an image file by path to the next prompt; returns the new attachment list."""

    def __init__(self, attached: Sequence[AttachedImage], model: str) -> None:
        super().__init__(
            Content("Attach an image for ") + Content.styled(sanitize(model), "bold"),
            hint="enter attaches · escape cancels",
        )
        self._attached = list(attached)
        self._model = model

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="path to a PNG, JPEG, GIF or WEBP file", id="image-path")
        yield Static(self._attached_text(), classes="dialog-note", id="image-list")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button("Remove all", id="image-clear", compact=True, disabled=not self._attached)
        yield self.cancel_button()
        yield self.confirm_button("Attach")

    def _attached_text(self) -> Content:
        if not self._attached:
            return Content("Nothing attached yet.")
        names = ", ".join(
            f"{sanitize(image.name)} ({format_size(image.size)})" for image in self._attached
        )
        return Content(f"Attached: {names}")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#image-path")
    def action_confirm(self) -> None:
        """Attach the file whose path is typed."""
        self.attach_path(self.query_one("#image-path", Input).value)

    @work(exclusive=True, group="attach-image", exit_on_error=False)
    async def attach_path(self, path: str) -> None:
        """Read and check the file, then close with it added, or say what is wrong."""
        try:
            image = await asyncio.to_thread(load_image, path)
        except ImageError as error:
            self.show_error(str(error))
            return
        self.dismiss([*self._attached, image])

    @on(Input.Changed, "#image-path")
    def _hide_error(self) -> None:
        self.show_error(None)

    @on(Button.Pressed, "#image-clear")
    def _clear(self) -> None:
        self.dismiss([])


class CodeBlockDialog(Dialog[int]):
    """Choose one of the code blocks of the conversation; returns its index or None."""

    def __init__(self, blocks: Sequence[tuple[str, CodeBlock]]) -> None:
        super().__init__("Copy which code block?", hint="enter copies · escape cancels")
        self._blocks = list(blocks)

    def compose_body(self) -> ComposeResult:
        yield OptionList(
            *(
                Option(
                    Content.styled(f"{where}  ", "$text-muted")
                    + Content(sanitize(block.describe())),
                    id=str(index),
                )
                for index, (where, block) in enumerate(self._blocks)
            ),
            id="code-blocks",
        )

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button("Copy")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _choose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_confirm(self) -> None:
        """Copy the highlighted block."""
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(highlighted)
