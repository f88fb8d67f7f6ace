"""Sentences for order checks: code -> template (see render/messages.py).

Findings come from :mod:`baclofen_dose.check` (the oral and intrathecal order checks and the
interaction table); ``NOT_ASSESSED`` holds the sentences for what a check could not judge.
"""

from __future__ import annotations

from typing import Final

from baclofen_dose.core.rules.needs import requires

# The advice rules these texts are keyed by (their short forms are worded here).
RULES: Final = requires(
    __name__,
    {
        "oral.child.renal_not_assessed": None,
        "oral.older_adult.caution": None,
    },
)

FINDINGS: Final[dict[str, str]] = {
    "HARD_LIMIT_CROSSED": (
        "Hard limit crossed: {what} {value} is {side} the hard limit {limit}; no override."
    ),
    "SOFT_LIMIT_CROSSED": (
        "Soft limit crossed: {what} {value} is {side} the soft limit {limit}; an override of "
        "{override} with a reason would acknowledge it."
    ),
    "SOFT_LIMIT_ACKNOWLEDGED": (
        "Soft limit crossed and acknowledged: {what} {value} is {side} the soft limit "
        '{limit}; reason "{reason}".'
    ),
    "OFF_GRID": (
        "Off the dose grid the planners use (whole multiples of {grid}): {doses} as ordered."
    ),
    "NOT_GIVABLE": "The product {product} ({rule}) cannot give {doses} exactly.",
    "RENAL_START_BELOW_GRID_ORDER": (
        "Renal policy {policy}: the order gives {daily}, no more than the policy's start "
        "{start}, which is less than one {grid} dose: the planner gives such a start once a "
        "day, measured with a product that gives it exactly (a liquid)."
    ),
    "MUANDA_DAILY": (
        "The order gives {daily} with eGFR {egfr:computed@egfr_below}: in adults {older} and "
        "older, daily doses of {risky} or more with eGFR below {egfr_below} carried a higher "
        "risk of hospitalization with encephalopathy (Muanda 2019)."
    ),
    "OLDER_TOLERANCE_ORDER": (
        "This order gives {highest}. Older people are often said to rarely tolerate more than "
        "about {tolerated} (attributed to AGS 2009; NOT VERIFIED): a reason to go slowly and "
        "review, not a limit."
    ),
    "CHECK_BEERS_KIDNEY": (
        "Beers 2023 (older adults, kidney function: eGFR below {threshold} or on chronic "
        "dialysis; judged on {measure}): avoid (encephalopathy requiring hospitalization); if "
        "it cannot be avoided, use the lowest effective dose and monitor for CNS toxicity, "
        "including altered mental status."
    ),
    "MEASURED_AND_COMPUTED": (
        "Both a {measure} and a creatinine were given: the order was judged on the {measure} "
        "given, {measured:computed}; the creatinine gives {computed:computed} ({equation}), "
        "which was not used. Check which is current."
    ),
    "INTERACTION": "Interaction: {medicine} ({class_name}): {consequence}.",
    "CONTRAINDICATION": "Contraindication: {condition} ({given}): {consequence}.",
    "CAUTION": "Caution: {condition} ({given}): {consequence}.",
    "IT_ABRUPT_STOP": "A daily dose of zero stops intrathecal baclofen abruptly. {text}",
    "IT_TIME_BASE_SUSPECTED": (
        "Likely time-base mistake: the daily dose {daily} is {times:number} times the previous "
        "daily dose {previous}, as when a dose per day is entered per hour."
    ),
    "DOSE_TEXT_DISAGREES": (
        "The order's text states a dose of {stated}, but the structured dose is {doses}: the "
        "structured dose was checked and the text was not used. Correct the one that is wrong."
    ),
    "IT_SCREENING_STRENGTH_IN_PUMP": (
        "The concentration {concentration} is the screening-only strength (for screening "
        "boluses): it is never used to fill a pump or for an infusion."
    ),
    "IT_CONCENTRATION_NOT_MARKETED": (
        "The concentration {concentration} is not a marketed strength ({strengths}): it must "
        "be a documented dilution with preservative-free sodium chloride. Check the "
        "preparation, the pump labeling and the concentration programmed in the pump."
    ),
}

