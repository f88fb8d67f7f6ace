"""Sentences for titration findings and step reasons: code -> template (see render/messages.py).

Findings come from :mod:`baclofen_dose.oral.titration`; reasons are a step's ``reason`` (what
made the step) and an adjustment's ``reason`` (why a patient's start, step, maximum or dose
count differs from the usual one).
"""

from __future__ import annotations

from typing import Final

FINDINGS: Final[dict[str, str]] = {
    "ROUNDED_DOWN_CHILD_START": (
        "The weight-based start works out at {raw:approx}, which cannot be given as {times} "
        "equal doses that are whole multiples of {grid}: rounded down to {given}."
    ),
    "ROUNDED_DOWN_CHILD_STEP": (
        "The weekly step works out at {raw:approx}, which cannot be given as {times} equal "
        "doses that are whole multiples of {grid}: rounded down to {given}."
    ),
    "ROUNDED_DOWN_RENAL": (
        "The reduced {what} for kidney function works out at {raw}, which is not a whole "
        "multiple of {grid}: rounded down to {given}."
    ),
    "CHOSEN_TIMES_FROM": (
        "{chosen} doses a day were chosen. The label's start, {label_daily}, cannot be split "
        "into {chosen} doses in whole multiples of {grid}, so the plan starts with {doses:doses} "
        "({times:times}) and gives {chosen} doses a day from {from} ({daily})."
    ),
    "CHOSEN_TIMES_NEVER": (
        "{chosen} doses a day were chosen, but no step of this plan can be split into {chosen} "
        "doses in whole multiples of {grid}: it gives {doses:doses} ({times:times}) at first."
    ),
    "FEWER_DOSES": (
        "Fewer doses a day than usual: the plan starts {times:times} (doses: {doses:doses}), "
        "because the reduced daily amount is too small to divide further on the dose grid."
    ),
    "FEWER_DOSES_CHOSEN": (
        "Fewer doses a day than the {intended} chosen: the plan starts {times:times} (doses: "
        "{doses:doses}), because the reduced daily amount is too small to divide further on "
        "the dose grid."
    ),
    "FEWER_THAN_LABEL_LOW_START": (
        "The plan starts {times:times}, fewer than the label's {label:times}. This was not "
        "chosen: the start for kidney function, {start}, is too small to split into {label} "
        "doses of {grid} each. No label sets a minimum number of doses a day."
    ),
    "RENAL_START_BELOW_GRID": (
        "Renal policy {policy}: the start, {start}, is less than one {grid} dose of the adult "
        "ladder, so it is given as {doses:doses} {times:times}, measured with the chosen "
        "product in whole multiples of {measure}; from the next step the doses are whole "
        "multiples of {grid} again (a design choice: the source gives the amount, not how "
        "to split it)."
    ),
    "MUANDA_START": (
        "The plan starts at {start} with eGFR {egfr:computed@egfr_below}: in adults {older} "
        "and older with eGFR below {egfr_below}, starts of {risky_start} or more carried a "
        "higher risk of encephalopathy (Muanda 2019). Consider a lower start."
    ),
    "MUANDA_REACHES": (
        "The plan reaches {highest} with eGFR {egfr:computed@egfr_below}. Muanda 2019 (a "
        "study of starting doses in adults {older} and older with eGFR below {egfr_below}) "
        "found a higher risk of hospitalization with encephalopathy with daily doses of "
        "{risky} or more. Watch for confusion and drowsiness as the dose rises."
    ),
    "OLDER_TOLERANCE": (
        "This plan reaches {highest}. Older people are often said to rarely tolerate more than "
        "{tolerated} to {tolerated_high} (attributed to AGS 2009; NOT VERIFIED): a reason to go "
        "slowly and review, not a limit."
    ),
    "OLDER_SCHEDULE": (
        "Older adult ({age} and over), policy {policy} (start low, go slow): each step lasts "
        "{days} instead of the label's 3 days, because the Canadian monograph advises a very "
        "cautious dosage schedule and the UK SmPC careful titration particularly in the "
        "elderly; no label gives older-adult numbers."
    ),
    "BEERS_KIDNEY": (
        "AGS Beers Criteria 2023: avoid baclofen in older adults with eGFR below {below} (here "
        "eGFR {egfr:computed@below} by CKD-EPI 2021): risk of encephalopathy needing hospital "
        "care. If it cannot be avoided, use the lowest effective dose and watch for confusion "
        "and other signs of CNS toxicity (quality of evidence moderate, strength strong)."
    ),
    "BEERS_KIDNEY_DIALYSIS": (
        "AGS Beers Criteria 2023: avoid baclofen in older adults on chronic dialysis: risk of "
        "encephalopathy needing hospital care. If it cannot be avoided, use the lowest "
        "effective dose and watch for confusion and other signs of CNS toxicity (quality of "
        "evidence moderate, strength strong)."
    ),
    "ADOLESCENT_US_LADDER": (
        "Age {age}: the US adult label ladder was chosen (policy adolescent_schedule "
        "us_adult_label). US labels say safety and effectiveness are not established under "
        "{from_age} only, so from {from_age} this is the labelled schedule."
    ),
    "ADOLESCENT_US_LABELLED": (
        "Age {age}: US labels say safety and effectiveness are not established under "
        "{from_age} only, so from {from_age} this is not off-label in the US; the child "
        "profile's limits (UK SmPC, capped at the adult label) apply here, and the US adult "
        "label ladder can be chosen (policy adolescent_schedule us_adult_label)."
    ),
    "CHILD_CAPPED_AT_ADULT": (
        "The weight-based {what} works out at {raw}, above the adult label's {cap}: a child's "
        "plan is never above the adult one, so the {what} is {cap}."
    ),
    "CHILD_MAINTENANCE": (
        "Usual maintenance (UK SmPC): {low_per_kg} to {high_per_kg}, that is {low:approx} to "
        "{high:approx} for {weight}; maximum {maximum} at this age."
    ),
}

