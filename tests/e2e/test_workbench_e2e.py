"""The installed app in tmux: workbench requests sent as previewed, a push and a create.

Each request the simulated server received is compared with the body the workbench's
preview showed before it was sent.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.core.gguf import write_minimal_gguf
from tui_app.demo import SimModel, SimulatedOllama
from tui_app.demo._models import blob_digest, default_models

pytestmark = pytest.mark.e2e

CODER = SimModel(
    name="qwen2.5-coder:1.5b",
    family="qwen2",
    parameter_size="1.5B",
    capabilities=["completion", "insert"],
)
MINE = SimModel(
    name="me/tiny:latest",
    layers=[
        (blob_digest("me/tiny", "weights"), 3_000_000),
        (blob_digest("me/tiny", "template"), 2_000_000),
        (blob_digest("me/tiny", "params"), 90),
    ],
)


def bodies(sim: SimulatedOllama, path: str) -> list[Any]:
    """The bodies of the requests to ``path`` so far, oldest first."""
    return [request.body for request in list(sim.requests) if request.path == path]


def wait_for_bodies(sim: SimulatedOllama, path: str, count: int = 1) -> list[Any]:
    """The bodies of the requests to ``path``, once there are ``count`` of them."""
    deadline = time.monotonic() + 20.0
    while time.monotonic() < deadline:
        found = bodies(sim, path)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {count} requests to {path}, saw {len(bodies(sim, path))}")


def previewed(screen: str, body: dict[str, Any]) -> bool:
    """Whether every line of ``body`` as indented JSON shows on ``screen`` (the preview)."""
    lines = json.dumps(body, indent=2, ensure_ascii=False).splitlines()
    return all(line.strip() in screen for line in lines)


def preview_lines(screen: str) -> list[str]:
    """The lines in view in the request preview box, stripped."""
    lines: list[str] = []
    inside = False
    for line in screen.splitlines():
        if "request preview" in line:
            inside = True
        elif inside:
            box = line.split("▏", 1)[-1]
            if box.startswith("╰"):
                break
            lines.append(box.strip("│").strip())
    return lines


def pause() -> None:
    """A person's beat between typing and the next key, so keys do not arrive as a paste."""
    time.sleep(0.3)


def open_workbench(app: TmuxSession, capabilities: str) -> None:
    app.wait_for("online")
    app.send_keys("F10")
    app.wait_for(f"capabilities: {capabilities}")


