"""The configuration file: where it is, what it may say, and how it meets flags and env."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui_app.api.host import InvalidHostError
from tui_app.core.config import (
    ConfigFile,
    HostEntry,
    config_path,
    read_config_file,
    resolve,
)

FULL = """
theme = "nord"
default_model = "llama3.2"
data_dir = "data"
default_host = "gpu"

[keymap]
"chat.send" = "ctrl+enter"

[[hosts]]
name = "laptop"
url = "127.0.0.1:11434"

[[hosts]]
name = "gpu"
url = "http://gpubox:11434"
api_key_env = "GPUBOX_OLLAMA_KEY"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_config_file_is_found_by_flag_then_environment_then_platform() -> None:
    env = {"HOME": "/home/u", "XDG_CONFIG_HOME": "/xdg", "OLLAMA_TUI_CONFIG": "/env/c.toml"}
    assert config_path("/flag/c.toml", env, platform="linux") == (Path("/flag/c.toml"), True)
    assert config_path(None, env, platform="linux") == (Path("/env/c.toml"), True)
    del env["OLLAMA_TUI_CONFIG"]
    assert config_path(None, env, platform="linux") == (
        Path("/xdg/ollama-tui/config.toml"),
        False,
    )
    del env["XDG_CONFIG_HOME"]
    assert config_path(None, env, platform="linux")[0] == Path(
        "/home/u/.config/ollama-tui/config.toml"
    )
    assert config_path(None, env, platform="darwin")[0] == Path(
        "/home/u/Library/Application Support/ollama-tui/config.toml"
    )


def test_every_documented_key_is_read(tmp_path: Path) -> None:
    config = read_config_file(write(tmp_path, FULL))
    assert config.problems == ()
    assert config.found
    assert config.theme == "nord"
    assert config.default_model == "llama3.2"
    assert config.data_dir == "data"
    assert config.default_host == "gpu"
    assert config.keymap == {"chat.send": "ctrl+enter"}
    assert config.hosts == (
        HostEntry("laptop", "http://127.0.0.1:11434"),
        HostEntry("gpu", "http://gpubox:11434", "GPUBOX_OLLAMA_KEY"),
    )


def test_a_missing_file_is_fine_unless_the_user_named_it(tmp_path: Path) -> None:
    assert read_config_file(tmp_path / "none.toml").problems == ()
    (problem,) = read_config_file(tmp_path / "none.toml", required=True).problems
    assert str(tmp_path / "none.toml") in problem


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("theme = [", "not valid TOML"),
        ("colour = 'red'", "colour: unknown key"),
        ("theme = 3", "theme: must be a non-empty string"),
        ("default_model = ''", "default_model: must be a non-empty string"),
        ("keymap = 'x'", "keymap: must be a table"),
        ("[keymap]\n'chat.send' = 5", "keymap.chat.send:"),
        ("hosts = 'x'", "hosts: must be an array"),
        ("[[hosts]]\nurl = 'a:1'", "hosts[1].name:"),
        ("[[hosts]]\nname = 'a'\nurl = 'ftp://x'", "hosts[1].url:"),
        ("[[hosts]]\nname = 'a'\nurl = 'x'\napi_key_env = 'A B'", "hosts[1].api_key_env:"),
        ("[[hosts]]\nname = 'a'\nurl = 'x'\n[[hosts]]\nname = 'a'\nurl = 'y'", "named twice"),
        ("default_host = 'gpu'", "default_host: no [[hosts]] entry is named 'gpu'"),
        ('theme = "a\\u001b]0;x"', "theme: must not contain control characters"),
    ],
)
def test_each_bad_key_gives_one_line_naming_the_file_and_the_key(
    tmp_path: Path, text: str, key: str
) -> None:
    path = write(tmp_path, text)
    config = read_config_file(path)
    assert len(config.problems) == 1
    (problem,) = config.problems
    assert problem.startswith(f"{path}: ")
    assert key in problem
    assert "\n" not in problem


def test_good_keys_survive_a_bad_neighbour(tmp_path: Path) -> None:
    config = read_config_file(write(tmp_path, "theme = 'nord'\nbogus = 1\ndefault_model = 7"))
    assert config.theme == "nord"
    assert config.default_model is None
    assert len(config.problems) == 2


def test_flags_beat_environment_which_beats_the_file(tmp_path: Path) -> None:
    file = read_config_file(write(tmp_path, FULL))
    env = {"HOME": str(tmp_path), "OLLAMA_HOST": "envhost", "OLLAMA_TUI_DATA_DIR": "/env-data"}
    flags = resolve(file, host="flaghost:1", data_dir_flag="/flag-data", model="m", env=env)
    assert (flags.host.value, flags.host.source) == ("http://flaghost:1", "--host")
    assert flags.host_name == "http://flaghost:1"
    assert flags.api_key_env == "OLLAMA_API_KEY"
    assert (flags.data_dir.value, flags.data_dir.source) == ("/flag-data", "--data-dir")
    assert (flags.default_model.value, flags.default_model.source) == ("m", "--model")

    environment = resolve(file, env=env)
    assert (environment.host.value, environment.host.source) == (
        "http://envhost:11434",
        "$OLLAMA_HOST",
    )
    assert environment.data_dir.value == "/env-data"
    assert environment.default_model.value == "llama3.2"

    from_file = resolve(file, env={"HOME": str(tmp_path)})
    assert from_file.host.value == "http://gpubox:11434"
    assert from_file.host_name == "gpu"
    assert from_file.api_key_env == "GPUBOX_OLLAMA_KEY"
    # A relative data_dir is read from the file's folder.
    assert from_file.data_dir.value == str(tmp_path / "data")
    assert from_file.theme.value == "nord"


def test_without_a_default_host_the_first_one_is_used(tmp_path: Path) -> None:
    file = read_config_file(write(tmp_path, "[[hosts]]\nname = 'a'\nurl = 'one:1'"))
    config = resolve(file, env={"HOME": str(tmp_path)})
    assert (config.host.value, config.host_name, config.api_key_env) == ("http://one:1", "a", None)


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = resolve(ConfigFile(path=tmp_path / "none.toml"), env={"HOME": str(tmp_path)})
    assert (config.host.value, config.host.source) == ("http://127.0.0.1:11434", "default")
    assert config.data_dir.value == str(tmp_path / ".local" / "share" / "ollama-tui")
    assert config.default_model.value is None
    assert config.theme.value is None


def test_a_bad_host_on_the_command_line_stops_the_start(tmp_path: Path) -> None:
    file = ConfigFile(path=tmp_path / "none.toml")
    with pytest.raises(InvalidHostError):
        resolve(file, host="ftp://x", env={})


def test_the_description_names_sources_and_never_a_key_value(tmp_path: Path) -> None:
    file = read_config_file(write(tmp_path, FULL + "\nbogus = 1\n"))
    env = {"HOME": str(tmp_path), "GPUBOX_OLLAMA_KEY": "sk-secret-value"}
    text = "\n".join(resolve(file, env=env).describe())
    assert f"# configuration file: {tmp_path / 'config.toml'}" in text
    assert 'host = "http://gpubox:11434"' in text
    assert 'api_key_env = "GPUBOX_OLLAMA_KEY"' in text
    assert "sk-secret-value" not in text
    assert "# problem: " in text and "bogus: unknown key" in text


def test_print_config_into_a_reader_that_quit_ends_quietly(tmp_path: Path) -> None:
    # `ollama-tui --print-config | head -1`: the pipe closes before everything is written.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui_app", "--print-config", "--data-dir", str(tmp_path)],
            stdout=write,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert done.returncode == 0
    assert b"Traceback" not in done.stderr
