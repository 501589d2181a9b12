"""The workbench's rules: form values → a request (or the reasons it cannot be sent), and
the figures shown for a reply.

Pure logic, no UI. The screen reads its fields into a :class:`GenerateForm` or
:class:`EmbedForm`; :func:`build_generate` and :func:`build_embed` check every field with the
same validators as the options form and return either the exact request to send or, per
field, why it cannot be sent. Nothing with a problem is ever sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from tui_app.api.models import EmbedResult, Metrics
from tui_app.api.requests import EmbedRequest, GenerateRequest
from tui_app.core.chat_session import ImageError, load_image
from tui_app.core.formatting import human_duration, one_line, visible_controls
from tui_app.core.options import (
    OPTION_SPECS,
    format_problem,
    format_value,
    keep_alive_problem,
    keep_alive_value,
    option_text,
    parse_option_text,
    think_problem,
    think_value,
)
from tui_app.core.requests import cosine_matrix

Mode = Literal["generate", "embed"]
MODES: Final[tuple[Mode, ...]] = ("generate", "embed")
"""The workbench's modes, in the order the mode switch shows them."""

TRUNCATE_CHOICES: Final[tuple[str, ...]] = ("true", "false")
"""``truncate`` as chosen in the form; blank leaves the server's default (true)."""

PREVIEW_VALUES: Final = 6
"""How many leading values of each embedding are shown."""


@dataclass(frozen=True, slots=True)
class ImageFiles:
    """The generate form's image files, read: their data in order, or why one will not do."""

    data: tuple[str, ...] = ()
    """Standard base64 of each file, as ``images`` takes it."""
    problem: str | None = None


def read_images(paths: str) -> ImageFiles:
    """Read the image files named in ``paths`` (one per line, blank lines skipped)."""
    data: list[str] = []
    for line in paths.splitlines():
        if not line.strip():
            continue
        try:
            data.append(load_image(line).data)
        except ImageError as error:
            return ImageFiles(problem=str(error))
    return ImageFiles(tuple(data))


@dataclass(frozen=True, slots=True)
class GenerateForm:
    """The generate form's values as typed (text fields unparsed)."""

    model: str = ""
    prompt: str = ""
    suffix: str = ""
    system: str = ""
    template: str = ""
    raw: bool = False
    format: str = ""
    """Blank, ``off``, ``json`` or the text of a JSON schema."""
    think: str = ""
    keep_alive: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    """Option name → its text in the options fields; blank fields are unset."""
    images: ImageFiles = ImageFiles()
    """The image files named in the images field, read (see :func:`read_images`)."""


@dataclass(frozen=True, slots=True)
class EmbedForm:
    """The embed form's values as typed."""

    model: str = ""
    inputs: str = ""
    """One input per line; blank lines are skipped."""
    truncate: str = ""
    """Blank (the server's default), ``true`` or ``false``."""
    dimensions: str = ""
    keep_alive: str = ""


@dataclass(frozen=True, slots=True)
class Built:
    """What a form amounts to: the request to send, or why it cannot be sent."""

    request: GenerateRequest | EmbedRequest | None
    """None when any field has a problem."""
    problems: dict[str, str] = field(default_factory=dict)
    """Field name → why its value cannot be sent."""

    @property
    def ok(self) -> bool:
        """True when the request may be sent."""
        return self.request is not None and not self.problems

    def summary(self) -> str:
        """All the problems on one line, each naming its field (empty when there are none)."""
        return "; ".join(f"{name}: {problem}" for name, problem in self.problems.items())


def _options(texts: Mapping[str, str], problems: dict[str, str]) -> dict[str, Any]:
    """The options typed, parsed and checked like the options screen does."""
    options: dict[str, Any] = {}
    for spec in OPTION_SPECS:
        try:
            value = parse_option_text(spec, texts.get(spec.name, ""))
        except ValueError as exc:
            problems[spec.name] = str(exc)
            continue
        if value is not None:
            options[spec.name] = value
    return options


def _keep_alive(text: str, problems: dict[str, str]) -> str | int | None:
    problem = keep_alive_problem(text)
    if problem is not None:
        problems["keep_alive"] = problem
        return None
    return keep_alive_value(text)


def insert_problem(model: str, capabilities: Sequence[str] | None) -> str | None:
    """Why ``model`` cannot take a suffix, or None (also when its capabilities are unknown:
    the server then says so itself)."""
    if capabilities is None or "insert" in capabilities:
        return None
    return (
        f"{model} cannot fill in between a prompt and a suffix (it lacks the insert "
        "capability); clear the suffix or choose a code model such as qwen2.5-coder"
    )


