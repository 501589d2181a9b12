"""Canned model output for the simulated Ollama: replies, thinking, tool calls, embeddings."""

# The Unicode sample reply uses full-width CJK punctuation on purpose.
# ruff: noqa: RUF001

from __future__ import annotations

import functools
import hashlib
import math
import random
import re
from typing import Any

from ._wire import float32_shortest, go_json

# GPT-2 style pre-tokeniser: words with their leading space, digit groups, punctuation runs and
# whitespace runs. Close enough to one model token per chunk for streaming to look real.
_TOKEN_RE = re.compile(r" ?[^\W\d]+| ?\d{1,3}| ?[^\s\w]+|\s+(?!\S)|\s+")


def tokenize(text: str) -> list[str]:
    """Split ``text`` into token-sized pieces that concatenate back to ``text``."""
    return _TOKEN_RE.findall(text)


def count_tokens(text: str) -> int:
    """Approximate token count of ``text``."""
    return len(_TOKEN_RE.findall(text))


def stable_hash(*parts: object) -> int:
    """A process-independent hash (``hash()`` is salted per process)."""
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


OVERVIEW = """## Quick overview

Here is a short rundown of the main points:

- **Start small.** Pick the simplest approach that could work and measure it.
- **Keep state explicit.** Pass data in and return results out; avoid hidden globals.
- **Automate the checks.** Tests, a formatter and a linter catch most mistakes early.

### Next steps

1. Write down the behaviour you expect.
2. Add a test that shows it.
3. Make the test pass, then tidy up.

That order keeps each change small and easy to review."""

CODE = """Sure! Here is a small, well-tested way to do it in Python:

```python
from collections import Counter


def top_words(text: str, n: int = 3) -> list[tuple[str, int]]:
    \"\"\"Return the n most common words in text, case-insensitively.\"\"\"
    words = [w.strip(".,!?;:").lower() for w in text.split()]
    return Counter(w for w in words if w).most_common(n)


if __name__ == "__main__":
    print(top_words("the cat and the hat and the bat"))
```

How it works:

- `str.split()` breaks the text on whitespace.
- `strip()` removes punctuation at the edges of each word.
- `Counter.most_common(n)` returns the `n` highest counts, largest first.

Running it prints `[('the', 3), ('and', 2), ('cat', 1)]`."""

TABLE = """Here is a side-by-side comparison:

| Option | Speed | Memory | Best for |
|---|---|---|---|
| SQLite | fast | low | local apps, tests |
| PostgreSQL | fast | medium | multi-user servers |
| Redis | very fast | high | caches, queues |
| DuckDB | fast (analytics) | medium | reporting, data science |

**Summary:** for a single-user desktop tool, SQLite is usually the right default. Move to
PostgreSQL when several processes must write at once."""

MIXED = """# Setting up a project

Follow these steps to get a clean development environment.

## 1. Create a virtual environment

```bash
python3 -m venv .venv
. .venv/bin/activate
pip install -e '.[test]'
```

## 2. Check everything works

| Command | What it checks |
|---|---|
| `pytest -q` | the test suite |
| `ruff check .` | lint rules |
| `mypy --strict src` | types |

> Tip: run the three commands before every commit; a pre-commit hook can do it for you.

That's it — you are ready to start coding."""

SHORT = """Hello! I'm a simulated model running inside the demo server, so my answers are canned.
Ask me for **code**, a **table**, or an *overview* to see how different kinds of Markdown render."""

THINK_TAGS = """<think>
The user mentioned think tags. Some models put their reasoning inside the content itself,
wrapped in think tags, instead of using the separate thinking field. I should show that form.
</think>

This reply carried its reasoning **inside the content**, between `<think>` and `</think>` tags,
the way some models do when no thinking parser is configured. A client should fold that part
away just like the separate `thinking` field."""

MARKUP = """Model output is plain text, even when it looks like markup:

- Rich markup: [bold red]not bold[/bold red] and [link=https://example.com]not a link[/link]
- An ANSI escape: \x1b[31mnot red\x1b[0m and a bell: \x07
- Console markup escapes: \\[dim] and [/] and [@click=app.quit]no click[/]

All of it should appear literally."""

UNICODE = """Mixed scripts, to check wrapping and alignment:

- 中文：你好，世界！这是一个很长的句子，用来测试自动换行是否正确处理全角字符。
- 日本語：こんにちは、世界。
- 한국어: 안녕하세요, 세계!
- Emoji: 🦙 🚀 👩‍💻 🇯🇵 ✅
- العربية: مرحبا بالعالم
- עברית: שלום עולם

| Language | Greeting |
|---|---|
| 中文 | 你好 |
| العربية | مرحبا |"""

VISION = """I can see the image you attached. It appears to show:

- a **main subject** near the centre of the frame,
- a softly blurred background,
- warm, natural lighting from the left.

(This is the demo server: the image bytes were received, but the description is simulated.)"""

