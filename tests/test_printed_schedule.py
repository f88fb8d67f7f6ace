"""Issue 14 item 1: the printable schedule fits 100 columns (wrapped, never cut), shows the
weekday with each date, the clock time of each dose when given, and names the product and its
strength in every instruction."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baclofen_dose import plan_taper, plan_titration
from baclofen_dose.cli import main
from baclofen_dose.core import display
from baclofen_dose.core.errors import InputError
from baclofen_dose.oral.schedule import dose_times
from baclofen_dose.render import protocol
from baclofen_dose.render.lines import columns, fit
from tests.ismp import assert_clean
from tests.printed import flat

TAPER_4 = [
    "taper",
    "--from",
    "20 mg",
    "--times-per-day",
    "4",
    "--start",
    "2026-03-02",
    "--times",
    "08:00,12:00,16:00,20:00",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_weekday_is_the_calendar_weekday(day: date) -> None:
    """The weekday shown is the date's own (checked against the standard library's ISO
    weekday, not against the formatter's table)."""
    shown = display.day(day, weekday=True)
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert shown == f"{names[day.isoweekday() - 1]} {display.day(day)}"


def test_hand_checked_weekdays() -> None:
    """By hand: 1 January 2026 was a Thursday, so 5 January 2026 a Monday; 1 March 2026 a
    Sunday, so 2 March a Monday and 26 March a Thursday."""
    assert display.day(date(2026, 1, 5), weekday=True) == "Mon 5 January 2026"
    assert display.day(date(2026, 3, 26), weekday=True) == "Thu 26 March 2026"


_WORDS = st.text(alphabet="abcdefgh0123456789:,()", min_size=1, max_size=12)


@given(st.lists(st.lists(_WORDS, min_size=1, max_size=30).map(" ".join), max_size=6))
# Found by a random run: a glued group that fits a first line but not a continued one.
@example([": 0 00000000000 000000000000 000000000000"])
def test_fit_never_cuts(lines: list[str]) -> None:
    """Every line fits; no word is lost or changed (only spaces become line breaks)."""
    out = fit(lines, 40)
    assert all(len(line) <= 40 for line in out)
    assert flat(" ".join(out)) == flat(" ".join(lines))


_LETTERS = st.text(alphabet="abcdefgh", min_size=1, max_size=12)


@given(
    st.lists(
        st.lists(st.lists(_LETTERS, min_size=1, max_size=6).map(" ".join), min_size=4, max_size=4),
        min_size=2,
        max_size=6,
    )
)
def test_columns_fit_and_keep_every_word(rows: list[list[str]]) -> None:
    out = columns(rows, 60)
    assert all(len(line) <= 60 for line in out)
    assert sorted(" ".join(out).split()) == sorted(" ".join(" ".join(r) for r in rows).split())


def test_a_dose_keeps_its_unit_on_its_line() -> None:
    """A break between a number and its unit could be misread ("10" / "mg")."""
    out = fit(["x" * 33 + " take 10 mg now"], 40)
    assert out == ["x" * 33 + " take", "  10 mg now"]


def test_dose_times_place_a_taper_s_remaining_doses() -> None:
    """A taper that drops doses keeps each remaining dose at its time of day."""
    plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
    found = dose_times(plan, ["08:00", "14:00", "20:00"])
    assert plan.supply is not None
    for positions, times in zip(plan.supply.positions, found.by_step, strict=True):
        assert times == tuple(["08:00", "14:00", "20:00"][p - 1] for p in positions)
    assert found.by_step[-1] == ("20:00",)


@pytest.mark.parametrize(
    "times",
    [["08:00", "14:00"], ["08:00", "14:00", "20:00", "22:00"], ["14:00", "08:00", "20:00"]],
)
def test_times_must_be_one_per_dose_in_order(times: list[str]) -> None:
    plan = plan_titration(start="2026-01-05", target="60 mg/day")
    with pytest.raises(InputError) as caught:
        dose_times(plan, times)
    assert caught.value.field == "times" and caught.value.code == "E_TIME"


def test_times_are_refused_when_a_titration_changes_its_dose_count() -> None:
    """75 mg/day adds a 4th dose: which 3 of 4 times the first steps use is not guessed."""
    plan = plan_titration(start="2026-01-05", target="75 mg/day")
    for times in (["08:00", "14:00", "20:00"], ["08:00", "12:00", "16:00", "20:00"]):
        with pytest.raises(InputError, match="same number of doses every day"):
            dose_times(plan, times)


def test_must_show_taper_with_times(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's taper: every line fits 100 columns, each dose row has its clock time, each
    instruction names the 10 mg tablet the plan chose, and every date has its weekday."""
    code, out, err = run(capsys, *TAPER_4)
    assert code == 0 and err == ""
    assert max(len(line) for line in out.splitlines()) <= 100
    whole = flat(out)
    assert (
        "From Mon 2 March 2026 to Wed 4 March 2026: take one and a half 10 mg tablets (15 mg) at "
        "08:00, one and a half 10 mg tablets (15 mg) at 12:00, two 10 mg tablets (20 mg) at "
        "16:00 and two 10 mg tablets (20 mg) at 20:00, by mouth." in whole
    )
    assert "take one and a half 10 mg tablets (15 mg) by mouth 4 times a day (at 08:00, 12:00, " in whole
    assert "From Thu 26 March 2026: stop taking baclofen." in whole
    rows = [line.split() for line in out.splitlines() if re.match(r"\S* +\S* .*\d\d:\d\d", line)]
    assert rows[0][:9] == ["1", "Mon", "2", "March", "2026", "1st", "08:00", "15", "mg"]
    # Every month name in the output follows a day number that follows a weekday.
    for match in re.finditer(r"(\w+) (\d+) (January|February|March|April) (\d{4})", out):
        weekday, day, month, year = match.groups()
        assert weekday == display.day(
            date(int(year), ["January", "February", "March", "April"].index(month) + 1, int(day)),
            weekday=True,
        ).split()[0]
    assert_clean(out)


def test_text_format_with_times(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *TAPER_4, "--format", "text")
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "half a 10 mg tablet (5 mg) at 20:00, by mouth" in flat(out)


def test_titrate_times_and_product(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "60 mg/day",
        "--product",
        "10 mg tablet",
        "--times",
        "08:00,14:00,20:00",
    )
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= 100
    whole = flat(out)
    assert (
        "From Mon 5 January 2026 to Wed 7 January 2026: take half a 10 mg tablet (5 mg) by mouth "
        "3 times a day (at 08:00, 14:00 and 20:00)." in whole
    )
    assert "27 tablets, for Mon 5 January 2026 to Tue 13 January 2026 (9 days)" in whole


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        ([*TAPER_4[:-1], "08:00,14:00"], "4 clock times in order"),
        ([*TAPER_4[:-1], "8:00,12:00,16:00,20:00"], "(value 1)"),
        (
            ["titrate", "--start", "2026-01-05", "--target", "75 mg/day", "--times", "08:00"],
            "same number of doses every day",
        ),
    ],
)
def test_bad_times_name_the_option(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("baclofen-dose: error: --times") and needle in err
    assert err.count("\n") == 1


def test_protocol_text_keeps_one_sentence_a_line_on_request() -> None:
    plan = plan_taper(dose="20 mg", times_per_day=4, start="2026-03-02")
    times = ["08:00", "12:00", "16:00", "20:00"]
    long = protocol.text(plan, times=times, width=None).splitlines()
    short = protocol.text(plan, times=times).splitlines()
    assert len(long) < len(short) and flat(" ".join(long)) == flat(" ".join(short))
