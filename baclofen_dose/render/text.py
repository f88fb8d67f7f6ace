"""Human-readable renderings of an oral plan: the schedule table and plain-English lines."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Final

from baclofen_dose.core import display, units
from baclofen_dose.core.errors import BaclofenDoseError
from baclofen_dose.core.model import Finding, Override, Result
from baclofen_dose.core.rules import QUANTITIES, Rule, RuleSet, default_rules
from baclofen_dose.oral.regimen import OralPlan, Provenance, Step
from baclofen_dose.render import protocol
from baclofen_dose.render.messages import finding_text

__all__ = ["INTENDED_USE", "adjustment_lines", "instructions", "rule_value", "table", "working"]

INTENDED_USE: Final = (
    "Decision support for health-care professionals, not medical advice. "
    "Check every dose against the patient, the product label and local policy."
)


def rule_value(rule: Rule) -> str:
    """A rule's value for people, in its house unit ("80 mg/day", "3 days"); advice: its text."""
    if rule.value is None or rule.quantity is None:
        return rule.text or ""
    if rule.kind == "catalogue" and rule.form is not None:
        from baclofen_dose.oral.products import product_from_rule
        from baclofen_dose.render.products import product_name

        return product_name(product_from_rule(rule, None))
    kind = QUANTITIES[rule.quantity]
    if kind is units.CONCENTRATION_FACTOR:
        return display.ratio(rule.value)
    if kind is units.PER_DAY:
        return display.times_a_day(int(rule.value))
    if kind is units.DAYS:
        return display.day_count(int(rule.value))
    return display.amount(rule.value, kind)


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


def instruction(step: Step) -> str:
    """One plain-English line for a step.

    "Take 10 mg by mouth 3 times a day from 8 January 2026 to 10 January 2026."
    """
    regimen = step.regimen
    when = f"from {display.day(step.start)}"
    when += " onward" if step.end is None else f" to {display.day(step.end)}"
    if regimen.equal:
        dose = display.amount(regimen.doses_mg[0], units.ORAL_DOSE)
        return f"Take {dose} by mouth {display.times_a_day(regimen.times_per_day)} {when}."
    daily = display.amount(regimen.daily_mg, units.ORAL_DOSE)
    doses = display.dose_list(regimen.doses_mg, units.ORAL_DOSE)
    return (
        f"Take {regimen.times_per_day} doses a day by mouth, in this order: {doses} "
        f"({daily} a day) {when}."
    )


def instructions(plan: OralPlan | Result) -> list[str]:
    """Plain-English lines, one per step, in date order (another result: its ``text`` lines)."""
    if not isinstance(plan, OralPlan):  # a taper plan registers its own text (single dispatch)
        lines = protocol.text(plan).splitlines()
        return lines[:-1] if lines and lines[-1] == INTENDED_USE else lines
    if plan.supply is not None:
        from baclofen_dose.render.products import supply_lines

        return supply_lines(plan)
    return [instruction(step) for step in plan.steps]


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _rules_for(plan: OralPlan, rules: RuleSet | None) -> RuleSet | None:
    if rules is None:
        rules = default_rules()
    return rules if rules.sha256 == plan.provenance.ruleset_sha256 else None


def _value(rules: RuleSet | None, rule_id: str) -> str:
    if rules is None or rule_id not in rules:
        return rule_id
    return f"{rule_value(rules[rule_id])} (rule {rule_id})"


def _recorded_step(text: str | None) -> Fraction | None:
    """The step recorded in a plan's inputs ("15 mg/day"); None when it is not an amount."""
    if text is None:
        return None
    try:
        return units.parse(text, units.ORAL_DAILY_DOSE, "step")
    except BaclofenDoseError:
        return None  # "weight based" (a child's plan): the working uses the steps themselves


