"""Cheong 2020 (S4) planned as written (issue 10 item 6): a start below one 5 mg dose of the
adult grid, on the chosen product's own measuring grid.

Worked by hand from Cheong 2020 (clinical.md 3): recommended start 2.5 mg/day on dialysis and
7.5 mg/day in CKD stage 4 to 5 (eGFR below 30); the Canadian monograph's dialysis maximum is
about 5 mg/day (rule ``renal.ca_monograph.dialysis.max_daily``); on dialysis steps are one third
of the label's 15 mg/day, 5 mg/day (``renal.vlavonou2014.severe.dose_fraction``). The 1 mg/mL
solution is measured to 0.5 mL (``product.oral.liquid.measure``): 0.5 mg; the 5 mg/mL
suspension to 0.5 mL: 2.5 mg; the 2 mg/mL solution to 0.5 mL: 1 mg. 5 mg tablets are not scored
and 10 mg tablets split only in halves (5 mg): no tablet gives 2.5 mg.
"""

from __future__ import annotations

import itertools
from datetime import date
from fractions import Fraction

import pytest

from baclofen_dose import InputError, OverrideRequired, Patient, check_order, plan_titration
from baclofen_dose.cli import main
from baclofen_dose.render.messages import finding_text, reason_text
from baclofen_dose.render.protocol import table
from tests.ismp import assert_clean

D = Fraction
START = "2026-01-05"
LOW = "oral.renal.start.below_grid"
ON_DIALYSIS = Patient.from_inputs(
    age="60 years", sex="male", weight=None, height=None, scr=None, dialysis=True
)
# CrCl (140 - 60) x 70 / (72 x 3) = 25.9 mL/min (severe band: one third); eGFR 23.1 (CKD 4).
CKD4_SEVERE = Patient.from_inputs(
    age="60 years", sex="male", weight="70 kg", height=None, scr="3 mg/dL", dialysis=False
)
# CrCl (140 - 40) x 120 / (72 x 3.5) = 47.6 mL/min (moderate band: one half); eGFR about 21.7.
CKD4_MODERATE = Patient.from_inputs(
    age="40 years", sex="male", weight="120 kg", height=None, scr="3.5 mg/dL", dialysis=False
)


def _plan(product: str | list[str] | None, patient: Patient = ON_DIALYSIS, **kwargs: object):  # type: ignore[no-untyped-def]
    args: dict[str, object] = {"target": "max", **kwargs}
    return plan_titration(
        start=START, patient=patient, renal_policy="cheong2020", product=product, **args
    )


def _doses(plan) -> list[tuple[Fraction, ...]]:  # type: ignore[no-untyped-def]
    return [s.regimen.doses_mg for s in plan.steps]


def _volumes(plan) -> list[tuple[Fraction, ...]]:  # type: ignore[no-untyped-def]
    assert plan.supply is not None
    return [tuple(r.portions[0].quantity for r in row) for row in plan.supply.doses]


