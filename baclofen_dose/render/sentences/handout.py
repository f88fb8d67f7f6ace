"""The words of the patient handout around the rule texts (render/handout.py): headings, and
the one sentence that puts the missed-dose rule's number into words. Every clinical statement
in the handout is a rule's own text (the rule data, with its source); nothing clinical is
written here beyond filling in a rule's value.
"""

from __future__ import annotations

from typing import Final

TITLE: Final = "Your baclofen plan"
TITLE_TAPER: Final = "Your baclofen plan: coming off slowly"
MEDICINE: Final = "Your medicine: {products}."
SCHEDULE: Final = "What to take and when"
HEADERS: Final = ("Time", "Take")
HEADERS_NO_TIMES: Final = ("Dose", "Take")
DOSE_OF_DAY: Final = "{ordinal} dose"
MISSED: Final = "If you miss a dose"
# The NHS threshold (rule oral.missed_dose.skip_within) in words.
NEARLY: Final = "Nearly time means less than {limit} before your next dose."
STOPPING: Final = "Do not stop suddenly"
HELP: Final = "When to get help"
DRIVING: Final = "Drowsiness, driving and alcohol"
