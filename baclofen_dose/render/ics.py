"""A plan as an iCalendar file (issue 14 item 2), written with the ``icalendar`` library
(``[calendar]`` extra).

- With clock times (``times``) and an IANA time zone (``tz``, never the machine's): one event
  series per dose time of each step, a daily recurrence from the step's first day to its last
  (open-ended for a last step "onward"), in local time with its VTIMEZONE.
- Without times: one all-day event per step, spanning its days.
- A taper also has an all-day event on the day it stops.

Every text comes from the plan through render/ (the one formatter, the ISMP-clean sentences);
the withdrawal warning and the intended-use statement close every description. The output is
deterministic: UIDs come from the plan's SHA-256 (of its JSON) and the event's index, DTSTAMP
from the plan's first day, so the same plan gives the same file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import singledispatch
from typing import Any, Final

from baclofen_dose.core import display, units
from baclofen_dose.core.errors import InputError, InputTypeError, MissingInputError
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.oral.products import Realization
from baclofen_dose.oral.regimen import OralPlan, Step
from baclofen_dose.oral.schedule import clock_hours
from baclofen_dose.oral.taper import TaperPlan
from baclofen_dose.render import protocol
from baclofen_dose.render.lines import INTENDED_USE
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.products import give
from baclofen_dose.render.text import instructions, step_times

__all__ = ["PRODID", "time_zone", "to_ics"]

RULES: Final = requires(
    __name__,
    {
        "oral.taper.return_to_previous_step": None,
        "oral.withdrawal.abrupt": None,
    },
)


PRODID: Final = "-//baclofen-dose//baclofen-dose schedule//EN"
_WITHDRAWAL: Final = "oral.withdrawal.abrupt"
_RETURN: Final = "oral.taper.return_to_previous_step"
_ZONE_YEARS: Final = 2  # how far past the plan the VTIMEZONE's rules are written
# Names in the zone database that are not a place: the machine's own zone, and placeholders.
_NOT_PLACES: Final = frozenset({"localtime", "posixrules", "Factory"})
_FALLBACK: Final = (
    "Do not stop baclofen suddenly: stopping abruptly can cause serious withdrawal."  # SAF-32
)


def time_zone(name: object) -> Any:
    """The IANA time zone ``name`` ("Europe/London") as a ZoneInfo; refuses anything else,
    including the machine's own ("localtime")."""
    from zoneinfo import ZoneInfo, available_timezones

    if not isinstance(name, str):
        raise InputTypeError("tz", name, "an IANA time zone name such as 'Europe/London'")
    if name in _NOT_PLACES or name not in available_timezones():
        raise InputError(
            "tz", name, "an IANA time zone name such as 'Europe/London'", code="E_TIME_ZONE"
        )
    return ZoneInfo(name)


def _warning(plan: OralPlan | TaperPlan) -> str:
    texts = {f.rule_id: finding_text(f) for f in plan.findings}
    return texts.get(_WITHDRAWAL, _FALLBACK)


def _dose_text(step: Step, realization: Realization | None, index: int) -> str:
    if realization is not None:
        return give(realization)
    return display.amount(step.regimen.doses_mg[index], units.ORAL_DOSE)


def _rows(plan: OralPlan | TaperPlan) -> list[tuple[Realization, ...] | None]:
    if plan.supply is None:
        return [None] * len(plan.steps)
    return list(plan.supply.doses)


class _Writer:
    """Collects the events of one calendar with stable UIDs and one DTSTAMP."""

    def __init__(self, plan: OralPlan | TaperPlan) -> None:
        from icalendar import Calendar

        self.digest = hashlib.sha256(protocol.to_json(plan).encode("utf-8")).hexdigest()
        self.stamp = datetime.combine(plan.steps[0].start, time(0), tzinfo=_utc())
        self.count = 0
        self.calendar = Calendar()
        self.calendar.add("prodid", PRODID)
        self.calendar.add("version", "2.0")
        self.calendar.add("calscale", "GREGORIAN")
        self.calendar.add("x-wr-calname", "Baclofen schedule")

    def add(
        self, summary: str, description: str, start: Any, end: Any | None, days: int | None
    ) -> None:
        """One event; ``end`` None is an instant (a dose time); ``days`` None recurs daily
        with no end (a last step "onward"), else that many days."""
        from icalendar import Event

        event = Event()
        event.add("uid", f"{self.digest[:32]}-{self.count}@baclofen-dose")
        event.add("dtstamp", self.stamp)
        event.add("summary", summary)
        event.add("description", description)
        event.add("dtstart", start)
        if end is not None:
            event.add("dtend", end)
        if days is None:
            event.add("rrule", {"freq": "daily"})
        elif days > 1:
            event.add("rrule", {"freq": "daily", "count": days})
        self.calendar.add_component(event)
        self.count += 1


