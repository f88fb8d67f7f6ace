"""Issue 14 item 2: ``--format ics``. The calendar is written with icalendar and read back here
with a second, independent library (vobject, with dateutil's recurrence rules), which must
reconstruct the same schedule: every dose's date, clock time and amount."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
import vobject

from baclofen_dose import plan_taper, plan_titration
from baclofen_dose.cli import main
from baclofen_dose.core.errors import InputError, MissingInputError
from baclofen_dose.oral.schedule import dose_times
from baclofen_dose.render.ics import to_ics
from tests.ismp import assert_clean

MUST_SHOW = [
    "taper",
    "--from",
    "20 mg",
    "--times-per-day",
    "4",
    "--start",
    "2026-03-02",
    "--times",
    "08:00,12:00,16:00,20:00",
    "--tz",
    "Europe/London",
    "--format",
    "ics",
]
_AMOUNT = re.compile(r"\((\d+(?:\.\d+)?) mg\)$|: (\d+(?:\.\d+)?) mg$")


def _events(text: str) -> list[vobject.base.Component]:
    calendar = vobject.readOne(text)
    return list(calendar.vevent_list)


def _dose(summary: str) -> Fraction:
    found = _AMOUNT.search(summary)
    assert found, summary
    return Fraction(found.group(1) or found.group(2))


def _doses_from_calendar(text: str, until: date) -> list[tuple[date, str, Fraction]]:
    """Every timed dose the calendar holds up to ``until``, expanded by vobject/dateutil."""
    out = []
    for event in _events(text):
        start = event.dtstart.value
        if not isinstance(start, datetime):
            continue
        assert start.tzinfo is not None  # local time with its zone, never floating
        for when in event.getrruleset(addRDate=True) or [start]:
            if when.date() > until:
                break
            out.append((when.date(), when.strftime("%H:%M"), _dose(event.summary.value)))
    return sorted(out)


def _first(rules: Iterable[datetime], count: int) -> list[datetime]:
    return list(itertools.islice(rules, count))


def _doses_from_plan(plan, times: list[str], until: date) -> list[tuple[date, str, Fraction]]:  # type: ignore[no-untyped-def]
    out = []
    for step, at in zip(plan.steps, dose_times(plan, times).by_step, strict=True):
        last = until if step.end is None else step.end
        day = step.start
        while day <= last:
            out += [(day, t, d) for t, d in zip(at, step.regimen.doses_mg, strict=True)]
            day += timedelta(days=1)
    return sorted(out)


def test_must_show_taper_re_parses_to_the_same_schedule(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's command: 8 steps, 4 then 2 then 1 dose a day at 08:00, 12:00, 16:00, 20:00;
    by hand: 6 steps x 4 doses x 3 days + 2 x 3 + 1 x 3 = 81 doses, the last at 20:00 on
    25 March 2026, then an all-day "stop" on Thursday 26 March 2026."""
    assert main(MUST_SHOW) == 0
    text = capsys.readouterr().out
    plan = plan_taper(dose="20 mg", times_per_day=4, start="2026-03-02")
    times = ["08:00", "12:00", "16:00", "20:00"]
    got = _doses_from_calendar(text, date(2026, 12, 31))
    assert got == _doses_from_plan(plan, times, date(2026, 12, 31))
    assert len(got) == 81 and got[-1] == (date(2026, 3, 25), "20:00", Fraction(5))
    assert got[0] == (date(2026, 3, 2), "08:00", Fraction(15))
    (stop,) = [e for e in _events(text) if not isinstance(e.dtstart.value, datetime)]
    assert stop.dtstart.value == date(2026, 3, 26) and "stop taking baclofen" in stop.description.value
    for event in _events(text):
        if isinstance(event.dtstart.value, datetime):
            assert event.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == ["Europe/London"]
        assert_clean(event.description.value)
        if isinstance(event.dtstart.value, datetime):
            assert "Do not stop baclofen suddenly" in event.description.value
        else:
            assert "return to the previous step" in event.description.value
        assert "Decision support for health-care professionals" in event.description.value
    assert "one and a half 10 mg tablets (15 mg)" in text


