"""Several hosts: the configuration's [[hosts]], the registry of clients, keys and auth."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui_app.api import OllamaClient
from tui_app.core.config import HostEntry, read_config_file, resolve
from tui_app.core.connection import LinkState
from tui_app.core.hosts import Host, HostSet
from tui_app.demo import Fault, SimModel, SimulatedOllama

TWO = """
default_host = "gpu"
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


def test_every_host_is_kept_with_the_default_first(tmp_path: Path) -> None:
    config = resolve(read_config_file(write(tmp_path, TWO)), env={})
    assert config.hosts == (
        HostEntry("gpu", "http://gpubox:11434", "GPUBOX_OLLAMA_KEY"),
        HostEntry("laptop", "http://127.0.0.1:11434", None),
    )


def test_host_flag_adds_a_host_called_by_its_address(tmp_path: Path) -> None:
    file = read_config_file(write(tmp_path, TWO))
    config = resolve(file, host="10.0.0.5:11434", env={})
    assert [h.name for h in config.hosts] == ["http://10.0.0.5:11434", "laptop", "gpu"]
    assert config.hosts[0].api_key_env == "OLLAMA_API_KEY"
    from_env = resolve(file, env={"OLLAMA_HOST": "127.0.0.1:11434"})
    # The address is already a named host: it is not listed twice.
    assert [h.name for h in from_env.hosts] == ["http://127.0.0.1:11434", "gpu"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[hosts]]\nname = \"a\\u0007\"\nurl = 'x'", "hosts[1].name: must not contain control"),
        ("[[hosts]]\nname = 'a'\nurl = \"x\\u001b[2J\"", "hosts[1].url: must not contain control"),
        ("[[hosts]]\nname = 'a'\nurl = 'x:99999'", "hosts[1].url: invalid host"),
        ("[[hosts]]\nname = 'a'\nurl = ''", "hosts[1].url: must be a string"),
        ("[[hosts]]\nname = 'a'\nurl = 'x'\n[[hosts]]\nname = 'a'\nurl = 'y'", "named twice"),
    ],
)
def test_bad_host_entries_are_one_line_each(tmp_path: Path, text: str, expected: str) -> None:
    file = read_config_file(write(tmp_path, text))
    assert len(file.problems) == 1
    assert expected in file.problems[0]
    assert "\n" not in file.problems[0] and "\x1b" not in file.problems[0]


def test_print_config_lists_hosts_but_never_a_key(tmp_path: Path) -> None:
    file = read_config_file(write(tmp_path, TWO))
    text = "\n".join(resolve(file, env={"GPUBOX_OLLAMA_KEY": "sk-very-secret"}).describe())
    assert 'name = "laptop"' in text and 'name = "gpu"' in text
    assert 'default_host = "gpu"' in text
    assert "sk-very-secret" not in text


def make_host(name: str, sim: SimulatedOllama, key: str | None = None) -> Host:
    client = OllamaClient(f"http://{name}.test", api_key=key, transport=sim.transport())
    return Host(name, client.base_url, client, api_key_env="KEY_VAR" if key else None)


async def test_the_key_goes_to_its_own_host_only() -> None:
    a, b = SimulatedOllama(), SimulatedOllama()
    hosts = HostSet([make_host("a", a), make_host("b", b, key="sk-b")])
    for host in hosts:
        await host.connection.check()
        await host.catalog.refresh()
        await host.client.aclose()
    assert a.requests and b.requests
    assert all("authorization" not in r.headers for r in a.requests)
    assert all(r.headers.get("authorization") == "Bearer sk-b" for r in b.requests)


async def test_an_offline_host_leaves_the_others_alone() -> None:
    up = SimulatedOllama()
    away = OllamaClient("http://127.0.0.1:9", api_key=None)
    hosts = HostSet([Host("away", "http://127.0.0.1:9", away), make_host("up", up)])
    seen: list[str] = []
    subscription = hosts.subscribe(lambda change: seen.append(change.host.name))
    await hosts.get_or_default("away").connection.check()
    assert await hosts.get_or_default("up").connection.check()
    assert hosts.get_or_default("away").status.state is LinkState.OFFLINE
    assert hosts.get_or_default("up").status.online
    assert seen == ["away", "up"]
    subscription.close()
    assert hosts.get_or_default("up").connection.status.listener_count == 0
    for host in hosts:
        await host.client.aclose()


async def test_a_refused_key_is_an_auth_failure_naming_host_and_variable() -> None:
    sim = SimulatedOllama()
    sim.inject(Fault("/api/tags", status=401, message="unauthorized"))
    host = make_host("cloud", sim, key="sk-wrong")
    assert await host.connection.check()
    with pytest.raises(Exception, match="401"):
        await host.catalog.refresh()
    assert host.status.state is LinkState.AUTH_FAILED
    assert "cloud" in host.status.error and "$KEY_VAR" in host.status.error
    assert "sk-wrong" not in host.status.error
    # The next listing goes through: the host is online again.
    assert await host.connection.check()
    await host.catalog.refresh()
    assert host.status.online
    await host.client.aclose()


