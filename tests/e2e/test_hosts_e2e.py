"""Two hosts in a real terminal: two simulated servers on two loopback ports, one with a key.

Both hosts' models are listed in one table with their hosts, a chat on host B's model goes
to B only, stopping B shows it offline while A keeps working (its rows stay, B's go),
starting it again brings it back, a pull goes to the host chosen; the key goes to B alone,
and shows on no screen and in no file of the data dir.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.tmux import TmuxSession
from tui_app.demo import SimModel, SimulatedOllama

pytestmark = pytest.mark.e2e

RunApp = Callable[..., TmuxSession]
KEY = "sk-e2e-very-secret-4711"
# The machine running the suite may be busy; these bound a wait, they are not measurements.
WAIT = 30.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def paths(sim: SimulatedOllama, path: str) -> int:
    return sum(1 for request in list(sim.requests) if request.path == path)


def row_on(model: str, host: str) -> Callable[[str], bool]:
    """Whether a screen has a table row of ``model`` on ``host`` (the host column follows
    the name)."""

    def has_row(screen: str) -> bool:
        for line in screen.splitlines():
            words = line.split()
            if model in words[:-1] and words[words.index(model) + 1] == host:
                return True
        return False

    return has_row


def test_two_hosts_in_a_real_terminal(run_app: RunApp, tmp_path: Path) -> None:
    laptop = SimulatedOllama(token_delay=0.0, pull_tick=0.001, pull_rate=20e9)
    gpu = SimulatedOllama(token_delay=0.0, pull_tick=0.001, pull_rate=20e9, version="0.9.9")
    gpu.models = [SimModel("bigmodel:70b", parameter_size="70B")]
    data = tmp_path / "data"
    screens: list[str] = []

    def seen(app: TmuxSession, text: str) -> None:
        screens.append(app.wait_for(text, timeout=WAIT))

    with laptop.serve() as a:
        b = gpu.serve()
        port = b.port
        config = tmp_path / "config.toml"
        config.write_text(
            'default_host = "laptop"\n'
            f'[[hosts]]\nname = "laptop"\nurl = "{a.url}"\n'
            f'[[hosts]]\nname = "gpu"\nurl = "127.0.0.1:{port}"\n'
            'api_key_env = "GPU_TEST_KEY"\n',
            encoding="utf-8",
        )
        try:
            app = run_app(
                data_dir=data,
                env={"OLLAMA_TUI_CONFIG": str(config), "GPU_TEST_KEY": KEY, "LC_ALL": "C.UTF-8"},
            )
            seen(app, "● laptop 0.12.3")
            seen(app, "● gpu 0.9.9")

            # Both hosts' models in one table, each with its host; a chat on B's model.
            app.send_keys("F3")
            seen(app, "6 models on 2 hosts")
            screens.append(app.wait_for(row_on("bigmodel:70b", "gpu"), timeout=WAIT))
            screens.append(app.wait_for(row_on("qwen3:8b", "laptop"), timeout=WAIT))
            # Sorted by host (the third column after the age), gpu's models come first and
            # bigmodel:70b tops them; every key goes to the table, so none races a focus move.
            app.send_keys("C-e", "C-e", "C-e")
            seen(app, "Host ▲")
            app.send_keys(*["Up"] * 8)
            app.send_keys("Enter")
            seen(app, "chat on gpu")
            app.type("hello from the terminal")
            seen(app, "hello from the terminal")
            app.send_keys("Enter")
            wait_until(lambda: paths(gpu, "/api/chat") == 1, "the chat request on gpu")
            assert paths(laptop, "/api/chat") == 0

            # B stops: offline, A keeps working; B starts again and comes back.
            b.close()
            app.send_keys("C-r")
            seen(app, "○ gpu offline")
            assert "● laptop 0.12.3" in screens[-1]
            app.send_keys("F3")
            seen(app, "5 models on 1 host, gpu offline")
            assert not row_on("bigmodel:70b", "gpu")(screens[-1])
            screens.append(app.wait_for(row_on("qwen3:8b", "laptop"), timeout=WAIT))
            app.send_keys("F2")
            laptop_checks = paths(laptop, "/api/version")
            app.send_keys("C-r")
            wait_until(lambda: paths(laptop, "/api/version") > laptop_checks, "laptop answering")
            b = gpu.serve(port=port)
            seen(app, "● gpu 0.9.9")

            # A pull from the models screen, onto the highlighted row's host (gpu).
            app.send_keys("F3")
            seen(app, "6 models on 2 hosts")
            screens.append(app.wait_for(row_on("bigmodel:70b", "gpu"), timeout=WAIT))
            app.send_keys(*["Up"] * 8)
            app.send_keys("C-a")
            seen(app, "Pull a model")
            app.type("mistral:7b")
            app.send_keys("Enter")
            seen(app, "onto which host")
            app.send_keys("C-s")
            wait_until(lambda: paths(gpu, "/api/pull") == 1, "the pull on gpu")
            assert paths(laptop, "/api/pull") == 0
            seen(app, "pull mistral:7b on gpu")
            seen(app, "success")
            app.send_keys("C-q")
            app.wait_for(lambda _: app.pane_dead(), timeout=WAIT)
        finally:
            b.close()

    # The key went to gpu with every request, never to laptop.
    assert gpu.requests and laptop.requests
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in gpu.requests)
    assert all("authorization" not in r.headers for r in laptop.requests)
    # ... and it is on no screen and in no file of the data dir.
    assert not any(KEY in screen for screen in screens)
    files = [path for path in data.rglob("*") if path.is_file()]
    assert files
    assert not any(KEY.encode() in path.read_bytes() for path in files)