GENERAL = [OVERVIEW, CODE, TABLE, MIXED, SHORT]

_KEYWORDS: list[tuple[tuple[str, ...], str]] = [
    (("think tags", "<think>"), THINK_TAGS),
    (("markup", "ansi", "escape"), MARKUP),
    (("unicode", "emoji", "cjk", "chinese", "arabic"), UNICODE),
    (("table", "compare", "comparison"), TABLE),
    (("code", "python", "function", "script", "program"), CODE),
    (("setup", "install", "project", "markdown"), MIXED),
    (("hello", "hi", "hey"), SHORT),
]


def choose_reply(prompt: str, *, seed: Any = None, has_images: bool = False) -> str:
    """Pick a canned Markdown reply: by keyword in ``prompt``, else by a hash of it."""
    lowered = prompt.lower()
    words = set(re.findall(r"[\w<>]+", lowered))
    if has_images:
        return VISION
    for keys, reply in _KEYWORDS:
        for key in keys:
            if (" " in key and key in lowered) or key in words:
                return reply
    return GENERAL[stable_hash(prompt, seed) % len(GENERAL)]


_VARIANTS = (
    "simply",
    "often",
    "usually",
    "clearly",
    "quickly",
    "carefully",
    "roughly",
    "mostly",
    "gently",
    "plainly",
    "rarely",
    "neatly",
)
"""Words a sampled reply slips in, so replies at a higher temperature read differently."""


def sample_reply(reply: str, *, temperature: float, seed: Any, nonce: int) -> str:
    """``reply`` as a model sampling at ``temperature`` would vary it.

    Temperature 0 is greedy decoding: the reply as it is. Above 0 a few words are added, more
    the hotter it runs, chosen by ``seed`` and ``temperature`` so the same seed repeats the same
    reply; with no seed each request (``nonce``) samples afresh, as Ollama does.
    """
    if temperature <= 0:
        return reply
    chooser = random.Random(stable_hash(reply, temperature, seed if seed is not None else nonce))
    words = reply.split(" ")
    spots = [i for i, word in enumerate(words) if word.isalpha() and len(word) > 3]
    if not spots:
        return reply
    for index in sorted(chooser.sample(spots, min(len(spots), 1 + int(temperature * 3))))[::-1]:
        words.insert(index, chooser.choice(_VARIANTS))
    return " ".join(words)


def thinking_for(prompt: str) -> str:
    """A short chain of thought that mentions the prompt."""
    topic = " ".join(prompt.split()[:8]) or "this"
    if len(prompt.split()) > 8:
        topic += "…"
    return (
        f'Okay, the user is asking: "{topic}". Let me think about what they actually need.\n\n'
        "First, I should give a direct answer, then back it up with a short list of points. "
        "A small example would help, and maybe a table if there is something to compare. "
        "I'll keep it concise and use Markdown so it renders nicely."
    )


def json_reply(prompt: str, schema: Any) -> str:
    """Content for a ``format`` request: valid JSON, shaped by the schema when one is given."""
    if isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
        return go_json(_from_schema(schema, prompt))
    words = re.findall(r"\w+", prompt)
    return go_json({"answer": " ".join(words[:6]) or "ok", "confidence": 0.87})


def _from_schema(schema: Any, prompt: str) -> Any:
    if not isinstance(schema, dict):
        return None
    if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {key: _from_schema(value, prompt) for key, value in props.items()}
    if kind == "array":
        return [_from_schema(schema.get("items") or {"type": "string"}, prompt)]
    if kind == "integer":
        return 42
    if kind == "number":
        return 3.14
    if kind == "boolean":
        return True
    words = re.findall(r"\w+", prompt)
    return " ".join(words[:4]) or "example"


def infill_reply(prompt: str, suffix: str) -> str:
    """The middle a fill-in-the-middle model writes between ``prompt`` and ``suffix``.

    Code that ends a line with ``:`` and a suffix that returns a name gets that name
    computed from the parameters in the prompt; anything else gets a one-line bridge.
    """
    returned = re.search(r"return\s+([A-Za-z_]\w*)", suffix)
    header = re.search(r"\(([^()]*)\)\s*(?:->[^:]*)?:\s*$", prompt)
    first_line = suffix.lstrip("\n")
    indent = first_line[: len(first_line) - len(first_line.lstrip(" \t"))] or "    "
    if returned and header:
        params = [p.split(":")[0].split("=")[0].strip() for p in header.group(1).split(",")]
        params = [p for p in params if p and p not in ("self", "cls")]
        operation = " + ".join(params) if params else "None"
        return f"{indent}{returned.group(1)} = {operation}"
    before = " ".join(prompt.split()[-3:])
    after = " ".join(suffix.split()[:3])
    return f" {before} … {after} ".strip()


