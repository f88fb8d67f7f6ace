"""FHIR on the command line (issue 13): ``--format fhir-r4|fhir-r5`` on the commands that
make an order, and ``check --fhir FILE``; errors name the option and the FHIR path."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.medicationrequest import MedicationRequest as R5Request
from fhir.resources.R4B.bundle import Bundle as R4Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest as R4Request

from baclofen_dose.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_must_show_titrate_as_fhir_r4(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 13 "Must show": `titrate --start 2026-01-05 --target "60 mg/day" --format fhir-r4`
    prints a MedicationRequest that fhir.resources validates, 4 sequenced Dosages, UCUM mg."""
    code, out, err = run(
        capsys, "titrate", "--start", "2026-01-05", "--target", "60 mg/day", "--format", "fhir-r4"
    )
    assert (code, err) == (0, "")
    R4Request.model_validate_json(out)
    data = json.loads(out, parse_float=Decimal)
    dosages = data["dosageInstruction"]
    assert [d["sequence"] for d in dosages] == [1, 2, 3, 4]
    assert {d["doseAndRate"][0]["doseQuantity"]["code"] for d in dosages} == {"mg"}


@pytest.mark.parametrize(
    "argv",
    [
        ["taper", "--from", "20 mg", "--times-per-day", "3", "--start", "2026-03-02"],
        ["intrathecal", "initial", "--screening-dose", "100 mcg", "--effect-duration", "6 h"],
        ["intrathecal", "screening"],
        [
            "intrathecal",
            "taper",
            "--current",
            "300 mcg/day",
            "--first-dose",
            "100 mcg/day",
            "--start",
            "2026-03-02",
        ],
        [
            "intrathecal",
            "titrate",
            "--current",
            "300 mcg/day",
            "--origin",
            "spinal",
            "--proposed",
            "330 mcg/day",
        ],
    ],
)
def test_every_order_command_writes_fhir_r5(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv, "--format", "fhir-r5")
    assert (code, err) == (0, "")
    R5Request.model_validate_json(out)


def test_titration_bounds_are_not_an_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "intrathecal",
        "titrate",
        "--current",
        "300 mcg/day",
        "--origin",
        "spinal",
        "--format",
        "fhir-r4",
    )
    assert code == 2
    assert "--proposed" in err


def _write(tmp_path: Path, data: Any, name: str = "request.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def _request(dose: Any = 25, **dosage: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/example"},
        "medicationCodeableConcept": {"text": "baclofen 10 mg tablet"},
        "dosageInstruction": [
            {
                "route": {"coding": [{"system": "http://snomed.info/sct", "code": "26643006"}]},
                "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
                "doseAndRate": [
                    {
                        "doseQuantity": {
                            "value": dose,
                            "unit": "mg",
                            "system": "http://unitsofmeasure.org",
                            "code": "mg",
                        }
                    }
                ],
                **dosage,
            }
        ],
    }