def test_the_same_plan_gives_the_same_file() -> None:
    """Deterministic: UIDs from the plan's hash and the index, DTSTAMP from the plan."""
    plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
    first = to_ics(plan, times=["08:00", "14:00", "20:00"], tz="Europe/London")
    assert first == to_ics(plan, times=["08:00", "14:00", "20:00"], tz="Europe/London")
    uids = [e.uid.value for e in _events(first)]
    assert len(set(uids)) == len(uids)
    assert all(e.dtstamp.value == datetime.fromisoformat("2026-03-02T00:00:00+00:00") for e in _events(first))
    other = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-03")
    assert set(uids).isdisjoint(e.uid.value for e in _events(to_ics(other)))


def test_dose_times_stay_local_across_summer_time() -> None:
    """Europe/London goes to summer time on 29 March 2026: the 08:00 dose stays at 08:00 on
    the wall clock, so its UTC time moves from 08:00 to 07:00."""
    plan = plan_titration(start="2026-03-20", target="60 mg/day")
    text = to_ics(plan, times=["08:00", "14:00", "20:00"], tz="Europe/London")
    last = _events(text)[-1]
    # the last step is open-ended ("onward"): a daily rule with no end
    assert str(last.rrule.value) == "FREQ=DAILY"
    eight = [
        when
        for event in _events(text)
        if event.dtstart.value.hour == 8
        for when in _first(event.getrruleset(), 40)
    ]
    before = next(d for d in eight if d.date() == date(2026, 3, 28))
    after = next(d for d in eight if d.date() == date(2026, 3, 30))
    assert (before.hour, after.hour) == (8, 8)
    assert before.utcoffset() == timedelta(0) and after.utcoffset() == timedelta(hours=1)
    got = _doses_from_calendar(text, date(2026, 4, 30))
    assert got == _doses_from_plan(plan, ["08:00", "14:00", "20:00"], date(2026, 4, 30))


def test_all_day_events_without_times() -> None:
    """Without --times: one all-day event per step over its days (the titration's last step
    "onward" recurs daily with no end)."""
    plan = plan_titration(start="2026-01-05", target="60 mg/day")
    events = _events(to_ics(plan))
    assert [e.dtstart.value for e in events] == [s.start for s in plan.steps]
    for event, step in zip(events, plan.steps, strict=True):
        assert not isinstance(event.dtstart.value, datetime)
        if step.end is not None:
            assert event.dtend.value == step.end + timedelta(days=1)
        else:
            assert str(event.rrule.value) == "FREQ=DAILY"
        assert_clean(event.description.value)
    assert events[0].summary.value == "Baclofen: 15 mg/day, 3 times a day"
    assert "from Mon 5 January 2026 to Wed 7 January 2026" in events[0].description.value


def test_time_zone_is_explicit_and_real() -> None:
    plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
    times = ["08:00", "14:00", "20:00"]
    with pytest.raises(MissingInputError) as missing:
        to_ics(plan, times=times)
    assert missing.value.field == "tz"
    for bad in ("localtime", "Mars/Olympus", "GMT+1 ", ""):
        with pytest.raises(InputError) as caught:
            to_ics(plan, times=times, tz=bad)
        assert caught.value.field == "tz"
    with pytest.raises(InputError, match="without clock times"):
        to_ics(plan, tz="Europe/London")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ([*MUST_SHOW[:-4], "--format", "ics"], "--tz is missing"),
        ([*MUST_SHOW[:-3], "Europe/Londn", "--format", "ics"], "--tz: 'Europe/Londn'"),
        ([*MUST_SHOW[:7], "--times", "08:00", "--tz", "UTC", "--format", "ics"], "--times"),
        ([*MUST_SHOW[:-2], "--format", "table"], "--tz: only with --format ics"),
    ],
)
def test_cli_errors_name_the_option(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and needle in err and err.count("\n") == 1
