"""The configuration file and the effective settings of one run.

``config.toml`` lives in the platform's config directory (``$XDG_CONFIG_HOME/ollama-tui``),
or wherever ``--config`` or ``$OLLAMA_TUI_CONFIG`` point. It is read with :mod:`tomllib`; a
file that cannot be read or has a bad key never stops the app: every problem becomes one line
naming the file and the key, and that key keeps its default.

Precedence for every setting: a flag, then the environment, then the file, then the default.
:func:`resolve` records where each effective value came from, for ``--print-config``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tui_app.api.host import InvalidHostError, resolve_host
from tui_app.core.paths import APP_NAME, DATA_DIR_ENV, data_dir

__all__ = [
    "CONFIG_ENV",
    "CONFIG_NAME",
    "Config",
    "ConfigFile",
    "HostEntry",
    "InvalidSettingError",
    "Setting",
    "append_host",
    "config_path",
    "host_problem",
    "read_config_file",
    "remove_host",
    "rename_host",
    "resolve",
]

CONFIG_ENV = "OLLAMA_TUI_CONFIG"
"""Environment variable naming another configuration file."""

CONFIG_NAME = "config.toml"
"""File name of the configuration file inside the config directory."""

HOST_ENV = "OLLAMA_HOST"
API_KEY_ENV = "OLLAMA_API_KEY"

_TOP_KEYS = (
    "theme",
    "default_model",
    "data_dir",
    "default_host",
    "keymap",
    "hosts",
    "reply_timeout",
)

REPLY_TIMEOUT_ENV = "OLLAMA_TUI_REPLY_TIMEOUT"
"""Environment variable with the seconds a reply may stay silent."""
DEFAULT_REPLY_TIMEOUT = 300.0
"""Seconds a reply may stay silent before the app gives up: a cold load of a big model
can take minutes, a server that accepted the connection and hung should not take more."""
_MAX_REPLY_TIMEOUT = 7 * 86_400.0


class InvalidSettingError(ValueError):
    """A flag or environment variable of this run has a value that cannot be used."""


def parse_reply_timeout(text: str) -> float:
    """Seconds from a flag or variable: a number above 0 and at most a week.

    Raises :class:`InvalidSettingError` with a message naming what was wrong.
    """
    try:
        seconds = float(text)
    except ValueError:
        raise InvalidSettingError(f"reply timeout {text!r} is not a number of seconds") from None
    if not 0 < seconds <= _MAX_REPLY_TIMEOUT:
        raise InvalidSettingError(f"reply timeout {text!r}: must be above 0 and at most a week")
    return seconds


_HOST_KEYS = ("name", "url", "api_key_env")

_Problem = Callable[[str, str], None]
"""Records one problem: the key, then what is wrong with it."""


@dataclass(frozen=True, slots=True)
class HostEntry:
    """One ``[[hosts]]`` table: a name, an ``OLLAMA_HOST``-style URL, a key's variable."""

    name: str
    url: str
    """The resolved base URL to dial."""
    api_key_env: str | None = None
    """Name of the environment variable that holds this host's API key, if any."""


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """What one configuration file says, after checking every key."""

    path: Path
    found: bool = False
    """False when there is no file at :attr:`path` (not a problem: every key is optional)."""
    theme: str | None = None
    default_model: str | None = None
    data_dir: str | None = None
    default_host: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)
    hosts: tuple[HostEntry, ...] = ()
    reply_timeout: float | None = None
    problems: tuple[str, ...] = ()
    """One line per bad key, each naming the file and the key."""


@dataclass(frozen=True, slots=True)
class Setting:
    """An effective value and where it came from (``default``, ``--flag``, ``$VAR``, a file)."""

    value: str | None
    source: str


