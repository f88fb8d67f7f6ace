"""JSON for programs: amounts and UCUM units apart, exact decimal numbers, a lossless round trip.

>>> from baclofen_dose import plan_titration
>>> plan = plan_titration(start="2026-01-05", target="30 mg/day")
>>> from_json(to_json(plan)) == plan
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any, Final

import attrs

from baclofen_dose.core import numeric, units
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.kernel import add_days
from baclofen_dose.core.limits import SEVERITIES, Override
from baclofen_dose.core.model import Reason
from baclofen_dose.core.rules import CATALOGUE_FORMS, QUANTITIES, SCORINGS
from baclofen_dose.oral import missed as missed_dose
from baclofen_dose.oral import taper as oral_taper
from baclofen_dose.oral.missed import MissedDoseAdvice
from baclofen_dose.oral.products import Portion, Product, Realization, Supply, supply_for
from baclofen_dose.oral.regimen import Adjustment, OralPlan, OralRegimen, Step
from baclofen_dose.oral.taper import TaperInfo, TaperPlan
from baclofen_dose.render import protocol
from baclofen_dose.render.codec import (
    finding_data,
    provenance_data,
    read_finding,
    read_provenance,
    read_reason,
    reason_data,
)
from baclofen_dose.render.csv import quantity_unit
from baclofen_dose.render.messages import REASON_TEMPLATES
from baclofen_dose.render.missed import advice_text
from baclofen_dose.render.products import dispense_text, product_name, units_text
from baclofen_dose.render.recheck import recheck_taper, recheck_titration
from baclofen_dose.render.text import INTENDED_USE

_MINUTE: Final = units.parse_unit("minute", units.HOURS, "unit")
_CLOCK: Final = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")

__all__ = [
    "MISSED_SCHEMA",
    "SCHEMA",
    "TAPER_SCHEMA",
    "from_json",
    "missed_to_data",
    "plan_to_data",
    "taper_to_data",
    "to_json",
]

SCHEMA: Final = "baclofen-dose/oral-plan/1"
TAPER_SCHEMA: Final = oral_taper.SCHEMA
MISSED_SCHEMA: Final = missed_dose.SCHEMA


@lru_cache(maxsize=4096)
def _decimal(numerator: int, denominator: int) -> Decimal:
    """The exact Decimal of a terminating ratio; cached, since a plan repeats a few amounts
    many times (Decimal values are immutable, so sharing them is safe)."""
    if denominator == 1:
        return Decimal(numerator)
    return numeric.to_decimal(Fraction(numerator, denominator))


def _amount(value: Fraction, kind: units.Kind) -> dict[str, Any]:
    return {"value": _decimal(value.numerator, value.denominator), "unit": kind.ucum}


def plan_to_data(plan: OralPlan) -> dict[str, Any]:
    """The plan as plain data (Decimal numbers), ready for :func:`to_json`.

    A plan realized with products adds, per step, ``positions`` and ``units_per_dose``, and at
    the top ``products``, ``dispense`` and ``daily_after``. Plans without them keep the same
    fields as before.
    """
    head = {"schema": SCHEMA, "purpose": plan.purpose}
    data = head | _core_data(plan, SCHEMA) | _patient_data(plan)
    if plan.supply is not None:
        _add_supply(data, plan.supply)
    return data


def taper_to_data(plan: TaperPlan) -> dict[str, Any]:
    """A taper plan as plain data: the fields of an oral plan realized with products, and
    ``taper`` (its current regimen, stop date, step, grid and reduction order)."""
    data = _core_data(plan, TAPER_SCHEMA)
    _add_supply(data, plan.supply)
    data["taper"] = _taper_data(plan.taper)
    return data


def _core_data(plan: OralPlan | TaperPlan, schema: str) -> dict[str, Any]:
    prov = plan.provenance
    return {
        "schema": schema,
        "route": plan.route,
        "max_policy": plan.max_policy,
        "steps": [
            {
                "start": step.start.isoformat(),
                "end": None if step.end is None else step.end.isoformat(),
                "doses": [_amount(d, units.ORAL_DOSE) for d in step.regimen.doses_mg],
                "times_per_day": step.regimen.times_per_day,
                "daily_dose": _amount(step.regimen.daily_mg, units.ORAL_DAILY_DOSE),
                "rule_ids": list(step.rule_ids),
            }
            | ({} if step.reason is None else {"reason": reason_data(step.reason)})
            for step in plan.steps
        ],
        "findings": [finding_data(f) for f in plan.findings],
        "overrides": [{"rule_id": o.rule_id, "reason": o.reason} for o in plan.overrides],
        "provenance": provenance_data(prov),
        "intended_use": INTENDED_USE,
    }


def _patient_data(plan: OralPlan) -> dict[str, Any]:
    """Patient-specific keys (issue 3), only on plans made for a patient."""
    if plan.population is None:
        return {}
    return {
        "population": plan.population,
        "renal_policy": plan.renal_policy,
        "adjustments": [
            {
                "what": a.what,
                "quantity": a.quantity,
                "before": None if a.before is None else _adjusted(a.before, a.quantity),
                "after": _adjusted(a.after, a.quantity),
                "rule_ids": list(a.rule_ids),
                "reason": reason_data(a.reason),
            }
            for a in plan.adjustments
        ],
    }


def _product_data(product: Product) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": product.id,
        "form": product.form,
        "name": product_name(product),
        "citation": product.citation,
    }
    if product.liquid:
        item["concentration"] = _amount(_need(product.per_ml), units.ORAL_CONCENTRATION)
        item["labelled"] = {
            "amount": _amount(_need(product.labelled_mg), units.ORAL_DOSE),
            "volume": _amount(_need(product.labelled_ml), units.VOLUME),
        }
        item["measure"] = _amount(_need(product.measure_ml), units.VOLUME)
    else:
        item["strength"] = _amount(_need(product.strength_mg), units.ORAL_DOSE)
    if product.scoring is not None:
        item["scoring"] = product.scoring
    return item


def _need(value: Fraction | None) -> Fraction:
    if value is None:  # pragma: no cover - products always carry their form's fields
        raise TypeError("missing product field")
    return value


def _quantity(quantity: Fraction, product: Product) -> dict[str, Any]:
    return {
        "value": _decimal(quantity.numerator, quantity.denominator),
        "unit": quantity_unit(product),
    }


def _realization_data(realization: Realization, position: int, text: str) -> dict[str, Any]:
    return {
        "position": position,
        "dose": _amount(realization.dose_mg, units.ORAL_DOSE),
        "portions": [
            {"product": p.product.id, "quantity": _quantity(p.quantity, p.product)}
            for p in realization.portions
        ],
        "text": text,
    }


def _add_supply(data: dict[str, Any], supply: Supply) -> None:
    # The planner reuses one Realization for equal doses: word each one once.
    texts: dict[int, str] = {}
    for step, positions, row in zip(data["steps"], supply.positions, supply.doses, strict=True):
        units_per_dose = []
        for position, realization in zip(positions, row, strict=True):
            text = texts.get(id(realization))
            if text is None:
                text = texts[id(realization)] = units_text(realization)
            units_per_dose.append(_realization_data(realization, position, text))
        step["units_per_dose"] = units_per_dose
    data["products"] = [_product_data(p) for p in supply.products]
    data["dispense"] = [
        {
            "product": line.product.id,
            "scheduled": _quantity(line.scheduled, line.product),
            "dispensed": _quantity(line.dispensed, line.product),
            "first_day": line.first_day.isoformat(),
            "last_day": line.last_day.isoformat(),
            "days": line.days,
            "text": dispense_text(line),
        }
        for line in supply.dispense
    ]
    data["daily_after"] = [
        {"product": p.id, "per_day": _quantity(q, p)} for p, q in supply.daily_after
    ]


def _taper_data(taper: TaperInfo) -> dict[str, Any]:
    return {
        "current": [_amount(d, units.ORAL_DOSE) for d in taper.current.doses_mg],
        "stop": taper.stop.isoformat(),
        "step": _amount(taper.step_mg, units.ORAL_DAILY_DOSE),
        "grid": _amount(taper.grid_mg, units.ORAL_DOSE),
        "order": list(taper.order),
    }


def _adjusted(value: Fraction, quantity: str) -> dict[str, Any]:
    return _amount(value, QUANTITIES[quantity])


def to_json(plan: OralPlan | TaperPlan | MissedDoseAdvice) -> str:
    """The plan as JSON text: exact numbers, ``{"value", "unit"}`` amounts, UCUM units."""
    return protocol.to_json(plan)


def _bad(field: str, value: object, expected: str) -> InputError:
    return InputError(field, value, expected, code="E_JSON")


def _get(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, Mapping) or key not in data:
        raise _bad(f"{where}.{key}", None, "a value for this key")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _bad(f"{where}.{key}", value, f"a {kind}")
    return value


def _read_amount(data: Any, kind: units.Kind, where: str) -> Fraction:
    unit = _get(data, "unit", str, where)
    value = _get(data, "value", (Decimal, int), where)
    if unit != kind.ucum:
        raise _bad(f"{where}.unit", unit, repr(kind.ucum))
    result = Fraction(value)
    if result <= 0:
        raise _bad(f"{where}.value", value, "an amount above zero")
    return result


def _read_date(text: Any, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise _bad(where, text, "an ISO date YYYY-MM-DD") from None


def _read_step(data: Any, where: str) -> Step:
    doses = tuple(
        _read_amount(d, units.ORAL_DOSE, f"{where}.doses[{i}]")
        for i, d in enumerate(_get(data, "doses", list, where))
    )
    if not doses:
        raise _bad(f"{where}.doses", [], "at least one dose")
    regimen = OralRegimen(doses)
    if _get(data, "times_per_day", int, where) != regimen.times_per_day:
        raise _bad(f"{where}.times_per_day", data["times_per_day"], "the number of doses listed")
    daily = _read_amount(
        _get(data, "daily_dose", Mapping, where), units.ORAL_DAILY_DOSE, f"{where}.daily_dose"
    )
    if daily != regimen.daily_mg:
        raise _bad(f"{where}.daily_dose", data["daily_dose"], "the sum of the doses")
    end = data.get("end")
    first = _read_date(_get(data, "start", str, where), f"{where}.start")
    last = None if end is None else _read_date(end, f"{where}.end")
    if last is not None and last < first:
        raise _bad(f"{where}.end", end, "a date on or after the step's start")
    return Step(
        start=first,
        end=last,
        regimen=regimen,
        rule_ids=tuple(_strings(_get(data, "rule_ids", list, where), f"{where}.rule_ids")),
        reason=None
        if data.get("reason") is None
        else read_reason(data["reason"], f"{where}.reason"),
    )


def _strings(values: Sequence[Any], where: str) -> list[str]:
    for value in values:
        if not isinstance(value, str):
            raise _bad(where, value, "a list of strings")
    return list(values)


def from_json(text: str | bytes) -> OralPlan:
    """Read an oral plan written by :func:`to_json` (any other result is refused)."""
    result = protocol.from_json(text)
    if not isinstance(result, OralPlan):
        raise _bad("schema", getattr(result, "schema", None), repr(SCHEMA))
    return result


def _read_common(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields every oral plan has: steps, findings, overrides, policy and provenance."""
    return {
        "steps": tuple(
            _read_step(s, f"steps[{i}]") for i, s in enumerate(_get(data, "steps", list, "plan"))
        ),
        "findings": tuple(
            read_finding(f, f"findings[{i}]")
            for i, f in enumerate(_get(data, "findings", list, "plan"))
        ),
        "overrides": tuple(
            Override(_get(o, "rule_id", str, "override"), _get(o, "reason", str, "override"))
            for o in _get(data, "overrides", list, "plan")
        ),
        "max_policy": _get(data, "max_policy", str, "plan"),
        "provenance": read_provenance(_get(data, "provenance", Mapping, "plan")),
    }


