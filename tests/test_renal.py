"""Kidney-function equations against independent reference vectors (issue 3; SAF-13, SAF-37).

Vectors are copied unchanged from shared/reference/vectors/ into tests/data/vectors/ (with their
README and licence notes): MedCalc-Bench v1.0 (CC-BY-SA-4.0), gdl2 common clinical models
(Apache-2.0) and hand-transcribed admiral / clinPK values. Each is checked within the tolerance
its README documents.
"""

from __future__ import annotations

import csv
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose import (
    BaclofenDoseError,
    InputError,
    Patient,
    assess,
    ckd_epi_2021,
    cockcroft_gault,
    deindex,
    dosing_weight,
    load_rules,
    renal_report,
)
from baclofen_dose.oral.renal import adjusted_body_weight, body_surface_area, ideal_body_weight
from baclofen_dose.render import from_json, to_json
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.renal import creatinine_text, estimate_shown, note_lines, working_lines
from tests import strategies as S
from tests.ismp import assert_clean

VECTORS = Path(__file__).resolve().parent / "data" / "vectors"
BUNDLED = resources.files("baclofen_dose.core.rules").joinpath("baclofen.toml").read_text("utf-8")


def rows(name: str) -> list[dict[str, str]]:
    with (VECTORS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


MEDCALC = rows("medcalc-bench/medcalc_bench_v1_0_test_renal_weight_subset.csv")
GDL2 = rows("gdl2-common-clinical-models/cockcroft_gault_gdl2_test_cases.csv")
REFERENCE = rows("reference-values/renal_reference_values.csv")
KNOWN_BAD = {"23", "25"}  # MedCalc-Bench CKD-EPI labels with the male kappa bug (README)


def unit(text: str) -> str:
    return {"\u00b5mol/L": "micromol/L", "umol/L": "micromol/L"}.get(text, text)


def patient(
    *,
    age: str | None = None,
    sex: str | None = None,
    weight: str | None = None,
    height: str | None = None,
    scr: str | None = None,
    rules: object = None,
) -> Patient:
    return Patient.from_inputs(
        age=None if age is None else f"{age} years",
        sex=None if sex is None else sex.lower(),
        weight=weight,
        height=height,
        scr=scr,
        dialysis=False,
        rules=rules,  # type: ignore[arg-type]
    )


def medcalc_patient(row: dict[str, str]) -> Patient:
    return patient(
        age=row["age_years"] or None,
        sex=row["sex"],
        weight=f"{row['weight_value']} {row['weight_unit']}" if row["weight_value"] else None,
        height=f"{row['height_value']} {row['height_unit']}" if row["height_value"] else None,
        scr=f"{row['creatinine_value']} {unit(row['creatinine_unit'])}"
        if row["creatinine_value"]
        else None,
    )


def within(value: Fraction, row: dict[str, str]) -> bool:
    return Fraction(row["lower_limit"]) <= value <= Fraction(row["upper_limit"])


def rounded(value: Fraction, places: int, rounding: str = ROUND_HALF_UP) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=rounding)


# -- must show ---------------------------------------------------------------------------------


@pytest.mark.req("SAF-13")
def test_must_show_72_year_old_woman() -> None:
    """72-year-old woman, 70 kg, creatinine 1.4 mg/dL, actual weight: CrCl 40.1 mL/min; the same
    patient with 123.8 micromol/L gives the same to 0.1 mL/min."""
    in_mass = cockcroft_gault(patient(age="72", sex="female", weight="70 kg", scr="1.4 mg/dL"))
    in_molar = cockcroft_gault(
        patient(age="72", sex="female", weight="70 kg", scr="123.8 micromol/L")
    )
    assert estimate_shown(in_mass) == estimate_shown(in_molar) == "40.1 mL/min"
    assert abs(in_mass.value - in_molar.value) < Fraction(1, 10)
    assert in_mass.value == Fraction(68 * 70 * 85, 72 * 140)  # exact rational arithmetic
    assert in_mass.weight is not None and in_mass.weight.policy == "actual"
    assert in_mass.equation == "cockcroft_gault_1976" and in_mass.exact
    assert in_molar.creatinine_unit == "micromol/L"
    assert in_molar.conversion_factor == Fraction("88.4")
    assert in_molar.creatinine_mg_dl == Fraction("123.8") / Fraction("88.4")
    assert "given as 123.8 micromol/L" in creatinine_text(in_molar)
    assert working_lines(in_mass)[0] == "CrCl = (140 - 72) x 70 / (72 x 1.4) x 0.85 = 40.1 mL/min"
    assert_clean([*working_lines(in_mass), *working_lines(in_molar), creatinine_text(in_molar)])