@dataclass(frozen=True, slots=True)
class Config:
    """The effective settings of this run, each with its source."""

    file: ConfigFile
    host: Setting
    """The base URL of the server to talk to."""
    host_name: str
    """What the user calls that host: a ``[[hosts]]`` name, or its address."""
    api_key_env: str | None
    """The environment variable whose value is sent as the bearer token, if any."""
    data_dir: Setting
    default_model: Setting
    theme: Setting
    keymap: Mapping[str, str]
    reply_timeout: Setting = Setting(str(DEFAULT_REPLY_TIMEOUT), "default")
    """Seconds a reply may stay silent before the app gives up."""

    @property
    def reply_timeout_seconds(self) -> float:
        """:attr:`reply_timeout` as a number."""
        return float(self.reply_timeout.value or DEFAULT_REPLY_TIMEOUT)

    hosts: tuple[HostEntry, ...] = ()
    """Every host of this run, the one to use by default first."""

    @property
    def problems(self) -> tuple[str, ...]:
        """Every problem found in the configuration file."""
        return self.file.problems

    def describe(self) -> list[str]:
        """The effective settings as lines of TOML with their sources, for ``--print-config``.

        The API key itself is never written, only the variable it is read from.
        """
        where = str(self.file.path) + ("" if self.file.found else " (not found)")
        lines = [f"# configuration file: {where}"]
        for name, setting in (
            ("host", self.host),
            ("data_dir", self.data_dir),
            ("default_model", self.default_model),
            ("theme", self.theme),
        ):
            shown = "(unset)" if setting.value is None else _toml_string(setting.value)
            lines.append(f"{name} = {shown}  # {setting.source}")
        lines.append(
            f"reply_timeout = {self.reply_timeout_seconds:g}  # {self.reply_timeout.source}"
        )
        key = self.api_key_env
        lines.append(
            f"api_key_env = {_toml_string(key)}  # the key itself is never shown"
            if key
            else "api_key_env = (unset)  # no API key is sent"
        )
        if self.hosts:
            lines.append(f"default_host = {_toml_string(self.host_name)}")
            for host in self.hosts:
                lines.append("[[hosts]]")
                lines.append(f"name = {_toml_string(host.name)}")
                lines.append(f"url = {_toml_string(host.url)}")
                if host.api_key_env:
                    lines.append(f"api_key_env = {_toml_string(host.api_key_env)}")
        if self.keymap:
            lines.append("[keymap]")
            lines.extend(f"{_toml_string(k)} = {_toml_string(v)}" for k, v in self.keymap.items())
        lines.extend(f"# problem: {problem}" for problem in self.problems)
        return lines


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


def config_path(
    cli_value: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
) -> tuple[Path, bool]:
    """The configuration file to read, and whether the user named it explicitly.

    ``--config``, then ``$OLLAMA_TUI_CONFIG``, then the platform's config directory:
    ``$XDG_CONFIG_HOME/ollama-tui/config.toml`` (else ``~/.config/…``) on Linux,
    ``~/Library/Application Support/ollama-tui`` on macOS, ``%APPDATA%\\ollama-tui`` on Windows.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    system = sys.platform if platform is None else platform
    if cli_value is not None and os.fspath(cli_value):
        return Path(os.path.abspath(os.path.expanduser(os.fspath(cli_value)))), True
    named = environ.get(CONFIG_ENV, "")
    if named:
        return Path(os.path.abspath(os.path.expanduser(named))), True
    return _config_home(environ, system) / APP_NAME / CONFIG_NAME, False


def _config_home(env: Mapping[str, str], system: str) -> Path:
    home = Path(env.get("USERPROFILE" if system == "win32" else "HOME", "") or Path.home())
    if system == "win32":
        appdata = env.get("APPDATA", "")
        return Path(appdata) if appdata else home / "AppData" / "Roaming"
    if system == "darwin":
        return home / "Library" / "Application Support"
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg)
    return home / ".config"


def read_config_file(path: Path, *, required: bool = False) -> ConfigFile:
    """Read and check ``path``. Never raises: problems are collected, bad keys are dropped.

    A missing file is fine unless ``required`` (the user named it).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems = (f"{path}: no such file",) if required else ()
        return ConfigFile(path=path, problems=problems)
    except OSError as exc:
        return ConfigFile(path=path, problems=(f"{path}: cannot read it: {exc.strerror}",))
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return ConfigFile(path=path, found=True, problems=(f"{path}: not UTF-8 text",))
    except tomllib.TOMLDecodeError as exc:
        return ConfigFile(path=path, found=True, problems=(f"{path}: not valid TOML: {exc}",))
    return _check(path, data)


