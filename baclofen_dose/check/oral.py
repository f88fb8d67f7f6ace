"""Check an existing oral order: every limit the planners apply, judged on the order as written.

:func:`check_order` takes the dose of each administration (equal or not) and the times a day,
or a product and the units per dose, and optionally the previous regimen, a patient (with a
measured CrCl or eGFR if one is known), co-medications and conditions. It returns an
:class:`~baclofen_dose.check.order.OrderCheck` whose findings are data. It never raises for a
limit, never re-splits or re-rounds the order, and raises the library's typed errors only for
bad input.

>>> result = check_order(dose="25 mg", times_per_day=3)
>>> [(f.rule_id, f.severity.value, f.code) for f in result.findings][:1]
[('oral.adult.max_dose.us_label', 'warning', 'SOFT_LIMIT_CROSSED')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from functools import cache
from typing import Final

import attrs

from baclofen_dose.check.dose_text import judge_dose_text
from baclofen_dose.check.interactions import judge_conditions, judge_medicines, table_or_default
from baclofen_dose.check.order import Judge, OrderCheck, other_orders
from baclofen_dose.core import units
from baclofen_dose.core.errors import (
    BaclofenDoseError,
    InputError,
    InputTypeError,
    MissingInputError,
)
from baclofen_dose.core.limits import advice, parse_date
from baclofen_dose.core.model import Amount, Finding, ParamValue, trusted_amount
from baclofen_dose.core.rules import Rule, RuleSet, default_rules
from baclofen_dose.core.rules.interactions import InteractionTable
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import DateInput, ProductInput, QuantityInput
from baclofen_dose.oral import renal
from baclofen_dose.oral.patient import Patient, check_plausible, population, read_dialysis
from baclofen_dose.oral.products import Portion, find_product, realize_exact
from baclofen_dose.oral.titration import (
    LOW_START_RULE,
    adolescent_ladder_finding,
    adolescent_schedule,
    child_label_finding,
    select_max_policy,
)

__all__ = ["CRCL_METHODS", "EGFR_METHODS", "MEASURED_METHODS", "check_order"]

RULES: Final = requires(
    __name__,
    {
        "oral.older_adult.beers2023.egfr_below": "renal.egfr",
        "renal.muanda2019.cohort_age": "age",
        "oral.adult.dose.grid": "oral.dose",
        "oral.adult.frequency.add_dose_above": "oral.dose",
        "oral.adult.lowest_effective": None,
        "oral.adult.max_daily.hard": "oral.daily_dose",
        "oral.adult.times_per_day.max": "oral.times_per_day",
        "oral.adult.times_per_day.min": "oral.times_per_day",
        "oral.adult.titration.interval.min": "interval",
        "oral.adult.titration.step.max": "oral.step",
        "oral.adult.titration.step.min": "oral.step",
        "oral.child.age_band": "age",
        "oral.child.dose.grid": "oral.dose",
        "oral.child.maintenance.max_per_kg": "oral.daily_dose_per_kg",
        "oral.child.max_daily.from_8": "oral.daily_dose",
        "oral.child.max_daily.under_8": "oral.daily_dose",
        "oral.child.dialysis_not_assessed": None,
        "oral.child.renal_not_assessed": None,
        "oral.child.tablet.min_weight": "weight",
        "oral.child.times_per_day.max": "oral.times_per_day",
        "oral.child.times_per_day.min": "oral.times_per_day",
        "oral.child.titration.interval.min": "interval",
        "oral.child.titration.step.max_per_kg": "oral.step_per_kg",
        "oral.child.titration.step.per_dose": "oral.dose",
        "oral.older_adult.caution": None,
        "oral.older_adult.tolerance_note": "oral.daily_dose",
        "oral.renal.times_per_day.min": "oral.times_per_day",
        "oral.taper.step.max": "oral.step",
        "population.adolescent.us_label_from": "age",
        "renal.ajkd2017.egfr_min": "renal.egfr",
        "renal.ca_monograph.end_stage.below": "renal.crcl",
        "renal.ca_monograph.end_stage.max_daily": "oral.daily_dose",
        "renal.muanda2019.egfr_below": "renal.egfr",
        "renal.muanda2019.start_daily": "oral.daily_dose",
        "renal.vlavonou2014.mild.crcl_max": "renal.crcl",
        "renal.vlavonou2014.mild.dose_fraction": "factor",
        "renal.vlavonou2014.moderate.crcl_max": "renal.crcl",
        "renal.vlavonou2014.moderate.dose_fraction": "factor",
        "renal.vlavonou2014.severe.crcl_below": "renal.crcl",
        "renal.vlavonou2014.severe.dose_fraction": "factor",
    },
)


MEASURED_METHODS: Final = ("cockcroft_gault", "ckd_epi_2021", "timed_urine", "other")
# What each method measures: Cockcroft-Gault and a timed urine collection give a creatinine
# clearance (mL/min), CKD-EPI 2021 an eGFR (mL/min/1.73 m2); "other" is taken for either.
CRCL_METHODS: Final = ("cockcroft_gault", "timed_urine", "other")
EGFR_METHODS: Final = ("ckd_epi_2021", "other")
"""How a measured kidney-function value given directly was obtained (recorded, not used)."""

_A: Final = "oral.adult."
_C: Final = "oral.child."


@cache  # one entry per rule set and valid policy: few, and rule sets are immutable
def _max_policy(rules: RuleSet, max_policy: str | None) -> tuple[str, Rule, Rule | None]:
    """The selected maximum policy and its rules (a rule set is immutable and hashed by its
    SHA-256, so the answer for one rule set and choice never changes; no load per call)."""
    return select_max_policy(rules, max_policy)


def _dose(value: Fraction) -> Amount:
    return trusted_amount(value, units.ORAL_DOSE)


def _daily(value: Fraction) -> Amount:
    return trusted_amount(value, units.ORAL_DAILY_DOSE)


def _doses(given: tuple[Fraction, ...]) -> tuple[Amount, ...]:
    """The doses as amounts, as ordered (equal doses: one amount, repeated)."""
    first = given[0]
    if all(d is first for d in given):
        return (_dose(first),) * len(given)
    return tuple(_dose(d) for d in given)


def _total(given: tuple[Fraction, ...]) -> Fraction:
    """The daily dose: the sum of the doses (equal doses: one exact product)."""
    first = given[0]
    if all(d is first for d in given):
        return Fraction(first.numerator * len(given), first.denominator)
    return sum(given, Fraction(0))


@cache
def _most_per_day() -> int:
    """Plausibility of the input, not a clinical limit: at most one dose an hour."""
    return int(units.parse_unit("day", units.HOURS, "times_per_day"))


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputTypeError(field, value, "a whole number of doses a day, such as 3")
    most = _most_per_day()
    if not 1 <= value <= most:
        raise InputError(field, value, f"from 1 to {most} doses a day", code="E_TIMES_PER_DAY")
    return value


def _regimen(
    dose: object, doses: object, times_per_day: object, field: str, plural: str, count: str
) -> tuple[Fraction, ...]:
    """The doses of one day as given: ``dose`` times ``times_per_day``, or each of ``doses``."""
    if doses is not None:
        if dose is not None:
            raise InputError(field, dose, "either a dose with times a day, or doses, not both")
        if isinstance(doses, str) or not isinstance(doses, Sequence) or not doses:
            raise InputTypeError(plural, doses, "a non-empty list of doses, such as ['10 mg']")
        most = _most_per_day()
        if len(doses) > most:
            raise InputError(
                plural, len(doses), f"from 1 to {most} doses a day", code="E_TIMES_PER_DAY"
            )
        parsed = tuple(
            units.parse(d, units.ORAL_DOSE, f"{plural}[{i}]") for i, d in enumerate(doses)
        )
        if times_per_day is not None and _count(times_per_day, count) != len(parsed):
            raise InputError(count, times_per_day, f"{len(parsed)}, the number of doses given")
        return parsed
    if dose is None:
        raise MissingInputError(field, "a dose such as '10 mg'", "the order")
    if times_per_day is None:
        raise MissingInputError(count, "the number of doses a day, such as 3", "the order")
    n = _count(times_per_day, count)
    return (units.parse(dose, units.ORAL_DOSE, field),) * n


def _product_dose(product: ProductInput, units_per_dose: object, rules: RuleSet) -> Fraction:
    """The dose a number of units of a product gives (tablets, packets or mL)."""
    found = find_product(product, rules)
    if found.liquid:
        quantity = units.parse(units_per_dose, units.VOLUME, "units_per_dose")
    elif isinstance(units_per_dose, str):
        quantity = units.parse_number(units_per_dose, "units_per_dose")
    elif isinstance(units_per_dose, (int, Fraction)) and not isinstance(units_per_dose, bool):
        quantity = Fraction(units_per_dose)
    else:
        raise InputTypeError("units_per_dose", units_per_dose, "a number of units, such as '1.5'")
    if quantity <= 0:
        raise InputError("units_per_dose", units_per_dose, "more than zero units")
    return Portion(found, quantity).amount_mg


def check_order(
    *,
    dose: QuantityInput | None = None,
    doses: Sequence[QuantityInput] | None = None,
    times_per_day: int | None = None,
    product: ProductInput | None = None,
    units_per_dose: QuantityInput | int | Fraction | None = None,
    start: DateInput | None = None,
    previous: QuantityInput | None = None,
    previous_doses: Sequence[QuantityInput] | None = None,
    previous_times_per_day: int | None = None,
    previous_start: DateInput | None = None,
    patient: Patient | None = None,
    measured_crcl: QuantityInput | None = None,
    measured_egfr: QuantityInput | None = None,
    measured_method: str | None = None,
    medicines: Sequence[str] | None = None,
    conditions: Sequence[str] | None = None,
    dose_text: str | Sequence[str] | None = None,
    max_policy: str | None = None,
    renal_policy: str | None = None,
    weight_policy: str | None = None,
    adolescent_policy: str | None = None,
    overrides: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    interactions: InteractionTable | None = None,
    other_baclofen_orders: int = 0,
) -> OrderCheck:
    """Judge an oral order and return its findings (never raises for a limit).

    - The order: ``dose`` ("15 mg") and ``times_per_day`` (3), or ``doses`` (["10 mg", "10 mg",
      "20 mg"]), or ``product`` ("10 mg tablet") with ``units_per_dose`` ("1.5"; a liquid: "3 mL")
      and ``times_per_day``. With ``product`` and a dose, the dose is checked for givability.
      Units with a dose, or units without a product, are refused (``InputError`` naming
      ``units_per_dose``): none is passed over.
    - The previous regimen (for the step): ``previous`` or ``previous_doses`` with
      ``previous_times_per_day``; ``previous_start`` and ``start`` (dates) for the interval.
    - ``patient``: a :class:`~baclofen_dose.oral.patient.Patient`; ``measured_crcl`` ("25 mL/min")
      or ``measured_egfr`` ("40 mL/min/1.73 m2") with ``measured_method`` (one of
      :data:`MEASURED_METHODS`) are used instead of computing them.
    - ``medicines`` (names or ``RxCUI:<n>``) and ``conditions`` (keys or ICD-10-CM codes, with
      their dot or without it; Z99.2 means on dialysis,
      :func:`~baclofen_dose.oral.patient.read_dialysis`; an entry that begins as Z99.2 but is
      not it is refused, ``E_CONDITION``).
    - ``dose_text``: the order's text as written (a FHIR ``Dosage.text``, a sig; or one text
      per Dosage of a step, each read alone). Never used
      as the dose: a dose in mg it states unambiguously that is not a dose of the order is a
      warning (``oral.order.dose_text``); a text that cannot be read so is "not compared"
      (:mod:`baclofen_dose.check.dose_text`).
    - ``max_policy``, ``renal_policy``, ``weight_policy`` and ``adolescent_policy`` as for
      planning (``"us_adult_label"``: a patient of 12 to under 18 is judged against the adult
      label's limits, as the planner plans; only with the US label maximum (``max_policy``
      ``"us_label"`` or none, another refused); kidney function as for any
      child, not assessed; refused on dialysis); ``overrides``
      ``{rule_id: reason}`` acknowledge soft limits (the findings record the reason).

    ``other_baclofen_orders``: how many other baclofen orders the patient has (active, or
    ordered with this one): the daily maxima apply to the total, so a warning says this check
    judged this order alone (``interop.duplicate_baclofen``).

    Rules: the selected ``oral_max_daily`` policy, ``oral.adult.*``, ``oral.child.*``,
    ``renal.*``, ``population.*``; the interaction table's classes, conditions and criteria.
    """
    rules = default_rules() if rules is None else rules
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    table = table_or_default(interactions)
    judge = Judge.open(rules, overrides)
    order: list[tuple[str, ParamValue]] = []
    if units_per_dose is not None and product is None:
        raise InputError(
            "units_per_dose", units_per_dose,
            "units of a product, with the product (or the dose alone, without units)",
        )  # fmt: skip
    if product is not None and units_per_dose is not None:
        if dose is not None or doses is not None:
            raise InputError(
                "units_per_dose", units_per_dose, "either units of a product or a dose"
            )
        amount = _product_dose(product, units_per_dose, rules)
        if times_per_day is None:
            raise MissingInputError(
                "times_per_day", "the number of doses a day, such as 3", "the order"
            )
        given = (amount,) * _count(times_per_day, "times_per_day")
        order.append(("product", find_product(product, rules).id))
        order.append(("units_per_dose", str(units_per_dose)))
    else:
        given = _regimen(dose, doses, times_per_day, "dose", "doses", "times_per_day")
    daily = _total(given)
    text = judge_dose_text(judge, dose_text, given)
    order += [("doses", _doses(given)), ("times_per_day", len(given))]
    order.append(("daily", _daily(daily)))
    before: tuple[Fraction, ...] | None = None
    if previous is not None or previous_doses is not None:
        before = _regimen(
            previous,
            previous_doses,
            previous_times_per_day,
            "previous",
            "previous_doses",
            "previous_times_per_day",
        )
        order.append(("previous_doses", _doses(before)))
    first = None if start is None else parse_date(start, "start")
    earlier = None if previous_start is None else parse_date(previous_start, "previous_start")
    if first is not None and earlier is not None and first < earlier:
        # A negative interval is a date typed wrongly, not a fast titration (safety.md 5 row 20).
        raise InputError(
            "start",
            first.isoformat(),
            f"a date on or after the previous regimen's start ({earlier.isoformat()})",
            code="E_DATE",
        )
    if first is not None:
        order.append(("start", first))
    if earlier is not None:
        order.append(("previous_start", earlier))
    inputs: list[tuple[str, ParamValue]] = []

    if patient is not None and not isinstance(patient, Patient):
        raise InputTypeError("patient", patient, "a Patient from Patient.from_inputs()")
    # A Z99.2 condition means on dialysis (read as the service reads it; a conflict refused).
    patient, dialysis_from = read_dialysis(patient, conditions)
    group = "adult"
    if patient is not None and patient.dialysis is True and patient.age_years is None:
        raise MissingInputError(
            "patient.age",
            "an age such as '72 years'",
            "choosing the dialysis rule (on dialysis"
            + ("" if dialysis_from is None else f": condition {dialysis_from}")
            + "; adults and children differ)",
        )
    if patient is not None:
        check_plausible(patient, rules)
        inputs += list(patient.describe())
        if dialysis_from is not None:
            inputs.append(("dialysis_from_condition", dialysis_from))
        if patient.age_years is None:
            judge.skip("population", "patient.age", "AGE_NOT_GIVEN")
        else:
            group = population(patient, rules)
    inputs.append(("population", group))
    crcl = (
        None
        if measured_crcl is None
        else units.parse(measured_crcl, units.RENAL_CLEARANCE, "measured_crcl")
    )
    egfr = (
        None if measured_egfr is None else units.parse(measured_egfr, units.EGFR, "measured_egfr")
    )
    if (crcl is not None or egfr is not None) and measured_method is None:
        raise MissingInputError(
            "measured_method",
            "how it was obtained: one of " + ", ".join(MEASURED_METHODS),
            "a measured CrCl or eGFR",
        )
    if measured_method is not None and measured_method not in MEASURED_METHODS:
        raise InputError(
            "measured_method",
            measured_method,
            "one of " + ", ".join(MEASURED_METHODS),
            code="E_METHOD",
        )
    for given_value, field, methods, gives, measure in (
        (crcl, "measured_crcl", CRCL_METHODS, "an eGFR (measured_egfr)", "a CrCl"),
        (egfr, "measured_egfr", EGFR_METHODS, "a CrCl (measured_crcl)", "an eGFR"),
    ):
        if given_value is not None and measured_method not in methods:
            # A CrCl "by CKD-EPI" or an eGFR "by Cockcroft-Gault": one of the two is wrong.
            raise InputError(
                "measured_method",
                measured_method,
                f"a method that gives {measure} for {field}: one of " + ", ".join(methods),
                problem=f"gives {gives}, not {measure} ({field})",
                code="E_METHOD",
            )
    if crcl is not None:
        inputs.append(("measured_crcl", Amount(crcl, units.RENAL_CLEARANCE, "estimate")))
    if egfr is not None:
        inputs.append(("measured_egfr", Amount(egfr, units.EGFR, "estimate")))
    if measured_method is not None:
        inputs.append(("measured_method", measured_method))

    if adolescent_policy is not None and patient is None:
        raise InputError(
            "adolescent_policy",
            adolescent_policy,
            "no value without a patient (pass patient=)",
            code="E_NO_PATIENT",
        )
    ladder = patient is not None and adolescent_schedule(
        patient,
        adolescent_policy,
        rules,
        renal_policy=renal_policy,
        weight_policy=weight_policy,
        max_policy=max_policy,
    )
    if ladder:
        # The US adult label ladder from 12 (the planner's _adolescent_adult): the adult limits
        # and maximum policy; kidney function as for any child (adolescent_kidney).
        assert patient is not None  # ladder needs a patient
        assert patient.age_years is not None  # adolescent_schedule needs the age
        if max_policy is not None and not isinstance(max_policy, str):
            raise InputTypeError("max_policy", max_policy, "a policy name")
        policy, daily_max, dose_max = _max_policy(rules, max_policy)
        inputs += [("adolescent_policy", "us_adult_label"), ("max_policy", policy)]
        _adult(judge, given, daily, before, first, earlier, daily_max, dose_max, False)
        judge.add(adolescent_ladder_finding(rules, patient.age_years))
        judge.used.append("population.adolescent.us_label_from")
        _child_kidney(judge, patient, crcl, egfr)
    elif group == "child":
        assert patient is not None  # a child is known only from a patient's age
        for name, value in (
            ("max_policy", max_policy),
            ("renal_policy", renal_policy),
            ("weight_policy", weight_policy),
        ):
            if value is not None:  # as the planner: the child profile has its own maxima
                raise InputError(
                    name,
                    value,
                    "no value for a child: the child profile has its own age-band maxima and "
                    "the rule data has no renal rule for children",
                    code="E_OUT_OF_SCOPE",
                )
        _child(judge, patient, given, daily, before, first, earlier)
        _child_kidney(judge, patient, crcl, egfr)
    else:
        if max_policy is not None and not isinstance(max_policy, str):
            raise InputTypeError("max_policy", max_policy, "a policy name")
        policy, daily_max, dose_max = _max_policy(rules, max_policy)
        inputs.append(("max_policy", policy))
        inputs += [
            (name, value)
            for name, value in (("renal_policy", renal_policy), ("weight_policy", weight_policy))
            if value is not None
        ]
        reduced, low = _renal(
            judge, patient, group, daily, daily_max.require_value(), crcl, egfr,
            renal_policy, weight_policy, inputs,
        )  # fmt: skip
        _adult(judge, given, daily, before, first, earlier, daily_max, dose_max, reduced, low)
    if product is not None:
        if units_per_dose is None:
            order.append(("product", find_product(product, rules).id))
        _givable(judge, product, given, rules)
        # UK SmPC 4.2: tablets are not suitable for children under 33 kg (soft limit).
        if (
            group == "child"
            and patient is not None
            and patient.weight_kg is not None
            and find_product(product, rules).form == "tablet"
        ):
            judge.limit(
                judge.rule("oral.child.tablet.min_weight"),
                patient.weight_kg,
                units.WEIGHT,
                "patient weight",
            )
    inputs += [
        ("medicines", judge_medicines(judge, table, medicines, "oral")),
        ("conditions", judge_conditions(judge, table, conditions, "oral")),
        ("interactions_id", table.id),
        ("interactions_version", table.version),
        ("interactions_sha256", table.sha256),
    ]
    if text is not None:
        inputs.append(("dose_text", text))
    inputs += other_orders(judge, other_baclofen_orders)
    return judge.result("oral", order, inputs)


def _child_kidney(
    judge: Judge, patient: Patient, crcl: Fraction | None, egfr: Fraction | None
) -> None:
    """Kidney function under 18 (a child, or an adolescent on the US adult label ladder): no
    equation or renal dose rule in the rule data, so not assessed, and said. On dialysis (stated
    or a Z99.2 condition) a warning names it: the rule data has no dialysis rule for children
    (the planner refuses to plan; the check never raises for a limit)."""
    if patient.dialysis is True:
        judge.add(_advice(judge, _C + "dialysis_not_assessed"))
        judge.skip("renal", "patient.dialysis", "CHILD_DIALYSIS_NOT_ASSESSED")
        return
    if patient.scr_mg_dl is not None:
        judge.add(_advice(judge, _C + "renal_not_assessed"))
    if crcl is not None or egfr is not None:
        judge.skip("renal", "measured kidney function", "CHILD_RENAL_NOT_ASSESSED")
    elif patient.scr_mg_dl is None:  # never silently unchecked (as for adults)
        judge.skip("renal", "kidney function", "CHILD_KIDNEY_NOT_GIVEN")


def _grid(judge: Judge, rule_id: str, given: tuple[Fraction, ...]) -> None:
    grid_rule = judge.rule(rule_id)
    grid = grid_rule.require_value()
    # d / grid is a whole number exactly when d.den * grid.num divides d.num * grid.den.
    step_num, step_den = grid.numerator, grid.denominator
    head = given[0]
    distinct = (head,) if all(d is head for d in given) else tuple(dict.fromkeys(given))
    off = tuple(_dose(d) for d in distinct if (d.numerator * step_den) % (d.denominator * step_num))
    if off:
        judge.found(
            grid_rule.id,
            "warning",
            "OFF_GRID",
            {"doses": off, "grid": _dose(grid)},
            grid_rule.citation,
        )


def _step(
    judge: Judge,
    daily: Fraction,
    before: tuple[Fraction, ...] | None,
    first: date | None,
    earlier: date | None,
    prefix: str,
    per_kg: Fraction | None = None,
    given: tuple[Fraction, ...] = (),
    *,
    per_dose: bool = False,
    from_low: bool = False,
) -> None:
    """The step since the previous regimen: its size and, for an increase, its interval.

    The label's own last step, adding a dose of ``oral.adult.frequency.add_dose_above`` to
    the same doses (20 mg 3 times a day to 20 mg 4 times a day), is the label's step, not a
    step-size question (issue 10: labelled use is never refused).
    """
    if before is None:
        return
    change = daily - _total(before)
    if change > 0:
        full = judge.rule(_A + "frequency.add_dose_above").require_value() if prefix == _A else None
        label_step = (
            full is not None
            and len(set(before)) == 1
            and before[0] == full
            and len(given) == len(before) + 1
            and set(given) == {full}
        )
        if prefix == _A and not label_step:
            for suffix in (
                ("titration.step.max",)
                if from_low
                else ("titration.step.min", "titration.step.max")
            ):
                judge.limit(judge.rule(_A + suffix), change, units.ORAL_DAILY_DOSE, "increase")
        elif per_dose:
            judge.limit(
                judge.rule(_C + "titration.step.per_dose"),
                change / len(given),
                units.ORAL_DOSE,
                "increase per dose",
            )
        elif per_kg is not None:
            judge.limit(
                judge.rule(_C + "titration.step.max_per_kg"),
                change / per_kg,
                units.ORAL_DAILY_DOSE_PER_KG,
                "increase per kg",
            )
        if first is not None and earlier is not None:
            days = Fraction((first - earlier).days)
            rule_id = (
                _A + "titration.interval.min" if prefix == _A else _C + "titration.interval.min"
            )
            judge.limit(judge.rule(rule_id), days, units.DAYS, "days since the previous increase")
    elif change < 0 and prefix == _A:
        judge.limit(judge.rule("oral.taper.step.max"), -change, units.ORAL_DAILY_DOSE, "decrease")


def _adult(
    judge: Judge,
    given: tuple[Fraction, ...],
    daily: Fraction,
    before: tuple[Fraction, ...] | None,
    first: date | None,
    earlier: date | None,
    daily_max: Rule,
    dose_max: Rule | None,
    reduced: bool,
    low: _Low | None = None,
) -> None:
    n = Fraction(len(given))
    # Fewer doses a day are how a renal plan gives a small reduced amount (rule below).
    judge.limit(
        judge.rule("oral.renal.times_per_day.min" if reduced else _A + "times_per_day.min"),
        n,
        units.PER_DAY,
        "doses a day",
    )
    judge.limit(judge.rule(_A + "times_per_day.max"), n, units.PER_DAY, "doses a day")
    if dose_max is not None:
        head = given[0]
        highest = head if all(d is head for d in given) else max(given)
        judge.limit(dose_max, highest, units.ORAL_DOSE, "a single dose of")
    judge.limit(daily_max, daily, units.ORAL_DAILY_DOSE, "daily dose")
    judge.limit(judge.rule(_A + "max_daily.hard"), daily, units.ORAL_DAILY_DOSE, "daily dose")
    grid = judge.rule(_A + "dose.grid").require_value()
    if low is not None and daily <= low.start and len(given) <= low.times_per_day:
        # The renal policy's start below one grid dose, as the planner gives it (measured on a
        # product's grid): said, not flagged off-grid (issue 10 item 6).
        rule = judge.rule(LOW_START_RULE)
        judge.add(
            Finding(
                rule.id,
                "info",
                "RENAL_START_BELOW_GRID_ORDER",
                {
                    "policy": low.policy,
                    "daily": _daily(daily),
                    "start": _daily(low.start),
                    "grid": _dose(grid),
                },
                rule.citation,
            )
        )
    else:
        _grid(judge, _A + "dose.grid", given)
    # An increase from that start back to the grid is the planner's own step (at most a step).
    from_low = low is not None and before is not None and sum(before, Fraction(0)) <= low.start
    _step(judge, daily, before, first, earlier, _A, given=given, from_low=from_low)
    judge.add(_advice(judge, "oral.adult.lowest_effective"))


def _advice(judge: Judge, rule_id: str) -> Finding:
    return advice(judge.rule(rule_id))


def _band(judge: Judge, crcl: Fraction) -> tuple[str, str | None]:
    """(band, dose-fraction rule id) for a CrCl, from the Vlavonou 2014 thresholds."""
    prefix = "renal.vlavonou2014."
    if crcl < judge.rule(prefix + "severe.crcl_below").require_value():
        return "severe", prefix + "severe.dose_fraction"
    if crcl <= judge.rule(prefix + "moderate.crcl_max").require_value():
        return "moderate", prefix + "moderate.dose_fraction"
    if crcl <= judge.rule(prefix + "mild.crcl_max").require_value():
        return "mild", prefix + "mild.dose_fraction"
    return "normal", None


@attrs.frozen
class _Low:
    """A renal policy's start below one dose of the grid (rule oral.renal.start.below_grid)."""

    policy: str
    start: Fraction
    times_per_day: int


