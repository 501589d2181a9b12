"""The prompt box: several lines, enter sends, and earlier prompts one key away."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    """A multi-line prompt editor.

    ``enter`` sends; ``ctrl+j``, ``alt+enter`` and ``shift+enter`` (where the terminal reports
    it) start a new line. Pasted text is inserted as it is, so a pasted newline never sends.
    In an empty box, ``up`` and ``down`` walk through earlier prompts.
    """

    HELP_TITLE: ClassVar[str] = "Chat: the prompt"
    """The heading of this class's keys in help (f1)."""

    DEFAULT_CSS = """
    PromptInput {
        height: auto;
        min-height: 3;
        max-height: 12;
        padding: 0 1;
        background: $boost;
        &:focus {
            background: $primary 12%;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Send", id="chat.send", tooltip="Send the prompt"),
        Binding(
            "ctrl+j,alt+enter,shift+enter",
            "newline",
            "New line",
            show=False,
            id="chat.newline",
            tooltip="Start a new line in the prompt",
        ),
        Binding(
            "up",
            "history_previous",
            "Earlier prompt",
            show=False,
            id="chat.history_previous",
            tooltip="In an empty prompt: recall the previous prompt",
        ),
        Binding(
            "down",
            "history_next",
            "Later prompt",
            show=False,
            id="chat.history_next",
            tooltip="While recalling prompts: the next one",
        ),
    ]

    HISTORY_LIMIT: ClassVar[int] = 200
    """Earlier prompts remembered."""

    @dataclass
    class Submitted(Message):
        """The user pressed enter to send the prompt."""

        prompt_input: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            """The prompt box that was submitted."""
            return self.prompt_input

    def __init__(self, *, placeholder: str = "Message", id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=placeholder,
            compact=True,
            highlight_cursor_line=False,
        )
        self._history: list[str] = []
        self._history_index: int | None = None

    # -- history ---------------------------------------------------------------------------------

    def set_history(self, prompts: Iterable[str]) -> None:
        """Replace the earlier prompts (oldest first)."""
        self._history = [prompt for prompt in prompts if prompt.strip()][-self.HISTORY_LIMIT :]
        self._history_index = None

    def remember(self, prompt: str) -> None:
        """Add a sent prompt to the history."""
        if prompt.strip() and (not self._history or self._history[-1] != prompt):
            self._history.append(prompt)
            del self._history[: -self.HISTORY_LIMIT]
        self._history_index = None

    def _recalling(self) -> bool:
        """True while the box shows an unedited earlier prompt."""
        return self._history_index is not None and self.text == self._history[self._history_index]

    def action_history_previous(self) -> None:
        """Recall the previous prompt in an empty box; otherwise move the cursor up."""
        if not self._history or not (self.text == "" or self._recalling()):
            self._history_index = None
            self.action_cursor_up()
            return
        index = len(self._history) if self._history_index is None else self._history_index
        if index == 0:
            return
        self._history_index = index - 1
        self._show(self._history[self._history_index])

    def action_history_next(self) -> None:
        """Step forward through recalled prompts; past the newest, empty the box."""
        if not self._recalling() or self._history_index is None:
            self._history_index = None
            self.action_cursor_down()
            return
        if self._history_index + 1 >= len(self._history):
            self._history_index = None
            self._show("")
            return
        self._history_index += 1
        self._show(self._history[self._history_index])

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)

    # -- keys ------------------------------------------------------------------------------------

    async def _on_key(self, event: events.Key) -> None:
        # TextArea turns enter into a newline before bindings run; enter sends here instead.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()

    def action_submit(self) -> None:
        """Ask the screen to send the prompt."""
        self.post_message(self.Submitted(self, self.text))

    def type_text(self, text: str) -> None:
        """Insert ``text`` at the cursor, replacing any selection, as typing it would."""
        self._history_index = None
        start, end = self.selection
        self.replace(text, start, end, maintain_selection_offset=False)

    def action_newline(self) -> None:
        """Insert a line break at the cursor."""
        self._history_index = None
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)
