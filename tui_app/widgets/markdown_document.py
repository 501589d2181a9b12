"""A Markdown document drawn line by line, cheap to grow while a reply streams in."""

from __future__ import annotations

from bisect import bisect_right
from typing import ClassVar

from textual.content import Content
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

from tui_app.widgets.growth_room import GrowthRoom, visible_height
from tui_app.widgets.markdown_render import Block, split_blocks


class MarkdownDocument(Widget):
    """Markdown shown as one widget whatever its length.

    Textual's ``Markdown`` makes a widget of every block, cell and list item; a long reply
    then means thousands of widgets to lay out again each time it grows. Here the
    document is a list of top-level blocks, each drawn once into lines of text (see
    :mod:`tui_app.widgets.markdown_render`) and kept until the width or theme changes.
    :meth:`append` parses only the last block again, as Textual does, so a streaming reply
    costs the same per token at its end as at its start.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "markdown--h1",
        "markdown--h2",
        "markdown--h3",
        "markdown--h4",
        "markdown--h5",
        "markdown--h6",
        "markdown--code",
        "markdown--code-label",
        "markdown--code-inline",
        "markdown--link",
        "markdown--bullet",
        "markdown--quote",
        "markdown--quote-bar",
        "markdown--rule",
        "markdown--table-border",
        "markdown--table-header",
    }

    DEFAULT_CSS = """
    MarkdownDocument {
        height: auto;
        color: $foreground;
        & > .markdown--h1 {
            color: $markdown-h1-color;
            background: $markdown-h1-background;
            text-style: $markdown-h1-text-style;
        }
        & > .markdown--h2 {
            color: $markdown-h2-color;
            background: $markdown-h2-background;
            text-style: $markdown-h2-text-style;
        }
        & > .markdown--h3 {
            color: $markdown-h3-color;
            background: $markdown-h3-background;
            text-style: $markdown-h3-text-style;
        }
        & > .markdown--h4 {
            color: $markdown-h4-color;
            background: $markdown-h4-background;
            text-style: $markdown-h4-text-style;
        }
        & > .markdown--h5 {
            color: $markdown-h5-color;
            background: $markdown-h5-background;
            text-style: $markdown-h5-text-style;
        }
        & > .markdown--h6 {
            color: $markdown-h6-color;
            background: $markdown-h6-background;
            text-style: $markdown-h6-text-style;
        }
        & > .markdown--code {
            background: $foreground 6%;
        }
        & > .markdown--code-label {
            color: $text-muted;
            text-style: italic;
        }
        & > .markdown--code-inline {
            background: $warning 10%;
            color: $text-warning 95%;
        }
        &:light > .markdown--code-inline {
            background: $error 5%;
            color: $text-error 95%;
        }
        & > .markdown--link {
            color: $text-accent;
            text-style: underline;
        }
        & > .markdown--bullet {
            color: $text-primary;
            text-style: bold;
        }
        & > .markdown--quote {
            color: $text-muted;
        }
        & > .markdown--quote-bar {
            color: $primary;
        }
        & > .markdown--rule {
            color: $foreground 30%;
        }
        & > .markdown--table-border {
            color: $foreground 30%;
        }
        & > .markdown--table-header {
            color: $text-primary;
            text-style: bold;
        }
    }
    """

    def __init__(
        self, markdown: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        # Links are styled, not followed: no hover tracking or link restyling per line.
        self.set_reactive(Widget.auto_links, False)
        self._source = markdown
        self._blocks: list[Block] = split_blocks(markdown) if markdown else []
        self._layout_width = -1
        self._block_tops: list[int] = []
        """The first line of each block, at :attr:`_layout_width`."""
        self._height = 0
        self._strips: dict[int, Strip] = {}
        self._growing = False
        self._room = GrowthRoom()
        """Blank lines taken ahead of the text while :attr:`growing`."""

    @property
    def source(self) -> str:
        """The Markdown shown."""
        return self._source

    @property
    def growing(self) -> bool:
        """Whether text is being appended (a reply streams in).

        While growing, the document takes room ahead of its text a step at a time rather
        than a line at a time, the lines not yet written left blank (see
        :class:`~tui_app.widgets.growth_room.GrowthRoom`): a line written into room
        already taken is just that line drawn, not the screen laid out again.
        """
        return self._growing

    @growing.setter
    def growing(self, value: bool) -> None:
        if value != self._growing:
            self._growing = value
            self.refresh(layout=True)

    def _shown_height(self) -> int:
        """The height given to layout: with blank room ahead while growing."""
        return self._room.shown(self._height, self._growing)

    # -- changing the text ---------------------------------------------------------------

    def update(self, markdown: str, parsed: list[Block] | None = None) -> None:
        """Parse ``markdown`` whole and show it; blocks that did not change keep their drawing.

        Also with the same text: a streamed document was parsed a block at a time, and a
        whole parse can read some of it differently (a link defined further down).

        ``parsed`` is ``split_blocks(markdown)`` if the caller has it already (a long
        reply is parsed off the event loop).
        """
        drawn = {(block.source, block.start, block.references): block for block in self._blocks}
        blocks = split_blocks(markdown) if parsed is None else list(parsed)
        for index, block in enumerate(blocks):
            kept = drawn.get((block.source, block.start, block.references))
            # A block drawn while it grew may have been drawn a piece at a time.
            if kept is not None and not kept.growing:
                blocks[index] = kept
        self._source = markdown
        self._set_blocks(blocks, changed_from=0)

    def append(self, markdown: str) -> None:
        """Add ``markdown`` at the end, parsing again only from the last block on."""
        if not markdown:
            return
        start = self._blocks[-1].start if self._blocks else 0
        self._source += markdown
        tail = split_blocks(self._source[start:], start)
        if tail:
            tail[-1].growing = True
        kept = len(self._blocks) - 1 if self._blocks else 0
        if (
            tail
            and self._blocks
            and tail[0].source == self._blocks[-1].source
            and (len(tail) == 1 or not self._blocks[-1].growing)
        ):
            # The last block did not change (the new text starts a block of its own);
            # one drawn while growing is drawn again once another block follows it.
            tail[0] = self._blocks[-1]
            kept += 1
            tail = tail[1:]
        self._set_blocks(self._blocks[:kept] + tail, changed_from=kept)

    # -- layout and drawing ----------------------------------------------------------------

    def _set_blocks(self, blocks: list[Block], changed_from: int) -> None:
        old_height = self._shown_height()
        width = self._layout_width
        old_top = (
            self._block_tops[changed_from] if changed_from < len(self._block_tops) else self._height
        )
        old_lines = (
            self._blocks[changed_from].lines(width)
            if width >= 0 and changed_from < len(self._blocks)
            else []
        )
        self._blocks = blocks
        if width < 0:
            self.refresh(layout=True)
            return
        # Lines of the first changed block that read the same as before (the start of a
        # growing paragraph or code block) keep their drawing.
        same = 0
        if changed_from < len(blocks) and old_lines:
            new_lines = blocks[changed_from].lines(width)
            for old, new in zip(old_lines, new_lines, strict=False):
                if old is not new and (old.plain != new.plain or old.spans != new.spans):
                    break
                same += 1
        self._lay_out(width, first=changed_from, keep=same)
        if self._shown_height() != old_height:
            self.refresh(layout=True)
        else:
            # Same height: only the lines from the first changed one down are redrawn.
            first_line = old_top + same
            self.refresh(Region(0, first_line, width, max(self._height - first_line, 1)))

    def _lay_out(self, width: int, first: int = 0, keep: int = 0) -> None:
        """Work out where each block starts, drawing blocks from ``first`` on as needed;
        the first ``keep`` lines of block ``first`` are known not to have changed."""
        if width != self._layout_width:
            first = 0
            keep = 0
            self._layout_width = width
        del self._block_tops[first:]
        top = 0
        if first:
            previous = first - 1
            top = self._block_tops[previous] + len(self._blocks[previous].lines(width)) + 1
        for block in self._blocks[first:]:
            self._block_tops.append(top)
            top += len(block.lines(width)) + 1
        self._height = max(top - 1, 0)
        first_line = (
            self._block_tops[first] + keep if first < len(self._block_tops) else self._height
        )
        for y in [y for y in self._strips if y >= first_line]:
            del self._strips[y]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._layout_width:
            self._lay_out(width)  # drops every strip drawn at the old width
        self._room.view_height = visible_height(self, viewport.height)
        return self._shown_height()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # Styles are resolved when lines become strips: drop those, keep the layout.
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if width != self._layout_width:
            self._lay_out(width)
        strip = self._strips.get(y)
        if strip is None:
            strip = self._strips[y] = self._draw_line(y, width)
        return strip

    def _draw_line(self, y: int, width: int) -> Strip:
        line = self.line_content(y) or Content("")
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            selected = Style.from_styles(self.screen.get_component_styles("screen--selection"))
            line = line.stylize(selected, start, len(line) if end == -1 else end)
        strips = Visual.to_strips(
            self, line, width, 1, self.visual_style, apply_selection=False, pad=True
        )
        strip = strips[0] if strips else Strip.blank(width, self.rich_style)
        # Mouse selection finds text by (character, line) offsets within the document.
        return strip.apply_offsets(0, y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The document's text under a mouse selection."""
        return selection.extract(self.rendered_text()), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()

    def line_content(self, y: int) -> Content | None:
        """Line ``y`` of the document as last laid out, or None for a gap between blocks."""
        index = bisect_right(self._block_tops, y) - 1
        if index < 0 or index >= len(self._blocks):
            return None
        lines = self._blocks[index].lines(self._layout_width)
        offset = y - self._block_tops[index]
        return lines[offset] if offset < len(lines) else None

    def rendered_text(self) -> str:
        """The document as drawn at its current width, as plain text."""
        return "\n".join(
            (line.plain if (line := self.line_content(y)) is not None else "").rstrip()
            for y in range(self._height)
        )