def test_a_generate_then_an_embed(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", "llama3.2")
        app.wait_for("online")
        app.send_keys("F10")
        app.wait_for("capabilities: completion")
        app.type("Why is the sky blue?")
        app.wait_for('"prompt": "Why is the sky blue?"')
        app.send_keys("C-g")
        # The figures under a long reply scroll into view once it is done.
        screen = app.wait_for(lambda s: "lines received" in s and "tokens/s" in s, timeout=30)
        assert "load" in screen
        [body] = wait_for_bodies(sim, "/api/generate")
        assert body == {
            "model": "llama3.2:latest",
            "prompt": "Why is the sky blue?",
            "stream": True,
        }

        app.send_keys("C-e")
        app.wait_for("capabilities: embedding")
        app.type("cats purr")
        app.send_keys("Enter")
        app.type("dogs bark")
        app.wait_for('"dogs bark"')
        app.send_keys("C-g")
        # The figures and the matrix may be seen a capture apart: wait for both.
        screen = app.wait_for(lambda s: "cosine similarity" in s and "2 vectors" in s, timeout=30)
        assert "length 768" in screen
        [body] = wait_for_bodies(sim, "/api/embed")
        assert body == {"model": "nomic-embed-text:latest", "input": ["cats purr", "dogs bark"]}
        assert not app.pane_dead()


def test_a_suffix_is_filled_in_by_a_code_model(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0, models=[*default_models(), CODER])
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", CODER.name)
        open_workbench(app, "completion, insert")
        app.type("def add(a, b):")
        app.wait_for('"prompt": "def add(a, b):"')
        pause()
        app.send_keys("Tab")
        pause()
        app.type("print(add(1, 2))")
        expected = {
            "model": "qwen2.5-coder:1.5b",
            "prompt": "def add(a, b):",
            "suffix": "print(add(1, 2))",
            "stream": True,
        }
        app.wait_for(lambda screen: previewed(screen, expected))
        pause()
        app.send_keys("C-g")
        app.wait_for("lines received", timeout=30)
        assert wait_for_bodies(sim, "/api/generate") == [expected]
        assert not app.pane_dead()


def test_a_json_schema_generate(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", "llama3.2")
        open_workbench(app, "completion")
        app.type("Name a city and its population.")
        app.wait_for('"prompt": "Name a city and its population."')
        for _ in range(6):  # suffix, images, system, template, raw, then format
            pause()
            app.send_keys("Tab")
        pause()
        app.send_keys("Enter")
        app.wait_for("JSON schema")
        for key in ("Down", "Down", "Down", "Enter"):
            pause()
            app.send_keys(key)
        pause()
        app.send_keys("Tab")
        pause()
        schema = '{"type": "object", "properties": {"city": {"type": "string"}}}'
        app.type(schema)
        expected = {
            "model": "llama3.2:latest",
            "prompt": "Name a city and its population.",
            "format": json.loads(schema),
            "stream": True,
        }
        app.wait_for(lambda screen: previewed(screen, expected))
        pause()
        app.send_keys("C-g")
        screen = app.wait_for("lines received", timeout=30)
        assert '"city"' in screen
        assert wait_for_bodies(sim, "/api/generate") == [expected]


def test_context_carries_over_three_requests(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", "llama3.2")
        open_workbench(app, "completion")
        prompts = ["My name is Ada.", " What is my name?", " Spell it."]
        text = ""
        carried = 0
        for index, prompt in enumerate(prompts):
            pause()
            app.send_keys("End")
            pause()
            app.type(prompt)
            text += prompt
            app.wait_for(f'"prompt": "{text}"')
            if index:
                # ctrl+t carries the last reply's context into the preview.
                pause()
                app.send_keys("C-t")
                screen = app.wait_for("The next request continues from")
                after = screen.split("continues from", 1)[1].split()
                carried = int(after[0])
                screen = app.wait_for('"context": [')
            pause()
            app.send_keys("C-g")
            sent = wait_for_bodies(sim, "/api/generate", index + 1)
            body = sent[index]
            expected = {"model": "llama3.2:latest", "prompt": text, "stream": True}
            if index:
                # The preview shows the context a number a line: its head is in view.
                shown = preview_lines(screen)
                after = shown[shown.index('"context": [') + 1 :]
                head = [int(line.rstrip(",")) for line in after if line.rstrip(",").isdigit()]
                assert head, screen
                assert head == body["context"][: len(head)]
                assert len(body["context"]) == carried
                assert len(body["context"]) > len(sent[index - 1].get("context", []))
                expected["context"] = body["context"]
            assert body == expected
            app.wait_for("lines received.", timeout=30)
        _, second, third = wait_for_bodies(sim, "/api/generate", 3)
        assert third["context"][: len(second["context"])] == second["context"]
        assert not app.pane_dead()


def test_an_embed_of_three_inputs_shows_their_similarity(
    run_app: Callable[..., TmuxSession],
) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    with sim.serve() as server:
        app = run_app("--host", server.url, "--model", "nomic-embed-text")
        app.wait_for("online")
        app.send_keys("F10")
        app.wait_for("request preview")
        pause()
        app.send_keys("C-e")
        app.wait_for("capabilities: embedding")
        inputs = ["cats purr", "dogs bark", "kittens meow"]
        for index, text in enumerate(inputs):
            if index:
                pause()
                app.send_keys("Enter")
                pause()
            app.type(text)
            app.wait_for(f'"{text}"')
        expected = {"model": "nomic-embed-text:latest", "input": inputs}
        app.wait_for(lambda screen: previewed(screen, expected))
        pause()
        app.send_keys("C-g")
        screen = app.wait_for("cosine similarity", timeout=30)
        assert "3 vectors" in screen
        matrix = {
            int(row): [float(value) for value in values.split()]
            for row, values in re.findall(r"│\s+([123])((?:\s+-?\d\.\d{3}){3})\s", screen)
        }
        assert sorted(matrix) == [1, 2, 3], screen
        for row, values in matrix.items():
            assert values[row - 1] == 1.0
            assert all(values[col] == matrix[col + 1][row - 1] for col in range(3))
        assert wait_for_bodies(sim, "/api/embed") == [expected]


def palette(app: TmuxSession, command: str) -> None:
    """Run ``command`` from the command palette, typed like a person."""
    pause()
    app.send_keys("C-p")
    app.wait_for("Search for commands")
    pause()
    app.type(command)
    app.wait_for(command)
    pause()
    app.send_keys("Enter")


def test_a_push_in_my_namespace(run_app: Callable[..., TmuxSession]) -> None:
    sim = SimulatedOllama(token_delay=0.0, pull_tick=0.02, pull_rate=50_000_000)
    sim.models.append(MINE)
    with sim.serve() as server:
        app = run_app("--host", server.url)
        app.wait_for("online")
        app.send_keys("F3")
        app.wait_for("me/tiny")
        pause()
        app.send_keys("/")
        pause()
        app.type("me/")
        app.wait_for("1 of 6")
        pause()
        app.send_keys("Down")  # from the filter to the one model left
        palette(app, "Push me/tiny:latest")
        screen = app.wait_for("Pushed me/tiny:latest", timeout=30)
        for digest, _ in MINE.layers:
            assert digest[7:19] in screen, screen
        assert bodies(sim, "/api/push") == [{"model": "me/tiny:latest", "stream": True}]
        assert {digest for digest, _ in MINE.layers} <= sim.registry


def test_a_create_from_a_gguf_file(run_app: Callable[..., TmuxSession], tmp_path: Path) -> None:
    sim = SimulatedOllama(token_delay=0.0, pull_tick=0.0)
    model_file = write_minimal_gguf(tmp_path / "tiny.gguf", payload=b"\0" * 4096)
    with sim.serve() as server:
        app = run_app("--host", server.url)
        app.wait_for("online")
        app.send_keys("F3")
        app.wait_for("llama3.2")
        palette(app, "Create a model from a GGUF file")
        app.wait_for("path of a .gguf file")
        pause()
        app.type("handmade")
        pause()
        app.send_keys("Tab")
        pause()
        app.type(str(model_file))
        pause()
        app.send_keys("C-s")
        app.wait_for("Created handmade", timeout=30)
        uploads = [r for r in list(sim.requests) if r.path.startswith("/api/blobs/")]
        assert any(r.method == "POST" for r in uploads)
        [create] = bodies(sim, "/api/create")
        assert create["model"] == "handmade"
        assert list(create["files"].values()) == [uploads[-1].path.rsplit("/", 1)[1]]
        assert sim.installed("handmade") is not None
        pause()
        app.send_keys("F3")
        app.wait_for("handmade:latest")


def test_bad_files_send_nothing(run_app: Callable[..., TmuxSession], tmp_path: Path) -> None:
    sim = SimulatedOllama(token_delay=0.0)
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("just some notes\n")
    with sim.serve() as server:
        app = run_app("--host", server.url)
        app.wait_for("online")
        app.send_keys("F3")
        app.wait_for("llama3.2")
        palette(app, "Create a model from a GGUF file")
        app.wait_for("path of a .gguf file")
        pause()
        app.type("handmade")
        pause()
        app.send_keys("Tab")
        pause()
        app.type(str(tmp_path / "missing.gguf"))
        pause()
        app.send_keys("C-s")
        app.wait_for("does not exist")
        pause()
        app.send_keys("C-u")
        pause()
        app.type(str(not_gguf))
        pause()
        app.send_keys("C-s")
        app.wait_for("not a GGUF file")
        pause()
        app.send_keys("Escape")
        app.wait_for(lambda screen: "path of a .gguf file" not in screen)
        assert not any(
            r.path.startswith("/api/blobs/") or r.path == "/api/create" for r in list(sim.requests)
        )
