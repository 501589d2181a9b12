"""The workbench's history in the store: recorded as sent, finished, listed, pruned, and
added to an older file by a migration that keeps everything else."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_app import store as store_module
from tui_app.store import NotFoundError, Store, WorkbenchRecord


class Clock:
    """Distinct, increasing store timestamps."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "data" / "ollama-tui.db", clock=Clock()) as opened:
        yield opened


def test_a_request_is_recorded_then_finished(store: Store) -> None:
    body: dict[str, object] = {"model": "llama3.2", "prompt": "Hi", "stream": True}
    added = store.add_workbench_request("generate", body)
    assert (added.mode, added.model, added.body, added.status) == (
        "generate",
        "llama3.2",
        body,
        "running",
    )
    assert store.list_workbench_requests() == [added]
    store.finish_workbench_request(added.id, "complete", result="Hello!", stats="2 tokens")
    [done] = store.list_workbench_requests()
    assert done == WorkbenchRecord(
        added.id,
        "generate",
        "llama3.2",
        body,
        "complete",
        "Hello!",
        "2 tokens",
        None,
        1_700_000_001.0,
    )
    store.finish_workbench_request(added.id, "failed", error="boom")
    assert store.list_workbench_requests()[0].error == "boom"


def test_newest_first_and_deleting_one(store: Store) -> None:
    first = store.add_workbench_request("generate", {"model": "a", "prompt": "1"})
    second = store.add_workbench_request("embed", {"model": "b", "input": ["x", "y"]})
    assert [r.id for r in store.list_workbench_requests()] == [second.id, first.id]
    assert [r.id for r in store.list_workbench_requests(limit=1)] == [second.id]
    assert store.delete_workbench_request(first.id)
    assert not store.delete_workbench_request(first.id)
    assert [r.id for r in store.list_workbench_requests()] == [second.id]


def test_only_the_newest_are_kept(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "WORKBENCH_KEPT", 3)
    ids = [
        store.add_workbench_request("generate", {"model": "m", "prompt": str(i)}).id
        for i in range(5)
    ]
    assert [r.id for r in store.list_workbench_requests()] == ids[:1:-1]


def test_bad_values_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="mode"):
        store.add_workbench_request("chat", {"model": "m"})
    with pytest.raises(TypeError):
        store.add_workbench_request("generate", {"model": "m", 1: "x"})  # type: ignore[dict-item]
    added = store.add_workbench_request("generate", {"model": "m", "prompt": "p"})
    with pytest.raises(ValueError, match="status"):
        store.finish_workbench_request(added.id, "done")
    with pytest.raises(NotFoundError):
        store.finish_workbench_request(added.id + 100, "complete")


def test_an_older_file_gains_the_table_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    migrations = store_module._MIGRATIONS
    older = migrations[: migrations.index(store_module._migrate_workbench)]
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for number, migrate in enumerate(older):
            migrate(connection)
            connection.execute(f"PRAGMA user_version = {number + 1}")
        connection.execute(
            "INSERT INTO chat (title, created_at, updated_at) VALUES ('kept', 1.0, 1.0)"
        )
    finally:
        connection.close()
    with Store.open(path) as opened:
        assert [chat.title for chat in opened.list_chats()] == ["kept"]
        assert opened.list_workbench_requests() == []
        opened.add_workbench_request("embed", {"model": "m", "input": "x"})
        assert len(opened.list_workbench_requests()) == 1
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == store_module.SCHEMA_VERSION
    finally:
        check.close()
