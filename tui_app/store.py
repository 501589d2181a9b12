"""Persistence: one SQLite file holding chats, messages, settings and option presets.

The store is synchronous and UI-free. The app calls it from worker threads
(``asyncio.to_thread``) and now and then from the UI thread, so one connection is shared behind
a re-entrant lock and every public method is a short transaction of its own.

Data safety rules, in order of importance:

* an existing file is never deleted, overwritten or recreated; a file this code cannot use
  (corrupt, not a database, written by a newer version) raises a :class:`StoreError` subclass
  whose message names the file and says it was left untouched;
* writes use ``BEGIN IMMEDIATE`` in WAL mode with a busy timeout, so two app instances on one
  data directory queue up instead of failing half-way or corrupting the file;
* the schema version lives in ``PRAGMA user_version`` and is raised by ordered migrations, each
  applied in the same transaction as its version bump.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from tui_app.records import (
    ChatRecord,
    ComparisonRecord,
    MessageRecord,
    Preset,
    SearchHit,
    WorkbenchRecord,
)
from tui_app.safe_text import safe_line, safe_text

__all__ = [
    "INTERRUPTED_ERROR",
    "MESSAGE_STATUSES",
    "ROLES",
    "SCHEMA_VERSION",
    "THINK_CHOICES",
    "THINK_VALUES",
    "WORKBENCH_MODES",
    "WORKBENCH_STATUSES",
    "ChatRecord",
    "ComparisonRecord",
    "DatabaseCorruptError",
    "DatabaseTooNewError",
    "MessageRecord",
    "NotFoundError",
    "Preset",
    "SearchHit",
    "Store",
    "StoreError",
    "WorkbenchRecord",
]

ROLES: Final = frozenset({"system", "user", "assistant", "tool"})
"""Message roles the store accepts (the roles of Ollama's chat API)."""

MESSAGE_STATUSES: Final = frozenset({"complete", "streaming", "stopped", "failed"})
"""Lifecycle of a message: ``streaming`` until the reply ends one of the other three ways."""

WORKBENCH_MODES: Final = frozenset({"generate", "embed"})
"""Endpoints a workbench request may be for."""

WORKBENCH_STATUSES: Final = frozenset({"running", "complete", "stopped", "failed"})
"""Lifecycle of a workbench request: ``running`` until it ends one of the other three ways."""

WORKBENCH_KEPT: Final = 500
"""The newest workbench requests kept; older ones go as new ones are added."""

THINK_CHOICES: Final = ("off", "on", "low", "medium", "high", "max")
"""Think settings, in order; ``None`` follows the defaults. The one list of them: the
options layer reads it as ``THINK_LEVELS``."""

THINK_VALUES: Final = frozenset(THINK_CHOICES)
"""The same, for membership tests."""

INTERRUPTED_ERROR: Final = "interrupted: the app closed before the reply finished"
"""Error text given by :meth:`Store.mark_interrupted` to replies a crash left streaming."""

CHAT_FIELDS: Final = (
    "title",
    "model",
    "system",
    "options",
    "keep_alive",
    "think",
    "format",
    "host",
    "tools",
)
"""Chat fields that :meth:`Store.update_chat` accepts."""

BUSY_TIMEOUT_MS: Final = 5000
"""How long a write waits for another connection's write to finish before giving up."""

_APPLICATION_ID: Final = 0x4F4C5454
"""``PRAGMA application_id`` of our files ("OLTT"), so a foreign SQLite file is recognised."""

_SNIPPET_LEAD: Final = 60
"""Characters of context kept before a search match."""

_SNIPPET_TAIL: Final = 100
"""Characters of context kept after a search match."""


# --------------------------------------------------------------------------------------------
# Errors


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class DatabaseTooNewError(StoreError):
    """The file's schema version is newer than this code understands."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.path = path
        """The database file."""
        self.found = found
        """``user_version`` found in the file."""
        self.supported = supported
        """Highest schema version this code understands."""
        super().__init__(
            f"The database {path} has schema version {found}, but this ollama-tui only "
            f"understands up to version {supported}; it was written by a newer ollama-tui. "
            "The file was left untouched: upgrade ollama-tui or use another --data-dir."
        )


class DatabaseCorruptError(StoreError):
    """The file is damaged, not an SQLite database, or not an ollama-tui database."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = path
        """The database file."""
        self.detail = detail
        """What SQLite (or the schema check) reported."""
        super().__init__(
            f"The database {path} cannot be used ({detail}): it is damaged or not an "
            "ollama-tui database. The file was left untouched: move it aside or use another "
            "--data-dir."
        )


class NotFoundError(StoreError, LookupError):
    """A chat, message or preset that an operation needs does not exist."""


# --------------------------------------------------------------------------------------------
# Schema and migrations

_V1_SCHEMA: Final = (
    """
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
    )
    """,
    "CREATE INDEX chat_by_updated ON chat (updated_at, id)",
    """
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
    )
    """,
    "CREATE INDEX message_by_chat ON message (chat_id, id)",
    # Start-up looks for replies a crash left streaming; a partial index keeps that instant.
    "CREATE INDEX message_streaming ON message (status) WHERE status = 'streaming'",
    "CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    """
    CREATE TABLE preset (
        name TEXT PRIMARY KEY,
        options TEXT NOT NULL DEFAULT '{}',
        request TEXT NOT NULL DEFAULT '{}'
    )
    """,
    f"PRAGMA application_id = {_APPLICATION_ID}",
)

_SEARCH_SCHEMA: Final = (
    # External content: the text lives once, in ``message``; the index only holds trigrams.
    # The reasoning is indexed beside the answer, so a search finds what a model thought too.
    """
    CREATE VIRTUAL TABLE message_fts USING fts5(
        content, thinking, content='message', content_rowid='id', tokenize='trigram'
    )
    """,
    """
    CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN
        INSERT INTO message_fts (rowid, content, thinking)
        VALUES (new.id, new.content, new.thinking);
    END
    """,
    """
    CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN
        INSERT INTO message_fts (message_fts, rowid, content, thinking)
        VALUES ('delete', old.id, old.content, old.thinking);
    END
    """,
    # Only text changes touch the index, so status and stats updates stay cheap.
    """
    CREATE TRIGGER message_fts_update AFTER UPDATE OF content, thinking ON message BEGIN
        INSERT INTO message_fts (message_fts, rowid, content, thinking)
        VALUES ('delete', old.id, old.content, old.thinking);
        INSERT INTO message_fts (rowid, content, thinking)
        VALUES (new.id, new.content, new.thinking);
    END
    """,
    "INSERT INTO message_fts (message_fts) VALUES ('rebuild')",
)

_OLD_SEARCH_OBJECTS: Final = (
    "DROP TRIGGER IF EXISTS message_fts_insert",
    "DROP TRIGGER IF EXISTS message_fts_delete",
    "DROP TRIGGER IF EXISTS message_fts_update",
    "DROP TABLE IF EXISTS message_fts",
)
"""Removes the version 2 index (content only), so version 3 can build it again."""


@functools.cache
def _trigram_supported() -> bool:
    """Whether the linked SQLite has FTS5 with the trigram tokenizer (SQLite ≥ 3.34)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE probe USING fts5(x, tokenize='trigram')")
    except sqlite3.Error:
        return False
    finally:
        probe.close()
    return True


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the main schema has a table called ``name``."""
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def _migrate_to_v1(db: sqlite3.Connection) -> None:
    """Create the initial schema: chats, messages, settings, presets."""
    for statement in _V1_SCHEMA:
        db.execute(statement)


def _migrate_to_v2(db: sqlite3.Connection) -> None:
    """Add the full-text search index over message content."""
    _ensure_search_index(db)


def _migrate_to_v3(db: sqlite3.Connection) -> None:
    """Index the reasoning (``thinking``) of messages beside their content.

    The index holds no data of its own, so it is dropped and built again from the messages.
    """
    for statement in _OLD_SEARCH_OBJECTS:
        db.execute(statement)
    _ensure_search_index(db)


def _ensure_search_index(db: sqlite3.Connection) -> None:
    """Create and fill the search index if this SQLite can and the file lacks it.

    A file made by a build without trigram support gets its index the first time a build
    with it opens the file, so search upgrades itself instead of staying on the slow path.
    """
    if _has_table(db, "message_fts") or not _trigram_supported():
        return
    for statement in _SEARCH_SCHEMA:
        db.execute(statement)


_WORKBENCH_SCHEMA: Final = (
    """
    CREATE TABLE workbench_request (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mode TEXT NOT NULL,
        model TEXT NOT NULL,
        body TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'running',
        result TEXT NOT NULL DEFAULT '',
        stats TEXT NOT NULL DEFAULT '',
        error TEXT,
        created_at REAL NOT NULL
    )
    """,
    "CREATE INDEX workbench_by_time ON workbench_request (created_at, id)",
)


def _migrate_workbench(db: sqlite3.Connection) -> None:
    """Add the history of requests sent from the workbench."""
    for statement in _WORKBENCH_SCHEMA:
        db.execute(statement)


def _migrate_add_comparisons(db: sqlite3.Connection) -> None:
    """Add saved comparisons: one prompt run in several columns, kept as one JSON document."""
    db.execute(
        """
        CREATE TABLE comparison (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        )
        """
    )


def _add_chat_host(db: sqlite3.Connection) -> None:
    """Remember which host each chat runs on (NULL: the default host, as before)."""
    db.execute("ALTER TABLE chat ADD COLUMN host TEXT")


def _migrate_tools(db: sqlite3.Connection) -> None:
    """Keep the tool calls of replies, the tool a result answers, and each chat's tools."""
    db.execute("ALTER TABLE message ADD COLUMN tool_calls TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE message ADD COLUMN tool_name TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE chat ADD COLUMN tools TEXT")


_MIGRATIONS: Final[tuple[Callable[[sqlite3.Connection], None], ...]] = (
    _migrate_to_v1,
    _migrate_to_v2,
    _migrate_to_v3,
    _migrate_workbench,
    _migrate_add_comparisons,
    _add_chat_host,
    _migrate_tools,
)

SCHEMA_VERSION: Final = len(_MIGRATIONS)
"""The schema version this code writes; ``user_version`` of an up-to-date file."""


# --------------------------------------------------------------------------------------------
# Value checks and JSON columns


def _to_json(value: object) -> str:
    """Encode a JSON column; NaN and infinity are refused because Ollama cannot parse them."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _json_object(value: object, what: str) -> str:
    """Encode a ``dict[str, object]`` column, refusing keys JSON would silently stringify."""
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise TypeError(f"{what} must be a dict with str keys, not {value!r}")
    return _to_json(value)


def _json_images(value: object) -> str:
    """Encode the images column: a list of base64 strings."""
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise TypeError("images must be a list of base64 strings")
    return _to_json(list(value))


def _load_object(text: str) -> dict[str, object]:
    """Decode a dict column."""
    if text == "{}":
        return {}
    value: Any = json.loads(text)
    if not isinstance(value, dict):
        raise StoreError(f"expected a JSON object in the database, found {text[:80]!r}")
    return value


def _load_images(text: str) -> list[str]:
    """Decode the images column."""
    if text == "[]":
        return []
    value: Any = json.loads(text)
    if not isinstance(value, list):
        raise StoreError(f"expected a JSON array in the database, found {text[:80]!r}")
    return [str(item) for item in value]


def _optional_str(value: object, what: str) -> str | None:
    """Check that ``value`` is ``None`` or a string."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{what} must be a str or None, not {value!r}")
    return value


def _required_str(value: object, what: str) -> str:
    """Check that ``value`` is a string."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {value!r}")
    return value


def _name(value: object, what: str) -> str:
    """Check a title or preset name: a string with something other than whitespace."""
    text = _required_str(value, what)
    if not text.strip():
        raise ValueError(f"{what} must not be empty")
    return text


def _role(value: object) -> str:
    """Check a message role."""
    if value not in ROLES:
        raise ValueError(f"role must be one of {sorted(ROLES)}, not {value!r}")
    return str(value)


def _status(value: object) -> str:
    """Check a message status."""
    if value not in MESSAGE_STATUSES:
        raise ValueError(f"status must be one of {sorted(MESSAGE_STATUSES)}, not {value!r}")
    return str(value)


def _think(value: object) -> str | None:
    """Check a per-chat think setting."""
    if value is not None and value not in THINK_VALUES:
        raise ValueError(f"think must be None or one of {sorted(THINK_VALUES)}, not {value!r}")
    return None if value is None else str(value)


def _format(value: object) -> str | None:
    """Check a ``format``: ``None``, ``"off"``, ``"json"`` or the text of a JSON schema object.

    ``"off"`` turns off a format the global defaults set, while ``None`` (and an empty
    string, stored as ``None``) follows them. The column was always free text, so files
    written before ``"off"`` existed read as they are.
    """
    text = _optional_str(value, "format")
    if not text or text in ("json", "off"):
        return text or None
    try:
        schema: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"format must be 'json' or a JSON schema object: {error}") from None
    if not isinstance(schema, dict):
        raise ValueError("format must be 'json' or a JSON schema object")
    return text


def _tools(value: object) -> str | None:
    """A chat's tools: None, or the text of a JSON list of objects."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("tools must be a string or None")
    try:
        tools = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(f"tools must be JSON: {error}") from None
    if not isinstance(tools, list) or not all(isinstance(tool, dict) for tool in tools):
        raise ValueError("tools must be a JSON list of objects")
    return value


def _json_calls(value: object) -> str:
    """Tool calls as stored: a JSON list of objects (their wire form)."""
    if not isinstance(value, list) or not all(isinstance(call, dict) for call in value):
        raise TypeError("tool_calls must be a list of objects")
    return _to_json(value)


def _load_calls(text: str) -> list[dict[str, object]]:
    """Tool calls read back; anything that is not a list of objects reads as none."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return []
    if not isinstance(value, list):
        return []
    return [call for call in value if isinstance(call, dict)]


def _chat_column(name: str, value: object) -> object:
    """Check one chat field and return its column value."""
    if name == "title":
        return _name(value, "title")
    if name == "options":
        return _json_object(value, "options")
    if name == "think":
        return _think(value)
    if name == "format":
        return _format(value)
    if name == "tools":
        return _tools(value)
    return _optional_str(value, name)


# --------------------------------------------------------------------------------------------
# Row decoding

_CHAT_COLUMNS: Final = (
    "id, title, model, system, options, keep_alive, think, format, created_at, updated_at, host,"
    " tools"
)
_MESSAGE_COLUMNS: Final = (
    "id, chat_id, role, content, thinking, images, stats, status, error, model, created_at,"
    " tool_calls, tool_name"
)


def _optional_line(value: object) -> str | None:
    """A one-line text column read back: controls visible, None kept."""
    return None if value is None else safe_line(str(value))


def _chat(row: tuple[Any, ...]) -> ChatRecord:
    """Build a :class:`ChatRecord` from a row of ``_CHAT_COLUMNS``.

    Names and reasons are read back with their control characters visible: the file may
    have been written by another program, or hold a model name from a server before names
    were checked. Message text is returned as stored; the views make it safe.
    """
    return ChatRecord(
        id=int(row[0]),
        title=safe_text(str(row[1])),  # views draw it on one line
        model=_optional_line(row[2]),
        system=row[3],
        options=_load_object(row[4]),
        keep_alive=row[5],
        think=row[6],
        format=row[7],
        created_at=float(row[8]),
        updated_at=float(row[9]),
        host=_optional_line(row[10]),
        tools=row[11],
    )


def _message(row: tuple[Any, ...]) -> MessageRecord:
    """Build a :class:`MessageRecord` from a row of ``_MESSAGE_COLUMNS``."""
    return MessageRecord(
        id=int(row[0]),
        chat_id=int(row[1]),
        role=str(row[2]),
        content=str(row[3]),
        thinking=str(row[4]),
        images=_load_images(row[5]),
        stats=_load_object(row[6]),
        status=str(row[7]),
        error=None if row[8] is None else safe_text(str(row[8])),
        model=_optional_line(row[9]),
        created_at=float(row[10]),
        tool_calls=_load_calls(row[11]),
        tool_name=safe_line(str(row[12])),
    )


# --------------------------------------------------------------------------------------------
# Search helpers


def _fts_phrase(text: str) -> str:
    """Quote user text as one FTS5 phrase, so ``"``, ``AND`` or ``(`` are just characters."""
    return '"' + text.replace('"', '""') + '"'


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with ``%``, ``_`` and ``\\`` escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _snippet(window: str, needle: str, cut_before: bool, cut_after: bool) -> str:
    """Plain one-line text around the match in ``window``, trimmed to the context sizes."""
    match = re.search(re.escape(needle), window, re.IGNORECASE)
    if match is not None:
        start = max(0, match.start() - _SNIPPET_LEAD)
        end = min(len(window), match.end() + _SNIPPET_TAIL)
    else:
        # Case folding beyond ASCII can hide the match from the window search; show the start.
        start, end = 0, min(len(window), _SNIPPET_LEAD + _SNIPPET_TAIL)
    text = " ".join(window[start:end].split())
    if cut_before or start > 0:
        text = "…" + text
    if cut_after or end < len(window):
        text += "…"
    return text


# --------------------------------------------------------------------------------------------
# Opening


def _prepare_file(path: Path) -> None:
    """Create the data directory (0700) and an empty database file (0600) if missing.

    The file is created here, not by SQLite, so that it never exists with looser permissions,
    and SQLite gives its ``-wal``/``-shm`` files the same mode. Existing directories and files
    keep their permissions: the user may have chosen them.
    """
    directory = path.parent
    if not directory.exists():
        try:
            os.makedirs(directory, mode=0o700)
        except FileExistsError:
            pass  # another instance won the race; its permissions are as good as ours
        except OSError as error:
            raise StoreError(f"Could not create the data directory {directory}: {error}") from None
        else:
            os.chmod(directory, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        raise StoreError(f"Could not create the database {path}: {error}") from None
    os.close(fd)
    # The umask may have removed bits we need; it can never have added any.
    os.chmod(path, 0o600)


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Open an existing database file read-write (or read-only), never letting SQLite
    create one."""
    uri = path.absolute().as_uri() + ("?mode=ro" if read_only else "?mode=rw")
    return sqlite3.connect(
        uri,
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE ... COMMIT
        check_same_thread=False,  # shared across threads behind Store._lock
    )


_FOREIGN_TABLES: Final = "it holds tables that ollama-tui did not create"


def _summarise(problems: list[str]) -> str:
    """One short line from ``quick_check``'s report, which can run to hundreds of lines."""
    lines = [line.strip() for problem in problems for line in problem.splitlines()]
    useful = [line for line in lines if line and not line.startswith("***")]
    text = "; ".join(useful[:2]) or "integrity check failed"
    return text if len(text) <= 200 else text[:199] + "…"


def _has_any_table(db: sqlite3.Connection) -> bool:
    """Whether the main schema holds anything at all."""
    return db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None


def _user_version(db: sqlite3.Connection) -> int:
    """The file's schema version."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to write-ahead logging unless it is already.

    The switch needs the file to itself and SQLite does not wait for that (the busy
    timeout does not apply), so while another instance is opening the same new file it
    is tried again for up to the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


_OUR_TABLES: Final = ("chat", "message", "setting", "preset")


def _check_file(db: sqlite3.Connection, path: Path) -> int:
    """Refuse a file that is damaged, newer, or not ours; return its schema version.

    Only reads. One read transaction, so every check sees the same state of the file: read
    one by one, another instance creating the schema in between would look like a foreign
    file (version 0 read before its commit, its tables after).
    """
    db.execute("BEGIN")
    try:
        version = _user_version(db)
        if version > SCHEMA_VERSION:
            raise DatabaseTooNewError(path, version, SCHEMA_VERSION)
        if version < 0:
            raise DatabaseCorruptError(path, f"its schema version is {version}")
        application_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        if application_id not in (0, _APPLICATION_ID):
            raise DatabaseCorruptError(
                path, f"it belongs to another application ({application_id})"
            )
        problems = [str(row[0]) for row in db.execute("PRAGMA quick_check(3)")]
        if problems != ["ok"]:
            raise DatabaseCorruptError(path, _summarise(problems))
        if version == 0 and _has_any_table(db):
            raise DatabaseCorruptError(path, _FOREIGN_TABLES)
        if version > 0 and not all(_has_table(db, table) for table in _OUR_TABLES):
            raise DatabaseCorruptError(path, _FOREIGN_TABLES)
    finally:
        if db.in_transaction:
            db.execute("COMMIT")  # read only: nothing is written
    return version


def _check_read_only(path: Path) -> None:
    """Check a file not yet in WAL mode through a read-only connection first.

    Switching the journal to WAL writes to the file, so a file that turns out to be
    foreign, damaged or newer must be refused before a read-write connection touches it.
    A file already in WAL mode is left to the read-write checks: opening it changes
    nothing, and a read-only connection would leave its ``-wal`` and ``-shm`` behind.
    """
    try:
        with path.open("rb") as file:
            header = file.read(20)
    except OSError:
        return  # the read-write open says what is wrong, naming the file
    if len(header) == 20 and header[18] == 2:  # write and read versions 2: WAL
        return
    db = _connect(path, read_only=True)
    try:
        _check_file(db, path)
    finally:
        db.close()


def _check_and_migrate(db: sqlite3.Connection, path: Path) -> None:
    """Refuse unusable files, switch to WAL, and bring the schema up to date.

    Everything before the WAL switch only reads, so a refused file keeps every byte.
    """
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    version = _check_file(db, path)
    _use_wal(db)
    # With WAL, NORMAL still survives the app being killed at any point; only a power
    # loss can lose the last commits. It saves an fsync per commit on every saved prompt.
    db.execute("PRAGMA synchronous = NORMAL")
    if version == SCHEMA_VERSION and (_has_table(db, "message_fts") or not _trigram_supported()):
        return  # up to date: no need to queue behind another instance's write lock
    db.execute("BEGIN IMMEDIATE")
    try:
        # Read again under the write lock: another instance may have migrated meanwhile.
        version = _user_version(db)
        if version > SCHEMA_VERSION:
            raise DatabaseTooNewError(path, version, SCHEMA_VERSION)
        if version < 0:
            raise DatabaseCorruptError(path, f"its schema version is {version}")
        if version == 0 and _has_any_table(db):
            raise DatabaseCorruptError(path, _FOREIGN_TABLES)
        for number in range(version, SCHEMA_VERSION):
            _MIGRATIONS[number](db)
            db.execute(f"PRAGMA user_version = {number + 1}")
        _ensure_search_index(db)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


# --------------------------------------------------------------------------------------------
# The store


class Store:
    """Chats, messages, settings and presets in one SQLite file.

    ``Store(path)`` and ``Store.open(path)`` are the same: both open (creating if needed) and
    migrate the file, or raise :class:`StoreError`. Every public method is thread-safe and runs
    as one transaction. Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time) -> None:
        """Open the database at ``path``; see :meth:`open`."""
        self._path = Path(path)
        self.clock = clock
        """Unix seconds now, for the chats' and messages' timestamps (tests may set it)."""
        self._lock = threading.RLock()
        _prepare_file(self._path)
        try:
            _check_read_only(self._path)
            connection = _connect(self._path)
        except sqlite3.Error as error:
            raise self._open_error(error) from error
        try:
            _check_and_migrate(connection, self._path)
            self._full_text = _trigram_supported() and _has_table(connection, "message_fts")
        except BaseException as error:
            connection.close()
            if isinstance(error, sqlite3.Error):
                raise self._open_error(error) from error
            raise
        self._connection: sqlite3.Connection | None = connection

    @classmethod
    def open(cls, path: Path | str, *, clock: Callable[[], float] = time.time) -> Self:
        """Open the database at ``path``, creating the file and its directory if missing.

        A new directory gets mode 0700 and a new file mode 0600. Raises
        :class:`DatabaseTooNewError` for a file from a newer version,
        :class:`DatabaseCorruptError` for a damaged or foreign file, and :class:`StoreError`
        when the file cannot be opened at all; none of them changes the file.
        """
        return cls(path, clock=clock)

    def _open_error(self, error: sqlite3.Error) -> StoreError:
        """Translate an SQLite error met while opening into a message naming the file."""
        code = getattr(error, "sqlite_errorcode", None)
        if code in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            return DatabaseCorruptError(self._path, str(error))
        return StoreError(
            f"Could not open the database {self._path}: {error}. The file was left untouched."
        )

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def full_text_search(self) -> bool:
        """Whether :meth:`search` uses the FTS5 trigram index (otherwise a LIKE scan)."""
        return self._full_text

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._connection is None

    def close(self) -> None:
        """Close the connection. Safe to call twice."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __enter__(self) -> Self:
        """Return the open store."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a read; a single SELECT is already a consistent snapshot."""
        with self._lock:
            if self._connection is None:
                raise StoreError(f"The store for {self._path} is closed")
            try:
                yield self._connection
            except sqlite3.Error as error:
                raise self._failure(error) from error

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and a write transaction, committed on success, rolled back otherwise.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so a second instance waits for the
        busy timeout instead of failing when a read would later be upgraded to a write.
        """
        with self._lock:
            if self._connection is None:
                raise StoreError(f"The store for {self._path} is closed")
            db = self._connection
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                    db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as error:
                raise self._failure(error) from error

    def _failure(self, error: sqlite3.Error) -> StoreError:
        """An SQLite error met while reading or writing, as the store's own error, so
        callers that catch :class:`StoreError` (and restore what the user typed) see it."""
        return StoreError(f"Database error in {self._path}: {error}")

    # -- chats ---------------------------------------------------------------------------------

    def create_chat(
        self,
        *,
        title: str = "New chat",
        model: str | None = None,
        system: str | None = None,
        options: dict[str, object] | None = None,
        keep_alive: str | None = None,
        think: str | None = None,
        format: str | None = None,
        host: str | None = None,
        tools: str | None = None,
    ) -> ChatRecord:
        """Create a chat and return it."""
        values = {
            "title": title,
            "model": model,
            "system": system,
            "options": {} if options is None else options,
            "keep_alive": keep_alive,
            "think": think,
            "format": format,
            "host": host,
            "tools": tools,
        }
        columns = [_chat_column(name, value) for name, value in values.items()]
        now = self.clock()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO chat (title, model, system, options, keep_alive, think, format,"
                " host, tools, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*columns, now, now),
            )
            return self._fetch_chat(db, int(cursor.lastrowid or 0))

    def get_chat(self, chat_id: int) -> ChatRecord | None:
        """Return the chat, or ``None`` if there is none with this id."""
        with self._read() as db:
            row = db.execute(
                f"SELECT {_CHAT_COLUMNS} FROM chat WHERE id = ?", (chat_id,)
            ).fetchone()
        return None if row is None else _chat(row)

    def list_chats(self) -> list[ChatRecord]:
        """Every chat, most recently updated first."""
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_CHAT_COLUMNS} FROM chat ORDER BY updated_at DESC, id DESC"
            ).fetchall()
        return [_chat(row) for row in rows]

    def update_chat(self, chat_id: int, **fields: object) -> ChatRecord:
        """Change some of a chat's fields (see :data:`CHAT_FIELDS`) and return the chat.

        Unknown field names raise ``ValueError`` and wrong types ``TypeError``, before anything
        is written. ``updated_at`` is bumped. Raises :class:`NotFoundError` if the chat is gone.
        """
        unknown = sorted(set(fields) - set(CHAT_FIELDS))
        if unknown:
            raise ValueError(f"unknown chat field(s): {', '.join(unknown)}")
        values = {name: _chat_column(name, value) for name, value in fields.items()}
        # Column names come from CHAT_FIELDS only, so formatting them into SQL is safe.
        assignments = "".join(f"{name} = ?, " for name in values)
        with self._write() as db:
            cursor = db.execute(
                f"UPDATE chat SET {assignments}updated_at = ? WHERE id = ?",
                (*values.values(), self.clock(), chat_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"chat {chat_id} does not exist")
            return self._fetch_chat(db, chat_id)

    def rename_chat(self, chat_id: int, title: str) -> ChatRecord:
        """Give a chat a new (non-blank) title and return it."""
        return self.update_chat(chat_id, title=title)

    def rename_chat_host(self, old: str, new: str) -> int:
        """Chats on host ``old`` are on host ``new`` now (a renamed host); returns how many.

        Their order and times stay as they were: nothing in them was used.
        """
        with self._write() as db:
            return db.execute("UPDATE chat SET host = ? WHERE host = ?", (new, old)).rowcount

    def delete_chat(self, chat_id: int) -> bool:
        """Delete a chat with all its messages; ``False`` if it did not exist."""
        with self._write() as db:
            return db.execute("DELETE FROM chat WHERE id = ?", (chat_id,)).rowcount > 0

    def touch_chat(self, chat_id: int) -> bool:
        """Mark a chat as just used (moves it to the top); ``False`` if it does not exist."""
        with self._write() as db:
            return self._bump_chat(db, chat_id)

    # -- messages ------------------------------------------------------------------------------

    def add_message(
        self,
        chat_id: int,
        role: str,
        content: str,
        *,
        thinking: str = "",
        images: list[str] | None = None,
        stats: dict[str, object] | None = None,
        status: str = "complete",
        error: str | None = None,
        model: str | None = None,
        tool_calls: list[dict[str, object]] | None = None,
        tool_name: str = "",
    ) -> MessageRecord:
        """Append a message to a chat, bump the chat's ``updated_at``, and return the message.

        ``tool_calls`` are a reply's calls in their wire form; ``tool_name`` names the tool
        whose result a ``tool`` message carries. Raises :class:`NotFoundError` if the chat
        does not exist.
        """
        row = (
            chat_id,
            _role(role),
            _required_str(content, "content"),
            _required_str(thinking, "thinking"),
            _json_images([] if images is None else images),
            _json_object({} if stats is None else stats, "stats"),
            _status(status),
            _optional_str(error, "error"),
            _optional_str(model, "model"),
            self.clock(),
            _json_calls([] if tool_calls is None else tool_calls),
            _required_str(tool_name, "tool_name"),
        )
        with self._write() as db:
            self._require_chat(db, chat_id)
            cursor = db.execute(
                "INSERT INTO message (chat_id, role, content, thinking, images, stats, status,"
                " error, model, created_at, tool_calls, tool_name)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            self._bump_chat(db, chat_id)
            message_id = int(cursor.lastrowid or 0)
            return _message(
                db.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM message WHERE id = ?", (message_id,)
                ).fetchone()
            )

    def add_messages(self, chat_id: int, rows: Iterable[tuple[str, str]]) -> int:
        """Append many ``(role, content)`` messages in one transaction; return how many.

        Meant for imports, benchmarks and tests. All or none are added.
        """
        now = self.clock()
        count = 0

        def parameters() -> Iterator[tuple[int, str, str, float]]:
            nonlocal count
            for role, content in rows:
                count += 1
                yield chat_id, _role(role), _required_str(content, "content"), now

        with self._write() as db:
            self._require_chat(db, chat_id)
            db.executemany(
                "INSERT INTO message (chat_id, role, content, created_at) VALUES (?, ?, ?, ?)",
                parameters(),
            )
            self._bump_chat(db, chat_id)
        return count

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        thinking: str | None = None,
        stats: dict[str, object] | None = None,
        status: str | None = None,
        error: str | None = None,
        tool_calls: list[dict[str, object]] | None = None,
    ) -> bool:
        """Change the given fields of a message (``None`` leaves a field as it is).

        Setting the status to ``complete`` or ``streaming`` without an error clears any old
        error, so a reply that another instance marked interrupted heals when it finishes.
        Bumps the chat's ``updated_at``. Returns ``False``, changing nothing, if the message
        no longer exists (for example its chat was deleted while the reply streamed).
        """
        values: dict[str, object] = {}
        if content is not None:
            values["content"] = _required_str(content, "content")
        if thinking is not None:
            values["thinking"] = _required_str(thinking, "thinking")
        if stats is not None:
            values["stats"] = _json_object(stats, "stats")
        if status is not None:
            values["status"] = _status(status)
            if status in ("complete", "streaming"):
                values["error"] = None
        if error is not None:
            values["error"] = _required_str(error, "error")
        if tool_calls is not None:
            values["tool_calls"] = _json_calls(tool_calls)
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self._write() as db:
            row = db.execute("SELECT chat_id FROM message WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                return False
            if values:
                db.execute(
                    f"UPDATE message SET {assignments} WHERE id = ?",
                    (*values.values(), message_id),
                )
                self._bump_chat(db, int(row[0]))
            return True

    def get_message(self, message_id: int) -> MessageRecord | None:
        """Return the message, or ``None`` if there is none with this id."""
        with self._read() as db:
            row = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM message WHERE id = ?", (message_id,)
            ).fetchone()
        return None if row is None else _message(row)

    def delete_message(self, message_id: int) -> bool:
        """Delete one message; ``False`` if it did not exist."""
        with self._write() as db:
            row = db.execute("SELECT chat_id FROM message WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                return False
            db.execute("DELETE FROM message WHERE id = ?", (message_id,))
            self._bump_chat(db, int(row[0]))
            return True

    def delete_messages_from(self, chat_id: int, message_id: int) -> int:
        """Delete a message and every later one in its chat; return how many were deleted.

        Used by regenerate and edit-and-resend. If ``message_id`` is not a message of
        ``chat_id`` nothing is deleted, so a stale id can never cut the wrong chat.
        """
        with self._write() as db:
            owner = db.execute(
                "SELECT 1 FROM message WHERE id = ? AND chat_id = ?", (message_id, chat_id)
            ).fetchone()
            if owner is None:
                return 0
            deleted = db.execute(
                "DELETE FROM message WHERE chat_id = ? AND id >= ?", (chat_id, message_id)
            ).rowcount
            self._bump_chat(db, chat_id)
            return deleted

    def messages(
        self,
        chat_id: int,
        *,
        limit: int | None = None,
        before_id: int | None = None,
        after_id: int | None = None,
    ) -> list[MessageRecord]:
        """A chat's messages, oldest first.

        With ``limit``: only the newest ``limit`` messages (older than ``before_id`` if given),
        still oldest first, so a long chat can be paged backwards from its end. With
        ``after_id``: the messages newer than it, and with ``limit`` only the oldest ``limit``
        of those, so a chat opened in the middle can be paged forwards too.
        """
        if limit is not None and limit < 0:
            raise ValueError("limit must not be negative")
        if before_id is not None and after_id is not None:
            raise ValueError("give before_id or after_id, not both")
        where = "chat_id = ?"
        parameters: tuple[int, ...] = (chat_id,)
        if before_id is not None:
            where, parameters = "chat_id = ? AND id < ?", (chat_id, before_id)
        elif after_id is not None:
            where, parameters = "chat_id = ? AND id > ?", (chat_id, after_id)
        with self._read() as db:
            if limit is None:
                rows = db.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM message WHERE {where} ORDER BY id",
                    parameters,
                ).fetchall()
            elif after_id is not None:
                rows = db.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM message WHERE {where} ORDER BY id LIMIT ?",
                    (*parameters, limit),
                ).fetchall()
            else:
                rows = db.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM message WHERE {where}"
                    " ORDER BY id DESC LIMIT ?",
                    (*parameters, limit),
                ).fetchall()
                rows.reverse()
        return [_message(row) for row in rows]

    def count_messages(self, chat_id: int) -> int:
        """How many messages a chat has."""
        with self._read() as db:
            row = db.execute(
                "SELECT count(*) FROM message WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return int(row[0])

    def mark_interrupted(self) -> int:
        """Mark replies left ``streaming`` by a crash as ``stopped``; return how many.

        Called at start-up. Their partial text is kept; the error is :data:`INTERRUPTED_ERROR`.
        """
        with self._write() as db:
            return db.execute(
                "UPDATE message SET status = 'stopped', error = ? WHERE status = 'streaming'",
                (INTERRUPTED_ERROR,),
            ).rowcount

    # -- search --------------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Messages whose content or thinking contains ``query`` (case-insensitive), newest
        first.

        Any text is a literal substring: quotes, ``AND``, ``(`` and ``*`` have no special
        meaning. Uses the trigram index for queries of three or more characters, a scan for
        shorter ones (trigrams cannot index them) or when the index is unavailable. The
        snippet comes from the answer when it holds the match, else from the thinking.
        """
        needle = query.replace("\x00", "").strip()
        if not needle or limit <= 0:
            return []
        if self._full_text and len(needle) >= 3:
            condition = "m.id IN (SELECT rowid FROM message_fts WHERE message_fts MATCH ?)"
            arguments: tuple[str, ...] = (_fts_phrase(needle),)
        else:
            condition = "(m.content LIKE ? ESCAPE '\\' OR m.thinking LIKE ? ESCAPE '\\')"
            arguments = (_like_pattern(needle), _like_pattern(needle))
        with self._read() as db:
            # Ids first, then a bounded window of each hit, so a 1 MB message is not copied.
            db.execute("BEGIN")
            try:
                hits = db.execute(
                    "SELECT m.id, m.chat_id, c.title, m.role, m.created_at"
                    " FROM message AS m JOIN chat AS c ON c.id = m.chat_id"
                    f" WHERE {condition} ORDER BY m.created_at DESC, m.id DESC LIMIT ?",
                    (*arguments, limit),
                ).fetchall()
                span = _SNIPPET_LEAD * 2 + len(needle) + _SNIPPET_TAIL
                windows = [
                    db.execute(
                        "SELECT in_thinking, start, substr(text, start, :span), length(text) FROM"
                        " (SELECT in_thinking, text,"
                        "   max(1, instr(lower(text), lower(:needle)) - :lead) AS start FROM"
                        "  (SELECT in_thinking,"
                        "    CASE WHEN in_thinking THEN thinking ELSE content END AS text FROM"
                        "   (SELECT content, thinking,"
                        "     instr(lower(content), lower(:needle)) = 0"
                        "     AND instr(lower(thinking), lower(:needle)) > 0 AS in_thinking"
                        "    FROM message WHERE id = :id)))",
                        {"span": span, "needle": needle, "lead": _SNIPPET_LEAD, "id": hit[0]},
                    ).fetchone()
                    for hit in hits
                ]
            finally:
                db.execute("COMMIT")
        results: list[SearchHit] = []
        for hit, (in_thinking, start, window, total) in zip(hits, windows, strict=True):
            cut_before = int(start) > 1
            cut_after = int(start) - 1 + len(window) < int(total)
            results.append(
                SearchHit(
                    chat_id=int(hit[1]),
                    chat_title=str(hit[2]),
                    message_id=int(hit[0]),
                    role=str(hit[3]),
                    snippet=_snippet(str(window), needle, cut_before, cut_after),
                    created_at=float(hit[4]),
                    in_thinking=bool(in_thinking),
                )
            )
        return results

    # -- settings ------------------------------------------------------------------------------

    def get_setting(self, key: str, default: object = None) -> object:
        """The JSON value stored under ``key``, or ``default`` if there is none."""
        with self._read() as db:
            row = db.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        value: object = json.loads(row[0])
        return value

    def set_setting(self, key: str, value: object) -> None:
        """Store a JSON-serialisable value under ``key``, replacing any previous one."""
        encoded = _to_json(value)
        with self._write() as db:
            db.execute(
                "INSERT INTO setting (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (_required_str(key, "key"), encoded),
            )

    def delete_setting(self, key: str) -> bool:
        """Forget ``key``; ``False`` if it was not set."""
        with self._write() as db:
            return db.execute("DELETE FROM setting WHERE key = ?", (key,)).rowcount > 0

    # -- comparisons ---------------------------------------------------------------------------

    def save_comparison(self, title: str, data: dict[str, object]) -> ComparisonRecord:
        """Save a comparison (its columns, prompt and results as JSON) and return it."""
        row = (_required_str(title, "title"), _json_object(data, "comparison"), self.clock())
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO comparison (title, data, created_at) VALUES (?, ?, ?)", row
            )
            comparison_id = int(cursor.lastrowid or 0)
        return ComparisonRecord(comparison_id, row[0], dict(data), row[2])

    def list_comparisons(self) -> list[ComparisonRecord]:
        """Every saved comparison, newest first."""
        with self._read() as db:
            rows = db.execute(
                "SELECT id, title, data, created_at FROM comparison ORDER BY id DESC"
            ).fetchall()
        return [ComparisonRecord(row[0], row[1], _load_object(row[2]), row[3]) for row in rows]

    def get_comparison(self, comparison_id: int) -> ComparisonRecord | None:
        """The saved comparison with this id, or ``None``."""
        with self._read() as db:
            row = db.execute(
                "SELECT id, title, data, created_at FROM comparison WHERE id = ?",
                (comparison_id,),
            ).fetchone()
        return (
            None if row is None else ComparisonRecord(row[0], row[1], _load_object(row[2]), row[3])
        )

    def delete_comparison(self, comparison_id: int) -> bool:
        """Forget a saved comparison; ``False`` if there was none with this id."""
        with self._write() as db:
            return db.execute("DELETE FROM comparison WHERE id = ?", (comparison_id,)).rowcount > 0

    # -- presets -------------------------------------------------------------------------------

    def list_presets(self) -> list[Preset]:
        """Every preset, by name (case-insensitive)."""
        with self._read() as db:
            rows = db.execute(
                "SELECT name, options, request FROM preset ORDER BY name COLLATE NOCASE, name"
            ).fetchall()
        return [Preset(str(row[0]), _load_object(row[1]), _load_object(row[2])) for row in rows]

    def get_preset(self, name: str) -> Preset | None:
        """The preset called ``name``, or ``None``."""
        with self._read() as db:
            row = db.execute(
                "SELECT name, options, request FROM preset WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else Preset(row[0], _load_object(row[1]), _load_object(row[2]))

    def save_preset(self, preset: Preset) -> None:
        """Create the preset, or replace the one with the same name."""
        row = (
            _name(preset.name, "preset name"),
            _json_object(preset.options, "preset options"),
            _json_object(preset.request, "preset request"),
        )
        with self._write() as db:
            db.execute(
                "INSERT INTO preset (name, options, request) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE"
                " SET options = excluded.options, request = excluded.request",
                row,
            )

    def rename_preset(self, old: str, new: str) -> None:
        """Rename a preset.

        Raises ``ValueError`` if another preset is already called ``new`` and
        :class:`NotFoundError` if there is no preset ``old``.
        """
        _name(new, "preset name")
        with self._write() as db:
            if db.execute("SELECT 1 FROM preset WHERE name = ?", (old,)).fetchone() is None:
                raise NotFoundError(f"preset {old!r} does not exist")
            if old == new:
                return
            if db.execute("SELECT 1 FROM preset WHERE name = ?", (new,)).fetchone():
                raise ValueError(f"a preset called {new!r} already exists")
            db.execute("UPDATE preset SET name = ? WHERE name = ?", (new, old))

    def delete_preset(self, name: str) -> bool:
        """Delete a preset; ``False`` if it did not exist."""
        with self._write() as db:
            return db.execute("DELETE FROM preset WHERE name = ?", (name,)).rowcount > 0

    # -- workbench history -----------------------------------------------------------------

    def add_workbench_request(self, mode: str, body: dict[str, object]) -> WorkbenchRecord:
        """Record a workbench request as it is sent (status ``running``); the oldest beyond
        :data:`WORKBENCH_KEPT` are dropped."""
        if mode not in WORKBENCH_MODES:
            raise ValueError(f"mode must be one of {sorted(WORKBENCH_MODES)}, not {mode!r}")
        encoded = _json_object(body, "request body")
        model = _required_str(body.get("model", ""), "model")
        created = self.clock()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO workbench_request (mode, model, body, created_at) VALUES (?, ?, ?, ?)",
                (mode, model, encoded, created),
            )
            new_id = int(cursor.lastrowid or 0)
            db.execute(
                "DELETE FROM workbench_request WHERE id NOT IN"
                " (SELECT id FROM workbench_request ORDER BY created_at DESC, id DESC LIMIT ?)",
                (WORKBENCH_KEPT,),
            )
        return WorkbenchRecord(new_id, mode, model, dict(body), "running", "", "", None, created)

    def finish_workbench_request(
        self,
        request_id: int,
        status: str,
        *,
        result: str = "",
        stats: str = "",
        error: str | None = None,
    ) -> None:
        """Record how a workbench request ended and what it returned.

        Raises :class:`NotFoundError` if there is no such request (it may have been pruned).
        """
        if status not in WORKBENCH_STATUSES:
            raise ValueError(f"status must be one of {sorted(WORKBENCH_STATUSES)}")
        with self._write() as db:
            changed = db.execute(
                "UPDATE workbench_request SET status = ?, result = ?, stats = ?, error = ?"
                " WHERE id = ?",
                (status, result, stats, error, request_id),
            ).rowcount
        if not changed:
            raise NotFoundError(f"workbench request {request_id} does not exist")

    def list_workbench_requests(self, limit: int = WORKBENCH_KEPT) -> list[WorkbenchRecord]:
        """Workbench requests, newest first."""
        with self._read() as db:
            rows = db.execute(
                "SELECT id, mode, model, body, status, result, stats, error, created_at"
                " FROM workbench_request ORDER BY created_at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            WorkbenchRecord(
                int(row[0]),
                str(row[1]),
                str(row[2]),
                _load_object(row[3]),
                str(row[4]),
                str(row[5]),
                str(row[6]),
                row[7],
                float(row[8]),
            )
            for row in rows
        ]

    def delete_workbench_request(self, request_id: int) -> bool:
        """Forget one workbench request; ``False`` if it did not exist."""
        with self._write() as db:
            return (
                db.execute("DELETE FROM workbench_request WHERE id = ?", (request_id,)).rowcount > 0
            )

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _fetch_chat(db: sqlite3.Connection, chat_id: int) -> ChatRecord:
        """Read a chat inside the current transaction."""
        row = db.execute(f"SELECT {_CHAT_COLUMNS} FROM chat WHERE id = ?", (chat_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"chat {chat_id} does not exist")
        return _chat(row)

    @staticmethod
    def _require_chat(db: sqlite3.Connection, chat_id: int) -> None:
        """Raise :class:`NotFoundError` unless the chat exists."""
        if db.execute("SELECT 1 FROM chat WHERE id = ?", (chat_id,)).fetchone() is None:
            raise NotFoundError(f"chat {chat_id} does not exist")

    def _bump_chat(self, db: sqlite3.Connection, chat_id: int) -> bool:
        """Set a chat's ``updated_at`` to now; ``False`` if the chat does not exist."""
        cursor = db.execute("UPDATE chat SET updated_at = ? WHERE id = ?", (self.clock(), chat_id))
        return cursor.rowcount > 0