def _check(path: Path, data: Mapping[str, object]) -> ConfigFile:
    problems: list[str] = []

    def problem(key: str, text: str) -> None:
        problems.append(f"{path}: {key}: {text}")

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            problem(key, "must be a non-empty string")
            return None
        if not value.isprintable():
            problem(key, "must not contain control characters")
            return None
        return value

    for key in data:
        if key not in _TOP_KEYS:
            problem(key, "unknown key")

    keymap: dict[str, str] = {}
    raw_keymap = data.get("keymap", {})
    if not isinstance(raw_keymap, dict):
        problem("keymap", "must be a table of binding id = key")
    else:
        for binding, keys in raw_keymap.items():
            if not isinstance(keys, str) or not keys.strip() or not keys.isprintable():
                problem(f"keymap.{binding}", 'must be a key such as "ctrl+enter"')
            else:
                keymap[str(binding)] = keys.strip()

    hosts = _check_hosts(data.get("hosts", []), problem)
    default_host = text("default_host")
    if default_host is not None and default_host not in {host.name for host in hosts}:
        problem("default_host", f"no [[hosts]] entry is named {default_host!r}")
        default_host = None

    reply_timeout = data.get("reply_timeout")
    if reply_timeout is not None and (
        isinstance(reply_timeout, bool)
        or not isinstance(reply_timeout, int | float)
        or not 0 < reply_timeout <= _MAX_REPLY_TIMEOUT
    ):
        problem("reply_timeout", "must be a number of seconds above 0 and at most a week")
        reply_timeout = None

    return ConfigFile(
        path=path,
        found=True,
        reply_timeout=float(reply_timeout) if reply_timeout is not None else None,
        theme=text("theme"),
        default_model=text("default_model"),
        data_dir=text("data_dir"),
        default_host=default_host,
        keymap=keymap,
        hosts=hosts,
        problems=tuple(problems),
    )


def _check_hosts(raw: object, problem: _Problem) -> tuple[HostEntry, ...]:
    if not isinstance(raw, list):
        problem("hosts", "must be an array of tables ([[hosts]])")
        return ()
    hosts: list[HostEntry] = []
    for index, entry in enumerate(raw, start=1):
        where = f"hosts[{index}]"
        if not isinstance(entry, dict):
            problem(where, "must be a table with name and url")
            continue
        for key in entry:
            if key not in _HOST_KEYS:
                problem(f"{where}.{key}", "unknown key")
        name, url, key_env = entry.get("name"), entry.get("url"), entry.get("api_key_env")
        if not isinstance(name, str) or not name.strip():
            problem(f"{where}.name", "must be a non-empty string")
            continue
        if not name.isprintable():
            problem(f"{where}.name", "must not contain control characters")
            continue
        if any(host.name == name for host in hosts):
            problem(f"{where}.name", f"{name!r} is named twice")
            continue
        if not isinstance(url, str) or not url.strip():
            problem(f"{where}.url", 'must be a string such as "127.0.0.1:11434"')
            continue
        if not url.isprintable():
            problem(f"{where}.url", "must not contain control characters")
            continue
        try:
            resolved = resolve_host(url)
        except InvalidHostError as exc:
            problem(f"{where}.url", str(exc))
            continue
        if key_env is not None and (not isinstance(key_env, str) or not key_env.isidentifier()):
            problem(f"{where}.api_key_env", "must be the name of an environment variable")
            key_env = None
        hosts.append(HostEntry(name=name, url=resolved, api_key_env=key_env))
    return tuple(hosts)


