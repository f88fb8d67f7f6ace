"""The one formatter and the ISMP display rules (SAF-01..08)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose import (
    BaclofenDoseError,
    from_json,
    instructions,
    plan_titration,
    table,
    to_json,
)
from baclofen_dose.core import display, units
from baclofen_dose.render.json import plan_to_data
from baclofen_dose.render.messages import finding_text
from tests import strategies as S
from tests.ismp import CHECKS, assert_clean, lint
from tests.printed import flat


@pytest.mark.req("SAF-03")
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(1, 20), "0.05"),
        (Fraction(1, 2), "0.5"),
        (Fraction(1), "1"),
        (Fraction(5, 2), "2.5"),
        (Fraction(999), "999"),
        (Fraction(1000), "1,000"),
        (Fraction(123455, 10), "12,345.5"),
        (Fraction(1440), "1,440"),
        (Fraction(2000000), "2,000,000"),
        (Fraction(10), "10"),
        (Fraction(100), "100"),
    ],
)
def test_number_boundaries(value: Fraction, text: str) -> None:
    assert display.number(value) == text
    assert_clean(f"{text} mg")


def test_estimates_round_half_up_only_when_asked() -> None:
    assert display.number(Fraction(2675, 1000), places=2) == "2.68"
    assert display.number(Fraction(401, 10), places=1) == "40.1"
    assert display.number(Fraction(40), places=1) == "40"
    with pytest.raises(ValueError, match="exactly"):
        display.number(Fraction(1, 3))


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("10000000"), places=3))
def test_numbers_always_pass_the_lint(value: Decimal) -> None:
    text = display.amount(Fraction(value), units.IT_DAILY_DOSE)
    assert_clean(text)
    assert Decimal(text.split()[0].replace(",", "")) == value  # exact, nothing rounded


@pytest.mark.req("SAF-02")
def test_frequencies_and_tablets_in_words() -> None:
    assert display.times_a_day(1) == "once a day"
    assert display.times_a_day(3) == "3 times a day"
    assert display.tablets(Fraction(1, 2)) == "half tablet"
    assert display.tablets(Fraction(3, 2)) == "one and a half tablets"
    assert display.tablets(Fraction(3)) == "3 tablets"
    with pytest.raises(ValueError, match="half"):
        display.tablets(Fraction(1, 4))
    assert_clean([display.times_a_day(n) for n in range(1, 13)])
    assert_clean([display.tablets(Fraction(k, 2)) for k in range(1, 40)])


def test_dates_and_lists_are_locale_free() -> None:
    assert display.day(date(2026, 1, 8)) == "8 January 2026"
    assert display.dose_list([Fraction(20)] * 3 + [Fraction(15)], units.ORAL_DOSE) == (
        "20 mg, 20 mg, 20 mg and 15 mg"
    )
    assert [display.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
    ]


@pytest.mark.req("SAF-01")
def test_lint_catches_known_bad_strings() -> None:
    """The project's lint flags what the ISMP list forbids (meta-test of the checker itself)."""
    bad = [
        "5.0 mg",
        ".5 mg",
        "1000 mcg",
        "100 000 mcg",
        "1,5 mg",
        "10mg",
        "baclofen10 mg",
        "5 mg.",
        "5 ug",
        "5 cc",
        "10 U",
        "take qd",
        "qod",
        "q1d",
        "hs",
        "tiw",
        "x3d",
        "d/c",
        "sc",
        "IT",
        "per os",
        "5 mg tid",
        "5 mg po",
        "ITB",
        "> 5 mg",
        "5 mg/10 mg",
        "1/2 tab",
        "0.5 tablet",
        "5 MG",
        "5 ml",
        "5 \u00b5g",
        "05 mg",
    ]
    for text in bad:
        assert lint(text), text
    good = [
        "5 mg",
        "0.5 mg",
        "1,000 mcg",
        "25 mg/5 mL",
        "3 times a day",
        "half tablet",
        "2026-01-05",
        "08:00",
        "intrathecal",
        "by mouth",
    ]
    for text in good:
        assert not lint(text), text
    assert set(CHECKS) >= {"TRAILING_ZERO", "NAKED_DECIMAL", "NON_ASCII", "LATIN_FREQ"}


def _all_text(plan: object) -> list[str]:
    from baclofen_dose.oral.regimen import OralPlan

    assert isinstance(plan, OralPlan)
    texts = [table(plan), *instructions(plan)]
    texts += [finding_text(f) for f in plan.findings] + [f.citation for f in plan.findings]
    return texts


