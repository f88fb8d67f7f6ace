"""Human-readable renderings of an oral plan: the schedule table and plain-English lines.

Every sentence is built from the plan's data: each step's ``reason`` (a code and values), the
adjustments' reasons, the typed provenance inputs and the rule ids; nothing is parsed back
from text. The sections shared with the taper and renal outputs live in
:mod:`baclofen_dose.render.lines`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Final

from baclofen_dose.core import display, units
from baclofen_dose.core.model import Amount, Finding, ParamValue, Result
from baclofen_dose.core.rules import QUANTITIES, RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.oral.regimen import OralPlan, Step
from baclofen_dose.oral.taper import TaperPlan
from baclofen_dose.render import protocol
from baclofen_dose.render.lines import (
    INTENDED_USE,
    WIDTH,
    columns,
    findings_lines,
    fit,
    overrides_lines,
    rule_ref,
    rule_value,
    rules_for,
    rules_used_lines,
)
from baclofen_dose.render.messages import limits_compared, reason_text
from baclofen_dose.render.products import at_times

__all__ = [
    "INTENDED_USE",
    "adjustment_lines",
    "findings_lines",
    "instruction",
    "instructions",
    "overrides_lines",
    "rule_value",
    "rules_used_lines",
    "step_times",
    "table",
    "working",
    "wrapped",
]


RULES: Final = requires(
    __name__,
    {
        "oral.adult.frequency.add_dose_above": "oral.dose",
    },
)


# The shared helpers under the names render/taper.py and render/intrathecal.py import from here
# (they now live in render/lines.py; importing them from there removes the text <-> taper cycle).
_columns = columns
_value = rule_ref


def _rules_for(plan: OralPlan, rules: RuleSet | None) -> RuleSet | None:
    """The rule set that made ``plan`` (kept for render/taper.py; see lines.rules_for)."""
    return rules_for(plan.provenance, rules)


def _dose_cell(step: Step) -> str:
    regimen = step.regimen
    if regimen.equal:
        return display.amount(regimen.doses_mg[0], units.ORAL_DOSE)
    return display.dose_list(regimen.doses_mg, units.ORAL_DOSE)


def _change_cell(previous: Step | None, step: Step) -> str:
    if previous is None:
        return "start"
    change = step.regimen.daily_mg - previous.regimen.daily_mg
    if change == 0:
        return "no change"
    word = "up" if change > 0 else "down"
    return f"{word} {display.amount(abs(change), units.ORAL_DAILY_DOSE)}"


def instruction(step: Step, times: Sequence[str] | None = None) -> str:
    """One plain-English line for a step (``times``: the clock times of its doses).

    "Take 10 mg by mouth 3 times a day from Thu 8 January 2026 to Sat 10 January 2026."
    """
    regimen = step.regimen
    when = f"from {display.day(step.start, weekday=True)}"
    when += " onward" if step.end is None else f" to {display.day(step.end, weekday=True)}"
    clock = f" ({at_times(times)})" if times else ""
    if regimen.equal:
        dose = display.amount(regimen.doses_mg[0], units.ORAL_DOSE)
        return f"Take {dose} by mouth {display.times_a_day(regimen.times_per_day)}{clock} {when}."
    daily = display.amount(regimen.daily_mg, units.ORAL_DOSE)
    doses = display.dose_list(regimen.doses_mg, units.ORAL_DOSE)
    if times:
        parts = [
            f"{display.amount(d, units.ORAL_DOSE)} at {t}"
            for d, t in zip(regimen.doses_mg, times, strict=True)
        ]
        return f"Take {display.words_list(parts)} by mouth ({daily} a day) {when}."
    return (
        f"Take {regimen.times_per_day} doses a day by mouth, in this order: {doses} "
        f"({daily} a day) {when}."
    )


def step_times(
    plan: OralPlan | TaperPlan, times: Sequence[str] | None
) -> tuple[tuple[str, ...], ...] | None:
    """The clock times of each step's doses (None without ``times``); refuses times that do not
    fit the plan (``E_TIME``, field ``times``: see :func:`baclofen_dose.oral.schedule.dose_times`).
    """
    if times is None:
        return None
    from baclofen_dose.oral.schedule import dose_times

    return dose_times(plan, times).by_step


def instructions(plan: OralPlan | Result, *, times: Sequence[str] | None = None) -> list[str]:
    """Plain-English lines, one per step, in date order (another result: its ``text`` lines);
    ``times``: the clock times of the fullest day's doses, one per dose (issue 14)."""
    if not isinstance(plan, OralPlan):  # a taper plan registers its own text (single dispatch)
        lines = protocol.text(plan, times=times, width=None).splitlines()
        return lines[:-1] if lines and lines[-1] == INTENDED_USE else lines
    by_step = step_times(plan, times)
    if plan.supply is not None:
        from baclofen_dose.render.products import supply_lines

        return supply_lines(plan, by_step)
    per_step = [None] * len(plan.steps) if by_step is None else list(by_step)
    return [instruction(step, at) for step, at in zip(plan.steps, per_step, strict=True)]


