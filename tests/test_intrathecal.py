"""Intrathecal baclofen: screening, first dose, titration, pump refill, taper (issue 5).

Golden cases from the issue and clinical.md 6 and 7.2; every safety bound has a property
test that breaks if the bound breaks (SAF-16, 17, 21, 24, 25, 28, 32).
"""

from __future__ import annotations

import inspect
import itertools
import json
import pickle
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pint
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import baclofen_dose.intrathecal as package
from baclofen_dose import (
    AbruptStopError,
    BaclofenDoseError,
    ConfirmationRequired,
    FlexProgram,
    HardLimitError,
    ImplausibleValueError,
    InputError,
    InputTypeError,
    OverrideRequired,
    UnitError,
    convert_route,
    oral_weaning_advice,
    plan_initial_dose,
    plan_intrathecal_taper,
    plan_refill,
    plan_screening,
    registry,
    titration_bounds,
)
from baclofen_dose.core import kinds
from baclofen_dose.core.model import Amount, Result
from baclofen_dose.intrathecal import PumpRefill
from baclofen_dose.render import intrathecal as render
from baclofen_dose.render import protocol
from baclofen_dose.render.codec import dumps
from baclofen_dose.render.messages import FINDING_TEMPLATES, finding_text
from tests import strategies as S
from tests.ismp import assert_clean, without_received_value

D = Fraction
RULES = S.RULES
TOLERANCE = RULES["it.pump.flow_tolerance"].require_value()
MARGIN = int(RULES["it.refill.margin.gillette_7_to_10_days"].require_value())
GOLDEN = {
    "reservoir": "40 mL",
    "concentration": "2000 mcg/mL",
    "daily_dose": "400 mcg/day",
    "alarm_volume": "2 mL",
}


def units_value(text: str) -> Fraction:
    return Fraction(text.split()[0])


def all_text(result: render.Result) -> list[str]:
    """Every human-readable string a result produces."""
    texts = [render.table(result), render.text(result)]
    texts += [finding_text(f) for f in result.findings] + [f.citation for f in result.findings]
    return texts


# ---------------------------------------------------------------------------------------------
# Screening (clinical.md 6.2, 5.2)


@pytest.mark.req("SAF-37")
def test_golden_screening_sequence() -> None:
    """50 mcg, 75 mcg and 100 mcg of the 50 mcg/mL strength: 1 mL, 1.5 mL and 2 mL (L14)."""
    plan = plan_screening()
    assert [(b.dose_mcg, b.volume_ml) for b in plan.boluses] == [
        (D(50), D(1)),
        (D(75), D(3, 2)),
        (D(100), D(2)),
    ]
    assert [b.hours_after_previous for b in plan.boluses] == [None, D(24), D(24)]
    assert (plan.observe_from_hours, plan.observe_to_hours) == (D(4), D(8))
    assert plan.concentration_mcg_per_ml == 50 and plan.route == "intrathecal"
    assert plan.largest_dose_mcg == RULES["it.screening.dose.max"].require_value()
    assert plan_screening(concentration="50 mcg/mL").boluses == plan.boluses
    assert {f.rule_id for f in plan.findings} >= {
        "it.screening.non_responder",
        "it.screening.setting",
    }
    assert str(plan.boluses[1].volume) == "3/2 milliliter"
    assert plan.boluses[0].dose.magnitude == 50
    assert_clean(all_text(plan))


def test_small_child_starts_at_25_mcg() -> None:
    """Issue 10 item 8; clinical.md 16.1 row 4a: up to a total of 3 doses (25, 50, 75 mcg)."""
    plan = plan_screening(child=True)
    assert [b.dose_mcg for b in plan.boluses] == [D(25), D(50), D(75)]
    assert plan.boluses[0].volume_ml == D(1, 2)
    assert "small child" in render.table(plan)


@pytest.mark.req("SAF-17")
@pytest.mark.parametrize(
    ("concentration", "error", "code"),
    [
        ("0.05 mcg/mL", ImplausibleValueError, "E_IMPLAUSIBLE"),
        ("0.5 mcg/mL", ImplausibleValueError, "E_IMPLAUSIBLE"),
        ("2 mcg/mL", ImplausibleValueError, "E_IMPLAUSIBLE"),
        ("49.9 mcg/mL", ImplausibleValueError, "E_IMPLAUSIBLE"),
        ("50.1 mcg/mL", HardLimitError, "E_HARD_LIMIT"),
        ("500 mcg/mL", HardLimitError, "E_HARD_LIMIT"),
        ("1000 mcg/mL", HardLimitError, "E_HARD_LIMIT"),
        ("2000 mcg/mL", HardLimitError, "E_HARD_LIMIT"),
        ("2500 mcg/mL", ImplausibleValueError, "E_IMPLAUSIBLE"),
        ("20000 mcg/mL", ImplausibleValueError, "E_IMPLAUSIBLE"),
        ("2 mg/mL", UnitError, "E_UNIT_DIMENSION"),
    ],
)
def test_screening_refuses_any_strength_but_50(concentration: str, error: type, code: str) -> None:
    """Screening with 500 or 2,000 mcg/mL is a 10- to 40-fold overdose (HZ-02): refused."""
    with pytest.raises(error) as caught:
        plan_screening(concentration=concentration)
    assert caught.value.code == code
    if isinstance(caught.value, HardLimitError):
        assert caught.value.rule_id == "it.concentration.screening"
        assert "is not the screening strength 50 mcg/mL" in str(caught.value)
    assert_clean(without_received_value(str(caught.value), concentration))


@pytest.mark.req("SAF-17")
@pytest.mark.parametrize(
    ("concentration", "outcome"),
    [
        ("0.05 mcg/mL", "E_IMPLAUSIBLE"),
        ("0.5 mcg/mL", "E_IMPLAUSIBLE"),
        ("2 mcg/mL", "E_IMPLAUSIBLE"),
        ("49.9 mcg/mL", "E_IMPLAUSIBLE"),
        ("50 mcg/mL", "E_HARD_LIMIT"),
        ("500 mcg/mL", "ok"),
        ("1000 mcg/mL", "ok"),
        ("2000 mcg/mL", "ok"),
        ("1500 mcg/mL", "E_NOT_IN_CATALOGUE"),
        ("2000.1 mcg/mL", "E_IMPLAUSIBLE"),
        ("2500 mcg/mL", "E_IMPLAUSIBLE"),
        ("20000 mcg/mL", "E_IMPLAUSIBLE"),
    ],
)
def test_refill_concentration_table(concentration: str, outcome: str) -> None:
    """The SAF-17 table for refills: catalogue strengths only; 50 mcg/mL is screening-only."""
    args = {**GOLDEN, "concentration": concentration, "daily_dose": "300 mcg/day"}
    if outcome == "ok":
        assert plan_refill(**args).concentration_mcg_per_ml == units_value(concentration)  # type: ignore[arg-type]
        return
    with pytest.raises(BaclofenDoseError) as caught:
        plan_refill(**args)  # type: ignore[arg-type]
    assert caught.value.code == outcome


@pytest.mark.req("SAF-17")
def test_diluted_concentration_needs_the_flag_and_warns() -> None:
    args = {**GOLDEN, "concentration": "1500 mcg/mL"}
    with pytest.raises(InputError, match="diluted"):
        plan_refill(**args)  # type: ignore[arg-type]
    refill = plan_refill(**args, diluted=True)  # type: ignore[arg-type]
    assert refill.diluted and refill.concentration_mcg_per_ml == 1500
    assert any(
        f.rule_id == "it.concentration.diluted" and f.severity == "warning" for f in refill.findings
    )
    assert "(diluted)" in render.table(refill)


# ---------------------------------------------------------------------------------------------
# First daily dose (clinical.md 6.3)


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    ("effect", "side_effects", "daily", "basis"),
    [
        ("6 h", False, D(200), "it.initial.percent_of_screening"),
        ("8 hours", False, D(200), "it.initial.percent_of_screening"),  # not MORE than 8 hours
        ("481 minutes", False, D(100), "it.initial.long_effect.percent_of_screening"),
        ("8.5 hours", False, D(100), "it.initial.long_effect.percent_of_screening"),
        ("10 hours", False, D(100), "it.initial.long_effect.percent_of_screening"),
        ("6 h", True, D(100), "it.initial.screening_side_effects.percent_of_screening"),
    ],
)
def test_golden_first_daily_dose(
    effect: str, side_effects: bool, daily: Fraction, basis: str
) -> None:
    """An effective 100 mcg screen: 200 mcg/day, or 100 mcg/day when the effect lasted 10 hours."""
    start = plan_initial_dose(
        screening_dose="100 mcg", effect_duration=effect, screening_side_effects=side_effects
    )
    assert start.daily_mcg == daily
    assert start.basis_rule == basis
    assert start.hourly_mcg == daily / 24
    assert start.no_increase_hours == 24
    assert start.daily_dose.magnitude == daily
    ids = {f.rule_id for f in start.findings}
    assert {"it.oral_wean.method", "it.route.no_conversion", "it.withdrawal.abrupt"} <= ids
    text = render.table(start)
    assert f"First daily dose: {daily} mcg/day" in text and "mcg/hour" in text
    assert "25% to 50%" in text  # oral weaning advice with its percentages, from the rule data
    assert_clean(all_text(start))


