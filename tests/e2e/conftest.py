"""End-to-end fixtures: the installed app in tmux against a simulated server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.tmux import TMUX, TmuxSession, installed_command

pytestmark = pytest.mark.e2e


@pytest.fixture
def run_app(tmp_path: Path) -> Iterator[Callable[..., TmuxSession]]:
    """Start ``ollama-tui`` with the given arguments in tmux; closed after the test."""
    if TMUX is None:
        pytest.skip("tmux is not installed")
    sessions: list[TmuxSession] = []

    def start(
        *args: str,
        env: dict[str, str] | None = None,
        width: int = 120,
        height: int = 40,
        data_dir: Path | None = None,
    ) -> TmuxSession:
        environment = {"OLLAMA_TUI_DATA_DIR": str(data_dir or tmp_path / "data")}
        environment.update(env or {})
        session = TmuxSession(
            [installed_command(), *args], width=width, height=height, env=environment
        )
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()
