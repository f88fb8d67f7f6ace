"""The renal report for people and programs (issue 3): estimates, their basis, the policy.

Every sentence is written here from the planners' data: an estimate's exact value and kind, its
equation's terms (the working), its notes and the weight's basis as codes, the policy's
findings. Estimates are shown to 0.1 and labelled as estimates; the working shows each equation
with its numbers. The JSON keeps every value exact and is read back by recomputing the report
from the patient it records (a file is never believed): ``from_json(to_json(report)) == report``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from baclofen_dose.core import display, numeric, units
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.kernel import rules_or_default
from baclofen_dose.core.kinds import Kind
from baclofen_dose.core.model import Amount, ParamValue
from baclofen_dose.core.rules import RuleSet, default_rules
from baclofen_dose.oral.patient import MOLAR_UNIT, Patient
from baclofen_dose.oral.renal import (
    RENAL_REPORT_SCHEMA,
    BodyWeight,
    RenalAssessment,
    RenalEstimate,
    RenalReport,
    renal_report,
)
from baclofen_dose.render import protocol
from baclofen_dose.render.codec import (
    amount_data,
    decode_param,
    dumps,
    encode_param,
    encode_params,
    finding_data,
    provenance_data,
    reason_data,
)
from baclofen_dose.render.lines import INTENDED_USE, rules_used_lines
from baclofen_dose.render.messages import finding_text, limits_compared, reason_text
from baclofen_dose.render.text import patient_value

__all__ = [
    "RENAL_SCHEMA",
    "creatinine_text",
    "estimate_label",
    "estimate_shown",
    "note_lines",
    "read_report",
    "renal_data",
    "renal_json",
    "renal_text",
    "weight_text",
    "working_lines",
]

RENAL_SCHEMA: Final = RENAL_REPORT_SCHEMA
_LABELS: Final = {
    "cockcroft_gault_1976": "CrCl (Cockcroft-Gault 1976)",
    "ckd_epi_2021": "eGFR (CKD-EPI 2021 without race)",
    "ckd_epi_2021_deindexed": "eGFR de-indexed by body surface area (CKD-EPI 2021 and Mosteller)",
}
_TITLES: Final = {
    "crcl": "Creatinine clearance (Cockcroft-Gault 1976)",
    "egfr": "eGFR (CKD-EPI 2021 without race)",
    "egfr_deindexed": "eGFR de-indexed by body surface area (for bands in mL/min)",
}


def estimate_label(estimate: RenalEstimate) -> str:
    """What the value is, in words: ``'CrCl (Cockcroft-Gault 1976)'``."""
    return _LABELS[estimate.equation]


def estimate_shown(estimate: RenalEstimate, limits: Sequence[Fraction] = ()) -> str:
    """The value for people, rounded to 0.1 (it is an estimate): ``'40.1 mL/min'``; beside
    ``limits`` (the band thresholds it was compared with) with enough places to stay on its
    side of each (``'29.96 mL/min'``, never ``'30 mL/min'`` beside "below 30";
    :func:`~baclofen_dose.core.display.estimate_beside`)."""
    return display.estimate_beside(estimate.value, estimate.kind, limits)


def _limits(
    assessment: RenalAssessment | None, estimate: RenalEstimate | None
) -> tuple[Fraction, ...]:
    """The thresholds the renal policy's findings compared ``estimate`` with."""
    if assessment is None or estimate is None:
        return ()
    return limits_compared(assessment.findings, Amount(estimate.value, estimate.kind))


def weight_text(weight: BodyWeight) -> str:
    """How the body weight was chosen, in words (with the BMI when the BMI rule chose it)."""
    text = reason_text(weight.basis)
    if weight.bmi is not None and "bmi" not in weight.basis.values:
        text += f" (BMI {display.estimate(weight.bmi, units.BODY_MASS_INDEX)})"
    return text


