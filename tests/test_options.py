"""Options logic without any UI: validators, /api/show parameters, precedence, presets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    go_unquote,
    keep_alive_problem,
    keep_alive_value,
    option_problem,
    option_text,
    parse_go_duration,
    parse_option_text,
    parse_show_parameters,
    parse_stop_text,
    preview_settings,
    schema_problem,
    settings_from_texts,
    settings_texts,
    stop_text,
    think_problem,
    value_in_force,
)
from tui_app.demo import default_models
from tui_app.demo._models import parameters_text
from tui_app.store import Preset, Store

# -- /api/show parameters ------------------------------------------------------------------------

REAL_LLAMA_PARAMETERS = (
    'stop                           "<|start_header_id|>"\n'
    'stop                           "<|end_header_id|>"\n'
    'stop                           "<|eot_id|>"'
)


def test_parameters_one_stop_per_line_collect_in_order() -> None:
    assert parse_show_parameters(REAL_LLAMA_PARAMETERS) == {
        "stop": ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    }


def test_parameters_single_stop_is_still_a_list() -> None:
    assert parse_show_parameters('stop                           "</s>"') == {"stop": ["</s>"]}


def test_parameters_numbers_in_any_order_and_go_float_format() -> None:
    text = (
        "top_p                          0.95\n"
        "num_ctx                        1.048576e+06\n"
        'stop                           "<|im_end|>"\n'
        "temperature                    0.6\n"
        "top_k                          20\n"
        "repeat_penalty                 1\n"
        "min_p                          1e-05\n"
        "use_mmap                       true\n"
    )
    params = parse_show_parameters(text)
    assert params == {
        "top_p": 0.95,
        "num_ctx": 1048576,
        "stop": ["<|im_end|>"],
        "temperature": 0.6,
        "top_k": 20,
        "repeat_penalty": 1,
        "min_p": 1e-05,
        "use_mmap": True,
    }
    assert isinstance(params["num_ctx"], int)


def test_parameters_strings_with_go_escapes_and_spaces() -> None:
    text = (
        'stop                           "\\n\\nUser:"\n'
        'stop                           "say \\"hi\\"\\t\\\\ ok"\n'
        'stop                           "\\x01\\u200b\\U0001f600 é"\n'
    )
    assert parse_show_parameters(text) == {
        "stop": ["\n\nUser:", 'say "hi"\t\\ ok', "\x01\u200b\U0001f600 é"]
    }


def test_parameters_skip_blank_and_malformed_lines() -> None:
    assert parse_show_parameters("\n   \nlonely\nseed 42\n") == {"seed": 42}
    assert parse_show_parameters("") == {}


def test_parameters_repeated_non_list_key_collects_too() -> None:
    assert parse_show_parameters("seed 1\nseed 2") == {"seed": [1, 2]}


@pytest.mark.parametrize("model", default_models(), ids=lambda m: m.name)
def test_parameters_round_trip_the_simulated_show_output(model: object) -> None:
    parameters = model.parameters  # type: ignore[attr-defined]
    parsed = parse_show_parameters(parameters_text(model))  # type: ignore[arg-type]
    # Lines come in random order, so repeated values may too.
    unordered = {
        key: sorted(value) if isinstance(value, list) else value for key, value in parsed.items()
    }
    expected = {
        key: sorted(value if isinstance(value, list) else [value]) if key == "stop" else value
        for key, value in parameters.items()
    }
    assert unordered == expected


def test_go_unquote_rejects_what_is_not_a_literal() -> None:
    assert go_unquote("`raw \\n`") == "raw \\n"
    for bad in ('"unterminated', "bare", '"bad \\q"', '"bad \\x4"'):
        with pytest.raises(ValueError):
            go_unquote(bad)
    # A malformed quoted value is kept as text rather than lost.
    assert parse_show_parameters('stop "bad \\q"') == {"stop": ['"bad \\q"']}


# -- option validators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("temperature", "0", 0.0),
        ("temperature", " 0.7 ", 0.7),
        ("temperature", "2", 2.0),
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
        ("temperature", "-0.1", "must be ≥ 0"),
        ("temperature", "hot", "must be a number, e.g. 0.7"),
        ("temperature", "nan", "must be a number, e.g. 0.7"),
        ("temperature", "inf", "must be a number, e.g. 0.7"),
        ("temperature", "1e39", "is too large for Ollama"),
        ("temperature", "0,7", "must be a number, e.g. 0.7"),
        ("num_ctx", "0", "must be ≥ 1"),
        ("num_ctx", "4096.5", "must be a whole number"),
        ("num_ctx", "8k", "must be a whole number, e.g. 42"),
        ("num_ctx", "8_192", "must be a whole number, e.g. 42"),
        ("num_predict", "-3", "must be ≥ -2"),
        ("seed", "1.5", "must be a whole number"),
        ("seed", "99999999999999999999", "is too large for Ollama (64-bit integer)"),
        ("top_k", "-1", "must be ≥ 0"),
        ("top_p", "1.01", "must be between 0 and 1"),
        ("top_p", "-0.1", "must be between 0 and 1"),
        ("min_p", "2", "must be between 0 and 1"),
        ("typical_p", "1.5", "must be between 0 and 1"),
        ("repeat_penalty", "-1", "must be ≥ 0"),
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
        "temperature": "must be ≥ 0",
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
    assert RequestDefaults.of_preset(preset) == settings
    odd = Preset("odd", {"temperature": 1.0, "mirostat": 2}, {"keep_alive": 5, "format": ""})
    assert RequestDefaults.of_preset(odd) == RequestDefaults(options={"temperature": 1.0})


def test_shipped_presets_are_valid_and_added_once(store: Store) -> None:
    names = [preset.name for preset in SHIPPED_PRESETS]
    assert {"precise", "creative", "balanced"} <= set(names)
    precise = next(p for p in SHIPPED_PRESETS if p.name == "precise")
    assert precise.options == {"temperature": 0.0, "seed": 42}
    for preset in SHIPPED_PRESETS:
        texts = settings_texts(RequestDefaults.of_preset(preset))
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


def test_options_module_does_not_import_textual() -> None:
    code = (
        "import sys, tui_app.core.options\n"
        "print(sorted(n for n in ('textual', 'rich') if n in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path.cwd()
    )
    assert result.stdout.strip() == "[]"
