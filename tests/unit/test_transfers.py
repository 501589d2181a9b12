"""The progress model of a pull or create: layers, quirks, rate, ETA, outcome and resume."""

from __future__ import annotations

import pytest

from tests.helpers import state_of
from tui_app.api import ProgressUpdate
from tui_app.core.formatting import short_digest
from tui_app.core.transfers import (
    LayerProgress,
    RateMeter,
    Transfer,
    TransferKind,
    TransferState,
    eta_seconds,
)

BIG = "sha256:dde5aa3fc5ffc17176b5e8bdc82f587b24b2678c6c66101bf7da77af9f7ccdff"
SMALL = "sha256:966de95ca8a62200913e3f8bfbf84c8494536f1b94b49166851e76644e966396"
OTHER = "sha256:0a42f2e42fdd0a42f2e42fdd0a42f2e42fdd0a42f2e42fdd0a42f2e42fdd0a42"


def status(text: str) -> ProgressUpdate:
    return ProgressUpdate(status=text)


def layer_line(digest: str, total: int, completed: int = 0) -> ProgressUpdate:
    # Built from JSON so that "completed absent while zero" goes through the real parser.
    body: dict[str, object] = {
        "status": f"pulling {short_digest(digest)}",
        "digest": digest,
        "total": total,
    }
    if completed:
        body["completed"] = completed
    return ProgressUpdate.from_json(body)


def feed(
    transfer: Transfer, *lines: ProgressUpdate, start: float = 0.0, step: float = 0.1
) -> float:
    now = start
    for line in lines:
        now += step
        transfer.apply(line, now)
    return now


def test_a_multi_layer_pull_to_success() -> None:
    transfer = Transfer("llama3.2", now=0.0)
    now = feed(
        transfer,
        status("pulling manifest"),
        layer_line(BIG, 1000),
        layer_line(BIG, 1000, 400),
        layer_line(BIG, 1000, 900),
        layer_line(SMALL, 50, 50),
        status("verifying sha256 digest"),
        status("writing manifest"),
        status("success"),
    )
    transfer.succeed(now)
    assert transfer.state is TransferState.SUCCEEDED
    assert not transfer.running
    assert list(transfer.layers) == [BIG, SMALL]
    assert all(layer.finished and layer.fraction == 1.0 for layer in transfer.layers.values())
    assert transfer.completed_bytes == transfer.total_bytes == 1050
    assert transfer.status == "success"
    assert transfer.statuses == [
        "pulling manifest",
        "verifying sha256 digest",
        "writing manifest",
        "success",
    ]
    assert transfer.downloaded_bytes == 900
    assert transfer.average_rate() == pytest.approx(900 / now)


def test_completed_absent_means_zero_and_the_first_line_is_not_a_resume() -> None:
    transfer = Transfer("m", now=0.0)
    feed(transfer, layer_line(BIG, 1000))
    layer = transfer.layers[BIG]
    assert layer.completed == 0
    assert not layer.resumed and not layer.cached
    assert transfer.fraction == 0.0
    assert transfer.active_layer is layer


def test_moving_to_the_next_layer_completes_the_previous_one_without_a_100_percent_line() -> None:
    transfer = Transfer("m", now=0.0)
    feed(transfer, layer_line(BIG, 1000), layer_line(BIG, 1000, 970), layer_line(OTHER, 500))
    big = transfer.layers[BIG]
    assert big.finished and big.completed == 1000
    assert transfer.active_layer is transfer.layers[OTHER]


def test_verifying_completes_the_last_layer() -> None:
    transfer = Transfer("m", now=0.0)
    feed(transfer, layer_line(BIG, 1000), layer_line(BIG, 1000, 990))
    assert not transfer.layers[BIG].finished
    feed(transfer, status("verifying sha256 digest"), start=1.0)
    assert transfer.layers[BIG].finished
    assert transfer.fraction == 1.0
    assert transfer.active_layer is None


def test_tiny_layers_that_send_no_line_never_appear() -> None:
    transfer = Transfer("m", now=0.0)
    feed(
        transfer,
        status("pulling manifest"),
        layer_line(BIG, 1000),
        layer_line(BIG, 1000, 500),
        status("verifying sha256 digest"),
    )
    assert list(transfer.layers) == [BIG]
    assert transfer.total_bytes == 1000