def _step_line(number: int, step: Step, previous: Step | None, rules: RuleSet | None) -> str:
    """The start of a step's working line: what changed and what made the step."""
    regimen = step.regimen
    ids = step.rule_ids
    daily = display.amount(regimen.daily_mg, units.ORAL_DAILY_DOSE)
    if previous is None:
        text = f"Step {number}: start at {daily}: {_dose_cell(step)} " + display.times_a_day(
            regimen.times_per_day
        )
        # A step without a reason (a plan written before reasons were recorded) cites its rule.
        why = "start dose " + _value(rules, ids[0]) if step.reason is None else None
    else:
        change = regimen.daily_mg - previous.regimen.daily_mg
        text = (
            f"Step {number}: after {display.day_count(previous.days or 0)}, up "
            f"{display.amount(change, units.ORAL_DAILY_DOSE)} to {daily}"
        )
        why = None
    if step.reason is not None:
        why = reason_text(step.reason)
    if why:
        text += "; " + why
    if previous is not None and regimen.times_per_day > previous.regimen.times_per_day:
        if "oral.adult.frequency.add_dose_above" not in ids:
            text += (
                f"; {regimen.times_per_day} doses a day, as many as the amount allows in "
                "whole doses on the dose grid, up to the usual number"
            )
        else:
            text += (
                f"; {display.times_a_day(previous.regimen.times_per_day)} would need more than "
                + _value(rules, "oral.adult.frequency.add_dose_above")
                + f" per dose, so {regimen.times_per_day} doses a day"
            )
    return text


def working(plan: OralPlan, rules: RuleSet | None) -> list[str]:
    """Each step explained in words, from its reason and the rules (and values) behind it."""
    lines: list[str] = []
    overridden = {o.rule_id: o.reason for o in plan.overrides}
    per_dose = [
        rid
        for rid in overridden
        if rules is not None and rid in rules and rules[rid].quantity == "oral.dose"
    ]
    reduced = {a.what: a for a in plan.adjustments}.get("maximum")
    previous: Step | None = None
    for number, step in enumerate(plan.steps, 1):
        text = _step_line(number, step, previous, rules)
        for rid in list(per_dose):
            assert rules is not None  # per_dose is empty without the rule set
            if max(step.regimen.doses_mg) > rules[rid].require_value():
                text += (
                    "; doses above the single-dose maximum "
                    + _value(rules, rid)
                    + f' by override ("{overridden[rid]}")'
                )
                per_dose.remove(rid)
        maxima = [rid for rid in step.rule_ids if ".max_daily." in rid]
        if maxima and reduced is not None and reduced.before is not None:
            limit = reduced.rule_ids[0]
            shown = display.amount(reduced.after, units.ORAL_DAILY_DOSE)
            if limit in overridden:
                text += (
                    f"; this is the target, above the maximum for this patient, {shown} (rule "
                    f'{limit}), by override ("{overridden[limit]}")'
                )
            else:
                text += f"; this is the target, within the maximum for this patient, {shown}"
                text += f" (rule {limit})"
        elif maxima and maxima[0] in overridden:
            text += (
                "; this is the target, above the maximum "
                + _value(rules, maxima[0])
                + f' by override ("{overridden[maxima[0]]}")'
            )
        elif maxima:
            text += "; this is the target, within the maximum " + _value(rules, maxima[0])
        lines.append(text + ".")
        previous = step
    return lines


_PATIENT_LABELS = {
    "population": "Profile",
    "patient.age": "Age",
    "patient.sex": "Sex",
    "patient.weight": "Weight",
    "patient.height": "Height",
    "patient.scr": "Serum creatinine",
    "patient.dialysis": "On dialysis",
    "crcl": "Creatinine clearance",
    "egfr": "eGFR",
    "renal_policy": "Renal policy",
    "weight_policy": "Weight policy (Cockcroft-Gault)",
    "renal_band": "Renal band",
}
_PROFILES = {
    "adult": "adult",
    "older_adult": "older adult",
    "child": "child (UK SmPC weight-based regimen; off-label in the US under 12 years)",
}


def _computed(value: ParamValue, findings: Sequence[Finding]) -> str:
    """A computed estimate (a clearance, an eGFR) rounded for people, beside the limits the
    findings compare it with (never shown as 30 when it is 29.96 and "below 30")."""
    if isinstance(value, Amount):
        limits = limits_compared(findings, value)
        return display.estimate_beside(value.value, value.kind, limits)
    return display.param(value)


def patient_value(
    key: str,
    value: ParamValue,
    inputs: Mapping[str, ParamValue],
    findings: Sequence[Finding] = (),
) -> str:
    """One recorded patient value in words ("not known" for a value not given); a computed
    estimate beside the limits ``findings`` compare it with."""
    if key == "population":
        return _PROFILES.get(str(value), str(value))
    if value is None:
        return "not stated" if key == "patient.dialysis" else "not known"
    if key == "crcl":
        weight = inputs.get("crcl_weight")
        basis = "" if weight is None else f", {inputs.get('weight_policy')} weight "
        basis += "" if weight is None else display.param(weight)
        return f"{_computed(value, findings)} (Cockcroft-Gault{basis})"
    if key == "egfr":
        return f"{_computed(value, findings)} (CKD-EPI 2021)"
    return display.param(value)