def creatinine_text(estimate: RenalEstimate) -> str:
    """The creatinine in mg/dL, and as given when it was given in micromol/L."""
    text = display.estimate(estimate.creatinine_mg_dl, units.CREATININE_MASS)
    if estimate.creatinine_unit == MOLAR_UNIT:
        given = display.estimate(estimate.creatinine_as_given, units.CREATININE_MOLAR)
        text += f" (given as {given}; divided by {display.ratio(estimate.conversion_factor)})"
    return text


def _fraction(terms: Mapping[str, ParamValue], name: str) -> Fraction:
    value = terms[name]
    if not isinstance(value, (Fraction, int)) or isinstance(value, bool):
        raise TypeError(f"term {name} is not a number")  # pragma: no cover - planner data
    return Fraction(value)


def _optional(terms: Mapping[str, ParamValue], name: str) -> Fraction | None:
    return None if terms.get(name) is None else _fraction(terms, name)


def _converted(estimate: RenalEstimate) -> str:
    return " (converted)" if estimate.creatinine_unit == MOLAR_UNIT else ""


def _cockcroft_gault_lines(estimate: RenalEstimate, limits: Sequence[Fraction]) -> list[str]:
    terms = estimate.values
    female = _optional(terms, "female_factor")
    sex_text = "" if female is None else f" x {display.ratio(female)}"
    line = (
        f"CrCl = ({display.number(_fraction(terms, 'offset'))} - "
        f"{display.estimate(_fraction(terms, 'age'), units.YEARS, unit=False)}) x "
        f"{display.estimate(_fraction(terms, 'weight'), units.WEIGHT, unit=False)} / "
        f"({display.number(_fraction(terms, 'divisor'))} x "
        f"{display.estimate(_fraction(terms, 'scr'), units.CREATININE_MASS, unit=False)})"
        f"{sex_text} = {estimate_shown(estimate, limits)}"
    )
    weight = estimate.weight
    basis = "" if weight is None else f" ({weight_text(weight)}; weight policy {weight.policy})"
    return [
        line,
        f"age in years, weight in kg{basis}, serum creatinine in mg/dL{_converted(estimate)}"
        + (f";{sex_text} for a female patient" if sex_text else ""),
    ]


def _ckd_epi_lines(estimate: RenalEstimate, limits: Sequence[Fraction]) -> list[str]:
    terms = estimate.values
    female = _optional(terms, "female_factor")
    sex_text = "" if female is None else f" x {display.ratio(female)}"
    scr = display.estimate(_fraction(terms, "scr"), units.CREATININE_MASS, unit=False)
    age = display.estimate(_fraction(terms, "age"), units.YEARS, unit=False)
    kappa = display.ratio(_fraction(terms, "kappa"))
    indexed = display.estimate_beside(_fraction(terms, "indexed_value"), units.EGFR, limits)
    line = (
        f"eGFR = {display.number(_fraction(terms, 'coefficient'))} x (smaller of {scr} / {kappa} "
        f"and 1)^-{display.ratio(_fraction(terms, 'alpha'))} x (larger of {scr} / {kappa} and "
        f"1)^-{display.ratio(_fraction(terms, 'above'))} x "
        f"{display.ratio(_fraction(terms, 'age_base'))}^{age}{sex_text} = {indexed}"
    )
    return [
        line,
        f"kappa and alpha for a {terms['sex']} patient; serum creatinine in mg/dL"
        f"{_converted(estimate)}; indexed to 1.73 m2 of body surface area",
    ]


def _deindex_lines(estimate: RenalEstimate) -> list[str]:
    terms = estimate.values
    bsa = estimate.bsa_m2
    assert bsa is not None  # a de-indexed estimate records its body surface area
    bsa_text = display.estimate(bsa, units.AREA, computed=True)
    return [
        f"BSA = square root of "
        f"({display.estimate(_fraction(terms, 'height'), units.HEIGHT, unit=False)} x "
        f"{display.estimate(_fraction(terms, 'bsa_weight'), units.WEIGHT, unit=False)} / "
        f"{display.number(_fraction(terms, 'bsa_divisor'))}) = {bsa_text} (Mosteller, height "
        "in cm, actual weight in kg)",
        f"de-indexed eGFR = "
        f"{display.estimate(_fraction(terms, 'indexed_value'), units.EGFR, computed=True)} x "
        f"{bsa_text} / {display.estimate(_fraction(terms, 'bsa_standard'), units.AREA)} = "
        f"{estimate_shown(estimate)}",
    ]


