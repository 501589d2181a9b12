"""Dialogs of the chat screen: system prompt, format, images, code blocks, pulling a model."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, RadioButton, RadioSet, Static, TextArea
from textual.widgets.option_list import Option

from tui_app.core.chat_session import (
    AttachedImage,
    CodeBlock,
    ImageError,
    format_size,
    load_image,
)
from tui_app.core.formatting import sanitize
from tui_app.core.options import schema_problem

ResultT = TypeVar("ResultT")


class ChatDialog(ModalScreen[ResultT]):
    """The frame every chat dialog shares: a bordered box in the middle of the screen with
    a title, hints, an error line and buttons at the right. Subclasses add their own CSS."""

    DEFAULT_CSS = """
    ChatDialog {
        align: center middle;
    }
    ChatDialog > VerticalScroll {
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    ChatDialog .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ChatDialog .dialog-hint {
        color: $text-muted;
    }
    ChatDialog .dialog-error {
        color: $error;
    }
    ChatDialog .dialog-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    ChatDialog .dialog-buttons Button {
        margin-left: 1;
    }
"""


class SystemPromptDialog(ChatDialog[str | None]):
    """Edit the chat's system prompt; returns the new text ("" clears it) or None."""

    DEFAULT_CSS = """
    SystemPromptDialog TextArea {
        height: auto;
        min-height: 5;
        max-height: 12;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="chat.system.save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, current: str | None, model_system: str | None = None) -> None:
        super().__init__()
        self._current = current or ""
        self._model_system = model_system or ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static("System prompt of this chat", classes="dialog-title")
            yield TextArea(
                self._current,
                id="system-text",
                soft_wrap=True,
                placeholder="Empty: the model's own system prompt is used",
            )
            if self._model_system:
                yield Static(
                    Content("The model's own: ")
                    + Content.styled(sanitize(self._model_system[:300]), "italic"),
                    classes="dialog-hint",
                )
            yield Static("ctrl+s saves · escape cancels", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Clear", id="system-clear")
                yield Button("Cancel", id="system-cancel")
                yield Button("Save", id="system-save", variant="primary")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#system-save")
    def action_save(self) -> None:
        """Keep the text as the chat's system prompt."""
        self.dismiss(self.query_one("#system-text", TextArea).text)

    @on(Button.Pressed, "#system-clear")
    def _clear(self) -> None:
        self.dismiss("")

    @on(Button.Pressed, "#system-cancel")
    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)


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