def long_markdown_tokens(count: int) -> list[str]:
    """Exactly ``count`` tokens of varied Markdown (for the streaming benchmarks)."""
    tokens: list[str] = []
    section = 0
    bodies = [OVERVIEW, CODE, TABLE, MIXED]
    while len(tokens) < count:
        section += 1
        text = f"\n\n## Part {section}\n\n" + bodies[section % len(bodies)]
        tokens.extend(tokenize(text if section > 1 else text.lstrip()))
    return tokens[:count]


def code_block_tokens(lines: int) -> list[str]:
    """One fenced Python block of ``lines`` lines, as tokens (for the streaming benchmarks)."""
    body = "".join(
        f"def step_{n}(value: int) -> int:  # line {n}\n"
        if n % 3 == 0
        else f"    total = value * {n} + len('item {n}')\n"
        if n % 3 == 1
        else f"    return total  # done {n}\n"
        for n in range(lines)
    )
    return tokenize("Here is the code:\n\n```python\n" + body + "```")


def long_thinking_tokens(count: int) -> list[str]:
    """Exactly ``count`` tokens of plain reasoning text (for the streaming benchmarks)."""
    sentence = (
        "Let me think about this step by step, weighing each option against the others. "
        "The first approach is simpler but the second one scales better with input size.\n"
    )
    tokens: list[str] = []
    while len(tokens) < count:
        tokens.extend(tokenize(sentence))
    return tokens[:count]


def tool_call_plan(prompt: str, tools: list[Any]) -> tuple[str, dict[str, Any]] | None:
    """Decide whether a prompt "needs" one of ``tools``; return (name, arguments) if so."""
    lowered = prompt.lower()
    candidates: list[tuple[str, dict[str, Any]]] = []
    for tool in tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            continue
        candidates.append((function["name"], function))
    for name, function in candidates:
        parts = [p for p in re.split(r"[_\W]+", name.lower()) if len(p) >= 4]
        if any(part in lowered for part in parts) or name.lower() in lowered:
            return name, _tool_arguments(function, prompt)
    if candidates and "tool" in lowered:
        name, function = candidates[0]
        return name, _tool_arguments(function, prompt)
    return None


def _tool_arguments(function: dict[str, Any], prompt: str) -> dict[str, Any]:
    params = function.get("parameters")
    props = params.get("properties") if isinstance(params, dict) else None
    if not isinstance(props, dict):
        return {}
    capitalised = re.findall(r"\b[A-Z][a-z]+\b", prompt)
    place = capitalised[-1] if capitalised else "Paris"
    numbers = re.findall(r"\d+", prompt)
    out: dict[str, Any] = {}
    for key, spec in props.items():
        spec = spec if isinstance(spec, dict) else {}
        kind = spec.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if isinstance(spec.get("enum"), list) and spec["enum"]:
            out[key] = spec["enum"][0]
        elif kind in ("integer", "number"):
            out[key] = int(numbers[0]) if numbers else 3
        elif kind == "boolean":
            out[key] = True
        elif kind == "array":
            out[key] = []
        elif kind == "object":
            out[key] = {}
        else:
            out[key] = place
    return out


def tool_result_reply(tool_name: str, content: str) -> str:
    """The follow-up answer once a tool's result has been sent back."""
    shown = content.strip() or "(empty)"
    label = f"`{tool_name}`" if tool_name else "the tool"
    return (
        f"According to {label}, the result is **{shown}**.\n\n"
        "Let me know if you would like me to look anything else up."
    )


def tool_call_id(*parts: object) -> str:
    """``call_`` plus 8 characters of ``[a-z0-9]``, like ``server/routes.go:toolCallId``."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    number = stable_hash("call", *parts)
    chars = []
    for _ in range(8):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "call_" + "".join(chars)


@functools.lru_cache(maxsize=4096)
def _word_vector(word: str, dims: int) -> tuple[float, ...]:
    rng = random.Random(stable_hash("embed", word, dims))
    return tuple(rng.gauss(0.0, 1.0) for _ in range(dims))


def embed_text(text: str, dims: int) -> list[float]:
    """A deterministic L2-normalised vector; texts sharing words point in similar directions."""
    total = [0.0] * dims
    words = re.findall(r"\w+", text.lower()) or [text]
    for word in words[:512]:
        vector = _word_vector(word, dims)
        for index in range(dims):
            total[index] += vector[index]
    norm = math.sqrt(sum(v * v for v in total)) or 1.0
    return [float32_shortest(v / norm) for v in total]


def normalise(vector: list[float]) -> list[float]:
    """L2-normalise ``vector`` (after ``dimensions`` truncation)."""
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [float32_shortest(v / norm) for v in vector]


def token_ids(pieces: list[str], vocab: int) -> list[int]:
    """Stable fake token ids for the deprecated generate ``context`` field."""
    return [stable_hash("tok", piece) % vocab for piece in pieces]
