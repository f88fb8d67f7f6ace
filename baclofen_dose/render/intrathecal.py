"""Renderings of intrathecal results: the printable table, short text, and JSON (both ways).

Every number shown to people comes from :mod:`baclofen_dose.core.display`; values that are not
exact in a few decimals (an hourly rate of 200 mcg/day, worst-case days) are shown as labelled
estimates, and the arithmetic behind each is written out. Titles say "intrathecal" in full.
Findings are worded from their codes by :mod:`baclofen_dose.render.messages`.

JSON keeps amount and unit apart with UCUM codes (``ug``, ``ug/d``, ``ug/h``, ``ug/mL``,
``mL``, ``mL/d``, ``d``, ``h``, ``%``). A value with no finite decimal expansion is given
rounded half up to 6 places with its exact fraction beside it: ``{"value": 8.333333,
"unit": "ug/h", "exact": "25/3"}``. Percentages are given as percentages (``30`` with
``"%"``).

Every result type is registered with :mod:`baclofen_dose.render.protocol`, so the generic
``to_json``/``from_json``/``table``/``text`` work for it. The readers re-validate what they
read (types, units, positive exact amounts, known rule ids and finding codes, and every
derived figure recomputed from the inputs it follows from): a file is never believed.

>>> from baclofen_dose.intrathecal import plan_refill
>>> from baclofen_dose.render import protocol
>>> refill = plan_refill(reservoir="40 mL", concentration="2000 mcg/mL",
...                      daily_dose="400 mcg/day", alarm_volume="2 mL", start="2026-01-05")
>>> protocol.from_json(protocol.to_json(refill)) == refill
True
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

import attrs

from baclofen_dose.core import display, numeric, units
from baclofen_dose.core.errors import BaclofenDoseError, InputError
from baclofen_dose.core.kernel import add_days
from baclofen_dose.core.model import Amount, Finding, Override, ParamValue, Provenance
from baclofen_dose.core.rules import RuleSet, default_rules
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import IntrathecalDailyInput, IntrathecalOrigin, QuantityInput
from baclofen_dose.intrathecal import (
    ORIGINS,
    FlexProgram,
    IntrathecalStart,
    IntrathecalTaper,
    IntrathecalTitration,
    PumpRefill,
    ResidualCheck,
    ScreeningBolus,
    ScreeningPlan,
    TaperStep,
    plan_initial_dose,
    plan_intrathecal_taper,
    plan_refill,
    plan_screening,
    titration_bounds,
)
from baclofen_dose.intrathecal.common import ROUTE
from baclofen_dose.intrathecal.first_dose import BASIS_RULES
from baclofen_dose.intrathecal.refill import RESIDUAL_FIELDS, refill_timing, whole_days
from baclofen_dose.render import protocol
from baclofen_dose.render.codec import (
    dumps,
    finding_data,
    provenance_data,
    read_finding,
    read_provenance,
)
from baclofen_dose.render.messages import FINDING_TEMPLATES, finding_text
from baclofen_dose.render.text import (
    INTENDED_USE,
    findings_lines,
    overrides_lines,
    rule_value,
    rules_used_lines,
)

if TYPE_CHECKING:
    import pint

__all__ = [
    "SCHEMAS",
    "Result",
    "flex_text",
    "input_lines",
    "read_result",
    "table",
    "text",
    "to_data",
    "to_json",
]

RULES: Final = requires(
    __name__,
    {
        "it.concentration.screening": "it.concentration",
        "it.daily_dose.ceiling": "it.daily_dose",
        "it.initial.long_effect.percent_of_screening": "it.initial_percent",
        "it.initial.long_effect_after": "it.hours",
        "it.initial.no_increase": "it.hours",
        "it.screening.dose_count": None,
        "it.taper.grid": "it.daily_dose",
        "it.taper.interval.min": "it.days",
        "it.taper.step.max": "it.taper_step",
        "it.titrate.decrease.max": "it.decrease",
        "it.titrate.interval.min": "it.hours",
    },
)


Result = ScreeningPlan | IntrathecalStart | IntrathecalTitration | PumpRefill | IntrathecalTaper

SCHEMAS: Final[dict[type, str]] = {
    kind: kind.SCHEMA
    for kind in (
        ScreeningPlan,
        IntrathecalStart,
        IntrathecalTitration,
        PumpRefill,
        IntrathecalTaper,
    )
}
_JSON_PLACES: Final = 6

IT_DOSE = units.IT_DOSE
DAILY = units.IT_DAILY_DOSE
HOURLY = units.IT_HOURLY_RATE
CONC = units.IT_CONCENTRATION
ML = units.VOLUME
ML_DAY = units.DAILY_VOLUME
PCT = units.PERCENT


def _hours_per_day() -> Fraction:
    return units.parse_unit("day", units.HOURS, "hours per day")


def _per_hour(daily: Fraction) -> str:
    return display.approx(daily / _hours_per_day(), HOURLY)


def _a(value: Fraction, kind: units.Kind) -> str:
    return display.amount(value, kind)


def _rules_for(provenance: Provenance, rules: RuleSet | None) -> RuleSet | None:
    if rules is None:
        rules = default_rules()
    return rules if rules.sha256 == provenance.ruleset_sha256 else None


def _rule_ref(rules: RuleSet | None, rule_id: str) -> str:
    """``'rule it.x'``: the sentence around it already shows the rule's value."""
    return f"rule {rule_id}"


def _value(rules: RuleSet | None, rule_id: str) -> str:
    """The rule's value with its id (``'8 hours (rule it.x)'``), or the id alone."""
    if rules is None or rule_id not in rules:
        return f"the limit of rule {rule_id}"
    return f"{rule_value(rules[rule_id])} (rule {rule_id})"


def _tail(
    findings: Sequence[Finding],
    overrides: Sequence[Override],
    provenance: Provenance,
    rules: RuleSet | None,
) -> list[str]:
    out = findings_lines(findings)
    out += rules_used_lines(provenance, rules, what="result")
    out += overrides_lines(overrides)
    out += ["", "Inputs (as understood)"]
    out += input_lines(provenance)
    out += ["", INTENDED_USE]
    return out


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def flex_text(hours: Sequence[ParamValue], rates: Sequence[ParamValue]) -> str:
    """A flex program's steps in words: ``'12 hours at 10 mcg/hour and 12 hours at 20 mcg/day'``.

    Each rate is written in its own kind (per hour or per day), as it was entered.
    """
    return display.words_list(
        [f"{display.param(h)} at {display.param(r)}" for h, r in zip(hours, rates, strict=True)]
    )


# Inputs shown as a note on another input rather than on their own line.
_NOTES: Final = {
    "concentration_given": ("concentration", False, "the screening strength"),
    "fill_volume_given": ("fill_volume", False, "the whole reservoir"),
    "diluted": ("concentration", True, "diluted"),
}
_FLEX: Final = ("_flex_hours", "_flex_rates")
_PER_HOUR: Final = "_entered_per_hour"


def input_lines(provenance: Provenance) -> list[str]:
    """The "Inputs (as understood)" lines: each typed input through the formatter."""
    values = provenance.values
    out = []
    for name, value in provenance.inputs:
        if name in _NOTES or name.endswith((*_FLEX, _PER_HOUR)):
            continue
        if isinstance(value, tuple) and not value:
            continue  # nothing assumed, no flex steps: nothing to say
        text = "not given" if value is None else display.param(value)
        notes = [
            note
            for key, (target, when, note) in _NOTES.items()
            if target == name and values.get(key) is when
        ]
        entered = values.get(name + _PER_HOUR)
        if entered is not None:
            notes.append("entered as " + display.param(entered))
        hours, rates = values.get(name + _FLEX[0]), values.get(name + _FLEX[1])
        if isinstance(hours, tuple) and isinstance(rates, tuple) and hours:
            notes.append("flex program: " + flex_text(hours, rates))
        out.append(f"- {name}: {text}" + "".join(f" ({n})" for n in notes))
    return out


def _head(title: str) -> list[str]:
    return [f"Intrathecal baclofen: {title}", INTENDED_USE, ""]


# ---------------------------------------------------------------------------------------------
# Screening


