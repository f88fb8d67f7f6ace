"""FHIR out: results as FHIR R4 or R5 resources, written as plain JSON-ready dicts.

:func:`to_fhir` dispatches on the result type (as render/protocol.py does):

- an oral titration (:class:`~baclofen_dose.oral.regimen.OralPlan`) or taper
  (:class:`~baclofen_dose.oral.taper.TaperPlan`) -> a ``MedicationRequest`` with one ``Dosage``
  per step (``sequence`` in order; Dosages of one step share it when the doses of the day
  differ), ``timing.repeat`` (frequency per 1 day, ``boundsPeriod`` from the step's dates, the
  last titration step open-ended), ``doseAndRate[0].doseQuantity`` in UCUM ``mg`` (an exact
  decimal), ``maxDosePerPeriod``/``maxDosePerAdministration`` from the plan's maximum policy,
  the ISMP-safe ``text`` and ``patientInstruction``, ``dispenseRequest.quantity`` when the plan
  was realized with one product, and the intended-use line and warnings as ``note``;
- intrathecal orders (:class:`~baclofen_dose.intrathecal.IntrathecalStart`,
  :class:`~baclofen_dose.intrathecal.IntrathecalTaper`, an
  :class:`~baclofen_dose.intrathecal.IntrathecalTitration` with a proposed dose) -> a
  ``MedicationRequest`` whose Dosages give the daily dose as ``rateQuantity`` in ``ug/d``;
- an :class:`~baclofen_dose.check.OrderCheck` -> a ``Bundle`` of ``DetectedIssue`` resources
  (one per finding, with its rule id, severity and source, and an ``OperationOutcome`` of what
  was not assessed when anything was), or with
  ``form="OperationOutcome"`` one ``OperationOutcome`` (findings and what was not assessed).

Codes come from the cited code table (core/rules/codes.toml): SNOMED CT routes, UCUM units
("ug" with the display "mcg"). No RxNorm code is written (none is confirmed): the medication is
text. Numbers are Decimals (exact JSON numbers through :func:`to_fhir_json`), never floats.

>>> from baclofen_dose import plan_titration
>>> request = to_fhir(plan_titration(start="2026-01-05", target="60 mg/day"), version="R4")
>>> [d["sequence"] for d in request["dosageInstruction"]]
[1, 2, 3, 4]
>>> request["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"]
Decimal('5')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from fractions import Fraction
from functools import singledispatch
from typing import Any, Final, Literal

import attrs

from baclofen_dose.check.order import NotAssessed, OrderCheck
from baclofen_dose.core import display, numeric, units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.model import Amount, Finding, ParamValue, Provenance, Severity
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.codes import CodeTable, default_codes
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.intrathecal import (
    IntrathecalStart,
    IntrathecalTaper,
    IntrathecalTitration,
    ScreeningPlan,
)
from baclofen_dose.oral.products import Supply
from baclofen_dose.oral.regimen import OralPlan, Step
from baclofen_dose.oral.taper import TaperPlan
from baclofen_dose.oral.titration import select_max_policy
from baclofen_dose.render import protocol
from baclofen_dose.render.check import not_assessed_text
from baclofen_dose.render.codec import dumps
from baclofen_dose.render.lines import INTENDED_USE, rules_for
from baclofen_dose.render.messages import finding_text, order_finding_text
from baclofen_dose.render.products import dispense_lines, product_name, steps_lines
from baclofen_dose.render.sentences.fhir import DOSAGE
from baclofen_dose.render.taper import taper_instructions
from baclofen_dose.render.text import instruction

__all__ = [
    "FHIR_VERSIONS",
    "FhirVersion",
    "detected_issues",
    "operation_outcome",
    "to_fhir",
    "to_fhir_json",
]

RULES: Final = requires(
    __name__,
    {
        "it.daily_dose.ceiling": "it.daily_dose",
    },
)


FhirVersion = Literal["R4", "R5"]
FHIR_VERSIONS: Final = ("R4", "R5")
RULE_SYSTEM: Final = "urn:baclofen-dose:rule-id"
"""The identifier system of the library's rule ids in DetectedIssue.code."""

_SEVERITY: Final = {Severity.HARD: "high", Severity.WARNING: "moderate", Severity.INFO: "low"}
_CEILING: Final = "it.daily_dose.ceiling"
_OUTCOME: Final = {
    Severity.HARD: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "information",
}


