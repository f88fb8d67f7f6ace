"""Sentences for intrathecal findings and step reasons (render/messages.py)."""

from __future__ import annotations

from typing import Final

FINDINGS: Final[dict[str, str]] = {}
REASONS: Final[dict[str, str]] = {}
