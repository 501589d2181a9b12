"""Keys: README's table is every binding, one key means one idea, and help shows them all."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode
from textual.widgets import Static

from tests.helpers import until
from tui_app.app import OllamaTUI
from tui_app.screens.dialogs import HelpDialog

README = Path(__file__).resolve().parents[2] / "README.md"

Row = tuple[str, frozenset[str]]
"""A binding as the table lists it: its id and its keys."""


_SYMBOLS = {"slash": "/", "backslash": "\\", "right_square_bracket": "]"}


def _readable(key: str) -> str:
    """A key as README writes it: ``ctrl+\\`` rather than Textual's ``ctrl+backslash``."""
    *modifiers, name = key.split("+")
    return "+".join([*modifiers, _SYMBOLS.get(name, name)])


def every_binding() -> Iterator[tuple[type[DOMNode], Binding]]:
    """Each binding the app's own classes define, with the class."""
    pending: list[type[DOMNode]] = [DOMNode]
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if klass.__module__.startswith("tui_app."):
            for binding in klass.__dict__.get("BINDINGS", []):
                assert isinstance(binding, Binding), (klass, binding)
                yield klass, binding


def bindings_as_rows() -> set[Row]:
    return {
        (binding.id or "", frozenset(_readable(key.strip()) for key in binding.key.split(",")))
        for _, binding in every_binding()
    }


def readme_rows() -> set[Row]:
    """The rows of README's "Every key" table."""
    text = README.read_text(encoding="utf-8")
    section = text.split("#### Every key", 1)[1].split("\n#", 1)[0]
    rows: set[Row] = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not cells[1].startswith("`"):
            continue
        keys = frozenset(re.findall(r"`([^`]+)`", cells[0]))
        rows.add((cells[1].strip("`"), keys))
    return rows


def test_every_binding_has_an_id() -> None:
    missing = [(klass.__name__, b.key) for klass, b in every_binding() if not b.id]
    assert missing == []


def test_the_readme_table_lists_every_binding_and_nothing_else() -> None:
    bindings, table = bindings_as_rows(), readme_rows()
    assert sorted(bindings - table, key=str) == [], "bindings missing from README"
    assert sorted(table - bindings, key=str) == [], "README rows with no such binding"


# Keys used on several screens, and the one idea each stands for there.
IDEAS: dict[str, Callable[[str], bool]] = {
    "ctrl+n": lambda binding_id: binding_id in {"chat.new", "models.create", "compare.add"},
    "ctrl+s": lambda binding_id: binding_id.endswith((".save", ".confirm")),
    "ctrl+f": lambda binding_id: (
        binding_id in {"chat.search", "history.search", "models.filter", "workbench.history"}
    ),
    "ctrl+t": lambda binding_id: (
        binding_id in {"chat.think", "models.details", "options.scope", "workbench.context"}
    ),
    "ctrl+g": lambda binding_id: (
        binding_id
        in {
            "chat.regenerate",
            "pulls.again",
            "workbench.send",
            "workbench.history.again",
            "compare.repeat",
        }
    ),
    "ctrl+b": lambda binding_id: binding_id in {"chat.copy_code", "workbench.copy_python"},
    "f9": lambda binding_id: binding_id in {"chat.copy", "workbench.copy_curl"},
    "ctrl+d": lambda binding_id: binding_id in {"models.delete", "pulls.clear", "compare.remove"},
    "ctrl+e": lambda binding_id: binding_id in {"models.sort", "workbench.mode"},
    "ctrl+j": lambda binding_id: binding_id.endswith(".newline"),
    "f1": lambda binding_id: binding_id in {"nav.help", "help.close"},
    "ctrl+o": lambda binding_id: binding_id in {"chat.model", "models.host"},
}


def test_one_key_means_one_idea() -> None:
    users: dict[str, set[str]] = {}
    for _, binding in every_binding():
        for key in binding.key.split(","):
            users.setdefault(key.strip(), set()).add(binding.id or "")
    # Plain keys (enter, escape, arrows, letters in a list) act on what has focus.
    shared = {
        key: ids
        for key, ids in users.items()
        if key.startswith(("ctrl+", "f")) and len(key) > 1 and len(ids) > 1
    }
    for key, ids in shared.items():
        assert key in IDEAS, f"{key} is used by {sorted(ids)}"
        assert all(IDEAS[key](binding_id) for binding_id in ids), (key, sorted(ids))
    for key in ("ctrl+l",):
        assert len(users[key]) == 1, (key, users[key])


async def test_help_lists_every_binding_with_its_id_and_the_users_keys(
    make_app: Callable[..., OllamaTUI],
) -> None:
    app = make_app(keymap={"chat.edit": "alt+m", "history.rename": "ctrl+e"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpDialog))
        await pilot.pause()
        text = "\n".join(str(static.render()) for static in app.screen.query(Static))
        lines = text.splitlines()
        for _, binding in every_binding():
            assert binding.id and binding.id in text, binding
        edit = next(line for line in lines if line.rstrip().endswith("chat.edit"))
        assert edit.startswith("alt+m ") and "ctrl+l" not in edit
        rename = next(line for line in lines if line.rstrip().endswith("history.rename"))
        assert rename.startswith("ctrl+e ")
        for title in ("Chat: the list of chats", "Chat: the prompt", "Dialogs: questions"):
            assert title in lines
