"""Options logic without any UI: validators, /api/show parameters, precedence, presets."""

from __future__ import annotations

import pytest

from tui_app.api.show_parameters import parse_show_parameters
from tui_app.core.options import (
    FIELD_NAMES,
    FIELD_VALIDATORS,
    OPTION_SPECS,
    SHIPPED_PRESETS,
    SPECS_BY_NAME,
    InForce,
    RequestDefaults,
    RequestSettings,
    effective_settings,
    ensure_shipped_presets,
    format_problem,
    keep_alive_problem,
    keep_alive_value,
    option_problem,
    option_text,
    parameter_lines,
    parse_go_duration,
    parse_option_text,
    parse_parameter_lines,
    parse_stop_text,
    preset_settings,
    preview_settings,
    schema_problem,
    settings_from_texts,
    settings_texts,
    stop_text,
    think_problem,
    value_in_force,
)
from tui_app.store import Preset, Store

# -- option validators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("temperature", "0", 0.0),
        ("temperature", " 0.7 ", 0.7),
        ("temperature", "2", 2.0),
        ("temperature", "100", 100.0),
        ("num_ctx", "16777216", 16777216),
        ("temperature", ".5", 0.5),
        ("temperature", "1e-3", 0.001),
        ("num_ctx", "8192", 8192),
        ("num_ctx", "1", 1),
        ("num_predict", "-2", -2),
        ("num_predict", "64", 64),
        ("seed", "-1", -1),
        ("seed", "42", 42),
        ("top_k", "0", 0),
        ("top_p", "1", 1.0),
        ("top_p", "0", 0.0),
        ("min_p", "0.05", 0.05),
        ("typical_p", "0.9", 0.9),
        ("repeat_penalty", "1.1", 1.1),
        ("repeat_last_n", "-1", -1),
        ("presence_penalty", "-0.5", -0.5),
        ("frequency_penalty", "1.5", 1.5),
        ("num_keep", "-1", -1),
        ("temperature", "", None),
        ("seed", "   ", None),
        ("stop", "", None),
        ("stop", "</s>\n\\n\\nUser:", ["</s>", "\n\nUser:"]),
    ],
)
def test_valid_option_values(name: str, text: str, value: object) -> None:
    spec = SPECS_BY_NAME[name]
    assert parse_option_text(spec, text) == value
    assert type(parse_option_text(spec, text)) is type(value)
    assert option_problem(spec, text) is None
    assert FIELD_VALIDATORS[name](text) is None


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("temperature", "-0.1", "must be between 0 and 100"),
        ("temperature", "1e9", "must be between 0 and 100"),
        ("temperature", "100.5", "must be between 0 and 100"),
        ("temperature", "hot", "must be a number, e.g. 0.7"),
        ("temperature", "nan", "must be a number, e.g. 0.7"),
        ("temperature", "inf", "must be a number, e.g. 0.7"),
        ("temperature", "1e39", "is too large for Ollama"),
        ("temperature", "0,7", "must be a number, e.g. 0.7"),
        ("num_ctx", "0", "must be ≥ 1"),
        ("num_ctx", "99999999999", "must be ≤ 16777216"),
        ("num_ctx", "16777217", "must be ≤ 16777216"),
        ("num_predict", "99999999999", "must be ≤ 16777216"),
        ("top_k", "16777217", "must be ≤ 16777216"),
        ("repeat_last_n", "16777217", "must be ≤ 16777216"),
        ("num_keep", "16777217", "must be ≤ 16777216"),
        ("repeat_penalty", "101", "must be between 0 and 100"),
        ("num_ctx", "4096.5", "must be a whole number"),
        ("num_ctx", "8k", "must be a whole number, e.g. 42"),
        ("num_ctx", "8_192", "must be a whole number, e.g. 42"),
        ("num_predict", "-3", "must be ≥ -2"),
        ("seed", "1.5", "must be a whole number"),
        ("seed", "4.5", "must be a whole number"),
        ("top_p", "1.5", "must be between 0 and 1"),
        ("seed", "99999999999999999999", "is too large for Ollama (64-bit integer)"),
        ("top_k", "-1", "must be ≥ 0"),
        ("top_p", "1.01", "must be between 0 and 1"),
        ("top_p", "-0.1", "must be between 0 and 1"),
        ("min_p", "2", "must be between 0 and 1"),
        ("typical_p", "1.5", "must be between 0 and 1"),
        ("repeat_penalty", "-1", "must be between 0 and 100"),
        ("repeat_last_n", "-2", "must be ≥ -1"),
        ("num_keep", "-5", "must be ≥ -1"),
        ("presence_penalty", "x", "must be a number, e.g. 0.7"),
        ("frequency_penalty", "--1", "must be a number, e.g. 0.7"),
        ("stop", "a\\qb", "unknown escape \\q: use \\n, \\t, \\r or \\\\"),
        ("stop", "ends with \\", "unknown escape a lone \\: use \\n, \\t, \\r or \\\\"),
    ],
)
def test_invalid_option_values_give_the_reason(name: str, text: str, reason: str) -> None:
    spec = SPECS_BY_NAME[name]
    assert option_problem(spec, text) == reason
    assert FIELD_VALIDATORS[name](text) == reason
    with pytest.raises(ValueError) as raised:
        parse_option_text(spec, text)
    assert str(raised.value) == reason


