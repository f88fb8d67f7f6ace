"""The renal report for people and programs (issue 3): estimates, their basis, the policy.

Every number comes from :mod:`baclofen_dose.display`; nothing is computed here. Estimates are
shown to 0.1 and labelled as estimates; the working shows each equation with its numbers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Final

from baclofen_dose.core import units
from baclofen_dose.core.rules import RuleSet, default_rules
from baclofen_dose.oral.renal import RenalEstimate, RenalReport
from baclofen_dose.render.codec import dumps, finding_data, provenance_data
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.text import INTENDED_USE, rules_used_lines

__all__ = ["RENAL_SCHEMA", "renal_data", "renal_json", "renal_text"]

RENAL_SCHEMA: Final = "baclofen-dose/renal-report/1"
_PLACES: Final = Decimal("0.0001")


def _estimate_lines(title: str, estimate: RenalEstimate | None, why: str | None) -> list[str]:
    if estimate is None:
        return [f"{title}: not computed: {why or 'not applicable'}"]
    lines = [f"{title}: {estimate.shown} (estimate, rounded to 0.1)"]
    if estimate.weight is not None:
        lines.append(
            f"  weight used: {estimate.weight.basis} (weight policy {estimate.weight.policy})"
        )
    lines.append(f"  serum creatinine: {estimate.creatinine_shown}")
    lines += [f"  working: {line}" for line in estimate.working]
    lines += [f"  note: {note}" for note in estimate.notes]
    return lines


def renal_text(report: RenalReport, *, rules: RuleSet | None = None) -> str:
    """The report for people: patient, each estimate with its basis, the policy, the sources."""
    why = dict(report.not_computed)
    out = ["Baclofen dosing: kidney function", INTENDED_USE, "", "Patient"]
    out += [f"- {key.split('.', 1)[1]}: {value}" for key, value in report.patient.describe()]
    out += [""]
    out += _estimate_lines(
        "Creatinine clearance (Cockcroft-Gault 1976)", report.crcl, why.get("crcl")
    )
    out += _estimate_lines("eGFR (CKD-EPI 2021 without race)", report.egfr, why.get("egfr"))
    out += _estimate_lines(
        "eGFR de-indexed by body surface area (for bands in mL/min)",
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
    rules = default_rules() if rules is None else rules
    found = rules if rules.sha256 == prov.ruleset_sha256 else None
    out += rules_used_lines(prov, found, what="report")
    out += ["", INTENDED_USE]
    return "\n".join(out) + "\n"


def _number(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(_PLACES, rounding=ROUND_HALF_UP)


def _estimate_data(estimate: RenalEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {
        "equation": estimate.equation,
        "value": (_number(estimate.value)),
        "unit": estimate.kind.ucum,
        "rounded_to_places": 4,
        "exact": estimate.exact,
        "weight": None
        if estimate.weight is None
        else {
            "policy": estimate.weight.policy,
            "value": (_number(estimate.weight.kg)),
            "unit": units.WEIGHT.ucum,
            "basis": estimate.weight.basis,
        },
        "creatinine_mg_dl": (_number(estimate.creatinine_mg_dl)),
        "creatinine_as_given": {
            "value": (_number(estimate.creatinine_as_given)),
            "unit": "umol/L" if estimate.creatinine_unit == "micromol/L" else "mg/dL",
        },
        "conversion_factor_umol_per_mg_dl": (_number(estimate.conversion_factor)),
        "bsa_m2": None if estimate.bsa_m2 is None else (_number(estimate.bsa_m2)),
        "rule_ids": list(estimate.rule_ids),
        "working": list(estimate.working),
        "notes": list(estimate.notes),
    }


def renal_data(report: RenalReport) -> dict[str, Any]:
    """The report as plain data (numbers rounded to 4 places, labelled as such)."""
    assessment = report.assessment
    prov = report.provenance
    return {
        "schema": RENAL_SCHEMA,
        "patient": dict(report.patient.describe()),
        "crcl": _estimate_data(report.crcl),
        "egfr": _estimate_data(report.egfr),
        "egfr_deindexed": _estimate_data(report.egfr_deindexed),
        "not_computed": dict(report.not_computed),
        "assessment": None
        if assessment is None
        else {
            "policy": assessment.policy,
            "weight_policy": assessment.weight_policy,
            "band": assessment.band,
            "dose_fraction": str(assessment.fraction),
            "fraction_rule": assessment.fraction_rule,
            "start_cap": None
            if assessment.start_cap is None
            else {"value": (_number(assessment.start_cap)), "unit": "mg/d"},
            "max_cap": None
            if assessment.max_cap is None
            else {"value": (_number(assessment.max_cap)), "unit": "mg/d"},
            "avoid_rule": assessment.avoid_rule,
            "findings": [finding_data(f) for f in assessment.findings],
        },
        "provenance": provenance_data(prov),
        "intended_use": INTENDED_USE,
    }


def renal_json(report: RenalReport) -> str:
    """The report as JSON text."""
    return dumps(renal_data(report))
