"""The saved records that views draw, re-exported so widgets need not import the store.

Widgets show what the store saved but must never hold the store itself; taking the record
types from here keeps that rule checkable (only screens and core reach the store).
"""

from __future__ import annotations

from tui_app.store import ChatRecord, MessageRecord

__all__ = ["ChatRecord", "MessageRecord"]
