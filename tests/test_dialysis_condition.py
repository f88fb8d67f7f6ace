"""ICD-10-CM Z99.2 (dependence on renal dialysis) as a condition means on dialysis, in the
order check, the screen and the CDS Hooks service alike (issue 11, left item; identifiers.md
section 3). A patient stated not on dialysis together with Z99.2 is refused, naming both."""

from __future__ import annotations

import polars as pl
import pytest

from baclofen_dose.check import check_order
from baclofen_dose.check.screen import screen_orders
from baclofen_dose.cli import main
from baclofen_dose.core.errors import InputError, MissingInputError
from baclofen_dose.oral.patient import DIALYSIS_CODE, Patient, dialysis_condition, read_dialysis
from baclofen_dose.render.messages import finding_text


def adult(dialysis: bool | None = None) -> Patient:
    return Patient.from_inputs(
        age="60 years", sex="male", weight="70 kg", height=None, scr=None, dialysis=dialysis
    )


def _rules_and_codes(result: object) -> set[tuple[str, str]]:
    return {(f.rule_id, f.code) for f in result.findings}  # type: ignore[attr-defined]


@pytest.mark.parametrize("given", ["Z99.2", "z99.2", " Z99.2 ", "Z992", " z992"])
def test_z99_2_is_read_as_dialysis_in_the_check(given: str) -> None:
    """15 mg/day with Z99.2 is judged against the dialysis maximum (5 mg/day, Canadian
    monograph: renal.ca_monograph.dialysis.max_daily), exactly as with dialysis=True; the
    code may be written without its dot, as CMS writes codes ("Z992")."""
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


def test_other_conditions_are_not_dialysis() -> None:
    assert dialysis_condition(["N18.4", "epilepsy"]) is None
    assert dialysis_condition("Z99.2") is None  # not a list: refused by the interaction check


def test_z99_2_without_a_patient_states_dialysis_and_asks_for_the_age() -> None:
    """Found by a fresh tester (SAFETY): without patient values Z99.2 was dropped, so 30 mg/day
    was judged by the adult rules alone ("no patient was given") and a measured CrCl of
    70 mL/min by its mild band ("dialysis status not stated"). Z99.2 states dialysis whatever
    else is given: as with dialysis=True alone, the check asks for the age (the dialysis rules
    differ for adults and children) and never judges the order as if off dialysis."""
    stated, code = read_dialysis(None, [DIALYSIS_CODE])
    assert code == DIALYSIS_CODE
    assert stated is not None and stated.dialysis is True and stated.age_years is None
    for measured in ({}, {"measured_crcl": "70 mL/min", "measured_method": "timed_urine"}):
        with pytest.raises(MissingInputError) as caught:
            check_order(dose="20 mg", times_per_day=4, conditions=["Z99.2"], **measured)
        assert caught.value.field == "patient.age"
        assert "Z99.2" in str(caught.value)
        assert "dialysis" in str(caught.value)


@pytest.mark.parametrize("age", ["60 years", "80 years"])
def test_z99_2_with_a_measured_crcl_is_judged_on_dialysis(age: str) -> None:
    """A measured CrCl of 70 mL/min (mild band) beside Z99.2: the dialysis maximum (5 mg/day,
    Canadian monograph) judges 80 mg/day, never the mild band, and "not stated" is not said."""
    patient = Patient.from_inputs(
        age=age, sex=None, weight=None, height=None, scr=None, dialysis=None
    )
    result = check_order(
        dose="20 mg", times_per_day=4, patient=patient, conditions=["Z99.2"],
        measured_crcl="70 mL/min", measured_method="timed_urine",
    )  # fmt: skip
    assert "renal.ca_monograph.dialysis.max_daily" in result.needs_override
    assert "renal.vlavonou2014.mild.dose_fraction" not in {f.rule_id for f in result.findings}
    assert "DIALYSIS_NOT_STATED" not in {n.code for n in result.not_assessed}
    assert dict(result.provenance.inputs)["renal_band"] == "dialysis"


