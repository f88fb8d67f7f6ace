"""The oral titration planner: the label ladder, every bound, overrides (issue 2; SAF-19..28)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import attrs
import pint
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from baclofen_dose import (
    BaclofenDoseError,
    HardLimitError,
    InputError,
    InputTypeError,
    OralPlan,
    OverrideRequired,
    from_json,
    plan_titration,
    registry,
    to_json,
)
from baclofen_dose.core import kinds
from baclofen_dose.core.model import Amount
from baclofen_dose.oral.regimen import OralRegimen
from tests import strategies as S

RULES = S.RULES
D = Fraction
OTHER = pint.UnitRegistry()  # a caller's own (default) registry, built once: it is slow


def _ladder(plan: OralPlan) -> list[tuple[str, str | None, tuple[Fraction, ...]]]:
    return [
        (s.start.isoformat(), None if s.end is None else s.end.isoformat(), s.regimen.doses_mg)
        for s in plan.steps
    ]


@pytest.mark.req("SAF-37")
def test_golden_us_label_ladder() -> None:
    """US label (L1, clinical.md 1.1): 5 mg 3 times a day for 3 days, then 10, 15 and 20 mg."""
    plan = plan_titration(start="2026-01-05", target="60 mg/day")
    assert _ladder(plan) == [
        ("2026-01-05", "2026-01-07", (D(5),) * 3),
        ("2026-01-08", "2026-01-10", (D(10),) * 3),
        ("2026-01-11", "2026-01-13", (D(15),) * 3),
        ("2026-01-14", None, (D(20),) * 3),
    ]
    assert [s.regimen.daily_mg for s in plan.steps] == [15, 30, 45, 60]
    assert plan.max_policy == "us_label"
    assert plan.purpose == "titration" and plan.route == "oral"


def test_golden_label_maximum_is_20_mg_4_times_a_day() -> None:
    """Label maximum 80 mg/day given as 20 mg 4 times a day; from 20 mg 3 times a day the
    label's step adds the 4th dose of 20 mg (issue 10 item 2: no 75 mg/day step)."""
    plan = plan_titration(start="2026-01-05", target="80 mg/day")
    assert _ladder(plan)[3:] == [
        ("2026-01-14", "2026-01-16", (D(20),) * 3),
        ("2026-01-17", None, (D(20),) * 4),
    ]
    assert "oral.adult.frequency.add_dose_above" in plan.steps[4].rule_ids
    assert "oral.adult.max_daily.us_label" in plan.final.rule_ids
    by_max = plan_titration(start="2026-01-05", target="max")
    assert by_max.steps == plan.steps
    recorded = by_max.provenance.values
    assert recorded["target"] == Amount(Fraction(80), kinds.ORAL_DAILY_DOSE)
    assert recorded["target_is_max"] is True and plan.provenance.values["target_is_max"] is False


def test_target_between_rungs_is_reached_without_overshoot() -> None:
    plan = plan_titration(start="2026-01-05", target="50 mg/day")
    assert [s.regimen.daily_mg for s in plan.steps] == [15, 30, 45, 50]
    assert plan.final.regimen.doses_mg == (D(20), D(15), D(15))


def test_target_equal_to_start_is_one_open_step() -> None:
    plan = plan_titration(start=date(2026, 1, 5), target="15 mg/day")
    assert _ladder(plan) == [("2026-01-05", None, (D(5),) * 3)]


def test_step_interval_and_frequency_options() -> None:
    plan = plan_titration(
        start="2026-03-01", target="40 mg/day", step="10 mg/day", interval="1 week", times_per_day=4
    )
    # Issue 10 item 10: 4 doses a day start at the label's 15 mg/day (5 mg 3 times a day:
    # 15 mg/day is not 4 doses of whole 5 mg), then 4 doses from the first total that splits.
    assert [s.regimen.daily_mg for s in plan.steps] == [15, 25, 35, 40]
    assert [s.regimen.times_per_day for s in plan.steps] == [3, 4, 4, 4]
    assert [s.start for s in plan.steps] == [
        date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15), date(2026, 3, 22)
    ]
    assert plan.steps[1].regimen.doses_mg == (D(10), D(5), D(5), D(5))
    chosen = next(f for f in plan.findings if f.code == "CHOSEN_TIMES_FROM")
    assert chosen.rule_id == "oral.adult.start.times_per_day"
    assert chosen.values["from"] == date(2026, 3, 8) and chosen.values["chosen"] == 4
    from baclofen_dose.render.messages import finding_text

    assert "from 8 March 2026" in finding_text(chosen)


