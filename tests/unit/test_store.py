"""Tests for tui_app.store: records, ordering, paging, search, migrations and data safety."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import tui_app.store as store_module
from tui_app.store import (
    INTERRUPTED_ERROR,
    SCHEMA_VERSION,
    ChatRecord,
    DatabaseCorruptError,
    DatabaseTooNewError,
    MessageRecord,
    NotFoundError,
    Preset,
    Store,
    StoreError,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

# The schema as the first release wrote it. Kept verbatim here (not imported) so the migration
# test keeps testing the real upgrade path even if the store's own copy is ever edited.
V1_DDL = """
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
PRAGMA application_id = 1330402388;
PRAGMA user_version = 1;
"""


class Clock:
    """A controllable replacement for the store's clock."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> Clock:
    """Make every timestamp of the test's store distinct and predictable."""
    fake = Clock()
    for name in ("store", "search_store"):
        if name in request.fixturenames:
            request.getfixturevalue(name).clock = fake
    return fake


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database path inside a directory that does not exist yet."""
    return tmp_path / "data" / "ollama-tui.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """An empty, open store."""
    with Store.open(db_path) as opened:
        yield opened


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection for looking behind the store's back."""
    return sqlite3.connect(path, isolation_level=None)


def pragma(path: Path, name: str) -> object:
    """Read one PRAGMA through a separate connection."""
    connection = raw(path)
    try:
        return connection.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        connection.close()


def sidecars(path: Path) -> list[str]:
    """Names of SQLite's -wal/-shm/-journal files next to ``path``."""
    return sorted(p.name for p in path.parent.glob(path.name + "-*"))


# --------------------------------------------------------------------------------------------
# Chats


def test_create_chat_defaults(store: Store) -> None:
    chat = store.create_chat()
    assert chat.title == "New chat"
    assert (chat.model, chat.system, chat.keep_alive, chat.think, chat.format) == (None,) * 5
    assert chat.options == {}
    assert chat.created_at == chat.updated_at > 0


def test_chat_round_trip_every_field(db_path: Path) -> None:
    schema = '{"type": "object", "properties": {"age": {"type": "integer"}}}'
    options: dict[str, object] = {
        "temperature": 0.2,
        "num_ctx": 8192,
        "seed": -1,
        "stop": ["</s>", "User:"],
        "use_mmap": False,
    }
    with Store.open(db_path) as store:
        created = store.create_chat(
            title="Ünïcode 标题 🎉",
            model="qwen3:8b",
            system="Be terse.",
            options=options,
            keep_alive="-1",
            think="high",
            format=schema,
        )
        assert store.get_chat(created.id) == created
        assert store.list_chats() == [created]
    with Store.open(db_path) as reopened:
        again = reopened.get_chat(created.id)
    assert again == created
    assert isinstance(again, ChatRecord)
    assert again.options == options
    assert again.format == schema


def test_get_missing_chat_is_none(store: Store) -> None:
    assert store.get_chat(12345) is None


def test_list_chats_newest_updated_first(store: Store, clock: Clock) -> None:
    first = store.create_chat(title="first")
    second = store.create_chat(title="second")
    third = store.create_chat(title="third")
    assert [c.title for c in store.list_chats()] == ["third", "second", "first"]
    store.add_message(first.id, "user", "hi")
    assert [c.title for c in store.list_chats()] == ["first", "third", "second"]
    assert store.touch_chat(second.id) is True
    assert [c.title for c in store.list_chats()] == ["second", "first", "third"]
    store.rename_chat(third.id, "third, renamed")
    assert [c.title for c in store.list_chats()] == ["third, renamed", "second", "first"]
    assert store.touch_chat(999) is False


def test_update_chat_changes_only_given_fields(store: Store, clock: Clock) -> None:
    chat = store.create_chat(title="t", model="llama3.2", options={"temperature": 1.0})
    updated = store.update_chat(chat.id, system="You are a pirate.", think="off", format="json")
    assert updated.system == "You are a pirate."
    assert (updated.think, updated.format) == ("off", "json")
    assert (updated.title, updated.model, updated.options) == (
        "t",
        "llama3.2",
        {"temperature": 1.0},
    )
    assert updated.updated_at > chat.updated_at
    assert updated.created_at == chat.created_at
    cleared = store.update_chat(chat.id, model=None, options={}, think=None, format="")
    assert (cleared.model, cleared.options, cleared.think, cleared.format) == (None, {}, None, None)
    assert store.get_chat(chat.id) == cleared


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"colour": "red"}, ValueError),
        ({"id": 7}, ValueError),
        ({"updated_at": 0.0}, ValueError),
        ({"title": "   "}, ValueError),
        ({"title": None}, TypeError),
        ({"think": "very"}, ValueError),
        ({"format": "xml"}, ValueError),
        ({"format": "[1, 2]"}, ValueError),
        ({"options": ["temperature"]}, TypeError),
        ({"options": {1: 2}}, TypeError),
        ({"options": {"temperature": float("nan")}}, ValueError),
        ({"options": {"x": object()}}, TypeError),
        ({"model": 3}, TypeError),
    ],
)
def test_update_chat_rejects_bad_fields_and_writes_nothing(
    store: Store, fields: dict[str, object], error: type[Exception]
) -> None:
    chat = store.create_chat(title="keep", model="m")
    with pytest.raises(error):
        store.update_chat(chat.id, **{"title": "changed", **fields})
    assert store.get_chat(chat.id) == chat


