"""What every intrathecal planner shares: the planning context, the checked inputs (daily doses,
concentrations, volumes, origins), flex programs and the route's constants.

Nothing here writes a sentence: findings carry a code and typed values
(:class:`~baclofen_dose.core.model.Amount`, dates, counts) and errors carry templates with
typed params; ``render/`` words them (``render/sentences/intrathecal.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Final, Literal

import attrs

from baclofen_dose.core import numeric, units
from baclofen_dose.core.errors import (
    AbruptStopError,
    BaclofenDoseError,
    HardLimitError,
    ImplausibleValueError,
    InputError,
    InputTypeError,
    RuleSetError,
)
from baclofen_dose.core.kernel import PlanningContext, rules_or_default
from baclofen_dose.core.limits import LimitCheck, advice, parse_overrides
from baclofen_dose.core.model import Amount, Finding, ParamValue, Provenance
from baclofen_dose.core.rules import Rule, RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import FlexStepInput

__all__ = [
    "MARGIN_POLICY",
    "ORIGINS",
    "ROUTE",
    "Context",
    "FlexProgram",
    "FlexStep",
    "concentration",
    "daily_dose",
    "exact",
    "flag",
    "hourly",
    "hours_per_day",
    "is_per_hour",
    "origin",
    "volume",
]

RULES: Final = requires(
    __name__,
    {
        "it.concentration.diluted": None,
        "it.concentration.highest": "it.concentration",
        "it.concentration.lowest": "it.concentration",
        "it.concentration.screening": "it.concentration",
        "it.concentration.strength_1000": "it.concentration",
        "it.concentration.strength_2000": "it.concentration",
        "it.concentration.strength_500": "it.concentration",
        "it.daily_dose.ceiling": "it.daily_dose",
        "it.daily_dose.limited_experience": "it.daily_dose",
        "it.daily_dose.plausible_min": "it.daily_dose",
        "it.pump.reservoir_20": "it.volume",
        "it.pump.reservoir_40": "it.volume",
        "it.refill.margin.gillette_3_to_5_days": "it.days",
        "it.refill.margin.gillette_7_to_10_days": "it.days",
        "it.time_base.per_hour": None,
        "it.withdrawal.abrupt": None,
    },
)


ORIGINS: Final = ("spinal", "cerebral")
MARGIN_POLICY: Final = "it_refill_margin"
ROUTE: Final = "intrathecal"
Route = Literal["intrathecal"]

# How each daily-dose field is named for people (a label, not a sentence: the finding templates
# and limit messages put it in place).
_LABELS: Final = {
    "current": "current daily dose",
    "proposed": "proposed daily dose",
    "daily_dose": "daily dose",
    "first_dose": "first post-implant daily dose",
    "previous_daily_dose": "previous daily dose",
}


def hours_per_day() -> Fraction:
    """How many hours in a day, from the unit registry (not a clinical figure)."""
    return units.parse_unit("day", units.HOURS, "hours per day")


def hourly(daily_mcg: Fraction) -> Fraction:
    """A daily dose (mcg/day) as the same rate per hour (exact; may not terminate)."""
    return daily_mcg / hours_per_day()


def is_per_hour(raw: object) -> bool:
    """True when an intrathecal rate was written per hour (strings and Quantities alike)."""
    try:
        units.parse(raw, units.IT_HOURLY_RATE, "rate", allow_zero=True)
    except BaclofenDoseError:
        return False
    return True


def flag(value: object, field: str) -> bool:
    """A yes/no input: only ``True`` or ``False`` (``InputTypeError`` otherwise)."""
    if not isinstance(value, bool):
        raise InputTypeError(field, value, "True or False")
    return value


def exact(value: Fraction, kind: units.Kind, field: str, raw: object) -> Fraction:
    """``value`` when it can be written exactly as a decimal, else ``E_NOT_EXACT``."""
    if not numeric.check_exactness_with_decimal(value):
        raise InputError(
            field,
            raw,
            f"{kind.expected}, with a value that can be written exactly as a decimal",
            problem="cannot be written exactly as a decimal",
            code="E_NOT_EXACT",
        )
    return value


@attrs.frozen
class FlexStep:
    """One step of a flex program: a rate (kept in mcg/day) for a number of hours."""

    hours: Fraction
    rate_mcg_per_day: Fraction
    per_hour: bool

    @property
    def amount_mcg(self) -> Fraction:
        """What this step delivers."""
        return self.rate_mcg_per_day * self.hours / hours_per_day()

    @property
    def rate(self) -> Amount:
        """The rate as entered: mcg/hour when it was given per hour, else mcg/day."""
        if self.per_hour:
            return Amount(hourly(self.rate_mcg_per_day), units.IT_HOURLY_RATE, "approx")
        return Amount(self.rate_mcg_per_day, units.IT_DAILY_DOSE, "approx")


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
    def from_steps(cls, steps: Sequence[FlexStepInput]) -> FlexProgram:
        """A program from ``(duration, rate)`` pairs, such as ``("8 hours", "15 mcg/hour")``.

        Errors: ``InputTypeError`` for a malformed list, the unit errors of each duration and
        rate, ``E_FLEX_NOT_ONE_DAY`` when the durations do not add up to one day.
        """
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
            parsed.append(FlexStep(hours, per_day, is_per_hour(rate)))
        total = sum((s.hours for s in parsed), Fraction(0))
        if total != hours_per_day():
            raise InputError(
                "flex",
                steps,
                "steps covering exactly {day}",
                problem="cover {total} in all, not one day",
                code="E_FLEX_NOT_ONE_DAY",
                params={
                    "day": Amount(hours_per_day(), units.HOURS),
                    "total": Amount(total, units.HOURS, "approx"),
                },
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

    @property
    def hours(self) -> tuple[Amount, ...]:
        """The steps' durations, in order (hours)."""
        return tuple(Amount(s.hours, units.HOURS, "approx") for s in self.steps)

    @property
    def rates(self) -> tuple[Amount, ...]:
        """The steps' rates as entered (each in its own kind: mcg/hour or mcg/day)."""
        return tuple(s.rate for s in self.steps)


