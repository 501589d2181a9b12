"""The ``ollama-tui`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from tui_app import __version__

DESCRIPTION = (
    "A terminal client for Ollama: chat with local models, browse installed and "
    "loaded models, pull with real progress and tune sampling options."
)
EPILOG = (
    "environment: OLLAMA_HOST (server address), OLLAMA_API_KEY (sent as a bearer token), "
    "OLLAMA_TUI_DATA_DIR (where chats are kept)"
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
    parser.add_argument("--data-dir", metavar="DIR", help="where chats and settings are stored")
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

    from tui_app.api import InvalidHostError, OllamaClient, host_from_environment
    from tui_app.core.paths import data_dir, database_path
    from tui_app.store import Store, StoreError

    environ = os.environ
    server = None
    if args.demo:
        from tui_app.demo import SimulatedOllama

        server = SimulatedOllama().serve()
        host = server.url
    else:
        try:
            host = host_from_environment(args.host, environ)
        except InvalidHostError as exc:
            parser.error(str(exc))

    try:
        store = Store.open(database_path(data_dir(args.data_dir, environ)))
    except StoreError as exc:
        print(f"ollama-tui: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"ollama-tui: cannot open the data directory: {exc}", file=sys.stderr)
        return 1

    from tui_app.app import OllamaTUI
    from tui_app.services import Services

    client = OllamaClient(host, api_key=environ.get("OLLAMA_API_KEY") or None)
    services = Services(
        client=client, store=store, host=host, demo=args.demo, initial_model=args.model
    )
    try:
        OllamaTUI(services, freeze_startup_heap=True).run()
    finally:
        store.close()
        if server is not None:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
