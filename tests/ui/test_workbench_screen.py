"""The workbench against the simulated server: what is sent is what the preview showed, and
a form with a problem sends nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncGenerator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from tests.helpers import dialog_shown, record_notifications, settle_workers, until
from tui_app.api.models import GenerateChunk, Streamed
from tui_app.api.requests import GenerateRequest
from tui_app.app import OllamaTUI
from tui_app.core.requests import as_curl, as_python
from tui_app.demo import SimModel, SimulatedOllama, default_models
from tui_app.screens import base as base_module
from tui_app.screens.dialogs import ConfirmDialog, SaveExchangeDialog
from tui_app.screens.pulls import PullsScreen
from tui_app.screens.workbench import WorkbenchScreen
from tui_app.widgets.option_field import FormatField
from tui_app.widgets.workbench import HistoryList, RawLines

AppFactory = Callable[..., OllamaTUI]

CODER = SimModel(name="coder:1b", capabilities=["completion", "insert"])


@pytest.fixture
def sim() -> SimulatedOllama:
    """The default models plus a code model that can fill in between prompt and suffix."""
    return SimulatedOllama(models=[*default_models(), CODER], token_delay=0.0)


async def open_workbench(pilot: Pilot[None]) -> WorkbenchScreen:
    await pilot.press("f10")
    screen = pilot.app.screen
    assert isinstance(screen, WorkbenchScreen)
    await until(pilot, lambda: bool(screen.models))
    return screen


async def choose(pilot: Pilot[None], screen: WorkbenchScreen, model: str) -> None:
    screen.query_one("#wb-model", Select).value = model
    await until(pilot, lambda: model in screen.capabilities)
    await pilot.pause()


def bodies(sim: SimulatedOllama, path: str) -> list[Any]:
    return [request.body for request in sim.requests if request.path == path]


def previewed(screen: WorkbenchScreen) -> Any:
    """The body the preview shows (its first line is the URL)."""
    first, _, body = screen.preview_text.partition("\n")
    assert first.startswith("POST http://ollama.test/api/")
    return json.loads(body)


def shown(screen: WorkbenchScreen, selector: str) -> str:
    content = screen.query_one(selector, Static).content
    return content.plain if isinstance(content, Content) else str(content)


async def send(pilot: Pilot[None], screen: WorkbenchScreen) -> None:
    await pilot.press("ctrl+g")
    await settle_workers(pilot)
    await until(pilot, lambda: not screen.running)


async def test_generate_with_a_suffix_on_a_code_model(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "coder:1b")
        await pilot.press(*"def add(a, b):", "enter")
        screen.area("suffix").set_text("\n    return total\n")
        await pilot.pause()
        expected = previewed(screen)
        await send(pilot, screen)
        [body] = bodies(sim, "/api/generate")
        assert body == expected
        assert body["prompt"] == "def add(a, b):\n"
        assert body["suffix"] == "\n    return total\n"
        # The filled-in part shows between the prompt and the suffix.
        assert (
            shown(screen, "#wb-result") == "def add(a, b):\n    total = a + b\n    return total\n"
        )
        stats = shown(screen, "#wb-stats")
        assert "tokens/s" in stats and "done: stop" in stats
        assert len(screen.query_one(RawLines).lines) > 2
        assert shown(screen, "#wb-status").startswith("Done: ")


async def test_a_suffix_on_a_model_without_insert_sends_nothing(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    said = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("def add(a, b):")
        screen.area("suffix").set_text("return total")
        await pilot.pause()
        await send(pilot, screen)
        assert bodies(sim, "/api/generate") == []
        assert screen.area("suffix").has_class("-invalid")
        assert "lacks the insert capability" in said[-1]
        assert shown(screen, "#wb-status").startswith("Not sent: suffix: llama3.2:latest cannot")


async def test_a_json_schema_generate_and_a_schema_that_is_not_json(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("Name a colour.")
        field = screen.option_field("format")
        assert isinstance(field, FormatField)
        field.set_text('{"type": "object", "properties": {"colour": {"type": "string"}}')
        await pilot.pause()
        await send(pilot, screen)
        assert bodies(sim, "/api/generate") == []
        assert field.problem is not None and field.problem.startswith("not valid JSON")
        assert "format: not valid JSON" in screen.preview_text

        schema = {"type": "object", "properties": {"colour": {"type": "string"}}}
        field.set_text(json.dumps(schema))
        await pilot.pause()
        assert field.problem is None
        expected = previewed(screen)
        await send(pilot, screen)
        [body] = bodies(sim, "/api/generate")
        assert body == expected and body["format"] == schema
        assert isinstance(json.loads(shown(screen, "#wb-result")), dict)


async def test_context_carries_over_three_requests(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        sent: list[Any] = []
        for prompt in ("My name is Ada.", "What is my name?", "Spell it."):
            screen.area("prompt").set_text(prompt)
            await pilot.pause()
            sent.append(previewed(screen))
            await send(pilot, screen)
            await pilot.press("ctrl+t")
            await pilot.pause()
        assert bodies(sim, "/api/generate") == sent
        first, second, third = sent
        assert "context" not in first
        assert 0 < len(second["context"]) < len(third["context"])
        assert third["context"][: len(second["context"])] == second["context"]
        note = shown(screen, "#wb-context")
        assert f"Continuing from {len(screen.carried_context)} tokens" in note
        await pilot.press("ctrl+t")  # again: drop it
        await pilot.pause()
        assert screen.carried_context == ()
        assert "context" not in previewed(screen)


async def test_embed_of_three_inputs_with_a_similarity_matrix(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: screen.model == "nomic-embed-text:latest")
        await pilot.press(*"cats purr", "enter", *"kittens meow", "enter", *"stocks fell")
        await pilot.pause()
        expected = previewed(screen)
        await send(pilot, screen)
        [body] = bodies(sim, "/api/embed")
        assert body == expected
        assert body["input"] == ["cats purr", "kittens meow", "stocks fell"]
        result = shown(screen, "#wb-result")
        assert result.startswith("3 vectors")
        assert result.count("length 768") == 3
        matrix = result.split("cosine similarity\n", 1)[1].splitlines()
        assert matrix[0].split() == ["1", "2", "3"]
        assert [row.split()[0] for row in matrix[1:4]] == ["1", "2", "3"]
        assert [row.split()[i + 1] for i, row in enumerate(matrix[1:4])] == ["1.000"] * 3
        assert len(screen.query_one(RawLines).lines) == 1


async def test_bad_inputs_send_nothing(make_app: AppFactory, sim: SimulatedOllama) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        # No prompt.
        await send(pilot, screen)
        assert screen.area("prompt").has_class("-invalid")
        # A bad option.
        screen.area("prompt").set_text("hello")
        screen.option_field("temperature").set_text("hot")
        await pilot.pause()
        await send(pilot, screen)
        assert screen.option_field("temperature").problem is not None
        # Embed with no input, and with a bad dimensions value.
        await pilot.press("ctrl+e")
        await until(pilot, lambda: screen.model == "nomic-embed-text:latest")
        await send(pilot, screen)
        assert screen.area("inputs").has_class("-invalid")
        screen.area("inputs").set_text("one")
        screen.option_field("dimensions").set_text("-3")
        await pilot.pause()
        await send(pilot, screen)
        assert screen.option_field("dimensions").problem == "must be at least 1"
        assert [r.path for r in sim.requests if r.path in ("/api/generate", "/api/embed")] == []


async def test_escape_stops_a_reply_and_keeps_what_arrived(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    sim.token_delay = 0.05
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("Tell me a long story.")
        await pilot.press("ctrl+g")
        await until(pilot, lambda: len(shown(screen, "#wb-result")) > 10)
        await pilot.press("escape")
        await until(pilot, lambda: not screen.running)
        assert shown(screen, "#wb-status") == "Stopped: what arrived is kept."
        assert len(shown(screen, "#wb-result")) > 10


async def test_copy_as_curl_and_python(
    make_app: AppFactory, sim: SimulatedOllama, monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[str] = []

    def system_copy(text: str) -> str:
        copied.append(text)
        return ""

    monkeypatch.setattr(base_module, "system_copy", system_copy)
    app = make_app()
    said = record_notifications(app)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("it's [bold]")
        await pilot.pause()
        request = screen.build().request
        assert request is not None
        await pilot.press("f9")
        await until(pilot, lambda: len(copied) == 1)
        await pilot.press("ctrl+b")
        await until(pilot, lambda: len(copied) == 2)
        assert copied == [
            as_curl("http://ollama.test", request),
            as_python("http://ollama.test", request),
        ]
        await until(pilot, lambda: len(said) >= 2)
        assert said[-2:] == [
            "Copied the request as a curl command to the clipboard.",
            "Copied the request as Python to the clipboard.",
        ]


async def test_save_writes_request_and_response(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("Hello")
        await pilot.pause()
        await send(pilot, screen)
        await pilot.press("ctrl+s")
        dialog = await dialog_shown(pilot, SaveExchangeDialog)
        target = tmp_path / "exchange.md"
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, target.exists)
        text = target.read_text()
        assert text.startswith("# Ollama request\n\n`POST http://ollama.test/api/generate`")
        assert '"prompt": "Hello"' in text
        assert text.count('"done":true') == 1


async def test_history_edits_and_sends_again_a_past_request(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("First question")
        screen.option_field("temperature").set_text("0.3")
        await pilot.pause()
        await send(pilot, screen)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: screen.model == "nomic-embed-text:latest")
        screen.area("inputs").set_text("x\ny")
        await pilot.pause()
        await send(pilot, screen)
        history = screen.query_one(HistoryList)
        await until(pilot, lambda: [r.status for r in history.records] == ["complete"] * 2)
        assert [r.mode for r in history.records] == ["embed", "generate"]

        # enter on the generate request puts it back in the form, mode and model included.
        await pilot.press("ctrl+f")
        await pilot.press("down", "enter")
        await until(pilot, lambda: screen.mode == "generate")
        assert screen.model == "llama3.2:latest"
        assert screen.area("prompt").text == "First question"
        assert screen.option_field("temperature").text == "0.3"
        [first] = bodies(sim, "/api/generate")
        assert previewed(screen) == first

        # r sends it again, unchanged.
        await pilot.press("ctrl+f")
        await until(pilot, lambda: history.has_focus)
        await pilot.press("home", "down", "r")
        await settle_workers(pilot)
        await until(pilot, lambda: len(bodies(sim, "/api/generate")) == 2)
        await until(pilot, lambda: not screen.running)
        assert bodies(sim, "/api/generate") == [first, first]
        await until(pilot, lambda: len(history.records) == 3)


async def test_choosing_a_past_request_asks_before_replacing_unsent_text(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("Sent")
        await pilot.pause()
        await send(pilot, screen)
        screen.area("prompt").set_text("Typed, not sent")
        await pilot.pause()
        history = screen.query_one(HistoryList)
        await until(pilot, lambda: len(history.records) == 1)
        await pilot.press("ctrl+f", "enter")
        await dialog_shown(pilot, ConfirmDialog)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert screen.area("prompt").text == "Typed, not sent"


async def test_hostile_reply_text_is_shown_as_it_is(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    """Markup and terminal escapes in a reply are data: shown literally, escapes made visible."""
    app = make_app()
    hostile = '{"model":"m","response":"[bold]x[/bold] \\u001b[2J","done":false}'
    real = app.services.client.stream_generate

    async def stream_generate(request: GenerateRequest) -> AsyncGenerator[Streamed[GenerateChunk]]:
        yield Streamed(GenerateChunk("m", "[bold]x[/bold] \x1b[2J"), hostile + "\x1b[31m")
        async for item in real(request):
            yield item

    app.services.client.stream_generate = stream_generate  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("hi")
        await pilot.pause()
        await send(pilot, screen)
        assert shown(screen, "#wb-result").startswith("[bold]x[/bold] ␛[2J")
        first = screen.query_one(RawLines).lines[0]
        assert "\x1b" not in first and first.endswith("␛[31m")


async def test_palette_entries_start_with_workbench(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        titles = [command.title for command in screen.palette_commands()]
        assert titles and all(title.startswith("Workbench") for title in titles)
        assert "Workbench: copy as curl" in titles


async def test_a_missing_model_is_offered_for_pulling(
    make_app: AppFactory, sim: SimulatedOllama
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("hello")
        await pilot.pause()
        await app.services.client.delete("llama3.2:latest")
        await pilot.press("ctrl+g")
        await dialog_shown(pilot, ConfirmDialog)
        assert "not found" in shown(screen, "#wb-status")
        await pilot.click("#confirm")
        await until(pilot, lambda: isinstance(app.screen, PullsScreen))
        pulls = app.screen
        assert isinstance(pulls, PullsScreen)
        assert [transfer.model for transfer in pulls.transfers] == ["llama3.2:latest"]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


async def test_images_go_to_a_vision_model_and_are_refused_for_another(
    make_app: AppFactory, sim: SimulatedOllama, tmp_path: Path
) -> None:
    picture = tmp_path / "cat.png"
    picture.write_bytes(PNG)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_workbench(pilot)
        await choose(pilot, screen, "llama3.2:latest")
        screen.area("prompt").set_text("What is in the picture?")
        screen.area("images").set_text(f"{tmp_path / 'missing.png'}")
        await pilot.pause()
        await send(pilot, screen)
        assert bodies(sim, "/api/generate") == []
        assert "No such file" in shown(screen, "#wb-status")
        screen.area("images").set_text(str(picture))
        await pilot.pause()
        await send(pilot, screen)
        assert bodies(sim, "/api/generate") == []
        assert screen.area("images").has_class("-invalid")
        assert "cannot read images" in shown(screen, "#wb-status")

        await choose(pilot, screen, "llava:7b")
        expected = previewed(screen)
        await send(pilot, screen)
        [body] = bodies(sim, "/api/generate")
        assert body == expected
        assert body["images"] == [base64.b64encode(PNG).decode("ascii")]
