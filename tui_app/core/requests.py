"""Workbench requests taken away: the exact JSON body, "copy as curl", "copy as Python".

The typed forms are :mod:`tui_app.api.requests` (``GenerateRequest``, ``ChatRequest``,
``EmbedRequest``); the client sends their ``body()`` unchanged, so the body rendered here is
the one that goes on the wire. An API key never appears in what is rendered: the commands
read it from its environment variable (``$OLLAMA_API_KEY``, or the host's ``api_key_env``).
Also here: the cosine similarity matrix the workbench shows for a set of embeddings.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Sequence
from typing import Any

from tui_app.api.models import JSON
from tui_app.api.requests import ChatRequest, EmbedRequest, GenerateRequest, Request

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

__all__ = [
    "ChatRequest",
    "EmbedRequest",
    "GenerateRequest",
    "Request",
    "as_curl",
    "as_python",
    "body_json",
    "cosine_matrix",
    "request_url",
]


def _escape_unprintable(text: str) -> str:
    """``\\uXXXX`` for characters a terminal would not show as themselves (JSON already
    escapes control characters below U+0020, so a raw newline here is indentation; this
    catches U+2028, U+200B, DEL and the like), so a copied command stays on one visible
    line and carries no terminal escapes."""
    out: list[str] = []
    for char in text:
        if char.isprintable() or char in " \n":
            out.append(char)
            continue
        units = char.encode("utf-16-be")
        for index in range(0, len(units), 2):
            out.append(f"\\u{int.from_bytes(units[index : index + 2], 'big'):04x}")
    return "".join(out)


def body_json(request: Request, *, indent: int | None = None) -> str:
    """The request body as JSON text: compact by default, or indented for reading."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(request.body(), ensure_ascii=False, indent=indent, separators=separators)
    return _escape_unprintable(text)


def request_url(base_url: str, request: Request) -> str:
    """The full URL the request goes to, e.g. ``http://127.0.0.1:11434/api/generate``."""
    return base_url.rstrip("/") + request.path


def _key_variable(api_key_env: str | None) -> str | None:
    """The variable's name, checked to be a plain shell identifier (it lands in a command)."""
    if api_key_env is None:
        return None
    if not _IDENTIFIER.fullmatch(api_key_env):
        raise ValueError(f"not an environment variable name: {api_key_env!r}")
    return api_key_env


def as_curl(base_url: str, request: Request, *, api_key_env: str | None = None) -> str:
    """One shell-safe ``curl`` command that sends exactly this request to ``base_url``.

    Streams are read unbuffered (``-N``) so the NDJSON shows line by line. When the host
    uses a key, ``api_key_env`` names the variable holding it and the command says
    ``$OLLAMA_API_KEY`` (or that name): the key itself is never written.
    """
    parts = ["curl", "-sS"]
    if request.body().get("stream", False) is not False:
        parts.append("-N")
    parts.append(shlex.quote(request_url(base_url, request)))
    parts += ["-H", shlex.quote("Content-Type: application/json")]
    variable = _key_variable(api_key_env)
    if variable is not None:
        # Double quotes so the shell, not the clipboard, supplies the key.
        parts += ["-H", f'"Authorization: Bearer ${variable}"']
    parts += ["-d", shlex.quote(body_json(request))]
    return " ".join(parts)


def _py(value: Any) -> str:
    """A Python literal for a JSON value (``repr`` of dicts, lists, str, bool and numbers)."""
    return _escape_unprintable(repr(value))


def _call_arguments(request: Request) -> list[tuple[str, Any]]:
    """Keyword arguments of the ``ollama`` client call, from the body's fields."""
    body: JSON = request.body()
    names: tuple[str, ...]
    if isinstance(request, GenerateRequest):
        names = (
            "model",
            "prompt",
            "suffix",
            "system",
            "template",
            "context",
            "stream",
            "think",
            "raw",
            "format",
            "images",
            "options",
            "keep_alive",
        )
    elif isinstance(request, ChatRequest):
        names = ("model", "messages", "tools", "stream", "think", "format", "options", "keep_alive")
    else:
        names = ("model", "input", "truncate", "options", "keep_alive", "dimensions")
    return [(name, body[name]) for name in names if name in body]


def as_python(base_url: str, request: Request, *, api_key_env: str | None = None) -> str:
    """A short script using the ``ollama`` package that sends this request and prints the reply.

    With ``api_key_env`` the script reads the key from that variable when it runs.
    """
    variable = _key_variable(api_key_env)
    host = _py(base_url.rstrip("/"))
    if variable is None:
        lines = ["import ollama", "", f"client = ollama.Client(host={host})"]
    else:
        lines = [
            "import os",
            "",
            "import ollama",
            "",
            "client = ollama.Client(",
            f"    host={host},",
            f"    headers={{'Authorization': 'Bearer ' + os.environ[{variable!r}]}},",
            ")",
        ]
    method = {GenerateRequest: "generate", ChatRequest: "chat", EmbedRequest: "embed"}[
        type(request)
    ]
    arguments = "".join(f"    {name}={_py(value)},\n" for name, value in _call_arguments(request))
    call = f"client.{method}(\n{arguments})"
    chat = isinstance(request, ChatRequest)
    if isinstance(request, EmbedRequest):
        lines += [f"response = {call}", "print(response.embeddings)"]
    elif request.stream:
        text = "chunk.message.content" if chat else "chunk.response"
        lines += [f"for chunk in {call}:", f"    print({text}, end='', flush=True)", "print()"]
    else:
        text = "response.message.content" if chat else "response.response"
        lines += [f"response = {call}", f"print({text})"]
    return "\n".join(lines) + "\n"


def cosine_matrix(vectors: Sequence[Sequence[float]]) -> list[list[float]]:
    """Pairwise cosine similarity of ``vectors``: ``m[i][j]`` in [-1, 1], 1.0 on the diagonal.

    A zero vector (or one of another length) has no direction, so its row and column are 0.0.
    """
    norms = [math.sqrt(math.fsum(x * x for x in vector)) for vector in vectors]
    size = len(vectors)
    matrix = [[0.0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i, size):
            if norms[i] == 0.0 or norms[j] == 0.0 or len(vectors[i]) != len(vectors[j]):
                continue
            if i == j:
                matrix[i][i] = 1.0
                continue
            dot = math.fsum(a * b for a, b in zip(vectors[i], vectors[j], strict=True))
            value = max(-1.0, min(1.0, dot / (norms[i] * norms[j])))
            matrix[i][j] = matrix[j][i] = value
    return matrix
