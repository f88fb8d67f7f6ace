"""Intrathecal titration: the changes allowed from today's daily dose, by origin, and the check
of a proposed daily dose.

Rules ``it.titrate.*``, ``it.refill_change.*``, ``it.maintenance.*`` and the hard ceiling
``it.daily_dose.ceiling`` (clinical.md 6.4, 6.5).
"""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.deprecation import renamed
from baclofen_dose.core.errors import HardLimitError
from baclofen_dose.core.model import (
    Amount,
    Finding,
    Override,
    ParamValue,
    Provenance,
    of_type,
    tuple_of,
)
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import IntrathecalDailyInput, IntrathecalOrigin, OverridesInput
from baclofen_dose.intrathecal.common import ROUTE, Context, Route, flag
from baclofen_dose.intrathecal.common import daily_dose as read_daily_dose
from baclofen_dose.intrathecal.common import origin as parse_origin

__all__ = ["IntrathecalTitration", "titration_bounds"]


RULES: Final = requires(
    __name__,
    {
        "it.daily_dose.ceiling": "it.daily_dose",
        "it.daily_dose.limited_experience": "it.daily_dose",
        "it.maintenance.cerebral.usual_high": "it.daily_dose",
        "it.maintenance.cerebral.usual_low": "it.daily_dose",
        "it.maintenance.child.average": "it.daily_dose",
        "it.maintenance.child.observed_high": "it.daily_dose",
        "it.maintenance.child.observed_low": "it.daily_dose",
        "it.maintenance.spinal.usual_high": "it.daily_dose",
        "it.maintenance.spinal.usual_low": "it.daily_dose",
        "it.refill_change.cerebral.increase.max": "it.increase",
        "it.refill_change.cerebral.increase.usual_min": "it.increase",
        "it.refill_change.child.increase.max": "it.increase",
        "it.refill_change.child.increase.usual_min": "it.increase",
        "it.refill_change.spinal.increase.max": "it.increase",
        "it.refill_change.spinal.increase.usual_min": "it.increase",
        "it.titrate.assess": None,
        "it.titrate.cerebral.increase.max": "it.increase",
        "it.titrate.cerebral.increase.usual_min": "it.increase",
        "it.titrate.child.increase.max": "it.increase",
        "it.titrate.child.increase.usual_min": "it.increase",
        "it.titrate.decrease.max": "it.decrease",
        "it.titrate.decrease.usual_min": "it.decrease",
        "it.titrate.interval.min": "it.hours",
        "it.titrate.spinal.increase.max": "it.increase",
        "it.titrate.spinal.increase.usual_min": "it.increase",
        "it.withdrawal.abrupt": None,
    },
)


@attrs.frozen
class IntrathecalTitration:
    """The changes allowed from today's daily dose, and the check of a proposed dose if given.

    Percentages are plain ratios (0.3 for 30%). ``increase_to_mcg`` is the largest daily dose
    the next increase may reach: ``current * (1 + increase_max)``, or the hard daily ceiling
    when that is lower (``capped_by_ceiling``, with a finding saying so).
    """

    SCHEMA: ClassVar[str] = "baclofen-dose/intrathecal-titration/1"

    current_daily_mcg: Fraction
    origin: str
    child: bool
    at_refill: bool
    increase_rule: str
    increase_usual_min: Fraction
    increase_max: Fraction
    increase_from_mcg: Fraction
    increase_to_mcg: Fraction
    capped_by_ceiling: bool
    decrease_usual_min: Fraction
    decrease_max: Fraction
    decrease_from_mcg: Fraction
    decrease_to_mcg: Fraction
    hours_between_increases: Fraction
    proposed_daily_mcg: Fraction | None
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
    overrides: tuple[Override, ...] = attrs.field(validator=tuple_of(Override))
    provenance: Provenance = attrs.field(validator=of_type(Provenance))

    @property
    def route(self) -> Route:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def schema(self) -> str:
        """The schema id of this result's JSON."""
        return self.SCHEMA

    @property
    def can_increase(self) -> bool:
        """False when today's dose is already at the hard daily ceiling."""
        return self.increase_to_mcg > self.current_daily_mcg


def _daily(value: Fraction) -> Amount:
    return Amount(value, units.IT_DAILY_DOSE)


