"""Saved chats in a real terminal: they survive quitting, a kill -9 and a second window.

The installed ``ollama-tui`` runs in tmux against the simulated Ollama on a loopback port, with
its data directory in a temporary folder; the database is then read back with the store.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.tmux import TMUX, TmuxSession
from tui_app.core.paths import DATABASE_NAME
from tui_app.demo import SimulatedOllama
from tui_app.store import INTERRUPTED_ERROR, Store

pytestmark = pytest.mark.e2e

RunApp = Callable[..., TmuxSession]

# The machine running the suite may be busy; these bound a wait, they are not measurements.
START = 30.0
REPLY = 30.0


def stored(data_dir: Path) -> Store:
    """The app's database, opened as a second instance would open it."""
    return Store.open(data_dir / DATABASE_NAME)


def integrity(data_dir: Path) -> str:
    """SQLite's own verdict on the file."""
    with sqlite3.connect(data_dir / DATABASE_NAME) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def start(run_app: RunApp, url: str, data_dir: Path, **size: int) -> TmuxSession:
    """Start the app and wait until it is online with a model chosen."""
    # A UTF-8 locale, so tmux passes typed emoji on instead of dropping them.
    app = run_app("--host", url, data_dir=data_dir, env={"LC_ALL": "C.UTF-8"}, **size)
    app.wait_for("online", timeout=START)
    app.wait_for("enter sends", timeout=START)
    return app


def send(app: TmuxSession, prompt: str) -> None:
    """Type a prompt into the focused prompt box and, once it shows, press enter."""
    app.type(prompt)
    app.wait_for(prompt, timeout=START)
    app.send_keys("Enter")


def replace_field(app: TmuxSession, placeholder: str, text: str) -> None:
    """Empty the focused input (its placeholder shows), then type ``text``.

    Waiting in between matters: keys bound to actions (home, ctrl+k) may be handled after
    printable keys that arrive in the same burst.
    """
    app.send_keys("Home", "C-k")
    app.wait_for(placeholder, timeout=START)
    app.type(text)


def quit_app(app: TmuxSession) -> None:
    app.send_keys("C-q")
    app.wait_for(lambda _: app.pane_dead(), timeout=START)


def focus_chat_list(app: TmuxSession) -> None:
    """Move from the prompt to the chat list with tab.

    The footer names the keys of the focused widget; waiting for the prompt's first tells a
    settled screen from the moment at start-up when focus has not reached the prompt yet.
    """
    app.wait_for("⏎ Send", timeout=START)
    app.send_keys("Tab")
    app.wait_for("r Rename", timeout=START)


def open_first_listed_chat(app: TmuxSession) -> None:
    """Open the newest chat from the list (below "+ New chat", highlighted at start)."""
    focus_chat_list(app)
    app.send_keys("Down")
    app.send_keys("Enter")


def app_process(session: TmuxSession) -> int:
    """The pid of the app's Python process in the pane.

    The pane's first process is a shell that may have exec'd the app or started it as a
    child, so the pane's process tree is searched for the Python running ``ollama-tui``.
    """
    assert TMUX is not None
    shown = subprocess.run(
        [TMUX, "-L", session.name, "display-message", "-p", "-t", session.name, "#{pane_pid}"],
        capture_output=True,
        text=True,
        check=True,
    )
    pending = [int(shown.stdout.strip())]
    while pending:
        pid = pending.pop(0)
        process = Path(f"/proc/{pid}")
        command = (process / "cmdline").read_bytes()
        executable = os.path.basename(os.readlink(process / "exe"))
        if b"ollama-tui" in command and executable.startswith("python"):
            return pid
        children = process / "task" / str(pid) / "children"
        if children.exists():
            pending.extend(int(child) for child in children.read_text().split())
    raise AssertionError("the app's process was not found in the pane")


def test_chats_survive_quitting_and_restarting(run_app: RunApp, tmp_path: Path) -> None:
    data = tmp_path / "data"
    sim = SimulatedOllama(token_delay=0.0)
    sim.script_reply("Teapots keep tea warm; cosies help.", thinking="Short answer.")
    with sim.serve() as server:
        app = start(run_app, server.url, data)
        send(app, "Remember the teapot")
        app.wait_for("cosies help.", timeout=REPLY)
        app.wait_for("tokens/s", timeout=REPLY)
        quit_app(app)

        with stored(data) as store:
            [chat] = store.list_chats()
            assert chat.title == "Remember the teapot"
            question, answer = store.messages(chat.id)
        assert (question.role, question.content, question.status) == (
            "user",
            "Remember the teapot",
            "complete",
        )
        assert answer.role == "assistant"
        assert answer.content == "Teapots keep tea warm; cosies help."
        assert answer.thinking == "Short answer."
        assert answer.status == "complete"
        assert isinstance(answer.stats.get("eval_count"), int)

        again = start(run_app, server.url, data)
        again.wait_for("Remember the teapot", timeout=START)  # in the list
        open_first_listed_chat(again)
        screen = again.wait_for("cosies help.", timeout=START)
        assert "Remember the teapot" in screen
        assert "tokens/s" in screen  # the stats came back with the reply
        assert "Thinking" in screen
        quit_app(again)
    assert integrity(data) == "ok"


def partial_reply(data_dir: Path) -> str:
    """The text of the reply being written, as saved so far ("" if none yet)."""
    with stored(data_dir) as store:
        chats = store.list_chats()
        messages = store.messages(chats[0].id) if chats else []
    replies = [message.content for message in messages if message.role == "assistant"]
    return replies[-1] if replies else ""


