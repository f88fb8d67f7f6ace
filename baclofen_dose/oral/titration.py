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

import itertools
import math
from collections.abc import Mapping
from datetime import date, timedelta
from fractions import Fraction
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import (
    HardLimitError,
    InputError,
    InputTypeError,
    MissingInputError,
    RuleSetError,
)
from baclofen_dose.core.kernel import (
    RoundMode,
    add_days,
    exceeds,
    on_grid,
    round_to_grid,
    rules_or_default,
)
from baclofen_dose.core.limits import (
    Finding,
    LimitCheck,
    advice,
    parse_date,
    parse_overrides,
)
from baclofen_dose.core.memo import MEMO_SIZE
from baclofen_dose.core.model import Amount, ParamValue, Reason, Style
from baclofen_dose.core.rules import Rule, RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import DateInput, OverridesInput, ProductsInput, QuantityInput
from baclofen_dose.oral import renal
from baclofen_dose.oral.counselling import counselling
from baclofen_dose.oral.patient import Patient, check_plausible, missing, population
from baclofen_dose.oral.regimen import Adjustment, OralPlan, OralRegimen, Provenance, Step

if TYPE_CHECKING:
    from baclofen_dose.oral.products import Product

__all__ = [
    "ADOLESCENT_POLICY",
    "CHILD_MAX_POLICY",
    "MAX_POLICY",
    "OLDER_POLICY",
    "adolescent_kidney",
    "adolescent_ladder_finding",
    "adolescent_policy_applies",
    "adolescent_policy_name",
    "adolescent_schedule",
    "plan_titration",
]

RULES: Final = requires(
    __name__,
    {
        "oral.adult.dose.grid": "oral.dose",
        "oral.adult.frequency.add_dose_above": "oral.dose",
        "oral.adult.lowest_effective": None,
        "oral.adult.max_daily.hard": "oral.daily_dose",
        "oral.adult.no_patient_adjustment": None,
        "oral.adult.no_patient_adjustment.above_label": None,
        "oral.adult.policy_above_label": None,
        "oral.adult.start.dose": "oral.dose",
        "oral.adult.start.times_per_day": "oral.times_per_day",
        "oral.adult.times_per_day.fewer_than_label": None,
        "oral.adult.times_per_day.max": "oral.times_per_day",
        "oral.adult.times_per_day.min": "oral.times_per_day",
        "oral.adult.titration.interval.label": "interval",
        "oral.adult.titration.interval.min": "interval",
        "oral.adult.titration.step.label": "oral.step",
        "oral.adult.titration.step.max": "oral.step",
        "oral.adult.titration.step.min": "oral.step",
        "oral.child.age_band": "age",
        "oral.child.dose.grid": "oral.dose",
        "oral.child.liquid": None,
        "oral.child.maintenance.max_per_kg": "oral.daily_dose_per_kg",
        "oral.child.maintenance.min_per_kg": "oral.daily_dose_per_kg",
        "oral.child.max_daily.from_8": "oral.daily_dose",
        "oral.child.max_daily.under_8": "oral.daily_dose",
        "oral.adolescent.dialysis_not_planned": None,
        "oral.child.renal_not_assessed": None,
        "oral.child.start.per_kg": "oral.daily_dose_per_kg",
        "oral.child.times_per_day.max": "oral.times_per_day",
        "oral.child.times_per_day.min": "oral.times_per_day",
        "oral.child.times_per_day.preferred": "oral.times_per_day",
        "oral.child.titration.interval": "interval",
        "oral.child.titration.interval.min": "interval",
        "oral.child.titration.step.max_per_kg": "oral.step_per_kg",
        "oral.child.titration.step.per_dose": "oral.dose",
        "oral.child.titration.step.per_kg": "oral.step_per_kg",
        "oral.child.us_off_label": None,
        "oral.older_adult.beers2023.egfr_below": "renal.egfr",
        "oral.older_adult.caution": None,
        "oral.older_adult.interval": "interval",
        "oral.older_adult.interval.min": "interval",
        "oral.older_adult.tolerance_note": "oral.daily_dose",
        "oral.older_adult.tolerance_note.high": "oral.daily_dose",
        "oral.renal.start.below_grid": "oral.times_per_day",
        "oral.renal.times_per_day.min": "oral.times_per_day",
        "oral.withdrawal.abrupt": None,
        "population.adolescent.us_label_from": "age",
        "population.older_adult.from_age": "age",
        "renal.el_husseini2011.onset": None,
        "renal.end_stage.toxicity": None,
        "renal.muanda2019.cohort_age": "age",
        "renal.muanda2019.egfr_below": "renal.egfr",
        "renal.muanda2019.start_daily": "oral.daily_dose",
        "schedule.horizon": "schedule.length",
    },
)


MAX_POLICY = "oral_max_daily"
OLDER_POLICY = "older_adult_schedule"
# What a child's plan records as its maximum policy: the age band of the UK SmPC (issue 3).
CHILD_MAX_POLICY = "child_age_band"
_PREFIX = "oral.adult."


@cache  # per rule set and policy name: few, and a rule set is immutable and hashed by SHA-256
def _policy_rules(rules: RuleSet, policy: str) -> tuple[Rule, Rule | None]:
    """The selected policy's daily soft maximum and (if it has one) its per-dose soft maximum."""
    # The rule set's index (built once per rule set), not a scan of every rule per call.
    daily = rules.select(
        kind="soft_max", quantity="oral.daily_dose", population="adult", policy=policy
    )
    per_dose = rules.select(
        kind="soft_max", quantity="oral.dose", population="adult", policy=policy
    )
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
        raise InputTypeError("times_per_day", value, "a whole number of doses a day (1 to 4)")
    count = Fraction(value)
    check.hard_min(rules[_PREFIX + "times_per_day.min"], count, units.PER_DAY, "times_per_day")
    check.soft_max(rules[_PREFIX + "times_per_day.max"], count, units.PER_DAY, "times_per_day")
    return value


def _daily(value: Fraction, style: Style = "exact") -> Amount:
    """A daily oral amount (mg/day)."""
    return Amount(value, units.ORAL_DAILY_DOSE, style)


def _dose(value: Fraction) -> Amount:
    """One oral dose (mg)."""
    return Amount(value, units.ORAL_DOSE)


def _on_grid(
    value: Fraction,
    grid: Fraction,
    field: str,
    raw: object,
    kind: units.Kind,
    grid_id: str = _PREFIX + "dose.grid",
) -> None:
    if not on_grid(value, grid):
        raise InputError(
            field,
            raw,
            "a whole multiple of {grid} (rule {rule}), so every dose can be given",
            problem="is {value}, which is not on the dose grid",
            params={"grid": _dose(grid), "rule": grid_id, "value": Amount(value, kind)},
            code="E_NOT_GIVABLE",
            rule_id=grid_id,
        )


