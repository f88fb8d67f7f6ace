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
    MissedDoseAdvice,
    advise_missed_dose,
    plan_taper,
    plan_titration,
)
from baclofen_dose.core import kinds
from baclofen_dose.core.model import Amount
from baclofen_dose.render import protocol
from baclofen_dose.render.messages import REASON_TEMPLATES, reason_text
from baclofen_dose.render.missed import advice_text
from tests import strategies as S
from tests.ismp import assert_clean

TAPER = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
TIMES = ["08:00", "14:00", "20:00"]
LIMIT = S.RULES["oral.missed_dose.skip_within"].require_value()


def _advise(day: str, missed_at: str, now_day: str, now_at: str, **kw: object) -> MissedDoseAdvice:
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
    assert advice.action == action
    text = advice_text(advice)
    assert "Never take two doses together." in text
    assert "one and a half 10 mg tablets (15 mg)" in text
    assert_clean(text)


def test_last_dose_of_the_day_looks_at_tomorrow_morning() -> None:
    advice = _advise("2026-03-03", "20:00", "2026-03-04", "06:30")
    assert advice.action == "skip" and advice.next_day == date(2026, 3, 4)
    assert advice.next_at == "08:00" and advice.hours_to_next == Fraction(3, 2)
    assert _advise("2026-03-03", "20:00", "2026-03-03", "23:00").action == "take_now"


def test_days_with_fewer_doses_use_the_full_day_times() -> None:
    """On 14 March the taper has dropped the 1st dose: the 2nd (14:00) is the day's first."""
    advice = _advise("2026-03-13", "20:00", "2026-03-14", "12:30")
    assert (advice.next_day, advice.next_at, advice.action) == (date(2026, 3, 14), "14:00", "skip")
    advice = _advise("2026-03-14", "14:00", "2026-03-14", "16:30", times=["14:00", "20:00"])
    assert advice.action == "take_now" and advice.dose_mg == 5


def test_end_of_plan() -> None:
    assert _advise("2026-03-19", "20:00", "2026-03-19", "23:00").action == "take_now"
    late = _advise("2026-03-19", "20:00", "2026-03-20", "07:00")
    assert late.action == "skip" and late.next_day is None


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
    assert advice.action == "take_now" and advice.units is None
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
    assert_clean(advice_text(advice))
    assert advice.reason.code in REASON_TEMPLATES
    assert all(f.code != "TEXT" for f in advice.findings)
    assert protocol.from_json(protocol.to_json(advice)) == advice
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


def test_advice_is_data_and_round_trips_through_json() -> None:
    """Issue 8: the missed-dose JSON is built by the library (schema, codes and values), and
    from_json(to_json(advice)) == advice."""
    import json

    from baclofen_dose.core import kinds
    from baclofen_dose.core.model import Amount

    advice = _advise("2026-03-03", "08:00", "2026-03-03", "12:30")
    assert advice.schema == "baclofen-dose/oral-missed-dose/1" and advice.route == "oral"
    assert advice.reason.code == "MISSED_NEXT_SOON"
    assert advice.reason.values["to_next"] == Amount(Fraction(3, 2), kinds.HOURS)
    assert reason_text(advice.reason) == (
        "The next dose is 1 hour 30 minutes away, less than 2 hours "
        "(rule oral.missed_dose.skip_within)."
    )
    text = protocol.to_json(advice)
    assert protocol.from_json(text) == advice
    data = json.loads(text)
    assert data["schema"] == advice.schema and data["action"] == "skip"
    assert data["dose"] == {"value": 15, "unit": "mg"}
    assert data["units"]["portions"][0]["quantity"] == {"value": 1.5, "unit": "{tablet}"}
    assert data["minutes_to_next"] == 90 and data["text"] == advice_text(advice)
    assert data["reason"]["text"] == reason_text(advice.reason)
    assert "Never take two doses together." in protocol.text(advice)
    assert "Missed dose" in protocol.table(advice)


@pytest.mark.parametrize(
    ("day", "missed_at", "now_day", "now_at", "code"),
    [
        ("2026-03-03", "08:00", "2026-03-03", "09:00", "MISSED_NEXT_NOT_SOON"),
        ("2026-03-03", "08:00", "2026-03-03", "14:00", "MISSED_NEXT_DUE"),
        ("2026-03-03", "08:00", "2026-03-03", "14:30", "MISSED_LATER_DOSE_PASSED"),
        ("2026-03-03", "14:00", "2026-03-04", "13:00", "MISSED_LATER_DOSES_PASSED"),
        ("2026-03-19", "20:00", "2026-03-19", "23:00", "MISSED_NO_LATER_DOSE_SAME_DAY"),
        ("2026-03-19", "20:00", "2026-03-20", "07:00", "MISSED_NO_LATER_DOSE_OVER"),
    ],
)
def test_every_reason_round_trips(
    day: str, missed_at: str, now_day: str, now_at: str, code: str
) -> None:
    advice = _advise(day, missed_at, now_day, now_at)
    assert advice.reason.code == code
    assert protocol.from_json(protocol.to_json(advice)) == advice
    assert_clean(advice_text(advice))