def read_plan(data: Mapping[str, Any]) -> OralPlan:
    """An oral plan from its data; checks each step's doses against its totals."""
    plan = OralPlan(
        purpose=_get(data, "purpose", str, "plan"),
        **_read_common(data),
        population=_optional_key(data, "population"),
        renal_policy=_optional_key(data, "renal_policy"),
        adjustments=tuple(
            _read_adjustment(a, f"adjustments[{i}]")
            for i, a in enumerate(data.get("adjustments", []))
        ),
    )
    if "products" in data:
        plan = attrs.evolve(plan, supply=_read_supply(data, plan.steps))
    recheck_titration(plan, protocol.reading_rules())
    return plan


def read_taper_plan(data: Mapping[str, Any]) -> TaperPlan:
    """A taper plan from its data: steps checked against their totals, the units per dose and
    dispense quantities rebuilt from the products and checked against what was written, and
    the reduction order checked against the current regimen."""
    common = _read_common(data)
    steps: tuple[Step, ...] = common["steps"]
    if not steps:
        raise _bad("steps", [], "at least one step")
    supply = _read_supply(data, steps)
    taper = _read_taper(_get(data, "taper", Mapping, "plan"))
    _check_taper(steps, taper)
    plan = TaperPlan(supply=supply, taper=taper, **common)
    recheck_taper(plan, protocol.reading_rules())
    return plan


