"""The details pane and the status bar with a server's megabytes of license, and names
that look like markup or hold escape sequences."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Static

from tui_app.api import ModelInfo, ModelSummary
from tui_app.core.connection import ConnectionStatus, LinkState
from tui_app.widgets.model_details import TEXT_LIMIT, ModelDetails
from tui_app.widgets.status_bar import StatusBar

NOW = datetime(2026, 12, 1, tzinfo=UTC)


class DetailsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ModelDetails(id="details")


def shown(app: App[None], selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_a_huge_license_is_cut_and_shown_a_step_at_a_time() -> None:
    license = ("word " * 15 + "\n") * 70_000  # 5.6 MB
    app = DetailsApp()
    async with app.run_test() as pilot:
        details = app.query_one(ModelDetails)
        details.show_info(ModelSummary("big:latest"), ModelInfo(license=license), NOW)
        await pilot.pause()
        first = shown(app, "#details-license")
        assert len(first) < TEXT_LIMIT + 100
        assert "more characters: m shows more" in first
        details.focus()
        await pilot.press("m")
        await pilot.pause()
        assert TEXT_LIMIT * 9 < len(shown(app, "#details-license")) < TEXT_LIMIT * 10 + 100
        # Another model starts cut again.
        details.show_info(ModelSummary("other:latest"), ModelInfo(license=license), NOW)
        await pilot.pause()
        assert len(shown(app, "#details-license")) < TEXT_LIMIT + 100


async def test_a_name_with_markup_is_the_title_as_written() -> None:
    app = DetailsApp()
    async with app.run_test() as pilot:
        details = app.query_one(ModelDetails)
        details.show_info(ModelSummary("a:latest"), ModelInfo(), NOW)
        await pilot.pause()
        for name in ("[bold red]X[/]:latest", "[link=http://evil.test]y:latest"):
            details.show_info(ModelSummary(name), ModelInfo(), NOW)
            await pilot.pause()
            # Textual keeps a title as markup: the name must come back out of it as written.
            assert Content.from_markup(str(details.border_title)).plain == name
            assert details.model_name == name


def test_the_status_bar_shows_a_hostile_version_and_model_as_text() -> None:
    status = ConnectionStatus(LinkState.ONLINE, version="0.1\x1b]0;title\x07")
    text = StatusBar.describe(status, "http://h:1", "m\x1b[2J[bold]x", demo=False).plain
    assert "\x1b" not in text and "\x07" not in text
    assert "Ollama 0.1␛]0;title␇" in text and "model m␛[2J[bold]x" in text
    long = ConnectionStatus(LinkState.ONLINE, version="9" * 500)
    assert "http://h:1" in StatusBar.describe(long, "http://h:1", "m", demo=False).plain[:60]