REASONS: Final[dict[str, str]] = {
    # What made a step (Step.reason); the working line says the rest (dates, dose count).
    "START_LABEL": "start dose {dose} (rule {rule})",
    "START_PATIENT": (
        "start dose {dose} (rule {rule}), reduced for the patient from {usual} (see Patient "
        "adjustments)"
    ),
    "START_WEIGHT": "start {per_kg} for {weight} (rule {rule})",
    "LABEL_STEP": "the label step is {step} (rule {rule})",
    "CHOSEN_STEP": "the chosen step, within the largest step {limit} (rule {rule})",
    "PATIENT_STEP": "the step for this patient (see Patient adjustments)",
    "LAST_STEP": "a smaller last step, so the target is reached without overshooting it",
    "BACK_TO_GRID": (
        "up {change}, back to whole multiples of {grid} (rule {rule}) after a start below "
        "one dose of it; no more than the step, {step}"
    ),
    "ADD_DOSE": (
        "the label's step to {dose} {times:times}: a further dose of {dose}, up {change} (rule "
        "{rule})"
    ),
    # Why a patient's plan differs from the usual one (Adjustment.reason).
    "RENAL_FRACTION": "renal policy {policy}: {fraction:ratio} of the usual (rule {rule})",
    "RENAL_FRACTION_ROUNDED": (
        "renal policy {policy}: {fraction:ratio} of the usual (rule {rule}); rounded down to "
        "the {grid} grid"
    ),
    "RENAL_CAP": "renal policy {policy}: no more than {cap} (rule {rule})",
    "RENAL_CAP_ROUNDED": (
        "renal policy {policy}: no more than {cap} (rule {rule}); rounded down to the {grid} grid"
    ),
    "OLDER_INTERVAL": "older adult, policy {policy}: each step lasts {days} (start low, go slow)",
    "FEWER_DOSES": (
        "the reduced start {start} is too little for {usual} doses on the {grid} grid: fewer "
        "doses, each no larger than usual"
    ),
    "CHILD_START": (
        "{per_kg} x {weight}, rounded down to equal doses that are whole multiples of the dose "
        "grid"
    ),
    "CHILD_STEP_WEIGHT": "weekly step for the child's weight (the UK SmPC gives no step size)",
    "CHILD_STEP_CHOSEN": "the chosen step, within the largest step per kg",
    "CHILD_INTERVAL": "increases at about 1-week intervals (UK SmPC)",
    "CHILD_MAXIMUM": (
        "the lower of {band} (age {age}) and {per_kg} x {weight}, rounded down to equal doses "
        "that are whole multiples of the dose grid"
    ),
}
