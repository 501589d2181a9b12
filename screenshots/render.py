"""Redraw the pictures in screenshots/ from demo mode.

Usage: python screenshots/render.py [--png]

Each screen is driven headless against the in-process simulated Ollama and saved
as SVG. With --png, each SVG is also converted with rsvg-convert (Debian package
librsvg2-bin) when it is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tui_app.api import OllamaClient
from tui_app.app import OllamaTUI
from tui_app.core.hosts import Host
from tui_app.demo import SimModel, SimulatedOllama
from tui_app.services import Services
from tui_app.store import Store

HERE = Path(__file__).resolve().parent
SIZE = (120, 36)
NARROW = (80, 24)
"""The smallest terminal every screen is made to work in."""

Scene = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    """Let the workers finish, then redraw."""
    for worker in list(pilot.app.workers):
        if not worker.is_finished:
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()
    await pilot.pause(0.3)


async def chat(pilot: Pilot[None]) -> None:
    """A thinking model's reply: folded reasoning, highlighted code, a list and its stats."""
    await pilot.press("f2")
    await settle(pilot)
    await pilot.press("ctrl+o")
    await pilot.pause(0.3)
    await pilot.press(*"qwen3", "enter")
    await pilot.pause(0.3)
    await pilot.press(*"Write a Python function that counts words", "enter")
    for _ in range(200):
        await pilot.pause(0.05)
        footers = [str(s.render()) for s in pilot.app.screen.query(".message-footer")]
        if any("finished" in text for text in footers):
            break
    await settle(pilot)


async def models(pilot: Pilot[None]) -> None:
    app: OllamaTUI = pilot.app  # type: ignore[assignment]
    await app.services.client.load("qwen3:8b", keep_alive=-1)
    await app.services.client.load("llama3.2:latest")
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press("down", "down", "down", "down")
    await settle(pilot)


async def hosts(pilot: Pilot[None]) -> None:
    """A laptop and a GPU box in one table, with what each has loaded."""
    app: OllamaTUI = pilot.app  # type: ignore[assignment]
    gpu = app.services.hosts.get_or_default("gpu")
    await app.services.client.load("llama3.2:latest")
    await gpu.client.load("llama3.3:70b", keep_alive=-1)
    await pilot.press("f3")
    await settle(pilot)
    await pilot.press("down", "down")
    await settle(pilot)


def gpu_box() -> Host:
    """A second host for the hosts scene: a big model, and two the laptop has too."""
    sim = SimulatedOllama(token_delay=0.0, version="0.12.3")
    sim.models = [m for m in sim.models if m.name in ("llama3.2:latest", "qwen3:8b")]
    sim.models.append(
        SimModel("llama3.3:70b", parameter_size="70.6B", size=int(42.5e9), family="llama")
    )
    client = OllamaClient("http://gpubox:11434", transport=sim.transport())
    return Host("gpu", client.base_url, client)


async def pulls(pilot: Pilot[None]) -> None:
    await pilot.press("f4")
    await settle(pilot)
    for name in ("mistral:7b", "deepseek-r1:1.5b"):
        await pilot.press(*name, "enter")
    # Catch both pulls part-way (the demo server downloads at about 400 MB/s).
    await pilot.pause(1.0)


async def options(pilot: Pilot[None]) -> None:
    await pilot.press("f5")
    await settle(pilot)
    await pilot.press("minus", "1")
    await settle(pilot)


async def workbench(pilot: Pilot[None]) -> None:
    """Three inputs embedded: vectors, timings and their similarity matrix, raw reply beside."""
    await pilot.press("f10")
    await settle(pilot)
    await pilot.press("ctrl+e")
    await settle(pilot)
    for text in ("The cat sat on the mat.", "A kitten naps on the rug.", "Stocks fell on Monday."):
        await pilot.press(*text, "enter")
    await pilot.press("backspace", "ctrl+g")
    await settle(pilot)


async def compare(pilot: Pilot[None]) -> None:
    """One model at temperature 0, 0.7 and 1.5 with seed 42, run and then repeated."""
    from tui_app.screens.compare import CompareScreen

    app: OllamaTUI = pilot.app  # type: ignore[assignment]
    await pilot.press("f12")
    await settle(pilot)
    await pilot.press("ctrl+n")
    await pilot.pause(0.3)
    screen = app.screen
    assert isinstance(screen, CompareScreen)
    for column, temperature in zip(screen.columns, (0, 0.7, 1.5), strict=True):
        column.choose(model="llama3.2:latest", options={"temperature": temperature, "seed": 42})
    await pilot.pause(0.3)
    screen.focus_prompt()
    await pilot.press(*"Why write tests?", "enter")
    await settle(pilot)
    await pilot.press("ctrl+g")
    await settle(pilot)


async def help_screen(pilot: Pilot[None]) -> None:
    await pilot.press("f1")
    await settle(pilot)


SCENES: dict[str, tuple[Scene, tuple[int, int]]] = {
    "chat": (chat, SIZE),
    "chat-80x24": (chat, NARROW),
    "models": (models, SIZE),
    "hosts": (hosts, SIZE),
    "pulls": (pulls, SIZE),
    "options": (options, SIZE),
    "workbench": (workbench, SIZE),
    "compare": (compare, SIZE),
    "help": (help_screen, SIZE),
}


async def render(name: str, scene: Scene, size: tuple[int, int], data_dir: Path) -> Path:
    """Run one scene in a fresh demo app and save its screenshot."""
    sim = SimulatedOllama(token_delay=0.0, pull_tick=0.01)
    store = Store.open(data_dir / name / "ollama-tui.db")
    services = Services(
        client=OllamaClient("http://demo", transport=sim.transport()),
        store=store,
        host="laptop" if name == "hosts" else "http://127.0.0.1:11434",
        demo=True,
        more_hosts=(gpu_box(),) if name == "hosts" else (),
    )
    app = OllamaTUI(services)
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scene(pilot)
            path = Path(app.save_screenshot(f"{name}.svg", str(HERE)))
    finally:
        store.close()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", action="store_true", help="also write PNG files")
    parser.add_argument(
        "scenes", nargs="*", help=f"which to render (default: all of {list(SCENES)})"
    )
    args = parser.parse_args()
    chosen = args.scenes or list(SCENES)
    converter = shutil.which("rsvg-convert") if args.png else None
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            scene, size = SCENES[name]
            svg = asyncio.run(render(name, scene, size, Path(tmp)))
            print(svg.relative_to(HERE.parent))
            if converter:
                png = svg.with_suffix(".png")
                subprocess.run([converter, "-o", str(png), str(svg)], check=True)
                print(png.relative_to(HERE.parent))
    if args.png and not converter:
        print("rsvg-convert not found: SVG only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
