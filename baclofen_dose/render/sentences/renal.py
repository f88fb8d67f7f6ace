"""Sentences for renal findings and reasons: code -> template (see render/messages.py).

Findings come from :func:`baclofen_dose.oral.renal.assess`; reasons say how a body weight was
chosen (``BodyWeight.basis``) and note the limits of an estimate (``RenalEstimate.notes``).
Clearances and eGFR are computed values, shown rounded to 0.1 (``{crcl:computed}``).
"""

from __future__ import annotations

from typing import Final

# Where a Vlavonou band comes from: the clearance, the weight it used and the creatinine.
_WHERE_PLAIN: Final = (
    "CrCl {crcl:computed} (Cockcroft-Gault with {weight} body weight, weight policy "
    "{weight_policy}; creatinine {scr})"
)
# Beside its band threshold the clearance shows enough places to stay on its side (29.96,
# never 30 beside "below 30"; core.display.estimate_beside).
_WHERE: Final = _WHERE_PLAIN.replace("{crcl:computed}", "{crcl:computed@threshold}")

FINDINGS: Final[dict[str, str]] = {
    "RENAL_NO_REDUCTION": (
        "Renal policy {policy}: " + _WHERE + " is above {threshold}: no renal reduction."
    ),
    "RENAL_REDUCED": (
        "Renal policy {policy}: " + _WHERE + " is at or below {threshold} ({band} impairment): "
        "start, step and maximum are {fraction:ratio} of the usual ones (Vlavonou 2014)."
    ),
    "RENAL_REDUCED_SEVERE": (
        "Renal policy {policy}: " + _WHERE + " is below {threshold} ({band} impairment): "
        "start, step and maximum are {fraction:ratio} of the usual ones (Vlavonou 2014)."
    ),
    "RENAL_CHEONG_START": (
        "Renal policy {policy}: eGFR {egfr:computed@below} is below {below} (CKD stage 4 to "
        "5): start at no more than {cap} (Cheong 2020)."
    ),
    "RENAL_AJKD_REDUCE": (
        "Renal policy {policy}: eGFR {egfr:computed@below} is below {below}: AJKD 2018 advises a "
        "reduced dose there without saying how much; the CrCl band (" + _WHERE_PLAIN + ") gives no "
        "reduction. Consider a lower target."
    ),
    "RENAL_OBESITY_ACTUAL_WEIGHT": (
        "BMI {bmi} is at or above {threshold}: Cockcroft-Gault with actual body weight "
        "overstates clearance in obesity (CrCl {crcl:computed} here); consider the adjusted "
        "weight policy (ClinCalc; clinical.md 11.1)."
    ),
    "RENAL_END_STAGE": (
        "Renal policy {policy}: kidney failure without dialysis (CrCl {crcl:computed@below}, "
        "eGFR {egfr:computed@below}; below {below}): start at {start} and keep to {maximum}, the "
        "dialysis-level dose of the Canadian monograph, which allows baclofen in end-stage "
        "renal failure only when the benefit outweighs the risk; steps {fraction:ratio} of the "
        "usual, each lasting at least {interval}. Going above {maximum} needs an override "
        "with a reason."
    ),
    "RENAL_DIALYSIS": (
        "Renal policy {policy}: the patient is on dialysis, where creatinine-based equations do "
        "not apply: start at {start} (Canadian monograph), maximum {maximum} (Canadian "
        "monograph), steps {fraction:ratio} of the usual (as for CrCl below {below})."
    ),
    "RENAL_DIALYSIS_CHEONG": (
        "Renal policy {policy}: the patient is on dialysis, where creatinine-based equations do "
        "not apply: start at {start} (Cheong 2020), maximum {maximum} (Canadian monograph), "
        "steps {fraction:ratio} of the usual (as for CrCl below {below})."
    ),
}

REASONS: Final[dict[str, str]] = {
    # How Cockcroft-Gault's body weight was chosen (BodyWeight.basis).
    "WEIGHT_ACTUAL": "actual body weight {weight}",
    "WEIGHT_ACTUAL_UNDERWEIGHT": "actual body weight {weight} (BMI {bmi}: underweight)",
    "WEIGHT_ACTUAL_BELOW_IDEAL": "actual body weight {weight} (lower than ideal)",
    "WEIGHT_NOT_ABOVE_IDEAL": "actual body weight {weight} (not above ideal {ideal})",
    "WEIGHT_IDEAL": (
        "ideal body weight (Devine) {weight}: {base} plus {per_inch} per inch over "
        "{base_inches:number} inches"
    ),
    "WEIGHT_ADJUSTED": (
        "adjusted body weight {weight}: ideal {ideal} plus {factor:ratio} x (actual {actual} - "
        "ideal)"
    ),
    # The limits of an estimate (RenalEstimate.notes).
    "ON_DIALYSIS": (
        "The patient is on dialysis: creatinine-based equations do not measure kidney function "
        "there; the renal policy uses its dialysis rule instead."
    ),
    "ABOVE_DERIVATION_AGE": (
        "Age {age} is above the oldest patients Cockcroft-Gault was derived from ({oldest})."
    ),
}