def test_kill_9_mid_reply_keeps_the_prompt(run_app: RunApp, tmp_path: Path) -> None:
    data = tmp_path / "data"
    words = [f"word{index}" for index in range(200)]
    reply = " ".join(words)
    sim = SimulatedOllama(token_delay=0.2)
    sim.script_reply(reply)
    with sim.serve() as server:
        app = start(run_app, server.url, data)
        send(app, "Count slowly please")
        app.wait_for("word3", timeout=REPLY)  # the reply is arriving
        # The reply is saved as it arrives; kill the app once some of it is on disk.
        deadline = time.monotonic() + REPLY
        while not partial_reply(data) and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(app_process(app), signal.SIGKILL)
        app.wait_for(lambda _: app.pane_dead(), timeout=START)

        with stored(data) as store:
            [chat] = store.list_chats()
            assert chat.title == "Count slowly please"
            prompt, partial = store.messages(chat.id)
        assert (prompt.role, prompt.content, prompt.status) == (
            "user",
            "Count slowly please",
            "complete",
        )
        assert partial.role == "assistant"
        assert partial.status == "streaming"  # nobody got to finish it
        assert partial.content.startswith("word0 word1")
        assert reply.startswith(partial.content)
        assert integrity(data) == "ok"

        again = start(run_app, server.url, data)
        again.wait_for("Count slowly please", timeout=START)
        with stored(data) as store:
            after = store.messages(chat.id)
        # Nothing was lost, and start-up marked the unfinished reply as stopped.
        assert [message.content for message in after] == [prompt.content, partial.content]
        assert (after[1].status, after[1].error) == ("stopped", INTERRUPTED_ERROR)
        open_first_listed_chat(again)
        screen = again.wait_for("word0 word1", timeout=START)
        assert "Count slowly please" in screen
        quit_app(again)


def test_two_windows_on_one_data_directory(run_app: RunApp, tmp_path: Path) -> None:
    data = tmp_path / "data"
    sim = SimulatedOllama(token_delay=0.0)
    sim.script_reply("First window answer about kettles.")
    sim.script_reply("Second window answer about saucers.")
    with sim.serve() as server:
        first = start(run_app, server.url, data, width=110, height=32)
        second = start(run_app, server.url, data, width=110, height=32)
        send(first, "Kettle question")
        first.wait_for("about kettles.", timeout=REPLY)
        send(second, "Saucer question")
        second.wait_for("about saucers.", timeout=REPLY)

        # The first window finds the second window's chat by searching, and opens it.
        focus_chat_list(first)
        first.send_keys("C-f")
        first.wait_for("Search all chats", timeout=START)
        first.type("saucers")
        first.wait_for("1 message found", timeout=START)
        first.send_keys("Enter")
        screen = first.wait_for("Second window answer about saucers.", timeout=START)
        assert "Saucer question" in screen

        quit_app(first)
        quit_app(second)

    with stored(data) as store:
        chats = {chat.title: store.messages(chat.id) for chat in store.list_chats()}
    assert set(chats) == {"Kettle question", "Saucer question"}
    assert [m.content for m in chats["Kettle question"]] == [
        "Kettle question",
        "First window answer about kettles.",
    ]
    assert [m.content for m in chats["Saucer question"]] == [
        "Saucer question",
        "Second window answer about saucers.",
    ]
    assert integrity(data) == "ok"


def test_rename_export_and_delete_from_the_list(run_app: RunApp, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with stored(data) as store:
        keep = store.create_chat(title="Garden plans", model="llama3.2:latest")
        store.add_message(keep.id, "user", "Which tomatoes grow in shade?")
        doomed = store.create_chat(title="Scratch chat", model="llama3.2:latest")
        store.add_message(doomed.id, "user", "throwaway")
    export = tmp_path / "exports"
    export.mkdir()
    with SimulatedOllama(token_delay=0.0).serve() as server:
        app = start(run_app, server.url, data, width=100, height=30)
        focus_chat_list(app)

        # Delete the newest chat ("Scratch chat"), after confirming.
        app.send_keys("Down")
        app.send_keys("d")
        app.wait_for("Delete “Scratch chat”?", timeout=START)
        assert "its 1 message will be deleted" in app.capture()
        app.send_keys("y")
        app.wait_for("Chats (1)", timeout=START)

        # A closed dialog gives focus back to the prompt: back to the list for its keys.
        focus_chat_list(app)
        app.send_keys("Home", "Down")
        app.send_keys("r")
        app.wait_for("Rename chat", timeout=START)
        replace_field(app, "Chat title", "Shade tomatoes 🍅")
        app.wait_for("Shade tomatoes 🍅", timeout=START)
        app.send_keys("Enter")
        app.wait_for("Shade tomatoes", timeout=START)

        focus_chat_list(app)
        app.send_keys("Home", "Down")
        app.send_keys("e")
        app.wait_for("~/shade-tomatoes.md", timeout=START)
        replace_field(app, "File path", str(export / "missing" / "x.md"))
        app.wait_for("missing/x.md", timeout=START)
        app.send_keys("Enter")
        app.wait_for("does not exist", timeout=START)
        replace_field(app, "File path", str(export / "garden.md"))
        app.wait_for("garden.md", timeout=START)
        app.send_keys("Enter")
        app.wait_for("Chat exported", timeout=START)
        quit_app(app)

    text = (export / "garden.md").read_text(encoding="utf-8")
    assert text.startswith("# Shade tomatoes 🍅\n")
    assert "Which tomatoes grow in shade?" in text
    assert "`llama3.2:latest`" in text
    with stored(data) as store:
        assert [chat.title for chat in store.list_chats()] == ["Shade tomatoes 🍅"]
        assert store.get_chat(doomed.id) is None
