"""Markdown to lines of styled text, one top-level block at a time.

A reply is split into its top-level blocks (paragraphs, lists, tables, code fences…), and
each block is drawn on its own into :class:`~textual.content.Content` lines that fit a
given width. Nothing here is a widget: a long reply costs a list of lines per block, not
a tree of widgets, and a block that did not change is never drawn again.

Styles are component-class names (``.markdown--code``) or plain styles (``bold``), so the
widget that shows the lines decides the colours, and a theme change redraws them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from textual.content import Content, Span
from textual.highlight import HighlightTheme, highlight

BULLETS = ("•", "◦", "▪")
"""Bullet glyphs by list depth (repeating)."""

QUOTE_BAR = "▌ "
TAB_SIZE = 4
MIN_CELL_WIDTH = 3
"""Narrowest a table column is squeezed to before the table is drawn as a list."""

_WHITESPACE = re.compile(r"\s+")


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough, and raw HTML kept as text.

    A model's ``<b>`` or ``<div>`` is shown as written, never dropped or interpreted.
    """
    return MarkdownIt("gfm-like", {"html": False})


@dataclass(eq=False)
class Block:
    """One top-level block of a document: its source, where it starts, and its drawing."""

    source: str
    """The block's Markdown, from its first line to the line after it."""
    start: int
    """Offset of the block's first character in the whole document."""
    node: SyntaxTreeNode
    """The parsed block."""
    references: tuple[tuple[str, str, str], ...] = ()
    """The link definitions of the document it was parsed in: the same source reads
    differently once a ``[label]: url`` further down defines its links."""
    growing: bool = False
    """The block is the end of a document still streaming in: a code block is then
    highlighted a line at a time (see :func:`code_lines`), and drawn whole once complete."""
    _width: int = -1
    _lines: list[Content] = field(default_factory=list)

    def lines(self, width: int) -> list[Content]:
        """The block drawn ``width`` cells wide (cached for the last width asked)."""
        if width != self._width:
            self._lines = render_block(self.node, max(width, 1), growing=self.growing)
            self._width = width
        return self._lines


def split_blocks(markdown: str, offset: int = 0) -> list[Block]:
    """Parse ``markdown`` and cut it into top-level blocks.

    ``offset`` is where ``markdown`` starts in its document, so a tail parsed again on its
    own gets the same offsets as in a parse of the whole.
    """
    env: dict[str, Any] = {}
    tokens = markdown_parser().parse(markdown, env)
    if not tokens:
        return []
    references = tuple(
        sorted(
            (label, str(ref.get("href", "")), str(ref.get("title", "") or ""))
            for label, ref in env.get("references", {}).items()
        )
    )
    line_starts = [0]
    line_starts.extend(match.end() for match in re.finditer("\n", markdown))
    line_starts.append(len(markdown))

    def char_offset(line: int) -> int:
        return line_starts[min(line, len(line_starts) - 1)]

    blocks: list[Block] = []
    for node in SyntaxTreeNode(tokens).children:
        if node.map is None:
            continue
        first, last = node.map
        start, end = char_offset(first), char_offset(last)
        blocks.append(Block(markdown[start:end], offset + start, node, references))
    return blocks


# -- inline text ---------------------------------------------------------------------------


def inline_content(node: SyntaxTreeNode | None) -> Content:
    """The styled text of an ``inline`` node: emphasis, code, links and breaks."""
    if node is None:
        return Content("")
    parts: list[str] = []
    spans: list[Span] = []
    position = 0
    open_styles: list[tuple[str, int]] = []

    def add(text: str, style: str = "") -> None:
        nonlocal position
        if not text:
            return
        parts.append(text)
        if style:
            spans.append(Span(position, position + len(text), style))
        position += len(text)

    def walk(children: Sequence[SyntaxTreeNode]) -> None:
        for child in children:
            kind = child.type
            if kind == "text":
                add(_WHITESPACE.sub(" ", child.content))
            elif kind == "softbreak":
                add(" ")
            elif kind == "hardbreak":
                add("\n")
            elif kind == "code_inline":
                add(child.content, ".markdown--code-inline")
            elif kind == "image":
                alt = "".join(grandchild.content for grandchild in child.children)
                add(f"🖼 {alt}" if alt else "🖼", ".markdown--link")
            elif kind in ("em", "strong", "s", "link"):
                style = {
                    "em": "italic",
                    "strong": "bold",
                    "s": "strike",
                    "link": ".markdown--link",
                }[kind]
                open_styles.append((style, position))
                walk(child.children)
                style, start = open_styles.pop()
                if position > start:
                    spans.append(Span(start, position, style))
            elif child.children:
                walk(child.children)
            else:
                add(child.content)

    walk(node.children)
    return Content("".join(parts), spans=spans)


