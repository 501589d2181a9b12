"""The installed app in a pseudo-terminal, every byte it writes recorded.

tmux redraws what the app wrote and loses the raw bytes; a pty read directly keeps
them, so a test can check exactly what reached the terminal. The bytes are also played
on an emulated screen: the app writes only the cells that change, so a word can reach
the terminal a few letters at a time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import threading
import time

from tests.e2e.tmux import app_environment, installed_command
from tests.terminal_screen import TerminalScreen

_CONTROL_SEQUENCE = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)")
"""A CSI sequence (cursor moves, colours) or an OSC sequence."""


class PtyTerminal:
    """``ollama-tui`` with ``args`` in a ``columns`` x ``rows`` pseudo-terminal."""

    def __init__(self, *args: str, env: dict[str, str], columns: int = 120, rows: int = 40) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = app_environment({"TERM": "xterm-256color", **env})
        self.process = subprocess.Popen(
            [installed_command(), *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._master = master
        self._output = bytearray()
        self._screen = TerminalScreen(columns, rows)
        self._screen_at: dict[int, str] = {}
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.2)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                data = os.read(self._master, 1 << 16)
            except (OSError, ValueError):  # the terminal was closed (see hang_up)
                return
            if not data:
                return
            with self._changed:
                self._output += data
                self._screen.feed(data)
                self._changed.notify_all()

    @property
    def output(self) -> bytes:
        """Everything the app has written so far."""
        with self._changed:
            return bytes(self._output)

    @property
    def offset(self) -> int:
        """How many bytes the app has written so far (the screen then is remembered)."""
        with self._changed:
            self._screen_at[len(self._output)] = self._screen.text()
            return len(self._output)

    def screen_text(self) -> str:
        """What the terminal shows now, one line per row."""
        with self._changed:
            return self._screen.text()

    def _drawn(self, needle: bytes, after: int) -> bool:
        """Whether ``needle`` was written past ``after`` in one piece, or is on screen now
        and was not at ``after``."""
        if needle in _CONTROL_SEQUENCE.sub(b"", bytes(self._output[after:])):
            return True
        text = needle.decode()
        return text in self._screen.text() and text not in self._screen_at.get(after, "")

    def wait_for(self, needle: bytes, *, after: int = 0, timeout: float = 60.0) -> None:
        """Wait until ``needle`` is drawn in the output past ``after``.

        The output is read with its control sequences left out (one line of text can be
        drawn in pieces, a cursor move or a style change between them), and the screen
        is read too (a word can be drawn over a similar one by its changed letters only).
        The timeout only turns a hang into a failure with the output's tail in it.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while not self._drawn(needle, after):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (
                    self.process.poll() is not None and not self._reader.is_alive()
                ):
                    drawn = _CONTROL_SEQUENCE.sub(b"", bytes(self._output[after:]))
                    tail = drawn[-3000:].decode("utf-8", errors="replace")
                    raise AssertionError(f"{needle!r} never drawn; the text drawn ends:\n{tail}")
                self._changed.wait(min(remaining, 0.2))

    def type(self, data: str | bytes) -> None:
        """Send keys: text, or raw bytes such as ``b"\\x1bOR"`` for f3."""
        os.write(self._master, data.encode() if isinstance(data, str) else data)

    def wait_exit(self, timeout: float = 30.0) -> int:
        """The exit status, once the app has ended; the reader drains the rest first."""
        code = self.process.wait(timeout)
        self._reader.join(timeout)
        return code

    def hang_up(self) -> None:
        """Close the terminal under the app, as a closed window or a dropped SSH link does
        (the app is not its session's controlling process here, so no SIGHUP comes: its
        next write fails)."""
        with self._changed:
            os.close(self._master)
            self._master = -1

    def signal(self, number: signal.Signals) -> None:
        """Send ``number`` to the app."""
        self.process.send_signal(number)

    def close(self) -> None:
        """Stop the app if it still runs and release the terminal."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self._master >= 0:
            with contextlib.suppress(OSError):
                os.close(self._master)
