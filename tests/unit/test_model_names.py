"""The model-name grammar of ollama-api.md §9."""

from __future__ import annotations

import pytest

from tui_app.api.names import model_name_problem, normalise_model_name, same_model


@pytest.mark.parametrize(
    "name",
    [
        "llama3.2",
        "llama3.2:latest",
        "qwen3:8b",
        "myns/foo:7b",
        "localhost:5000/ns/m",
        "example.com/ns/model:tag",
        "https://example.com/ns/model",
        "_under/score_:v1.0-rc",
        "a" * 80,
    ],
)
def test_valid_names(name: str) -> None:
    assert model_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "required"),
        ("   ", "required"),
        ("bad name", "spaces"),
        ("foo:", "tag part is empty"),
        ("/foo", "is empty"),
        ("example.com/model", "namespace"),
        ("-dash", "characters"),
        ("a/b/c/d", "too many"),
        ("m" * 81, "longer than 80"),
        ("model!", "characters"),
    ],
)
def test_invalid_names(name: str, reason: str) -> None:
    problem = model_name_problem(name)
    assert problem is not None
    assert reason in problem


def test_normalisation() -> None:
    assert normalise_model_name("llama3.2") == "llama3.2:latest"
    assert normalise_model_name("qwen3:8b") == "qwen3:8b"
    assert normalise_model_name("localhost:5000/ns/m") == "localhost:5000/ns/m:latest"
    assert normalise_model_name("library/llama3.2") == "llama3.2:latest"
    assert same_model("Llama3.2", "llama3.2:latest")
    assert not same_model("llama3.2:1b", "llama3.2")
