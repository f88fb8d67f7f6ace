"""Products and realized doses in words: names, units per dose, liquid doses, what to dispense.

oral/products.py keeps the exact numbers (the units of each product in a dose, the volume of
a liquid, the quantities to dispense); this module is the one place they become words, through
the one formatter: "one and a half tablets", "7.5 mg (1.5 mL of 5 mg/mL)", "half tablet of
10 mg". A liquid is always shown with its labelled strength and its per-mL concentration
(ISMP, safety.md S7).

>>> from baclofen_dose.oral.products import realize
>>> units_text(realize("15 mg", "10 mg tablet"))
'one and a half tablets'
>>> units_text(realize("7.5 mg", "5 mg/mL suspension"))
'7.5 mg (1.5 mL of 5 mg/mL)'
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from baclofen_dose.core import display, units
from baclofen_dose.oral.products import (
    FORM_NAMES,
    DispenseLine,
    Portion,
    Product,
    Realization,
    Supply,
)
from baclofen_dose.oral.regimen import OralPlan, Step

__all__ = [
    "at_times",
    "dispense_lines",
    "dispense_text",
    "give",
    "portion_text",
    "product_name",
    "short_name",
    "step_line",
    "step_when",
    "steps_lines",
    "strength_text",
    "supply_lines",
    "units_named",
    "units_text",
]


def _need(value: Fraction | None) -> Fraction:
    if value is None:  # pragma: no cover - products always carry their form's fields
        raise ValueError("a product field is missing")
    return value


def strength_text(product: Product) -> str:
    """The strength for people: "10 mg", or "25 mg/5 mL (5 mg/mL)" for a liquid."""
    if product.liquid:
        return display.liquid_strength(
            _need(product.labelled_mg), _need(product.per_ml), _need(product.labelled_ml)
        )
    return display.amount(_need(product.strength_mg), units.ORAL_DOSE)


def short_name(product: Product) -> str:
    """A name a user can type back: "10 mg tablet", "25 mg/5 mL oral suspension"."""
    if product.liquid:
        labelled = f"{display.number(_need(product.labelled_mg))} mg/"
        labelled += f"{display.number(_need(product.labelled_ml))} mL"
        return f"{labelled} {FORM_NAMES[product.form]}"
    return f"{strength_text(product)} {FORM_NAMES[product.form]}"


def product_name(product: Product) -> str:
    """The full name for people, with the scoring or the concentration."""
    if product.liquid:
        return f"{strength_text(product)} {FORM_NAMES[product.form]}"
    if product.form == "granules":
        return f"{strength_text(product)} granules (single-dose packets)"
    scoring = {
        "scored": "scored: whole or half tablets",
        "not_scored": "not scored: whole tablets only",
        "not_found": "scoring not known: whole tablets only",
    }[product.scoring or "not_found"]
    return f"{strength_text(product)} tablet ({scoring})"


def portion_count(product: Product, quantity: Fraction) -> str:
    """How many units of ``product``: "one and a half tablets", "3 mL", "2 packets"."""
    return _count(product, quantity)


def _count(product: Product, quantity: Fraction) -> str:
    if product.form == "tablet":
        return display.tablets(quantity)
    if product.liquid:
        return display.amount(quantity, units.VOLUME)
    return display.packets(int(quantity))


def portion_text(portion: Portion, *, name_product: bool) -> str:
    """One portion of a dose: "one and a half tablets", "half tablet of 10 mg"."""
    count = _count(portion.product, portion.quantity)
    return f"{count} of {strength_text(portion.product)}" if name_product else count


def units_text(realization: Realization, *, name_products: bool = False) -> str:
    """A dose in units: "one and a half tablets", or "10 mg (2 mL of 5 mg/mL)" for a liquid.

    Tablets of more than one strength name each strength.
    """
    if realization.liquid:
        portion = realization.portions[0]
        return display.liquid_dose(
            realization.dose_mg, portion.quantity, _need(portion.product.per_ml)
        )
    named = name_products or len(realization.portions) > 1
    return display.words_list([portion_text(p, name_product=named) for p in realization.portions])


# Counts of tablets in words, so a count never stands next to a strength ("2 10 mg tablets").
_COUNTS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _tablets_of(portion: Portion) -> str:
    """Tablets that name their strength: "half a 20 mg tablet", "one 10 mg tablet",
    "one and a half 10 mg tablets", "two 20 mg tablets" (issue 10 item 10)."""
    strength = strength_text(portion.product)
    quantity = portion.quantity
    whole = int(quantity)
    if whole == 0:
        return f"half a {strength} tablet"
    if whole > len(_COUNTS):  # pragma: no cover - a dose is at most a few tablets
        return f"{display.tablets(quantity)} of {strength}"
    lead = _COUNTS[whole - 1]
    if quantity != whole:
        return f"{lead} and a half {strength} tablets"
    return f"{lead} {strength} tablet" + ("s" if whole > 1 else "")


def units_named(realization: Realization) -> str:
    """A dose in units that names the product: "one and a half 10 mg tablets", "half a 20 mg
    tablet"; a liquid or granules as :func:`units_text` (a liquid names its concentration).

    >>> from baclofen_dose.oral.products import realize
    >>> units_named(realize("10 mg", "20 mg tablet"))
    'half a 20 mg tablet'
    """
    if all(p.product.form == "tablet" for p in realization.portions):
        return display.words_list([_tablets_of(p) for p in realization.portions])
    return units_text(realization, name_products=True)


def give(realization: Realization) -> str:
    """One dose for people: "one and a half 10 mg tablets (15 mg)" or "7.5 mg (1.5 mL of
    5 mg/mL)"; tablets always name their strength (issue 10 item 10).

    >>> from baclofen_dose.oral.products import realize
    >>> give(realize("10 mg", "20 mg tablet"))
    'half a 20 mg tablet (10 mg)'
    """
    if realization.liquid:
        return units_text(realization)
    if all(p.product.form == "tablet" for p in realization.portions):
        shown = units_named(realization)
    else:
        shown = units_text(realization)
    return f"{shown} ({display.amount(realization.dose_mg, units.ORAL_DOSE)})"


def dispense_text(line: DispenseLine, *, weekday: bool = False) -> str:
    """One dispense line: product, quantity, the days it covers, and any half left over."""
    text = (
        f"{product_name(line.product)}: {_count(line.product, line.dispensed)}, for "
        f"{display.day(line.first_day, weekday=weekday)} to "
        f"{display.day(line.last_day, weekday=weekday)} ({display.day_count(line.days)})"
    )
    if line.spare:
        text += f"; the schedule uses {_count(line.product, line.scheduled)}, so "
        text += f"{_count(line.product, line.spare)} is left over"
    return text


def dispense_lines(supply: Supply, *, weekday: bool = False) -> list[str]:
    """What to dispense, one line per product, then any open-ended daily use."""
    lines = [dispense_text(line, weekday=weekday) for line in supply.dispense]
    for product, per_day in supply.daily_after:
        lines.append(
            f"{product_name(product)}: then {_count(product, per_day)} a day for the "
            "open-ended last step"
        )
    return lines


def step_when(step: Step) -> str:
    """The days of a step, with their weekdays: "From Mon 2 March 2026 to Wed 4 March 2026"."""
    if step.end == step.start:
        return f"On {display.day(step.start, weekday=True)}"
    when = f"From {display.day(step.start, weekday=True)}"
    return when + (" onward" if step.end is None else f" to {display.day(step.end, weekday=True)}")


def at_times(times: Sequence[str]) -> str:
    """ "at 08:00, 14:00 and 20:00"."""
    return "at " + display.words_list(list(times))


def step_line(
    step: Step,
    positions: Sequence[int],
    row: Sequence[Realization],
    n: int,
    times: Sequence[str] | None = None,
) -> str:
    """One step's patient line with units per dose; ``n`` is the fullest day's dose count, so a
    dose that was dropped is named ("no 2nd dose"); ``times`` are the clock times of the step's
    doses, in order (issue 14)."""
    when = step_when(step)
    gives = [give(r) for r in row]
    if len(set(gives)) == 1 and len(row) == n:
        line = f"{when}: take {gives[0]} by mouth {display.times_a_day(len(row))}"
        return line + (f" ({at_times(times)})." if times else ".")
    if times:
        parts = [f"{g} at {t}" for g, t in zip(gives, times, strict=True)]
        line = f"{when}: take {display.words_list(parts)}, by mouth"
    else:
        parts = [
            f"{g} for the {display.ordinal(p)} dose" for p, g in zip(positions, gives, strict=True)
        ]
        line = f"{when}: take {display.words_list(parts)} of the day, by mouth"
    skipped = [display.ordinal(p) for p in range(1, n + 1) if p not in positions]
    if skipped:
        # "no 1st or 2nd dose" (not "no 1st and 2nd doses": neither dose is taken).
        listed = skipped[0] if len(skipped) == 1 else ", ".join(skipped[:-1]) + " or " + skipped[-1]
        line += f"; no {listed} dose"
    return line + "."


def steps_lines(
    steps: Sequence[Step],
    supply: Supply,
    n: int | None = None,
    times: Sequence[Sequence[str]] | None = None,
) -> list[str]:
    """Each step's patient line with units per dose (``n``: doses on the fullest day; ``times``:
    the clock times of each step's doses)."""
    fullest = max(max(p) for p in supply.positions)
    count = fullest if n is None else max(n, fullest)
    per_step = [None] * len(steps) if times is None else list(times)
    return [
        step_line(step, positions, row, count, at)
        for step, positions, row, at in zip(
            steps, supply.positions, supply.doses, per_step, strict=True
        )
    ]


def supply_lines(plan: OralPlan, times: Sequence[Sequence[str]] | None = None) -> list[str]:
    """For a titration realized with products: each step's units per dose, in words."""
    if plan.supply is None:
        return []
    return steps_lines(plan.steps, plan.supply, times=times)