def _screening(plan: ScreeningPlan, rules: RuleSet | None) -> list[str]:
    strength = _a(plan.concentration_mcg_per_ml, CONC)
    rows = [["Bolus", "Dose", f"Volume of {strength}", "When"]]
    for bolus in plan.boluses:
        when = (
            "first"
            if bolus.hours_after_previous is None
            else f"{_a(bolus.hours_after_previous, units.HOURS)} or more after bolus "
            f"{bolus.number - 1} and only if the response to it was inadequate"
        )
        volume = display.approx(bolus.volume_ml, ML)
        rows.append([str(bolus.number), _a(bolus.dose_mcg, IT_DOSE), volume, when])
    title = "screening boluses" + (" (small child)" if plan.child else "")
    if plan.age_years is not None:
        title += f", age {_a(plan.age_years, units.YEARS)}"
    out = _head(title)
    out += _columns(rows)
    out += [
        "",
        "Instructions",
        f"- Use the {strength} screening strength only; never a pump strength "
        f"({_rule_ref(rules, 'it.concentration.screening')}).",
        f"- Observe the patient for {_a(plan.observe_from_hours, units.HOURS)} to "
        f"{_a(plan.observe_to_hours, units.HOURS)} after each bolus.",
        f"- At most {len(plan.boluses)} boluses in all "
        f"({_rule_ref(rules, 'it.screening.dose_count')}). "
        + (
            f"No response to {_a(plan.largest_dose_mcg, IT_DOSE)}, the last bolus of the "
            "small-child sequence: screening ends, and whether the child is a candidate for an "
            "intrathecal pump is a specialist decision."
            if plan.child
            else f"No response to {_a(plan.largest_dose_mcg, IT_DOSE)}, the last bolus: not a "
            "candidate for an intrathecal pump."
        ),
        "",
        "Working",
    ]
    out += [
        f"- Bolus {b.number}: {_a(b.dose_mcg, IT_DOSE)} divided by {strength} is "
        f"{display.approx(b.volume_ml, ML)} ({_rule_ref(rules, b.rule_ids[0])})."
        for b in plan.boluses
    ]
    return out


def _screening_text(plan: ScreeningPlan) -> list[str]:
    strength = _a(plan.concentration_mcg_per_ml, CONC)
    lines = []
    for bolus in plan.boluses:
        when = (
            ""
            if bolus.hours_after_previous is None
            else f", {_a(bolus.hours_after_previous, units.HOURS)} or more after bolus "
            f"{bolus.number - 1} and only if the response to it was inadequate"
        )
        lines.append(
            f"Bolus {bolus.number}: {_a(bolus.dose_mcg, IT_DOSE)} intrathecal "
            f"({display.approx(bolus.volume_ml, ML)} of {strength}){when}."
        )
    return lines


# ---------------------------------------------------------------------------------------------
# First daily dose


def _initial(start: IntrathecalStart, rules: RuleSet | None) -> list[str]:
    daily = _a(start.daily_mcg, DAILY)
    effect = display.approx(start.effect_hours, units.HOURS)
    if start.screening_side_effects:
        why = "the screening bolus caused side effects"
    elif start.basis_rule == "it.initial.long_effect.percent_of_screening":
        why = f"its effect lasted {effect}, longer than " + _value(
            rules, "it.initial.long_effect_after"
        )
    else:
        why = (
            f"its effect lasted {effect}, not longer than "
            f"{_value(rules, 'it.initial.long_effect_after')}"
        )
    out = _head("first daily dose after implant")
    out += [
        f"First daily dose: {daily} ({_per_hour(start.daily_mcg)}), infused over 24 hours.",
        f"No increase in the first {_a(start.no_increase_hours, units.HOURS)} "
        f"({_rule_ref(rules, 'it.initial.no_increase')}); after that, titrate by origin "
        "(baclofen-dose intrathecal titrate).",
        "",
        "Working",
        f"- Effective screening bolus {_a(start.screening_dose_mcg, IT_DOSE)}; {why}.",
        f"- {_a(start.screening_dose_mcg, IT_DOSE)} times "
        f"{_a(start.percent_of_screening, PCT)} ({_rule_ref(rules, start.basis_rule)}) is "
        f"{daily}.",
        f"- Per hour: {daily} divided by 24 hours is {_per_hour(start.daily_mcg)} "
        "(shown for reference; program the pump in its own units).",
    ]
    return out


def _initial_text(start: IntrathecalStart) -> list[str]:
    return [
        f"First intrathecal daily dose: {_a(start.daily_mcg, DAILY)} "
        f"({_per_hour(start.daily_mcg)}); no increase in the first "
        f"{_a(start.no_increase_hours, units.HOURS)}."
    ]


# ---------------------------------------------------------------------------------------------
# Titration


def _who(result: IntrathecalTitration) -> str:
    who = f"{result.origin} origin"
    if result.child:
        who += "; a child, so cerebral-origin rules"
    return who + ("; at a refill visit" if result.at_refill else "")


def _titration(result: IntrathecalTitration, rules: RuleSet | None) -> list[str]:
    current = result.current_daily_mcg
    rows = [["Change", "From", "To", "Per hour", "Percent of today's dose"]]
    if result.can_increase:
        rows.append(
            [
                "increase",
                _a(result.increase_from_mcg, DAILY),
                _a(result.increase_to_mcg, DAILY),
                f"{_per_hour(result.increase_from_mcg)} to {_per_hour(result.increase_to_mcg)}",
                f"{_a(result.increase_usual_min, PCT)} to "
                + (
                    display.approx(result.increase_to_mcg / current - 1, PCT)
                    if result.capped_by_ceiling
                    else _a(result.increase_max, PCT)
                ),
            ]
        )
    rows.append(
        [
            "decrease for side effects",
            _a(result.decrease_from_mcg, DAILY),
            _a(result.decrease_to_mcg, DAILY),
            f"{_per_hour(result.decrease_from_mcg)} to {_per_hour(result.decrease_to_mcg)}",
            f"{_a(result.decrease_usual_min, PCT)} to {_a(result.decrease_max, PCT)} less",
        ]
    )
    out = _head(f"dose changes allowed from {_a(current, DAILY)} ({_who(result)})")
    out += [f"Today's daily dose: {_a(current, DAILY)} ({_per_hour(current)}).", ""]
    out += _columns(rows)
    out += [""]
    hours = _a(result.hours_between_increases, units.HOURS)
    if result.can_increase:
        out.append(
            f"The largest next daily dose is {_a(result.increase_to_mcg, DAILY)}, no sooner "
            f"than {hours} after the last increase ({_rule_ref(rules, 'it.titrate.interval.min')})."
        )
    else:
        out.append("No increase: today's dose is at the hard daily ceiling.")
    if result.proposed_daily_mcg is not None:
        proposed = result.proposed_daily_mcg
        change = proposed - current
        word = "an increase" if change > 0 else "a decrease" if change < 0 else "no change"
        amount = "" if change == 0 else f" of {_a(abs(change), DAILY)}"
        out.append(
            f"Proposed: {_a(proposed, DAILY)} ({_per_hour(proposed)}), {word}{amount}: "
            "within the limits" + (" with the overrides below." if result.overrides else ".")
        )
    out += ["", "Working"]
    out.append(
        f"- Increase: {_a(current, DAILY)} plus {_a(result.increase_usual_min, PCT)} to "
        f"{_a(result.increase_max, PCT)} ({_rule_ref(rules, result.increase_rule)}) is "
        f"{_a(current * (1 + result.increase_usual_min), DAILY)} to "
        f"{_a(current * (1 + result.increase_max), DAILY)}"
        + (
            f"; the hard ceiling {_rule_ref(rules, 'it.daily_dose.ceiling')} stops it at "
            f"{_a(result.increase_to_mcg, DAILY)}."
            if result.capped_by_ceiling
            else "."
        )
    )
    out.append(
        f"- Decrease: {_a(current, DAILY)} minus {_a(result.decrease_usual_min, PCT)} to "
        f"{_a(result.decrease_max, PCT)} ({_rule_ref(rules, 'it.titrate.decrease.max')}) is "
        f"{_a(result.decrease_from_mcg, DAILY)} to {_a(result.decrease_to_mcg, DAILY)}; a larger "
        "decrease needs an override with a reason, and zero is never planned."
    )
    return out


def _titration_text(result: IntrathecalTitration) -> list[str]:
    current = result.current_daily_mcg
    lines = []
    if result.can_increase:
        lines.append(
            f"From {_a(current, DAILY)} ({_who(result)}): the next increase is to "
            f"{_a(result.increase_from_mcg, DAILY)} and at most "
            f"{_a(result.increase_to_mcg, DAILY)}, no sooner than "
            f"{_a(result.hours_between_increases, units.HOURS)} after the last increase."
        )
    lines.append(
        f"For side effects: decrease to {_a(result.decrease_from_mcg, DAILY)}, and at most "
        f"as far as {_a(result.decrease_to_mcg, DAILY)} without an override."
    )
    if result.proposed_daily_mcg is not None:
        lines.append(f"Proposed {_a(result.proposed_daily_mcg, DAILY)}: within the limits.")
    return lines


# ---------------------------------------------------------------------------------------------
# Pump refill


