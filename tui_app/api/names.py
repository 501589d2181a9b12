"""Model names: the grammar Ollama accepts, checked before anything is sent.

Form: ``[host/][namespace/]model[:tag]`` (ollama-api.md §9). The tag is what
follows the last ``:`` when it comes after the last ``/``, so in
``localhost:5000/ns/m`` the ``:5000`` belongs to the host.
"""

from __future__ import annotations

import re

_PART_RULES = {
    "host": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:\-]*$"), 350),
    "namespace": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$"), 80),
    "model": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"), 80),
    "tag": (re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$"), 80),
}


def model_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid model name, or None if it is."""
    text = name.strip()
    if not text:
        return "a model name is required"
    if any(ch.isspace() for ch in text):
        return "a model name cannot contain spaces"
    scheme_free = re.sub(r"^https?://", "", text)
    path, tag = scheme_free, None
    last_colon, last_slash = scheme_free.rfind(":"), scheme_free.rfind("/")
    if last_colon > last_slash:
        path, tag = scheme_free[:last_colon], scheme_free[last_colon + 1 :]
    parts = path.split("/")
    if len(parts) > 3:
        return "too many '/': use host/namespace/model:tag"
    labelled = dict(zip(("host", "namespace", "model")[3 - len(parts) :], parts, strict=True))
    if tag is not None:
        labelled["tag"] = tag
    for label, value in labelled.items():
        pattern, limit = _PART_RULES[label]
        if not value:
            return f"the {label} part is empty"
        if len(value) > limit:
            return f"the {label} part is longer than {limit} characters"
        if not pattern.match(value):
            return f"the {label} {value!r} has characters Ollama does not allow"
    return None


def normalise_model_name(name: str) -> str:
    """The short display form with a tag: ``llama3.2`` → ``llama3.2:latest``.

    Matches how tags and ps list models, so names typed by a user can be
    compared with names the server reports.
    """
    text = name.strip()
    for prefix in ("registry.ollama.ai/library/", "library/"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    if text.rfind(":") <= text.rfind("/"):
        text += ":latest"
    return text


def same_model(a: str, b: str) -> bool:
    """Whether two names refer to the same model (case-insensitive, ``:latest`` implied)."""
    return normalise_model_name(a).lower() == normalise_model_name(b).lower()


def push_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be pushed, or None: it must be a valid name in a namespace of the
    user's own (``yourname/model``); Ollama's own ``library`` namespace is refused."""
    problem = model_name_problem(name)
    if problem is not None:
        return problem
    path = normalise_model_name(name).rsplit(":", 1)[0]
    parts = path.split("/")
    if len(parts) < 2 or parts[-2].lower() == "library":
        model = parts[-1]
        return (
            f"a push goes to your own namespace: copy it to a name such as yourname/{model} "
            "first (ctrl+y), then push that"
        )
    return None
