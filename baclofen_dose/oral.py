"""The adult oral titration planner: start, ladder and maximum, from the rule data.

By default it reproduces the US label ladder exactly (rules ``oral.adult.start.*``,
``oral.adult.titration.*``): 5 mg 3 times a day, adding 5 mg to each dose every 3 days.
A target between rungs is reached without overshooting it. When 3 doses a day would need more
than ``oral.adult.frequency.add_dose_above`` (20 mg) per dose, the plan moves to 4 doses a day,
because the label writes its maximum as 20 mg 4 times a day; so going past 60 mg/day moves to
4 doses on the way to 80 mg/day. The daily maximum is a named policy
(``oral_max_daily``: ``us_label`` by default); a target above it needs an override, and a
target above ``oral.adult.max_daily.hard`` is refused outright.

>>> plan = plan_titration(start="2026-01-05", target="60 mg/day")
>>> [(str(s.start), str(s.end), [str(d) for d in s.regimen.doses_mg]) for s in plan.steps]
... # doctest: +NORMALIZE_WHITESPACE
[('2026-01-05', '2026-01-07', ['5', '5', '5']), ('2026-01-08', '2026-01-10', ['10', '10', '10']),
 ('2026-01-11', '2026-01-13', ['15', '15', '15']), ('2026-01-14', 'None', ['20', '20', '20'])]
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from fractions import Fraction

from . import display, units
from .errors import InputError, InputTypeError, RuleSetError
from .limits import Finding, LimitCheck, advice, parse_date, parse_overrides
from .regimen import OralPlan, OralRegimen, Provenance, Step
from .rules import Rule, RuleSet, default_rules

__all__ = ["MAX_POLICY", "plan_titration"]

MAX_POLICY = "oral_max_daily"
_PREFIX = "oral.adult."


def _policy_rules(rules: RuleSet, policy: str) -> tuple[Rule, Rule | None]:
    """The selected policy's daily soft maximum and (if it has one) its per-dose soft maximum."""
    daily = [
        r
        for r in rules
        if r.policy == policy
        and r.kind == "soft_max"
        and r.quantity == "oral.daily_dose"
        and r.population == "adult"
    ]
    per_dose = [
        r
        for r in rules
        if r.policy == policy
        and r.kind == "soft_max"
        and r.quantity == "oral.dose"
        and r.population == "adult"
    ]
    if len(daily) != 1 or len(per_dose) > 1:
        raise RuleSetError(
            f"policies.{MAX_POLICY}.{policy}",
            "needs exactly one adult daily soft maximum and at most one per-dose soft maximum",
        )
    return daily[0], (per_dose[0] if per_dose else None)


def _times_per_day(value: object, rules: RuleSet, check: LimitCheck) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputTypeError("times_per_day", value, "a whole number of doses a day (3 or 4)")
    count = Fraction(value)
    check.hard_min(rules[_PREFIX + "times_per_day.min"], count, units.PER_DAY, "times_per_day")
    check.hard_max(rules[_PREFIX + "times_per_day.max"], count, units.PER_DAY, "times_per_day")
    return value


def _on_grid(value: Fraction, grid: Fraction, field: str, raw: object, kind: units.Kind) -> None:
    if (value / grid).denominator != 1:
        raise InputError(
            field,
            raw,
            f"a whole multiple of {display.amount(grid, units.ORAL_DOSE)} "
            f"(rule {_PREFIX}dose.grid), so every dose can be given",
            problem=f"is {display.amount(value, kind)}, which is not on the dose grid",
            code="E_NOT_GIVABLE",
        )


