"""The workbench's rules: form values → the request sent, or why nothing is sent."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from tui_app.api.models import EmbedResult, Metrics
from tui_app.api.requests import EmbedRequest, GenerateRequest
from tui_app.core.workbench import (
    EmbedForm,
    GenerateForm,
    ImageFiles,
    build_embed,
    build_generate,
    embed_form_from_body,
    embed_inputs,
    embed_summary,
    exchange_text,
    generate_form_from_body,
    generate_stats,
    history_label,
    raw_line,
    read_images,
    similarity_lines,
)

CODER = ("completion", "insert")
CHAT = ("completion", "tools")


def test_a_plain_prompt_sends_only_what_was_set() -> None:
    built = build_generate(GenerateForm(model="llama3.2", prompt="Hi"))
    assert built.ok and built.problems == {}
    assert isinstance(built.request, GenerateRequest)
    assert built.request.body() == {"model": "llama3.2", "prompt": "Hi", "stream": True}


def test_every_field_lands_in_the_body() -> None:
    form = GenerateForm(
        model="coder:1b",
        prompt="def add(a, b):\n",
        suffix="\nprint(add(1, 2))\n",
        system="You write Python.",
        template="{{ .Prompt }}",
        format='{"type": "object"}',
        think="high",
        keep_alive="300",
        options={"temperature": "0.2", "num_predict": "64", "stop": "\\n\\n", "seed": ""},
    )
    built = build_generate(form, context=(1, 2, 3), capabilities=CODER)
    assert built.request is not None
    body = built.request.body()
    assert body["suffix"] == "\nprint(add(1, 2))\n"
    assert body["system"] == "You write Python."
    assert body["template"] == "{{ .Prompt }}"
    assert body["format"] == {"type": "object"}
    assert body["think"] == "high"
    assert body["keep_alive"] == 300
    assert body["options"] == {"temperature": 0.2, "num_predict": 64, "stop": ["\n\n"]}
    assert body["context"] == [1, 2, 3]


def test_think_on_and_off_are_booleans_and_format_off_is_nothing() -> None:
    on = build_generate(GenerateForm(model="m", prompt="p", think="on", format="json"))
    assert on.request is not None
    assert on.request.body()["think"] is True
    assert on.request.body()["format"] == "json"
    off = build_generate(GenerateForm(model="m", prompt="p", think="off", format="off"))
    assert off.request is not None
    assert off.request.body()["think"] is False
    assert "format" not in off.request.body()


def test_a_schema_that_is_not_json_is_refused() -> None:
    built = build_generate(GenerateForm(model="m", prompt="p", format='{"type": object}'))
    assert built.request is None
    assert built.problems["format"].startswith("not valid JSON")
    listed = build_generate(GenerateForm(model="m", prompt="p", format="[1, 2]"))
    assert listed.problems == {"format": "a schema must be a JSON object {…}"}


def test_suffix_needs_the_insert_capability() -> None:
    form = GenerateForm(model="llama3.2", prompt="a", suffix="b")
    built = build_generate(form, capabilities=CHAT)
    assert built.request is None
    assert "llama3.2 cannot fill in between a prompt and a suffix" in built.problems["suffix"]
    # Unknown capabilities: the server has the last word.
    assert build_generate(form).ok
    assert build_generate(form, capabilities=CODER).ok


def test_missing_model_and_prompt_and_bad_fields_are_each_named() -> None:
    form = GenerateForm(
        keep_alive="1.5",
        think="loud",
        options={"temperature": "hot", "top_p": "2"},
    )
    built = build_generate(form)
    assert built.request is None
    assert set(built.problems) == {
        "model",
        "prompt",
        "keep_alive",
        "think",
        "temperature",
        "top_p",
    }
    assert built.problems["model"] == "choose a model"
    assert built.problems["prompt"] == "type a prompt"
    assert "add a unit" in built.problems["keep_alive"]
    assert built.summary().startswith("model: choose a model; prompt: type a prompt")


def test_raw_refuses_system_template_and_context() -> None:
    with_system = build_generate(GenerateForm(model="m", prompt="p", raw=True, system="s"))
    assert "clear system and template" in with_system.problems["raw"]
    with_context = build_generate(GenerateForm(model="m", prompt="p", raw=True), context=(5,))
    assert "drop the carried context" in with_context.problems["raw"]
    plain = build_generate(GenerateForm(model="m", prompt="p", raw=True))
    assert plain.request is not None
    assert plain.request.body()["raw"] is True


def test_embed_one_input_is_a_string_several_a_list() -> None:
    one = build_embed(EmbedForm(model="nomic-embed-text", inputs="hello\n\n"))
    assert isinstance(one.request, EmbedRequest)
    assert one.request.body() == {"model": "nomic-embed-text", "input": "hello"}
    many = build_embed(
        EmbedForm(
            model="nomic-embed-text",
            inputs="a\n  \nb\nc",
            truncate="false",
            dimensions="256",
            keep_alive="10m",
        ),
        capabilities=("embedding",),
    )
    assert many.request is not None
    assert many.request.body() == {
        "model": "nomic-embed-text",
        "input": ["a", "b", "c"],
        "truncate": False,
        "dimensions": 256,
        "keep_alive": "10m",
    }


def test_embed_with_no_input_or_bad_fields_sends_nothing() -> None:
    built = build_embed(EmbedForm(model="m", inputs=" \n\t\n", dimensions="0", truncate="maybe"))
    assert built.request is None
    assert built.problems == {
        "inputs": "type at least one input, one per line",
        "truncate": "must be true or false",
        "dimensions": "must be at least 1",
    }
    assert build_embed(EmbedForm(model="m", inputs="x", dimensions="1.5")).problems == {
        "dimensions": "must be a whole number"
    }


def test_embed_refuses_a_model_that_cannot_embed() -> None:
    built = build_embed(EmbedForm(model="llama3.2", inputs="x"), capabilities=CHAT)
    assert built.problems == {"model": "llama3.2 is not an embedding model"}
    assert build_embed(EmbedForm(inputs="x")).problems == {"model": "choose an embedding model"}


def test_embed_inputs_keep_the_lines_as_typed() -> None:
    assert embed_inputs("  a b \n\nc") == ("  a b ", "c")


def test_raw_lines_show_control_characters_and_stay_on_one_line() -> None:
    shown = raw_line('{"response":"\x1b[31mred\x07"}\r\n')
    assert "\x1b" not in shown and "\x07" not in shown
    assert "␛[31mred" in shown
    assert "\n" not in raw_line("a\nb")


def test_generate_stats_name_every_figure() -> None:
    metrics = Metrics(
        total_duration=2_500_000_000,
        load_duration=400_000_000,
        prompt_eval_count=20,
        prompt_eval_duration=100_000_000,
        eval_count=50,
        eval_duration=1_000_000_000,
    )
    assert generate_stats(metrics, "stop") == (
        "50 tokens at 50.0 tokens/s · prompt 20 tokens at 200.0 tokens/s · load 400 ms"
        " · total 2.5 s · done: stop"
    )
    assert generate_stats(Metrics(eval_count=3), "length") == (
        "3 tokens · done: length (cut off by num_predict / context)"
    )


def test_embed_summary_and_similarity() -> None:
    result = EmbedResult(
        "m",
        ((1.0, 0.0), (0.0, 1.0), (1.0, 1.0)),
        Metrics(total_duration=3_000_000, prompt_eval_count=6),
    )
    lines = embed_summary(result, ["x", "y\x1b", "z"])
    assert lines[0] == "3 vectors · 6 prompt tokens · total 3 ms"
    assert lines[1:3] == ["1. x", "   length 2: [+1.0000, +0.0000]"]
    assert lines[3] == "2. y␛"
    rows = similarity_lines(result.embeddings)
    assert rows[0].split() == ["1", "2", "3"]
    assert rows[1].split() == ["1", "1.000", "0.000", "0.707"]
    assert rows[3].split() == ["3", "0.707", "0.707", "1.000"]


def test_exchange_text_holds_request_response_and_raw_lines() -> None:
    body = {"model": "m", "prompt": "```", "stream": True}
    text = exchange_text(
        "http://h/api/generate", body, ['{"response":"a"}', '{"done":true}'], "a", "1 tokens"
    )
    assert text.startswith("# Ollama request\n\n`POST http://h/api/generate`\n")
    start = text.index("````json\n") + len("````json\n")
    assert json.loads(text[start : text.index("\n````", start)]) == body
    assert "```text\na\n```\n\n1 tokens\n" in text
    assert text.endswith('```json\n{"response":"a"}\n{"done":true}\n```\n')


def test_a_past_generate_request_comes_back_as_the_same_form() -> None:
    form = GenerateForm(
        model="coder:1b",
        prompt="def f():",
        suffix="return x",
        system="terse",
        format='{"type": "object"}',
        think="on",
        keep_alive="300",
        options={"temperature": "0.2", "stop": "\\n\\n"},
    )
    built = build_generate(form, context=(4, 5))
    assert built.request is not None
    body = built.request.body()
    again, context = generate_form_from_body(body)
    assert context == (4, 5)
    rebuilt = build_generate(again, context=context)
    assert rebuilt.request is not None
    assert rebuilt.request.body() == body


def test_a_past_embed_request_comes_back_as_the_same_form() -> None:
    for inputs in ("one", "a\nb"):
        form = EmbedForm(model="e", inputs=inputs, truncate="false", dimensions="8", keep_alive="0")
        built = build_embed(form)
        assert built.request is not None
        body = built.request.body()
        rebuilt = build_embed(embed_form_from_body(body))
        assert rebuilt.request is not None
        assert rebuilt.request.body() == body


def test_history_labels_are_one_line() -> None:
    assert history_label("generate", {"prompt": "two\nlines\x1b[2J"}) == "two lines␛[2J"
    assert history_label("embed", {"input": ["a", "b"]}) == "2 inputs: a | b"
    assert history_label("embed", {"input": "solo"}) == "solo"


def test_images_are_read_in_order_and_a_bad_file_is_named(tmp_path: Path) -> None:
    png, gif = tmp_path / "a.png", tmp_path / "b.gif"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8)
    gif.write_bytes(b"GIF89a" + b"\x00" * 8)
    read = read_images(f"{png}\n\n  {gif}\n")
    assert read.problem is None
    assert [base64.b64decode(data)[:3] for data in read.data] == [b"\x89PN", b"GIF"]
    assert read_images("").data == ()
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert read_images(f"{png}\n{text}").problem == (
        "notes.txt is not an image (PNG, JPEG, GIF or WEBP)."
    )


def test_images_need_a_vision_model_when_its_capabilities_are_known() -> None:
    images = ImageFiles(("aGVsbG8=",))
    form = GenerateForm(model="m", prompt="what is this?", images=images)
    refused = build_generate(form, capabilities=CHAT)
    assert refused.request is None and "cannot read images" in refused.problems["images"]
    for capabilities in (("completion", "vision"), None):  # None: an older server, so try
        built = build_generate(form, capabilities=capabilities)
        assert built.request is not None
        assert built.request.body()["images"] == ["aGVsbG8="]
    broken = GenerateForm(model="m", prompt="p", images=ImageFiles(problem="No such file: x"))
    assert build_generate(broken).problems == {"images": "No such file: x"}
