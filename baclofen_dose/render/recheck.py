"""Re-checking a plan read from a file: plan it again from its recorded inputs (issue 9).

A saved plan is never believed. Its provenance records every input the planner used (typed
values: dates, exact amounts, counts, policy names, product ids, the patient); the reader
plans again from those inputs with the rule set in use and requires the result to be the very
same plan. So a file whose doses were edited (each dose of step 1 set to 500 mg), whose
findings were emptied (the withdrawal warning gone), whose steps overlap or lack an end date,
or whose override has lost its reason, is refused, naming the first step or field that differs;
and a file whose recorded inputs themselves cross a limit is refused by that limit
(``HardLimitError`` or ``OverrideRequired``), as planning would.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from fractions import Fraction
from typing import Any, Final, cast

from baclofen_dose.check.interactions import table_or_default
from baclofen_dose.check.intrathecal import check_intrathecal_order
from baclofen_dose.check.oral import check_order
from baclofen_dose.check.order import OrderCheck
from baclofen_dose.core import display, units
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.limits import LimitCheck
from baclofen_dose.core.model import Amount, ParamValue
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import MaxPolicyName, Sex
from baclofen_dose.intrathecal.common import FlexProgram
from baclofen_dose.oral.patient import Patient
from baclofen_dose.oral.regimen import OralPlan
from baclofen_dose.oral.taper import TaperPlan, plan_taper
from baclofen_dose.oral.titration import plan_titration

__all__ = ["recheck_order", "recheck_taper", "recheck_titration"]


RULES: Final = requires(
    __name__,
    {
        "oral.adult.max_daily.hard": "oral.daily_dose",
    },
)


def _tampered(field: str, value: object, expected: str) -> InputError:
    return InputError(
        field,
        value,
        expected,
        problem="is not what the recorded inputs and the rules give",
        code="E_TAMPERED",
    )


def _quantity(value: object, field: str) -> Any:
    if not isinstance(value, Amount):
        raise _tampered(f"provenance.inputs.{field}", value, "an amount with its unit")
    return units.quantity(value.value, value.kind)


def _patient(inputs: Mapping[str, ParamValue], rules: RuleSet) -> Patient | None:
    if "patient.age" not in inputs:
        return None
    if inputs["patient.age"] is None:  # an order check may judge a patient without an age
        return Patient.from_inputs(
            age=None,
            sex=cast("Sex | None", inputs.get("patient.sex")),
            dialysis=cast("bool | None", inputs.get("patient.dialysis")),
            rules=rules,
            **{
                name: None
                if inputs.get(f"patient.{name}") is None
                else _quantity(inputs[f"patient.{name}"], f"patient.{name}")
                for name in ("weight", "height", "scr")
            },
        )
    optional = {
        name: (
            None
            if inputs.get(f"patient.{name}") is None
            else _quantity(inputs[f"patient.{name}"], f"patient.{name}")
        )
        for name in ("weight", "height", "scr")
    }
    extra: dict[str, bool | None] = {}
    for name in ("pregnant", "breastfeeding"):
        value = inputs.get(f"patient.{name}")
        if value is not None and not isinstance(value, bool):
            raise _tampered(f"provenance.inputs.patient.{name}", value, "true, false or null")
        extra[name] = value
    # As read from the file: from_inputs checks every value again, as it does a caller's.
    return Patient.from_inputs(
        age=_quantity(inputs["patient.age"], "patient.age"),
        sex=cast("Sex | None", inputs.get("patient.sex")),
        dialysis=cast("bool | None", inputs.get("patient.dialysis")),
        rules=rules,
        **cast("dict[str, Any]", optional),
        **cast("dict[str, Any]", extra),
    )


def _check_ceiling(plan: OralPlan, rules: RuleSet) -> None:
    """Every step's daily dose within the absolute oral ceiling, named by step (before any
    replanning, so an edited dose is refused by the limit it crosses)."""
    check = LimitCheck(rules, {})
    ceiling = rules["oral.adult.max_daily.hard"]
    for index, step in enumerate(plan.steps):
        check.hard_max(
            ceiling, step.regimen.daily_mg, units.ORAL_DAILY_DOSE, f"steps[{index}] daily dose"
        )


def recheck_titration(plan: OralPlan, rules: RuleSet) -> None:
    """Plan ``plan`` again from its recorded inputs with ``rules``; refuse any difference."""
    _check_ceiling(plan, rules)
    inputs = plan.provenance.values
    defaults = inputs.get("defaults", ())
    if not isinstance(defaults, tuple):
        raise _tampered("provenance.inputs.defaults", defaults, "a list of input names")

    def chosen(name: str) -> Any:
        return None if name in defaults else inputs.get(name)

    step, interval, times = chosen("step"), chosen("interval"), chosen("times_per_day")
    patient = _patient(inputs, rules)
    products = inputs.get("product")
    kwargs: dict[str, Any] = {
        "start": inputs.get("start"),
        "target": "max"
        if inputs.get("target_is_max") is True
        else _quantity(inputs.get("target"), "target"),
        "step": None if step is None else _quantity(step, "step"),
        "interval": None
        if interval is None
        else units.quantity(units.parse(f"{interval} days", units.DAYS, "interval"), units.DAYS),
        "times_per_day": times,
        # A child's plan records its age-band profile as its maximum policy, and an adolescent
        # on the adult ladder the label's: neither was chosen by the caller.
        "max_policy": None
        if "max_policy" in defaults
        or inputs.get("population") == "child"
        or inputs.get("adolescent_policy") is not None
        else inputs.get("max_policy"),
        "overrides": {o.rule_id: o.reason for o in plan.overrides} or None,
        "product": list(products) if isinstance(products, tuple) and products else None,
        "rules": rules,
    }
    for name in ("adolescent_policy", "older_adult_policy"):
        if name not in defaults and isinstance(inputs.get(name), str):
            kwargs[name] = inputs[name]
    if patient is not None:
        kwargs["patient"] = patient
        for name in (
            () if inputs.get("population") == "child" else ("renal_policy", "weight_policy")
        ):
            if name not in defaults and inputs.get(name) is not None:
                kwargs[name] = inputs[name]
    again = plan_titration(**kwargs)
    if again == plan:
        return
    _first_difference(plan, again)


def _first_difference(read: OralPlan, planned: OralPlan) -> None:
    for index, (a, b) in enumerate(zip(read.steps, planned.steps, strict=False)):
        if a != b:
            raise _tampered(f"steps[{index}]", "the step as written", "the step the rules give")
    if len(read.steps) != len(planned.steps):
        raise _tampered("steps", f"{len(read.steps)} steps", f"{len(planned.steps)} steps")
    for name in ("findings", "overrides", "adjustments", "supply", "provenance"):
        if getattr(read, name) != getattr(planned, name):
            raise _tampered(name, f"the {name} as written", f"the {name} the rules give")
    raise _tampered("plan", "the plan as written", "the plan the rules give")


def _optional_quantity(inputs: Mapping[str, ParamValue], name: str) -> Any:
    value = inputs.get(name)
    return None if value is None else _quantity(value, name)


def recheck_taper(plan: TaperPlan, rules: RuleSet) -> None:
    """Plan the taper again from its recorded inputs with ``rules``; refuse any difference."""
    inputs = plan.provenance.values
    current = inputs.get("current")
    if not isinstance(current, tuple) or not current:
        raise _tampered("provenance.inputs.current", current, "the current doses")
    percent = inputs.get("step_percent")
    if percent is not None and not isinstance(percent, Fraction):
        raise _tampered("provenance.inputs.step_percent", percent, "a ratio")
    products = inputs.get("product")
    reduce_first, policy = inputs.get("reduce_first"), inputs.get("max_policy")
    start = inputs.get("start")
    if (
        not isinstance(reduce_first, int)
        or not isinstance(policy, str)
        or not isinstance(start, date)
    ):
        raise _tampered("provenance.inputs", "start, reduce_first, max_policy", "their values")
    step = display.percent(percent) if percent is not None else _optional_quantity(inputs, "step")
    again = plan_taper(
        doses=[_quantity(dose, "current") for dose in current],
        start=start,
        over=_optional_quantity(inputs, "over"),
        step=step,
        interval=_optional_quantity(inputs, "every"),
        reduce_first=reduce_first,
        # As read: names are checked by the planner's catalogue look-up, like any caller's.
        product=cast("list[str]", list(products))
        if isinstance(products, tuple) and products
        else None,
        max_policy=cast("MaxPolicyName", policy),  # checked against the rule set by the planner
        overrides={o.rule_id: o.reason for o in plan.overrides} or None,
        rules=rules,
    )
    if again == plan:
        return
    for index, (a, b) in enumerate(zip(plan.steps, again.steps, strict=False)):
        if a != b:
            raise _tampered(f"steps[{index}]", "the step as written", "the step the rules give")
    for name in ("steps", "findings", "overrides", "supply", "taper", "provenance"):
        if getattr(plan, name) != getattr(again, name):
            raise _tampered(name, f"the {name} as written", f"the {name} the rules give")
    raise _tampered("plan", "the plan as written", "the plan the rules give")


def _amounts(value: ParamValue, field: str) -> list[Any]:
    if not isinstance(value, tuple) or not value:
        raise _tampered(f"order.{field}", value, "a list of amounts")
    return [_quantity(v, f"{field}[{i}]") for i, v in enumerate(value)]


def _oral_order(read: OrderCheck, rules: RuleSet) -> OrderCheck:
    order = read.provenance.values
    kwargs: dict[str, Any] = {
        "start": order.get("start"),
        "previous_start": order.get("previous_start"),
        "patient": _patient(order, rules),
        # A child has no maximum policy, unless on the US adult label ladder (adolescent_policy).
        "max_policy": order.get("max_policy")
        if order.get("population") != "child" or order.get("adolescent_policy") is not None
        else None,
        "adolescent_policy": order.get("adolescent_policy"),
        "dose_text": _texts(order.get("dose_text")),
        "renal_policy": order.get("renal_policy"),
        "weight_policy": order.get("weight_policy"),
        "measured_method": order.get("measured_method"),
        "medicines": list(_names(order.get("medicines"), "medicines")),
        "conditions": list(_names(order.get("conditions"), "conditions")),
    }
    for name in ("measured_crcl", "measured_egfr"):
        if order.get(name) is not None:
            kwargs[name] = _quantity(order[name], name)
    if order.get("units_per_dose") is not None:
        kwargs |= {
            "product": order.get("product"),
            "units_per_dose": order["units_per_dose"],
            "times_per_day": order.get("times_per_day"),
        }
    else:
        kwargs["doses"] = _amounts(order.get("doses"), "doses")
        if order.get("product") is not None:
            kwargs["product"] = order["product"]
    if order.get("previous_doses") is not None:
        kwargs["previous_doses"] = _amounts(order["previous_doses"], "previous_doses")
    return check_order(
        **kwargs,
        overrides=_overrides(read),
        other_baclofen_orders=cast("int", order.get("other_baclofen_orders", 0)),  # re-checked
        rules=rules,
    )


def _texts(value: ParamValue) -> list[str] | None:
    """The order's texts as recorded (None: none given)."""
    return None if value is None else list(_names(value, "dose_text"))


