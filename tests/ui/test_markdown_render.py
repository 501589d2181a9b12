"""Markdown drawn as lines: every kind of block, hostile text, and the streaming fast path."""

from __future__ import annotations

import random

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Offset
from textual.selection import Selection

from tui_app.demo._replies import (
    CODE,
    MARKUP,
    MIXED,
    OVERVIEW,
    TABLE,
    UNICODE,
    long_markdown_tokens,
    tokenize,
)
from tui_app.widgets.markdown_document import MarkdownDocument
from tui_app.widgets.markdown_render import fit_columns, plain_lines, split_blocks

CANNED_REPLIES = [OVERVIEW, CODE, TABLE, MIXED, MARKUP, UNICODE]


def styles_of(line: Content) -> set[str]:
    return {str(span.style) for span in line.spans}


def draw(markdown: str, width: int = 60) -> list[Content]:
    lines: list[Content] = []
    for block in split_blocks(markdown):
        if lines:
            lines.append(Content(""))
        lines.extend(block.lines(width))
    return lines


# -- blocks ------------------------------------------------------------------------------------


def test_blocks_carry_their_source_and_offsets() -> None:
    text = "# Title\n\nFirst para\nstill first.\n\n- a\n- b\n"
    blocks = split_blocks(text)
    assert [block.node.type for block in blocks] == ["heading", "paragraph", "bullet_list"]
    assert [block.source for block in blocks] == [
        "# Title\n",
        "First para\nstill first.\n",
        "- a\n- b\n",
    ]
    for block in blocks:
        assert text[block.start :].startswith(block.source)


def test_paragraph_inline_styles_and_wrapping() -> None:
    lines = draw("Some *em*, **strong**, ~~gone~~, `code` and a [link](https://x.org).", 30)
    assert [line.plain for line in lines] == ["Some em, strong, gone, code", "and a link."]
    styles = styles_of(lines[0]) | styles_of(lines[1])
    assert {"italic", "bold", "strike", ".markdown--code-inline", ".markdown--link"} <= styles


def test_soft_breaks_join_and_hard_breaks_break() -> None:
    assert plain_lines("one\ntwo", 40) == ["one two"]
    assert plain_lines("one  \ntwo", 40) == ["one", "two"]


def test_headings_are_styled_by_level() -> None:
    for level in range(1, 7):
        (line,) = draw("#" * level + " Heading")
        assert line.plain == "Heading"
        assert f".markdown--h{level}" in styles_of(line)


def test_bullets_hang_their_wrapped_text_and_nest() -> None:
    text = "- a first item that is long enough to wrap\n- second\n  - nested\n"
    assert plain_lines(text, 24) == [
        "• a first item that is",
        "  long enough to wrap",
        "• second",
        "  ◦ nested",
    ]


def test_ordered_lists_keep_their_start_and_align_numbers() -> None:
    items = "".join(f"{n}. item {n}\n" for n in range(8, 12))
    assert plain_lines(items, 40) == [" 8. item 8", " 9. item 9", "10. item 10", "11. item 11"]


def test_loose_lists_keep_blank_lines_between_items() -> None:
    assert plain_lines("- a\n\n- b\n", 40) == ["• a", "", "• b"]


def test_block_quotes_get_a_bar_on_every_line() -> None:
    lines = plain_lines("> quoted text that wraps over\n> more than one line", 20)
    assert len(lines) > 1
    assert all(line.startswith("▌ ") for line in lines)


def test_code_is_padded_labelled_and_folded_not_wrapped() -> None:
    code = "```python\nx = 1\n" + "y = '" + "z" * 50 + "'\n```"
    lines = draw(code, 30)
    assert all(line.cell_length == 30 for line in lines)
    assert lines[0].plain.rstrip().endswith("python")
    assert lines[0].plain.startswith(" x = 1")
    # The long line is cut at the width, its spacing kept.
    assert lines[1].plain.startswith(" y = 'zzz")
    assert "".join(line.plain[1:-1] for line in lines[1:]).replace(" ", "").endswith("z'")
    assert all(".markdown--code" in styles_of(line) for line in lines)