def resolve(
    file: ConfigFile,
    *,
    host: str | None = None,
    data_dir_flag: str | None = None,
    model: str | None = None,
    env: Mapping[str, str] | None = None,
    reply_timeout: str | None = None,
) -> Config:
    """Combine flags, environment and the file into the settings of this run.

    Raises :class:`InvalidHostError` for a ``--host`` or ``$OLLAMA_HOST`` that cannot be
    dialled, and :class:`InvalidSettingError` for a ``--reply-timeout`` or
    ``$OLLAMA_TUI_REPLY_TIMEOUT`` that is not a usable number: those are the user's words
    on this very command line, so they stop the start.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    api_key_env: str | None = API_KEY_ENV
    host_name: str
    if host is not None and host.strip():
        url = Setting(resolve_host(host), "--host")
    elif environ.get(HOST_ENV, "").strip():
        url = Setting(resolve_host(environ[HOST_ENV]), f"${HOST_ENV}")
    elif file.hosts:
        chosen = next((h for h in file.hosts if h.name == file.default_host), file.hosts[0])
        url = Setting(chosen.url, f"[[hosts]] {chosen.name!r} in {file.path}")
        api_key_env = chosen.api_key_env
        host_name = chosen.name
    else:
        url = Setting(resolve_host(None), "default")
    if url.source in ("--host", f"${HOST_ENV}", "default"):
        host_name = url.value or ""
    # The host of this run comes first; the file's other hosts follow. A host given by
    # its address is called by that address, and keeps the usual key variable.
    chosen_entry = HostEntry(name=host_name, url=url.value or "", api_key_env=api_key_env)
    others = [h for h in file.hosts if h.name != host_name and h.url != chosen_entry.url]
    hosts = (chosen_entry, *others)

    if data_dir_flag:
        directory = Setting(str(data_dir(data_dir_flag, environ)), "--data-dir")
    elif environ.get(DATA_DIR_ENV, ""):
        directory = Setting(str(data_dir(None, environ)), f"${DATA_DIR_ENV}")
    elif file.data_dir:
        # A relative path in the file is read from the file's own folder, not from
        # wherever the app happens to be started.
        relative = os.path.expanduser(file.data_dir)
        anchored = relative if os.path.isabs(relative) else str(file.path.parent / relative)
        directory = Setting(str(data_dir(anchored, environ)), str(file.path))
    else:
        directory = Setting(str(data_dir(None, environ)), "default")

    if model:
        default_model = Setting(model, "--model")
    elif file.default_model:
        default_model = Setting(file.default_model, str(file.path))
    else:
        default_model = Setting(None, "default: the last model used")

    theme = (
        Setting(file.theme, str(file.path))
        if file.theme
        else Setting(None, "default: the last theme chosen in the app")
    )
    if reply_timeout is not None:
        timeout = Setting(f"{parse_reply_timeout(reply_timeout):g}", "--reply-timeout")
    elif environ.get(REPLY_TIMEOUT_ENV, "").strip():
        seconds = parse_reply_timeout(environ[REPLY_TIMEOUT_ENV])
        timeout = Setting(f"{seconds:g}", f"${REPLY_TIMEOUT_ENV}")
    elif file.reply_timeout is not None:
        timeout = Setting(f"{file.reply_timeout:g}", str(file.path))
    else:
        timeout = Setting(f"{DEFAULT_REPLY_TIMEOUT:g}", "default")
    return Config(
        file=file,
        reply_timeout=timeout,
        host=url,
        host_name=host_name,
        api_key_env=api_key_env,
        data_dir=directory,
        default_model=default_model,
        theme=theme,
        keymap=dict(file.keymap),
        hosts=hosts,
    )


def host_problem(name: str, url: str, taken: Iterable[str]) -> str | None:
    """Why ``name`` and ``url`` cannot be a new host, in a few words, or None."""
    if not name.strip():
        return "a host needs a name"
    if not name.isprintable() or not url.isprintable():
        return "no control characters, please"
    if name in set(taken):
        return f"{name!r} is already a host"
    try:
        resolve_host(url)
    except InvalidHostError as exc:
        return str(exc)
    return None


def append_host(path: Path, name: str, url: str) -> HostEntry:
    """Add a ``[[hosts]]`` entry at the end of the configuration file at ``path``.

    What the file says already is kept byte for byte: the entry is only appended, and only
    after the whole new text has been read back as a valid file with that entry in it (a
    file with ``hosts = [...]`` written inline, say, cannot take one). The file is replaced
    in one step, so a crash leaves the old file or the new one, never half of one.
    Raises :class:`ValueError` saying why nothing was written.
    """
    try:
        old = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    gap = "" if not old or old.endswith("\n\n") else ("\n" if old.endswith("\n") else "\n\n")
    new = f"{old}{gap}[[hosts]]\nname = {_toml_string(name)}\nurl = {_toml_string(url)}\n"
    try:
        checked = _check(path, tomllib.loads(new))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} could not take a [[hosts]] entry: {exc}") from exc
    entry = next((h for h in checked.hosts if h.name == name), None)
    if entry is None:
        problems = [p for p in checked.problems if p.split(": ", 2)[1].startswith("hosts")]
        raise ValueError(problems[-1] if problems else f"{path} could not take the host")
    _replace_file(path, new)
    return entry


def _replace_file(path: Path, new: str) -> None:
    """Write ``new`` as the whole file at ``path`` in one step, keeping its permissions.

    Raises :class:`ValueError` saying why nothing was written.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    try:
        temporary.write_text(new, encoding="utf-8")
        if path.exists():
            # The new file keeps the old one's permissions (it may be private).
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise ValueError(f"cannot write {path}: {exc.strerror}") from exc


def _read_for_edit(path: Path) -> tuple[str, ConfigFile]:
    """The file's text and what it says, for an edit; raises :class:`ValueError`."""
    try:
        old = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    try:
        return old, _check(path, tomllib.loads(old))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} is not valid TOML: {exc}") from exc


def _host_block(lines: list[str], name: str) -> tuple[int, int, int] | None:
    """Where the ``[[hosts]]`` table named ``name`` is in ``lines``: its header line, the
    line after its last, and its ``name =`` line; None when no table there says so."""
    starts = [i for i, line in enumerate(lines) if line.strip().startswith("[")]
    for position, start in enumerate(starts):
        if lines[start].strip().split("#", 1)[0].strip() != "[[hosts]]":
            continue
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        # Blank lines and comments just before the next table belong to that table.
        while end - 1 > start and (
            not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
        ):
            end -= 1
        for index in range(start + 1, end):
            key, equals, value = lines[index].partition("=")
            if not equals or key.strip() != "name":
                continue
            try:
                said = tomllib.loads(f"name = {value.strip()}").get("name")
            except tomllib.TOMLDecodeError:
                continue
            if said == name:
                return start, end, index
    return None


