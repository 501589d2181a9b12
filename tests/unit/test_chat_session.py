"""Pure chat logic: history, titles, stats, context meter, images, code blocks, safe text."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tui_app.api import ChatMessage
from tui_app.core.chat_session import (
    THINK_CYCLE,
    ImageError,
    chat_title,
    code_blocks,
    context_usage,
    history_messages,
    image_kind,
    load_image,
    model_num_ctx,
    next_think,
    pretty_json,
    stats_text,
)
from tui_app.core.formatting import sanitize
from tui_app.store import MessageRecord

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 24
GIF = b"GIF89a" + b"\x00" * 24
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 16


def record(role: str, content: str, **fields: object) -> MessageRecord:
    values: dict[str, object] = {
        "id": 1,
        "chat_id": 1,
        "role": role,
        "content": content,
        "thinking": "",
        "images": [],
        "stats": {},
        "status": "complete",
        "error": None,
        "model": None,
        "created_at": 0.0,
    }
    values.update(fields)
    return MessageRecord(**values)  # type: ignore[arg-type]


def test_title_is_the_first_60_characters_on_one_line() -> None:
    assert chat_title("  How do I\n\nsort   a list?  ") == "How do I sort a list?"
    assert chat_title("x" * 100) == "x" * 60
    assert chat_title("   \n ") == "New chat"
    assert chat_title("\x1b[31mred") == "␛[31mred"


def test_history_has_system_prompt_turns_and_skips_failed_replies() -> None:
    records = [
        record("user", "hi", images=["aGk="]),
        record("assistant", "hello", thinking="greet back"),
        record("user", "again"),
        record("assistant", "", status="failed", error="boom"),
        record("user", "and again"),
        record("assistant", "partial", status="stopped"),
    ]
    assert history_messages(records, "Be brief.") == [
        ChatMessage("system", "Be brief."),
        ChatMessage("user", "hi", images=("aGk=",)),
        ChatMessage("assistant", "hello", thinking="greet back"),
        ChatMessage("user", "again"),
        ChatMessage("user", "and again"),
        ChatMessage("assistant", "partial"),
    ]
    assert history_messages([], "  ") == []


def test_stats_line_reads_the_final_chunk() -> None:
    stats = {
        "eval_count": 282,
        "eval_duration": 4_535_599_000,
        "prompt_eval_count": 26,
        "load_duration": 1_334_875,
        "done_reason": "stop",
    }
    assert stats_text(stats) == (
        "282 tokens · 62.2 tokens/s · prompt 26 tokens · load 1.3 ms · finished"
    )
    assert stats_text({"eval_count": 5, "done_reason": "length"}) == (
        "5 tokens · cut off: num_predict or context limit"
    )


def test_context_meter_sources_and_warning() -> None:
    stats = {"prompt_eval_count": 3000, "eval_count": 400}
    default = context_usage(stats, trained=131072)
    assert default.limit == 4096
    assert default.text() == "context 3,400 / 4,096 (default) · 83% · model max 131,072 · " + (
        "older messages will be cut: raise num_ctx (f5) or start a new chat"
    )
    assert default.warning
    model = context_usage(stats, model_parameters_num_ctx=8192)
    assert (model.limit, model.limit_source, model.warning) == (8192, "model", False)
    chat = context_usage(stats, chat_num_ctx=16384, model_parameters_num_ctx=8192)
    assert (chat.limit, chat.text()) == (16384, "context 3,400 / 16,384 · 21%")
    assert context_usage(None).used == 0


def test_model_num_ctx_from_show_parameters() -> None:
    parameters = 'stop                           "<|eot_id|>"\nnum_ctx                        8192'
    assert model_num_ctx(parameters) == 8192
    assert model_num_ctx('stop "x"') is None


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG, "PNG"), (JPEG, "JPEG"), (GIF, "GIF"), (WEBP, "WEBP"), (b"%PDF-1.7", None)],
)
def test_images_are_recognised_by_magic_bytes(data: bytes, kind: str | None) -> None:
    assert image_kind(data) == kind


def test_load_image_gives_plain_base64(tmp_path: Path) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    image = load_image(f"  '{path}' ")
    assert image.kind == "PNG"
    assert image.name == "cat.png"
    assert image.size == len(PNG)
    assert base64.b64decode(image.data, validate=True) == PNG
    assert not image.data.startswith("data:")


def test_load_image_refuses_what_is_not_an_image(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ImageError, match=r"notes\.txt is not an image"):
        load_image(str(text))
    with pytest.raises(ImageError, match="No such file"):
        load_image(str(tmp_path / "missing.png"))
    with pytest.raises(ImageError, match="Not a file"):
        load_image(str(tmp_path))
    with pytest.raises(ImageError, match="Type the path"):
        load_image("  ")


def test_code_blocks_in_order() -> None:
    markdown = "Text\n\n```python\nprint(1)\n```\n\n- item\n\n  ```\n  plain\n  ```\n"
    blocks = code_blocks(markdown)
    assert [(block.language, block.code) for block in blocks] == [
        ("python", "print(1)\n"),
        ("", "plain\n"),
    ]
    assert blocks[0].describe() == "python · 1 line · print(1)"


def test_pretty_json() -> None:
    assert pretty_json('{"a":1,"b":[1,2]}') == json.dumps({"a": 1, "b": [1, 2]}, indent=2)
    assert pretty_json("not json") is None
    assert pretty_json('"just a string"') is None


def test_sanitize_makes_controls_visible() -> None:
    assert sanitize("\x1b[31mred\x1b[0m\x07") == "␛[31mred␛[0m␇"
    assert sanitize("line\r\nnext\ttab") == "line\nnext\ttab"
    assert sanitize("c1:\x9b!") == "c1:\ufffd!"
    assert sanitize("[bold]中文 🦙[/bold]") == "[bold]中文 🦙[/bold]"


def test_think_cycle_walks_every_setting() -> None:
    seen = [THINK_CYCLE[0]]
    for _ in THINK_CYCLE:
        seen.append(next_think(seen[-1]))
    # Every level the options form offers, "max" included, then back to the defaults.
    assert seen == [None, "off", "on", "low", "medium", "high", "max", None]
    assert next_think("high") == "max"
