"""How the workbench looks: a finished generate request with a suffix and the raw lines, wide;
an embed of three inputs with the similarity matrix at 80 by 24."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Select, TextArea

from tests.helpers import settle_workers, until
from tui_app.api.models import GenerateChunk, Metrics, Streamed
from tui_app.api.requests import GenerateRequest
from tui_app.app import OllamaTUI
from tui_app.demo import SimModel, SimulatedOllama, default_models
from tui_app.screens.workbench import WorkbenchScreen
from tui_app.widgets import workbench as workbench_widgets

AppFactory = Callable[..., OllamaTUI]


@pytest.fixture
def sim() -> SimulatedOllama:
    coder = SimModel(name="coder:1b", capabilities=["completion", "insert"])
    return SimulatedOllama(models=[*default_models(), coder], token_delay=0.0)


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """History rows say "just now" whenever the test runs."""
    monkeypatch.setattr(workbench_widgets, "compact_relative_time", lambda then, now: "just now")


FIXED_METRICS = Metrics(
    total_duration=1_250_000_000,
    load_duration=700_000_000,
    prompt_eval_count=22,
    prompt_eval_duration=40_000_000,
    eval_count=16,
    eval_duration=400_000_000,
)
"""The simulator times replies by the wall clock; the picture needs the same figures each run."""


def fixed_figures(app: OllamaTUI) -> None:
    """Give the final chunk of every generate stream the same metrics."""
    client = app.services.client
    real = client.stream_generate

    async def stream_generate(request: GenerateRequest) -> AsyncGenerator[Streamed[GenerateChunk]]:
        async for item in real(request):
            if item.chunk.done:
                chunk = dataclasses.replace(item.chunk, metrics=FIXED_METRICS)
                item = Streamed(chunk, item.line)
            yield item

    client.stream_generate = stream_generate  # type: ignore[method-assign]


async def open_workbench(pilot: Pilot[None]) -> WorkbenchScreen:
    await pilot.press("f10")
    screen = pilot.app.screen
    assert isinstance(screen, WorkbenchScreen)
    await until(pilot, lambda: bool(screen.models) and bool(screen.capabilities))
    for area in screen.query(TextArea):
        area.cursor_blink = False
    return screen


async def finish(pilot: Pilot[None], screen: WorkbenchScreen) -> None:
    await pilot.press("ctrl+g")
    await settle_workers(pilot)
    await until(pilot, lambda: not screen.running and screen.status_text.startswith("Done"))
    await settle_workers(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_a_finished_insert_request(make_app: AppFactory, snap_compare: object) -> None:
    app = make_app()
    fixed_figures(app)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_workbench(pilot)
        screen.query_one("#wb-model", Select).value = "coder:1b"
        await until(pilot, lambda: "coder:1b" in screen.capabilities)
        screen.area("prompt").set_text("def add(a, b):\n")
        screen.area("suffix").set_text("\n    return total\n")
        await pilot.pause()
        await finish(pilot, screen)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)  # type: ignore[operator]


def test_embed_matrix_at_80_by_24(make_app: AppFactory, snap_compare: object) -> None:
    app = make_app()

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await open_workbench(pilot)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: screen.model == "nomic-embed-text:latest")
        screen.area("inputs").set_text("cats purr\nkittens meow\nstocks fell")
        await pilot.pause()
        await finish(pilot, screen)
        await pilot.press("tab")  # off the text area, so no cursor shows

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)  # type: ignore[operator]
