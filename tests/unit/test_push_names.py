"""Which model names can be pushed: only those in a namespace of the user's own."""

from __future__ import annotations

from tui_app.api.names import push_name_problem


def test_own_namespace_may_be_pushed() -> None:
    for name in ("me/llama3.2", "me/llama3.2:8b", "registry.example.com/team/model:v1"):
        assert push_name_problem(name) is None, name


def test_library_and_bare_names_are_refused_with_a_way_out() -> None:
    for name in ("llama3.2", "library/llama3.2:latest", "registry.ollama.ai/library/qwen3"):
        problem = push_name_problem(name)
        assert problem is not None and "copy it to a name such as yourname/" in problem, name
    assert push_name_problem("bad name") == "a model name cannot contain spaces"
