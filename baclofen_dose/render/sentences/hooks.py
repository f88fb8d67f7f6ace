"""Sentences for CDS Hooks cards: code -> template (see render/messages.py and render/cards.py).

``SUMMARIES`` are the short forms of finding sentences for a card's ``summary`` (at most 140
characters, CDS Hooks 2.0; no final period after a unit, which the ISMP lint reads as "mg."); a
finding whose full sentence fits is summarized by the sentence itself. ``NOTES`` are what the
service could not read from the hook's prefetch ("not assessed: no serum creatinine or eGFR in
the last 30 days"); ``CARDS`` the card-level texts.
"""

from __future__ import annotations

from typing import Final

from baclofen_dose.core.rules.needs import requires

# The advice rules these texts are keyed by (their short forms are worded here).
RULES: Final = requires(
    __name__,
    {
        "interop.duplicate_baclofen": None,
        "oral.adult.lowest_effective": None,
        "oral.child.dialysis_not_assessed": None,
        "oral.child.renal_not_assessed": None,
        "oral.child.us_off_label": None,
        "oral.older_adult.caution": None,
        "renal.creatinine.low_muscle_mass": None,
    },
)

SUMMARIES: Final[dict[str, tuple[str, ...]]] = {
    # Limits (check/order.py Judge.limit).
    "HARD_LIMIT_CROSSED": (
        "Hard limit crossed: {what} {value} is {side} the hard limit {limit}",
        "Hard limit crossed: {value} is {side} {limit}",
    ),
    "SOFT_LIMIT_CROSSED": (
        "Soft limit crossed: {what} {value} is {side} the soft limit {limit}",
        "Soft limit crossed: {value} is {side} {limit}",
    ),
    "SOFT_LIMIT_ACKNOWLEDGED": (
        "Acknowledged: {what} {value} is {side} the soft limit {limit}",
        "Acknowledged: {value} is {side} the soft limit {limit}",
    ),
    # The oral order (check/oral.py).
    "OFF_GRID": (
        "Off the {grid} dose grid: {doses} as ordered",
        "Doses off the {grid} grid: {doses}",
    ),
    "NOT_GIVABLE": (
        "The product {product} cannot give {doses} exactly",
        "The product cannot give {doses} exactly",
    ),
    "MUANDA_DAILY": (
        "{daily} with eGFR {egfr:computed@egfr_below}: higher risk of encephalopathy (Muanda 2019)",
    ),
    "OLDER_TOLERANCE_ORDER": (
        "Older adult: {highest} is above about {tolerated}, often said to be the most older "
        "people tolerate (NOT VERIFIED)",
        "Older adult: {highest} is above about {tolerated} (NOT VERIFIED)",
    ),
    "MEASURED_AND_COMPUTED": (
        "{measure} given {measured:computed}, judged; the creatinine gives {computed:computed} "
        "({equation}): check which is current",
        "{measure} given and a creatinine disagree: check which is current",
    ),
    "RENAL_START_BELOW_GRID_ORDER": (
        "Renal policy {policy}: {daily} is within its start {start}, below one {grid} dose (a "
        "once-a-day liquid start)",
        "Renal policy {policy}: {daily}, within its start {start} (a once-a-day liquid start)",
    ),
    "CHECK_BEERS_KIDNEY": (
        "Beers 2023 (older adults): avoid if eGFR below {threshold} or on dialysis; {judged_value}",
        "Beers 2023 (older adults): avoid if eGFR below {threshold} or on dialysis; judged on "
        "{judged_on}",
        "Beers 2023 (older adults): avoid if eGFR below {threshold} or on dialysis",
    ),
    # Interactions and conditions (check/interactions.py).
    "INTERACTION": (
        "Interaction: baclofen with {medicine} ({class_name}).",
        "Interaction: baclofen with {medicine}.",
    ),
    "CONTRAINDICATION": (
        "Contraindication: {condition} ({given}).",
        "Contraindication: {condition}.",
    ),
    "CAUTION": ("Caution: {condition} ({given}).", "Caution: {condition}."),
    # Kidney function (oral/renal.py assess, as the order check words it).
    "RENAL_NO_REDUCTION": (
        "No renal reduction: CrCl {crcl:computed@threshold} is above {threshold}",
    ),
    "RENAL_REDUCED": (
        "Reduced kidney function ({band}): CrCl {crcl:computed@threshold}; maximum "
        "{fraction:ratio} of the usual",
    ),
    "RENAL_REDUCED_SEVERE": (
        "Reduced kidney function ({band}): CrCl {crcl:computed@threshold}; maximum "
        "{fraction:ratio} of the usual",
    ),
    "RENAL_CHEONG_START": (
        "eGFR {egfr:computed@below} is below {below}: a first order should give no more than "
        "{cap} (Cheong 2020)",
    ),
    "RENAL_AJKD_REDUCE": (
        "eGFR {egfr:computed@below} is below {below}: AJKD 2018 advises a lower dose without "
        "saying how much",
    ),
    "RENAL_OBESITY_ACTUAL_WEIGHT": (
        "BMI {bmi} is at or above {threshold}: CrCl {crcl:computed} by actual weight overstates "
        "clearance",
    ),
    "RENAL_END_STAGE": (
        "Kidney failure without dialysis (CrCl {crcl:computed@below}): keep the daily dose to "
        "{maximum} or give an override reason",
    ),
    "RENAL_DIALYSIS": (
        "On dialysis: this order is judged against {maximum} (Canadian monograph); start "
        "{start}",
    ),
    "RENAL_DIALYSIS_CHEONG": (
        "On dialysis: this order is judged against {maximum} (Canadian monograph); start "
        "{start} (Cheong 2020)",
    ),
    # The intrathecal order (check/intrathecal.py).
    "IT_ABRUPT_STOP": (
        "A daily dose of zero stops intrathecal baclofen abruptly: risk of severe, even fatal, "
        "withdrawal",
    ),
    "IT_LIMITED_EXPERIENCE": (
        "The {label} {daily} is above {threshold}: experience above this is limited",
        "{daily} is above {threshold}: experience above this is limited",
    ),
    "IT_PER_HOUR": (
        "Entered per hour: {rate} times {hours} is {daily}; check that a per-hour rate was meant",
    ),
    "IT_PER_HOUR_FLEX": (
        "Flex program entered per hour: its 24-hour total is {daily}; check that per-hour rates "
        "were meant",
    ),
    "IT_TIME_BASE_SUSPECTED": (
        "Likely time-base mistake: {daily} is {times:number} times the previous daily dose "
        "{previous}",
    ),
    "ADOLESCENT_US_LADDER": (
        "Age {age}: judged on the US adult label ladder (adolescent_schedule us_adult_label), "
        "labelled from {from_age}",
    ),
    "DOSE_TEXT_DISAGREES": (
        "The order's text states a dose of {stated}; the structured dose {doses} was checked",
    ),
    "IT_SCREENING_STRENGTH_IN_PUMP": (
        "{concentration} is the screening-only strength: never for a pump or an infusion",
    ),
    "IT_CONCENTRATION_NOT_MARKETED": (
        "{concentration} is not a marketed strength: check that it is a documented dilution",
    ),
}