def test_a_cached_layer_arrives_complete_in_one_line() -> None:
    transfer = Transfer("m", now=0.0)
    now = feed(transfer, layer_line(BIG, 1000, 1000), layer_line(OTHER, 10, 10))
    big = transfer.layers[BIG]
    assert big.cached and big.finished and not big.resumed
    # Nothing was downloaded, so a cached layer must not count as a burst of speed.
    assert transfer.downloaded_bytes == 0
    assert transfer.rate(now + 1) is None


def test_a_layer_whose_first_line_has_bytes_was_resumed() -> None:
    transfer = Transfer("m", now=0.0)
    feed(transfer, layer_line(BIG, 1000, 600), layer_line(BIG, 1000, 700))
    big = transfer.layers[BIG]
    assert big.resumed and big.resumed_from == 600
    assert transfer.resumed
    assert transfer.downloaded_bytes == 100


def test_unknown_statuses_are_kept_as_text() -> None:
    transfer = Transfer("m", now=0.0)
    feed(transfer, status("couldn't remove unused layers: permission denied"))
    assert transfer.running
    assert transfer.error == ""
    assert transfer.status == "couldn't remove unused layers: permission denied"
    assert transfer.statuses == ["couldn't remove unused layers: permission denied"]


def test_a_line_with_a_digest_but_no_total_is_a_plain_status() -> None:
    transfer = Transfer("m", now=0.0)
    feed(transfer, ProgressUpdate(status="using existing layer sha256:abc", digest="sha256:abc"))
    assert transfer.layers == {}
    assert transfer.statuses == ["using existing layer sha256:abc"]


def test_repeated_statuses_are_listed_once() -> None:
    transfer = Transfer("m", now=0.0)
    feed(transfer, status("pulling manifest"), status("pulling manifest"), status("x"))
    assert transfer.statuses == ["pulling manifest", "x"]


def test_create_keeps_every_status_line() -> None:
    transfer = Transfer("mine", TransferKind.CREATE, now=0.0)
    lines = [
        "using existing layer sha256:dde5aa3fc5ff",
        "creating new layer sha256:6e4c38e1172f",
        "writing manifest",
        "success",
    ]
    now = feed(transfer, *(status(line) for line in lines))
    transfer.succeed(now)
    assert transfer.kind is TransferKind.CREATE
    assert transfer.statuses == lines
    assert transfer.fraction is None
    assert transfer.average_rate() is None


def test_failure_keeps_the_server_words_and_the_progress() -> None:
    transfer = Transfer("m", now=0.0)
    now = feed(transfer, layer_line(BIG, 1000), layer_line(BIG, 1000, 300))
    transfer.fail("digest mismatch, file must be downloaded again", now)
    assert transfer.state is TransferState.FAILED
    assert transfer.error == "digest mismatch, file must be downloaded again"
    assert transfer.layers[BIG].completed == 300
    assert transfer.rate(now) is None
    assert transfer.active_layer is None


def test_an_ended_transfer_cannot_end_again() -> None:
    transfer = Transfer("m", now=0.0)
    transfer.cancel(1.0)
    transfer.fail("late error", 2.0)
    assert transfer.state is TransferState.CANCELLED
    assert transfer.error == ""
    assert transfer.finished_at == 1.0


def test_cancel_then_restart_resumes_and_keeps_layers_on_view() -> None:
    transfer = Transfer("m", now=0.0)
    now = feed(
        transfer, layer_line(SMALL, 10, 10), layer_line(BIG, 1000), layer_line(BIG, 1000, 400)
    )
    transfer.cancel(now)
    assert transfer.state is TransferState.CANCELLED
    version = transfer.version

    transfer.restart(now + 5)
    assert transfer.running
    assert transfer.runs == 2
    assert transfer.version > version
    assert transfer.layers[BIG].completed == 400, "the bars stay where they were"
    assert transfer.statuses == []

    now = feed(
        transfer,
        status("pulling manifest"),
        layer_line(SMALL, 10, 10),
        layer_line(BIG, 1000, 450),
        layer_line(BIG, 1000, 700),
        start=now + 5,
    )
    big = transfer.layers[BIG]
    assert big.resumed and big.resumed_from == 450
    assert transfer.layers[SMALL].cached
    assert transfer.downloaded_bytes == 250
    feed(transfer, status("verifying sha256 digest"), status("success"), start=now)
    transfer.succeed(now + 1)
    assert state_of(transfer) is TransferState.SUCCEEDED
    assert transfer.fraction == 1.0


