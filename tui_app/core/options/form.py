"""Reading what is typed: every field's one validator, and form texts to settings and back.

Each check returns the reason to show beside the field, worded once here for the options
form, the create-model dialog and presets alike; ``None`` means the text is fine.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from tui_app.core.options.settings import RequestDefaults
from tui_app.core.options.specs import (
    FLOAT32_MAX,
    FORMAT_OFF,
    INT64_MAX,
    INT64_MIN,
    MAX_SCALE,
    OPTION_SPECS,
    REQUEST_FIELDS,
    SPECS_BY_NAME,
    THINK_LEVELS,
    OptionSpec,
)

# --------------------------------------------------------------------------------------------
# Checking what is typed: every function returns a reason, or None when the text is fine

_INT_TEXT = re.compile(r"[+-]?\d+")
_FLOAT_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _number_bounds(spec: OptionSpec, value: float) -> None:
    low, high = spec.minimum, spec.maximum
    if (low is None or value >= low) and (high is None or value <= high):
        return
    # A small range is worth showing whole; a huge upper bound only matters once crossed.
    if low is not None and high is not None and high <= MAX_SCALE:
        raise ValueError(f"must be between {_plain_number(low)} and {_plain_number(high)}")
    if low is not None and value < low:
        raise ValueError(f"must be ≥ {_plain_number(low)}")
    raise ValueError(f"must be ≤ {_plain_number(high if high is not None else value)}")


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def parse_option_text(spec: OptionSpec, text: str) -> object:
    """The value typed for ``spec``: ``None`` when blank (unset).

    Raises ``ValueError`` whose message is the reason to show beside the field.
    """
    if spec.kind == "strings":
        stops = parse_stop_text(text)
        return stops or None
    stripped = text.strip()
    if not stripped:
        return None
    if spec.kind == "int":
        if not _INT_TEXT.fullmatch(stripped):
            if _FLOAT_TEXT.fullmatch(stripped):
                raise ValueError("must be a whole number")
            raise ValueError("must be a whole number, e.g. 42")
        number = int(stripped)
        if not INT64_MIN <= number <= INT64_MAX:
            raise ValueError("is too large for Ollama (64-bit integer)")
        _number_bounds(spec, number)
        return number
    if not _FLOAT_TEXT.fullmatch(stripped):
        raise ValueError("must be a number, e.g. 0.7")
    value = float(stripped)
    if not math.isfinite(value) or abs(value) > FLOAT32_MAX:
        raise ValueError("is too large for Ollama")
    _number_bounds(spec, value)
    return value


def option_value_problem(spec: OptionSpec, value: object) -> str | None:
    """Why a stored value (a preset's, the store's) is not valid for ``spec``, or None.

    The value is checked as the form would read it, so it gets the form's reason.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | list | tuple):
        return "must be a number" if spec.kind != "strings" else "must be text"
    return option_problem(spec, option_text(spec, value))


def option_problem(spec: OptionSpec, text: str) -> str | None:
    """Why ``text`` is not a valid value for ``spec``, or None if it is (blank is valid)."""
    try:
        parse_option_text(spec, text)
    except ValueError as exc:
        return str(exc)
    return None


_STOP_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
_STOP_ESCAPE = re.compile(r"\\(.?)")


def parse_stop_text(text: str) -> list[str]:
    """Stop strings written one per line; ``\\n``, ``\\t``, ``\\r`` and ``\\\\`` are escapes.

    Empty lines are skipped. Raises ``ValueError`` for an unknown escape.
    """

    def unescape(match: re.Match[str]) -> str:
        letter = match.group(1)
        if letter not in _STOP_ESCAPES:
            shown = f"\\{letter}" if letter else "a lone \\"
            raise ValueError(f"unknown escape {shown}: use \\n, \\t, \\r or \\\\")
        return _STOP_ESCAPES[letter]

    return [_STOP_ESCAPE.sub(unescape, line) for line in text.split("\n") if line]


def stop_text(stops: Iterable[str]) -> str:
    """The form text for a list of stop strings (the inverse of :func:`parse_stop_text`)."""
    escaped = (
        stop.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        for stop in stops
    )
    return "\n".join(escaped)