def test_cli_z99_2_alone_asks_for_the_age(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["check", "--dose", "20 mg", "--times-per-day", "4", "--condition", "Z99.2"]
    for extra in ([], ["--measured-crcl", "70 mL/min", "--measured-method", "timed_urine"]):
        assert main([*base, *extra, "--format", "text"]) == 2
        captured = capsys.readouterr()
        assert "--age is missing" in captured.err
        assert "Z99.2" in captured.err
        assert "not stated" not in captured.out + captured.err
        assert "Traceback" not in captured.err
    assert main([*base, "--age", "60", "--measured-crcl", "70 mL/min",
                 "--measured-method", "timed_urine", "--format", "text"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "renal.ca_monograph.dialysis.max_daily" in out
    assert "not stated" not in out
    assert "renal.vlavonou2014.mild" not in out


def test_the_screen_refuses_a_z99_2_row_without_an_age() -> None:
    """The screen's row with Z99.2 and only a measured CrCl: invalid, naming the age, never
    judged by the CrCl's mild band."""
    frame = pl.DataFrame(
        {
            "order_id": [1],
            "dose": [20],
            "dose_unit": ["mg"],
            "times_per_day": [4],
            "crcl_ml_min": [70],
            "measured_method": ["timed_urine"],
        }
    )
    conditions = pl.DataFrame({"order_id": [1], "condition": ["Z99.2"]})
    rows = screen_orders(frame, conditions=conditions, advice=True).findings
    assert rows["code"].to_list() == ["INVALID_INPUT"]
    assert "renal.vlavonou2014.mild.dose_fraction" not in set(rows["rule_id"].drop_nulls())


@pytest.mark.parametrize("age", ["9 years", "15 years"])
@pytest.mark.parametrize("how", ["stated", "condition"])
def test_a_child_on_dialysis_is_warned_and_not_assessed(age: str, how: str) -> None:
    """Found by a fresh tester (SAFETY): under 18 on the default child profile dialysis gave
    info findings only. The planner refuses (no dialysis rule for children); the check gives a
    warning naming dialysis (overdose in renal impairment even at low doses: never info) and
    the not-assessed entry; kidney function is not said to be merely not given."""
    patient = Patient.from_inputs(
        age=age, sex=None, weight="30 kg", height=None, scr=None,
        dialysis=True if how == "stated" else None,
    )  # fmt: skip
    conditions = ["Z99.2"] if how == "condition" else None
    result = check_order(dose="10 mg", times_per_day=3, patient=patient, conditions=conditions)
    found = {f.rule_id: f for f in result.findings}
    warning = found["oral.child.dialysis_not_assessed"]
    assert warning.severity == "warning"
    assert "dialysis" in finding_text(warning)
    assert "children" in finding_text(warning)
    codes = {n.code for n in result.not_assessed}
    assert "CHILD_DIALYSIS_NOT_ASSESSED" in codes
    assert "CHILD_KIDNEY_NOT_GIVEN" not in codes


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


@pytest.mark.parametrize("code", ["Z99.2", "Z992", "z992"])
def test_the_screen_agrees_with_the_check_on_z99_2(code: str) -> None:
    """An adult row with a Z99.2 condition (with its dot or without) leaves the vectorised
    path (dialysis is judged exactly) and gets the check's dialysis findings; a row stated
    not on dialysis with Z99.2 is an invalid row naming the conditions; the row without the
    code is unchanged."""
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
    conditions = pl.DataFrame({"order_id": [1, 2], "condition": [code, code]})
    result = screen_orders(frame, conditions=conditions, advice=True)
    rows = result.findings
    one = rows.filter(pl.col("order_id") == "1")
    expected = check_order(dose="5 mg", times_per_day=3, patient=adult(), conditions=[code])
    assert "renal.ca_monograph.dialysis.max_daily" in {f.rule_id for f in expected.findings}
    assert set(one["rule_id"].drop_nulls()) == {f.rule_id for f in expected.findings}
    two = rows.filter(pl.col("order_id") == "2")
    assert two["code"].to_list() == ["INVALID_INPUT"]
    assert result.summary.rows_invalid == 1
    assert result.summary.rows_exact >= 2
    three = rows.filter(pl.col("order_id") == "3")
    assert "renal.ca_monograph.dialysis.max_daily" not in set(three["rule_id"].drop_nulls())


@pytest.mark.parametrize(
    ("given", "key"), [("G40909", "epilepsy"), ("g40.909", "epilepsy"), ("G40", "epilepsy")]
)
def test_an_icd_code_without_its_dot_names_its_condition(given: str, key: str) -> None:
    """Warehouses often hold ICD-10-CM codes as CMS distributes them, without the dot: read
    as the dotted code (the dot follows the third character); anything else is unknown."""
    from baclofen_dose.core.rules.interactions import default_interactions, icd10cm_code

    found = default_interactions().condition_for(given)
    assert found is not None and found.key == key
    for text in ("G4", "G40.90909", "GG0909", "4G0909", "G40-909", ""):
        assert icd10cm_code(text) is None
        assert default_interactions().condition_for(text) is None


@pytest.mark.parametrize("cell", ["Z99.2,N18.6", "Z99.2.", "Z99.29", "Z992X", "z99.2 n18.6"])
def test_a_cell_that_begins_as_z99_2_but_is_not_it_is_refused(cell: str) -> None:
    """It may say dialysis, and the dialysis rules differ: the patient is neither read as on
    dialysis nor as not; the check refuses it naming conditions, and the screen's row is an
    invalid row naming it (with the cell as given)."""
    with pytest.raises(InputError) as caught:
        check_order(dose="5 mg", times_per_day=3, patient=adult(), conditions=[cell])
    assert (caught.value.field, caught.value.code) == ("conditions", "E_CONDITION")
    frame = pl.DataFrame(
        {"order_id": ["1"], "dose": ["5"], "dose_unit": ["mg"], "times_per_day": [3],
         "age_years": ["60"]}
    )  # fmt: skip
    result = screen_orders(frame, conditions=pl.DataFrame({"order_id": ["1"], "condition": [cell]}))
    invalid = result.findings.filter(pl.col("kind") == "invalid")
    assert invalid["what"].to_list() == ["conditions"]
    assert cell in invalid["detail"].to_list()[0]


def test_muanda_is_not_judged_on_dialysis() -> None:
    """Muanda 2019's cohort was not on dialysis (clinical.md section 3): 60 mg/day with an
    eGFR of 45 on dialysis gets the dialysis cap, not the Muanda warning; off dialysis the
    warning stays."""
    base = {"dose": "20 mg", "times_per_day": 3, "measured_egfr": "25 mL/min/1.73 m2",
            "measured_method": "ckd_epi_2021"}  # fmt: skip
    on = check_order(patient=adult(dialysis=True), **base)  # type: ignore[arg-type]
    off = check_order(patient=adult(dialysis=False), **base)  # type: ignore[arg-type]
    assert "MUANDA_DAILY" not in {f.code for f in on.findings}
    assert "renal.ca_monograph.dialysis.max_daily" in {f.rule_id for f in on.findings}
    assert "MUANDA_DAILY" in {f.code for f in off.findings}
