"""Compare: one prompt run in several columns, each a model and an option set, side by side.

No UI here. The compare screen draws what these compute:

- :class:`ColumnSetup` and :class:`ColumnResult`: what a column asks for and what it got;
- :func:`run_column`: one column's request, as events (nothing is sent but its own options);
- :func:`figure_rows` and :func:`differing_options`: the figures table, with the best of
  each row, and the options that were varied;
- :func:`word_diff` and :func:`repeat_verdict`: a run against the previous one;
- :func:`bench_summary` and :func:`bar`: N runs per column as median, range and a bar;
- :func:`comparison_to_markdown`, :func:`comparison_to_json` and back: export and storage.
"""

from __future__ import annotations

import difflib
import re
import statistics
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from tui_app.api import ChatMessage, OllamaClient, OllamaError
from tui_app.core.options import parameter_lines, parse_parameter_lines

MIN_COLUMNS = 2
MAX_COLUMNS = 4

ColumnStatus = Literal["idle", "queued", "streaming", "done", "stopped", "failed"]
"""Where a column's run is: ``queued`` until the server sends its first chunk."""


@dataclass(frozen=True, slots=True)
class ColumnSetup:
    """What one column asks for: a model and the Ollama options sent with it."""

    model: str
    options: dict[str, object] = field(default_factory=dict)
    source: str = "edited"
    """Where the options came from, for the user: a preset's name, ``this chat``, ``edited``."""
    host: str = ""
    """The host the column runs on; "" is the default host."""


@dataclass(slots=True)
class ColumnResult:
    """What one column got from its last run."""

    status: ColumnStatus = "idle"
    thinking: str = ""
    answer: str = ""
    stats: dict[str, object] = field(default_factory=dict)
    error: str | None = None


# -- options as one line --------------------------------------------------------------------


def options_text(options: Mapping[str, Any]) -> str:
    """Options as the one-line editor shows them: ``temperature 0.7, seed 42``."""
    return ", ".join(line for line in parameter_lines(options).splitlines() if line.strip())


def parse_options_text(text: str) -> tuple[dict[str, Any], list[str]]:
    """Options typed as ``name value`` pairs split by commas or semicolons (``=`` allowed).

    Each value is checked by the options form's own validator; returns the options and one
    problem per bad pair.
    """
    pairs = [part.strip() for part in re.split(r"[,;\n]", text) if part.strip()]
    lines = [re.sub(r"\s*=\s*", " ", pair, count=1) for pair in pairs]
    options, problems = parse_parameter_lines("\n".join(lines))
    return options, [re.sub(r"^line \d+: ", "", problem) for problem in problems]


# -- a run ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Arrived:
    """Text of the column's reply that arrived (the first also ends ``queued``)."""

    thinking: str
    answer: str


@dataclass(frozen=True, slots=True)
class Ended:
    """The server said the reply is done; ``stats`` holds its metrics and ``done_reason``."""

    stats: dict[str, object]


@dataclass(frozen=True, slots=True)
class RunFailed:
    """The request failed; what arrived before is kept by whoever drew it."""

    error: str


ColumnEvent = Arrived | Ended | RunFailed


def request_messages(prompt: str, system: str | None) -> list[ChatMessage]:
    """The messages of a compare request: the system prompt if any, then the prompt."""
    messages = [ChatMessage("system", system)] if system and system.strip() else []
    return [*messages, ChatMessage("user", prompt)]


async def run_column(
    client: OllamaClient, setup: ColumnSetup, prompt: str, system: str | None
) -> AsyncGenerator[ColumnEvent]:
    """Stream one column's reply. Cancelling the task reading it closes the request."""
    try:
        stream = client.chat(
            setup.model,
            request_messages(prompt, system),
            options=setup.options or None,
        )
        async for chunk in stream:
            if chunk.thinking or chunk.content or not chunk.done:
                yield Arrived(chunk.thinking, chunk.content)
            if chunk.done:
                stats: dict[str, object] = {**chunk.metrics.to_json()}
                if chunk.done_reason:
                    stats["done_reason"] = chunk.done_reason
                yield Ended(stats)
                return
    except OllamaError as error:
        yield RunFailed(str(error))


# -- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of the figures table."""

    key: str
    label: str
    best: Literal["high", "low", "none"]
    """Which value is best: the highest, the lowest, or none (a reason is not a score)."""