def _on(value: date | None) -> str:
    return "" if value is None else display.day(value)


def _whole_days(value: Fraction) -> str:
    """Days rounded down to whole days (the safe direction: an earlier date), saying so."""
    whole = whole_days(value)
    return display.day_count(whole) + ("" if whole == value else " (rounded down)")


def _alarm_on(refill: PumpRefill, value: date | None) -> str:
    if refill.start is None or value is not None:
        return _on(value)
    return "beyond the maximum refill interval: not given"


def _refill_by_value(refill: PumpRefill) -> str:
    if refill.refill_basis == "stability":
        return (
            f"the maximum refill interval, {display.day_count(refill.stability_days)} "
            f"(policy {refill.stability_policy})"
        )
    if refill.refill_basis == "inside_margin":
        return "urgent: the worst-case alarm date (no margin left)"
    return f"{display.day_count(refill.margin_days)} before the worst-case alarm"


def _refill(refill: PumpRefill, rules: RuleSet | None) -> list[str]:
    daily = _a(refill.daily_mcg, DAILY)
    strength = _a(refill.concentration_mcg_per_ml, CONC) + (" (diluted)" if refill.diluted else "")
    fill = _a(refill.fill_ml, ML)
    alarm = _a(refill.alarm_ml, ML)
    factor = 1 + refill.flow_tolerance
    to_deliver = refill.fill_ml - refill.alarm_ml
    rows = [["Quantity", "Value", "Date (estimate)"]]
    rows += [
        ["Daily volume", display.approx(refill.daily_volume_ml, ML_DAY), ""],
        [
            "Days to the alarm, nominal",
            _whole_days(refill.nominal_days),
            _alarm_on(refill, refill.nominal_alarm_date),
        ],
        [
            "Days to the alarm, worst case",
            _whole_days(refill.worst_days),
            _alarm_on(refill, refill.worst_alarm_date),
        ],
        ["Refill by", _refill_by_value(refill), _on(refill.refill_by)],
        [
            "Reservoir empty, worst case",
            _whole_days(refill.worst_empty_days),
            _alarm_on(refill, refill.worst_empty_date),
        ],
    ]
    out = _head("pump refill arithmetic (estimates, calculated, not measured)")
    out += [
        f"Reservoir {_a(refill.reservoir_ml, ML)}, filled with {fill}"
        + ("" if refill.fill_given else " (the whole reservoir)")
        + f" of {strength}; daily dose {daily} ({_per_hour(refill.daily_mcg)}); "
        f"low-reservoir alarm volume {alarm} (an input: there is no default).",
        "",
    ]
    out += _columns(rows)
    if refill.start is None:
        out += ["", "No start date was given, so no dates are shown (give --start YYYY-MM-DD)."]
    out += ["", "Working"]
    out += [
        f"- Daily volume: {daily} divided by {_a(refill.concentration_mcg_per_ml, CONC)} is "
        f"{display.approx(refill.daily_volume_ml, ML_DAY)}.",
        f"- Nominal days to the alarm: ({fill} minus {alarm}) divided by "
        f"{display.approx(refill.daily_volume_ml, ML_DAY)} is {_a(to_deliver, ML)} divided by "
        f"{display.approx(refill.daily_volume_ml, ML_DAY)}, "
        f"{_rounded_days(refill.nominal_days)}.",
        f"- Worst case: the pump may deliver {_a(refill.flow_tolerance, PCT)} more than "
        f"programmed (rule it.pump.flow_tolerance), so the nominal days are "
        f"divided by {display.number(factor)}: {_rounded_days(refill.nominal_days)} "
        f"divided by {display.number(factor)} is {_rounded_days(refill.worst_days)}; "
        f"rounded down (an earlier date), {display.day_count(refill.worst_days_whole)}.",
    ]
    if refill.start is not None and refill.refill_by is not None:
        out.append(_refill_by_working(refill))
    out.append(
        f"- Reservoir empty, worst case: {fill} divided by "
        f"({display.approx(refill.daily_volume_ml, ML_DAY)} times {display.number(factor)}) is "
        f"{_rounded_days(refill.worst_empty_days)}; rounded down, "
        f"{display.day_count(refill.worst_empty_days_whole)}."
    )
    out.append(
        f"- Maximum refill interval: {display.day_count(refill.stability_days)} (policy "
        f"{refill.stability_policy}, rule {_stability_rule(refill)}: a published figure on "
        "drug stability in the pump, not a label one): the refill-by date is never later, and "
        "an alarm date more than the margin past it is not given."
    )
    if refill.residual is not None:
        out += _residual(refill)
    return out


def _refill_by_working(refill: PumpRefill) -> str:
    start = display.day(refill.start) if refill.start is not None else ""
    worst = display.day_count(refill.worst_days_whole)
    if refill.refill_basis == "inside_margin":
        return (
            f"- Refill by: {start} plus {worst} (the worst-case days, rounded down) is "
            f"{_on(refill.refill_by)}; the margin of {display.day_count(refill.margin_days)} "
            f"(rule {_margin_rule(refill)}) does not fit, so the refill is due by the worst-case "
            "alarm date itself (see the findings)."
        )
    less = display.day_count(refill.worst_days_whole - refill.margin_days)
    if refill.refill_basis == "stability":
        return (
            f"- Refill by: {worst} (the worst-case days, rounded down) minus the margin of "
            f"{display.day_count(refill.margin_days)} (rule {_margin_rule(refill)}) is {less}, "
            f"longer than the maximum refill interval of "
            f"{display.day_count(refill.stability_days)}; so {start} plus "
            f"{display.day_count(refill.stability_days)} is {_on(refill.refill_by)}."
        )
    return (
        f"- Refill by: {start} plus {worst} (the worst-case days, rounded down) is "
        f"{_on(refill.worst_alarm_date)}; minus the margin of "
        f"{display.day_count(refill.margin_days)} "
        f"(rule {_margin_rule(refill)}) is {_on(refill.refill_by)}."
    )


def _rounded_days(value: Fraction) -> str:
    """``'165.94 days (rounded to 2 decimal places)'``, or the exact days when they are exact."""
    exact = display.approx(value, units.DAYS)
    if not exact.startswith("about "):
        return exact
    places = display.ESTIMATE_PLACES
    return f"{display.number(value, places=places)} days (rounded to {places} decimal places)"


def _margin_rule(refill: PumpRefill) -> str:
    return f"it.refill.margin.{refill.margin_policy}"


def _stability_rule(refill: PumpRefill) -> str:
    return f"it.refill.stability.{refill.stability_policy}"


def _residual(refill: PumpRefill) -> list[str]:
    check = refill.residual
    if check is None:  # pragma: no cover - the caller checks
        return []
    rate = check.previous_daily_mcg / check.previous_concentration_mcg_per_ml
    used = rate * check.days_elapsed
    expected, lowest, highest = check.shown
    grid = _a(check.grid_ml, ML)
    labels = {
        "previous_fill_volume": "previous fill volume",
        "previous_concentration": "previous concentration",
        "previous_daily_dose": "previous daily dose",
    }
    out = [
        "",
        f"Residual check: previous fill on {display.day(check.previous_fill)} "
        f"({display.day_count(check.days_elapsed)} before this refill)",
        f"- Delivered since: {display.approx(rate, ML_DAY)} times "
        f"{display.day_count(check.days_elapsed)} is {display.approx(used, ML)} (estimate).",
        f"- Expected residual: {_a(check.previous_fill_ml, ML)} minus "
        f"{display.approx(used, ML)} is {_signed_volume(check.expected_ml)}; on the {grid} "
        f"grid, rounded down (less assumed left): {_signed_volume(expected)} expected.",
        f"- The flow tolerance explains {_signed_volume(check.lowest_ml)} to "
        f"{_signed_volume(check.highest_ml)} left; on the {grid} grid, narrowed inward so that "
        f"rounding never hides a discrepancy, {_signed_volume(lowest)} to "
        f"{_signed_volume(highest)} (rule it.refill.volume_grid).",
        f"- Measured residual: {_a(check.measured_ml, ML)}: "
        + (
            "within what the flow tolerance explains."
            if check.within_tolerance
            else "outside what the flow tolerance explains (see the findings)."
        ),
    ]
    if check.assumed:
        out.append(
            "- Taken to equal this refill's (not given): "
            + ", ".join(labels[a] for a in check.assumed[:-1])
            + (" and " if len(check.assumed) > 1 else "")
            + labels[check.assumed[-1]]
            + "."
        )
    return out


def _signed_volume(value: Fraction) -> str:
    if value < 0:
        return "below zero (" + display.approx(-value, ML) + " short)"
    return display.approx(value, ML)


