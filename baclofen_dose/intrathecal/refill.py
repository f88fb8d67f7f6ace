"""Pump refill arithmetic: daily volume, days to the low-reservoir alarm, the refill-by date,
and the check of the residual volume found at the refill.

Rules ``it.pump.*``, ``it.refill.*`` and ``it.volume`` catalogue sizes (safety.md 2.2, SAF-24,
SAF-25).

>>> refill = plan_refill(reservoir="40 mL", concentration="2000 mcg/mL",
...                      daily_dose="400 mcg/day", alarm_volume="2 mL", start="2026-01-05")
>>> refill.daily_volume_ml, refill.nominal_days, refill.refill_by
(Fraction(1, 5), Fraction(190, 1), datetime.date(2026, 6, 9))
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import ClassVar

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import (
    ConfirmationRequired,
    HardLimitError,
    InputError,
    RuleSetError,
)
from baclofen_dose.core.kernel import RoundMode, add_days, round_to_grid
from baclofen_dose.core.limits import parse_date
from baclofen_dose.core.model import Amount, Finding, Provenance
from baclofen_dose.core.rules import Rule, RuleSet
from baclofen_dose.intrathecal.common import (
    MARGIN_POLICY,
    ROUTE,
    Context,
    Route,
    flag,
    hourly,
    volume,
)
from baclofen_dose.intrathecal.common import concentration as concentration_of
from baclofen_dose.intrathecal.common import daily_dose as daily_total

__all__ = [
    "RESIDUAL_FIELDS",
    "PumpRefill",
    "ResidualCheck",
    "plan_refill",
    "whole_days",
]

RESIDUAL_FIELDS: tuple[str, ...] = (
    "previous_fill_volume",
    "previous_concentration",
    "previous_daily_dose",
)
"""The previous-fill values that are taken to equal this refill's when not given."""


def whole_days(days: Fraction) -> int:
    """Whole days in ``days``, rounded down (a date is never later than the estimate)."""
    return int(round_to_grid(days, Fraction(1), RoundMode.DOWN))


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

    SCHEMA: ClassVar[str] = "baclofen-dose/intrathecal-refill/1"

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
    def route(self) -> Route:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def schema(self) -> str:
        """The schema id of this result's JSON."""
        return self.SCHEMA

    @property
    def worst_days_whole(self) -> int:
        """The worst-case days to the alarm, rounded down (the refill-by date counts from it)."""
        return whole_days(self.worst_days)

    @property
    def hourly_mcg(self) -> Fraction:
        """The programmed rate per hour (exact; may not terminate)."""
        return hourly(self.daily_mcg)


def _ml(value: Fraction, style: str = "exact") -> Amount:
    return Amount(value, units.VOLUME, "approx" if style == "approx" else "exact")


