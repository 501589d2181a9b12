"""The configuration file with the installed command: --print-config, keys, a bad key."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.tmux import TmuxSession, installed_command

pytestmark = pytest.mark.e2e


def test_print_config_shows_each_setting_and_its_source(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('default_model = "qwen3:8b"\ntheme = "nord"\n', encoding="utf-8")
    result = subprocess.run(
        [installed_command(), "--config", str(config), "--print-config", "--host", "box:1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"# configuration file: {config}" in result.stdout
    assert 'host = "http://box:1"  # --host' in result.stdout
    assert f'default_model = "qwen3:8b"  # {config}' in result.stdout
    assert f'theme = "nord"  # {config}' in result.stdout


def test_a_bad_file_is_named_and_the_app_still_starts(
    run_app: Callable[..., TmuxSession], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('colour = "red"\n[keymap]\n"nav.models" = "f11"\n', encoding="utf-8")
    app = run_app("--demo", env={"OLLAMA_TUI_CONFIG": str(config)})
    screen = app.wait_for("colour: unknown key")
    assert str(config) in screen
    app.wait_for("online")
    app.send_keys("F11")
    app.wait_for("Filter: type a name")
