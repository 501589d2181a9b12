"""The ``ollama-tui`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from tui_app import __version__

DESCRIPTION = (
    "A terminal client for Ollama: chat with local models, browse installed and "
    "loaded models, pull with real progress and tune sampling options."
)
EPILOG = (
    "environment: OLLAMA_HOST (server address), OLLAMA_API_KEY (sent as a bearer token), "
    "OLLAMA_TUI_DATA_DIR (where chats are kept), OLLAMA_TUI_CONFIG (the configuration file), "
    "OLLAMA_TUI_REPLY_TIMEOUT (seconds a reply may stay silent), "
    "OLLAMA_TUI_REDRAW=full (write every repainted cell, not only the changed ones)"
)


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = _Parser(prog="ollama-tui", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument(
        "--host", metavar="URL", help="Ollama server (default: $OLLAMA_HOST or 127.0.0.1:11434)"
    )
    parser.add_argument("--model", metavar="NAME", help="model for new chats")
    parser.add_argument(
        "--reply-timeout",
        metavar="SECONDS",
        help="give up on a reply when Ollama sends nothing for this long "
        "(default: $OLLAMA_TUI_REPLY_TIMEOUT or 300)",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="where chats and settings are stored")
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: $OLLAMA_TUI_CONFIG or "
        "$XDG_CONFIG_HOME/ollama-tui/config.toml)",
    )
    parser.add_argument(
        "--print-config",
        action="store_true",
        help="show the effective settings and where each came from, then exit",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start a built-in simulated Ollama and connect to it (no Ollama needed)",
    )
    parser.add_argument("--version", action="version", version=f"ollama-tui {__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, then run the app until it quits."""
    parser = build_parser()
    args = parser.parse_args(argv)

    from tui_app.api import InvalidHostError, OllamaClient
    from tui_app.core.config import InvalidSettingError, config_path, read_config_file, resolve
    from tui_app.core.paths import database_path
    from tui_app.store import Store, StoreError

    environ = os.environ
    path, named = config_path(args.config, environ)
    config_file = read_config_file(path, required=named)
    # The demo talks to its own server: a host from the flag or environment is not dialled.
    host_env = {k: v for k, v in environ.items() if k != "OLLAMA_HOST"} if args.demo else environ
    try:
        config = resolve(
            config_file,
            host=None if args.demo else args.host,
            data_dir_flag=args.data_dir,
            model=args.model,
            env=host_env,
            reply_timeout=args.reply_timeout,
        )
    except (InvalidHostError, InvalidSettingError) as exc:
        parser.error(str(exc))
    if args.print_config:
        try:
            print("\n".join(config.describe()), flush=True)
        except BrokenPipeError:
            # Read by `head` or a pager that quit early: not an error worth a traceback.
            # Python would complain again flushing stdout on exit, so it goes nowhere now.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    for problem in config.problems:
        # Said before the screen is taken over, and again inside the app.
        print(f"ollama-tui: {problem}", file=sys.stderr)

    server = None
    host = config.host.value or ""
    host_name = config.host_name
    if args.demo:
        from tui_app.demo import SimulatedOllama

        server = SimulatedOllama().serve()
        host = host_name = server.url

    try:
        store = Store.open(database_path(Path(config.data_dir.value or "")))
    except StoreError as exc:
        print(f"ollama-tui: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"ollama-tui: cannot open the data directory: {exc}", file=sys.stderr)
        return 1

    from tui_app.app import OllamaTUI
    from tui_app.core.hosts import Host
    from tui_app.services import Services

    def key_of(variable: str | None) -> str | None:
        # Read here and handed to that host's client only: never stored, shown or logged.
        return (environ.get(variable) or None) if variable and not args.demo else None

    timeout = config.reply_timeout_seconds
    client = OllamaClient(host, api_key=key_of(config.api_key_env), reply_timeout=timeout)
    more_hosts = tuple(
        Host(
            entry.name,
            entry.url,
            OllamaClient(entry.url, api_key=key_of(entry.api_key_env), reply_timeout=timeout),
            api_key_env=entry.api_key_env,
        )
        for entry in ([] if args.demo else config.hosts[1:])
    )
    services = Services(
        client=client,
        store=store,
        host=host_name,
        api_key_env=None if args.demo else config.api_key_env,
        config_file=None if args.demo else config.file.path,
        more_hosts=more_hosts,
        demo=args.demo,
        initial_model=config.default_model.value,
        theme=config.theme.value,
        keymap=config.keymap,
        config_problems=config.problems,
    )
    app = OllamaTUI(services, freeze_startup_heap=True)
    try:
        app.run()
    finally:
        store.close()
        if server is not None:
            server.close()
    # Non-zero only after SIGTERM or SIGHUP (128 + the signal's number), as a shell expects.
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