def _margin(ctx: Context, policy: str | None) -> tuple[str, Rule]:
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
    ctx: Context,
    *,
    start: date | None,
    residual: object,
    previous_fill: object,
    previous_fill_volume: object,
    previous_concentration: Fraction | None,
    previous_daily_dose: object,
    fill: Fraction,
    strength: Fraction,
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
    measured = volume(residual, "residual", allow_zero=True)
    before = parse_date(previous_fill, "previous_fill")
    if before >= start:
        raise InputError(
            "previous_fill",
            previous_fill,
            "a date before this refill ({start})",
            problem="is not before this refill",
            code="E_INCONSISTENT",
            params={"start": start},
        )
    assumed: list[str] = []
    if previous_fill_volume is None:
        before_fill = fill
        assumed.append("previous_fill_volume")
    else:
        before_fill = volume(previous_fill_volume, "previous_fill_volume")
    if previous_concentration is None:
        before_concentration = strength
        assumed.append("previous_concentration")
    else:
        before_concentration = previous_concentration
    if previous_daily_dose is None:
        before_daily = daily
        assumed.append("previous_daily_dose")
    else:
        before_daily, _ = daily_total(ctx, previous_daily_dose, "previous_daily_dose")
    if measured > before_fill:
        raise InputError(
            "residual",
            residual,
            "at most the previous fill volume, {fill}",
            problem="is more than was put in",
            code="E_INCONSISTENT",
            params={"fill": _ml(before_fill)},
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
        ("residual", _ml(measured)),
        ("previous_fill", before),
        ("assumed_equal_to_this_refill", tuple(assumed)),
    ]
    ctx.used.append("it.refill.residual_discrepancy")
    if check.expected_ml <= alarm:
        ctx.note(
            "it.refill.residual_discrepancy",
            "warning",
            "IT_RESIDUAL_LATE",
            {
                "alarm": _ml(alarm),
                "expected": _ml(check.expected_ml, "approx"),
                "days": elapsed,
            },
        )
    if not check.within_tolerance:
        ctx.note(
            "it.refill.residual_discrepancy",
            "warning",
            "IT_RESIDUAL_LOW" if measured < check.lowest_ml else "IT_RESIDUAL_HIGH",
            {
                "measured": _ml(measured),
                "expected": _ml(check.expected_ml, "approx"),
                "lowest": _ml(check.lowest_ml, "approx"),
                "highest": _ml(check.highest_ml, "approx"),
                "advice": ctx.rules["it.refill.residual_discrepancy"].text or "",
            },
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
    different from ``previous_concentration`` needs ``confirm_concentration_change``
    (``ConfirmationRequired`` otherwise).
    """
    ctx = Context.open(rules)
    size = volume(reservoir, "reservoir")
    sizes = sorted(r.require_value() for r in ctx.catalogue("it.volume"))
    ctx.used.extend(r.id for r in ctx.catalogue("it.volume"))
    if size not in sizes:
        raise InputError(
            "reservoir",
            reservoir,
            "a pump reservoir size in the catalogue (the sizes are {sizes})",
            problem="is not a reservoir size in the catalogue",
            code="E_NOT_IN_CATALOGUE",
            params={"sizes": tuple(_ml(s) for s in sizes)},
        )
    if fill_volume is None:
        fill = size
    else:
        fill = volume(fill_volume, "fill_volume")
        if fill > size:
            raise InputError(
                "fill_volume",
                fill_volume,
                "at most the reservoir size, {size}",
                problem="is more than the reservoir holds",
                code="E_OUT_OF_RANGE",
                params={"size": _ml(size)},
            )
    strength = _pump_strength(ctx, concentration, "concentration", flag(diluted, "diluted"))
    daily, per_hour = daily_total(ctx, daily_dose, "daily_dose")
    alarm = volume(alarm_volume, "alarm_volume")
    if alarm >= fill:
        raise InputError(
            "alarm_volume",
            alarm_volume,
            "less than the fill volume, {fill}",
            problem="is not less than the volume in the reservoir",
            code="E_OUT_OF_RANGE",
            params={"fill": _ml(fill)},
        )
    tolerance = ctx.value("it.pump.flow_tolerance")
    policy, margin_rule = _margin(ctx, margin_policy)
    margin = whole_days(margin_rule.require_value())
    daily_volume = daily / strength
    nominal = (fill - alarm) / daily_volume
    worst = nominal / (1 + tolerance)
    worst_empty = fill / (daily_volume * (1 + tolerance))
    horizon = ctx.rule("schedule.horizon")
    if nominal > horizon.require_value():
        raise HardLimitError(
            horizon.id,
            Amount(nominal, units.DAYS, "approx"),
            Amount(horizon.require_value(), units.DAYS),
            what="the time to the low-reservoir alarm at the programmed rate",
            problem="is longer than the planning horizon of {limit}; drug stability in the pump "
            "limits refill intervals well before that (use a lower concentration or a smaller "
            "fill volume)",
            params={"limit": Amount(horizon.require_value(), units.DAYS)},
        )
    if whole_days(worst) <= margin:
        raise HardLimitError(
            margin_rule.id,
            Amount(worst, units.DAYS, "approx"),
            Amount(Fraction(margin), units.DAYS),
            what="the worst-case time to the low-reservoir alarm",
            problem="is not longer than the refill margin of {margin:days}, so the refill "
            "would be due before this fill starts",
            params={"margin": margin},
        )
    first = None if start is None else parse_date(start, "start")
    previous_strength = None
    if previous_concentration is not None:
        previous_strength = concentration_of(
            ctx, previous_concentration, "previous_concentration", screening=False, previous=True
        )
        ctx.inputs.append(
            ("previous_concentration", Amount(previous_strength, units.IT_CONCENTRATION))
        )
    changing = previous_strength is not None and previous_strength != strength
    confirmed = flag(confirm_concentration_change, "confirm_concentration_change")
    change_rule = ctx.rules["it.refill.concentration_change"]
    if previous_strength is not None:
        ctx.used.append(change_rule.id)
    if changing and previous_strength is not None and not confirmed:
        raise ConfirmationRequired(
            change_rule.id,
            "the concentration changes from {before} to {after}: the pump must be reprogrammed "
            "and a bridge bolus programmed on the pump programmer",
            "confirm_concentration_change=True (command line: --confirm-concentration-change)",
            params={
                "before": Amount(previous_strength, units.IT_CONCENTRATION),
                "after": Amount(strength, units.IT_CONCENTRATION),
            },
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
        strength=strength,
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
        return None if first is None else add_days(first, days, "start")

    ctx.inputs = [
        ("reservoir", _ml(size)),
        ("fill_volume", _ml(fill)),
        ("fill_volume_given", fill_volume is not None),
        ("concentration", Amount(strength, units.IT_CONCENTRATION)),
        ("diluted", diluted),
        ("alarm_volume", _ml(alarm)),
        ("start", first),
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
        nominal_alarm_date=on(whole_days(nominal)),
        worst_alarm_date=on(whole_days(worst)),
        refill_by=on(whole_days(worst) - margin),
        worst_empty_date=on(whole_days(worst_empty)),
        residual=check,
        findings=tuple(ctx.findings),
        provenance=ctx.record(),
    )


def _pump_strength(ctx: Context, raw: object, field: str, diluted: bool) -> Fraction:
    return concentration_of(ctx, raw, field, screening=False, diluted=diluted)
