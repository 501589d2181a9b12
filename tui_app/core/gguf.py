"""Local model files before an upload: is it GGUF, and what is its sha256 digest.

Hashing a multi-gigabyte file takes a while, so it reads a chunk at a time and reports
progress; :func:`sha256_file` is plain blocking code meant for a thread (a Textual thread
worker, or :func:`sha256_file_async`), :func:`iter_sha256` lets a caller drive it step by step.
"""

from __future__ import annotations

import asyncio
import hashlib
import struct
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

GGUF_MAGIC = b"GGUF"
"""The first four bytes of every GGUF file."""
SUPPORTED_VERSIONS = frozenset({1, 2, 3})
"""GGUF format versions llama.cpp (and so Ollama) reads."""
HASH_CHUNK = 4 << 20
"""Bytes read at a time while hashing."""


class NotGGUFError(ValueError):
    """The file is not a GGUF model file (or not one Ollama can read)."""


@dataclass(frozen=True, slots=True)
class GGUFHeader:
    """The fixed part of a GGUF header: version and the tensor and metadata counts."""

    version: int
    tensor_count: int
    metadata_count: int


def read_gguf_header(path: str | Path) -> GGUFHeader:
    """Check the magic bytes and version of ``path``; raise :class:`NotGGUFError` if wrong."""
    with Path(path).open("rb") as handle:
        head = handle.read(24)
    if len(head) < 4 or head[:4] != GGUF_MAGIC:
        raise NotGGUFError(f"{Path(path).name} is not a GGUF file (it does not start with GGUF)")
    if len(head) < 24:
        raise NotGGUFError(f"{Path(path).name} ends inside its GGUF header")
    version, tensors, metadata = struct.unpack("<IQQ", head[4:24])
    if version not in SUPPORTED_VERSIONS:
        raise NotGGUFError(f"{Path(path).name} is GGUF version {version}, which is not supported")
    return GGUFHeader(version, tensors, metadata)


def is_gguf(path: str | Path) -> bool:
    """Whether ``path`` starts like a GGUF file Ollama can read."""
    try:
        read_gguf_header(path)
    except (NotGGUFError, OSError):
        return False
    return True


def iter_sha256(path: str | Path, *, chunk_size: int = HASH_CHUNK) -> Generator[int, None, str]:
    """Hash ``path`` a chunk at a time: yields bytes read so far, returns ``sha256:<hex>``.

    Drive it with ``yield from`` or ``next()`` until ``StopIteration``, whose ``value`` is
    the digest; closing it early stops reading.
    """
    digest = hashlib.sha256()
    done = 0
    with Path(path).open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
            done += len(chunk)
            yield done
    return "sha256:" + digest.hexdigest()


def sha256_file(
    path: str | Path,
    *,
    progress: Callable[[int, int], object] | None = None,
    chunk_size: int = HASH_CHUNK,
) -> str:
    """The ``sha256:<hex>`` digest of ``path``, calling ``progress(done, total)`` per chunk.

    Blocking: run it in a thread worker or through :func:`sha256_file_async`.
    """
    total = Path(path).stat().st_size
    steps = iter_sha256(path, chunk_size=chunk_size)
    while True:
        try:
            done = next(steps)
        except StopIteration as finished:
            return str(finished.value)
        if progress is not None:
            progress(done, total)


async def sha256_file_async(
    path: str | Path,
    *,
    progress: Callable[[int, int], object] | None = None,
    chunk_size: int = HASH_CHUNK,
) -> str:
    """:func:`sha256_file` in a thread, so the event loop stays free while it reads.

    ``progress`` is called from that thread; a UI should hand the numbers to its own loop
    (e.g. ``App.call_from_thread``) rather than draw from it.
    """
    return await asyncio.to_thread(sha256_file, path, progress=progress, chunk_size=chunk_size)


def write_minimal_gguf(path: str | Path, *, payload: bytes = b"", version: int = 3) -> Path:
    """Write a tiny valid-header GGUF file (no tensors, no metadata) followed by ``payload``.

    For trying an upload and a create end to end without a real model at hand.
    """
    target = Path(path)
    target.write_bytes(GGUF_MAGIC + struct.pack("<IQQ", version, 0, 0) + payload)
    return target