def _patient_lines(plan: OralPlan) -> list[str]:
    """The patient's values and renal estimates as the plan recorded them (issue 3)."""
    if plan.population is None:
        return []
    inputs = plan.provenance.values
    lines = []
    for key, value in plan.provenance.inputs:
        label = _PATIENT_LABELS.get(key)
        if label is None:
            continue
        lines.append(f"- {label}: {patient_value(key, value, inputs, plan.findings)}")
    return lines


_WHAT = {
    "start": "Start",
    "step": "Step",
    "maximum": "Maximum",
    "interval": "Interval",
    "times_per_day": "Doses a day",
}


def _adjusted_value(value: Fraction, quantity: str) -> str:
    kind = QUANTITIES[quantity]
    if kind is units.PER_DAY:
        return str(int(value))
    if kind is units.DAYS:
        return display.day_count(int(value))
    return display.amount(value, kind)


def adjustment_lines(plan: OralPlan) -> list[str]:
    """Each patient adjustment in words: what, from, to, why, and the rules."""
    lines = []
    for item in plan.adjustments:
        after = _adjusted_value(item.after, item.quantity)
        if item.before is None:
            text = f"{_WHAT.get(item.what, item.what)}: {after}"
        else:
            before = _adjusted_value(item.before, item.quantity)
            text = f"{_WHAT.get(item.what, item.what)}: {before} to {after}"
        lines.append(f"{text}: {reason_text(item.reason)} (rules {'; '.join(item.rule_ids)})")
    return lines


def table(
    plan: OralPlan | Result, *, rules: RuleSet | None = None, times: Sequence[str] | None = None
) -> str:
    """The printable schedule: table, instructions, findings, the working and the sources.

    ``rules`` is the rule set the plan was made with (default: the bundled one); the working
    section cites each rule from it. A taper plan is printed by
    :func:`baclofen_dose.render.taper.taper_table`; a plan realized with products also shows
    the units per dose and what to dispense.
    """
    if not isinstance(plan, OralPlan):  # a taper plan registers its own table (single dispatch)
        return protocol.table(plan, rules=rules, times=times)
    by_step = step_times(plan, times)
    title = "Baclofen by mouth: " + (
        "titration plan" if plan.purpose == "titration" else f"{plan.purpose} plan"
    )
    if plan.max_policy == "inpatient_supervised":
        # French RCP and UK SmPC: above 100 mg/day only in hospital (issue 10 item 10).
        title += " (in hospital only, under close supervision)"
    head = ["Step", "Dates", "Change", "Each dose", "Times a day", "Daily total"]
    rows = [head + (["Clock times"] if by_step else [])]
    previous: Step | None = None
    for number, step in enumerate(plan.steps, 1):
        last = "onward" if step.end is None else "to " + display.day(step.end, weekday=True)
        rows.append(
            [
                str(number),
                f"{display.day(step.start, weekday=True)}\n{last}",
                _change_cell(previous, step),
                _dose_cell(step),
                display.times_a_day(step.regimen.times_per_day),
                display.amount(step.regimen.daily_mg, units.ORAL_DAILY_DOSE),
                *([", ".join(by_step[number - 1])] if by_step else []),
            ]
        )
        previous = step
    out = [title, INTENDED_USE, "", *columns(rows, WIDTH), "", "Instructions"]
    patient = _patient_lines(plan)
    out += [f"- {line}" for line in instructions(plan, times=times)]
    if plan.supply is not None:
        from baclofen_dose.render.products import dispense_lines

        out += ["", "To dispense"]
        out += [f"- {line}" for line in dispense_lines(plan.supply, weekday=True)]
    if patient:
        out += ["", "Patient", *patient]
    if plan.adjustments:
        out += ["", "Patient adjustments"]
        out += [f"- {line}" for line in adjustment_lines(plan)]
    out += findings_lines(plan.findings)
    found = _rules_for(plan, rules)  # the rule set that made the plan, if loaded
    out += ["", "Working: how each step follows from the rules"]
    out += [f"- {line}" for line in working(plan, found)]
    context = f"; maximum policy {plan.max_policy}"
    if plan.renal_policy is not None:
        context += f"; renal policy {plan.renal_policy}"
    out += rules_used_lines(plan.provenance, found, context=context)
    out += overrides_lines(plan.overrides)
    out += ["", INTENDED_USE]
    return "\n".join(fit(out)) + "\n"


def _table(plan: OralPlan, **options: Any) -> str:
    return table(plan, rules=options.get("rules"), times=options.get("times"))


def _text(plan: OralPlan, **options: Any) -> str:
    return "\n".join(wrapped(instructions(plan, times=options.get("times")), **options)) + "\n"


def wrapped(lines: list[str], **options: Any) -> list[str]:
    """``lines`` fitted to the ``width`` option (default :data:`WIDTH`; ``None``: as they are,
    one line per sentence)."""
    width = options.get("width", WIDTH)
    return lines if width is None else fit(lines, width)


protocol.table.register(OralPlan)(_table)
protocol.text.register(OralPlan)(_text)
