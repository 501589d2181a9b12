"""Parsing of the server's shapes, including its quirks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from tui_app.api.models import (
    ChatChunk,
    ChatMessage,
    Metrics,
    ModelDetails,
    ModelInfo,
    ModelSummary,
    ProgressUpdate,
    RunningModel,
    parse_timestamp,
)


def test_timestamp_with_nine_digits_and_offset() -> None:
    parsed = parse_timestamp("2025-05-04T17:37:44.706015396-07:00")
    assert parsed == datetime(2025, 5, 4, 17, 37, 44, 706015, tzinfo=timezone(timedelta(hours=-7)))


def test_timestamp_with_z_and_short_fraction() -> None:
    assert parse_timestamp("2025-07-07T20:22:19.1Z") == datetime(
        2025, 7, 7, 20, 22, 19, 100000, tzinfo=UTC
    )
    assert parse_timestamp("2025-07-07T20:22:19Z") == datetime(2025, 7, 7, 20, 22, 19, tzinfo=UTC)


def test_unreadable_timestamps_are_none() -> None:
    assert parse_timestamp(None) is None
    assert parse_timestamp("") is None
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(12) is None


def test_families_null_and_missing_details() -> None:
    details = ModelDetails.from_json({"family": "bert", "families": None})
    assert details.families is None
    assert ModelDetails.from_json(None) == ModelDetails()
    summary = ModelSummary.from_json({"model": "x:latest"})
    assert summary.name == "x:latest"
    assert summary.details == ModelDetails()
    assert summary.modified_at is None


def test_running_model_kept_forever_and_gpu_share() -> None:
    forever = RunningModel.from_json(
        {
            "name": "llama3.2:latest",
            "size": 1000,
            "size_vram": 650,
            "expires_at": "2318-02-19T18:36:05.123456789-07:00",
            "context_length": 4096,
        }
    )
    assert forever.kept_forever
    assert forever.gpu_fraction == 0.65
    soon = RunningModel.from_json({"name": "a", "expires_at": "2025-10-17T16:47:07.93355-07:00"})
    assert not soon.kept_forever
    assert soon.gpu_fraction == 0.0


def test_show_context_length_comes_from_model_info() -> None:
    info = ModelInfo.from_json(
        {
            "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
            "capabilities": ["completion", "tools"],
        }
    )
    assert info.context_length == 131072
    assert info.has_capability("tools")
    assert not info.has_capability("vision")
    assert ModelInfo.from_json({}).context_length is None


def test_final_chunk_with_text_and_missing_metrics() -> None:
    chunk = ChatChunk.from_json(
        {
            "model": "llama3.2",
            "created_at": "2025-07-07T20:22:19.19314Z",
            "message": {"role": "assistant", "content": "end."},
            "done": True,
            "eval_count": 10,
            "eval_duration": 500_000_000,
        }
    )
    assert chunk.content == "end."
    assert chunk.done
    assert chunk.done_reason == ""
    assert chunk.metrics.prompt_eval_count == 0
    assert chunk.metrics.tokens_per_second == 20.0
    assert Metrics().tokens_per_second is None


def test_message_round_trip_omits_empty_fields() -> None:
    assert ChatMessage("user", "").to_json() == {"role": "user", "content": ""}
    message = ChatMessage("user", "look", images=("aGk=",))
    assert message.to_json() == {"role": "user", "content": "look", "images": ["aGk="]}
    assert ChatMessage.from_json(message.to_json()) == message


def test_progress_completed_absent_while_zero() -> None:
    update = ProgressUpdate.from_json({"status": "pulling abc", "digest": "sha256:abc", "total": 9})
    assert update.completed == 0
    assert update.is_layer
    assert not ProgressUpdate.from_json({"status": "success"}).is_layer
