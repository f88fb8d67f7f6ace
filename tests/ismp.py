"""The project's own ISMP display lint (safety.md section 2.1), applied to every display string.

The rules are those of the reference checker (shared/tools/ismp_lint.py); ISO dates and clock
times are exempt, as there. Tests call :func:`assert_clean` on every human-readable string.
"""

from __future__ import annotations

from collections.abc import Iterable

from baclofen_dose.core.ismp import CHECKS, lint  # the library's own copy of the rules

__all__ = ["CHECKS", "assert_clean", "lint", "without_received_value"]


def assert_clean(texts: str | Iterable[str]) -> None:
    """Fail with every finding when any display string breaks an ISMP rule."""
    if isinstance(texts, str):
        texts = [texts]
    problems = [f for text in texts for f in lint(text)]
    assert not problems, "ISMP display lint findings:\n" + "\n".join(map(str, problems[:20]))


def without_received_value(message: str, value: object) -> str:
    """An error message minus the echo of the caller's (possibly malformed) input."""
    from baclofen_dose.core.errors import shown

    return message.replace(shown(value), "'...'")
