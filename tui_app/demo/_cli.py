"""``python -m tui_app.demo``: run the simulated Ollama on a loopback port."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from ._http import is_loopback, wait_forever
from ._models import default_catalog, many_models
from ._sim import SimulatedOllama


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tui_app.demo",
        description="Serve a simulated Ollama (real wire format, canned replies) on loopback.",
    )
    parser.add_argument("--port", type=int, default=11434, help="TCP port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument(
        "--token-delay", type=float, default=0.015, help="seconds between streamed tokens"
    )
    parser.add_argument("--models", type=int, default=None, help="install N models")
    parser.add_argument(
        "--reply-tokens", type=int, default=None, help="make every reply exactly N tokens"
    )
    parser.add_argument(
        "--end-marker",
        default=None,
        help="with --reply-tokens, end every reply with this word",
    )
    parser.add_argument(
        "--tokens-per-second",
        type=float,
        default=None,
        help="stream tokens at this rate on a fixed schedule (instead of --token-delay)",
    )
    parser.add_argument(
        "--reply-shape",
        choices=("markdown", "code", "thinking"),
        default="markdown",
        help="with --reply-tokens: varied Markdown, one code block of N lines, or N tokens "
        "of thinking before a short answer",
    )
    parser.add_argument(
        "--pull-lines-per-second",
        type=float,
        default=None,
        help="pull progress lines per second (the largest layer then takes about 30 s)",
    )
    parser.add_argument(
        "--report-first-byte",
        action="store_true",
        help="print 'first-byte PATH SECONDS' (monotonic clock) as a stream's first chunk goes",
    )
    return parser


def _report_first_byte(path: str, when: float) -> None:
    print(f"first-byte {path} {when:.6f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the simulated server until SIGINT/SIGTERM; returns the process exit code."""
    args = _parser().parse_args(argv)
    if not is_loopback(args.host):
        print(
            f"error: --host must be a loopback address such as 127.0.0.1, not {args.host!r}",
            file=sys.stderr,
        )
        return 2
    if args.token_delay < 0 or (args.reply_tokens is not None and args.reply_tokens < 0):
        print("error: --token-delay and --reply-tokens must not be negative", file=sys.stderr)
        return 2
    sim = SimulatedOllama(
        models=many_models(args.models) if args.models is not None else None,
        token_delay=args.token_delay,
        reply_tokens=args.reply_tokens,
    )
    sim.end_marker = args.end_marker
    sim.reply_shape = args.reply_shape
    if args.tokens_per_second is not None:
        if args.tokens_per_second <= 0:
            print("error: --tokens-per-second must be positive", file=sys.stderr)
            return 2
        sim.tokens_per_second = args.tokens_per_second
    if args.report_first_byte:
        sim.first_byte_hook = _report_first_byte
    if args.pull_lines_per_second:
        if args.pull_lines_per_second <= 0:
            print("error: --pull-lines-per-second must be positive", file=sys.stderr)
            return 2
        largest = max(size for model in default_catalog().values() for _, size in model.layers)
        sim.pull_tick = 1.0 / args.pull_lines_per_second
        sim.pull_rate = largest / 30.0
    try:
        server = sim.serve(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(f"Simulated Ollama listening on {server.url}", flush=True)
    try:
        wait_forever(stop)
    finally:
        server.close()
    return 0
