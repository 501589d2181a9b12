"""The compare screen (f12): columns, figures, repeat, bench, stop, keep the winner, export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.helpers import settle_workers, until
from tui_app.app import OllamaTUI
from tui_app.core.compare import ColumnSetup, comparison_from_json
from tui_app.demo import SimulatedOllama
from tui_app.screens.chat import ChatScreen
from tui_app.screens.compare import CompareScreen
from tui_app.screens.dialogs import ExportChatDialog, NameDialog
from tui_app.widgets.compare import CompareColumn

AppFactory = Callable[..., OllamaTUI]
SIZE = (140, 45)


async def open_compare(pilot: Pilot[None]) -> CompareScreen:
    app = pilot.app
    assert isinstance(app, OllamaTUI)
    await until(pilot, lambda: len(app.models) >= 2)
    await pilot.press("f12")
    await settle_workers(pilot)
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def text_of(column: CompareColumn, selector: str) -> str:
    return str(column.query_one(selector, Static).render())


def chat_bodies(sim: SimulatedOllama) -> list[dict[str, Any]]:
    return [r.body for r in sim.requests if r.path == "/api/chat"]


async def run_prompt(pilot: Pilot[None], screen: CompareScreen, prompt: str) -> None:
    screen.query_one("#compare-prompt", Input).focus()
    screen.query_one("#compare-prompt", Input).value = prompt
    await pilot.press("enter")
    await settle_workers(pilot)


async def test_two_models_side_by_side_with_figures_and_bests(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        first, second = app.models[0].name, app.models[1].name
        left, right = screen.columns
        left.choose(model=first)
        right.choose(model=second)
        await pilot.pause()
        await run_prompt(pilot, screen, "Tell me about tests")
        bodies = chat_bodies(sim)
        assert sorted(b["model"] for b in bodies) == sorted([first, second])
        assert all("options" not in b for b in bodies)
        for column in (left, right):
            assert text_of(column, ".compare-status") == "done"
            assert column.answer
            figures = text_of(column, ".compare-figures")
            for label in ("tokens/s", "prompt tokens", "prompt tok/s", "load", "total", "done"):
                assert label in figures
        assert "★" in text_of(left, ".compare-figures") + text_of(right, ".compare-figures")
        saved = app.services.store.list_comparisons()
        assert len(saved) == 1
        _, _, columns = comparison_from_json(saved[0].data)
        assert [setup.model for setup, _ in columns] == [first, second]


async def test_one_model_three_temperatures_sends_exactly_each_columns_options_and_repeats(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        model = app.models[0].name
        await pilot.press("ctrl+n")
        await pilot.pause()
        columns = screen.columns
        assert len(columns) == 3
        wanted: list[dict[str, object]] = [
            {"temperature": 0, "seed": 42},
            {"temperature": 0.7, "seed": 42},
            {"temperature": 1.5, "seed": 42},
        ]
        columns[0].choose(model=model)
        # The first column's options are typed, as a user would.
        columns[0].query_one(".compare-options", Input).focus()
        await pilot.press(*"temperature 0, seed 42")
        for column, options in zip(columns[1:], wanted[1:], strict=True):
            column.choose(model=model, options=options)
        await pilot.pause()
        assert "temperature" in str(columns[0].query_one(".compare-title", Static).render())
        await run_prompt(pilot, screen, "Tell me about tests")
        bodies = chat_bodies(sim)
        sent = sorted((b["options"] for b in bodies), key=lambda o: float(o["temperature"]))
        assert sent == wanted  # 0.0 == 0: the same number on the wire
        assert [column.setup() for column in columns] == [
            ColumnSetup(model, options, "edited") for options in wanted
        ]
        assert all(b["model"] == model for b in bodies)
        replies = [column.answer for column in columns]
        assert len(set(replies)) == 3

        await pilot.press("ctrl+g")
        await settle_workers(pilot)
        assert len(chat_bodies(sim)) == 6
        assert text_of(columns[0], ".compare-note").startswith("identical vs previous run")
        assert columns[0].answer == replies[0]


async def test_bench_of_three_runs_shows_median_range_and_bars(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-prompt", Input).value = "Tell me about tests"
        await pilot.press("alt+t")
        await until(pilot, lambda: isinstance(app.screen, NameDialog))
        await pilot.press("enter")  # three runs, the number offered
        await settle_workers(pilot)
        assert len(chat_bodies(sim)) == 6
        for column in screen.columns:
            note = text_of(column, ".compare-note")
            assert note.startswith("bench: 3 runs, median [range]")
            assert "tokens/s" in note and "load s" in note and "█" in note
        assert "3 of 3 runs" in str(screen.query_one("#compare-progress", Static).render())


async def test_stopping_mid_run_stops_every_column_and_keeps_what_arrived(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.01
    sim.reply_tokens = 2000
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-prompt", Input).value = "Tell me about tests"
        screen.query_one("#compare-prompt", Input).focus()
        await pilot.press("enter")
        await until(pilot, lambda: all(len(c.answer) > 20 for c in screen.columns))
        await pilot.press("escape")
        await settle_workers(pilot)
        for column in screen.columns:
            assert text_of(column, ".compare-status").startswith("stopped")
            assert len(column.answer) > 20
        kept = [column.answer for column in screen.columns]
        await pilot.pause(0.1)
        assert [column.answer for column in screen.columns] == kept
        saved = app.services.store.list_comparisons()
        _, _, pairs = comparison_from_json(saved[0].data)
        assert [result.status for _, result in pairs] == ["stopped", "stopped"]
        assert [result.answer for _, result in pairs] == kept


async def test_keeping_a_column_makes_it_a_chat_with_its_model_and_options(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        model = app.models[1].name
        right = screen.columns[1]
        right.choose(model=model, options={"temperature": 0.2, "seed": 7})
        await run_prompt(pilot, screen, "Tell me about tests")
        right.query_one(".compare-options", Input).focus()
        await pilot.press("alt+k")
        await until(pilot, lambda: isinstance(app.screen, ChatScreen))
        await settle_workers(pilot)
        store = app.services.store
        [chat] = store.list_chats()
        assert (chat.model, chat.options) == (model, {"temperature": 0.2, "seed": 7})
        messages = store.messages(chat.id)
        assert [(m.role, m.content) for m in messages] == [
            ("user", "Tell me about tests"),
            ("assistant", right.answer),
        ]
        assert messages[1].stats.get("eval_count")
        assert app.current_chat_id == chat.id


async def test_a_column_s_options_saved_as_a_preset(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        screen.columns[0].choose(options={"temperature": 0.3, "top_k": 20})
        screen.columns[0].query_one(".compare-options", Input).focus()
        await pilot.press("alt+p")
        await until(pilot, lambda: isinstance(app.screen, NameDialog))
        await pilot.press(*"winner", "enter")
        await settle_workers(pilot)
        preset = app.services.store.get_preset("winner")
        assert preset is not None and preset.options == {"temperature": 0.3, "top_k": 20}


async def test_export_writes_the_comparison_as_markdown(
    make_app: AppFactory, tmp_path: Path
) -> None:
    app = make_app()
    target = tmp_path / "compare.md"
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        screen.columns[0].choose(options={"temperature": 0, "seed": 42})
        await run_prompt(pilot, screen, "Tell me about tests")
        first_line = screen.columns[0].answer.splitlines()[0]
        await pilot.press("alt+e")
        await until(pilot, lambda: isinstance(app.screen, ExportChatDialog))
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, target.exists)
    text = target.read_text(encoding="utf-8")
    assert "## Prompt" in text and "Tell me about tests" in text
    options_line = next(line for line in text.splitlines() if line.startswith("Options (edited)"))
    assert "temperature 0" in options_line and "seed 42" in options_line
    assert "## Figures" in text and "| tokens/s |" in text
    assert first_line in text


async def test_a_saved_comparison_comes_back_from_the_palette_list(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await run_prompt(pilot, screen, "Tell me about tests")
        answers = [column.answer for column in screen.columns]
        screen.query_one("#compare-prompt", Input).value = ""
        for column in screen.columns:
            column.clear_reply()
        [record] = app.services.store.list_comparisons()
        await screen.show_comparison(record)
        await pilot.pause()
        assert screen.query_one("#compare-prompt", Input).value == "Tell me about tests"
        assert [column.answer for column in screen.columns] == answers
        titles = [command.title for command in screen.palette_commands()]
        assert all(title.startswith("Compare") for title in titles)
        assert any(title.startswith(f"Compare: open {record.id}") for title in titles)


async def test_at_80_by_24_the_columns_stack(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compare(pilot)
        await run_prompt(pilot, screen, "Tell me about tests")
        left, right = screen.columns
        assert screen.has_class("-narrow")
        assert left.region.x == right.region.x
        assert right.region.y > left.region.y or right.region.height == 0
        assert all(text_of(column, ".compare-status") == "done" for column in screen.columns)


async def test_repeat_marks_an_unseeded_column_changed_with_a_word_diff(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        model = app.models[0].name
        left, right = screen.columns
        left.choose(model=model, options={"temperature": 0, "seed": 42})
        right.choose(model=model, options={"temperature": 1.5})
        await run_prompt(pilot, screen, "Tell me about tests")
        before = right.answer
        await pilot.press("ctrl+g")
        await settle_workers(pilot)
        assert text_of(left, ".compare-note") == "identical vs previous run"
        note = text_of(right, ".compare-note")
        assert right.answer != before
        assert note.startswith("changed vs previous run\n")
        # The diff keeps the words both runs share.
        assert before.split()[0] in note


async def test_a_column_waiting_for_the_server_says_it_is_queued(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.005
    sim.load_delay = 1.0  # a cold model takes a while to load before its first byte
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-prompt", Input).value = "Tell me about tests"
        await pilot.press("alt+r")
        await until(
            pilot,
            lambda: any(text_of(c, ".compare-status").startswith("queued") for c in screen.columns),
        )
        await settle_workers(pilot)
        assert all(text_of(c, ".compare-status") == "done" for c in screen.columns)


async def test_escape_cancels_a_bench_and_keeps_the_runs_that_finished(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.002
    sim.reply_tokens = 300
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-prompt", Input).value = "Tell me about tests"
        await pilot.press("alt+t")
        await until(pilot, lambda: isinstance(app.screen, NameDialog))
        await pilot.press("enter")
        progress = screen.query_one("#compare-progress", Static)
        await until(pilot, lambda: "run 2 of 3" in str(progress.render()), tries=3000)
        await pilot.press("escape")
        await settle_workers(pilot)
        assert "(cancelled)" in str(progress.render())
        assert all(text_of(c, ".compare-note").startswith("bench: 1 run,") for c in screen.columns)
        assert len(chat_bodies(sim)) < 6


async def test_stopping_at_once_leaves_no_column_running(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        screen.query_one("#compare-prompt", Input).value = "Tell me about tests"
        screen.focus_prompt()
        await pilot.press("enter", "escape")
        await settle_workers(pilot)
        statuses = [text_of(c, ".compare-status") for c in screen.columns]
        assert all(s.startswith(("stopped", "done")) for s in statuses), statuses
        await pilot.press("alt+r")  # a new run is not refused as "going on"
        await settle_workers(pilot)
        assert all(text_of(c, ".compare-status") == "done" for c in screen.columns)