def working_lines(estimate: RenalEstimate, limits: Sequence[Fraction] = ()) -> list[str]:
    """The equation with its numbers, line by line, from the estimate's terms (the result
    beside ``limits`` as in :func:`estimate_shown`).

    >>> from baclofen_dose import Patient
    >>> from baclofen_dose.oral.renal import cockcroft_gault
    >>> p = Patient.from_inputs(age="72 years", sex="female", weight="70 kg", height=None,
    ...                         scr="1.4 mg/dL", dialysis=False)
    >>> working_lines(cockcroft_gault(p))[0]
    'CrCl = (140 - 72) x 70 / (72 x 1.4) x 0.85 = 40.1 mL/min'
    """
    if estimate.equation == "cockcroft_gault_1976":
        return _cockcroft_gault_lines(estimate, limits)
    lines = _ckd_epi_lines(estimate, limits)
    if estimate.equation == "ckd_epi_2021_deindexed":
        lines += _deindex_lines(estimate)
    return lines


def note_lines(estimate: RenalEstimate) -> list[str]:
    """The estimate's notes in words (on dialysis; older than the equation's patients)."""
    return [reason_text(note) for note in estimate.notes]


def _estimate_lines(
    title: str, estimate: RenalEstimate | None, why: str | None, limits: Sequence[Fraction] = ()
) -> list[str]:
    if estimate is None:
        return [f"{title}: not computed: {why or 'not applicable'}"]
    shown = estimate_shown(estimate, limits)
    lines = [f"{title}: {shown} (estimate, rounded to 0.1 unless more places are needed)"]
    if estimate.weight is not None:
        lines.append(
            f"  weight used: {weight_text(estimate.weight)} "
            f"(weight policy {estimate.weight.policy})"
        )
    lines.append(f"  serum creatinine: {creatinine_text(estimate)}")
    lines += [f"  working: {line}" for line in working_lines(estimate, limits)]
    lines += [f"  note: {note}" for note in note_lines(estimate)]
    return lines


def renal_text(report: RenalReport, *, rules: RuleSet | None = None) -> str:
    """The report for people: patient, each estimate with its basis, the policy, the sources."""
    why = dict(report.not_computed)
    out = ["Baclofen dosing: kidney function", INTENDED_USE, "", "Patient"]
    out += [
        f"- {key.split('.', 1)[1]}: {patient_value(key, value, {})}"
        for key, value in report.patient.describe()
    ]
    out += [""]
    assessment = report.assessment
    out += _estimate_lines(
        _TITLES["crcl"], report.crcl, why.get("crcl"), _limits(assessment, report.crcl)
    )
    out += _estimate_lines(
        _TITLES["egfr"], report.egfr, why.get("egfr"), _limits(assessment, report.egfr)
    )
    out += _estimate_lines(
        _TITLES["egfr_deindexed"],
        report.egfr_deindexed,
        why.get("egfr_deindexed", "needs the eGFR"),
    )
    out += ["", "Renal dose policy"]
    assessment = report.assessment
    if assessment is None:
        out.append(f"- not applied: {why.get('assessment', 'not applicable')}")
    else:
        out.append(f"- policy {assessment.policy}; band {assessment.band}")
        for finding in assessment.findings:
            out.append(f"- {finding.severity}: {finding_text(finding)} (rule {finding.rule_id})")
        if assessment.avoid_rule is not None:
            out.append(
                f"- warning: the policy advises avoiding baclofen here; a plan needs an override "
                f"of rule {assessment.avoid_rule} with a reason"
            )
    prov = report.provenance
    rules = rules_or_default(rules)
    found = rules if rules.sha256 == prov.ruleset_sha256 else None
    out += rules_used_lines(prov, found, what="report")
    out += ["", INTENDED_USE]
    return "\n".join(out) + "\n"


