"""ICD-10-CM Z99.2 (dependence on renal dialysis) as a condition means on dialysis, in the
order check, the screen and the CDS Hooks service alike (issue 11, left item; identifiers.md
section 3). A patient stated not on dialysis together with Z99.2 is refused, naming both."""

from __future__ import annotations

import polars as pl
import pytest

from baclofen_dose.check import check_order
from baclofen_dose.check.screen import screen_orders
from baclofen_dose.cli import main
from baclofen_dose.core.errors import InputError
from baclofen_dose.oral.patient import DIALYSIS_CODE, Patient, dialysis_condition, read_dialysis


def adult(dialysis: bool | None = None) -> Patient:
    return Patient.from_inputs(
        age="60 years", sex="male", weight="70 kg", height=None, scr=None, dialysis=dialysis
    )


def _rules_and_codes(result: object) -> set[tuple[str, str]]:
    return {(f.rule_id, f.code) for f in result.findings}  # type: ignore[attr-defined]


@pytest.mark.parametrize("given", ["Z99.2", "z99.2", " Z99.2 "])
def test_z99_2_is_read_as_dialysis_in_the_check(given: str) -> None:
    """15 mg/day with Z99.2 is judged against the dialysis maximum (5 mg/day, Canadian
    monograph: renal.ca_monograph.dialysis.max_daily), exactly as with dialysis=True."""
    with_code = check_order(
        dose="5 mg", times_per_day=3, patient=adult(), conditions=[given]
    )
    stated = check_order(
        dose="5 mg", times_per_day=3, patient=adult(dialysis=True), conditions=[given]
    )
    assert list(with_code.needs_override) == ["renal.ca_monograph.dialysis.max_daily"]
    assert _rules_and_codes(with_code) == _rules_and_codes(stated)
    assert dict(with_code.provenance.inputs)["dialysis_from_condition"] == given
    assert dict(with_code.provenance.inputs)["renal_band"] == "dialysis"


def test_z99_2_with_a_patient_not_on_dialysis_is_refused_naming_both() -> None:
    with pytest.raises(InputError) as caught:
        check_order(
            dose="5 mg", times_per_day=3, patient=adult(dialysis=False), conditions=["Z99.2"]
        )
    assert (caught.value.field, caught.value.code) == ("conditions", "E_CONFLICT")
    assert "patient.dialysis" in str(caught.value)


def test_other_conditions_and_no_patient_are_unchanged() -> None:
    """N18.4 (CKD 4) is not dialysis; without a patient Z99.2 has no one to apply to (the
    check says no patient was given) and only the table's caution is given."""
    assert dialysis_condition(["N18.4", "epilepsy"]) is None
    assert dialysis_condition("Z99.2") is None  # not a list: refused by the interaction check
    assert read_dialysis(None, [DIALYSIS_CODE]) == (None, DIALYSIS_CODE)
    bare = check_order(dose="5 mg", times_per_day=3, conditions=["Z99.2"])
    assert "PATIENT_NOT_GIVEN" in {n.code for n in bare.not_assessed}
    assert bare.needs_override == ()


def test_cli_condition_z99_2_needs_no_dialysis_option(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["check", "--dose", "5 mg", "--times-per-day", "3", "--age", "60 years"]
    base += ["--sex", "male", "--weight", "70 kg", "--condition", "Z99.2"]
    assert main([*base, "--format", "text"]) == 0
    assert "renal.ca_monograph.dialysis.max_daily" in capsys.readouterr().out
    assert main([*base, "--no-dialysis"]) == 2
    err = capsys.readouterr().err
    assert "--condition" in err
    assert "dialysis" in err
    assert "Traceback" not in err


def test_the_screen_agrees_with_the_check_on_z99_2() -> None:
    """An adult row with a Z99.2 condition leaves the vectorised path (dialysis is judged
    exactly) and gets the check's dialysis findings; a row stated not on dialysis with Z99.2
    is an invalid row naming the conditions; the row without the code is unchanged."""
    frame = pl.DataFrame(
        {
            "order_id": [1, 2, 3],
            "dose": [5, 5, 5],
            "dose_unit": ["mg", "mg", "mg"],
            "times_per_day": [3, 3, 3],
            "age_years": [60, 60, 60],
            "sex": ["male", "male", "male"],
            "weight_kg": [70, 70, 70],
            "dialysis": [None, False, None],
        },
        schema_overrides={"dialysis": pl.Boolean},
    )
    conditions = pl.DataFrame({"order_id": [1, 2], "condition": ["Z99.2", "Z99.2"]})
    result = screen_orders(frame, conditions=conditions, advice=True)
    rows = result.findings
    one = rows.filter(pl.col("order_id") == "1")
    expected = check_order(dose="5 mg", times_per_day=3, patient=adult(), conditions=["Z99.2"])
    assert set(one["rule_id"].drop_nulls()) == {f.rule_id for f in expected.findings}
    two = rows.filter(pl.col("order_id") == "2")
    assert two["code"].to_list() == ["INVALID_INPUT"]
    assert result.summary.rows_invalid == 1
    assert result.summary.rows_exact >= 2
    three = rows.filter(pl.col("order_id") == "3")
    assert "renal.ca_monograph.dialysis.max_daily" not in set(three["rule_id"].drop_nulls())