def test_check_fhir_gives_the_single_dose_finding(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 13 "Must show": 25 mg 3 times a day from a FHIR file gives the single-dose
    finding (US label: 20 mg a dose); as FHIR R4 it is a Bundle of DetectedIssues."""
    path = _write(tmp_path, _request())
    code, out, err = run(capsys, "check", "--fhir", path, "--format", "json")
    assert (code, err) == (0, "")
    assert "oral.adult.max_dose.us_label" in out
    code, out, _ = run(
        capsys, "check", "--fhir", path, "--format", "fhir-r4", "--fail-on", "warning"
    )
    assert code == 4
    R4Bundle.model_validate_json(out)


def test_check_fhir_refuses_a_range_naming_the_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _request()
    data["dosageInstruction"][0]["doseAndRate"] = [
        {"doseRange": {"low": {"value": 5}, "high": {"value": 10}}}
    ]
    path = _write(tmp_path, data)
    code, out, err = run(capsys, "check", "--fhir", path)
    assert (code, out) == (2, "")
    assert f"--fhir {path}: dosageInstruction[0].doseAndRate[0].doseRange" in err
    assert "Traceback" not in err


def test_check_fhir_refuses_order_options_and_bad_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _write(tmp_path, _request())
    code, _, err = run(capsys, "check", "--fhir", path, "--dose", "5 mg")
    assert code == 2
    assert "--dose" in err
    code, _, err = run(capsys, "check", "--fhir", str(tmp_path / "missing.json"))
    assert code == 2
    assert "cannot read" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = run(capsys, "check", "--fhir", str(bad))
    assert code == 2
    assert err.startswith("baclofen-dose: error: --fhir ")


def test_check_fhir_with_patient_options(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Patient options still apply to an oral order read from FHIR, and their errors name
    the option, not a FHIR path."""
    path = _write(tmp_path, _request(15))
    code, out, _ = run(
        capsys,
        "check",
        "--fhir",
        path,
        "--age",
        "70",
        "--sex",
        "female",
        "--weight",
        "60 kg",
        "--scr",
        "3 mg/dL",
        "--format",
        "json",
    )
    assert code == 0
    assert "renal" in out
    code, _, err = run(capsys, "check", "--fhir", path, "--weight", "60")
    assert code == 2
    assert "--weight" in err


def test_check_fhir_bundle_checks_each_request(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": _request(10)}, {"resource": _request(25)}],
    }
    code, out, _ = run(capsys, "check", "--fhir", _write(tmp_path, bundle), "--format", "json")
    assert code == 0
    results = json.loads(out)
    assert len(results) == 2
    rule_ids = [[f["rule_id"] for f in r["findings"]] for r in results]
    assert "oral.adult.max_dose.us_label" not in rule_ids[0]
    assert "oral.adult.max_dose.us_label" in rule_ids[1]


def test_two_baclofen_requests_in_one_bundle_are_flagged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two baclofen orders of 20 mg 4 times a day (80 mg/day each) are 160 mg/day in all:
    each is judged alone, and each says so (rule interop.duplicate_baclofen)."""
    one = _request(20)
    one["dosageInstruction"][0]["timing"]["repeat"]["frequency"] = 4
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": one}, {"resource": one}]}  # fmt: skip
    code, out, _ = run(capsys, "check", "--fhir", _write(tmp_path, bundle), "--format", "json")
    assert code == 0
    results = json.loads(out)
    assert len(results) == 2
    for result in results:
        assert "interop.duplicate_baclofen" in {f["rule_id"] for f in result["findings"]}
    code, out, _ = run(capsys, "check", "--fhir", _write(tmp_path, one, "one.json"))
    assert code == 0 and "interop.duplicate_baclofen" not in out


def test_another_medicine_in_the_bundle_is_a_co_medication(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A Bundle like a CDS Hooks draftOrders Bundle: baclofen and oxycodone ordered together.
    The oxycodone request is not an order to check here, but it is a co-medication of the
    baclofen order (the opioid interaction), as the CDS Hooks service judges it; a medicine
    the table does not know is "not assessed", never dropped."""
    oxycodone = _request(5)
    oxycodone["medicationCodeableConcept"] = {
        "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7804"}]
    }
    unknown = _request(5)
    unknown["medicationCodeableConcept"] = {"text": "zzz-unknown-medicine"}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": _request(10)}, {"resource": oxycodone},
                        {"resource": unknown}]}  # fmt: skip
    code, out, _ = run(capsys, "check", "--fhir", _write(tmp_path, bundle), "--format", "json")
    assert code == 0
    result = json.loads(out)  # one order: one result
    interactions = [f for f in result["findings"] if f["code"] == "INTERACTION"]
    assert [f["rule_id"] for f in interactions] == ["interaction.opioids"]
    assert interactions[0]["params"]["medicine"] == "oxycodone, RxCUI 7804"
    assert "zzz-unknown-medicine" in json.dumps(result["not_assessed"])
    # Alone, a request for another medicine is still refused, naming its medication element.
    code, _, err = run(capsys, "check", "--fhir", _write(tmp_path, oxycodone, "oxy.json"))
    assert code == 2 and "medicationCodeableConcept" in err
