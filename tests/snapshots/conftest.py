"""Fixtures for every test in this layer."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _quick_idle(quick_idle_checks: None) -> None:
    """Pilot's idle checks in short slices (see ``quick_idle_checks``)."""