def _check_taper(steps: tuple[Step, ...], taper: TaperInfo) -> None:
    """What the planner guarantees, checked again on data read from a file: dated steps one
    after the other up to the stop day, every dose on the taper grid, never going up."""
    previous = taper.current.daily_mg
    for i, step in enumerate(steps):
        if step.end is None:
            raise _bad(f"steps[{i}].end", None, "a last day (a taper has no open-ended step)")
        following = steps[i + 1].start if i + 1 < len(steps) else taper.stop
        if following != add_days(step.end, 1, f"steps[{i}].end"):
            raise _bad(f"steps[{i}].end", step.end.isoformat(), "the day before the next step")
        if any((d / taper.grid_mg).denominator != 1 for d in step.regimen.doses_mg):
            raise _bad(f"steps[{i}].doses", "doses", "whole multiples of taper.grid")
        if step.regimen.daily_mg > previous or step.regimen.times_per_day > len(taper.order):
            raise _bad(f"steps[{i}].daily_dose", "daily_dose", "no more than the step before")
        previous = step.regimen.daily_mg


def _read_product(data: Any, where: str) -> Product:
    form = _get(data, "form", str, where)
    if form not in CATALOGUE_FORMS:
        raise _bad(f"{where}.form", form, "one of " + ", ".join(sorted(CATALOGUE_FORMS)))
    liquid = CATALOGUE_FORMS[form] == "oral.concentration"
    labelled = _get(data, "labelled", Mapping, where) if liquid else None
    scoring = data.get("scoring")
    if (form == "tablet") != (scoring in SCORINGS):
        raise _bad(
            f"{where}.scoring", scoring, "a tablet's scoring: " + ", ".join(sorted(SCORINGS))
        )
    return Product(
        id=_get(data, "id", str, where),
        form=form,
        strength_mg=None
        if liquid
        else _read_amount(
            _get(data, "strength", Mapping, where), units.ORAL_DOSE, f"{where}.strength"
        ),
        per_ml=_read_amount(
            _get(data, "concentration", Mapping, where), units.ORAL_CONCENTRATION, where
        )
        if liquid
        else None,
        labelled_mg=None
        if labelled is None
        else _read_amount(_get(labelled, "amount", Mapping, where), units.ORAL_DOSE, where),
        labelled_ml=None
        if labelled is None
        else _read_amount(_get(labelled, "volume", Mapping, where), units.VOLUME, where),
        measure_ml=_read_amount(_get(data, "measure", Mapping, where), units.VOLUME, where)
        if liquid
        else None,
        scoring=scoring,
        citation=_get(data, "citation", str, where),
    )


