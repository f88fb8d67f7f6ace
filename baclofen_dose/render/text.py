"""Human-readable renderings of an oral plan: the schedule table and plain-English lines."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Final

from .. import display, units
from ..regimen import OralPlan, Step
from ..rules import QUANTITIES, Rule, RuleSet, default_rules

__all__ = ["INTENDED_USE", "instructions", "rule_value", "table", "working"]

INTENDED_USE: Final = (
    "Decision support for health-care professionals, not medical advice. "
    "Check every dose against the patient, the product label and local policy."
)


def rule_value(rule: Rule) -> str:
    """A rule's value for people, in its house unit ("80 mg/day", "3 days"); advice: its text."""
    if rule.value is None or rule.quantity is None:
        return rule.text or ""
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


def instructions(plan: OralPlan) -> list[str]:
    """Plain-English lines, one per step, in date order."""
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


def working(plan: OralPlan, rules: RuleSet | None) -> list[str]:
    """Each step explained in words, naming the rules (and their values) behind it."""
    lines: list[str] = []
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
            elif change != full_step:
                text += "; a smaller last step, so the target is reached without overshooting it"
            if regimen.times_per_day > previous.regimen.times_per_day:
                text += (
                    f"; {display.times_a_day(previous.regimen.times_per_day)} would need more than "
                    + _value(rules, "oral.adult.frequency.add_dose_above")
                    + f" per dose, so {regimen.times_per_day} doses a day"
                )
        maxima = [rid for rid in ids if ".max_daily." in rid]
        overridden = {o.rule_id: o.reason for o in plan.overrides}
        if maxima and maxima[0] in overridden:
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


def table(plan: OralPlan, *, rules: RuleSet | None = None) -> str:
    """The printable schedule: table, instructions, findings, the working and the sources.

    ``rules`` is the rule set the plan was made with (default: the bundled one); the working
    section cites each rule from it.
    """
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
    out += [f"- {line}" for line in instructions(plan)]
    if plan.findings:
        out += ["", "Findings"]
        for finding in plan.findings:
            out.append(f"- {finding.severity}: {finding.message} (rule {finding.rule_id})")
    found = _rules_for(plan, rules)
    out += ["", "Working: how each step follows from the rules"]
    out += [f"- {line}" for line in working(plan, found)]
    prov = plan.provenance
    out += [
        "",
        f"Rules used (rule set {prov.ruleset_id} version {prov.ruleset_version}; "
        f"baclofen-dose {prov.library_version}; maximum policy {plan.max_policy})",
    ]
    if found is None:
        out.append("- (the rule set that made this plan is not loaded; rule texts not shown)")
    else:
        for rule_id in prov.rule_ids:
            rule = found[rule_id]
            out.append(f"- {rule_id}: {rule_value(rule)}")
            out.append(f"  Source: {rule.citation}")
    if plan.overrides:
        out += ["", "Overrides"]
        out += [f'- {o.rule_id}: "{o.reason}"' for o in plan.overrides]
    out += ["", INTENDED_USE]
    return "\n".join(out) + "\n"
