"""The dialog asking for a model to create from a local GGUF file."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Label, Select

from tui_app.core.file_create import FileCreate, file_create_problem
from tui_app.screens.dialogs.base import Dialog

QUANTIZE_CHOICES = ("q4_K_M", "q4_K_S", "q8_0")
"""Quantizations offered for F16/F32 weights; unset keeps the file's own."""


class CreateFromFileDialog(Dialog[FileCreate]):
    """Ask for a new model's name, the path of a GGUF file and an optional quantization.

    The file is checked (it exists, it is GGUF) before the dialog closes, so nothing is sent
    for a file that would be refused.
    """

    HELP_TITLE: ClassVar[str] = "Dialogs: create from a file"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "Create", id="models.create_file.confirm"),
    ]

    AUTO_FOCUS = "#create-file-name"

    def __init__(self) -> None:
        super().__init__(
            "Create a model from a GGUF file",
            hint="The file is hashed and uploaded only if the server lacks it · "
            "ctrl+s creates · escape cancels",
        )

    def compose_body(self) -> ComposeResult:
        with Vertical(id="create-file-form"), Grid(classes="dialog-fields"):
            yield Label("Name", classes="dialog-label")
            yield Input(placeholder="name of the new model", id="create-file-name", compact=True)
            yield Label("File", classes="dialog-label")
            yield Input(placeholder="path of a .gguf file", id="create-file-path", compact=True)
            yield Label("Quantize", classes="dialog-label")
            yield Select(
                [(Content(choice), choice) for choice in QUANTIZE_CHOICES],
                prompt="keep the file's",
                compact=True,
                id="create-file-quantize",
            )

    def compose_buttons(self) -> Iterable[Button]:
        yield self.cancel_button()
        yield self.confirm_button("Create")

    def request(self) -> FileCreate:
        """What the form asks for."""
        typed = self.query_one("#create-file-path", Input).value.strip()
        quantize = self.query_one("#create-file-quantize", Select).value
        return FileCreate(
            model=self.query_one("#create-file-name", Input).value.strip(),
            path=Path(typed).expanduser().absolute() if typed else Path(),
            quantize=quantize if isinstance(quantize, str) else None,
        )

    @on(Input.Changed)
    def _changed(self) -> None:
        self.show_error(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        """Check the name and the file, then close with the request."""
        self.check_and_close(self.request())

    @work(exclusive=True, group="create-file-check", exit_on_error=False)
    async def check_and_close(self, request: FileCreate) -> None:
        """Close with ``request`` if it can be sent; else say why, beside the form."""
        if request.path == Path():
            self.show_error("file: give the path of a .gguf file")
            return
        problem = await asyncio.to_thread(file_create_problem, request)
        if problem is not None:
            self.show_error(problem)
            return
        self.dismiss(request)
