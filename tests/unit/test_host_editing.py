"""Renaming and removing a ``[[hosts]]`` entry: only its lines change, in one step."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui_app.core.config import HostEntry, read_config_file, remove_host, rename_host

FILE = """# my hosts
theme = "nord"
default_host = "gpu"  # the big one

[[hosts]]
name = "laptop"
url = "127.0.0.1:11434"

# the box under the desk
[[hosts]]
name = "gpu"  # renamed in March
url = "http://gpubox:11434"
api_key_env = "GPU_KEY"

[keymap]
"chat.send" = "ctrl+enter"
"""


def written(tmp_path: Path, text: str = FILE) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def test_renaming_changes_the_name_and_the_default_only(tmp_path: Path) -> None:
    path = written(tmp_path)
    entry = rename_host(path, "gpu", "tower")
    assert entry == HostEntry("tower", "http://gpubox:11434", "GPU_KEY")
    text = path.read_text(encoding="utf-8")
    expected = FILE.replace('name = "gpu"  # renamed in March', 'name = "tower"').replace(
        'default_host = "gpu"  # the big one', 'default_host = "tower"'
    )
    assert text == expected
    config = read_config_file(path)
    assert config.default_host == "tower" and not config.problems
    assert path.stat().st_mode & 0o777 == 0o600
    assert not (tmp_path / "config.toml.new").exists()


def test_renaming_another_host_leaves_the_default(tmp_path: Path) -> None:
    path = written(tmp_path)
    rename_host(path, "laptop", "air")
    assert path.read_text(encoding="utf-8") == FILE.replace('"laptop"', '"air"')


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [("nope", "x", "no .*hosts.* entry"), ("gpu", "laptop", "already a host"), ("gpu", "", "name")],
)
def test_a_rename_that_cannot_be_done_writes_nothing(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    path = written(tmp_path)
    with pytest.raises(ValueError, match=said):
        rename_host(path, old, new)
    assert path.read_text(encoding="utf-8") == FILE


def test_removing_takes_out_the_table_and_a_default_naming_it(tmp_path: Path) -> None:
    path = written(tmp_path)
    remove_host(path, "gpu")
    text = path.read_text(encoding="utf-8")
    assert text == FILE.replace('default_host = "gpu"  # the big one\n', "").replace(
        '# the box under the desk\n[[hosts]]\nname = "gpu"  # renamed in March\n'
        'url = "http://gpubox:11434"\napi_key_env = "GPU_KEY"\n\n',
        "",
    )
    config = read_config_file(path)
    assert [h.name for h in config.hosts] == ["laptop"]
    assert config.keymap == {"chat.send": "ctrl+enter"} and not config.problems
    assert path.stat().st_mode & 0o777 == 0o600


def test_removing_the_last_table_keeps_the_rest(tmp_path: Path) -> None:
    path = written(tmp_path, 'theme = "nord"\n\n[[hosts]]\nname = "a"\nurl = "x"\n')
    remove_host(path, "a")
    assert path.read_text(encoding="utf-8") == 'theme = "nord"\n\n'


def test_hosts_written_inline_are_left_to_the_user(tmp_path: Path) -> None:
    text = 'hosts = [{name = "a", url = "x"}]\n'
    path = written(tmp_path, text)
    with pytest.raises(ValueError, match="not written as a"):
        remove_host(path, "a")
    with pytest.raises(ValueError, match="not written as a"):
        rename_host(path, "a", "b")
    assert path.read_text(encoding="utf-8") == text
