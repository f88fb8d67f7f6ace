"""A supervised intrathecal taper, down to the first post-implant daily dose and never to zero.

Rules ``it.taper.*`` and ``schedule.horizon`` (clinical.md 7.2).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.deprecation import renamed
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.kernel import RoundMode, add_days, round_to_grid
from baclofen_dose.core.limits import parse_date
from baclofen_dose.core.model import Amount, Finding, Override, Provenance, of_type, tuple_of
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import DateInput, IntrathecalDailyInput, OverridesInput, QuantityInput
from baclofen_dose.intrathecal.common import ROUTE, Context, Route, exact
from baclofen_dose.intrathecal.common import daily_dose as read_daily_dose

if TYPE_CHECKING:
    import pint

__all__ = ["STEP_RULES", "IntrathecalTaper", "TaperStep", "plan_intrathecal_taper"]

RULES: Final = requires(
    __name__,
    {
        "it.taper.grid": "it.daily_dose",
        "it.taper.interval.min": "it.days",
        "it.taper.step.max": "it.taper_step",
        "it.taper.supervision": None,
        "it.withdrawal.abrupt": None,
        "schedule.horizon": "schedule.length",
    },
)


STEP_RULES: tuple[str, ...] = ("it.taper.step.max", "it.taper.interval.min", "it.taper.grid")
"""The rules behind every step after the first (the last adds ``it.taper.supervision``)."""


@attrs.frozen
class TaperStep:
    """One step of an intrathecal taper: a daily dose from ``start`` to ``end`` inclusive."""

    start: date
    end: date | None
    daily_mcg: Fraction
    rule_ids: tuple[str, ...]

    @property
    def daily_dose(self) -> pint.Quantity[Fraction]:
        """The step's daily dose as a pint Quantity (mcg/day)."""
        return units.quantity(self.daily_mcg, units.IT_DAILY_DOSE)


@attrs.frozen
class IntrathecalTaper:
    """A supervised intrathecal taper: each step takes off at most ``step`` of the daily dose,
    every ``interval_days`` or more, and the last step is the first post-implant dose."""

    SCHEMA: ClassVar[str] = "baclofen-dose/intrathecal-taper/1"

    current_daily_mcg: Fraction
    floor_daily_mcg: Fraction
    step: Fraction
    interval_days: int
    steps: tuple[TaperStep, ...]
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
    provenance: Provenance = attrs.field(validator=of_type(Provenance))
    overrides: tuple[Override, ...] = attrs.field(default=(), validator=tuple_of(Override))

    @property
    def route(self) -> Route:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def schema(self) -> str:
        """The schema id of this result's JSON."""
        return self.SCHEMA


@renamed(current="daily_dose")
def plan_intrathecal_taper(
    *,
    daily_dose: IntrathecalDailyInput,
    first_dose: IntrathecalDailyInput,
    start: DateInput,
    step: QuantityInput | None = None,
    interval: QuantityInput | None = None,
    overrides: OverridesInput | None = None,
    rules: RuleSet | None = None,
) -> IntrathecalTaper:
    """A supervised taper from today's daily dose down to the first post-implant daily dose.

    Rules ``it.taper.*``: each step takes off at most ``it.taper.step.max`` (20%) of the dose
    it starts from, no more often than every ``it.taper.interval.min`` (2 days); steps are
    whole mcg/day rounded up (``it.taper.grid``), so no step takes off more than allowed. The
    plan never reaches zero: it ends at ``first_dose`` and stays there. The 20% and 2 days
    come from a secondary, non-US source (clinical.md 7.2), so they are soft limits: a larger
    step or a shorter interval needs an override naming the rule, with a reason
    (``OverrideRequired`` otherwise). Errors: ``E_NOTHING_TO_TAPER``, ``E_OUT_OF_RANGE`` for a
    step of 100% or more, ``HardLimitError`` for a plan longer than ``schedule.horizon``,
    ``AbruptStopError`` for a first dose of zero.

    ``daily_dose`` is today's daily dose (``current=`` is its old spelling: deprecated).

    >>> taper = plan_intrathecal_taper(daily_dose="600 mcg/day", first_dose="200 mcg/day",
    ...                                start="2026-01-05")
    >>> [str(s.daily_mcg) for s in taper.steps]
    ['600', '480', '384', '308', '247', '200']
    """
    ctx = Context.open(rules, overrides)
    first_day = parse_date(start, "start")
    daily, _ = read_daily_dose(ctx, daily_dose, "daily_dose", name="current")
    floor, _ = read_daily_dose(ctx, first_dose, "first_dose")
    if floor >= daily:
        raise InputError(
            "first_dose",
            first_dose,
            "less than today's dose, {current}",
            problem="leaves nothing to taper",
            code="E_NOTHING_TO_TAPER",
            params={"current": Amount(daily, units.IT_DAILY_DOSE)},
        )
    largest = ctx.rule("it.taper.step.max")
    if step is None:
        fraction = largest.require_value()
    else:
        fraction = exact(units.parse(step, units.PERCENT, "step"), units.PERCENT, "step", step)
        if fraction >= 1:
            raise InputError(
                "step",
                step,
                "a cut of less than 100% of the dose (the taper never stops the infusion)",
                problem="would stop the infusion",
                code="E_OUT_OF_RANGE",
            )
    ctx.check.soft_max(largest, fraction, units.PERCENT, "a taper step of")
    shortest = ctx.rule("it.taper.interval.min")
    if interval is None:
        days = shortest.require_value()
    else:
        days = units.parse(interval, units.DAYS, "interval")
        if days.denominator != 1:
            raise InputError("interval", interval, "a whole number of days", code="E_SCHEDULE")
    ctx.check.soft_min(shortest, days, units.DAYS, "the interval between taper steps")
    gap = int(days)
    grid = ctx.value("it.taper.grid")
    horizon = ctx.rule("schedule.horizon")
    doses = [daily]
    while doses[-1] > floor:
        cut = doses[-1] * (1 - fraction)
        lower = round_to_grid(cut, grid, RoundMode.UP)
        if lower >= doses[-1]:
            lower = cut  # too small a dose for the grid: keep the exact step
        doses.append(max(lower, floor))
        ctx.check.hard_max(
            horizon,
            Fraction(gap * (len(doses) - 1)),
            units.DAYS,
            "the last taper step's start, counted from the first day",
        )
    steps: list[TaperStep] = []
    for index, amount in enumerate(doses):
        begin = add_days(first_day, gap * index, "start")
        last = index == len(doses) - 1
        ids: tuple[str, ...] = STEP_RULES
        if index == 0:
            ids = ()
        elif last:
            ids += ("it.taper.supervision",)
        end = None if last else add_days(begin, gap - 1, "start")
        steps.append(TaperStep(begin, end, amount, ids))
    ctx.inputs += [
        ("start", first_day),
        ("step", Amount(fraction, units.PERCENT)),
        ("interval", Amount(Fraction(gap), units.DAYS)),
    ]
    ctx.advise("it.taper.supervision")
    ctx.advise("it.withdrawal.abrupt")
    ctx.findings += ctx.check.finish()
    return IntrathecalTaper(
        current_daily_mcg=daily,
        floor_daily_mcg=floor,
        step=fraction,
        interval_days=gap,
        steps=tuple(steps),
        findings=tuple(ctx.findings),
        provenance=ctx.record(),
        overrides=tuple(ctx.check.overrides.values()),
    )
