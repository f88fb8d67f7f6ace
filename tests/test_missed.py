"""Missed-dose advice (issue 4; clinical.md 8.1; safety.md A2): skip when less than 2 hours
remain until the next dose (NHS, S19), never double, every time explicit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose import (
    BaclofenDoseError,
    InputError,
    InputTypeError,
    advise_missed_dose,
    plan_taper,
    plan_titration,
)
from tests import strategies as S
from tests.ismp import assert_clean

TAPER = plan_taper(current="20 mg", times_per_day=3, start="2026-03-02")
TIMES = ["08:00", "14:00", "20:00"]
LIMIT = S.RULES["oral.missed_dose.skip_within"].require_value()


def _advise(day: str, missed_at: str, now_day: str, now_at: str, **kw: object) -> object:
    return advise_missed_dose(
        TAPER,
        times=kw.pop("times", TIMES),
        day=day,  # type: ignore[arg-type]
        missed_at=missed_at,
        now_day=now_day,
        now_at=now_at,
        **kw,
    )


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    ("now_at", "action"),
    [
        ("08:00", "take_now"),
        ("11:59", "take_now"),
        ("12:00", "take_now"),  # exactly 2 hours left: not less than 2 hours
        ("12:01", "skip"),  # less than 2 hours left (NHS S19)
        ("13:59", "skip"),
        ("14:00", "skip"),  # the next dose is due: take only that one
        ("18:30", "skip"),
    ],
)
def test_nhs_two_hour_rule_boundary(now_at: str, action: str) -> None:
    advice = _advise("2026-03-03", "08:00", "2026-03-03", now_at)
    assert advice.action == action  # type: ignore[attr-defined]
    text = advice.text()  # type: ignore[attr-defined]
    assert "Never take two doses together." in text
    assert "15 mg (one and a half tablets)" in text
    assert_clean(text)


def test_last_dose_of_the_day_looks_at_tomorrow_morning() -> None:
    advice = _advise("2026-03-03", "20:00", "2026-03-04", "06:30")
    assert advice.action == "skip" and advice.next_day == date(2026, 3, 4)  # type: ignore[attr-defined]
    assert advice.next_at == "08:00" and advice.hours_to_next == Fraction(3, 2)  # type: ignore[attr-defined]
    assert _advise("2026-03-03", "20:00", "2026-03-03", "23:00").action == "take_now"  # type: ignore[attr-defined]


def test_days_with_fewer_doses_use_the_full_day_times() -> None:
    """On 14 March the taper has dropped the 1st dose: the 2nd (14:00) is the day's first."""
    advice = _advise("2026-03-13", "20:00", "2026-03-14", "12:30")
    assert (advice.next_day, advice.next_at, advice.action) == (date(2026, 3, 14), "14:00", "skip")  # type: ignore[attr-defined]
    advice = _advise("2026-03-14", "14:00", "2026-03-14", "16:30", times=["14:00", "20:00"])
    assert advice.action == "take_now" and advice.dose_mg == 5  # type: ignore[attr-defined]


def test_end_of_plan() -> None:
    assert _advise("2026-03-19", "20:00", "2026-03-19", "23:00").action == "take_now"  # type: ignore[attr-defined]
    late = _advise("2026-03-19", "20:00", "2026-03-20", "07:00")
    assert late.action == "skip" and late.next_day is None  # type: ignore[attr-defined]