@renamed(current="daily_dose")
def titration_bounds(
    *,
    daily_dose: IntrathecalDailyInput,
    origin: IntrathecalOrigin,
    child: bool = False,
    at_refill: bool = False,
    proposed: IntrathecalDailyInput | None = None,
    overrides: OverridesInput | None = None,
    rules: RuleSet | None = None,
) -> IntrathecalTitration:
    """The changes allowed from today's daily dose (after the first 24 hours), by origin.

    Rules ``it.titrate.*`` (increases of 10% to 30% for spinal origin, 5% to 15% for cerebral
    origin and children, no more than once every 24 hours), ``it.refill_change.*`` at a refill
    visit (up to 40% and 20%), decreases of 10% to 20% for side effects, the usual maintenance
    ranges (``it.maintenance.*``) and the hard ceiling ``it.daily_dose.ceiling``.

    With ``proposed``, that daily dose is checked: an increase above the origin's percentage or
    the ceiling is refused; a decrease of more than 20% needs an override naming the rule, with
    a reason; zero is always refused. The usual maintenance range is a reference shown with
    every plan (``IT_USUAL_RANGE``: an observed range, not a target or a maximum; clinical.md
    16), never a limit.

    ``daily_dose`` is today's daily dose (``current=`` is its old spelling: deprecated).

    >>> titration_bounds(daily_dose="300 mcg/day", origin="spinal").increase_to_mcg
    Fraction(390, 1)
    >>> titration_bounds(daily_dose="300 mcg/day", origin="cerebral").increase_to_mcg
    Fraction(345, 1)
    """
    ctx = Context.open(rules, overrides)
    side = parse_origin(origin)
    small = flag(child, "child")
    refill_visit = flag(at_refill, "at_refill")
    daily, _ = read_daily_dose(ctx, daily_dose, "daily_dose", name="current")
    group = "child" if small else side
    prefix = "it.refill_change" if refill_visit else "it.titrate"
    usual_min = ctx.value(f"{prefix}.{group}.increase.usual_min")
    increase_rule = ctx.rule(f"{prefix}.{group}.increase.max")
    increase_max = increase_rule.require_value()
    hours = ctx.value("it.titrate.interval.min")
    ceiling = ctx.rule("it.daily_dose.ceiling")
    top = daily * (1 + increase_max)
    capped = top > ceiling.require_value()
    if capped:
        top = ceiling.require_value()
        ctx.note(
            ceiling.id,
            "warning",
            "IT_CAPPED_AT_CEILING",
            {
                "percent": Amount(increase_max, units.PERCENT),
                "uncapped": _daily(daily * (1 + increase_max)),
                "ceiling": _daily(ceiling.require_value()),
            },
        )
    bottom_up = min(daily * (1 + usual_min), top)
    decrease_min = ctx.value("it.titrate.decrease.usual_min")
    decrease_rule = ctx.rule("it.titrate.decrease.max")
    decrease_max = decrease_rule.require_value()
    high_id = "it.maintenance.cerebral.usual_high" if small else f"it.maintenance.{side}.usual_high"
    low_id = "it.maintenance.cerebral.usual_low" if small else f"it.maintenance.{side}.usual_low"
    high = ctx.rule(high_id)
    low = ctx.value(low_id)
    # The usual range's sentence names the group: children follow the cerebral-origin rules.
    suffix = "_CHILD" if small else ""
    usual: dict[str, ParamValue] = {
        "origin": side,
        "low": _daily(low),
        "high": _daily(high.require_value()),
    }
    ctx.note(high.id, "info", "IT_USUAL_RANGE" + suffix, usual)
    ctx.used.append(low_id)
    if daily > high.require_value():
        ctx.note(high.id, "info", "IT_ABOVE_USUAL_RANGE" + suffix, usual)
    elif daily < low:
        ctx.note(low_id, "info", "IT_BELOW_USUAL_RANGE" + suffix, usual)
    if small:
        ctx.note(
            "it.maintenance.child.average",
            "info",
            "IT_CHILD_MAINTENANCE",
            {
                "average": _daily(ctx.value("it.maintenance.child.average")),
                "low": _daily(ctx.value("it.maintenance.child.observed_low")),
                "high": _daily(ctx.value("it.maintenance.child.observed_high")),
            },
        )
    limited = ctx.rule("it.daily_dose.limited_experience")
    proposed_daily: Fraction | None = None
    if proposed is None:
        if top > limited.require_value() >= daily:
            ctx.note(
                limited.id,
                "info",
                "IT_LIMITED_EXPERIENCE_AHEAD",
                {"threshold": _daily(limited.require_value())},
            )
    else:
        proposed_daily, _ = read_daily_dose(ctx, proposed, "proposed")
        change = proposed_daily - daily
        if change > 0:
            largest = daily * increase_max
            if change > largest:
                raise HardLimitError(
                    increase_rule.id,
                    _daily(change),
                    _daily(largest),
                    what="the proposed increase",
                    problem="(from {current} to {proposed}) would cross the hard limit {limit}, "
                    "{percent} of today's dose",
                    params={
                        "current": _daily(daily),
                        "proposed": _daily(proposed_daily),
                        "limit": _daily(largest),
                        "percent": Amount(increase_max, units.PERCENT),
                    },
                )
            if change < daily * usual_min:
                ctx.note(
                    f"{prefix}.{group}.increase.usual_min",
                    "info",
                    "IT_SMALL_INCREASE",
                    {"percent": Amount(usual_min, units.PERCENT)},
                )
        elif change < 0:
            ctx.check.soft_max(
                decrease_rule,
                -change,
                units.IT_DAILY_DOSE,
                "the proposed decrease of",
                limit=daily * decrease_max,
            )
    ctx.inputs += [("origin", side), ("child", small), ("at_refill", refill_visit)]
    ctx.findings += ctx.check.finish()
    ctx.advise("it.titrate.assess")
    ctx.advise("it.withdrawal.abrupt")
    return IntrathecalTitration(
        current_daily_mcg=daily,
        origin=side,
        child=small,
        at_refill=refill_visit,
        increase_rule=increase_rule.id,
        increase_usual_min=usual_min,
        increase_max=increase_max,
        increase_from_mcg=bottom_up,
        increase_to_mcg=top,
        capped_by_ceiling=capped,
        decrease_usual_min=decrease_min,
        decrease_max=decrease_max,
        decrease_from_mcg=daily * (1 - decrease_min),
        decrease_to_mcg=daily * (1 - decrease_max),
        hours_between_increases=hours,
        proposed_daily_mcg=proposed_daily,
        findings=tuple(ctx.findings),
        overrides=tuple(ctx.check.overrides.values()),
        provenance=ctx.record(),
    )
