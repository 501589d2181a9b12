"""Copying: pyperclip first, the terminal's OSC 52 when it has no backend."""

from __future__ import annotations

import pyperclip
import pytest

from tui_app.core.clipboard import CopyMethod, copy_text, system_copy


class Terminal:
    def __init__(self, fail: bool = False) -> None:
        self.copied: list[str] = []
        self.fail = fail

    def __call__(self, text: str) -> None:
        if self.fail:
            raise RuntimeError("no terminal attached")
        self.copied.append(text)


def test_pyperclip_is_used_when_it_works(monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    terminal = Terminal()
    result = copy_text("hello", terminal)
    assert result.method is CopyMethod.SYSTEM
    assert copied == ["hello"]
    assert terminal.copied == []
    assert result.notice("the reply") == "Copied the reply to the clipboard."


def no_backend(text: str) -> None:
    raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism")


def test_osc52_when_pyperclip_has_no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyperclip, "copy", no_backend)
    terminal = Terminal()
    result = copy_text("hello", terminal)
    assert result.method is CopyMethod.TERMINAL
    assert terminal.copied == ["hello"]
    notice = result.notice("the reply")
    assert "OSC 52" in notice
    assert "could not find a copy/paste mechanism" in notice


def test_neither_way_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyperclip, "copy", no_backend)
    result = copy_text("hello", Terminal(fail=True))
    assert result.method is CopyMethod.NONE
    notice = result.notice("the reply")
    assert notice.startswith("Could not copy the reply")
    assert "no terminal attached" in notice


def test_a_backend_program_failing_is_a_reason_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(text: str) -> None:
        raise FileNotFoundError("xclip")

    monkeypatch.setattr(pyperclip, "copy", broken)
    assert "FileNotFoundError" in system_copy("x")


def test_an_earlier_system_attempt_is_not_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", calls.append)
    terminal = Terminal()
    result = copy_text("hello", terminal, system_error="no display")
    assert calls == []
    assert result.method is CopyMethod.TERMINAL