FIGURES: tuple[Figure, ...] = (
    Figure("tokens", "tokens", "none"),
    Figure("tokens_per_s", "tokens/s", "high"),
    Figure("prompt_tokens", "prompt tokens", "none"),
    Figure("prompt_rate", "prompt tok/s", "high"),
    Figure("load_s", "load", "low"),
    Figure("total_s", "total", "low"),
    Figure("done_reason", "done", "none"),
)
"""The figures under each column, in order."""


def _number(stats: Mapping[str, object], key: str) -> float:
    value = stats.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def figures(stats: Mapping[str, object]) -> dict[str, float | str | None]:
    """A finished reply's figures by :data:`FIGURES` key; None where the server gave none."""
    if not stats:
        return {figure.key: None for figure in FIGURES}
    eval_ns, prompt_ns = _number(stats, "eval_duration"), _number(stats, "prompt_eval_duration")
    tokens, prompt_tokens = _number(stats, "eval_count"), _number(stats, "prompt_eval_count")
    reason = stats.get("done_reason")
    return {
        "tokens": tokens,
        "tokens_per_s": tokens / eval_ns * 1e9 if eval_ns > 0 else None,
        "prompt_tokens": prompt_tokens,
        "prompt_rate": prompt_tokens / prompt_ns * 1e9 if prompt_ns > 0 else None,
        "load_s": _number(stats, "load_duration") / 1e9,
        "total_s": _number(stats, "total_duration") / 1e9,
        "done_reason": reason if isinstance(reason, str) else None,
    }


def format_figure(key: str, value: float | str | None) -> str:
    """A figure as the table shows it; ``-`` for none."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if key in {"tokens", "prompt_tokens"}:
        return str(int(value))
    if key.endswith("_s") and key != "tokens_per_s":
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:.1f}"


@dataclass(frozen=True, slots=True)
class FigureRow:
    """One figure across every column, with the columns holding its best value."""

    label: str
    cells: tuple[str, ...]
    best: frozenset[int]


def figure_rows(stats: Sequence[Mapping[str, object]]) -> list[FigureRow]:
    """The figures table of the columns' last runs; a best is only marked among two or
    more columns that have the figure."""
    per_column = [figures(column) for column in stats]
    rows = []
    for figure in FIGURES:
        values = [column[figure.key] for column in per_column]
        cells = tuple(format_figure(figure.key, value) for value in values)
        numbers = {i: v for i, v in enumerate(values) if isinstance(v, float)}
        best: frozenset[int] = frozenset()
        if figure.best != "none" and len(numbers) >= 2:
            pick = max if figure.best == "high" else min
            top = pick(numbers.values())
            if any(value != top for value in numbers.values()):
                best = frozenset(i for i, v in numbers.items() if v == top)
        rows.append(FigureRow(figure.label, cells, best))
    return rows


def differing_options(setups: Sequence[ColumnSetup]) -> set[str]:
    """The option names (and ``model``) whose value is not the same in every column."""
    if len(setups) < 2:
        return set()
    names = {name for setup in setups for name in setup.options}
    differing = {name for name in names if len({repr(s.options.get(name)) for s in setups}) > 1}
    if len({setup.model for setup in setups}) > 1:
        differing.add("model")
    return differing


# -- repeat -----------------------------------------------------------------------------------


DiffOp = Literal["same", "added", "removed"]


def word_diff(old: str, new: str) -> list[tuple[DiffOp, str]]:
    """``new`` against ``old`` word by word: runs of kept, added and removed words."""
    before, after = old.split(), new.split()
    pieces: list[tuple[DiffOp, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(("same", " ".join(before[a1:a2])))
            continue
        if a2 > a1:
            pieces.append(("removed", " ".join(before[a1:a2])))
        if b2 > b1:
            pieces.append(("added", " ".join(after[b1:b2])))
    return pieces


def repeat_verdict(old: str, new: str) -> Literal["identical", "changed"]:
    """Whether a repeated run gave exactly the reply of the run before."""
    return "identical" if old == new else "changed"


# -- bench ------------------------------------------------------------------------------------


BENCH_FIGURES: tuple[tuple[str, str], ...] = (
    ("tokens_per_s", "tokens/s"),
    ("prompt_rate", "prompt tok/s"),
    ("load_s", "load s"),
)
"""What a bench reports per column; loading is kept apart from generation."""


@dataclass(frozen=True, slots=True)
class Spread:
    """Median and range of one figure over a bench's runs."""

    median: float
    low: float
    high: float


