"""JSON for programs: amounts and UCUM units apart, exact decimal numbers, a lossless round trip.

>>> from baclofen_dose import plan_titration
>>> plan = plan_titration(start="2026-01-05", target="30 mg/day")
>>> from_json(to_json(plan)) == plan
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from .. import units
from ..errors import InputError
from ..limits import SEVERITIES, Finding, Override
from ..regimen import Adjustment, OralPlan, OralRegimen, Provenance, Step
from ..rules import QUANTITIES
from .text import INTENDED_USE

__all__ = ["SCHEMA", "from_json", "plan_to_data", "to_json"]

SCHEMA: Final = "baclofen-dose/oral-plan/1"


def _amount(value: Fraction, kind: units.Kind) -> dict[str, Any]:
    return {"value": units.to_decimal(value), "unit": kind.ucum}


def plan_to_data(plan: OralPlan) -> dict[str, Any]:
    """The plan as plain data (Decimal numbers), ready for :func:`to_json`."""
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
            for step in plan.steps
        ],
        "findings": [
            {
                "rule_id": f.rule_id,
                "severity": f.severity,
                "message": f.message,
                "citation": f.citation,
                "override_reason": f.override_reason,
            }
            for f in plan.findings
        ],
        "overrides": [{"rule_id": o.rule_id, "reason": o.reason} for o in plan.overrides],
        "provenance": {
            "library_version": prov.library_version,
            "ruleset": {
                "id": prov.ruleset_id,
                "version": prov.ruleset_version,
                "sha256": prov.ruleset_sha256,
            },
            "rule_ids": list(prov.rule_ids),
            "inputs": dict(prov.inputs),
        },
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
                "reason": a.reason,
            }
            for a in plan.adjustments
        ],
    }


def _adjusted(value: Fraction, quantity: str) -> dict[str, Any]:
    return _amount(value, QUANTITIES[quantity])


def _encode(value: Any, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k))}: {_encode(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _encode(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, Decimal):
        return format(value, "f")  # exact: no exponent, no binary float
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return json.dumps(value, ensure_ascii=True)
    raise TypeError(f"cannot encode {type(value).__name__}")  # pragma: no cover - internal


def to_json(plan: OralPlan) -> str:
    """The plan as JSON text: exact numbers, ``{"value", "unit"}`` amounts, UCUM units."""
    return _encode(plan_to_data(plan), "") + "\n"


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
    return Step(
        start=_read_date(_get(data, "start", str, where), f"{where}.start"),
        end=None if end is None else _read_date(end, f"{where}.end"),
        regimen=regimen,
        rule_ids=tuple(_strings(_get(data, "rule_ids", list, where), f"{where}.rule_ids")),
    )


def _strings(values: Sequence[Any], where: str) -> list[str]:
    for value in values:
        if not isinstance(value, str):
            raise _bad(where, value, "a list of strings")
    return list(values)


def from_json(text: str) -> OralPlan:
    """Read a plan written by :func:`to_json`; checks each step's doses against its totals."""
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except ValueError as exc:
        raise _bad("json", text[:40], f"JSON text ({exc})") from None
    if not isinstance(data, Mapping) or data.get("schema") != SCHEMA:
        raise _bad(
            "schema", data.get("schema") if isinstance(data, Mapping) else data, repr(SCHEMA)
        )
    prov = _get(data, "provenance", Mapping, "plan")
    ruleset = _get(prov, "ruleset", Mapping, "provenance")
    inputs = _get(prov, "inputs", Mapping, "provenance")
    return OralPlan(
        purpose=_get(data, "purpose", str, "plan"),
        steps=tuple(
            _read_step(s, f"steps[{i}]") for i, s in enumerate(_get(data, "steps", list, "plan"))
        ),
        findings=tuple(
            Finding(
                rule_id=_get(f, "rule_id", str, "finding"),
                severity=_severity(_get(f, "severity", str, "finding")),
                message=_get(f, "message", str, "finding"),
                citation=_get(f, "citation", str, "finding"),
                override_reason=f.get("override_reason"),
            )
            for f in _get(data, "findings", list, "plan")
        ),
        overrides=tuple(
            Override(_get(o, "rule_id", str, "override"), _get(o, "reason", str, "override"))
            for o in _get(data, "overrides", list, "plan")
        ),
        max_policy=_get(data, "max_policy", str, "plan"),
        population=_optional_str(data, "population"),
        renal_policy=_optional_str(data, "renal_policy"),
        adjustments=tuple(
            _read_adjustment(a, f"adjustments[{i}]")
            for i, a in enumerate(data.get("adjustments", []))
        ),
        provenance=Provenance(
            library_version=_get(prov, "library_version", str, "provenance"),
            ruleset_id=_get(ruleset, "id", str, "ruleset"),
            ruleset_version=_get(ruleset, "version", str, "ruleset"),
            ruleset_sha256=_get(ruleset, "sha256", str, "ruleset"),
            rule_ids=tuple(_strings(_get(prov, "rule_ids", list, "provenance"), "rule_ids")),
            inputs=tuple((str(k), str(v)) for k, v in inputs.items()),
        ),
    )


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _severity(value: str) -> str:
    if value not in SEVERITIES:
        raise _bad("finding.severity", value, " or ".join(SEVERITIES))
    return value


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
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
        reason=_get(data, "reason", str, where),
    )

