"""Resolve an ``OLLAMA_HOST``-style value into the base URL the client dials.

The rules follow the Ollama server's own ``envconfig.Host`` so that a value that
works for ``ollama run`` works here too, with ``ConnectableHost``'s mapping of
the unspecified addresses on top (a client cannot dial ``0.0.0.0``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

DEFAULT_HOST = "http://127.0.0.1:11434"

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_HOSTNAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_])?$")


class InvalidHostError(ValueError):
    """The host value cannot be turned into a URL to dial."""


def _strip(value: str) -> str:
    # Same as the server's envconfig.Var: spaces first, then any surrounding quotes.
    return value.strip().strip("\"'").strip()


def _split_host_port(hostport: str) -> tuple[str, str] | None:
    """Split ``host:port`` the way Go's ``net.SplitHostPort`` does, or None."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0 or not hostport[end + 1 :].startswith(":"):
            return None
        return hostport[1:end], hostport[end + 2 :]
    if hostport.count(":") != 1:
        return None
    host, port = hostport.split(":")
    return host, port


def _connectable(host: str) -> str:
    """Map the unspecified addresses to loopback: nothing can dial 0.0.0.0."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def _check_host(host: str, original: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if not _HOSTNAME.fullmatch(host):
            raise InvalidHostError(f"invalid host {original!r}: bad host name {host!r}") from None
        return host
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def resolve_host(value: str | None) -> str:
    """Return the base URL (scheme, host, port and optional path) for ``value``.

    ``None`` or an empty value gives ``http://127.0.0.1:11434``. Raises
    :class:`InvalidHostError` for a value no client could dial: an unknown
    scheme, a non-numeric or out-of-range port, or a malformed host name.
    """
    text = _strip(value or "")
    if not text:
        return DEFAULT_HOST
    if not text.isprintable():
        # A control character (a newline pasted with the value, an escape) would only
        # fail later inside httpx, with a traceback instead of this line.
        raise InvalidHostError(f"invalid host {text!r}: it contains a control character")
    scheme, sep, hostport = text.partition("://")
    if not sep:
        scheme, hostport = "http", text
        if text == "ollama.com":
            return "https://ollama.com:443"
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidHostError(f"invalid host {text!r}: scheme must be http or https")
    default_port = _DEFAULT_PORTS[scheme] if sep else "11434"
    hostport, slash, path = hostport.partition("/")
    split = _split_host_port(hostport)
    if split is None:
        host, port = hostport.strip("[]"), default_port
    else:
        host, port = split
    if not port.isdigit() or not 0 < int(port) <= 65535:
        raise InvalidHostError(f"invalid host {text!r}: port must be a number from 1 to 65535")
    host = _check_host(_connectable(host), text)
    path = path.strip("/")
    base = f"{scheme}://{host}:{int(port)}"
    return f"{base}/{path}" if slash and path else base


def host_from_environment(cli_value: str | None, env: Mapping[str, str]) -> str:
    """Pick ``--host`` over ``OLLAMA_HOST`` over the default and resolve it."""
    if cli_value is not None:
        return resolve_host(cli_value)
    return resolve_host(env.get("OLLAMA_HOST"))