def bench_summary(runs: Sequence[Mapping[str, object]]) -> dict[str, Spread | None]:
    """Per :data:`BENCH_FIGURES` key, the median and range over ``runs`` (their stats)."""
    summary: dict[str, Spread | None] = {}
    for key, _ in BENCH_FIGURES:
        values = [v for v in (figures(run)[key] for run in runs) if isinstance(v, float)]
        summary[key] = (
            Spread(statistics.median(values), min(values), max(values)) if values else None
        )
    return summary


BAR_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(value: float, most: float, width: int) -> str:
    """A horizontal bar ``width`` cells long at full scale ``most``, in eighths of a cell."""
    if most <= 0 or value <= 0 or width <= 0:
        return ""
    eighths = round(min(value / most, 1.0) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (BAR_BLOCKS[part] if part else "")


# -- export and storage -----------------------------------------------------------------------


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text.rstrip(chr(10))}\n{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def comparison_to_markdown(
    prompt: str,
    system: str | None,
    columns: Sequence[tuple[ColumnSetup, ColumnResult]],
) -> str:
    """A comparison as Markdown: the prompt, each column's model, options and reply, then
    the figures table (best values in bold)."""
    lines = ["# Comparison", "", "## Prompt", "", _fence(prompt), ""]
    if system and system.strip():
        lines += ["## System prompt", "", _fence(system), ""]
    for number, (setup, result) in enumerate(columns, start=1):
        where = f" on {setup.host}" if setup.host else ""
        lines += [f"## Column {number}: {setup.model}{where}", ""]
        shown = options_text(setup.options) or "the model's defaults"
        lines += [f"Options ({setup.source}): {shown}", ""]
        if result.status in {"stopped", "failed"}:
            lines += [f"Status: {result.status}" + (f" ({result.error})" if result.error else "")]
            lines.append("")
        lines += [_fence(result.answer or "(no reply)"), ""]
    rows = figure_rows([result.stats for _, result in columns])
    header = ["figure", *(f"{n}: {_cell(s.model)}" for n, (s, _) in enumerate(columns, 1))]
    lines += ["## Figures", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "---|" * len(header))
    for row in rows:
        cells = [f"**{c}**" if i in row.best else c for i, c in enumerate(row.cells)]
        lines.append("| " + " | ".join([row.label, *map(_cell, cells)]) + " |")
    return "\n".join(lines) + "\n"


def comparison_to_json(
    prompt: str, system: str | None, columns: Sequence[tuple[ColumnSetup, ColumnResult]]
) -> dict[str, object]:
    """A comparison as the store keeps it."""
    return {
        "prompt": prompt,
        "system": system,
        "columns": [
            {
                "model": setup.model,
                "options": dict(setup.options),
                "source": setup.source,
                "host": setup.host,
                "status": result.status,
                "thinking": result.thinking,
                "answer": result.answer,
                "stats": dict(result.stats),
                "error": result.error,
            }
            for setup, result in columns
        ],
    }


_STATUSES: dict[str, ColumnStatus] = {status: status for status in get_args(ColumnStatus)}


def comparison_from_json(
    data: Mapping[str, object],
) -> tuple[str, str | None, list[tuple[ColumnSetup, ColumnResult]]]:
    """A stored comparison back as prompt, system prompt and columns (bad parts skipped)."""
    prompt = data.get("prompt")
    system = data.get("system")
    columns: list[tuple[ColumnSetup, ColumnResult]] = []
    raw = data.get("columns")
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("model"), str):
            continue
        options = item.get("options")
        stats = item.get("stats")
        status = item.get("status")
        error = item.get("error")
        setup = ColumnSetup(
            item["model"],
            dict(options) if isinstance(options, dict) else {},
            str(item.get("source") or "edited"),
            host if isinstance(host := item.get("host"), str) else "",
        )
        result = ColumnResult(
            status=_STATUSES.get(status, "idle") if isinstance(status, str) else "idle",
            thinking=str(item.get("thinking") or ""),
            answer=str(item.get("answer") or ""),
            stats=dict(stats) if isinstance(stats, dict) else {},
            error=error if isinstance(error, str) else None,
        )
        columns.append((setup, result))
    return (
        prompt if isinstance(prompt, str) else "",
        system if isinstance(system, str) else None,
        columns,
    )