def test_code_without_a_language_is_not_guessed() -> None:
    lines = draw("```\nplain text\n```", 30)
    assert lines[0].plain.strip() == "plain text"


def test_tables_align_their_columns() -> None:
    table = "| name | n |\n|:---|---:|\n| apple | 3 |\n| kiwi | 12 |\n"
    assert plain_lines(table, 40) == [
        " name  │  n ",
        "───────┼────",
        " apple │  3 ",
        " kiwi  │ 12 ",
    ]


def test_wide_tables_wrap_their_cells_to_fit() -> None:
    table = "| a | b |\n|---|---|\n| " + "word " * 20 + "| short |\n"
    lines = plain_lines(table, 30)
    assert max(len(line) for line in lines) <= 30
    assert len(lines) > 3
    assert all("│" in line for line in lines if "─" not in line)


@pytest.mark.parametrize(
    ("natural", "available", "expected"),
    [
        ([10, 16, 6, 23], 60, [10, 16, 6, 23]),  # fits: untouched
        ([10, 16, 6, 23], 49, [10, 16, 6, 17]),  # only the widest gives way
        ([4, 40, 20], 40, [4, 24, 12]),  # wide columns share in proportion
        ([30, 30, 30], 20, [7, 7, 6]),  # every cell of the width is used
    ],
)
def testfit_columns(natural: list[int], available: int, expected: list[int]) -> None:
    assert fit_columns(natural, available) == expected


def test_tables_too_narrow_for_columns_become_lists() -> None:
    table = "| first | second | third |\n|---|---|---|\n| 1 | 2 | 3 |\n"
    assert plain_lines(table, 10) == ["first: 1", "second: 2", "third: 3"]


def test_rules_span_the_width() -> None:
    assert plain_lines("---", 12) == ["─" * 12]


def test_html_and_markup_are_text() -> None:
    text = "<b>bold?</b> [bold]no[/bold] [@click=app.quit]q[/]\n\n<div>block</div>"
    assert plain_lines(text, 80) == [
        "<b>bold?</b> [bold]no[/bold] [@click=app.quit]q[/]",
        "",
        "<div>block</div>",
    ]


@pytest.mark.parametrize("width", [12, 40, 97])
def test_no_line_is_wider_than_asked(width: int) -> None:
    text = "".join(long_markdown_tokens(3000)) + "\n\n" + "\n\n".join(CANNED_REPLIES)
    for block in split_blocks(text):
        for line in block.lines(width):
            assert line.cell_length <= width, (block.node.type, line.plain)


def test_a_block_is_drawn_once_per_width() -> None:
    (block,) = split_blocks("A paragraph.")
    first = block.lines(20)
    assert block.lines(20) is first
    assert block.lines(30) is not first


# -- streaming ---------------------------------------------------------------------------------


class DocumentApp(App[None]):
    def __init__(self, markdown: str = "") -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield MarkdownDocument(self.markdown)


def stream_pieces(text: str, seed: int) -> list[str]:
    """``text`` cut into random pieces of one to a few tokens, as a server would send it."""
    rng = random.Random(seed)
    tokens = tokenize(text)
    pieces: list[str] = []
    while tokens:
        count = rng.randint(1, 6)
        pieces.append("".join(tokens[:count]))
        tokens = tokens[count:]
    return pieces


SAMPLES = [
    "".join(long_markdown_tokens(1500)),
    *CANNED_REPLIES,
    "Title\n=====\n\npara\n\n- a\n- b\n\n  continued\n\n```\nunclosed fence\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\ntrailing row\n\n> quote\nlazy line\n",
    "See [the docs][r] now.\n\n[r]: https://example.com\n",
]


