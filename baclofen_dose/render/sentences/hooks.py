"""Sentences for CDS Hooks cards: code -> template (see render/messages.py and render/cards.py).

``SUMMARIES`` are the short forms of finding sentences for a card's ``summary`` (at most 140
characters, CDS Hooks 2.0; no final period after a unit, which the ISMP lint reads as "mg."); a
finding whose full sentence fits is summarized by the sentence itself. ``NOTES`` are what the
service could not read from the hook's prefetch ("not assessed: no serum creatinine or eGFR in
the last 30 days"); ``CARDS`` the card-level texts.
"""

from __future__ import annotations

from typing import Final

SUMMARIES: Final[dict[str, str]] = {
    "HARD_LIMIT_CROSSED": "Hard limit crossed: {what} {value} is {side} the hard limit {limit}",
    "SOFT_LIMIT_CROSSED": "Soft limit crossed: {what} {value} is {side} the soft limit {limit}",
    "SOFT_LIMIT_ACKNOWLEDGED": "Acknowledged: {what} {value} is {side} the soft limit {limit}",
    "INTERACTION": "Interaction: baclofen with {medicine} ({class_name}).",
    "CONTRAINDICATION": "Contraindication: {condition} ({given}).",
    "CAUTION": "Caution: {condition} ({given}).",
    "MUANDA_DAILY": (
        "{daily} with eGFR {egfr:computed}: higher risk of encephalopathy (Muanda 2019)"
    ),
    "OFF_GRID": "The ordered doses {doses} are not whole multiples of {grid}",
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