def test_every_field_has_a_validator_in_form_order() -> None:
    assert set(FIELD_VALIDATORS) == set(FIELD_NAMES)
    assert FIELD_NAMES[:4] == ("temperature", "num_ctx", "num_predict", "seed")
    assert FIELD_NAMES[-3:] == ("keep_alive", "think", "format")


def test_stop_text_round_trips_escapes() -> None:
    stops = ["</s>", "\n\nUser:", "tab\there", "back\\slash", "cr\r"]
    assert parse_stop_text(stop_text(stops)) == stops
    assert parse_stop_text("a\n\nb\n") == ["a", "b"]
    assert option_text(SPECS_BY_NAME["stop"], ["a", "\n"]) == "a\n\\n"


def test_option_text_writes_numbers_plainly() -> None:
    assert option_text(SPECS_BY_NAME["temperature"], 0.0) == "0"
    assert option_text(SPECS_BY_NAME["temperature"], 0.7) == "0.7"
    assert option_text(SPECS_BY_NAME["num_ctx"], 8192) == "8192"
    assert option_text(SPECS_BY_NAME["seed"], None) == ""


# -- keep_alive ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("10s", 10.0),
        ("1.5h", 5400.0),
        ("0", 0.0),
        ("-1m", -60.0),
        ("+2h", 7200.0),
        ("300ms", 0.3),
        ("1h0m0s", 3600.0),
        (".5s", 0.5),
        ("2µs", 2e-6),
        ("2μs", 2e-6),
        ("2us", 2e-6),
        ("5ns", 5e-9),
    ],
)
def test_go_durations(text: str, seconds: float) -> None:
    assert parse_go_duration(text) == pytest.approx(seconds)
    assert keep_alive_problem(text) is None


@pytest.mark.parametrize("text", ["300", "0", "-1", " 5m ", "", "   ", "+60"])
def test_keep_alive_accepts_seconds_and_blank(text: str) -> None:
    assert keep_alive_problem(text) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("5", None),
        ("1.5", "a bare number is whole seconds; add a unit for fractions, e.g. 1.5s"),
        ("5x", "unknown unit 'x': use ns, us, ms, s, m or h"),
        ("5 m", "unknown unit ' m': use ns, us, ms, s, m or h"),
        ("forever", "not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1"),
        ("soon", "not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1"),
        ("1h30m", None),
        ("m", "not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1"),
        ("-", "not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1"),
        ("1h30", "missing unit: use ns, us, ms, s, m or h, e.g. 90s"),
        ("3000000h", "is too long (at most about 292 years; -1 keeps the model loaded)"),
        ("99999999999", "is too long (at most about 292 years; -1 keeps the model loaded)"),
    ],
)
def test_keep_alive_reasons(text: str, reason: str | None) -> None:
    assert keep_alive_problem(text) == reason


def test_keep_alive_bare_integer_is_sent_as_a_number() -> None:
    assert keep_alive_value("300") == 300
    assert keep_alive_value("-1") == -1
    assert keep_alive_value("5m") == "5m"
    assert keep_alive_value("  ") is None


# -- parameter lines (the create-model dialog) ---------------------------------------------


