"""Sentences for missed-dose advice: code -> template (see render/messages.py)."""

from __future__ import annotations

from typing import Final

FINDINGS: Final[dict[str, str]] = {}
REASONS: Final[dict[str, str]] = {
    "MISSED_SEVERAL": (
        "{count} doses in a row were missed ({elapsed:hours} since the first was due): do not "
        "take the missed doses."
    ),
    "MISSED_OVER_A_DAY": (
        "It is {elapsed:hours} since the missed dose was due, a day or more: do not take it."
    ),
    "MISSED_NO_LATER_DOSE_SAME_DAY": (
        "The plan has no later dose, and it is still the day it was due."
    ),
    "MISSED_NO_LATER_DOSE_OVER": "The plan has no later dose, and the day it was due is over.",
    "MISSED_NEXT_DUE": (
        "The next dose (at {next_at} on {next_day}) is already due: take only that one."
    ),
    "MISSED_NEXT_SOON": "The next dose is {to_next:hours} away, less than {limit} (rule {rule}).",
    "MISSED_NEXT_NOT_SOON": (
        "The next dose is {to_next:hours} away, not less than {limit} (rule {rule})."
    ),
}