def build_generate(
    form: GenerateForm,
    *,
    context: Sequence[int] = (),
    capabilities: Sequence[str] | None = None,
) -> Built:
    """The ``/api/generate`` request for ``form``, continuing from ``context``.

    ``capabilities`` are the model's, from ``/api/show``, when known: a suffix is refused
    for a model without ``insert``.
    """
    problems: dict[str, str] = {}
    model = form.model.strip()
    if not model:
        problems["model"] = "choose a model"
    if not form.prompt.strip():
        problems["prompt"] = "type a prompt"
    if form.suffix and model:
        problem = insert_problem(model, capabilities)
        if problem is not None:
            problems["suffix"] = problem
    if form.images.problem is not None:
        problems["images"] = form.images.problem
    elif form.images.data and model and capabilities is not None and "vision" not in capabilities:
        # Unknown capabilities (an older server) let the user try.
        problems["images"] = (
            f"{model} cannot read images (its capabilities list no vision); choose a "
            "vision model such as llava or clear the images"
        )
    if form.raw:
        # Ollama refuses these together; say so before sending rather than after.
        if form.system.strip() or form.template.strip():
            problems["raw"] = "raw sends the prompt as it is: clear system and template"
        elif context:
            problems["raw"] = "raw cannot continue a context: drop the carried context first"
    fmt: str | dict[str, Any] | None = None
    problem = format_problem(form.format)
    if problem is not None:
        problems["format"] = problem
    else:
        fmt = format_value(form.format.strip() or None)
    think: bool | str | None = None
    problem = think_problem(form.think)
    if problem is not None:
        problems["think"] = problem
    else:
        think = think_value(form.think or None)
    keep_alive = _keep_alive(form.keep_alive, problems)
    options = _options(form.options, problems)
    if problems:
        return Built(None, problems)
    request = GenerateRequest(
        model,
        form.prompt,
        suffix=form.suffix or None,
        images=form.images.data,
        system=form.system or None,
        template=form.template or None,
        raw=form.raw,
        format=fmt,
        options=options,
        keep_alive=keep_alive,
        think=think,
        context=tuple(context),
    )
    return Built(request)


def embed_inputs(text: str) -> tuple[str, ...]:
    """The inputs of the embed form: one per line, blank lines skipped."""
    return tuple(line for line in text.splitlines() if line.strip())


def build_embed(form: EmbedForm, *, capabilities: Sequence[str] | None = None) -> Built:
    """The ``/api/embed`` request for ``form``; one input is sent as a string, several as
    a list. A model whose capabilities are known and lack ``embedding`` is refused."""
    problems: dict[str, str] = {}
    model = form.model.strip()
    if not model:
        problems["model"] = "choose an embedding model"
    elif capabilities is not None and "embedding" not in capabilities:
        problems["model"] = f"{model} is not an embedding model"
    inputs = embed_inputs(form.inputs)
    if not inputs:
        problems["inputs"] = "type at least one input, one per line"
    truncate: bool | None = None
    if form.truncate:
        if form.truncate not in TRUNCATE_CHOICES:
            problems["truncate"] = "must be true or false"
        else:
            truncate = form.truncate == "true"
    dimensions: int | None = None
    text = form.dimensions.strip()
    if text:
        try:
            dimensions = int(text)
        except ValueError:
            problems["dimensions"] = "must be a whole number"
        else:
            if dimensions < 1:
                problems["dimensions"] = "must be at least 1"
    keep_alive = _keep_alive(form.keep_alive, problems)
    if problems:
        return Built(None, problems)
    request = EmbedRequest(
        model,
        inputs[0] if len(inputs) == 1 else inputs,
        truncate=truncate,
        dimensions=dimensions,
        keep_alive=keep_alive,
    )
    return Built(request)


# --------------------------------------------------------------------------------------------
# What a reply is shown with


def raw_line(line: str) -> str:
    """One NDJSON line as received, fit to show: every control character made visible (the
    line is the server's, untrusted) and on one line."""
    return visible_controls(line.rstrip("\r\n"), multi_line=False)


def _rate(count: int, duration_ns: int) -> str | None:
    if count <= 0 or duration_ns <= 0:
        return None
    return f"{count / duration_ns * 1e9:.1f} tokens/s"


def generate_stats(metrics: Metrics, done_reason: str) -> str:
    """The final chunk's figures on one line: tokens and rate, prompt tokens and rate, load
    time, total time and why the reply ended."""
    parts: list[str] = []
    if metrics.eval_count:
        rate = _rate(metrics.eval_count, metrics.eval_duration)
        parts.append(f"{metrics.eval_count} tokens" + (f" at {rate}" if rate else ""))
    if metrics.prompt_eval_count:
        rate = _rate(metrics.prompt_eval_count, metrics.prompt_eval_duration)
        parts.append(f"prompt {metrics.prompt_eval_count} tokens" + (f" at {rate}" if rate else ""))
    if metrics.load_duration:
        parts.append(f"load {human_duration(metrics.load_duration / 1e9)}")
    if metrics.total_duration:
        parts.append(f"total {human_duration(metrics.total_duration / 1e9)}")
    if done_reason:
        reason = "length (cut off by num_predict / context)" if done_reason == "length" else ""
        parts.append(f"done: {reason or done_reason}")
    return " · ".join(parts)


def _number(value: float) -> str:
    return f"{value:+.4f}"


