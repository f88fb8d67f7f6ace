"""Intrathecal baclofen: screening, first daily dose, titration bounds, pump refill and taper.

Intrathecal amounts are micrograms: doses in mcg, daily doses in mcg/day (a per-hour rate is
accepted and summed over 24 hours before any limit is checked), concentrations in mcg/mL.
They have their own kinds of quantity (``units.IT_DOSE``, ``units.IT_DAILY_DOSE``,
``units.IT_CONCENTRATION``), so an oral amount in mg can never reach this arithmetic and no
conversion between the routes exists (:func:`convert_route` refuses, with the reason).

Every figure comes from the rule data (rules ``it.*``): the screening doses and strength, the
catalogue of strengths and reservoir sizes, the titration percentages by origin, the usual
maintenance ranges, the hard daily ceiling, the pump's flow tolerance, the refill margin (a
named policy, ``it_refill_margin``) and the taper step. The planners are pure functions: inputs
and a rule set in, an immutable result with findings and provenance out.

>>> refill = plan_refill(reservoir="40 mL", concentration="2000 mcg/mL",
...                      daily_dose="400 mcg/day", alarm_volume="2 mL", start="2026-01-05")
>>> refill.daily_volume_ml, refill.nominal_days, refill.refill_by
(Fraction(1, 5), Fraction(190, 1), datetime.date(2026, 6, 9))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, NoReturn

import attrs

from baclofen_dose.core import display, numeric, units
from baclofen_dose.core.errors import (
    AbruptStopError,
    BaclofenDoseError,
    ConfirmationRequired,
    HardLimitError,
    ImplausibleValueError,
    InputError,
    InputTypeError,
    RuleSetError,
)
from baclofen_dose.core.limits import (
    Finding,
    LimitCheck,
    Override,
    advice,
    legacy_finding,
    parse_date,
    parse_overrides,
)
from baclofen_dose.core.rules import Rule, RuleSet, default_rules
from baclofen_dose.oral.regimen import Provenance

if TYPE_CHECKING:
    import pint

__all__ = [
    "MARGIN_POLICY",
    "ORIGINS",
    "FlexProgram",
    "FlexStep",
    "IntrathecalStart",
    "IntrathecalTaper",
    "IntrathecalTitration",
    "PumpRefill",
    "ResidualCheck",
    "ScreeningBolus",
    "ScreeningPlan",
    "TaperStep",
    "convert_route",
    "oral_weaning_advice",
    "plan_initial_dose",
    "plan_intrathecal_taper",
    "plan_refill",
    "plan_screening",
    "titration_bounds",
]

ORIGINS = ("spinal", "cerebral")
MARGIN_POLICY = "it_refill_margin"
ROUTE = "intrathecal"


def _hours_per_day() -> Fraction:
    """How many hours in a day, from the unit registry (not a clinical figure)."""
    return units.parse_unit("day", units.HOURS, "hours per day")


def _hourly(daily_mcg: Fraction) -> Fraction:
    return daily_mcg / _hours_per_day()


# ---------------------------------------------------------------------------------------------
# Result types (immutable). Exact Fractions in the unit named by the suffix; the properties
# without the suffix give pint Quantities from the library's registry.


@attrs.frozen
class ScreeningBolus:
    """One screening bolus: its dose, the volume of the screening strength that holds it, and
    the least time since the bolus before it (``None`` for the first)."""

    number: int
    dose_mcg: Fraction
    volume_ml: Fraction
    hours_after_previous: Fraction | None
    rule_ids: tuple[str, ...]

    @property
    def dose(self) -> pint.Quantity[Fraction]:
        """The bolus as a pint Quantity (mcg)."""
        return units.quantity(self.dose_mcg, units.IT_DOSE)

    @property
    def volume(self) -> pint.Quantity[Fraction]:
        """The volume to inject as a pint Quantity (mL)."""
        return units.quantity(self.volume_ml, units.VOLUME)


@attrs.frozen
class ScreeningPlan:
    """The screening sequence: boluses in order at the screening strength, and how to observe."""

    concentration_mcg_per_ml: Fraction
    child: bool
    boluses: tuple[ScreeningBolus, ...]
    observe_from_hours: Fraction
    observe_to_hours: Fraction
    findings: tuple[Finding, ...]
    provenance: Provenance

    @property
    def route(self) -> str:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def largest_dose_mcg(self) -> Fraction:
        """The last (largest) bolus: no response to it means not a candidate."""
        return self.boluses[-1].dose_mcg


@attrs.frozen
class IntrathecalStart:
    """The first daily dose after implant, from the effective screening bolus.

    ``percent_of_screening`` is a plain ratio (2 for 200%).
    """

    screening_dose_mcg: Fraction
    effect_hours: Fraction
    screening_side_effects: bool
    percent_of_screening: Fraction
    basis_rule: str
    daily_mcg: Fraction
    no_increase_hours: Fraction
    findings: tuple[Finding, ...]
    provenance: Provenance

    @property
    def route(self) -> str:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def hourly_mcg(self) -> Fraction:
        """The same dose per hour (the daily dose divided by 24; exact, may not terminate)."""
        return _hourly(self.daily_mcg)

    @property
    def daily_dose(self) -> pint.Quantity[Fraction]:
        """The first daily dose as a pint Quantity (mcg/day)."""
        return units.quantity(self.daily_mcg, units.IT_DAILY_DOSE)


@attrs.frozen
class IntrathecalTitration:
    """The changes allowed from today's daily dose, and the check of a proposed dose if given.

    Percentages are plain ratios (0.3 for 30%). ``increase_to_mcg`` is the largest daily dose
    the next increase may reach: ``current * (1 + increase_max)``, or the hard daily ceiling
    when that is lower (``capped_by_ceiling``, with a finding saying so).
    """

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
    findings: tuple[Finding, ...]
    overrides: tuple[Override, ...]
    provenance: Provenance

    @property
    def route(self) -> str:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def can_increase(self) -> bool:
        """False when today's dose is already at the hard daily ceiling."""
        return self.increase_to_mcg > self.current_daily_mcg


