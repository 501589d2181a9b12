"""Every dialog shares one frame, and each fits a small terminal with its buttons in reach."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from tests.helpers import until
from tui_app.app import OllamaTUI
from tui_app.core.chat_session import AttachedImage, CodeBlock
from tui_app.screens import dialogs
from tui_app.screens.dialogs import (
    AttachImageDialog,
    CodeBlockDialog,
    ConfirmDialog,
    CreateFromFileDialog,
    CreateModelDialog,
    Dialog,
    ExportChatDialog,
    FormatDialog,
    HelpDialog,
    HostChoiceDialog,
    ModelPickerDialog,
    NameDialog,
    SaveExchangeDialog,
    SearchChatsDialog,
    SystemPromptDialog,
    ToolsDialog,
    copy_dialog,
    pull_dialog,
)
from tui_app.screens.dialogs.chat import SCHEMA_EXAMPLE
from tui_app.screens.dialogs.help import binding_groups

AppFactory = Callable[..., OllamaTUI]


async def shown(pilot: Pilot[None], dialog: Dialog[Any]) -> None:
    """Wait until ``dialog`` is on top with its buttons mounted."""
    await until(pilot, lambda: pilot.app.screen is dialog and dialog.query("#cancel"))
    await pilot.pause()


LONG = "a title that goes on for quite a while, " * 4

PARAMETERS = {
    "temperature": 0.7,
    "num_ctx": 8192,
    "top_k": 40,
    "top_p": 0.9,
    "seed": 42,
    "stop": ["<|end|>", "User:", "###"],
}


def _help(app: OllamaTUI) -> HelpDialog:
    groups: list[tuple[str, Any]] = list(binding_groups())
    return HelpDialog(groups)


# Each dialog as the app shows it, with contents on the large side.
DIALOGS: dict[str, Callable[[OllamaTUI], Dialog[Any]]] = {
    "confirm": lambda app: ConfirmDialog(
        f"Delete “{LONG}”?",
        "The chat and its 42 messages will be deleted. This cannot be undone.",
    ),
    "offer": lambda app: ConfirmDialog(
        "Pull nosuchmodel now?",
        f"Ollama said: {LONG}\nProgress shows on the pulls screen (f4).",
        confirm_label="Pull",
        danger=False,
    ),
    "rename": lambda app: NameDialog("Rename chat", LONG),
    "copy": lambda app: copy_dialog("llama3.2:latest", [model.name for model in app.models]),
    "pull": lambda app: pull_dialog(),
    "system prompt": lambda app: SystemPromptDialog("Be brief.\n" * 20, "You help. " * 60),
    "format": lambda app: FormatDialog(SCHEMA_EXAMPLE),
    "tools": lambda app: ToolsDialog(None),
    "attach image": lambda app: AttachImageDialog(
        [AttachedImage(f"photo-{index}.png", "", 123_456, "PNG") for index in range(12)],
        "llava:7b",
    ),
    "code block": lambda app: CodeBlockDialog(
        [(f"{age + 2} replies back", CodeBlock("python", "print(1)\n" * age)) for age in range(30)]
    ),
    "model picker": lambda app: ModelPickerDialog(app.models, "llama3.2:latest"),
    "create": lambda app: CreateModelDialog(
        from_="llama3.2:latest",
        system="Talk like a pirate.\n" * 12,
        parameters=PARAMETERS,
        existing=[model.name for model in app.models],
        source_note=f"System prompt and parameters from the chat “{LONG}”.",
    ),
    "export": lambda app: ExportChatDialog(LONG, "~/" + "long-name-" * 12 + ".md", "# x"),
    "search": lambda app: SearchChatsDialog(app.services.store),
    "create from file": lambda app: CreateFromFileDialog(),
    "save exchange": lambda app: SaveExchangeDialog("~/" + "long-name-" * 12 + ".md", "# x"),
    "host": lambda app: HostChoiceDialog(
        "Pull " + LONG + " onto which host?",
        [("gpu-" * 20, app.connection), ("laptop", app.connection)],
        confirm_label="Pull",
    ),
    "help": _help,
}


def _subclasses(cls: type[Any]) -> Iterator[type[Any]]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_every_dialog_of_the_package_is_checked(make_app: AppFactory) -> None:
    app = make_app()
    checked = {type(build(app)) for build in DIALOGS.values()}
    exported = {getattr(dialogs, name) for name in dialogs.__all__}
    every = {cls for cls in _subclasses(Dialog) if cls.__module__.startswith(dialogs.__name__)}
    assert every <= exported
    assert checked == every


@pytest.mark.parametrize("name", DIALOGS)
async def test_every_dialog_fits_at_80_by_24(make_app: AppFactory, name: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.models)
        dialog = DIALOGS[name](app)
        app.push_screen(dialog)
        await shown(pilot, dialog)
        whole = Region(0, 0, 80, 24)
        frame = dialog.query_one(".dialog").region
        assert whole.contains_region(frame)
        buttons = list(dialog.query(Button))
        assert any(button.id == "cancel" for button in buttons)
        for button in buttons:
            assert frame.contains_region(button.region), button
            # Nothing covers it: a click there lands on the button.
            region = button.region
            middle = (region.x + region.width // 2, region.y + region.height // 2)
            assert dialog.get_widget_at(*middle)[0] is button, button
        await pilot.click("#cancel")
        await until(pilot, lambda: app.screen is not dialog)


async def test_escape_closes_with_none_and_errors_show_in_the_frame(
    make_app: AppFactory,
) -> None:
    app = make_app()
    results: list[object] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.models)
        dialog = NameDialog(
            "Name it", check=lambda name: None if name.strip() else "A name, please."
        )
        app.push_screen(dialog, results.append)
        await shown(pilot, dialog)
        error = dialog.query_one("#dialog-error", Static)
        assert not error.display  # a blank field is not an error yet
        assert dialog.query_one("#confirm", Button).disabled
        await pilot.press("enter")
        assert error.display and str(error.render()) == "A name, please."
        await pilot.press(*"  kept  ")
        assert not error.display
        await pilot.press("enter")
        await until(pilot, lambda: results)
        assert results == ["kept"]

        for dialog in (
            ConfirmDialog("Go?", "Really."),
            NameDialog("Name it", "x"),
            FormatDialog(None),
        ):
            app.push_screen(dialog, results.append)
            await shown(pilot, dialog)
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is not dialog)  # noqa: B023
        assert results == ["kept", None, None, None]


async def test_a_confirmation_starts_on_the_safe_choice(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.models)
        danger = ConfirmDialog("Delete it?", "Gone for good.")
        app.push_screen(danger)
        await shown(pilot, danger)
        assert app.focused is danger.query_one("#cancel", Button)
        assert danger.query_one("#confirm", Button).variant == "error"
        await pilot.press("escape")
        offer = ConfirmDialog("Pull it?", confirm_label="Pull", danger=False)
        app.push_screen(offer)
        await shown(pilot, offer)
        assert app.focused is offer.query_one("#confirm", Button)
        assert offer.query_one("#confirm", Button).variant == "primary"


async def test_dialog_texts_are_plain_text(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.models)
        dialog = ConfirmDialog("Delete “[b]x[/b] \x1b[31m”?", "[link=http://x]y[/link]")
        app.push_screen(dialog)
        await shown(pilot, dialog)
        question = str(dialog.query_one("#confirm-question", Static).render())
        assert question == "Delete “[b]x[/b] \u241b[31m”?"
        assert str(dialog.query_one("#confirm-detail", Static).render()) == (
            "[link=http://x]y[/link]"
        )
        await pilot.press("escape")
        name = NameDialog("Copy [b]model[/b]", "[i]x[/i]")
        app.push_screen(name)
        await shown(pilot, name)
        assert name.query_one(Input).value == "[i]x[/i]"
        assert str(name.query_one(".dialog").border_title) == "Copy \\[b]model\\[/b]"