def test_dialysis_start_with_the_1_mg_per_ml_solution() -> None:
    """2.5 mg once a day (2.5 mL) for 3 days, then 5 mg once a day (5 mL): the maximum."""
    plan = _plan("1 mg/mL oral solution")
    assert _doses(plan) == [(D(5, 2),), (D(5),)]
    assert _volumes(plan) == [(D(5, 2),), (D(5),)]
    assert [(s.start, s.end) for s in plan.steps] == [
        (date(2026, 1, 5), date(2026, 1, 7)),
        (date(2026, 1, 8), None),
    ]
    codes = {f.code: f for f in plan.findings}
    low = codes["RENAL_START_BELOW_GRID"]
    assert low.rule_id == LOW
    assert low.values["measure"].value == D(1, 2)  # 1 mg/mL x 0.5 mL
    assert low.values["times"] == 1
    assert "ROUNDED_DOWN_RENAL" not in codes  # 2.5 mg/day is given as Cheong writes it
    assert "FEWER_DOSES" in codes  # once a day, not 3 times
    ids = {f.rule_id for f in plan.findings}
    assert "oral.adult.times_per_day.fewer_than_label" in ids  # UK/France: fewer is labelled
    start = next(a for a in plan.adjustments if a.what == "start")
    assert start.after == D(5, 2) and LOW in start.rule_ids
    assert LOW in plan.steps[0].rule_ids and LOW not in plan.steps[1].rule_ids
    assert plan.steps[1].reason is not None and plan.steps[1].reason.code == "BACK_TO_GRID"
    assert LOW in plan.provenance.rule_ids
    # The dispense line: 2.5 mL a day for 3 days.
    assert plan.supply is not None and plan.supply.dispense[0].dispensed == D(15, 2)
    shown = [table(plan), *(finding_text(f) for f in plan.findings)]
    shown += [reason_text(s.reason) for s in plan.steps if s.reason is not None]
    assert "2.5 mg (2.5 mL of 1 mg/mL)" in table(plan)
    for text in shown:
        assert_clean(text.splitlines())


def test_dialysis_start_with_the_suspension_and_the_2_mg_per_ml_solution() -> None:
    """5 mg/mL: 2.5 mg is 0.5 mL (one syringe step). 2 mg/mL: 2.5 mg would be 1.25 mL, off the
    0.5 mL grid, so the start rounds down to 2 mg (1 mL), with the rounding as a finding."""
    plan = _plan("5 mg/mL oral suspension")
    assert _doses(plan) == [(D(5, 2),), (D(5),)]
    assert _volumes(plan) == [(D(1, 2),), (D(1),)]
    assert "product.oral.suspension.shake" in {f.rule_id for f in plan.findings}
    plan = _plan("2 mg/mL oral solution")
    assert _doses(plan) == [(D(2),), (D(5),)]
    assert _volumes(plan) == [(D(1),), (D(5, 2),)]
    rounded = next(f for f in plan.findings if f.code == "ROUNDED_DOWN_RENAL")
    assert rounded.rule_id == LOW
    assert (rounded.values["raw"].value, rounded.values["given"].value) == (D(5, 2), D(2))
    assert rounded.values["grid"].value == D(1)


def test_dialysis_start_above_the_maximum_with_an_override_keeps_the_step_limits() -> None:
    """Target 20 mg/day (above the 5 mg/day dialysis maximum, with its override): 2.5, then the
    5 mg grid by steps of at most 5 mg/day (one third of 15), doses as the grid allows."""
    plan = _plan(
        "1 mg/mL oral solution",
        target="20 mg/day",
        overrides={"renal.ca_monograph.dialysis.max_daily": "nephrologist review"},
    )
    assert _doses(plan) == [(D(5, 2),), (D(5),), (D(5), D(5)), (D(5),) * 3, (D(10), D(5), D(5))]
    totals = [s.regimen.daily_mg for s in plan.steps]
    assert all(0 < b - a <= 5 for a, b in itertools.pairwise(totals))
    with pytest.raises(OverrideRequired) as caught:
        _plan("1 mg/mL oral solution", target="20 mg/day")
    assert caught.value.rule_id == "renal.ca_monograph.dialysis.max_daily"


@pytest.mark.parametrize(
    ("product", "field"),
    [
        (None, "renal_policy"),
        ("5 mg tablet", "product"),
        (["5 mg tablet", "10 mg tablet"], "product"),
        ("5 mg granules", "product"),
    ],
)
def test_tablets_and_packets_cannot_give_it(product: object, field: str) -> None:
    """No tablet gives 2.5 mg (5 mg not scored; 10 mg halves are 5 mg); packets are whole:
    refused, naming the liquids that measure it, never another policy."""
    with pytest.raises(InputError) as caught:
        _plan(product)  # type: ignore[arg-type]
    error = caught.value
    assert error.code == "E_NOT_GIVABLE" and error.field == field
    text = str(error)
    assert "2.5 mg/day" in text and "oral.adult.dose.grid" in text and LOW in text
    assert "oral solution of 1 mg/mL" in text and "oral suspension of 5 mg/mL" in text
    assert "2 mg/mL" not in text  # 1.25 mL is not measurable: not offered
    assert "policy or" not in text
    assert_clean(text)


