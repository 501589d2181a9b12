"""The model's own parameters as /api/show prints them (Go ``%#v`` values)."""

from __future__ import annotations

import pytest

from tui_app.api.show_parameters import go_unquote, parse_show_parameters
from tui_app.demo import default_models
from tui_app.demo._models import parameters_text

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