REASONS: Final[dict[str, str]] = {}

# An order check judges an order someone wrote, not a plan this library made: where a planner's
# finding (renal assessment, rule advice) speaks of "this plan" or of its steps, the check words
# it here instead (the finding data stay the same). By code, and for ADVICE by rule id.
_WHERE: Final = (
    "CrCl {crcl:computed@threshold} (Cockcroft-Gault with {weight} body weight, weight policy "
    "{weight_policy}; creatinine {scr})"
)
ORDER_FINDINGS: Final[dict[str, str]] = {
    "RENAL_REDUCED": (
        "Renal policy {policy}: " + _WHERE + " is at or below {threshold} ({band} impairment): "
        "the daily dose of this order is judged against {fraction:ratio} of the usual maximum "
        "(Vlavonou 2014)."
    ),
    "RENAL_REDUCED_SEVERE": (
        "Renal policy {policy}: " + _WHERE + " is below {threshold} ({band} impairment): the "
        "daily dose of this order is judged against {fraction:ratio} of the usual maximum "
        "(Vlavonou 2014)."
    ),
    "RENAL_CHEONG_START": (
        "Renal policy {policy}: eGFR {egfr:computed@below} is below {below} (CKD stage 4 to "
        "5): a first order should give no more than {cap} (Cheong 2020)."
    ),
    "RENAL_AJKD_REDUCE": (
        "Renal policy {policy}: eGFR {egfr:computed@below} is below {below}: AJKD 2018 advises a "
        "reduced dose there without saying how much; the CrCl band ("
        + _WHERE.replace("@threshold", "")
        + ") gives no reduction. Consider a lower dose than this order gives."
    ),
    "RENAL_END_STAGE": (
        "Renal policy {policy}: kidney failure without dialysis (CrCl {crcl:computed@below}, "
        "eGFR {egfr:computed@below}; below {below}): the daily dose of this order is judged "
        "against {maximum}, the dialysis-level dose of the Canadian monograph, which allows "
        "baclofen in end-stage renal failure only when the benefit outweighs the risk; more "
        "needs an override with a reason."
    ),
    "RENAL_DIALYSIS": (
        "Renal policy {policy}: the patient is on dialysis, where creatinine-based equations do "
        "not apply: the daily dose of this order is judged against {maximum} (Canadian "
        "monograph); {start} is the daily dose to begin with (Canadian monograph)."
    ),
    "RENAL_DIALYSIS_CHEONG": (
        "Renal policy {policy}: the patient is on dialysis, where creatinine-based equations do "
        "not apply: the daily dose of this order is judged against {maximum} (Canadian "
        "monograph); {start} is the daily dose to begin with (Cheong 2020)."
    ),
}

ORDER_FINDINGS["CHECK_BEERS_KIDNEY"] = FINDINGS["CHECK_BEERS_KIDNEY"].replace(
    "{measure}", "{judged_on}"
)

# What Beers 2023 was judged on ({judged_on} above): dialysis, a value computed from the
# patient's creatinine, or a value given with its method (check.MEASURED_METHODS): an
# estimating equation is named as such; only a timed urine collection is a measurement.
JUDGED_ON: Final[dict[str, str]] = {
    "dialysis": "dialysis",
    "computed": "{kind} {value:computed@threshold} computed from the creatinine",
    "cockcroft_gault": "{kind} {value:computed@threshold} as given (Cockcroft-Gault)",
    "ckd_epi_2021": "{kind} {value:computed@threshold} as given (CKD-EPI 2021)",
    "timed_urine": "{kind} {value:computed@threshold} measured by timed urine collection",
    "other": "{kind} {value:computed@threshold} as given (method not named)",
}

ORDER_ADVICE: Final[dict[str, str]] = {
    "oral.older_adult.caution": (
        "Adverse effects are more likely in older adults: the Canadian monograph advises a very "
        "cautious dosing schedule and the UK SmPC careful titration. No source gives "
        "older-adult limits, so this order was judged against the adult limits and, when "
        "known, kidney function: check that it is cautious enough for this patient."
    ),
    "oral.child.renal_not_assessed": (
        "A serum creatinine was given, but this library has no kidney-function equation or renal "
        "dose rule for children, so kidney function was not assessed. Overdose has occurred in "
        "renal impairment (UK SmPC 4.4): check kidney function before this order is given."
    ),
}