@pytest.mark.parametrize("product", [None, "1 mg/mL oral solution", "10 mg tablet"])
def test_ckd_stage_4_keeps_the_5_mg_grid(product: str | None) -> None:
    """Cheong 2020's 7.5 mg/day in CKD 4 to 5 is not below one 5 mg dose: it stays on the adult
    grid with a liquid too. Severe band: start min(15 x 1/3, 7.5) = 5 mg/day, maximum
    80 x 1/3 = 26.7, rounded down to 25. Moderate band: start min(15 x 1/2, 7.5) = 7.5, rounded
    down to 5 mg/day (a finding); maximum 40."""
    plan = _plan(product, CKD4_SEVERE)
    assert _doses(plan)[0] == (D(5),)
    assert max(s.regimen.daily_mg for s in plan.steps) == 25
    assert LOW not in {f.rule_id for f in plan.findings}
    plan = _plan(product, CKD4_MODERATE)
    assert _doses(plan)[0] == (D(5),)
    assert max(s.regimen.daily_mg for s in plan.steps) == 40
    rounded = [f for f in plan.findings if f.code == "ROUNDED_DOWN_RENAL"]
    assert [(f.values["raw"].value, f.values["given"].value) for f in rounded] == [
        (D(15, 2), D(5)),
        (D(15, 2), D(5)),
    ]  # the start (7.5 -> 5) and the step (7.5 -> 5)
    assert "RENAL_CHEONG_START" in {f.code for f in plan.findings}
    for step in plan.steps:
        assert all((d / 5).denominator == 1 for d in step.regimen.doses_mg)


def test_other_dialysis_plans_are_unchanged() -> None:
    """The default policy's dialysis plan with a liquid: 5 mg once a day, as before."""
    plan = plan_titration(
        start=START, target="max", patient=ON_DIALYSIS, product="1 mg/mL oral solution"
    )
    assert _doses(plan) == [(D(5),)]
    assert LOW not in plan.provenance.rule_ids