@pytest.mark.req("SAF-19")
def test_above_selected_maximum_needs_an_override() -> None:
    with pytest.raises(OverrideRequired) as caught:
        plan_titration(start="2026-01-05", target="100 mg/day")
    crossed = {c.rule_id for c in caught.value.crossings}
    assert crossed == {"oral.adult.max_daily.us_label", "oral.adult.max_dose.us_label"}
    assert "oral.adult.max_daily.us_label" in str(caught.value)
    assert "override" in str(caught.value)


def test_override_is_recorded() -> None:
    reasons = {
        "oral.adult.max_daily.us_label": "inpatient, supervised",
        "oral.adult.max_dose.us_label": "inpatient, supervised",
    }
    plan = plan_titration(start="2026-01-05", target="100 mg/day", overrides=reasons)
    assert plan.final.regimen.daily_mg == 100
    assert {(o.rule_id, o.reason) for o in plan.overrides} == set(reasons.items())
    overridden = {f.rule_id: f.override_reason for f in plan.findings if f.override_reason}
    assert overridden == reasons


def test_named_policy_allows_uk_maximum_with_a_warning() -> None:
    plan = plan_titration(start="2026-01-05", target="100 mg/day", max_policy="uk_outpatient")
    assert plan.final.regimen.doses_mg == (D(25),) * 4
    assert any(f.rule_id == "oral.adult.policy_above_label" for f in plan.findings)
    assert not plan.overrides


@pytest.mark.req("SAF-19")
@pytest.mark.parametrize(
    ("kwargs", "rule_id"),
    [
        ({"target": "125 mg/day"}, "oral.adult.max_daily.hard"),
        (
            {"target": "125 mg/day", "max_policy": "inpatient_supervised"},
            "oral.adult.max_daily.hard",
        ),
        ({"target": "60 mg/day", "times_per_day": 0}, "oral.adult.times_per_day.min"),
        (
            {
                "target": "120 mg/day",
                "step": "5 mg/day",
                "interval": "30 days",
                "max_policy": "inpatient_supervised",
            },
            "schedule.horizon",
        ),
    ],
)
def test_hard_limits_refuse(kwargs: dict[str, object], rule_id: str) -> None:
    with pytest.raises(HardLimitError) as caught:
        plan_titration(start="2026-01-05", **kwargs)  # type: ignore[arg-type]
    assert caught.value.rule_id == rule_id
    assert "cannot be overridden" in str(caught.value)


@pytest.mark.parametrize(
    ("kwargs", "rule_id"),
    [
        ({"target": "60 mg/day", "step": "20 mg/day"}, "oral.adult.titration.step.max"),
        (
            {"target": "60 mg/day", "step": "5 mg/day", "interval": "2 days"},
            "oral.adult.titration.interval.min",
        ),
        ({"target": "60 mg/day", "times_per_day": 5}, "oral.adult.times_per_day.max"),
    ],
)
def test_founding_page_limits_are_soft(kwargs: dict[str, object], rule_id: str) -> None:
    """Issue 10 item 2 (clinical.md 16 "Oral titration step"): the founding page's 5-15 mg/day
    step and 3-day interval are soft limits: crossed only with an override and a reason."""
    with pytest.raises(OverrideRequired) as caught:
        plan_titration(start="2026-01-05", **kwargs)  # type: ignore[arg-type]
    assert rule_id in str(caught.value)
    plan = plan_titration(
        start="2026-01-05",
        overrides={rule_id: "specialist plan"},
        **kwargs,  # type: ignore[arg-type]
    )
    assert plan.steps[-1].regimen.daily_mg == 60
    assert rule_id in {f.rule_id for f in plan.findings}


def test_label_maximum_is_reached_by_adding_the_fourth_dose() -> None:
    """Issue 10 item 2 (clinical.md 1.1, 16): 20 mg 3 times a day goes straight to the label's
    20 mg 4 times a day (+20 mg/day), with no 75 mg/day step and no override."""
    plan = plan_titration(start="2026-01-05", target="80 mg/day")
    assert [(s.regimen.daily_mg, s.regimen.times_per_day) for s in plan.steps] == [
        (15, 3),
        (30, 3),
        (45, 3),
        (60, 3),
        (80, 4),
    ]
    assert plan.steps[-1].regimen.doses_mg == (20, 20, 20, 20)
    assert plan.steps[-1].reason is not None and plan.steps[-1].reason.code == "ADD_DOSE"
    assert not plan.overrides


