"""What deleting a model really frees: Ollama keeps a file while any model still uses it.

A model is a manifest naming blobs (weights, template, parameters, license…). A copy has the
same manifest, so it shares every blob; a model created from another shares its weights.
``/api/tags`` gives each manifest's digest and ``/api/show`` the weights blob (the ``FROM``
line of its Modelfile); nothing tells the size of the other blobs, so when the weights are
shared the space freed is only said to be small.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tui_app.core.formatting import human_size

_FROM_BLOB = re.compile(r"^FROM\s+\S*?(sha256[-:][0-9a-f]{64})\s*$", re.MULTILINE)


def weights_blob(modelfile: str) -> str | None:
    """The digest of the weights blob named by the ``FROM`` line of ``/api/show``'s Modelfile.

    ``sha256:…`` whichever way the path spells it; None when the line names no blob.
    """
    match = _FROM_BLOB.search(modelfile)
    return match.group(1).replace("-", ":", 1) if match else None


@dataclass(frozen=True, slots=True)
class DeleteEstimate:
    """What deleting one model frees, as far as the server lets us know."""

    size: int
    """The model's size as listed (every blob it uses)."""
    same_manifest: tuple[str, ...] = ()
    """Other models with the same manifest: copies sharing every file."""
    same_weights: tuple[str, ...] = ()
    """Other models whose weights are the same blob."""
    checked: bool = True
    """False when the weights of some look-alike could not be read: sharing is unknown."""

    def describe(self) -> str:
        """One or two sentences for the confirmation: what is freed and what stays."""
        if self.same_manifest:
            return (
                f"It shares every file with {_names(self.same_manifest)}: deleting it removes "
                "only the name and frees no disk space."
            )
        if self.same_weights:
            return (
                f"Its weights are shared with {_names(self.same_weights)} and stay on disk: "
                f"deleting it frees only its own small files, far less than "
                f"{human_size(self.size)}."
            )
        if not self.checked:
            return (
                f"Up to {human_size(self.size)} is freed; whether another model shares its "
                "files could not be checked. Pulling it again downloads it again."
            )
        return (
            f"About {human_size(self.size)} of disk is freed; pulling it again downloads it again."
        )


def _names(names: Sequence[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return f"{names[0]}, {names[1]} and {len(names) - 2} more"