def wrap(content: Content, width: int) -> list[Content]:
    """``content`` word-wrapped to ``width``; over-long words are folded."""
    lines: list[Content] = []
    for line in content.split("\n", allow_blank=True):
        lines.extend(line.wrap(width) if line.cell_length > width else [line])
    return lines or [Content("")]


# -- blocks --------------------------------------------------------------------------------


def render_block(node: SyntaxTreeNode, width: int, *, growing: bool = False) -> list[Content]:
    """Draw one block node as lines no wider than ``width``; ``growing`` as
    :attr:`Block.growing`."""
    kind = node.type
    if kind == "paragraph":
        return wrap(inline_content(_first_inline(node)), width)
    if kind == "heading":
        return _heading(node, width)
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, width, depth=0)
    if kind == "blockquote":
        return _quote(node, width)
    if kind in ("fence", "code_block"):
        language = node.info.split()[0] if node.info.strip() else ""
        return _code(node.content, language, width, growing=growing)
    if kind == "table":
        return _table(node, width)
    if kind == "hr":
        return [Content.styled("─" * width, ".markdown--rule")]
    # Anything else (html_block when enabled, front matter…) is shown as its text.
    return wrap(Content(node.content.rstrip("\n")), width)


def render_children(
    children: Iterable[SyntaxTreeNode], width: int, *, tight: bool, list_depth: int = 0
) -> list[Content]:
    """Draw sibling blocks one after another, a blank line between them unless ``tight``;
    lists among them are nested ``list_depth`` deep (their bullets depend on it)."""
    lines: list[Content] = []
    for child in children:
        if lines and not tight:
            lines.append(Content(""))
        if child.type in ("bullet_list", "ordered_list"):
            lines.extend(_list(child, width, list_depth))
        else:
            lines.extend(render_block(child, width))
    return lines


def _first_inline(node: SyntaxTreeNode) -> SyntaxTreeNode | None:
    return next((child for child in node.children if child.type == "inline"), None)


def _heading(node: SyntaxTreeNode, width: int) -> list[Content]:
    level = int(node.tag[1:]) if node.tag[1:].isdigit() else 1
    text = inline_content(_first_inline(node)).stylize_before(f".markdown--h{level}")
    return wrap(text, width)


def _list(node: SyntaxTreeNode, width: int, depth: int) -> list[Content]:
    ordered = node.type == "ordered_list"
    items = [child for child in node.children if child.type == "list_item"]
    first_number = int(node.attrs.get("start", 1) or 1) if ordered else 1
    if ordered:
        delimiter = items[0].markup if items and items[0].markup in (".", ")") else "."
        markers = [f"{first_number + index}{delimiter} " for index in range(len(items))]
        marker_width = max((len(marker) for marker in markers), default=3)
        markers = [marker.rjust(marker_width) for marker in markers]
    else:
        bullet = BULLETS[depth % len(BULLETS)]
        marker_width = 2
        markers = [f"{bullet} "] * len(items)
    inner_width = max(width - marker_width, 1)
    tight = all(
        paragraph.hidden
        for item in items
        for paragraph in item.children
        if paragraph.type == "paragraph"
    )
    lines: list[Content] = []
    blank = Content(" " * marker_width)
    for item, marker in zip(items, markers, strict=True):
        if lines and not tight:
            lines.append(Content(""))
        body = render_children(item.children, inner_width, tight=tight, list_depth=depth + 1) or [
            Content("")
        ]
        lines.append(Content.styled(marker, ".markdown--bullet") + body[0])
        lines.extend(blank + line for line in body[1:])
    return lines