# -- MedCalc-Bench -----------------------------------------------------------------------------


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    "row", [r for r in MEDCALC if r["calculator_id"] == "2"], ids=lambda r: r["row_number"]
)
def test_medcalc_cockcroft_gault(row: dict[str, str]) -> None:
    """MedCalc-Bench CrCl labels use the BMI-based weight rule: our medcalc_bmi policy, +-5%."""
    estimate = cockcroft_gault(medcalc_patient(row), weight_policy="medcalc_bmi")
    assert within(estimate.value, row), (estimate_shown(estimate), row["ground_truth"])
    assert (
        abs(estimate.value - Fraction(row["independent_recompute"])) < Fraction(1, 1000)
        or row["row_number"] == "3"
    )


def test_medcalc_row_3_rounds_its_creatinine() -> None:
    """Row 3 converts 183 micromol/L to 2.1 mg/dL first; we keep 2.07 mg/dL, so we differ from
    the label by about 1.4 percent, inside its 5 percent band."""
    row = next(r for r in MEDCALC if r["row_number"] == "3")
    estimate = cockcroft_gault(medcalc_patient(row), weight_policy="medcalc_bmi")
    assert rounded(estimate.creatinine_mg_dl, 2) == Decimal("2.07")
    assert within(estimate.value, row) and estimate.value != Fraction(row["ground_truth"])


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    "row",
    [r for r in MEDCALC if r["calculator_id"] == "3" and r["row_number"] not in KNOWN_BAD],
    ids=lambda r: r["row_number"],
)
def test_medcalc_ckd_epi(row: dict[str, str]) -> None:
    estimate = ckd_epi_2021(medcalc_patient(row))
    assert within(estimate.value, row), (estimate_shown(estimate), row["ground_truth"])
    assert (
        abs(estimate.value - Fraction(row["independent_recompute"])) < Fraction(1, 1000)
        or row["creatinine_unit"] != "mg/dL"
    )


@pytest.mark.parametrize("number", sorted(KNOWN_BAD))
def test_medcalc_known_bad_ckd_epi_labels(number: str) -> None:
    """Rows 23 and 25 are males with SCr at or below 0.9 mg/dL. Our value is outside the
    label's band and equals the independent recompute; the label is what you get with the
    female kappa 0.7 and the male alpha applied to SCr/0.7 (the generator's bug), with row 23's
    creatinine first rounded to 0.9 mg/dL."""
    row = next(r for r in MEDCALC if r["row_number"] == number)
    estimate = ckd_epi_2021(medcalc_patient(row))
    assert not within(estimate.value, row)
    assert abs(estimate.value - Fraction(row["independent_recompute"])) < Fraction(1, 1000)
    scr = Decimal("0.9") if number == "23" else Decimal(row["creatinine_value"])
    age = int(row["age_years"])
    buggy = Decimal(142) * (scr / Decimal("0.7")) ** Decimal("-0.302") * Decimal("0.9938") ** age
    assert abs(buggy - Decimal(row["ground_truth"])) < Decimal("0.001")


@pytest.mark.parametrize(
    "row", [r for r in MEDCALC if r["calculator_id"] == "10"], ids=lambda r: r["row_number"]
)
def test_medcalc_ideal_body_weight(row: dict[str, str]) -> None:
    weight = ideal_body_weight(medcalc_patient(row))
    assert within(weight.kg, row)
    assert abs(weight.kg - Fraction(row["independent_recompute"])) < Fraction(1, 1000)


