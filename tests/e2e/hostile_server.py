"""An Ollama stand-in that is hostile: escape sequences and markup in every field the app
shows, and malformed numbers and names in every list.

It speaks just enough of the wire format for each screen of the app to work against it,
on a loopback port, in a thread of the test process.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ATTACKS = (
    "\x1b]52;c;SE9TVElMRQ==\x07",  # set the clipboard
    "\x1b]0;HOSTILE-TITLE\x07",  # set the window title
    "\x1b[2J",  # clear the screen
    "\x1b]8;;http://evil.test/\x1b\\click\x1b]8;;\x1b\\",  # a hyperlink
    "\x9b6n",  # C1 CSI: ask the terminal to type its cursor position
    "\x00\x07\x08\r",
)
"""Terminal escape sequences, each able to do harm if written to the terminal raw."""

MARKUP = "[bold red]X[/][link=http://evil.test]y[/link]"
"""Rich markup, which must be shown as these characters."""

HOSTILE = "".join(ATTACKS) + MARKUP
"""One string holding every attack, put into every field the app shows."""

_APP_SEQUENCES = re.compile(r"\x1b\]22;[\w-]*\x07")
"""What Textual itself writes with a BEL in it: the mouse pointer's shape (OSC 22)."""
_FORBIDDEN = re.compile(r"\x1b\][0-9]*;|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f]")
"""An operating-system command (title, clipboard, link...) or a control character other
than ESC, tab, newline and carriage return: none of these does the app write itself."""


def leaks(output: bytes) -> list[str]:
    """Each place where the app's terminal output holds something only the server could
    have put there, with some context; empty when the output is clean."""
    text = _APP_SEQUENCES.sub("", output.decode("utf-8", errors="replace"))
    found = []
    for match in _FORBIDDEN.finditer(text):
        found.append(repr(text[max(0, match.start() - 80) : match.end() + 40]))
    return found


GOOD_MODEL = "llama3.2:latest"
HOSTILE_MODEL = f"h{MARKUP}{ATTACKS[1]}:latest"


def _details() -> dict[str, Any]:
    return {
        "format": "gguf" + HOSTILE,
        "family": "llama" + HOSTILE,
        "families": ["llama" + HOSTILE],
        "parameter_size": "3.2B" + HOSTILE,
        "quantization_level": "Q4_K_M" + HOSTILE,
        "parent_model": HOSTILE,
    }


def tags_body() -> bytes:
    """``/api/tags``: a good model, a hostile one, and every kind of broken entry."""
    good = {
        "name": GOOD_MODEL,
        "model": GOOD_MODEL,
        "size": 2_019_393_189,
        "digest": "a80c4f17acd5" + HOSTILE,
        "modified_at": "2026-11-01T10:00:00Z",
        "details": _details(),
    }
    hostile = {**good, "name": HOSTILE_MODEL, "model": HOSTILE_MODEL}
    entries = [json.dumps(good), json.dumps(hostile), json.dumps(good)]  # listed twice
    entries += ['{"size": 5}', '{"name": "", "size": 5}']  # no name
    entries += ['{"name": "huge:latest", "size": 1e999}', '{"name": "nan:latest", "size": NaN}']
    return ('{"models": [' + ",".join(entries) + "]}").encode()


def ps_body() -> bytes:
    """``/api/ps``: the hostile model loaded, and entries with impossible numbers."""
    loaded = {
        "name": HOSTILE_MODEL,
        "model": HOSTILE_MODEL,
        "size": 3_000_000_000,
        "size_vram": 1_000_000_000,
        "digest": HOSTILE,
        "expires_at": "2026-12-31T10:00:00Z",
        "context_length": 4096,
        "details": _details(),
    }
    entries = [json.dumps(loaded)]
    entries += ['{"name": "inf:latest", "size": 1e999, "size_vram": 1}']
    entries += ['{"name": "nan:latest", "size": 5, "size_vram": NaN}']
    return ('{"models": [' + ",".join(entries) + "]}").encode()


def show_body() -> bytes:
    """``/api/show``: every text field hostile."""
    return json.dumps(
        {
            "license": "LICENSE " + HOSTILE + "\nline two " + HOSTILE,
            "modelfile": "FROM x\n" + HOSTILE,
            "parameters": "stop " + HOSTILE + "\nnum_ctx 4096",
            "template": "{{ .Prompt }}" + HOSTILE,
            "system": "SYSTEM " + HOSTILE,
            "details": _details(),
            "model_info": {"general.architecture": "llama", "general.basename": HOSTILE},
            "capabilities": ["completion", HOSTILE],
            "modified_at": "2026-11-01T10:00:00Z",
        }
    ).encode()