def _read_supply(data: Mapping[str, Any], steps: tuple[Step, ...]) -> Supply:
    """Rebuild the supply from products, steps and positions, and check that the units and
    dispense quantities written in the JSON are the ones the plan gives."""
    chosen = tuple(
        _read_product(p, f"products[{i}]")
        for i, p in enumerate(_get(data, "products", list, "plan"))
    )
    if not chosen:
        raise _bad("products", [], "at least one product")
    raw_steps = _get(data, "steps", list, "plan")
    positions = []
    for i, step in enumerate(raw_steps):
        doses = _get(step, "units_per_dose", list, f"steps[{i}]")
        where = f"steps[{i}].units_per_dose"
        positions.append(tuple(_get(d, "position", int, where) for d in doses))
    try:
        supply = supply_for(steps, chosen, positions)
    except ValueError as exc:
        raise _bad("steps", "units_per_dose", f"doses the products give ({exc})") from None
    rebuilt = _core_data_supply(supply)
    written = {
        "units_per_dose": [s["units_per_dose"] for s in raw_steps],
        "dispense": _get(data, "dispense", list, "plan"),
        "daily_after": _get(data, "daily_after", list, "plan"),
    }
    # Plain data compared as data: Decimal and int compare by value, so no re-encoding.
    if written != rebuilt:
        raise _bad(
            "dispense",
            "units_per_dose",
            "units per dose and dispense quantities that agree with the steps",
        )
    return supply