@attrs.frozen
class ResidualCheck:
    """At a refill: the residual volume expected since the previous fill against the measured.

    ``lowest_ml`` and ``highest_ml`` bound what the pump's flow tolerance explains; outside
    them the refill carries a warning finding. ``assumed`` names the previous-fill values that
    were not given and were taken to equal this refill's.
    """

    previous_fill: date
    days_elapsed: int
    previous_fill_ml: Fraction
    previous_concentration_mcg_per_ml: Fraction
    previous_daily_mcg: Fraction
    assumed: tuple[str, ...]
    expected_ml: Fraction
    lowest_ml: Fraction
    highest_ml: Fraction
    measured_ml: Fraction

    @property
    def discrepancy_ml(self) -> Fraction:
        """Measured minus expected (negative: less was left than expected)."""
        return self.measured_ml - self.expected_ml

    @property
    def within_tolerance(self) -> bool:
        """True when the flow tolerance explains the measured residual."""
        return self.lowest_ml <= self.measured_ml <= self.highest_ml


@attrs.frozen
class PumpRefill:
    """Pump refill arithmetic: daily volume, days to the low-reservoir alarm, refill-by date.

    All days and dates are estimates (the alarm is computed from the programmed rate). The
    worst case assumes the pump runs faster than programmed by the flow tolerance; the refill-by
    date is the worst-case alarm date minus the margin, so it is never after it.
    """

    reservoir_ml: Fraction
    fill_ml: Fraction
    fill_given: bool
    concentration_mcg_per_ml: Fraction
    diluted: bool
    daily_mcg: Fraction
    per_hour_input: bool
    alarm_ml: Fraction
    flow_tolerance: Fraction
    margin_policy: str
    margin_days: int
    daily_volume_ml: Fraction
    nominal_days: Fraction
    worst_days: Fraction
    worst_empty_days: Fraction
    start: date | None
    nominal_alarm_date: date | None
    worst_alarm_date: date | None
    refill_by: date | None
    worst_empty_date: date | None
    residual: ResidualCheck | None
    findings: tuple[Finding, ...]
    provenance: Provenance

    @property
    def route(self) -> str:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def worst_days_whole(self) -> int:
        """The worst-case days to the alarm, rounded down (the refill-by date counts from it)."""
        return _floor(self.worst_days)

    @property
    def hourly_mcg(self) -> Fraction:
        """The programmed rate per hour (exact; may not terminate)."""
        return _hourly(self.daily_mcg)


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

    current_daily_mcg: Fraction
    floor_daily_mcg: Fraction
    step: Fraction
    interval_days: int
    steps: tuple[TaperStep, ...]
    findings: tuple[Finding, ...]
    provenance: Provenance

    @property
    def route(self) -> str:
        """Always ``"intrathecal"``."""
        return ROUTE


@attrs.frozen
class FlexStep:
    """One step of a flex program: a rate (kept in mcg/day) for a number of hours."""

    hours: Fraction
    rate_mcg_per_day: Fraction
    per_hour: bool

    @property
    def amount_mcg(self) -> Fraction:
        """What this step delivers."""
        return self.rate_mcg_per_day * self.hours / _hours_per_day()


@attrs.frozen
class FlexProgram:
    """A flex (step) program: rates that cover exactly 24 hours; its daily total is their sum.

    The daily limits apply to the total, so a step entered per hour that was meant per day is
    caught (safety.md SAF-16).

    >>> FlexProgram.from_steps([("12 hours", "10 mcg/hour"), ("12 hours", "20 mcg/hour")]).daily_mcg
    Fraction(360, 1)
    """

    steps: tuple[FlexStep, ...]

    @classmethod
    def from_steps(cls, steps: Sequence[tuple[object, object]]) -> FlexProgram:
        """A program from ``(duration, rate)`` pairs, such as ``("8 hours", "15 mcg/hour")``."""
        if isinstance(steps, str | bytes) or not isinstance(steps, Sequence) or not steps:
            raise InputTypeError("flex", steps, "a non-empty list of (duration, rate) pairs")
        parsed: list[FlexStep] = []
        for index, pair in enumerate(steps):
            where = f"flex[{index}]"
            if not isinstance(pair, tuple) or len(pair) != len(("duration", "rate")):
                raise InputTypeError(where, pair, "a (duration, rate) pair")
            duration, rate = pair
            hours = units.parse(duration, units.HOURS, f"{where}.duration")
            per_day = units.parse(rate, units.IT_DAILY_DOSE, f"{where}.rate", allow_zero=True)
            parsed.append(FlexStep(hours, per_day, _is_per_hour(rate)))
        total = sum((s.hours for s in parsed), Fraction(0))
        if total != _hours_per_day():
            raise InputError(
                "flex",
                display.amount(total, units.HOURS),
                f"steps covering exactly {display.amount(_hours_per_day(), units.HOURS)}",
                problem="does not cover one day",
                code="E_FLEX_NOT_ONE_DAY",
            )
        return cls(tuple(parsed))

    @property
    def daily_mcg(self) -> Fraction:
        """The total over 24 hours (mcg/day): what the daily limits are checked against."""
        return sum((s.amount_mcg for s in self.steps), Fraction(0))

    @property
    def per_hour(self) -> bool:
        """True when any step was entered as a per-hour rate."""
        return any(s.per_hour for s in self.steps)

    def describe(self) -> str:
        """The steps in words: ``'12 hours at 10 mcg/hour and 12 hours at 20 mcg/hour'``."""
        parts = []
        for s in self.steps:
            rate = (
                display.approx(s.rate_mcg_per_day / _hours_per_day(), units.IT_HOURLY_RATE)
                if s.per_hour
                else display.approx(s.rate_mcg_per_day, units.IT_DAILY_DOSE)
            )
            parts.append(f"{display.approx(s.hours, units.HOURS)} at {rate}")
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


# ---------------------------------------------------------------------------------------------
# Shared checks


def _shift(first: date, days: int, field: str) -> date:
    """``first`` plus ``days``, or a clean error when the calendar runs out (year 9999)."""
    try:
        return first + timedelta(days=days)
    except OverflowError:
        raise InputError(
            field,
            first.isoformat(),
            "a date that leaves room for the whole schedule in the calendar",
            problem="is too late: the schedule would run past the year 9999",
            code="E_SCHEDULE",
        ) from None


def _floor(value: Fraction) -> int:
    return value.numerator // value.denominator