def _line(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj).encode() + b"\n"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_broken_tags = False
    """Answer ``/api/tags`` with a 500 whose body is hostile."""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the app's own output is what the test reads

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _stream(self, lines: list[bytes]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for line in lines:
            self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length) or b"{}") if length else {}
        return data if isinstance(data, dict) else {}

    def do_HEAD(self) -> None:
        self._send(200, b"Ollama is running", "text/plain")

    def do_GET(self) -> None:
        if self.path == "/api/version":
            self._send(200, json.dumps({"version": "0.12.3" + HOSTILE}).encode())
        elif self.path == "/api/tags" and self.server_broken_tags:
            self._send(500, json.dumps({"error": "tags failed " + HOSTILE}).encode())
        elif self.path == "/api/tags":
            self._send(200, tags_body())
        elif self.path == "/api/ps":
            self._send(200, ps_body())
        else:
            self._send(200, b"Ollama is running", "text/plain")

    def do_DELETE(self) -> None:
        self._body()
        self._send(500, json.dumps({"error": "delete refused " + HOSTILE}).encode())

    def do_POST(self) -> None:
        body = self._body()
        if self.path == "/api/show":
            self._send(200, show_body())
        elif self.path == "/api/chat":
            self._chat(body)
        elif self.path == "/api/pull":
            self._stream(
                [
                    _line({"status": "pulling manifest " + HOSTILE}),
                    _line(
                        {
                            "status": "pulling " + HOSTILE,
                            "digest": "sha256:" + HOSTILE,
                            "total": 1000,
                            "completed": 10,
                        }
                    ),
                    b'{"status": "pulling", "digest": "sha256:abc", "total": NaN}\n',
                    _line({"error": "pull refused " + HOSTILE}),
                ]
            )
        elif self.path in ("/api/copy", "/api/create", "/api/push"):
            self._send(500, json.dumps({"error": "refused " + HOSTILE}).encode())
        else:
            self._send(404, json.dumps({"error": "no route " + HOSTILE}).encode())

    def _chat(self, body: dict[str, Any]) -> None:
        messages = body.get("messages") or []
        if not messages:  # a load or an unload
            self._send(200, _line({"model": HOSTILE, "done": True, "done_reason": HOSTILE}))
            return
        last = str(messages[-1].get("content", ""))
        if "status" in last:
            self._send(500, json.dumps({"error": "status error " + HOSTILE}).encode())
            return
        if "hang" in last:
            time.sleep(30)  # accepts the request and never answers
            return
        if "slow" in last:
            self._slow_reply()
            return
        model = HOSTILE
        lines = [
            _line({"model": model, "message": {"role": "assistant", "thinking": HOSTILE}}),
            _line({"model": model, "message": {"role": "assistant", "content": "REPLY "}}),
            _line({"model": model, "message": {"role": "assistant", "content": HOSTILE}}),
            _line({"model": model, "message": {"role": "assistant", "content": " ENDED"}}),
        ]
        if "midway" in last:
            lines.append(_line({"error": "midway error " + HOSTILE}))
        else:
            lines.append(
                b'{"model": "m", "done": true, "done_reason": '
                + json.dumps("stop" + HOSTILE).encode()
                + b', "eval_count": NaN, "eval_duration": 1e999, "prompt_eval_count": 7,'
                b' "message": {"role": "assistant", "content": ""}}\n'
            )
        self._stream(lines)

    def _slow_reply(self) -> None:
        """A reply that starts at once and then trickles for a minute (until the app goes)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for index in range(600):
                word = "SLOW-START " if index == 0 else f"w{index} "
                line = _line({"model": "m", "message": {"role": "assistant", "content": word}})
                self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the app closed the stream


@contextmanager
def hostile_server(*, broken_tags: bool = False) -> Iterator[str]:
    """Run the hostile server on a free loopback port; yield its address.

    With ``broken_tags`` the model list fails with a hostile error body.
    """
    handler = type("Handler", (_Handler,), {"server_broken_tags": broken_tags})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
