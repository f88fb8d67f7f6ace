"""Missed-dose advice for an oral plan: take it now, or skip it; never double.

Clinical basis (clinical.md 8.1): take a missed dose when remembered unless it is nearly
time for the next one (founding document 3, ``oral.missed_dose.take_when_remembered``); the
NHS puts "nearly" at less than 2 hours before the next dose (``oral.missed_dose.skip_within``);
never take two doses together or an extra dose (``oral.missed_dose.never_double``). No US
label text on missed doses was found, so no other figure is used. When more than one dose was
missed, or a day or more has passed since the missed dose, the missed doses are not taken, the
schedule goes on, and the prescriber is contacted: missing doses is an unplanned stop, with the
withdrawal risk of stopping abruptly (``oral.missed_dose.several``, clinical.md 7.1).

Every input is explicit (safety.md amendment A2): the plan, the clock times of the day's
doses ("08:00"), the date and time of the missed dose and the date and time now. Times are
wall-clock labels with no time zone; the hours between two of them are counted on the clock,
and the advice says so (``oral.missed_dose.wall_clock``): no time-zone arithmetic is done.

>>> from baclofen_dose import plan_taper
>>> plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
>>> advice = advise_missed_dose(plan, times=["08:00", "14:00", "20:00"],
...     day="2026-03-03", missed_at="08:00", now_day="2026-03-03", now_at="12:30")
>>> advice.action, advice.reason.code, advice.dose_mg, advice.schema
('skip', 'MISSED_NEXT_SOON', Fraction(15, 1), 'baclofen-dose/oral-missed-dose/1')

The advice is data (an action, the dose and its units, a :class:`~baclofen_dose.core.model.Reason`
with typed values); ``baclofen_dose.render`` writes its sentence (render/missed.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from typing import Final, Literal

import attrs

from baclofen_dose.core import kinds, units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.kernel import add_days, rules_or_default
from baclofen_dose.core.limits import advice, parse_date
from baclofen_dose.core.model import (
    Amount,
    Finding,
    ParamValue,
    Provenance,
    Reason,
    of_type,
    tuple_of,
)
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.oral.products import Realization
from baclofen_dose.oral.regimen import OralPlan, OralRegimen, Step
from baclofen_dose.oral.schedule import clock_hours as _clock
from baclofen_dose.oral.taper import TaperPlan

__all__ = ["ACTIONS", "SCHEMA", "MissedDoseAdvice", "advise_missed_dose"]

RULES: Final = requires(
    __name__,
    {
        "oral.adult.times_per_day.max": "oral.times_per_day",
        "oral.missed_dose.never_double": None,
        "oral.missed_dose.several": None,
        "oral.missed_dose.skip_within": "duration.hours",
        "oral.missed_dose.take_when_remembered": None,
        "oral.missed_dose.wall_clock": None,
    },
)


SCHEMA: Final = "baclofen-dose/oral-missed-dose/1"
Action = Literal["take_now", "skip"]
ACTIONS: Final[tuple[Action, ...]] = ("take_now", "skip")

_R = "oral.missed_dose."


def _per(unit: str) -> Fraction:
    """Hours in one ``unit`` (minute, day), exactly, from the unit registry."""
    return units.parse_unit(unit, units.HOURS, "unit")


@attrs.frozen
class MissedDoseAdvice:
    """The advice for one missed dose, with the rule behind it and provenance.

    ``action`` is ``"take_now"`` or ``"skip"``; ``dose_mg`` the missed dose and ``units`` its
    units of the plan's products (``None`` for a plan without products). ``next_day`` and
    ``next_at`` name the next scheduled dose (``None`` when the plan has no later dose; when a
    later dose was due before now, the first dose at or after now, or ``None`` when its time
    cannot be known); ``hours_to_next`` is the clock time from now to it. ``reason`` says why,
    as a code and typed values (render/sentences/missed.py words it).
    """

    action: Action
    dose_mg: Fraction
    units: Realization | None
    day: date
    missed_at: str
    now_day: date
    now_at: str
    next_day: date | None
    next_at: str | None
    hours_to_next: Fraction | None
    reason: Reason
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
    provenance: Provenance = attrs.field(validator=of_type(Provenance))

    @property
    def route(self) -> Literal["oral"]:
        """Always ``"oral"``."""
        return "oral"

    @property
    def schema(self) -> str:
        """The JSON schema id of missed-dose advice."""
        return SCHEMA


def _step_on(plan: OralPlan | TaperPlan, day: date) -> Step | None:
    for step in plan.steps:
        if step.start <= day and (step.end is None or day <= step.end):
            return step
    return None


def _slots(plan: OralPlan | TaperPlan) -> int:
    """How many doses the plan's fullest day has (a taper: the current regimen's count)."""
    counts = [s.regimen.times_per_day for s in plan.steps]
    if plan.supply is not None:
        counts += [max(p) for p in plan.supply.positions]
    if isinstance(plan, TaperPlan):
        counts.append(plan.taper.current.times_per_day)
    return max(counts)


def _times_on(plan: OralPlan | TaperPlan, step: Step, times: list[str]) -> list[str]:
    """The clock times of one step's doses, from the times of the fullest day's doses."""
    index = plan.steps.index(step)
    if plan.supply is not None:
        return [times[p - 1] for p in plan.supply.positions[index]]
    if step.regimen.times_per_day != len(times):
        raise InputError(
            "times",
            times,
            "{count} clock times, one for each dose from {start}",
            code="E_TIME",
            params={"count": step.regimen.times_per_day, "start": step.start},
        )
    return times


def _minutes(dose: tuple[date, str], start: date) -> Fraction:
    """Clock hours from midnight of ``start`` to a (day, "HH:MM") dose."""
    return (dose[0] - start).days * _per("day") + _clock(dose[1], "times")


def _doses_after(
    plan: OralPlan | TaperPlan,
    day: date,
    index: int,
    day_times: list[str],
    times: list[str],
    slots: int,
    last: date,
) -> list[tuple[date, str]]:
    """The scheduled doses after the one at ``day_times[index]`` on ``day``, to the end of
    ``last`` (the day after now: the first dose after now lies in that span); stops at a day
    whose dose times cannot be known from ``times``."""
    doses = [(day, t) for t in day_times[index + 1 :]]
    on = day
    while on < last:
        on = add_days(on, 1, "day")
        step = _step_on(plan, on)
        if step is None:
            break
        if len(times) == slots and plan.supply is not None:
            doses += [(on, t) for t in _times_on(plan, step, times)]
        elif step.regimen.times_per_day == len(day_times):
            doses += [(on, t) for t in day_times]
        else:
            break
    return doses


def _steady(regimen: OralRegimen, day: date, rules: RuleSet) -> OralPlan:
    """A steady regimen as a plan of one open-ended step from ``day`` (issue 14 item 5): the
    same doses every day, no products, no end."""
    n_max = rules["oral.adult.times_per_day.max"].require_value()
    if regimen.times_per_day > n_max:
        raise InputError(
            "times",
            regimen.times_per_day,
            "1 to {max} doses a day",
            code="E_FREQUENCY",
            params={"max": int(n_max)},
        )
    step = Step(day, None, regimen, ())
    return OralPlan("steady", (step,), (), (), "none", Provenance.of(rules, [], []))


def advise_missed_dose(
    plan: OralPlan | TaperPlan | OralRegimen,
    *,
    times: Sequence[str],
    day: date | str,
    missed_at: str,
    now_day: date | str,
    now_at: str,
    next_dose: tuple[date | str, str] | None = None,
    doses_missed: int = 1,
    rules: RuleSet | None = None,
) -> MissedDoseAdvice:
    """Advise take-now or skip for a missed dose of ``plan``.

    - ``plan``: a plan from plan_titration or plan_taper, or a steady :class:`OralRegimen`
      (the same doses every day, no plan file: issue 14 item 5).
    - ``times``: the clock times of that day's doses, in order, one per dose ("08:00", ...);
      or one per dose of the plan's fullest day (a taper: the current regimen), from which the
      times of the doses still taken are picked.
    - ``day``/``missed_at``: the date and scheduled clock time of the missed dose.
    - ``now_day``/``now_at``: the date and clock time now (not before the missed dose).
    - ``next_dose``: the date and time of the next dose, needed only when the missed dose is
      the last of its day and the next day has a different number of doses.
    - ``doses_missed``: how many doses in a row were missed, from ``missed_at`` on (default:
      the one named). More than one, or a day or more since the missed dose: skip them all,
      go on with the schedule and contact the prescriber (``oral.missed_dose.several``).

    Skip when less than ``oral.missed_dose.skip_within`` (2 hours) remains until the next
    dose, or when the next dose is already due; otherwise take it now. When a later dose was
    due before now, whether it was taken is not known: skip, and the reason says both cases
    (taken: go on; not taken: ``oral.missed_dose.several``), never a dose that could double.
    With no later dose in the plan: take it now on the same day, else skip.
    """
    if not isinstance(plan, OralPlan | TaperPlan | OralRegimen):
        raise InputTypeError(
            "plan", plan, "a plan from plan_titration or plan_taper, or a steady OralRegimen"
        )
    if isinstance(doses_missed, bool) or not isinstance(doses_missed, int):
        raise InputTypeError("doses_missed", doses_missed, "a whole number of doses")
    if doses_missed < 1:
        raise InputError(
            "doses_missed", doses_missed, "1 or more doses missed in a row", code="E_INPUT"
        )
    rules = rules_or_default(rules)
    missed_day = parse_date(day, "day")
    steady = isinstance(plan, OralRegimen)
    if isinstance(plan, OralRegimen):
        plan = _steady(plan, missed_day, rules)
    today = parse_date(now_day, "now_day")
    step = _step_on(plan, missed_day)
    if step is None:
        raise InputError(
            "day",
            missed_day.isoformat(),
            f"a day of the plan, from {plan.steps[0].start.isoformat()}",
            problem="is not a day with doses in this plan",
            code="E_SCHEDULE",
        )
    if isinstance(times, str) or not isinstance(times, Sequence):
        raise InputTypeError("times", times, "a list of clock times such as ['08:00', '20:00']")
    clock = [_clock(t, f"times[{i}]") for i, t in enumerate(times)]
    count = step.regimen.times_per_day
    slots = _slots(plan)
    if any(b <= a for a, b in itertools.pairwise(clock)) or len(clock) not in (count, slots):
        raise InputError(
            "times",
            list(times),
            "clock times in order: one for each dose on {day} ({count}), or one for each dose "
            "of the plan's fullest day ({slots})",
            code="E_TIME",
            params={"day": missed_day, "count": count, "slots": slots},
        )
    day_times = list(times) if len(clock) == count else _times_on(plan, step, list(times))
    clock = [_clock(t, "times") for t in day_times]
    missed_minute = _clock(missed_at, "missed_at")
    if missed_minute not in clock:
        raise InputError(
            "missed_at",
            missed_at,
            "one of the day's dose times: {times}",
            code="E_TIME",
            params={"times": tuple(day_times)},
        )
    index = clock.index(missed_minute)
    now_minute = _clock(now_at, "now_at")
    a_day = _per("day")
    elapsed = (today - missed_day).days * a_day + now_minute - missed_minute
    if elapsed < 0:
        raise InputError(
            "now_at",
            f"{today.isoformat()} {now_at}",
            "a time at or after the missed dose's scheduled time",
            problem="is before the missed dose was due",
            code="E_TIME",
        )

    next_day: date | None
    next_at: str | None
    if next_dose is not None:
        if not isinstance(next_dose, tuple):
            raise InputTypeError("next_dose", next_dose, "a (date, 'HH:MM') pair")
        try:
            next_on, next_at = next_dose
        except ValueError:
            raise InputTypeError("next_dose", next_dose, "a (date, 'HH:MM') pair") from None
        next_day = parse_date(next_on, "next_dose")
    elif index + 1 < count:
        next_day, next_at = missed_day, day_times[index + 1]
    else:
        day_after = add_days(missed_day, 1, "day")
        following = _step_on(plan, day_after)
        if following is None:
            next_day, next_at = None, None
        elif len(times) == slots and plan.supply is not None:
            # Full-day times: the next day's first dose still taken, by its place in the day.
            next_day = day_after
            next_at = _times_on(plan, following, list(times))[0]
        elif following.regimen.times_per_day == count:
            next_day, next_at = day_after, day_times[0]
        else:
            raise InputError(
                "next_dose",
                None,
                "the date and time of the next dose, because the number of doses a day "
                "changes on {day}",
                problem="is missing",
                code="E_MISSING_INPUT",
                params={"day": day_after},
            )
    to_next: Fraction | None = None
    if next_day is not None and next_at is not None:
        next_minute = _clock(next_at, "next_dose")
        to_next = (next_day - missed_day).days * a_day + next_minute - missed_minute
        if to_next <= 0:
            raise InputError("next_dose", next_dose, "a time after the missed dose", code="E_TIME")
        to_next -= elapsed

    threshold_rule = rules[_R + "skip_within"]
    threshold = threshold_rule.require_value()  # hours
    used = [threshold_rule.id, _R + "take_when_remembered", _R + "never_double"]
    action: Action
    several = doses_missed > 1 or elapsed >= a_day
    if several:
        used.append(_R + "several")
        action = "skip"
        reason = Reason(
            "MISSED_SEVERAL" if doses_missed > 1 else "MISSED_OVER_A_DAY",
            {"count": doses_missed, "elapsed": Amount(elapsed, kinds.HOURS)},
        )
    elif to_next is None:
        same_day = today == missed_day
        action = "take_now" if same_day else "skip"
        reason = Reason(
            "MISSED_NO_LATER_DOSE_SAME_DAY" if same_day else "MISSED_NO_LATER_DOSE_OVER"
        )
    elif to_next < 0 and next_day is not None and next_at is not None:
        # A later dose was due between the missed one and now: whether it was taken is not
        # known, so the advice covers both (issue 10 item 7, docs/decisions.md): never take
        # the missed dose (it could double up), and more than one missed is the several rule.
        used.append(_R + "several")
        action = "skip"
        later = [(next_day, next_at)]
        if next_dose is None:
            last = add_days(today, 1, "now_day")
            later = _doses_after(plan, missed_day, index, day_times, list(times), slots, last)
        passed = [d for d in later if _minutes(d, missed_day) < elapsed + missed_minute]
        coming = [d for d in later if _minutes(d, missed_day) >= elapsed + missed_minute]
        reason = Reason(
            "MISSED_LATER_DOSE_PASSED" if len(passed) == 1 else "MISSED_LATER_DOSES_PASSED",
            {
                "count": len(passed),
                "first_at": next_at,
                "first_day": next_day,
                "rule": _R + "several",
            },
        )
        next_day, next_at = coming[0] if coming else (None, None)
        to_next = None if not coming else _minutes(coming[0], missed_day) - missed_minute - elapsed
    elif to_next <= 0 and next_day is not None:
        action = "skip"
        reason = Reason("MISSED_NEXT_DUE", {"next_at": next_at, "next_day": next_day})
    else:
        action = "skip" if to_next < threshold else "take_now"
        reason = Reason(
            "MISSED_NEXT_SOON" if to_next < threshold else "MISSED_NEXT_NOT_SOON",
            {
                "to_next": Amount(to_next, kinds.HOURS),
                "limit": Amount(threshold, kinds.HOURS),
                "rule": threshold_rule.id,
            },
        )

    amount = step.regimen.doses_mg[index]
    realized = None
    if plan.supply is not None:
        position = plan.steps.index(step)
        realized = plan.supply.doses[position][index]
    used.append(_R + "wall_clock")
    findings = (
        *((advice(rules[_R + "several"]),) if several else ()),
        advice(rules[_R + "never_double"]),
        advice(rules[_R + "take_when_remembered"]),
        advice(rules[_R + "wall_clock"]),
    )
    inputs: list[tuple[str, ParamValue]] = [
        ("plan", "steady" if steady else "taper" if isinstance(plan, TaperPlan) else "titration"),
        ("doses", tuple(Amount(d, kinds.ORAL_DOSE) for d in step.regimen.doses_mg)),
        ("plan_start", plan.steps[0].start),
        ("times", tuple(times)),
        ("day", missed_day),
        ("missed_at", missed_at),
        ("now_day", today),
        ("now_at", now_at),
        ("next_dose", None if next_dose is None else (str(next_dose[0]), str(next_dose[1]))),
        ("doses_missed", doses_missed),
    ]
    return MissedDoseAdvice(
        action=action,
        dose_mg=amount,
        units=realized,
        day=missed_day,
        missed_at=missed_at,
        now_day=today,
        now_at=now_at,
        next_day=next_day,
        next_at=next_at,
        hours_to_next=to_next,
        reason=reason,
        findings=findings,
        provenance=Provenance.of(rules, used, inputs),
    )