# Rule advice (code ADVICE) a check can give, by rule id: the rule's own text when it fits.
ADVICE_SUMMARIES: Final[dict[str, str]] = {
    "oral.adult.lowest_effective": "Use the lowest dose that gives an optimal response.",
    "oral.older_adult.caution": (
        "Older adult: adverse effects are more likely; no source gives older-adult limits, so "
        "check that this order is cautious enough."
    ),
    "oral.child.us_off_label": (
        "Off-label in the US for children: the child limits checked come from the UK SmPC."
    ),
    "oral.child.dialysis_not_assessed": (
        "On dialysis: no dialysis rule for children, so kidney function was not checked; "
        "check this dose with a kidney specialist."
    ),
    "oral.child.renal_not_assessed": (
        "Kidney function not assessed (no renal rule for children): check it before this order "
        "is given."
    ),
    "renal.creatinine.low_muscle_mass": (
        "Low muscle mass: creatinine-based CrCl and eGFR may overstate kidney function."
    ),
    "interop.duplicate_baclofen": (
        "Another baclofen order is active: the daily maxima apply to the total of all orders; "
        "this one was judged alone."
    ),
}

GENERIC_SUMMARY: Final[dict[str, str]] = {
    "hard": "Baclofen order: hard limit or contraindication (rule {rule_id}).",
    "warning": "Baclofen order: warning (rule {rule_id}).",
    "info": "Baclofen order: information (rule {rule_id}).",
}

