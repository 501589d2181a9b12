"""Compare rules: options in one line, figures and bests, word diff, bench, export, storage."""

from __future__ import annotations

from pathlib import Path

from tui_app.api import OllamaClient
from tui_app.core.compare import (
    Arrived,
    ColumnResult,
    ColumnSetup,
    Ended,
    bar,
    bench_summary,
    comparison_from_json,
    comparison_to_json,
    comparison_to_markdown,
    differing_options,
    figure_rows,
    options_text,
    parse_options_text,
    repeat_verdict,
    run_column,
    word_diff,
)
from tui_app.demo import SimulatedOllama
from tui_app.store import Store

STATS_A = {
    "eval_count": 100,
    "eval_duration": 2_000_000_000,
    "prompt_eval_count": 10,
    "prompt_eval_duration": 100_000_000,
    "load_duration": 500_000_000,
    "total_duration": 3_000_000_000,
    "done_reason": "stop",
}
STATS_B = {**STATS_A, "eval_duration": 1_000_000_000, "load_duration": 900_000_000}


def test_options_typed_in_one_line_are_checked_by_the_form_validators() -> None:
    options, problems = parse_options_text("temperature 0.7, seed=42; top_k 40")
    assert options == {"temperature": 0.7, "seed": 42, "top_k": 40}
    assert problems == []
    _, problems = parse_options_text("temperature hot, colour 3")
    assert len(problems) == 2 and "temperature" in problems[0] and "colour" in problems[1]
    assert parse_options_text(options_text(options))[0] == options


def test_the_best_of_each_row_is_marked_only_where_columns_differ() -> None:
    rows = {row.label: row for row in figure_rows([STATS_A, STATS_B])}
    assert rows["tokens/s"].cells == ("50.0", "100.0")
    assert rows["tokens/s"].best == {1}
    assert rows["load"].best == {0}
    assert rows["total"].best == frozenset()  # the same in both
    assert rows["done"].cells == ("stop", "stop") and rows["done"].best == frozenset()
    assert figure_rows([STATS_A, {}])[1].cells == ("50.0", "-")


def test_differing_options_name_what_was_varied() -> None:
    setups = [
        ColumnSetup("m", {"temperature": 0, "seed": 42}),
        ColumnSetup("m", {"temperature": 0.7, "seed": 42}),
        ColumnSetup("m", {"temperature": 1.5, "seed": 42, "top_k": 5}),
    ]
    assert differing_options(setups) == {"temperature", "top_k"}
    assert differing_options([ColumnSetup("a"), ColumnSetup("b")]) == {"model"}


def test_word_diff_and_verdict() -> None:
    assert repeat_verdict("a b", "a b") == "identical"
    assert repeat_verdict("a b", "a c") == "changed"
    assert word_diff("the quick fox", "the slow fox") == [
        ("same", "the"),
        ("removed", "quick"),
        ("added", "slow"),
        ("same", "fox"),
    ]
    assert word_diff("same words", "same words") == [("same", "same words")]


def test_bench_gives_median_and_range_with_load_apart() -> None:
    runs = [STATS_A, STATS_B, {**STATS_A, "eval_duration": 4_000_000_000}]
    summary = bench_summary(runs)
    speed = summary["tokens_per_s"]
    assert speed is not None and (speed.median, speed.low, speed.high) == (50.0, 25.0, 100.0)
    load = summary["load_s"]
    assert load is not None and (load.low, load.high) == (0.5, 0.9)
    assert bench_summary([])["tokens_per_s"] is None


def test_bars_scale_in_eighths() -> None:
    assert bar(10, 10, 4) == "████"
    assert bar(5, 10, 4) == "██"
    assert bar(1, 16, 2) == "▏"
    assert bar(0, 10, 4) == ""