def _refill_text(refill: PumpRefill) -> list[str]:
    lines = [
        f"Daily volume {display.approx(refill.daily_volume_ml, ML_DAY)}; days to the "
        f"low-reservoir alarm: {_whole_days(refill.nominal_days)} nominal, "
        f"{_whole_days(refill.worst_days)} worst case (estimates)."
    ]
    if refill.refill_by is not None:
        why = {
            "margin": f"worst-case alarm {_on(refill.worst_alarm_date)}",
            "stability": "the maximum refill interval of "
            f"{display.day_count(refill.stability_days)}",
            "inside_margin": "urgent: the worst-case alarm date, no margin left",
        }[refill.refill_basis]
        lines.append(f"Refill by {display.day(refill.refill_by)} (estimate; {why}).")
    return lines


# ---------------------------------------------------------------------------------------------
# Taper


def _taper(taper: IntrathecalTaper, rules: RuleSet | None) -> list[str]:
    rows = [["Step", "From", "To", "Change", "Daily dose", "Per hour"]]
    previous: Fraction | None = None
    for number, step in enumerate(taper.steps, 1):
        if previous is None:
            change = "start"
        else:
            cut = previous - step.daily_mcg
            change = f"down {_a(cut, DAILY)} ({display.approx(cut / previous, PCT)})"
        rows.append(
            [
                str(number),
                display.day(step.start),
                "onward" if step.end is None else display.day(step.end),
                change,
                _a(step.daily_mcg, DAILY),
                _per_hour(step.daily_mcg),
            ]
        )
        previous = step.daily_mcg
    out = _head(
        f"supervised taper from {_a(taper.current_daily_mcg, DAILY)} to "
        f"{_a(taper.floor_daily_mcg, DAILY)}"
    )
    out += _columns(rows)
    out += [
        "",
        "The last step is the first post-implant daily dose: the plan stays there. It never "
        "reaches zero.",
        "",
        "Working",
        f"- Each step takes off at most {_a(taper.step, PCT)} of the dose it starts from "
        f"({_rule_ref(rules, 'it.taper.step.max')}), every {display.day_count(taper.interval_days)}"
        f" ({_rule_ref(rules, 'it.taper.interval.min')}).",
        f"- Each new dose is rounded up to whole mcg/day ({_rule_ref(rules, 'it.taper.grid')}), "
        "so a step never takes off more than allowed; a step that would pass the first "
        "post-implant dose stops at it.",
    ]
    return out


def _taper_text(taper: IntrathecalTaper) -> list[str]:
    lines = []
    for step in taper.steps:
        when = f"from {display.day(step.start)}"
        when += " onward" if step.end is None else f" to {display.day(step.end)}"
        lines.append(f"Intrathecal {_a(step.daily_mcg, DAILY)} {when}.")
    return lines


# ---------------------------------------------------------------------------------------------
# Public entry points


def table(result: Result, *, rules: RuleSet | None = None) -> str:
    """The printable rendering of any intrathecal result: table, working, findings, sources."""
    if not isinstance(result, tuple(SCHEMAS)):
        raise TypeError(f"not an intrathecal result: {type(result).__name__}")
    found = _rules_for(result.provenance, rules)
    if isinstance(result, ScreeningPlan):
        body = _screening(result, found)
    elif isinstance(result, IntrathecalStart):
        body = _initial(result, found)
    elif isinstance(result, IntrathecalTitration):
        body = _titration(result, found)
    elif isinstance(result, PumpRefill):
        body = _refill(result, found)
    else:
        body = _taper(result, found)
    overrides = (
        result.overrides if isinstance(result, IntrathecalTitration | IntrathecalTaper) else ()
    )
    return "\n".join(body + _tail(result.findings, overrides, result.provenance, found)) + "\n"


def text(result: Result) -> str:
    """Short plain-English lines, the warnings, and the intended-use line."""
    if isinstance(result, ScreeningPlan):
        lines = _screening_text(result)
    elif isinstance(result, IntrathecalStart):
        lines = _initial_text(result)
    elif isinstance(result, IntrathecalTitration):
        lines = _titration_text(result)
    elif isinstance(result, PumpRefill):
        lines = _refill_text(result)
    elif isinstance(result, IntrathecalTaper):
        lines = _taper_text(result)
    else:
        raise TypeError(f"not an intrathecal result: {type(result).__name__}")
    lines += [
        f"{f.severity}: {finding_text(f)}"
        for f in result.findings
        if f.severity in ("hard", "warning")
    ]
    return "\n".join([*lines, INTENDED_USE]) + "\n"


# ---------------------------------------------------------------------------------------------
# JSON


def _amount(value: Fraction, kind: units.Kind) -> dict[str, Any]:
    shown = value * 100 if kind is PCT else value
    if numeric.check_exactness_with_decimal(shown):
        return {"value": numeric.to_decimal(shown), "unit": kind.ucum}
    exact = Decimal(shown.numerator) / Decimal(shown.denominator)
    rounded = exact.quantize(Decimal(1).scaleb(-_JSON_PLACES), rounding=ROUND_HALF_UP)
    return {"value": rounded, "unit": kind.ucum, "exact": f"{shown.numerator}/{shown.denominator}"}


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _common(result: Result) -> dict[str, Any]:
    prov = result.provenance
    overrides = (
        result.overrides if isinstance(result, IntrathecalTitration | IntrathecalTaper) else ()
    )
    return {
        "findings": [finding_data(f) for f in result.findings],
        "overrides": [{"rule_id": o.rule_id, "reason": o.reason} for o in overrides],
        "provenance": provenance_data(prov),
        "intended_use": INTENDED_USE,
    }


def _body(result: Result) -> dict[str, Any]:
    if isinstance(result, ScreeningPlan):
        return {
            "concentration": _amount(result.concentration_mcg_per_ml, CONC),
            "child": result.child,
            "age": None if result.age_years is None else _amount(result.age_years, units.YEARS),
            "boluses": [
                {
                    "number": b.number,
                    "dose": _amount(b.dose_mcg, IT_DOSE),
                    "volume": _amount(b.volume_ml, ML),
                    "min_time_after_previous": None
                    if b.hours_after_previous is None
                    else _amount(b.hours_after_previous, units.HOURS),
                    "rule_ids": list(b.rule_ids),
                }
                for b in result.boluses
            ],
            "observe_from": _amount(result.observe_from_hours, units.HOURS),
            "observe_to": _amount(result.observe_to_hours, units.HOURS),
        }
    if isinstance(result, IntrathecalStart):
        return {
            "screening_dose": _amount(result.screening_dose_mcg, IT_DOSE),
            "effect_duration": _amount(result.effect_hours, units.HOURS),
            "screening_side_effects": result.screening_side_effects,
            "percent_of_screening_dose": _amount(result.percent_of_screening, PCT),
            "basis_rule": result.basis_rule,
            "daily_dose": _amount(result.daily_mcg, DAILY),
            "hourly_rate": _amount(result.hourly_mcg, HOURLY),
            "no_increase_for": _amount(result.no_increase_hours, units.HOURS),
        }
    if isinstance(result, IntrathecalTitration):
        return {
            "current_daily_dose": _amount(result.current_daily_mcg, DAILY),
            "origin": result.origin,
            "child": result.child,
            "at_refill": result.at_refill,
            "increase": {
                "rule_id": result.increase_rule,
                "percent_from": _amount(result.increase_usual_min, PCT),
                "percent_max": _amount(result.increase_max, PCT),
                "daily_dose_from": _amount(result.increase_from_mcg, DAILY),
                "daily_dose_max": _amount(result.increase_to_mcg, DAILY),
                "capped_by_ceiling": result.capped_by_ceiling,
                "min_time_between": _amount(result.hours_between_increases, units.HOURS),
            },
            "decrease_for_side_effects": {
                "percent_from": _amount(result.decrease_usual_min, PCT),
                "percent_max": _amount(result.decrease_max, PCT),
                "daily_dose_from": _amount(result.decrease_from_mcg, DAILY),
                "daily_dose_min": _amount(result.decrease_to_mcg, DAILY),
            },
            "proposed_daily_dose": None
            if result.proposed_daily_mcg is None
            else _amount(result.proposed_daily_mcg, DAILY),
        }
    if isinstance(result, PumpRefill):
        check = result.residual
        return {
            "estimate": True,
            "reservoir": _amount(result.reservoir_ml, ML),
            "fill_volume": _amount(result.fill_ml, ML),
            "concentration": _amount(result.concentration_mcg_per_ml, CONC),
            "diluted": result.diluted,
            "daily_dose": _amount(result.daily_mcg, DAILY),
            "hourly_rate": _amount(result.hourly_mcg, HOURLY),
            "per_hour_input": result.per_hour_input,
            "alarm_volume": _amount(result.alarm_ml, ML),
            "flow_tolerance": _amount(result.flow_tolerance, PCT),
            "margin_policy": result.margin_policy,
            "margin": _amount(Fraction(result.margin_days), units.DAYS),
            "stability_policy": result.stability_policy,
            "max_refill_interval": _amount(Fraction(result.stability_days), units.DAYS),
            "refill_by_basis": result.refill_basis,
            "daily_volume": _amount(result.daily_volume_ml, ML_DAY),
            "days_to_alarm_nominal": _amount(result.nominal_days, units.DAYS),
            "days_to_alarm_nominal_whole": result.nominal_days_whole,
            "days_to_alarm_worst_case": _amount(result.worst_days, units.DAYS),
            "days_to_alarm_worst_case_whole": result.worst_days_whole,
            "days_to_empty_worst_case": _amount(result.worst_empty_days, units.DAYS),
            "days_to_empty_worst_case_whole": result.worst_empty_days_whole,
            "start": _date(result.start),
            "alarm_date_nominal": _date(result.nominal_alarm_date),
            "alarm_date_worst_case": _date(result.worst_alarm_date),
            "refill_by": _date(result.refill_by),
            "empty_date_worst_case": _date(result.worst_empty_date),
            "residual_check": None
            if check is None
            else {
                "previous_fill": check.previous_fill.isoformat(),
                "days_elapsed": check.days_elapsed,
                "previous_fill_volume": _amount(check.previous_fill_ml, ML),
                "previous_concentration": _amount(check.previous_concentration_mcg_per_ml, CONC),
                "previous_daily_dose": _amount(check.previous_daily_mcg, DAILY),
                "assumed_equal_to_this_refill": list(check.assumed),
                "expected": _signed(check.expected_ml, ML),
                "lowest": _signed(check.lowest_ml, ML),
                "highest": _signed(check.highest_ml, ML),
                "measured": _amount(check.measured_ml, ML),
                "volume_grid": _amount(check.grid_ml, ML),
                "expected_rounded": _signed(check.shown[0], ML),
                "lowest_rounded": _signed(check.shown[1], ML),
                "highest_rounded": _signed(check.shown[2], ML),
                "within_tolerance": check.within_tolerance,
            },
        }
    return {
        "current_daily_dose": _amount(result.current_daily_mcg, DAILY),
        "first_post_implant_daily_dose": _amount(result.floor_daily_mcg, DAILY),
        "step_max": _amount(result.step, PCT),
        "interval": _amount(Fraction(result.interval_days), units.DAYS),
        "steps": [
            {
                "start": s.start.isoformat(),
                "end": _date(s.end),
                "daily_dose": _amount(s.daily_mcg, DAILY),
                "rule_ids": list(s.rule_ids),
            }
            for s in result.steps
        ],
    }