def test_titration_plan_and_explicit_next_dose() -> None:
    plan = plan_titration(start="2026-01-05", target="80 mg/day")
    advice = advise_missed_dose(
        plan,
        times=["08:00", "13:00", "18:00"],
        day="2026-01-10",
        missed_at="08:00",
        now_day="2026-01-10",
        now_at="09:00",
    )
    assert advice.action == "take_now" and advice.units_text is None
    with pytest.raises(InputError) as caught:  # 3 doses on the 16th, 4 from the 17th
        advise_missed_dose(
            plan,
            times=["08:00", "13:00", "18:00"],
            day="2026-01-16",
            missed_at="18:00",
            now_day="2026-01-16",
            now_at="22:00",
        )
    assert caught.value.code == "E_MISSING_INPUT"
    advice = advise_missed_dose(
        plan,
        times=["08:00", "13:00", "18:00"],
        day="2026-01-16",
        missed_at="18:00",
        now_day="2026-01-16",
        now_at="22:00",
        next_dose=("2026-01-17", "07:00"),
    )
    assert advice.action == "take_now" and advice.hours_to_next == 9


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"missed_at": "09:00"}, "missed_at", "E_TIME"),
        ({"missed_at": "8:00"}, "missed_at", "E_TIME"),
        ({"now_at": "07:00"}, "now_at", "E_TIME"),
        ({"now_at": "24:00"}, "now_at", "E_TIME"),
        ({"times": ["14:00", "08:00", "20:00"]}, "times", "E_TIME"),
        ({"times": ["08:00"]}, "times", "E_TIME"),
        ({"day": "2026-03-01"}, "day", "E_SCHEDULE"),
        ({"day": "2026-03-20"}, "day", "E_SCHEDULE"),
        ({"now_day": "3 March"}, "now_day", "E_DATE"),
    ],
)
def test_bad_input_is_refused(kwargs: dict[str, object], field: str, code: str) -> None:
    args: dict[str, object] = {
        "times": TIMES,
        "day": "2026-03-03",
        "missed_at": "08:00",
        "now_day": "2026-03-03",
        "now_at": "10:00",
        **kwargs,
    }
    with pytest.raises(InputError) as caught:
        advise_missed_dose(TAPER, **args)  # type: ignore[arg-type]
    assert caught.value.field == field and caught.value.code == code


@pytest.mark.parametrize(
    "kwargs",
    [
        {"times": "08:00,14:00,20:00"},
        {"now_at": 800},
        {"day": datetime(2026, 3, 3, 8)},  # noqa: DTZ001 - the naive datetime is the bad input
        {"next_dose": "2026-03-03 14:00"},
    ],
)
def test_wrong_types_are_refused(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "times": TIMES,
        "day": "2026-03-03",
        "missed_at": "08:00",
        "now_day": "2026-03-03",
        "now_at": "10:00",
        **kwargs,
    }
    with pytest.raises(InputTypeError):
        advise_missed_dose(TAPER, **args)  # type: ignore[arg-type]


@given(
    st.integers(min_value=0, max_value=40 * 60),
    st.sampled_from(TIMES),
    st.integers(min_value=2, max_value=18),
)
def test_never_take_when_the_next_dose_is_near(minutes: int, missed_at: str, day: int) -> None:
    """Property: take-now only when at least the threshold remains before the next dose."""
    missed_day = date(2026, 3, day)
    hour, minute = (int(x) for x in missed_at.split(":"))
    days, clock = divmod(hour * 60 + minute + minutes, 24 * 60)
    now_day = missed_day + timedelta(days=days)
    now_at = f"{clock // 60:02d}:{clock % 60:02d}"
    try:
        advice = advise_missed_dose(
            TAPER, times=TIMES, day=missed_day, missed_at=missed_at, now_day=now_day, now_at=now_at
        )
    except InputError as exc:
        assert exc.code == "E_TIME"  # not one of that day's doses (a dropped dose)
        return
    if advice.action == "take_now" and advice.hours_to_next is not None:
        assert advice.hours_to_next >= LIMIT
    if advice.hours_to_next is not None and advice.hours_to_next < LIMIT:
        assert advice.action == "skip"
    assert_clean(advice.text())
    assert {f.rule_id for f in advice.findings} >= {"oral.missed_dose.never_double"}
    assert "oral.missed_dose.skip_within" in advice.provenance.rule_ids


@given(
    st.dictionaries(
        st.sampled_from(["times", "day", "missed_at", "now_day", "now_at", "next_dose"]), S.junk
    )
)
def test_fuzz_only_library_errors(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "times": TIMES,
        "day": "2026-03-03",
        "missed_at": "08:00",
        "now_day": "2026-03-03",
        "now_at": "10:00",
        **kwargs,
    }
    try:
        advise_missed_dose(TAPER, **args)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass
