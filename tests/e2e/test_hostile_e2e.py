"""The installed app against a hostile server, every byte it writes to its terminal read.

The server puts escape sequences and markup into every field the app shows and malformed
numbers and names into every list; the app must write none of the server's escapes,
raise no traceback, and keep every area usable.
"""

from __future__ import annotations

import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.hostile_server import hostile_server, leaks
from tests.e2e.pty_terminal import PtyTerminal

pytestmark = pytest.mark.e2e

F2, F3, F4 = b"\x1bOQ", b"\x1bOR", b"\x1bOS"
CTRL_O, CTRL_Q, CTRL_Y, CTRL_W, CTRL_P = b"\x0f", b"\x11", b"\x19", b"\x17", b"\x10"
DOWN = b"\x1b[B"
ESCAPE = b"\x1b[27u"
"""The escape key as a CSI u sequence: a lone ESC byte is only read as escape when nothing
follows at once (ESC then ctrl+l reads as alt+ctrl+l), which a test cannot promise."""


@pytest.fixture
def server() -> Iterator[str]:
    with hostile_server() as url:
        yield url


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def start(server: str, tmp_path: Path, home: Path, *args: str) -> PtyTerminal:
    env = {
        "OLLAMA_TUI_DATA_DIR": str(tmp_path / "data"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    return PtyTerminal("--host", server, *args, env=env)


def test_every_area_against_a_hostile_server_writes_no_server_escape(
    server: str, tmp_path: Path, home: Path
) -> None:
    terminal = start(server, tmp_path, home)
    try:
        terminal.wait_for(b"online")
        terminal.wait_for(b"Some models are not shown")  # the bad entries are said

        # Chat: a reply with hostile thinking, content, model and done_reason.
        mark = terminal.offset
        terminal.type("hello\r")
        terminal.wait_for(b"ENDED", after=mark)
        terminal.wait_for(b"prompt 7 tokens", after=mark)  # NaN metrics: still complete
        # An error line in the middle of the stream, and an HTTP 500 before it.
        mark = terminal.offset
        terminal.type("midway\r")
        terminal.wait_for(b"midway error", after=mark)
        mark = terminal.offset
        terminal.type("status\r")
        terminal.wait_for(b"status error", after=mark)
        # The model picker lists each name once (a name listed twice crashed it).
        mark = terminal.offset
        terminal.type(CTRL_O)
        terminal.wait_for(b"Model for this chat", after=mark)
        terminal.type(ESCAPE)

        # Models: the table, the details pane, the loaded panel, the copy dialog.
        mark = terminal.offset
        terminal.type(F3)
        terminal.wait_for(b"Loaded: 1", after=mark)  # /api/ps read despite its bad entries
        terminal.wait_for(b"Some loaded models are not shown", after=mark)
        terminal.wait_for(b"capabilities", after=mark)  # the hostile model's details
        # Load it (its name in notifications, a hostile load reply), open the copy dialog
        # (its name in the title and the input), then move to the next model.
        mark = terminal.offset
        terminal.type(CTRL_W)  # load
        terminal.wait_for(b"is loaded", after=mark)
        mark = terminal.offset
        terminal.type(CTRL_Y)
        terminal.wait_for(b"-copy:latest", after=mark)
        terminal.type(ESCAPE)
        mark = terminal.offset
        terminal.type(DOWN)
        terminal.wait_for("─ llama3.2:latest ─".encode(), after=mark)

        # Pulls: hostile status, digest and error lines.
        mark = terminal.offset
        terminal.type(F4)
        terminal.wait_for(b"Pull", after=mark)
        terminal.type("x\r")
        terminal.wait_for(b"pull refused", after=mark)

        # Export the chat, from the command palette.
        mark = terminal.offset
        terminal.type(F2)
        terminal.wait_for("⏎ Send".encode(), after=mark)
        mark = terminal.offset
        terminal.type(CTRL_P)
        terminal.type("Export chat")
        terminal.wait_for(b"Export chat to Markdown", after=mark)
        mark = terminal.offset
        terminal.type("\r")
        terminal.wait_for("” to Markdown".encode(), after=mark)  # the export dialog
        terminal.type("\r")
        terminal.wait_for(b"Chat exported", after=mark)

        terminal.type(CTRL_Q)
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    output = terminal.output
    assert leaks(output) == []
    assert b"Traceback" not in output
    exported = list(home.glob("*.md"))
    assert len(exported) == 1
    text = exported[0].read_text(encoding="utf-8")
    assert "ENDED" in text
    assert not [c for c in text if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) < 0xA0]


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_quits_as_ctrl_q_does(
    number: signal.Signals, server: str, tmp_path: Path, home: Path
) -> None:
    terminal = start(server, tmp_path, home)
    try:
        terminal.wait_for(b"online")
        mark = terminal.offset
        terminal.type("slow\r")
        terminal.wait_for(b"SLOW-START", after=mark)
        terminal.signal(number)
        assert terminal.wait_exit() == 128 + number
    finally:
        terminal.close()
    # The terminal is given back as on a normal quit: main screen, no mouse, a cursor.
    ending = terminal.output[terminal.output.rfind(b"\x1b[?1049h") :]
    for restore in (b"\x1b[?1049l", b"\x1b[?1000l", b"\x1b[?25h"):
        assert restore in ending
    # The prompt and the partial reply were saved.
    with sqlite3.connect(tmp_path / "data" / "ollama-tui.db") as db:
        rows = db.execute("SELECT role, content, status FROM message ORDER BY id").fetchall()
    assert rows[0] == ("user", "slow", "complete")
    assert rows[1][0] == "assistant" and rows[1][1].startswith("SLOW-START")
    assert rows[1][2] != "streaming"


def test_a_terminal_closed_under_the_app_ends_it_and_keeps_the_reply(
    server: str, tmp_path: Path, home: Path
) -> None:
    terminal = start(server, tmp_path, home)
    try:
        terminal.wait_for(b"online")
        mark = terminal.offset
        terminal.type("slow\r")
        terminal.wait_for(b"SLOW-START", after=mark)
        terminal.hang_up()
        # It quits as on SIGHUP, however the writes to the lost terminal fail.
        assert terminal.wait_exit() == 128 + signal.SIGHUP
    finally:
        terminal.close()
    with sqlite3.connect(tmp_path / "data" / "ollama-tui.db") as db:
        rows = db.execute("SELECT role, content, status FROM message ORDER BY id").fetchall()
    assert rows[1][0] == "assistant" and rows[1][1].startswith("SLOW-START")
    assert rows[1][2] != "streaming"


def test_a_server_that_never_answers_is_waited_for_then_given_up(
    server: str, tmp_path: Path, home: Path
) -> None:
    terminal = start(server, tmp_path, home, "--reply-timeout", "8")
    try:
        terminal.wait_for(b"online")
        # Escape still stops a reply that shows nothing.
        mark = terminal.offset
        terminal.type("hang\r")
        terminal.wait_for(b"waiting for Ollama (model loading?)", after=mark)
        mark = terminal.offset
        terminal.type(ESCAPE)
        terminal.wait_for(b"context", after=mark)  # the meter is back under the prompt
        # Left alone, the wait ends with a clear message once the timeout has passed.
        mark = terminal.offset
        terminal.type("hang again\r")
        terminal.wait_for(b"waiting for Ollama (model loading?)", after=mark)
        terminal.wait_for(b"Ollama sent nothing for 8 s", after=mark)
        # The chat is still usable.
        mark = terminal.offset
        terminal.type("hello\r")
        terminal.wait_for(b"ENDED", after=mark)
        terminal.type(CTRL_Q)
        assert terminal.wait_exit() == 0
    finally:
        terminal.close()
    assert b"Traceback" not in terminal.output


def test_a_failing_model_list_at_start_up_is_said_safely(tmp_path: Path, home: Path) -> None:
    # No key is pressed: the list is asked for at start-up and its error notified.
    with hostile_server(broken_tags=True) as url:
        terminal = start(url, tmp_path, home)
        try:
            terminal.wait_for(b"Could not list models")
            terminal.wait_for(b"tags failed")
            terminal.type(CTRL_Q)
            assert terminal.wait_exit() == 0
        finally:
            terminal.close()
    assert leaks(terminal.output) == []
    assert b"Traceback" not in terminal.output