def _ceil_to(value: Fraction, grid: Fraction) -> Fraction:
    count = value / grid
    return grid * -(-count.numerator // count.denominator)


def _is_per_hour(raw: object) -> bool:
    """True when an intrathecal rate was written per hour (strings and Quantities alike)."""
    try:
        units.parse(raw, units.IT_HOURLY_RATE, "rate", allow_zero=True)
    except BaclofenDoseError:
        return False
    return True


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InputTypeError(field, value, "True or False")
    return value


def _exact(value: Fraction, kind: units.Kind, field: str, raw: object) -> Fraction:
    if not numeric.check_exactness_with_decimal(value):
        raise InputError(
            field,
            raw,
            f"{kind.expected}, with a value that can be written exactly as a decimal",
            problem="cannot be written exactly as a decimal",
            code="E_NOT_EXACT",
        )
    return value


class _Context:
    """What one planner call accumulates: the rules read, the limit check, the findings."""

    def __init__(self, rules: RuleSet | None, overrides: Mapping[str, str] | None = None):
        rules = default_rules() if rules is None else rules
        if not isinstance(rules, RuleSet):
            raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
        self.rules = rules
        self.check = LimitCheck(rules, parse_overrides(overrides, rules))
        self.used: list[str] = []
        self.findings: list[Finding] = []
        self.inputs: list[tuple[str, str]] = []

    def rule(self, rule_id: str) -> Rule:
        found = self.rules[rule_id]
        self.used.append(found.id)
        return found

    def value(self, rule_id: str) -> Fraction:
        return self.rule(rule_id).require_value()

    def advise(self, rule_id: str) -> None:
        self.findings.append(advice(self.rule(rule_id)))

    def note(self, rule_id: str, severity: str, message: str) -> None:
        rule = self.rule(rule_id)
        self.findings.append(legacy_finding(rule.id, severity, message, rule.citation))

    def catalogue(self, quantity: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == "catalogue" and r.quantity == quantity]

    def provenance(self) -> Provenance:
        return Provenance.of(self.rules, self.used, self.inputs)


# How each daily-dose field is named for people.
_LABELS = {
    "current": "current daily dose",
    "proposed": "proposed daily dose",
    "daily_dose": "daily dose",
    "first_dose": "first post-implant daily dose",
    "previous_daily_dose": "previous daily dose",
}


def _daily(ctx: _Context, raw: object, field: str) -> tuple[Fraction, bool]:
    """A daily dose (mcg/day, or mcg/hour summed over 24 hours, or a flex program), checked.

    Zero is refused as an abrupt stop; the hard ceiling and the limited-experience threshold
    apply to the daily total whatever the time base it was entered in.
    """
    if isinstance(raw, FlexProgram):
        daily, per_hour = raw.daily_mcg, raw.per_hour
        shown = "the flex program's 24-hour total"
    else:
        daily = units.parse(raw, units.IT_DAILY_DOSE, field, allow_zero=True)
        per_hour = _is_per_hour(raw)
        shown = ""
    _exact(daily, units.IT_DAILY_DOSE, field, raw)
    if daily == 0:
        ctx.rule("it.withdrawal.abrupt")
        raise AbruptStopError(
            "it.withdrawal.abrupt",
            field,
            display.amount(daily, units.IT_DAILY_DOSE),
            why="abrupt discontinuation has caused high fever, rebound rigidity, "
            "rhabdomyolysis and death (boxed warning)",
        )
    label = _LABELS.get(field, field.replace("_", " "))
    what = label
    if per_hour and not isinstance(raw, FlexProgram):
        hourly = units.parse(raw, units.IT_HOURLY_RATE, field)
        shown = (
            f"{display.amount(hourly, units.IT_HOURLY_RATE)} times "
            f"{display.amount(_hours_per_day(), units.HOURS)}"
        )
    if shown:
        what += f" ({shown})"
    ctx.check.hard_max(ctx.rule("it.daily_dose.ceiling"), daily, units.IT_DAILY_DOSE, what)
    if per_hour:
        ctx.note(
            "it.time_base.per_hour",
            "warning",
            f"The {label} was entered per hour: {shown} is "
            f"{display.amount(daily, units.IT_DAILY_DOSE)}, and every daily limit was checked "
            "on that daily total. " + (ctx.rules["it.time_base.per_hour"].text or ""),
        )
    entered = display.amount(daily, units.IT_DAILY_DOSE)
    if isinstance(raw, FlexProgram):
        entered += f" (flex program: {raw.describe()})"
    ctx.inputs.append((field, entered))
    threshold = ctx.rule("it.daily_dose.limited_experience")
    if daily > threshold.require_value():
        ctx.note(
            threshold.id,
            "warning",
            f"The {label} {display.amount(daily, units.IT_DAILY_DOSE)} is above "
            f"{display.amount(threshold.require_value(), units.IT_DAILY_DOSE)}: experience with "
            "intrathecal daily doses above this is limited.",
        )
    return daily, per_hour


def _concentration(
    ctx: _Context,
    raw: object,
    field: str,
    *,
    screening: bool,
    diluted: bool = False,
    previous: bool = False,
) -> Fraction:
    """A concentration checked against the plausible band and the catalogue (SAF-17).

    A ``previous`` fill's concentration may be any dilution (it is history, not a choice).
    """
    kind = units.IT_CONCENTRATION
    value = _exact(units.parse(raw, kind, field), kind, field, raw)
    lowest = ctx.rule("it.concentration.lowest")
    highest = ctx.rule("it.concentration.highest")
    band = (
        f"a concentration from {display.amount(lowest.require_value(), units.IT_CONCENTRATION)} "
        f"to {display.amount(highest.require_value(), units.IT_CONCENTRATION)} "
        f"(rules {lowest.id} and {highest.id})"
    )
    if value < lowest.require_value():
        raise ImplausibleValueError(
            field,
            raw,
            band,
            problem="is below the lowest marketed strength (was a mg/mL figure given as mcg/mL?)",
        )
    if value > highest.require_value():
        raise ImplausibleValueError(
            field,
            raw,
            band,
            problem="is above the highest marketed strength (unapproved concentrations cause "
            "dosing errors)",
        )
    strength = ctx.rule("it.concentration.screening")
    screening_value = strength.require_value()
    shown = display.amount(value, units.IT_CONCENTRATION)
    if screening:
        if value != screening_value:
            raise HardLimitError(
                strength.id,
                shown,
                display.amount(screening_value, units.IT_CONCENTRATION),
                what="the screening concentration",
                problem=f"is not the screening strength "
                f"{display.amount(screening_value, units.IT_CONCENTRATION)}, the only one "
                "allowed for screening",
            )
        return value
    if value == screening_value:
        raise HardLimitError(
            strength.id,
            shown,
            shown,
            what="the pump concentration",
            problem="is the screening-only strength, never used to fill a pump",
        )
    pump = [r for r in ctx.catalogue("it.concentration") if r.id != strength.id]
    if not pump:
        raise RuleSetError("it.concentration", "no pump strengths in the catalogue")
    ctx.used.extend(r.id for r in pump)
    if previous:
        return value
    if diluted:
        ctx.advise("it.concentration.diluted")
    elif value not in {r.require_value() for r in pump}:
        strengths = [r.require_value() for r in pump]
        raise InputError(
            field,
            raw,
            "a marketed strength ("
            + display.dose_list(sorted(strengths), units.IT_CONCENTRATION).replace(" and ", " or ")
            + "), or a documented dilution flagged as diluted",
            problem="is not a marketed strength",
            code="E_NOT_IN_CATALOGUE",
        )
    return value


def _volume(raw: object, field: str, *, allow_zero: bool = False) -> Fraction:
    return _exact(
        units.parse(raw, units.VOLUME, field, allow_zero=allow_zero), units.VOLUME, field, raw
    )


def _origin(value: object) -> str:
    if not isinstance(value, str) or value not in ORIGINS:
        raise InputError(
            "origin",
            value,
            "spinal or cerebral (the origin of the spasticity; there is no default)",
            code="E_ORIGIN",
        )
    return value


# ---------------------------------------------------------------------------------------------
# Planners


def plan_screening(
    *, concentration: object = None, child: bool = False, rules: RuleSet | None = None
) -> ScreeningPlan:
    """The screening sequence: 50 mcg, then 75 mcg, then 100 mcg, each 24 hours or more apart.

    Rules ``it.screening.*`` and ``it.concentration.screening``. Only the screening strength
    may be used: any other ``concentration`` is a hard refusal. When it is not given, the
    screening strength is used (it is the only one allowed) and the plan says so. A small
    ``child`` starts at 25 mcg (``it.screening.dose.child_first``), then follows the sequence.

    >>> [str(b.dose_mcg) for b in plan_screening().boluses]
    ['50', '75', '100']
    >>> plan_screening(concentration="2000 mcg/mL")
    Traceback (most recent call last):
    ...
    baclofen_dose.HardLimitError: the screening concentration: 2,000 mcg/mL is not ...
    """
    ctx = _Context(rules)
    small = _flag(child, "child")
    if concentration is None:
        strength = ctx.value("it.concentration.screening")
        stated = display.amount(strength, units.IT_CONCENTRATION) + " (the screening strength)"
    else:
        strength = _concentration(ctx, concentration, "concentration", screening=True)
        stated = display.amount(strength, units.IT_CONCENTRATION)
    ctx.inputs += [("concentration", stated), ("child", "yes" if small else "no")]
    ids = ["it.screening.dose.first", "it.screening.dose.second", "it.screening.dose.third"]
    if small:
        ids.insert(0, "it.screening.dose.child_first")
    largest = ctx.rule("it.screening.dose.max")
    gap = ctx.value("it.screening.interval.min")
    boluses: list[ScreeningBolus] = []
    previous = Fraction(0)
    for number, rule_id in enumerate(ids, 1):
        dose = ctx.value(rule_id)
        if dose <= previous:
            raise RuleSetError(rule_id, "screening doses must rise from one bolus to the next")
        ctx.check.hard_max(largest, dose, units.IT_DOSE, "a screening bolus of")
        after = None if number == 1 else gap
        ids_used: tuple[str, ...] = (rule_id, "it.concentration.screening")
        if after is not None:
            ids_used += ("it.screening.interval.min",)
        boluses.append(ScreeningBolus(number, dose, dose / strength, after, ids_used))
        previous = dose
    observe_from = ctx.value("it.screening.observe.from")
    observe_to = ctx.value("it.screening.observe.to")
    for rule_id in ("it.screening.setting", "it.screening.injection", "it.screening.non_responder"):
        ctx.advise(rule_id)
    ctx.findings += ctx.check.finish()
    return ScreeningPlan(
        concentration_mcg_per_ml=strength,
        child=small,
        boluses=tuple(boluses),
        observe_from_hours=observe_from,
        observe_to_hours=observe_to,
        findings=tuple(ctx.findings),
        provenance=ctx.provenance(),
    )


def oral_weaning_advice(rules: RuleSet | None = None) -> tuple[Finding, ...]:
    """How oral baclofen is weaned once intrathecal therapy starts (advice with its source).

    Rules ``it.oral_wean.*`` and ``it.route.no_conversion``: oral baclofen first, one drug at a
    time, cut by 25% to 50% at a time; never a dose conversion between the routes.
    """
    ctx = _Context(rules)
    low = ctx.value("it.oral_wean.cut.usual_min")
    high = ctx.value("it.oral_wean.cut.max")
    method = ctx.rule("it.oral_wean.method")
    ctx.note(
        method.id,
        "info",
        "Moving from oral baclofen: after intrathecal therapy starts, oral baclofen may be cut by "
        f"{display.amount(low, units.PERCENT)} to {display.amount(high, units.PERCENT)} at one "
        f"time. {method.text or ''}",
    )
    ctx.advise("it.route.no_conversion")
    return tuple(ctx.findings)


def plan_initial_dose(
    *,
    screening_dose: object,
    effect_duration: object,
    screening_side_effects: bool = False,
    rules: RuleSet | None = None,
) -> IntrathecalStart:
    """The first daily dose after implant: twice the effective screening bolus over 24 hours.

    Rules ``it.initial.*``: the daily dose is ``it.initial.percent_of_screening`` (200%) of the
    effective screening bolus; the bolus itself (100%) when its effect lasted more than
    ``it.initial.long_effect_after`` (8 hours) or the screening caused side effects. No increase
    in the first ``it.initial.no_increase`` (24 hours).

    >>> plan_initial_dose(screening_dose="100 mcg", effect_duration="6 hours").daily_mcg
    Fraction(200, 1)
    >>> plan_initial_dose(screening_dose="100 mcg", effect_duration="10 hours").daily_mcg
    Fraction(100, 1)
    """
    ctx = _Context(rules)
    dose = _exact(
        units.parse(screening_dose, units.IT_DOSE, "screening_dose"),
        units.IT_DOSE,
        "screening_dose",
        screening_dose,
    )
    ctx.check.hard_max(
        ctx.rule("it.screening.dose.max"), dose, units.IT_DOSE, "the effective screening bolus"
    )
    protocol = [
        ctx.rule(rule_id)
        for rule_id in (
            "it.screening.dose.child_first",
            "it.screening.dose.first",
            "it.screening.dose.second",
            "it.screening.dose.third",
        )
    ]
    if dose not in {r.require_value() for r in protocol}:
        raise InputError(
            "screening_dose",
            screening_dose,
            "one of the screening doses "
            + display.dose_list(sorted(r.require_value() for r in protocol), units.IT_DOSE).replace(
                " and ", " or "
            ),
            problem="is not a dose of the screening sequence",
            code="E_NOT_IN_PROTOCOL",
        )
    effect = units.parse(effect_duration, units.HOURS, "effect_duration")
    side_effects = _flag(screening_side_effects, "screening_side_effects")
    threshold = ctx.value("it.initial.long_effect_after")
    if side_effects:
        basis = "it.initial.screening_side_effects.percent_of_screening"
    elif effect > threshold:
        basis = "it.initial.long_effect.percent_of_screening"
    else:
        basis = "it.initial.percent_of_screening"
    percent = ctx.value(basis)
    daily = dose * percent
    ctx.check.hard_max(ctx.rule("it.daily_dose.ceiling"), daily, units.IT_DAILY_DOSE, "daily dose")
    no_increase = ctx.value("it.initial.no_increase")
    ctx.inputs += [
        ("screening_dose", display.amount(dose, units.IT_DOSE)),
        ("effect_duration", display.approx(effect, units.HOURS)),
        ("screening_side_effects", "yes" if side_effects else "no"),
    ]
    ctx.advise("it.withdrawal.abrupt")
    ctx.advise("it.titrate.assess")
    ctx.findings += ctx.check.finish()
    weaning = oral_weaning_advice(ctx.rules)
    ctx.findings += weaning
    ctx.used += [f.rule_id for f in weaning]
    ctx.used += ["it.oral_wean.cut.usual_min", "it.oral_wean.cut.max"]
    return IntrathecalStart(
        screening_dose_mcg=dose,
        effect_hours=effect,
        screening_side_effects=side_effects,
        percent_of_screening=percent,
        basis_rule=basis,
        daily_mcg=daily,
        no_increase_hours=no_increase,
        findings=tuple(ctx.findings),
        provenance=ctx.provenance(),
    )


def titration_bounds(
    *,
    current: object,
    origin: str,
    child: bool = False,
    at_refill: bool = False,
    proposed: object = None,
    overrides: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
) -> IntrathecalTitration:
    """The changes allowed from today's daily dose (after the first 24 hours), by origin.

    Rules ``it.titrate.*`` (increases of 10% to 30% for spinal origin, 5% to 15% for cerebral
    origin and children, no more than once every 24 hours), ``it.refill_change.*`` at a refill
    visit (up to 40% and 20%), decreases of 10% to 20% for side effects, the usual maintenance
    ranges (``it.maintenance.*``) and the hard ceiling ``it.daily_dose.ceiling``.

    With ``proposed``, that daily dose is checked: an increase above the origin's percentage or
    the ceiling is refused; a decrease of more than 20%, or an increase past the usual range,
    needs an override naming the rule, with a reason; zero is always refused.

    >>> titration_bounds(current="300 mcg/day", origin="spinal").increase_to_mcg
    Fraction(390, 1)
    >>> titration_bounds(current="300 mcg/day", origin="cerebral").increase_to_mcg
    Fraction(345, 1)
    """
    ctx = _Context(rules, overrides)
    side = _origin(origin)
    small = _flag(child, "child")
    refill_visit = _flag(at_refill, "at_refill")
    daily, _ = _daily(ctx, current, "current")
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
            f"{display.amount(increase_max, units.PERCENT)} more would be "
            f"{display.amount(daily * (1 + increase_max), units.IT_DAILY_DOSE)}, above the hard "
            f"ceiling {display.amount(ceiling.require_value(), units.IT_DAILY_DOSE)}: the largest "
            "increase shown stops at the ceiling.",
        )
    bottom_up = min(daily * (1 + usual_min), top)
    decrease_min = ctx.value("it.titrate.decrease.usual_min")
    decrease_rule = ctx.rule("it.titrate.decrease.max")
    decrease_max = decrease_rule.require_value()
    high_id = "it.maintenance.cerebral.usual_high" if small else f"it.maintenance.{side}.usual_high"
    low_id = "it.maintenance.cerebral.usual_low" if small else f"it.maintenance.{side}.usual_low"
    high = ctx.rule(high_id)
    low = ctx.value(low_id)
    who = "children (cerebral-origin rules)" if small else f"{side} origin"
    usual = (
        f"the usual maintenance range for {who}, "
        f"{display.amount(low, units.IT_DAILY_DOSE)} to "
        f"{display.amount(high.require_value(), units.IT_DAILY_DOSE)}"
    )
    if daily > high.require_value():
        ctx.note(high.id, "info", f"Today's dose is above {usual}.")
    elif daily < low:
        ctx.note(low_id, "info", f"Today's dose is below {usual} (usual while titration goes on).")
    if small:
        average = ctx.value("it.maintenance.child.average")
        seen_low = ctx.value("it.maintenance.child.observed_low")
        seen_high = ctx.value("it.maintenance.child.observed_high")
        ctx.note(
            "it.maintenance.child.average",
            "info",
            "In children under 12 years the average maintenance dose was "
            f"{display.amount(average, units.IT_DAILY_DOSE)} (range "
            f"{display.amount(seen_low, units.IT_DAILY_DOSE)} to "
            f"{display.amount(seen_high, units.IT_DAILY_DOSE)}); from 12 years the adult "
            "ranges apply.",
        )
    limited = ctx.rule("it.daily_dose.limited_experience")
    proposed_daily: Fraction | None = None
    if proposed is None:
        if top > high.require_value() >= daily:
            ctx.note(
                high.id,
                "info",
                "An increase to more than "
                f"{display.amount(high.require_value(), units.IT_DAILY_DOSE)} goes past "
                f"{usual}: it needs an override of rule {high.id} with a reason.",
            )
        if top > limited.require_value() >= daily:
            ctx.note(
                limited.id,
                "info",
                "Above "
                f"{display.amount(limited.require_value(), units.IT_DAILY_DOSE)} experience with "
                "intrathecal daily doses is limited.",
            )
    else:
        proposed_daily, _ = _daily(ctx, proposed, "proposed")
        change = proposed_daily - daily
        moving = (
            f"the change from {display.amount(daily, units.IT_DAILY_DOSE)} to "
            f"{display.amount(proposed_daily, units.IT_DAILY_DOSE)},"
        )
        if change > 0:
            ctx.check.hard_max(
                increase_rule,
                change,
                units.IT_DAILY_DOSE,
                f"{moving} an increase of",
                limit=daily * increase_max,
            )
            ctx.check.soft_max(high, proposed_daily, units.IT_DAILY_DOSE, "the proposed daily dose")
            if change < daily * usual_min:
                ctx.note(
                    f"{prefix}.{group}.increase.usual_min",
                    "info",
                    f"The increase is smaller than the usual smallest step, "
                    f"{display.amount(usual_min, units.PERCENT)} of today's dose.",
                )
        elif change < 0:
            ctx.check.soft_max(
                decrease_rule,
                -change,
                units.IT_DAILY_DOSE,
                f"{moving} a decrease of",
                limit=daily * decrease_max,
            )
    ctx.inputs += [
        ("origin", side),
        ("child", "yes" if small else "no"),
        ("at_refill", "yes" if refill_visit else "no"),
    ]
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
        provenance=ctx.provenance(),
    )