class FormatDialog(ChatDialog[FormatChoice | None]):
    """Choose the chat's reply format: as the global defaults, off, JSON, or a JSON schema
    checked before use."""

    DEFAULT_CSS = """
    FormatDialog RadioSet {
        width: 1fr;
        margin-bottom: 1;
    }
    FormatDialog TextArea {
        height: auto;
        min-height: 5;
        max-height: 12;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="chat.format.save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, current: str | None, inherited: str = "off") -> None:
        super().__init__()
        self._current = current
        self._inherited = inherited
        """The global default in a word (``off``, ``json``, ``schema``)."""

    def compose(self) -> ComposeResult:
        current = self._current
        kind = "default" if not current else current if current in ("off", "json") else "schema"
        with VerticalScroll(can_focus=False):
            yield Static("Reply format of this chat", classes="dialog-title")
            with RadioSet(id="format-kind"):
                yield RadioButton(
                    f"Default: as the global defaults ({self._inherited})",
                    value=kind == "default",
                    id="format-default",
                )
                yield RadioButton("Off: free text", value=kind == "off", id="format-off")
                yield RadioButton("JSON", value=kind == "json", id="format-json")
                yield RadioButton("JSON schema", value=kind == "schema", id="format-schema")
            schema = self._current if kind == "schema" and self._current else SCHEMA_EXAMPLE
            yield TextArea(schema, id="format-schema-text", language="json", soft_wrap=True)
            yield Static("", classes="dialog-error", id="format-error")
            yield Static(
                "type or paste a schema · ctrl+s saves · escape cancels", classes="dialog-hint"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="format-cancel")
                yield Button("Save", id="format-save", variant="primary")

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
        self.query_one("#format-error", Static).display = False

    @on(TextArea.Changed, "#format-schema-text")
    def _hide_error(self) -> None:
        self.query_one("#format-error", Static).display = False

    @on(Button.Pressed, "#format-save")
    def action_save(self) -> None:
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
                error = self.query_one("#format-error", Static)
                error.update(Content(problem))
                error.display = True
                return
            self.dismiss(FormatChoice(text.strip()))

    @on(Button.Pressed, "#format-cancel")
    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)


class AttachImageDialog(ChatDialog[list[AttachedImage] | None]):
    """Attach an image file by path to the next prompt; returns the new attachment list."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, attached: Sequence[AttachedImage], model: str) -> None:
        super().__init__()
        self._attached = list(attached)
        self._model = model

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static(
                Content("Attach an image for ") + Content.styled(sanitize(self._model), "bold"),
                classes="dialog-title",
            )
            yield Input(placeholder="path to a PNG, JPEG, GIF or WEBP file", id="image-path")
            yield Static("", classes="dialog-error", id="image-error")
            yield Static(self._attached_text(), classes="dialog-hint", id="image-list")
            yield Static("enter attaches · escape cancels", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Remove all", id="image-clear", disabled=not self._attached)
                yield Button("Cancel", id="image-cancel")
                yield Button("Attach", id="image-attach", variant="primary")

    def _attached_text(self) -> Content:
        if not self._attached:
            return Content("Nothing attached yet.")
        names = ", ".join(
            f"{sanitize(image.name)} ({format_size(image.size)})" for image in self._attached
        )
        return Content(f"Attached: {names}")

    def on_mount(self) -> None:
        self.query_one("#image-error", Static).display = False
        self.query_one(Input).focus()

    @on(Input.Submitted, "#image-path")
    @on(Button.Pressed, "#image-attach")
    def _attach_requested(self) -> None:
        self.attach_path(self.query_one("#image-path", Input).value)

    @work(exclusive=True, group="attach-image", exit_on_error=False)
    async def attach_path(self, path: str) -> None:
        """Read and check the file, then close with it added, or say what is wrong."""
        try:
            image = await asyncio.to_thread(load_image, path)
        except ImageError as error:
            message = self.query_one("#image-error", Static)
            message.update(Content(str(error)))
            message.display = True
            return
        self.dismiss([*self._attached, image])

    @on(Input.Changed, "#image-path")
    def _hide_error(self) -> None:
        self.query_one("#image-error", Static).display = False

    @on(Button.Pressed, "#image-clear")
    def _clear(self) -> None:
        self.dismiss([])

    @on(Button.Pressed, "#image-cancel")
    def action_cancel(self) -> None:
        """Close without changes."""
        self.dismiss(None)


class CodeBlockDialog(ChatDialog[int | None]):
    """Choose one of the code blocks of the conversation; returns its index or None."""

    DEFAULT_CSS = """
    CodeBlockDialog OptionList {
        height: auto;
        max-height: 16;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, blocks: Sequence[tuple[str, CodeBlock]]) -> None:
        super().__init__()
        self._blocks = list(blocks)

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static("Copy which code block?", classes="dialog-title")
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
            yield Static("enter copies · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _choose(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        """Close without copying."""
        self.dismiss(None)


class PullOfferDialog(ChatDialog[bool]):
    """The model is not installed: say so in the server's words and offer to pull it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Not now")]

    def __init__(self, model: str, server_message: str) -> None:
        super().__init__()
        self._model = model
        self._server_message = server_message

    def compose(self) -> ComposeResult:
        with VerticalScroll(can_focus=False):
            yield Static("Model not installed", classes="dialog-title")
            yield Static(
                Content("Ollama said: ") + Content.styled(sanitize(self._server_message), "bold")
            )
            yield Static(
                Content("Pull ")
                + Content.styled(sanitize(self._model), "bold")
                + Content(" now? Progress shows on the pulls screen (f4)."),
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Not now", id="pull-cancel")
                yield Button("Pull", id="pull-start", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pull-start", Button).focus()

    @on(Button.Pressed, "#pull-start")
    def _pull(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#pull-cancel")
    def action_cancel(self) -> None:
        """Close without pulling."""
        self.dismiss(False)