def test_update_or_rename_missing_chat(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.update_chat(42, title="x")
    with pytest.raises(NotFoundError):
        store.rename_chat(42, "x")
    with pytest.raises(LookupError):  # NotFoundError is also a LookupError
        store.rename_chat(42, "x")


def test_rename_chat(store: Store) -> None:
    chat = store.create_chat()
    renamed = store.rename_chat(chat.id, "Weekend plans")
    assert renamed.title == "Weekend plans"
    assert store.get_chat(chat.id) == renamed
    with pytest.raises(ValueError):
        store.rename_chat(chat.id, "")


def test_delete_chat_cascades_to_messages(store: Store) -> None:
    doomed = store.create_chat(title="doomed")
    kept = store.create_chat(title="kept")
    message = store.add_message(doomed.id, "user", "needle in doomed chat")
    store.add_message(kept.id, "user", "needle in kept chat")
    assert store.delete_chat(doomed.id) is True
    assert store.get_chat(doomed.id) is None
    assert store.get_message(message.id) is None
    assert store.count_messages(doomed.id) == 0
    assert store.messages(doomed.id) == []
    assert [hit.chat_id for hit in store.search("needle")] == [kept.id]
    assert store.delete_chat(doomed.id) is False
    assert store.count_messages(kept.id) == 1


# --------------------------------------------------------------------------------------------
# Messages


def test_message_round_trip_every_field(db_path: Path) -> None:
    stats: dict[str, object] = {
        "eval_count": 290,
        "eval_duration": 4_709_213_000,
        "done_reason": "stop",
        "nested": {"a": [1, 2.5, None, True]},
    }
    images = [
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    ]
    with Store.open(db_path) as store:
        chat = store.create_chat()
        message = store.add_message(
            chat.id,
            "assistant",
            "Answer with [bold]markup[/bold] and \x1b[31mANSI\x1b[0m kept verbatim",
            thinking="Let me think… 思考",
            images=images,
            stats=stats,
            status="failed",
            error="model runner has unexpectedly stopped",
            model="qwen3:8b",
        )
        assert isinstance(message, MessageRecord)
        assert message.chat_id == chat.id
        assert store.get_message(message.id) == message
        assert store.messages(chat.id) == [message]
    with Store.open(db_path) as reopened:
        again = reopened.get_message(message.id)
    assert again == message
    assert again is not None
    assert again.content.startswith("Answer with [bold]markup[/bold] and \x1b[31m")
    assert again.images == images
    assert again.stats == stats
    assert (again.status, again.error, again.model) == (
        "failed",
        "model runner has unexpectedly stopped",
        "qwen3:8b",
    )


def test_add_message_defaults(store: Store) -> None:
    chat = store.create_chat()
    message = store.add_message(chat.id, "user", "hello")
    assert (message.thinking, message.images, message.stats) == ("", [], {})
    assert (message.status, message.error, message.model) == ("complete", None, None)
    assert message.created_at > 0


def test_add_message_bumps_chat(store: Store, clock: Clock) -> None:
    chat = store.create_chat()
    message = store.add_message(chat.id, "user", "hello")
    refreshed = store.get_chat(chat.id)
    assert refreshed is not None
    assert refreshed.updated_at >= message.created_at > chat.updated_at


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"role": "robot"}, ValueError),
        ({"status": "done"}, ValueError),
        ({"content": None}, TypeError),
        ({"images": "base64"}, TypeError),
        ({"images": [b"bytes"]}, TypeError),
        ({"stats": {"x": float("inf")}}, ValueError),
    ],
)
def test_add_message_rejects_bad_values(
    store: Store, kwargs: dict[str, object], error: type[Exception]
) -> None:
    chat = store.create_chat()
    arguments: dict[str, object] = {"role": "user", "content": "hi", **kwargs}
    role, content = arguments.pop("role"), arguments.pop("content")
    with pytest.raises(error):
        store.add_message(chat.id, role, content, **arguments)  # type: ignore[arg-type]
    assert store.count_messages(chat.id) == 0