def _names(value: ParamValue, field: str) -> tuple[str, ...]:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise _tampered(f"provenance.inputs.{field}", value, "a list of names")
    return tuple(str(v) for v in value)


def _overrides(read: OrderCheck) -> dict[str, str] | None:
    return {o.rule_id: o.reason for o in read.overrides} or None


def _intrathecal_order(read: OrderCheck, rules: RuleSet) -> OrderCheck:
    order = read.provenance.values
    hours, rates = order.get("daily_dose_flex_hours"), order.get("daily_dose_flex_rates")
    daily: Any
    if hours is not None or rates is not None:
        if not isinstance(hours, tuple) or not isinstance(rates, tuple):
            raise _tampered("order.daily_dose_flex", (hours, rates), "durations and rates")
        daily = FlexProgram.from_steps(
            [
                (_quantity(h, "daily_dose_flex_hours"), _quantity(r, "daily_dose_flex_rates"))
                for h, r in zip(hours, rates, strict=True)
            ]
        )
    elif order.get("daily_dose_entered_per_hour") is not None:
        daily = _quantity(order["daily_dose_entered_per_hour"], "daily_dose_entered_per_hour")
    else:
        daily = _quantity(order.get("daily_dose"), "daily_dose")
    kwargs: dict[str, Any] = {
        "origin": order.get("origin"),
        "child": order.get("child"),
        # Recorded since at_refill exists; a record without it was made without it (False).
        "at_refill": order.get("at_refill", False),
        "medicines": list(_names(order.get("medicines"), "medicines")),
        "conditions": list(_names(order.get("conditions"), "conditions")),
    }
    for name in ("previous_daily_dose", "hours_since_previous", "concentration"):
        if order.get(name) is not None:
            kwargs[name] = _quantity(order[name], name)
    return check_intrathecal_order(
        daily_dose=daily,
        **kwargs,
        overrides=_overrides(read),
        other_baclofen_orders=cast("int", order.get("other_baclofen_orders", 0)),  # re-checked
        rules=rules,
    )