def _quote(node: SyntaxTreeNode, width: int) -> list[Content]:
    bar = Content.styled(QUOTE_BAR, ".markdown--quote-bar")
    inner = render_children(node.children, max(width - len(QUOTE_BAR), 1), tight=False)
    return [bar + line.stylize_before(".markdown--quote") for line in inner or [Content("")]]


@lru_cache(maxsize=64)
def _highlighted(code: str, language: str) -> Content:
    # Without a language, plain text: guessing one means trying every lexer Pygments has.
    return highlight(code, language=language or "text", theme=HighlightTheme, tab_size=TAB_SIZE)


def _code_lines(highlighted: Content, inner: int) -> list[Content]:
    """Highlighted code as padded lines ``inner`` cells wide plus padding, folded."""
    lines: list[Content] = []
    for line in highlighted.split("\n", allow_blank=True):
        line = line.expand_tabs(TAB_SIZE)
        for part in line.fold(inner) if line.cell_length > inner else [line]:
            padded = Content(" ") + part + Content(" " * max(inner - part.cell_length, 0) + " ")
            lines.append(padded.stylize_before(".markdown--code"))
    return lines


_GROWING_KEPT = 8
"""Growing code blocks remembered at once (replies streaming side by side)."""

_growing_code: dict[tuple[str, int, str], tuple[str, list[Content]]] = {}
"""For a code block streaming in, by language, width and first line: its code up to and
including its last line break, and those lines drawn."""


def code_lines(code: str, language: str, inner: int) -> list[Content]:
    """``code`` highlighted and drawn ``inner`` cells wide plus padding, reusing the lines
    drawn for the code it started with last time: a code block growing a line at a time
    is not highlighted whole at every batch, only its new lines are.

    Lines highlighted apart can differ from a whole highlight where a construct spans
    lines (a triple-quoted string): a streaming block is drawn whole again once complete.
    """
    complete = code[: code.rfind("\n") + 1]
    last = code[len(complete) :]
    key = (language, inner, complete[: complete.find("\n") + 1])
    known = _growing_code.pop(key, None)
    if known is not None and complete.startswith(known[0]):
        lines = list(known[1])
        added = complete[len(known[0]) :]
    else:
        lines = []
        added = complete
    if added:
        lines.extend(_code_lines(_highlighted(added[:-1], language), inner))
    if complete:
        _growing_code[key] = (complete, lines)
        while len(_growing_code) > _GROWING_KEPT:
            del _growing_code[next(iter(_growing_code))]
    # ``code`` has no line break at its end, so its last line is never empty unless
    # the code is.
    return lines + _code_lines(_highlighted(last, language) if last else Content(""), inner)


def _code(code: str, language: str, width: int, *, growing: bool = False) -> list[Content]:
    """A code block on its own background, one cell of padding either side, long lines
    folded (never word-wrapped: code's spacing matters)."""
    inner = max(width - 2, 1)
    if growing:
        lines = code_lines(code.rstrip("\n"), language.lower(), inner)
    else:
        code = code.rstrip("\n")
        highlighted = _highlighted(code, language.lower()) if code else Content("")
        lines = _code_lines(highlighted, inner)
    if language:
        label = f" {language} "
        cut = width - len(label)
        # The language goes at the right of the first line, where the code leaves room.
        if cut > 0 and not lines[0].plain[cut:].strip():
            tag = Content.styled(label, ".markdown--code-label").stylize_before(".markdown--code")
            lines[0] = lines[0][:cut] + tag
    return lines


# -- tables --------------------------------------------------------------------------------


def _cells(row: SyntaxTreeNode) -> list[tuple[Content, str]]:
    """A table row's cells with their alignment (``left``, ``center`` or ``right``)."""
    cells: list[tuple[Content, str]] = []
    for cell in row.children:
        style = str(cell.attrs.get("style", "") or "")
        align = "left"
        if "text-align:right" in style:
            align = "right"
        elif "text-align:center" in style:
            align = "center"
        cells.append((inline_content(_first_inline(cell)), align))
    return cells