@pytest.mark.parametrize("times", [1, 2])
def test_once_and_twice_daily_are_planned_with_a_finding(times: int) -> None:
    """Issue 10 item 2 (clinical.md 1.2, 16 "Doses a day"): no label sets a minimum number of
    doses; fewer than 3 a day is planned with the finding naming UK and FR."""
    plan = plan_titration(start="2026-01-05", target="40 mg/day", times_per_day=times)
    assert plan.steps[0].regimen.times_per_day == times
    assert plan.steps[0].regimen.daily_mg == 5 * times
    assert "oral.adult.times_per_day.fewer_than_label" in {f.rule_id for f in plan.findings}
    assert max(d for s in plan.steps for d in s.regimen.doses_mg) <= 20


def test_hard_limit_cannot_be_overridden() -> None:
    with pytest.raises(InputError) as caught:
        plan_titration(
            start="2026-01-05",
            target="125 mg/day",
            overrides={"oral.adult.max_daily.hard": "please"},
        )
    assert caught.value.code == "E_OVERRIDE_HARD"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"oral.adult.max_daily.us_label": "not needed"}, "E_OVERRIDE_UNUSED"),
        ({"oral.adult.nothing": "x"}, "E_OVERRIDE"),
        ({"oral.adult.start.dose": "x"}, "E_OVERRIDE"),
        ({"oral.adult.max_daily.us_label": "   "}, "E_OVERRIDE_REASON"),
        ({"oral.adult.max_daily.us_label": "x" * 201}, "E_OVERRIDE_REASON"),
        ({"oral.adult.max_daily.us_label": "line\nbreak"}, "E_OVERRIDE_REASON"),
    ],
)
def test_bad_overrides(overrides: dict[str, str], code: str) -> None:
    with pytest.raises(InputError) as caught:
        plan_titration(start="2026-01-05", target="60 mg/day", overrides=overrides)
    assert caught.value.code == code


@pytest.mark.req("SAF-15")
@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"target": "60 mcg/day"}, "target", "E_UNIT_DIMENSION"),
        ({"target": "60 mg"}, "target", "E_UNIT_DIMENSION"),
        ({"target": "62 mg/day"}, "target", "E_NOT_GIVABLE"),
        ({"target": "10 mg/day"}, "target", "E_TARGET_BELOW_START"),
        ({"target": "60 mg/day", "step": "7.5 mg/day"}, "step", "E_NOT_GIVABLE"),
        ({"target": "60 mg/day", "interval": "84 hours"}, "interval", "E_UNIT_DIMENSION"),
        ({"target": "60 mg/day", "max_policy": "moon"}, "max_policy", "E_POLICY"),
        ({"target": "60 mg/day", "start": "5 January 2026"}, "start", "E_DATE"),
        ({"target": "60 mg/day", "start": "2026-02-30"}, "start", "E_DATE"),
    ],
)
def test_bad_input_is_refused(kwargs: dict[str, object], field: str, code: str) -> None:
    args: dict[str, object] = {"start": "2026-01-05", **kwargs}
    with pytest.raises(InputError) as caught:
        plan_titration(**args)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.code == code


@pytest.mark.parametrize(
    "kwargs",
    [
        {"target": 60},
        {"target": 60.0},
        {"target": None},
        {"target": "60 mg/day", "times_per_day": True},
        {"target": "60 mg/day", "times_per_day": 3.0},
        {"target": "60 mg/day", "start": __import__("datetime").datetime(2026, 1, 5, 8)},
        {"target": "60 mg/day", "rules": "baclofen.toml"},
        {"target": "60 mg/day", "overrides": [("a", "b")]},
    ],
)
def test_wrong_types_are_refused(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"start": "2026-01-05", **kwargs}
    with pytest.raises(InputTypeError):
        plan_titration(**args)  # type: ignore[arg-type]


def test_schedule_past_the_last_date_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        plan_titration(start="9999-12-30", target="60 mg/day")
    assert caught.value.code == "E_SCHEDULE"


def test_chosen_frequency_cites_its_bounds() -> None:
    plan = plan_titration(start="2026-01-05", target="30 mg/day", times_per_day=3)
    assert "oral.adult.times_per_day.min" in plan.steps[0].rule_ids
    assert "oral.adult.times_per_day.max" in plan.steps[0].rule_ids


def test_plan_is_immutable() -> None:
    plan = plan_titration(start="2026-01-05", target="30 mg/day")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.steps = ()  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        plan.steps[0].regimen.doses_mg = (D(1),)  # type: ignore[misc]


