"""Named presets: the ones shipped, and a preset's settings as the form reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from tui_app.core.options.form import (
    format_problem,
    keep_alive_problem,
    option_value_problem,
    think_problem,
)
from tui_app.core.options.settings import RequestDefaults, optional_str
from tui_app.core.options.specs import SPECS_BY_NAME
from tui_app.store import Preset, Store

PRESETS_SEEDED_SETTING: Final = "presets_seeded"
"""Set once the shipped presets were added, so a preset the user deleted stays deleted."""

SHIPPED_PRESETS: tuple[Preset, ...] = (
    Preset("balanced", options={"temperature": 0.7, "top_p": 0.9, "repeat_penalty": 1.1}),
    Preset("creative", options={"temperature": 1.1, "top_p": 0.95}),
    Preset("precise", options={"temperature": 0.0, "seed": 42}),
)
"""Presets every installation starts with; users may change, rename or delete them."""


def preset_settings(preset: Preset) -> RequestDefaults:
    """The settings a preset holds; unknown options and values the form would refuse are
    left out, so applying a preset never puts an invalid value in the form unseen."""
    request = preset.request
    return RequestDefaults(
        options={
            name: value
            for name, value in preset.options.items()
            if name in SPECS_BY_NAME and option_value_problem(SPECS_BY_NAME[name], value) is None
        },
        keep_alive=_valid(request.get("keep_alive"), keep_alive_problem),
        think=_valid(request.get("think"), think_problem),
        format=_valid(request.get("format"), format_problem),
    )


def _valid(value: object, problem: Callable[[str], str | None]) -> str | None:
    text = optional_str(value)
    return text if text is not None and problem(text) is None else None


def ensure_shipped_presets(store: Store) -> bool:
    """Add the shipped presets the first time; return whether they were added now.

    Runs once per store: a shipped preset the user later deleted or renamed is not brought
    back, and a preset of the user's with the same name is never replaced.
    """
    if store.get_setting(PRESETS_SEEDED_SETTING):
        return False
    existing = {preset.name for preset in store.list_presets()}
    for preset in SHIPPED_PRESETS:
        if preset.name not in existing:
            store.save_preset(preset)
    store.set_setting(PRESETS_SEEDED_SETTING, True)
    return True