def test_parameter_lines_round_trip() -> None:
    options = {"temperature": 0.7, "num_ctx": 8192, "stop": ["<|eot|>", 'say "hi"']}
    text = parameter_lines(options)
    assert text == 'temperature 0.7\nnum_ctx 8192\nstop "<|eot|>"\nstop "say \\"hi\\""'
    assert parse_parameter_lines(text) == (options, [])
    pasted = "# from a Modelfile\nPARAMETER top_k 20\nstop </s>\n\nseed -1"
    assert parse_parameter_lines(pasted) == ({"top_k": 20, "stop": ["</s>"], "seed": -1}, [])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("top_p 1.5", "line 1: top_p must be between 0 and 1"),
        ("num_ctx 4.5", "line 1: num_ctx must be a whole number"),
        ("seed", "line 1: seed needs a value"),
        ("temperature 1e9", "line 1: temperature must be between 0 and 100"),
        ("\nnum_ctx 99999999999", "line 2: num_ctx must be ≤ 16777216"),
        ("mirostat 2", "line 1: unknown parameter 'mirostat'"),
        ('stop "open', "line 1: stop is quoted text that is not closed properly"),
    ],
)
def test_parameter_lines_give_the_form_s_reasons(text: str, problem: str) -> None:
    assert parse_parameter_lines(text) == ({}, [problem])
    # The same words as the options form gives for the same value.
    key, _, value = text.strip().partition(" ")
    if key in SPECS_BY_NAME and value and SPECS_BY_NAME[key].kind != "strings":
        assert problem.endswith(f"{key} {option_problem(SPECS_BY_NAME[key], value)}")


# -- format, think ------------------------------------------------------------------------------


def test_schema_and_format_reasons() -> None:
    assert schema_problem('{"type": "object"}') is None
    assert schema_problem("[1, 2]") == "a schema must be a JSON object {…}"
    assert schema_problem('"json"') == "a schema must be a JSON object {…}"
    assert schema_problem('{"type": }') == "not valid JSON: Expecting value (line 1, column 10)"
    assert schema_problem("") == 'write a JSON schema object, e.g. {"type": "object"}'
    assert format_problem("") is None
    assert format_problem("json") is None
    assert format_problem('{"type":"object"}') is None
    assert format_problem("xml") == "not valid JSON: Expecting value (line 1, column 1)"


def test_think_reasons() -> None:
    for value in ("", "off", "on", "low", "medium", "high", "max"):
        assert think_problem(value) is None
    assert think_problem("very") == "must be one of off, on, low, medium, high, max"


# -- form texts ---------------------------------------------------------------------------------


def test_form_texts_round_trip() -> None:
    settings = RequestDefaults(
        options={"temperature": 0.0, "num_ctx": 8192, "stop": ["a", "\n"]},
        keep_alive="10m",
        think="high",
        format='{"type": "object"}',
    )
    texts = settings_texts(settings)
    assert texts["temperature"] == "0"
    assert texts["top_p"] == ""
    assert set(texts) == set(FIELD_NAMES)
    assert settings_from_texts(texts) == (settings, {})


def test_form_texts_report_problems_and_keep_valid_fields() -> None:
    texts = {"temperature": "-1", "num_ctx": "2048", "keep_alive": "soon", "format": "{"}
    settings, problems = settings_from_texts(texts)
    assert settings == RequestDefaults(options={"num_ctx": 2048})
    assert problems == {
        "temperature": "must be between 0 and 100",
        "keep_alive": "not a duration: use e.g. 5m, 1h30m, 90s, 0 or -1",
        "format": "not valid JSON: Expecting property name enclosed in double quotes"
        " (line 1, column 2)",
    }


# -- what a request carries -------------------------------------------------------------------


def test_chat_overrides_win_over_global_defaults(store: Store) -> None:
    defaults = RequestDefaults(
        options={"temperature": 0.5, "seed": 1}, keep_alive="10m", think="low", format="json"
    )
    chat = store.create_chat(options={"temperature": 0.0}, think="off")
    settings = effective_settings(defaults, chat)
    assert settings.to_json() == {
        "options": {"temperature": 0.0, "seed": 1},
        "keep_alive": "10m",
        "think": False,
        "format": "json",
    }
    assert effective_settings(RequestDefaults(), None).to_json() == {}