def working(plan: OralPlan, rules: RuleSet | None) -> list[str]:
    """Each step explained in words, naming the rules (and their values) behind it."""
    lines: list[str] = []
    inputs = dict(plan.provenance.inputs)
    # The step the plan was made with, as recorded in its normalised inputs.
    recorded = inputs.get("step")
    full_step = _recorded_step(recorded if isinstance(recorded, str) else None)
    overridden = {o.rule_id: o.reason for o in plan.overrides}
    per_dose = [
        rid
        for rid in overridden
        if rules is not None and rid in rules and rules[rid].quantity == "oral.dose"
    ]
    adjusted = {a.what: a for a in plan.adjustments}
    if "step" in adjusted:
        full_step = adjusted["step"].after
    elif full_step is None:
        increases = [
            b.regimen.daily_mg - a.regimen.daily_mg for a, b in itertools.pairwise(plan.steps)
        ]
        full_step = max(increases, default=None)
    previous: Step | None = None
    for number, step in enumerate(plan.steps, 1):
        regimen = step.regimen
        ids = step.rule_ids
        daily = display.amount(regimen.daily_mg, units.ORAL_DAILY_DOSE)
        if previous is None:
            text = f"Step {number}: start at {daily}: {_dose_cell(step)} " + display.times_a_day(
                regimen.times_per_day
            )
            text += "; start dose " + _value(rules, ids[0])
            start = adjusted.get("start")
            if start is not None and start.before is not None:
                text += (
                    f", reduced for the patient from "
                    f"{display.amount(start.before, units.ORAL_DAILY_DOSE)} (see Patient "
                    "adjustments)"
                )
        else:
            change = regimen.daily_mg - previous.regimen.daily_mg
            days = previous.days or 0
            text = (
                f"Step {number}: after {display.day_count(days)}, up "
                f"{display.amount(change, units.ORAL_DAILY_DOSE)} to {daily}"
            )
            if "oral.adult.titration.step.label" in ids and change == full_step:
                text += "; the label step is " + _value(rules, "oral.adult.titration.step.label")
            elif "oral.adult.titration.step.max" in ids and change == full_step:
                text += "; the chosen step, within the largest step " + _value(
                    rules, "oral.adult.titration.step.max"
                )
            elif "step" in adjusted and change == full_step:
                text += "; the step for this patient (see Patient adjustments)"
            elif change != full_step:
                text += "; a smaller last step, so the target is reached without overshooting it"
            grew = regimen.times_per_day > previous.regimen.times_per_day
            if grew and "oral.adult.frequency.add_dose_above" not in ids:
                text += (
                    f"; {regimen.times_per_day} doses a day, as many as the amount allows in "
                    "whole doses on the dose grid, up to the usual number"
                )
            elif grew:
                text += (
                    f"; {display.times_a_day(previous.regimen.times_per_day)} would need more than "
                    + _value(rules, "oral.adult.frequency.add_dose_above")
                    + f" per dose, so {regimen.times_per_day} doses a day"
                )
        for rid in list(per_dose):
            assert rules is not None  # per_dose is empty without the rule set
            if max(regimen.doses_mg) > rules[rid].require_value():
                text += (
                    "; doses above the single-dose maximum "
                    + _value(rules, rid)
                    + f' by override ("{overridden[rid]}")'
                )
                per_dose.remove(rid)
        maxima = [rid for rid in ids if ".max_daily." in rid]
        overridden = {o.rule_id: o.reason for o in plan.overrides}
        reduced = adjusted.get("maximum")
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


def _patient_lines(plan: OralPlan) -> list[str]:
    """The patient's values and renal estimates as the plan recorded them (issue 3)."""
    if plan.population is None:
        return []
    lines = []
    for key, value in plan.provenance.inputs:
        label = _PATIENT_LABELS.get(key)
        if label is None:
            continue
        shown = _PROFILES.get(str(value), str(value)) if key == "population" else value
        lines.append(f"- {label}: {shown}")
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
        lines.append(f"{text}: {item.reason} (rules {'; '.join(item.rule_ids)})")
    return lines


