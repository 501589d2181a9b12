"""The installed command in a real terminal: demo mode, offline and coming back online."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable

import pytest

from tests.e2e.tmux import TmuxSession, installed_command
from tui_app.demo import SimulatedOllama

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_mode_is_online_and_says_it_is_simulated(
    run_app: Callable[..., TmuxSession],
) -> None:
    app = run_app("--demo")
    screen = app.wait_for("online")
    assert "Ollama 0.12.3" in screen
    assert "DEMO: simulated replies" in screen
    app.send_keys("C-q")
    app.wait_for(lambda _: app.pane_dead(), timeout=10)


def test_offline_then_online_when_the_server_appears(
    run_app: Callable[..., TmuxSession],
) -> None:
    port = free_port()
    app = run_app(env={"OLLAMA_HOST": f"127.0.0.1:{port}"}, width=100, height=24)
    screen = app.wait_for("offline")
    assert f"http://127.0.0.1:{port}" in screen
    assert "ollama serve" in screen
    with SimulatedOllama().serve(port=port):
        screen = app.wait_for("online", timeout=15)
        assert "Ollama 0.12.3" in screen


def test_help_lists_the_screen_keys(run_app: Callable[..., TmuxSession]) -> None:
    app = run_app("--demo")
    app.wait_for("online")
    app.send_keys("F1")
    screen = app.wait_for("Keys")
    for key in ("f2", "f3", "f4", "f5", "ctrl+q"):
        assert key in screen


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "ftp://x"], "invalid host"),
        (["--no-such-flag"], "unrecognized arguments"),
    ],
)
def test_bad_command_lines_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = subprocess.run([installed_command(), *args], capture_output=True, text=True)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_version_and_module_entry_point() -> None:
    result = subprocess.run([installed_command(), "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("ollama-tui ")
    module = subprocess.run(
        [sys.executable, "-m", "tui_app", "--help"], capture_output=True, text=True
    )
    assert module.returncode == 0
    assert "--demo" in module.stdout