def test_first_dose_shows_daily_and_hourly() -> None:
    text = render.table(plan_initial_dose(screening_dose="100 mcg", effect_duration="6 h"))
    assert "First daily dose: 200 mcg/day (about 8.33 mcg/hour)" in text
    assert "No increase in the first 24 hours" in text
    data = json.loads(
        render.to_json(plan_initial_dose(screening_dose="50 mcg", effect_duration="4 h"))
    )
    assert data["daily_dose"] == {"value": 100, "unit": "ug/d"}
    assert data["hourly_rate"] == {"value": 4.166667, "unit": "ug/h", "exact": "25/6"}
    assert data["percent_of_screening_dose"] == {"value": 200, "unit": "%"}


@pytest.mark.req("SAF-19")
@pytest.mark.parametrize(
    ("dose", "error", "code"),
    [
        ("150 mcg", HardLimitError, "E_HARD_LIMIT"),
        ("60 mcg", InputError, "E_NOT_IN_PROTOCOL"),
        ("0.1 mg", UnitError, "E_UNIT_DIMENSION"),
        ("100 mcg/day", UnitError, "E_UNIT_DIMENSION"),
        ("0 mcg", InputError, "E_OUT_OF_RANGE"),
    ],
)
def test_first_dose_refusals(dose: str, error: type, code: str) -> None:
    with pytest.raises(error) as caught:
        plan_initial_dose(screening_dose=dose, effect_duration="6 h")
    assert caught.value.code == code


# ---------------------------------------------------------------------------------------------
# Titration and maintenance (clinical.md 6.4, 6.5, 5.2)


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    ("origin", "child", "at_refill", "top", "bottom"),
    [
        ("spinal", False, False, D(390), D(330)),
        ("cerebral", False, False, D(345), D(315)),
        ("spinal", True, False, D(345), D(315)),
        ("spinal", False, True, D(420), D(330)),
        ("cerebral", False, True, D(360), D(315)),
        ("cerebral", True, True, D(360), D(315)),
    ],
)
def test_golden_titration_from_300(
    origin: str, child: bool, at_refill: bool, top: Fraction, bottom: Fraction
) -> None:
    """From 300 mcg/day: at most 390 (spinal, 30%) or 345 (cerebral and children, 15%)."""
    bounds = titration_bounds(
        daily_dose="300 mcg/day", origin=origin, child=child, at_refill=at_refill
    )
    assert (bounds.increase_from_mcg, bounds.increase_to_mcg) == (bottom, top)
    assert (bounds.decrease_from_mcg, bounds.decrease_to_mcg) == (D(270), D(240))
    assert bounds.hours_between_increases == 24
    assert not bounds.capped_by_ceiling and bounds.can_increase
    assert_clean(all_text(bounds))


def test_titration_table_says_390() -> None:
    text = render.table(titration_bounds(daily_dose="300 mcg/day", origin="spinal"))
    assert "The largest next daily dose is 390 mcg/day" in text
    assert "increase                   330 mcg/day  390 mcg/day" in text


@pytest.mark.req("SAF-16")
def test_60_mcg_an_hour_is_checked_as_1440_mcg_a_day() -> None:
    """The ISMP time-base case (safety.md S8): 60 mcg/hour is 1,440 mcg/day, checked as such."""
    bounds = titration_bounds(daily_dose="60 mcg/hour", origin="spinal")
    assert bounds.current_daily_mcg == 1440
    assert bounds.increase_to_mcg == 1440 * D(13, 10) == 1872
    ids = [f.rule_id for f in bounds.findings]
    assert {
        "it.time_base.per_hour",
        "it.daily_dose.limited_experience",
        "it.maintenance.spinal.usual_high",
    } <= set(ids)
    capped = titration_bounds(daily_dose="70 mcg/hour", origin="spinal")
    assert capped.capped_by_ceiling and capped.increase_to_mcg == S.IT_CEILING
    per_hour = next(f for f in bounds.findings if f.rule_id == "it.time_base.per_hour")
    assert "60 mcg/hour times 24 hours is 1,440 mcg/day" in finding_text(per_hour)
    with pytest.raises(HardLimitError) as caught:
        titration_bounds(daily_dose="84 mcg/hour", origin="spinal")
    assert caught.value.rule_id == "it.daily_dose.ceiling"
    assert "84 mcg/hour times 24 hours" in str(caught.value)
    assert "2,016 mcg/day" in str(caught.value)


@pytest.mark.req("SAF-16")
def test_flex_program_is_summed_over_24_hours() -> None:
    """A flex step meant as 60 mcg once a day but entered as 60 mcg an hour (S8)."""
    flex = FlexProgram.from_steps([("24 hours", "60 mcg/hour")])
    assert flex.daily_mcg == 1440 and flex.per_hour
    refill = plan_refill(**{**GOLDEN, "daily_dose": flex})  # type: ignore[arg-type]
    assert refill.daily_mcg == 1440
    assert "it.daily_dose.limited_experience" in {f.rule_id for f in refill.findings}
    mixed = FlexProgram.from_steps([("8 hours", "10 mcg/hour"), ("16 hours", "240 mcg/day")])
    assert mixed.daily_mcg == 80 + 160
    too_much = FlexProgram.from_steps([("12 hours", "100 mcg/hour"), ("12 hours", "80 mcg/hour")])
    with pytest.raises(HardLimitError, match="flex program"):
        titration_bounds(daily_dose=too_much, origin="spinal")
    with pytest.raises(InputError) as caught:
        FlexProgram.from_steps([("12 hours", "10 mcg/hour"), ("11 hours", "10 mcg/hour")])
    assert caught.value.code == "E_FLEX_NOT_ONE_DAY"
    with pytest.raises(AbruptStopError):
        titration_bounds(
            daily_dose=FlexProgram.from_steps([("24 hours", "0 mcg/hour")]), origin="spinal"
        )


@pytest.mark.req("SAF-19")
def test_proposed_increase_above_the_origin_percentage_is_refused() -> None:
    assert (
        titration_bounds(
            daily_dose="300 mcg/day", origin="spinal", proposed="390 mcg/day"
        ).proposed_daily_mcg
        == 390
    )
    with pytest.raises(HardLimitError) as caught:
        titration_bounds(daily_dose="300 mcg/day", origin="spinal", proposed="390.1 mcg/day")
    assert caught.value.rule_id == "it.titrate.spinal.increase.max"
    with pytest.raises(HardLimitError) as caught:
        titration_bounds(daily_dose="300 mcg/day", origin="cerebral", proposed="346 mcg/day")
    assert caught.value.rule_id == "it.titrate.cerebral.increase.max"
    with pytest.raises(InputError) as bad:
        titration_bounds(
            daily_dose="300 mcg/day",
            origin="spinal",
            proposed="400 mcg/day",
            overrides={"it.titrate.spinal.increase.max": "urgent"},
        )
    assert bad.value.code == "E_OVERRIDE_HARD"


@pytest.mark.req("SAF-20")
def test_soft_limits_need_an_override_that_is_recorded() -> None:
    with pytest.raises(OverrideRequired) as caught:
        titration_bounds(daily_dose="300 mcg/day", origin="spinal", proposed="200 mcg/day")
    assert [c.rule_id for c in caught.value.crossings] == ["it.titrate.decrease.max"]
    bounds = titration_bounds(
        daily_dose="300 mcg/day",
        origin="spinal",
        proposed="200 mcg/day",
        overrides={"it.titrate.decrease.max": "sedation, supervised"},
    )
    assert bounds.overrides[0].reason == "sedation, supervised"
    assert any(f.override_reason == "sedation, supervised" for f in bounds.findings)
    assert '"sedation, supervised"' in render.table(bounds)
    # The usual maintenance ranges are references, not limits (issue 10 item 4; clinical.md 16).
    assert (
        titration_bounds(
            daily_dose="700 mcg/day", origin="spinal", proposed="850 mcg/day"
        ).proposed_daily_mcg
        == 850
    )
    assert (
        titration_bounds(
            daily_dose="650 mcg/day", origin="cerebral", proposed="720 mcg/day"
        ).proposed_daily_mcg
        == 720
    )
    # A decrease while above the usual range needs no override for the range.
    assert (
        titration_bounds(
            daily_dose="900 mcg/day", origin="spinal", proposed="850 mcg/day"
        ).proposed_daily_mcg
        == 850
    )


