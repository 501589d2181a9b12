"""The store pages a chat forwards from any message, and searches the reasoning of replies."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import tui_app.store as store_module
from tui_app.store import SCHEMA_VERSION, Store

# Schema version 2 as it was released: version 1's tables plus an index of content only.
V2_DDL = """
CREATE TABLE chat (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    model TEXT,
    system TEXT,
    options TEXT NOT NULL DEFAULT '{}',
    keep_alive TEXT,
    think TEXT,
    format TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX chat_by_updated ON chat (updated_at, id);
CREATE TABLE message (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL REFERENCES chat (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    thinking TEXT NOT NULL DEFAULT '',
    images TEXT NOT NULL DEFAULT '[]',
    stats TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'complete',
    error TEXT,
    model TEXT,
    created_at REAL NOT NULL
);
CREATE INDEX message_by_chat ON message (chat_id, id);
CREATE INDEX message_streaming ON message (status) WHERE status = 'streaming';
CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE preset (
    name TEXT PRIMARY KEY,
    options TEXT NOT NULL DEFAULT '{}',
    request TEXT NOT NULL DEFAULT '{}'
);
CREATE VIRTUAL TABLE message_fts USING fts5(
    content, content='message', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
    INSERT INTO message_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, content)
    VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN
    INSERT INTO message_fts (message_fts, rowid, content)
    VALUES ('delete', old.id, old.content);
    INSERT INTO message_fts (rowid, content) VALUES (new.id, new.content);
END;
PRAGMA application_id = 1330402388;
PRAGMA user_version = 2;
"""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ollama-tui.db"


@pytest.fixture(params=["fts5", "like"])
def store(
    request: pytest.FixtureRequest, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    """A store searched through the trigram index, and one without it."""
    if request.param == "like":
        monkeypatch.setattr(store_module, "_trigram_supported", lambda: False)
    with Store.open(db_path) as opened:
        yield opened


def test_paging_forwards_from_any_message(store: Store) -> None:
    chat = store.create_chat()
    store.add_messages(chat.id, (("user", f"message {i}") for i in range(250)))
    everything = store.messages(chat.id)
    middle = everything[100].id
    page = store.messages(chat.id, limit=50, after_id=middle)
    assert [m.content for m in page] == [f"message {i}" for i in range(101, 151)]
    pages = [page]
    while next_page := store.messages(chat.id, limit=50, after_id=pages[-1][-1].id):
        pages.append(next_page)
    assert [m for page in pages for m in page] == everything[101:]
    assert store.messages(chat.id, after_id=everything[-1].id) == []
    assert store.messages(chat.id, after_id=middle) == everything[101:]
    with pytest.raises(ValueError):
        store.messages(chat.id, before_id=middle, after_id=middle)


def test_paging_forwards_is_per_chat(store: Store) -> None:
    first = store.create_chat()
    second = store.create_chat()
    for i in range(5):
        store.add_message(first.id, "user", f"first {i}")
        store.add_message(second.id, "user", f"second {i}")
    start = store.messages(first.id)[1].id
    assert [m.content for m in store.messages(first.id, limit=2, after_id=start)] == [
        "first 2",
        "first 3",
    ]


def test_search_finds_words_in_the_thinking(store: Store) -> None:
    chat = store.create_chat(title="Reasoning")
    prompt = store.add_message(chat.id, "user", "Which planet is largest?")
    reply = store.add_message(
        chat.id,
        "assistant",
        "Jupiter.",
        thinking="The gas giants are big; compare Saturn with Jupiter by mass.",
    )
    [hit] = store.search("Saturn")
    assert hit.message_id == reply.id
    assert hit.in_thinking is True
    assert "compare Saturn" in hit.snippet
    # A match in the answer takes its snippet from the answer.
    [answer] = store.search("Jupiter.")
    assert (answer.message_id, answer.in_thinking) == (reply.id, False)
    assert [h.message_id for h in store.search("planet")] == [prompt.id]
    # Changing the thinking changes what is found.
    store.update_message(reply.id, thinking="Only Jupiter counts.")
    assert store.search("Saturn") == []
    assert [h.message_id for h in store.search("counts")] == [reply.id]
    store.delete_message(reply.id)
    assert store.search("counts") == []


def _build_v2_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(V2_DDL)
        connection.executescript(
            """
            INSERT INTO chat (id, title, created_at, updated_at)
            VALUES (1, 'Old chat', 100.0, 200.0);
            INSERT INTO message (id, chat_id, role, content, created_at)
            VALUES (1, 1, 'user', 'Name a red fruit', 150.0);
            INSERT INTO message (id, chat_id, role, content, thinking, created_at)
            VALUES (2, 1, 'assistant', 'A strawberry.', 'cherries came to mind first', 160.0);
            """
        )
        connection.commit()
    finally:
        connection.close()


def test_a_version_2_file_is_migrated_and_its_thinking_found(db_path: Path) -> None:
    _build_v2_file(db_path)
    with Store.open(db_path) as store:
        assert store.full_text_search is True
        assert [h.message_id for h in store.search("cherries")] == [2]
        assert [h.message_id for h in store.search("strawberry")] == [2]
        assert [h.message_id for h in store.search("red fruit")] == [1]
        new = store.add_message(1, "assistant", "Or a raspberry.", thinking="tomatoes too?")
        assert [h.message_id for h in store.search("tomatoes")] == [new.id]
        assert [m.content for m in store.messages(1)] == [
            "Name a red fruit",
            "A strawberry.",
            "Or a raspberry.",
        ]
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()
