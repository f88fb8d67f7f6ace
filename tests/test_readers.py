"""Every reader re-validates (issue 9 item 1; HZ-17): a saved result is planned again from its
recorded inputs and must come out identical; a result made with another rule set is refused
unless that rule set is given; malformed JSON is a typed error. And the one result protocol
(issue 8 item 3): ``from_json(to_json(r)) == r`` for every result type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import baclofen_dose as bd
from baclofen_dose import HardLimitError, InputError, InputTypeError
from baclofen_dose.cli import main
from baclofen_dose.render import protocol

START = "2026-01-05"


def _patient(**extra: Any) -> bd.Patient:
    return bd.Patient.from_inputs(
        age="72 years",
        sex="female",
        weight="70 kg",
        height="165 cm",
        scr="1.4 mg/dL",
        dialysis=False,
        **extra,
    )


RESULTS: dict[str, Callable[[], Any]] = {
    "titration": lambda: bd.plan_titration(start=START, target="60 mg/day"),
    "titration, patient and product": lambda: bd.plan_titration(
        start=START, target="max", patient=_patient(), product="10 mg tablet"
    ),
    "titration, override": lambda: bd.plan_titration(
        start=START,
        target="100 mg/day",
        overrides={
            "oral.adult.max_daily.us_label": "inpatient, supervised",
            "oral.adult.max_dose.us_label": "inpatient, supervised",
        },
    ),
    "child titration": lambda: bd.plan_titration(
        start=START,
        target="max",
        patient=bd.Patient.from_inputs(
            age="6 years", sex="male", weight="20 kg", height=None, scr=None, dialysis=False
        ),
    ),
    "taper": lambda: bd.plan_taper(dose="20 mg", times_per_day=3, start=START),
    "renal report": lambda: bd.renal_report(_patient()),
    "screening": lambda: bd.plan_screening(),
    "first intrathecal dose": lambda: bd.plan_initial_dose(
        screening_dose="100 mcg", effect_duration="6 hours"
    ),
    "intrathecal titration": lambda: bd.titration_bounds(daily_dose="300 mcg/day", origin="spinal"),
    "pump refill": lambda: bd.plan_refill(
        reservoir="40 mL",
        concentration="2000 mcg/mL",
        daily_dose="400 mcg/day",
        alarm_volume="2 mL",
        start=START,
    ),
}


@pytest.mark.req("SAF-04", "SAF-22")
@pytest.mark.parametrize("name", sorted(RESULTS))
def test_every_result_round_trips_through_the_one_protocol(name: str) -> None:
    try:
        result = RESULTS[name]()
    except TypeError as exc:  # a planner's keywords changed: the test must be updated
        pytest.fail(f"{name}: {exc}")
    text = bd.to_json(result)
    assert bd.from_json(text) == result
    assert json.loads(text)["schema"] == result.schema
    assert result.route in ("oral", "intrathecal")
    assert bd.to_json(bd.from_json(text)) == text


def test_missed_dose_advice_round_trips() -> None:
    plan = bd.plan_titration(start=START, target="60 mg/day")
    advice = bd.advise_missed_dose(
        plan,
        times=["08:00", "14:00", "20:00"],
        day="2026-01-06",
        missed_at="08:00",
        now_day="2026-01-06",
        now_at="09:00",
    )
    assert bd.from_json(bd.to_json(advice)) == advice


def test_every_registered_schema_is_covered() -> None:
    assert len(protocol.schemas()) >= 9


def _plan_data() -> dict[str, Any]:
    plan = bd.plan_titration(start=START, target="60 mg/day")
    data: dict[str, Any] = json.loads(bd.to_json(plan), parse_float=str)
    return data


def _read(data: dict[str, Any]) -> Any:
    return bd.from_json(json.dumps(data))


@pytest.mark.req("SAF-19")
def test_an_edited_dose_is_refused_by_the_limit_it_crosses() -> None:
    data = _plan_data()
    for dose in data["steps"][0]["doses"]:
        dose["value"] = 500
    data["steps"][0]["daily_dose"]["value"] = 1500
    with pytest.raises(HardLimitError) as caught:
        _read(data)
    assert caught.value.rule_id == "oral.adult.max_daily.hard"
    assert "steps[0]" in str(caught.value)


@pytest.mark.parametrize(
    "edit",
    [
        "dose within limits",
        "findings emptied",
        "step end removed",
        "overlapping steps",
        "start moved",
        "rule ids edited",
        "override reason added",
    ],
)
def test_a_plan_edited_in_any_way_is_refused(edit: str) -> None:
    data = _plan_data()
    steps = data["steps"]
    if edit == "dose within limits":
        for dose in steps[0]["doses"]:
            dose["value"] = 10
        steps[0]["daily_dose"]["value"] = 30
    elif edit == "findings emptied":
        data["findings"] = []
    elif edit == "step end removed":
        steps[0]["end"] = None
    elif edit == "overlapping steps":
        steps[1]["start"] = steps[0]["start"]
    elif edit == "start moved":
        steps[0]["start"] = "2026-01-04"
    elif edit == "rule ids edited":
        steps[0]["rule_ids"] = steps[0]["rule_ids"][:1]
    elif edit == "override reason added":
        data["overrides"] = [{"rule_id": "oral.adult.max_daily.us_label", "reason": "x"}]
    with pytest.raises(bd.BaclofenDoseError):
        _read(data)


def test_a_plan_from_another_rule_set_needs_that_rule_set(tmp_path: Path) -> None:
    bundled = (Path(bd.__file__).parent / "core" / "rules" / "baclofen.toml").read_text()
    custom_path = tmp_path / "custom.toml"
    custom_path.write_text(bundled.replace('version = "', 'version = "9', 1), encoding="utf-8")
    custom = bd.load_rules(custom_path)
    assert custom.sha256 != bd.default_rules().sha256
    plan = bd.plan_titration(start=START, target="60 mg/day", rules=custom)
    text = bd.to_json(plan)
    with pytest.raises(InputError) as caught:
        bd.from_json(text)
    assert caught.value.code == "E_RULESET_MISMATCH"
    assert bd.from_json(text, rules=custom) == plan


@pytest.mark.parametrize(
    "source",
    [
        None,
        42,
        "",
        "[]",
        "{}",
        '{"schema": "baclofen-dose/oral-plan/1"}',
        '{"schema": "x", "schema": "y"}',
        b"\xff",
        "[" * 100 + "]" * 100,
    ],
)
def test_malformed_documents_are_typed_errors(source: object) -> None:
    with pytest.raises((InputError, InputTypeError)):
        bd.from_json(source)  # type: ignore[arg-type]


def test_to_json_of_a_non_result_is_a_typed_error() -> None:
    for value in (42, "plan", None, {"schema": "x"}):
        with pytest.raises(InputTypeError):
            bd.to_json(value)


def test_cli_refuses_the_edited_plan_and_accepts_the_unedited_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _plan_data()
    good = tmp_path / "plan.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    for dose in data["steps"][0]["doses"]:
        dose["value"] = 500
    data["steps"][0]["daily_dose"]["value"] = 1500
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    args = ["--times", "08:00,14:00,20:00", "--missed", "2026-01-06 08:00"]
    args += ["--now", "2026-01-06 09:00"]
    assert main(["missed-dose", "--plan", str(good), *args]) == 0
    assert "Take the missed dose now: 5 mg" in capsys.readouterr().out
    code = main(["missed-dose", "--plan", str(bad), *args])
    err = capsys.readouterr().err
    assert code in (2, 3) and err.count("\n") == 1
    assert "steps[0]" in err and "oral.adult.max_daily.hard" in err


@pytest.mark.parametrize(
    "edit", ["dose lowered", "findings emptied", "stop moved", "step removed"]
)
def test_an_edited_taper_is_refused(edit: str) -> None:
    plan = bd.plan_taper(dose="20 mg", times_per_day=3, start=START, product="10 mg tablet")
    data: dict[str, Any] = json.loads(bd.to_json(plan), parse_float=str)
    if edit == "dose lowered":
        data["steps"][1]["doses"][0]["value"] = 10
        data["steps"][1]["daily_dose"]["value"] = 45
    elif edit == "findings emptied":
        data["findings"] = []
    elif edit == "stop moved":
        data["taper"]["stop"] = "2026-12-31"
    elif edit == "step removed":
        del data["steps"][2]
    with pytest.raises(bd.BaclofenDoseError):
        _read(data)


# Issue 11: an order check read from a file is checked again from what it records.

_PATIENT = dict(age="80 years", sex="female", weight="60 kg", height=None, dialysis=False)
_ORDER_CHECKS: dict[str, Callable[[], Any]] = {
    "single dose above the maximum": lambda: bd.check_order(dose="25 mg", times_per_day=3),
    "older adult with kidney values": lambda: bd.check_order(
        dose="15 mg",
        times_per_day=3,
        previous="10 mg",
        previous_times_per_day=3,
        start="2026-01-10",
        previous_start="2026-01-05",
        patient=bd.Patient.from_inputs(**_PATIENT, scr="1.5 mg/dL"),
        medicines=["oxycodone", "not-a-medicine"],
        conditions=["epilepsy"],
        renal_policy="cheong2020",
    ),
    "product units and a measured clearance": lambda: bd.check_order(
        product="10 mg tablet",
        units_per_dose="1.5",
        times_per_day=3,
        measured_crcl="25 mL/min",
        measured_method="cockcroft_gault",
    ),
    "unequal doses with a product": lambda: bd.check_order(
        doses=["10 mg", "10 mg", "20 mg"], product="10 mg tablet"
    ),
    "patient without an age": lambda: bd.check_order(
        dose="5 mg",
        times_per_day=3,
        patient=bd.Patient.from_inputs(
            age=None, sex="male", weight="70 kg", height=None, scr=None, dialysis=None
        ),
    ),
    "intrathecal per hour": lambda: bd.check_intrathecal_order(
        daily_dose="60 mcg/hour",
        previous_daily_dose="60 mcg/day",
        hours_since_previous="12 hours",
        concentration="500 mcg/mL",
        origin="spinal",
    ),
    "intrathecal flex": lambda: bd.check_intrathecal_order(
        daily_dose=bd.FlexProgram.from_steps(
            [("12 hours", "10 mcg/hour"), ("12 hours", "400 mcg/day")]
        ),
        child=True,
        medicines=["morphine"],
    ),
}


@pytest.mark.parametrize("name", sorted(_ORDER_CHECKS))
def test_an_order_check_round_trips_and_is_checked_again(name: str) -> None:
    result = _ORDER_CHECKS[name]()
    assert bd.from_json(bd.to_json(result)) == result


def _limit_finding_removed(data: dict[str, Any]) -> None:
    data["findings"] = [f for f in data["findings"] if f["rule_id"] != "oral.adult.max_dose.us_label"]
    data["worst"] = "info"


def _dose_lowered(data: dict[str, Any]) -> None:
    for amount in data["order"]["doses"]:
        amount["value"] = 5


@pytest.mark.parametrize("edit", [_limit_finding_removed, _dose_lowered])
def test_an_edited_order_check_is_refused(edit: Callable[[dict[str, Any]], None]) -> None:
    """25 mg 3 times a day crosses the 20 mg single-dose maximum: a file with that finding
    removed, or with the dose lowered under the findings, is refused."""
    result = bd.check_order(dose="25 mg", times_per_day=3)
    assert "oral.adult.max_dose.us_label" in {f.rule_id for f in result.findings}
    data = json.loads(bd.to_json(result))
    edit(data)
    with pytest.raises(InputError) as caught:
        bd.from_json(json.dumps(data))
    assert caught.value.code == "E_TAMPERED"
