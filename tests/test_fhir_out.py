"""FHIR out (issue 13, items 1 and 3): every resource the library writes validates with
fhir.resources (R4B and R5), and plan -> FHIR -> order -> check gives the same findings as
checking the plan's steps directly."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from fhir.resources import bundle as r5_bundle
from fhir.resources import medicationrequest as r5_request
from fhir.resources import operationoutcome as r5_outcome
from fhir.resources.R4B import bundle as r4_bundle
from fhir.resources.R4B import medicationrequest as r4_request
from fhir.resources.R4B import operationoutcome as r4_outcome
from hypothesis import example, given, settings
from hypothesis import strategies as st

import baclofen_dose as bd
from baclofen_dose.core.errors import HardLimitError, InputError, OverrideRequired
from baclofen_dose.interop.fhir import check_medication_request_steps, read_fhir_json
from baclofen_dose.render.fhir import to_fhir, to_fhir_json
from tests import strategies as s
from tests.ismp import assert_clean

MODELS = {
    ("R4", "MedicationRequest"): r4_request.MedicationRequest,
    ("R5", "MedicationRequest"): r5_request.MedicationRequest,
    ("R4", "Bundle"): r4_bundle.Bundle,
    ("R5", "Bundle"): r5_bundle.Bundle,
    ("R4", "OperationOutcome"): r4_outcome.OperationOutcome,
    ("R5", "OperationOutcome"): r5_outcome.OperationOutcome,
}
VERSIONS = ("R4", "R5")


def validated(result: object, version: str, **options: Any) -> dict[str, Any]:
    """Write ``result`` as FHIR JSON text, validate it with fhir.resources, return the data."""
    text = to_fhir_json(result, version=version, **options)
    data = json.loads(text, parse_float=Decimal)
    MODELS[version, data["resourceType"]].model_validate_json(text)
    assert_clean(_texts(data))
    return data


def _texts(data: Any) -> str:
    """Every human-readable string of a resource (text, patientInstruction, notes, details)."""
    found: list[str] = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in {"text", "patientInstruction", "detail", "display"}:
            found.append(node)

    walk(data)
    return "\n".join(found)


def _plans() -> dict[str, object]:
    return {
        "titration": bd.plan_titration(start="2026-01-05", target="60 mg/day"),
        "titration_80": bd.plan_titration(start="2026-01-05", target="80 mg/day"),
        "taper": bd.plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02"),
        "taper_tablets": bd.plan_taper(
            dose="20 mg", times_per_day=3, start="2026-03-02", product="10 mg tablet"
        ),
        "it_screening": bd.plan_screening(),
        "it_start": bd.plan_initial_dose(screening_dose="100 mcg", effect_duration="6 h"),
        "it_taper": bd.plan_intrathecal_taper(
            daily_dose="300 mcg/day", first_dose="100 mcg/day", start="2026-03-02"
        ),
        "it_titration": bd.titration_bounds(
            daily_dose="300 mcg/day", origin="spinal", proposed="330 mcg/day"
        ),
        "check": bd.check_order(dose="25 mg", times_per_day=3),
        "check_it": bd.check_intrathecal_order(
            daily_dose="300 mcg/day", previous_daily_dose="200 mcg/day"
        ),
    }


PLANS = _plans()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(PLANS))
def test_every_resource_written_validates(name: str, version: str) -> None:
    data = validated(PLANS[name], version)
    if name.startswith("check"):
        assert data["resourceType"] == "Bundle"
        kinds = [e["resource"]["resourceType"] for e in data["entry"]]
        # One DetectedIssue per finding, then what was not assessed (when anything was).
        not_assessed = PLANS[name].not_assessed
        assert kinds == ["DetectedIssue"] * len(PLANS[name].findings) + (
            ["OperationOutcome"] if not_assessed else []
        )
        if not_assessed:
            issues = data["entry"][-1]["resource"]["issue"]
            assert [i["code"] for i in issues] == ["incomplete"] * len(not_assessed)
        outcome = validated(PLANS[name], version, form="OperationOutcome")
        assert outcome["issue"]
    else:
        assert data["resourceType"] == "MedicationRequest"
        medication = (
            data["medicationCodeableConcept"] if version == "R4" else data["medication"]["concept"]
        )
        assert medication["text"].startswith("baclofen")


def test_must_show_the_label_titration_as_four_sequenced_dosages() -> None:
    """Issue 13 "Must show": titrate to 60 mg/day as FHIR R4: 4 sequenced Dosages, UCUM mg,
    3 times a day, 3-day steps from 5 January 2026, the last open-ended (US label: 5 mg 3 times
    a day, up 15 mg/day every 3 days; maximum 80 mg/day, 20 mg a dose)."""
    data = validated(PLANS["titration"], "R4")
    dosages = data["dosageInstruction"]
    assert [d["sequence"] for d in dosages] == [1, 2, 3, 4]
    doses = [d["doseAndRate"][0]["doseQuantity"] for d in dosages]
    assert [q["value"] for q in doses] == [5, 10, 15, 20]
    assert {(q["system"], q["code"]) for q in doses} == {("http://unitsofmeasure.org", "mg")}
    repeats = [d["timing"]["repeat"] for d in dosages]
    assert {(r["frequency"], r["period"], r["periodUnit"]) for r in repeats} == {(3, 1, "d")}
    assert [r["boundsPeriod"] for r in repeats] == [
        {"start": "2026-01-05", "end": "2026-01-07"},
        {"start": "2026-01-08", "end": "2026-01-10"},
        {"start": "2026-01-11", "end": "2026-01-13"},
        {"start": "2026-01-14"},
    ]
    assert dosages[0]["maxDosePerPeriod"]["numerator"]["value"] == 80
    assert dosages[0]["maxDosePerPeriod"]["denominator"]["code"] == "d"
    assert dosages[0]["maxDosePerAdministration"]["value"] == 20
    assert dosages[0]["route"]["coding"][0]["code"] == "26643006"
    assert dosages[0]["patientInstruction"] == (
        "Take 5 mg by mouth 3 times a day from Mon 5 January 2026 to Wed 7 January 2026."
    )
    r5 = validated(PLANS["titration"], "R5")
    assert isinstance(r5["dosageInstruction"][0]["maxDosePerPeriod"], list)


def test_the_taper_dispenses_what_the_plan_dispenses() -> None:
    plan = PLANS["taper_tablets"]
    data = validated(plan, "R4")
    (line,) = plan.supply.dispense  # type: ignore[attr-defined]
    assert data["dispenseRequest"]["quantity"] == {"value": line.dispensed, "unit": "tablet"}
    assert data["dispenseRequest"]["expectedSupplyDuration"]["value"] == line.days
    assert data["dispenseRequest"]["expectedSupplyDuration"]["code"] == "d"
    assert "end" in data["dosageInstruction"][-1]["timing"]["repeat"]["boundsPeriod"]
    notes = [n["text"] for n in data["note"]]
    assert any("suddenly" in n or "abrupt" in n.lower() for n in notes)


def test_an_open_ended_titration_dispenses_its_dated_steps_and_says_so() -> None:
    """Titration to 60 mg/day with 10 mg tablets: 27 tablets for 5 to 13 January 2026 (9 days:
    half, one and one and a half tablets 3 times a day, 3 days each), then 6 tablets a day
    for the open-ended last step, which only the note can say."""
    plan = bd.plan_titration(start="2026-01-05", target="60 mg/day", product=["10 mg tablet"])
    data = validated(plan, "R4")
    assert data["dispenseRequest"]["quantity"] == {"value": 27, "unit": "tablet"}
    assert data["dispenseRequest"]["expectedSupplyDuration"]["value"] == 9
    notes = [n["text"] for n in data["note"]]
    assert any(n.startswith("To dispense: ") and "6 tablets a day" in n for n in notes)


def test_the_screening_boluses_are_three_sequenced_single_doses() -> None:
    """Screening (label): 50, 75 then 100 mcg, each once, 24 hours or more apart; written
    as doseQuantity in ug, which the reader refuses (a bolus is not a daily dose to check)."""
    data = validated(PLANS["it_screening"], "R4")
    dosages = data["dosageInstruction"]
    assert [d["doseAndRate"][0]["doseQuantity"]["value"] for d in dosages] == [50, 75, 100]
    assert {d["doseAndRate"][0]["doseQuantity"]["code"] for d in dosages} == {"ug"}
    assert [d["timing"] for d in dosages] == [{"repeat": {"count": 1}}] * 3
    assert dosages[1]["text"].startswith("Bolus 2: 75 mcg intrathecal (1.5 mL of 50 mcg/mL)")
    with pytest.raises(InputError) as caught:
        read_fhir_json(to_fhir_json(PLANS["it_screening"]))
    assert caught.value.field == "dosageInstruction[0].timing.repeat.count"


def test_an_intrathecal_order_is_a_daily_rate_in_ug_per_day_shown_in_mcg() -> None:
    data = validated(PLANS["it_taper"], "R5")
    rates = [d["doseAndRate"][0]["rateQuantity"] for d in data["dosageInstruction"]]
    assert {(r["code"], r["unit"]) for r in rates} == {("ug/d", "mcg/day")}
    assert data["dosageInstruction"][0]["route"]["coding"][0]["code"] == "72607000"
    with pytest.raises(InputError):
        to_fhir(bd.titration_bounds(daily_dose="300 mcg/day", origin="spinal"))


def test_a_detected_issue_names_its_rule_and_source() -> None:
    data = validated(PLANS["check"], "R4")
    issue = data["entry"][0]["resource"]
    assert issue["code"]["coding"][0]["code"] == "oral.adult.max_dose.us_label"
    assert issue["severity"] == "moderate"
    assert issue["reference"].startswith("https://dailymed.nlm.nih.gov/")
    assert "25 mg" in issue["detail"]
    acknowledged = bd.check_order(
        dose="25 mg", times_per_day=3, overrides={"oral.adult.max_dose.us_label": "specialist"}
    )
    issue = validated(acknowledged, "R5")["entry"][0]["resource"]
    assert issue["mitigation"] == [{"action": {"text": "specialist"}}]


def test_unknown_results_and_versions_are_refused() -> None:
    with pytest.raises(InputError):
        to_fhir(PLANS["titration"], version="R3")
    with pytest.raises(TypeError):
        to_fhir("a plan")
    with pytest.raises(InputError):
        to_fhir(PLANS["check"], form="Flag")


def _direct(plan: Any, **kwargs: Any) -> list[Any]:
    """Check each step of a plan directly (no FHIR): doses, start, the step before."""
    results = []
    previous = None
    for step in plan.steps:
        args: dict[str, Any] = {
            "doses": [s.mg(d, per_day=False) for d in step.regimen.doses_mg],
            "start": step.start,
        }
        if previous is not None:
            args["previous_doses"] = [s.mg(d, per_day=False) for d in previous.regimen.doses_mg]
            args["previous_start"] = previous.start
        results.append(bd.check_order(**args, **kwargs))
        previous = step
    return results


def _round_trip(plan: Any, version: str, **kwargs: Any) -> None:
    text = to_fhir_json(plan, version=version)
    (order,) = read_fhir_json(text)
    assert order.version == version
    via_fhir = check_medication_request_steps(json.loads(text, parse_float=Decimal), **kwargs)
    direct = _direct(plan, **kwargs)
    assert [r.findings for r in via_fhir] == [r.findings for r in direct]
    assert [r.not_assessed for r in via_fhir] == [r.not_assessed for r in direct]


@settings(max_examples=40, deadline=None)
@given(
    first=s.dates,
    target=s.grid_targets,
    times=s.times,
    policy=s.policies,
    version=st.sampled_from(VERSIONS),
)
@example(date(2026, 1, 5), Fraction(60), None, "us_label", "R4")
@example(date(2026, 1, 5), Fraction(100), 4, "inpatient_supervised", "R5")
def test_round_trip_titration_gives_the_same_findings(
    first: date, target: Fraction, times: int | None, policy: str, version: str
) -> None:
    try:
        plan = bd.plan_titration(
            start=first, target=s.mg(target), times_per_day=times, max_policy=policy
        )
    except (HardLimitError, OverrideRequired, InputError):
        return
    overrides = {o.rule_id: o.reason for o in plan.overrides} or None
    _round_trip(plan, version, max_policy=policy, overrides=overrides)


@settings(max_examples=30, deadline=None)
@given(first=s.dates, doses=s.current_doses, version=st.sampled_from(VERSIONS))
@example(date(2026, 3, 2), [Fraction(10), Fraction(20)], "R4")
@example(date(2026, 3, 2), [Fraction(20)] * 3, "R5")
def test_round_trip_taper_gives_the_same_findings(
    first: date, doses: list[Fraction], version: str
) -> None:
    try:
        unequal = len(set(doses)) > 1
        plan = bd.plan_taper(
            doses=[s.mg(d, per_day=False) for d in doses] if unequal else None,
            dose=None if unequal else s.mg(doses[0], per_day=False),
            times_per_day=None if unequal else len(doses),
            start=first,
        )
    except (HardLimitError, OverrideRequired, InputError):
        return
    overrides = {o.rule_id: o.reason for o in plan.overrides} or None
    _round_trip(plan, version, overrides=overrides)


def test_the_fhir_guide_examples_run() -> None:
    """docs/fhir.md: every pycon example runs as written, every named baclofen_dose object
    exists, and the page passes the ISMP lint."""
    import doctest
    import re
    from pathlib import Path

    from tests.test_docs_api import DOTTED, PYCON, _resolves

    page = Path(__file__).resolve().parent.parent / "docs" / "fhir.md"
    text = page.read_text(encoding="utf-8")
    assert not [name for name in set(DOTTED.findall(text)) if not _resolves(name)]
    blocks = PYCON.findall(text)
    test = doctest.DocTestParser().get_doctest("\n".join(blocks), {}, "fhir.md", str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 10
    assert result.failed == 0
    # Prose only: code blocks and inline code hold UCUM codes ("ug"), which the lint refuses
    # in text meant for people.
    assert_clean(re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.DOTALL)))


@settings(max_examples=20, deadline=None)
@given(current=s.it_daily_ok, version=st.sampled_from(VERSIONS))
@example(Fraction(300), "R4")
def test_round_trip_intrathecal_taper_gives_the_same_findings(
    current: Fraction, version: str
) -> None:
    """An intrathecal taper read back from FHIR and checked step by step gives the findings
    of checking each step directly (previous daily dose and the hours between the steps)."""
    try:
        plan = bd.plan_intrathecal_taper(
            daily_dose=f"{numeric_text(current)} mcg/day", first_dose="50 mcg/day", start="2026-03-02"
        )
    except (HardLimitError, OverrideRequired, InputError):
        return
    text = to_fhir_json(plan, version=version)
    via_fhir = check_medication_request_steps(json.loads(text, parse_float=Decimal))
    direct = []
    for i, step in enumerate(plan.steps):
        args: dict[str, Any] = {"daily_dose": f"{numeric_text(step.daily_mcg)} mcg/day"}
        if i:
            before = plan.steps[i - 1]
            args["previous_daily_dose"] = f"{numeric_text(before.daily_mcg)} mcg/day"
            args["hours_since_previous"] = f"{(step.start - before.start).days * 24} hours"
        direct.append(bd.check_intrathecal_order(**args))
    assert [r.findings for r in via_fhir] == [r.findings for r in direct]


def numeric_text(value: Fraction) -> str:
    return s.mg(value, per_day=False).removesuffix(" mg")


@pytest.mark.parametrize(
    ("age", "scr", "target"),
    [("45 years", "0.9 mg/dL", "60 mg/day"), ("70 years", "3 mg/dL", "30 mg/day")],
)
def test_round_trip_with_a_patient_gives_the_same_findings(age: str, scr: str, target: str) -> None:
    """A plan made for a patient (kidney function from creatinine) read back from FHIR and
    checked with the same patient gives the findings of checking its steps directly: the
    patient travels beside the resource (as in a CDS Hooks prefetch), never inside it."""
    patient = bd.Patient.from_inputs(
        age=age, sex="female", weight="60 kg", height="165 cm", scr=scr, dialysis=False
    )
    try:
        plan = bd.plan_titration(start="2026-01-05", target=target, patient=patient)
    except OverrideRequired as exc:
        plan = bd.plan_titration(
            start="2026-01-05",
            target=target,
            patient=patient,
            overrides={c.rule_id: "test" for c in exc.crossings},
        )
    overrides = {o.rule_id: o.reason for o in plan.overrides} or None
    for version in VERSIONS:
        _round_trip(plan, version, patient=patient, overrides=overrides)
    # The patient's own daily maximum, never the label's 80 mg/day, bounds the resource.
    adjusted = [a.after for a in plan.adjustments if a.what == "maximum"]
    written = to_fhir(plan)["dosageInstruction"][0]["maxDosePerPeriod"]["numerator"]["value"]
    assert written == (min(adjusted) if adjusted else 80)


def test_a_renal_plan_writes_the_renal_maximum_not_the_label_one() -> None:
    """70-year-old woman, 60 kg, creatinine 3 mg/dL: Cockcroft-Gault (140 - 70) x 60 / (72 x 3)
    x 0.85 = 16.5 mL/min, severe impairment: the Vlavonou 2014 policy takes a third of the usual
    maximum, 80 / 3 = 26.7, floored to the 5 mg grid: 25 mg/day. The resource says 25, not 80."""
    patient = bd.Patient.from_inputs(
        age="70 years",
        sex="female",
        weight="60 kg",
        height="165 cm",
        scr="3 mg/dL",
        dialysis=False,
    )
    plan = bd.plan_titration(start="2026-01-05", target="25 mg/day", patient=patient)
    data = validated(plan, "R5")
    limit = data["dosageInstruction"][0]["maxDosePerPeriod"][0]["numerator"]
    assert (limit["value"], limit["code"]) == (25, "mg")