def plan_titration(
    *,
    start: DateInput,
    target: QuantityInput,
    step: QuantityInput | None = None,
    interval: QuantityInput | None = None,
    times_per_day: int | None = None,
    max_policy: str | None = None,
    overrides: OverridesInput | None = None,
    rules: RuleSet | None = None,
    product: ProductsInput | None = None,
    patient: Patient | None = None,
    renal_policy: str | None = None,
    weight_policy: str | None = None,
    older_adult_policy: str | None = None,
    adolescent_policy: str | None = None,
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
      a dose the products cannot give exactly is refused, never rounded. A renal start below
      one dose of the adult grid (Cheong 2020's 2.5 mg/day on dialysis) is planned only with
      products that measure it, once a day on their grid (rule ``oral.renal.start.below_grid``).
    - ``patient``: a :class:`~baclofen_dose.oral.patient.Patient` (issue 3). Without one the plan is
      the adult label schedule and says it takes no account of the patient
      (``oral.adult.no_patient_adjustment``). With one: a child (under 18) gets the UK SmPC
      weight-based profile (``oral.child.*``); an adult gets the renal dose policy applied to
      start, step and maximum (``renal.*``), and an older adult (65 and over) also the
      older-adult schedule (``older_adult_schedule``) and findings. Every adjustment is on
      ``plan.adjustments`` and in the findings, and its rule ids are on the steps.
    - ``renal_policy``: a choice of ``renal_dose`` (default ``vlavonou2014``); adults only.
    - ``weight_policy``: a choice of ``crcl_weight`` for Cockcroft-Gault (default ``actual``).
    - ``older_adult_policy``: a choice of ``older_adult_schedule`` (default
      ``start_low_go_slow``: weekly steps from 65, rule ``oral.older_adult.interval``).

    Raises ``InputError``/``InputTypeError`` for bad input (``E_MISSING_INPUT`` names a patient
    value a rule needs), ``HardLimitError`` for a hard limit, ``OverrideRequired`` for soft
    limits crossed without an override.
    """
    rules = rules_or_default(rules)
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    if patient is not None and not isinstance(patient, Patient):
        raise InputTypeError(
            "patient", patient, "a Patient from Patient.from_inputs() or Patient.from_birth_date()"
        )
    if product is not None:
        from baclofen_dose.oral.products import (  # products imports this module's neighbours only
            child_tablet_limit,
            choose_products,
            realize_plan,
        )

        tablet_findings, rest = child_tablet_limit(product, patient, overrides, rules)
        plain = _plan(
            start,
            target,
            step,
            interval,
            times_per_day,
            max_policy,
            rest,
            rules,
            patient,
            _Policies(renal_policy, weight_policy, older_adult_policy, adolescent_policy),
            _Chosen(choose_products(product, rules), product),
        )
        return realize_plan(plain, product, rules, tablet_findings)
    return _plan(
        start,
        target,
        step,
        interval,
        times_per_day,
        max_policy,
        overrides,
        rules,
        patient,
        _Policies(renal_policy, weight_policy, older_adult_policy, adolescent_policy),
        None,
    )


@attrs.frozen
class _Chosen:
    """The products a plan is given with, and the names as the caller gave them."""

    products: tuple[Product, ...]
    spec: object


@attrs.frozen
class _Policies:
    """The patient policies a plan was asked for (names, or None for the defaults)."""

    renal: str | None
    weight: str | None
    older_adult: str | None
    adolescent: str | None


def _plan(
    start: DateInput,
    target: QuantityInput,
    step: QuantityInput | None,
    interval: QuantityInput | None,
    times_per_day: int | None,
    max_policy: str | None,
    overrides: OverridesInput | None,
    rules: RuleSet,
    patient: Patient | None,
    policies: _Policies,
    products: _Chosen | None,
) -> OralPlan:
    """:func:`plan_titration` without products; ``products`` (the chosen ones, or None) only
    let an adult's renal start below one dose of the adult grid be measured on their grid."""
    renal_policy, weight_policy = policies.renal, policies.weight
    older_adult_policy, adolescent_policy = policies.older_adult, policies.adolescent
    if patient is None:
        for name, value in (
            ("renal_policy", renal_policy),
            ("weight_policy", weight_policy),
            ("older_adult_policy", older_adult_policy),
            ("adolescent_policy", adolescent_policy),
        ):
            if value is not None:
                raise InputError(
                    name, value, "no value without a patient (pass patient=)", code="E_NO_PATIENT"
                )
        return _plan_adult(
            start, target, step, interval, times_per_day, max_policy, overrides, rules, None
        )
    check_plausible(patient, rules)
    group = population(patient, rules)
    if adolescent_schedule(
        patient,
        adolescent_policy,
        rules,
        renal_policy=renal_policy,
        weight_policy=weight_policy,
        older_adult_policy=older_adult_policy,
        max_policy=max_policy,
    ):
        plan = _adolescent_adult(
            start, target, step, interval, times_per_day, max_policy, overrides, rules, patient
        )
        kidney = adolescent_kidney(patient, rules)
        if not kidney:
            return plan
        return attrs.evolve(
            plan,
            findings=(*plan.findings, *kidney),
            provenance=Provenance.of(
                rules,
                [*plan.provenance.rule_ids, *(f.rule_id for f in kidney)],
                plan.provenance.inputs,
            ),
        )
    if group == "child":
        for name, value in (
            ("max_policy", max_policy),
            ("renal_policy", renal_policy),
            ("weight_policy", weight_policy),
            ("older_adult_policy", older_adult_policy),
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
        _Adult(
            patient, group, assessment, _older_policy(rules, group, older_adult_policy), products
        ),
    )


def _older_policy(rules: RuleSet, group: str, chosen: str | None) -> str | None:
    """The ``older_adult_schedule`` choice for an older adult (None for other adults)."""
    if group != "older_adult":
        if chosen is not None:
            raise InputError(
                "older_adult_policy",
                chosen,
                "no value: the patient is younger than the older-adult age",
                code="E_OUT_OF_SCOPE",
            )
        return None
    if chosen is None:
        return rules.policy_default(OLDER_POLICY)
    if chosen not in rules.policy_choices(OLDER_POLICY):
        raise InputError(
            "older_adult_policy",
            chosen,
            "one of " + ", ".join(rules.policy_choices(OLDER_POLICY)),
            code="E_POLICY",
        )
    return chosen


class _Adult:
    """An adult patient for the adult planner: the patient, population and renal assessment."""

    def __init__(
        self,
        patient: Patient,
        group: str,
        assessment: renal.RenalAssessment,
        older_policy: str | None,
        products: _Chosen | None = None,
    ) -> None:
        self.patient = patient
        self.group = group
        self.assessment = assessment
        self.older_policy = older_policy
        self.products = products


def _doses(daily: Fraction, n: int, grid: Fraction) -> tuple[Fraction, ...]:
    return OralRegimen.split(daily, n, grid=grid).doses_mg


def _floor_to(value: Fraction, grid: Fraction) -> Fraction:
    """``value`` rounded down to a whole multiple of ``grid`` (never up across a limit)."""
    return round_to_grid(value, grid, RoundMode.DOWN)


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

    The arithmetic is on whole numbers of grid units (issue 8 item 10: integer sub-units where
    Fractions are not needed): every rung is a whole multiple of the grid, so this is exact.
    The rungs are a pure function of the arguments and regimens are immutable, so the same
    ladder is built once and shared, as :meth:`OralRegimen.split` shares a split; each call
    gets its own lists of rule ids, which the planners extend.
    """
    # The memo is keyed by whole numbers: hashing five Fractions cost more than the key.
    shared = _shared_ladder(
        _grid_units(start_daily, grid),
        _grid_units(step, grid),
        _grid_units(target, grid),
        (grid.numerator, grid.denominator),
        n_usual,
        tuple(first_ids),
        tuple(step_ids),
        n_max,
        None if add_dose_above is None else (add_dose_above.numerator, add_dose_above.denominator),
    )
    return [(regimen, list(ids)) for regimen, ids in shared]


@lru_cache(maxsize=MEMO_SIZE)
def _shared_ladder(
    daily: int,
    step_u: int,
    target_u: int,
    grid_ratio: tuple[int, int],
    n_usual: int,
    first_ids: tuple[str, ...],
    step_ids: tuple[str, ...],
    n_max: int,
    above_ratio: tuple[int, int] | None,
) -> tuple[tuple[OralRegimen, tuple[str, ...]], ...]:
    """The ladder in grid units (``daily``, ``step_u``, ``target_u``); the grid and the
    add-a-dose threshold as (numerator, denominator)."""
    grid = Fraction(*grid_ratio)
    # ``add_dose_above * k`` in grid units, as (floor, ceiling, whole?) for every dose count
    # the ladder can reach: integer comparisons against a threshold that may be off the grid.
    above: dict[int, tuple[int, int, bool]] = {}
    add_dose_above = None if above_ratio is None else Fraction(*above_ratio)
    if above_ratio is not None:
        num = above_ratio[0] * grid_ratio[1]
        den = above_ratio[1] * grid_ratio[0]
        for k in range(1, n_max + 1):  # n + 1 is read only while n < n_max
            low, rest = divmod(num * k, den)
            above[k] = (low, low + (rest != 0), rest == 0)
    add_id = _PREFIX + "frequency.add_dose_above"
    n = min(n_usual, daily)
    ladder = [(_regimen(daily, n, grid), list(first_ids))]
    while daily < target_u:
        full = False
        if above and n < n_max:
            low, _, whole = above[n]
            full = whole and daily == low
        if full and target_u >= above[n + 1][1]:
            # Every dose is at the per-dose threshold: the label's next step adds a dose of
            # that size (20 mg 3 times a day -> 20 mg 4 times a day, a +20 mg/day step).
            n += 1
            daily, _, whole = above[n]
            if not whole:
                raise ValueError(f"{add_dose_above} mg doses are off the {grid} mg dose grid")
            ladder.append((_regimen(daily, n, grid), [*step_ids, add_id]))
            continue
        daily = min(daily + step_u, target_u)
        ids = list(step_ids)
        n = max(n, min(n_usual, daily))
        if above:
            while n < n_max and daily > above[n][0]:
                n += 1
                if add_id not in ids:
                    ids.append(add_id)
        ladder.append((_regimen(daily, n, grid), ids))
    return tuple((regimen, tuple(ids)) for regimen, ids in ladder)


def _grid_units(value: Fraction, grid: Fraction) -> int:
    """``value`` as a whole number of ``grid`` units (a rung off the grid cannot be split)."""
    count, rest = divmod(value.numerator * grid.denominator, value.denominator * grid.numerator)
    if rest:
        raise ValueError(f"{value} mg/day is not a whole multiple of the {grid} mg dose grid")
    return count


def _regimen(count: int, n: int, grid: Fraction) -> OralRegimen:
    """``count`` grid units a day in ``n`` doses (shared, immutable regimens)."""
    return OralRegimen.split_units(count, n, grid)


def _reasons(
    ladder: list[tuple[OralRegimen, list[str]]], start: Reason, step: Fraction, usual: Reason
) -> list[Reason]:
    """What made each rung: ``start`` for the first, ``usual`` for a full step, and
    ``LAST_STEP`` for a smaller last one (the target reached without overshooting it)."""
    reasons = [start]
    for (before, _), (after, _) in itertools.pairwise(ladder):
        if _is_step(before.daily_mg, after.daily_mg, step):
            reasons.append(usual)
            continue
        change = after.daily_mg - before.daily_mg
        if change > step and after.times_per_day > before.times_per_day:
            reasons.append(
                Reason(
                    "ADD_DOSE",
                    {
                        "change": _daily(change),
                        "dose": _dose(after.doses_mg[-1]),
                        "times": after.times_per_day,
                        "rule": _PREFIX + "frequency.add_dose_above",
                    },
                )
            )
        else:
            reasons.append(Reason("LAST_STEP", {"change": _daily(change), "step": _daily(step)}))
    return reasons


def _is_step(before: Fraction, after: Fraction, step: Fraction) -> bool:
    """``after - before == step``, in integers (no Fraction built for the usual rung)."""
    den = before.denominator * after.denominator
    return (after.numerator * before.denominator - before.numerator * after.denominator) * (
        step.denominator
    ) == step.numerator * den


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
    whole = int(days)
    add_days(first_day, int(last_start) + whole, "start")
    every, span = timedelta(days=whole), timedelta(days=whole - 1)
    dated: list[tuple[date, date | None, OralRegimen, list[str]]] = []
    begin = first_day
    for regimen, ids in ladder:
        dated.append((begin, begin + span, regimen, ids))
        begin += every
    last_begin, _, last_regimen, last_ids = dated[-1]
    dated[-1] = (last_begin, None, last_regimen, last_ids)
    return dated


def _not_givable(
    field: str,
    value: object,
    why: str,
    params: Mapping[str, ParamValue],
    grid_rule: Rule,
    smallest: Fraction,
) -> InputError:
    """The refusal when a reduced amount rounds down below the smallest givable amount.

    ``why`` is a template (filled from ``params``) saying which amount it was; the message
    goes on "which rounds down below the smallest givable amount".
    """
    return InputError(
        field,
        value,
        "at least {smallest} (whole multiples of {grid}, rule {grid_rule}); choose another "
        "policy or plan without this adjustment: no dose is guessed",
        problem=why + ", which rounds down below the smallest givable amount",
        params={
            **params,
            "smallest": _daily(smallest),
            "grid": _dose(grid_rule.require_value()),
            "grid_rule": grid_rule.id,
        },
        code="E_NOT_GIVABLE",
        rule_id=grid_rule.id,
    )


def _rounded(
    code: str,
    raw: Fraction,
    given: Fraction,
    grid_rule: Rule,
    grid: Fraction | None = None,
    what: str | None = None,
    times: int | None = None,
) -> Finding:
    """The finding recorded when an amount is rounded down to the dose grid (``code``:
    ``ROUNDED_DOWN_CHILD_START``, ``ROUNDED_DOWN_CHILD_STEP``, ``ROUNDED_DOWN_RENAL``);
    ``grid`` when it is not the rule's value (a product's own grid); ``times`` the equal doses
    of a day the amount is split into (a child's daily amount is a multiple of grid x times)."""
    params: dict[str, ParamValue] = {} if what is None else {"what": what}
    if times is not None:
        params["times"] = times
    return Finding(
        grid_rule.id,
        "warning",
        code,
        {
            **params,
            "raw": _daily(raw, "estimate"),
            "grid": _dose(grid_rule.require_value() if grid is None else grid),
            "given": _daily(given),
        },
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
    start_rule = rule("start.dose")
    start_dose = start_rule.require_value()
    if not on_grid(start_dose, grid):
        raise RuleSetError(_PREFIX + "start.dose", "is not a multiple of oral.adult.dose.grid")
    # The first day's total is never above the label's start (issue 10 item 10): 4 doses a day
    # chosen start at the label's 15 mg/day, in as many doses as the grid allows, and the
    # plan gives the 4th dose as soon as the daily total can be split into 4.
    first_total = start_dose * min(n, label_n)
    check.hard_max(hard_daily, first_total, units.ORAL_DAILY_DOSE, "first day's total")
    add_dose_above = rule("frequency.add_dose_above").require_value()
    n_max = int(rule("times_per_day.max").require_value())

    if step is None:
        step_mg = rule("titration.step.label").require_value()
    else:
        step_mg = units.parse(step, units.ORAL_DAILY_DOSE, "step")
    step_max = rule("titration.step.max")
    if step is not None:
        check.soft_min(rule("titration.step.min"), step_mg, units.ORAL_DAILY_DOSE, "step")
        check.soft_max(step_max, step_mg, units.ORAL_DAILY_DOSE, "step")
    if step_mg.numerator <= 0:  # a Fraction's sign is its numerator's (no Fraction compare)
        raise InputError("step", step, "a positive daily increase", code="E_SCHEDULE")
    _on_grid(step_mg, grid, "step", step, units.ORAL_DAILY_DOSE)

    if interval is None:
        days = rule("titration.interval.label").require_value()
    else:
        days = units.parse(interval, units.DAYS, "interval")
        if days.denominator != 1:
            raise InputError("interval", interval, "a whole number of days", code="E_SCHEDULE")
    if interval is not None:
        check.soft_min(rule("titration.interval.min"), days, units.DAYS, "interval")
    if days.numerator <= 0:
        raise InputError("interval", interval, "a positive whole number of days", code="E_SCHEDULE")
    renal_interval_id: str | None = None
    slow = None if adult is None else adult.assessment
    if slow is not None and slow.interval is not None:
        if interval is None:
            assert slow.interval_rule is not None  # set together with interval
            days = max(days, slow.interval)
            renal_interval_id = slow.interval_rule
        elif slow.interval_min_rule is not None:
            check.soft_min(rules[slow.interval_min_rule], days, units.DAYS, "interval")
            renal_interval_id = slow.interval_min_rule
        if renal_interval_id is not None:
            used.append(renal_interval_id)
    older_ids: list[str] = []
    if adult is not None and adult.older_policy == "start_low_go_slow":
        slow_rule = rules["oral.older_adult.interval"]
        if interval is None:
            if slow_rule.require_value() > days:
                older_ids.append(slow_rule.id)
                days = slow_rule.require_value()
        else:
            floor = rules["oral.older_adult.interval.min"]
            check.soft_min(floor, days, units.DAYS, "interval for an older adult")
            older_ids.append(floor.id)
        used += older_ids

    usual_start = first_total
    daily = usual_start
    usual_step = step_mg
    ceiling = daily_max.require_value()
    findings: list[Finding] = []
    adjustments: list[Adjustment] = []
    renal_ids: list[str] = []
    low: _LowStart | None = None
    assessment = None if adult is None else adult.assessment
    if assessment is not None:
        assert adult is not None  # for mypy: an assessment comes with the adult
        daily, step_mg, ceiling, renal_ids, low = _renal_amounts(
            assessment,
            rules,
            grid_rule,
            usual_start,
            step_mg,
            ceiling,
            findings,
            adjustments,
            adult.products,
        )
        used += [*assessment.rule_ids, *renal_ids]
    if older_ids and interval is None:
        label_days = rules[_PREFIX + "titration.interval.label"].require_value()
        adjustments.append(
            Adjustment(
                what="interval",
                quantity="interval",
                before=label_days,
                after=days,
                rule_ids=tuple(older_ids),
                reason=Reason(
                    "OLDER_INTERVAL",
                    {"policy": "start_low_go_slow", "days": Amount(days, units.DAYS)},
                ),
            )
        )

    wants_max = isinstance(target, str) and target.lower() == "max"
    target_mg = ceiling if wants_max else units.parse(target, units.ORAL_DAILY_DOSE, "target")
    check.hard_max(hard_daily, target_mg, units.ORAL_DAILY_DOSE, "target")
    _on_grid(target_mg, grid, "target", target, units.ORAL_DAILY_DOSE)

    if exceeds(daily, target_mg):
        first_n = max(1, min(n, int(daily // grid)))
        raise InputError(
            "target",
            target,
            "at least the starting dose, {start} ({doses:doses} {n:times})",
            problem="is below the starting dose, and a titration only goes up",
            params={
                "start": _daily(daily),
                "doses": tuple(_dose(d) for d in _doses(daily, first_n, grid)),
                "n": first_n,
            },
            code="E_TARGET_BELOW_START",
        )

    # Build the ladder of (regimen, rule ids) pairs, then date it.
    first_ids = [_PREFIX + "start.dose", _PREFIX + "dose.grid"]
    if chosen_n is None:
        first_ids.append(_PREFIX + "start.times_per_day")
    else:
        first_ids += [_PREFIX + "times_per_day.min", _PREFIX + "times_per_day.max"]
    step_adjusted = assessment is not None and step_mg != usual_step
    if step_adjusted and step is None:
        assert assessment is not None  # for mypy: step_adjusted says so
        step_ids = [assessment.fraction_rule or _PREFIX + "titration.step.label"]
    else:
        step_ids = [_PREFIX + ("titration.step.label" if step is None else "titration.step.max")]
    step_ids += [
        _PREFIX + ("titration.interval.label" if interval is None else "titration.interval.min"),
        _PREFIX + "dose.grid",
    ]
    first_ids += renal_ids
    if low is not None:
        first_ids.append(low.rule_id)
        used.append(low.rule_id)
    step_ids += [rid for rid in renal_ids if rid not in step_ids and ".start" not in rid]
    if renal_interval_id is not None:
        step_ids.append(renal_interval_id)
    step_ids += older_ids
    if low is None:
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
    else:
        # A start below one dose of the grid (measured on the products' grid): the next rung
        # is back on the grid, at most one step up, and the ladder goes on from there.
        back = min(_floor_to(daily + step_mg, grid), target_mg)
        ladder = [
            (low.regimen, first_ids),
            *_ladder(
                back,
                step_mg,
                target_mg,
                grid,
                n,
                step_ids,
                step_ids,
                n_max=n_max,
                add_dose_above=add_dose_above,
            ),
        ]
    ladder[-1][1].append(daily_max.id)
    if assessment is not None:
        _record_frequency(ladder, n, chosen_n, rules, adjustments, findings)
    start_params: dict[str, ParamValue] = {"dose": _dose(start_dose), "rule": start_rule.id}
    if daily is not usual_start and daily != usual_start:  # the same object unless adjusted
        first_reason = Reason("START_PATIENT", {**start_params, "usual": _daily(usual_start)})
    else:
        first_reason = Reason("START_LABEL", start_params)
    if step_adjusted:
        usual_reason = Reason("PATIENT_STEP", {"step": _daily(step_mg)})
    elif step is None:
        usual_reason = Reason(
            "LABEL_STEP", {"step": _daily(step_mg), "rule": _PREFIX + "titration.step.label"}
        )
    else:
        usual_reason = Reason(
            "CHOSEN_STEP",
            {
                "step": _daily(step_mg),
                "limit": _daily(step_max.require_value()),
                "rule": step_max.id,
            },
        )
    reasons = _reasons(ladder, first_reason, step_mg, usual_reason)
    if low is not None and len(ladder) > 1:
        reasons[1] = Reason(
            "BACK_TO_GRID",
            {
                "change": _daily(ladder[1][0].daily_mg - daily),
                "grid": _dose(grid),
                "step": _daily(step_mg),
                "rule": grid_rule.id,
            },
        )

    steps: list[Step] = []
    dated = _date(ladder, first_day, days, rules, check, used)
    for (begin, end, regimen, ids), why in zip(dated, reasons, strict=True):
        check.hard_max(hard_daily, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        if dose_max is not None:
            # The largest dose of the day: a soft maximum records the largest crossing anyway.
            check.soft_max(dose_max, regimen.largest_mg, units.ORAL_DOSE, "a single dose of")
        check.soft_max(daily_max, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        if assessment is not None:
            _renal_limits(assessment, rules, ceiling, regimen.daily_mg, check)
        steps.append(Step(begin, end, regimen, tuple(dict.fromkeys(ids)), why))
        used += ids

    patient_findings = findings
    findings = list(check.finish())
    if adult is not None:
        findings += list(adult.assessment.findings) + patient_findings
    if chosen_n is not None and assessment is None and steps[0].regimen.times_per_day < chosen_n:
        findings.append(_chosen_times_from(rules, steps, chosen_n, grid))
    if low is not None:
        findings.append(_low_start_finding(low, daily, grid, rules, adult))
    fewer = rules[_PREFIX + "times_per_day.fewer_than_label"]
    if chosen_n is not None and chosen_n < label_n:
        findings.append(advice(fewer))
        used.append(fewer.id)
    elif low is not None and low.regimen.times_per_day < label_n:
        # Nobody chose fewer doses: the kidney-function start is too small to split, so the
        # sentence says so (the rule's advice text speaks of a chosen count).
        findings.append(
            Finding(
                fewer.id,
                fewer.severity or "info",
                "FEWER_THAN_LABEL_LOW_START",
                {
                    "times": low.regimen.times_per_day,
                    "label": label_n,
                    "start": _daily(daily),
                    "grid": _dose(grid),
                },
                fewer.citation,
            )
        )
        used.append(fewer.id)
    advice_ids = ["oral.withdrawal.abrupt"]
    label_max = rules.policy_default(MAX_POLICY)
    label_bound = _policy_rules(rules, label_max)[0].require_value()
    above_label = any(exceeds(s.regimen.daily_mg, label_bound) for s in steps)
    if adult is None:
        # Never "this is the adult label schedule" for a plan above the US maximum (issue 10).
        advice_ids.append(
            _PREFIX
            + ("no_patient_adjustment.above_label" if above_label else "no_patient_adjustment")
        )
    advice_ids.append(_PREFIX + "lowest_effective")
    default_daily, _ = _policy_rules(rules, rules.policy_default(MAX_POLICY))
    for advice_id in advice_ids:
        findings.append(advice(rules[advice_id]))
        used.append(advice_id)
    if exceeds(daily_max.require_value(), default_daily.require_value()):
        findings.append(advice(rules[_PREFIX + "policy_above_label"]))
        used.append(_PREFIX + "policy_above_label")
    if adult is not None:
        findings += _adult_findings(adult, rules, steps, used)
    counsel = counselling(rules, None if adult is None else adult.patient)
    findings += counsel
    used += [f.rule_id for f in counsel]

    defaults = tuple(
        name
        for name, value in (("step", step), ("interval", interval), ("times_per_day", chosen_n))
        if value is None
    )
    # A dict: the provenance takes its quick path (the order is kept; the patient's names,
    # patient.* and the renal estimates, are distinct from these).
    inputs: dict[str, ParamValue] = {
        "start": first_day,
        "target": _daily(target_mg),
        "target_is_max": wants_max,
        "step": _daily(usual_step),
        "interval": int(days),
        "times_per_day": n,
        "defaults": defaults,
        "max_policy": policy,
    }
    if adult is not None:
        inputs.update(_patient_inputs(adult.patient, adult.group, adult.assessment))
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
    products: _Chosen | None = None,
) -> tuple[Fraction, Fraction, Fraction, list[str], _LowStart | None]:
    """(start, step, maximum, rule ids, low start) after the renal policy: never higher,
    always givable.

    Each amount is the usual one times the policy's fraction (and no more than its cap),
    rounded down to the dose grid; the rounding is a finding naming the grid rule. An amount
    that rounds below the smallest givable amount is refused (``E_NOT_GIVABLE``), except a
    start below one dose of the grid that the chosen products can measure (Cheong 2020's
    2.5 mg/day on dialysis with a liquid): see :func:`_low_start`.
    """
    grid = grid_rule.require_value()
    low: _LowStart | None = None
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
        raw = usual if fraction == 1 else usual * fraction  # the same value, one product less
        code = "RENAL_FRACTION"
        params: dict[str, ParamValue] = {
            "policy": policy,
            "fraction": fraction,
            "rule": assessment.fraction_rule or "",
        }
        rule_ids = list(ids)
        if cap is not None and cap_rule is not None and exceeds(raw, cap):
            raw = cap
            code = "RENAL_CAP"
            params = {"policy": policy, "cap": _daily(cap), "rule": cap_rule}
            rule_ids = [cap_rule]
            ids.append(cap_rule)
        given = _floor_to(raw, grid)
        if given < grid and what == "start":
            low = _low_start(policy, raw, rules, grid_rule, products)
            given = low.regimen.daily_mg
            rule_ids.append(low.rule_id)
            if given != raw:
                findings.append(
                    _rounded("ROUNDED_DOWN_RENAL", raw, given, rules[low.rule_id], low.grid, what)
                )
                code += "_ROUNDED"
                params["grid"] = _dose(low.grid)
        elif given < grid:
            raise _not_givable(
                "renal_policy",
                policy,
                "gives a {what} of {raw} for this patient",
                {"what": what, "raw": _daily(raw, "estimate")},
                grid_rule,
                grid,
            )
        elif given != raw:
            findings.append(_rounded("ROUNDED_DOWN_RENAL", raw, given, grid_rule, what=what))
            rule_ids.append(grid_rule.id)
            code += "_ROUNDED"
            params["grid"] = _dose(grid)
        if exceeds(usual, given) or exceeds(given, usual):  # integer tests, no Fraction compare
            adjustments.append(
                Adjustment(
                    what=what,
                    quantity="oral.daily_dose",
                    before=usual,
                    after=given,
                    rule_ids=tuple(dict.fromkeys(rule_ids)),
                    reason=Reason(code, params),
                )
            )
        results.append(given)
    start, step, maximum = results
    if exceeds(start, maximum):
        maximum = start
    return start, step, maximum, list(dict.fromkeys(ids)), low


LOW_START_RULE = "oral.renal.start.below_grid"


def _low_start_finding(
    low: _LowStart, daily: Fraction, grid: Fraction, rules: RuleSet, adult: _Adult | None
) -> Finding:
    """Why the plan starts below one dose of the grid, and how that start is given."""
    rule = rules[low.rule_id]
    return Finding(
        rule.id,
        "warning",
        "RENAL_START_BELOW_GRID",
        {
            "policy": "" if adult is None else adult.assessment.policy,
            "start": _daily(daily),
            "grid": _dose(grid),
            "doses": tuple(_dose(d) for d in low.regimen.doses_mg),
            "times": low.regimen.times_per_day,
            "measure": _dose(low.grid),
        },
        rule.citation,
    )


@attrs.frozen
class _LowStart:
    """A renal start below one dose of the adult grid, measured on the products' grid."""

    regimen: OralRegimen
    grid: Fraction
    rule_id: str


def _finest(products: tuple[Product, ...]) -> Fraction:
    """The greatest amount every piece of ``products`` is a whole multiple of (0.5 mg for
    a 1 mg/mL solution measured to 0.5 mL; 5 mg for 5 mg and 10 mg scored tablets)."""
    steps = [p.step_mg for p in products]
    den = math.lcm(*(f.denominator for f in steps))
    return Fraction(math.gcd(*(int(f * den) for f in steps)), den)


def _low_start(
    policy: str,
    raw: Fraction,
    rules: RuleSet,
    grid_rule: Rule,
    chosen: _Chosen | None,
) -> _LowStart:
    """A renal start below one dose of the adult grid (rule ``oral.renal.start.below_grid``,
    a DESIGN reading): the doses a day are what the adult grid gives for it, that is the
    rule's value (one dose), each measured on the chosen products' own grid and rounded down
    to it. Refused (``E_NOT_GIVABLE``) without the rule or without products that give it,
    naming the catalogue products that do (a liquid)."""
    from baclofen_dose.oral.products import catalogue, realize_exact

    products = () if chosen is None else chosen.products
    if LOW_START_RULE in rules and products:
        rule = rules[LOW_START_RULE]
        count = int(rule.require_value())
        fine = _finest(products)
        given = _floor_to(raw, fine)
        if given >= fine * count:
            regimen = OralRegimen.split(given, count, grid=fine)
            if all(realize_exact(d, products) is not None for d in regimen.doses_mg):
                return _LowStart(regimen, fine, rule.id)
    able = [p for p in catalogue(rules) if realize_exact(raw, (p,)) is not None]
    by_form: dict[str, list[Amount]] = {}
    for product in able:
        by_form.setdefault(product.form, []).append(product.amount)
    params: dict[str, ParamValue] = {name: tuple(amounts) for name, amounts in by_form.items()}
    names = [f"the {form.replace('_', ' ')} of {{{form}:doses}}" for form in by_form]
    field, value = ("renal_policy", policy) if chosen is None else ("product", chosen.spec)
    able_text = " or ".join(names) if names else "none in the catalogue"
    raise InputError(
        field,
        value,
        "a product that measures it, such as " + able_text + " (rule {low}; the adult grid "
        "is rule {grid_rule}): no dose is guessed",
        problem="cannot give the {policy} start of {raw} for this patient, which is less than "
        "one {grid} dose of the adult ladder"
        if products
        else "gives a start of {raw} for this patient, which is less than one {grid} dose "
        "of the adult ladder",
        params={
            **params,
            "policy": policy,
            "raw": _daily(raw, "estimate"),
            "grid": _dose(grid_rule.require_value()),
            "grid_rule": grid_rule.id,
            "low": LOW_START_RULE,
        },
        code="E_NOT_GIVABLE",
        rule_id=grid_rule.id,
    )


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
            "daily dose on dialysis"
            if assessment.dialysis
            else f"daily dose with {assessment.band.replace('_', '-')} kidney failure",
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
    grid = rules[_PREFIX + "dose.grid"].require_value()
    adjustments.append(
        Adjustment(
            what="times_per_day",
            quantity="oral.times_per_day",
            before=Fraction(n),
            after=Fraction(first.times_per_day),
            rule_ids=(minimum.id, _PREFIX + "dose.grid"),
            reason=Reason(
                "FEWER_DOSES", {"start": _daily(first.daily_mg), "usual": n, "grid": _dose(grid)}
            ),
        )
    )
    findings.append(
        Finding(
            minimum.id,
            "warning",
            "FEWER_DOSES" if chosen_n is None else "FEWER_DOSES_CHOSEN",
            {
                "doses": tuple(_dose(d) for d in first.doses_mg),
                "times": first.times_per_day,
                "intended": n,
            },
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
    if (
        egfr is not None
        and egfr.value < muanda_egfr.require_value()
        and first_daily >= muanda_start.require_value()
    ):
        older = rules["renal.muanda2019.cohort_age"].require_value()
        used.append("renal.muanda2019.cohort_age")
        findings.append(
            Finding(
                muanda_start.id,
                "warning",
                "MUANDA_START",
                {
                    "start": _daily(first_daily),
                    "egfr": egfr.amount,
                    "older": Amount(older, units.YEARS, "estimate"),
                    "egfr_below": Amount(muanda_egfr.require_value(), units.EGFR),
                    "risky_start": _daily(muanda_start.require_value()),
                },
                muanda_start.citation,
            )
        )
    elif (
        egfr is not None
        and egfr.value < muanda_egfr.require_value()
        and highest >= muanda_start.require_value()
    ):
        # A low start that climbs to 20 mg/day or more: the order check of those steps says
        # Muanda 2019, so the plan says it too (planning and checking agree).
        used.append("renal.muanda2019.cohort_age")
        findings.append(
            Finding(
                muanda_start.id,
                "warning",
                "MUANDA_REACHES",
                {
                    "highest": _daily(highest),
                    "egfr": egfr.amount,
                    "older": Amount(
                        rules["renal.muanda2019.cohort_age"].require_value(),
                        units.YEARS,
                        "estimate",
                    ),
                    "egfr_below": Amount(muanda_egfr.require_value(), units.EGFR),
                    "risky": _daily(muanda_start.require_value()),
                },
                muanda_start.citation,
            )
        )
    if assessment.band == "end_stage":
        toxicity = rules["renal.end_stage.toxicity"]
        findings.append(advice(toxicity))
        used.append(toxicity.id)
    elif assessment.reduced:
        onset = rules["renal.el_husseini2011.onset"]
        findings.append(advice(onset))
        used.append(onset.id)
    if adult.group == "older_adult":
        caution = rules["oral.older_adult.caution"]
        findings.append(advice(caution))
        used.append(caution.id)
        note = rules["oral.older_adult.tolerance_note"]
        high = rules["oral.older_adult.tolerance_note.high"]
        used += [note.id, high.id]
        if highest > note.require_value():
            findings.append(
                Finding(
                    note.id,
                    "warning",
                    "OLDER_TOLERANCE",
                    {
                        "highest": _daily(highest),
                        "tolerated": _daily(note.require_value()),
                        "tolerated_high": _daily(high.require_value()),
                    },
                    note.citation,
                )
            )
        if adult.older_policy == "start_low_go_slow":
            slow = rules["oral.older_adult.interval"]
            findings.append(
                Finding(
                    slow.id,
                    "info",
                    "OLDER_SCHEDULE",
                    {
                        "policy": "start_low_go_slow",
                        "days": Amount(slow.require_value(), units.DAYS),
                        "age": Amount(
                            rules["population.older_adult.from_age"].require_value(),
                            units.YEARS,
                            "estimate",
                        ),
                    },
                    slow.citation,
                )
            )
        beers = rules["oral.older_adult.beers2023.egfr_below"]
        used.append(beers.id)
        if assessment.dialysis:
            findings.append(
                Finding(beers.id, "warning", "BEERS_KIDNEY_DIALYSIS", {}, beers.citation)
            )
        elif egfr is not None and egfr.value < beers.require_value():
            findings.append(
                Finding(
                    beers.id,
                    "warning",
                    "BEERS_KIDNEY",
                    {"egfr": egfr.amount, "below": Amount(beers.require_value(), units.EGFR)},
                    beers.citation,
                )
            )
    return findings


def _patient_inputs(
    patient: Patient, group: str, assessment: renal.RenalAssessment | None
) -> list[tuple[str, ParamValue]]:
    """The patient's values and renal estimates for provenance: exact amounts, kinds, policies.

    ``crcl`` and ``egfr`` are exact computed values (shown rounded by render/);
    ``crcl_weight`` is the body weight Cockcroft-Gault used under ``weight_policy``.
    """
    inputs: list[tuple[str, ParamValue]] = [*patient.describe(), ("population", group)]
    if assessment is not None:
        inputs += [
            ("renal_policy", assessment.policy),
            ("weight_policy", assessment.weight_policy),
            ("renal_band", assessment.band),
        ]
        if assessment.crcl is not None:
            inputs.append(("crcl", assessment.crcl.amount))
            weight = assessment.crcl.weight
            if weight is not None:
                inputs.append(("crcl_weight", Amount(weight.kg, units.WEIGHT, "estimate")))
        if assessment.egfr is not None:
            inputs.append(("egfr", assessment.egfr.amount))
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
    weight_amount = Amount(weight, units.WEIGHT, "estimate")
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
    # The doses of a day are equal (issue 10 item 10): every daily amount is a whole multiple
    # of the dose grid times the doses a day.
    daily_grid = grid * n
    smallest = daily_grid
    band_age = rule("age_band").require_value()
    from_8 = patient.age_years >= band_age

    per_kg = rule("start.per_kg")
    per_kg_amount = Amount(per_kg.require_value(), units.ORAL_DAILY_DOSE_PER_KG)
    raw_start = per_kg.require_value() * weight
    daily = _floor_to(raw_start, daily_grid)
    if daily < smallest:
        raise _not_givable(
            "patient.weight",
            weight_amount,
            "gives a start of {per_kg} x {weight} = {raw}",
            {
                "per_kg": per_kg_amount,
                "weight": weight_amount,
                "raw": _daily(raw_start, "estimate"),
            },
            grid_rule,
            smallest,
        )
    start_ids = [per_kg.id, grid_rule.id]
    # Never above the adult label (issue 10 item 3): start at most 5 mg 3 times a day.
    adult_start = (
        rules[_PREFIX + "start.dose"].require_value()
        * rules[_PREFIX + "start.times_per_day"].require_value()
    )
    if daily > adult_start:
        findings.append(_adult_cap("start", daily, adult_start, rules[_PREFIX + "start.dose"]))
        daily = _floor_to(adult_start, daily_grid)
        start_ids.append(_PREFIX + "start.dose")
        used.append(_PREFIX + "start.dose")
    if daily != raw_start:
        findings.append(
            _rounded("ROUNDED_DOWN_CHILD_START", raw_start, daily, grid_rule, times=n)
        )
    adjustments.append(
        Adjustment(
            "start",
            "oral.daily_dose",
            None,
            daily,
            (per_kg.id, grid_rule.id),
            Reason("CHILD_START", {"per_kg": per_kg_amount, "weight": weight_amount}),
        )
    )

    # The weekly step by age (clinical.md 16, S15): per kg of body weight under 8 years,
    # 5 mg more per dose from 8 years; never more than the adult label's step.
    step_max_rule = rule("titration.step.per_dose" if from_8 else "titration.step.max_per_kg")
    step_limit = step_max_rule.require_value() * (n if from_8 else weight)
    if step is None:
        step_rule = step_max_rule if from_8 else rule("titration.step.per_kg")
        raw_step = step_rule.require_value() * (n if from_8 else weight)
        step_mg = _floor_to(raw_step, daily_grid)
        if step_mg < daily_grid:
            raise _not_givable(
                "step",
                _daily(raw_step, "estimate"),
                "(the weekly step for {weight})",
                {"weight": weight_amount},
                grid_rule,
                daily_grid,
            )
        if step_mg != raw_step:
            findings.append(
                _rounded("ROUNDED_DOWN_CHILD_STEP", raw_step, step_mg, grid_rule, times=n)
            )
        step_ids = [step_rule.id]
        label_step = rules[_PREFIX + "titration.step.label"]
        if step_mg > label_step.require_value():
            findings.append(_adult_cap("step", step_mg, label_step.require_value(), label_step))
            step_mg = _floor_to(label_step.require_value(), daily_grid)
            step_ids.append(label_step.id)
            used.append(label_step.id)
    else:
        step_mg = units.parse(step, units.ORAL_DAILY_DOSE, "step")
        _on_grid(step_mg, grid, "step", step, units.ORAL_DAILY_DOSE, grid_rule.id)
        step_ids = [step_max_rule.id]
    if from_8:
        check.soft_max(step_max_rule, step_mg / n, units.ORAL_DOSE, "step per dose")
    elif step_mg > step_limit:
        raise HardLimitError(
            step_max_rule.id,
            _daily(step_mg),
            _daily(step_limit, "estimate"),
            what="step",
            problem="would cross the hard limit {limit} ({per_kg} x {weight})",
            params={
                "limit": _daily(step_limit, "estimate"),
                "per_kg": Amount(step_max_rule.require_value(), units.ORAL_DAILY_DOSE_PER_KG),
                "weight": weight_amount,
            },
        )
    adjustments.append(
        Adjustment(
            "step",
            "oral.daily_dose",
            None,
            step_mg,
            tuple(step_ids),
            Reason("CHILD_STEP_WEIGHT" if step is None else "CHILD_STEP_CHOSEN"),
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
            "interval", "interval", None, days, (interval_rule.id,), Reason("CHILD_INTERVAL")
        )
    )

    band = rule("max_daily.from_8" if from_8 else "max_daily.under_8")
    per_kg_max = rule("maintenance.max_per_kg")
    maintenance_low = rule("maintenance.min_per_kg")
    weight_max = _floor_to(per_kg_max.require_value() * weight, daily_grid)
    ceiling = _floor_to(min(weight_max, band.require_value()), daily_grid)
    per_kg_max_amount = Amount(per_kg_max.require_value(), units.ORAL_DAILY_DOSE_PER_KG)
    adjustments.append(
        Adjustment(
            "maximum",
            "oral.daily_dose",
            None,
            ceiling,
            (band.id, per_kg_max.id),
            Reason(
                "CHILD_MAXIMUM",
                {
                    "band": _daily(band.require_value()),
                    "age": Amount(patient.age_years, units.YEARS, "estimate"),
                    "per_kg": per_kg_max_amount,
                    "weight": weight_amount,
                },
            ),
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
            "at least the weight-based start, {start}",
            problem="is below the starting dose, and a titration only goes up",
            params={"start": _daily(daily)},
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
    reasons = _reasons(
        ladder,
        Reason(
            "START_WEIGHT", {"per_kg": per_kg_amount, "weight": weight_amount, "rule": per_kg.id}
        ),
        step_mg,
        Reason("PATIENT_STEP", {"step": _daily(step_mg)}),
    )
    steps: list[Step] = []
    dated = _date(ladder, first_day, days, rules, check, used)
    for (begin, end, regimen, ids), why in zip(dated, reasons, strict=True):
        check.hard_max(band, regimen.daily_mg, units.ORAL_DAILY_DOSE, "daily dose")
        check.soft_max_at(
            per_kg_max,
            per_kg_max.require_value() * weight,
            regimen.daily_mg,
            units.ORAL_DAILY_DOSE,
            "daily dose",
        )
        steps.append(Step(begin, end, regimen, tuple(dict.fromkeys(ids)), why))
        used += ids

    findings = list(check.finish()) + findings
    label = child_label_finding(rules, _need_age(patient))
    findings.append(label)
    used.append(label.rule_id)
    for advice_id in ("oral.child.liquid", "oral.withdrawal.abrupt"):
        findings.append(advice(rules[advice_id]))
        used.append(advice_id)
    findings.append(
        Finding(
            maintenance_low.id,
            "info",
            "CHILD_MAINTENANCE",
            {
                "low_per_kg": Amount(maintenance_low.require_value(), units.ORAL_DAILY_DOSE_PER_KG),
                "high_per_kg": per_kg_max_amount,
                "low": _daily(maintenance_low.require_value() * weight, "estimate"),
                "high": _daily(per_kg_max.require_value() * weight, "estimate"),
                "weight": weight_amount,
                "maximum": _daily(band.require_value()),
            },
            maintenance_low.citation,
        )
    )
    if patient.scr_mg_dl is not None:
        findings.append(advice(rules["oral.child.renal_not_assessed"]))
        used.append("oral.child.renal_not_assessed")
    counsel = counselling(rules, patient)
    findings += counsel
    used += [f.rule_id for f in counsel]

    defaults = tuple(
        name
        for name, value in (
            ("step", step),
            ("interval", interval),
            ("times_per_day", times_per_day),
        )
        if value is None
    )
    inputs: list[tuple[str, ParamValue]] = [
        ("start", first_day),
        ("target", _daily(target_mg)),
        ("target_is_max", wants_max),
        ("step", _daily(step_mg)),
        ("interval", int(days)),
        ("times_per_day", n),
        ("defaults", defaults),
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


def _adolescent_adult(
    start: date | str,
    target: object,
    step: object,
    interval: object,
    times_per_day: int | None,
    max_policy: str | None,
    overrides: Mapping[str, str] | None,
    rules: RuleSet,
    patient: Patient,
) -> OralPlan:
    """The US adult label ladder for a patient of 12 to under 18 (US labels are silent only
    under 12): the adult plan, with the finding and rule that allow it."""
    plan = _plan_adult(
        start, target, step, interval, times_per_day, max_policy, overrides, rules, None
    )
    from_age = rules["population.adolescent.us_label_from"]
    finding = adolescent_ladder_finding(rules, _need_age(patient))
    provenance = Provenance.of(
        rules,
        [*plan.provenance.rule_ids, from_age.id],
        [
            *plan.provenance.inputs,
            *patient.describe(),
            ("adolescent_policy", "us_adult_label"),
        ],
    )
    return attrs.evolve(plan, findings=(*plan.findings, finding), provenance=provenance)


ADOLESCENT_POLICY: Final = "adolescent_schedule"
"""The policy choosing an adolescent's schedule (``[policies.adolescent_schedule]``)."""


def adolescent_policy_applies(patient: Patient | None, rules: RuleSet) -> bool:
    """True for a patient an ``adolescent_policy`` may be given for: aged 12
    (``population.adolescent.us_label_from``) to under 18. A screen or a service that sets
    the policy for every order passes it only for these patients (others are refused)."""
    if patient is None or patient.age_years is None:
        return False
    from_age = rules["population.adolescent.us_label_from"].require_value()
    return population(patient, rules) == "child" and patient.age_years >= from_age


def adolescent_policy_name(value: object, rules: RuleSet) -> str | None:
    """``value`` when it is a choice of ``[policies.adolescent_schedule]`` (or None);
    ``InputError`` (``E_POLICY``) otherwise. A screen or a service checks the name once."""
    choices = rules.policy_choices(ADOLESCENT_POLICY)
    if value is not None and (not isinstance(value, str) or value not in choices):
        expected = "one of " + ", ".join(choices)
        raise InputError("adolescent_policy", value, expected, code="E_POLICY")
    return value


ADOLESCENT_MAX_POLICY: Final = "us_label"
"""The only ``oral_max_daily`` policy that goes with adolescent_policy us_adult_label: the ladder
is the US label's, and the label's maximum with it (the other policies are adult figures)."""


ADOLESCENT_LADDER: Final = "us_adult_label"
"""The ``adolescent_schedule`` choice that puts 12 to under 18 on the US adult label ladder."""


def ladder_max_policy(adolescent_policy: object, max_policy: object) -> None:
    """Refuse (``E_POLICY``) a ``max_policy`` other than the US label's with the US adult label
    ladder: the ladder is the US label's, and so is its maximum; the other maxima are adult
    figures and no source in the rule data gives more under 18 years. A screen asks once for
    its whole batch; the planner and the check ask for each patient."""
    if adolescent_policy != ADOLESCENT_LADDER:
        return
    if max_policy is not None and max_policy != ADOLESCENT_MAX_POLICY:
        raise InputError(
            "max_policy",
            max_policy,
            f"{ADOLESCENT_MAX_POLICY} (or no value) with adolescent_policy {ADOLESCENT_LADDER}: "
            "the ladder is the US label's, and so is its maximum; the other maxima are adult "
            "figures and no source in the rule data gives more under 18 years",
            problem=f"does not go with adolescent_policy {ADOLESCENT_LADDER}",
            code="E_POLICY",
        )


def adolescent_schedule(
    patient: Patient,
    adolescent_policy: object,
    rules: RuleSet,
    *,
    renal_policy: object = None,
    weight_policy: object = None,
    older_adult_policy: object = None,
    max_policy: object = None,
) -> bool:
    """True when ``adolescent_policy`` puts this patient on the US adult label ladder; the
    planner and the order check both ask here, so they agree on who gets which limits.

    The policy is refused (``E_POLICY``) when it is not a choice of the rule data, and
    (``E_OUT_OF_SCOPE``) for a patient who is not 12 (``population.adolescent.us_label_from``)
    to under 18. On the adult ladder the adult renal, weight and older-adult policies are
    refused as for any child (clinical.md 5.1: no source gives a renal rule under 18), and
    so is a patient on dialysis (:func:`adolescent_kidney`). The ladder is the US label's, so
    its maximum is the US label's too: another ``max_policy`` (the UK outpatient 100 or the
    in-hospital 120 mg/day, both adult figures; clinical.md gives no source for more under 18
    on this ladder) is refused (``E_POLICY``), naming both options.
    """
    if adolescent_policy is None:
        return False
    adolescent_policy_name(adolescent_policy, rules)
    from_age = rules["population.adolescent.us_label_from"]
    age = patient.age_years
    if age is None:
        raise MissingInputError("patient.age", "the patient's age", "adolescent_policy")
    if not adolescent_policy_applies(patient, rules):
        raise InputError(
            "adolescent_policy",
            adolescent_policy,
            "no value: it applies from {age} to under 18 years (rule {rule})",
            params={
                "age": Amount(from_age.require_value(), units.YEARS, "estimate"),
                "rule": from_age.id,
            },
            code="E_OUT_OF_SCOPE",
        )
    if adolescent_policy != ADOLESCENT_LADDER:
        return False
    for name, value in (
        ("renal_policy", renal_policy),
        ("weight_policy", weight_policy),
        ("older_adult_policy", older_adult_policy),
    ):
        if value is not None:
            raise InputError(
                name,
                value,
                "no value under 18 years: the adult renal and older-adult rules come from "
                "adult studies and the rule data has no renal rule for patients under 18 "
                "(adolescent_policy us_adult_label sets only the ladder and its maxima)",
                code="E_OUT_OF_SCOPE",
            )
    ladder_max_policy(adolescent_policy, max_policy)
    if patient.dialysis is True:
        rule = rules["oral.adolescent.dialysis_not_planned"]
        raise InputError(
            "adolescent_policy",
            adolescent_policy,
            "no value for a patient on dialysis (patient.dialysis): the label's dialysis "
            "dose is an adult figure and no source gives a dose under 18 on dialysis (rule "
            "{rule}); use the child profile (the default) and a specialist's dose",
            params={"rule": rule.id},
            code="E_OUT_OF_SCOPE",
            rule_id=rule.id,
        )
    return True


def adolescent_kidney(patient: Patient, rules: RuleSet) -> tuple[Finding, ...]:
    """Kidney function of an adolescent on the US adult label ladder: as for any child, not
    assessed (no kidney-function equation or renal dose rule under 18 in the rule data;
    Cockcroft-Gault and CKD-EPI 2021 are adult equations), said when a creatinine was given
    (``oral.child.renal_not_assessed``). Dialysis is refused first (:func:`adolescent_schedule`).
    """
    if patient.scr_mg_dl is None:
        return ()
    return (advice(rules["oral.child.renal_not_assessed"]),)


def adolescent_ladder_finding(rules: RuleSet, age: Fraction) -> Finding:
    """The info finding that an adolescent of ``age`` is on the US adult label ladder (policy
    adolescent_schedule us_adult_label; ``population.adolescent.us_label_from``), in a plan
    and in a checked order alike."""
    from_age = rules["population.adolescent.us_label_from"]
    return Finding(
        from_age.id,
        "info",
        "ADOLESCENT_US_LADDER",
        {
            "age": Amount(age, units.YEARS, "estimate"),
            "from_age": Amount(from_age.require_value(), units.YEARS, "estimate"),
        },
        from_age.citation,
    )


def child_label_finding(rules: RuleSet, age: Fraction) -> Finding:
    """What the US labels say about a child of ``age``: off-label under 12 years
    (``oral.child.us_off_label``); from 12 (``population.adolescent.us_label_from``, clinical.md
    16 'Adolescents') the adult label schedule is labelled use, said as an info finding. The
    planner and the order check both use this, so they agree."""
    from_age = rules["population.adolescent.us_label_from"]
    if age < from_age.require_value():
        return advice(rules["oral.child.us_off_label"])
    return Finding(
        from_age.id,
        "info",
        "ADOLESCENT_US_LABELLED",
        {
            "age": Amount(age, units.YEARS, "estimate"),
            "from_age": Amount(from_age.require_value(), units.YEARS, "estimate"),
        },
        from_age.citation,
    )


def _need_age(patient: Patient) -> Fraction:
    assert patient.age_years is not None  # checked by population()
    return patient.age_years


def _adult_cap(what: str, raw: Fraction, cap: Fraction, rule: Rule) -> Finding:
    """The finding recorded when a child's weight-based amount is capped at the adult label's."""
    return Finding(
        rule.id,
        "warning",
        "CHILD_CAPPED_AT_ADULT",
        {"what": what, "raw": _daily(raw), "cap": _daily(cap)},
        rule.citation,
    )


def _chosen_times_from(rules: RuleSet, steps: list[Step], chosen_n: int, grid: Fraction) -> Finding:
    """Why the first step has fewer doses a day than were chosen, and from when it has them:
    the label's start cannot be split into that many doses on the grid (15 mg/day is not 4
    doses of 5 mg; 5, 5, 5 and 0 is not a regimen)."""
    rule = rules[_PREFIX + "start.times_per_day"]
    first = steps[0].regimen
    full = next((s for s in steps if s.regimen.times_per_day >= chosen_n), None)
    return Finding(
        rule.id,
        "info",
        "CHOSEN_TIMES_FROM" if full is not None else "CHOSEN_TIMES_NEVER",
        {
            "chosen": chosen_n,
            "label_daily": _daily(first.daily_mg),
            "grid": _dose(grid),
            "doses": tuple(_dose(d) for d in first.doses_mg),
            "times": first.times_per_day,
            "from": None if full is None else full.start,
            "daily": None if full is None else _daily(full.regimen.daily_mg),
        },
        rule.citation,
    )