def _plain(value: Fraction) -> Decimal | str:
    """A plain exact number: a decimal, or a ratio string when no finite decimal holds it."""
    if numeric.check_exactness_with_decimal(value):
        return numeric.to_decimal(value)
    return f"{value.numerator}/{value.denominator}"


def _amount(value: Fraction, kind: Kind) -> dict[str, Any]:
    return amount_data(value, kind)


def _estimate_data(estimate: RenalEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    weight = estimate.weight
    return {
        "equation": estimate.equation,
        "value": _amount(estimate.value, estimate.kind),
        "text": estimate_shown(estimate),
        "exact": estimate.exact,
        "weight": None
        if weight is None
        else {
            "policy": weight.policy,
            "value": _amount(weight.kg, units.WEIGHT),
            "basis": reason_data(weight.basis),
            "bmi": None if weight.bmi is None else _amount(weight.bmi, units.BODY_MASS_INDEX),
            "text": weight_text(weight),
            "rule_ids": list(weight.rule_ids),
        },
        "creatinine_mg_dl": _amount(estimate.creatinine_mg_dl, units.CREATININE_MASS),
        "creatinine_as_given": _amount(
            estimate.creatinine_as_given,
            units.CREATININE_MOLAR
            if estimate.creatinine_unit == MOLAR_UNIT
            else units.CREATININE_MASS,
        ),
        "conversion_factor_umol_per_mg_dl": _plain(estimate.conversion_factor),
        "bsa_m2": None if estimate.bsa_m2 is None else _plain(estimate.bsa_m2),
        "rule_ids": list(estimate.rule_ids),
        "terms": encode_params(estimate.terms),
        "notes": [reason_data(n) for n in estimate.notes],
        "working": working_lines(estimate),
    }


def _assessment_data(assessment: RenalAssessment | None) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {
        "policy": assessment.policy,
        "weight_policy": assessment.weight_policy,
        "band": assessment.band,
        "dose_fraction": str(assessment.fraction),
        "fraction_rule": assessment.fraction_rule,
        "start_cap": None
        if assessment.start_cap is None
        else _amount(assessment.start_cap, units.ORAL_DAILY_DOSE),
        "max_cap": None
        if assessment.max_cap is None
        else _amount(assessment.max_cap, units.ORAL_DAILY_DOSE),
        "avoid_rule": assessment.avoid_rule,
        "findings": [finding_data(f) for f in assessment.findings],
    }


def _patient_data(patient: Patient) -> dict[str, Any]:
    """Every value of the patient, exact, so the report can be recomputed from it."""
    molar = patient.scr_unit == MOLAR_UNIT
    given = patient.scr_as_given
    return {
        **encode_params(patient.describe()),
        "patient.scr_as_given": None
        if given is None
        else encode_param(
            Amount(given, units.CREATININE_MOLAR if molar else units.CREATININE_MASS)
        ),
        "patient.scr_factor": encode_param(patient.scr_factor),
        "patient.born": encode_param(patient.born),
        "patient.as_of": encode_param(patient.as_of),
    }


def renal_data(report: RenalReport) -> dict[str, Any]:
    """The report as plain data: exact values (``{"value", "unit"}``, a ratio string when no
    finite decimal holds the value), their text, codes with their values."""
    inputs = report.provenance.values
    return {
        "schema": RENAL_SCHEMA,
        "route": report.route,
        "patient": _patient_data(report.patient),
        "renal_policy": inputs.get("renal_policy"),
        "weight_policy": inputs.get("weight_policy"),
        "crcl": _estimate_data(report.crcl),
        "egfr": _estimate_data(report.egfr),
        "egfr_deindexed": _estimate_data(report.egfr_deindexed),
        "not_computed": dict(report.not_computed),
        "assessment": _assessment_data(report.assessment),
        "provenance": provenance_data(report.provenance),
        "intended_use": INTENDED_USE,
    }


def renal_json(report: RenalReport) -> str:
    """The report as JSON text."""
    return dumps(renal_data(report))


def _bad(field: str, value: object, expected: str) -> InputError:
    return InputError(field, value, expected, code="E_JSON")


def _fraction_param(data: Mapping[str, Any], key: str, kind: Kind | None) -> Fraction | None:
    """An exact value written by :func:`_patient_data` (an amount of ``kind``, or a ratio)."""
    value = decode_param(data.get(key), f"patient.{key}")
    if value is None:
        return None
    if kind is None:
        if not isinstance(value, Fraction):
            raise _bad(f"patient.{key}", data.get(key), "a ratio")
        return value
    if not isinstance(value, Amount) or value.kind is not kind:
        raise _bad(f"patient.{key}", data.get(key), f"an amount of {kind.name}")
    return value.value


def _read_patient(data: Any) -> Patient:
    if not isinstance(data, Mapping):
        raise _bad("patient", data, "an object of patient values")
    scr_given = decode_param(data.get("patient.scr_as_given"), "patient.scr_as_given")
    if scr_given is not None and not isinstance(scr_given, Amount):
        raise _bad("patient.scr_as_given", scr_given, "an amount of creatinine")
    sex = data.get("patient.sex")
    dialysis = data.get("patient.dialysis")
    born = decode_param(data.get("patient.born"), "patient.born")
    as_of = decode_param(data.get("patient.as_of"), "patient.as_of")
    for name, when in (("born", born), ("as_of", as_of)):
        if when is not None and not isinstance(when, date):
            raise _bad(f"patient.{name}", when, "a date or null")
    return Patient(
        age_years=_fraction_param(data, "patient.age", units.YEARS),
        sex=sex,
        weight_kg=_fraction_param(data, "patient.weight", units.WEIGHT),
        height_cm=_fraction_param(data, "patient.height", units.HEIGHT),
        scr_mg_dl=_fraction_param(data, "patient.scr", units.CREATININE_MASS),
        dialysis=dialysis,
        scr_unit=None
        if scr_given is None
        else (
            MOLAR_UNIT if scr_given.kind is units.CREATININE_MOLAR else units.CREATININE_MASS.ucum
        ),
        scr_as_given=None if scr_given is None else scr_given.value,
        scr_factor=_fraction_param(data, "patient.scr_factor", None),
        born=born if isinstance(born, date) else None,
        as_of=as_of if isinstance(as_of, date) else None,
    )


def read_report(data: Mapping[str, Any]) -> RenalReport:
    """A renal report from its data: recomputed from the patient and policies it records, with
    the rule set that made it, and refused unless every written value agrees."""
    prov = data.get("provenance")
    rules = default_rules()
    sha = prov.get("ruleset", {}).get("sha256") if isinstance(prov, Mapping) else None
    if sha != rules.sha256:
        raise _bad("provenance.ruleset.sha256", sha, "the rule set that is loaded")
    patient = _read_patient(data.get("patient"))
    policies = {}
    for key in ("renal_policy", "weight_policy"):
        value = data.get(key)
        if not isinstance(value, str):
            raise _bad(key, value, "a policy name")
        policies[key] = value
    report = renal_report(
        patient,
        renal_policy=policies["renal_policy"],
        weight_policy=policies["weight_policy"],
        rules=rules,
    )
    if renal_json(report) != dumps(data):
        raise _bad("report", RENAL_SCHEMA, "values that agree with the patient and rule set")
    return report


def _table(report: RenalReport, **options: Any) -> str:
    return renal_text(report, rules=options.get("rules"))


protocol.to_data.register(RenalReport)(renal_data)
protocol.table.register(RenalReport)(_table)
protocol.register_reader(RENAL_SCHEMA, read_report)
