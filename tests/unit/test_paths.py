"""Tests for tui_app.core.paths: where the data directory is and that finding it creates nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui_app.core.paths import DATA_DIR_ENV, data_dir, database_path


def test_cli_value_wins_over_env_and_default(tmp_path: Path) -> None:
    env = {DATA_DIR_ENV: str(tmp_path / "env"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert data_dir(tmp_path / "cli", env, platform="linux") == tmp_path / "cli"
    assert data_dir(str(tmp_path / "cli"), env, platform="linux") == tmp_path / "cli"


def test_env_wins_over_default(tmp_path: Path) -> None:
    env = {DATA_DIR_ENV: str(tmp_path / "env"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert data_dir(None, env, platform="linux") == tmp_path / "env"


def test_empty_values_count_as_unset(tmp_path: Path) -> None:
    env = {DATA_DIR_ENV: "", "XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert data_dir("", env, platform="linux") == tmp_path / "xdg" / "ollama-tui"


def test_linux_default_uses_xdg_data_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert data_dir(env=env, platform="linux") == tmp_path / "xdg" / "ollama-tui"


def test_linux_default_without_xdg_data_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path / "home")}
    expected = tmp_path / "home" / ".local" / "share" / "ollama-tui"
    assert data_dir(env=env, platform="linux") == expected
    assert data_dir(env={**env, "XDG_DATA_HOME": ""}, platform="linux") == expected


def test_relative_xdg_data_home_is_ignored(tmp_path: Path) -> None:
    # The XDG base directory spec says relative values are invalid.
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": "relative/share"}
    expected = tmp_path / "home" / ".local" / "share" / "ollama-tui"
    assert data_dir(env=env, platform="freebsd14") == expected


def test_macos_default(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    expected = tmp_path / "Library" / "Application Support" / "ollama-tui"
    assert data_dir(env=env, platform="darwin") == expected


def test_windows_default_uses_localappdata() -> None:
    local = r"C:\Users\ada\AppData\Local"
    env = {"LOCALAPPDATA": local, "USERPROFILE": r"C:\Users\ada"}
    assert data_dir(env=env, platform="win32") == Path(local) / "ollama-tui"


def test_windows_default_without_localappdata(tmp_path: Path) -> None:
    env = {"USERPROFILE": str(tmp_path)}
    expected = tmp_path / "AppData" / "Local" / "ollama-tui"
    assert data_dir(env=env, platform="win32") == expected


@pytest.mark.parametrize("source", ["cli", "env", "xdg"])
def test_tilde_is_expanded(tmp_path: Path, source: str) -> None:
    env = {"HOME": str(tmp_path)}
    cli = None
    if source == "cli":
        cli = "~/chats"
    elif source == "env":
        env[DATA_DIR_ENV] = "~/chats"
    else:
        env["XDG_DATA_HOME"] = "~/chats"
    result = data_dir(cli, env, platform="linux")
    assert "~" not in str(result)
    assert result.is_relative_to(tmp_path)
    assert result.parts[len(tmp_path.parts)] == "chats"


def test_bare_tilde_is_home(tmp_path: Path) -> None:
    assert data_dir("~", {"HOME": str(tmp_path)}, platform="linux") == tmp_path


def test_relative_value_becomes_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = data_dir("data", {}, platform="linux")
    assert result.is_absolute()
    assert result == tmp_path / "data"


def test_reads_os_environ_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "first"))
    assert data_dir() == tmp_path / "first"
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "second"))
    assert data_dir() == tmp_path / "second"
    monkeypatch.delenv(DATA_DIR_ENV)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if os.name == "posix" and os.uname().sysname == "Linux":
        assert data_dir() == tmp_path / "xdg" / "ollama-tui"


def test_nothing_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "xdg")}
    for platform in ("linux", "darwin", "win32"):
        data_dir(env=env, platform=platform)
    data_dir(tmp_path / "cli", env)
    database_path(data_dir(env={DATA_DIR_ENV: str(tmp_path / "env")}))
    assert list(tmp_path.iterdir()) == []


def test_database_path(tmp_path: Path) -> None:
    assert database_path(tmp_path) == tmp_path / "ollama-tui.db"
