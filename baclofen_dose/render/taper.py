"""Human-readable taper plans and realized doses: the table, patient lines, dispense summary.

Every number comes from :mod:`baclofen_dose.display`; the text, the dates and the quantities
all come from the one plan, so they cannot disagree (the lesson of FHIR example medrx0303).
Every taper output carries the withdrawal warning and "if symptoms come back, return to the
previous step and contact your prescriber".
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Final

from baclofen_dose.core import display, units
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.oral.products import Supply
from baclofen_dose.oral.regimen import OralRegimen
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
    rules_for,
    rules_used_lines,
)
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.products import (
    dispense_lines,
    give,
    product_name,
    steps_lines,
    units_named,
)
from baclofen_dose.render.text import step_times, wrapped

__all__ = [
    "dispense_lines",
    "give",
    "taper_instructions",
    "taper_table",
    "taper_working",
]

RULES: Final = requires(
    __name__,
    {
        "oral.adult.dose.grid": "oral.dose",
        "oral.taper.duration.default": "schedule.length",
        "oral.taper.duration.min": "schedule.length",
        "oral.taper.lowest_practical": None,
        "oral.taper.return_to_previous_step": None,
        "oral.taper.step.default": "oral.step",
        "oral.taper.step.max": "oral.step",
        "oral.taper.step.max_fraction": "factor",
        "oral.withdrawal.abrupt": None,
    },
)


_WITHDRAWAL = "oral.withdrawal.abrupt"
_RETURN = "oral.taper.return_to_previous_step"


def _warnings(plan: TaperPlan) -> list[str]:
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


def _dose_rows(
    step: Any, positions: Sequence[int], row: Sequence[Any], times: Sequence[str] | None
) -> list[list[str]]:
    return [
        [
            display.ordinal(position),
            *([] if times is None else [times[index]]),
            display.amount(dose, units.ORAL_DOSE),
            units_named(realization),
        ]
        for index, (position, dose, realization) in enumerate(
            zip(positions, step.regimen.doses_mg, row, strict=True)
        )
    ]


def _change(before: Fraction, after: Fraction) -> str:
    change = after - before
    if change == 0:
        return "no change"
    word = "up" if change > 0 else "down"
    return f"{word} {display.amount(abs(change), units.ORAL_DAILY_DOSE)}"


def _dates(step: Any) -> list[str]:
    """A step's days, one per line: "Mon 2 March 2026", "to Wed 4 March 2026", "3 days"."""
    first = display.day(step.start, weekday=True)
    if step.end is None:
        return [first, "onward"]
    return [first, f"to {display.day(step.end, weekday=True)}", display.day_count(step.days)]


def _table_rows(
    plan: TaperPlan, supply: Supply, by_step: Sequence[Sequence[str]] | None
) -> list[list[str]]:
    """One row per dose; a step's dates and daily total run down its rows, one part a row."""
    clock = [] if by_step is None else ["Time"]
    rows = [["Step", "Dates", "Dose", *clock, "Amount", "Take", "Daily total"]]
    previous = plan.taper.current.daily_mg
    for number, (step, positions, row) in enumerate(
        zip(plan.steps, supply.positions, supply.doses, strict=True), 1
    ):
        times = None if by_step is None else by_step[number - 1]
        doses = _dose_rows(step, positions, row, times)
        daily = [
            display.amount(step.regimen.daily_mg, units.ORAL_DAILY_DOSE),
            _change(previous, step.regimen.daily_mg),
            display.times_a_day(step.regimen.times_per_day),
        ]
        rows += _block(str(number), _dates(step), doses, daily)
        previous = step.regimen.daily_mg
    stop = [display.day(plan.taper.stop, weekday=True), "onward"]
    none = [["none", *[""] * len(clock), "", "no more baclofen"]]
    rows += _block("Stop", stop, none, ["none", _change(previous, Fraction(0))])
    return rows


def _block(
    label: str, dates: list[str], doses: list[list[str]], daily: list[str]
) -> list[list[str]]:
    """A step's rows: its dose rows beside its date lines and daily lines (blank-padded)."""
    height = max(len(dates), len(doses), len(daily))
    blank = [""] * len(doses[0])
    return [
        [
            label if n == 0 else "",
            dates[n] if n < len(dates) else "",
            *(doses[n] if n < len(doses) else blank),
            daily[n] if n < len(daily) else "",
        ]
        for n in range(height)
    ]


def _regimen_text(regimen: OralRegimen) -> str:
    """ "20 mg 3 times a day (60 mg/day)", or the doses in order when they differ."""
    daily = display.amount(regimen.daily_mg, units.ORAL_DAILY_DOSE)
    if regimen.equal:
        dose = display.amount(regimen.doses_mg[0], units.ORAL_DOSE)
        return f"{dose} {display.times_a_day(regimen.times_per_day)} ({daily})"
    return f"{display.dose_list(regimen.doses_mg, units.ORAL_DOSE)} ({daily})"


def taper_instructions(plan: TaperPlan, *, times: Sequence[str] | None = None) -> list[str]:
    """Plain-English patient lines: one per step, then the stop day and the warnings;
    ``times``: the clock times of the current regimen's doses, one per dose (issue 14)."""
    by_step = step_times(plan, times)
    lines = steps_lines(plan.steps, plan.supply, plan.taper.current.times_per_day, by_step)
    stop = display.day(plan.taper.stop, weekday=True)
    lines.append(f"From {stop}: stop taking baclofen.")
    # The product's own advice (the suspension: shake well) goes to the patient too.
    lines += [
        finding_text(f)
        for f in plan.findings
        if f.rule_id.startswith("product.") and f.code == "ADVICE"
    ]
    texts = {f.rule_id: finding_text(f) for f in plan.findings}
    lines.append(texts.get(_WITHDRAWAL, _fallback(_WITHDRAWAL)))
    lines.append(texts.get(_RETURN, _fallback(_RETURN)))
    return lines


