"""Plain text drawn line by line, cheap to grow while a reply's reasoning streams in."""

from __future__ import annotations

from bisect import bisect_right

from textual.content import Content
from textual.geometry import Region, Size
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual
from textual.widget import Widget

from tui_app.widgets.growth_room import GrowthRoom, visible_height


class StreamingText(Widget):
    """Word-wrapped plain text that only redraws what changed when text is added.

    A ``Static`` wraps and draws its whole text again on every update, so ten thousand
    words of reasoning streamed in batches cost more per batch the longer they get. Here
    the text is kept as paragraphs (its lines), each wrapped once and kept until the
    width changes; :meth:`append` wraps only the last paragraph again and redraws only
    the lines from the first one that changed.
    """

    DEFAULT_CSS = """
    StreamingText {
        height: auto;
    }
    """

    def __init__(
        self, text: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._paragraphs: list[str] = text.split("\n")
        self._width = -1
        self._wrapped: list[list[Content]] = []
        """Each paragraph wrapped at :attr:`_width` (filled in as far as laid out)."""
        self._tops: list[int] = []
        """The first line of each paragraph at :attr:`_width`."""
        self._height = 0
        self._strips: dict[int, Strip] = {}
        self._growing = False
        self._room = GrowthRoom()

    @property
    def growing(self) -> bool:
        """Whether text is being appended; while it is, the widget takes room a few lines
        at a time, as :attr:`MarkdownDocument.growing
        <tui_app.widgets.markdown_document.MarkdownDocument.growing>` does."""
        return self._growing

    @growing.setter
    def growing(self, value: bool) -> None:
        if value != self._growing:
            self._growing = value
            self.refresh(layout=True)

    def _shown_height(self) -> int:
        return self._room.shown(self._height, self._growing)

    @property
    def text(self) -> str:
        """The text shown."""
        return "\n".join(self._paragraphs)

    def update(self, text: str) -> None:
        """Show ``text`` instead, wrapping all of it again."""
        self._paragraphs = text.split("\n")
        self._width = -1
        self._strips.clear()
        self.refresh(layout=True)

    def append(self, text: str) -> None:
        """Add ``text`` at the end; only the last paragraph and new ones are wrapped."""
        if not text:
            return
        first = len(self._paragraphs) - 1
        head, *rest = text.split("\n")
        self._paragraphs[-1] += head
        self._paragraphs.extend(rest)
        if self._width < 0:
            self.refresh(layout=True)
            return
        old_height = self._shown_height()
        old_top = self._tops[first]
        self._lay_out(self._width, first)
        if self._shown_height() != old_height:
            self.refresh(layout=True)
        else:
            self.refresh(Region(0, old_top, self._width, self._height - old_top))

    # -- layout and drawing ------------------------------------------------------------------

    def _lay_out(self, width: int, first: int = 0) -> None:
        if width != self._width:
            first = 0
            self._width = width
        del self._wrapped[first:]
        del self._tops[first:]
        top = self._tops[-1] + len(self._wrapped[-1]) if first else 0
        for paragraph in self._paragraphs[first:]:
            line = Content(paragraph)
            wrapped = line.wrap(width) if line.cell_length > width else [line]
            self._wrapped.append(wrapped or [Content("")])
            self._tops.append(top)
            top += len(self._wrapped[-1])
        self._height = top
        first_line = self._tops[first] if first < len(self._tops) else top
        for y in [y for y in self._strips if y >= first_line]:
            del self._strips[y]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width:
            self._lay_out(width)
        self._room.view_height = visible_height(self, viewport.height)
        return self._shown_height()

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def line_content(self, y: int) -> Content:
        """Line ``y`` as wrapped at the current width."""
        index = bisect_right(self._tops, y) - 1
        if index < 0 or index >= len(self._wrapped):
            return Content("")
        lines = self._wrapped[index]
        offset = y - self._tops[index]
        return lines[offset] if offset < len(lines) else Content("")

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        if width != self._width:
            self._lay_out(width)
        strip = self._strips.get(y)
        if strip is None:
            strip = self._strips[y] = self._draw_line(y, width)
        return strip

    def _draw_line(self, y: int, width: int) -> Strip:
        line = self.line_content(y)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            selected = Style.from_styles(self.screen.get_component_styles("screen--selection"))
            line = line.stylize(selected, start, len(line) if end == -1 else end)
        strips = Visual.to_strips(
            self, line, width, 1, self.visual_style, apply_selection=False, pad=True
        )
        strip = strips[0] if strips else Strip.blank(width, self.rich_style)
        return strip.apply_offsets(0, y)

    def rendered_lines(self) -> list[str]:
        """The text as wrapped at the current width, one string per line."""
        return [self.line_content(y).plain for y in range(self._height)]

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text under a mouse selection."""
        return selection.extract("\n".join(self.rendered_lines())), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._strips.clear()
        self.refresh()