@pytest.mark.parametrize(
    "row", [r for r in MEDCALC if r["calculator_id"] == "62"], ids=lambda r: r["row_number"]
)
def test_medcalc_adjusted_body_weight(row: dict[str, str]) -> None:
    weight = adjusted_body_weight(medcalc_patient(row))
    assert within(weight.kg, row)
    assert abs(weight.kg - Fraction(row["independent_recompute"])) < Fraction(1, 1000)


# -- gdl2 --------------------------------------------------------------------------------------


def child_cg_rules(tmp_path: Path) -> object:
    """The bundled rules with Cockcroft-Gault's minimum age lowered to 10 years, to check the
    arithmetic on the gdl2 children (the bundled rules refuse them: adults only)."""
    text = BUNDLED.replace(
        'id = "renal.cockcroft_gault.min_age"\nkind = "threshold"\nquantity = "age"\nvalue = "18"',
        'id = "renal.cockcroft_gault.min_age"\nkind = "threshold"\nquantity = "age"\nvalue = "10"',
    )
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return load_rules(path)


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    "row",
    GDL2,
    ids=lambda r: f"{r['sex']}-{r['age_years']}-{r['weight_kg']}-{r['creatinine_mg_dl']}",
)
def test_gdl2_cockcroft_gault_ceiling(row: dict[str, str], tmp_path: Path) -> None:
    """gdl2 expects ceil() of the unrounded result (README); a child is refused by default."""
    adult = Fraction(row["age_years"]) >= 18
    rules = None if adult else child_cg_rules(tmp_path)
    subject = patient(
        age=row["age_years"],
        sex=row["sex"],
        weight=f"{row['weight_kg']} kg",
        scr=f"{row['creatinine_mg_dl']} mg/dL",
        rules=rules,
    )
    estimate = cockcroft_gault(subject, rules=rules)  # type: ignore[arg-type]
    assert rounded(estimate.value, 0, ROUND_CEILING) == Decimal(row["expected_crcl_ml_min"])
    assert rounded(estimate.value, 4) == Decimal(row["unrounded_cg"])
    if not adult:
        with pytest.raises(InputError) as caught:
            cockcroft_gault(
                patient(
                    age=row["age_years"],
                    sex=row["sex"],
                    weight=f"{row['weight_kg']} kg",
                    scr=f"{row['creatinine_mg_dl']} mg/dL",
                )
            )
        assert caught.value.code == "E_OUT_OF_SCOPE"


# -- admiral and clinPK ------------------------------------------------------------------------


def reference_patient(row: dict[str, str], rules: object = None) -> Patient:
    return patient(
        age=row["age_years"],
        sex={"M": "male", "F": "female"}[row["sex"]],
        weight=f"{row['weight_kg']} kg" if row["weight_kg"] else None,
        height=f"{row['height_cm']} cm" if row["height_cm"] else None,
        scr=f"{row['creatinine_value']} {unit(row['creatinine_unit'])}"
        if row["creatinine_value"]
        else None,
        rules=rules,
    )


