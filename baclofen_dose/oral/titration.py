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

from baclofen_dose.core import display, units
from baclofen_dose.core.errors import HardLimitError, InputError, InputTypeError, RuleSetError
from baclofen_dose.core.limits import (
    Finding,
    LimitCheck,
    advice,
    legacy_finding,
    parse_date,
    parse_overrides,
)
from baclofen_dose.core.rules import Rule, RuleSet, default_rules
from baclofen_dose.oral import renal
from baclofen_dose.oral.patient import Patient, check_plausible, missing, population
from baclofen_dose.oral.regimen import Adjustment, OralPlan, OralRegimen, Provenance, Step

__all__ = ["CHILD_MAX_POLICY", "MAX_POLICY", "plan_titration"]

MAX_POLICY = "oral_max_daily"
# What a child's plan records as its maximum policy: the age band of the UK SmPC (issue 3).
CHILD_MAX_POLICY = "child_age_band"
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


def select_max_policy(rules: RuleSet, max_policy: str | None) -> tuple[str, Rule, Rule | None]:
    """The chosen (or default) ``oral_max_daily`` policy and its daily and per-dose maxima."""
    policy = rules.policy_default(MAX_POLICY) if max_policy is None else max_policy
    if policy not in rules.policy_choices(MAX_POLICY):
        raise InputError(
            "max_policy",
            policy,
            "one of " + ", ".join(rules.policy_choices(MAX_POLICY)),
            code="E_POLICY",
        )
    daily_max, dose_max = _policy_rules(rules, policy)
    return policy, daily_max, dose_max


def _times_per_day(value: object, rules: RuleSet, check: LimitCheck) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputTypeError("times_per_day", value, "a whole number of doses a day (3 or 4)")
    count = Fraction(value)
    check.hard_min(rules[_PREFIX + "times_per_day.min"], count, units.PER_DAY, "times_per_day")
    check.hard_max(rules[_PREFIX + "times_per_day.max"], count, units.PER_DAY, "times_per_day")
    return value


def _on_grid(
    value: Fraction,
    grid: Fraction,
    field: str,
    raw: object,
    kind: units.Kind,
    grid_id: str = _PREFIX + "dose.grid",
) -> None:
    if (value / grid).denominator != 1:
        raise InputError(
            field,
            raw,
            f"a whole multiple of {display.amount(grid, units.ORAL_DOSE)} "
            f"(rule {grid_id}), so every dose can be given",
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
    patient: Patient | None = None,
    renal_policy: str | None = None,
    weight_policy: str | None = None,
) -> OralPlan:
    """Plan an oral titration up to ``target``: the adult label ladder, or adjusted for a patient.

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
    - ``patient``: a :class:`~baclofen_dose.oral.patient.Patient` (issue 3). Without one the plan is
      the adult label schedule and says it takes no account of the patient
      (``oral.adult.no_patient_adjustment``). With one: a child (under 18) gets the UK SmPC
      weight-based profile (``oral.child.*``); an adult gets the renal dose policy applied to
      start, step and maximum (``renal.*``), and an older adult (66 and over) also the
      older-adult findings. Every adjustment is on ``plan.adjustments`` and in the findings,
      and its rule ids are on the steps.
    - ``renal_policy``: a choice of ``renal_dose`` (default ``vlavonou2014``); adults only.
    - ``weight_policy``: a choice of ``crcl_weight`` for Cockcroft-Gault (default ``actual``).

    Raises ``InputError``/``InputTypeError`` for bad input (``E_MISSING_INPUT`` names a patient
    value a rule needs), ``HardLimitError`` for a hard limit, ``OverrideRequired`` for soft
    limits crossed without an override.
    """
    rules = default_rules() if rules is None else rules
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    if product is not None:
        from baclofen_dose.oral.products import (
            realize_plan,  # products imports this module's neighbours only
        )

        plain = plan_titration(
            start=start,
            target=target,
            step=step,
            interval=interval,
            times_per_day=times_per_day,
            max_policy=max_policy,
            overrides=overrides,
            rules=rules,
            patient=patient,
            renal_policy=renal_policy,
            weight_policy=weight_policy,
        )
        return realize_plan(plain, product, rules)
    if patient is None:
        for name, value in (("renal_policy", renal_policy), ("weight_policy", weight_policy)):
            if value is not None:
                raise InputError(
                    name, value, "no value without a patient (pass patient=)", code="E_NO_PATIENT"
                )
        return _plan_adult(
            start, target, step, interval, times_per_day, max_policy, overrides, rules, None
        )
    if not isinstance(patient, Patient):
        raise InputTypeError(
            "patient", patient, "a Patient from Patient.from_inputs() or Patient.from_birth_date()"
        )
    check_plausible(patient, rules)
    group = population(patient, rules)
    if group == "child":
        for name, value in (
            ("max_policy", max_policy),
            ("renal_policy", renal_policy),
            ("weight_policy", weight_policy),
        ):
            if value is not None:
                raise InputError(
                    name,
                    value,
                    "no value for a child: the child profile has its own age-band maxima and the "
                    "rule data has no renal rule for children",
                    code="E_OUT_OF_SCOPE",
                )
        return _plan_child(start, target, step, interval, times_per_day, overrides, rules, patient)
    assessment = renal.assess(
        patient, renal_policy=renal_policy, weight_policy=weight_policy, rules=rules
    )
    return _plan_adult(
        start,
        target,
        step,
        interval,
        times_per_day,
        max_policy,
        overrides,
        rules,
        _Adult(patient, group, assessment),
    )


