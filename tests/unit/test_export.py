"""Exporting a chat to Markdown: the document, the suggested name, and safe file writing."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest

from tui_app.core.export import (
    chat_to_markdown,
    describe_write_error,
    export_file_name,
    slugify,
    write_export,
)
from tui_app.store import Store

UTC = dt.UTC
STARTED = dt.datetime(2025, 3, 14, 9, 26, tzinfo=UTC).timestamp()


@pytest.fixture
def chat_store(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store whose clock reads a fixed time, holding one chat with every kind of message."""
    store.clock = lambda: STARTED
    chat = store.create_chat(
        title="Rust vs Go\nfor CLIs",
        model="llama3.2:latest",
        system="Answer in ```code``` when you can.",
        options={"temperature": 0.2, "num_ctx": 8192, "stop": ["###"]},
        think="on",
        keep_alive="10m",
        format="json",
    )
    store.add_message(chat.id, "user", "Which is faster to *write*?")
    store.add_message(
        chat.id,
        "assistant",
        "Go, usually.\n\n| lang | speed |\n|---|---|\n| go | fast |\n",
        thinking="The user wants a short answer.",
        stats={
            "eval_count": 120,
            "eval_duration": 2_000_000_000,
            "prompt_eval_count": 33,
            "done_reason": "stop",
        },
        model="llama3.2:latest",
    )
    store.add_message(chat.id, "user", "Show an image", images=["aGVsbG8="])
    store.add_message(
        chat.id,
        "assistant",
        "Partial answ",
        status="stopped",
        stats={"eval_count": 3, "eval_duration": 0, "done_reason": "length"},
    )
    store.add_message(chat.id, "assistant", "", status="failed", error="model crashed")
    return store


def markdown_of(store: Store) -> str:
    [chat] = store.list_chats()
    return chat_to_markdown(chat, store.messages(chat.id), tz=UTC)


def test_document_names_model_system_prompt_and_options(chat_store: Store) -> None:
    text = markdown_of(chat_store)
    assert text.startswith("# Rust vs Go for CLIs\n")
    assert "Started 2025-03-14 09:26" in text
    assert "- **Model:** `llama3.2:latest`" in text
    assert "- **Think:** on" in text
    assert "- **Keep alive:** `10m`" in text
    assert "- **Format:** `json`" in text
    # The system prompt holds a triple backtick, so its fence must be longer.
    assert "````text\nAnswer in ```code``` when you can.\n````" in text
    assert '"num_ctx": 8192' in text
    assert '"temperature": 0.2' in text
    assert '"stop": [\n    "###"\n  ]' in text


def test_messages_in_order_with_thinking_stats_and_endings(chat_store: Store) -> None:
    text = markdown_of(chat_store)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## You · 2025-03-14 09:26",
        "## Assistant (llama3.2:latest) · 2025-03-14 09:26",
        "## You · 2025-03-14 09:26",
        "## Assistant · 2025-03-14 09:26",
        "## Assistant · 2025-03-14 09:26",
    ]
    assert "Which is faster to *write*?" in text
    assert "| go | fast |" in text  # message Markdown is kept as it is
    assert "<details><summary>Thinking</summary>\n\nThe user wants a short answer." in text
    assert "*120 tokens · 60.0 tokens/s · 33 prompt tokens · stop*" in text
    assert "*1 image attached (not included)*" in text
    assert "aGVsbG8=" not in text
    assert "*Stopped before the end.*" in text
    assert "cut off by num_predict / context" in text
    assert "*Failed: model crashed*" in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_chat_without_settings_says_model_defaults(store: Store) -> None:
    chat = store.create_chat(title="Empty")
    text = chat_to_markdown(chat, [], tz=UTC)
    assert "- **Model:** not chosen" in text
    assert "- **Think:** model default" in text
    assert "The model's own." in text
    assert "None set: the model's defaults." in text
    assert "Keep alive" not in text and "Format" not in text


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("  Rust vs. Go: which?  ", "rust-vs-go-which"),
        ("日本語の質問", "日本語の質問"),
        ("🎉🎉", "chat"),
        ("", "chat"),
        ("../../etc/passwd", "etc-passwd"),
        ("snake_case_title", "snake-case-title"),
        ("x" * 200, "x" * 60),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_export_file_name() -> None:
    assert export_file_name("My chat") == "my-chat.md"


def test_write_creates_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "chat.md"
    write_export(target, "# é 日本\n")
    assert target.read_text(encoding="utf-8") == "# é 日本\n"


def test_write_never_replaces_without_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "chat.md"
    target.write_text("precious")
    with pytest.raises(FileExistsError):
        write_export(target, "new")
    assert target.read_text() == "precious"


def test_overwrite_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "chat.md"
    target.write_text("old")
    target.chmod(0o640)
    write_export(target, "new", overwrite=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["chat.md"]  # no temporary left


def test_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "chat.md"
    with pytest.raises(FileNotFoundError) as caught:
        write_export(target, "text")
    assert describe_write_error(target, caught.value) == (
        f"The folder {tmp_path / 'nowhere'} does not exist."
    )
    assert not target.parent.exists()


def test_a_folder_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as caught:
        write_export(tmp_path, "text")
    assert describe_write_error(tmp_path, caught.value).startswith(f"{tmp_path} is a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    target = locked / "chat.md"
    try:
        with pytest.raises(PermissionError) as caught:
            write_export(target, "text")
        assert describe_write_error(target, caught.value) == (
            f"Permission denied: cannot write {target}."
        )
    finally:
        locked.chmod(0o700)


def test_parent_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "chat.md"
    with pytest.raises(NotADirectoryError) as caught:
        write_export(target, "text")
    assert describe_write_error(target, caught.value) == f"{blocker} is not a folder."