def test_preview_in_each_scope(store: Store) -> None:
    saved_defaults = RequestDefaults(options={"temperature": 0.5})
    chat = store.create_chat(options={"seed": 7})
    edited = RequestDefaults(options={"num_ctx": 8192}, keep_alive="300")
    as_chat = preview_settings("chat", edited, saved_defaults, chat)
    assert as_chat == RequestSettings(options={"temperature": 0.5, "num_ctx": 8192}, keep_alive=300)
    as_global = preview_settings("global", edited, saved_defaults, chat)
    assert as_global.to_json() == {"options": {"num_ctx": 8192, "seed": 7}, "keep_alive": 300}
    assert preview_settings("global", edited, saved_defaults, None).to_json() == {
        "options": {"num_ctx": 8192},
        "keep_alive": 300,
    }
    with pytest.raises(ValueError):
        preview_settings("chat", edited, saved_defaults, None)


def test_value_in_force_follows_precedence() -> None:
    model = parse_show_parameters('temperature 0.6\nstop "<x>"')
    defaults = RequestDefaults(options={"seed": 3}, keep_alive="1h")
    chat = RequestDefaults(options={"seed": 4})
    assert value_in_force("seed", defaults, chat, model) == InForce(4, "chat")
    assert value_in_force("seed", defaults, None, model) == InForce(3, "global")
    assert value_in_force("temperature", defaults, chat, model) == InForce(0.6, "model")
    assert value_in_force("stop", defaults, chat, model) == InForce(["<x>"], "model")
    assert value_in_force("top_k", defaults, chat, {}) == InForce(40, "ollama")
    assert value_in_force("keep_alive", defaults, chat, {}) == InForce("1h", "global")
    assert value_in_force("keep_alive", RequestDefaults(), None, {}) == InForce("5m", "ollama")
    assert value_in_force("think", RequestDefaults(), None, {}) == InForce(None, "ollama")


def test_defaults_and_chat_fields_round_trip(store: Store) -> None:
    settings = RequestDefaults(options={"top_k": 10}, keep_alive="-1", think="on", format="json")
    settings.save(store)
    assert RequestDefaults.load(store) == settings
    chat = store.update_chat(store.create_chat().id, **settings.chat_fields())
    assert RequestDefaults.of_chat(chat) == settings


# -- presets ------------------------------------------------------------------------------------


def test_preset_round_trip() -> None:
    settings = RequestDefaults(options={"temperature": 1.0}, think="high")
    preset = settings.as_preset("mine")
    assert preset == Preset("mine", {"temperature": 1.0}, {"think": "high"})
    assert preset_settings(preset) == settings
    odd = Preset("odd", {"temperature": 1.0, "mirostat": 2}, {"keep_alive": 5, "format": ""})
    assert preset_settings(odd) == RequestDefaults(options={"temperature": 1.0})


def test_shipped_presets_are_valid_and_added_once(store: Store) -> None:
    names = [preset.name for preset in SHIPPED_PRESETS]
    assert {"precise", "creative", "balanced"} <= set(names)
    precise = next(p for p in SHIPPED_PRESETS if p.name == "precise")
    assert precise.options == {"temperature": 0.0, "seed": 42}
    for preset in SHIPPED_PRESETS:
        texts = settings_texts(preset_settings(preset))
        assert settings_from_texts(texts)[1] == {}
    store.save_preset(Preset("creative", {"temperature": 2.0}))
    assert ensure_shipped_presets(store) is True
    assert store.get_preset("creative") == Preset("creative", {"temperature": 2.0})
    assert {p.name for p in store.list_presets()} == set(names)
    store.delete_preset("precise")
    assert ensure_shipped_presets(store) is False
    assert store.get_preset("precise") is None


def test_specs_cover_every_runtime_option() -> None:
    assert [spec.name for spec in OPTION_SPECS] == [
        "temperature",
        "num_ctx",
        "num_predict",
        "seed",
        "top_k",
        "top_p",
        "min_p",
        "typical_p",
        "repeat_penalty",
        "repeat_last_n",
        "presence_penalty",
        "frequency_penalty",
        "num_keep",
        "stop",
    ]
