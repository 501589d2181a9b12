"""Room a growing text widget takes ahead of its text, so it is laid out once per step.

Each line of height a streaming reply adds means the screen laid out again and, with the
view following the end, every line on it moved and drawn again. So while text arrives a
widget takes blank lines ahead of it, a step at a time: half the visible height, so the
line being written lands mid-view after each step. When a step fills in under
:attr:`GrowthRoom.FAST_FILL_SECONDS`, text is arriving faster than anyone reads it, and
the next step is nearly the whole visible height: half the layouts again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.widget import Widget

__all__ = ["GrowthRoom", "visible_height"]


def visible_height(widget: Widget, fallback: int) -> int:
    """The height of the view ``widget`` scrolls in (its nearest ancestor that scrolls
    vertically), or ``fallback`` outside one."""
    for node in widget.ancestors:
        if not isinstance(node, Widget):
            break
        if node.styles.overflow_y in ("auto", "scroll"):
            return node.scrollable_content_region.height
    return fallback


class GrowthRoom:
    """The height a growing widget gives layout: its text's, plus blank room ahead."""

    FAST_FILL_SECONDS = 1.0
    """A step filled sooner than this makes the next one nearly the whole view."""
    CONTEXT_LINES = 3
    """Lines of text left in view above the blank room after a whole-view step."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._room = 0
        self._since = 0.0
        self.view_height = 0
        """Rows of the view the widget scrolls in (set at each layout)."""

    def shown(self, height: int, growing: bool) -> int:
        """The height to lay out for ``height`` lines of text."""
        if not growing or self.view_height < 4:
            self._room = 0
            return height
        if height > self._room:
            now = self._clock()
            fast = self._room > 0 and now - self._since < self.FAST_FILL_SECONDS
            step = self.view_height - self.CONTEXT_LINES if fast else max(self.view_height // 2, 1)
            self._room = height + step
            self._since = now
        return self._room