_DURATION_UNITS_NS: dict[str, float] = {
    "ns": 1.0,
    "us": 1e3,
    "µs": 1e3,  # U+00B5 micro sign
    "μs": 1e3,  # U+03BC greek mu
    "ms": 1e6,
    "s": 1e9,
    "m": 60e9,
    "h": 3600e9,
}
_DURATION_PART = re.compile(r"(\d+\.?\d*|\.\d+)([^\d.]*)")
_MAX_SECONDS: Final = INT64_MAX // 1_000_000_000


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration (``time.ParseDuration``): ``5m``, ``1h30m``, ``-1.5h``, ``0``.

    Raises ``ValueError`` with the reason when Ollama would reject it.
    """
    rest = text
    sign = 1.0
    if rest[:1] in ("+", "-"):
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        raise ValueError("not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1")
    total_ns = 0.0
    position = 0
    while position < len(rest):
        match = _DURATION_PART.match(rest, position)
        if match is None:
            raise ValueError("not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1")
        unit = match.group(2)
        if not unit:
            raise ValueError("missing unit: use ns, us, ms, s, m or h, e.g. 90s")
        if unit not in _DURATION_UNITS_NS:
            raise ValueError(f"unknown unit {unit!r}: use ns, us, ms, s, m or h")
        total_ns += float(match.group(1)) * _DURATION_UNITS_NS[unit]
        position = match.end()
    if total_ns > INT64_MAX:
        raise ValueError("is too long (at most about 292 years; -1 keeps the model loaded)")
    return sign * total_ns / 1e9


def keep_alive_problem(text: str) -> str | None:
    """Why ``text`` is not a keep_alive Ollama accepts, or None (blank means unset)."""
    stripped = text.strip()
    if not stripped:
        return None
    if _INT_TEXT.fullmatch(stripped):
        # keep_alive_value sends a bare integer as a number of seconds.
        if int(stripped) > _MAX_SECONDS:
            return "is too long (at most about 292 years; -1 keeps the model loaded)"
        return None
    if _FLOAT_TEXT.fullmatch(stripped):
        return f"a bare number is whole seconds; add a unit for fractions, e.g. {stripped}s"
    try:
        parse_go_duration(stripped)
    except ValueError as exc:
        return str(exc)
    return None


def schema_problem(text: str) -> str | None:
    """Why ``text`` is not a JSON schema object that ``format`` accepts, or None."""
    if not text.strip():
        return 'write a JSON schema object, e.g. {"type": "object"}'
    try:
        schema: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if not isinstance(schema, dict):
        return "a schema must be a JSON object {…}"
    return None


def format_problem(text: str) -> str | None:
    """Why ``text`` is not a stored format (blank, ``off``, ``json`` or a schema), or None."""
    if text.strip() in ("", "json", FORMAT_OFF):
        return None
    return schema_problem(text)


def think_problem(text: str) -> str | None:
    """Why ``text`` is not a think setting, or None (blank means the model's default)."""
    if not text or text in THINK_LEVELS:
        return None
    return f"must be one of {', '.join(THINK_LEVELS)}"


def _option_validator(spec: OptionSpec) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        return option_problem(spec, text)

    return check


FIELD_VALIDATORS: dict[str, Callable[[str], str | None]] = {
    **{spec.name: _option_validator(spec) for spec in OPTION_SPECS},
    "keep_alive": keep_alive_problem,
    "think": think_problem,
    "format": format_problem,
}
"""For each form field: the text typed → the reason it is invalid, or None."""


# --------------------------------------------------------------------------------------------
# Form text ⇄ settings


def option_text(spec: OptionSpec, value: object) -> str:
    """How a stored option value is written in the form."""
    if value is None:
        return ""
    if spec.kind == "strings":
        if isinstance(value, str):
            return stop_text([value])
        if isinstance(value, list | tuple):
            return stop_text(str(item) for item in value)
        return str(value)
    return display_value(value)


def display_value(value: object) -> str:
    """A short plain-text rendering of a setting's value (numbers, stop lists, text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _plain_number(value) if abs(value) < 1e16 else repr(value)
    if isinstance(value, list | tuple):
        return " ".join(json.dumps(str(item), ensure_ascii=False) for item in value)
    return str(value)


def settings_texts(settings: RequestDefaults) -> dict[str, str]:
    """The form's text for every field, from one level's settings."""
    texts = {spec.name: option_text(spec, settings.options.get(spec.name)) for spec in OPTION_SPECS}
    texts["keep_alive"] = settings.keep_alive or ""
    texts["think"] = settings.think or ""
    texts["format"] = settings.format or ""
    return texts


def settings_from_texts(texts: Mapping[str, str]) -> tuple[RequestDefaults, dict[str, str]]:
    """Settings from the form's texts, and the reason for every invalid field.

    Invalid fields are left out of the settings, so the result is what the valid part of the
    form means; a form with any problem must not be saved.
    """
    problems: dict[str, str] = {}
    options: dict[str, Any] = {}
    for spec in OPTION_SPECS:
        try:
            value = parse_option_text(spec, texts.get(spec.name, ""))
        except ValueError as exc:
            problems[spec.name] = str(exc)
            continue
        if value is not None:
            options[spec.name] = value
    request: dict[str, str | None] = {}
    for name in REQUEST_FIELDS:
        text = texts.get(name, "").strip()
        problem = FIELD_VALIDATORS[name](text)
        if problem is not None:
            problems[name] = problem
            request[name] = None
        else:
            request[name] = text or None
    settings = RequestDefaults(
        options=options,
        keep_alive=request["keep_alive"],
        think=request["think"],
        format=request["format"],
    )
    return settings, problems


# --------------------------------------------------------------------------------------------
# Values that may be saved but deserve a word


def option_warning(name: str, value: object, context_length: int | None) -> str | None:
    """A caution about a valid value, or None: ``num_ctx`` beyond the context length the
    model was trained for (``/api/show`` ``model_info``) may be saved, but says so."""
    if (
        name == "num_ctx"
        and context_length
        and isinstance(value, int)
        and not isinstance(value, bool)
        and value > context_length
    ):
        return f"more than the model's context length of {context_length:,} tokens"
    return None


# --------------------------------------------------------------------------------------------
# Parameters as Modelfile lines (the create-model dialog)


def parameter_lines(options: Mapping[str, Any]) -> str:
    """Options as ``key value`` lines, one ``stop`` per line, strings quoted."""
    lines: list[str] = []
    for key, value in options.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            text = json.dumps(item, ensure_ascii=False) if isinstance(item, str) else str(item)
            if isinstance(item, bool):
                text = "true" if item else "false"
            lines.append(f"{key} {text}")
    return "\n".join(lines)


def _parameter_value(spec: OptionSpec, raw: str) -> object:
    """The value of one parameter line; raises ``ValueError`` with the form's reason."""
    if spec.kind != "strings":
        return parse_option_text(spec, raw)
    if not raw.startswith('"'):
        return raw
    try:
        decoded = json.loads(raw)
    except ValueError:
        raise ValueError("is quoted text that is not closed properly") from None
    if not isinstance(decoded, str):
        raise ValueError("must be text")
    return decoded


def parse_parameter_lines(text: str) -> tuple[dict[str, Any], list[str]]:
    """Read ``key value`` lines (``PARAMETER`` prefixes and ``#`` comments allowed).

    Returns the parameters and a list of problems, one per bad line, each checked by the
    same validator as the options form; ``stop`` may repeat and collects into a list, as in
    a Modelfile.
    """
    parameters: dict[str, Any] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.upper().startswith("PARAMETER "):
            stripped = stripped[len("PARAMETER ") :].strip()
        key, _, raw = stripped.partition(" ")
        key, raw = key.strip().lower(), raw.strip()
        spec = SPECS_BY_NAME.get(key)
        if spec is None:
            problems.append(f"line {number}: unknown parameter {key!r}")
            continue
        try:
            value = _parameter_value(spec, raw) if raw else None
        except ValueError as exc:
            problems.append(f"line {number}: {key} {exc}")
            continue
        if value is None:
            problems.append(f"line {number}: {key} needs a value")
        elif spec.kind == "strings":
            parameters.setdefault(key, []).append(value)
        else:
            parameters[key] = value
    return parameters, problems
