"""Separate ``<think>…</think>`` reasoning from the answer in a model's content.

Some models (or Ollama without a thinking parser for them) put their reasoning inside the
content, wrapped in think tags, instead of the separate ``thinking`` field. The tags arrive
split across stream chunks at any character, so the splitter holds back text that could be
the start of a tag until the next chunk decides it.

Only a ``<think>`` at the very start of the content (after whitespace) opens a reasoning
block: an answer that merely talks about the tags later on is left alone.
"""

from __future__ import annotations

from enum import Enum

OPEN_TAG = "<think>"
CLOSE_TAG = "</think>"


class _State(Enum):
    START = "start"
    """Nothing but whitespace seen yet: a ``<think>`` may still open."""
    THINKING = "thinking"
    """Inside the reasoning block, waiting for ``</think>``."""
    AFTER_THINKING = "after"
    """Just closed the block; whitespace before the answer is dropped."""
    ANSWER = "answer"
    """Everything from here on is answer text."""


def _partial_tag_length(text: str, tag: str) -> int:
    """How many characters at the end of ``text`` could be the start of ``tag``."""
    for length in range(min(len(text), len(tag) - 1), 0, -1):
        if text.endswith(tag[:length]):
            return length
    return 0


class ThinkTagSplitter:
    """Split streamed content into reasoning and answer, one chunk at a time.

    Call :meth:`feed` with each content chunk and :meth:`finish` when the stream ends; each
    returns ``(thinking, answer)`` text to append. Joined, the pieces are the content with
    the tags removed.
    """

    def __init__(self) -> None:
        self._state = _State.START
        self._held = ""
        self._opened = False

    @property
    def in_thinking(self) -> bool:
        """True while inside an open ``<think>`` block."""
        return self._state is _State.THINKING

    @property
    def saw_tags(self) -> bool:
        """True once a ``<think>`` block has opened."""
        return self._opened

    def feed(self, text: str) -> tuple[str, str]:
        """Take the next chunk of content; return the ``(thinking, answer)`` it settles."""
        thinking: list[str] = []
        answer: list[str] = []
        data = self._held + text
        self._held = ""
        while data:
            if self._state is _State.ANSWER:
                answer.append(data)
                break
            if self._state is _State.START:
                stripped = data.lstrip()
                if not stripped or (OPEN_TAG.startswith(stripped) and stripped != OPEN_TAG):
                    self._held = data  # whitespace only, or a tag still arriving
                    break
                if stripped.startswith(OPEN_TAG):
                    self._state = _State.THINKING
                    self._opened = True
                    data = stripped[len(OPEN_TAG) :]
                    continue
                self._state = _State.ANSWER
                continue
            if self._state is _State.THINKING:
                end = data.find(CLOSE_TAG)
                if end >= 0:
                    thinking.append(data[:end])
                    data = data[end + len(CLOSE_TAG) :]
                    self._state = _State.AFTER_THINKING
                    continue
                keep = _partial_tag_length(data, CLOSE_TAG)
                thinking.append(data[: len(data) - keep])
                self._held = data[len(data) - keep :]
                break
            # AFTER_THINKING: the blank lines between the block and the answer are layout.
            stripped = data.lstrip()
            if stripped:
                self._state = _State.ANSWER
                answer.append(stripped)
            break
        return "".join(thinking), "".join(answer)

    def finish(self) -> tuple[str, str]:
        """The stream ended: release whatever was held back."""
        held, self._held = self._held, ""
        if self._state is _State.THINKING:
            return held, ""
        if self._state is _State.START:
            self._state = _State.ANSWER
            return "", held
        return "", ""


def split_thinking(content: str) -> tuple[str, str]:
    """Split complete content into ``(thinking, answer)``; see :class:`ThinkTagSplitter`."""
    splitter = ThinkTagSplitter()
    thinking, answer = splitter.feed(content)
    more_thinking, more_answer = splitter.finish()
    return thinking + more_thinking, answer + more_answer