@pytest.mark.req("SAF-19")
def test_limit_boundaries_are_exact() -> None:
    """At the limit is allowed; the smallest step past it is not (hard) or needs an override."""
    spinal = {"daily_dose": "300 mcg/day", "origin": "spinal"}
    assert titration_bounds(**spinal, proposed="240 mcg/day").proposed_daily_mcg == 240
    with pytest.raises(OverrideRequired):
        titration_bounds(**spinal, proposed="239.9 mcg/day")
    assert (
        titration_bounds(
            daily_dose="700 mcg/day", origin="spinal", proposed="800 mcg/day"
        ).proposed_daily_mcg
        == 800
    )
    assert titration_bounds(
        daily_dose="700 mcg/day", origin="spinal", proposed="800.1 mcg/day"
    ).proposed_daily_mcg == D("800.1")
    assert titration_bounds(daily_dose="2000 mcg/day", origin="spinal").increase_to_mcg == 2000
    with pytest.raises(HardLimitError):
        titration_bounds(daily_dose="2000.1 mcg/day", origin="spinal")
    threshold = "it.daily_dose.limited_experience"
    assert threshold not in {
        f.rule_id
        for f in titration_bounds(daily_dose="1000 mcg/day", origin="spinal").findings
        if f.severity == "warning"
    }
    assert threshold in {
        f.rule_id
        for f in titration_bounds(daily_dose="1000.1 mcg/day", origin="spinal").findings
        if f.severity == "warning"
    }
    assert plan_screening().boluses[-1].dose_mcg == 100
    assert plan_initial_dose(screening_dose="100 mcg", effect_duration="1 h").daily_mcg == 200
    with pytest.raises(HardLimitError):
        plan_initial_dose(screening_dose="100.1 mcg", effect_duration="1 h")
    assert plan_intrathecal_taper(
        daily_dose="600 mcg/day",
        first_dose="200 mcg/day",
        start="2026-01-05",
        step="20 %",
        interval="2 days",
    ).steps
    with pytest.raises(OverrideRequired):
        plan_intrathecal_taper(
            daily_dose="600 mcg/day", first_dose="200 mcg/day", start="2026-01-05", step="20.1 %"
        )


@pytest.mark.req("SAF-24")
def test_refill_margin_boundary() -> None:
    """11 whole worst-case days keep the margin; 10 do not, and are planned with a hard
    finding (issue 10 item 2: dates and urgency shown, not refused)."""
    args = {**GOLDEN, "concentration": "500 mcg/mL", "start": "2026-01-05"}
    ok = plan_refill(**{**args, "daily_dose": "1400 mcg/day"})  # type: ignore[arg-type]
    assert ok.worst_days_whole == MARGIN + 1
    assert ok.refill_by == date(2026, 1, 6) and ok.refill_basis == "margin"
    assert "hard" not in {f.severity for f in ok.findings}
    urgent = plan_refill(**{**args, "daily_dose": "1600 mcg/day"})  # type: ignore[arg-type]
    assert urgent.worst_days_whole == MARGIN and urgent.refill_basis == "inside_margin"
    assert urgent.refill_by == urgent.worst_alarm_date == date(2026, 1, 15)
    hard = [f for f in urgent.findings if f.severity == "hard"]
    assert [f.rule_id for f in hard] == ["it.refill.margin.gillette_7_to_10_days"]
    assert "not longer than the refill margin of 10 days" in finding_text(hard[0])
    assert_clean(all_text(urgent))


@pytest.mark.req("SAF-21")
@pytest.mark.parametrize("zero", ["0 mcg/day", "0 mcg/hour", "0.0 mcg/day"])
def test_a_daily_dose_of_zero_is_always_refused(zero: str) -> None:
    """Abrupt stopping of intrathecal baclofen (boxed warning): never planned, never overridden."""
    calls = [
        lambda: titration_bounds(daily_dose=zero, origin="spinal"),
        lambda: titration_bounds(
            daily_dose="300 mcg/day",
            origin="spinal",
            proposed=zero,
            overrides={"it.titrate.decrease.max": "side effects"},
        ),
        lambda: plan_refill(**{**GOLDEN, "daily_dose": zero}),  # type: ignore[arg-type]
        lambda: plan_intrathecal_taper(daily_dose="600 mcg/day", first_dose=zero, start="2026-01-05"),
    ]
    for call in calls:
        with pytest.raises(AbruptStopError) as caught:
            call()
        assert caught.value.code == "E_ABRUPT_STOP"
        assert caught.value.rule_id == "it.withdrawal.abrupt"
        assert isinstance(caught.value, HardLimitError)
        assert_clean(str(caught.value))


@pytest.mark.req("SAF-12")
@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda v: titration_bounds(daily_dose=v, origin="spinal"), "daily_dose"),
        (lambda v: plan_refill(**{**GOLDEN, "daily_dose": v}), "daily_dose"),
        (
            lambda v: plan_intrathecal_taper(
                daily_dose=v, first_dose="200 mcg/day", start="2026-01-05"
            ),
            "daily_dose",
        ),
        (
            lambda v: titration_bounds(daily_dose="300 mcg/day", origin="spinal", proposed=v),
            "proposed",
        ),
    ],
)
@pytest.mark.parametrize("oral", ["0.3 mg/day", "300 mg/day", "30 mg", "300 mcg"])
def test_mg_where_mcg_is_expected_is_refused(call, field: str, oral: str) -> None:  # type: ignore[no-untyped-def]
    """An oral mg amount never reaches intrathecal arithmetic (and nothing converts it)."""
    with pytest.raises(UnitError) as caught:
        call(oral)
    assert caught.value.field == field
    assert caught.value.code == "E_UNIT_DIMENSION"
    if "mg" in oral:
        assert "no intrathecal dose is ever converted from an oral one" in str(caught.value)


@pytest.mark.req("SAF-12")
@given(
    st.integers(min_value=1, max_value=10**6), st.sampled_from(["mg", "mg/day", "mg/d", "g/day"])
)
def test_any_mass_unit_but_mcg_is_refused(n: int, unit: str) -> None:
    with pytest.raises(UnitError) as caught:
        titration_bounds(daily_dose=f"{n} {unit}", origin="spinal")
    assert caught.value.field == "daily_dose"
    with pytest.raises(UnitError):
        plan_refill(**{**GOLDEN, "daily_dose": f"{n} {unit}"})  # type: ignore[arg-type]


@pytest.mark.req("SAF-12")
def test_a_route_conversion_is_refused_with_the_reason() -> None:
    with pytest.raises(InputError) as caught:
        convert_route("60 mg/day", to="intrathecal")
    assert caught.value.code == "E_NO_ROUTE_CONVERSION"
    assert "No conversion between oral and intrathecal doses has been validated" in str(
        caught.value
    )
    assert "it.route.no_conversion" in str(caught.value)
    with pytest.raises(InputError):
        convert_route("200 mcg/day", to="oral")
    assert_clean(str(caught.value).replace("'60 mg/day'", "'...'"))
    advice = oral_weaning_advice()
    assert [f.rule_id for f in advice] == ["it.oral_wean.method", "it.route.no_conversion"]


@pytest.mark.req("SAF-28")
@given(S.it_daily_ok, S.it_origins, st.booleans(), st.booleans())
@example(D(300), "spinal", False, False)
@example(D(2000), "spinal", False, False)
@example(D(1999), "cerebral", True, True)
def test_titration_never_exceeds_the_origin_percentage(
    current: Fraction, origin: str, child: bool, at_refill: bool
) -> None:
    bounds = titration_bounds(
        daily_dose=S.text_of(current, "mcg/day"), origin=origin, child=child, at_refill=at_refill
    )
    group = "child" if child else origin
    prefix = "it.refill_change" if at_refill else "it.titrate"
    largest = RULES[f"{prefix}.{group}.increase.max"].require_value()
    assert bounds.increase_max == largest
    assert bounds.current_daily_mcg <= bounds.increase_from_mcg <= bounds.increase_to_mcg
    assert bounds.increase_to_mcg <= current * (1 + largest)
    assert bounds.increase_to_mcg <= S.IT_CEILING
    assert bounds.capped_by_ceiling == (current * (1 + largest) > S.IT_CEILING)
    if child:
        assert largest <= RULES[f"{prefix}.spinal.increase.max"].require_value()
    assert bounds.decrease_to_mcg == current * (
        1 - RULES["it.titrate.decrease.max"].require_value()
    )
    assert 0 < bounds.decrease_to_mcg < bounds.decrease_from_mcg < current


@pytest.mark.req("SAF-19")
@given(S.it_daily_ok, S.it_daily, S.it_origins, st.booleans())
def test_an_accepted_proposal_is_within_every_bound(
    current: Fraction, proposed: Fraction, origin: str, at_refill: bool
) -> None:
    overrides = {"it.titrate.decrease.max": "test"}
    try:
        bounds = titration_bounds(
            daily_dose=S.text_of(current, "mcg/day"),
            origin=origin,
            at_refill=at_refill,
            proposed=S.text_of(proposed, "mcg/day"),
            overrides=overrides,
        )
    except HardLimitError as exc:
        assert proposed > S.IT_CEILING or exc.rule_id.endswith(".increase.max")
        if exc.rule_id.endswith(".increase.max"):
            assert proposed > current * (1 + RULES[exc.rule_id].require_value())
        return
    except InputError as exc:
        assert exc.code == "E_OVERRIDE_UNUSED"
        return
    prefix = "it.refill_change" if at_refill else "it.titrate"
    assert proposed <= current * (1 + RULES[f"{prefix}.{origin}.increase.max"].require_value())
    assert proposed <= S.IT_CEILING and bounds.proposed_daily_mcg == proposed


