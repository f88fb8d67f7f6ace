"""CSV for spreadsheets and pharmacy systems: one row per product portion of each dose.

Columns: ``record`` (``dose``, ``stop`` or ``dispense``), the step number and dates (ISO),
days, times a day, the daily total and the dose in mg, which dose of the day it is, the
product's rule id, the quantity and its UCUM unit (``{tablet}``, ``{packet}``, ``mL``), the
scheduled quantity (dispense rows) and the text a person reads. Numbers are exact decimals.
The rows come from the same plan as the table, so they cannot disagree with it.
"""

from __future__ import annotations

import csv
import io
from fractions import Fraction
from typing import Any

from baclofen_dose.core import display, numeric, units
from baclofen_dose.oral.products import Product
from baclofen_dose.oral.regimen import OralPlan
from baclofen_dose.oral.taper import TaperPlan
from baclofen_dose.render import protocol
from baclofen_dose.render.products import dispense_text, units_text

__all__ = ["HEADER", "quantity_unit", "to_csv"]

HEADER = (
    "record",
    "step",
    "start",
    "end",
    "days",
    "times_per_day",
    "daily_dose_mg",
    "dose_of_the_day",
    "dose_mg",
    "product",
    "quantity",
    "quantity_unit",
    "scheduled_quantity",
    "text",
)


def quantity_unit(product: Product) -> str:
    """The UCUM unit of a product's quantities: ``{tablet}``, ``{packet}`` or ``mL``."""
    return "mL" if product.liquid else "{" + product.unit_word + "}"


def _n(value: Fraction) -> str:
    return format(numeric.to_decimal(value), "f")


def to_csv(plan: OralPlan | TaperPlan) -> str:
    """The plan as CSV text (a plan without products has no product columns filled; a taper
    adds a ``stop`` row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    supply = plan.supply
    for number, step in enumerate(plan.steps, 1):
        common = [
            str(number),
            step.start.isoformat(),
            "" if step.end is None else step.end.isoformat(),
            "" if step.days is None else str(step.days),
            str(step.regimen.times_per_day),
            _n(step.regimen.daily_mg),
        ]
        for index, dose in enumerate(step.regimen.doses_mg):
            if supply is None:
                writer.writerow(
                    [
                        "dose",
                        *common,
                        str(index + 1),
                        _n(dose),
                        "",
                        "",
                        "",
                        "",
                        display.amount(dose, units.ORAL_DOSE),
                    ]
                )
                continue
            realization = supply.doses[number - 1][index]
            position = supply.positions[number - 1][index]
            for portion in realization.portions:
                writer.writerow(
                    [
                        "dose",
                        *common,
                        str(position),
                        _n(dose),
                        portion.product.id,
                        _n(portion.quantity),
                        quantity_unit(portion.product),
                        "",
                        units_text(realization),
                    ]
                )
    if isinstance(plan, TaperPlan):
        writer.writerow(
            [
                "stop",
                "",
                plan.taper.stop.isoformat(),
                "",
                "",
                "0",
                "0",
                "",
                "",
                "",
                "",
                "",
                "",
                "stop taking baclofen",
            ]
        )
    if supply is not None:
        for line in supply.dispense:
            writer.writerow(
                [
                    "dispense",
                    "",
                    line.first_day.isoformat(),
                    line.last_day.isoformat(),
                    str(line.days),
                    "",
                    "",
                    "",
                    "",
                    line.product.id,
                    _n(line.dispensed),
                    quantity_unit(line.product),
                    _n(line.scheduled),
                    dispense_text(line),
                ]
            )
    return out.getvalue()


@protocol.to_csv.register
def _oral_csv(plan: OralPlan, **options: Any) -> str:
    return to_csv(plan)


@protocol.to_csv.register
def _taper_csv(plan: TaperPlan, **options: Any) -> str:
    return to_csv(plan)