@attrs.define
class Context(PlanningContext):
    """One intrathecal planning call: the rules read, the limit check, findings and inputs."""

    findings: list[Finding] = attrs.field(factory=list)
    inputs: list[tuple[str, ParamValue]] = attrs.field(factory=list)

    @classmethod
    def open(cls, rules: RuleSet | None, overrides: Mapping[str, str] | None = None) -> Context:
        """A context for ``rules`` (default: bundled) with the caller's overrides checked."""
        ruleset = rules_or_default(rules)
        return cls(ruleset, LimitCheck(ruleset, parse_overrides(overrides, ruleset)))

    def advise(self, rule_id: str) -> None:
        """Add the advice finding of rule ``rule_id``."""
        self.findings.append(advice(self.rule(rule_id)))

    def note(
        self, rule_id: str, severity: str, code: str, params: Mapping[str, ParamValue]
    ) -> None:
        """Add a finding of rule ``rule_id``: a code (a sentence in render/) and typed values."""
        rule = self.rule(rule_id)
        self.findings.append(Finding(rule.id, severity, code, params, rule.citation))

    def catalogue(self, quantity: str) -> list[Rule]:
        """The catalogue rules of one quantity (strengths, reservoir sizes...)."""
        return [r for r in self.rules if r.kind == "catalogue" and r.quantity == quantity]

    def record(self) -> Provenance:
        """The provenance of the result: every rule read and the typed inputs."""
        return self.provenance(self.inputs)


def _daily_amount(value: Fraction) -> Amount:
    return Amount(value, units.IT_DAILY_DOSE)


def daily_dose(
    ctx: Context, raw: object, field: str, *, name: str | None = None
) -> tuple[Fraction, bool]:
    """A daily dose (mcg/day, or mcg/hour summed over 24 hours, or a flex program), checked.

    Returns the daily total (mcg/day) and whether it was entered per hour. Zero is refused as
    an abrupt stop (``it.withdrawal.abrupt``); the hard ceiling ``it.daily_dose.ceiling`` and
    the limited-experience threshold ``it.daily_dose.limited_experience`` apply to the daily
    total whatever the time base it was entered in (SAF-16).

    ``field`` is the caller's parameter (named by errors); ``name`` the stable name of the
    value in provenance and wording (default ``field``: ``"current"`` for today's dose, whose
    keyword is now ``daily_dose``).
    """
    name = field if name is None else name
    flex = raw if isinstance(raw, FlexProgram) else None
    if flex is not None:
        daily, per_hour = flex.daily_mcg, flex.per_hour
    else:
        daily = units.parse(raw, units.IT_DAILY_DOSE, field, allow_zero=True)
        per_hour = is_per_hour(raw)
    exact(daily, units.IT_DAILY_DOSE, field, raw)
    if daily == 0:
        ctx.rule("it.withdrawal.abrupt")
        raise AbruptStopError(
            "it.withdrawal.abrupt",
            field,
            _daily_amount(daily),
            why="abrupt discontinuation has caused high fever, rebound rigidity, "
            "rhabdomyolysis and death (boxed warning)",
        )
    floor = ctx.rule("it.daily_dose.plausible_min")
    if daily < floor.require_value():
        raise ImplausibleValueError(
            field,
            raw,
            "a daily dose of at least {floor} (rule {rule}): the lowest observed intrathecal "
            "daily doses are ten times that",
            problem="is {daily}, below any plausible intrathecal daily dose",
            code="E_IMPLAUSIBLE",
            params={
                "floor": _daily_amount(floor.require_value()),
                "rule": floor.id,
                "daily": Amount(daily, units.IT_DAILY_DOSE, "estimate"),
            },
        )
    label = _LABELS.get(name, name.replace("_", " "))
    ceiling = ctx.rule("it.daily_dose.ceiling")
    hours = Amount(hours_per_day(), units.HOURS)
    rate: Amount | None = None
    if per_hour and flex is None:
        rate = Amount(units.parse(raw, units.IT_HOURLY_RATE, field), units.IT_HOURLY_RATE)
    if daily > ceiling.require_value():
        # The limit message names how the total came about (per hour or a flex program).
        how = "" if rate is None else "({rate} times {hours}) "
        if flex is not None:
            how = "(the flex program's 24-hour total) "
        raise HardLimitError(
            ceiling.id,
            _daily_amount(daily),
            _daily_amount(ceiling.require_value()),
            what=label,
            problem=how + "would cross the hard limit {limit}",
            params={"rate": rate, "hours": hours, "limit": _daily_amount(ceiling.require_value())},
        )
    if rate is not None:
        ctx.note(
            "it.time_base.per_hour",
            "warning",
            "IT_PER_HOUR",
            {
                "label": label,
                "rate": rate,
                "hours": hours,
                "daily": _daily_amount(daily),
                "advice": ctx.rules["it.time_base.per_hour"].text or "",
            },
        )
    elif flex is not None and per_hour:
        ctx.note(
            "it.time_base.per_hour",
            "warning",
            "IT_PER_HOUR_FLEX",
            {
                "label": label,
                "daily": _daily_amount(daily),
                "advice": ctx.rules["it.time_base.per_hour"].text or "",
            },
        )
    ctx.inputs.append((name, _daily_amount(daily)))
    if rate is not None:
        ctx.inputs.append((f"{name}_entered_per_hour", rate))
    if flex is not None:
        ctx.inputs += [(f"{name}_flex_hours", flex.hours), (f"{name}_flex_rates", flex.rates)]
    threshold = ctx.rule("it.daily_dose.limited_experience")
    if daily > threshold.require_value():
        ctx.note(
            threshold.id,
            "warning",
            "IT_LIMITED_EXPERIENCE",
            {
                "label": label,
                "daily": _daily_amount(daily),
                "threshold": _daily_amount(threshold.require_value()),
            },
        )
    return daily, per_hour


