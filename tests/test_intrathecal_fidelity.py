"""Intrathecal clinical fidelity (issue 10 items 2, 4, 8, 10 and 11, intrathecal parts).

Golden cases worked by hand from clinical.md 6.7, 16 and 16.1; every new bound has a property
test that breaks if the bound breaks; every text passes the ISMP lint.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baclofen_dose import (
    InputError,
    OverrideRequired,
    plan_intrathecal_taper,
    plan_refill,
    plan_screening,
    titration_bounds,
)
from baclofen_dose.cli import main
from baclofen_dose.core import display
from baclofen_dose.core.rules import LIMIT_KINDS
from baclofen_dose.intrathecal.refill import refill_timing, safe_band, whole_days
from baclofen_dose.render import intrathecal as render
from baclofen_dose.render.messages import finding_text
from tests import strategies as S
from tests.ismp import assert_clean

D = Fraction
RULES = S.RULES
TOLERANCE = RULES["it.pump.flow_tolerance"].require_value()
STABILITY = int(RULES["it.refill.stability.study_2023_180_days"].require_value())
CHEO = int(RULES["it.refill.stability.cheo_11_weeks"].require_value())
GRID = RULES["it.refill.volume_grid"].require_value()
START = date(2026, 12, 1)


def all_text(result: render.Result) -> list[str]:
    texts = [render.table(result), render.text(result)]
    return texts + [finding_text(f) for f in result.findings]


# ---------------------------------------------------------------------------------------------
# Item 2: refill-by dates never beyond drug stability (clinical.md 6.7, 16, 16.1 row 5a)


def test_must_show_refill_bounded_by_the_stability_policy() -> None:
    """100 mcg/day in 20 mL of 2,000 mcg/mL: 40,000 mcg, about 400 days to empty.

    By hand: 100 / 2,000 = 0.05 mL/day; (20 - 2) / 0.05 = 360 days to the alarm; worst case
    360 / 1.145 = 314.41, rounded down 314; less the 10-day margin, 304 days, past the 180-day
    policy limit: the refill is due by 1 December 2026 + 180 days = 30 May 2027, with a warning.
    """
    refill = plan_refill(
        reservoir="20 mL",
        concentration="2000 mcg/mL",
        daily_dose="100 mcg/day",
        alarm_volume="2 mL",
        start=START,
    )
    assert refill.fill_ml * refill.concentration_mcg_per_ml == 40_000
    assert refill.worst_empty_days * (1 + TOLERANCE) == 400
    assert refill.nominal_days == 360 and refill.worst_days_whole == 314
    assert STABILITY == 180 and refill.stability_days == 180
    assert refill.refill_basis == "stability"
    assert refill.refill_by == START + timedelta(days=180) == date(2027, 5, 30)
    assert refill.worst_alarm_date is None and refill.nominal_alarm_date is None
    assert refill.worst_empty_date is None
    warnings = [f for f in refill.findings if f.code == "IT_REFILL_STABILITY"]
    assert [(f.rule_id, f.severity) for f in warnings] == [
        ("it.refill.stability.study_2023_180_days", "warning")
    ]
    table = render.table(refill)
    assert "the maximum refill interval, 180 days (policy study_2023_180_days)" in table
    assert "30 May 2027" in table
    # never a date 10 months away: nothing in 2027 after the refill-by date is printed
    for month in ("June", "July", "August", "September", "October", "November"):
        assert f"{month} 2027" not in table
    assert "Refill by 30 May 2027" in render.text(refill)
    assert_clean(all_text(refill))


def test_the_older_monograph_policy_is_shorter_and_explicit() -> None:
    """11 weeks (CHEO, dated): 1 December 2026 + 77 days = 16 February 2027."""
    refill = plan_refill(
        reservoir="20 mL",
        concentration="2000 mcg/mL",
        daily_dose="100 mcg/day",
        alarm_volume="2 mL",
        start=START,
        stability_policy="cheo_11_weeks",
    )
    assert CHEO == 77 and refill.refill_by == date(2027, 2, 16)
    assert ("stability_policy", "cheo_11_weeks") in refill.provenance.inputs
    assert "it.refill.stability.cheo_11_weeks" in refill.provenance.rule_ids


def test_must_show_worst_case_alarm_inside_the_margin_is_shown_with_a_hard_finding() -> None:
    """900 mcg/day at 500 mcg/mL in 20 mL: 1.8 mL/day; 18 / 1.8 = 10 days nominal; worst case
    10 / 1.145 = 8.73, rounded down 8 days (9 December 2026), inside the 10-day margin: the
    dates are shown and the refill is due by the worst-case alarm date, with a hard finding."""
    refill = plan_refill(
        reservoir="20 mL",
        concentration="500 mcg/mL",
        daily_dose="900 mcg/day",
        alarm_volume="2 mL",
        start=START,
    )
    assert refill.daily_volume_ml == D(18, 10) and refill.nominal_days == 10
    assert refill.worst_days_whole == 8 and refill.refill_basis == "inside_margin"
    assert refill.refill_by == refill.worst_alarm_date == date(2026, 12, 9)
    assert refill.nominal_alarm_date == date(2026, 12, 11)
    # 20 / (1.8 x 1.145) = 9.70 days to empty, rounded down to 9 (an earlier date)
    assert refill.worst_empty_days_whole == 9 and refill.worst_empty_date == date(2026, 12, 10)
    hard = [f for f in refill.findings if f.severity == "hard"]
    assert [f.code for f in hard] == ["IT_REFILL_INSIDE_MARGIN"]
    table = render.table(refill)
    assert "urgent: the worst-case alarm date (no margin left)  9 December 2026" in table
    assert "- hard: Urgent: the worst-case low-reservoir alarm is 8 days" in table
    assert "hard: Urgent" in render.text(refill)
    assert_clean(all_text(refill))


@given(
    st.integers(min_value=1, max_value=4000).map(lambda k: Fraction(k, 8)),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=31, max_value=366),
)
@example(Fraction(36000, 1145), 10, 180)
@example(Fraction(190), 10, 180)
@example(Fraction(191), 10, 180)
def test_refill_by_is_never_past_the_stability_limit_nor_the_worst_case_alarm(
    worst: Fraction, margin: int, stability: int
) -> None:
    """The bound itself: whatever the day counts, the refill-by day is at most the stability
    limit and at most the worst-case alarm; the margin is kept whenever it fits."""
    timing = refill_timing(worst * D(1145, 1000), worst, worst + 1, margin, stability)
    assert timing.refill_by <= stability
    assert timing.refill_by <= worst
    if whole_days(worst) > margin:
        assert timing.refill_by <= whole_days(worst) - margin
    for shown in (timing.alarm_nominal, timing.alarm_worst, timing.empty_worst):
        assert shown is None or shown <= stability + margin


@pytest.mark.parametrize(("previous", "flagged"), [("2026-06-04", False), ("2026-06-03", True)])
def test_a_previous_fill_left_past_the_stability_limit_is_flagged(
    previous: str, flagged: bool
) -> None:
    """From 3 June 2026 to 1 December 2026 is 181 days: one day past the 180-day policy."""
    refill = plan_refill(
        reservoir="40 mL",
        concentration="2000 mcg/mL",
        daily_dose="150 mcg/day",
        alarm_volume="2 mL",
        start=START,
        residual="13 mL",
        previous_fill=previous,
    )
    codes = [f.code for f in refill.findings]
    assert ("IT_PREVIOUS_FILL_PAST_STABILITY" in codes) is flagged
    assert_clean(all_text(refill))


# ---------------------------------------------------------------------------------------------
# Item 10: safe-direction rounding of worst-case days and residual volumes


@given(
    st.integers(min_value=-400, max_value=4000).map(lambda k: Fraction(k, 100)),
    st.integers(min_value=0, max_value=1000).map(lambda k: Fraction(k, 1000)),
    st.integers(min_value=0, max_value=1000).map(lambda k: Fraction(k, 1000)),
    st.integers(min_value=-500, max_value=4500).map(lambda k: Fraction(k, 100)),
)
@example(D("30.8"), D("1.334"), D("1.334"), D("32.12"))
@example(D("19.988"), D("0.002"), D("0.002"), D("19.988"))
def test_the_residual_band_never_hides_a_discrepancy(
    expected: Fraction, below: Fraction, above: Fraction, measured: Fraction
) -> None:
    """Expected rounded down; the band narrowed inward on the grid, so every residual outside
    the exact band is outside the shown band too; a band narrower than a grid step is shown
    as the one grid step that holds it."""
    lowest, highest = expected - below, expected + above
    shown_expected, low, high = safe_band(expected, lowest, highest, GRID)
    assert shown_expected <= expected < shown_expected + GRID
    for value in (shown_expected, low, high):
        assert (value / GRID).denominator == 1
    assert low <= high
    inside_exact = lowest <= measured <= highest
    inside_shown = low <= measured <= high
    if low >= lowest and high <= highest:
        assert not inside_shown or inside_exact  # narrowed: never hides a discrepancy
    else:
        # no grid point in the exact band: the grid step that holds it
        assert high - low == GRID and low <= lowest and highest <= high


@given(S.it_reservoirs, S.it_strengths, S.it_daily_ok, S.dates)
def test_worst_case_days_are_rounded_down_like_their_dates(
    reservoir: Fraction, strength: Fraction, daily: Fraction, first: date
) -> None:
    refill = plan_refill(
        reservoir=S.text_of(reservoir, "mL"),
        concentration=S.text_of(strength, "mcg/mL"),
        daily_dose=S.text_of(daily, "mcg/day"),
        alarm_volume="2 mL",
        start=first,
    )
    assert refill.worst_days_whole <= refill.worst_days < refill.worst_days_whole + 1
    assert refill.worst_empty_days_whole <= refill.worst_empty_days
    if refill.worst_alarm_date is not None:
        assert (refill.worst_alarm_date - first).days == refill.worst_days_whole
    if refill.worst_empty_date is not None:
        assert (refill.worst_empty_date - first).days == refill.worst_empty_days_whole
    table = render.table(refill)
    assert f"Days to the alarm, worst case  {display.day_count(refill.worst_days_whole)}" in table


# ---------------------------------------------------------------------------------------------
# Item 4: labelled use never hard-refused (clinical.md 16)


@given(S.it_daily_ok, S.it_origins, st.booleans(), st.booleans())
@example(D(700), "spinal", False, True)
@example(D(650), "cerebral", False, True)
def test_the_usual_range_is_a_reference_not_a_limit(
    current: Fraction, origin: str, child: bool, at_refill: bool
) -> None:
    """The largest increase the origin allows is accepted without any override, above the
    usual range or not; the range is shown with every plan."""
    bounds = titration_bounds(
        daily_dose=S.text_of(current, "mcg/day"), origin=origin, child=child, at_refill=at_refill
    )
    if not bounds.can_increase:
        return
    top = bounds.increase_to_mcg
    proposed = titration_bounds(
        daily_dose=S.text_of(current, "mcg/day"),
        origin=origin,
        child=child,
        at_refill=at_refill,
        proposed=S.text_of(top, "mcg/day"),
    )
    assert proposed.proposed_daily_mcg == top and not proposed.overrides
    codes = {f.code for f in proposed.findings}
    assert codes & {"IT_USUAL_RANGE", "IT_USUAL_RANGE_CHILD"}
    assert "SOFT_LIMIT_OVERRIDDEN" not in codes


def test_usual_ranges_are_not_limits_in_the_rule_data() -> None:
    for origin in ("spinal", "cerebral"):
        for end in ("usual_low", "usual_high"):
            assert RULES[f"it.maintenance.{origin}.{end}"].kind not in LIMIT_KINDS
    bounds = titration_bounds(daily_dose="700 mcg/day", origin="spinal", proposed="850 mcg/day")
    usual = next(f for f in bounds.findings if f.code == "IT_USUAL_RANGE")
    assert "300 mcg/day to 800 mcg/day" in finding_text(usual)
    assert "not a target or a maximum" in finding_text(usual)
    assert_clean(all_text(bounds))


@given(
    st.integers(min_value=21, max_value=99).map(lambda k: Fraction(k, 100)),
    st.integers(min_value=1, max_value=1),
)
@example(Fraction(21, 100), 1)
def test_the_taper_20_percent_every_2_days_is_soft(step: Fraction, every: int) -> None:
    """Past 20% (or sooner than 2 days) needs an override with a reason, never a hard refusal;
    with it, no step cuts more than was asked."""
    args = {
        "daily_dose": "600 mcg/day",
        "first_dose": "100 mcg/day",
        "start": "2026-12-01",
        "step": S.text_of(step * 100, "%"),
        "interval": f"{every} day",
    }
    with pytest.raises(OverrideRequired) as caught:
        plan_intrathecal_taper(**args)  # type: ignore[arg-type]
    assert {c.rule_id for c in caught.value.crossings} == {
        "it.taper.step.max",
        "it.taper.interval.min",
    }
    taper = plan_intrathecal_taper(
        **args,  # type: ignore[arg-type]
        overrides={"it.taper.step.max": "specialist", "it.taper.interval.min": "specialist"},
    )
    doses = [s.daily_mcg for s in taper.steps]
    assert doses[0] == 600 and doses[-1] == 100 and min(doses) > 0
    assert all(b - a <= b * step for b, a in itertools.pairwise(doses))
    assert {o.rule_id for o in taper.overrides} == {"it.taper.step.max", "it.taper.interval.min"}
    assert RULES["it.taper.step.max"].kind == "soft_max"
    assert RULES["it.taper.interval.min"].kind == "soft_min"


def test_a_taper_step_of_100_percent_is_never_planned() -> None:
    with pytest.raises(InputError) as caught:
        plan_intrathecal_taper(
            daily_dose="600 mcg/day",
            first_dose="100 mcg/day",
            start="2026-12-01",
            step="100 %",
            overrides={"it.taper.step.max": "stop"},
        )
    assert caught.value.code == "E_OUT_OF_RANGE"


# ---------------------------------------------------------------------------------------------
# Item 8: screening for children (clinical.md 16.1 rows 4a and 4b)


@given(st.booleans(), st.one_of(st.none(), st.integers(min_value=1, max_value=1200)))
@example(True, 39)
@example(False, 40)
def test_at_most_3_boluses_and_the_labelled_age(child: bool, tenths: int | None) -> None:
    age = None if tenths is None else S.text_of(Fraction(tenths, 10), "years")
    plan = plan_screening(child=child, age=age)
    doses = [b.dose_mcg for b in plan.boluses]
    assert len(doses) <= 3
    assert doses == ([D(25), D(50), D(75)] if child else [D(50), D(75), D(100)])
    labelled = RULES["it.screening.age.labelled_from"].require_value()
    below = [f for f in plan.findings if f.code == "IT_BELOW_LABELLED_AGE"]
    if tenths is not None and Fraction(tenths, 10) < labelled:
        assert [(f.severity, f.rule_id) for f in below] == [
            ("warning", "it.screening.age.labelled_from")
        ]
    else:
        assert not below
    assert_clean(all_text(plan))


def test_golden_child_below_4_years() -> None:
    plan = plan_screening(child=True, age="3 years")
    assert plan.age_years == 3
    table = render.table(plan)
    assert "screening boluses (small child), age 3 years" in table
    assert "labelled from 4 years" in table
    assert "At most 3 boluses in all" in table
    assert "specialist decision" in table


# ---------------------------------------------------------------------------------------------
# Item 11: every changed intrathecal rule cites clinical.md, and nothing NOT FOUND is a fact

CHANGED = (
    "it.refill.stability.study_2023_180_days",
    "it.refill.stability.cheo_11_weeks",
    "it.refill.volume_grid",
    "it.refill.interval",
    "it.maintenance.spinal.usual_low",
    "it.maintenance.spinal.usual_high",
    "it.maintenance.cerebral.usual_low",
    "it.maintenance.cerebral.usual_high",
    "it.taper.step.max",
    "it.taper.interval.min",
    "it.screening.dose.child_first",
    "it.screening.dose_count",
    "it.screening.age.labelled_from",
)
TAG = re.compile(r"\[(?:LABEL|SECONDARY|DERIVED|NOT FOUND)[^\]]*\]")
SECTION = re.compile(r"^\d+(?:\.\d+)?\b")


@pytest.mark.parametrize("rule_id", CHANGED)
def test_every_changed_rule_cites_a_section_with_its_tag(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert SECTION.match(rule.clinical), rule.clinical
    assert TAG.search(rule.clinical), rule.clinical


def test_no_intrathecal_not_found_figure_is_a_hard_limit_or_a_catalogue_fact() -> None:
    """clinical.md 15 and 16.1: a NOT FOUND figure is never encoded as fact."""
    for rule in RULES:
        if not rule.id.startswith("it."):
            continue
        marked = "NOT FOUND" in f"{rule.clinical} {rule.section} {rule.note}"
        if marked and rule.kind in {"hard_min", "hard_max", "catalogue"}:
            raise AssertionError(f"{rule.id} is {rule.kind} but cites a NOT FOUND figure")
    # the figures clinical.md lists as NOT FOUND for the intrathecal route
    not_found = {
        "a US label maximum refill interval": ("it.refill.stability.",),
        "a US numeric intrathecal taper scheme": ("it.taper.step.", "it.taper.interval."),
    }
    for prefixes in not_found.values():
        for rule in RULES:
            if rule.id.startswith(prefixes):
                assert rule.kind not in {"hard_min", "hard_max", "catalogue"}, rule.id
                assert rule.source.confidence != "LABEL", rule.id
    policy = RULES.policy_choices("it_refill_stability")
    assert set(policy) == {"study_2023_180_days", "cheo_11_weeks"}
    assert RULES.policy_default("it_refill_stability") == "study_2023_180_days"


# ---------------------------------------------------------------------------------------------
# As a user runs it


def test_cli_refill_and_screening(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "intrathecal",
            "refill",
            "--reservoir",
            "20 mL",
            "--concentration",
            "2000 mcg/mL",
            "--daily-dose",
            "100 mcg/day",
            "--alarm-volume",
            "2 mL",
            "--start",
            "2026-12-01",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "30 May 2027" in out and "IT_" not in out
    assert_clean(out)
    code = main(["intrathecal", "screening", "--child", "--age", "3 years"])
    out, _ = capsys.readouterr()
    assert code == 0 and "labelled from 4 years" in out and "100 mcg  " not in out
    assert_clean(out)
    code = main(
        [
            "intrathecal",
            "refill",
            "--reservoir",
            "20 mL",
            "--concentration",
            "2000 mcg/mL",
            "--daily-dose",
            "100 mcg/day",
            "--alarm-volume",
            "2 mL",
            "--stability-policy",
            "cheo_11_weeks",
            "--start",
            "2026-12-01",
            "--format",
            "json",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0 and '"refill_by": "2027-02-16"' in out