@pytest.mark.req("SAF-01")
@given(S.dates, S.grid_targets, S.steps, S.intervals, S.times, S.policies)
def test_every_plan_text_passes_the_lint(first, target, step, interval, n, policy) -> None:  # type: ignore[no-untyped-def]
    overrides = {
        r.id: "inpatient, supervised"
        for r in S.RULES
        if r.policy == policy and r.kind == "soft_max"
    }
    for chosen in (None, overrides):
        try:
            plan = plan_titration(
                start=first,
                target=S.mg(target),
                step=S.mg(step),
                interval=f"{interval} days",
                times_per_day=n,
                max_policy=policy,
                overrides=chosen,
            )
        except BaclofenDoseError as exc:
            assert_clean(str(exc).replace(repr(S.mg(target)), "'...'"))
            continue
        assert_clean(_all_text(plan))


def test_table_shows_the_label_ladder() -> None:
    text = table(plan_titration(start="2026-01-05", target="60 mg/day"))
    assert "Decision support for health-care professionals" in text
    assert "Mon 5 January 2026" in text and "Wed 14 January 2026" in text and "onward" in text
    assert (
        "Take 10 mg by mouth 3 times a day from Thu 8 January 2026 to Sat 10 January 2026."
        in flat(text)
    )
    assert "oral.adult.titration.step.label: 15 mg/day" in text
    assert "Source: Baclofen tablets USP 20 mg" in text


def test_working_names_a_smaller_last_step_and_every_override() -> None:
    from baclofen_dose.render.text import working

    small = working(plan_titration(start="2026-01-05", target="20 mg/day"), S.RULES)
    assert "a smaller last step" in small[1] and "label step" not in small[1]
    reasons = {
        "oral.adult.max_daily.us_label": "inpatient",
        "oral.adult.max_dose.us_label": "inpatient",
    }
    lines = working(
        plan_titration(start="2026-01-05", target="100 mg/day", overrides=reasons), S.RULES
    )
    assert "single-dose maximum 20 mg (rule oral.adult.max_dose.us_label)" in lines[5]
    assert "above the maximum 80 mg/day (rule oral.adult.max_daily.us_label)" in lines[6]
    assert_clean(small + lines)


def test_unequal_doses_are_written_in_order() -> None:
    plan = plan_titration(start="2026-01-05", target="75 mg/day")
    lines = instructions(plan)
    assert lines[4] == (
        "Take 4 doses a day by mouth, in this order: 20 mg, 20 mg, 20 mg and 15 mg "
        "(75 mg a day) from Sat 17 January 2026 onward."
    )


@pytest.mark.req("SAF-04")
def test_json_keeps_amount_and_ucum_unit_apart() -> None:
    plan = plan_titration(start="2026-01-05", target="75 mg/day")
    data = json.loads(to_json(plan))
    step = data["steps"][4]
    assert step == {
        "start": "2026-01-17",
        "end": None,
        "doses": [{"value": 20, "unit": "mg"}] * 3 + [{"value": 15, "unit": "mg"}],
        "times_per_day": 4,
        "daily_dose": {"value": 75, "unit": "mg/d"},
        "rule_ids": list(plan.steps[4].rule_ids),
        "reason": {
            "code": "LABEL_STEP",
            "params": {
                "step": {
                    "type": "amount",
                    "value": 15,
                    "unit": "mg/d",
                    "kind": "oral daily dose",
                    "style": "exact",
                },
                "rule": "oral.adult.titration.step.label",
            },
            "text": "the label step is 15 mg/day (rule oral.adult.titration.step.label)",
        },
    }
    assert data["steps"][-1]["end"] is None
    assert data["provenance"]["ruleset"]["sha256"] == S.RULES.sha256
    assert data["provenance"]["library_version"]
    assert {f["rule_id"] for f in data["findings"]} >= {"oral.withdrawal.abrupt"}
    assert plan_to_data(plan)["steps"][0]["doses"][0]["value"] == Decimal(5)


def test_json_numbers_are_exact_decimals() -> None:
    plan = plan_titration(start="2026-01-05", target="30 mg/day")
    text = to_json(plan)
    assert '"value": 5,' in text and "e+" not in text and "5.0" not in text


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(schema="other"), "schema"),
        (lambda d: d["steps"][0].update(times_per_day=4), "times_per_day"),
        (lambda d: d["steps"][0]["daily_dose"].update(value=16), "daily_dose"),
        (lambda d: d["steps"][0]["doses"][0].update(unit="ug"), "unit"),
        (lambda d: d["steps"][0]["doses"][0].update(value=-5), "value"),
        (lambda d: d["steps"][0].update(start="5 Jan"), "start"),
        (lambda d: d["findings"][0].update(severity="fatal"), "severity"),
        (lambda d: d.pop("provenance"), "provenance"),
        (lambda d: d["steps"][0].update(end="2026-01-01"), "end"),
        (lambda d: d["findings"][0].update(override_reason=5), "override_reason"),
    ],
)
def test_json_reader_refuses_inconsistent_plans(mutate, field: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(to_json(plan_titration(start="2026-01-05", target="30 mg/day")))
    mutate(data)
    with pytest.raises(BaclofenDoseError) as caught:
        from_json(json.dumps(data))
    assert field in str(caught.value)


@given(st.text(max_size=60))
def test_fuzz_json_reader_only_library_errors(text: str) -> None:
    try:
        from_json(text)
    except BaclofenDoseError:
        pass


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (Fraction(0), "0 minutes"),
        (Fraction(1, 60), "1 minute"),
        (Fraction(3, 4), "45 minutes"),
        (Fraction(1), "1 hour"),
        (Fraction(61, 60), "1 hour 1 minute"),
        (Fraction(3, 2), "1 hour 30 minutes"),
        (Fraction(26), "26 hours"),
        (Fraction(1000), "1,000 hours"),
    ],
)
def test_hours_and_minutes(hours: Fraction, text: str) -> None:
    """A clock duration (missed-dose advice) in words, through the formatter's ``hours`` spec."""
    from baclofen_dose.core.model import Amount

    assert display.hours_minutes(hours) == text
    assert display.fill("{x:hours}", {"x": Amount(hours, units.HOURS)}) == text
    assert display.fill("{x:hours}", {"x": hours}) == text
    assert_clean(text)


