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
    "MISSED_LATER_DOSE_PASSED": (
        "A later dose was due since then (at {first_at} on {first_day}), and whether it was "
        "taken is not known: if it was taken, go on with the schedule; if it was not taken "
        "either, more than one dose was missed: do not take the missed doses, go on with the "
        "schedule and contact your prescriber today, because missing doses of baclofen can "
        "cause withdrawal (rule {rule})."
    ),
    "MISSED_LATER_DOSES_PASSED": (
        "{count} later doses were due since then (the first at {first_at} on {first_day}), "
        "and whether they were taken is not known: if they were all taken, go on with the "
        "schedule; if any was not taken, more than one dose was missed: do not take the missed "
        "doses, go on with the schedule and contact your prescriber today, because missing "
        "doses of baclofen can cause withdrawal (rule {rule})."
    ),
    "MISSED_NEXT_SOON": "The next dose is {to_next:hours} away, less than {limit} (rule {rule}).",
    "MISSED_NEXT_NOT_SOON": (
        "The next dose is {to_next:hours} away, not less than {limit} (rule {rule})."
    ),
}