def test_liquid_and_titration_advice_round_trip() -> None:
    liquid = plan_taper(
        dose="20 mg", times_per_day=3, start="2026-03-02", product="5 mg/mL suspension"
    )
    advice = advise_missed_dose(
        liquid,
        times=TIMES,
        day="2026-03-03",
        missed_at="08:00",
        now_day="2026-03-03",
        now_at="08:30",
    )
    assert advice_text(advice).startswith("Take the missed dose now: 15 mg (3 mL of 5 mg/mL),")
    assert protocol.from_json(protocol.to_json(advice)) == advice
    plain = plan_titration(start="2026-01-05", target="30 mg/day")
    advice = advise_missed_dose(
        plain,
        times=TIMES,
        day="2026-01-06",
        missed_at="14:00",
        now_day="2026-01-06",
        now_at="19:10",
    )
    assert advice.units is None and advice.hours_to_next == Fraction(5, 6)
    assert protocol.from_json(protocol.to_json(advice)) == advice


def test_tampered_advice_json_is_refused() -> None:
    import json

    text = protocol.to_json(_advise("2026-03-03", "08:00", "2026-03-03", "12:30"))
    for change in (
        lambda d: d.update(action="double"),
        lambda d: d.update(missed_at="8 am"),
        lambda d: d["units"]["portions"][0]["quantity"].update(value=2),
        lambda d: d["reason"].update(code="TAKE_TWO"),
        lambda d: d.update(minutes_to_next=1.5),
        lambda d: d.update(action="take_now"),  # the reason says skip
    ):
        data = json.loads(text)
        change(data)
        with pytest.raises(InputError):
            protocol.from_json(json.dumps(data))


@pytest.mark.parametrize(
    ("day", "missed_at", "now_day", "now_at", "doses", "code", "hours"),
    [
        # 2 doses missed (08:00 and 14:00), now 15:00: 7 hours since the first was due
        ("2026-03-03", "08:00", "2026-03-03", "15:00", 2, "MISSED_SEVERAL", 7),
        # one dose, but 08:00 on 3 March to 09:00 on 4 March is 25 hours: a day or more
        ("2026-03-03", "08:00", "2026-03-04", "09:00", 1, "MISSED_OVER_A_DAY", 25),
        # exactly 24 hours is a day
        ("2026-03-03", "14:00", "2026-03-04", "14:00", 1, "MISSED_OVER_A_DAY", 24),
    ],
)
def test_more_than_one_dose_or_a_day_missed_skip_resume_and_contact_the_prescriber(
    day: str, missed_at: str, now_day: str, now_at: str, doses: int, code: str, hours: int
) -> None:
    """Issue 10 item 7 (clinical.md 7.1, 8.1): do not take the missed doses, go on with the
    schedule, contact the prescriber because of the withdrawal risk (oral.missed_dose.several,
    L7 5.1)."""
    advice = _advise(day, missed_at, now_day, now_at, doses_missed=doses)
    assert advice.action == "skip" and advice.reason.code == code
    assert advice.reason.values["elapsed"] == Amount(Fraction(hours), kinds.HOURS)
    several = [f for f in advice.findings if f.rule_id == "oral.missed_dose.several"]
    assert len(several) == 1 and several[0].severity == "warning"
    assert several[0].citation is not None and "L7" in str(several[0].citation)
    text = protocol.text(advice)
    assert "do not take the missed doses" in text and "contact your prescriber" in text
    assert "withdrawal" in text
    assert protocol.from_json(protocol.to_json(advice)) == advice
    assert_clean(text)


def test_23_hours_with_one_dose_is_not_several() -> None:
    advice = _advise("2026-03-03", "14:00", "2026-03-04", "13:00")
    assert advice.reason.code == "MISSED_LATER_DOSES_PASSED"
    assert "oral.missed_dose.several" not in {f.rule_id for f in advice.findings}