@pytest.mark.req("SAF-16")
@given(st.integers(min_value=1, max_value=83 * 8).map(lambda k: Fraction(k, 8)), S.it_origins)
def test_per_hour_and_per_day_give_the_same_bounds(hourly: Fraction, origin: str) -> None:
    per_hour = titration_bounds(daily_dose=S.text_of(hourly, "mcg/hour"), origin=origin)
    per_day = titration_bounds(daily_dose=S.text_of(hourly * 24, "mcg/day"), origin=origin)
    assert per_hour.current_daily_mcg == per_day.current_daily_mcg == hourly * 24
    assert per_hour.increase_to_mcg == per_day.increase_to_mcg
    assert per_hour.decrease_to_mcg == per_day.decrease_to_mcg
    assert "it.time_base.per_hour" in {f.rule_id for f in per_hour.findings}
    assert "it.time_base.per_hour" not in {f.rule_id for f in per_day.findings}


@pytest.mark.req("SAF-16")
@given(st.integers(min_value=1, max_value=2400).map(lambda k: Fraction(k, 10)))
def test_per_hour_rates_are_refused_above_the_ceiling(hourly: Fraction) -> None:
    try:
        bounds = titration_bounds(daily_dose=S.text_of(hourly, "mcg/hour"), origin="cerebral")
    except HardLimitError as exc:
        assert hourly * 24 > S.IT_CEILING and exc.rule_id == "it.daily_dose.ceiling"
        return
    assert hourly * 24 <= S.IT_CEILING and bounds.current_daily_mcg == hourly * 24


# ---------------------------------------------------------------------------------------------
# Pump refill (safety.md 2.2, SAF-24, SAF-25)


@pytest.mark.req("SAF-24")
def test_golden_refill() -> None:
    """40 mL, 2,000 mcg/mL, 400 mcg/day, 2 mL alarm: 0.2 mL/day, 190 days, 165.94 worst case."""
    refill = plan_refill(**GOLDEN, start="2026-01-05")  # type: ignore[arg-type]
    assert refill.daily_volume_ml == D(1, 5)
    assert refill.nominal_days == 190
    assert refill.worst_days == D(190) / D(1145, 1000) == D(38000, 229)
    assert Decimal(refill.worst_days.numerator) / refill.worst_days.denominator > Decimal("165.938")
    assert refill.worst_days_whole == 165
    assert refill.margin_days == MARGIN == 10
    assert refill.worst_alarm_date == date(2026, 1, 5) + timedelta(days=165) == date(2026, 6, 19)
    assert refill.refill_by == date(2026, 6, 19) - timedelta(days=MARGIN) == date(2026, 6, 9)
    assert refill.nominal_alarm_date == date(2026, 7, 14)
    assert refill.worst_empty_days == D(40) / (D(1, 5) * D(1145, 1000))
    assert refill.fill_ml == 40 and not refill.fill_given
    text = render.table(refill)
    assert "Daily volume                   0.2 mL/day" in text
    assert "Days to the alarm, nominal     190 days" in text
    assert "Days to the alarm, worst case  165 days (rounded down)" in text
    assert "rounded down (an earlier date), 165 days" in text
    assert "Reservoir empty, worst case    174 days (rounded down)" in text
    assert "190 days divided by 1.145 is 165.94 days (rounded to 2 decimal places)" in text
    assert "minus the margin of 10 days" in text and "9 June 2026" in text
    assert "estimate" in text
    assert_clean(all_text(refill))


@pytest.mark.req("SAF-04")
def test_golden_refill_json() -> None:
    data = json.loads(render.to_json(plan_refill(**GOLDEN, start="2026-01-05")))  # type: ignore[arg-type]
    assert data["schema"] == "baclofen-dose/intrathecal-refill/2"
    assert data["stability_policy"] == "study_2023_180_days"
    assert data["max_refill_interval"] == {"value": 180, "unit": "d"}
    assert data["refill_by_basis"] == "margin"
    assert data["days_to_empty_worst_case_whole"] == 174
    assert data["route"] == "intrathecal" and data["estimate"] is True
    assert data["daily_volume"] == {"value": 0.2, "unit": "mL/d"}
    assert data["days_to_alarm_nominal"] == {"value": 190, "unit": "d"}
    assert data["days_to_alarm_worst_case"] == {
        "value": 165.938865,
        "unit": "d",
        "exact": "38000/229",
    }
    assert data["days_to_alarm_worst_case_whole"] == 165
    assert data["concentration"] == {"value": 2000, "unit": "ug/mL"}
    assert data["daily_dose"] == {"value": 400, "unit": "ug/d"}
    assert data["flow_tolerance"] == {"value": 14.5, "unit": "%"}
    assert data["refill_by"] == "2026-06-09" and data["alarm_date_worst_case"] == "2026-06-19"
    assert data["provenance"]["ruleset"]["sha256"] == RULES.sha256
    assert "it.pump.flow_tolerance" in data["provenance"]["rule_ids"]
    text = render.to_json(plan_refill(**GOLDEN))  # type: ignore[arg-type]
    assert text == render.to_json(plan_refill(**GOLDEN))  # deterministic (SAF-23)
    assert json.loads(text)["refill_by"] is None  # no start, no dates


@pytest.mark.req("SAF-24")
@given(
    S.it_reservoirs,
    S.it_tenths_ml,
    S.it_tenths_ml,
    S.it_strengths,
    S.it_daily_ok,
    S.dates,
    st.sampled_from(["gillette_7_to_10_days", "gillette_3_to_5_days"]),
)
@example(D(40), D(40), D(2), D(2000), D(400), date(2026, 1, 5), "gillette_7_to_10_days")
def test_refill_invariants(
    reservoir: Fraction,
    fill: Fraction,
    alarm: Fraction,
    strength: Fraction,
    daily: Fraction,
    first: date,
    policy: str,
) -> None:
    assume(fill <= reservoir and alarm < fill)
    refill = plan_refill(
        reservoir=S.text_of(reservoir, "mL"),
        fill_volume=S.text_of(fill, "mL"),
        concentration=S.text_of(strength, "mcg/mL"),
        daily_dose=S.text_of(daily, "mcg/day"),
        alarm_volume=S.text_of(alarm, "mL"),
        start=first,
        margin_policy=policy,
    )
    assert refill.daily_volume_ml * refill.nominal_days == fill - alarm
    assert refill.worst_days * (1 + TOLERANCE) == refill.nominal_days
    assert refill.worst_days < refill.nominal_days < refill.worst_empty_days * (1 + TOLERANCE)
    assert refill.refill_by is not None
    by = (refill.refill_by - first).days
    # the refill-by date is never after the worst-case alarm moment, even counted in fractions
    assert by <= refill.worst_days
    # ...and never past the maximum refill interval (issue 10 item 2: the stability bound)
    limit = RULES[f"it.refill.stability.{refill.stability_policy}"].require_value()
    assert refill.stability_days == limit and by <= limit
    # no alarm date more than the margin past the maximum refill interval is ever given
    for shown in (refill.nominal_alarm_date, refill.worst_alarm_date, refill.worst_empty_date):
        assert shown is None or (shown - first).days <= limit + refill.margin_days
    # whole days are rounded down: a date is never later than the exact estimate
    assert refill.worst_days - 1 < refill.worst_days_whole <= refill.worst_days
    assert refill.worst_empty_days_whole <= refill.worst_empty_days
    assert refill.nominal_days_whole <= refill.nominal_days
    hard = [f for f in refill.findings if f.severity == "hard"]
    if refill.worst_days_whole <= refill.margin_days:
        assert (
            refill.refill_basis == "inside_margin" and refill.refill_by == refill.worst_alarm_date
        )
        assert [f.code for f in hard] == ["IT_REFILL_INSIDE_MARGIN"]
    else:
        assert not hard and first < refill.refill_by
        if refill.worst_days_whole - refill.margin_days > limit:
            assert refill.refill_basis == "stability" and by == limit
            assert "IT_REFILL_STABILITY" in {f.code for f in refill.findings}
        else:
            assert refill.refill_basis == "margin" and refill.worst_alarm_date is not None
            assert (refill.worst_alarm_date - refill.refill_by).days == refill.margin_days
    assert_clean(all_text(refill))


