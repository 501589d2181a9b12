"""Where ollama-tui keeps its data.

Everything here is a pure function of its arguments and the environment at call time: nothing is
created, so importing or calling this module never touches the disk.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = ["APP_NAME", "DATABASE_NAME", "DATA_DIR_ENV", "data_dir", "database_path"]

APP_NAME = "ollama-tui"
"""Name of the folder created inside the platform's user data directory."""

DATA_DIR_ENV = "OLLAMA_TUI_DATA_DIR"
"""Environment variable that overrides the platform data directory."""

DATABASE_NAME = "ollama-tui.db"
"""File name of the SQLite database inside the data directory."""


def data_dir(
    cli_value: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    *,
    platform: str | None = None,
) -> Path:
    """Return the directory that holds the database, as an absolute path.

    Precedence: ``cli_value`` (``--data-dir``), then ``$OLLAMA_TUI_DATA_DIR``, then the
    platform's user data directory:

    * Linux and other Unix: ``$XDG_DATA_HOME/ollama-tui``, else ``~/.local/share/ollama-tui``;
    * macOS: ``~/Library/Application Support/ollama-tui``;
    * Windows: ``%LOCALAPPDATA%\\ollama-tui``, else ``~\\AppData\\Local\\ollama-tui``.

    An empty value counts as unset. A leading ``~`` is expanded. ``env`` defaults to
    ``os.environ`` and ``platform`` to ``sys.platform``, both read at call time. Nothing is
    created.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    system = sys.platform if platform is None else platform
    if cli_value is not None and os.fspath(cli_value) != "":
        return _absolute(os.fspath(cli_value), environ, system)
    override = environ.get(DATA_DIR_ENV, "")
    if override:
        return _absolute(override, environ, system)
    return _platform_data_home(environ, system) / APP_NAME


def database_path(directory: Path) -> Path:
    """Return the path of the database file inside ``directory``."""
    return directory / DATABASE_NAME


def _platform_data_home(env: Mapping[str, str], system: str) -> Path:
    """Return the platform's per-user data directory (without the app folder)."""
    home = _home(env, system)
    if system == "win32":
        local = env.get("LOCALAPPDATA", "")
        if local:
            return Path(_expand_user(local, env, system))
        return home / "AppData" / "Local"
    if system == "darwin":
        return home / "Library" / "Application Support"
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg:
        candidate = _expand_user(xdg, env, system)
        # The XDG spec says a relative value is invalid and must be ignored.
        if os.path.isabs(candidate):
            return Path(candidate)
    return home / ".local" / "share"


def _home(env: Mapping[str, str], system: str) -> Path:
    """Return the user's home directory, preferring the given environment."""
    names = ("USERPROFILE", "HOME") if system == "win32" else ("HOME",)
    for name in names:
        value = env.get(name, "")
        if value:
            return Path(value)
    return Path.home()


def _expand_user(value: str, env: Mapping[str, str], system: str) -> str:
    """Expand a leading ``~`` using ``env`` so that tests need not touch ``os.environ``."""
    separators = ("~/", "~\\") if system == "win32" else ("~/",)
    if value == "~" or value.startswith(separators):
        return str(_home(env, system)) + value[1:]
    # ``~user`` needs the password database; the standard library knows how.
    return os.path.expanduser(value)


def _absolute(value: str, env: Mapping[str, str], system: str) -> Path:
    """Expand ``~`` and make ``value`` absolute so error messages name a full path."""
    return Path(os.path.abspath(_expand_user(value, env, system)))
