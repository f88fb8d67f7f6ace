"""Human-readable taper plans and realized doses: the table, patient lines, dispense summary.

Every number comes from :mod:`baclofen_dose.display`; the text, the dates and the quantities
all come from the one plan, so they cannot disagree (the lesson of FHIR example medrx0303).
Every taper output carries the withdrawal warning and "if symptoms come back, return to the
previous step and contact your prescriber".
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from baclofen_dose.core import display, units
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.oral.products import Realization, Supply
from baclofen_dose.oral.regimen import OralPlan, OralRegimen, Step
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.text import (
    INTENDED_USE,
    _columns,
    _rules_for,
    _value,
    findings_lines,
    overrides_lines,
    rules_used_lines,
)

__all__ = [
    "dispense_lines",
    "give",
    "supply_lines",
    "taper_instructions",
    "taper_table",
    "taper_working",
]

_WITHDRAWAL = "oral.withdrawal.abrupt"
_RETURN = "oral.taper.return_to_previous_step"


def give(realization: Realization) -> str:
    """One dose for people: "one and a half tablets (15 mg)" or "7.5 mg (1.5 mL of 5 mg/mL)"."""
    if realization.liquid:
        return realization.text()
    return f"{realization.text()} ({display.amount(realization.dose_mg, units.ORAL_DOSE)})"


def dispense_lines(supply: Supply) -> list[str]:
    """What to dispense, one line per product, then any open-ended daily use."""
    lines = [line.text() for line in supply.dispense]
    for product, per_day in supply.daily_after:
        if product.liquid:
            amount = display.amount(per_day, units.VOLUME)
        elif product.form == "tablet":
            amount = display.tablets(per_day)
        else:
            amount = display.packets(int(per_day))
        lines.append(f"{product.name}: then {amount} a day for the open-ended last step")
    return lines


def _warnings(plan: OralPlan) -> list[str]:
    texts = {f.rule_id: finding_text(f) for f in plan.findings}
    out = []
    for rule_id in (_WITHDRAWAL, _RETURN):
        out.append("Warning: " + texts.get(rule_id, _fallback(rule_id)))
    return out


def _fallback(rule_id: str) -> str:
    # A plan read back from JSON without its advice still carries the warning (SAF-32).
    if rule_id == _RETURN:
        return "If symptoms come back, return to the previous step and contact your prescriber."
    return "Do not stop baclofen suddenly: stopping abruptly can cause serious withdrawal."


def _dose_rows(step: Step, positions: Sequence[int], row: Sequence[Realization]) -> list[list[str]]:
    return [
        [
            display.ordinal(position),
            display.amount(dose, units.ORAL_DOSE),
            realization.text(),
        ]
        for position, dose, realization in zip(positions, step.regimen.doses_mg, row, strict=True)
    ]


def _change(before: Fraction, after: Fraction) -> str:
    change = after - before
    if change == 0:
        return "no change"
    word = "up" if change > 0 else "down"
    return f"{word} {display.amount(abs(change), units.ORAL_DAILY_DOSE)}"


def _table_rows(plan: OralPlan, supply: Supply) -> list[list[str]]:
    rows = [
        [
            "Step",
            "From",
            "To",
            "Days",
            "Change",
            "Dose of the day",
            "Amount",
            "Units per dose",
            "Times a day",
            "Daily total",
        ]
    ]
    previous: Fraction | None = None
    if plan.taper is not None:
        previous = plan.taper.current.daily_mg
    for number, (step, positions, row) in enumerate(
        zip(plan.steps, supply.positions, supply.doses, strict=True), 1
    ):
        change = "start" if previous is None else _change(previous, step.regimen.daily_mg)
        for index, cells in enumerate(_dose_rows(step, positions, row)):
            if index == 0:
                head = [
                    str(number),
                    display.day(step.start),
                    "onward" if step.end is None else display.day(step.end),
                    "" if step.days is None else display.number(step.days),
                    change,
                ]
                tail = [
                    display.times_a_day(step.regimen.times_per_day),
                    display.amount(step.regimen.daily_mg, units.ORAL_DAILY_DOSE),
                ]
            else:
                head, tail = ["", "", "", "", ""], ["", ""]
            rows.append(head + cells + tail)
        previous = step.regimen.daily_mg
    if plan.taper is not None and previous is not None:
        rows.append(
            [
                "Stop",
                display.day(plan.taper.stop),
                "onward",
                "",
                _change(previous, Fraction(0)),
                "none",
                "",
                "no more baclofen",
                "",
                "",
            ]
        )
    return rows


def _line_for(step: Step, positions: Sequence[int], row: Sequence[Realization], n: int) -> str:
    if step.end == step.start:
        when = f"On {display.day(step.start)}"
    else:
        when = f"From {display.day(step.start)}"
        when += " onward" if step.end is None else f" to {display.day(step.end)}"
    gives = [give(r) for r in row]
    if len(set(gives)) == 1 and len(row) == n:
        return f"{when}: take {gives[0]} by mouth {display.times_a_day(len(row))}."
    parts = [
        f"{give(r)} for the {display.ordinal(p)} dose" for p, r in zip(positions, row, strict=True)
    ]
    line = f"{when}: take {display.words_list(parts)} of the day, by mouth"
    skipped = [display.ordinal(p) for p in range(1, n + 1) if p not in positions]
    if skipped:
        plural = "doses" if len(skipped) > 1 else "dose"
        line += f"; no {display.words_list(skipped)} {plural}"
    return line + "."


def _regimen_text(regimen: OralRegimen) -> str:
    """ "20 mg 3 times a day (60 mg/day)", or the doses in order when they differ."""
    daily = display.amount(regimen.daily_mg, units.ORAL_DAILY_DOSE)
    if regimen.equal:
        dose = display.amount(regimen.doses_mg[0], units.ORAL_DOSE)
        return f"{dose} {display.times_a_day(regimen.times_per_day)} ({daily})"
    return f"{display.dose_list(regimen.doses_mg, units.ORAL_DOSE)} ({daily})"


def taper_instructions(plan: OralPlan) -> list[str]:
    """Plain-English patient lines: one per step, then the stop day and the warning."""
    supply = plan.supply
    if supply is None:
        raise ValueError("a taper plan always has its products and units")
    n = max(max(p) for p in supply.positions)
    if plan.taper is not None:
        n = max(n, plan.taper.current.times_per_day)
    lines = [
        _line_for(step, positions, row, n)
        for step, positions, row in zip(plan.steps, supply.positions, supply.doses, strict=True)
    ]
    if plan.taper is not None:
        lines.append(f"From {display.day(plan.taper.stop)}: stop taking baclofen.")
        texts = {f.rule_id: finding_text(f) for f in plan.findings}
        lines.append(texts.get(_WITHDRAWAL, _fallback(_WITHDRAWAL)))
        lines.append(texts.get(_RETURN, _fallback(_RETURN)))
    return lines


def supply_lines(plan: OralPlan) -> list[str]:
    """For a realized titration: each step's units per dose, in words."""
    supply = plan.supply
    if supply is None:
        return []
    n = max(max(p) for p in supply.positions)
    return [
        _line_for(step, positions, row, n)
        for step, positions, row in zip(plan.steps, supply.positions, supply.doses, strict=True)
    ]