def _default_host_line(lines: list[str]) -> int | None:
    """The line of the top-level ``default_host = …``, if any (before the first table)."""
    for index, line in enumerate(lines):
        if line.strip().startswith("["):
            return None
        key, equals, _ = line.partition("=")
        if equals and key.strip() == "default_host":
            return index
    return None


def _edit_hosts(
    path: Path,
    name: str,
    edit: Callable[[list[str], tuple[int, int, int]], None],
    expected: Callable[[tuple[HostEntry, ...]], tuple[HostEntry, ...]],
) -> str:
    old, before = _read_for_edit(path)
    if not any(host.name == name for host in before.hosts):
        raise ValueError(f"{path} has no [[hosts]] entry named {name!r}")
    lines = old.splitlines(keepends=True)
    block = _host_block(lines, name)
    if block is None:
        raise ValueError(f"{path}: the entry for {name!r} is not written as a [[hosts]] table")
    edit(lines, block)
    new = "".join(lines)
    try:
        after = _check(path, tomllib.loads(new))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path} could not be changed: {exc}") from exc
    # Only what was asked may change: the hosts, and nothing else the file says.
    if after.hosts != expected(before.hosts) or len(after.problems) > len(before.problems):
        raise ValueError(f"{path} could not be changed safely; edit it by hand")
    return new


def rename_host(path: Path, old: str, new: str) -> HostEntry:
    """Call the ``[[hosts]]`` entry ``old`` of the file at ``path`` ``new`` instead.

    Only its ``name`` line changes (and ``default_host``, when it named ``old``); every other
    byte of the file is kept, and the file is replaced in one step, keeping its permissions.
    Raises :class:`ValueError` saying why nothing was written.
    """
    if not new.strip() or not new.isprintable():
        raise ValueError("a host needs a name, without control characters")
    renamed: list[HostEntry] = []

    def edit(lines: list[str], block: tuple[int, int, int]) -> None:
        index = block[2]
        ending = lines[index][len(lines[index].rstrip("\r\n")) :] or "\n"
        indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
        lines[index] = f"{indent}name = {_toml_string(new)}{ending}"
        default = _default_host_line(lines)
        if default is not None:
            _, _, value = lines[default].partition("=")
            with contextlib.suppress(tomllib.TOMLDecodeError):
                if tomllib.loads(f"v = {value.strip()}").get("v") == old:
                    ending = lines[default][len(lines[default].rstrip("\r\n")) :] or "\n"
                    lines[default] = f"default_host = {_toml_string(new)}{ending}"

    def expected(hosts: tuple[HostEntry, ...]) -> tuple[HostEntry, ...]:
        if any(host.name == new for host in hosts):
            raise ValueError(f"{new!r} is already a host")
        result = tuple(HostEntry(new, h.url, h.api_key_env) if h.name == old else h for h in hosts)
        renamed.extend(h for h in result if h.name == new)
        return result

    _replace_file(path, _edit_hosts(path, old, edit, expected))
    return renamed[0]


def remove_host(path: Path, name: str) -> None:
    """Take the ``[[hosts]]`` entry ``name`` out of the file at ``path``.

    Only that table's lines go; a ``default_host`` naming it goes too (the first host left
    is then the default). Every other byte is kept, and the file is replaced in one step,
    keeping its permissions. Raises :class:`ValueError` saying why nothing was written.
    """

    def edit(lines: list[str], block: tuple[int, int, int]) -> None:
        start, end, _ = block
        # Comments right above the table are about it; so is one blank line after it
        # when one comes before it too, so no gap is left doubled.
        while start > 1 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        gap_before = start == 0 or not lines[start - 1].strip()
        if gap_before and end < len(lines) and not lines[end].strip():
            end += 1
        del lines[start:end]
        default = _default_host_line(lines)
        if default is not None:
            _, _, value = lines[default].partition("=")
            with contextlib.suppress(tomllib.TOMLDecodeError):
                if tomllib.loads(f"v = {value.strip()}").get("v") == name:
                    del lines[default]

    def expected(hosts: tuple[HostEntry, ...]) -> tuple[HostEntry, ...]:
        return tuple(h for h in hosts if h.name != name)

    _replace_file(path, _edit_hosts(path, name, edit, expected))
