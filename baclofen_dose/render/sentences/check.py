"""Sentences for order checks: code -> template (see render/messages.py).

Findings come from :mod:`baclofen_dose.check` (the oral and intrathecal order checks and the
interaction table); ``NOT_ASSESSED`` holds the sentences for what a check could not judge.
"""

from __future__ import annotations

from typing import Final

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
        "The ordered doses {doses} are not whole multiples of {grid}, the dose grid the "
        "planners use."
    ),
    "NOT_GIVABLE": "The product {product} ({rule}) cannot give {doses} exactly.",
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
        "Both a measured {measure} and a creatinine were given: the order was judged on the "
        "measured {measure} {measured:computed}; the creatinine gives {computed:computed} "
        "({equation}), which was not used. Check which is current."
    ),
    "INTERACTION": "Interaction: {medicine} ({class_name}): {consequence}.",
    "CONTRAINDICATION": "Contraindication: {condition} ({given}): {consequence}.",
    "CAUTION": "Caution: {condition} ({given}): {consequence}.",
    "IT_ABRUPT_STOP": "A daily dose of zero stops intrathecal baclofen abruptly. {text}",
    "IT_TIME_BASE_SUSPECTED": (
        "Likely time-base mistake: the daily dose {daily} is {times:number} times the previous "
        "daily dose {previous}, as when a dose per day is entered per hour."
    ),
}

REASONS: Final[dict[str, str]] = {}

NOT_ASSESSED: Final[dict[str, str]] = {
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
        "Not assessed: kidney function ({field} is needed: a patient with dialysis status, age, "
        "sex, weight and creatinine, or a CrCl or eGFR with how it was obtained)."
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
    "ORIGIN_NOT_GIVEN": (
        "Origin of the spasticity not given: the smallest increase limit ({rule}) was used."
    ),
}