def _low(assessment: renal.RenalAssessment, grid: Fraction, rules: RuleSet) -> _Low | None:
    """The planner's start below one grid dose for this assessment, if it plans one."""
    cap = assessment.start_cap
    if cap is None or cap >= grid or LOW_START_RULE not in rules:
        return None
    return _Low(assessment.policy, cap, int(rules[LOW_START_RULE].require_value()))


def _missing(patient: Patient, field: str) -> tuple[str, ...]:
    """Every patient field the renal assessment may need that was not given (``field``, the
    one it stopped at, first; age, sex, weight and creatinine are needed off dialysis)."""
    needed = (
        ("patient.dialysis", patient.dialysis),
        ("patient.age", patient.age_years),
        ("patient.sex", patient.sex),
        ("patient.weight", patient.weight_kg),
        ("patient.scr", patient.scr_mg_dl),
    )
    return tuple(dict.fromkeys([field, *(name for name, value in needed if value is None)]))


def _floor(value: Fraction, grid: Fraction) -> Fraction:
    return (value // grid) * grid


def _renal(
    judge: Judge,
    patient: Patient | None,
    group: str,
    daily: Fraction,
    usual_max: Fraction,
    crcl: Fraction | None,
    egfr: Fraction | None,
    renal_policy: str | None,
    weight_policy: str | None,
    inputs: list[tuple[str, ParamValue]],
) -> tuple[bool, _Low | None]:
    """Renal bands (measured values first, else the planners' assessment), Muanda 2019, and
    the older-adult criteria. Returns (True when the renal policy reduces the dose, the
    policy's start when it is below one dose of the grid and the planner gives it so)."""
    rules = judge.rules
    for name, value, policy in (
        ("renal_policy", renal_policy, renal.RENAL_POLICY),
        ("weight_policy", weight_policy, renal.WEIGHT_POLICY),
    ):
        if value is None:
            continue
        choices = rules.policy_choices(policy)
        if value not in choices:
            raise InputError(name, value, "one of " + ", ".join(choices), code="E_POLICY")
    dialysis = patient is not None and patient.dialysis is True
    grid = rules[_A + "dose.grid"].require_value()
    reduced = False
    fraction_rule: str | None = None
    cap_rule: str | None = None
    basis = "given"  # a CrCl or eGFR given with its method (measured or estimated)
    low: _Low | None = None
    if dialysis:
        assert patient is not None  # dialysis is known only from a patient
        assessment = renal.assess(
            patient, renal_policy=renal_policy, weight_policy=weight_policy, rules=rules
        )
        judge.used.extend(assessment.rule_ids)
        for finding in assessment.findings:
            judge.add(finding)
        cap_rule = assessment.max_cap_rule
        reduced = True
        low = _low(assessment, grid, rules)
        inputs.append(("renal_band", "dialysis"))
    elif crcl is None and egfr is None and patient is not None:
        try:
            assessment = renal.assess(
                patient, renal_policy=renal_policy, weight_policy=weight_policy, rules=rules
            )
        except MissingInputError as exc:
            judge.skip(
                "renal", exc.field, "RENAL_NOT_ASSESSED", field=exc.field,
                missing=_missing(patient, exc.field),
            )  # fmt: skip
            assessment = None
        if assessment is not None:
            basis = "computed"
            judge.used.extend(assessment.rule_ids)
            for finding in assessment.findings:
                judge.add(finding)
            fraction_rule = assessment.fraction_rule
            cap_rule = assessment.max_cap_rule  # end-stage kidney failure: the planner's cap
            reduced = assessment.reduced
            low = _low(assessment, grid, rules)
            if assessment.crcl is not None:
                crcl = assessment.crcl.value
            if assessment.egfr is not None:
                egfr = assessment.egfr.value
            inputs.append(("renal_band", assessment.band))
    elif crcl is not None:
        if patient is None or patient.dialysis is None:
            # A measured CrCl is judged as given; on dialysis it would not apply.
            judge.skip("renal", "patient.dialysis", "DIALYSIS_NOT_STATED")
        band, fraction_rule = _band(judge, crcl)
        end_stage = judge.rule("renal.ca_monograph.end_stage.below")
        if crcl < end_stage.require_value():  # CKD 5 not on dialysis (issue 10 item 1)
            band, cap_rule = "end_stage", "renal.ca_monograph.end_stage.max_daily"
        reduced = fraction_rule is not None or cap_rule is not None
        inputs.append(("renal_band", band))
    elif patient is None:
        judge.skip("patient", "patient", "PATIENT_NOT_GIVEN")
    if crcl is None and egfr is not None and not dialysis:
        judge.skip("renal", "measured_egfr", "RENAL_BAND_NEEDS_CRCL")
    if basis == "given" and patient is not None and patient.scr_mg_dl is not None:
        _both_given(judge, patient, crcl, egfr, weight_policy)
    if cap_rule is not None:
        cap = judge.rule(cap_rule)
        what = "daily dose on dialysis" if dialysis else "daily dose with end-stage kidney failure"
        judge.limit(cap, daily, units.ORAL_DAILY_DOSE, what)
    elif fraction_rule is not None:
        rule = judge.rule(fraction_rule)
        ceiling = max(_floor(usual_max * rule.require_value(), grid), grid)
        judge.limit(
            rule,
            daily,
            units.ORAL_DAILY_DOSE,
            "daily dose with reduced kidney function",
            limit=ceiling,
        )
    if renal_policy == "ajkd2017" and egfr is not None and not dialysis:
        judge.limit(judge.rule("renal.ajkd2017.egfr_min"), egfr, units.EGFR, "eGFR")
    muanda_egfr = judge.rule("renal.muanda2019.egfr_below")
    muanda_start = judge.rule("renal.muanda2019.start_daily")
    if (
        egfr is not None
        and not dialysis  # the study's cohort was not on dialysis (clinical.md 3): the
        # dialysis caps above judge these patients
        and egfr < muanda_egfr.require_value()
        and (daily >= muanda_start.require_value())
    ):
        judge.found(
            muanda_start.id,
            "warning",
            "MUANDA_DAILY",
            {
                "daily": _daily(daily),
                "egfr": Amount(egfr, units.EGFR, "estimate"),
                "older": Amount(  # the study's cohort: 66 and over (clinical.md 3)
                    judge.rule("renal.muanda2019.cohort_age").require_value(),
                    units.YEARS,
                    "estimate",
                ),
                "egfr_below": Amount(muanda_egfr.require_value(), units.EGFR),
                "risky": _daily(muanda_start.require_value()),
            },
            muanda_start.citation,
        )
    if group == "older_adult":
        _older(judge, daily, crcl, egfr, dialysis, basis, dict(inputs).get("measured_method"))
    return reduced, low


def _both_given(
    judge: Judge,
    patient: Patient,
    crcl: Fraction | None,
    egfr: Fraction | None,
    weight_policy: str | None,
) -> None:
    """A measured CrCl or eGFR and a creatinine were both given: the measured value is judged
    (what the caller measured is preferred to an equation), and the value the creatinine gives
    is said beside it, never silently dropped (issue 11, a fresh user's report). A warning
    when the two fall on different sides of a threshold the check uses, else info."""
    for measured, kind, estimate in (
        (crcl, units.RENAL_CLEARANCE, renal.cockcroft_gault),
        (egfr, units.EGFR, renal.ckd_epi_2021),
    ):
        if measured is None:
            continue
        try:
            computed = (
                renal.cockcroft_gault(patient, weight_policy=weight_policy, rules=judge.rules)
                if estimate is renal.cockcroft_gault
                else renal.ckd_epi_2021(patient, rules=judge.rules)
            )
        except BaclofenDoseError as exc:  # e.g. no sex or weight: say so, never guess
            field = getattr(exc, "field", "patient")
            judge.skip("renal", str(field), "COMPUTED_RENAL_NOT_GIVEN", field=str(field))
            continue
        judge.used.extend(computed.rule_ids)
        if kind is units.RENAL_CLEARANCE:
            apart = _band(judge, measured) != _band(judge, computed.value)
        else:
            below = judge.rule("renal.muanda2019.egfr_below").require_value()
            apart = (measured < below) != (computed.value < below)
        judge.add(
            Finding(
                computed.rule_ids[0],
                "warning" if apart else "info",
                "MEASURED_AND_COMPUTED",
                {
                    "measure": "CrCl" if kind is units.RENAL_CLEARANCE else "eGFR",
                    "measured": Amount(measured, kind, "estimate"),
                    "computed": Amount(computed.value, kind, "estimate"),
                    "equation": computed.equation,
                    "apart": apart,
                },
                judge.rule(computed.rule_ids[0]).citation,
            )
        )


def _older(
    judge: Judge,
    daily: Fraction,
    crcl: Fraction | None,
    egfr: Fraction | None,
    dialysis: bool,
    basis: str,
    method: ParamValue = None,
) -> None:
    """Older adults: the label caution, the tolerance note and Beers 2023 (kidney function)."""
    judge.add(_advice(judge, "oral.older_adult.caution"))
    note = judge.rule("oral.older_adult.tolerance_note")
    if daily > note.require_value():
        judge.found(
            note.id,
            "warning",
            "OLDER_TOLERANCE_ORDER",
            {"highest": _daily(daily), "tolerated": _daily(note.require_value())},
            note.citation,
        )
    # The planner's rule (one rule id for Beers 2023 Table 6, issue 10 item 5).
    beers = judge.rule("oral.older_adult.beers2023.egfr_below")
    threshold = beers.require_value()
    # Beers 2023 states eGFR; a CrCl is used (and named) only when no eGFR is known.
    measure, value = ("eGFR", egfr) if egfr is not None else ("CrCl", crcl)
    if dialysis or (value is not None and value < threshold):
        params: dict[str, ParamValue] = {
            "threshold": Amount(threshold, units.EGFR),
            "measure": "dialysis" if dialysis else f"{measure} ({basis})",
        }
        if not dialysis and value is not None:
            kind = units.EGFR if measure == "eGFR" else units.RENAL_CLEARANCE
            params["value"] = Amount(value, kind, "estimate")
            if basis == "given" and isinstance(method, str):
                params["method"] = method  # how the value given was obtained (render words it)
        judge.found(beers.id, "warning", "CHECK_BEERS_KIDNEY", params, beers.citation)
    elif value is None:
        judge.skip("older_adult", "kidney function", "BEERS_NOT_ASSESSED")


def _child(
    judge: Judge,
    patient: Patient,
    given: tuple[Fraction, ...],
    daily: Fraction,
    before: tuple[Fraction, ...] | None,
    first: date | None,
    earlier: date | None,
) -> None:
    """Children: doses a day, the age-band maximum, the per-kg maximum, the step per kg."""
    n = Fraction(len(given))
    judge.limit(judge.rule(_C + "times_per_day.min"), n, units.PER_DAY, "doses a day")
    judge.limit(judge.rule(_C + "times_per_day.max"), n, units.PER_DAY, "doses a day")
    band = judge.rule(_C + "age_band").require_value()
    age = patient.age_years
    assert age is not None  # a child is known from the age
    band_max = _C + ("max_daily.under_8" if age < band else "max_daily.from_8")
    judge.limit(judge.rule(band_max), daily, units.ORAL_DAILY_DOSE, "daily dose")
    weight = patient.weight_kg
    if weight is None:
        judge.skip("child", "patient.weight", "PER_KG_NOT_ASSESSED")
    else:
        judge.limit(
            judge.rule(_C + "maintenance.max_per_kg"),
            daily / weight,
            units.ORAL_DAILY_DOSE_PER_KG,
            "daily dose per kg",
        )
    _grid(judge, _C + "dose.grid", given)
    # The step by age (clinical.md 16): per kg under 8 years, per dose from 8 years.
    _step(
        judge,
        daily,
        before,
        first,
        earlier,
        _C,
        per_kg=None if age >= band else weight,
        given=given,
        per_dose=age >= band,
    )
    judge.add(child_label_finding(judge.rules, age))


def _givable(
    judge: Judge, product: ProductInput, given: tuple[Fraction, ...], rules: RuleSet
) -> None:
    """Each dose must be given exactly by the product (halves only of scored tablets)."""
    found = find_product(product, rules)
    judge.used.append(found.id)
    off = tuple(_dose(d) for d in dict.fromkeys(given) if realize_exact(d, (found,)) is None)
    if off:
        judge.found(
            found.id,
            "warning",
            "NOT_GIVABLE",
            {
                "doses": off,
                "product": product if isinstance(product, str) else found.id,
                "rule": found.id,
            },
            found.citation,
        )
