"""One chat's request settings: which level each value comes from, and what is sent."""

from __future__ import annotations

import pytest

from tui_app.core.chat_session import THINK_CYCLE
from tui_app.core.options import (
    SPECS_BY_NAME,
    InForce,
    RequestDefaults,
    format_problem,
    option_value_problem,
    option_warning,
    preset_settings,
    resolve_settings,
    settings_from_texts,
    think_problem,
)
from tui_app.core.options.specs import THINK_LEVELS
from tui_app.store import THINK_CHOICES, Preset, Store

GLOBAL = RequestDefaults(think="high", format="json", options={"temperature": 0.5})


def test_global_think_and_format_are_in_force_and_sent_to_a_chat_that_sets_none() -> None:
    settings = resolve_settings(GLOBAL, RequestDefaults(), thinks=True)
    assert settings.request.to_json() == {
        "options": {"temperature": 0.5},
        "think": "high",
        "format": "json",
    }
    assert settings.in_force["think"] == InForce("high", "global")
    assert settings.in_force["format"] == InForce("json", "global")
    assert settings.label("think") == "high (global)"
    assert settings.label("format") == "json (global)"


def test_a_chat_turns_an_inherited_format_and_think_off() -> None:
    chat = RequestDefaults(think="off", format="off")
    settings = resolve_settings(GLOBAL, chat, thinks=True)
    assert settings.request.to_json() == {"options": {"temperature": 0.5}, "think": False}
    assert settings.in_force["format"] == InForce("off", "chat")
    assert settings.label("think") == "off"
    assert settings.label("format") == "off"


def test_a_chat_s_own_values_win_and_are_not_marked_inherited() -> None:
    chat = RequestDefaults(think="low", format='{"type": "object"}', options={"seed": 3})
    settings = resolve_settings(GLOBAL, chat, thinks=True)
    assert settings.request.to_json() == {
        "options": {"temperature": 0.5, "seed": 3},
        "think": "low",
        "format": {"type": "object"},
    }
    assert settings.label("think") == "low"
    assert settings.label("format") == "schema"


def test_nothing_set_reads_as_the_defaults() -> None:
    settings = resolve_settings(RequestDefaults(), None, thinks=True)
    assert settings.request.to_json() == {}
    assert settings.label("think") == "default"
    assert settings.label("format") == "off"
    assert settings.in_force["num_ctx"] == InForce(4096, "ollama")


def test_think_is_not_sent_to_a_model_that_cannot_think_and_the_label_says_so() -> None:
    settings = resolve_settings(GLOBAL, None, thinks=False)
    assert "think" not in settings.request.to_json()
    assert settings.think_dropped
    assert settings.label("think") == "high (global, not sent)"
    # Without word of the model, the levels alone decide.
    assert resolve_settings(GLOBAL, None).request.think == "high"


def test_the_model_s_own_parameters_come_after_both_levels() -> None:
    settings = resolve_settings(
        RequestDefaults(), RequestDefaults(), model_parameters={"num_ctx": 8192}
    )
    assert settings.in_force["num_ctx"] == InForce(8192, "model")
    assert "options" not in settings.request.to_json()


def test_a_stored_format_that_is_not_a_schema_is_named_not_sent() -> None:
    settings = resolve_settings(RequestDefaults(format="[1]"), None)
    assert settings.request.format is None
    assert settings.problem is not None
    with pytest.raises(ValueError, match="format"):
        settings.sendable()


def test_format_off_is_stored_apart_from_unset(store: Store) -> None:
    chat = store.create_chat(format="off")
    assert chat.format == "off"
    assert store.update_chat(chat.id, format=None).format is None
    with pytest.raises(ValueError):
        store.update_chat(chat.id, format="xml")
    assert format_problem("off") is None
    texts = {"format": "off", "think": "off"}
    assert settings_from_texts(texts) == (RequestDefaults(think="off", format="off"), {})


def test_think_levels_are_one_list_for_store_form_and_toggle() -> None:
    assert THINK_LEVELS is THINK_CHOICES
    assert (None, *THINK_LEVELS) == THINK_CYCLE
    assert "max" in THINK_CYCLE
    assert all(think_problem(level) is None for level in THINK_LEVELS)


def test_num_ctx_beyond_the_model_s_context_warns() -> None:
    assert option_warning("num_ctx", 200_000, 131_072) == (
        "more than the model's context length of 131,072 tokens"
    )
    assert option_warning("num_ctx", 131_072, 131_072) is None
    assert option_warning("num_ctx", 200_000, None) is None
    assert option_warning("num_predict", 200_000, 131_072) is None


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("temperature", 0.7, None),
        ("temperature", 1e9, "must be between 0 and 100"),
        ("num_ctx", 99999999999, "must be ≤ 16777216"),
        ("num_ctx", 4.5, "must be a whole number"),
        ("num_ctx", True, "must be a number"),
        ("temperature", "hot", "must be a number, e.g. 0.7"),
        ("stop", ["</s>"], None),
    ],
)
def test_stored_values_are_checked_by_the_form_s_validator(
    name: str, value: object, problem: str | None
) -> None:
    assert option_value_problem(SPECS_BY_NAME[name], value) == problem


def test_a_preset_never_brings_an_invalid_value_into_the_form() -> None:
    preset = Preset(
        "wild",
        {"temperature": 1e9, "num_ctx": 8192, "top_p": 2},
        {"think": "very", "format": "xml", "keep_alive": "10m"},
    )
    assert preset_settings(preset) == RequestDefaults(options={"num_ctx": 8192}, keep_alive="10m")