def findings_lines(findings: Sequence[Finding]) -> list[str]:
    """The "Findings" section: severity, message and rule of each finding (empty when none)."""
    if not findings:
        return []
    return [
        "",
        "Findings",
        *(f"- {f.severity}: {finding_text(f)} (rule {f.rule_id})" for f in findings),
    ]


def rules_used_lines(
    prov: Provenance, rules: RuleSet | None, *, context: str = "", what: str = "plan"
) -> list[str]:
    """The "Rules used" section: each rule's value and citation, from the rule set that made it.

    ``context`` adds to the heading (the policies applied); ``rules`` is None when the rule set
    that made the result is not loaded, and the section then says so instead of guessing.
    """
    out = [
        "",
        f"Rules used (rule set {prov.ruleset_id} version {prov.ruleset_version}; "
        f"baclofen-dose {prov.library_version}{context})",
    ]
    if rules is None:
        out.append(f"- (the rule set that made this {what} is not loaded; rule texts not shown)")
        return out
    for rule_id in prov.rule_ids:
        rule = rules[rule_id]
        out.append(f"- {rule_id}: {rule_value(rule)}")
        out.append(f"  Source: {rule.citation}")
    return out


def overrides_lines(overrides: Sequence[Override]) -> list[str]:
    """The "Overrides" section: each soft limit crossed and the reason given (empty when none)."""
    if not overrides:
        return []
    return ["", "Overrides", *(f'- {o.rule_id}: "{o.reason}"' for o in overrides)]


def table(plan: OralPlan | Result, *, rules: RuleSet | None = None) -> str:
    """The printable schedule: table, instructions, findings, the working and the sources.

    ``rules`` is the rule set the plan was made with (default: the bundled one); the working
    section cites each rule from it. A taper plan is printed by
    :func:`baclofen_dose.render.taper.taper_table`; a plan realized with products also shows
    the units per dose and what to dispense.
    """
    if not isinstance(plan, OralPlan):  # a taper plan registers its own table (single dispatch)
        return protocol.table(plan, rules=rules)
    title = "Baclofen by mouth: " + (
        "titration plan" if plan.purpose == "titration" else f"{plan.purpose} plan"
    )
    rows = [
        ["Step", "From", "To", "Change", "Dose per administration", "Times a day", "Daily total"]
    ]
    previous: Step | None = None
    for number, step in enumerate(plan.steps, 1):
        rows.append(
            [
                str(number),
                display.day(step.start),
                "onward" if step.end is None else display.day(step.end),
                _change_cell(previous, step),
                _dose_cell(step),
                display.times_a_day(step.regimen.times_per_day),
                display.amount(step.regimen.daily_mg, units.ORAL_DAILY_DOSE),
            ]
        )
        previous = step
    out = [title, INTENDED_USE, "", *_columns(rows), "", "Instructions"]
    patient = _patient_lines(plan)
    out += [f"- {line}" for line in instructions(plan)]
    if plan.supply is not None:
        from baclofen_dose.render.products import dispense_lines

        out += ["", "To dispense"] + [f"- {line}" for line in dispense_lines(plan.supply)]
    if patient:
        out += ["", "Patient", *patient]
    if plan.adjustments:
        out += ["", "Patient adjustments"]
        out += [f"- {line}" for line in adjustment_lines(plan)]
    out += findings_lines(plan.findings)
    found = _rules_for(plan, rules)
    out += ["", "Working: how each step follows from the rules"]
    out += [f"- {line}" for line in working(plan, found)]
    context = f"; maximum policy {plan.max_policy}"
    if plan.renal_policy is not None:
        context += f"; renal policy {plan.renal_policy}"
    out += rules_used_lines(plan.provenance, found, context=context)
    out += overrides_lines(plan.overrides)
    out += ["", INTENDED_USE]
    return "\n".join(out) + "\n"
