"""The adolescent policy in the order check, the screen and the service (issue 10, left items):
a patient of 12 to under 18 planned on the US adult label ladder (clinical.md 5.1 and 16
"Adolescents") is checked against the same limits, and the ladder's kidney handling."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baclofen_dose import default_rules
from baclofen_dose.check import check_order
from baclofen_dose.check.screen import screen_orders
from baclofen_dose.cli import main
from baclofen_dose.core.errors import BaclofenDoseError, InputError, MissingInputError
from baclofen_dose.interop.hooks import HooksConfig, handle_hook
from baclofen_dose.oral.patient import Patient
from baclofen_dose.oral.titration import plan_titration
from baclofen_dose.render.messages import finding_text
from tests import strategies as s
from tests.ismp import assert_clean

RULES = default_rules()
START = "2026-12-01"
LADDER = "us_adult_label"
FROM_AGE = RULES["population.adolescent.us_label_from"].require_value()


def teen(
    age: str = "15 years",
    weight: str | None = "60 kg",
    scr: str | None = None,
    dialysis: bool | None = None,
) -> Patient:
    return Patient.from_inputs(
        age=age, sex="male", weight=weight, height=None, scr=scr, dialysis=dialysis
    )


def test_80_mg_a_day_at_15_is_allowed_on_the_ladder_and_hard_on_the_child_profile() -> None:
    """The planner plans 15, 30, 45, 60 and 80 mg/day at 15 years under us_adult_label; the
    check of 20 mg 4 times a day agrees under the same policy, and without it the child
    profile's hard maximum from 8 years (oral.child.max_daily.from_8) still applies."""
    plan = plan_titration(start=START, target="max", patient=teen(), adolescent_policy=LADDER)
    assert [s.regimen.daily_mg for s in plan.steps][-1] == 80
    on_ladder = check_order(dose="20 mg", times_per_day=4, patient=teen(), adolescent_policy=LADDER)
    assert on_ladder.hard == ()
    assert on_ladder.needs_override == ()
    assert "ADOLESCENT_US_LADDER" in {f.code for f in on_ladder.findings}
    inputs = dict(on_ladder.provenance.inputs)
    assert inputs["adolescent_policy"] == LADDER
    assert inputs["max_policy"] == "us_label"
    child_profile = check_order(dose="20 mg", times_per_day=4, patient=teen())
    assert [f.rule_id for f in child_profile.hard] == ["oral.child.max_daily.from_8"]
    explicit = check_order(
        dose="20 mg", times_per_day=4, patient=teen(), adolescent_policy="weight_based"
    )
    assert [f.rule_id for f in explicit.hard] == ["oral.child.max_daily.from_8"]
    for finding in on_ladder.findings:
        assert_clean(finding_text(finding))


def test_the_ladder_keeps_the_adult_hard_maximum() -> None:
    """Above the adult label the ladder's check is the adult one: 35 mg 4 times a day
    (140 mg/day) crosses oral.adult.max_daily.hard, as for an adult."""
    result = check_order(dose="35 mg", times_per_day=4, patient=teen(), adolescent_policy=LADDER)
    assert "oral.adult.max_daily.hard" in {f.rule_id for f in result.hard}


