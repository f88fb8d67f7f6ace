"""Kidney function: Cockcroft-Gault, CKD-EPI 2021, de-indexing, and the renal dose policies.

Every figure comes from the rule data (``renal.*``; clinical.md 3, 11, 12):

- :func:`cockcroft_gault` creatinine clearance (mL/min) with an explicit body-weight policy
  (``crcl_weight``: ``actual`` by default, ``ideal`` (Devine), ``adjusted`` (40 percent), or the
  BMI-based ``medcalc_bmi`` rule of MedCalc-Bench). Rational, so exact.
- :func:`ckd_epi_2021` eGFR (mL/min/1.73 m2, race-free); :func:`deindex` turns it into mL/min
  with the body surface area (Mosteller). Powers and roots are computed to 50 digits.
- :func:`assess` applies a named renal dose policy (``renal_dose``: ``vlavonou2014`` by default,
  ``ajkd2017``, ``cheong2020``) and says which band applies, with what value, and why.

Each :class:`RenalEstimate` carries its equation, the exact value and its kind, the weight used,
the creatinine in mg/dL, the creatinine as given and the conversion factor (rule
``renal.creatinine.umol_per_mg_dl``), the rule ids used, the equation's terms (for the working)
and its notes as codes. Nothing here writes text: render/renal.py words the working and notes.

>>> from baclofen_dose import Patient
>>> p = Patient.from_inputs(age="72 years", sex="female", weight="70 kg", height=None,
...                         scr="1.4 mg/dL", dialysis=False)
>>> crcl = cockcroft_gault(p)
>>> crcl.value, crcl.weight.policy
(Fraction(1445, 36), 'actual')
>>> assess(p).band
'moderate'
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, Final, TypeVar

import attrs

from baclofen_dose.core import numeric, units
from baclofen_dose.core.deprecation import renamed
from baclofen_dose.core.errors import InputError, InputTypeError, RuleSetError
from baclofen_dose.core.kernel import rules_or_default
from baclofen_dose.core.limits import Finding, advice
from baclofen_dose.core.memo import remember
from baclofen_dose.core.model import Amount, Params, ParamValue, Reason, freeze_params
from baclofen_dose.core.rules import Rule, RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import WeightPolicyName
from baclofen_dose.oral.patient import Patient, check_plausible, missing, population
from baclofen_dose.oral.regimen import Provenance

if TYPE_CHECKING:
    import pint

    from baclofen_dose.core.model import Route

__all__ = [
    "BANDS",
    "EQUATIONS",
    "RENAL_POLICY",
    "RENAL_REPORT_SCHEMA",
    "WEIGHT_POLICY",
    "BodyWeight",
    "RenalAssessment",
    "RenalEstimate",
    "RenalReport",
    "adjusted_body_weight",
    "assess",
    "body_surface_area",
    "ckd_epi_2021",
    "cockcroft_gault",
    "deindex",
    "dosing_weight",
    "ideal_body_weight",
    "renal_report",
]
RULES: Final = requires(
    __name__,
    {
        "renal.ajkd2017.egfr_min": "renal.egfr",
        "renal.ajkd2017.reduce.egfr_below": "renal.egfr",
        "renal.bsa.mosteller_divisor": "factor",
        "renal.bsa.standard": "bsa",
        "renal.ca_monograph.dialysis.max_daily": "oral.daily_dose",
        "renal.ca_monograph.dialysis.start": "oral.daily_dose",
        "renal.ca_monograph.end_stage.below": "renal.crcl",
        "renal.ca_monograph.end_stage.max_daily": "oral.daily_dose",
        "renal.ca_monograph.end_stage.start": "oral.daily_dose",
        "renal.cheong2020.ckd45.egfr_below": "renal.egfr",
        "renal.cheong2020.ckd45.start": "oral.daily_dose",
        "renal.cheong2020.dialysis.start": "oral.daily_dose",
        "renal.ckd_epi_2021.age_base": "factor",
        "renal.ckd_epi_2021.alpha_female": "factor",
        "renal.ckd_epi_2021.alpha_male": "factor",
        "renal.ckd_epi_2021.coefficient": "renal.egfr",
        "renal.ckd_epi_2021.exponent_above_kappa": "factor",
        "renal.ckd_epi_2021.female_factor": "factor",
        "renal.ckd_epi_2021.kappa_female": "creatinine.mass",
        "renal.ckd_epi_2021.kappa_male": "creatinine.mass",
        "renal.ckd_epi_2021.min_age": "age",
        "renal.cockcroft_gault.age_offset": "age",
        "renal.cockcroft_gault.derivation_age_max": "age",
        "renal.cockcroft_gault.divisor": "factor",
        "renal.cockcroft_gault.female_factor": "factor",
        "renal.cockcroft_gault.min_age": "age",
        "renal.cockcroft_gault.obesity_bmi": "bmi",
        "renal.creatinine.low_muscle_mass": None,
        "renal.creatinine.umol_per_mg_dl": "factor",
        "renal.end_stage.interval": "interval",
        "renal.end_stage.interval.min": "interval",
        "renal.vlavonou2014.mild.crcl_max": "renal.crcl",
        "renal.vlavonou2014.mild.dose_fraction": "factor",
        "renal.vlavonou2014.moderate.crcl_max": "renal.crcl",
        "renal.vlavonou2014.moderate.dose_fraction": "factor",
        "renal.vlavonou2014.severe.crcl_below": "renal.crcl",
        "renal.vlavonou2014.severe.dose_fraction": "factor",
        "renal.weight.adjusted.factor": "factor",
        "renal.weight.ibw.base_height": "height",
        "renal.weight.ibw.female_base": "weight",
        "renal.weight.ibw.male_base": "weight",
        "renal.weight.ibw.per_inch": "weight.per_height",
        "renal.weight.medcalc.bmi_normal_max": "bmi",
        "renal.weight.medcalc.bmi_underweight_below": "bmi",
    },
)


_T = TypeVar("_T")

RENAL_POLICY: Final = "renal_dose"
WEIGHT_POLICY: Final = "crcl_weight"
BANDS: Final = ("normal", "mild", "moderate", "severe", "end_stage", "dialysis")
EQUATIONS: Final = ("cockcroft_gault_1976", "ckd_epi_2021", "ckd_epi_2021_deindexed")
RENAL_REPORT_SCHEMA: Final = "baclofen-dose/renal-report/1"


def _kg(value: Fraction) -> Amount:
    return Amount(value, units.WEIGHT, "estimate")


@attrs.frozen
class BodyWeight:
    """A body weight for an equation: the policy, the exact kg, its basis and the rules.

    ``basis`` says how the weight was chosen, as a code and values (``WEIGHT_ACTUAL``,
    ``WEIGHT_IDEAL``, ``WEIGHT_ADJUSTED``...; render/ words it); ``bmi`` is set when the
    BMI-based policy chose it.
    """

    policy: str
    kg: Fraction
    basis: Reason
    rule_ids: tuple[str, ...]
    bmi: Fraction | None = None

    @property
    def quantity(self) -> pint.Quantity[Fraction]:
        """The weight as a pint Quantity (kg)."""
        return units.quantity(self.kg, units.WEIGHT)

    @property
    def amount(self) -> Amount:
        """The weight as an amount (kg; shown as an estimate)."""
        return _kg(self.kg)


@attrs.frozen
class RenalEstimate:
    """One kidney-function estimate, with everything needed to check it by hand.

    ``value`` is in mL/min (``indexed`` False) or mL/min/1.73 m2 (``indexed`` True); ``exact``
    is False when powers or roots were computed (to 50 significant digits). ``terms`` are the
    equation's inputs and coefficients by name (exact), from which render/ writes the working;
    ``notes`` are codes (``ON_DIALYSIS``, ``ABOVE_DERIVATION_AGE``) with their values.
    """

    equation: str
    value: Fraction
    indexed: bool
    exact: bool
    weight: BodyWeight | None
    creatinine_mg_dl: Fraction
    creatinine_as_given: Fraction
    creatinine_unit: str
    conversion_factor: Fraction
    bsa_m2: Fraction | None
    rule_ids: tuple[str, ...]
    terms: Params = attrs.field(converter=freeze_params)
    notes: tuple[Reason, ...]

    @property
    def kind(self) -> units.Kind:
        """``units.EGFR`` for an indexed eGFR, else ``units.RENAL_CLEARANCE`` (mL/min)."""
        return units.EGFR if self.indexed else units.RENAL_CLEARANCE

    @property
    def quantity(self) -> pint.Quantity[Fraction]:
        """The value as a pint Quantity (mL/min; eGFR per 1.73 m2)."""
        return units.quantity(self.value, self.kind)

    @property
    def amount(self) -> Amount:
        """The value as an exact amount of its kind (an estimate: render/ rounds it to 0.1)."""
        return Amount(self.value, self.kind, "estimate")

    @property
    def values(self) -> dict[str, ParamValue]:
        """The terms as a mapping."""
        return dict(self.terms)


@attrs.frozen
class RenalAssessment:
    """What a renal dose policy makes of a patient: the band, the fraction, the caps, why.

    ``fraction`` multiplies the usual start, step and maximum (1 in the ``normal`` band);
    ``fraction_rule`` is the soft limit a target above the reduced maximum must override.
    ``start_cap`` and ``max_cap`` are absolute daily caps (dialysis, CKD stage 4 to 5) with
    their rules; ``avoid_rule`` is a soft limit the plan crosses (AJKD, Wolf et al. 2018),
    ``avoid_value`` what crosses it. ``interval`` (rule ``interval_rule``) is a slower default
    step interval and ``interval_min_rule`` the soft minimum a chosen interval must keep
    (end-stage band).
    """

    policy: str
    weight_policy: str
    dialysis: bool
    crcl: RenalEstimate | None
    egfr: RenalEstimate | None
    band: str
    band_rule: str | None
    fraction: Fraction
    fraction_rule: str | None
    start_cap: Fraction | None
    start_cap_rule: str | None
    max_cap: Fraction | None
    max_cap_rule: str | None
    avoid_rule: str | None
    avoid_value: Fraction | None
    findings: tuple[Finding, ...]
    rule_ids: tuple[str, ...]
    interval: Fraction | None = None
    interval_rule: str | None = None
    interval_min_rule: str | None = None

    @property
    def reduced(self) -> bool:
        """True when the policy lowers anything (a band other than normal, or a cap)."""
        return self.band != "normal" or self.start_cap is not None or self.max_cap is not None


def _rules(rules: RuleSet | None) -> RuleSet:
    rules = rules_or_default(rules)
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    return rules


def _patient(patient: object, rules: RuleSet) -> Patient:
    if not isinstance(patient, Patient):
        raise InputTypeError(
            "patient", patient, "a Patient from Patient.from_inputs() or Patient.from_birth_date()"
        )
    check_plausible(patient, rules)
    return patient


def _choice(rules: RuleSet, policy: str, value: object, field: str) -> str:
    if policy not in rules.policies:
        raise RuleSetError(f"policies.{policy}", "is required for patient-specific dosing")
    if value is None:
        return rules.policy_default(policy)
    choices = rules.policy_choices(policy)
    if not isinstance(value, str) or value not in choices:
        raise InputError(field, value, "one of " + ", ".join(choices), code="E_POLICY")
    return value


def _value(rules: RuleSet, rule_id: str, used: list[str]) -> Fraction:
    used.append(rule_id)
    return rules[rule_id].require_value()


def _need(value: Fraction | str | None, field: str, expected: str, purpose: str) -> None:
    if value is None:
        raise missing(field, expected, purpose)


def _adult_only(patient: Patient, rules: RuleSet, rule_id: str, equation: str) -> list[str]:
    _need(patient.age_years, "patient.age", "an age such as '72 years'", equation)
    assert patient.age_years is not None  # for mypy: _need raised otherwise
    minimum = rules[rule_id].require_value()
    if patient.age_years < minimum:
        raise InputError(
            "patient.age",
            Amount(patient.age_years, units.YEARS, "estimate"),
            "an adult of at least {minimum} (rule {rule})",
            problem="is below the ages {equation} was derived for; it is not used for children",
            params={
                "minimum": Amount(minimum, units.YEARS, "estimate"),
                "rule": rule_id,
                "equation": equation,
            },
            code="E_OUT_OF_SCOPE",
            rule_id=rule_id,
        )
    return [rule_id]


def _floor_to(value: Fraction, grid: Fraction) -> Fraction:
    """``value`` rounded down to a whole multiple of ``grid``."""
    return grid * (value // grid)


def ideal_body_weight(patient: Patient, *, rules: RuleSet | None = None) -> BodyWeight:
    """Ideal body weight (Devine): 50 kg (male) or 45.5 kg (female) plus 2.3 kg per inch over 5 ft.

    Rules ``renal.weight.ibw.*``. Refused for heights under 5 ft (the formula is not
    extrapolated) and when sex or height is missing.
    """
    rules = _rules(rules)
    return _ideal_body_weight(_patient(patient, rules), rules)


def _ideal_body_weight(patient: Patient, rules: RuleSet) -> BodyWeight:
    used: list[str] = []
    _need(patient.sex, "patient.sex", "'female' or 'male'", "ideal body weight (Devine)")
    _need(patient.height_cm, "patient.height", "a height such as '170 cm'", "ideal body weight")
    assert patient.height_cm is not None
    base_height = _value(rules, "renal.weight.ibw.base_height", used)
    if patient.height_cm < base_height:
        raise InputError(
            "patient.height",
            Amount(patient.height_cm, units.HEIGHT, "estimate"),
            "a height of at least {minimum} for ideal or adjusted body weight (rule {rule}), "
            "or the weight policy 'actual'",
            problem="is below the heights the Devine formula is given for; it is not extrapolated",
            params={
                "minimum": Amount(base_height, units.HEIGHT, "estimate"),
                "rule": "renal.weight.ibw.base_height",
            },
            code="E_OUT_OF_SCOPE",
            rule_id="renal.weight.ibw.base_height",
        )
    base = _value(rules, f"renal.weight.ibw.{patient.sex}_base", used)
    per_inch = _value(rules, "renal.weight.ibw.per_inch", used)
    inch_cm = units.parse_unit("inch", units.HEIGHT, "unit")
    kg = base + per_inch * (patient.height_cm - base_height) / inch_cm
    basis = Reason(
        "WEIGHT_IDEAL",
        {
            "weight": _kg(kg),
            "base": _kg(base),
            "per_inch": _kg(per_inch),
            "base_inches": base_height / inch_cm,
        },
    )
    return BodyWeight("ideal_formula", kg, basis, tuple(used))


def adjusted_body_weight(patient: Patient, *, rules: RuleSet | None = None) -> BodyWeight:
    """Adjusted body weight: ideal plus 0.4 of (actual minus ideal), as a formula.

    Rule ``renal.weight.adjusted.factor``. This is the bare formula (as MedCalc-Bench computes
    it); the ``adjusted`` weight policy of :func:`dosing_weight` never uses it above actual.
    """
    rules = _rules(rules)
    return _adjusted_body_weight(_patient(patient, rules), rules)


def _adjusted_body_weight(patient: Patient, rules: RuleSet) -> BodyWeight:
    _need(patient.weight_kg, "patient.weight", "a weight such as '70 kg'", "adjusted body weight")
    assert patient.weight_kg is not None
    ideal = _ideal_body_weight(patient, rules)
    used = list(ideal.rule_ids)
    factor = _value(rules, "renal.weight.adjusted.factor", used)
    kg = ideal.kg + factor * (patient.weight_kg - ideal.kg)
    basis = Reason(
        "WEIGHT_ADJUSTED",
        {
            "weight": _kg(kg),
            "ideal": _kg(ideal.kg),
            "factor": factor,
            "actual": _kg(patient.weight_kg),
        },
    )
    return BodyWeight("adjusted_formula", kg, basis, tuple(used))


def _bmi(patient: Patient) -> Fraction:
    assert patient.weight_kg is not None
    assert patient.height_cm is not None
    metres = patient.height_cm / units.parse_unit("m", units.HEIGHT, "unit")
    return patient.weight_kg / (metres * metres)


@renamed(policy="weight_policy")
def dosing_weight(
    patient: Patient, weight_policy: WeightPolicyName | None = None, *, rules: RuleSet | None = None
) -> BodyWeight:
    """The weight Cockcroft-Gault uses under a ``crcl_weight`` policy (default ``actual``).

    ``weight_policy`` names it (``policy=`` is the old spelling: deprecated).

    - ``actual``: actual body weight (Cockcroft and Gault 1976).
    - ``ideal``: ideal body weight (Devine), or actual if lower.
    - ``adjusted``: adjusted body weight when actual is above ideal, else actual.
    - ``medcalc_bmi``: BMI below 18.5 actual; 18.5 to 24.9 the lower of ideal and actual;
      above 24.9 adjusted (rules ``renal.weight.medcalc.*``).
    """
    rules = _rules(rules)
    return _dosing_weight(_patient(patient, rules), weight_policy, rules)


def _dosing_weight(patient: Patient, policy: str | None, rules: RuleSet) -> BodyWeight:
    chosen = _choice(rules, WEIGHT_POLICY, policy, "weight_policy")
    _need(patient.weight_kg, "patient.weight", "a weight such as '70 kg'", "Cockcroft-Gault")
    assert patient.weight_kg is not None
    actual = patient.weight_kg
    actual_basis = Reason("WEIGHT_ACTUAL", {"weight": _kg(actual)})
    if chosen == "actual":
        return BodyWeight(chosen, actual, actual_basis, ())
    if chosen == "medcalc_bmi":
        _need(patient.height_cm, "patient.height", "a height such as '170 cm'", "the BMI rule")
        bmi = _bmi(patient)
        low = rules["renal.weight.medcalc.bmi_underweight_below"]
        high = rules["renal.weight.medcalc.bmi_normal_max"]
        ids = (low.id, high.id)
        if bmi < low.require_value():
            underweight = Reason(
                "WEIGHT_ACTUAL_UNDERWEIGHT",
                {"weight": _kg(actual), "bmi": Amount(bmi, units.BODY_MASS_INDEX, "estimate")},
            )
            return BodyWeight(chosen, actual, underweight, ids, bmi)
        if bmi <= high.require_value():
            ideal = _ideal_body_weight(patient, rules)
            kg = min(ideal.kg, actual)
            basis = (
                ideal.basis
                if kg < actual
                else Reason("WEIGHT_ACTUAL_BELOW_IDEAL", {"weight": _kg(actual)})
            )
            return BodyWeight(chosen, kg, basis, ids + ideal.rule_ids, bmi)
        adjusted = _adjusted_body_weight(patient, rules)
        return BodyWeight(chosen, adjusted.kg, adjusted.basis, ids + adjusted.rule_ids, bmi)
    ideal = _ideal_body_weight(patient, rules)
    if actual <= ideal.kg:
        return BodyWeight(
            chosen,
            actual,
            Reason("WEIGHT_NOT_ABOVE_IDEAL", {"weight": _kg(actual), "ideal": _kg(ideal.kg)}),
            ideal.rule_ids,
        )
    if chosen == "ideal":
        return BodyWeight(chosen, ideal.kg, ideal.basis, ideal.rule_ids)
    adjusted = _adjusted_body_weight(patient, rules)
    return BodyWeight(chosen, adjusted.kg, adjusted.basis, adjusted.rule_ids)


def _creatinine(patient: Patient, rules: RuleSet, purpose: str) -> tuple[Fraction, Fraction, str]:
    _need(patient.scr_mg_dl, "patient.scr", "a serum creatinine such as '1.1 mg/dL'", purpose)
    assert patient.scr_mg_dl is not None
    given = patient.scr_as_given if patient.scr_as_given is not None else patient.scr_mg_dl
    unit = patient.scr_unit or units.CREATININE_MASS.ucum  # "mg/dL"
    return patient.scr_mg_dl, given, unit


def _notes(patient: Patient, rules: RuleSet, used: list[str]) -> list[Reason]:
    notes = []
    if patient.dialysis:
        notes.append(Reason("ON_DIALYSIS"))
    oldest = _value(rules, "renal.cockcroft_gault.derivation_age_max", used)
    assert patient.age_years is not None
    if patient.age_years > oldest:
        notes.append(
            Reason(
                "ABOVE_DERIVATION_AGE",
                {
                    "age": Amount(patient.age_years, units.YEARS, "estimate"),
                    "oldest": Amount(oldest, units.YEARS, "estimate"),
                },
            )
        )
    return notes


def cockcroft_gault(
    patient: Patient, *, weight_policy: str | None = None, rules: RuleSet | None = None
) -> RenalEstimate:
    """Creatinine clearance (mL/min): (140 - age) x weight / (72 x SCr), x 0.85 if female.

    Rules ``renal.cockcroft_gault.*`` and the weight policy's rules. Exact. Adults only.
    """
    rules = _rules(rules)
    return _cockcroft_gault(_patient(patient, rules), weight_policy, rules)


def _cockcroft_gault(patient: Patient, weight_policy: str | None, rules: RuleSet) -> RenalEstimate:
    purpose = "Cockcroft-Gault"
    used = _adult_only(patient, rules, "renal.cockcroft_gault.min_age", purpose)
    _need(patient.sex, "patient.sex", "'female' or 'male'", purpose)
    weight = _dosing_weight(patient, weight_policy, rules)
    used += weight.rule_ids
    scr, given, unit = _creatinine(patient, rules, purpose)
    factor = _value(rules, "renal.creatinine.umol_per_mg_dl", used)
    offset = _value(rules, "renal.cockcroft_gault.age_offset", used)
    divisor = _value(rules, "renal.cockcroft_gault.divisor", used)
    assert patient.age_years is not None
    value = (offset - patient.age_years) * weight.kg / (divisor * scr)
    female: Fraction | None = None
    if patient.sex == "female":
        female = _value(rules, "renal.cockcroft_gault.female_factor", used)
        value *= female
    if value <= 0:
        raise RuleSetError("renal.cockcroft_gault.age_offset", "gives no clearance at this age")
    terms: dict[str, ParamValue] = {
        "offset": offset,
        "age": patient.age_years,
        "weight": weight.kg,
        "divisor": divisor,
        "scr": scr,
        "female_factor": female,
    }
    notes = tuple(_notes(patient, rules, used))
    return RenalEstimate(
        equation="cockcroft_gault_1976",
        value=value,
        indexed=False,
        exact=True,
        weight=weight,
        creatinine_mg_dl=scr,
        creatinine_as_given=given,
        creatinine_unit=unit,
        conversion_factor=factor,
        bsa_m2=None,
        rule_ids=tuple(dict.fromkeys(used)),
        terms=terms,
        notes=notes,
    )


def ckd_epi_2021(patient: Patient, *, rules: RuleSet | None = None) -> RenalEstimate:
    """eGFR (mL/min/1.73 m2), CKD-EPI 2021 creatinine equation without race.

    142 x min(SCr/kappa, 1)^alpha x max(SCr/kappa, 1)^-1.2 x 0.9938^age (x 1.012 if female);
    rules ``renal.ckd_epi_2021.*``. Computed to 50 significant digits. Adults only.
    """
    rules = _rules(rules)
    return _ckd_epi_2021(_patient(patient, rules), rules)


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    """``base ** exponent`` (:func:`numeric.power`); one to any power is exactly one, so that
    case skips the 50-digit computation (one of CKD-EPI's two creatinine terms is always one)."""
    return Fraction(1) if base == 1 else numeric.power(base, exponent)


def _ckd_epi_2021(patient: Patient, rules: RuleSet) -> RenalEstimate:
    purpose = "CKD-EPI 2021"
    used = _adult_only(patient, rules, "renal.ckd_epi_2021.min_age", purpose)
    _need(patient.sex, "patient.sex", "'female' or 'male'", purpose)
    scr, given, unit = _creatinine(patient, rules, purpose)
    factor = _value(rules, "renal.creatinine.umol_per_mg_dl", used)
    sex = patient.sex
    coefficient = _value(rules, "renal.ckd_epi_2021.coefficient", used)
    kappa = _value(rules, f"renal.ckd_epi_2021.kappa_{sex}", used)
    alpha = _value(rules, f"renal.ckd_epi_2021.alpha_{sex}", used)
    above = _value(rules, "renal.ckd_epi_2021.exponent_above_kappa", used)
    age_base = _value(rules, "renal.ckd_epi_2021.age_base", used)
    assert patient.age_years is not None
    ratio = scr / kappa
    one = Fraction(1)
    value = (
        coefficient
        * _power(min(ratio, one), -alpha)
        * _power(max(ratio, one), -above)
        * _power(age_base, patient.age_years)
    )
    female: Fraction | None = None
    if sex == "female":
        female = _value(rules, "renal.ckd_epi_2021.female_factor", used)
        value *= female
    terms: dict[str, ParamValue] = {
        "sex": sex,
        "coefficient": coefficient,
        "kappa": kappa,
        "alpha": alpha,
        "above": above,
        "age_base": age_base,
        "age": patient.age_years,
        "scr": scr,
        "female_factor": female,
        "indexed_value": value,
    }
    notes = tuple(_notes(patient, rules, used))
    return RenalEstimate(
        equation="ckd_epi_2021",
        value=value,
        indexed=True,
        exact=False,
        weight=None,
        creatinine_mg_dl=scr,
        creatinine_as_given=given,
        creatinine_unit=unit,
        conversion_factor=factor,
        bsa_m2=None,
        rule_ids=tuple(dict.fromkeys(used)),
        terms=terms,
        notes=notes,
    )


def body_surface_area(patient: Patient, *, rules: RuleSet | None = None) -> Fraction:
    """Body surface area in m2 (Mosteller): square root of (height cm x weight kg / 3600).

    Rule ``renal.bsa.mosteller_divisor``. Computed to 50 significant digits.
    """
    rules = _rules(rules)
    patient = _patient(patient, rules)
    _need(patient.height_cm, "patient.height", "a height such as '170 cm'", "body surface area")
    _need(patient.weight_kg, "patient.weight", "a weight such as '70 kg'", "body surface area")
    assert patient.height_cm is not None
    assert patient.weight_kg is not None
    divisor = rules["renal.bsa.mosteller_divisor"].require_value()
    return numeric.sqrt(patient.height_cm * patient.weight_kg / divisor)


def deindex(
    estimate: RenalEstimate, patient: Patient, *, rules: RuleSet | None = None
) -> RenalEstimate:
    """An indexed eGFR as mL/min for this patient: eGFR x BSA / 1.73 (rule ``renal.bsa.*``).

    For comparing an eGFR with bands written in mL/min. BSA by Mosteller, from actual weight.
    """
    rules = _rules(rules)
    if not isinstance(estimate, RenalEstimate) or not estimate.indexed:
        raise InputTypeError("estimate", estimate, "an indexed eGFR from ckd_epi_2021()")
    bsa = body_surface_area(patient, rules=rules)
    standard = rules["renal.bsa.standard"].require_value()
    value = estimate.value * bsa / standard
    assert patient.height_cm is not None
    assert patient.weight_kg is not None
    divisor = rules["renal.bsa.mosteller_divisor"].require_value()
    terms = (
        *estimate.terms,
        ("height", patient.height_cm),
        ("bsa_weight", patient.weight_kg),
        ("bsa_divisor", divisor),
        ("bsa_standard", standard),
    )
    return attrs.evolve(
        estimate,
        equation="ckd_epi_2021_deindexed",
        value=value,
        indexed=False,
        bsa_m2=bsa,
        rule_ids=(*estimate.rule_ids, "renal.bsa.mosteller_divisor", "renal.bsa.standard"),
        terms=terms,
    )


def _band(crcl: Fraction, rules: RuleSet) -> tuple[str, Rule | None, Rule | None]:
    """(band, threshold rule, dose-fraction rule) for a Cockcroft-Gault CrCl (Vlavonou 2014)."""
    severe = rules["renal.vlavonou2014.severe.crcl_below"]
    moderate = rules["renal.vlavonou2014.moderate.crcl_max"]
    mild = rules["renal.vlavonou2014.mild.crcl_max"]
    if crcl < severe.require_value():
        return "severe", severe, rules["renal.vlavonou2014.severe.dose_fraction"]
    if crcl <= moderate.require_value():
        return "moderate", moderate, rules["renal.vlavonou2014.moderate.dose_fraction"]
    if crcl <= mild.require_value():
        return "mild", mild, rules["renal.vlavonou2014.mild.dose_fraction"]
    return "normal", mild, None


def assess(
    patient: Patient,
    *,
    renal_policy: str | None = None,
    weight_policy: str | None = None,
    rules: RuleSet | None = None,
) -> RenalAssessment:
    """Apply a renal dose policy to an adult patient: band, dose fraction, caps and reasons.

    Needs dialysis status; off dialysis also age, sex, weight and serum creatinine (CrCl by
    Cockcroft-Gault sets the Vlavonou band; eGFR by CKD-EPI 2021 is used by ``ajkd2017``,
    ``cheong2020`` and the Muanda 2019 finding). Children are refused: no renal rule for
    children is in the rule data.
    """
    return _assess(
        patient=patient, renal_policy=renal_policy, weight_policy=weight_policy, rules=_rules(rules)
    )


# A pure function of an immutable patient, two policy names and an immutable, hashed rule set:
# computed once for the same inputs (issue 8 item 10: the 50-digit CKD-EPI power and the
# exact Cockcroft-Gault arithmetic cost more than the plan itself). Errors are not remembered.
@remember(by_value=(Patient,), by_sha256=(RuleSet,))
def _assess(
    *, patient: object, renal_policy: object, weight_policy: object, rules: RuleSet
) -> RenalAssessment:
    patient = _patient(patient, rules)
    policy = _choice(rules, RENAL_POLICY, renal_policy, "renal_policy")
    weights = _choice(rules, WEIGHT_POLICY, weight_policy, "weight_policy")
    if population(patient, rules) == "child":
        raise InputError(
            "patient.age",
            Amount(patient.age_years or Fraction(1), units.YEARS, "estimate"),
            "an adult: the rule data has no kidney-function rule for children",
            problem="is a child's age",
            code="E_OUT_OF_SCOPE",
        )
    if patient.dialysis is None:
        raise missing(
            "patient.dialysis",
            "True or False (on dialysis or not)",
            f"the renal policy {policy}",
        )
    used: list[str] = []
    findings: list[Finding] = []
    severe_fraction = rules["renal.vlavonou2014.severe.dose_fraction"]
    if patient.dialysis:
        return _dialysis(rules, policy, weights, severe_fraction)
    crcl = _cockcroft_gault(patient, weights, rules)  # the patient was checked above
    egfr = _ckd_epi_2021(patient, rules)
    used += [*crcl.rule_ids, *egfr.rule_ids]
    end_stage = rules["renal.ca_monograph.end_stage.below"]
    used.append(end_stage.id)
    if min(crcl.value, egfr.value) < end_stage.require_value():
        return _end_stage(rules, policy, weights, crcl, egfr, severe_fraction, used)
    band, band_rule, fraction_rule = _band(crcl.value, rules)
    fraction = Fraction(1) if fraction_rule is None else fraction_rule.require_value()
    assert band_rule is not None
    used.append(band_rule.id)
    assert crcl.weight is not None  # Cockcroft-Gault always records its weight
    # Where the band comes from: the clearance, the weight it used and the creatinine.
    where: dict[str, ParamValue] = {
        "policy": policy,
        "crcl": crcl.amount,
        "weight": crcl.weight.amount,
        "weight_policy": crcl.weight.policy,
        "scr": Amount(crcl.creatinine_mg_dl, units.CREATININE_MASS, "estimate"),
        "threshold": Amount(band_rule.require_value(), units.RENAL_CLEARANCE),
    }
    if fraction_rule is None:
        findings.append(
            Finding(band_rule.id, "info", "RENAL_NO_REDUCTION", where, band_rule.citation)
        )
    else:
        used.append(fraction_rule.id)
        findings.append(
            Finding(
                fraction_rule.id,
                "warning",
                "RENAL_REDUCED_SEVERE" if band == "severe" else "RENAL_REDUCED",
                {**where, "band": band, "fraction": fraction},
                fraction_rule.citation,
            )
        )
    findings += _caveats(patient, crcl, rules, used)
    start_cap = start_cap_rule = avoid_rule = None
    avoid_value = None
    if policy == "cheong2020":
        below = rules["renal.cheong2020.ckd45.egfr_below"]
        used.append(below.id)
        if egfr.value < below.require_value():
            cap = rules["renal.cheong2020.ckd45.start"]
            start_cap, start_cap_rule = cap.require_value(), cap.id
            used.append(cap.id)
            findings.append(
                Finding(
                    cap.id,
                    "warning",
                    "RENAL_CHEONG_START",
                    {
                        "policy": policy,
                        "egfr": egfr.amount,
                        "below": Amount(below.require_value(), units.EGFR),
                        "cap": Amount(cap.require_value(), units.ORAL_DAILY_DOSE),
                    },
                    cap.citation,
                )
            )
    if policy == "ajkd2017":
        minimum = rules["renal.ajkd2017.egfr_min"]
        reduce = rules["renal.ajkd2017.reduce.egfr_below"]
        used += [minimum.id, reduce.id]
        if egfr.value < minimum.require_value():
            avoid_rule, avoid_value = minimum.id, egfr.value
        elif egfr.value < reduce.require_value() and fraction_rule is None:
            findings.append(
                Finding(
                    reduce.id,
                    "warning",
                    "RENAL_AJKD_REDUCE",
                    {
                        **where,
                        "egfr": egfr.amount,
                        "below": Amount(reduce.require_value(), units.EGFR),
                    },
                    reduce.citation,
                )
            )
    return RenalAssessment(
        policy=policy,
        weight_policy=weights,
        dialysis=False,
        crcl=crcl,
        egfr=egfr,
        band=band,
        band_rule=band_rule.id,
        fraction=fraction,
        fraction_rule=None if fraction_rule is None else fraction_rule.id,
        start_cap=start_cap,
        start_cap_rule=start_cap_rule,
        max_cap=None,
        max_cap_rule=None,
        avoid_rule=avoid_rule,
        avoid_value=avoid_value,
        findings=tuple(findings),
        rule_ids=tuple(dict.fromkeys(used)),
    )


def _caveats(
    patient: Patient, crcl: RenalEstimate, rules: RuleSet, used: list[str]
) -> list[Finding]:
    """Caveats of a creatinine-based estimate: obesity with actual weight (BMI at or above
    ``renal.cockcroft_gault.obesity_bmi``) and low muscle mass (spinal cord injury)."""
    found: list[Finding] = []
    obesity = rules["renal.cockcroft_gault.obesity_bmi"]
    used.append(obesity.id)
    weight = crcl.weight
    if (
        weight is not None
        and weight.policy == "actual"
        and patient.height_cm is not None
        and _bmi(patient) >= obesity.require_value()
    ):
        found.append(
            Finding(
                obesity.id,
                "warning",
                "RENAL_OBESITY_ACTUAL_WEIGHT",
                {
                    "bmi": Amount(_bmi(patient), units.BODY_MASS_INDEX, "estimate"),
                    "threshold": Amount(obesity.require_value(), units.BODY_MASS_INDEX),
                    "crcl": crcl.amount,
                },
                obesity.citation,
            )
        )
    muscle = rules["renal.creatinine.low_muscle_mass"]
    used.append(muscle.id)
    found.append(advice(muscle))
    return found


def _end_stage(
    rules: RuleSet,
    policy: str,
    weights: str,
    crcl: RenalEstimate,
    egfr: RenalEstimate,
    severe: Rule,
    used: list[str],
) -> RenalAssessment:
    """Kidney failure (CrCl or eGFR below 15) without dialysis: the dialysis-level cap.

    The Canadian monograph (L17) allows baclofen in end-stage renal failure only when the
    benefit outweighs the risk; on dialysis it gives about 5 mg daily. Start and maximum are
    that dose (the maximum a soft limit), steps are the severe band's fraction, and each step
    lasts at least ``renal.end_stage.interval.min`` days (a soft limit).
    """
    below = rules["renal.ca_monograph.end_stage.below"]
    start = rules["renal.ca_monograph.end_stage.start"]
    maximum = rules["renal.ca_monograph.end_stage.max_daily"]
    interval = rules["renal.end_stage.interval"]
    interval_min = rules["renal.end_stage.interval.min"]
    used += [below.id, start.id, maximum.id, severe.id, interval.id, interval_min.id]
    avoid_rule = avoid_value = None
    if policy == "ajkd2017":
        avoid_rule, avoid_value = rules["renal.ajkd2017.egfr_min"].id, egfr.value
        used.append(avoid_rule)
    finding = Finding(
        maximum.id,
        "warning",
        "RENAL_END_STAGE",
        {
            "policy": policy,
            "crcl": crcl.amount,
            "egfr": egfr.amount,
            "below": Amount(below.require_value(), units.RENAL_CLEARANCE),
            "start": Amount(start.require_value(), units.ORAL_DAILY_DOSE),
            "maximum": Amount(maximum.require_value(), units.ORAL_DAILY_DOSE),
            "fraction": severe.require_value(),
            "interval": Amount(interval.require_value(), units.DAYS),
        },
        maximum.citation,
    )
    return RenalAssessment(
        policy=policy,
        weight_policy=weights,
        dialysis=False,
        crcl=crcl,
        egfr=egfr,
        band="end_stage",
        band_rule=below.id,
        fraction=severe.require_value(),
        fraction_rule=severe.id,
        start_cap=start.require_value(),
        start_cap_rule=start.id,
        max_cap=maximum.require_value(),
        max_cap_rule=maximum.id,
        avoid_rule=avoid_rule,
        avoid_value=avoid_value,
        findings=(finding,),
        rule_ids=tuple(dict.fromkeys(used)),
        interval=interval.require_value(),
        interval_rule=interval.id,
        interval_min_rule=interval_min.id,
    )


def _dialysis(rules: RuleSet, policy: str, weights: str, severe: Rule) -> RenalAssessment:
    """The assessment on dialysis: a start and maximum per the policy; steps as CrCl below 30."""
    if policy == "cheong2020":
        start = rules["renal.cheong2020.dialysis.start"]
        code = "RENAL_DIALYSIS_CHEONG"
    else:
        start = rules["renal.ca_monograph.dialysis.start"]
        code = "RENAL_DIALYSIS"
    maximum = rules["renal.ca_monograph.dialysis.max_daily"]
    below = rules["renal.vlavonou2014.severe.crcl_below"].require_value()
    used = [start.id, maximum.id, severe.id]
    avoid_rule = None
    if policy == "ajkd2017":
        avoid_rule = rules["renal.ajkd2017.egfr_min"].id
        used.append(avoid_rule)
    finding = Finding(
        start.id,
        "warning",
        code,
        {
            "policy": policy,
            "start": Amount(start.require_value(), units.ORAL_DAILY_DOSE),
            "maximum": Amount(maximum.require_value(), units.ORAL_DAILY_DOSE),
            "fraction": severe.require_value(),
            "below": Amount(below, units.RENAL_CLEARANCE),
        },
        start.citation,
    )
    return RenalAssessment(
        policy=policy,
        weight_policy=weights,
        dialysis=True,
        crcl=None,
        egfr=None,
        band="dialysis",
        band_rule=None,
        fraction=severe.require_value(),
        fraction_rule=severe.id,
        start_cap=start.require_value(),
        start_cap_rule=start.id,
        max_cap=maximum.require_value(),
        max_cap_rule=maximum.id,
        avoid_rule=avoid_rule,
        avoid_value=None,
        findings=(finding,),
        rule_ids=tuple(used),
    )


@attrs.frozen
class RenalReport:
    """Every estimate that can be made for a patient, why the others cannot, and the policy.

    For the ``renal`` command and for educators: ``crcl``, ``egfr`` and ``egfr_deindexed`` are
    ``None`` when not computable, with the reason in ``not_computed``; ``assessment`` is the
    renal dose policy's reading (``None`` with its reason when it cannot be made).
    """

    patient: Patient
    crcl: RenalEstimate | None
    egfr: RenalEstimate | None
    egfr_deindexed: RenalEstimate | None
    assessment: RenalAssessment | None
    not_computed: tuple[tuple[str, str], ...]
    provenance: Provenance

    @property
    def findings(self) -> tuple[Finding, ...]:
        """The renal policy's findings (none when it could not be applied)."""
        return () if self.assessment is None else self.assessment.findings

    @property
    def route(self) -> Route:
        """Always ``"oral"``: the renal policies adjust oral doses."""
        return "oral"

    @property
    def schema(self) -> str:
        """The JSON schema id of a renal report."""
        return RENAL_REPORT_SCHEMA


def renal_report(
    patient: Patient,
    *,
    renal_policy: str | None = None,
    weight_policy: str | None = None,
    rules: RuleSet | None = None,
) -> RenalReport:
    """All renal estimates for ``patient`` and the renal policy's reading, as far as possible.

    A value that is missing or out of scope leaves that estimate out, with the reason. If no
    estimate at all can be made, the first reason is raised (nothing is guessed).
    """
    rules = _rules(rules)
    patient = _patient(patient, rules)
    policy = _choice(rules, RENAL_POLICY, renal_policy, "renal_policy")
    weights = _choice(rules, WEIGHT_POLICY, weight_policy, "weight_policy")
    skipped: list[tuple[str, str]] = []
    errors: list[InputError] = []

    def attempt(what: str, compute: Callable[[], _T]) -> _T | None:
        try:
            return compute()
        except InputError as exc:
            if exc.code not in ("E_MISSING_INPUT", "E_OUT_OF_SCOPE"):
                raise
            skipped.append((what, exc.message))
            errors.append(exc)
            return None

    crcl = attempt("crcl", lambda: cockcroft_gault(patient, weight_policy=weights, rules=rules))
    egfr = attempt("egfr", lambda: ckd_epi_2021(patient, rules=rules))
    deindexed = None
    if egfr is not None:
        deindexed = attempt("egfr_deindexed", lambda: deindex(egfr, patient, rules=rules))
    assessment = attempt(
        "assessment",
        lambda: assess(patient, renal_policy=policy, weight_policy=weights, rules=rules),
    )
    if crcl is None and egfr is None and assessment is None:
        raise errors[0]
    used = [
        rid
        for item in (crcl, egfr, deindexed, assessment)
        if item is not None
        for rid in item.rule_ids
    ]
    inputs: list[tuple[str, ParamValue]] = [
        *patient.describe(),
        ("renal_policy", policy),
        ("weight_policy", weights),
    ]
    return RenalReport(
        patient=patient,
        crcl=crcl,
        egfr=egfr,
        egfr_deindexed=deindexed,
        assessment=assessment,
        not_computed=tuple(skipped),
        provenance=Provenance.of(rules, used, inputs),
    )