def _version(version: object) -> FhirVersion:
    if version not in FHIR_VERSIONS:
        raise InputError("version", version, "R4 or R5", code="E_FHIR_VERSION")
    return "R4" if version == "R4" else "R5"


def _say(code: str, **params: ParamValue) -> str:
    return display.fill(DOSAGE[code], params)


def _ucum(value: Fraction, code: str, codes: CodeTable) -> dict[str, Any]:
    """A UCUM Quantity with an exact decimal value (the display is the house unit: "mcg")."""
    if not numeric.check_exactness_with_decimal(value):  # pragma: no cover - doses are exact
        raise InputError("value", value, "an amount with an exact decimal value")
    entry = codes.unit(code)
    return {
        "value": numeric.to_decimal(value),
        "unit": entry.display,
        "system": codes.systems["ucum"],
        "code": code,
    }


def _route(route: str, codes: CodeTable) -> dict[str, Any]:
    found = codes.routes[route]
    return {
        "coding": [
            {"system": codes.systems["snomed"], "code": found.code, "display": found.display}
        ]
    }


def _bounds(start: date | None, end: date | None) -> dict[str, Any]:
    if start is None:
        return {}
    period = {"start": start.isoformat()}
    if end is not None:
        period["end"] = end.isoformat()
    return {"boundsPeriod": period}


def _request(
    medication: str,
    dosages: list[dict[str, Any]],
    notes: Sequence[str],
    version: FhirVersion,
    subject: str | None,
) -> dict[str, Any]:
    concept = {"text": medication}
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
    }
    if version == "R4":
        resource["medicationCodeableConcept"] = concept
    else:
        resource["medication"] = {"concept": concept}
    resource["subject"] = (
        {"reference": subject} if subject is not None else {"display": _say("SUBJECT_UNKNOWN")}
    )
    resource["dosageInstruction"] = dosages
    resource["note"] = [{"text": text} for text in dict.fromkeys([INTENDED_USE, *notes])]
    return resource


