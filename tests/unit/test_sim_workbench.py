"""The simulator's workbench endpoints on the wire: statuses, bodies and content types."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tui_app.demo import SimModel, SimulatedOllama, default_models

GGUF = b"GGUF" + (3).to_bytes(4, "little") + bytes(16) + b"weights" * 100
GGUF_DIGEST = "sha256:" + hashlib.sha256(GGUF).hexdigest()


@pytest.fixture
def sim() -> SimulatedOllama:
    coder = SimModel(name="coder:1b", capabilities=["completion", "insert"])
    wide = SimModel(name="wide:1b", quantization_level="F16", parameter_size="1B")
    return SimulatedOllama(
        models=[*default_models(), coder, wide], token_delay=0.0, pull_tick=0.0, pull_rate=20e9
    )


@pytest.fixture
async def http(sim: SimulatedOllama) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=sim.transport(), base_url="http://ollama.test") as c:
        yield c


async def ndjson(http: httpx.AsyncClient, path: str, body: dict[str, Any]) -> list[Any]:
    response = await http.post(path, json=body)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    return [json.loads(line) for line in response.text.splitlines()]


# -- blobs -----------------------------------------------------------------------------------------


async def test_blob_head_then_post_then_head(http: httpx.AsyncClient) -> None:
    path = f"/api/blobs/{GGUF_DIGEST}"
    missing = await http.head(path)
    assert (missing.status_code, missing.content) == (404, b"")
    created = await http.post(path, content=GGUF)
    assert (created.status_code, created.content) == (201, b"")
    assert (await http.head(path)).status_code == 200
    again = await http.post(path, content=GGUF)
    assert (again.status_code, again.content) == (200, b"")


async def test_blob_digest_mismatch_and_bad_format(http: httpx.AsyncClient) -> None:
    wrong = "sha256:" + "a" * 64
    mismatch = await http.post(f"/api/blobs/{wrong}", content=GGUF)
    assert mismatch.status_code == 400
    assert mismatch.json() == {"error": f'digest mismatch, expected "{wrong}", got "{GGUF_DIGEST}"'}
    for bad in ("sha256:abc", "md5:" + "0" * 64, "sha256:" + "g" * 64):
        response = await http.post(f"/api/blobs/{bad}", content=GGUF)
        assert (response.status_code, response.json()) == (400, {"error": "invalid digest format"})
    head = await http.head("/api/blobs/nonsense")
    assert (head.status_code, head.content) == (400, b"")


async def test_blob_route_methods(http: httpx.AsyncClient) -> None:
    response = await http.get(f"/api/blobs/{GGUF_DIGEST}")
    assert (response.status_code, response.text) == (405, "405 method not allowed")
    assert (await http.post("/api/blobs/", content=b"")).status_code == 404
    assert (await http.post(f"/api/blobs/{GGUF_DIGEST}/x", content=b"")).status_code == 404


# -- create from files -----------------------------------------------------------------------------


async def test_create_from_an_uploaded_gguf(http: httpx.AsyncClient, sim: SimulatedOllama) -> None:
    await http.post(f"/api/blobs/{GGUF_DIGEST}", content=GGUF)
    body = {
        "model": "mine",
        "files": {"model.gguf": GGUF_DIGEST},
        "parameters": {"temperature": 0.3},
    }
    lines = await ndjson(http, "/api/create", body)
    statuses = [line["status"] for line in lines]
    assert statuses[:2] == ["parsing GGUF", f"using existing layer {GGUF_DIGEST}"]
    assert sum(s.startswith("creating new layer sha256:") for s in statuses) == 1
    assert statuses[-2:] == ["writing manifest", "success"]
    assert not any("quantizing" in s for s in statuses)
    model = sim.installed("mine")
    assert model is not None
    assert model.layers[0] == (GGUF_DIGEST, len(GGUF))
    assert model.quantization_level == "F16"
    # Deleting the only model that uses the upload removes the blob too.
    assert (await http.request("DELETE", "/api/delete", json={"model": "mine"})).status_code == 200
    assert (await http.head(f"/api/blobs/{GGUF_DIGEST}")).status_code == 404


async def test_create_with_quantize_reports_progress(http: httpx.AsyncClient) -> None:
    await http.post(f"/api/blobs/{GGUF_DIGEST}", content=GGUF)
    body = {"model": "mine", "files": {"model.gguf": GGUF_DIGEST}, "quantize": "q8_0"}
    lines = await ndjson(http, "/api/create", body)
    progress = [line for line in lines if "total" in line]
    assert progress and all(line["status"] == "quantizing F16 model to Q8_0" for line in progress)
    assert all(list(line) == ["status", "digest", "total", "completed"] for line in progress)
    assert progress[-1]["completed"] == progress[-1]["total"]
    statuses = [line["status"] for line in lines]
    assert statuses.index("verifying conversion") > statuses.index(progress[-1]["status"])
    show = (await http.post("/api/show", json={"model": "mine"})).json()
    assert show["details"]["quantization_level"] == "Q8_0"


async def test_create_from_files_errors_come_before_any_output(http: httpx.AsyncClient) -> None:
    unknown = "sha256:" + "1" * 64
    missing = await http.post("/api/create", json={"model": "m", "files": {"model.gguf": unknown}})
    assert missing.status_code == 500
    assert missing.headers["content-type"] == "application/json"
    assert missing.json() == {
        "error": f"open /root/.ollama/models/blobs/sha256-{'1' * 64}: no such file or directory"
    }
    text = b"just text"
    text_digest = "sha256:" + hashlib.sha256(text).hexdigest()
    await http.post(f"/api/blobs/{text_digest}", content=text)
    not_gguf = await http.post(
        "/api/create", json={"model": "m", "files": {"model.gguf": text_digest}}
    )
    assert (not_gguf.status_code, not_gguf.json()) == (
        400,
        {"error": "supplied file was not in GGUF format"},
    )
    outside = await http.post(
        "/api/create", json={"model": "m", "files": {"../model.gguf": text_digest}}
    )
    assert (outside.status_code, outside.json()) == (400, {"error": "file path must be relative"})


async def test_create_from_a_model_with_quantize(http: httpx.AsyncClient) -> None:
    lines = await ndjson(http, "/api/create", {"model": "q", "from": "wide:1b", "quantize": "Q4_0"})
    statuses = [line["status"] for line in lines]
    assert statuses[0].startswith("using existing layer sha256:")
    assert "quantizing F16 model to Q4_0" in statuses and "verifying conversion" in statuses
    assert statuses[-1] == "success"
    show = (await http.post("/api/show", json={"model": "q"})).json()
    assert show["details"]["quantization_level"] == "Q4_0"
    refused = await ndjson(
        http, "/api/create", {"model": "q2", "from": "llama3.2", "quantize": "q4_K_M"}
    )
    assert refused[0]["status"].startswith("using existing layer sha256:")
    assert refused[-1] == {"error": "quantization is only supported for F16 and F32 models"}


# -- push ------------------------------------------------------------------------------------------


async def test_push_streams_layers_then_the_manifest(
    http: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    await http.post("/api/copy", json={"source": "gemma3:1b", "destination": "me/gemma3:1b"})
    lines = await ndjson(http, "/api/push", {"model": "me/gemma3:1b"})
    assert lines[0] == {"status": "retrieving manifest"}
    assert lines[-2:] == [{"status": "pushing manifest"}, {"status": "success"}]
    layers = lines[1:-2]
    assert all(list(line)[:3] == ["status", "digest", "total"] for line in layers)
    assert "completed" not in layers[0]
    model = sim.installed("me/gemma3:1b")
    assert model is not None
    finals = {line["digest"]: line.get("completed") for line in layers}
    assert finals == {digest: size for digest, size in model.layers}


async def test_push_errors(http: httpx.AsyncClient) -> None:
    refused = await ndjson(http, "/api/push", {"model": "llama3.2"})
    assert refused == [{"status": "retrieving manifest"}, {"error": "unauthorized: access denied"}]
    single = await http.post("/api/push", json={"model": "llama3.2", "stream": False})
    assert (single.status_code, single.json()) == (500, {"error": "unauthorized: access denied"})
    missing = await ndjson(http, "/api/push", {"model": "me/ghost"})
    assert missing == [
        {"status": "retrieving manifest"},
        {"status": "couldn't retrieve manifest"},
        {
            "error": "open /root/.ollama/models/manifests/registry.ollama.ai/me/ghost/latest: "
            "no such file or directory"
        },
    ]
    bad = await http.post("/api/push", json={"model": "bad name"})
    assert (bad.status_code, bad.json()) == (400, {"error": "invalid model name"})


async def test_push_without_streaming_returns_the_last_status(http: httpx.AsyncClient) -> None:
    await http.post("/api/copy", json={"source": "gemma3:1b", "destination": "me/g:1b"})
    single = await http.post("/api/push", json={"model": "me/g:1b", "stream": False})
    assert single.headers["content-type"] == "application/json"
    assert single.content == b'{"status":"success"}'


# -- generate: suffix and context ------------------------------------------------------------------


async def test_suffix_needs_the_insert_capability(http: httpx.AsyncClient) -> None:
    refused = await http.post(
        "/api/generate", json={"model": "gemma3:1b", "prompt": "a", "suffix": "b"}
    )
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": "registry.ollama.ai/library/gemma3:1b does not support insert"},
    )
    filled = await http.post(
        "/api/generate",
        json={"model": "coder:1b", "prompt": "x = f(", "suffix": ")", "stream": False},
    )
    assert filled.status_code == 200
    reply = filled.json()
    assert reply["response"] and reply["done"] is True and reply["context"]


async def test_raw_generate_returns_no_context(http: httpx.AsyncClient) -> None:
    reply = await http.post(
        "/api/generate",
        json={"model": "llama3.2", "prompt": "hi", "raw": True, "stream": False},
    )
    assert "context" not in reply.json()


async def test_embed_several_inputs_truncate_and_dimensions(http: httpx.AsyncClient) -> None:
    reply = await http.post(
        "/api/embed",
        json={"model": "nomic-embed-text", "input": ["a", "b c"], "dimensions": 16},
    )
    data = reply.json()
    assert list(data) == [
        "model",
        "embeddings",
        "total_duration",
        "load_duration",
        "prompt_eval_count",
    ]
    assert [len(v) for v in data["embeddings"]] == [16, 16]
    norms = [sum(x * x for x in v) for v in data["embeddings"]]
    assert norms == pytest.approx([1.0, 1.0], abs=1e-5)
    too_long = await http.post(
        "/api/embed",
        json={"model": "nomic-embed-text", "input": "word " * 9000, "truncate": False},
    )
    assert (too_long.status_code, too_long.json()) == (
        400,
        {"error": "the input length exceeds the context length"},
    )


# -- pull: every layer of a fresh pull -----------------------------------------------------------


async def test_a_fresh_pull_lists_every_layer(
    http: httpx.AsyncClient, sim: SimulatedOllama
) -> None:
    sim.pull_rate = 1e6 / 0.06  # a megabyte a tick: many lines for the weights
    lines = await ndjson(http, "/api/pull", {"model": "smollm2:135m"})
    model = sim.installed("smollm2:135m")
    assert model is not None
    seen = list(dict.fromkeys(line["digest"] for line in lines if "digest" in line))
    assert seen == [digest for digest, _ in model.layers]
