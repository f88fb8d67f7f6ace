"""Check an existing intrathecal order: daily total, ceiling, change since the previous dose,
time-base mistakes, concentration, co-medications and conditions.

The daily dose may be written per day, per hour (summed over 24 hours, and flagged), or as a
flex program. A rate entered per hour whose number equals the previous daily dose's number, or
a daily dose 24 times the previous one, is flagged as a likely time-base mistake
(``it.time_base.per_hour``). Every limit's kind is read from the rule set when the check runs.

>>> result = check_intrathecal_order(daily_dose="60 mcg/hour", previous_daily_dose="60 mcg/day",
...                                  origin="spinal")
>>> result.worst.value
'hard'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Final

from baclofen_dose.check.interactions import judge_conditions, judge_medicines, table_or_default
from baclofen_dose.check.order import Judge, OrderCheck, other_orders
from baclofen_dose.core import units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.model import Amount, Finding, ParamValue
from baclofen_dose.core.rules import RuleSet, default_rules
from baclofen_dose.core.rules.interactions import InteractionTable
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import IntrathecalDailyInput, QuantityInput
from baclofen_dose.intrathecal.common import ORIGINS, FlexProgram, exact, hours_per_day, is_per_hour

__all__ = ["check_intrathecal_order"]

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
        "it.refill_change.cerebral.increase.max": "it.increase",
        "it.refill_change.child.increase.max": "it.increase",
        "it.refill_change.spinal.increase.max": "it.increase",
        "it.time_base.per_hour": None,
        "it.titrate.cerebral.increase.max": "it.increase",
        "it.titrate.child.increase.max": "it.increase",
        "it.titrate.decrease.max": "it.decrease",
        "it.titrate.interval.min": "it.hours",
        "it.titrate.spinal.increase.max": "it.increase",
        "it.withdrawal.abrupt": None,
    },
)


_LABEL: Final = "daily dose"


def _daily(value: Fraction) -> Amount:
    return Amount(value, units.IT_DAILY_DOSE)


def _parse(raw: object, field: str) -> tuple[Fraction, Amount | None, FlexProgram | None]:
    """(daily total in mcg/day, the hourly rate as entered or None, the flex program or None)."""
    if isinstance(raw, FlexProgram):
        return raw.daily_mcg, None, raw
    daily = exact(
        units.parse(raw, units.IT_DAILY_DOSE, field, allow_zero=True),
        units.IT_DAILY_DOSE,
        field,
        raw,
    )
    rate = None
    if is_per_hour(raw):
        rate = Amount(units.parse(raw, units.IT_HOURLY_RATE, field), units.IT_HOURLY_RATE)
    return daily, rate, None


def check_intrathecal_order(
    *,
    daily_dose: IntrathecalDailyInput,
    previous_daily_dose: IntrathecalDailyInput | None = None,
    hours_since_previous: QuantityInput | None = None,
    concentration: QuantityInput | None = None,
    origin: str | None = None,
    child: bool = False,
    at_refill: bool = False,
    medicines: Sequence[str] | None = None,
    conditions: Sequence[str] | None = None,
    overrides: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    interactions: InteractionTable | None = None,
    other_baclofen_orders: int = 0,
) -> OrderCheck:
    """Judge an intrathecal order and return its findings (never raises for a limit).

    - ``daily_dose``: "300 mcg/day", "12.5 mcg/hour" (summed over 24 hours) or a
      :class:`~baclofen_dose.intrathecal.common.FlexProgram`.
    - ``previous_daily_dose``: the daily dose before this order (the change is checked against
      ``it.titrate.<origin>.increase.max`` or ``it.titrate.decrease.max``);
      ``hours_since_previous`` ("12 hours"): the time since that dose changed, judged against
      ``it.titrate.interval.min`` when the dose changes again.
    - ``concentration``: "500 mcg/mL" (checked against ``it.concentration.lowest``/``highest``
      and the catalogue, SAF-17: the screening-only strength ``it.concentration.screening`` in
      a pump is a hard finding; a strength not marketed is a warning to check the dilution,
      ``it.concentration.diluted``).
    - ``origin``: "spinal" or "cerebral" (without it, the smallest increase limit of the two is
      used and the result says so); ``child``: children's increase limits.
    - ``at_refill``: the change is made at a refill visit, judged against
      ``it.refill_change.<origin>.increase.max`` (as the planner's ``at_refill``).
    - ``medicines``, ``conditions``, ``overrides``, ``rules``, ``interactions`` as for
      :func:`~baclofen_dose.check.oral.check_order`.

    Without ``previous_daily_dose`` the change and the time-base checks are not assessed, and
    without ``hours_since_previous`` the interval since the last change is not assessed (both
    said in ``not_assessed``).
    """
    rules = default_rules() if rules is None else rules
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    if not isinstance(child, bool):
        raise InputTypeError("child", child, "True or False")
    if not isinstance(at_refill, bool):
        raise InputTypeError("at_refill", at_refill, "True or False")
    if origin is not None and origin not in ORIGINS:
        raise InputError("origin", origin, "spinal or cerebral", code="E_ORIGIN")
    table = table_or_default(interactions)
    judge = Judge.open(rules, overrides)
    daily, rate, flex = _parse(daily_dose, "daily_dose")
    order: list[tuple[str, ParamValue]] = [("daily_dose", _daily(daily))]
    if rate is not None:
        order.append(("daily_dose_entered_per_hour", rate))
    if flex is not None:
        order += [("daily_dose_flex_hours", flex.hours), ("daily_dose_flex_rates", flex.rates)]
    hours = Amount(hours_per_day(), units.HOURS)
    time_base = judge.rule("it.time_base.per_hour")
    advice = time_base.text or ""
    if daily == 0:
        abrupt = judge.rule("it.withdrawal.abrupt")
        judge.add(
            Finding(
                abrupt.id, "hard", "IT_ABRUPT_STOP", {"text": abrupt.text or ""}, abrupt.citation
            )
        )
    else:
        judge.limit(judge.rule("it.daily_dose.ceiling"), daily, units.IT_DAILY_DOSE, _LABEL)
        threshold = judge.rule("it.daily_dose.limited_experience")
        if daily > threshold.require_value():
            judge.add(
                Finding(
                    threshold.id,
                    "warning",
                    "IT_LIMITED_EXPERIENCE",
                    {
                        "label": _LABEL,
                        "daily": _daily(daily),
                        "threshold": _daily(threshold.require_value()),
                    },
                    threshold.citation,
                )
            )
    if rate is not None:
        judge.add(
            Finding(
                time_base.id,
                "warning",
                "IT_PER_HOUR",
                {
                    "label": _LABEL,
                    "rate": rate,
                    "hours": hours,
                    "daily": _daily(daily),
                    "advice": advice,
                },
                time_base.citation,
            )
        )
    elif flex is not None and flex.per_hour:
        judge.add(
            Finding(
                time_base.id,
                "warning",
                "IT_PER_HOUR_FLEX",
                {"label": _LABEL, "daily": _daily(daily), "advice": advice},
                time_base.citation,
            )
        )
    if previous_daily_dose is not None:
        before, _, _ = _parse(previous_daily_dose, "previous_daily_dose")
        if before == 0:
            raise InputError("previous_daily_dose", previous_daily_dose, "a daily dose above zero")
        order.append(("previous_daily_dose", _daily(before)))
        _change(judge, daily, before, origin, child, rate, at_refill)
        if hours_since_previous is None and daily != before:
            judge.skip("interval", "hours_since_previous", "IT_INTERVAL_NOT_ASSESSED")
        if hours_since_previous is not None:
            elapsed = units.parse(hours_since_previous, units.HOURS, "hours_since_previous")
            order.append(("hours_since_previous", Amount(elapsed, units.HOURS)))
            if daily != before:
                judge.limit(
                    judge.rule("it.titrate.interval.min"),
                    elapsed,
                    units.HOURS,
                    "time since the previous dose change",
                )
    elif hours_since_previous is None:
        judge.skip("change", "previous_daily_dose", "IT_CHANGE_NOT_ASSESSED")
    else:
        raise InputError(
            "hours_since_previous",
            hours_since_previous,
            "no value without previous_daily_dose",
            code="E_MISSING_INPUT",
        )
    if concentration is not None:
        strength = units.parse(concentration, units.IT_CONCENTRATION, "concentration")
        order.append(("concentration", Amount(strength, units.IT_CONCENTRATION)))
        crossed = [
            judge.limit(judge.rule(rule_id), strength, units.IT_CONCENTRATION, "concentration")
            for rule_id in ("it.concentration.lowest", "it.concentration.highest")
        ]
        if not any(crossed):
            _catalogue(judge, strength)
    inputs: list[tuple[str, ParamValue]] = [
        ("origin", origin),
        ("child", child),
        ("at_refill", at_refill),
        ("medicines", judge_medicines(judge, table, medicines, "intrathecal")),
        ("conditions", judge_conditions(judge, table, conditions, "intrathecal")),
        ("interactions_id", table.id),
        ("interactions_version", table.version),
        ("interactions_sha256", table.sha256),
    ]
    inputs += other_orders(judge, other_baclofen_orders)
    return judge.result("intrathecal", order, inputs)


def _catalogue(judge: Judge, strength: Fraction) -> None:
    """SAF-17 on an infusion: the screening-only strength is never put in a pump (hard); a
    strength that is not marketed must be a documented dilution (a warning naming the
    marketed strengths). The strengths are the rule data's catalogue (clinical.md 6.1)."""
    kind = units.IT_CONCENTRATION
    screening = judge.rule("it.concentration.screening")
    if strength == screening.require_value():
        judge.found(
            screening.id,
            "hard",
            "IT_SCREENING_STRENGTH_IN_PUMP",
            {"concentration": Amount(strength, kind)},
            screening.citation,
        )
        return
    pump = [
        judge.rule(rule.id)
        for rule in judge.rules.rules.values()
        if rule.kind == "catalogue" and rule.quantity == "it.concentration"
        and rule.id != screening.id
    ]  # fmt: skip
    strengths = sorted(rule.require_value() for rule in pump)
    if strength not in strengths:
        diluted = judge.rule("it.concentration.diluted")
        judge.found(
            diluted.id,
            "warning",
            "IT_CONCENTRATION_NOT_MARKETED",
            {
                "concentration": Amount(strength, kind),
                "strengths": tuple(Amount(value, kind) for value in strengths),
            },
            diluted.citation,
        )


def _change(
    judge: Judge,
    daily: Fraction,
    before: Fraction,
    origin: str | None,
    child: bool,
    rate: Amount | None,
    at_refill: bool,
) -> None:
    """The change since the previous daily dose, and the time-base mistakes it reveals."""
    time_base = judge.rules["it.time_base.per_hour"]
    per_day = hours_per_day()
    swapped = rate is not None and rate.value == before
    if swapped or daily == before * per_day:
        judge.add(
            Finding(
                time_base.id,
                "warning",
                "IT_TIME_BASE_SUSPECTED",
                {
                    "daily": _daily(daily),
                    "previous": _daily(before),
                    "times": per_day,
                },
                time_base.citation,
            )
        )
    if daily > before:
        groups = ("child",) if child else ((origin,) if origin is not None else ORIGINS)
        prefix = "it.refill_change" if at_refill else "it.titrate"
        candidates = [judge.rules[f"{prefix}.{g}.increase.max"] for g in groups]
        rule = min(candidates, key=lambda r: r.require_value())
        if origin is None and not child:
            judge.skip("origin", "origin", "ORIGIN_NOT_GIVEN", rule=rule.id)
        judge.limit(
            rule,
            (daily - before) / before,
            units.PERCENT,
            "increase since the previous daily dose",
        )
    elif daily < before:
        judge.limit(
            judge.rule("it.titrate.decrease.max"),
            (before - daily) / before,
            units.PERCENT,
            "decrease since the previous daily dose",
        )
