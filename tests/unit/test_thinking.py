"""Splitting ``<think>…</think>`` reasoning out of streamed content."""

from __future__ import annotations

import pytest

from tui_app.core.thinking import ThinkTagSplitter, split_thinking

TAGGED = "<think>\nWeigh the options first.\n</think>\n\nThe answer is **42**."


def stream(chunks: list[str]) -> tuple[str, str]:
    splitter = ThinkTagSplitter()
    thinking: list[str] = []
    answer: list[str] = []
    for chunk in chunks:
        more_thinking, more_answer = splitter.feed(chunk)
        thinking.append(more_thinking)
        answer.append(more_answer)
    more_thinking, more_answer = splitter.finish()
    return "".join(thinking) + more_thinking, "".join(answer) + more_answer


def test_plain_content_is_all_answer() -> None:
    assert split_thinking("Hello **there**") == ("", "Hello **there**")


def test_tags_at_the_start_become_thinking() -> None:
    assert split_thinking(TAGGED) == ("\nWeigh the options first.\n", "The answer is **42**.")


@pytest.mark.parametrize("cut", range(1, len(TAGGED)))
def test_tags_split_at_any_character(cut: int) -> None:
    assert stream([TAGGED[:cut], TAGGED[cut:]]) == split_thinking(TAGGED)


def test_one_character_at_a_time() -> None:
    assert stream(list(TAGGED)) == ("\nWeigh the options first.\n", "The answer is **42**.")


def test_leading_whitespace_before_the_tag() -> None:
    assert split_thinking("\n  <think>hmm</think>ok") == ("hmm", "ok")


def test_tags_after_the_start_are_left_in_the_answer() -> None:
    text = "Models wrap reasoning in `<think>` and `</think>` tags."
    assert stream(list(text)) == ("", text)


def test_a_reply_that_starts_like_a_tag_but_is_not_one() -> None:
    assert stream(["<thi", "ng> is not a tag"]) == ("", "<thing> is not a tag")
    assert stream(["<th"]) == ("", "<th")


def test_unclosed_thinking_stays_thinking() -> None:
    assert stream(["<think>still going", " and </thi"]) == ("still going and </thi", "")


def test_text_after_the_block_keeps_later_tags() -> None:
    thinking, answer = split_thinking("<think>a</think>b <think>c</think>")
    assert (thinking, answer) == ("a", "b <think>c</think>")


def test_progress_is_reported_while_streaming() -> None:
    splitter = ThinkTagSplitter()
    assert splitter.feed("<think>fir") == ("fir", "")
    assert splitter.in_thinking
    assert splitter.feed("st</th") == ("st", "")
    assert splitter.feed("ink>Answer") == ("", "Answer")
    assert not splitter.in_thinking
    assert splitter.saw_tags
    assert splitter.finish() == ("", "")
