"""OLLAMA_HOST resolution, row by row from the server's own test table."""

from __future__ import annotations

import pytest

from tui_app.api.host import DEFAULT_HOST, InvalidHostError, host_from_environment, resolve_host


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # envconfig/config_test.go:TestHost
        ("", "http://127.0.0.1:11434"),
        ("1.2.3.4", "http://1.2.3.4:11434"),
        (":1234", "http://127.0.0.1:1234"),  # empty host is the local machine
        ("example.com:1234", "http://example.com:1234"),
        ("[::1]", "http://[::1]:11434"),
        ("::1", "http://[::1]:11434"),
        ("http://1.2.3.4", "http://1.2.3.4:80"),
        ("https://1.2.3.4", "https://1.2.3.4:443"),
        ("https://example.com/ollama", "https://example.com:443/ollama"),
        ("ollama.com", "https://ollama.com:443"),
        # surrounding quotes and spaces, as envconfig.Var strips them
        ('  "1.2.3.4:5678" ', "http://1.2.3.4:5678"),
        ("'example.com'", "http://example.com:11434"),
        # unspecified addresses are dialled as loopback (ConnectableHost)
        ("0.0.0.0", "http://127.0.0.1:11434"),
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),
        ("::", "http://[::1]:11434"),
        ("[::]:9999", "http://[::1]:9999"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("HTTP://LOCALHOST:5", "http://LOCALHOST:5"),
        ("localhost", "http://localhost:11434"),
        ("https://example.com:8443/a/b/", "https://example.com:8443/a/b"),
        ("example.com/", "http://example.com:11434"),
    ],
)
def test_resolve_host(value: str, expected: str) -> None:
    assert resolve_host(value) == expected


def test_none_is_the_default() -> None:
    assert resolve_host(None) == DEFAULT_HOST == "http://127.0.0.1:11434"


@pytest.mark.parametrize(
    "value",
    ["ftp://example.com", "example.com:port", "example.com:70000", "exa mple.com", "http://:0"],
)
def test_malformed_hosts_are_rejected(value: str) -> None:
    with pytest.raises(InvalidHostError) as info:
        resolve_host(value)
    assert "invalid host" in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_value_wins_over_environment() -> None:
    env = {"OLLAMA_HOST": "10.0.0.1:1"}
    assert host_from_environment("127.0.0.2", env) == "http://127.0.0.2:11434"
    assert host_from_environment(None, env) == "http://10.0.0.1:1"
    assert host_from_environment(None, {}) == DEFAULT_HOST