def fit_columns(natural: list[int], available: int) -> list[int]:
    """Fit columns of ``natural`` widths into ``available`` cells: narrow columns keep
    their width, wide ones share what is left in proportion to their widths."""
    if sum(natural) <= available:
        return natural
    widths = list(natural)
    wide = list(range(len(widths)))
    space = available
    while True:
        share = space // len(wide)
        narrow = [index for index in wide if widths[index] <= share]
        if not narrow:
            break
        for index in narrow:
            space -= widths[index]
            wide.remove(index)
    wanted = sum(natural[index] for index in wide)
    for index in wide:
        widths[index] = max(natural[index] * space // wanted, MIN_CELL_WIDTH)
    # Cells lost to rounding go to the widest columns first.
    for index in sorted(wide, key=lambda i: -natural[i])[: space - sum(widths[i] for i in wide)]:
        widths[index] += 1
    return widths


def _table(node: SyntaxTreeNode, width: int) -> list[Content]:
    rows: list[tuple[list[tuple[Content, str]], bool]] = []
    for section in node.children:
        header = section.type == "thead"
        for row in section.children:
            rows.append((_cells(row), header))
    columns = max((len(cells) for cells, _ in rows), default=0)
    if not columns:
        return []
    for cells, _ in rows:
        cells.extend([(Content(""), "left")] * (columns - len(cells)))
    natural = [
        max(max((cells[index][0].cell_length for cells, _ in rows), default=1), 1)
        for index in range(columns)
    ]
    # " a │ b " : one space either side of each cell, a bar between cells.
    chrome = 3 * columns - 1
    available = width - chrome
    if available < MIN_CELL_WIDTH * columns:
        return _table_as_list(rows, width)
    widths = fit_columns(natural, available)
    separator = Content.styled("│", ".markdown--table-border")
    lines: list[Content] = []
    for cells, header in rows:
        wrapped = [wrap(cell, column) for (cell, _), column in zip(cells, widths, strict=True)]
        height = max(len(cell_lines) for cell_lines in wrapped)
        for y in range(height):
            parts: list[Content] = []
            for (cell_lines, column), (_, align) in zip(
                zip(wrapped, widths, strict=True), cells, strict=True
            ):
                text = cell_lines[y] if y < len(cell_lines) else Content("")
                if align == "right":
                    text = text.right(column)
                elif align == "center":
                    text = text.center(column)
                else:
                    text = text.pad_right(column - text.cell_length)
                if header:
                    text = text.stylize_before(".markdown--table-header")
                parts.append(Content(" ") + text + Content(" "))
            lines.append(separator.join(parts))
        if header:
            rule = "┼".join("─" * (column + 2) for column in widths)
            lines.append(Content.styled(rule, ".markdown--table-border"))
    return lines


def _table_as_list(rows: list[tuple[list[tuple[Content, str]], bool]], width: int) -> list[Content]:
    """A table too wide for any column layout: each row as "header: value" lines."""
    headers = [cell for cell, _ in rows[0][0]] if rows and rows[0][1] else []
    lines: list[Content] = []
    for cells, header in rows:
        if header:
            continue
        if lines:
            lines.append(Content.styled("─" * width, ".markdown--table-border"))
        for index, (cell, _) in enumerate(cells):
            name = headers[index] if index < len(headers) else Content("")
            label = name.stylize_before(".markdown--table-header")
            lines.extend(wrap(label + Content(": ") + cell if name else cell, width))
    return lines


def plain_lines(markdown: str, width: int) -> list[str]:
    """``markdown`` drawn ``width`` cells wide, as plain text lines (blank line between
    blocks), the way :class:`~tui_app.widgets.markdown_document.MarkdownDocument` shows it."""
    lines: list[str] = []
    for block in split_blocks(markdown):
        if lines:
            lines.append("")
        lines.extend(line.plain for line in block.lines(width))
    return lines
