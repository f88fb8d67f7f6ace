"""Engineering settings of the bulk screen: how much it keeps, never a clinical figure.

Dose-deciding modules hold no numbers (tests/test_package.py); the few sizes that only tune
speed or memory live here, named, so that a reader of check/screen.py sees what they are.
"""

from __future__ import annotations

from typing import Final

SCREEN_DISTINCT_TEXTS: Final = 10_000
"""At most this many distinct values compared are written as text by the exact path's writer
and looked up (polars, in memory); more are written by expressions on every row."""

SCREEN_COMPILED_KEPT: Final = 16
"""Compiled screens kept per process (one per rule set, batch options and input schema)."""

SCREEN_EXACT_ROWS_HELD: Final = 50_000
"""Output rows of the exact path held as Python rows before they are made a columnar frame
(the memory of a screen where most rows take the exact path is then its output's, in columns)."""