def _margin(ctx: _Context, policy: str | None) -> tuple[str, Rule]:
    chosen = ctx.rules.policy_default(MARGIN_POLICY) if policy is None else policy
    if chosen not in ctx.rules.policy_choices(MARGIN_POLICY):
        raise InputError(
            "margin_policy",
            chosen,
            "one of " + ", ".join(ctx.rules.policy_choices(MARGIN_POLICY)),
            code="E_POLICY",
        )
    found = [r for r in ctx.rules if r.policy == chosen and r.quantity == "it.days"]
    if len(found) != 1 or found[0].require_value().denominator != 1:
        raise RuleSetError(
            f"policies.{MARGIN_POLICY}.{chosen}", "needs exactly one whole-day margin rule"
        )
    ctx.used.append(found[0].id)
    return chosen, found[0]


def _residual(
    ctx: _Context,
    *,
    start: date | None,
    residual: object,
    previous_fill: object,
    previous_fill_volume: object,
    previous_concentration: Fraction | None,
    previous_daily_dose: object,
    fill: Fraction,
    concentration: Fraction,
    daily: Fraction,
    tolerance: Fraction,
    alarm: Fraction,
) -> ResidualCheck | None:
    if residual is None and previous_fill is None:
        for name, value in (
            ("previous_fill_volume", previous_fill_volume),
            ("previous_daily_dose", previous_daily_dose),
        ):
            if value is not None:
                raise InputError(
                    name,
                    value,
                    "given only with residual and previous_fill",
                    code="E_MISSING_INPUT",
                )
        return None
    if residual is None or previous_fill is None or start is None:
        missing = "start"
        if residual is None or previous_fill is None:
            missing = "residual" if residual is None else "previous_fill"
        raise InputError(
            missing,
            None,
            "the measured residual volume, the previous fill date and this refill's date "
            "(start), all three, to check the residual",
            problem="is missing",
            code="E_MISSING_INPUT",
        )
    measured = _volume(residual, "residual", allow_zero=True)
    before = parse_date(previous_fill, "previous_fill")
    if before >= start:
        raise InputError(
            "previous_fill",
            previous_fill,
            f"a date before this refill ({display.day(start)})",
            problem="is not before this refill",
            code="E_INCONSISTENT",
        )
    assumed: list[str] = []
    if previous_fill_volume is None:
        before_fill = fill
        assumed.append("previous_fill_volume")
    else:
        before_fill = _volume(previous_fill_volume, "previous_fill_volume")
    if previous_concentration is None:
        before_concentration = concentration
        assumed.append("previous_concentration")
    else:
        before_concentration = previous_concentration
    if previous_daily_dose is None:
        before_daily = daily
        assumed.append("previous_daily_dose")
    else:
        before_daily, _ = _daily(ctx, previous_daily_dose, "previous_daily_dose")
    if measured > before_fill:
        raise InputError(
            "residual",
            residual,
            f"at most the previous fill volume, {display.amount(before_fill, units.VOLUME)}",
            problem="is more than was put in",
            code="E_INCONSISTENT",
        )
    elapsed = (start - before).days
    used = before_daily / before_concentration * elapsed
    check = ResidualCheck(
        previous_fill=before,
        days_elapsed=elapsed,
        previous_fill_ml=before_fill,
        previous_concentration_mcg_per_ml=before_concentration,
        previous_daily_mcg=before_daily,
        assumed=tuple(assumed),
        expected_ml=before_fill - used,
        lowest_ml=before_fill - used * (1 + tolerance),
        highest_ml=before_fill - used * (1 - tolerance),
        measured_ml=measured,
    )
    ctx.inputs += [
        ("residual", display.amount(measured, units.VOLUME)),
        ("previous_fill", before.isoformat()),
    ]
    if assumed:
        ctx.inputs.append(("assumed_equal_to_this_refill", " and ".join(assumed)))
    ctx.used.append("it.refill.residual_discrepancy")
    if check.expected_ml <= alarm:
        ctx.note(
            "it.refill.residual_discrepancy",
            "warning",
            f"At the programmed rate the reservoir should have reached the alarm volume "
            f"{display.amount(alarm, units.VOLUME)} before this refill "
            f"({display.approx(check.expected_ml, units.VOLUME)} expected left after "
            f"{display.day_count(elapsed)}): the refill was late or the interval was too long.",
        )
    if not check.within_tolerance:
        side = "less" if measured < check.lowest_ml else "more"
        ctx.note(
            "it.refill.residual_discrepancy",
            "warning",
            f"The measured residual {display.amount(measured, units.VOLUME)} is {side} than the "
            f"flow tolerance explains: expected {display.approx(check.expected_ml, units.VOLUME)}"
            f" (from {display.approx(check.lowest_ml, units.VOLUME)} to "
            f"{display.approx(check.highest_ml, units.VOLUME)}). "
            + (ctx.rules["it.refill.residual_discrepancy"].text or ""),
        )
    return check