def _core_data_supply(supply: Supply) -> dict[str, Any]:
    data: dict[str, Any] = {"steps": [{} for _ in supply.doses]}
    _add_supply(data, supply)
    return {
        "units_per_dose": [s["units_per_dose"] for s in data["steps"]],
        "dispense": data["dispense"],
        "daily_after": data["daily_after"],
    }


def _read_taper(data: Mapping[str, Any]) -> TaperInfo:
    current = tuple(
        _read_amount(d, units.ORAL_DOSE, f"taper.current[{i}]")
        for i, d in enumerate(_get(data, "current", list, "taper"))
    )
    if not current:
        raise _bad("taper.current", [], "at least one dose")
    order = _get(data, "order", list, "taper")
    if not all(isinstance(o, int) and not isinstance(o, bool) for o in order) or sorted(
        order
    ) != list(range(1, len(current) + 1)):
        raise _bad("taper.order", order, "each dose of the day once")
    return TaperInfo(
        current=OralRegimen(current),
        stop=_read_date(_get(data, "stop", str, "taper"), "taper.stop"),
        step_mg=_read_amount(
            _get(data, "step", Mapping, "taper"), units.ORAL_DAILY_DOSE, "taper.step"
        ),
        grid_mg=_read_amount(_get(data, "grid", Mapping, "taper"), units.ORAL_DOSE, "taper.grid"),
        order=tuple(order),
    )


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _severity(value: str) -> str:
    if value not in SEVERITIES:
        raise _bad("finding.severity", value, " or ".join(SEVERITIES))
    return value


