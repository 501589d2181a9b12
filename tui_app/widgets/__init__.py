"""Widgets shared across screens."""