@pytest.mark.req("SAF-24")
@given(S.it_tenths_ml, S.it_tenths_ml, S.it_strengths, S.it_strengths, S.it_daily_ok, S.it_daily_ok)
@example(D(40), D(20), D(2000), D(1000), D(400), D(800))
@example(D(20), D(40), D(1000), D(2000), D(800), D(400))
def test_days_grow_with_volume_and_concentration_and_shrink_with_dose(
    fill_a: Fraction,
    fill_b: Fraction,
    strength_a: Fraction,
    strength_b: Fraction,
    daily_a: Fraction,
    daily_b: Fraction,
) -> None:
    alarm = D(1, 10)
    assume(fill_a > alarm and fill_b > alarm)

    def days(
        fill: Fraction, strength: Fraction, daily: Fraction
    ) -> tuple[Fraction, Fraction] | None:
        try:
            refill = plan_refill(
                reservoir="40 mL",
                fill_volume=S.text_of(fill, "mL"),
                concentration=S.text_of(strength, "mcg/mL"),
                daily_dose=S.text_of(daily, "mcg/day"),
                alarm_volume="0.1 mL",
            )
        except HardLimitError:
            return None
        return refill.nominal_days, refill.worst_days

    base = days(fill_a, strength_a, daily_a)
    for other, bigger in (
        (days(fill_b, strength_a, daily_a), fill_b > fill_a),
        (days(fill_a, strength_b, daily_a), strength_b > strength_a),
        (days(fill_a, strength_a, daily_b), daily_b < daily_a),
    ):
        if base is None or other is None:
            continue
        if bigger:
            assert other[0] > base[0] and other[1] > base[1]
        elif other != base:
            assert other[0] < base[0] and other[1] < base[1]


@pytest.mark.req("SAF-24")
@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"reservoir": "30 mL"}, "E_NOT_IN_CATALOGUE"),
        ({"reservoir": "40 mcg"}, "E_UNIT_DIMENSION"),
        ({"fill_volume": "41 mL"}, "E_OUT_OF_RANGE"),
        ({"reservoir": "20 mL", "fill_volume": "21 mL"}, "E_OUT_OF_RANGE"),
        ({"alarm_volume": "40 mL"}, "E_OUT_OF_RANGE"),
        ({"alarm_volume": "45 mL"}, "E_OUT_OF_RANGE"),
        ({"alarm_volume": "0 mL"}, "E_OUT_OF_RANGE"),
        ({"alarm_volume": "2"}, "E_UNIT_MISSING"),
        ({"daily_dose": "0.4 mg/day"}, "E_UNIT_DIMENSION"),
        ({"concentration": "2 mg/mL"}, "E_UNIT_DIMENSION"),
        ({"start": "2026-02-30"}, "E_DATE"),
        ({"margin_policy": "whenever"}, "E_POLICY"),
        ({"stability_policy": "whenever"}, "E_POLICY"),
    ],
)
def test_refill_refusals(change: dict[str, str], code: str) -> None:
    with pytest.raises(BaclofenDoseError) as caught:
        plan_refill(**{**GOLDEN, **change})  # type: ignore[arg-type]
    assert caught.value.code == code
    assert_clean(str(caught.value).replace("'2'", "'...'").replace("'2026-02-30'", "'...'"))


@pytest.mark.req("SAF-15")
def test_no_clinical_input_has_a_default() -> None:
    """The alarm volume, reservoir, concentration and doses are never defaulted (SAF-15)."""
    required = {
        plan_refill: {"reservoir", "concentration", "daily_dose", "alarm_volume"},
        titration_bounds: {"daily_dose", "origin"},
        plan_initial_dose: {"screening_dose", "effect_duration"},
        plan_intrathecal_taper: {"daily_dose", "first_dose", "start"},
    }
    for function, names in required.items():
        params = inspect.signature(function).parameters
        for name in names:
            assert params[name].default is inspect.Parameter.empty, (function, name)
        assert not set(params) & {"force", "skip_checks", "unsafe", "check_limits", "strict"}
    with pytest.raises(TypeError):
        plan_refill(reservoir="40 mL", concentration="2000 mcg/mL", daily_dose="400 mcg/day")  # type: ignore[call-arg]
    with pytest.raises(InputTypeError):
        plan_refill(**{**GOLDEN, "alarm_volume": None})  # type: ignore[arg-type]


def test_the_margin_policy_is_explicit_and_shown() -> None:
    short = plan_refill(**GOLDEN, start="2026-01-05", margin_policy="gillette_3_to_5_days")  # type: ignore[arg-type]
    assert short.margin_days == 5 and short.refill_by == date(2026, 6, 14)
    assert ("margin_policy", "gillette_3_to_5_days") in short.provenance.inputs
    assert "it.refill.margin.gillette_3_to_5_days" in short.provenance.rule_ids


def test_a_partial_fill_and_per_hour_rate() -> None:
    refill = plan_refill(
        reservoir="40 mL",
        fill_volume="20 mL",
        concentration="500 mcg/mL",
        daily_dose="12.5 mcg/hour",
        alarm_volume="4 mL",
    )
    assert refill.daily_mcg == 300 and refill.per_hour_input
    assert refill.daily_volume_ml == D(3, 5)
    assert refill.nominal_days == D(16) / D(3, 5)
    assert "26 days (rounded down)" in render.table(refill)
    assert "26.67 days (rounded to 2 decimal places)" in render.table(refill)
    assert refill.refill_by is None and "No start date was given" in render.table(refill)


@pytest.mark.req("SAF-25")
@pytest.mark.parametrize(
    ("residual", "within", "word"),
    [
        ("30.8 mL", True, None),
        ("29.5 mL", True, None),
        ("29.4 mL", False, "less"),
        ("32.2 mL", False, "more"),
        ("0 mL", False, "less"),
        # Inside the exact band (29.466 to 32.134 mL) but outside the band narrowed to the
        # 0.1 mL grid (29.5 to 32.1 mL): rounding never hides a discrepancy (issue 10 item 10).
        ("32.12 mL", False, "more"),
        ("29.48 mL", False, "less"),
    ],
)
def test_residual_check(residual: str, within: bool, word: str | None) -> None:
    """Since 20 November 2025 at 0.2 mL/day: 46 days, 9.2 mL delivered, 30.8 mL expected."""
    refill = plan_refill(
        **GOLDEN,
        start="2026-01-05",
        residual=residual,  # type: ignore[arg-type]
        previous_fill="2025-11-20",
    )
    check = refill.residual
    assert check is not None
    assert check.days_elapsed == 46
    assert check.expected_ml == D(308, 10)
    assert check.lowest_ml == 40 - D(92, 10) * (1 + TOLERANCE)
    assert check.highest_ml == 40 - D(92, 10) * (1 - TOLERANCE)
    assert check.within_tolerance is within
    assert set(check.assumed) == {
        "previous_fill_volume",
        "previous_concentration",
        "previous_daily_dose",
    }
    messages = [
        finding_text(f) for f in refill.findings if f.rule_id == "it.refill.residual_discrepancy"
    ]
    if word is None:
        assert not messages
    else:
        assert any(f"is {word} than the flow tolerance explains" in m for m in messages)
    assert "Taken to equal this refill's" in render.table(refill)
    assert_clean(all_text(refill))


@pytest.mark.req("SAF-25")
def test_residual_with_the_previous_fill_given() -> None:
    refill = plan_refill(
        **{**GOLDEN, "daily_dose": "500 mcg/day"},
        start="2026-01-05",  # type: ignore[arg-type]
        residual="3.1 mL",
        previous_fill="2025-11-20",
        previous_fill_volume="20 mL",
        previous_concentration="1000 mcg/mL",
        previous_daily_dose="350 mcg/day",
        confirm_concentration_change=True,
    )
    check = refill.residual
    assert check is not None and not check.assumed
    assert check.expected_ml == 20 - D(350, 1000) * 46
    assert any(f.rule_id == "it.refill.concentration_change" for f in refill.findings)
    late = plan_refill(
        **GOLDEN,
        start="2026-01-05",
        residual="1 mL",
        previous_fill="2025-11-20",  # type: ignore[arg-type]
        previous_fill_volume="10 mL",
    )
    assert late.residual is not None and late.residual.expected_ml == D(8, 10)
    assert any("should have reached the alarm volume" in finding_text(f) for f in late.findings)
    empty = plan_refill(
        **GOLDEN,
        start="2026-01-05",
        residual="0 mL",
        previous_fill="2025-11-20",  # type: ignore[arg-type]
        previous_fill_volume="5 mL",
    )
    assert empty.residual is not None and empty.residual.expected_ml < 0
    assert "below zero" in render.table(empty)
    assert_clean(all_text(empty))


@pytest.mark.req("SAF-25")
@pytest.mark.parametrize(
    ("extra", "error", "code"),
    [
        ({"residual": "41 mL", "previous_fill": "2025-11-20"}, InputError, "E_INCONSISTENT"),
        ({"residual": "3 mL", "previous_fill": "2026-01-05"}, InputError, "E_INCONSISTENT"),
        ({"residual": "3 mL"}, InputError, "E_MISSING_INPUT"),
        ({"previous_fill": "2025-11-20"}, InputError, "E_MISSING_INPUT"),
        ({"previous_concentration": "500 mcg/mL"}, ConfirmationRequired, "E_CONFIRM_REQUIRED"),
        ({"confirm_concentration_change": True}, InputError, "E_CONFIRM_UNUSED"),
        (
            {"previous_concentration": "2000 mcg/mL", "confirm_concentration_change": True},
            InputError,
            "E_CONFIRM_UNUSED",
        ),
    ],
)
def test_residual_and_concentration_change_refusals(
    extra: dict[str, object], error: type, code: str
) -> None:
    with pytest.raises(error) as caught:
        plan_refill(**GOLDEN, start="2026-01-05", **extra)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_residual_needs_the_refill_date() -> None:
    with pytest.raises(InputError) as caught:
        plan_refill(**GOLDEN, residual="3 mL", previous_fill="2025-11-20")  # type: ignore[arg-type]
    assert caught.value.field == "start"


