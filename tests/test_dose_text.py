"""FHIR dosage text that contradicts the structured dose (issue 11, left item; the tester's
text_disagree.json): a warning, read conservatively, never used as the dose."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose.check import check_order
from baclofen_dose.check.dose_text import stated_dose
from baclofen_dose.cli import main
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.interop.fhir import check_medication_request
from baclofen_dose.interop.hooks import handle_hook
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.protocol import from_json, to_json
from tests.ismp import assert_clean

# The tester's request (text_disagree.json): 25 mg 3 times a day, text "take 5 mg".
REQUEST: dict[str, Any] = {
    "resourceType": "MedicationRequest",
    "status": "active",
    "intent": "order",
    "subject": {"reference": "Patient/123"},
    "medicationCodeableConcept": {"text": "baclofen 10 mg oral tablet"},
    "dosageInstruction": [
        {
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": "26643006"}]},
            "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [
                {
                    "doseQuantity": {
                        "value": 25,
                        "unit": "mg",
                        "system": "http://unitsofmeasure.org",
                        "code": "mg",
                    }
                }
            ],
            "text": "take 5 mg",
        }
    ],
}


def _with_text(text: object) -> dict[str, Any]:
    request = copy.deepcopy(REQUEST)
    request["dosageInstruction"][0]["text"] = text
    return request


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("take 5 mg", Fraction(5)),
        ("5 mg by mouth 3 times a day", Fraction(5)),
        ("take 7.5 mg at night", Fraction(15, 2)),
        ("take 5-10 mg", None),  # a range
        ("take 5 to 10 mg", None),
        ("2 x 10 mg", None),  # a count of units
        ("2 tablets of 10 mg", None),
        ("10 mg tablet, 1 tablet 3 times a day", None),  # a strength and a count
        ("25 mg/5 mL, 3 mL", None),  # a strength per volume
        ("15 mg daily", None),  # a daily amount or once a day
        ("5 mg in the morning, 10 mg at night", None),  # two doses
        ("5 MG", None),  # not the unit's spelling
        ("500 mcg", None),  # another unit
        (".5 mg", None),  # a naked decimal
        ("25 mg by mouth 4 times a day (100 mg/day)", Fraction(25)),  # a total passed over
        ("(30 mg/day)", None),  # only a daily total: no dose stated
    ],
)
def test_only_an_unambiguous_dose_in_mg_is_read(text: str, expected: Fraction | None) -> None:
    assert stated_dose(text) == expected


@given(st.text(max_size=60))
def test_reading_any_text_never_fails(text: str) -> None:
    value = stated_dose(text)
    assert value is None or value > 0


def test_the_testers_request_gives_a_warning_and_the_structured_dose_is_checked() -> None:
    """25 mg 3 times a day with the text "take 5 mg": the order judged is 25 mg (above the
    US label's single dose of 20 mg), and a warning says the text states 5 mg."""
    result = check_medication_request(REQUEST)
    texts = {f.code: f for f in result.findings}
    finding = texts["DOSE_TEXT_DISAGREES"]
    assert finding.severity.value == "warning"
    assert finding.rule_id == "oral.order.dose_text"
    assert "SOFT_LIMIT_CROSSED" in texts  # 25 mg, not 5 mg, was judged
    sentence = finding_text(finding)
    assert "5 mg" in sentence
    assert "25 mg" in sentence
    assert_clean(sentence)
    assert from_json(to_json(result)) == result


def test_agreeing_text_or_text_without_a_dose_adds_nothing() -> None:
    for text in ("take 25 mg", "by mouth three times a day"):
        result = check_medication_request(_with_text(text))
        assert "DOSE_TEXT_DISAGREES" not in {f.code for f in result.findings}
        assert "DOSE_TEXT_NOT_COMPARED" not in {n.code for n in result.not_assessed}


def test_unreadable_text_is_said_to_be_not_compared() -> None:
    result = check_medication_request(_with_text("take 1 tablet 3 times a day"))
    assert "DOSE_TEXT_NOT_COMPARED" in {n.code for n in result.not_assessed}
    assert "DOSE_TEXT_DISAGREES" not in {f.code for f in result.findings}


def test_text_that_is_not_a_string_is_refused_naming_its_path() -> None:
    with pytest.raises(InputError) as caught:
        check_medication_request(_with_text(5))
    assert caught.value.field == "dosageInstruction[0].text"
    with pytest.raises(InputTypeError):
        check_order(dose="5 mg", times_per_day=3, dose_text=5)  # type: ignore[arg-type]


def test_cli_fhir_shows_the_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "text_disagree.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")
    assert main(["check", "--fhir", str(path), "--format", "text"]) == 0
    out = capsys.readouterr().out
    assert "text states a dose of 5 mg" in out


DATA = Path(__file__).resolve().parent / "data" / "cds_hooks"


def test_the_service_gives_the_warning_as_a_card() -> None:
    request = json.loads((DATA / "order-sign-renal.json").read_text(encoding="utf-8"))
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    draft["dosageInstruction"][0]["text"] = "take 50 mg by mouth 3 times a day"
    cards = handle_hook("baclofen-order-sign", request)["cards"]
    assert any("text states a dose of 50 mg" in c["summary"] for c in cards)


def test_the_patient_instruction_is_compared_as_the_text_is() -> None:
    """A patient follows the instruction: "take 5 mg" there, with 25 mg ordered, is the same
    warning as in the Dosage's text; an agreeing instruction adds nothing; one that is not a
    string is refused, naming its path."""
    request = copy.deepcopy(REQUEST)
    dosage = request["dosageInstruction"][0]
    del dosage["text"]
    dosage["patientInstruction"] = "take 5 mg by mouth 3 times a day"
    result = check_medication_request(request)
    found = {f.code: f for f in result.findings}
    assert "DOSE_TEXT_DISAGREES" in found
    assert "5 mg" in finding_text(found["DOSE_TEXT_DISAGREES"])
    dosage["patientInstruction"] = "take 25 mg by mouth 3 times a day"
    dosage["text"] = "25 mg 3 times a day"
    assert "DOSE_TEXT_DISAGREES" not in {f.code for f in check_medication_request(request).findings}
    dosage["patientInstruction"] = ["take 5 mg"]
    with pytest.raises(InputError) as caught:
        check_medication_request(request)
    assert caught.value.field == "dosageInstruction[0].patientInstruction"
