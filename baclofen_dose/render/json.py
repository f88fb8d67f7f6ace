"""JSON for programs: amounts and UCUM units apart, exact decimal numbers, a lossless round trip.

>>> from baclofen_dose import plan_titration
>>> plan = plan_titration(start="2026-01-05", target="30 mg/day")
>>> from_json(to_json(plan)) == plan
True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

from baclofen_dose.core import numeric, units
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.limits import SEVERITIES, Override
from baclofen_dose.core.rules import CATALOGUE_FORMS, QUANTITIES, SCORINGS
from baclofen_dose.oral.products import Product, Realization, Supply, supply_for
from baclofen_dose.oral.regimen import Adjustment, OralPlan, OralRegimen, Step
from baclofen_dose.oral.taper import TaperInfo
from baclofen_dose.render import protocol
from baclofen_dose.render.codec import (
    dumps,
    finding_data,
    provenance_data,
    read_finding,
    read_provenance,
    read_reason,
    reason_data,
)
from baclofen_dose.render.csv import quantity_unit
from baclofen_dose.render.text import INTENDED_USE

__all__ = ["SCHEMA", "from_json", "plan_to_data", "to_json"]

SCHEMA: Final = "baclofen-dose/oral-plan/1"


def _amount(value: Fraction, kind: units.Kind) -> dict[str, Any]:
    return {"value": numeric.to_decimal(value), "unit": kind.ucum}


def plan_to_data(plan: OralPlan) -> dict[str, Any]:
    """The plan as plain data (Decimal numbers), ready for :func:`to_json`.

    A plan realized with products adds, per step, ``positions`` and ``units_per_dose``, and at
    the top ``products``, ``dispense`` and ``daily_after``; a taper adds ``taper`` (its current
    regimen, stop date, step, grid and reduction order). Plans without them keep the same
    fields as before.
    """
    data = _core_data(plan)
    if plan.supply is not None:
        _add_supply(data, plan.supply)
    if plan.taper is not None:
        data["taper"] = _taper_data(plan.taper)
    return data


def _core_data(plan: OralPlan) -> dict[str, Any]:
    prov = plan.provenance
    return {
        "schema": SCHEMA,
        "purpose": plan.purpose,
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
    } | _patient_data(plan)


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
        "name": product.name,
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
    return {"value": numeric.to_decimal(quantity), "unit": quantity_unit(product)}


def _realization_data(realization: Realization, position: int) -> dict[str, Any]:
    return {
        "position": position,
        "dose": _amount(realization.dose_mg, units.ORAL_DOSE),
        "portions": [
            {"product": p.product.id, "quantity": _quantity(p.quantity, p.product)}
            for p in realization.portions
        ],
        "text": realization.text(),
    }


def _add_supply(data: dict[str, Any], supply: Supply) -> None:
    for step, positions, row in zip(data["steps"], supply.positions, supply.doses, strict=True):
        step["units_per_dose"] = [
            _realization_data(r, p) for p, r in zip(positions, row, strict=True)
        ]
    data["products"] = [_product_data(p) for p in supply.products]
    data["dispense"] = [
        {
            "product": line.product.id,
            "scheduled": _quantity(line.scheduled, line.product),
            "dispensed": _quantity(line.dispensed, line.product),
            "first_day": line.first_day.isoformat(),
            "last_day": line.last_day.isoformat(),
            "days": line.days,
            "text": line.text(),
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


def to_json(plan: OralPlan) -> str:
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


def read_plan(data: Mapping[str, Any]) -> OralPlan:
    """An oral plan from its data; checks each step's doses against its totals."""
    prov = _get(data, "provenance", Mapping, "plan")
    plan = OralPlan(
        purpose=_get(data, "purpose", str, "plan"),
        steps=tuple(
            _read_step(s, f"steps[{i}]") for i, s in enumerate(_get(data, "steps", list, "plan"))
        ),
        findings=tuple(
            read_finding(f, f"findings[{i}]")
            for i, f in enumerate(_get(data, "findings", list, "plan"))
        ),
        overrides=tuple(
            Override(_get(o, "rule_id", str, "override"), _get(o, "reason", str, "override"))
            for o in _get(data, "overrides", list, "plan")
        ),
        max_policy=_get(data, "max_policy", str, "plan"),
        population=_optional_key(data, "population"),
        renal_policy=_optional_key(data, "renal_policy"),
        adjustments=tuple(
            _read_adjustment(a, f"adjustments[{i}]")
            for i, a in enumerate(data.get("adjustments", []))
        ),
        provenance=read_provenance(prov),
    )
    if "products" in data:
        plan = attrs.evolve(plan, supply=_read_supply(data, plan.steps))
    if "taper" in data:
        plan = attrs.evolve(plan, taper=_read_taper(_get(data, "taper", Mapping, "plan")))
    return plan


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
    if _normal(written) != _normal(rebuilt):
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


def _normal(value: Any) -> str:
    return dumps(value) if isinstance(value, Mapping) else str(value)


def _read_taper(data: Mapping[str, Any]) -> TaperInfo:
    current = tuple(
        _read_amount(d, units.ORAL_DOSE, f"taper.current[{i}]")
        for i, d in enumerate(_get(data, "current", list, "taper"))
    )
    if not current:
        raise _bad("taper.current", [], "at least one dose")
    order = _get(data, "order", list, "taper")
    if sorted(order) != list(range(1, len(current) + 1)):
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


protocol.to_data.register(OralPlan)(plan_to_data)
protocol.register_reader(SCHEMA, read_plan)