def test_no_priming_or_bridge_bolus_api() -> None:
    """Bolus arithmetic belongs to the pump programmer (SAF-25)."""
    import baclofen_dose.intrathecal as module

    assert not [name for name in dir(module) if "bolus" in name.lower() and "Screening" not in name]
    change = RULES["it.refill.concentration_change"].text or ""
    assert "does not compute priming or bridge boluses" in change


# ---------------------------------------------------------------------------------------------
# Taper (clinical.md 7.2)


@pytest.mark.req("SAF-32")
def test_golden_taper() -> None:
    """At most 20% every 2 days, whole mcg/day rounded up, down to the first post-implant dose."""
    taper = plan_intrathecal_taper(
        daily_dose="600 mcg/day", first_dose="200 mcg/day", start="2026-01-05"
    )
    assert [(s.start, s.end, s.daily_mcg) for s in taper.steps] == [
        (date(2026, 1, 5), date(2026, 1, 6), D(600)),
        (date(2026, 1, 7), date(2026, 1, 8), D(480)),
        (date(2026, 1, 9), date(2026, 1, 10), D(384)),
        (date(2026, 1, 11), date(2026, 1, 12), D(308)),
        (date(2026, 1, 13), date(2026, 1, 14), D(247)),
        (date(2026, 1, 15), None, D(200)),
    ]
    ids = {f.rule_id for f in taper.findings}
    assert {"it.taper.supervision", "it.withdrawal.abrupt"} <= ids
    assert "It never reaches zero" in render.table(taper)
    assert taper.steps[0].daily_dose.magnitude == 600
    assert_clean(all_text(taper))


@pytest.mark.req("SAF-32")
@given(
    S.it_daily_ok,
    S.it_daily_ok,
    S.dates,
    st.integers(min_value=1, max_value=20).map(lambda k: Fraction(k, 100)),
    st.integers(min_value=2, max_value=7),
)
@example(D(2000), D(12), date(2026, 1, 5), D(1, 5), 2)
@example(D(5), D(1), date(2026, 1, 5), D(1, 5), 2)
def test_taper_invariants(
    current: Fraction, floor: Fraction, first: date, step: Fraction, every: int
) -> None:
    assume(floor < current)
    try:
        taper = plan_intrathecal_taper(
            daily_dose=S.text_of(current, "mcg/day"),
            first_dose=S.text_of(floor, "mcg/day"),
            start=first,
            step=S.text_of(step * 100, "%"),
            interval=f"{every} days",
        )
    except HardLimitError as exc:
        assert exc.rule_id == "schedule.horizon"
        return
    doses = [s.daily_mcg for s in taper.steps]
    assert doses[0] == current and doses[-1] == floor and min(doses) > 0
    for before, after in itertools.pairwise(doses):
        assert after < before  # strictly down, every step
        assert before - after <= before * step  # never more than the step allows
    for index, s in enumerate(taper.steps):
        assert s.start == first + timedelta(days=every * index)
        assert s.end is None if index == len(doses) - 1 else (s.end - s.start).days == every - 1
    assert (taper.steps[-1].start - first).days <= RULES["schedule.horizon"].require_value()


@pytest.mark.req("SAF-19")
@pytest.mark.parametrize(
    ("extra", "error", "code"),
    [
        ({"step": "21 %"}, OverrideRequired, "E_OVERRIDE_REQUIRED"),
        ({"step": "0 %"}, InputError, "E_OUT_OF_RANGE"),
        ({"step": "100 %"}, InputError, "E_OUT_OF_RANGE"),
        ({"interval": "1 day"}, OverrideRequired, "E_OVERRIDE_REQUIRED"),
        ({"interval": "36 hours"}, UnitError, "E_UNIT_DIMENSION"),
        ({"first_dose": "600 mcg/day"}, InputError, "E_NOTHING_TO_TAPER"),
        ({"first_dose": "10 mcg/day", "step": "1 %"}, HardLimitError, "E_HARD_LIMIT"),
        ({"daily_dose": "2400 mcg/day"}, HardLimitError, "E_HARD_LIMIT"),
        ({"start": "soon"}, InputError, "E_DATE"),
    ],
)
def test_taper_refusals(extra: dict[str, str], error: type, code: str) -> None:
    args = {"daily_dose": "600 mcg/day", "first_dose": "200 mcg/day", "start": "2026-01-05", **extra}
    with pytest.raises(error) as caught:
        plan_intrathecal_taper(**args)  # type: ignore[arg-type]
    assert caught.value.code == code


# ---------------------------------------------------------------------------------------------
# Values, types, fuzzing, text


def test_results_are_immutable_and_carry_provenance() -> None:
    results: list[render.Result] = [
        plan_screening(),
        plan_initial_dose(screening_dose="75 mcg", effect_duration="5 hours"),
        titration_bounds(daily_dose="300 mcg/day", origin="cerebral"),
        plan_refill(**GOLDEN),  # type: ignore[arg-type]
    ]
    for result in results:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            result.findings = ()  # type: ignore[misc]
        prov = result.provenance
        assert prov.ruleset_sha256 == RULES.sha256 and prov.library_version
        assert prov.rule_ids and all(rule_id in RULES for rule_id in prov.rule_ids)
        assert all(f.rule_id in prov.rule_ids for f in result.findings)
        assert result.route == "intrathecal"
        assert render.table(result).startswith("Intrathecal baclofen: ")
        data = render.to_data(result)
        assert data["intended_use"] and data["provenance"]["inputs"]
        assert_clean(all_text(result))
    with pytest.raises(TypeError):
        render.table("not a result")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        render.to_data(object())  # type: ignore[arg-type]


@pytest.mark.req("SAF-05")
@given(S.it_daily_ok, S.it_origins)
def test_intrathecal_text_is_in_mcg_and_spelled_out(current: Fraction, origin: str) -> None:
    """No 'mg ' token, no 'IT' or 'ITB', 'intrathecal' in full, ISMP-clean (SAF-01, SAF-05)."""
    bounds = titration_bounds(daily_dose=S.text_of(current, "mcg/day"), origin=origin)
    for text in all_text(bounds):
        assert " mg " not in text and " mg/" not in text
        assert_clean(text)
    assert "Intrathecal baclofen" in render.table(bounds)


@pytest.mark.req("SAF-09")
def test_other_registry_quantities_are_accepted_and_equal() -> None:
    other = pint.UnitRegistry()
    ureg = registry()
    as_strings = plan_refill(**GOLDEN)  # type: ignore[arg-type]
    as_quantities = plan_refill(
        reservoir=other.Quantity(40, "mL"),
        concentration=ureg.Quantity(D(2000), "microgram / milliliter"),
        daily_dose=other.Quantity(Decimal("400"), "microgram / day"),
        alarm_volume=ureg.Quantity(2, "milliliter"),
    )
    assert as_quantities.nominal_days == as_strings.nominal_days
    assert as_quantities.daily_volume_ml == as_strings.daily_volume_ml
    hourly = titration_bounds(daily_dose=other.Quantity(12.5, "microgram / hour"), origin="spinal")
    assert hourly.current_daily_mcg == 300 and "it.time_base.per_hour" in {
        f.rule_id for f in hourly.findings
    }
    with pytest.raises(InputError) as caught:
        titration_bounds(daily_dose=ureg.Quantity(D(1, 3), "microgram / day"), origin="spinal")
    assert caught.value.code == "E_NOT_EXACT"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"daily_dose": 300},
        {"daily_dose": 300.0},
        {"daily_dose": None},
        {"daily_dose": "300 mcg/day", "child": "yes"},
        {"daily_dose": "300 mcg/day", "at_refill": 1},
        {"daily_dose": "300 mcg/day", "rules": "baclofen.toml"},
        {"daily_dose": "300 mcg/day", "overrides": [("a", "b")]},
    ],
)
def test_wrong_types_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InputTypeError):
        titration_bounds(origin="spinal", **kwargs)  # type: ignore[arg-type]


@given(st.dictionaries(st.sampled_from(["concentration", "child", "rules"]), S.junk))
def test_fuzz_plan_screening(kwargs: dict[str, object]) -> None:
    try:
        plan_screening(**kwargs)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass


@given(
    st.dictionaries(
        st.sampled_from(["screening_dose", "effect_duration", "screening_side_effects"]), S.junk
    )
)
def test_fuzz_plan_initial_dose(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"screening_dose": "100 mcg", "effect_duration": "6 h", **kwargs}
    try:
        plan_initial_dose(**args)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass


@given(
    st.dictionaries(
        st.sampled_from(["daily_dose", "origin", "child", "at_refill", "proposed", "overrides"]),
        S.junk,
    )
)
def test_fuzz_titration_bounds(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"daily_dose": "300 mcg/day", "origin": "spinal", **kwargs}
    try:
        titration_bounds(**args)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass


REFILL_FIELDS = [
    "reservoir",
    "concentration",
    "daily_dose",
    "alarm_volume",
    "fill_volume",
    "diluted",
    "start",
    "residual",
    "previous_fill",
    "previous_fill_volume",
    "previous_concentration",
    "previous_daily_dose",
    "confirm_concentration_change",
    "margin_policy",
]


@given(
    st.dictionaries(
        st.sampled_from(REFILL_FIELDS),
        S.junk | st.text(alphabet="0123456789. mcgL/dayhour%-", max_size=16),
    )
)
def test_fuzz_plan_refill(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {**GOLDEN, **kwargs}
    try:
        refill = plan_refill(**args)  # type: ignore[arg-type]
    except BaclofenDoseError:
        return
    assert isinstance(refill, PumpRefill)
    assert_clean(all_text(refill))


@given(
    st.dictionaries(st.sampled_from(["daily_dose", "first_dose", "start", "step", "interval"]), S.junk)
)
def test_fuzz_plan_intrathecal_taper(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {
        "daily_dose": "600 mcg/day",
        "first_dose": "200 mcg/day",
        "start": "2026-01-05",
        **kwargs,
    }
    try:
        plan_intrathecal_taper(**args)  # type: ignore[arg-type]
    except BaclofenDoseError:
        pass


@given(
    st.one_of(
        S.junk,
        st.lists(st.tuples(S.junk, S.junk), max_size=3),
        st.lists(
            st.tuples(
                st.sampled_from(["8 hours", "12 hours", "24 h", "1 day"]),
                st.sampled_from(["10 mcg/hour", "300 mcg/day", "5 mg/day"]),
            ),
            max_size=3,
        ),
    )
)
def test_fuzz_flex_program(steps: object) -> None:
    try:
        flex = FlexProgram.from_steps(steps)  # type: ignore[arg-type]
    except BaclofenDoseError:
        return
    assert sum(s.hours for s in flex.steps) == 24


def test_new_errors_pickle() -> None:
    for error in (
        AbruptStopError("it.withdrawal.abrupt", "daily_dose", "0 mcg/day", why="boxed warning"),
        ConfirmationRequired("it.refill.concentration_change", "a change", "confirm=True"),
    ):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
        assert again.__dict__ == error.__dict__


# ---------------------------------------------------------------------------------------------
# One result protocol: findings as data, route and schema, JSON both ways (issue 8)


def every_kind_of_result() -> list[render.Result]:
    """At least one result of every intrathecal type, with each optional part present."""
    flex = FlexProgram.from_steps([("12 hours", "10 mcg/hour"), ("12 hours", "240 mcg/day")])
    return [
        plan_screening(),
        plan_screening(child=True, concentration="50 mcg/mL"),
        plan_initial_dose(screening_dose="100 mcg", effect_duration="6 hours"),
        plan_initial_dose(screening_dose="75 mcg", effect_duration="481 minutes"),
        plan_initial_dose(
            screening_dose="50 mcg", effect_duration="2 h", screening_side_effects=True
        ),
        titration_bounds(daily_dose="300 mcg/day", origin="spinal"),
        titration_bounds(daily_dose="60 mcg/hour", origin="spinal"),
        titration_bounds(daily_dose="70 mcg/hour", origin="cerebral", at_refill=True),
        titration_bounds(daily_dose=flex, origin="spinal", child=True),
        titration_bounds(daily_dose="50 mcg/day", origin="cerebral", proposed="52 mcg/day"),
        titration_bounds(
            daily_dose="300 mcg/day",
            origin="spinal",
            proposed="200 mcg/day",
            overrides={"it.titrate.decrease.max": "sedation, supervised"},
        ),
        titration_bounds(
            daily_dose="700 mcg/day",
            origin="spinal",
            proposed="850 mcg/day",
        ),
        plan_refill(**GOLDEN),  # type: ignore[arg-type]
        # bounded by the stability policy, and inside the margin (issue 10 item 2)
        plan_refill(
            **{**GOLDEN, "reservoir": "20 mL", "daily_dose": "100 mcg/day"}, start="2026-12-01"
        ),  # type: ignore[arg-type]
        plan_refill(
            reservoir="20 mL",
            concentration="500 mcg/mL",
            daily_dose="900 mcg/day",
            alarm_volume="2 mL",
            start="2026-12-01",
            stability_policy="cheo_11_weeks",
        ),
        plan_refill(**GOLDEN, start="2026-01-05", margin_policy="gillette_3_to_5_days"),  # type: ignore[arg-type]
        plan_refill(**{**GOLDEN, "concentration": "1500 mcg/mL"}, diluted=True),  # type: ignore[arg-type]
        plan_refill(**{**GOLDEN, "daily_dose": flex}, fill_volume="30 mL"),  # type: ignore[arg-type]
        plan_refill(
            reservoir="40 mL",
            fill_volume="20 mL",
            concentration="500 mcg/mL",
            daily_dose="12.5 mcg/hour",
            alarm_volume="4 mL",
            start="2026-01-05",
        ),
        plan_refill(**GOLDEN, start="2026-01-05", residual="3.1 mL", previous_fill="2025-11-20"),  # type: ignore[arg-type]
        plan_refill(
            **GOLDEN,
            start="2026-01-05",
            residual="0 mL",
            previous_fill="2025-11-20",  # type: ignore[arg-type]
            previous_fill_volume="5 mL",
        ),
        plan_refill(
            **{**GOLDEN, "daily_dose": "500 mcg/day"},  # type: ignore[arg-type]
            start="2026-01-05",
            residual="3.1 mL",
            previous_fill="2025-11-20",
            previous_fill_volume="20 mL",
            previous_concentration="1000 mcg/mL",
            previous_daily_dose="350 mcg/day",
            confirm_concentration_change=True,
        ),
        plan_intrathecal_taper(
            daily_dose="25 mcg/hour",
            first_dose="7 mcg/day",
            start="2026-01-05",
            step="15 %",
            interval="3 days",
        ),
        plan_intrathecal_taper(
            daily_dose="600 mcg/day",
            first_dose="200 mcg/day",
            start="2026-01-05",
            step="25 %",
            interval="1 day",
            overrides={
                "it.taper.step.max": "specialist plan, inpatient",
                "it.taper.interval.min": "specialist plan, inpatient",
            },
        ),
        plan_intrathecal_taper(daily_dose="600 mcg/day", first_dose="200 mcg/day", start="2026-01-05"),
        plan_screening(child=True, age="3.5 years"),
    ]


RESULTS = every_kind_of_result()


def test_every_result_type_is_covered() -> None:
    assert {type(r) for r in RESULTS} == set(render.SCHEMAS)


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: type(r).__name__)
def test_json_round_trip_through_the_one_protocol(result: render.Result) -> None:
    """``from_json(to_json(r)) == r`` for every intrathecal result type, pump refill included."""
    assert isinstance(result, Result)
    assert result.route == "intrathecal" and result.schema == render.SCHEMAS[type(result)]
    written = protocol.to_json(result)
    assert written == render.to_json(result)
    again = protocol.from_json(written)
    assert type(again) is type(result) and again == result
    assert protocol.to_json(again) == written
    assert json.loads(written)["schema"] == result.schema
    assert protocol.table(result) == render.table(result)
    assert protocol.text(result) == render.text(result)


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: type(r).__name__)
def test_findings_are_codes_with_typed_values(result: render.Result) -> None:
    """No intrathecal finding is a sentence written by its planner (code ``TEXT``)."""
    for finding in result.findings:
        assert finding.code != "TEXT"
        assert finding.code in FINDING_TEMPLATES or finding.code == "ADVICE"
        assert_clean(finding_text(finding))
        if finding.code.startswith("IT_"):
            assert any(isinstance(v, Amount) for v in finding.values.values())
    for name, value in result.provenance.inputs:
        if name in ("reservoir", "concentration", "daily_dose", "current", "alarm_volume"):
            assert isinstance(value, Amount), name
    assert "intrathecal" in render.text(result).lower()
    assert " IT " not in render.table(result) and "ITB" not in render.table(result)


def test_weaning_advice_is_data_too() -> None:
    method, no_conversion = oral_weaning_advice()
    assert method.code == "IT_ORAL_WEAN" and no_conversion.code == "ADVICE"
    assert method.values["low"] == Amount(D(1, 4), kinds.PERCENT)
    assert "oral baclofen may be cut by 25% to 50% at one time" in finding_text(method)


def test_no_intrathecal_module_imports_the_formatter() -> None:
    """Planners return data; render/ writes every sentence (import-linter says so too)."""
    folder = Path(package.__file__).parent
    for path in folder.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "display" not in source.replace("displayed", ""), path.name
        assert "legacy_finding" not in source and "baclofen_dose.oral" not in source, path.name


