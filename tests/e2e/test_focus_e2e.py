"""Typed text reaches the prompt whole, in a real terminal, wherever focus was left.

The installed app runs in tmux against the simulated Ollama. Each step leaves focus somewhere
else (the chat list, the conversation, a dialog just closed), then types a whole prompt in one
burst and sends it; the request the server received must carry that prompt, every letter.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.core.paths import DATABASE_NAME
from tui_app.demo import SimulatedOllama
from tui_app.store import Store

pytestmark = pytest.mark.e2e

RunApp = Callable[..., TmuxSession]

# The machine running the suite may be busy; these bound a wait, they are not measurements.
START = 30.0
REPLY = 30.0


def prompts_received(sim: SimulatedOllama) -> list[str]:
    """The last user message of every chat request the server got, in order."""
    received: list[str] = []
    for request in list(sim.requests):
        body: Any = request.body
        if request.path == "/api/chat" and isinstance(body, dict) and body.get("messages"):
            received.append(str(body["messages"][-1]["content"]))
    return received


def finished_replies(data_dir: Path) -> int:
    """Replies saved as finished, over every chat."""
    with Store.open(data_dir / DATABASE_NAME) as store:
        return sum(
            1
            for chat in store.list_chats()
            for message in store.messages(chat.id)
            if message.role == "assistant" and message.status == "complete"
        )


def wait_until(condition: Callable[[], bool], what: str, timeout: float = REPLY) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def footer(app: TmuxSession) -> str:
    return app.capture().rstrip("\n").splitlines()[-1]


def send_and_check(app: TmuxSession, sim: SimulatedOllama, data_dir: Path, prompt: str) -> None:
    """Type ``prompt`` in one burst, wait until the prompt box shows it, send it, and wait
    for its reply to be saved; the server must have received it whole."""
    before = len(prompts_received(sim))
    replies = finished_replies(data_dir)
    app.type(prompt)
    app.wait_for(prompt, timeout=START)
    app.send_keys("Enter")
    wait_until(lambda: len(prompts_received(sim)) > before, f"the request for {prompt!r}")
    assert prompts_received(sim)[-1] == prompt
    wait_until(lambda: finished_replies(data_dir) > replies, f"the reply to {prompt!r}")
    app.wait_for(lambda _: "esc Stop" not in footer(app), timeout=REPLY)


def close_dialog(app: TmuxSession, title: str) -> None:
    """Wait for the dialog titled ``title``, close it with escape and wait until it is gone."""
    app.wait_for(title, timeout=START)
    app.send_keys("Escape")
    app.wait_for(lambda screen: title not in screen, timeout=START)


def to_list(app: TmuxSession) -> None:
    """Focus the chat list (tab from the prompt) and highlight its newest chat."""
    app.send_keys("Tab")
    app.wait_for(lambda _: "r Rename" in footer(app), timeout=START)
    app.send_keys("Home")
    app.send_keys("Down")


def test_a_whole_prompt_arrives_wherever_focus_was_left(run_app: RunApp, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Store.open(data / DATABASE_NAME) as store:
        chat = store.create_chat(title="Earlier chat", model="llama3.2:latest")
        store.add_message(chat.id, "user", "an earlier question")
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, data_dir=data, env={"LC_ALL": "C.UTF-8"})
        app.wait_for("online", timeout=START)
        app.wait_for("⏎ Send", timeout=START)
        send_and_check(app, sim, data, "first, typed into the prompt")

        # The chat list has focus: a letter no list key uses starts the prompt, and the rest
        # of the burst follows it, e, r, d and n included.
        to_list(app)
        send_and_check(app, sim, data, "typed in the list: every letter reads, even d and e")

        # tab into the list, then the chat key brings back the prompt.
        to_list(app)
        app.send_keys("F2")
        app.wait_for(lambda _: "⏎ Send" in footer(app), timeout=START)
        send_and_check(app, sim, data, "hello there, after f2 every word arrives")

        # The conversation has focus.
        app.send_keys("BTab")
        app.wait_for(lambda _: "esc Prompt" in footer(app), timeout=START)
        send_and_check(app, sim, data, "typed in the conversation, all of it")

        # Each dialog the chat screen opens, from the prompt or (keys after "list") the list.
        dialogs = [
            ("f6", ("F6",), "System prompt of this chat"),
            ("f7", ("F7",), "Reply format of this chat"),
            ("ctrl+o", ("C-o",), "Model for this chat"),
            ("ctrl+f", ("C-f",), "Search all chats"),
            ("f1", ("F1",), "escape closes this help"),
            ("rename", ("list", "r"), "Rename chat"),
            ("export", ("list", "e"), "to Markdown"),
            ("delete", ("list", "d"), "Delete chat"),
        ]
        for name, keys, title in dialogs:
            if keys[0] == "list":
                to_list(app)
                keys = keys[1:]
            app.send_keys(*keys)
            close_dialog(app, title)
            send_and_check(app, sim, data, f"after the {name} dialog: the whole prompt, unbroken")

        # Choosing among code blocks: a reply with two of them first.
        sim.script_reply("One:\n\n```python\nprint(1)\n```\n\nTwo:\n\n```sh\necho 2\n```")
        send_and_check(app, sim, data, "give me two code blocks please")
        app.send_keys("C-b")
        close_dialog(app, "Copy which code block?")
        send_and_check(app, sim, data, "after the code block dialog: every word here")

        # Attaching an image needs a vision model: choose one, then open and close f8.
        app.send_keys("C-o")
        app.wait_for("Model for this chat", timeout=START)
        app.type("llava")
        app.wait_for("llava:7b", timeout=START)
        app.send_keys("Enter")
        app.wait_for(lambda screen: "Model for this chat" not in screen, timeout=START)
        app.wait_for("llava:7b (vision)", timeout=START)
        app.send_keys("F8")
        close_dialog(app, "Attach an image for")
        send_and_check(app, sim, data, "after the image dialog: nothing lost")

        # Another area and back.
        app.send_keys("F3")
        app.wait_for("Filter: type a name", timeout=START)
        app.send_keys("F2")
        app.wait_for(lambda _: "⏎ Send" in footer(app), timeout=START)
        send_and_check(app, sim, data, "back from the models, typing again")

        app.send_keys("C-q")
        app.wait_for(lambda _: app.pane_dead(), timeout=START)
    with Store.open(data / DATABASE_NAME) as store:
        assert [chat.title for chat in store.list_chats()][-1] == "Earlier chat"


def turns_shown(screen: str) -> list[int]:
    return [int(number) for number in re.findall(r"turn number (\d{3})", screen)]


def scroll_until(
    app: TmuxSession, key: str, wanted: str, moved: Callable[[list[int], list[int]], bool]
) -> None:
    """Press ``key`` in the conversation until ``wanted`` shows, each time waiting until the
    turns on screen have moved. A key pressed while a page is loading moves nothing (the
    view is held in place for the page), so after a while the key is pressed again."""
    for _ in range(60):
        screen = app.capture()
        if wanted in screen:
            return
        before = turns_shown(screen)
        app.send_keys(key)
        with contextlib.suppress(AssertionError):
            app.wait_for(lambda now: moved(before, turns_shown(now)), timeout=3)  # noqa: B023
    app.wait_for(wanted, timeout=START)


def test_a_search_hit_opens_at_the_message_with_both_ways_reachable(
    run_app: RunApp, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with Store.open(data / DATABASE_NAME) as store:
        chat = store.create_chat(title="A long chat", model="llama3.2:latest")
        store.add_messages(
            chat.id,
            (("user" if i % 2 == 0 else "assistant", f"turn number {i:03d}") for i in range(300)),
        )
    with SimulatedOllama(token_delay=0.0).serve() as server:
        app = run_app("--host", server.url, data_dir=data, env={"LC_ALL": "C.UTF-8"})
        app.wait_for("⏎ Send", timeout=START)
        app.send_keys("C-f")
        app.wait_for("Search all chats", timeout=START)
        app.type("number 123")
        app.wait_for("1 message found", timeout=START)
        app.send_keys("Enter")
        # The hit is on screen, with the turns just before and after it.
        app.wait_for(lambda screen: "Search all chats" not in screen, timeout=START)
        app.wait_for(
            lambda screen: all(f"turn number {i}" in screen for i in (122, 123, 124)),
            timeout=START,
        )
        # Scrolling down reaches the newest turn, and scrolling up the first.
        app.send_keys("BTab")
        app.wait_for(lambda _: "esc Prompt" in footer(app), timeout=START)
        scroll_until(app, "End", "turn number 299", lambda old, new: new > old)
        scroll_until(app, "Home", "turn number 000", lambda old, new: new < old)
        app.send_keys("C-q")
        app.wait_for(lambda _: app.pane_dead(), timeout=START)