def _max_period(
    daily: Fraction | None, dose: Fraction | None, version: FhirVersion, codes: CodeTable
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if daily is not None:
        ratio = {
            "numerator": _ucum(daily, "mg", codes),
            "denominator": _ucum(Fraction(1), "d", codes),
        }
        out["maxDosePerPeriod"] = ratio if version == "R4" else [ratio]
    if dose is not None:
        out["maxDosePerAdministration"] = _ucum(dose, "mg", codes)
    return out


def _oral_maxima(
    plan: OralPlan | TaperPlan, rules: RuleSet | None
) -> tuple[Fraction | None, Fraction | None]:
    """The plan's daily and per-dose maxima for this patient, from the rule set that made it.

    A patient-specific maximum (a renal reduction, a child's age-band and per-kg ceiling: an
    ``Adjustment`` of ``"maximum"``) replaces the policy's daily maximum, so the resource never
    allows more than the plan was built to; the per-dose maximum is the adult policy's (none
    for a policy that is not an adult maximum policy, such as the child age bands).
    """
    found = rules_for(plan.provenance, rules)
    daily: Fraction | None = None
    dose: Fraction | None = None
    if found is not None and plan.max_policy in found.policy_choices("oral_max_daily"):
        _, daily_rule, dose_rule = select_max_policy(found, plan.max_policy)
        daily = daily_rule.require_value()
        dose = None if dose_rule is None else dose_rule.require_value()
    adjusted = [
        a.after
        for a in getattr(plan, "adjustments", ())
        if a.what == "maximum" and a.quantity == "oral.daily_dose"
    ]
    if adjusted:
        daily = min(adjusted)
    return daily, dose


def _oral_dosages(
    steps: Sequence[Step],
    patient_lines: Sequence[str],
    maxima: tuple[Fraction | None, Fraction | None],
    version: FhirVersion,
    codes: CodeTable,
) -> list[dict[str, Any]]:
    dosages: list[dict[str, Any]] = []
    route = _route("oral", codes)
    limits = _max_period(*maxima, version, codes)
    for number, (step, patient_line) in enumerate(zip(steps, patient_lines, strict=True), 1):
        regimen = step.regimen
        daily = Amount(regimen.daily_mg, units.ORAL_DAILY_DOSE)
        n = regimen.times_per_day
        common: dict[str, ParamValue] = {"n": n, "daily": daily, "start": step.start}
        if step.end is not None:
            common["end"] = step.end
        open_ended = "_OPEN" if step.end is None else ""
        parts: list[tuple[int | None, Fraction, int]]
        if regimen.equal:
            parts = [(None, regimen.doses_mg[0], n)]
        else:
            parts = [(i, dose, 1) for i, dose in enumerate(regimen.doses_mg, 1)]
        for position, dose, frequency in parts:
            amount = Amount(dose, units.ORAL_DOSE)
            if position is None:
                text = _say("ORAL_STEP" + open_ended, dose=amount, **common)
            else:
                text = _say(
                    "ORAL_DOSE_OF_DAY" + open_ended, dose=amount, position=position, **common
                )
            dosages.append(
                {
                    "sequence": number,
                    "text": text,
                    "patientInstruction": patient_line,
                    "timing": {
                        "repeat": {
                            **_bounds(step.start, step.end),
                            "frequency": frequency,
                            "period": 1,
                            "periodUnit": "d",
                        }
                    },
                    "route": route,
                    "doseAndRate": [{"doseQuantity": _ucum(dose, "mg", codes)}],
                    **limits,
                }
            )
    return dosages


def _dispense(supply: Supply | None, codes: CodeTable) -> tuple[str, dict[str, Any], list[str]]:
    """The medication text, ``dispenseRequest`` and dispense notes of a plan realized with
    products. One product with one dispense line: its quantity and the days it covers
    (``expectedSupplyDuration``); an open-ended last step's daily use is only in the notes."""
    if supply is None:
        return "baclofen", {}, []
    notes = [_say("DISPENSE_PREFIX") + line for line in dispense_lines(supply)]
    if len(supply.products) != 1 or len(supply.dispense) != 1:
        return "baclofen", {}, notes
    product = supply.products[0]
    line = supply.dispense[0]
    if product.liquid:
        quantity = _ucum(line.dispensed, "mL", codes)
    else:
        quantity = {"value": numeric.to_decimal(line.dispensed), "unit": product.unit_word}
    request = {
        "quantity": quantity,
        "expectedSupplyDuration": _ucum(Fraction(line.days), "d", codes),
    }
    return "baclofen " + product_name(product), {"dispenseRequest": request}, notes


def _warnings(findings: Sequence[Finding]) -> list[str]:
    return [finding_text(f) for f in findings if f.severity is not Severity.INFO]


@attrs.frozen
class _Options:
    """The caller's options, checked once."""

    version: FhirVersion
    subject: str | None
    rules: RuleSet | None
    form: str


def to_fhir(
    result: object,
    *,
    version: FhirVersion = "R4",
    subject: str | None = None,
    rules: RuleSet | None = None,
    form: str = "DetectedIssue",
) -> dict[str, Any]:
    """The result as a FHIR resource (a JSON-ready dict with Decimal numbers).

    ``version`` "R4" (also valid R4B) or "R5"; ``subject`` a reference such as "Patient/123"
    (without it the subject is a display only: the prescriber identifies the patient);
    ``rules`` the rule set that made the result (default: the bundled one); ``form`` for an
    order check: "DetectedIssue" (a Bundle of them) or "OperationOutcome".
    """
    if subject is not None and (not isinstance(subject, str) or not subject.strip()):
        raise InputTypeError("subject", subject, 'a FHIR reference such as "Patient/123"')
    if form not in ("DetectedIssue", "OperationOutcome"):
        raise InputError("form", form, "DetectedIssue or OperationOutcome", code="E_FHIR_FORM")
    return _write(result, _Options(_version(version), subject, rules, form))


def to_fhir_json(result: object, **options: Any) -> str:
    """:func:`to_fhir` as JSON text, through the library's one encoder (exact numbers)."""
    return dumps(to_fhir(result, **options))


@singledispatch
def _write(result: object, options: _Options) -> dict[str, Any]:
    raise InputTypeError("result", result, "a baclofen-dose result that has a FHIR form")


def _oral_request(
    plan: OralPlan | TaperPlan, lines: Sequence[str], notes: Sequence[str], options: _Options
) -> dict[str, Any]:
    """The MedicationRequest of an oral plan: its steps, maxima, product and notes."""
    codes = default_codes()
    maxima = _oral_maxima(plan, options.rules)
    medication, dispense, dispense_notes = _dispense(plan.supply, codes)
    resource = _request(
        medication,
        _oral_dosages(plan.steps, lines, maxima, options.version, codes),
        [*notes, *dispense_notes, *_warnings(plan.findings)],
        options.version,
        options.subject,
    )
    resource.update(dispense)
    return resource


@_write.register
def _oral_plan(plan: OralPlan, options: _Options) -> dict[str, Any]:
    lines = (
        steps_lines(plan.steps, plan.supply)
        if plan.supply is not None
        else [instruction(step) for step in plan.steps]
    )
    return _oral_request(plan, lines, (), options)


@_write.register
def _taper_plan(plan: TaperPlan, options: _Options) -> dict[str, Any]:
    lines = steps_lines(plan.steps, plan.supply, plan.taper.current.times_per_day)
    # After the steps' lines: the stop day, product advice and the withdrawal warnings.
    after = taper_instructions(plan)[len(plan.steps) :]
    return _oral_request(plan, lines, after, options)


def _it_dosage(
    number: int | None, daily_mcg: Fraction, start: date | None, end: date | None, codes: CodeTable
) -> dict[str, Any]:
    daily = Amount(daily_mcg, units.IT_DAILY_DOSE)
    if start is None:
        text = _say("IT_DAILY", daily=daily)
    elif end is None:
        text = _say("IT_STEP_OPEN", daily=daily, start=start)
    else:
        text = _say("IT_STEP", daily=daily, start=start, end=end)
    dosage: dict[str, Any] = {} if number is None else {"sequence": number}
    dosage.update(
        {
            "text": text,
            "timing": {
                "repeat": {**_bounds(start, end), "frequency": 1, "period": 1, "periodUnit": "d"}
            },
            "route": _route("intrathecal", codes),
            "doseAndRate": [{"rateQuantity": _ucum(daily_mcg, "ug/d", codes)}],
        }
    )
    return dosage


def _it_request(
    dosages: list[dict[str, Any]],
    result: IntrathecalStart | IntrathecalTitration | IntrathecalTaper,
    options: _Options,
) -> dict[str, Any]:
    """The MedicationRequest of an intrathecal order; each Dosage carries the hard daily
    ceiling (``it.daily_dose.ceiling``) of the rule set that made it as ``maxDosePerPeriod``."""
    found = rules_for(result.provenance, options.rules)
    if found is not None and _CEILING in found:
        codes = default_codes()
        ratio = {
            "numerator": _ucum(found[_CEILING].require_value(), "ug", codes),
            "denominator": _ucum(Fraction(1), "d", codes),
        }
        for dosage in dosages:
            dosage["maxDosePerPeriod"] = ratio if options.version == "R4" else [ratio]
    return _request(
        "baclofen intrathecal",
        dosages,
        _warnings(result.findings),
        options.version,
        options.subject,
    )


@_write.register
def _it_screening(result: ScreeningPlan, options: _Options) -> dict[str, Any]:
    """The screening boluses in order: one Dosage each (``sequence``), given once
    (``count`` 1), the dose as ``doseQuantity`` in ``ug``; the text says the volume and when
    the next one may follow (no dates: each waits for the response to the one before)."""
    codes = default_codes()
    lines = protocol.text(result).splitlines()[: len(result.boluses)]
    dosages = [
        {
            "sequence": bolus.number,
            "text": line,
            "timing": {"repeat": {"count": 1}},
            "route": _route("intrathecal", codes),
            "doseAndRate": [{"doseQuantity": _ucum(bolus.dose_mcg, "ug", codes)}],
        }
        for bolus, line in zip(result.boluses, lines, strict=True)
    ]
    return _request(
        "baclofen intrathecal screening",
        dosages,
        _warnings(result.findings),
        options.version,
        options.subject,
    )


@_write.register
def _it_start(result: IntrathecalStart, options: _Options) -> dict[str, Any]:
    codes = default_codes()
    return _it_request([_it_dosage(None, result.daily_mcg, None, None, codes)], result, options)


@_write.register
def _it_titration(result: IntrathecalTitration, options: _Options) -> dict[str, Any]:
    if result.proposed_daily_mcg is None:
        raise InputError(
            "result",
            "titration bounds without a proposed dose",
            "an intrathecal titration with a proposed daily dose (an order)",
            code="E_FHIR_NOT_AN_ORDER",
        )
    codes = default_codes()
    dosage = _it_dosage(None, result.proposed_daily_mcg, None, None, codes)
    return _it_request([dosage], result, options)


@_write.register
def _it_taper(result: IntrathecalTaper, options: _Options) -> dict[str, Any]:
    codes = default_codes()
    dosages = [
        _it_dosage(number, step.daily_mcg, step.start, step.end, codes)
        for number, step in enumerate(result.steps, 1)
    ]
    return _it_request(dosages, result, options)


def _source_url(finding: Finding, rules: RuleSet | None) -> str | None:
    if rules is None or finding.rule_id not in rules:
        return None
    url = rules[finding.rule_id].source.url
    return url if url.startswith(("http://", "https://")) else None


def detected_issues(
    findings: Sequence[Finding],
    *,
    version: FhirVersion = "R4",
    provenance: Provenance | None = None,
    rules: RuleSet | None = None,
    wording: Callable[[Finding], str] = finding_text,
) -> list[dict[str, Any]]:
    """One ``DetectedIssue`` per finding: the rule id as the code, the severity (hard: high,
    warning: moderate, info: low), the sentence and its citation as the detail, the rule's
    source URL as the reference, and an acknowledged override as a mitigation."""
    _version(version)  # the elements written here are the same in R4 and R5
    known = None if provenance is None else rules_for(provenance, rules)
    issues = []
    for finding in findings:
        code = {"coding": [{"system": RULE_SYSTEM, "code": finding.rule_id}], "text": finding.code}
        issue: dict[str, Any] = {
            "resourceType": "DetectedIssue",
            "status": "final",
            "code": code,
            "severity": _SEVERITY[finding.severity],
            "detail": f"{wording(finding)} Source: {finding.citation}",
        }
        url = _source_url(finding, known)
        if url is not None:
            issue["reference"] = url
        if finding.override_reason is not None:
            issue["mitigation"] = [{"action": {"text": finding.override_reason}}]
        issues.append(issue)
    return issues


def operation_outcome(
    findings: Sequence[Finding],
    not_assessed: Sequence[NotAssessed] = (),
    wording: Callable[[Finding], str] = finding_text,
) -> dict[str, Any]:
    """One ``OperationOutcome``: an issue per finding (hard: error, warning, info:
    information) and per thing not assessed (information, ``incomplete``)."""
    issues: list[dict[str, Any]] = [
        {
            "severity": _OUTCOME[finding.severity],
            "code": "business-rule" if finding.severity is not Severity.INFO else "informational",
            "details": {"text": wording(finding)},
            "diagnostics": f"rule {finding.rule_id}; source: {finding.citation}",
        }
        for finding in findings
    ]
    issues += [
        {
            "severity": "information",
            "code": "incomplete",
            "details": {"text": _say("NOT_ASSESSED_PREFIX") + not_assessed_text(entry)},
        }
        for entry in not_assessed
    ]
    if not issues:
        issues.append(
            {"severity": "information", "code": "informational", "details": {"text": INTENDED_USE}}
        )
    return {"resourceType": "OperationOutcome", "issue": issues}


@_write.register
def _order_check(result: OrderCheck, options: _Options) -> dict[str, Any]:
    """A Bundle of DetectedIssues, with one OperationOutcome listing what was not assessed
    (when anything was); or, with ``form="OperationOutcome"``, one OperationOutcome."""
    if options.form == "OperationOutcome":
        return operation_outcome(result.findings, result.not_assessed, order_finding_text)
    issues = detected_issues(
        result.findings,
        version=options.version,
        provenance=result.provenance,
        rules=options.rules,
        wording=order_finding_text,
    )
    entries = [{"resource": issue} for issue in issues]
    if result.not_assessed:
        # What the check could not judge travels with the findings, never dropped: a reader
        # of the Bundle must not take a partial check for a complete one.
        entries.append({"resource": operation_outcome((), result.not_assessed)})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}