def _check(plan: OralPlan, target: Fraction, step: Fraction, interval: int, first: date) -> None:
    """Every invariant of a titration plan (SAF-16, SAF-19, SAF-27, SAF-28, SAF-30)."""
    policy_max = next(
        r for r in RULES if r.policy == plan.max_policy and r.quantity == "oral.daily_dose"
    ).require_value()
    per_dose_rules = [r for r in RULES if r.policy == plan.max_policy and r.quantity == "oral.dose"]
    overridden = {o.rule_id for o in plan.overrides}
    assert plan.steps[0].start == first
    assert plan.final.end is None and plan.final.regimen.daily_mg == target
    previous = None
    for index, s in enumerate(plan.steps):
        regimen = s.regimen
        assert sum(regimen.doses_mg) == regimen.daily_mg  # the doses of a day add up
        assert regimen.daily_mg <= S.HARD_MAX  # never above the hard maximum
        assert regimen.daily_mg <= target  # never overshoots the target
        if "oral.adult.max_daily." + plan.max_policy not in overridden:
            assert regimen.daily_mg <= policy_max  # never above the selected maximum
        for rule in per_dose_rules:
            if rule.id not in overridden:
                assert max(regimen.doses_mg) <= rule.require_value()
        assert 3 <= regimen.times_per_day <= 4
        assert all((d / S.GRID).denominator == 1 for d in regimen.doses_mg)
        assert max(regimen.doses_mg) - min(regimen.doses_mg) <= S.GRID
        assert s.rule_ids and all(rid in RULES for rid in s.rule_ids)
        if s.end is not None:
            assert (s.end - s.start).days + 1 == interval
            assert plan.steps[index + 1].start == s.end + timedelta(days=1)
        if previous is not None:
            increase = regimen.daily_mg - previous.regimen.daily_mg
            added = RULES["oral.adult.frequency.add_dose_above"].require_value()
            if increase > step:
                # The label's step to 20 mg 4 times a day: a further dose of 20 mg, only from
                # 20 mg 3 times a day (issue 10 item 2; clinical.md 1.1 and 16).
                assert increase == added
                assert previous.regimen.doses_mg == (added,) * previous.regimen.times_per_day
                assert regimen.doses_mg == (added,) * regimen.times_per_day
                assert regimen.times_per_day == previous.regimen.times_per_day + 1
            else:
                assert 0 < increase <= step <= S.STEP_MAX  # never decreasing; within the step
            assert increase >= S.STEP_MIN
            assert regimen.times_per_day >= previous.regimen.times_per_day
            assert (s.start - previous.start).days == interval >= S.INTERVAL_MIN
        previous = s
    assert (plan.final.start - first).days <= RULES["schedule.horizon"].require_value()
    assert all(rid in RULES for rid in plan.provenance.rule_ids)


@pytest.mark.req("SAF-28")
@given(S.dates, S.grid_targets, S.steps, S.intervals, S.times, S.policies)
@example(date(2026, 1, 5), D(80), D(15), 3, None, "us_label")
@example(date(2026, 1, 5), D(120), D(15), 3, None, "inpatient_supervised")
@example(date(2024, 2, 27), D(45), D(5), 3, 4, "us_label")
def test_titration_invariants(
    first: date, target: Fraction, step: Fraction, interval: int, n: int | None, policy: str
) -> None:
    try:
        plan = plan_titration(
            start=first,
            target=S.mg(target),
            step=S.mg(step),
            interval=f"{interval} days",
            times_per_day=n,
            max_policy=policy,
        )
    except HardLimitError as exc:
        assert target > S.HARD_MAX or exc.rule_id == "schedule.horizon"
        return
    except OverrideRequired as exc:
        assert exc.crossings
        return
    except InputError as exc:
        assert exc.code == "E_TARGET_BELOW_START"
        assert n == 4 and target < 20
        return
    assert target <= S.HARD_MAX
    _check(plan, target, step, interval, first)


@pytest.mark.req("SAF-19")
@given(S.grid_targets, S.policies)
def test_overrides_never_pass_the_hard_maximum(target: Fraction, policy: str) -> None:
    """Whatever soft limits are overridden, nothing above the hard maximum is returned."""
    overrides = {r.id: "test" for r in RULES if r.policy == policy and r.kind == "soft_max"}
    try:
        plan = plan_titration(
            start="2026-01-05", target=S.mg(target), max_policy=policy, overrides=overrides
        )
    except HardLimitError:
        assert target > S.HARD_MAX
        return
    except InputError as exc:
        assert exc.code == "E_OVERRIDE_UNUSED"
        return
    assert max(s.regimen.daily_mg for s in plan.steps) <= S.HARD_MAX
    _check(
        plan,
        target,
        S.RULES["oral.adult.titration.step.label"].require_value(),
        3,
        date(2026, 1, 5),
    )


