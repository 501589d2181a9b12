"""GGUF files before an upload: the header check and the chunked, reported sha256."""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest

from tui_app.core.gguf import (
    GGUF_MAGIC,
    NotGGUFError,
    is_gguf,
    iter_sha256,
    read_gguf_header,
    sha256_file,
    sha256_file_async,
    write_minimal_gguf,
)


def test_a_written_header_reads_back(tmp_path: Path) -> None:
    path = write_minimal_gguf(tmp_path / "tiny.gguf", payload=b"\x00" * 10)
    header = read_gguf_header(path)
    assert (header.version, header.tensor_count, header.metadata_count) == (3, 0, 0)
    assert is_gguf(path)


def test_counts_come_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(GGUF_MAGIC + struct.pack("<IQQ", 2, 291, 24))
    header = read_gguf_header(path)
    assert (header.version, header.tensor_count, header.metadata_count) == (2, 291, 24)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"PK\x03\x04 a zip file", "does not start with GGUF"),
        (b"", "does not start with GGUF"),
        (GGUF_MAGIC + b"\x03\x00", "ends inside its GGUF header"),
        (GGUF_MAGIC + struct.pack("<IQQ", 9, 0, 0), "version 9"),
    ],
)
def test_what_is_not_gguf_says_why(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(content)
    with pytest.raises(NotGGUFError, match=reason):
        read_gguf_header(path)
    assert not is_gguf(path)


def test_a_missing_file_is_not_gguf(tmp_path: Path) -> None:
    assert not is_gguf(tmp_path / "absent.gguf")


def test_sha256_reports_progress_chunk_by_chunk(tmp_path: Path) -> None:
    data = bytes(range(256)) * 41  # 10,496 bytes: several chunks of 4,000
    path = tmp_path / "blob"
    path.write_bytes(data)
    seen: list[tuple[int, int]] = []
    digest = sha256_file(
        path, progress=lambda done, total: seen.append((done, total)), chunk_size=4000
    )
    assert digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert seen == [(4000, len(data)), (8000, len(data)), (len(data), len(data))]


def test_iter_sha256_yields_bytes_read_and_returns_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"abc" * 5)
    steps = iter_sha256(path, chunk_size=4)
    done: list[int] = []
    while True:
        try:
            done.append(next(steps))
        except StopIteration as finished:
            digest = finished.value
            break
    assert done == [4, 8, 12, 15]
    assert digest == "sha256:" + hashlib.sha256(b"abc" * 5).hexdigest()


def test_an_empty_file_has_the_empty_digest(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")
    assert sha256_file(path) == "sha256:" + hashlib.sha256(b"").hexdigest()


async def test_the_async_hash_matches(tmp_path: Path) -> None:
    path = write_minimal_gguf(tmp_path / "tiny.gguf", payload=b"weights")
    calls: list[int] = []
    digest = await sha256_file_async(path, progress=lambda done, _total: calls.append(done))
    assert digest == sha256_file(path)
    assert calls == [path.stat().st_size]