@pytest.mark.parametrize(
    ("missed_at", "now_day", "now_at", "code", "count", "first", "upcoming", "minutes"),
    [
        # The user's report: 08:00 missed, 16:00 now; 14:00 was due in between.
        ("08:00", "2026-03-03", "16:00", "MISSED_LATER_DOSE_PASSED", 1, "14:00", "20:00", 240),
        ("08:00", "2026-03-03", "14:01", "MISSED_LATER_DOSE_PASSED", 1, "14:00", "20:00", 359),
        # 14:00 passed and 20:00 is due now
        ("08:00", "2026-03-03", "20:00", "MISSED_LATER_DOSE_PASSED", 1, "14:00", "20:00", 0),
        # 14:00 missed, 13:00 next day: 20:00 and 08:00 passed, next at 14:00 on 4 March
        ("14:00", "2026-03-04", "13:00", "MISSED_LATER_DOSES_PASSED", 2, "20:00", "14:00", 60),
    ],
)
def test_a_later_dose_due_before_now_is_never_assumed_taken_or_missed(
    missed_at: str,
    now_day: str,
    now_at: str,
    code: str,
    count: int,
    first: str,
    upcoming: str,
    minutes: int,
) -> None:
    """Issue 10 item 7 (fresh user's report): when a scheduled dose lies between the missed one
    and now, the tool cannot know whether it was taken. Taking the missed dose now could double
    up (if it was taken: S19, oral.missed_dose.never_double); if it was not, two doses were
    missed (oral.missed_dose.several). So: skip the missed dose, say both cases, and name the
    next dose after now, never one already past."""
    advice = _advise("2026-03-03", missed_at, now_day, now_at)
    assert advice.action == "skip" and advice.reason.code == code
    assert advice.reason.values["count"] == count
    assert advice.reason.values["first_at"] == first
    assert advice.next_at == upcoming
    assert advice.hours_to_next == Fraction(minutes, 60)
    assert "oral.missed_dose.several" in advice.provenance.rule_ids
    text = advice_text(advice)
    assert "take only that one" not in text and "is not known" in text
    assert "if it" in text or "if they" in text
    assert "do not take the missed doses" in text and "contact your prescriber" in text
    assert f"{upcoming} on" in text
    assert protocol.from_json(protocol.to_json(advice)) == advice
    assert_clean(text)


def test_the_next_dose_due_exactly_now_is_that_one() -> None:
    """No dose lies strictly between: the next one is due now and is the only one taken."""
    advice = _advise("2026-03-03", "08:00", "2026-03-03", "14:00")
    assert advice.reason.code == "MISSED_NEXT_DUE" and advice.next_at == "14:00"


def test_cli_missed_dose_with_a_dose_due_in_between(capsys: pytest.CaptureFixture[str]) -> None:
    from baclofen_dose.cli import main

    code = main(
        ["missed-dose", "--dose", "10 mg", "--times", "08:00,14:00,20:00",
         "--missed", "2026-03-03 08:00", "--now", "2026-03-03 16:00"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Skip the missed dose: 10 mg, due at 08:00 on 3 March 2026.")
    assert "at 14:00 on 3 March 2026" in out and "if it was taken" in out
    assert "Take the next dose at 20:00 on 3 March 2026 as usual." in out
    assert "take only that one" not in out


def test_the_advice_says_hours_are_counted_on_the_wall_clock() -> None:
    """Issue 10 item 7: no time-zone arithmetic; the advice says what a clock change means."""
    advice = _advise("2026-03-03", "08:00", "2026-03-03", "09:00")
    (wall,) = [f for f in advice.findings if f.rule_id == "oral.missed_dose.wall_clock"]
    assert wall.severity == "info"
    text = protocol.text(advice)
    assert "Hours are counted on the wall clock" in text
    assert "one hour shorter or longer" in text


@pytest.mark.parametrize("doses", [0, -1])
def test_doses_missed_must_be_one_or_more(doses: int) -> None:
    with pytest.raises(InputError) as caught:
        _advise("2026-03-03", "08:00", "2026-03-03", "09:00", doses_missed=doses)
    assert caught.value.field == "doses_missed"
    with pytest.raises(InputTypeError):
        _advise("2026-03-03", "08:00", "2026-03-03", "09:00", doses_missed=True)


def test_steady_regimen_without_a_plan() -> None:
    """Issue 14 item 5: 10 mg at 08:00, 14:00 and 20:00 every day, no plan file. Hand-worked:
    the 20:00 dose missed, now 06:30 next morning, next dose 08:00: 1 hour 30 minutes, less
    than 2 hours: skip; at 09:00 the same day as an 08:00 miss, 5 hours to 14:00: take now."""
    from baclofen_dose import OralRegimen

    steady = OralRegimen((Fraction(10),) * 3)
    late = advise_missed_dose(
        steady,
        times=TIMES,
        day="2026-03-03",
        missed_at="20:00",
        now_day="2026-03-04",
        now_at="06:30",
    )
    assert (late.action, late.next_day, late.next_at) == ("skip", date(2026, 3, 4), "08:00")
    assert late.hours_to_next == Fraction(3, 2) and late.dose_mg == 10
    early = advise_missed_dose(
        steady,
        times=TIMES,
        day="2026-03-03",
        missed_at="08:00",
        now_day="2026-03-03",
        now_at="09:00",
    )
    assert early.action == "take_now" and early.hours_to_next == 5
    assert dict(early.provenance.inputs)["plan"] == "steady"
    assert protocol.from_json(protocol.to_json(early)) == early
    assert_clean(protocol.text(early))


def test_steady_regimen_count_is_bounded() -> None:
    from baclofen_dose import OralRegimen

    with pytest.raises(InputError) as caught:
        advise_missed_dose(
            OralRegimen((Fraction(5),) * 6),
            times=["06:00", "08:00", "10:00", "12:00", "14:00", "16:00"],
            day="2026-03-03",
            missed_at="08:00",
            now_day="2026-03-03",
            now_at="09:00",
        )
    assert caught.value.code == "E_FREQUENCY"
