"""Benchmark the installed ``ollama-tui`` in a real pseudo-terminal, beside its limits.

Usage: python benchmarks/run.py [--runs 5] [--only NAME ...]

Every figure is measured on the real app (its console script, in a pty of
120x40) against the simulated Ollama running as its own process on a loopback
port. Where a figure has a physical limit it is taken side by side with it in
the same run: a bare Textual app with one Input, a bare httpx loop reading the
same NDJSON stream, or the app's own keystroke echo while nothing streams.
Screen contents are detected in the raw terminal output, so a figure means
"drawn", not "received".

Measurements (--only): startup, streaming, echo, long-chat, pull-flood
(a pull sending 1,000 progress lines a second: CPU and keystroke echo),
real-speed (replies streamed at 50, 200 and 1,000 tokens/s: bytes written to the
terminal per token, CPU beside a bare httpx reader's, keystroke echo through tmux)
and scaling (tokens/s, CPU per 1,000 tokens and peak RSS as replies grow, for a
5,000-line code block and for 10,000 tokens of thinking).

CPU figures come from the app process's own /proc/PID/stat, so they hold on a
busy machine; wall-clock and echo figures do not, and say so.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import platform
import pty
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx

COLUMNS, ROWS = 120, 40
END_MARKER = "Zzfinalzz"
"""The last word of every benchmark reply; its appearance means the reply is drawn."""
PROMPT_READY = b"enter sends"
"""Text of the chat prompt's placeholder: drawn means the app can be typed into. (Not its
first word: the cursor is drawn on that letter, so the word is written in two pieces.)"""
ECHO_CHARS = "жзийклмнопрстуфхцчшщэюяъыьбвгд"
"""Characters no reply or pull screen contains, so each echo is found unambiguously."""
F4 = b"\x1bOS"
"""The f4 key as xterm sends it: opens the Pulls screen."""
PULLS_READY = b"then enter"
"""End of the pull name field's placeholder: drawn means the Pulls screen can be typed into."""
FLOOD_MODEL = "mistral:7b"
"""In the simulated registry but not installed; at 1,000 lines/s its pull takes about 24 s."""

BARE_APP = textwrap.dedent(
    """
    from textual.app import App
    from textual.widgets import Input

    class Bare(App):
        def compose(self):
            yield Input(placeholder="Message · enter sends")

    Bare().run()
    """
)


def app_command() -> list[str]:
    """The installed console script beside this Python."""
    script = Path(sys.executable).parent / "ollama-tui"
    if not script.exists():
        sys.exit("ollama-tui is not installed in this environment (pip install -e .)")
    return [str(script)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Terminal:
    """A command running in a pseudo-terminal, its output collected with timestamps."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str] | None = None,
        size: tuple[int, int] = (COLUMNS, ROWS),
    ) -> None:
        master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {**os.environ, "TERM": "xterm-256color", **(env or {})}
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command,
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
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.5)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                data = os.read(self._master, 1 << 16)
            except OSError:
                return
            if not data:
                return
            with self._changed:
                self._output += data
                self._changed.notify_all()

    @property
    def offset(self) -> int:
        """How many bytes of output have arrived so far."""
        with self._changed:
            return len(self._output)

    def wait_for(self, needle: bytes, *, after: int = 0, timeout: float = 60.0) -> float:
        """Block until ``needle`` appears in the output past ``after``; return that moment."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while needle not in self._output[after:]:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    tail = bytes(self._output[-400:])
                    raise TimeoutError(f"{needle!r} not drawn within {timeout} s; tail: {tail!r}")
                self._changed.wait(remaining)
            return time.perf_counter()

    def seen(self, needle: bytes, *, after: int = 0) -> bool:
        """Whether ``needle`` has appeared in the output past ``after``."""
        with self._changed:
            return needle in self._output[after:]

    def write(self, data: bytes) -> float:
        """Type ``data``; return the moment it was sent."""
        os.write(self._master, data)
        return time.perf_counter()

    def echo_latency(self, char: str, timeout: float = 10.0) -> float:
        """Seconds from typing ``char`` to seeing it drawn."""
        after = self.offset
        sent = self.write(char.encode())
        return self.wait_for(char.encode(), after=after, timeout=timeout) - sent

    def peak_rss_mib(self) -> float:
        """The process's peak resident memory (VmHWM), in MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User plus system CPU time used by the process so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def close(self) -> None:
        """Stop the process and release the terminal."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self._master)


@contextlib.contextmanager
def simulated_server(*args: str, chat_first_bytes: list[float] | None = None) -> Iterator[str]:
    """Run ``python -m tui_app.demo`` on a free loopback port; yield its URL.

    With ``chat_first_bytes``, the moment (``time.perf_counter``, the same monotonic clock
    in every process on Linux) each chat stream's first chunk left the server is appended
    to it as it happens.
    """
    port = free_port()
    report = ["--report-first-byte"] if chat_first_bytes is not None else []
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_app.demo", "--port", str(port), *report, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )

    def read_reports() -> None:
        assert process.stdout is not None and chat_first_bytes is not None
        for report_line in process.stdout:
            word, path, when = [*report_line.split(), "", "", ""][:3]
            if word == "first-byte" and path == "/api/chat":
                chat_first_bytes.append(float(when))

    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "listening" not in line:
            raise RuntimeError(f"simulated server did not start: {line!r}")
        if chat_first_bytes is not None:
            threading.Thread(target=read_reports, daemon=True).start()
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait()


@contextlib.contextmanager
def running_app(
    host: str, data_dir: Path, size: tuple[int, int] = (COLUMNS, ROWS)
) -> Iterator[Terminal]:
    """The real app in a pty, pointed at ``host`` with its own data directory."""
    terminal = Terminal(
        [*app_command(), "--host", host, "--data-dir", str(data_dir)],
        size=size,
    )
    try:
        yield terminal
    finally:
        terminal.close()


@dataclass
class Figure:
    """One measured quantity over several runs, with its limit and target."""

    name: str
    unit: str
    values: list[float] = field(default_factory=list)
    limit: list[float] = field(default_factory=list)
    target: str = ""
    limit_name: str = ""

    def row(self) -> str:
        def summary(values: list[float]) -> str:
            if not values:
                return "-"
            return f"{statistics.median(values):.3g} ({min(values):.3g}-{max(values):.3g})"

        return (
            f"| {self.name} | {summary(self.values)} {self.unit} | "
            f"{self.limit_name} {summary(self.limit)} | {self.target} |"
        )


def bare_reader(host: str, prompt: str) -> tuple[float, float, int]:
    """Read one chat stream with plain httpx: (first chunk s, total s, chunks)."""
    body = {"model": "llama3.2", "messages": [{"role": "user", "content": prompt}]}
    start = time.perf_counter()
    first = 0.0
    count = 0
    with (
        httpx.Client(timeout=None) as client,
        client.stream("POST", f"{host}/api/chat", json=body) as response,
    ):
        for line in response.iter_lines():
            if not line:
                continue
            chunk = json.loads(line)
            if not count:
                first = time.perf_counter() - start
            if chunk.get("done"):
                break
            count += 1
    return first, time.perf_counter() - start, count


def measure_startup(runs: int, workdir: Path) -> list[Figure]:
    """Launch to the prompt drawn and echoing, with 200 models listed."""
    figure = Figure(
        "start-up to a prompt ready to type (200 models)",
        "s",
        target="≤ 3x bare Textual",
        limit_name="bare Textual app:",
    )
    bare = workdir / "bare_app.py"
    bare.write_text(BARE_APP)
    with simulated_server("--models", "200") as host:
        for run in range(runs):
            terminal = Terminal([sys.executable, str(bare)])
            try:
                terminal.wait_for(PROMPT_READY)
                terminal.echo_latency(ECHO_CHARS[0])
                figure.limit.append(time.perf_counter() - terminal.started)
            finally:
                terminal.close()
            with running_app(host, workdir / f"startup-{run}") as app:
                app.wait_for(PROMPT_READY)
                app.echo_latency(ECHO_CHARS[0])
                figure.values.append(time.perf_counter() - app.started)
    return [figure]


def send_prompt(app: Terminal, prompt: str) -> float:
    """Type a prompt and press enter; return the moment enter was sent."""
    app.wait_for(PROMPT_READY)
    app.write(prompt.encode())
    time.sleep(0.2)
    return app.write(b"\r")


def measure_streaming(runs: int, workdir: Path) -> list[Figure]:
    """Long replies as fast as the server sends them, beside a bare httpx reader."""
    long_rate = Figure(
        "20,000-token reply, enter to last token drawn",
        "tokens/s",
        target="≥ 20% of bare reader",
        limit_name="bare httpx reader:",
    )
    short_time = Figure(
        "2,000-token reply, enter to last token drawn",
        "s",
        target="≤ 0.3 s",
        limit_name="bare httpx reader:",
    )
    first_token = Figure(
        "first token drawn after enter (2,000-token reply)",
        "s",
        limit_name="bare reader's first chunk:",
    )
    first_after_server = Figure(
        "first token drawn after the server sent it (2,000-token reply)",
        "s",
        target="≤ 0.05 s",
    )
    rss = Figure("peak RSS over the 20,000-token reply", "MiB", target="≤ 150 MiB")
    cpu = Figure("CPU time over the 20,000-token reply", "s")
    for tokens, figures in ((20000, "long"), (2000, "short")):
        first_bytes: list[float] = []
        with simulated_server(
            "--reply-tokens",
            str(tokens),
            "--token-delay",
            "0",
            "--end-marker",
            END_MARKER,
            chat_first_bytes=first_bytes,
        ) as host:
            for run in range(runs):
                first, total, count = bare_reader(host, "benchmark")
                if figures == "long":
                    long_rate.limit.append(count / total)
                else:
                    short_time.limit.append(total)
                    first_token.limit.append(first)
                with running_app(host, workdir / f"stream-{tokens}-{run}") as app:
                    cpu_before = app.cpu_seconds()
                    after = app.offset
                    sent = send_prompt(app, "benchmark")
                    if figures == "short":
                        drawn = app.wait_for(b"Part", after=after)
                        first_token.values.append(drawn - sent)
                        server_sent = [when for when in first_bytes if when >= sent]
                        if server_sent:
                            first_after_server.values.append(drawn - server_sent[0])
                    done = app.wait_for(END_MARKER.encode(), after=after, timeout=300)
                    if figures == "long":
                        long_rate.values.append(tokens / (done - sent))
                        rss.values.append(app.peak_rss_mib())
                        cpu.values.append(app.cpu_seconds() - cpu_before)
                    else:
                        short_time.values.append(done - sent)
    return [long_rate, short_time, first_after_server, first_token, rss, cpu]


def measure_echo(runs: int, workdir: Path) -> list[Figure]:
    """Keystroke echo while a reply streams at 200 tokens/s, beside idle echo.

    Both are typed 0.1 s apart, as a person types: keys sent back to back would each
    wait for the frame the previous one started, which measures the frame rate, not
    the echo.
    """
    figure = Figure(
        "keystroke echo while streaming 200 tokens/s",
        "ms",
        target="≤ 1.5x idle",
        limit_name="idle:",
    )
    with simulated_server(
        "--reply-tokens", "3000", "--token-delay", "0.005", "--end-marker", END_MARKER
    ) as host:
        for run in range(runs):
            with running_app(host, workdir / f"echo-{run}") as app:
                app.wait_for(PROMPT_READY)
                time.sleep(1.0)  # past start-up's model list and warm-up
                figure.limit.append(spaced_echoes(app, ECHO_CHARS[:10]))
            with running_app(host, workdir / f"echo-stream-{run}") as app:
                send_prompt(app, "benchmark")
                time.sleep(0.5)
                figure.values.append(spaced_echoes(app, ECHO_CHARS[10:25]))
    return [figure]


def spaced_echoes(app: Terminal, chars: str) -> float:
    """Median echo in ms of ``chars`` typed one by one, 0.1 s apart."""
    latencies = []
    for ch in chars:
        latencies.append(app.echo_latency(ch) * 1000)
        time.sleep(0.1)
    return statistics.median(latencies)


LAST_MESSAGE_MARKER = "Zzlastmessagezz"


def long_chat_rows(count: int) -> Iterator[tuple[str, str]]:
    """``count`` alternating prompts and Markdown replies, short and long mixed."""
    reply = textwrap.dedent(
        """
        ## Notes {n}

        Here is what I found, with a table and some code:

        | item | value |
        |---|---|
        | first | {n} |
        | second | {m} |

        ```python
        def answer_{n}() -> int:
            return {m}
        ```

        - one point
        - another point, **bold** and `code`
        """
    )
    for n in range(count - 1):
        if n % 2 == 0:
            yield "user", f"Question {n}: what about item {n}?"
        elif n % 5 == 1:
            yield "assistant", reply.format(n=n, m=n * 7)
        else:
            yield "assistant", f"Short answer {n}."
    yield "assistant", f"The last reply. {LAST_MESSAGE_MARKER}"


def measure_long_chat(runs: int, workdir: Path) -> list[Figure]:
    """Open a chat of 10,000 stored messages: time to its newest message drawn, peak RSS."""
    from tui_app.store import Store

    first_paint = Figure(
        "open a 10,000-message chat, enter to newest message drawn", "s", target="≤ 1 s"
    )
    rss = Figure("peak RSS with the 10,000-message chat open", "MiB", target="≤ 250 MiB")
    data_dir = workdir / "long-chat"
    with Store.open(data_dir / "ollama-tui.db") as store:
        chat = store.create_chat(title="Ten thousand messages", model="llama3.2:latest")
        store.add_messages(chat.id, long_chat_rows(10_000))
    with simulated_server() as host:
        for _ in range(runs):
            with running_app(host, data_dir) as app:
                app.wait_for(PROMPT_READY)
                time.sleep(0.5)
                app.write(b"\t")
                time.sleep(0.3)
                app.write(b"\x1b[B")
                time.sleep(0.3)
                after = app.offset
                sent = app.write(b"\r")
                drawn = app.wait_for(LAST_MESSAGE_MARKER.encode(), after=after, timeout=60)
                first_paint.values.append(drawn - sent)
                time.sleep(0.5)
                rss.values.append(app.peak_rss_mib())
    return [first_paint, rss]


def check_pull_running(app: Terminal, started: int) -> None:
    """Raise unless the pull begun at output offset ``started`` still draws progress."""
    # A running pull's active layer redraws its "0:12 left" at least once a second.
    app.wait_for(b" left", after=app.offset, timeout=3)
    for word in (b"Model ready", b"failed", b"cancelled"):
        if app.seen(word, after=started):
            raise RuntimeError(f"the pull ended inside the measuring window ({word.decode()!r})")


def measure_pull_flood(runs: int, workdir: Path) -> list[Figure]:
    """A pull sending 1,000 progress lines/s, on screen: app CPU, and echo beside idle echo.

    The pull is started the way a user would: f4, type the model name into the
    Pulls screen's name field, enter. The keystrokes are typed into that same
    field, which keeps the focus after enter, while the pull's panel redraws
    below it: the realistic case of queueing a second pull while one streams,
    and the worst one, since the flooded panel is on screen. Idle echo is typed
    into the same field just before the pull starts, in the same app.
    """
    cpu = Figure(
        "CPU while a pull on screen sends 1,000 progress lines/s",
        "% of a core",
        target="≤ 30% of one core",
    )
    echo = Figure(
        "keystroke echo on the Pulls screen during that pull",
        "ms",
        target="≤ 1.5x idle (echo unaffected)",
        limit_name="idle:",
    )
    for run in range(runs):
        # A fresh server each run: it keeps pulled layers, and a second pull would be cached.
        with (
            simulated_server("--pull-lines-per-second", "1000") as host,
            running_app(host, workdir / f"pull-flood-{run}") as app,
        ):
            app.wait_for(PROMPT_READY)
            after = app.offset
            app.write(F4)
            app.wait_for(PULLS_READY, after=after)
            echo.limit.append(spaced_echoes(app, ECHO_CHARS[:10]))
            # Textual drops whatever arrives in the same read as ctrl+u, so they go apart.
            app.write(b"\x15")
            time.sleep(0.2)
            app.write(FLOOD_MODEL.encode())
            time.sleep(0.2)
            started = app.offset
            app.write(b"\r")
            # Rates and times left are drawn once bytes are flowing.
            app.wait_for(b" left", after=started, timeout=10)
            time.sleep(1)
            cpu_before, wall_before = app.cpu_seconds(), time.perf_counter()
            time.sleep(5)
            cpu_used = app.cpu_seconds() - cpu_before
            cpu.values.append(cpu_used / (time.perf_counter() - wall_before) * 100)
            echo.values.append(spaced_echoes(app, ECHO_CHARS[10:25]))
            check_pull_running(app, started)
    return [cpu, echo]


BARE_READER = textwrap.dedent(
    """
    import json, sys, time, httpx
    body = {"model": "llama3.2", "messages": [{"role": "user", "content": "benchmark"}]}
    cpu = time.process_time()
    with httpx.Client(timeout=None) as client:
        with client.stream("POST", sys.argv[1] + "/api/chat", json=body) as response:
            for line in response.iter_lines():
                if line and json.loads(line).get("done"):
                    break
    print(time.process_time() - cpu)
    """
)


def bare_reader_cpu(host: str, workdir: Path) -> float:
    """CPU seconds a bare httpx loop spends reading one chat stream (its own process,
    counted from after its imports)."""
    script = workdir / "bare_reader.py"
    script.write_text(BARE_READER)
    done = subprocess.run(
        [sys.executable, str(script), host], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def stream_reply(app: Terminal, timeout: float = 600) -> tuple[float, float, int]:
    """Send a prompt and wait for the reply's end: (wall s, app CPU s, bytes written)."""
    cpu_before = app.cpu_seconds()
    after = app.offset
    sent = send_prompt(app, "benchmark")
    done = app.wait_for(END_MARKER.encode(), after=after, timeout=timeout)
    return done - sent, app.cpu_seconds() - cpu_before, app.offset - after


REAL_SPEED_TOKENS = 2000


def reply_text_bytes(tokens: int) -> float:
    """Bytes per token of the benchmark reply's own text (UTF-8)."""
    from tui_app.demo._replies import long_markdown_tokens

    pieces = long_markdown_tokens(tokens)
    return len("".join(pieces).encode()) / len(pieces)


class TmuxApp:
    """The app running in a detached tmux session; keys typed and the screen read by tmux."""

    def __init__(self, host: str, data_dir: Path, name: str) -> None:
        self.name = name
        command = " ".join([*app_command(), "--host", host, "--data-dir", str(data_dir)])
        subprocess.run(
            ["tmux", "new-session", "-d", "-x", str(COLUMNS), "-y", str(ROWS), "-s", name, command],
            check=True,
        )

    def screen(self) -> str:
        """The visible screen as text."""
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=False,
        ).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> float:
        """Poll the screen until ``text`` is on it; return that moment."""
        deadline = time.perf_counter() + timeout
        while text not in self.screen():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{text!r} not on the tmux screen within {timeout} s")
        return time.perf_counter()

    def type(self, keys: str, *, literal: bool = True) -> float:
        """Send ``keys``; return the moment they were sent."""
        flags = ["-l"] if literal else []
        subprocess.run(["tmux", "send-keys", "-t", self.name, *flags, keys], check=True)
        return time.perf_counter()

    def echoes(self, chars: str) -> float:
        """Median ms from sending each of ``chars`` to tmux showing it, 0.1 s apart."""
        latencies = []
        for ch in chars:
            sent = self.type(ch)
            latencies.append((self.wait_for(ch, timeout=10) - sent) * 1000)
            time.sleep(0.1)
        return statistics.median(latencies)

    def close(self) -> None:
        """End the session (and the app in it)."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False)


def measure_real_speed(runs: int, workdir: Path) -> list[Figure]:
    """A 2,000-token reply at 50, 200 and 1,000 tokens/s: terminal bytes, CPU, echo."""
    text_bytes = reply_text_bytes(REAL_SPEED_TOKENS)
    figures: list[Figure] = []
    for rate in (50, 200, 1000):
        cpu = Figure(
            f"CPU while a 2,000-token reply streams at {rate} tokens/s (120x40)",
            "% of a core",
            target={200: "≤ 5%", 1000: "≤ 15%"}.get(rate, ""),
            limit_name="bare httpx reader:",
        )
        sized: list[Figure] = []
        for size in ((COLUMNS, ROWS), (200, 60)):
            written = Figure(
                f"bytes written per token at {rate} tokens/s ({size[0]}x{size[1]})",
                "B/token",
                target="≤ 60 B/token" if rate == 200 else "",
                limit_name="reply's own text:",
            )
            with simulated_server(
                "--reply-tokens",
                str(REAL_SPEED_TOKENS),
                "--tokens-per-second",
                str(rate),
                "--end-marker",
                END_MARKER,
            ) as host:
                for run in range(runs):
                    if size == (COLUMNS, ROWS):
                        reader = bare_reader_cpu(host, workdir)
                        cpu.limit.append(reader / (REAL_SPEED_TOKENS / rate) * 100)
                    with running_app(host, workdir / f"real-{rate}-{size[0]}-{run}", size) as app:
                        app.wait_for(PROMPT_READY)
                        time.sleep(1.0)  # past start-up's model list and warm-up
                        wall, cpu_used, output = stream_reply(app)
                        written.values.append(output / REAL_SPEED_TOKENS)
                        written.limit.append(text_bytes)
                        if size == (COLUMNS, ROWS):
                            cpu.values.append(cpu_used / wall * 100)
            sized.append(written)
        figures += [*sized, cpu]
    return figures + measure_tmux_echo(runs, workdir)


def measure_tmux_echo(runs: int, workdir: Path) -> list[Figure]:
    """Keystroke echo through tmux while streaming at 200 tokens/s, beside idle echo
    through tmux and through the bare pty."""
    streaming = Figure(
        "keystroke echo through tmux while streaming 200 tokens/s",
        "ms",
        target="≤ 1.2x idle via tmux",
        limit_name="idle via tmux:",
    )
    bare = Figure("keystroke echo idle, bare pty (no tmux)", "ms")
    if not shutil.which("tmux"):
        print("tmux not found: echo through tmux not measured", file=sys.stderr)
        return []
    with simulated_server(
        "--reply-tokens", "6000", "--tokens-per-second", "200", "--end-marker", END_MARKER
    ) as host:
        for run in range(runs):
            with running_app(host, workdir / f"echo-pty-{run}") as app:
                app.wait_for(PROMPT_READY)
                time.sleep(1.0)
                bare.values.append(spaced_echoes(app, ECHO_CHARS[:10]))
            tmux = TmuxApp(host, workdir / f"echo-tmux-{run}", f"bench-echo-{os.getpid()}-{run}")
            try:
                tmux.wait_for(PROMPT_READY.decode())
                time.sleep(1.0)
                streaming.limit.append(tmux.echoes(ECHO_CHARS[:10]))
                tmux.type("\x15" * 12, literal=False)  # ctrl+u: clear the prompt
                tmux.type("benchmark")
                time.sleep(0.2)
                tmux.type("Enter", literal=False)
                # The reply's status line, shown for as long as it streams ("Part 1" is
                # on screen for well under a second at this speed).
                tmux.wait_for("receiving")
                time.sleep(0.5)
                streaming.values.append(tmux.echoes(ECHO_CHARS[10:25]))
            finally:
                tmux.close()
    return [streaming, bare]


SCALING = (
    ("2,000-token reply", "markdown", 2000),
    ("20,000-token reply", "markdown", 20000),
    ("100,000-token reply", "markdown", 100000),
    ("one 5,000-line code block (65,000 tokens)", "code", 5000),
    ("10,000 tokens of thinking, then 200 of answer", "thinking", 10000),
)


def measure_scaling(runs: int, workdir: Path) -> list[Figure]:
    """Replies of growing length and shape as fast as the server sends them: tokens/s,
    CPU per 1,000 tokens, peak RSS."""
    from tui_app.demo._replies import code_block_tokens

    figures: list[Figure] = []
    baseline: list[float] = []
    for label, shape, size in SCALING:
        tokens = {"code": len(code_block_tokens(size)) + 1, "thinking": size + 200}.get(shape, size)
        rate = Figure(f"{label}: tokens/s, enter to last token drawn", "tokens/s")
        per_k = Figure(
            f"{label}: CPU per 1,000 tokens",
            "s",
            target="" if label.startswith("2,000") else "≤ 1.5x the 2,000-token reply's",
            limit_name="" if label.startswith("2,000") else "2,000-token reply:",
        )
        rss = Figure(
            f"{label}: peak RSS",
            "MiB",
            target="≤ 150 MiB" if label.startswith("100,000") else "",
        )
        with simulated_server(
            "--reply-tokens",
            str(size),
            "--reply-shape",
            shape,
            "--token-delay",
            "0",
            "--end-marker",
            END_MARKER,
        ) as host:
            for run in range(runs):
                with running_app(host, workdir / f"scale-{shape}-{size}-{run}") as app:
                    app.wait_for(PROMPT_READY)
                    time.sleep(1.0)
                    wall, cpu_used, _ = stream_reply(app, timeout=900)
                    rate.values.append(tokens / wall)
                    per_k.values.append(cpu_used / tokens * 1000)
                    rss.values.append(app.peak_rss_mib())
        if not baseline:
            baseline = per_k.values
        else:
            per_k.limit = baseline
        figures += [rate, per_k, rss]
    return figures


MEASUREMENTS: dict[str, Callable[[int, Path], list[Figure]]] = {
    "startup": measure_startup,
    "streaming": measure_streaming,
    "echo": measure_echo,
    "long-chat": measure_long_chat,
    "pull-flood": measure_pull_flood,
    "real-speed": measure_real_speed,
    "scaling": measure_scaling,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repeats of each figure")
    parser.add_argument("--only", nargs="*", choices=list(MEASUREMENTS), help="which figures")
    args = parser.parse_args()
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="ollama-tui-bench-") as tmp:
        for name in args.only or list(MEASUREMENTS):
            print(f"measuring {name} …", file=sys.stderr, flush=True)
            figures += MEASUREMENTS[name](args.runs, Path(tmp))
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"ollama-tui benchmark, {date.today()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {args.runs} runs, "
        f"load average at the end {load}"
    )
    print()
    print("| figure | app: median (min-max) | limit: median (min-max) | target |")
    print("|---|---|---|---|")
    for figure in figures:
        print(figure.row())
    return 0


if __name__ == "__main__":
    sys.exit(main())
