"""Drive the installed ``ollama-tui`` in a real terminal: tmux send-keys and capture-pane."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

TMUX = shutil.which("tmux")

INHERITED_ONLY_HERE = frozenset({"TMUX", "COLUMNS", "LINES"})
"""Variables of the test process that must not reach the app: a TMUX would point at the
user's tmux, and a COLUMNS or LINES (pytest-xdist workers set 80 and 24) would override the
size of the terminal the app runs in."""


def app_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for the app under test: this process's, less
    :data:`INHERITED_ONLY_HERE`, with ``env`` on top and a colour terminal by default."""
    environment = {k: v for k, v in os.environ.items() if k not in INHERITED_ONLY_HERE}
    environment.update(env or {})
    environment.setdefault("TERM", "xterm-256color")
    return environment


def installed_command() -> str:
    """The ``ollama-tui`` script installed beside the running Python."""
    candidate = Path(sys.executable).parent / "ollama-tui"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("ollama-tui")
    if found is None:
        raise RuntimeError("ollama-tui is not installed in this environment")
    return found


class TmuxSession:
    """One detached tmux session running a command at a fixed size."""

    def __init__(
        self,
        command: list[str],
        *,
        width: int = 120,
        height: int = 40,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if TMUX is None:
            raise RuntimeError("tmux is not installed")
        self.name = f"ollama-tui-test-{uuid.uuid4().hex[:8]}"
        self._tmux = TMUX
        environment = app_environment(env)
        # remain-on-exit keeps the pane readable if the app dies, so failures show why.
        shell_command = " ".join(shlex.quote(part) for part in command)
        subprocess.run(
            [
                TMUX,
                "-L",
                self.name,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                str(width),
                "-y",
                str(height),
                shell_command,
            ],
            check=True,
            env=environment,
        )
        self._run("set-option", "-t", self.name, "remain-on-exit", "on")

    def _run(self, *args: str) -> str:
        result = subprocess.run(
            [self._tmux, "-L", self.name, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def send_keys(self, *keys: str, literal: bool = False) -> None:
        """Send keys by tmux name (``Enter``, ``F3``, ``C-q``) or, with literal, as text."""
        args = ["send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        self._run(*args, *keys)

    def type(self, text: str) -> None:
        """Type ``text`` literally."""
        self.send_keys(text, literal=True)

    def capture(self) -> str:
        """The visible screen as plain text."""
        return self._run("capture-pane", "-p", "-t", self.name)

    def pane_dead(self) -> bool:
        """True once the command in the pane has exited."""
        return self._run("display-message", "-p", "-t", self.name, "#{pane_dead}").strip() == "1"

    def wait_for(self, condition: str | Callable[[str], bool], timeout: float = 20.0) -> str:
        """Wait until the screen contains ``condition`` (or satisfies it); return the screen."""
        check = condition if callable(condition) else (lambda screen: condition in screen)
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {condition!r}; the screen shows:\n{screen}")

    def close(self) -> None:
        """Kill the session and its tmux server."""
        self._run("kill-server")

    def __enter__(self) -> TmuxSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