def edited(tmp_path: Path, old: str, new: str) -> object:
    assert old in BUNDLED
    path = tmp_path / "rules.toml"
    path.write_text(BUNDLED.replace(old, new, 1), encoding="utf-8")
    return load_rules(path)


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    "row", REFERENCE, ids=lambda r: f"{r['source_repo']}-{r['equation']}-{r['expected']}"
)
def test_reference_values(row: dict[str, str], tmp_path: Path) -> None:
    equation, expected = row["equation"], Decimal(row["expected"])
    places = int(row["rounding"].split()[1])
    rules = None
    if "88.42" in row["note"]:
        # Reproduces only with 88.42 (README): with our 88.4 the third decimal differs, so the
        # bundled rules agree to 0.05; a rule file with 88.42 reproduces all 4 places.
        ours = ckd_epi_2021(reference_patient(row))
        assert abs(rounded(ours.value, 4) - expected) < Decimal("0.05")
        rules = edited(tmp_path, 'value = "88.4"\nunit = "1"', 'value = "88.42"\nunit = "1"')
    if "factor 0.3" in equation:
        # clinPK's 30 percent adjustment: the same equation with the factor changed in data.
        rules = edited(tmp_path, 'value = "0.4"\nunit = "1"', 'value = "0.3"\nunit = "1"')
    subject = reference_patient(row, rules)
    if equation.startswith("CKD-EPI"):
        value = ckd_epi_2021(subject, rules=rules).value  # type: ignore[arg-type]
    elif equation.startswith("Cockcroft-Gault (actual"):
        value = cockcroft_gault(subject, rules=rules).value  # type: ignore[arg-type]
    elif equation.startswith("Cockcroft-Gault (ideal"):
        value = cockcroft_gault(subject, weight_policy="ideal", rules=rules).value  # type: ignore[arg-type]
    elif equation.startswith("Cockcroft-Gault (adjusted"):
        value = cockcroft_gault(subject, weight_policy="adjusted", rules=rules).value  # type: ignore[arg-type]
    else:
        # clinPK's dosing-weight rule picks AdjBW, IBW or TBW (see the note); our named
        # policies give the same weights: adjusted above ideal, ideal (or actual if lower).
        policy = "adjusted" if "adjusted" in row["note"] else "ideal"
        value = dosing_weight(subject, policy).kg
    assert rounded(value, places) == expected


# -- behaviour ---------------------------------------------------------------------------------


def test_weight_policies_name_the_weight_used() -> None:
    heavy = patient(age="50", sex="male", weight="150 kg", height="180 cm", scr="1 mg/dL")
    assert dosing_weight(heavy).policy == "actual" and dosing_weight(heavy).kg == 150
    assert rounded(dosing_weight(heavy, "ideal").kg, 1) == Decimal("75")
    assert rounded(dosing_weight(heavy, "adjusted").kg, 1) == Decimal("105")
    light = patient(age="50", sex="female", weight="45 kg", height="170 cm", scr="1 mg/dL")
    for policy in ("ideal", "adjusted"):
        assert dosing_weight(light, policy).kg == 45  # never above actual weight
    short = patient(age="50", sex="female", weight="60 kg", height="150 cm", scr="1 mg/dL")
    with pytest.raises(InputError) as caught:
        dosing_weight(short, "ideal")
    assert caught.value.code == "E_OUT_OF_SCOPE"  # Devine is not extrapolated under 5 ft
    with pytest.raises(InputError, match="weight_policy"):
        dosing_weight(heavy, "lean")


def test_deindexing_by_body_surface_area() -> None:
    subject = patient(age="72", sex="female", weight="70 kg", height="165 cm", scr="1.4 mg/dL")
    egfr = ckd_epi_2021(subject)
    bsa = body_surface_area(subject)
    assert abs(bsa * bsa - Fraction(165 * 70, 3600)) < Fraction(1, 10**40)
    plain = deindex(egfr, subject)
    assert plain.equation == "ckd_epi_2021_deindexed" and not plain.indexed
    assert abs(plain.value - egfr.value * bsa / Fraction("1.73")) < Fraction(1, 10**30)
    assert plain.bsa_m2 == bsa
    assert_clean(working_lines(plain))
    assert working_lines(plain)[-1].startswith("de-indexed eGFR = ")
    with pytest.raises(BaclofenDoseError):
        deindex(cockcroft_gault(subject), subject)


def test_missing_values_are_named_never_assumed() -> None:
    subject = patient(age="72", sex="female", weight=None, scr="1.4 mg/dL")
    with pytest.raises(InputError) as caught:
        cockcroft_gault(subject)
    assert caught.value.code == "E_MISSING_INPUT" and caught.value.field == "patient.weight"
    assert "patient.weight is missing" in str(caught.value)
    assert estimate_shown(ckd_epi_2021(subject)) == "40 mL/min/1.73 m2"  # eGFR needs no weight
    no_scr = patient(age="72", sex="female", weight="70 kg")
    with pytest.raises(InputError, match=r"patient\.scr"):
        ckd_epi_2021(no_scr)