async def test_other_hosts_with_the_same_model_match_by_digest() -> None:
    same = SimModel("llama3.2:latest", digest="a" * 64)
    a = SimulatedOllama(models=[same])
    b = SimulatedOllama(models=[SimModel("llama3.2:latest", digest="a" * 64)])
    c = SimulatedOllama(models=[SimModel("llama3.2:latest", digest="c" * 64)])
    hosts = HostSet([make_host("a", a), make_host("b", b), make_host("c", c)])
    for host in hosts:
        await host.connection.check()
        await host.catalog.refresh()
    first = hosts.get_or_default("a")
    assert [h.name for h in hosts.others_with(first, "llama3.2")] == ["b"]
    for host in hosts:
        await host.client.aclose()


def test_a_chat_remembers_its_host(tmp_path: Path) -> None:
    from tui_app.store import Store

    with Store.open(tmp_path / "chats.db") as store:
        on_gpu = store.create_chat(model="bigmodel:70b", host="gpu")
        default = store.create_chat(model="llama3.2")
        assert (on_gpu.host, default.host) == ("gpu", None)
        moved = store.update_chat(on_gpu.id, host=None)
        assert moved.host is None
        assert store.update_chat(default.id, host="laptop").host == "laptop"
    with Store.open(tmp_path / "chats.db") as store:
        assert {chat.host for chat in store.list_chats()} == {None, "laptop"}


def test_adding_a_host_appends_and_keeps_the_file(tmp_path: Path) -> None:
    from tui_app.core.config import append_host, host_problem

    path = write(tmp_path, '# my settings\ntheme = "nord"\n[keymap]\n"chat.send" = "ctrl+enter"')
    path.chmod(0o600)
    before = path.read_text(encoding="utf-8")
    entry = append_host(path, "gpu box", "gpubox:11434")
    assert entry == HostEntry("gpu box", "http://gpubox:11434")
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before) and (path.stat().st_mode & 0o777) == 0o600
    file = read_config_file(path)
    assert file.problems == () and file.keymap == {"chat.send": "ctrl+enter"}
    assert [h.name for h in file.hosts] == ["gpu box"]
    assert host_problem("gpu box", "x", ["gpu box"]) == "'gpu box' is already a host"
    assert host_problem("b", "ftp://x", []) is not None
    assert host_problem("b\x1b", "x", []) is not None
    assert host_problem("b", "x:1", []) is None


def test_a_file_that_cannot_take_a_host_is_left_alone(tmp_path: Path) -> None:
    from tui_app.core.config import append_host

    path = write(tmp_path, 'hosts = [{name = "a", url = "x"}]\n')
    with pytest.raises(ValueError, match="could not take"):
        append_host(path, "b", "y")
    assert path.read_text(encoding="utf-8") == 'hosts = [{name = "a", url = "x"}]\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]
    fresh = tmp_path / "new" / "config.toml"
    append_host(fresh, "b", "y")
    assert read_config_file(fresh).hosts == (HostEntry("b", "http://y:11434"),)


def test_a_renamed_host_is_found_by_both_names_and_a_removed_one_by_none() -> None:
    laptop = Host("laptop", "http://a", OllamaClient("http://a"))
    gpu = Host("gpu", "http://b", OllamaClient("http://b"))
    hosts = HostSet([laptop, gpu])
    told: list[str] = []
    hosts.subscribe(lambda change: told.append(change.host.name))
    hosts.rename(gpu, "tower")
    assert hosts.names() == ["laptop", "tower"] and gpu.connection.name == "tower"
    assert hosts.get("gpu") is gpu and hosts.get("tower") is gpu
    with pytest.raises(ValueError, match="already a host"):
        hosts.rename(gpu, "laptop")
    with pytest.raises(ValueError, match="default host"):
        hosts.remove(laptop)
    hosts.remove(gpu)
    assert hosts.names() == ["laptop"] and hosts.get("gpu") is None and hosts.get("tower") is None
    assert told == ["tower", "tower"]


def test_chats_follow_a_renamed_host(tmp_path: Path) -> None:
    from tui_app.store import Store

    store = Store.open(tmp_path / "ollama-tui.db")
    try:
        on_gpu = store.create_chat(model="m", host="gpu")
        on_default = store.create_chat(model="m")
        assert store.rename_chat_host("gpu", "tower") == 1
        chats = [store.get_chat(chat.id) for chat in (on_gpu, on_default)]
        assert [chat.host if chat else "gone" for chat in chats] == ["tower", None]
    finally:
        store.close()