@given(S.grid_targets.filter(lambda t: t <= 80))
def test_equivalent_unit_spellings_give_equal_plans(target: Fraction) -> None:
    n = target.numerator
    other = OTHER
    ureg = registry()
    spellings: list[object] = [
        f"{n} mg/day",
        f"{n} mg/d",
        f"{n} milligrams/day",
        f"{n} milligram/day",
        n * ureg.mg / ureg.day,
        ureg.Quantity(D(n), "milligram / day"),
        other.Quantity(n, "mg/d"),
        other.Quantity(float(n), "milligram / day"),
    ]
    plans = {plan_titration(start="2026-01-05", target=t) for t in spellings}
    assert len(plans) == 1
    # A chosen interval equal to the label's gives the same schedule, citing the bound it met.
    chosen = plan_titration(start="2026-01-05", target=spellings[0], interval="3 days")
    (plan,) = plans
    assert [s.regimen for s in chosen.steps] == [s.regimen for s in plan.steps]


@pytest.mark.req("SAF-23")
@given(S.dates, S.grid_targets.filter(lambda t: t <= 80), S.times)
def test_json_round_trip_is_exact(first: date, target: Fraction, n: int | None) -> None:
    try:
        plan = plan_titration(start=first, target=S.mg(target), times_per_day=n)
    except BaclofenDoseError:
        assume(False)
        return
    text = to_json(plan)
    assert from_json(text) == plan
    assert to_json(from_json(text)) == text  # deterministic, byte for byte


@given(
    st.dictionaries(
        st.sampled_from(["start", "target", "step", "interval", "times_per_day", "max_policy"]),
        S.junk,
    )
)
def test_fuzz_plan_titration_only_library_errors(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"start": "2026-01-05", "target": "60 mg/day", **kwargs}
    try:
        plan_titration(**args)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass


def test_regimen_split_orders_larger_doses_first() -> None:
    assert OralRegimen.split(D(65), 3, grid=D(5)).doses_mg == (D(25), D(20), D(20))
    with pytest.raises(ValueError, match="cannot be split"):
        OralRegimen.split(D(62), 3, grid=D(5))
    with pytest.raises(InputError, match="above zero"):
        OralRegimen((D(5), D(0)))
    with pytest.raises(InputTypeError):
        OralRegimen([D(5)])  # type: ignore[arg-type]


@given(st.lists(S.junk, max_size=4) | S.junk)
def test_fuzz_regimen_constructor_only_library_errors(value: object) -> None:
    candidate = tuple(value) if isinstance(value, list) else value
    try:
        regimen = OralRegimen(candidate)  # type: ignore[arg-type]
    except BaclofenDoseError:
        return
    assert all(d > 0 for d in regimen.doses_mg)


@given(S.junk, S.junk, S.junk, S.junk, S.junk)
def test_fuzz_finding_and_override_only_library_errors(
    a: object, b: object, c: object, d: object, e: object
) -> None:
    from baclofen_dose import Finding, Override

    try:
        Finding(a, b, c, d, e)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass
    try:
        Override(a, b)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass


@given(st.text(max_size=200))
def test_fuzz_rule_files_only_library_errors(text: str) -> None:
    import tempfile
    from pathlib import Path

    from baclofen_dose import load_rules

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rules.toml"
        path.write_text(text, encoding="utf-8")
        try:
            load_rules(path)
        except BaclofenDoseError:
            pass


@given(S.junk)
def test_fuzz_dates_only_library_errors(value: object) -> None:
    from baclofen_dose.core.limits import parse_date

    try:
        parse_date(value, "start")
    except BaclofenDoseError:
        pass


def test_plans_above_the_us_maximum_never_claim_the_label_schedule() -> None:
    """Issue 10 item 10: a 120 mg/day plan (inpatient_supervised) does not say "This is the
    adult label schedule"; its table title says hospital only."""
    from baclofen_dose import table
    from baclofen_dose.render.messages import finding_text

    plan = plan_titration(
        start="2026-01-05", target="120 mg/day", max_policy="inpatient_supervised"
    )
    texts = [finding_text(f) for f in plan.findings]
    assert not any("This is the adult label schedule" in t for t in texts)
    assert "oral.adult.no_patient_adjustment.above_label" in {f.rule_id for f in plan.findings}
    assert table(plan).splitlines()[0] == (
        "Baclofen by mouth: titration plan (in hospital only, under close supervision)"
    )
    label = plan_titration(start="2026-01-05", target="80 mg/day")
    assert "oral.adult.no_patient_adjustment" in {f.rule_id for f in label.findings}