def plan_refill(
    *,
    reservoir: object,
    concentration: object,
    daily_dose: object,
    alarm_volume: object,
    fill_volume: object = None,
    diluted: bool = False,
    start: date | str | None = None,
    residual: object = None,
    previous_fill: date | str | None = None,
    previous_fill_volume: object = None,
    previous_concentration: object = None,
    previous_daily_dose: object = None,
    confirm_concentration_change: bool = False,
    margin_policy: str | None = None,
    rules: RuleSet | None = None,
) -> PumpRefill:
    """Pump refill arithmetic (safety.md 2.2, SAF-24, SAF-25; rules ``it.pump.*``, ``it.refill.*``).

    - daily volume (mL/day) = daily dose (mcg/day) / concentration (mcg/mL);
    - nominal days to the alarm = (fill volume - alarm volume) / daily volume;
    - worst-case days = nominal days / (1 + flow tolerance), the tolerance from
      ``it.pump.flow_tolerance`` (14.5%);
    - refill-by date = start + whole worst-case days - margin (policy ``it_refill_margin``).

    ``reservoir`` is the pump's reservoir size (a catalogue size: 20 mL or 40 mL); the fill is
    the whole reservoir unless ``fill_volume`` says less. ``alarm_volume`` has no default.
    ``residual`` with ``previous_fill`` (and ``start``) checks the residual volume; previous-fill
    values not given are taken as this refill's and the result says so. A concentration
    different from ``previous_concentration`` needs ``confirm_concentration_change``.
    """
    ctx = _Context(rules)
    size = _volume(reservoir, "reservoir")
    sizes = ctx.catalogue("it.volume")
    ctx.used.extend(r.id for r in sizes)
    if size not in {r.require_value() for r in sizes}:
        raise InputError(
            "reservoir",
            reservoir,
            "a pump reservoir size: "
            + display.dose_list(sorted(r.require_value() for r in sizes), units.VOLUME).replace(
                " and ", " or "
            ),
            problem="is not a reservoir size in the catalogue",
            code="E_NOT_IN_CATALOGUE",
        )
    if fill_volume is None:
        fill = size
    else:
        fill = _volume(fill_volume, "fill_volume")
        if fill > size:
            raise InputError(
                "fill_volume",
                fill_volume,
                f"at most the reservoir size, {display.amount(size, units.VOLUME)}",
                problem="is more than the reservoir holds",
                code="E_OUT_OF_RANGE",
            )
    strength = _concentration(
        ctx, concentration, "concentration", screening=False, diluted=_flag(diluted, "diluted")
    )
    daily, per_hour = _daily(ctx, daily_dose, "daily_dose")
    alarm = _volume(alarm_volume, "alarm_volume")
    if alarm >= fill:
        raise InputError(
            "alarm_volume",
            alarm_volume,
            f"less than the fill volume, {display.amount(fill, units.VOLUME)}",
            problem="is not less than the volume in the reservoir",
            code="E_OUT_OF_RANGE",
        )
    tolerance = ctx.value("it.pump.flow_tolerance")
    policy, margin_rule = _margin(ctx, margin_policy)
    margin = _floor(margin_rule.require_value())
    daily_volume = daily / strength
    nominal = (fill - alarm) / daily_volume
    worst = nominal / (1 + tolerance)
    worst_empty = fill / (daily_volume * (1 + tolerance))
    horizon = ctx.rule("schedule.horizon")
    if nominal > horizon.require_value():
        raise HardLimitError(
            horizon.id,
            display.approx(nominal, units.DAYS),
            display.amount(horizon.require_value(), units.DAYS),
            what="the time to the low-reservoir alarm at the programmed rate,",
            problem="is longer than the planning horizon of "
            f"{display.amount(horizon.require_value(), units.DAYS)}; drug stability in the pump "
            "limits refill intervals well before that (use a lower concentration or a smaller "
            "fill volume)",
        )
    if _floor(worst) <= margin:
        raise HardLimitError(
            margin_rule.id,
            display.approx(worst, units.DAYS),
            display.day_count(margin),
            what="the worst-case time to the low-reservoir alarm,",
            problem=f"is not longer than the refill margin of {display.day_count(margin)}, so "
            "the refill would be due before this fill starts",
        )
    first = None if start is None else parse_date(start, "start")
    previous_strength = None
    if previous_concentration is not None:
        previous_strength = _concentration(
            ctx, previous_concentration, "previous_concentration", screening=False, previous=True
        )
    changing = previous_strength is not None and previous_strength != strength
    confirmed = _flag(confirm_concentration_change, "confirm_concentration_change")
    change_rule = ctx.rules["it.refill.concentration_change"]
    if previous_strength is not None:
        ctx.used.append(change_rule.id)
    if changing and not confirmed:
        raise ConfirmationRequired(
            change_rule.id,
            f"the concentration changes from "
            f"{display.amount(previous_strength or strength, units.IT_CONCENTRATION)} to "
            f"{display.amount(strength, units.IT_CONCENTRATION)}: the pump must be reprogrammed "
            "and a bridge bolus programmed on the pump programmer",
            "confirm_concentration_change=True (command line: --confirm-concentration-change)",
        )
    if confirmed and not changing:
        raise InputError(
            "confirm_concentration_change",
            True,
            "a confirmation only when previous_concentration differs from concentration",
            problem="confirms a change this refill does not make",
            code="E_CONFIRM_UNUSED",
        )
    if changing:
        ctx.advise(change_rule.id)
    check = _residual(
        ctx,
        start=first,
        residual=residual,
        previous_fill=previous_fill,
        previous_fill_volume=previous_fill_volume,
        previous_concentration=previous_strength,
        previous_daily_dose=previous_daily_dose,
        fill=fill,
        concentration=strength,
        daily=daily,
        tolerance=tolerance,
        alarm=alarm,
    )
    for rule_id in (
        "it.refill.alarm_is_computed",
        "it.withdrawal.abrupt",
        "it.refill.before_alarm",
        "it.refill.alarm_volume",
        "it.refill.interval",
    ):
        ctx.advise(rule_id)
    ctx.findings += ctx.check.finish()

    def on(days: int) -> date | None:
        return None if first is None else _shift(first, days, "start")

    worst_alarm = on(_floor(worst))
    refill_by = on(_floor(worst) - margin)
    ctx.inputs = [
        ("reservoir", display.amount(size, units.VOLUME)),
        (
            "fill_volume",
            display.amount(fill, units.VOLUME)
            + ("" if fill_volume is not None else " (the whole reservoir)"),
        ),
        (
            "concentration",
            display.amount(strength, units.IT_CONCENTRATION) + (" (diluted)" if diluted else ""),
        ),
        ("alarm_volume", display.amount(alarm, units.VOLUME)),
        ("start", "not given" if first is None else first.isoformat()),
        ("margin_policy", policy),
        *ctx.inputs,
    ]
    return PumpRefill(
        reservoir_ml=size,
        fill_ml=fill,
        fill_given=fill_volume is not None,
        concentration_mcg_per_ml=strength,
        diluted=diluted,
        daily_mcg=daily,
        per_hour_input=per_hour,
        alarm_ml=alarm,
        flow_tolerance=tolerance,
        margin_policy=policy,
        margin_days=margin,
        daily_volume_ml=daily_volume,
        nominal_days=nominal,
        worst_days=worst,
        worst_empty_days=worst_empty,
        start=first,
        nominal_alarm_date=on(_floor(nominal)),
        worst_alarm_date=worst_alarm,
        refill_by=refill_by,
        worst_empty_date=on(_floor(worst_empty)),
        residual=check,
        findings=tuple(ctx.findings),
        provenance=ctx.provenance(),
    )