def _optional_str(value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _bad(where, value, "a string or null")
    return value


def _optional_key(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(key, value, "a string or null")
    return value


def _read_adjustment(data: Any, where: str) -> Adjustment:
    quantity = _get(data, "quantity", str, where)
    if quantity not in QUANTITIES:
        raise _bad(f"{where}.quantity", quantity, "a rule-data quantity")
    kind = QUANTITIES[quantity]
    before = data.get("before")
    return Adjustment(
        what=_get(data, "what", str, where),
        quantity=quantity,
        before=None if before is None else _read_amount(before, kind, f"{where}.before"),
        after=_read_amount(_get(data, "after", Mapping, where), kind, f"{where}.after"),
        rule_ids=tuple(_strings(_get(data, "rule_ids", list, where), f"{where}.rule_ids")),
        reason=read_reason(_get(data, "reason", Mapping, where), f"{where}.reason"),
    )


def _realization_units(realization: Realization) -> dict[str, Any]:
    return {
        "dose": _amount(realization.dose_mg, units.ORAL_DOSE),
        "products": [
            _product_data(p) for p in dict.fromkeys(x.product for x in realization.portions)
        ],
        "portions": [
            {"product": p.product.id, "quantity": _quantity(p.quantity, p.product)}
            for p in realization.portions
        ],
        "text": units_text(realization),
    }


def missed_to_data(advice: MissedDoseAdvice) -> dict[str, Any]:
    """Missed-dose advice as plain data: the action, the dose (and its units), the missed and
    next doses, the reason (code, values, sentence), findings, provenance and the advice text."""
    return {
        "schema": MISSED_SCHEMA,
        "route": advice.route,
        "action": advice.action,
        "dose": _amount(advice.dose_mg, units.ORAL_DOSE),
        "units": None if advice.units is None else _realization_units(advice.units),
        "day": advice.day.isoformat(),
        "missed_at": advice.missed_at,
        "now_day": advice.now_day.isoformat(),
        "now_at": advice.now_at,
        "next_day": None if advice.next_day is None else advice.next_day.isoformat(),
        "next_at": advice.next_at,
        # Whole minutes (clock labels are minutes): exact, and negative when the next dose is
        # already due.
        "minutes_to_next": None
        if advice.hours_to_next is None
        else int(advice.hours_to_next / _MINUTE),
        "reason": reason_data(advice.reason),
        "text": advice_text(advice),
        "findings": [finding_data(f) for f in advice.findings],
        "provenance": provenance_data(advice.provenance),
        "intended_use": INTENDED_USE,
    }


def _read_clock(data: Mapping[str, Any], key: str, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not _CLOCK.fullmatch(value):
        raise _bad(f"advice.{key}", value, "a clock time HH:MM")
    return value


def _read_units(data: Any, dose: Fraction) -> Realization:
    products = {
        p.id: p
        for p in (
            _read_product(x, f"units.products[{i}]")
            for i, x in enumerate(_get(data, "products", list, "units"))
        )
    }
    portions = []
    for i, item in enumerate(_get(data, "portions", list, "units")):
        product = products.get(_get(item, "product", str, f"units.portions[{i}]"))
        if product is None:
            raise _bad(f"units.portions[{i}].product", item.get("product"), "a listed product")
        raw = _get(item, "quantity", Mapping, f"units.portions[{i}]")
        if raw.get("unit") != quantity_unit(product):
            raise _bad(
                f"units.portions[{i}].quantity.unit", raw.get("unit"), quantity_unit(product)
            )
        quantity = Fraction(_get(raw, "value", (Decimal, int), f"units.portions[{i}].quantity"))
        portions.append(Portion(product, quantity))
    if not portions or sum((p.amount_mg for p in portions), Fraction(0)) != dose:
        raise _bad("units.portions", "portions", "portions that give the dose exactly")
    return Realization(dose, tuple(portions))


def read_missed(data: Mapping[str, Any]) -> MissedDoseAdvice:
    """Missed-dose advice from its data; the reason and findings are read as codes and values
    (their sentences are written again, never trusted)."""
    action = _get(data, "action", str, "advice")
    if action not in missed_dose.ACTIONS:
        raise _bad("advice.action", action, " or ".join(missed_dose.ACTIONS))
    dose = _read_amount(_get(data, "dose", Mapping, "advice"), units.ORAL_DOSE, "advice.dose")
    raw_units = data.get("units")
    next_day = data.get("next_day")
    minutes = data.get("minutes_to_next")
    if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool)):
        raise _bad("advice.minutes_to_next", minutes, "a whole number of minutes or null")
    return MissedDoseAdvice(
        action=action,  # checked against ACTIONS above
        dose_mg=dose,
        units=None if raw_units is None else _read_units(raw_units, dose),
        day=_read_date(_get(data, "day", str, "advice"), "advice.day"),
        missed_at=_read_clock(data, "missed_at"),
        now_day=_read_date(_get(data, "now_day", str, "advice"), "advice.now_day"),
        now_at=_read_clock(data, "now_at"),
        next_day=None if next_day is None else _read_date(next_day, "advice.next_day"),
        next_at=_read_clock(data, "next_at", optional=True),
        hours_to_next=None if minutes is None else minutes * _MINUTE,
        reason=_read_reason(data.get("reason"), action),
        findings=tuple(
            read_finding(f, f"findings[{i}]")
            for i, f in enumerate(_get(data, "findings", list, "advice"))
        ),
        provenance=read_provenance(_get(data, "provenance", Mapping, "advice")),
    )


# The action each missed-dose reason leads to (oral/missed.py): a file whose action and reason
# disagree is refused.
_MISSED_ACTIONS: Final = {
    "MISSED_NO_LATER_DOSE_SAME_DAY": "take_now",
    "MISSED_NO_LATER_DOSE_OVER": "skip",
    "MISSED_NEXT_DUE": "skip",
    "MISSED_LATER_DOSE_PASSED": "skip",
    "MISSED_LATER_DOSES_PASSED": "skip",
    "MISSED_NEXT_SOON": "skip",
    "MISSED_NEXT_NOT_SOON": "take_now",
    "MISSED_SEVERAL": "skip",
    "MISSED_OVER_A_DAY": "skip",
}


def _read_reason(data: Any, action: str) -> Reason:
    reason = read_reason(data, "advice.reason")
    if reason.code not in REASON_TEMPLATES or reason.code not in _MISSED_ACTIONS:
        raise _bad("advice.reason.code", reason.code, "a missed-dose reason code")
    if _MISSED_ACTIONS[reason.code] != action:
        raise _bad("advice.action", action, f"{_MISSED_ACTIONS[reason.code]} for {reason.code}")
    return reason


protocol.to_data.register(OralPlan)(plan_to_data)
protocol.register_reader(SCHEMA, read_plan)
protocol.to_data.register(TaperPlan)(taper_to_data)
protocol.register_reader(TAPER_SCHEMA, read_taper_plan)
protocol.to_data.register(MissedDoseAdvice)(missed_to_data)
protocol.register_reader(MISSED_SCHEMA, read_missed)