@pytest.mark.parametrize(
    ("patient", "kwargs", "field", "code"),
    [
        (teen(age="11 years", weight="40 kg"), {}, "adolescent_policy", "E_OUT_OF_SCOPE"),
        (teen(age="40 years"), {}, "adolescent_policy", "E_OUT_OF_SCOPE"),
        (teen(), {"adolescent_policy": "bogus"}, "adolescent_policy", "E_POLICY"),
        (teen(dialysis=True, scr="1 mg/dL"), {}, "adolescent_policy", "E_OUT_OF_SCOPE"),
        (teen(), {"renal_policy": "vlavonou2014"}, "renal_policy", "E_OUT_OF_SCOPE"),
        (teen(), {"weight_policy": "actual"}, "weight_policy", "E_OUT_OF_SCOPE"),
        (None, {}, "adolescent_policy", "E_NO_PATIENT"),
        (teen(), {"max_policy": "uk_outpatient"}, "max_policy", "E_POLICY"),
        (teen(age="13 years"), {"max_policy": "inpatient_supervised"}, "max_policy", "E_POLICY"),
    ],
)
def test_plan_and_check_refuse_the_same_policy_inputs(
    patient: Patient | None, kwargs: dict[str, Any], field: str, code: str
) -> None:
    """Same validation and error in the planner and the check: outside 12 to under 18, a
    policy the rule data does not offer, dialysis (rule oral.adolescent.dialysis_not_planned:
    no dose under 18 on dialysis in any source), the adult renal policies, no patient."""
    args = {"adolescent_policy": LADDER, **kwargs}
    with pytest.raises(InputError) as planned:
        plan_titration(start=START, target="max", patient=patient, **args)
    with pytest.raises(InputError) as checked:
        check_order(dose="5 mg", times_per_day=3, patient=patient, **args)
    for caught in (planned.value, checked.value):
        assert (caught.field, caught.code) == (field, code)
    assert str(planned.value) == str(checked.value)