class _Adult:
    """An adult patient for the adult planner: the patient, population and renal assessment."""

    def __init__(self, patient: Patient, group: str, assessment: renal.RenalAssessment) -> None:
        self.patient = patient
        self.group = group
        self.assessment = assessment


def _doses(daily: Fraction, n: int, grid: Fraction) -> tuple[Fraction, ...]:
    return OralRegimen.split(daily, n, grid=grid).doses_mg


def _floor_to(value: Fraction, grid: Fraction) -> Fraction:
    """``value`` rounded down to a whole multiple of ``grid`` (never up across a limit)."""
    return grid * (value // grid)


def _ladder(
    start_daily: Fraction,
    step: Fraction,
    target: Fraction,
    grid: Fraction,
    n_usual: int,
    first_ids: list[str],
    step_ids: list[str],
    *,
    n_max: int,
    add_dose_above: Fraction | None,
) -> list[tuple[OralRegimen, list[str]]]:
    """The daily amounts from the start to the target, each split into doses on the grid.

    As many doses a day as the grid allows, up to ``n_usual``; above ``add_dose_above`` per
    dose a further dose is added, up to ``n_max``. The dose count never goes down.
    """
    n = min(n_usual, int(start_daily // grid))
    ladder = [(OralRegimen.split(start_daily, n, grid=grid), list(first_ids))]
    daily = start_daily
    while daily < target:
        daily = min(daily + step, target)
        ids = list(step_ids)
        n = max(n, min(n_usual, int(daily // grid)))
        if add_dose_above is not None:
            while n < n_max and daily > add_dose_above * n:
                n += 1
                if _PREFIX + "frequency.add_dose_above" not in ids:
                    ids.append(_PREFIX + "frequency.add_dose_above")
        ladder.append((OralRegimen.split(daily, n, grid=grid), ids))
    return ladder


def _date(
    ladder: list[tuple[OralRegimen, list[str]]],
    first_day: date,
    days: Fraction,
    rules: RuleSet,
    check: LimitCheck,
    used: list[str],
) -> list[tuple[date, date | None, OralRegimen, list[str]]]:
    """Dates for each rung (the last open-ended), refusing plans beyond ``schedule.horizon``."""
    horizon = rules["schedule.horizon"]
    used.append(horizon.id)
    last_start = days * (len(ladder) - 1)
    check.hard_max(horizon, last_start, units.DAYS, "days from the first day to the last step")
    try:
        first_day + timedelta(days=int(last_start) + int(days))
    except OverflowError:
        raise InputError(
            "start",
            first_day.isoformat(),
            "a first day that leaves room for the whole schedule before the year 9999",
            problem="is too late: the schedule would run past the last representable date",
            code="E_SCHEDULE",
        ) from None
    dated = []
    for index, (regimen, ids) in enumerate(ladder):
        begin = first_day + timedelta(days=int(days) * index)
        is_last = index == len(ladder) - 1
        end = None if is_last else begin + timedelta(days=int(days) - 1)
        dated.append((begin, end, regimen, ids))
    return dated


def _not_givable(
    field: str, raw: Fraction, grid_rule: Rule, smallest: Fraction, why: str
) -> InputError:
    """The refusal when a reduced amount rounds down below the smallest givable amount."""
    return InputError(
        field,
        display.estimate(raw, units.ORAL_DAILY_DOSE),
        f"at least {display.amount(smallest, units.ORAL_DAILY_DOSE)} (whole multiples of "
        f"{display.amount(grid_rule.require_value(), units.ORAL_DOSE)}, rule {grid_rule.id}); "
        "choose another policy or plan without this adjustment: no dose is guessed",
        problem=f"({why}) rounds down below the smallest givable amount",
        code="E_NOT_GIVABLE",
    )


def _rounded(
    what: str,
    raw: Fraction,
    given: Fraction,
    grid_rule: Rule,
    kind: units.Kind = units.ORAL_DAILY_DOSE,
) -> Finding:
    """The finding recorded when a reduced amount is rounded down to the dose grid."""
    return legacy_finding(
        grid_rule.id,
        "warning",
        f"The {what} works out at {display.estimate(raw, kind)}, which is not a whole multiple "
        f"of {display.amount(grid_rule.require_value(), units.ORAL_DOSE)}: rounded down to "
        f"{display.amount(given, kind)}.",
        grid_rule.citation,
    )


def _plan_adult(
    start: date | str,
    target: object,
    step: object,
    interval: object,
    times_per_day: int | None,
    max_policy: str | None,
    overrides: Mapping[str, str] | None,
    rules: RuleSet,
    adult: _Adult | None,
) -> OralPlan:
    """The adult plan: the label ladder, reduced by the renal assessment when there is one."""
    check = LimitCheck(rules, parse_overrides(overrides, rules))
    used: list[str] = []

    def rule(suffix: str) -> Rule:
        found = rules[_PREFIX + suffix]
        used.append(found.id)
        return found

    first_day = parse_date(start, "start")

    policy, daily_max, dose_max = select_max_policy(rules, max_policy)
    used.append(daily_max.id)
    if dose_max is not None:
        used.append(dose_max.id)
    hard_daily = rule("max_daily.hard")
    grid_rule = rule("dose.grid")
    grid = grid_rule.require_value()

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

    usual_start = start_dose * n
    daily = usual_start
    usual_step = step_mg
    ceiling = daily_max.require_value()
    findings: list[Finding] = []
    adjustments: list[Adjustment] = []
    renal_ids: list[str] = []
    assessment = None if adult is None else adult.assessment
    if assessment is not None:
        daily, step_mg, ceiling, renal_ids = _renal_amounts(
            assessment, rules, grid_rule, usual_start, step_mg, ceiling, findings, adjustments
        )
        used += [*assessment.rule_ids, *renal_ids]

    wants_max = isinstance(target, str) and target.lower() == "max"
    target_mg = ceiling if wants_max else units.parse(target, units.ORAL_DAILY_DOSE, "target")
    check.hard_max(hard_daily, target_mg, units.ORAL_DAILY_DOSE, "target")
    _on_grid(target_mg, grid, "target", target, units.ORAL_DAILY_DOSE)

    if target_mg < daily:
        first_n = min(n, int(daily // grid))
        raise InputError(
            "target",
            target,
            f"at least the starting dose, {display.amount(daily, units.ORAL_DAILY_DOSE)} "
            f"({display.dose_list(_doses(daily, first_n, grid), units.ORAL_DOSE)} "
            f"{display.times_a_day(first_n)})",
            problem="is below the starting dose, and a titration only goes up",
            code="E_TARGET_BELOW_START",
        )

    # Build the ladder of (regimen, rule ids) pairs, then date it.
    first_ids = [_PREFIX + "start.dose", _PREFIX + "dose.grid"]
    if chosen_n is None:
        first_ids.append(_PREFIX + "start.times_per_day")
    else:
        first_ids += [_PREFIX + "times_per_day.min", _PREFIX + "times_per_day.max"]
    if assessment is not None and step is None and step_mg != usual_step:
        step_ids = [assessment.fraction_rule or _PREFIX + "titration.step.label"]
    else:
        step_ids = [_PREFIX + ("titration.step.label" if step is None else "titration.step.max")]
    step_ids += [
        _PREFIX + ("titration.interval.label" if interval is None else "titration.interval.min"),
        _PREFIX + "dose.grid",
    ]
    first_ids += renal_ids
    step_ids += [rid for rid in renal_ids if rid not in step_ids and ".start" not in rid]
    ladder = _ladder(
        daily,
        step_mg,
        target_mg,
        grid,
        n,
        first_ids,
        step_ids,
        n_max=n_max,
        add_dose_above=add_dose_above,
    )
    ladder[-1][1].append(daily_max.id)
    if assessment is not None:
        _record_frequency(ladder, n, chosen_n, rules, adjustments, findings)

    steps: list[Step] = []
    for begin, end, regimen, ids in _date(ladder, first_day, days, rules, check, used):
        check.hard_max(hard_daily, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        if dose_max is not None:
            for amount in regimen.doses_mg:
                check.soft_max(dose_max, amount, units.ORAL_DOSE, "a single dose of")
        check.soft_max(daily_max, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        if assessment is not None:
            _renal_limits(assessment, rules, ceiling, regimen.daily_mg, check)
        steps.append(Step(begin, end, regimen, tuple(dict.fromkeys(ids))))
        used += ids

    patient_findings = findings
    findings = list(check.finish())
    if adult is not None:
        findings += list(adult.assessment.findings) + patient_findings
    if chosen_n is not None and chosen_n > label_n:
        findings.append(_start_above_label(rules, steps[0].regimen, start_dose, label_n))
    advice_ids = ["oral.withdrawal.abrupt"]
    if adult is None:
        advice_ids.append(_PREFIX + "no_patient_adjustment")
    advice_ids.append(_PREFIX + "lowest_effective")
    default_daily, _ = _policy_rules(rules, rules.policy_default(MAX_POLICY))
    for advice_id in advice_ids:
        findings.append(advice(rules[advice_id]))
        used.append(advice_id)
    if daily_max.require_value() > default_daily.require_value():
        findings.append(advice(rules[_PREFIX + "policy_above_label"]))
        used.append(_PREFIX + "policy_above_label")
    if adult is not None:
        findings += _adult_findings(adult, rules, steps, used)

    inputs = [
        ("start", first_day.isoformat()),
        (
            "target",
            f"max ({display.amount(target_mg, units.ORAL_DAILY_DOSE)})"
            if wants_max
            else display.amount(target_mg, units.ORAL_DAILY_DOSE),
        ),
        ("step", display.amount(usual_step, units.ORAL_DAILY_DOSE)),
        ("interval", display.day_count(int(days))),
        ("times_per_day", "label default" if chosen_n is None else str(chosen_n)),
        ("max_policy", policy),
    ]
    if adult is not None:
        inputs += _patient_inputs(adult.patient, adult.group, adult.assessment)
    return OralPlan(
        purpose="titration",
        steps=tuple(steps),
        findings=tuple(findings),
        overrides=tuple(check.overrides.values()),
        max_policy=policy,
        provenance=Provenance.of(rules, used, inputs),
        population=None if adult is None else adult.group,
        renal_policy=None if adult is None else adult.assessment.policy,
        adjustments=tuple(adjustments),
    )


def _renal_amounts(
    assessment: renal.RenalAssessment,
    rules: RuleSet,
    grid_rule: Rule,
    usual_start: Fraction,
    usual_step: Fraction,
    usual_max: Fraction,
    findings: list[Finding],
    adjustments: list[Adjustment],
) -> tuple[Fraction, Fraction, Fraction, list[str]]:
    """(start, step, maximum, rule ids) after the renal policy: never higher, always givable.

    Each amount is the usual one times the policy's fraction (and no more than its cap),
    rounded down to the dose grid; the rounding is a finding naming the grid rule. An amount
    that rounds below the smallest givable amount is refused (``E_NOT_GIVABLE``).
    """
    grid = grid_rule.require_value()
    fraction = assessment.fraction
    ids: list[str] = []
    if assessment.fraction_rule is not None:
        ids.append(assessment.fraction_rule)
    policy = assessment.policy
    results = []
    for what, usual, cap, cap_rule in (
        ("start", usual_start, assessment.start_cap, assessment.start_cap_rule),
        ("step", usual_step, None, None),
        ("maximum", usual_max, assessment.max_cap, assessment.max_cap_rule),
    ):
        raw = usual * fraction
        reasons = []
        rule_ids = list(ids)
        if assessment.fraction_rule is not None and fraction != 1:
            reasons.append(
                f"{display.ratio(fraction)} of the usual (rule {assessment.fraction_rule})"
            )
        if cap is not None and cap_rule is not None and cap < raw:
            raw = cap
            reasons = [
                f"no more than {display.amount(cap, units.ORAL_DAILY_DOSE)} (rule {cap_rule})"
            ]
            rule_ids = [cap_rule]
            ids.append(cap_rule)
        given = _floor_to(raw, grid)
        if given < grid:
            shown = display.estimate(raw, units.ORAL_DAILY_DOSE)
            why = f"the {what} {shown} under renal policy {policy}"
            raise _not_givable(f"renal_policy {policy}", raw, grid_rule, grid, why)
        if given != raw:
            findings.append(_rounded(f"reduced {what} for kidney function", raw, given, grid_rule))
            rule_ids.append(grid_rule.id)
        if given != usual:
            adjustments.append(
                Adjustment(
                    what=what,
                    quantity="oral.daily_dose",
                    before=usual,
                    after=given,
                    rule_ids=tuple(dict.fromkeys(rule_ids)),
                    reason=f"renal policy {policy}: "
                    + "; ".join(reasons)
                    + (
                        f"; rounded down to the {display.amount(grid, units.ORAL_DOSE)} grid"
                        if given != raw
                        else ""
                    ),
                )
            )
        results.append(given)
    start, step, maximum = results
    if maximum < start:
        maximum = start
    return start, step, maximum, list(dict.fromkeys(ids))


def _renal_limits(
    assessment: renal.RenalAssessment,
    rules: RuleSet,
    ceiling: Fraction,
    daily: Fraction,
    check: LimitCheck,
) -> None:
    """Soft limits of the renal policy: the reduced maximum, a dialysis cap, AJKD's avoidance."""
    if assessment.max_cap_rule is not None and assessment.max_cap is not None:
        check.soft_max_at(
            rules[assessment.max_cap_rule],
            assessment.max_cap,
            daily,
            units.ORAL_DAILY_DOSE,
            "daily dose on dialysis",
        )
    elif assessment.fraction_rule is not None:
        check.soft_max_at(
            rules[assessment.fraction_rule],
            ceiling,
            daily,
            units.ORAL_DAILY_DOSE,
            f"daily dose with {assessment.band} renal impairment",
        )
    if assessment.avoid_rule is not None:
        avoid = rules[assessment.avoid_rule]
        if assessment.avoid_value is None:
            check.soft_condition(avoid, units.EGFR, "renal function", "on dialysis")
        else:
            check.soft_min(avoid, assessment.avoid_value, units.EGFR, "eGFR")


def _record_frequency(
    ladder: list[tuple[OralRegimen, list[str]]],
    n: int,
    chosen_n: int | None,
    rules: RuleSet,
    adjustments: list[Adjustment],
    findings: list[Finding],
) -> None:
    """Record (and cite) fewer doses a day than usual when a reduced amount is too small."""
    minimum = rules["oral.renal.times_per_day.min"]
    first = ladder[0][0]
    if first.times_per_day >= n:
        return
    for regimen, ids in ladder:
        if regimen.times_per_day < n:
            ids.append(minimum.id)
    adjustments.append(
        Adjustment(
            what="times_per_day",
            quantity="oral.times_per_day",
            before=Fraction(n),
            after=Fraction(first.times_per_day),
            rule_ids=(minimum.id, _PREFIX + "dose.grid"),
            reason=(
                f"the reduced start {display.amount(first.daily_mg, units.ORAL_DAILY_DOSE)} is "
                f"too little for {n} doses on the "
                f"{display.amount(rules[_PREFIX + 'dose.grid'].require_value(), units.ORAL_DOSE)} "
                "grid: fewer doses, each no larger than usual"
            ),
        )
    )
    chosen = "" if chosen_n is None else f" ({n} were chosen)"
    findings.append(
        legacy_finding(
            minimum.id,
            "warning",
            f"Fewer doses a day than usual{chosen}: the plan starts with "
            f"{display.dose_list(first.doses_mg, units.ORAL_DOSE)} "
            f"{display.times_a_day(first.times_per_day)}, because the reduced daily amount is too "
            "small to divide further on the dose grid.",
            minimum.citation,
        )
    )


def _adult_findings(
    adult: _Adult, rules: RuleSet, steps: list[Step], used: list[str]
) -> list[Finding]:
    """Renal and older-adult findings: the policy's reasons, Muanda 2019, onset, tolerance."""
    assessment = adult.assessment
    findings: list[Finding] = []
    first_daily = steps[0].regimen.daily_mg
    highest = max(s.regimen.daily_mg for s in steps)
    egfr = assessment.egfr
    muanda_egfr = rules["renal.muanda2019.egfr_below"]
    muanda_start = rules["renal.muanda2019.start_daily"]
    used += [muanda_egfr.id, muanda_start.id]
    older = display.estimate(rules["population.older_adult.from_age"].require_value(), units.YEARS)
    if (
        egfr is not None
        and egfr.value < muanda_egfr.require_value()
        and first_daily >= muanda_start.require_value()
    ):
        findings.append(
            legacy_finding(
                muanda_start.id,
                "warning",
                f"The plan starts at {display.amount(first_daily, units.ORAL_DAILY_DOSE)} with "
                f"eGFR {egfr.shown}: in adults {older} and older with eGFR below "
                f"{display.amount(muanda_egfr.require_value(), units.EGFR)}: starts of "
                f"{display.amount(muanda_start.require_value(), units.ORAL_DAILY_DOSE)} or more "
                "carried a higher risk of encephalopathy (Muanda 2019). Consider a lower start.",
                muanda_start.citation,
            )
        )
    if assessment.reduced:
        onset = rules["renal.el_husseini2011.onset"]
        findings.append(advice(onset))
        used.append(onset.id)
    if adult.group == "older_adult":
        caution = rules["oral.older_adult.caution"]
        findings.append(advice(caution))
        used.append(caution.id)
        note = rules["oral.older_adult.tolerance_note"]
        used.append(note.id)
        if highest > note.require_value():
            findings.append(
                legacy_finding(
                    note.id,
                    "warning",
                    f"This plan reaches {display.amount(highest, units.ORAL_DAILY_DOSE)}. Older "
                    f"people are often said to rarely tolerate more than about "
                    f"{display.amount(note.require_value(), units.ORAL_DAILY_DOSE)} "
                    "(attributed to AGS 2009; NOT VERIFIED): a reason to go slowly and review, "
                    "not a limit.",
                    note.citation,
                )
            )
    return findings


def _patient_inputs(
    patient: Patient, group: str, assessment: renal.RenalAssessment | None
) -> list[tuple[str, str]]:
    """Normalised patient inputs and renal estimates for provenance (house units)."""
    inputs = [*patient.describe(), ("population", group)]
    if assessment is not None:
        inputs += [
            ("renal_policy", assessment.policy),
            ("weight_policy", assessment.weight_policy),
            ("renal_band", assessment.band),
        ]
        if assessment.crcl is not None:
            weight = assessment.crcl.weight
            basis = "" if weight is None else f", {weight.policy} weight {weight.shown}"
            inputs.append(("crcl", f"{assessment.crcl.shown} (Cockcroft-Gault{basis})"))
        if assessment.egfr is not None:
            inputs.append(("egfr", f"{assessment.egfr.shown} (CKD-EPI 2021)"))
    return inputs


def _plan_child(
    start: date | str,
    target: object,
    step: object,
    interval: object,
    times_per_day: int | None,
    overrides: Mapping[str, str] | None,
    rules: RuleSet,
    patient: Patient,
) -> OralPlan:
    """A child's plan (UK SmPC, L18): weight based start and maximum, weekly steps, age bands."""
    check = LimitCheck(rules, parse_overrides(overrides, rules))
    used: list[str] = []
    prefix = "oral.child."

    def rule(suffix: str) -> Rule:
        found = rules[prefix + suffix]
        used.append(found.id)
        return found

    first_day = parse_date(start, "start")
    if patient.dialysis:
        raise InputError(
            "patient.dialysis",
            True,
            "a child not on dialysis: the rule data has no dialysis rule for children",
            problem="is not covered",
            code="E_OUT_OF_SCOPE",
        )
    if patient.weight_kg is None:
        raise missing("patient.weight", "a weight such as '20 kg'", "a child's weight-based dose")
    assert patient.age_years is not None
    weight = patient.weight_kg
    grid_rule = rule("dose.grid")
    grid = grid_rule.require_value()
    findings: list[Finding] = []
    adjustments: list[Adjustment] = []

    n_min = rule("times_per_day.min")
    n_max_rule = rule("times_per_day.max")
    if times_per_day is None:
        n = int(rule("times_per_day.preferred").require_value())
    else:
        if isinstance(times_per_day, bool) or not isinstance(times_per_day, int):
            raise InputTypeError("times_per_day", times_per_day, "a whole number of doses a day")
        check.hard_min(n_min, Fraction(times_per_day), units.PER_DAY, "times_per_day")
        check.hard_max(n_max_rule, Fraction(times_per_day), units.PER_DAY, "times_per_day")
        n = times_per_day
    smallest = grid * n_min.require_value()

    per_kg = rule("start.per_kg")
    raw_start = per_kg.require_value() * weight
    daily = _floor_to(raw_start, grid)
    if daily < smallest:
        why = (
            f"the start {display.amount(per_kg.require_value(), units.ORAL_DAILY_DOSE_PER_KG)} x "
            f"{display.estimate(weight, units.WEIGHT)} = "
            f"{display.estimate(raw_start, units.ORAL_DAILY_DOSE)}"
        )
        raise _not_givable("patient.weight", raw_start, grid_rule, smallest, why)
    start_ids = [per_kg.id, grid_rule.id, n_min.id]
    if daily != raw_start:
        findings.append(_rounded("weight-based start", raw_start, daily, grid_rule))
    adjustments.append(
        Adjustment(
            "start",
            "oral.daily_dose",
            None,
            daily,
            (per_kg.id, grid_rule.id),
            f"{display.amount(per_kg.require_value(), units.ORAL_DAILY_DOSE_PER_KG)} x "
            f"{display.estimate(weight, units.WEIGHT)}, rounded down to whole mg",
        )
    )

    step_max_rule = rule("titration.step.max_per_kg")
    step_limit = step_max_rule.require_value() * weight
    if step is None:
        step_rule = rule("titration.step.per_kg")
        raw_step = step_rule.require_value() * weight
        step_mg = _floor_to(raw_step, grid)
        if step_mg < grid:
            raise _not_givable("step", raw_step, grid_rule, grid, "the weekly step")
        if step_mg != raw_step:
            findings.append(_rounded("weekly step", raw_step, step_mg, grid_rule))
        step_ids = [step_rule.id]
    else:
        step_mg = units.parse(step, units.ORAL_DAILY_DOSE, "step")
        _on_grid(step_mg, grid, "step", step, units.ORAL_DAILY_DOSE, grid_rule.id)
        step_ids = [step_max_rule.id]
    if step_mg > step_limit:
        raise HardLimitError(
            step_max_rule.id,
            display.amount(step_mg, units.ORAL_DAILY_DOSE),
            display.estimate(step_limit, units.ORAL_DAILY_DOSE)
            + f" ({display.amount(step_max_rule.require_value(), units.ORAL_DAILY_DOSE_PER_KG)}"
            f" x {display.estimate(weight, units.WEIGHT)})",
            what="step",
        )
    adjustments.append(
        Adjustment(
            "step",
            "oral.daily_dose",
            None,
            step_mg,
            tuple(step_ids),
            "weekly step for the child's weight (the UK SmPC gives no step size)"
            if step is None
            else "the chosen step, within the largest step per kg",
        )
    )

    if interval is None:
        interval_rule = rule("titration.interval")
        days = interval_rule.require_value()
    else:
        days = units.parse(interval, units.DAYS, "interval")
        if days.denominator != 1:
            raise InputError("interval", interval, "a whole number of days", code="E_SCHEDULE")
        interval_rule = rule("titration.interval.min")
    check.hard_min(rule("titration.interval.min"), days, units.DAYS, "interval")
    step_ids += [interval_rule.id, grid_rule.id]
    adjustments.append(
        Adjustment(
            "interval",
            "interval",
            None,
            days,
            (interval_rule.id,),
            "increases at about 1-week intervals (UK SmPC)",
        )
    )

    band_age = rule("age_band").require_value()
    band = rule("max_daily.under_8" if patient.age_years < band_age else "max_daily.from_8")
    per_kg_max = rule("maintenance.max_per_kg")
    maintenance_low = rule("maintenance.min_per_kg")
    weight_max = _floor_to(per_kg_max.require_value() * weight, grid)
    ceiling = min(weight_max, band.require_value())
    adjustments.append(
        Adjustment(
            "maximum",
            "oral.daily_dose",
            None,
            ceiling,
            (band.id, per_kg_max.id),
            f"the lower of {display.amount(band.require_value(), units.ORAL_DAILY_DOSE)} (age "
            f"{display.estimate(patient.age_years, units.YEARS)}) and "
            f"{display.amount(per_kg_max.require_value(), units.ORAL_DAILY_DOSE_PER_KG)} x "
            f"{display.estimate(weight, units.WEIGHT)}, rounded down to whole mg",
        )
    )

    wants_max = isinstance(target, str) and target.lower() == "max"
    target_mg = ceiling if wants_max else units.parse(target, units.ORAL_DAILY_DOSE, "target")
    check.hard_max(band, target_mg, units.ORAL_DAILY_DOSE, "target")
    _on_grid(target_mg, grid, "target", target, units.ORAL_DAILY_DOSE, grid_rule.id)
    if target_mg < daily:
        raise InputError(
            "target",
            target,
            f"at least the weight-based start, {display.amount(daily, units.ORAL_DAILY_DOSE)}",
            problem="is below the starting dose, and a titration only goes up",
            code="E_TARGET_BELOW_START",
        )

    ladder = _ladder(
        daily,
        step_mg,
        target_mg,
        grid,
        n,
        start_ids,
        step_ids,
        n_max=n,
        add_dose_above=None,
    )
    ladder[-1][1].extend([band.id, per_kg_max.id])
    steps: list[Step] = []
    for begin, end, regimen, ids in _date(ladder, first_day, days, rules, check, used):
        check.hard_max(band, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        check.soft_max_at(
            per_kg_max,
            per_kg_max.require_value() * weight,
            regimen.daily_mg,
            units.ORAL_DAILY_DOSE,
            "daily dose",
        )
        steps.append(Step(begin, end, regimen, tuple(dict.fromkeys(ids))))
        used += ids

    findings = list(check.finish()) + findings
    for advice_id in ("oral.child.us_off_label", "oral.child.liquid", "oral.withdrawal.abrupt"):
        findings.append(advice(rules[advice_id]))
        used.append(advice_id)
    low = maintenance_low.require_value() * weight
    high = per_kg_max.require_value() * weight
    findings.append(
        legacy_finding(
            maintenance_low.id,
            "info",
            f"Usual maintenance (UK SmPC): "
            f"{display.amount(maintenance_low.require_value(), units.ORAL_DAILY_DOSE_PER_KG)} to "
            f"{display.amount(per_kg_max.require_value(), units.ORAL_DAILY_DOSE_PER_KG)}, that is "
            f"{display.estimate(low, units.ORAL_DAILY_DOSE)} to "
            f"{display.estimate(high, units.ORAL_DAILY_DOSE)} for "
            f"{display.estimate(weight, units.WEIGHT)}; maximum "
            f"{display.amount(band.require_value(), units.ORAL_DAILY_DOSE)} at this age.",
            maintenance_low.citation,
        )
    )
    if patient.scr_mg_dl is not None:
        findings.append(advice(rules["oral.child.renal_not_assessed"]))
        used.append("oral.child.renal_not_assessed")

    inputs = [
        ("start", first_day.isoformat()),
        ("target", display.amount(target_mg, units.ORAL_DAILY_DOSE)),
        (
            "step",
            "weight based" if step is None else display.amount(step_mg, units.ORAL_DAILY_DOSE),
        ),
        ("interval", display.day_count(int(days))),
        ("times_per_day", "child default" if times_per_day is None else str(times_per_day)),
        ("max_policy", CHILD_MAX_POLICY),
        *_patient_inputs(patient, "child", None),
    ]
    return OralPlan(
        purpose="titration",
        steps=tuple(steps),
        findings=tuple(findings),
        overrides=tuple(check.overrides.values()),
        max_policy=CHILD_MAX_POLICY,
        provenance=Provenance.of(rules, used, inputs),
        population="child",
        renal_policy=None,
        adjustments=tuple(adjustments),
    )


def _start_above_label(
    rules: RuleSet, first: OralRegimen, start_dose: Fraction, label_n: int
) -> Finding:
    """The finding recorded when a chosen frequency makes the first day exceed the label's."""
    rule = rules[_PREFIX + "start.times_per_day"]
    return legacy_finding(
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