@given(st.integers(min_value=0, max_value=48 * 60))
def test_hours_and_minutes_round_trip(minutes: int) -> None:
    text = display.hours_minutes(Fraction(minutes, 60))
    hours, _, rest = text.partition(" hour")
    whole = int(hours.replace(",", "")) if rest or text.endswith("hour") else 0
    shown = whole * 60 + (int(text.split()[-2]) if "minute" in text else 0)
    assert shown == minutes


@given(
    st.fractions(min_value=Fraction(1, 10), max_value=Fraction(200), max_denominator=10**7),
    st.integers(min_value=1, max_value=200),
)
def test_an_estimate_never_contradicts_its_threshold(value: Fraction, threshold: int) -> None:
    """Issue 10 item 6: a CrCl of 29.96 is never shown as "30" beside "below 30": beside a
    threshold, the shown number is on the same side of it as the value, and equal to it only
    when the value is."""
    text = display.estimate_beside(value, units.RENAL_CLEARANCE, [Fraction(threshold)])
    if text.startswith("just "):
        assert value != threshold and abs(value - threshold) < Fraction(1, 10**4)
        assert text.startswith("just below") == (value < threshold)
        return
    shown = Fraction(Decimal(text.removesuffix(" mL/min").replace(",", "")))
    assert (shown < threshold) == (value < threshold)
    assert (shown == threshold) == (value == threshold)
    assert abs(shown - value) <= Fraction(1, 20)  # never further than half of 0.1 away


def test_estimate_places_grow_only_beside_a_threshold() -> None:
    beside = display.estimate_beside
    crcl = units.RENAL_CLEARANCE
    assert beside(Fraction(2996, 100), crcl, [Fraction(30)]) == "29.96 mL/min"
    assert beside(Fraction(2996, 100), crcl, []) == "30 mL/min"  # no threshold: 0.1
    assert beside(Fraction(40123, 1000), crcl, [Fraction(30)]) == "40.1 mL/min"
    assert beside(Fraction(2999999, 100000), crcl, [Fraction(30)]) == "just below 30 mL/min"
    from baclofen_dose.core.model import Amount

    filled = display.fill(
        "CrCl {crcl:computed@threshold} is below {threshold}",
        {"crcl": Amount(Fraction(2996, 100), crcl), "threshold": Amount(Fraction(30), crcl)},
    )
    assert filled == "CrCl 29.96 mL/min is below 30 mL/min"


def test_a_body_measure_is_shown_to_one_place_even_when_exact() -> None:
    """154 lb is exactly 69.85322498 kg, and 67 inch exactly 170.18 cm: a weight or height is
    shown to one decimal place whatever its source (a tester saw "Weight: 69.85322498 kg" in
    a titration plan and its Cockcroft-Gault working)."""
    from fractions import Fraction

    from baclofen_dose.core import display, kinds

    assert display.estimate(Fraction("69.85322498"), kinds.WEIGHT) == "69.9 kg"
    assert display.estimate(Fraction("70.123"), kinds.WEIGHT) == "70.1 kg"
    assert display.estimate(Fraction(70), kinds.WEIGHT) == "70 kg"
    assert display.estimate(Fraction("170.18"), kinds.HEIGHT) == "170.2 cm"
    assert display.estimate(Fraction("69.85322498"), kinds.WEIGHT, unit=False) == "69.9"


def test_no_weight_in_a_plan_has_more_than_one_place(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    from baclofen_dose.cli import main

    argv = ["titrate", "--start", "2026-01-05", "--target", "15 mg/day", "--age", "70"]
    argv += ["--sex", "female", "--weight", "154 lb", "--height", "67 inch"]
    argv += ["--scr", "2.5 mg/dL", "--no-dialysis"]
    for form in ("table", "text"):
        assert main([*argv, "--format", form]) == 0
        out = capsys.readouterr().out
        assert "69.9 kg" in out
        assert not re.search(r"\d\.\d{3,} (kg|cm)", out), out