def concentration(
    ctx: Context,
    raw: object,
    field: str,
    *,
    screening: bool,
    diluted: bool = False,
    previous: bool = False,
) -> Fraction:
    """A concentration (mcg/mL) checked against the plausible band and the catalogue (SAF-17).

    Rules ``it.concentration.lowest``/``highest`` (``ImplausibleValueError`` outside them),
    ``it.concentration.screening`` (the only strength for ``screening``, never for a pump:
    ``HardLimitError``), the catalogue of pump strengths (``E_NOT_IN_CATALOGUE`` unless
    ``diluted``, which adds ``it.concentration.diluted`` advice). A ``previous`` fill's
    concentration may be any dilution (it is history, not a choice).
    """
    kind = units.IT_CONCENTRATION
    value = exact(units.parse(raw, kind, field), kind, field, raw)
    lowest = ctx.rule("it.concentration.lowest")
    highest = ctx.rule("it.concentration.highest")
    band = "a concentration from {lowest} to {highest} (rules {lowest_rule} and {highest_rule})"
    band_params: dict[str, ParamValue] = {
        "lowest": Amount(lowest.require_value(), kind),
        "highest": Amount(highest.require_value(), kind),
        "lowest_rule": lowest.id,
        "highest_rule": highest.id,
    }
    if value < lowest.require_value():
        raise ImplausibleValueError(
            field,
            raw,
            band,
            problem="is below the lowest marketed strength (was a mg/mL figure given as mcg/mL?)",
            params=band_params,
        )
    if value > highest.require_value():
        raise ImplausibleValueError(
            field,
            raw,
            band,
            problem="is above the highest marketed strength (unapproved concentrations cause "
            "dosing errors)",
            params=band_params,
        )
    strength = ctx.rule("it.concentration.screening")
    screening_value = strength.require_value()
    if screening:
        if value != screening_value:
            raise HardLimitError(
                strength.id,
                Amount(value, kind),
                Amount(screening_value, kind),
                what="the screening concentration",
                problem="is not the screening strength {limit}, the only one allowed for screening",
                params={"limit": Amount(screening_value, kind)},
            )
        return value
    if value == screening_value:
        raise HardLimitError(
            strength.id,
            Amount(value, kind),
            Amount(value, kind),
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
        raise InputError(
            field,
            raw,
            "a marketed strength (the strengths are {strengths}), or a documented dilution "
            "flagged as diluted",
            problem="is not a marketed strength",
            code="E_NOT_IN_CATALOGUE",
            params={
                "strengths": tuple(Amount(v, kind) for v in sorted(r.require_value() for r in pump))
            },
        )
    return value


def volume(raw: object, field: str, *, allow_zero: bool = False) -> Fraction:
    """A volume in mL, exact as a decimal (unit errors and ``E_NOT_EXACT`` otherwise)."""
    return exact(
        units.parse(raw, units.VOLUME, field, allow_zero=allow_zero), units.VOLUME, field, raw
    )


def origin(value: object) -> str:
    """The origin of the spasticity: ``"spinal"`` or ``"cerebral"`` (no default; ``E_ORIGIN``)."""
    if not isinstance(value, str) or value not in ORIGINS:
        raise InputError(
            "origin",
            value,
            "spinal or cerebral (the origin of the spasticity; there is no default)",
            code="E_ORIGIN",
        )
    return value
