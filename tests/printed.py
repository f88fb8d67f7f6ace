"""Reading printed output that is wrapped to a page width (issue 14: lines fit 100 columns)."""

from __future__ import annotations


def flat(text: str) -> str:
    """``text`` with every run of spaces and line breaks as one space, so a sentence wrapped
    across lines is found whole (wrapping never cuts a word: see render/lines.py)."""
    return " ".join(text.split())
