"""Missed-dose advice in words: the one paragraph for people, then its findings.

The advice itself is data (:class:`~baclofen_dose.oral.missed.MissedDoseAdvice`: an action,
the dose and its units, a reason code with typed values); this module writes the sentence, and
registers the advice with the generic ``text``/``table`` (render/protocol.py).

>>> from baclofen_dose import advise_missed_dose, plan_taper
>>> plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
>>> advice = advise_missed_dose(plan, times=["08:00", "14:00", "20:00"],
...     day="2026-03-03", missed_at="08:00", now_day="2026-03-03", now_at="12:30")
>>> advice_text(advice)[:58]
'Skip the missed dose: one and a half 10 mg tablets (15 mg)'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from baclofen_dose.core import display, units
from baclofen_dose.core.model import Finding
from baclofen_dose.oral.missed import MissedDoseAdvice
from baclofen_dose.render import protocol
from baclofen_dose.render.messages import finding_text, reason_text
from baclofen_dose.render.products import give
from baclofen_dose.render.text import INTENDED_USE

__all__ = ["advice_lines", "advice_text", "regimen_check_lines"]

# Reasons where a later dose was due before now and may or may not have been taken.
_PASSED = ("MISSED_LATER_DOSE_PASSED", "MISSED_LATER_DOSES_PASSED")


def advice_text(advice: MissedDoseAdvice) -> str:
    """The advice in plain English (one paragraph), ending "Never take two doses together."."""
    dose = display.amount(advice.dose_mg, units.ORAL_DOSE)
    if advice.units is not None:
        # "one and a half 10 mg tablets (15 mg)"; a liquid: "15 mg (3 mL of 5 mg/mL)".
        dose = give(advice.units)
    missed = f"{dose}, due at {advice.missed_at} on {display.day(advice.day)}"
    if advice.action == "take_now":
        head = f"Take the missed dose now: {missed}."
    elif advice.reason.code == "MISSED_SEVERAL":
        head = f"Skip the missed doses, the first of them {missed}."
    else:
        head = f"Skip the missed dose: {missed}."
    tail = ""
    due = advice.hours_to_next is not None and advice.hours_to_next <= 0
    passed = advice.reason.code in _PASSED
    if advice.next_day is not None and advice.next_at is not None and (passed or not due):
        when = f"{advice.next_at} on {display.day(advice.next_day)}"
        tail = f" Take the next dose at {when} as usual."
        if due:  # a later dose was due since the missed one, and the one after is due now
            tail = f" The next dose is due now ({when}): take it as usual."
    elif passed:
        tail = " Take the next dose at its usual time."
    return f"{head} {reason_text(advice.reason)}{tail} Never take two doses together."


def advice_lines(advice: MissedDoseAdvice) -> list[str]:
    """The paragraph, then each finding with its severity and rule."""
    lines = [advice_text(advice)]
    lines += [f"{f.severity}: {finding_text(f)} (rule {f.rule_id})" for f in advice.findings]
    return lines


def regimen_check_lines(findings: Sequence[Finding]) -> list[str]:
    """What a regimen typed without a plan file crosses, checked as an order (warnings and
    hard findings, each with its rule), under the missed-dose advice; none: no lines."""
    crossed = [f for f in findings if f.severity in ("warning", "hard")]
    if not crossed:
        return []
    return ["", "The regimen given, checked as an order:"] + [
        f"- {f.severity}: {finding_text(f)} (rule {f.rule_id})" for f in crossed
    ]


@protocol.text.register
def _text(advice: MissedDoseAdvice, **options: Any) -> str:
    return "\n".join([*advice_lines(advice), INTENDED_USE]) + "\n"


@protocol.table.register
def _table(advice: MissedDoseAdvice, **options: Any) -> str:
    return (
        "\n".join(["Missed dose", INTENDED_USE, "", *advice_lines(advice), "", INTENDED_USE]) + "\n"
    )
