"""Clock times for the doses of an oral plan (issue 14): which dose is taken at which time.

The times are wall-clock labels ("08:00", 24-hour, no time zone) given by the user, one for
each dose of the plan's fullest day, in order; nothing is assumed (safety.md amendment A2).
A taper keeps the time of each dose it still gives (its doses keep their place in the day,
``Supply.positions``); a titration's doses fit the times only when every step has as many doses
as there are times, since which doses a changed count would move is not the planner's to guess.

>>> from baclofen_dose import plan_taper
>>> plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
>>> found = dose_times(plan, ["08:00", "14:00", "20:00"])
>>> found.by_step[0], found.by_step[-1]
(('08:00', '14:00', '20:00'), ('20:00',))
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from fractions import Fraction
from typing import Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.oral.regimen import OralPlan
from baclofen_dose.oral.taper import TaperPlan

__all__ = ["DoseTimes", "clock_hours", "dose_times", "doses_a_day"]

_CLOCK: Final = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")


def clock_hours(value: object, field: str) -> Fraction:
    """Hours after midnight of a wall-clock label "HH:MM" (24-hour, no zone), exactly.

    >>> clock_hours("14:30", "times")
    Fraction(29, 2)
    """
    if not isinstance(value, str):
        raise InputTypeError(field, value, "a clock time written HH:MM, such as '08:00'")
    if not _CLOCK.fullmatch(value):
        raise InputError(
            field, value, "a 24-hour clock time written HH:MM, such as '08:00'", code="E_TIME"
        )
    hours, minutes = value.split(":")
    return int(hours) + int(minutes) * units.parse_unit("minute", units.HOURS, "unit")


@attrs.frozen
class DoseTimes:
    """The clock time of every dose of a plan.

    ``times`` are the fullest day's times as given; ``by_step[i][j]`` is the time of the j-th
    dose of step i (a taper's dropped doses have none).
    """

    times: tuple[str, ...]
    by_step: tuple[tuple[str, ...], ...]


def doses_a_day(plan: OralPlan | TaperPlan) -> int:
    """How many doses the plan's fullest day has (a taper: at least the current regimen's)."""
    counts = [s.regimen.times_per_day for s in plan.steps]
    if isinstance(plan, TaperPlan):
        counts.append(plan.taper.current.times_per_day)
    return max(counts)


def dose_times(plan: OralPlan | TaperPlan, times: Sequence[str]) -> DoseTimes:
    """Place ``times`` (one per dose of the fullest day, in order) on every step of ``plan``.

    Refuses (``E_TIME``, field ``times``) a wrong count, times out of order, or a titration
    whose number of doses a day changes.
    """
    if not isinstance(plan, OralPlan | TaperPlan):
        raise InputTypeError("plan", plan, "a plan from plan_titration or plan_taper")
    if isinstance(times, str) or not isinstance(times, Sequence):
        raise InputTypeError("times", times, "a list of clock times such as ['08:00', '20:00']")
    clock = [clock_hours(t, f"times[{i}]") for i, t in enumerate(times)]
    count = doses_a_day(plan)
    if isinstance(plan, OralPlan):
        changed = sorted({s.regimen.times_per_day for s in plan.steps} - {count})
        if changed:
            raise InputError(
                "times",
                list(times),
                "a plan with the same number of doses every day; this plan has days of {other} "
                "and of {count} doses, and which doses move is not for the planner to choose",
                problem="cannot be placed on every step",
                code="E_TIME",
                params={"count": count, "other": changed[0]},
            )
    if len(clock) != count or any(b <= a for a, b in itertools.pairwise(clock)):
        raise InputError(
            "times",
            list(times),
            "{count} clock times in order, one for each dose of the day",
            code="E_TIME",
            params={"count": count},
        )
    given = tuple(times)
    if isinstance(plan, TaperPlan):
        # A taper drops doses by their place in the day; the others keep their times.
        by_step = tuple(tuple(given[p - 1] for p in row) for row in plan.supply.positions)
        return DoseTimes(given, by_step)
    return DoseTimes(given, tuple(given for _ in plan.steps))