def _columns() -> list[tuple[ColumnSetup, ColumnResult]]:
    return [
        (
            ColumnSetup("llama3.2", {"temperature": 0, "seed": 42}, "precise"),
            ColumnResult("done", answer="Hello | there", stats=STATS_A),
        ),
        (
            ColumnSetup("qwen3", {}, "this chat"),
            ColumnResult("stopped", answer="Partial ```fenced``` reply", stats={}),
        ),
    ]


def test_markdown_export_has_prompt_columns_options_replies_and_figures() -> None:
    text = comparison_to_markdown("Why is the sky blue?", "Be brief.", _columns())
    assert "## Prompt\n\n```\nWhy is the sky blue?\n```" in text
    assert "## System prompt" in text
    assert "## Column 1: llama3.2" in text and "## Column 2: qwen3" in text
    assert "Options (precise): temperature 0, seed 42" in text
    assert "Options (this chat): the model's defaults" in text
    assert "Status: stopped" in text
    assert "````\nPartial ```fenced``` reply\n````" in text
    assert "| figure | 1: llama3.2 | 2: qwen3 |" in text
    assert "| tokens/s | 50.0 | - |" in text


def test_comparisons_round_trip_through_the_store(tmp_path: Path) -> None:
    data = comparison_to_json("prompt", None, _columns())
    with Store.open(tmp_path / "db.sqlite") as store:
        saved = store.save_comparison("prompt", data)
        assert [c.id for c in store.list_comparisons()] == [saved.id]
        loaded = store.get_comparison(saved.id)
        assert loaded is not None
        prompt, system, columns = comparison_from_json(loaded.data)
        assert (prompt, system) == ("prompt", None)
        assert columns == _columns()
        assert store.delete_comparison(saved.id)
        assert store.get_comparison(saved.id) is None


def test_a_columns_host_is_kept_and_named_in_the_export() -> None:
    columns = [(ColumnSetup("llama3.2", {}, "edited", "gpu"), ColumnResult("done", answer="hi"))]
    _, _, back = comparison_from_json(comparison_to_json("p", None, columns))
    assert back[0][0].host == "gpu"
    assert "## Column 1: llama3.2 on gpu" in comparison_to_markdown("p", None, columns)
    # Comparisons saved before hosts run on the default host.
    assert comparison_from_json({"columns": [{"model": "m"}]})[2][0][0].host == ""


async def test_a_column_sends_exactly_its_options(
    sim: SimulatedOllama, client: OllamaClient
) -> None:
    setup = ColumnSetup("llama3.2", {"temperature": 0.7, "seed": 42})
    events = [event async for event in run_column(client, setup, "Tell me a story", "Be kind")]
    assert isinstance(events[-1], Ended) and events[-1].stats["done_reason"] == "stop"
    assert any(isinstance(e, Arrived) and e.answer for e in events)
    body = [r.body for r in sim.requests if r.path == "/api/chat"][-1]
    assert body["options"] == {"temperature": 0.7, "seed": 42}
    assert body["messages"][0] == {"role": "system", "content": "Be kind"}


async def _reply(client: OllamaClient, options: dict[str, object]) -> str:
    setup = ColumnSetup("llama3.2", options)
    parts = [
        e.answer
        async for e in run_column(client, setup, "Tell me a story", None)
        if isinstance(e, Arrived)
    ]
    return "".join(parts)


async def test_the_simulator_repeats_a_seed_and_varies_with_temperature(
    client: OllamaClient,
) -> None:
    cold = await _reply(client, {"temperature": 0, "seed": 42})
    assert cold == await _reply(client, {"temperature": 0, "seed": 42})
    warm = await _reply(client, {"temperature": 0.7, "seed": 42})
    assert warm != cold and warm == await _reply(client, {"temperature": 0.7, "seed": 42})
    assert await _reply(client, {"temperature": 1.5, "seed": 42}) not in {cold, warm}
    unseeded = {await _reply(client, {"temperature": 1.0}) for _ in range(3)}
    assert len(unseeded) > 1