def test_the_planned_orders_check_clean() -> None:
    """Each planned step, checked as an order with its product: no hard finding, nothing to
    override; the low start is said (info), not flagged off the 5 mg grid."""
    plan = _plan("1 mg/mL oral solution")
    first = check_order(
        dose="2.5 mg",
        times_per_day=1,
        product="1 mg/mL oral solution",
        patient=ON_DIALYSIS,
        renal_policy="cheong2020",
    )
    assert first.hard == () and first.needs_override == ()
    codes = {f.code: f for f in first.findings}
    assert "OFF_GRID" not in codes and "NOT_GIVABLE" not in codes
    assert codes["RENAL_START_BELOW_GRID_ORDER"].severity == "info"
    second = check_order(
        dose="5 mg",
        times_per_day=1,
        previous="2.5 mg",
        previous_times_per_day=1,
        start=plan.steps[1].start,
        previous_start=plan.steps[0].start,
        product="1 mg/mL oral solution",
        patient=ON_DIALYSIS,
        renal_policy="cheong2020",
    )
    assert second.hard == () and second.needs_override == ()  # +2.5 mg/day back to the grid
    # The same order with a 5 mg tablet cannot be given; under the default policy (start
    # 5 mg/day) 2.5 mg stays off the grid; two doses of 1.25 mg are not the planner's split.
    tablet = check_order(
        dose="2.5 mg", times_per_day=1, product="5 mg tablet", patient=ON_DIALYSIS,
        renal_policy="cheong2020",
    )  # fmt: skip
    assert "NOT_GIVABLE" in {f.code for f in tablet.findings}
    default = check_order(dose="2.5 mg", times_per_day=1, patient=ON_DIALYSIS)
    assert "OFF_GRID" in {f.code for f in default.findings}
    split = check_order(
        dose="1.25 mg", times_per_day=2, patient=ON_DIALYSIS, renal_policy="cheong2020"
    )
    assert "OFF_GRID" in {f.code for f in split.findings}
    # An increase from 5 to 7.5 mg/day is not from the low start: the step minimum applies.
    later = check_order(
        dose="7.5 mg", times_per_day=1, previous="5 mg", previous_times_per_day=1,
        patient=ON_DIALYSIS, renal_policy="cheong2020",
    )  # fmt: skip
    assert "oral.adult.titration.step.min" in {f.rule_id for f in later.findings}


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["titrate", "--start", START, "--target", "max", "--age", "60", "--dialysis"]
    argv += ["--renal-policy", "cheong2020", "--product", "1 mg/mL oral solution"]
    assert main(argv) == 0
    out = " ".join(capsys.readouterr().out.split())  # the table wraps lines
    assert "take 2.5 mg (2.5 mL of 1 mg/mL) by mouth once a day" in out
    assert "take 5 mg (5 mL of 1 mg/mL) by mouth once a day" in out
    assert "(rule oral.renal.start.below_grid)" in out
    assert main([*argv[:-2], "--product", "5 mg tablet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baclofen-dose: error: --product:") and "Traceback" not in err
    assert "oral solution of 1 mg/mL" in err


def test_the_screen_agrees() -> None:
    """The bulk screen (a dialysis row takes the exact path) gives what the order check gives:
    the low start said as info, nothing off the grid, nothing hard."""
    pl = pytest.importorskip("polars")  # the [screen] extra, part of the test extra
    from baclofen_dose.check.screen import INPUT_COLUMNS, finding_rows, screen_orders

    row = dict.fromkeys(INPUT_COLUMNS) | {
        "order_id": "a",
        "times_per_day": 1,
        "product": "1 mg/mL oral solution",
        "units_per_dose": "2.5 mL",
        "age_years": 60,
        "dialysis": True,
    }
    frame = pl.DataFrame([row], schema_overrides={"dialysis": pl.Boolean})
    screened = screen_orders(frame, renal_policy="cheong2020", advice=True).findings
    direct = check_order(
        units_per_dose="2.5 mL",
        times_per_day=1,
        product="1 mg/mL oral solution",
        patient=Patient.from_inputs(
            age="60 years", sex=None, weight=None, height=None, scr=None, dialysis=True
        ),
        renal_policy="cheong2020",
    )
    expected = {(r["rule_id"], r["code"]) for r in finding_rows("a", direct)}
    got = set(zip(screened["rule_id"].to_list(), screened["code"].to_list(), strict=True))
    assert got == expected
    assert (LOW, "RENAL_START_BELOW_GRID_ORDER") in got
    assert "OFF_GRID" not in {code for _, code in got}
    assert "hard" not in screened["severity"].to_list()


def test_fewer_doses_from_the_rule_data_do_not_say_they_were_chosen() -> None:
    """A tester read "Fewer than 3 doses a day were chosen" on a dialysis plan where nobody
    chose a dose count: the kidney-function start made it once a day. The sentence says why."""
    plan = _plan("1 mg/mL oral solution")
    fewer = next(
        f for f in plan.findings if f.rule_id == "oral.adult.times_per_day.fewer_than_label"
    )
    text = finding_text(fewer)
    assert "chosen" not in text.replace("not chosen", "")
    assert text.startswith("The plan starts once a day, fewer than the label's 3 times a day.")
    assert "2.5 mg/day, is too small to split into 3 doses of 5 mg each" in text
    assert_clean([text])
    for shown in (table(plan), *(finding_text(f) for f in plan.findings)):
        assert "were chosen" not in shown
