"""Sentences for titration findings and step reasons: code -> template (see render/messages.py)."""

from __future__ import annotations

from typing import Final

FINDINGS: Final[dict[str, str]] = {}
REASONS: Final[dict[str, str]] = {}