def _signed(value: Fraction, kind: units.Kind) -> dict[str, Any]:
    data = _amount(abs(value), kind)
    if value < 0:
        data["value"] = -data["value"]
        if "exact" in data:
            data["exact"] = "-" + data["exact"]
    return data


def to_data(result: Result) -> dict[str, Any]:
    """The result as plain data (Decimal numbers), ready for :func:`to_json`."""
    schema = SCHEMAS.get(type(result))
    if schema is None:
        raise TypeError(f"not an intrathecal result: {type(result).__name__}")
    return {"schema": schema, "route": result.route, **_body(result), **_common(result)}


def to_json(result: Result) -> str:
    """The result as JSON text: exact numbers, ``{"value", "unit"}`` amounts, UCUM codes."""
    return dumps(to_data(result))


# ---------------------------------------------------------------------------------------------
# Reading JSON back: every value checked, every derived figure recomputed and compared

_T = TypeVar("_T")
_R = TypeVar(
    "_R", ScreeningPlan, IntrathecalStart, IntrathecalTitration, PumpRefill, IntrathecalTaper
)
_KNOWN_CODES: Final = frozenset(FINDING_TEMPLATES) | {"ADVICE"}


def _bad(where: str, value: object, expected: str) -> InputError:
    return InputError(where, value, expected, code="E_JSON")