def test_add_message_to_missing_chat(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.add_message(404, "user", "hello")
    with pytest.raises(NotFoundError):
        store.add_messages(404, [("user", "hello")])


def test_update_message(store: Store) -> None:
    chat = store.create_chat()
    reply = store.add_message(chat.id, "assistant", "", status="streaming", model="m")
    assert store.update_message(reply.id, content="partial") is True
    partial = store.get_message(reply.id)
    assert partial is not None
    assert (partial.content, partial.status) == ("partial", "streaming")
    assert store.update_message(
        reply.id,
        content="partial and final",
        thinking="hmm",
        stats={"eval_count": 3},
        status="stopped",
        error="stopped by the user",
    )
    final = store.get_message(reply.id)
    assert final is not None
    assert (final.content, final.thinking, final.stats) == (
        "partial and final",
        "hmm",
        {"eval_count": 3},
    )
    assert (final.status, final.error, final.model) == ("stopped", "stopped by the user", "m")
    assert final.created_at == reply.created_at


def test_update_message_complete_clears_error(store: Store) -> None:
    chat = store.create_chat()
    reply = store.add_message(chat.id, "assistant", "x", status="failed", error="boom")
    store.update_message(reply.id, status="complete")
    healed = store.get_message(reply.id)
    assert healed is not None
    assert (healed.status, healed.error) == ("complete", None)
    store.update_message(reply.id, status="failed", error="again")
    store.update_message(reply.id, content="only content")
    unchanged = store.get_message(reply.id)
    assert unchanged is not None
    assert (unchanged.status, unchanged.error) == ("failed", "again")


def test_update_missing_message_returns_false(store: Store) -> None:
    assert store.update_message(999, content="gone", status="complete") is False
    chat = store.create_chat()
    reply = store.add_message(chat.id, "assistant", "", status="streaming")
    store.delete_chat(chat.id)  # e.g. deleted while the reply was streaming
    assert store.update_message(reply.id, content="late", status="complete") is False
    with pytest.raises(ValueError):
        store.update_message(reply.id, status="bogus")


def test_delete_message(store: Store) -> None:
    chat = store.create_chat()
    first = store.add_message(chat.id, "user", "one")
    second = store.add_message(chat.id, "assistant", "two")
    assert store.delete_message(first.id) is True
    assert store.delete_message(first.id) is False
    assert store.messages(chat.id) == [second]


def test_delete_messages_from(store: Store) -> None:
    chat = store.create_chat()
    other = store.create_chat()
    rows = [store.add_message(chat.id, role, text) for role, text in _turns(3)]
    interleaved = store.add_message(other.id, "user", "other chat")
    rows.append(store.add_message(chat.id, "user", "after the other chat's message"))
    # Regenerate from the second prompt: it and everything after it go.
    assert store.delete_messages_from(chat.id, rows[2].id) == len(rows) - 2
    assert store.messages(chat.id) == rows[:2]
    assert store.messages(other.id) == [interleaved]
    # An id from another chat, or a missing one, deletes nothing.
    assert store.delete_messages_from(chat.id, interleaved.id) == 0
    assert store.delete_messages_from(chat.id, 10_000) == 0
    assert store.messages(chat.id) == rows[:2]
    assert store.messages(other.id) == [interleaved]


def test_mark_interrupted(store: Store) -> None:
    chat = store.create_chat()
    prompt = store.add_message(chat.id, "user", "tell me a story")
    partial = store.add_message(chat.id, "assistant", "Once upon a", status="streaming")
    failed = store.add_message(chat.id, "assistant", "x", status="failed", error="boom")
    assert store.mark_interrupted() == 1
    stopped = store.get_message(partial.id)
    assert stopped is not None
    assert (stopped.status, stopped.error, stopped.content) == (
        "stopped",
        INTERRUPTED_ERROR,
        "Once upon a",
    )
    assert store.get_message(prompt.id) == prompt
    assert store.get_message(failed.id) == failed
    assert store.mark_interrupted() == 0


def test_mark_interrupted_after_a_crash(db_path: Path) -> None:
    # A process that dies without closing leaves its reply "streaming".
    script = (
        "import os, sys\n"
        "from tui_app.store import Store\n"
        "store = Store.open(sys.argv[1])\n"
        "chat = store.create_chat()\n"
        "store.add_message(chat.id, 'user', 'prompt saved before the request')\n"
        "store.add_message(chat.id, 'assistant', 'half a rep', status='streaming')\n"
        "os._exit(9)\n"
    )
    result = _run_python(script, str(db_path))
    assert result.returncode == 9, result.stderr
    with Store.open(db_path) as store:
        assert store.mark_interrupted() == 1
        [chat] = store.list_chats()
        prompt, reply = store.messages(chat.id)
    assert prompt.content == "prompt saved before the request"
    assert (reply.content, reply.status, reply.error) == (
        "half a rep",
        "stopped",
        INTERRUPTED_ERROR,
    )


# --------------------------------------------------------------------------------------------
# Long chats and paging


def _turns(count: int) -> list[tuple[str, str]]:
    """``count`` alternating user/assistant rows with numbered content."""
    return [("user" if i % 2 == 0 else "assistant", f"message {i}") for i in range(count)]


def test_paging_ten_thousand_messages(store: Store) -> None:
    chat = store.create_chat()
    assert store.add_messages(chat.id, iter(_turns(10_000))) == 10_000
    assert store.count_messages(chat.id) == 10_000

    everything = store.messages(chat.id)
    assert [m.content for m in everything] == [f"message {i}" for i in range(10_000)]
    assert [m.role for m in everything[:3]] == ["user", "assistant", "user"]
    assert all(m.status == "complete" and m.images == [] and m.stats == {} for m in everything)

    newest = store.messages(chat.id, limit=100)
    assert newest == everything[-100:]

    pages: list[list[MessageRecord]] = [newest]
    while True:
        page = store.messages(chat.id, limit=100, before_id=pages[-1][0].id)
        if not page:
            break
        assert len(page) == 100
        pages.append(page)
    assert len(pages) == 100
    assert [m for page in reversed(pages) for m in page] == everything

    middle = everything[5000].id
    assert store.messages(chat.id, before_id=middle) == everything[:5000]
    assert store.messages(chat.id, limit=3, before_id=middle) == everything[4997:5000]
    assert store.messages(chat.id, limit=0) == []
    assert store.messages(chat.id, limit=100, before_id=everything[0].id) == []
    with pytest.raises(ValueError):
        store.messages(chat.id, limit=-1)


def test_paging_is_per_chat(store: Store) -> None:
    first = store.create_chat()
    second = store.create_chat()
    for i in range(10):
        store.add_message(first.id, "user", f"first {i}")
        store.add_message(second.id, "user", f"second {i}")
    page = store.messages(first.id, limit=4)
    assert [m.content for m in page] == [f"first {i}" for i in range(6, 10)]
    older = store.messages(first.id, limit=4, before_id=page[0].id)
    assert [m.content for m in older] == [f"first {i}" for i in range(2, 6)]


def test_add_messages_is_all_or_nothing(store: Store) -> None:
    chat = store.create_chat()
    rows = [*_turns(50), ("wizard", "not a role"), *_turns(50)]
    with pytest.raises(ValueError):
        store.add_messages(chat.id, rows)
    assert store.count_messages(chat.id) == 0
    assert store.search("message") == []


# --------------------------------------------------------------------------------------------
# Search


@pytest.fixture(params=["fts5", "like"])
def search_store(
    request: pytest.FixtureRequest, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    """A store searched through the trigram index, and one with FTS5 unavailable."""
    if request.param == "like":
        monkeypatch.setattr(store_module, "_trigram_supported", lambda: False)
    with Store.open(db_path) as opened:
        assert opened.full_text_search is (request.param == "fts5")
        yield opened


def test_search_substrings_and_case(search_store: Store) -> None:
    chat = search_store.create_chat(title="Animals")
    message = search_store.add_message(chat.id, "user", "The quick brown fox jumps")
    for query in ("quick", "QUICK", "ick bro", "fox", "x", "ju", "The quick brown fox jumps"):
        hits = search_store.search(query)
        assert [h.message_id for h in hits] == [message.id], query
    [hit] = search_store.search("brown")
    assert (hit.chat_id, hit.chat_title, hit.role) == (chat.id, "Animals", "user")
    assert hit.created_at == message.created_at
    assert "brown" in hit.snippet
    assert search_store.search("quick fox") == []
    assert search_store.search("") == []
    assert search_store.search("   ") == []


@pytest.mark.parametrize(
    ("content", "query"),
    [
        ("東京タワーに行きました", "東京"),
        ("東京タワーに行きました", "タワーに行"),
        ("東京タワーに行きました", "京"),
        ("안녕하세요 세계", "하세요"),
        ("مرحبا بالعالم", "بالعالم"),
        ("party time 🎉 now", "🎉"),
        ("family 👩‍👩‍👧 emoji", "👩‍👩‍👧"),
        ("thumbs 👍🏽 up", "👍🏽 up"),
    ],
)
def test_search_cjk_rtl_and_emoji(search_store: Store, content: str, query: str) -> None:
    chat = search_store.create_chat()
    message = search_store.add_message(chat.id, "assistant", content)
    search_store.add_message(chat.id, "user", "unrelated text")
    [hit] = search_store.search(query)
    assert hit.message_id == message.id
    assert query in hit.snippet


@pytest.mark.parametrize(
    "query",
    [
        '"foo',
        'foo"',
        '""',
        "AND(",
        "foo AND bar",
        "NOT",
        "NEAR(a b)",
        "*",
        "foo*",
        "^foo",
        "content:foo",
        "-foo",
        "'",
        "(",
        ")",
        "{a b}",
        "%",
        "_",
        "\\",
        "a\x00b",
        "; DROP TABLE message; --",
    ],
)
def test_search_syntax_is_literal(search_store: Store, query: str) -> None:
    chat = search_store.create_chat()
    search_store.add_message(chat.id, "user", "plain words only: foo bar baz")
    search_store.search(query)  # must not raise
    literal = search_store.add_message(chat.id, "user", f"literal {query} here")
    hits = search_store.search(query)
    if "\x00" not in query:
        assert literal.id in [h.message_id for h in hits]
    assert search_store.count_messages(chat.id) == 2


def test_search_wildcards_are_not_wildcards(search_store: Store) -> None:
    chat = search_store.create_chat()
    search_store.add_message(chat.id, "user", "1000 apples and file.txt")
    assert search_store.search("10%") == []
    assert search_store.search("1_00") == []
    assert search_store.search("file?txt") == []
    hit = search_store.add_message(chat.id, "user", "grew 10% to 1_000")
    assert [h.message_id for h in search_store.search("10%")] == [hit.id]
    assert [h.message_id for h in search_store.search("1_0")] == [hit.id]


def test_search_newest_first_with_limit(search_store: Store, clock: Clock) -> None:
    old_chat = search_store.create_chat(title="old")
    new_chat = search_store.create_chat(title="new")
    ids = [
        search_store.add_message(chat.id, "user", f"needle number {i}").id
        for i, chat in enumerate([old_chat, new_chat, old_chat, new_chat])
    ]
    search_store.add_message(new_chat.id, "user", "no match")
    hits = search_store.search("needle")
    assert [h.message_id for h in hits] == ids[::-1]
    assert [h.chat_title for h in hits] == ["new", "old", "new", "old"]
    assert [h.message_id for h in search_store.search("needle", limit=2)] == ids[:1:-1]
    assert search_store.search("needle", limit=0) == []


def test_search_index_follows_updates_and_deletes(search_store: Store) -> None:
    chat = search_store.create_chat()
    reply = search_store.add_message(chat.id, "assistant", "", status="streaming")
    assert search_store.search("photosynthesis") == []
    search_store.update_message(reply.id, content="Photosynthesis turns light into sugar")
    assert [h.message_id for h in search_store.search("photosynthesis")] == [reply.id]
    search_store.update_message(reply.id, content="Mitochondria is the powerhouse")
    assert search_store.search("photosynthesis") == []
    assert [h.message_id for h in search_store.search("powerhouse")] == [reply.id]
    search_store.update_message(reply.id, status="complete", stats={"eval_count": 5})
    assert [h.message_id for h in search_store.search("powerhouse")] == [reply.id]
    search_store.delete_message(reply.id)
    assert search_store.search("powerhouse") == []
    kept = search_store.add_message(chat.id, "user", "keep me, powerhouse")
    later = search_store.add_message(chat.id, "assistant", "drop me, powerhouse")
    search_store.delete_messages_from(chat.id, later.id)
    assert [h.message_id for h in search_store.search("powerhouse")] == [kept.id]
    search_store.delete_chat(chat.id)
    assert search_store.search("powerhouse") == []


def test_search_snippet_is_one_plain_line(search_store: Store) -> None:
    chat = search_store.create_chat()
    before = "lorem ipsum\n\n" * 200
    after = "\tdolor sit amet " * 200
    search_store.add_message(chat.id, "user", f"{before}The NEEDLE is here{after}")
    [hit] = search_store.search("needle")
    assert "The NEEDLE is here" in hit.snippet
    assert "\n" not in hit.snippet
    assert "\t" not in hit.snippet
    assert "  " not in hit.snippet
    assert hit.snippet.startswith("…")
    assert hit.snippet.endswith("…")
    assert len(hit.snippet) < 250


def test_search_snippet_short_message_is_whole(search_store: Store) -> None:
    chat = search_store.create_chat()
    search_store.add_message(chat.id, "user", "  short   message\n")
    [hit] = search_store.search("message")
    assert hit.snippet == "short message"


def test_search_in_a_huge_message(search_store: Store) -> None:
    chat = search_store.create_chat()
    content = "x" * 600_000 + " the ZEBRA crossing " + "y" * 600_000
    search_store.add_message(chat.id, "user", content)
    [hit] = search_store.search("zebra crossing")
    assert "the ZEBRA crossing" in hit.snippet
    assert len(hit.snippet) < 400


def test_search_index_is_built_when_fts5_becomes_available(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        patched.setattr(store_module, "_trigram_supported", lambda: False)
        with Store.open(db_path) as store:
            assert store.full_text_search is False
            chat = store.create_chat()
            message = store.add_message(chat.id, "user", "written without an index")
    with Store.open(db_path) as store:
        assert store.full_text_search is True
        assert [h.message_id for h in store.search("without an index")] == [message.id]


# --------------------------------------------------------------------------------------------
# Settings and presets


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -1, 2.5, "text ✓", [1, "two", None], {"nested": {"list": [1.5, False]}}],
)
def test_setting_round_trip(db_path: Path, value: object) -> None:
    with Store.open(db_path) as store:
        store.set_setting("key", value)
        assert store.get_setting("key") == value
    with Store.open(db_path) as store:
        assert store.get_setting("key", "default") == value


def test_settings(store: Store) -> None:
    assert store.get_setting("missing") is None
    assert store.get_setting("missing", {"x": 1}) == {"x": 1}
    store.set_setting("defaults.options", {"temperature": 0.7})
    store.set_setting("defaults.options", {"temperature": 0.1, "num_ctx": 4096})
    assert store.get_setting("defaults.options") == {"temperature": 0.1, "num_ctx": 4096}
    assert store.delete_setting("defaults.options") is True
    assert store.delete_setting("defaults.options") is False
    assert store.get_setting("defaults.options", "gone") == "gone"
    with pytest.raises(TypeError):
        store.set_setting("bad", {1, 2})
    with pytest.raises(ValueError):
        store.set_setting("bad", float("nan"))
    assert store.get_setting("bad") is None


def test_presets(db_path: Path) -> None:
    creative = Preset(
        "creative",
        {"temperature": 1.2, "top_p": 0.95, "stop": ["###"]},
        {"keep_alive": "10m", "think": "low", "format": None},
    )
    with Store.open(db_path) as store:
        assert store.list_presets() == []
        store.save_preset(creative)
        store.save_preset(Preset("Precise", {"temperature": 0.0, "seed": 42}))
        store.save_preset(Preset("b-empty"))
        assert [p.name for p in store.list_presets()] == ["b-empty", "creative", "Precise"]
        assert store.get_preset("creative") == creative
        assert store.get_preset("nope") is None
    with Store.open(db_path) as store:
        assert store.get_preset("creative") == creative
        assert store.get_preset("b-empty") == Preset("b-empty", {}, {})
        updated = Preset("creative", {"temperature": 1.5}, {})
        store.save_preset(updated)
        assert store.get_preset("creative") == updated
        assert len(store.list_presets()) == 3
        assert store.delete_preset("b-empty") is True
        assert store.delete_preset("b-empty") is False
        assert [p.name for p in store.list_presets()] == ["creative", "Precise"]


def test_rename_preset(store: Store) -> None:
    store.save_preset(Preset("a", {"temperature": 0.1}))
    store.save_preset(Preset("b", {"temperature": 0.2}))
    with pytest.raises(ValueError, match="already exists"):
        store.rename_preset("a", "b")
    assert store.get_preset("a") == Preset("a", {"temperature": 0.1})
    assert store.get_preset("b") == Preset("b", {"temperature": 0.2})
    store.rename_preset("a", "c")
    assert store.get_preset("a") is None
    assert store.get_preset("c") == Preset("c", {"temperature": 0.1})
    store.rename_preset("c", "c")
    assert store.get_preset("c") == Preset("c", {"temperature": 0.1})
    with pytest.raises(NotFoundError):
        store.rename_preset("missing", "d")
    with pytest.raises(ValueError):
        store.rename_preset("c", " ")


def test_preset_validation(store: Store) -> None:
    with pytest.raises(ValueError):
        store.save_preset(Preset(""))
    with pytest.raises(TypeError):
        store.save_preset(Preset("x", {"o": object()}))
    assert store.list_presets() == []


# --------------------------------------------------------------------------------------------
# Files, permissions and journal mode


def test_new_file_and_directory_modes(tmp_path: Path) -> None:
    old_umask = os.umask(0)  # the most permissive umask: modes must still be private
    try:
        path = tmp_path / "nested" / "deeper" / "ollama-tui.db"
        with Store.open(path) as store:
            store.create_chat()
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
            wal = path.with_name(path.name + "-wal")
            assert wal.exists()
            assert stat.S_IMODE(os.stat(wal).st_mode) == 0o600
    finally:
        os.umask(old_umask)


def test_existing_directory_and_file_modes_are_kept(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    path = directory / "ollama-tui.db"
    with Store.open(path):
        pass
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o755
    os.chmod(path, 0o640)
    with Store.open(path):
        pass
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_wal_mode_and_foreign_keys(store: Store, db_path: Path) -> None:
    assert pragma(db_path, "journal_mode") == "wal"
    connection = store._connection
    assert connection is not None
    # NORMAL (1) with WAL: an app crash never loses a commit.
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert pragma(db_path, "user_version") == SCHEMA_VERSION
    chat = store.create_chat()
    store.add_message(chat.id, "user", "x")
    store.delete_chat(chat.id)
    connection = raw(db_path)
    try:
        assert connection.execute("SELECT count(*) FROM message").fetchone()[0] == 0
    finally:
        connection.close()


def test_path_with_odd_characters(tmp_path: Path) -> None:
    path = tmp_path / "dir with spaces?#%&=;[x]" / "ollama-tui.db"
    with Store.open(path) as store:
        store.create_chat(title="odd")
    with Store(path) as store:
        assert [c.title for c in store.list_chats()] == ["odd"]
    assert path.exists()


def test_close_is_idempotent_and_final(db_path: Path) -> None:
    store = Store.open(db_path)
    assert store.closed is False
    assert store.path == db_path
    store.close()
    store.close()
    assert store.closed is True
    with pytest.raises(StoreError, match="closed"):
        store.list_chats()
    with pytest.raises(StoreError, match="closed"):
        store.create_chat()


# --------------------------------------------------------------------------------------------
# Migrations and refusing unusable files


def _build_v1_file(path: Path) -> None:
    """Write a database exactly as schema version 1 left it, with some data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(V1_DDL)
        connection.executescript(
            """
            INSERT INTO chat (id, title, model, system, options, keep_alive, think, format,
                              created_at, updated_at)
            VALUES (1, 'Old chat', 'llama3.2', 'sys', '{"temperature":0.3}', '5m', 'low',
                    'json', 100.0, 200.0);
            INSERT INTO message (id, chat_id, role, content, created_at)
            VALUES (1, 1, 'user', 'What is the capital of Australia?', 150.0);
            INSERT INTO message (id, chat_id, role, content, thinking, stats, status, error,
                                 model, created_at)
            VALUES (2, 1, 'assistant', 'Canberra, not Sydney.', 'recall', '{"eval_count":4}',
                    'streaming', NULL, 'llama3.2', 160.0);
            INSERT INTO setting (key, value) VALUES ('theme', '"dracula"');
            INSERT INTO preset (name, options, request) VALUES ('p', '{"seed":1}', '{}');
            """
        )
        connection.commit()
    finally:
        connection.close()


def test_migrates_v1_file_to_current_keeping_data(db_path: Path) -> None:
    _build_v1_file(db_path)
    assert pragma(db_path, "user_version") == 1
    with Store.open(db_path) as store:
        assert store.full_text_search is True
        [chat] = store.list_chats()
        assert chat == ChatRecord(
            id=1,
            title="Old chat",
            model="llama3.2",
            system="sys",
            options={"temperature": 0.3},
            keep_alive="5m",
            think="low",
            format="json",
            created_at=100.0,
            updated_at=200.0,
        )
        prompt, reply = store.messages(1)
        assert prompt.content == "What is the capital of Australia?"
        assert (reply.thinking, reply.stats, reply.status) == (
            "recall",
            {"eval_count": 4},
            "streaming",
        )
        assert store.get_setting("theme") == "dracula"
        assert store.get_preset("p") == Preset("p", {"seed": 1}, {})
        # Rows written before the index existed are searchable.
        assert [h.message_id for h in store.search("Canberra")] == [2]
        assert [h.message_id for h in store.search("capital of")] == [1]
        new = store.add_message(1, "user", "And of Canada?")
        assert [h.message_id for h in store.search("Canada")] == [new.id]
        assert store.mark_interrupted() == 1
    assert pragma(db_path, "user_version") == SCHEMA_VERSION
    assert pragma(db_path, "integrity_check") == "ok"


def test_failed_migration_leaves_file_at_old_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build_v1_file(db_path)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(store_module, "_MIGRATIONS", (store_module._migrate_to_v1, broken))
    with pytest.raises(RuntimeError, match="migration bug"):
        Store.open(db_path)
    assert pragma(db_path, "user_version") == 1
    connection = raw(db_path)
    try:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert connection.execute("SELECT count(*) FROM message").fetchone()[0] == 2
    finally:
        connection.close()
    assert "half_done" not in names
    assert "message_fts" not in names


def test_newer_database_is_refused_untouched(db_path: Path) -> None:
    with Store.open(db_path) as store:
        store.create_chat(title="from the future")
    connection = raw(db_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    connection.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseTooNewError) as caught:
        Store.open(db_path)
    error = caught.value
    assert (error.path, error.found, error.supported) == (
        db_path,
        SCHEMA_VERSION + 5,
        SCHEMA_VERSION,
    )
    assert str(db_path) in str(error)
    assert "left untouched" in str(error)
    assert isinstance(error, StoreError)
    assert db_path.read_bytes() == before
    assert sidecars(db_path) == []


@pytest.mark.parametrize(
    "garbage",
    [
        b"this is not a database, it is a shopping list\n" * 200,
        b"\x00" * 4096,
        b"SQLite format 3\x00" + b"\xff" * 4080,
    ],
    ids=["text", "zeros", "bad-header"],
)
def test_garbage_file_is_refused_untouched(db_path: Path, garbage: bytes) -> None:
    db_path.parent.mkdir()
    db_path.write_bytes(garbage)
    with pytest.raises(DatabaseCorruptError) as caught:
        Store.open(db_path)
    assert caught.value.path == db_path
    assert str(db_path) in str(caught.value)
    assert "left untouched" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert db_path.read_bytes() == garbage
    assert sidecars(db_path) == []


def test_damaged_database_is_refused_untouched(db_path: Path) -> None:
    with Store.open(db_path) as store:
        chat = store.create_chat()
        store.add_messages(chat.id, ((r, c * 20) for r, c in _turns(2000)))
    data = bytearray(db_path.read_bytes())
    page = 4096
    for number in range(3, len(data) // page, 2):
        data[number * page + 100 : number * page + 300] = b"\xa5" * 200
    damaged = bytes(data)
    db_path.write_bytes(damaged)
    with pytest.raises(DatabaseCorruptError) as caught:
        Store.open(db_path)
    message = str(caught.value)
    assert str(db_path) in message
    assert "left untouched" in message
    assert "\n" not in message
    assert len(message) < 600
    assert db_path.read_bytes() == damaged


def test_foreign_sqlite_database_is_refused_untouched(db_path: Path) -> None:
    db_path.parent.mkdir()
    connection = sqlite3.connect(db_path)
    connection.execute("CREATE TABLE chat (id INTEGER PRIMARY KEY, body BLOB)")
    connection.execute("INSERT INTO chat (body) VALUES (x'00')")
    connection.commit()
    connection.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseCorruptError, match="did not create"):
        Store.open(db_path)
    assert db_path.read_bytes() == before
    assert pragma(db_path, "journal_mode") == "delete"


def test_other_applications_database_is_refused_untouched(db_path: Path) -> None:
    db_path.parent.mkdir()
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA application_id = 12345")
    connection.execute("PRAGMA user_version = 1")
    connection.commit()
    connection.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseCorruptError, match="another application"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_empty_existing_file_becomes_a_database(db_path: Path) -> None:
    db_path.parent.mkdir()
    db_path.touch()
    with Store.open(db_path) as store:
        store.create_chat()
    assert pragma(db_path, "user_version") == SCHEMA_VERSION


def test_unopenable_path_is_a_store_error(tmp_path: Path) -> None:
    directory = tmp_path / "is-a-directory.db"
    directory.mkdir()
    with pytest.raises(StoreError) as caught:
        Store.open(directory)
    assert not isinstance(caught.value, DatabaseCorruptError)
    assert str(directory) in str(caught.value)
    assert directory.is_dir()


def test_data_directory_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("I am a file, not a directory")
    with pytest.raises(StoreError) as caught:
        Store.open(blocker / "sub" / "ollama-tui.db")
    assert str(blocker / "sub") in str(caught.value)
    assert blocker.read_text() == "I am a file, not a directory"


# --------------------------------------------------------------------------------------------
# Concurrency


def test_threads_share_one_store(store: Store) -> None:
    chat = store.create_chat()
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(50):
                message = store.add_message(chat.id, "user", f"w{worker} m{i}")
                store.update_message(message.id, stats={"i": i})
                store.messages(chat.id, limit=5)
                store.search(f"w{worker} m")
                store.list_chats()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count_messages(chat.id) == 400
    assert all(m.stats for m in store.messages(chat.id))


_WRITER = """
import sys
from tui_app.store import Store

path, chat_id, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with Store.open(path) as store:
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(count):
        message = store.add_message(chat_id, "user", f"process {i}")
        store.update_message(message.id, status="complete", stats={"i": i})
print("done", flush=True)
"""


def _run_python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter that can import the package."""
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        timeout=120,
        check=False,
    )


def test_two_stores_and_another_process_write_concurrently(db_path: Path) -> None:
    count = 150
    with Store.open(db_path) as setup:
        chat_id = setup.create_chat(title="busy").id
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db_path), str(chat_id), str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None and process.stdin is not None
        assert process.stdout.readline().strip() == "ready"
        stores = [Store.open(db_path), Store.open(db_path)]
        errors: list[BaseException] = []

        def write(number: int, store: Store) -> None:
            try:
                for i in range(count):
                    message = store.add_message(chat_id, "assistant", f"store{number} {i}")
                    store.update_message(message.id, status="complete", stats={"i": i})
                    store.set_setting(f"store{number}", i)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=write, args=(n, s)) for n, s in enumerate(stores)]
        process.stdin.write("go\n")
        process.stdin.flush()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
        assert stdout.strip() == "done"
        assert errors == []
        for store in stores:
            store.close()
    finally:
        if process.poll() is None:  # pragma: no cover - only when the test already failed
            process.kill()

    with Store.open(db_path) as store:
        contents = {m.content for m in store.messages(chat_id)}
        assert store.count_messages(chat_id) == 3 * count
        assert store.get_setting("store0") == count - 1
        assert store.get_setting("store1") == count - 1
        expected_hits = sum(1 for i in range(count) if str(i).startswith("1"))
        assert len(store.search("process 1", limit=count)) == expected_hits
    expected = {f"{prefix} {i}" for prefix in ("process", "store0", "store1") for i in range(count)}
    assert contents == expected
    assert pragma(db_path, "integrity_check") == "ok"