def recheck_order(read: OrderCheck, rules: RuleSet) -> None:
    """Check the order ``read`` again from what it records (the order, the patient, measured
    values, policies, co-medications and conditions) with ``rules``; refuse any difference.

    A saved order check is never believed: a file whose findings were removed or softened
    (a hard finding turned into a warning, the renal finding gone) is refused with
    ``E_TAMPERED`` naming the first finding that differs. A check made with another
    interaction table than the bundled one is refused: it cannot be re-checked here.
    """
    inputs = read.provenance.values
    table = table_or_default(None)
    if inputs.get("interactions_sha256") != table.sha256:
        raise _tampered(
            "provenance.inputs.interactions_sha256",
            inputs.get("interactions_sha256"),
            "the bundled interaction table (a check made with another cannot be re-checked)",
        )
    again = _oral_order(read, rules) if read.route == "oral" else _intrathecal_order(read, rules)
    if again == read:
        return
    for index, (old, new) in enumerate(zip(read.findings, again.findings, strict=False)):
        if old != new:
            raise _tampered(f"findings[{index}]", old.code, f"{new.rule_id}: {new.code}")
    for name in ("findings", "not_assessed", "order", "overrides", "provenance"):
        if getattr(read, name) != getattr(again, name):
            raise _tampered(name, len(getattr(read, name)), "what the recorded order gives")
    raise _tampered("check", read.schema, "what the recorded order gives")  # pragma: no cover