@pytest.mark.parametrize("policy", ["uk_outpatient", "inpatient_supervised"])
def test_the_ladder_goes_with_the_us_label_maximum_only(
    policy: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by a fresh tester (SAFETY): at 13 on the ladder, 120 mg/day (inpatient_supervised)
    or 100 mg/day (uk_outpatient) was checked with info findings only, and a 15-year-old's plan
    reached 120 mg/day. The ladder is the US label's: its maximum is the US label's 80 mg/day
    (oral.adult.max_daily.us_label); the other policies are adult figures, refused with it in
    the planner and the check alike, naming both options; us_label given explicitly is taken."""
    for patient in (teen(age="13 years"), teen(age="15 years")):
        with pytest.raises(InputError) as planned:
            plan_titration(
                start=START, target="max", patient=patient, adolescent_policy=LADDER,
                max_policy=policy,
            )  # fmt: skip
        with pytest.raises(InputError) as checked:
            check_order(
                dose="30 mg", times_per_day=4, patient=patient, adolescent_policy=LADDER,
                max_policy=policy,
            )  # fmt: skip
        for caught in (planned.value, checked.value):
            assert (caught.field, caught.code) == ("max_policy", "E_POLICY")
            assert "adolescent_policy us_adult_label" in str(caught)
    explicit = check_order(
        dose="30 mg", times_per_day=4, patient=teen(), adolescent_policy=LADDER,
        max_policy="us_label",
    )  # fmt: skip
    assert "oral.adult.max_daily.us_label" in explicit.needs_override  # 120 mg/day: soft
    plan = plan_titration(
        start=START, target="max", patient=teen(), adolescent_policy=LADDER, max_policy="us_label"
    )
    assert plan.steps[-1].regimen.daily_mg == 80
    base = ["check", "--dose", "30 mg", "--times-per-day", "4", "--age", "13"]
    assert main([*base, "--adolescent-policy", LADDER, "--max-policy", policy]) == 2
    err = capsys.readouterr().err
    assert "--max-policy" in err
    assert "--adolescent-policy us_adult_label" in err
    assert "Traceback" not in err
    assert main(["titrate", "--start", START, "--target", "max", "--age", "15",
                 "--adolescent-policy", LADDER, "--max-policy", policy]) == 2  # fmt: skip
    assert "--adolescent-policy us_adult_label" in capsys.readouterr().err


def test_an_unknown_age_with_the_policy_is_missing_not_assumed() -> None:
    patient = Patient.from_inputs(
        age=None, sex="male", weight="60 kg", height=None, scr=None, dialysis=None
    )
    with pytest.raises(MissingInputError) as caught:
        check_order(dose="5 mg", times_per_day=3, patient=patient, adolescent_policy=LADDER)
    assert caught.value.field == "patient.age"


def test_the_ladder_says_kidney_function_was_not_assessed() -> None:
    """Issue 10 left item 2: the ladder used to plan without the adolescent's kidney values.
    No source gives a renal rule under 18 (clinical.md 3, 5.1; Cockcroft-Gault and CKD-EPI
    2021 are adult equations), so the creatinine is not used and the plan says so, as the
    child profile does (oral.child.renal_not_assessed); the check agrees, and without any
    kidney value the check says it was not given."""
    patient = teen(scr="2.5 mg/dL", dialysis=False)
    plan = plan_titration(start=START, target="max", patient=patient, adolescent_policy=LADDER)
    assert "oral.child.renal_not_assessed" in {f.rule_id for f in plan.findings}
    assert "oral.child.renal_not_assessed" in plan.provenance.rule_ids
    checked = check_order(dose="5 mg", times_per_day=3, patient=patient, adolescent_policy=LADDER)
    assert "oral.child.renal_not_assessed" in {f.rule_id for f in checked.findings}
    bare = check_order(dose="5 mg", times_per_day=3, patient=teen(), adolescent_policy=LADDER)
    assert "CHILD_KIDNEY_NOT_GIVEN" in {n.code for n in bare.not_assessed}
    no_scr = plan_titration(start=START, target="max", patient=teen(), adolescent_policy=LADDER)
    assert "oral.child.renal_not_assessed" not in {f.rule_id for f in no_scr.findings}


@given(
    age=st.integers(min_value=2, max_value=17),
    weight=st.sampled_from(["14 kg", "25 kg", "40 kg", "60 kg", "90 kg"]),
    scr=st.sampled_from([None, "0.5 mg/dL", "2 mg/dL"]),
    target=st.integers(min_value=1, max_value=16).map(lambda k: s.mg(Fraction(5 * k))),
    ladder=st.booleans(),
)
@example(age=15, weight="60 kg", scr=None, target="80 mg/day", ladder=True)
@example(age=12, weight="40 kg", scr="2 mg/dL", target="80 mg/day", ladder=True)
def test_every_planned_step_checks_clean_under_the_same_policy(
    age: int, weight: str, scr: str | None, target: str, ladder: bool
) -> None:
    """Planner and check agree (design.md "Plan vs check") for children and adolescents: every
    step of a plan made under a policy checks with no hard and no un-acknowledged soft
    finding under the same policy (the ladder only from 12 years)."""
    patient = teen(age=f"{age} years", weight=weight, scr=scr)
    policy = LADDER if ladder and age >= FROM_AGE else None
    try:
        plan = plan_titration(
            start=START, target=target, patient=patient, adolescent_policy=policy
        )
    except BaclofenDoseError:
        return  # a target the profile refuses is no plan to check
    previous = None
    for step in plan.steps:
        extra = (
            {}
            if previous is None
            else {
                "previous_doses": [s.mg(d, per_day=False) for d in previous.regimen.doses_mg],
                "previous_start": previous.start,
            }
        )
        result = check_order(
            doses=[s.mg(d, per_day=False) for d in step.regimen.doses_mg],
            start=step.start,
            patient=patient,
            adolescent_policy=policy,
            **extra,
        )
        assert result.hard == ()
        assert result.needs_override == ()
        previous = step


def test_cli_check_takes_the_adolescent_policy(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["check", "--dose", "20 mg", "--times-per-day", "4", "--age", "15 years"]
    base += ["--sex", "male", "--weight", "60 kg", "--format", "json"]
    assert main([*base, "--adolescent-policy", LADDER]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not [f for f in data["findings"] if f["severity"] == "hard"]
    assert main([*base, "--adolescent-policy", LADDER, "--dialysis"]) == 2
    err = capsys.readouterr().err
    assert "--adolescent-policy" in err
    assert "Traceback" not in err


def test_the_screen_passes_the_policy_to_adolescent_rows_only() -> None:
    """A screen-wide policy reaches the rows of patients aged 12 to under 18 (judged by the
    exact check, as every child row is); an adult's or a 10-year-old's row is not refused for
    it."""
    frame = pl.DataFrame(
        {
            "order_id": [1, 2, 3],
            "dose": [20, 20, 5],
            "dose_unit": ["mg", "mg", "mg"],
            "times_per_day": [4, 4, 3],
            "age_years": [15, 40, 10],
            "sex": ["male", "male", "male"],
            "weight_kg": [60, 80, 30],
        }
    )
    plain = screen_orders(frame)
    ladder = screen_orders(frame, adolescent_policy=LADDER)
    assert ladder.summary.rows_invalid == 0
    assert ladder.summary.rows_exact == plain.summary.rows_exact == 2  # children: exact path

    def hard(result: Any) -> set[tuple[str, str]]:
        out = result.findings.filter(pl.col("severity") == "hard")
        return {(str(i), r) for i, r in zip(out["order_id"], out["rule_id"], strict=True)}

    assert ("1", "oral.child.max_daily.from_8") in hard(plain)
    assert not {h for h in hard(ladder) if h[0] == "1"}
    with pytest.raises(InputError) as caught:
        screen_orders(frame, adolescent_policy="bogus")  # refused once, not row by row
    assert caught.value.code == "E_POLICY"


DATA = Path(__file__).resolve().parent / "data" / "cds_hooks"


def _teen_request() -> dict[str, Any]:
    request: dict[str, Any] = json.loads(
        (DATA / "order-sign-renal.json").read_text(encoding="utf-8")
    )
    request["prefetch"]["patient"]["birthDate"] = "2011-03-10"  # 15 on 2026-11-29
    request["prefetch"]["creatinine"]["entry"] = []
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    draft["dosageInstruction"][0]["text"] = "20 mg by mouth 4 times a day"
    draft["dosageInstruction"][0]["timing"]["repeat"]["frequency"] = 4
    draft["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] = 20
    return request


def test_the_service_applies_its_adolescent_policy() -> None:
    """The institution's policy (HooksConfig.adolescent_policy, ``serve --adolescent-policy``)
    reaches the check for a patient of 15; without it the child profile's maximum is a
    critical card."""
    default = handle_hook("baclofen-order-sign", _teen_request())["cards"]
    assert any(c["indicator"] == "critical" for c in default)
    config = HooksConfig(adolescent_policy=LADDER)
    ladder = handle_hook("baclofen-order-sign", _teen_request(), config=config)["cards"]
    assert not any(c["indicator"] == "critical" for c in ladder)
    with pytest.raises(InputError):
        HooksConfig(adolescent_policy="bogus")


def test_ladder_results_survive_their_json_round_trip() -> None:
    """The reader re-checks and re-plans from the recorded inputs (adolescent_policy and the
    maximum policy of the ladder included), so a result read back is the result written."""
    from baclofen_dose.render.protocol import from_json, to_json

    patient = teen(scr="0.7 mg/dL")
    checked = check_order(
        dose="20 mg", times_per_day=4, patient=patient, adolescent_policy=LADDER
    )
    assert from_json(to_json(checked)) == checked
    plan = plan_titration(start=START, target="max", patient=patient, adolescent_policy=LADDER)
    assert from_json(to_json(plan)) == plan


def test_the_service_does_not_use_the_ladder_on_dialysis_and_says_so() -> None:
    """A 15-year-old with Z99.2 at a site set to us_adult_label: the ladder is refused on
    dialysis (oral.adolescent.dialysis_not_planned), so the order is judged on the child
    profile (a critical card for 80 mg/day) and an information card says why; the draft is
    still checked."""
    request = _teen_request()
    request["prefetch"]["conditions"]["entry"] = [
        {"resource": {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"}]},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z99.2"}]},
        }}
    ]  # fmt: skip
    config = HooksConfig(adolescent_policy=LADDER)
    cards = handle_hook("baclofen-order-sign", request, config=config)["cards"]
    text = "\n".join(c["summary"] + "\n" + c["detail"] for c in cards)
    assert "Baclofen order not checked" not in text  # the draft is judged, not refused
    assert any(c["indicator"] == "critical" for c in cards)
    assert "oral.adolescent.dialysis_not_planned" in text
    assert "oral.child.dialysis_not_assessed" in text  # dialysis named as not assessed
    assert_clean(text)
