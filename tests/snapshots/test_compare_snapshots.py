"""What the compare screen looks like: a saved three-column comparison, and at 80x24."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input

from tui_app.app import OllamaTUI
from tui_app.core.compare import ColumnResult, ColumnSetup, comparison_to_json
from tui_app.screens.compare import CompareScreen

AppFactory = Callable[..., OllamaTUI]


def _stats(eval_ms: int, load_ms: int) -> dict[str, object]:
    return {
        "eval_count": 24,
        "eval_duration": eval_ms * 1_000_000,
        "prompt_eval_count": 12,
        "prompt_eval_duration": 6_000_000,
        "load_duration": load_ms * 1_000_000,
        "total_duration": (eval_ms + load_ms + 6) * 1_000_000,
        "done_reason": "stop",
    }


COLUMNS = [
    (
        ColumnSetup("qwen3:8b", {"temperature": 0.0, "seed": 42}),
        ColumnResult(
            "done",
            answer="Tests show what the code does, today and after changes.",
            stats=_stats(400, 900),
        ),
    ),
    (
        ColumnSetup("qwen3:8b", {"temperature": 0.7, "seed": 42}),
        ColumnResult(
            "done",
            answer="Tests clearly show what the code does, today and after changes.",
            stats=_stats(300, 20),
        ),
    ),
    (
        ColumnSetup("qwen3:8b", {"temperature": 1.5, "seed": 42}),
        ColumnResult("stopped", answer="Tests often show what", stats={}),
    ),
]


async def _show(pilot: Pilot[None], app: OllamaTUI) -> None:
    for _ in range(50):
        await pilot.pause(0.02)
        if app.connection.online and app.models:
            break
    await pilot.press("f12")
    record = app.services.store.save_comparison(
        "Why write tests?", comparison_to_json("Why write tests?", None, COLUMNS)
    )
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    await screen.show_comparison(record)
    for _ in range(4):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "connection" and not w.is_finished]
        await asyncio.gather(*(worker.wait() for worker in busy), return_exceptions=True)
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def test_three_temperatures_side_by_side(snap_compare: object, make_app: AppFactory) -> None:
    app = make_app()

    async def run_before(pilot: Pilot[None]) -> None:
        await _show(pilot, app)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)  # type: ignore[operator]


def test_columns_stack_at_80_by_24(snap_compare: object, make_app: AppFactory) -> None:
    app = make_app()

    async def run_before(pilot: Pilot[None]) -> None:
        await _show(pilot, app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