def test_children_are_out_of_scope_for_the_equations() -> None:
    child = patient(age="6", sex="male", weight="20 kg", scr="0.4 mg/dL")
    for equation in (cockcroft_gault, ckd_epi_2021):
        with pytest.raises(InputError) as caught:
            equation(child)
        assert caught.value.code == "E_OUT_OF_SCOPE"


@pytest.mark.parametrize(
    ("scr", "band", "fraction"),
    [
        ("0.6 mg/dL", "normal", Fraction(1)),
        ("1 mg/dL", "mild", Fraction(2, 3)),
        ("1.4 mg/dL", "moderate", Fraction(1, 2)),
        ("3 mg/dL", "severe", Fraction(1, 3)),
    ],
)
def test_vlavonou_bands(scr: str, band: str, fraction: Fraction) -> None:
    subject = Patient.from_inputs(
        age="72 years", sex="female", weight="70 kg", height=None, scr=scr, dialysis=False
    )
    result = assess(subject)
    assert (result.band, result.fraction) == (band, fraction)
    assert result.policy == "vlavonou2014"
    assert_clean([finding_text(f) for f in result.findings])


def test_vlavonou_band_edges_follow_the_source_wording() -> None:
    """80 is mild (over 80 is normal); 50 is moderate (the more cautious of the two bands
    that name it); 30 is moderate (under 30 is severe)."""
    # male, 50 years, scr 1 mg/dL: CrCl = 90 x weight / 72
    for weight, band in (
        ("64 kg", "mild"),
        ("64.1 kg", "normal"),
        ("40 kg", "moderate"),
        ("40.1 kg", "mild"),
        ("24 kg", "moderate"),
        ("23.9 kg", "severe"),
    ):
        subject = Patient.from_inputs(
            age="50 years", sex="male", weight=weight, height=None, scr="1 mg/dL", dialysis=False
        )
        assert assess(subject).band == band, weight


def test_dialysis_and_policies() -> None:
    on = Patient.from_inputs(
        age="60 years", sex="male", weight="80 kg", height=None, scr=None, dialysis=True
    )
    default = assess(on)
    assert default.band == "dialysis" and default.start_cap == 5 and default.max_cap == 5
    assert default.crcl is None and default.egfr is None
    assert assess(on, renal_policy="cheong2020").start_cap == Fraction(5, 2)
    assert assess(on, renal_policy="ajkd2017").avoid_rule == "renal.ajkd2017.egfr_min"
    unknown = Patient.from_inputs(
        age="60 years", sex="male", weight="80 kg", height=None, scr="1 mg/dL", dialysis=None
    )
    with pytest.raises(InputError) as caught:
        assess(unknown)
    assert caught.value.field == "patient.dialysis" and caught.value.code == "E_MISSING_INPUT"
    with pytest.raises(InputError) as caught:
        assess(on, renal_policy="moon")
    assert caught.value.code == "E_POLICY"


def test_report_computes_what_it_can() -> None:
    subject = patient(age="72", sex="female", weight=None, scr="1.4 mg/dL")
    result = renal_report(subject)
    assert result.crcl is None and result.egfr is not None
    assert dict(result.not_computed)["crcl"].startswith("patient.weight is missing")
    with pytest.raises(InputError):
        renal_report(patient(age="72", sex="female"))