def taper_working(plan: OralPlan, rules: RuleSet | None) -> list[str]:
    """How each step follows from the rules, in words."""
    taper = plan.taper
    supply = plan.supply
    if taper is None or supply is None:
        return []
    names = display.words_list([p.name for p in supply.products])
    grid = display.amount(taper.grid_mg, units.ORAL_DOSE)
    order = display.words_list([display.ordinal(p) for p in taper.order])
    lines = [
        f"Now: {_regimen_text(taper.current)}.",
        f"Products: {names}. Every dose is a whole multiple of {grid}: the dose grid "
        + _value(rules, "oral.adult.dose.grid")
        + " and the smallest amount the products give.",
        f"Each step takes the reduction from the largest doses of the day first, in {grid} "
        f"amounts; among equal doses the order is the {order} dose of the day.",
    ]
    previous = taper.current.daily_mg
    for number, step in enumerate(plan.steps, 1):
        ids = step.rule_ids
        total = step.regimen.daily_mg
        text = (
            f"Step {number}: down "
            f"{display.amount(previous - total, units.ORAL_DAILY_DOSE)} to "
            f"{display.amount(total, units.ORAL_DAILY_DOSE)} for "
            f"{display.day_count(step.days or 0)}"
        )
        if "oral.taper.lowest_practical" in ids:
            text += (
                f"; {grid} once a day is the lowest dose the products give, the last step "
                "before stopping (rule oral.taper.lowest_practical)"
            )
        elif "oral.taper.step.default" in ids:
            text += "; the default step is " + _value(rules, "oral.taper.step.default")
        else:
            text += "; the step chosen, within the largest step " + _value(
                rules, "oral.taper.step.max"
            )
        lines.append(text + ".")
        previous = total
    days = (taper.stop - plan.steps[0].start).days
    overridden = {o.rule_id: o.reason for o in plan.overrides}
    stop = f"Stop on {display.day(taper.stop)} ({display.day_count(days)} after the start)"
    if "oral.taper.duration.min" in overridden:
        stop += (
            ": shorter than the minimum "
            + _value(rules, "oral.taper.duration.min")
            + f' by override ("{overridden["oral.taper.duration.min"]}")'
        )
    else:
        stop += ": at least the minimum " + _value(rules, "oral.taper.duration.min")
    if "oral.taper.duration.min" in plan.steps[-1].rule_ids and not plan.overrides:
        stop += "; the step lengths were set to reach this duration"
    lines.append(stop + ".")
    return lines


def taper_table(plan: OralPlan, *, rules: RuleSet | None = None) -> str:
    """The printable taper: warnings, table, dispense summary, patient lines, findings,
    working, rules and sources, and a closing line on what to dispense."""
    supply = plan.supply
    if plan.taper is None or supply is None:
        raise ValueError("not a taper plan")
    out = ["Baclofen by mouth: taper plan", INTENDED_USE, "", *_warnings(plan), ""]
    out.append(
        f"Now: {_regimen_text(plan.taper.current)}. Products: "
        + display.words_list([p.name for p in supply.products])
        + "."
    )
    out += ["", *_columns(_table_rows(plan, supply)), "", "To dispense"]
    out += [f"- {line}" for line in dispense_lines(supply)]
    out += ["", "Instructions for the patient"]
    out += [f"- {line}" for line in taper_instructions(plan)]
    out += findings_lines(plan.findings)
    found = _rules_for(plan, rules)
    out += ["", "Working: how each step follows from the rules"]
    out += [f"- {line}" for line in taper_working(plan, found)]
    context = f"; maximum policy {plan.max_policy}"
    out += rules_used_lines(plan.provenance, found, context=context)
    out += overrides_lines(plan.overrides)
    out += ["", *_warnings(plan), "", "Dispense in total:"]
    out += [f"- {line}" for line in dispense_lines(supply)]
    out += ["", INTENDED_USE]
    return "\n".join(out) + "\n"