def _get(data: Any, key: str, types: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(data, Mapping) or key not in data:
        raise _bad(f"{where}.{key}", None, "a value for this key")
    value = data[key]
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        raise _bad(f"{where}.{key}", value, f"a JSON {_type_name(types)}, not a boolean")
    if not isinstance(value, types):
        raise _bad(f"{where}.{key}", value, f"a JSON {_type_name(types)}")
    return value


def _type_name(types: type | tuple[type, ...]) -> str:
    names = {bool: "boolean", int: "integer", str: "string", list: "list", Mapping: "object"}
    kinds = types if isinstance(types, tuple) else (types,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _flag(data: Any, key: str, where: str) -> bool:
    return bool(_get(data, key, bool, where))


def _ratio(text: Any, where: str) -> Fraction:
    if not isinstance(text, str) or len(text) > 200:
        raise _bad(where, text, "an exact ratio written 'n/d'")
    num, slash, den = text.lstrip("-").partition("/")
    if not (slash and num.isascii() and num.isdigit() and den.isascii() and den.isdigit()):
        raise _bad(where, text, "an exact ratio written 'n/d'")
    if int(den) == 0:
        raise _bad(where, text, "a ratio with a denominator above zero")
    value = Fraction(int(num), int(den))
    return -value if text.startswith("-") else value


def _read_amount(
    data: Any, kind: units.Kind, where: str, *, positive: bool = True, signed: bool = False
) -> Fraction:
    """An amount as :func:`_amount` (or :func:`_signed`) writes it, and nothing else.

    The unit must be the kind's UCUM code; the value is exact (or its exact ratio is given);
    writing the value read again must give the same JSON (so a rounded value that does not
    match its exact ratio is refused). Amounts are above zero unless ``positive`` is False.
    """
    if not isinstance(data, Mapping) or not set(data) <= {"value", "unit", "exact"}:
        raise _bad(where, data, 'an amount {"value", "unit"}')
    if data.get("unit") != kind.ucum:
        raise _bad(f"{where}.unit", data.get("unit"), repr(kind.ucum))
    raw = data.get("value")
    if isinstance(raw, bool) or not isinstance(raw, Decimal | int):
        raise _bad(f"{where}.value", raw, "a JSON number")
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise _bad(f"{where}.value", raw, "a finite number")
    shown = _ratio(data["exact"], f"{where}.exact") if "exact" in data else Fraction(raw)
    value = shown / 100 if kind is units.PERCENT else shown
    if positive and value <= 0:
        raise _bad(f"{where}.value", raw, "an amount above zero")
    if value < 0 and not signed:
        raise _bad(f"{where}.value", raw, "an amount of zero or more")
    again = _signed(value, kind) if signed else _amount(value, kind)
    if again != dict(data):
        raise _bad(where, data, "an amount written exactly as baclofen-dose writes it")
    return value


def _exact_amount(data: Any, kind: units.Kind, where: str) -> Fraction:
    """An amount that must be exact as a decimal (a dose, a volume entered: never a ratio)."""
    value = _read_amount(data, kind, where)
    if not numeric.check_exactness_with_decimal(value):
        raise _bad(where, data, "an amount that can be written exactly as a decimal")
    return value


def _whole(data: Any, kind: units.Kind, where: str) -> int:
    value = _read_amount(data, kind, where)
    if value.denominator != 1:
        raise _bad(where, data, "a whole number")
    return int(value)


def _agree(data: Any, key: str, value: Fraction, kind: units.Kind, where: str) -> None:
    """The figure written under ``key`` is the one the inputs give (recomputed here)."""
    written = _get(data, key, Mapping, where)
    if dict(written) != (_signed(value, kind) if value < 0 else _amount(value, kind)):
        raise _bad(f"{where}.{key}", written, "the value its inputs give")


def _day(text: Any, where: str) -> date:
    if not isinstance(text, str) or len(text) != len("YYYY-MM-DD"):
        raise _bad(where, text, "an ISO date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _bad(where, text, "an ISO date YYYY-MM-DD") from None


def _optional_day(text: Any, where: str) -> date | None:
    return None if text is None else _day(text, where)


def _rules_known(ids: Any, where: str) -> tuple[str, ...]:
    if not isinstance(ids, list):
        raise _bad(where, ids, "a list of rule ids")
    rules = default_rules()
    for rule_id in ids:
        if not isinstance(rule_id, str) or rule_id not in rules:
            raise _bad(where, rule_id, "the id of a rule in the rule set")
    return tuple(ids)


def _rule_known(rule_id: Any, where: str) -> str:
    return _rules_known([rule_id], where)[0]


def _list(data: Any, key: str, where: str, read: Callable[[Any, str], _T]) -> tuple[_T, ...]:
    items = _get(data, key, list, where)
    return tuple(read(item, f"{where}.{key}[{i}]") for i, item in enumerate(items))


def _decoded(read: Callable[[Any, str], _T], data: Any, where: str) -> _T:
    """The shared decoder's result; its unexpected failures on malformed data become E_JSON.

    (render/codec.py can raise TypeError on an unhashable kind; a file never gets past here
    with anything but a library error.)
    """
    try:
        return read(data, where)
    except BaclofenDoseError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError):
        raise _bad(where, data, "a value as baclofen-dose writes it") from None


def _finding(data: Any, where: str) -> Finding:
    finding = _decoded(read_finding, data, where)
    _rule_known(finding.rule_id, f"{where}.rule_id")
    if finding.code not in _KNOWN_CODES:
        raise _bad(f"{where}.code", finding.code, "a finding code of an intrathecal result")
    try:
        finding_text(finding)
    except (BaclofenDoseError, KeyError, IndexError, ValueError, TypeError, AttributeError):
        raise _bad(f"{where}.params", data.get("params"), "the values its code names") from None
    return finding


def _override(data: Any, where: str) -> Override:
    rule_id = _rule_known(_get(data, "rule_id", str, where), f"{where}.rule_id")
    return Override(rule_id, _get(data, "reason", str, where))


def _common_read(data: Mapping[str, Any]) -> tuple[tuple[Finding, ...], Provenance]:
    where = "result"
    if _get(data, "route", str, where) != ROUTE:
        raise _bad("route", data.get("route"), repr(ROUTE))
    _get(data, "intended_use", str, where)
    provenance = _decoded(read_provenance, _get(data, "provenance", Mapping, where), "provenance")
    _rules_known(list(provenance.rule_ids), "provenance.rule_ids")
    findings = _list(data, "findings", where, _finding)
    for finding in findings:
        if finding.rule_id not in provenance.rule_ids:
            raise _bad("findings", finding.rule_id, "a rule listed in the provenance")
    return findings, provenance


def _read_bolus(data: Any, where: str, strength: Fraction) -> ScreeningBolus:
    dose = _exact_amount(_get(data, "dose", Mapping, where), IT_DOSE, f"{where}.dose")
    _agree(data, "volume", dose / strength, ML, where)
    after = data.get("min_time_after_previous") if isinstance(data, Mapping) else None
    return ScreeningBolus(
        number=_get(data, "number", int, where),
        dose_mcg=dose,
        volume_ml=dose / strength,
        hours_after_previous=None
        if after is None
        else _read_amount(after, units.HOURS, f"{where}.min_time_after_previous"),
        rule_ids=_rules_known(_get(data, "rule_ids", list, where), f"{where}.rule_ids"),
    )


def _read_screening(data: Mapping[str, Any]) -> ScreeningPlan:
    findings, provenance = _common_read(data)
    strength = _exact_amount(_get(data, "concentration", Mapping, "result"), CONC, "concentration")
    raw = _get(data, "boluses", list, "result")
    boluses = tuple(_read_bolus(b, f"boluses[{i}]", strength) for i, b in enumerate(raw))
    if not boluses:
        raise _bad("boluses", raw, "at least one bolus")
    for index, bolus in enumerate(boluses):
        if bolus.number != index + 1 or (bolus.hours_after_previous is None) != (index == 0):
            raise _bad(f"boluses[{index}]", raw[index], "boluses numbered in order from 1")
        if index and bolus.dose_mcg <= boluses[index - 1].dose_mcg:
            raise _bad(f"boluses[{index}].dose", raw[index], "doses rising from bolus to bolus")
    observe_from = _read_amount(
        _get(data, "observe_from", Mapping, "result"), units.HOURS, "observe_from"
    )
    observe_to = _read_amount(
        _get(data, "observe_to", Mapping, "result"), units.HOURS, "observe_to"
    )
    if observe_to < observe_from:
        raise _bad("observe_to", data["observe_to"], "a time not before observe_from")
    age = data.get("age")
    return ScreeningPlan(
        concentration_mcg_per_ml=strength,
        child=_flag(data, "child", "result"),
        age_years=None if age is None else _read_amount(age, units.YEARS, "age"),
        boluses=boluses,
        observe_from_hours=observe_from,
        observe_to_hours=observe_to,
        findings=findings,
        provenance=provenance,
    )


def _read_initial(data: Mapping[str, Any]) -> IntrathecalStart:
    findings, provenance = _common_read(data)
    dose = _exact_amount(_get(data, "screening_dose", Mapping, "result"), IT_DOSE, "screening_dose")
    percent = _read_amount(
        _get(data, "percent_of_screening_dose", Mapping, "result"), PCT, "percent_of_screening"
    )
    basis = _get(data, "basis_rule", str, "result")
    if basis not in BASIS_RULES:
        raise _bad("basis_rule", basis, "one of " + ", ".join(BASIS_RULES))
    _agree(data, "daily_dose", dose * percent, DAILY, "result")
    _agree(data, "hourly_rate", dose * percent / _hours_per_day(), HOURLY, "result")
    return IntrathecalStart(
        screening_dose_mcg=dose,
        effect_hours=_read_amount(
            _get(data, "effect_duration", Mapping, "result"), units.HOURS, "effect_duration"
        ),
        screening_side_effects=_flag(data, "screening_side_effects", "result"),
        percent_of_screening=percent,
        basis_rule=basis,
        daily_mcg=dose * percent,
        no_increase_hours=_read_amount(
            _get(data, "no_increase_for", Mapping, "result"), units.HOURS, "no_increase_for"
        ),
        findings=findings,
        provenance=provenance,
    )


def _read_titration(data: Mapping[str, Any]) -> IntrathecalTitration:
    findings, provenance = _common_read(data)
    current = _exact_amount(_get(data, "current_daily_dose", Mapping, "result"), DAILY, "current")
    origin = _get(data, "origin", str, "result")
    if origin not in ORIGINS:
        raise _bad("origin", origin, " or ".join(ORIGINS))
    child = _flag(data, "child", "result")
    at_refill = _flag(data, "at_refill", "result")
    up = _get(data, "increase", Mapping, "result")
    down = _get(data, "decrease_for_side_effects", Mapping, "result")
    rule = _get(up, "rule_id", str, "increase")
    expected_rule = (
        f"{'it.refill_change' if at_refill else 'it.titrate'}."
        f"{'child' if child else origin}.increase.max"
    )
    if rule != expected_rule:
        raise _bad("increase.rule_id", rule, repr(expected_rule))
    usual_min = _read_amount(
        _get(up, "percent_from", Mapping, "increase"), PCT, "increase.percent_from"
    )
    largest = _read_amount(
        _get(up, "percent_max", Mapping, "increase"), PCT, "increase.percent_max"
    )
    top = _exact_amount(
        _get(up, "daily_dose_max", Mapping, "increase"), DAILY, "increase.daily_dose_max"
    )
    capped = _flag(up, "capped_by_ceiling", "increase")
    uncapped = current * (1 + largest)
    if (top != uncapped or capped) and not (capped and current <= top < uncapped):
        raise _bad("increase.daily_dose_max", up["daily_dose_max"], "the value its inputs give")
    _agree(up, "daily_dose_from", min(current * (1 + usual_min), top), DAILY, "increase")
    down_min = _read_amount(
        _get(down, "percent_from", Mapping, "decrease"), PCT, "decrease.percent_from"
    )
    down_max = _read_amount(
        _get(down, "percent_max", Mapping, "decrease"), PCT, "decrease.percent_max"
    )
    if not usual_min <= largest or not down_min <= down_max < 1:
        raise _bad("increase", up, "usual percentages not above their maximum")
    _agree(down, "daily_dose_from", current * (1 - down_min), DAILY, "decrease")
    _agree(down, "daily_dose_min", current * (1 - down_max), DAILY, "decrease")
    proposed = data.get("proposed_daily_dose")
    return IntrathecalTitration(
        current_daily_mcg=current,
        origin=origin,
        child=child,
        at_refill=at_refill,
        increase_rule=_rule_known(rule, "increase.rule_id"),
        increase_usual_min=usual_min,
        increase_max=largest,
        increase_from_mcg=min(current * (1 + usual_min), top),
        increase_to_mcg=top,
        capped_by_ceiling=capped,
        decrease_usual_min=down_min,
        decrease_max=down_max,
        decrease_from_mcg=current * (1 - down_min),
        decrease_to_mcg=current * (1 - down_max),
        hours_between_increases=_read_amount(
            _get(up, "min_time_between", Mapping, "increase"), units.HOURS, "increase"
        ),
        proposed_daily_mcg=None
        if proposed is None
        else _exact_amount(proposed, DAILY, "proposed_daily_dose"),
        findings=findings,
        overrides=_list(data, "overrides", "result", _override),
        provenance=provenance,
    )


def _read_residual(
    data: Any, where: str, start: date | None, tolerance: Fraction, refill: Mapping[str, Any]
) -> ResidualCheck:
    if start is None:
        raise _bad(where, data, "no residual check without a start date")
    before = _day(_get(data, "previous_fill", str, where), f"{where}.previous_fill")
    elapsed = (start - before).days
    if elapsed <= 0 or _get(data, "days_elapsed", int, where) != elapsed:
        raise _bad(f"{where}.days_elapsed", data.get("days_elapsed"), "the days since the fill")
    fill = _exact_amount(_get(data, "previous_fill_volume", Mapping, where), ML, where)
    strength = _exact_amount(_get(data, "previous_concentration", Mapping, where), CONC, where)
    daily = _exact_amount(_get(data, "previous_daily_dose", Mapping, where), DAILY, where)
    assumed = _get(data, "assumed_equal_to_this_refill", list, where)
    if not all(isinstance(a, str) for a in assumed) or [
        a for a in RESIDUAL_FIELDS if a in assumed
    ] != list(assumed):
        raise _bad(f"{where}.assumed_equal_to_this_refill", assumed, ", ".join(RESIDUAL_FIELDS))
    for name, key, value, kind in (
        ("previous_fill_volume", "fill_volume", fill, ML),
        ("previous_concentration", "concentration", strength, CONC),
        ("previous_daily_dose", "daily_dose", daily, DAILY),
    ):
        if name in assumed and dict(_get(refill, key, Mapping, "result")) != _amount(value, kind):
            raise _bad(f"{where}.{name}", data.get(name), "this refill's value (it was assumed)")
    measured = _read_amount(_get(data, "measured", Mapping, where), ML, where, positive=False)
    if measured > fill:
        raise _bad(f"{where}.measured", data.get("measured"), "at most the previous fill")
    used = daily / strength * elapsed
    check = ResidualCheck(
        previous_fill=before,
        days_elapsed=elapsed,
        previous_fill_ml=fill,
        previous_concentration_mcg_per_ml=strength,
        previous_daily_mcg=daily,
        assumed=tuple(assumed),
        expected_ml=fill - used,
        lowest_ml=fill - used * (1 + tolerance),
        highest_ml=fill - used * (1 - tolerance),
        measured_ml=measured,
        grid_ml=_read_amount(_get(data, "volume_grid", Mapping, where), ML, where),
    )
    for key, value in (
        ("expected", check.expected_ml),
        ("lowest", check.lowest_ml),
        ("highest", check.highest_ml),
        ("expected_rounded", check.shown[0]),
        ("lowest_rounded", check.shown[1]),
        ("highest_rounded", check.shown[2]),
    ):
        if dict(_get(data, key, Mapping, where)) != _signed(value, ML):
            raise _bad(f"{where}.{key}", data.get(key), "the value its inputs give")
    if _flag(data, "within_tolerance", where) != check.within_tolerance:
        raise _bad(f"{where}.within_tolerance", data.get("within_tolerance"), "the check's result")
    return check


def _read_refill(data: Mapping[str, Any]) -> PumpRefill:
    findings, provenance = _common_read(data)
    where = "result"
    if _get(data, "estimate", bool, where) is not True:
        raise _bad("estimate", data.get("estimate"), "true (refill figures are estimates)")
    reservoir = _exact_amount(_get(data, "reservoir", Mapping, where), ML, "reservoir")
    fill = _exact_amount(_get(data, "fill_volume", Mapping, where), ML, "fill_volume")
    strength = _exact_amount(_get(data, "concentration", Mapping, where), CONC, "concentration")
    daily = _exact_amount(_get(data, "daily_dose", Mapping, where), DAILY, "daily_dose")
    alarm = _exact_amount(_get(data, "alarm_volume", Mapping, where), ML, "alarm_volume")
    tolerance = _read_amount(_get(data, "flow_tolerance", Mapping, where), PCT, "flow_tolerance")
    margin = _whole(_get(data, "margin", Mapping, where), units.DAYS, "margin")
    policy = _get(data, "margin_policy", str, where)
    if f"it.refill.margin.{policy}" not in default_rules():
        raise _bad("margin_policy", policy, "the name of a refill margin policy")
    stability_policy = _get(data, "stability_policy", str, where)
    if f"it.refill.stability.{stability_policy}" not in default_rules():
        raise _bad("stability_policy", stability_policy, "the name of a refill stability policy")
    stability = _whole(
        _get(data, "max_refill_interval", Mapping, where), units.DAYS, "max_refill_interval"
    )
    if not margin < stability:
        raise _bad("max_refill_interval", data["max_refill_interval"], "longer than the margin")
    if not alarm < fill <= reservoir:
        raise _bad("fill_volume", data["fill_volume"], "alarm volume < fill volume <= reservoir")
    fill_given = (
        "fill_volume" in provenance.values
        and provenance.values.get("fill_volume_given") is not False
    )
    daily_volume = daily / strength
    nominal = (fill - alarm) / daily_volume
    worst = nominal / (1 + tolerance)
    worst_empty = fill / (daily_volume * (1 + tolerance))
    timing = refill_timing(nominal, worst, worst_empty, margin, stability)
    if _get(data, "refill_by_basis", str, where) != timing.basis:
        raise _bad("refill_by_basis", data.get("refill_by_basis"), repr(timing.basis))
    _agree(data, "hourly_rate", daily / _hours_per_day(), HOURLY, where)
    _agree(data, "daily_volume", daily_volume, ML_DAY, where)
    _agree(data, "days_to_alarm_nominal", nominal, units.DAYS, where)
    _agree(data, "days_to_alarm_worst_case", worst, units.DAYS, where)
    _agree(data, "days_to_empty_worst_case", worst_empty, units.DAYS, where)
    for key, days in (
        ("days_to_alarm_nominal_whole", nominal),
        ("days_to_alarm_worst_case_whole", worst),
        ("days_to_empty_worst_case_whole", worst_empty),
    ):
        if _get(data, key, int, where) != whole_days(days):
            raise _bad(key, data.get(key), "the days rounded down")
    start = _optional_day(data.get("start"), "start")

    def on(days: int | None) -> date | None:
        return None if start is None or days is None else add_days(start, days, "start")

    dates = {
        "alarm_date_nominal": on(timing.alarm_nominal),
        "alarm_date_worst_case": on(timing.alarm_worst),
        "refill_by": on(timing.refill_by),
        "empty_date_worst_case": on(timing.empty_worst),
    }
    for key, value in dates.items():
        if data.get(key) != _date(value):
            raise _bad(key, data.get(key), "the date its inputs give")
    residual = data.get("residual_check")
    return PumpRefill(
        reservoir_ml=reservoir,
        fill_ml=fill,
        fill_given=fill_given,
        concentration_mcg_per_ml=strength,
        diluted=_flag(data, "diluted", where),
        daily_mcg=daily,
        per_hour_input=_flag(data, "per_hour_input", where),
        alarm_ml=alarm,
        flow_tolerance=tolerance,
        margin_policy=policy,
        margin_days=margin,
        stability_policy=stability_policy,
        stability_days=stability,
        refill_basis=timing.basis,
        daily_volume_ml=daily_volume,
        nominal_days=nominal,
        worst_days=worst,
        worst_empty_days=worst_empty,
        start=start,
        nominal_alarm_date=dates["alarm_date_nominal"],
        worst_alarm_date=dates["alarm_date_worst_case"],
        refill_by=dates["refill_by"],
        worst_empty_date=dates["empty_date_worst_case"],
        residual=None
        if residual is None
        else _read_residual(residual, "residual_check", start, tolerance, data),
        findings=findings,
        provenance=provenance,
    )


def _read_step(data: Any, where: str) -> TaperStep:
    return TaperStep(
        start=_day(_get(data, "start", str, where), f"{where}.start"),
        end=_optional_day(data.get("end"), f"{where}.end"),
        daily_mcg=_read_amount(_get(data, "daily_dose", Mapping, where), DAILY, where),
        rule_ids=_rules_known(_get(data, "rule_ids", list, where), f"{where}.rule_ids"),
    )


def _read_taper(data: Mapping[str, Any]) -> IntrathecalTaper:
    findings, provenance = _common_read(data)
    current = _exact_amount(_get(data, "current_daily_dose", Mapping, "result"), DAILY, "current")
    floor = _exact_amount(
        _get(data, "first_post_implant_daily_dose", Mapping, "result"), DAILY, "first_dose"
    )
    step = _read_amount(_get(data, "step_max", Mapping, "result"), PCT, "step_max")
    interval = _whole(_get(data, "interval", Mapping, "result"), units.DAYS, "interval")
    steps = _list(data, "steps", "result", _read_step)
    if not floor < current or not 0 < step < 1 or len(steps) < len((current, floor)):
        raise _bad("steps", data.get("steps"), "a taper from the current to a lower dose")
    if steps[0].daily_mcg != current or steps[-1].daily_mcg != floor or steps[-1].end is not None:
        raise _bad("steps", data.get("steps"), "steps from the current dose to the first dose")
    for index, (before, after) in enumerate(itertools.pairwise(steps), 1):
        cut = before.daily_mcg - after.daily_mcg
        if not 0 < cut <= before.daily_mcg * step:
            raise _bad(f"steps[{index}].daily_dose", str(after.daily_mcg), "a cut within the step")
        if after.start != add_days(before.start, interval, "start") or before.end != add_days(
            before.start, interval - 1, "start"
        ):
            raise _bad(f"steps[{index}].start", after.start.isoformat(), "steps an interval apart")
    return IntrathecalTaper(
        current_daily_mcg=current,
        floor_daily_mcg=floor,
        step=step,
        interval_days=interval,
        steps=steps,
        findings=findings,
        provenance=provenance,
        overrides=_list(data, "overrides", "result", _override),
    )


# Planning again: a file made with the bundled rules by this library version must be exactly what
# its recorded inputs give now (the planners' own checks run again on every input).


def _quantity(value: object, where: str) -> pint.Quantity[Fraction]:
    if not isinstance(value, Amount):
        raise _bad(where, value, "an amount")
    return units.quantity(value.value, value.kind)


def _entered(values: Mapping[str, ParamValue], field: str) -> IntrathecalDailyInput:
    """A daily dose as it was entered: per day, per hour, or a flex program."""
    where = f"provenance.inputs.{field}"
    hours, rates = values.get(field + _FLEX[0]), values.get(field + _FLEX[1])
    if hours is not None or rates is not None:
        if not isinstance(hours, tuple) or not isinstance(rates, tuple) or not hours:
            raise _bad(where, hours, "a flex program's steps")
        if len(hours) != len(rates):
            raise _bad(where, rates, "a rate for each step")
        return FlexProgram.from_steps(
            [(_quantity(h, where), _quantity(r, where)) for h, r in zip(hours, rates, strict=True)]
        )
    if values.get(field + _PER_HOUR) is not None:
        return _quantity(values[field + _PER_HOUR], where)
    if field not in values:
        raise _bad(where, None, "the input the result was planned from")
    return _quantity(values[field], where)


def _given(values: Mapping[str, ParamValue], field: str) -> QuantityInput:
    """A quantity as it was entered (a flex program where none belongs is refused by the
    planner's own parsing, as any caller's would be)."""
    return cast("QuantityInput", _entered(values, field))


def _optional(values: Mapping[str, ParamValue], field: str) -> pint.Quantity[Fraction] | None:
    return None if values.get(field) is None else _quantity(values[field], f"inputs.{field}")


def _again_screening(read: ScreeningPlan, rules: RuleSet) -> ScreeningPlan:
    values = read.provenance.values
    given = values.get("concentration_given") is True
    return plan_screening(
        concentration=_optional(values, "concentration") if given else None,
        child=read.child,
        age=_optional(values, "age"),
        rules=rules,
    )


def _again_initial(read: IntrathecalStart, rules: RuleSet) -> IntrathecalStart:
    values = read.provenance.values
    return plan_initial_dose(
        screening_dose=_given(values, "screening_dose"),
        effect_duration=_given(values, "effect_duration"),
        screening_side_effects=read.screening_side_effects,
        rules=rules,
    )


def _again_titration(read: IntrathecalTitration, rules: RuleSet) -> IntrathecalTitration:
    values = read.provenance.values
    return titration_bounds(
        daily_dose=_entered(values, "current"),
        origin=cast("IntrathecalOrigin", read.origin),  # checked again by the planner
        child=read.child,
        at_refill=read.at_refill,
        proposed=None if read.proposed_daily_mcg is None else _entered(values, "proposed"),
        overrides={o.rule_id: o.reason for o in read.overrides},
        rules=rules,
    )


def _again_refill(read: PumpRefill, rules: RuleSet) -> PumpRefill:
    values = read.provenance.values
    check = read.residual
    previous = values.get("previous_concentration")
    previous_fill = values.get("previous_fill")
    return plan_refill(
        reservoir=_given(values, "reservoir"),
        concentration=_given(values, "concentration"),
        daily_dose=_entered(values, "daily_dose"),
        alarm_volume=_given(values, "alarm_volume"),
        fill_volume=_given(values, "fill_volume") if read.fill_given else None,
        diluted=read.diluted,
        start=read.start,
        residual=_optional(values, "residual"),
        previous_fill=previous_fill if isinstance(previous_fill, date) else None,
        previous_fill_volume=None
        if check is None or "previous_fill_volume" in check.assumed
        else units.quantity(check.previous_fill_ml, ML),
        previous_concentration=_optional(values, "previous_concentration"),
        previous_daily_dose=None
        if "previous_daily_dose" not in values
        else _entered(values, "previous_daily_dose"),
        confirm_concentration_change=isinstance(previous, Amount)
        and previous.value != read.concentration_mcg_per_ml,
        confirm_per_hour_total=any(f.code == "IT_PER_HOUR_CONFIRMED" for f in read.findings),
        margin_policy=read.margin_policy,
        stability_policy=read.stability_policy,
        rules=rules,
    )


def _again_taper(read: IntrathecalTaper, rules: RuleSet) -> IntrathecalTaper:
    values = read.provenance.values
    return plan_intrathecal_taper(
        daily_dose=_entered(values, "current"),
        first_dose=_entered(values, "first_dose"),
        start=read.steps[0].start,
        step=_given(values, "step"),
        interval=_given(values, "interval"),
        overrides={o.rule_id: o.reason for o in read.overrides} or None,
        rules=rules,
    )


def _replayed(read: _R, again: Callable[[_R, RuleSet], _R]) -> _R:
    """``read`` when planning again from its inputs gives exactly it (E_JSON otherwise).

    Only a result made with the bundled rule set can be planned again here (whatever library
    version wrote it: a file a later version would not write is refused, not believed); a result
    made with another rule set is checked field by field only (the readers above).
    """
    rules = default_rules()
    prov = read.provenance
    if prov.ruleset_sha256 != rules.sha256:
        return read
    try:
        fresh = again(read, rules)
    except BaclofenDoseError as exc:
        raise _bad("provenance.inputs", str(exc), "inputs the planner accepts") from None
    fresh = attrs.evolve(
        fresh, provenance=attrs.evolve(fresh.provenance, library_version=prov.library_version)
    )
    if fresh != read:
        name = next(
            f.name
            for f in attrs.fields(type(read))
            if getattr(read, f.name) != getattr(fresh, f.name)
        )
        raise _bad(name, "(as written)", "what planning again from the recorded inputs gives")
    return read


_READERS: Final[dict[type, Callable[[Mapping[str, Any]], Any]]] = {
    ScreeningPlan: lambda data: _replayed(_read_screening(data), _again_screening),
    IntrathecalStart: lambda data: _replayed(_read_initial(data), _again_initial),
    IntrathecalTitration: lambda data: _replayed(_read_titration(data), _again_titration),
    PumpRefill: lambda data: _replayed(_read_refill(data), _again_refill),
    IntrathecalTaper: lambda data: _replayed(_read_taper(data), _again_taper),
}


def read_result(data: Mapping[str, Any]) -> Result:
    """An intrathecal result from its JSON data (parsed), by its ``schema``; re-validated.

    Every field is checked (types, units, positive exact amounts, known rule ids and codes,
    derived figures recomputed); a result made with the bundled rules by this library version
    is planned again from its recorded inputs and must come out the same. Raises
    ``InputError`` (code ``E_JSON``) naming the first field at fault.
    """
    for kind, schema in SCHEMAS.items():
        if data.get("schema") == schema:
            result: Result = _READERS[kind](data)
            return result
    raise _bad(
        "schema", data.get("schema"), "an intrathecal schema: " + ", ".join(SCHEMAS.values())
    )


for _kind, _schema in SCHEMAS.items():
    protocol.to_data.register(_kind)(to_data)
    protocol.table.register(_kind)(table)
    protocol.text.register(_kind)(text)
    protocol.register_reader(_schema, read_result)
