"""What each Ollama runtime option and request field is: its type, bounds and help.

The table every other part of the options package, the form and the create-model dialog
read; nothing here parses or stores anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from tui_app.store import THINK_CHOICES

OptionKind = Literal["int", "float", "strings"]

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
FLOAT32_MAX: Final = 3.4028234663852886e38
"""Ollama keeps float options as float32; anything larger would become infinity."""

MAX_TOKENS: Final = 2**24
"""The most tokens any count option may name: far beyond any model's context (16M)."""

MAX_SCALE: Final = 100.0
"""The largest temperature or penalty accepted; beyond it sampling is noise or nothing."""

THINK_LEVELS: Final[tuple[str, ...]] = THINK_CHOICES
"""Every think setting, in order: ``off``/``on`` are sent as ``false``/``true``, the levels
as they are (ollama-api.md §1.6). The store checks against the same tuple."""

FORMAT_OFF: Final = "off"
"""A stored ``format`` that turns an inherited format off (sent as no format at all)."""


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One option Ollama honours at run time (ollama-api.md §5.6)."""

    name: str
    kind: OptionKind
    ollama_default: object
    """What Ollama uses when neither the model nor the request sets it."""
    help: str
    minimum: float | None = None
    maximum: float | None = None


OPTION_SPECS: tuple[OptionSpec, ...] = (
    OptionSpec(
        "temperature",
        "float",
        0.8,
        "Randomness: 0 is deterministic, higher is more varied.",
        0.0,
        MAX_SCALE,
    ),
    OptionSpec(
        "num_ctx", "int", 4096, "Context window in tokens (prompt plus reply).", 1, MAX_TOKENS
    ),
    OptionSpec(
        "num_predict",
        "int",
        -1,
        "Most tokens to generate; -1 no limit, -2 fill the context.",
        -2,
        MAX_TOKENS,
    ),
    OptionSpec("seed", "int", -1, "Random seed; a fixed seed with temperature 0 repeats replies."),
    OptionSpec("top_k", "int", 40, "Sample from the k most likely tokens.", 0, MAX_TOKENS),
    OptionSpec(
        "top_p",
        "float",
        0.9,
        "Sample from the smallest set of tokens whose probability reaches p.",
        0.0,
        1.0,
    ),
    OptionSpec(
        "min_p", "float", 0.0, "Drop tokens less likely than p times the most likely one.", 0.0, 1.0
    ),
    OptionSpec("typical_p", "float", 1.0, "Locally typical sampling; 1 turns it off.", 0.0, 1.0),
    OptionSpec(
        "repeat_penalty",
        "float",
        1.0,
        "Penalise tokens seen in the last repeat_last_n.",
        0.0,
        MAX_SCALE,
    ),
    OptionSpec(
        "repeat_last_n",
        "int",
        64,
        "How far back repeat_penalty looks; 0 off, -1 the whole context.",
        -1,
        MAX_TOKENS,
    ),
    OptionSpec("presence_penalty", "float", 0.0, "Penalise tokens that have appeared at all."),
    OptionSpec(
        "frequency_penalty", "float", 0.0, "Penalise tokens by how often they have appeared."
    ),
    OptionSpec(
        "num_keep",
        "int",
        4,
        "Tokens of the prompt kept when the context is shifted.",
        -1,
        MAX_TOKENS,
    ),
    OptionSpec(
        "stop",
        "strings",
        None,
        "Stop generating at any of these strings; one per line, \\n for a newline.",
    ),
)
"""Every runtime option, in the order the options screen shows them."""

SPECS_BY_NAME: dict[str, OptionSpec] = {spec.name: spec for spec in OPTION_SPECS}

REQUEST_FIELDS: tuple[str, ...] = ("keep_alive", "think", "format")
"""Request-level fields edited beside the options (stored as text, like presets keep them)."""

FIELD_NAMES: tuple[str, ...] = (*(spec.name for spec in OPTION_SPECS), *REQUEST_FIELDS)
"""Every field of the options form, in form (and tab) order."""

REQUEST_FIELD_HELP: dict[str, str] = {
    "keep_alive": "How long the model stays loaded after a request: 5m, 1h30m, 90s, "
    "300 (seconds); 0 unloads at once, -1 keeps it loaded.",
    "think": "Thinking for models that can: off, on, or an effort level.",
    "format": "Constrain the reply to JSON, or to a JSON schema; off overrides a default.",
}
"""What each request-level field does, shown under it in the form."""

OLLAMA_KEEP_ALIVE_DEFAULT = "5m"
"""The server's keep-alive when a request sets none (``OLLAMA_KEEP_ALIVE``)."""