def plan_intrathecal_taper(
    *,
    current: object,
    first_dose: object,
    start: date | str,
    step: object = None,
    interval: object = None,
    rules: RuleSet | None = None,
) -> IntrathecalTaper:
    """A supervised taper from today's daily dose down to the first post-implant daily dose.

    Rules ``it.taper.*``: each step takes off at most ``it.taper.step.max`` (20%) of the dose
    it starts from, no more often than every ``it.taper.interval.min`` (2 days); steps are
    whole mcg/day rounded up (``it.taper.grid``), so no step takes off more than allowed. The
    plan never reaches zero: it ends at ``first_dose`` and stays there.

    >>> taper = plan_intrathecal_taper(current="600 mcg/day", first_dose="200 mcg/day",
    ...                                start="2026-01-05")
    >>> [str(s.daily_mcg) for s in taper.steps]
    ['600', '480', '384', '308', '247', '200']
    """
    ctx = _Context(rules)
    first_day = parse_date(start, "start")
    daily, _ = _daily(ctx, current, "current")
    floor, _ = _daily(ctx, first_dose, "first_dose")
    if floor >= daily:
        raise InputError(
            "first_dose",
            first_dose,
            f"less than today's dose, {display.amount(daily, units.IT_DAILY_DOSE)}",
            problem="leaves nothing to taper",
            code="E_NOTHING_TO_TAPER",
        )
    largest = ctx.rule("it.taper.step.max")
    if step is None:
        fraction = largest.require_value()
    else:
        fraction = _exact(units.parse(step, units.PERCENT, "step"), units.PERCENT, "step", step)
    ctx.check.hard_max(largest, fraction, units.PERCENT, "a taper step of")
    shortest = ctx.rule("it.taper.interval.min")
    if interval is None:
        days = shortest.require_value()
    else:
        days = units.parse(interval, units.DAYS, "interval")
        if days.denominator != 1:
            raise InputError("interval", interval, "a whole number of days", code="E_SCHEDULE")
    ctx.check.hard_min(shortest, days, units.DAYS, "the interval between taper steps,")
    gap = _floor(days)
    grid = ctx.value("it.taper.grid")
    horizon = ctx.rule("schedule.horizon")
    doses = [daily]
    while doses[-1] > floor:
        exact = doses[-1] * (1 - fraction)
        lower = _ceil_to(exact, grid)
        if lower >= doses[-1]:
            lower = exact  # too small a dose for the grid: keep the exact step
        doses.append(max(lower, floor))
        ctx.check.hard_max(
            horizon,
            Fraction(gap * (len(doses) - 1)),
            units.DAYS,
            "the last taper step's start, counted from the first day,",
        )
    steps: list[TaperStep] = []
    for index, amount in enumerate(doses):
        begin = _shift(first_day, gap * index, "start")
        last = index == len(doses) - 1
        ids: tuple[str, ...] = ("it.taper.step.max", "it.taper.interval.min", "it.taper.grid")
        if index == 0:
            ids = ()
        elif last:
            ids += ("it.taper.supervision",)
        steps.append(
            TaperStep(begin, None if last else _shift(begin, gap - 1, "start"), amount, ids)
        )
    ctx.inputs += [
        ("start", first_day.isoformat()),
        ("step", display.amount(fraction, units.PERCENT)),
        ("interval", display.day_count(gap)),
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
        provenance=ctx.provenance(),
    )


def convert_route(dose: object, *, to: str, rules: RuleSet | None = None) -> NoReturn:
    """Refuse, always: no conversion between oral and intrathecal doses exists.

    Rule ``it.route.no_conversion``. The error says why, so a caller looking for a conversion
    finds the reason instead of a number.

    >>> convert_route("60 mg/day", to="intrathecal")
    Traceback (most recent call last):
    ...
    baclofen_dose.InputError: to: 'intrathecal' asks for a dose conversion between ...
    """
    ctx = _Context(rules)
    rule = ctx.rule("it.route.no_conversion")
    raise InputError(
        "to",
        to,
        f"no conversion: {rule.text or ''} (rule {rule.id}; {rule.citation})",
        problem="asks for a dose conversion between oral and intrathecal routes",
        code="E_NO_ROUTE_CONVERSION",
    )
