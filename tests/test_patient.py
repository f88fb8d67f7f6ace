"""The Patient: plausibility bands, unit mix-ups, missing values, dates of birth (issue 3).

SAF-13 (creatinine units), SAF-14 (weight and height), SAF-15 (no defaults), safety.md 5 rows
10 to 13.
"""

from __future__ import annotations

import inspect
import pickle
from datetime import date
from fractions import Fraction

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose import (
    BaclofenDoseError,
    ImplausibleValueError,
    InputError,
    InputTypeError,
    Patient,
)
from baclofen_dose.core import display, kinds
from baclofen_dose.core.model import Amount
from tests import strategies as S
from tests.ismp import assert_clean, without_received_value

BASE = {
    "age": "72 years",
    "sex": "female",
    "weight": "70 kg",
    "height": None,
    "scr": None,
    "dialysis": None,
}


def make(**changes: object) -> Patient:
    return Patient.from_inputs(**{**BASE, **changes})  # type: ignore[arg-type]


@pytest.mark.req("SAF-13")
def test_must_show_creatinine_124_mg_dl_is_refused_naming_the_mix_up() -> None:
    with pytest.raises(ImplausibleValueError) as caught:
        make(scr="124 mg/dL")
    error = caught.value
    assert error.field == "patient.scr" and error.value == "124 mg/dL"
    assert error.code == "E_IMPLAUSIBLE"
    assert "likely a value in micromol/L labelled mg/dL (124 micromol/L is 1.4 mg/dL)" in str(error)
    assert "rule patient.creatinine.max_mass" in str(error)
    assert_clean(str(error))


@pytest.mark.req("SAF-14")
def test_must_show_weight_70_g_is_refused_naming_the_mix_up() -> None:
    with pytest.raises(ImplausibleValueError) as caught:
        make(weight="70 g")
    error = caught.value
    assert error.field == "patient.weight" and error.value == "70 g"
    assert "is 0.07 kg, below the plausible minimum 1 kg" in str(error)
    assert "likely a value in kg labelled g (did you mean 70 kg?)" in str(error)
    assert_clean(str(error))


@pytest.mark.req("SAF-13", "SAF-14")
@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        (
            {"scr": "1.4 micromol/L"},
            "patient.scr",
            "a value in mg/dL labelled micromol/L (did you mean 1.4 mg/dL?)",
        ),
        ({"scr": "0.9 micromol/L"}, "patient.scr", "mg/dL labelled micromol/L"),
        ({"weight": "70000 kg"}, "patient.weight", "a value in g labelled kg (70,000 g is 70 kg)"),
        ({"weight": "600 kg"}, "patient.weight", "a value in lb labelled kg (600 lb is 272.2 kg)"),
        (
            {"height": "67 cm"},
            "patient.height",
            "a value in inch labelled cm (67 inch is 170.2 cm)",
        ),
        ({"height": "1.7 cm"}, "patient.height", "a value in m labelled cm (1.7 m is 170 cm)"),
        ({"age": "150 years"}, "patient.age", "plausible maximum"),
        ({"scr": "0.1 mg/dL"}, "patient.scr", "below the plausible minimum 20 micromol/L"),
    ],
)
def test_implausible_values_are_refused(change: dict[str, object], field: str, needle: str) -> None:
    with pytest.raises(ImplausibleValueError) as caught:
        make(**change)
    assert caught.value.field == field
    assert needle in str(caught.value)
    assert_clean(without_received_value(str(caught.value), caught.value.value))


def test_other_units_are_converted_exactly() -> None:
    """Amendment A1: any unit of the right dimension is accepted and converted exactly."""
    patient = make(weight="154 lb", height="67 inch", scr="123.8 micromol/L")
    assert patient.weight_kg == 154 * Fraction("0.45359237")
    assert patient.height_cm == 67 * Fraction("2.54")
    assert patient.scr_mg_dl == Fraction("123.8") / Fraction("88.4")
    assert (patient.scr_unit, patient.scr_as_given, patient.scr_factor) == (
        "micromol/L",
        Fraction("123.8"),
        Fraction("88.4"),
    )
    other = pint.UnitRegistry()
    again = make(weight=other.Quantity(70, "kg"), scr=other.Quantity(1.4, "mg/dL"))
    assert again.weight_kg == 70 and again.scr_mg_dl == Fraction(7, 5)


