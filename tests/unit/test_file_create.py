"""Create from a local GGUF file against the simulator: hash, upload only what is missing,
create; a missing or non-GGUF file sends nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tui_app.api import OllamaClient, ProgressUpdate
from tui_app.core.file_create import (
    HASHING,
    FileCreate,
    create_from_file,
    file_create_problem,
)
from tui_app.core.gguf import write_minimal_gguf
from tui_app.demo import SimulatedOllama

PAYLOAD = b"weights" * 200_000


@pytest.fixture
def sim() -> SimulatedOllama:
    return SimulatedOllama(token_delay=0.0, pull_tick=0.0, pull_rate=20e9)


async def run(client: OllamaClient, request: FileCreate) -> list[ProgressUpdate]:
    return [update async for update in create_from_file(client, request)]


def wire(sim: SimulatedOllama) -> list[tuple[str, str]]:
    return [
        (r.method, r.path) for r in sim.requests if r.path.startswith(("/api/blobs", "/api/create"))
    ]


async def test_hash_upload_then_create(
    client: OllamaClient, sim: SimulatedOllama, tmp_path: Path
) -> None:
    path = write_minimal_gguf(tmp_path / "tiny.gguf", payload=PAYLOAD)
    digest = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    size = path.stat().st_size
    updates = await run(client, FileCreate("mine", path))
    hashing = [u for u in updates if u.digest == HASHING]
    assert hashing and hashing[-1].completed == hashing[-1].total == size
    uploads = [u for u in updates if u.digest == digest and u.status.startswith("uploading")]
    assert uploads[0].completed == 0 and uploads[-1].completed == size
    assert updates[-1].status == "success"
    assert wire(sim) == [
        ("HEAD", f"/api/blobs/{digest}"),
        ("POST", f"/api/blobs/{digest}"),
        ("POST", "/api/create"),
    ]
    [create] = [r.body for r in sim.requests if r.path == "/api/create"]
    assert create == {"model": "mine", "files": {"tiny.gguf": digest}, "stream": True}
    assert sim.installed("mine") is not None

    # The second time the blob is there: nothing is uploaded.
    sim.requests.clear()
    again = await run(client, FileCreate("mine2", path, quantize="q8_0"))
    assert any("already has this file" in u.status for u in again)
    assert wire(sim) == [("HEAD", f"/api/blobs/{digest}"), ("POST", "/api/create")]
    [create] = [r.body for r in sim.requests if r.path == "/api/create"]
    assert create["quantize"] == "q8_0"


async def test_missing_and_non_gguf_files_send_nothing(
    client: OllamaClient, sim: SimulatedOllama, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    cases = {
        FileCreate("m", tmp_path / "gone.gguf"): "does not exist",
        FileCreate("m", text): "notes.txt is not a GGUF file",
        FileCreate("m", tmp_path): "is not a file",
        FileCreate("bad name", text): "name: a model name cannot contain spaces",
    }
    for request, expected in cases.items():
        problem = file_create_problem(request)
        assert problem is not None and expected in problem
        with pytest.raises(ValueError, match=expected):
            await run(client, request)
    assert wire(sim) == []


def test_the_file_name_sent_ends_in_gguf(tmp_path: Path) -> None:
    assert FileCreate("m", tmp_path / "x.GGUF").file_name == "x.GGUF"
    assert FileCreate("m", tmp_path / "weights.bin").file_name == "model.gguf"