@pytest.mark.parametrize("sample", range(len(SAMPLES)))
async def test_appending_piece_by_piece_matches_a_whole_parse(sample: int) -> None:
    text = SAMPLES[sample]
    app = DocumentApp()
    async with app.run_test(size=(70, 30)) as pilot:
        document = app.query_one(MarkdownDocument)
        for piece in stream_pieces(text, seed=sample):
            document.append(piece)
        await pilot.pause()
        streamed = document.rendered_text()
        assert document.source == text
        document.update(text)  # what finishing a reply does
        await pilot.pause()
        finished = document.rendered_text()
        width = document.content_size.width
        assert finished == "\n".join(line.rstrip() for line in plain_lines(text, width))
        if sample == 0:
            # The benchmark's reply has no block that a later line changes: the fast path
            # alone is already right.
            assert streamed == finished


async def test_the_widget_is_as_tall_as_its_lines_and_redraws_on_resize() -> None:
    text = "".join(long_markdown_tokens(400))
    app = DocumentApp(text)
    async with app.run_test(size=(80, 30)) as pilot:
        document = app.query_one(MarkdownDocument)
        await pilot.pause()
        assert document.size.height == len(plain_lines(text, document.content_size.width))
        assert len(document.render_line(0)) > 0
        await pilot.resize_terminal(50, 30)
        await pilot.pause()
        width = document.content_size.width
        assert width < 50
        assert document.size.height == len(plain_lines(text, width))
        assert document.rendered_text().splitlines()[:3] == plain_lines(text, width)[:3]


async def test_update_keeps_the_drawing_of_unchanged_blocks() -> None:
    app = DocumentApp("# Head\n\nFirst.\n\nSecond.\n")
    async with app.run_test(size=(60, 20)) as pilot:
        document = app.query_one(MarkdownDocument)
        await pilot.pause()
        before = list(document._blocks)
        document.update("# Head\n\nFirst.\n\nSecond, changed.\n")
        await pilot.pause()
        after = document._blocks
        assert after[0] is before[0] and after[1] is before[1]
        assert after[2] is not before[2]
        assert document.rendered_text().endswith("Second, changed.")


async def test_a_theme_change_redraws_the_colours() -> None:
    app = DocumentApp("# Heading\n\n`code`")
    async with app.run_test(size=(60, 20)) as pilot:
        document = app.query_one(MarkdownDocument)
        await pilot.pause()
        dark = list(document.render_line(0))
        app.theme = "textual-light"
        await pilot.pause()
        light = list(document.render_line(0))
        assert [segment.text for segment in dark] == [segment.text for segment in light]
        assert [segment.style for segment in dark] != [segment.style for segment in light]


async def test_mouse_selection_copies_the_text_across_blocks() -> None:
    app = DocumentApp("# Head\n\nFirst paragraph.\n\n- item one\n- item two\n")
    async with app.run_test(size=(60, 20)) as pilot:
        document = app.query_one(MarkdownDocument)
        await pilot.pause()
        # Lines: "Head", "", "First paragraph.", "", "• item one", "• item two".
        app.screen.selections = {document: Selection.from_offsets(Offset(2, 0), Offset(6, 4))}
        await pilot.pause()
        assert app.screen.get_selected_text() == "ad\n\nFirst paragraph.\n\n• item"
        # The selected characters are drawn in the selection style, the rest are not.
        selected = app.screen.get_component_rich_style("screen--selection").bgcolor
        first = list(document.render_line(2))
        assert any(segment.style and segment.style.bgcolor == selected for segment in first)
        last = document.render_line(5)
        assert all(segment.style is None or segment.style.bgcolor != selected for segment in last)
        # Every drawn line says where it is in the document, so the mouse finds its text.
        assert all(
            segment.style.meta["offset"][1] == 4
            for segment in document.render_line(4)
            if segment.style is not None and "offset" in segment.style.meta
        )