@pytest.mark.req("SAF-15")
def test_no_clinical_input_has_a_default() -> None:
    """Every value a dose depends on is required. pregnant and breastfeeding (issue 10 item 9)
    default to None, "not stated": they only add counselling findings when True, never change
    a dose, and None is never read as False."""
    counselling_only = {"rules", "pregnant", "breastfeeding"}
    for constructor in (Patient.from_inputs, Patient.from_birth_date):
        for name, parameter in inspect.signature(constructor).parameters.items():
            if name not in counselling_only:
                assert parameter.default is inspect.Parameter.empty, name
            elif name != "rules":
                assert parameter.default is None, name
    with pytest.raises(TypeError):
        Patient.from_inputs(age="72 years")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"sex": "F"}, InputError),
        ({"sex": 1}, InputTypeError),
        ({"dialysis": "no"}, InputTypeError),
        ({"dialysis": 0}, InputTypeError),
        ({"age": 72}, InputTypeError),
        ({"age": "72"}, InputError),
        ({"weight": 70.0}, InputTypeError),
        ({"weight": "70 mL"}, InputError),
        ({"scr": "1.4 mg"}, InputError),
        ({"scr": "nan mg/dL"}, InputError),
        ({"height": "0 cm"}, InputError),
    ],
)
def test_bad_values_are_refused(change: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        make(**change)


def test_date_of_birth() -> None:
    patient = Patient.from_birth_date(
        born="1954-03-01",
        as_of="2026-02-28",
        sex="female",
        weight="70 kg",
        height=None,
        scr=None,
        dialysis=None,
    )
    assert patient.age_years == 71  # the birthday is tomorrow
    assert (
        Patient.from_birth_date(
            born=date(1954, 3, 1),
            as_of=date(2026, 3, 1),
            sex=None,
            weight=None,
            height=None,
            scr=None,
            dialysis=None,
        ).age_years
        == 72
    )
    with pytest.raises(ImplausibleValueError, match="after the as-of date"):
        Patient.from_birth_date(
            born="2030-01-01",
            as_of="2026-01-01",
            sex=None,
            weight=None,
            height=None,
            scr=None,
            dialysis=None,
        )
    with pytest.raises(InputError) as caught:
        Patient.from_birth_date(
            born="2025-06-01",
            as_of="2026-01-01",
            sex=None,
            weight=None,
            height=None,
            scr=None,
            dialysis=None,
        )
    assert caught.value.code == "E_OUT_OF_SCOPE"


def test_patient_is_frozen_and_pickles() -> None:
    patient = make(scr="1.4 mg/dL", dialysis=False)
    assert pickle.loads(pickle.dumps(patient)) == patient
    with pytest.raises(AttributeError):
        patient.weight_kg = Fraction(1)  # type: ignore[misc]
    described = dict(patient.describe())
    assert described["patient.dialysis"] is False
    assert described["patient.weight"] == Amount(Fraction(70), kinds.WEIGHT, "estimate")
    assert described["patient.height"] is None  # not known: no value is assumed
    assert_clean([display.param(value) for value in described.values()])


@given(st.dictionaries(st.sampled_from(list(BASE)), S.junk))
def test_fuzz_from_inputs_only_library_errors(changes: dict[str, object]) -> None:
    try:
        make(**changes)
    except BaclofenDoseError:
        pass


@given(S.junk, S.junk)
def test_fuzz_from_birth_date_only_library_errors(born: object, as_of: object) -> None:
    try:
        Patient.from_birth_date(
            born=born, as_of=as_of, sex=None, weight=None, height=None, scr=None, dialysis=None
        )
    except BaclofenDoseError:
        pass


@pytest.mark.req("SAF-13")
@given(S.creatinine, st.sampled_from([Fraction(1, 1000), Fraction(1000), Fraction("88.4") ** 2]))
def test_creatinine_scaled_out_of_band_is_refused(scr: Fraction, scale: Fraction) -> None:
    """A real creatinine multiplied or divided by a unit-sized factor leaves the band."""
    wrong = scr * scale
    with pytest.raises(ImplausibleValueError):
        make(scr=f"{S.decimal_text(wrong)} mg/dL")


@pytest.mark.req("SAF-13")
@given(S.creatinine)
def test_mg_dl_written_as_micromol_is_refused(scr: Fraction) -> None:
    """A value in mg/dL labelled micromol/L is 88.4 times too small: always refused."""
    with pytest.raises(ImplausibleValueError, match="labelled micromol/L"):
        make(scr=f"{S.decimal_text(scr)} micromol/L")


@pytest.mark.req("SAF-14")
@given(S.adult_weights)
def test_weight_in_g_either_way_is_refused(kg: int) -> None:
    with pytest.raises(ImplausibleValueError):
        make(weight=f"{kg} g")
    with pytest.raises(ImplausibleValueError):
        make(weight=f"{kg * 1000} kg")
