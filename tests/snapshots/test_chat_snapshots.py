"""What the chat screen looks like: a finished exchange with markdown, code, thinking, stats."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from tests.helpers import settle_workers
from tui_app.app import OllamaTUI
from tui_app.core.clock import ManualClock
from tui_app.screens.chat import ChatScreen
from tui_app.store import Store

AppFactory = Callable[..., OllamaTUI]

NOW = 1_750_000_000.0

ANSWER = """Here is a **small** function and how it behaves:

```python
def mean(values: list[float]) -> float:
    return sum(values) / len(values)
```

| input | result |
|---|---|
| `[1, 2, 3]` | 2.0 |
| `[]` | ZeroDivisionError |

Watch out for *empty* lists."""

STATS: dict[str, object] = {
    "total_duration": 2_100_000_000,
    "load_duration": 12_500_000,
    "prompt_eval_count": 31,
    "prompt_eval_duration": 90_000_000,
    "eval_count": 96,
    "eval_duration": 1_600_000_000,
    "done_reason": "stop",
}


@pytest.fixture
def app_clock() -> ManualClock:
    """The app reads five minutes after the chat was written."""
    return ManualClock(NOW + 300)


def fill(store: Store) -> int:
    store.clock = lambda: NOW
    chat = store.create_chat(title="Averages in Python", model="qwen3:8b", think="on")
    store.add_message(chat.id, "user", "How do I average a list? Show [bold]code[/bold].")
    store.add_message(
        chat.id,
        "assistant",
        ANSWER,
        thinking="The user wants an average. A one-line function, then the edge case.",
        stats=STATS,
        model="qwen3:8b",
    )
    store.add_message(chat.id, "user", "And with \x1b[31mcolours\x1b[0m?")
    store.add_message(
        chat.id,
        "assistant",
        "Colour codes are shown as text, not",
        status="stopped",
        model="qwen3:8b",
    )
    return chat.id


async def settle(pilot: Pilot[None]) -> None:
    app = pilot.app
    for _ in range(50):
        await pilot.pause(0.02)
        if isinstance(app, OllamaTUI) and app.connection.online and app.models:
            break
    await settle_workers(pilot, rounds=4)
    for area in app.screen.query(TextArea):
        area.cursor_blink = False
    await pilot.pause()


def test_a_finished_exchange(snap_compare: object, make_app: AppFactory) -> None:
    app = make_app()
    chat_id = fill(app.services.store)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await screen.open_chat(chat_id)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)  # type: ignore[operator]


def test_a_new_chat_at_80_by_24(snap_compare: object, make_app: AppFactory) -> None:
    app = make_app(demo=True, initial_model="llama3.2")
    fill(app.services.store)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