NOT_ASSESSED: Final[dict[str, str]] = {
    "DOSE_TEXT_NOT_COMPARED": (
        "Not compared: the order's text has numbers but no single dose in mg that can be read "
        "unambiguously (a range, a count of units, a strength or a daily amount), so it was "
        "not compared with the structured dose; read it by hand."
    ),
    "UNKNOWN_MEDICINE": (
        "Not assessed: the medicine {given} is not in the interaction table (check it by hand)."
    ),
    "UNKNOWN_CONDITION": (
        "Not assessed: the condition {given} is not a known key or ICD-10-CM code (check it by "
        "hand)."
    ),
    "COMPUTED_RENAL_NOT_GIVEN": (
        "Not compared: a creatinine was given beside the measured kidney function, but "
        "{field} is needed to compute a value from it."
    ),
    "RENAL_NOT_ASSESSED": (
        "Not assessed: kidney function ({missing} not given; a CrCl or eGFR with how it was "
        "obtained would also do)."
    ),
    "RENAL_NOT_ASSESSED_DIALYSIS": (
        "Not assessed: kidney function (dialysis status not given: say whether the patient is "
        "on dialysis, or give a CrCl or eGFR with how it was obtained)."
    ),
    "RENAL_NOT_ASSESSED_DIALYSIS_AND": (
        "Not assessed: kidney function (dialysis status not given, and off dialysis {missing} "
        "would be needed too; or give a CrCl or eGFR with how it was obtained)."
    ),
    "RENAL_BAND_NEEDS_CRCL": (
        "Not assessed: the renal dose band needs a CrCl; only an eGFR was given."
    ),
    "DIALYSIS_NOT_STATED": (
        "Dialysis status not stated: the CrCl or eGFR given was judged as it is (on "
        "dialysis the dialysis rules apply instead)."
    ),
    "PATIENT_NOT_GIVEN": (
        "Not assessed: no patient was given, so the adult rules were applied; kidney function, "
        "age and weight were not checked."
    ),
    "CHILD_KIDNEY_NOT_GIVEN": (
        "Not assessed: kidney function (no creatinine, CrCl or eGFR was given, and the rule "
        "data has no renal dose rule for children); check it by hand."
    ),
    "CHILD_DIALYSIS_NOT_ASSESSED": (
        "Not assessed: kidney function on dialysis (the rule data has no dialysis rule for "
        "children); check this dose with the patient's kidney specialist."
    ),
    "CHILD_RENAL_NOT_ASSESSED": (
        "Not assessed: the rule data has no renal dose rule for children, so the CrCl or eGFR "
        "given was not used; check it by hand."
    ),
    "AGE_NOT_GIVEN": (
        "Not assessed: the age bands (child, adult, older adult) need the age; the adult rules "
        "were applied."
    ),
    "BEERS_NOT_ASSESSED": (
        "Not assessed: Beers 2023 kidney criterion for older adults (no eGFR or CrCl known)."
    ),
    "PER_KG_NOT_ASSESSED": "Not assessed: per-kg maximum and step for a child need the weight.",
    "IT_INTERVAL_NOT_ASSESSED": (
        "Not assessed: the time since the previous dose change (give the hours since it; rule "
        "it.titrate.interval.min)."
    ),
    "IT_CHANGE_NOT_ASSESSED": (
        "Not assessed: the change since the previous daily dose and the time-base checks (no "
        "previous daily dose given)."
    ),
    "ORIGIN_NOT_GIVEN": (
        "Origin of the spasticity not given: the smallest increase limit ({rule}) was used."
    ),
}

# The patient fields the renal assessment needs, in words (RENAL_NOT_ASSESSED's {missing}).
MISSING_WORDS: Final[dict[str, str]] = {
    "patient.dialysis": "dialysis status",
    "patient.age": "age",
    "patient.sex": "sex",
    "patient.weight": "body weight",
    "patient.height": "height",
    "patient.scr": "serum creatinine",
}