@given(
    st.decimals(min_value=Decimal("0.3"), max_value=Decimal("15"), places=2),
    st.integers(min_value=18, max_value=100),
    st.sampled_from(["female", "male"]),
    st.integers(min_value=30, max_value=150),
)
def test_creatinine_units_give_identical_estimates(
    scr: Decimal, age: int, sex: str, kg: int
) -> None:
    """x mg/dL and 88.4x micromol/L are the same patient (SAF-13 metamorphic property)."""
    molar = format((scr * Decimal("88.4")).normalize(), "f")
    one = patient(
        age=str(age), sex=sex, weight=f"{kg} kg", scr=f"{format(scr.normalize(), 'f')} mg/dL"
    )
    two = patient(age=str(age), sex=sex, weight=f"{kg} kg", scr=f"{molar} micromol/L")
    assert cockcroft_gault(one).value == cockcroft_gault(two).value
    assert ckd_epi_2021(one).value == ckd_epi_2021(two).value


@given(
    st.integers(min_value=18, max_value=100),
    st.sampled_from(["female", "male"]),
    st.integers(min_value=30, max_value=150),
    st.lists(
        st.decimals(min_value=Decimal("0.3"), max_value=Decimal("15"), places=2),
        min_size=2,
        max_size=2,
        unique=True,
    ),
)
def test_higher_creatinine_never_raises_clearance(
    age: int, sex: str, kg: int, pair: list[Decimal]
) -> None:
    low, high = sorted(pair)
    better = patient(age=str(age), sex=sex, weight=f"{kg} kg", scr=f"{low} mg/dL")
    worse = patient(age=str(age), sex=sex, weight=f"{kg} kg", scr=f"{high} mg/dL")
    assert cockcroft_gault(worse).value < cockcroft_gault(better).value
    assert ckd_epi_2021(worse).value < ckd_epi_2021(better).value
    assert assess_fraction(worse) <= assess_fraction(better)


def assess_fraction(subject: Patient) -> Fraction:
    return assess(attrs_evolve(subject)).fraction


def attrs_evolve(subject: Patient) -> Patient:
    import attrs

    return attrs.evolve(subject, dialysis=False)


# -- The renal report as a result: JSON round trip, codes not sentences (issue 8) ---------------

REPORT_PATIENTS = {
    "micromol/L": dict(
        age="72", sex="female", weight="70 kg", height="160 cm", scr="123.8 micromol/L"
    ),
    "older than the derivation": dict(
        age="95", sex="male", weight="100 kg", height="180 cm", scr="1.5 mg/dL"
    ),
    "no height": dict(age="50", sex="male", weight="80 kg", scr="1 mg/dL"),
    "no weight": dict(age="72", sex="female", scr="1.4 mg/dL"),
}


@pytest.mark.parametrize("fields", REPORT_PATIENTS.values(), ids=list(REPORT_PATIENTS))
@pytest.mark.parametrize("weights", [None, "ideal", "adjusted", "medcalc_bmi"])
def test_renal_report_round_trips_through_json(fields: dict[str, str], weights: str | None) -> None:
    """``from_json(to_json(report)) == report`` for the renal report (schema
    baclofen-dose/renal-report/1): every value exact, recomputed from the recorded patient."""
    subject = Patient.from_inputs(
        age=f"{fields['age']} years",
        sex=fields["sex"],
        weight=fields.get("weight"),
        height=fields.get("height"),
        scr=fields["scr"],
        dialysis=False,
    )
    try:
        report = renal_report(subject, weight_policy=weights)
    except InputError:
        return  # nothing computable under this weight policy (a missing height): refused
    text = to_json(report)
    assert from_json(text) == report
    assert '"schema": "baclofen-dose/renal-report/1"' in text
    assert all(f.code != "TEXT" for f in report.findings)
    for estimate in (report.crcl, report.egfr, report.egfr_deindexed):
        if estimate is not None:
            assert_clean([*working_lines(estimate), *note_lines(estimate)])


def test_renal_report_on_dialysis_round_trips_and_uses_codes() -> None:
    subject = Patient.from_inputs(
        age="60 years", sex="male", weight="80 kg", height=None, scr=None, dialysis=True
    )
    report = renal_report(subject, renal_policy="ajkd2017")
    assert from_json(to_json(report)) == report
    assert [f.code for f in report.findings] == ["RENAL_DIALYSIS"]
    assert report.route == "oral" and report.schema == "baclofen-dose/renal-report/1"