def test_two_processes_create_the_same_new_file(tmp_path: Path) -> None:
    path = tmp_path / "race" / "ollama-tui.db"
    script = (
        "import sys\n"
        "from tui_app.store import Store\n"
        "with Store.open(sys.argv[1]) as store:\n"
        "    chat = store.create_chat(title='racer')\n"
        "    store.add_message(chat.id, 'user', 'hello')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path)],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(4)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    with Store.open(path) as store:
        assert [c.title for c in store.list_chats()] == ["racer"] * 4
        assert len(store.search("hello")) == 4
    assert pragma(path, "integrity_check") == "ok"
    assert pragma(path, "user_version") == SCHEMA_VERSION


# --------------------------------------------------------------------------------------------
# Layering


def test_importing_store_and_paths_loads_no_ui_and_writes_nothing(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import tui_app.store, tui_app.core.paths\n"
        "loaded = sorted(n for n in ('textual', 'rich', 'httpx') if n in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "xdg"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    assert list(home.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


def test_sqlite_errors_come_out_as_store_errors(store: Store) -> None:
    """Callers catch StoreError to keep what the user typed; SQLite's own errors must not
    slip past them."""
    with pytest.raises(StoreError, match="no such table"), store._write() as db:
        db.execute("INSERT INTO no_such_table VALUES (1)")
    with pytest.raises(StoreError, match="no such table"), store._read() as db:
        db.execute("SELECT * FROM no_such_table")
    # The failed write was rolled back and the store still works.
    assert store.create_chat(title="after").title == "after"