def _utc() -> Any:
    from datetime import UTC

    return UTC


def _clock(value: str) -> time:
    hours = clock_hours(value, "times")
    return time(int(hours), int((hours - int(hours)) * 60))


def _timed(plan: OralPlan | TaperPlan, writer: _Writer, times: Sequence[str], tz: Any) -> None:
    by_step = step_times(plan, times)
    assert by_step is not None  # times were given
    warning = _warning(plan)
    for step, at, row in zip(plan.steps, by_step, _rows(plan), strict=True):
        for index, clock in enumerate(at):
            dose = _dose_text(step, None if row is None else row[index], index)
            start = datetime.combine(step.start, _clock(clock), tzinfo=tz)
            days = None if step.end is None else (step.end - step.start).days + 1
            description = f"Take {dose} by mouth at {clock}. {warning} {INTENDED_USE}"
            writer.add(f"Baclofen: {dose}", description, start, None, days)


def _all_day(plan: OralPlan | TaperPlan, writer: _Writer) -> None:
    lines = instructions(plan)
    warning = _warning(plan)
    for step, line in zip(plan.steps, lines, strict=False):
        daily = display.amount(step.regimen.daily_mg, units.ORAL_DAILY_DOSE)
        last = step.end if step.end is not None else step.start
        days = None if step.end is None else 1
        summary = f"Baclofen: {daily}, {display.times_a_day(step.regimen.times_per_day)}"
        writer.add(
            summary,
            f"{line} {warning} {INTENDED_USE}",
            step.start,
            last + timedelta(days=1),
            days,
        )


def _stop(plan: OralPlan | TaperPlan, writer: _Writer) -> None:
    if not isinstance(plan, TaperPlan):
        return
    stop: date = plan.taper.stop
    text = f"From {display.day(stop, weekday=True)}: stop taking baclofen."
    back = [finding_text(f) for f in plan.findings if f.rule_id == _RETURN]
    text = " ".join([text, *back])
    writer.add("Baclofen: stop", f"{text} {INTENDED_USE}", stop, stop + timedelta(days=1), 1)


@singledispatch
def to_ics(result: object, **options: Any) -> str:
    """A plan as iCalendar text (RFC 5545): ``times`` (one per dose of the fullest day) with
    ``tz`` (an IANA name, required with times) give timed events; without ``times``, all-day
    events per step."""
    raise InputTypeError("result", result, "a titration or taper plan")


def _plan_ics(plan: OralPlan | TaperPlan, **options: Any) -> str:
    times = options.get("times")
    tz_name = options.get("tz")
    writer = _Writer(plan)
    if times is not None:
        if tz_name is None:
            raise MissingInputError(
                "tz",
                "an IANA time zone such as 'Europe/London' (never the machine's own)",
                "a calendar with clock times",
            )
        _timed(plan, writer, times, time_zone(tz_name))
        # The zone's rules from the plan's first year to two years past its last day (an
        # open-ended last step recurs beyond; calendar programs know the zone by its TZID).
        last = plan.steps[-1].end or plan.steps[-1].start
        writer.calendar.add_missing_timezones(
            first_date=date(plan.steps[0].start.year, 1, 1),
            last_date=date(last.year + _ZONE_YEARS, 12, 31),
        )
    elif tz_name is not None:
        raise InputError(
            "tz",
            tz_name,
            "no time zone without clock times (all-day events have none); give the times too",
            problem="is given without clock times",
            code="E_TIME_ZONE",
        )
    else:
        _all_day(plan, writer)
    _stop(plan, writer)
    return str(writer.calendar.to_ical().decode("utf-8"))


to_ics.register(OralPlan)(_plan_ics)
to_ics.register(TaperPlan)(_plan_ics)
