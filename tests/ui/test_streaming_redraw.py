"""The streaming fast paths draw what a full redraw draws.

A streaming reply keeps the lines it drew when they did not change, grows a code block a
line at a time and its reasoning a paragraph at a time. Each test streams text in pieces,
drawing every line between pieces (as the screen would), and compares every drawn cell
with a fresh widget given the whole text at once.
"""

from __future__ import annotations

import random

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.strip import Strip

from tui_app.demo._replies import (
    CODE,
    MIXED,
    TABLE,
    code_block_tokens,
    long_markdown_tokens,
    long_thinking_tokens,
    tokenize,
)
from tui_app.widgets.markdown_document import MarkdownDocument
from tui_app.widgets.markdown_render import _code, code_lines, split_blocks
from tui_app.widgets.streaming_text import StreamingText

Cell = tuple[str, Style | None]


def cells(strip: Strip) -> list[Cell]:
    """A drawn line as one (character, style) pair per character."""
    return [(char, segment.style) for segment in strip for char in segment.text]


def content_cells(line: Content) -> list[tuple[str, frozenset[str]]]:
    """A line of styled text as one (character, styles) pair per character."""
    styles: list[set[str]] = [set() for _ in line.plain]
    for span in line.spans:
        for index in range(span.start, min(span.end, len(styles))):
            styles[index].add(str(span.style))
    return [(char, frozenset(found)) for char, found in zip(line.plain, styles, strict=True)]


def pieces_of(text: str, seed: int) -> list[str]:
    """``text`` cut into random pieces of one to a few tokens, as a server sends it."""
    rng = random.Random(seed)
    tokens = tokenize(text)
    pieces: list[str] = []
    while tokens:
        count = rng.randint(1, 6)
        pieces.append("".join(tokens[:count]))
        tokens = tokens[count:]
    return pieces


class Pair(App[None]):
    """A widget being streamed into beside a fresh one given the whole text."""

    def __init__(self, streamed: MarkdownDocument | StreamingText, fresh: object) -> None:
        super().__init__()
        self.streamed = streamed
        self.fresh = fresh

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield self.streamed
        with VerticalScroll():
            assert isinstance(self.fresh, MarkdownDocument | StreamingText)
            yield self.fresh


def draw_all(widget: MarkdownDocument | StreamingText) -> list[list[Cell]]:
    """Every line of ``widget`` as drawn now (drawn lines are kept for next time)."""
    return [cells(widget.render_line(y)) for y in range(widget.virtual_size.height)]


STREAMED_REPLIES = [
    "".join(long_markdown_tokens(1200)),
    "".join(code_block_tokens(120)),
    TABLE + "\n\n" + MIXED,
    CODE,
]


@pytest.mark.parametrize("sample", range(len(STREAMED_REPLIES)))
async def test_a_streamed_document_draws_what_a_fresh_one_draws(sample: int) -> None:
    text = STREAMED_REPLIES[sample]
    streamed = MarkdownDocument()
    app = Pair(streamed, MarkdownDocument(text))
    async with app.run_test(size=(70, 40)) as pilot:
        streamed.growing = True
        for index, piece in enumerate(pieces_of(text, seed=sample)):
            streamed.append(piece)
            if index % 7 == 0:
                await pilot.pause()
                draw_all(streamed)  # as a screen scrolled over all of it would
        await pilot.pause()
        fresh = app.fresh
        assert isinstance(fresh, MarkdownDocument)
        expected = draw_all(fresh)
        drawn = draw_all(streamed)
        # While growing, the room taken past the last line is blank.
        assert drawn[: len(expected)] == expected
        assert all(not "".join(char for char, _ in line).strip() for line in drawn[len(expected) :])
        streamed.growing = False
        streamed.update(text)  # what finishing a reply does
        await pilot.pause()
        assert draw_all(streamed) == expected


async def test_a_finished_code_block_is_highlighted_whole() -> None:
    # A string over several lines: highlighted a line at a time, its inner lines read as
    # code; once the block is complete it must be drawn from a whole highlight.
    text = '```python\nx = 1\ndoc = """\nif while return\n"""\ny = 2\n```\n\nAfter.\n'
    streamed = MarkdownDocument()
    app = Pair(streamed, MarkdownDocument(text))
    async with app.run_test(size=(60, 20)) as pilot:
        streamed.growing = True
        for piece in pieces_of(text, seed=3):
            streamed.append(piece)
            await pilot.pause()
            draw_all(streamed)
        streamed.growing = False
        streamed.update(text)
        await pilot.pause()
        fresh = app.fresh
        assert isinstance(fresh, MarkdownDocument)
        assert draw_all(streamed) == draw_all(fresh)


def test_code_highlighted_line_by_line_matches_a_whole_highlight() -> None:
    code = "".join(code_block_tokens(60)).split("```python\n")[1].split("```")[0]
    whole = _code(code, "python", 80)
    rng = random.Random(7)
    end = 0
    while end < len(code):
        end = min(len(code), end + rng.randint(1, 60))
        grown = _code(code[:end], "python", 80, growing=True)
        assert [content_cells(line) for line in grown] == [
            content_cells(line) for line in _code(code[:end], "python", 80)
        ]
    assert [content_cells(line) for line in grown] == [content_cells(line) for line in whole]


def test_code_lines_start_again_when_the_code_is_not_a_continuation() -> None:
    first = code_lines("a = 1\nb = 2\nc", "python", 20)
    other = code_lines("z = 9\nq", "python", 20)
    assert [line.plain.strip() for line in first] == ["a = 1", "b = 2", "c"]
    assert [line.plain.strip() for line in other] == ["z = 9", "q"]


def test_a_growing_fence_becomes_a_whole_block_once_another_follows() -> None:
    text = "```python\nx = 1\n```\n\nNext paragraph.\n"
    document = MarkdownDocument()
    for piece in pieces_of(text, seed=1):
        document.append(piece)
    blocks = document._blocks
    assert [block.growing for block in blocks] == [False, True]
    assert [block.source for block in blocks] == [block.source for block in split_blocks(text)]


THINKING = [
    "".join(long_thinking_tokens(1500)),
    "short line\n\n\nafter blank lines\n" + "a very long paragraph " * 40 + "\nend",
]


@pytest.mark.parametrize("sample", range(len(THINKING)))
async def test_streamed_thinking_draws_what_a_fresh_block_draws(sample: int) -> None:
    text = THINKING[sample]
    streamed = StreamingText()
    app = Pair(streamed, StreamingText(text))
    async with app.run_test(size=(50, 30)) as pilot:
        streamed.growing = True
        for index, piece in enumerate(pieces_of(text, seed=sample)):
            streamed.append(piece)
            if index % 5 == 0:
                await pilot.pause()
                draw_all(streamed)
        streamed.growing = False
        await pilot.pause()
        fresh = app.fresh
        assert isinstance(fresh, StreamingText)
        assert streamed.text == text
        assert streamed.rendered_lines() == fresh.rendered_lines()
        assert draw_all(streamed) == draw_all(fresh)
        # Resized, it wraps again at the new width.
        await pilot.resize_terminal(35, 30)
        await pilot.pause()
        assert draw_all(streamed) == draw_all(fresh)
