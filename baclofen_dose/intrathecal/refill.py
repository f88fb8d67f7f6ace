"""Pump refill arithmetic: daily volume, days to the low-reservoir alarm, the refill-by date,
and the check of the residual volume found at the refill.

Rules ``it.pump.*``, ``it.refill.*`` and ``it.volume`` catalogue sizes (safety.md 2.2, SAF-24,
SAF-25). The refill-by date is never later than the maximum refill interval of the stability
policy (``it_refill_stability``, clinical.md 6.7, 16, 16.1 row 5a): a later one is planned at
that limit with a warning, and no alarm date more than the margin past it is given. A
worst-case alarm inside the refill margin is planned (refill by the worst-case alarm date)
with a finding of severity ``hard``.

Rounding is in the safe direction: whole days are rounded down (an earlier date); residual
volumes are on the ``it.refill.volume_grid`` grid, the expected residual rounded down (less
assumed left, so a late refill is flagged sooner) and the band the flow tolerance explains
narrowed inward (its lowest end up, its highest end down), so rounding never hides a
discrepancy; a band narrower than one grid step is shown as the grid step that holds it.

>>> refill = plan_refill(reservoir="40 mL", concentration="2000 mcg/mL",
...                      daily_dose="400 mcg/day", alarm_volume="2 mL", start="2026-01-05")
>>> refill.daily_volume_ml, refill.nominal_days, refill.refill_by
(Fraction(1, 5), Fraction(190, 1), datetime.date(2026, 6, 9))
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import ClassVar, Final, Literal

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import (
    ConfirmationRequired,
    InputError,
    RuleSetError,
)
from baclofen_dose.core.kernel import RoundMode, add_days, round_to_grid
from baclofen_dose.core.limits import parse_date
from baclofen_dose.core.model import Amount, Finding, Provenance, Severity, of_type, tuple_of
from baclofen_dose.core.rules import Rule, RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import IntrathecalDailyInput, QuantityInput
from baclofen_dose.intrathecal.common import (
    MARGIN_POLICY,
    ROUTE,
    Context,
    FlexProgram,
    Route,
    flag,
    hourly,
    volume,
)
from baclofen_dose.intrathecal.common import concentration as concentration_of
from baclofen_dose.intrathecal.common import daily_dose as daily_total

__all__ = [
    "REFILL_BASES",
    "RESIDUAL_FIELDS",
    "STABILITY_POLICY",
    "PumpRefill",
    "RefillTiming",
    "ResidualCheck",
    "plan_refill",
    "refill_timing",
    "safe_band",
    "whole_days",
]

RULES: Final = requires(
    __name__,
    {
        "it.pump.flow_tolerance": "it.flow_tolerance",
        "it.refill.alarm_is_computed": None,
        "it.refill.alarm_volume": None,
        "it.refill.before_alarm": None,
        "it.refill.concentration_change": None,
        "it.refill.interval": None,
        "it.refill.residual_discrepancy": None,
        "it.refill.volume_grid": "it.volume",
        "it.refill_change.spinal.increase.max": "it.increase",
        "it.time_base.per_hour": None,
        "it.withdrawal.abrupt": None,
        "schedule.horizon": "schedule.length",
    },
)


STABILITY_POLICY: Final = "it_refill_stability"
RefillBasis = Literal["margin", "stability", "inside_margin"]
REFILL_BASES: tuple[str, ...] = ("margin", "stability", "inside_margin")
"""Why the refill-by date is what it is: the worst-case alarm less the margin; the maximum
refill interval of the stability policy; or the worst-case alarm itself (inside the margin)."""

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
class RefillTiming:
    """The day counts behind the dates of a refill (days after the refill, all whole).

    ``alarm_nominal``, ``alarm_worst`` and ``empty_worst`` are ``None`` when they lie more
    than the margin past the maximum refill interval: the refill-by date is never past that
    interval, and no alarm date is given that the refill-by date was not counted back from.
    """

    refill_by: int
    basis: RefillBasis
    alarm_nominal: int | None
    alarm_worst: int | None
    empty_worst: int | None


def refill_timing(
    nominal: Fraction, worst: Fraction, worst_empty: Fraction, margin: int, stability: int
) -> RefillTiming:
    """The refill-by day and the alarm days shown, from the (exact) day counts.

    >>> refill_timing(Fraction(360), Fraction(36000, 1145), Fraction(400), 10, 180).basis
    'margin'
    >>> t = refill_timing(Fraction(360), Fraction(360 * 1000, 1145), Fraction(400), 10, 180)
    >>> t.refill_by, t.basis, t.alarm_worst
    (180, 'stability', None)
    """
    worst_whole = whole_days(worst)
    basis: RefillBasis
    if worst_whole <= margin:
        by, basis = worst_whole, "inside_margin"
    elif worst_whole - margin > stability:
        by, basis = stability, "stability"
    else:
        by, basis = worst_whole - margin, "margin"

    def shown(days: Fraction) -> int | None:
        whole = whole_days(days)
        return whole if whole <= stability + margin else None

    return RefillTiming(by, basis, shown(nominal), shown(worst), shown(worst_empty))


def safe_band(
    expected: Fraction, lowest: Fraction, highest: Fraction, grid: Fraction
) -> tuple[Fraction, Fraction, Fraction]:
    """The expected residual and its tolerance band on ``grid``, rounded the safe way.

    The expected residual is rounded down (less assumed left); the band is narrowed inward
    (lowest up, highest down) so that every residual the exact band flags is still flagged;
    a band with no grid point inside is widened to the one grid step that holds it.

    >>> safe_band(Fraction("7.8"), Fraction("6.031"), Fraction("9.569"), Fraction("0.1"))
    (Fraction(39, 5), Fraction(61, 10), Fraction(19, 2))
    """
    low = round_to_grid(lowest, grid, RoundMode.UP)
    high = round_to_grid(highest, grid, RoundMode.DOWN)
    if low > high:
        low = round_to_grid(lowest, grid, RoundMode.DOWN)
        high = round_to_grid(highest, grid, RoundMode.UP)
    return round_to_grid(expected, grid, RoundMode.DOWN), low, high


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
    grid_ml: Fraction

    @property
    def discrepancy_ml(self) -> Fraction:
        """Measured minus expected (negative: less was left than expected)."""
        return self.measured_ml - self.expected_ml

    @property
    def shown(self) -> tuple[Fraction, Fraction, Fraction]:
        """Expected, lowest and highest residual on the grid, rounded the safe way
        (:func:`safe_band`): what is shown and what the check uses."""
        return safe_band(self.expected_ml, self.lowest_ml, self.highest_ml, self.grid_ml)

    @property
    def within_tolerance(self) -> bool:
        """True when the (safely rounded) band the flow tolerance explains holds the residual."""
        _, lowest, highest = self.shown
        return lowest <= self.measured_ml <= highest


@attrs.frozen
class PumpRefill:
    """Pump refill arithmetic: daily volume, days to the low-reservoir alarm, refill-by date.

    All days and dates are estimates (the alarm is computed from the programmed rate). The
    worst case assumes the pump runs faster than programmed by the flow tolerance; the refill-by
    date is the worst-case alarm date minus the margin, so it is never after it.
    """

    SCHEMA: ClassVar[str] = "baclofen-dose/intrathecal-refill/2"

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
    stability_policy: str
    stability_days: int
    refill_basis: RefillBasis
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
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
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
    def worst_days_whole(self) -> int:
        """The worst-case days to the alarm, rounded down (the refill-by date counts from it)."""
        return whole_days(self.worst_days)

    @property
    def nominal_days_whole(self) -> int:
        """The nominal days to the alarm, rounded down."""
        return whole_days(self.nominal_days)

    @property
    def worst_empty_days_whole(self) -> int:
        """The worst-case days until the reservoir is empty, rounded down (earlier)."""
        return whole_days(self.worst_empty_days)

    @property
    def refill_by_days(self) -> int:
        """Days from the refill to the refill-by date."""
        return self.timing.refill_by

    @property
    def timing(self) -> RefillTiming:
        """The day counts behind the dates (:func:`refill_timing`)."""
        return refill_timing(
            self.nominal_days,
            self.worst_days,
            self.worst_empty_days,
            self.margin_days,
            self.stability_days,
        )

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


def _stability(ctx: Context, policy: str | None, margin: int) -> tuple[str, Rule]:
    chosen = ctx.rules.policy_default(STABILITY_POLICY) if policy is None else policy
    if chosen not in ctx.rules.policy_choices(STABILITY_POLICY):
        raise InputError(
            "stability_policy",
            chosen,
            "one of " + ", ".join(ctx.rules.policy_choices(STABILITY_POLICY)),
            code="E_POLICY",
        )
    found = [r for r in ctx.rules if r.policy == chosen and r.quantity == "it.days"]
    horizon = ctx.value("schedule.horizon")
    if (
        len(found) != 1
        or found[0].require_value().denominator != 1
        or not margin < found[0].require_value() <= horizon
    ):
        raise RuleSetError(
            f"policies.{STABILITY_POLICY}.{chosen}",
            "needs exactly one whole-day rule, longer than the refill margin and not longer "
            "than the planning horizon",
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
    stability: Rule,
) -> ResidualCheck | None:
    if residual is None and previous_fill is None:
        # previous_daily_dose alone is allowed: the time-base check uses it (_check_time_base).
        for name, value in (("previous_fill_volume", previous_fill_volume),):
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
    grid = ctx.value("it.refill.volume_grid")
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
        grid_ml=grid,
    )
    expected_shown, lowest_shown, highest_shown = check.shown
    ctx.inputs += [
        ("residual", _ml(measured)),
        ("previous_fill", before),
        ("assumed_equal_to_this_refill", tuple(assumed)),
    ]
    ctx.used.append("it.refill.residual_discrepancy")
    if elapsed > stability.require_value():
        ctx.note(
            stability.id,
            "warning",
            "IT_PREVIOUS_FILL_PAST_STABILITY",
            {"days": elapsed, "limit": Amount(stability.require_value(), units.DAYS)},
        )
    if expected_shown <= alarm:
        ctx.note(
            "it.refill.residual_discrepancy",
            "warning",
            "IT_RESIDUAL_LATE",
            {
                "alarm": _ml(alarm),
                "expected": _ml(expected_shown, "approx"),
                "days": elapsed,
            },
        )
    if not check.within_tolerance:
        ctx.note(
            "it.refill.residual_discrepancy",
            "warning",
            "IT_RESIDUAL_LOW" if measured < lowest_shown else "IT_RESIDUAL_HIGH",
            {
                "measured": _ml(measured),
                "expected": _ml(expected_shown, "approx"),
                "lowest": _ml(lowest_shown, "approx"),
                "highest": _ml(highest_shown, "approx"),
                "advice": ctx.rules["it.refill.residual_discrepancy"].text or "",
            },
        )
    return check


def _previous_daily(ctx: Context, previous: object, *, record: bool) -> Fraction | None:
    """The previous daily dose (mcg/day), recorded as an input when the residual check will
    not record it."""
    if previous is None:
        return None
    if record:
        return daily_total(ctx, previous, "previous_daily_dose")[0]
    if isinstance(previous, FlexProgram):
        return previous.daily_mcg
    return units.parse(previous, units.IT_DAILY_DOSE, "previous_daily_dose")


def _check_time_base(
    ctx: Context, daily: Fraction, per_hour: bool, before: Fraction | None, confirm: object
) -> None:
    """Refuse, until confirmed, a per-hour entry far above the previous daily dose (S8)."""
    confirmed = flag(confirm, "confirm_per_hour_total")
    if not per_hour or before is None:
        if confirmed:
            raise InputError(
                "confirm_per_hour_total",
                True,
                "a confirmation only for a daily dose entered per hour, with previous_daily_dose",
                problem="confirms a per-hour total this refill does not have",
                code="E_CONFIRM_UNUSED",
            )
        return
    largest = ctx.rule("it.refill_change.spinal.increase.max").require_value()
    rule = ctx.rule("it.time_base.per_hour")
    if daily <= before * (1 + largest):
        if confirmed:
            raise InputError(
                "confirm_per_hour_total",
                True,
                "a confirmation only when the per-hour total is far above the previous dose",
                problem="confirms a per-hour total within the usual change",
                code="E_CONFIRM_UNUSED",
            )
        return
    if confirmed:
        ctx.note(
            rule.id,
            Severity.WARNING,
            "IT_PER_HOUR_CONFIRMED",
            {
                "daily": Amount(daily, units.IT_DAILY_DOSE),
                "before": Amount(before, units.IT_DAILY_DOSE),
            },
        )
        return
    raise ConfirmationRequired(
        rule.id,
        "the dose entered per hour totals {daily} over 24 hours, against {before} before this "
        "refill, more than the largest refill-visit increase ({largest}): check that the rate "
        "is per hour and not the daily dose",
        "confirm_per_hour_total=True",
        params={
            "daily": Amount(daily, units.IT_DAILY_DOSE),
            "before": Amount(before, units.IT_DAILY_DOSE),
            "largest": Amount(largest, units.PERCENT),
        },
    )


def plan_refill(
    *,
    reservoir: QuantityInput,
    concentration: QuantityInput,
    daily_dose: IntrathecalDailyInput,
    alarm_volume: QuantityInput,
    fill_volume: QuantityInput | None = None,
    diluted: bool = False,
    start: date | str | None = None,
    residual: QuantityInput | None = None,
    previous_fill: date | str | None = None,
    previous_fill_volume: QuantityInput | None = None,
    previous_concentration: QuantityInput | None = None,
    previous_daily_dose: IntrathecalDailyInput | None = None,
    confirm_concentration_change: bool = False,
    confirm_per_hour_total: bool = False,
    margin_policy: str | None = None,
    stability_policy: str | None = None,
    rules: RuleSet | None = None,
) -> PumpRefill:
    """Pump refill arithmetic (safety.md 2.2, SAF-24, SAF-25; rules ``it.pump.*``, ``it.refill.*``).

    - daily volume (mL/day) = daily dose (mcg/day) / concentration (mcg/mL);
    - nominal days to the alarm = (fill volume - alarm volume) / daily volume;
    - worst-case days = nominal days / (1 + flow tolerance), the tolerance from
      ``it.pump.flow_tolerance`` (14.5%);
    - refill-by date = start + whole worst-case days - margin (policy ``it_refill_margin``),
      but never later than the maximum refill interval of the stability policy
      (``it_refill_stability``, default 180 days, a published figure and not a label one):
      a later date is planned at that limit with a warning (``IT_REFILL_STABILITY``), and
      the alarm dates past it are not given;
    - a worst-case alarm inside the margin is planned with the refill due by the worst-case
      alarm date and a ``hard`` finding (``IT_REFILL_INSIDE_MARGIN``): the dates and the
      urgency are shown, not refused.

    ``reservoir`` is the pump's reservoir size (a catalogue size: 20 mL or 40 mL); the fill is
    the whole reservoir unless ``fill_volume`` says less. ``alarm_volume`` has no default.
    ``residual`` with ``previous_fill`` (and ``start``) checks the residual volume; previous-fill
    values not given are taken as this refill's and the result says so. A concentration
    different from ``previous_concentration`` needs ``confirm_concentration_change``
    (``ConfirmationRequired`` otherwise).

    A daily dose entered per hour (a rate, or a flex program with a per-hour step) whose
    24-hour total is more than the largest refill-visit increase above ``previous_daily_dose``
    (``it.refill_change.spinal.increase.max``, 40%) needs ``confirm_per_hour_total``: the
    time-base error of safety.md S8 (60 mcg a day entered as 60 mcg an hour is 1,440 mcg a
    day) is refused until someone confirms the per-day figure (``it.time_base.per_hour``).
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
    before = _previous_daily(
        ctx, previous_daily_dose, record=residual is None and previous_fill is None
    )
    _check_time_base(ctx, daily, per_hour, before, confirm_per_hour_total)
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
    stable_policy, stability_rule = _stability(ctx, stability_policy, margin)
    stability = whole_days(stability_rule.require_value())
    daily_volume = daily / strength
    nominal = (fill - alarm) / daily_volume
    worst = nominal / (1 + tolerance)
    worst_empty = fill / (daily_volume * (1 + tolerance))
    timing = refill_timing(nominal, worst, worst_empty, margin, stability)
    if timing.basis == "inside_margin":
        ctx.note(
            margin_rule.id,
            Severity.HARD,
            "IT_REFILL_INSIDE_MARGIN",
            {"worst": Amount(Fraction(whole_days(worst)), units.DAYS), "margin": margin},
        )
    elif timing.basis == "stability":
        ctx.note(
            stability_rule.id,
            Severity.WARNING,
            "IT_REFILL_STABILITY",
            {
                "worst": Amount(Fraction(whole_days(worst)), units.DAYS),
                "margin": margin,
                "limit": Amount(Fraction(stability), units.DAYS),
            },
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
            "confirm_concentration_change=True",
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
        stability=stability_rule,
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

    def on(days: int | None) -> date | None:
        return None if first is None or days is None else add_days(first, days, "start")

    ctx.inputs = [
        ("reservoir", _ml(size)),
        ("fill_volume", _ml(fill)),
        ("fill_volume_given", fill_volume is not None),
        ("concentration", Amount(strength, units.IT_CONCENTRATION)),
        ("diluted", diluted),
        ("alarm_volume", _ml(alarm)),
        ("start", first),
        ("margin_policy", policy),
        ("stability_policy", stable_policy),
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
        stability_policy=stable_policy,
        stability_days=stability,
        refill_basis=timing.basis,
        daily_volume_ml=daily_volume,
        nominal_days=nominal,
        worst_days=worst,
        worst_empty_days=worst_empty,
        start=first,
        nominal_alarm_date=on(timing.alarm_nominal),
        worst_alarm_date=on(timing.alarm_worst),
        refill_by=on(timing.refill_by),
        worst_empty_date=on(timing.empty_worst),
        residual=check,
        findings=tuple(ctx.findings),
        provenance=ctx.record(),
    )


def _pump_strength(ctx: Context, raw: object, field: str, diluted: bool) -> Fraction:
    return concentration_of(ctx, raw, field, screening=False, diluted=diluted)