NOTES: Final[dict[str, str]] = {
    "NO_RECENT_RENAL": (
        "Not assessed: kidney function: no serum creatinine or eGFR in the last {days} before "
        "the order date {as_of} in the prefetch{why}."
    ),
    "NO_PATIENT": (
        "Not assessed: no Patient resource in the prefetch, so age, sex and the age bands were "
        "not checked; the adult rules were applied."
    ),
    "NO_ORDER_DATE": (
        "Not assessed: the order has no date (authoredOn), so the age and the age of the "
        "laboratory results could not be judged."
    ),
    "NO_BIRTH_DATE": "Not assessed: the Patient has no usable birthDate ({given}).",
    "NO_SEX": "Not assessed: the Patient's sex is not female or male ({given}).",
    "NO_RECENT_WEIGHT": (
        "Not assessed: no body weight in the last {days} before the order date {as_of} in the "
        "prefetch{why}."
    ),
    "NOT_IN_PREFETCH": (
        "Not assessed: the prefetch has no {key} ({what}); this service does not query the FHIR "
        "server itself."
    ),
    "UNREADABLE_RESOURCE": "Not used: {where} ({problem}).",
    "SAME_DAY_CONFLICT": (
        "Not used: the {key} results of {date} differ and their times do not say which is the "
        "latest: {values}."
    ),
    "CONDITION_NOT_ICD10CM": (
        "Not assessed: the condition {given} has no ICD-10-CM code (check it by hand)."
    ),
    "MEDICINE_NOT_RXNORM": (
        "Not assessed: the active medication {given} has no RxNorm code (check it by hand)."
    ),
    "CRCL_COMPUTED": (
        "Kidney function: CrCl {crcl:computed} by Cockcroft-Gault from creatinine {scr} "
        "({scr_date}), weight {weight} ({weight_date}), age {age} and sex {sex}; rounded down "
        "to the nearest 0.1 mL/min before it was judged."
    ),
    "EGFR_MEASURED": "Kidney function: eGFR {egfr:computed} ({egfr_date}, LOINC {loinc}).",
    "DIALYSIS_FROM_CONDITION": (
        "Dialysis: the condition {given} (dependence on renal dialysis) says the patient is on "
        "dialysis."
    ),
    "ADOLESCENT_DIALYSIS": (
        "The site's adolescent policy {given} was not used: the patient is on dialysis, and no "
        "source gives a dose under 18 on dialysis (rule oral.adolescent.dialysis_not_planned); "
        "the order was judged on the child profile."
    ),
}

CARDS: Final[dict[str, str]] = {
    "NOT_ASSESSED_SUMMARY": "Baclofen order: some checks were not assessed (data missing).",
    "NOT_CHECKED_SUMMARY": "Baclofen order not checked: the order could not be read.",
    "NOT_CHECKED_DETAIL": "This baclofen order was not checked: {error}",
    "ENDED_SUMMARY": "Baclofen order not checked: its status is {status}.",
    "ENDED_DETAIL": (
        "This baclofen MedicationRequest has the status {status}, so it is not an order to give "
        "the medicine: it was not checked, and it is not counted with the other orders."
    ),
    "INFO_SUMMARY": "Baclofen order: notes for the prescriber.",
    "SOURCE_DETAIL": "Source: {citation} (rule {rule_id}).",
    "OVERRIDE_DETAIL": (
        "To sign the order as it is, choose an override reason; it is recorded with the rule "
        "{rule_id}."
    ),
    "SUGGESTION_LABEL": "Change to {doses} {n:times} ({daily}).",
    "SUGGESTION_DETAIL": (
        "Suggested order: {doses} {n:times} ({daily}), the largest dose on the {grid} grid at "
        "the same times a day that the check passes for this patient."
    ),
    "SERVICE_TITLE": "Baclofen dose check",
    "SERVICE_DESCRIPTION": (
        "Checks a baclofen MedicationRequest (oral or intrathecal) against the labelled "
        "limits, kidney function, interactions and conditions, with the source of every rule."
    ),
}

OVERRIDE_REASONS: Final[dict[str, str]] = {
    "benefit-outweighs-risk": "Benefit outweighs the risk for this patient",
    "specialist-advice": "On specialist advice",
    "monitored-inpatient": "Monitored in hospital",
    "data-out-of-date": "The patient data shown is out of date",
}
