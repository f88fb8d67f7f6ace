"""Sentences for FHIR resources (render/fhir.py): the ``text`` of each Dosage, code -> template.

The patient's own lines (``patientInstruction``) are the plan's instructions from
render/text.py and render/products.py; these are the clinician's short forms.
"""

from __future__ import annotations

from typing import Final

DOSAGE: Final[dict[str, str]] = {
    "ORAL_STEP": "{dose} by mouth {n:times} ({daily}) from {start} to {end}",
    "ORAL_STEP_OPEN": "{dose} by mouth {n:times} ({daily}) from {start} onward",
    "ORAL_DOSE_OF_DAY": (
        "{dose} by mouth as dose {position} of {n} each day ({daily}) from {start} to {end}"
    ),
    "ORAL_DOSE_OF_DAY_OPEN": (
        "{dose} by mouth as dose {position} of {n} each day ({daily}) from {start} onward"
    ),
    "IT_DAILY": "{daily} by intrathecal infusion",
    "IT_STEP": "{daily} by intrathecal infusion from {start} to {end}",
    "IT_STEP_OPEN": "{daily} by intrathecal infusion from {start} onward",
    "SUBJECT_UNKNOWN": "patient to be identified by the prescriber",
    "NOT_ASSESSED_PREFIX": "Not assessed: ",
    "DISPENSE_PREFIX": "To dispense: ",
}