def embed_summary(result: EmbedResult, inputs: Sequence[str]) -> list[str]:
    """Lines describing an embed reply: timings, then each vector's length and first values."""
    metrics = result.metrics
    figures = [f"{len(result.embeddings)} vectors"]
    if metrics.prompt_eval_count:
        figures.append(f"{metrics.prompt_eval_count} prompt tokens")
    if metrics.load_duration:
        figures.append(f"load {human_duration(metrics.load_duration / 1e9)}")
    if metrics.total_duration:
        figures.append(f"total {human_duration(metrics.total_duration / 1e9)}")
    lines = [" · ".join(figures)]
    for index, vector in enumerate(result.embeddings):
        label = inputs[index] if index < len(inputs) else f"#{index + 1}"
        head = ", ".join(_number(x) for x in vector[:PREVIEW_VALUES])
        more = ", …" if len(vector) > PREVIEW_VALUES else ""
        lines.append(f"{index + 1}. {visible_controls(label, multi_line=False)}")
        lines.append(f"   length {len(vector)}: [{head}{more}]")
    return lines


def similarity_lines(vectors: Sequence[Sequence[float]]) -> list[str]:
    """The cosine similarity matrix as aligned text rows, inputs numbered from 1."""
    matrix = cosine_matrix(vectors)
    size = len(matrix)
    width = 7
    header = " " * 4 + "".join(f"{index + 1:>{width}}" for index in range(size))
    rows = [header]
    for i, row in enumerate(matrix):
        rows.append(f"{i + 1:>3} " + "".join(f"{value:>{width}.3f}" for value in row))
    return rows


def _fence(text: str, info: str = "") -> str:
    """``text`` in a Markdown code fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip(chr(10))}\n{fence}"


def exchange_text(
    url: str, body: Mapping[str, Any], raw_lines: Sequence[str], result: str, stats: str
) -> str:
    """A request and its response as one Markdown document to save: the URL, the body as
    sent, the result as read with its figures, and every raw line as received."""
    parts = [
        "# Ollama request",
        "",
        f"`POST {url}`",
        "",
        "## Request body",
        "",
        _fence(json.dumps(body, ensure_ascii=False, indent=2), "json"),
        "",
        "## Response",
        "",
        _fence(result, "text"),
        "",
    ]
    if stats:
        parts += [stats, ""]
    parts += ["## Raw response lines", ""]
    parts.append(_fence("\n".join(line.rstrip("\r\n") for line in raw_lines), "json"))
    return "\n".join(parts).rstrip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# A past request back into the form


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _format_text(value: object) -> str:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, indent=2)
    return _text(value)


def _think_text(value: object) -> str:
    if value is True:
        return "on"
    if value is False:
        return "off"
    return _text(value)


def _keep_alive_text(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return str(value)


def generate_form_from_body(body: Mapping[str, Any]) -> tuple[GenerateForm, tuple[int, ...]]:
    """The form (and the carried context) that sends ``body`` again, for editing a past
    generate request."""
    raw_options = body.get("options")
    options = raw_options if isinstance(raw_options, dict) else {}
    texts = {spec.name: option_text(spec, options.get(spec.name)) for spec in OPTION_SPECS}
    context = body.get("context")
    form = GenerateForm(
        model=_text(body.get("model")),
        prompt=_text(body.get("prompt")),
        suffix=_text(body.get("suffix")),
        system=_text(body.get("system")),
        template=_text(body.get("template")),
        raw=body.get("raw") is True,
        format=_format_text(body.get("format")),
        think=_think_text(body.get("think")),
        keep_alive=_keep_alive_text(body.get("keep_alive")),
        options={name: text for name, text in texts.items() if text},
    )
    tokens = tuple(
        item for item in (context if isinstance(context, list) else []) if isinstance(item, int)
    )
    return form, tokens


def embed_form_from_body(body: Mapping[str, Any]) -> EmbedForm:
    """The form that sends ``body`` again, for editing a past embed request."""
    value = body.get("input")
    if isinstance(value, list):
        inputs = "\n".join(item for item in value if isinstance(item, str))
    else:
        inputs = _text(value)
    truncate = body.get("truncate")
    dimensions = body.get("dimensions")
    return EmbedForm(
        model=_text(body.get("model")),
        inputs=inputs,
        truncate="" if not isinstance(truncate, bool) else ("true" if truncate else "false"),
        dimensions=str(dimensions) if isinstance(dimensions, int) else "",
        keep_alive=_keep_alive_text(body.get("keep_alive")),
    )


def history_label(mode: str, body: Mapping[str, Any]) -> str:
    """What a past request is remembered by: its prompt or its inputs, on one line."""
    if mode == "embed":
        value = body.get("input")
        inputs = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        texts = [item for item in inputs if isinstance(item, str)]
        count = f"{len(texts)} inputs: " if len(texts) != 1 else ""
        return count + " | ".join(one_line(text) for text in texts)
    return one_line(_text(body.get("prompt")))