def test_provenance_inputs_are_typed() -> None:
    refill = plan_refill(**GOLDEN, start="2026-01-05")  # type: ignore[arg-type]
    values = refill.provenance.values
    assert values["concentration"] == Amount(D(2000), kinds.IT_CONCENTRATION)
    assert values["start"] == date(2026, 1, 5) and values["fill_volume_given"] is False
    assert values["daily_dose"] == Amount(D(400), kinds.IT_DAILY_DOSE)
    table = render.table(refill)
    assert "- fill_volume: 40 mL (the whole reservoir)" in table
    assert "- start: 5 January 2026" in table
    assert "- start: not given" in render.table(plan_refill(**GOLDEN))  # type: ignore[arg-type]
    flex = FlexProgram.from_steps([("8 hours", "10 mcg/hour"), ("16 hours", "240 mcg/day")])
    bounds = titration_bounds(daily_dose=flex, origin="spinal")
    assert bounds.provenance.values["current_flex_rates"] == (
        Amount(D(10), kinds.IT_HOURLY_RATE, "approx"),
        Amount(D(240), kinds.IT_DAILY_DOSE, "approx"),
    )
    assert (
        "- current: 240 mcg/day (flex program: 8 hours at 10 mcg/hour and 16 hours at "
        "240 mcg/day)" in render.table(bounds)
    )


def _tampered(result: render.Result, change) -> str:  # type: ignore[no-untyped-def]
    data = json.loads(render.to_json(result), parse_float=Decimal)
    change(data)
    return dumps(data)


def _set(path: tuple[object, ...], value: object):  # type: ignore[no-untyped-def]
    def change(data: dict[str, object]) -> None:
        target: object = data
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        target[path[-1]] = value  # type: ignore[index]

    return change


def _consistent_increase_of_50_percent(data: dict[str, Any]) -> None:
    """An increase limit of 50% with every figure recomputed to match it."""
    data["increase"]["percent_max"]["value"] = 50
    data["increase"]["daily_dose_max"]["value"] = 450


REFILL = plan_refill(**GOLDEN, start="2026-01-05", residual="3.1 mL", previous_fill="2025-11-20")  # type: ignore[arg-type]
TITRATION = titration_bounds(daily_dose="300 mcg/day", origin="spinal")


def test_a_file_from_another_library_version_is_planned_again() -> None:
    """The library version is not a way around the check: the inputs are planned again."""
    older = protocol.from_json(_tampered(REFILL, _set(("provenance", "library_version"), "0.0.1")))
    assert older.provenance.library_version == "0.0.1"
    assert attrs.evolve(older, provenance=REFILL.provenance) == REFILL
    with pytest.raises(InputError) as caught:
        protocol.from_json(
            _tampered(
                TITRATION,
                lambda data: (
                    _consistent_increase_of_50_percent(data),
                    data["provenance"].update(library_version="0.0.1"),
                ),
            )
        )
    assert caught.value.field == "increase_max"


def test_an_untouched_file_reads_back() -> None:
    """The control for the next test: rewriting the JSON unchanged still reads back equal."""
    for result in (REFILL, TITRATION, *RESULTS):
        assert protocol.from_json(_tampered(result, lambda data: None)) == result


@pytest.mark.parametrize(
    ("result", "change"),
    [
        (REFILL, _set(("daily_volume", "value"), 2)),  # disagrees with dose / strength
        (REFILL, _set(("daily_dose", "unit"), "mg/d")),  # an oral unit
        (REFILL, _set(("daily_dose", "value"), -400)),
        (REFILL, _set(("daily_dose", "value"), 0)),
        (REFILL, _set(("concentration", "value"), "2000")),  # a string, not a number
        (REFILL, _set(("refill_by",), "2026-07-09")),  # a later refill-by date
        (REFILL, _set(("start",), "2026-13-01")),
        (REFILL, _set(("days_to_alarm_worst_case", "exact"), "38000/228")),
        (REFILL, _set(("days_to_alarm_worst_case_whole",), True)),
        (REFILL, _set(("residual_check", "expected", "value"), 35)),
        (REFILL, _set(("residual_check", "within_tolerance"), True)),
        (REFILL, _set(("residual_check", "days_elapsed"), 45)),
        (REFILL, _set(("margin_policy",), "whenever")),
        (REFILL, _set(("route",), "oral")),
        (REFILL, _set(("estimate",), False)),
        (REFILL, _set(("findings", 0, "code"), "TEXT")),
        (REFILL, _set(("findings", 0, "rule_id"), "it.made.up")),
        (REFILL, _set(("findings", 0, "params"), {})),
        (REFILL, _set(("provenance", "rule_ids", 0), "it.made.up")),
        (TITRATION, _set(("increase", "daily_dose_max", "value"), 400)),
        (TITRATION, _set(("increase", "rule_id"), "it.titrate.cerebral.increase.max")),
        (TITRATION, _set(("origin",), "brain")),
        (TITRATION, _set(("child",), "no")),
        (TITRATION, _set(("decrease_for_side_effects", "daily_dose_min", "value"), 200)),
        (RESULTS[0], _set(("boluses", 1, "volume", "value"), 15)),
        (RESULTS[0], _set(("boluses", 0, "rule_ids"), ["it.made.up"])),
        (RESULTS[2], _set(("daily_dose", "value"), 300)),
        (RESULTS[2], _set(("basis_rule",), "it.titrate.assess")),
        (RESULTS[-2], _set(("steps", 1, "daily_dose", "value"), 300)),  # a cut of 50%
        (RESULTS[-2], _set(("steps", 1, "start"), "2026-01-08")),
        (RESULTS[-2], _set(("steps", -1, "end"), "2026-02-01")),
        # consistent in itself, but not what the rules give: caught by planning again
        (TITRATION, _consistent_increase_of_50_percent),
        (TITRATION, lambda data: data["findings"].pop()),
        (TITRATION, _set(("provenance", "inputs", "origin"), "cerebral")),
        (REFILL, _set(("provenance", "inputs", "daily_dose", "value"), 500)),
        (
            REFILL,
            _set(
                ("provenance", "inputs", "previous_fill"), {"type": "date", "value": "2025-11-21"}
            ),
        ),
        (RESULTS[0], lambda data: data["findings"][0]["params"].update(text="Any advice.")),
    ],
)
def test_readers_believe_nothing(result: render.Result, change) -> None:  # type: ignore[no-untyped-def]
    """What comes from a file is checked: types, units, positive exact amounts, known rule ids
    and codes, and every derived figure against the inputs it follows from."""
    with pytest.raises(InputError) as caught:
        protocol.from_json(_tampered(result, change))
    assert caught.value.code == "E_JSON"


@given(S.it_reservoirs, S.it_strengths, S.it_daily_ok, S.dates)
def test_refill_round_trip_property(
    reservoir: Fraction, strength: Fraction, daily: Fraction, first: date
) -> None:
    try:
        refill = plan_refill(
            reservoir=S.text_of(reservoir, "mL"),
            concentration=S.text_of(strength, "mcg/mL"),
            daily_dose=S.text_of(daily, "mcg/day"),
            alarm_volume="2 mL",
            start=first,
        )
    except HardLimitError:
        return
    assert protocol.from_json(protocol.to_json(refill)) == refill


@given(S.it_daily_ok, S.it_origins, st.booleans(), st.booleans())
def test_titration_round_trip_property(
    current: Fraction, origin: str, child: bool, at_refill: bool
) -> None:
    bounds = titration_bounds(
        daily_dose=S.text_of(current, "mcg/day"), origin=origin, child=child, at_refill=at_refill
    )
    assert protocol.from_json(protocol.to_json(bounds)) == bounds


def test_confirmation_required_keeps_its_values() -> None:
    with pytest.raises(ConfirmationRequired) as caught:
        plan_refill(**GOLDEN, previous_concentration="500 mcg/mL")  # type: ignore[arg-type]
    error = caught.value
    assert error.params["before"] == Amount(D(500), kinds.IT_CONCENTRATION)
    assert "changes from 500 mcg/mL to 2,000 mcg/mL" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error)


def _leaves(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


JSON_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.text(max_size=12),
    st.sampled_from(["ug/d", "mL", "2026-01-05", "1/0", "-1/3", "it.withdrawal.abrupt", "ADVICE"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["type", "value", "unit", "kind"]), st.text(max_size=5)),
)


@given(st.sampled_from(RESULTS), st.data())
def test_fuzz_readers_only_our_errors_escape(result: render.Result, data: st.DataObject) -> None:
    """Any one value of a written result replaced by junk: read back equal, or a library error."""
    document = json.loads(render.to_json(result), parse_float=Decimal)
    path = data.draw(st.sampled_from([p for p in _leaves(document) if p]))
    junk = data.draw(JSON_JUNK)
    try:
        again = protocol.from_json(_tampered(result, _set(path, junk)))
    except BaclofenDoseError:
        return
    assert type(again) is type(result)