def taper_working(plan: TaperPlan, rules: RuleSet | None) -> list[str]:
    """How each step follows from the rules, in words."""
    taper = plan.taper
    names = display.words_list([product_name(p) for p in plan.supply.products])
    grid = display.amount(taper.grid_mg, units.ORAL_DOSE)
    order = display.words_list([display.ordinal(p) for p in taper.order])
    # True for the product given: a 1 mg/mL liquid measured to 0.5 mL gives 0.5 mg, but the
    # plan's doses stay on the dose grid (issue 10 item 7).
    piece = display.amount(min(p.step_mg for p in plan.supply.products), units.ORAL_DOSE)
    percent = next(
        (f.values["percent"] for f in plan.findings if f.code == "TAPER_STEP_PERCENT"), None
    )
    half = next((f.values["fraction"] for f in plan.findings if f.code == "TAPER_STEP_HALF"), None)
    lines = [
        f"Now: {_regimen_text(taper.current)}.",
        f"Products: {names}. Every dose is a whole multiple of {grid}: the smallest multiple "
        "of the dose grid "
        + rule_ref(rules, "oral.adult.dose.grid")
        + f" that the products give (the smallest amount they give at all is {piece}).",
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
                f"; {grid} once a day is the smallest dose on the dose grid the products give, "
                "the last step before stopping (rule oral.taper.lowest_practical)"
            )
        elif "oral.taper.step.max_fraction" in ids and isinstance(half, Fraction):
            text += (
                f"; at most {display.percent(half)} of the daily dose before it, rounded down "
                "to the grid (rule oral.taper.step.max_fraction)"
            )
        elif isinstance(percent, Fraction):
            text += (
                f"; {display.percent(percent)} of "
                f"{display.amount(previous, units.ORAL_DAILY_DOSE)} is "
                f"{display.amount(percent * previous, units.ORAL_DAILY_DOSE)}, rounded down to "
                f"a whole multiple of {grid} (at least one)"
            )
        elif "oral.taper.step.default" in ids:
            text += "; the default step is " + rule_ref(rules, "oral.taper.step.default")
        else:
            text += "; the step chosen, within the largest step " + rule_ref(
                rules, "oral.taper.step.max"
            )
        lines.append(text + ".")
        previous = total
    days = (taper.stop - plan.steps[0].start).days
    overridden = {o.rule_id: o.reason for o in plan.overrides}
    stop = f"Stop on {display.day(taper.stop, weekday=True)} "
    stop += f"({display.day_count(days)} after the start)"
    if "oral.taper.duration.min" in overridden:
        stop += (
            ": shorter than the minimum "
            + rule_ref(rules, "oral.taper.duration.min")
            + f' by override ("{overridden["oral.taper.duration.min"]}")'
        )
    else:
        stop += ": at least the minimum " + rule_ref(rules, "oral.taper.duration.min")
    if "oral.taper.duration.default" in plan.steps[-1].rule_ids:
        stop += "; the step lengths were set to reach the default duration " + rule_ref(
            rules, "oral.taper.duration.default"
        )
    lines.append(stop + ".")
    return lines


def taper_table(
    plan: TaperPlan, *, rules: RuleSet | None = None, times: Sequence[str] | None = None
) -> str:
    """The printable taper: warnings, table, dispense summary, patient lines, findings,
    working, rules and sources, and a closing line on what to dispense.

    ``rules`` is the rule set the plan was made with (default: the bundled one); ``times`` the
    clock times of the current regimen's doses, one per dose (issue 14). Every line fits
    :data:`~baclofen_dose.render.lines.WIDTH` columns (wrapped, never cut).
    """
    supply = plan.supply
    by_step = step_times(plan, times)
    out = ["Baclofen by mouth: taper plan", INTENDED_USE, "", *_warnings(plan), ""]
    out.append(
        f"Now: {_regimen_text(plan.taper.current)}. Products: "
        + display.words_list([product_name(p) for p in supply.products])
        + "."
    )
    out += ["", *columns(_table_rows(plan, supply, by_step), WIDTH), "", "To dispense"]
    out += [f"- {line}" for line in dispense_lines(supply, weekday=True)]
    out += ["", "Instructions for the patient"]
    out += [f"- {line}" for line in taper_instructions(plan, times=times)]
    out += findings_lines(plan.findings)
    found = rules_for(plan.provenance, rules)
    out += ["", "Working: how each step follows from the rules"]
    out += [f"- {line}" for line in taper_working(plan, found)]
    context = f"; maximum policy {plan.max_policy}"
    out += rules_used_lines(plan.provenance, found, context=context)
    out += overrides_lines(plan.overrides)
    out += ["", *_warnings(plan), "", "Dispense in total:"]
    out += [f"- {line}" for line in dispense_lines(supply, weekday=True)]
    out += ["", INTENDED_USE]
    return "\n".join(fit(out)) + "\n"


@protocol.table.register
def _table(plan: TaperPlan, **options: Any) -> str:
    return taper_table(plan, rules=options.get("rules"), times=options.get("times"))


@protocol.text.register
def _text(plan: TaperPlan, **options: Any) -> str:
    lines = taper_instructions(plan, times=options.get("times"))
    return "\n".join(wrapped([*lines, INTENDED_USE], **options)) + "\n"
