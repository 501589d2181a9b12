"""Create a model from a local GGUF file: check it, hash it, upload only what the server
lacks, then ``POST /api/create`` with the file's blob.

Every step reports as a :class:`~tui_app.api.ProgressUpdate`, so the pulls screen follows it
like any pull: hashing and uploading each draw a bar of their own, then the server's own
create lines follow.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path

from tui_app.api import OllamaClient, ProgressUpdate
from tui_app.api.names import model_name_problem
from tui_app.core.gguf import HASH_CHUNK, NotGGUFError, iter_sha256, read_gguf_header

HASHING = "hashing"
"""The stand-in digest of the hashing bar: the real digest is not known until it ends."""


@dataclass(frozen=True, slots=True)
class FileCreate:
    """A model to create from a local GGUF file."""

    model: str
    path: Path
    quantize: str | None = None
    """e.g. ``q4_K_M`` to quantize F16/F32 weights on the way; None keeps them."""

    @property
    def file_name(self) -> str:
        """The name the file is given in the create request's ``files``."""
        name = self.path.name
        return name if name.lower().endswith(".gguf") else "model.gguf"


def file_create_problem(request: FileCreate) -> str | None:
    """Why ``request`` cannot be sent, or None: a bad name, a missing file, or a file that
    is not GGUF. Reads the file's first bytes (blocking; they are few)."""
    problem = model_name_problem(request.model)
    if problem is not None:
        return f"name: {problem}"
    path = request.path
    if not path.exists():
        return f"{path} does not exist"
    if not path.is_file():
        return f"{path} is not a file"
    try:
        read_gguf_header(path)
    except NotGGUFError as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    return None


async def _hash(path: Path, size: int) -> AsyncGenerator[ProgressUpdate | str]:
    """Progress of hashing ``path`` (a chunk at a time, in a thread), then its digest."""
    steps = iter_sha256(path, chunk_size=HASH_CHUNK)

    def step() -> int | str:
        # StopIteration cannot cross into a future, so the digest comes back as a value.
        try:
            return next(steps)
        except StopIteration as finished:
            return str(finished.value)

    # A layer's first line counts as bytes already there; hashing starts from none.
    yield ProgressUpdate(f"hashing {path.name}", HASHING, size, 0)
    try:
        while True:
            done = await asyncio.to_thread(step)
            if isinstance(done, str):
                yield done
                return
            yield ProgressUpdate(f"hashing {path.name}", HASHING, size, done)
    finally:
        # A cancelled hash may leave its thread inside the generator; it stops at the end.
        with contextlib.suppress(ValueError):
            steps.close()


async def create_from_file(
    client: OllamaClient, request: FileCreate
) -> AsyncGenerator[ProgressUpdate]:
    """Hash, upload if missing, create: every step as a progress line.

    Raises ``ValueError`` when :func:`file_create_problem` finds one (nothing is sent), and
    the client's errors as they come.
    """
    problem = await asyncio.to_thread(file_create_problem, request)
    if problem is not None:
        raise ValueError(problem)
    path = request.path
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    digest = ""
    async for step in _hash(path, size):
        if isinstance(step, str):
            digest = step
        else:
            yield step
    yield ProgressUpdate(f"checking whether the server has {digest}")
    if await client.blob_exists(digest):
        yield ProgressUpdate("the server already has this file: nothing to upload")
    else:
        async for update in _upload(client, digest, path, size):
            yield update
    files = {request.file_name: digest}
    stream = client.create(request.model, files=files, quantize=request.quantize)
    async with contextlib.aclosing(stream):
        async for update in stream:
            yield update


async def _upload(
    client: OllamaClient, digest: str, path: Path, size: int
) -> AsyncGenerator[ProgressUpdate]:
    """Upload ``path`` as blob ``digest``, a progress line per chunk sent."""
    sent: asyncio.Queue[int] = asyncio.Queue()
    status = f"uploading {path.name}"
    yield ProgressUpdate(status, digest, size, 0)
    upload = asyncio.ensure_future(client.upload_blob(digest, path, progress=sent.put_nowait))
    try:
        while not upload.done() or not sent.empty():
            getter = asyncio.ensure_future(sent.get())
            await asyncio.wait({getter, upload}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield ProgressUpdate(status, digest, size, getter.result())
            else:
                getter.cancel()
        upload.result()  # raises what the upload raised
    finally:
        if not upload.done():
            upload.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await upload