def test_a_restart_after_the_server_dropped_the_partial_blob_starts_over() -> None:
    transfer = Transfer("m", now=0.0)
    now = feed(transfer, layer_line(BIG, 1000), layer_line(BIG, 1000, 400))
    transfer.fail("digest mismatch", now)
    transfer.restart(now)
    feed(transfer, layer_line(BIG, 1000), start=now)
    assert transfer.layers[BIG].completed == 0
    assert not transfer.layers[BIG].resumed


def test_rate_and_eta_follow_the_bytes() -> None:
    transfer = Transfer("m", now=0.0)
    transfer.apply(layer_line(BIG, 10_000), 0.0)
    for second in range(1, 5):
        transfer.apply(layer_line(BIG, 10_000, second * 1000), float(second))
    rate = transfer.rate(4.0)
    assert rate == pytest.approx(1000.0)
    assert transfer.eta(4.0) == pytest.approx(6.0)
    layer = transfer.layers[BIG]
    assert layer.rate(4.0) == pytest.approx(1000.0)
    assert layer.eta(4.0) == pytest.approx(6.0)


def test_a_stalled_download_slows_the_rate_down() -> None:
    transfer = Transfer("m", now=0.0)
    transfer.apply(layer_line(BIG, 10_000), 0.0)
    transfer.apply(layer_line(BIG, 10_000, 1000), 1.0)
    transfer.apply(layer_line(BIG, 10_000, 2000), 2.0)
    steady = transfer.rate(2.0)
    stalled = transfer.rate(10.0)
    assert steady is not None and stalled is not None
    assert stalled < steady


def test_rate_meter_needs_two_samples_and_some_time() -> None:
    meter = RateMeter(window=3.0)
    assert meter.rate(1.0) is None
    meter.add(0.0, 0)
    assert meter.rate(1.0) is None
    meter.add(0.1, 100)
    assert meter.rate(0.1) is None, "a tenth of a second is too short to trust"
    assert meter.rate(1.0) == pytest.approx(100.0)


def test_rate_meter_forgets_old_samples() -> None:
    meter = RateMeter(window=2.0)
    meter.add(0.0, 0)
    meter.add(1.0, 10_000)  # a fast start...
    for second in range(2, 20):
        meter.add(float(second), 10_000 + (second - 1) * 100)  # ...then a slow crawl
    assert meter.rate(19.0) == pytest.approx(100.0)
    assert len(meter._samples) <= 4


def test_rate_meter_copes_with_a_flood_of_samples() -> None:
    meter = RateMeter(window=1.0)
    for index in range(100_000):
        meter.add(index / 1000, index * 10)
    assert meter.rate(99.999) == pytest.approx(10_000.0, rel=0.01)
    assert len(meter._samples) < 1100


def test_helpers() -> None:
    assert LayerProgress(BIG).short_digest == "dde5aa3fc5ff"
    assert LayerProgress("0000000000000000000").short_digest == "000000000000"
    assert eta_seconds(100, None) is None
    assert eta_seconds(100, 0.0) is None
    assert eta_seconds(100, 50.0) == 2.0
    assert LayerProgress("x").fraction == 0.0
    assert LayerProgress("x", finished=True).fraction == 1.0
    assert TransferState.RUNNING.finished is False
    assert TransferState.CANCELLED.finished is True


def test_elapsed_stops_at_the_end() -> None:
    transfer = Transfer("m", now=10.0)
    assert transfer.elapsed(12.0) == 2.0
    transfer.succeed(15.0)
    assert transfer.elapsed(100.0) == 5.0