def plan_titration(
    *,
    start: date | str,
    target: object,
    step: object = None,
    interval: object = None,
    times_per_day: int | None = None,
    max_policy: str | None = None,
    overrides: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    product: object = None,
) -> OralPlan:
    """Plan an adult oral titration from the label start up to ``target``.

    Parameters (quantities are pint Quantities or strings with units):

    - ``start``: the first day (a ``datetime.date`` or ``"YYYY-MM-DD"``); there is no default.
    - ``target``: a daily dose ("60 mg/day"), or ``"max"`` for the selected policy's maximum.
    - ``step``: the daily increase per step (default: the label's 15 mg/day), within
      ``oral.adult.titration.step.min`` and ``.max``.
    - ``interval``: days between increases (default: the label's 3 days), at least
      ``oral.adult.titration.interval.min``.
    - ``times_per_day``: 3 or 4 doses a day from the first day (default: the label's 3,
      moving to 4 above ``oral.adult.frequency.add_dose_above``).
    - ``max_policy``: a choice of the rule set's ``oral_max_daily`` policy (default ``us_label``).
    - ``overrides``: ``{rule_id: reason}`` for soft limits the plan may cross.
    - ``rules``: another validated rule set (default: the bundled one).
    - ``product``: optional product name(s) ("10 mg tablet"): each step then lists the units
      per dose and the plan what to dispense (:func:`baclofen_dose.products.realize_plan`);
      a dose the products cannot give exactly is refused, never rounded.

    Raises ``InputError``/``InputTypeError`` for bad input, ``HardLimitError`` for a hard
    limit, ``OverrideRequired`` for soft limits crossed without an override.
    """
    rules = default_rules() if rules is None else rules
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    check = LimitCheck(rules, parse_overrides(overrides, rules))
    used: list[str] = []

    def rule(suffix: str) -> Rule:
        found = rules[_PREFIX + suffix]
        used.append(found.id)
        return found

    first_day = parse_date(start, "start")

    policy = rules.policy_default(MAX_POLICY) if max_policy is None else max_policy
    if policy not in rules.policy_choices(MAX_POLICY):
        raise InputError(
            "max_policy",
            policy,
            "one of " + ", ".join(rules.policy_choices(MAX_POLICY)),
            code="E_POLICY",
        )
    daily_max, dose_max = _policy_rules(rules, policy)
    used.append(daily_max.id)
    if dose_max is not None:
        used.append(dose_max.id)
    hard_daily = rule("max_daily.hard")
    grid = rule("dose.grid").require_value()

    chosen_n = _times_per_day(times_per_day, rules, check)
    if chosen_n is not None:
        used += [_PREFIX + "times_per_day.min", _PREFIX + "times_per_day.max"]
    label_n = int(rule("start.times_per_day").require_value())
    n = label_n if chosen_n is None else chosen_n
    start_dose = rule("start.dose").require_value()
    if (start_dose / grid).denominator != 1:
        raise RuleSetError(_PREFIX + "start.dose", "is not a multiple of oral.adult.dose.grid")
    add_dose_above = rule("frequency.add_dose_above").require_value()
    n_max = int(rule("times_per_day.max").require_value())

    if step is None:
        step_mg = rule("titration.step.label").require_value()
    else:
        step_mg = units.parse(step, units.ORAL_DAILY_DOSE, "step")
    check.hard_min(rule("titration.step.min"), step_mg, units.ORAL_DAILY_DOSE, "step")
    check.hard_max(rule("titration.step.max"), step_mg, units.ORAL_DAILY_DOSE, "step")
    _on_grid(step_mg, grid, "step", step, units.ORAL_DAILY_DOSE)

    if interval is None:
        days = rule("titration.interval.label").require_value()
    else:
        days = units.parse(interval, units.DAYS, "interval")
        if days.denominator != 1:
            raise InputError("interval", interval, "a whole number of days", code="E_SCHEDULE")
    check.hard_min(rule("titration.interval.min"), days, units.DAYS, "interval")

    wants_max = isinstance(target, str) and target.lower() == "max"
    if wants_max:
        target_mg = daily_max.require_value()
    else:
        target_mg = units.parse(target, units.ORAL_DAILY_DOSE, "target")
    check.hard_max(hard_daily, target_mg, units.ORAL_DAILY_DOSE, "target")
    _on_grid(target_mg, grid, "target", target, units.ORAL_DAILY_DOSE)

    daily = start_dose * n
    if target_mg < daily:
        raise InputError(
            "target",
            target,
            f"at least the starting dose, {display.amount(daily, units.ORAL_DAILY_DOSE)} "
            f"({display.amount(start_dose, units.ORAL_DOSE)} {display.times_a_day(n)})",
            problem="is below the starting dose, and a titration only goes up",
            code="E_TARGET_BELOW_START",
        )

    # Build the ladder of (regimen, rule ids) pairs, then date it.
    ladder: list[tuple[OralRegimen, list[str]]] = []
    first_ids = [_PREFIX + "start.dose", _PREFIX + "dose.grid"]
    if chosen_n is None:
        first_ids.append(_PREFIX + "start.times_per_day")
    else:
        first_ids += [_PREFIX + "times_per_day.min", _PREFIX + "times_per_day.max"]
    ladder.append((OralRegimen.split(daily, n, grid=grid), first_ids))
    step_ids = [
        _PREFIX + ("titration.step.label" if step is None else "titration.step.max"),
        _PREFIX + ("titration.interval.label" if interval is None else "titration.interval.min"),
        _PREFIX + "dose.grid",
    ]
    while daily < target_mg:
        daily = min(daily + step_mg, target_mg)
        ids = list(step_ids)
        while n < n_max and daily > add_dose_above * n:
            n += 1
            if _PREFIX + "frequency.add_dose_above" not in ids:
                ids.append(_PREFIX + "frequency.add_dose_above")
        ladder.append((OralRegimen.split(daily, n, grid=grid), ids))
    ladder[-1][1].append(daily_max.id)

    horizon = rules["schedule.horizon"]
    used.append(horizon.id)
    last_start = days * (len(ladder) - 1)
    check.hard_max(horizon, last_start, units.DAYS, "days from the first day to the last step")
    try:
        first_day + timedelta(days=int(last_start) + int(days))
    except OverflowError:
        raise InputError(
            "start",
            start,
            "a first day that leaves room for the whole schedule before the year 9999",
            problem="is too late: the schedule would run past the last representable date",
            code="E_SCHEDULE",
        ) from None

    steps: list[Step] = []
    for index, (regimen, ids) in enumerate(ladder):
        begin = first_day + timedelta(days=int(days) * index)
        is_last = index == len(ladder) - 1
        end = None if is_last else begin + timedelta(days=int(days) - 1)
        check.hard_max(hard_daily, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        if dose_max is not None:
            for amount in regimen.doses_mg:
                check.soft_max(dose_max, amount, units.ORAL_DOSE, "a single dose of")
        check.soft_max(daily_max, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        steps.append(Step(begin, end, regimen, tuple(ids)))
        used += ids

    findings = list(check.finish())
    if chosen_n is not None and chosen_n > label_n:
        findings.append(_start_above_label(rules, steps[0].regimen, start_dose, label_n))
    default_daily, _ = _policy_rules(rules, rules.policy_default(MAX_POLICY))
    for advice_id in (
        "oral.withdrawal.abrupt",
        _PREFIX + "no_patient_adjustment",
        _PREFIX + "lowest_effective",
    ):
        findings.append(advice(rules[advice_id]))
        used.append(advice_id)
    if daily_max.require_value() > default_daily.require_value():
        findings.append(advice(rules[_PREFIX + "policy_above_label"]))
        used.append(_PREFIX + "policy_above_label")

    inputs = [
        ("start", first_day.isoformat()),
        (
            "target",
            f"max ({display.amount(target_mg, units.ORAL_DAILY_DOSE)})"
            if wants_max
            else display.amount(target_mg, units.ORAL_DAILY_DOSE),
        ),
        ("step", display.amount(step_mg, units.ORAL_DAILY_DOSE)),
        ("interval", display.day_count(int(days))),
        ("times_per_day", "label default" if chosen_n is None else str(chosen_n)),
        ("max_policy", policy),
    ]
    plan = OralPlan(
        purpose="titration",
        steps=tuple(steps),
        findings=tuple(findings),
        overrides=tuple(check.overrides.values()),
        max_policy=policy,
        provenance=Provenance.of(rules, used, inputs),
    )
    if product is None:
        return plan
    from .products import realize_plan  # products imports this module's neighbours only

    return realize_plan(plan, product, rules)


def _start_above_label(
    rules: RuleSet, first: OralRegimen, start_dose: Fraction, label_n: int
) -> Finding:
    """The finding recorded when a chosen frequency makes the first day exceed the label's."""
    rule = rules[_PREFIX + "start.times_per_day"]
    return Finding(
        rule.id,
        "warning",
        f"The first step gives {display.amount(first.daily_mg, units.ORAL_DAILY_DOSE)} "
        f"({display.amount(start_dose, units.ORAL_DOSE)} "
        f"{display.times_a_day(first.times_per_day)}) "
        f"because {first.times_per_day} doses a day were chosen; the label starts at "
        f"{display.amount(start_dose * label_n, units.ORAL_DAILY_DOSE)} "
        f"({display.times_a_day(label_n)}).",
        rule.citation,
    )