def test_a_renal_report_that_disagrees_with_its_patient_is_refused() -> None:
    """A file is never believed: a changed value (the clearance) is refused, not read."""
    report = renal_report(patient(age="72", sex="female", weight="70 kg", scr="1.4 mg/dL"))
    text = to_json(report)
    assert '"text": "40.1 mL/min"' in text
    with pytest.raises(InputError) as caught:
        from_json(text.replace('"text": "40.1 mL/min"', '"text": "80.1 mL/min"', 1))
    assert caught.value.code == "E_JSON"
    changed = text.replace('"value": 1.4,', '"value": 1.1,', 1)
    assert changed != text
    with pytest.raises(InputError):
        from_json(changed)


def test_estimates_keep_exact_values_and_codes() -> None:
    """An estimate holds its exact value, kind and equation terms; its notes and the weight's
    basis are codes (render/ words them)."""
    old = patient(age="95", sex="male", weight="100 kg", height="180 cm", scr="1.5 mg/dL")
    crcl = cockcroft_gault(old, weight_policy="ideal")
    assert crcl.amount.value == crcl.value and crcl.amount.kind.ucum == "mL/min"
    assert crcl.values["offset"] == 140 and crcl.values["age"] == 95
    assert [n.code for n in crcl.notes] == ["ABOVE_DERIVATION_AGE"]
    assert crcl.weight is not None and crcl.weight.basis.code == "WEIGHT_IDEAL"
    assert note_lines(crcl) == [
        "Age 95 years is above the oldest patients Cockcroft-Gault was derived from (92 years)."
    ]


@given(
    S.ADULT_AGES,
    S.SEXES,
    S.adult_weights,
    st.integers(min_value=150, max_value=200),
    S.creatinine,
    S.RENAL_POLICIES,
    S.WEIGHT_POLICIES,
    st.booleans(),
)
def test_any_renal_report_round_trips_exactly(
    age: int,
    sex: str,
    kg: int,
    cm: int,
    scr: Fraction,
    policy: str,
    weights: str,
    molar: bool,
) -> None:
    """For any plausible adult, ``from_json(to_json(report)) == report``: exact values (a
    50-digit eGFR included), codes and their values survive the trip."""
    given_scr = (
        f"{S.decimal_text(scr * Fraction('88.4'))} micromol/L"
        if molar
        else f"{S.decimal_text(scr)} mg/dL"
    )
    subject = Patient.from_inputs(
        age=f"{age} years",
        sex=sex,
        weight=f"{kg} kg",
        height=f"{cm} cm",
        scr=given_scr,
        dialysis=False,
    )
    report = renal_report(subject, renal_policy=policy, weight_policy=weights)
    assert from_json(to_json(report)) == report


def test_caveats_obesity_and_low_muscle_mass_are_findings() -> None:
    """Issue 10 item 6 (clinical.md 11.1): actual weight with BMI 30 or more overstates
    clearance (a finding naming the BMI); low muscle mass (spinal cord injury) always noted."""
    heavy = Patient.from_inputs(
        age="50 years",
        sex="male",
        weight="120 kg",
        height="170 cm",
        scr="1 mg/dL",
        dialysis=False,
    )
    codes = {f.code for f in assess(heavy).findings}
    ids = {f.rule_id for f in assess(heavy).findings}
    assert "RENAL_OBESITY_ACTUAL_WEIGHT" in codes
    assert "renal.creatinine.low_muscle_mass" in ids
    adjusted = assess(heavy, weight_policy="adjusted")
    assert "RENAL_OBESITY_ACTUAL_WEIGHT" not in {f.code for f in adjusted.findings}
    lean = Patient.from_inputs(
        age="50 years",
        sex="male",
        weight="70 kg",
        height="180 cm",
        scr="1 mg/dL",
        dialysis=False,
    )
    assert "RENAL_OBESITY_ACTUAL_WEIGHT" not in {f.code for f in assess(lean).findings}
    for finding in assess(heavy).findings:
        assert_clean(finding_text(finding))
