"""Renderings of intrathecal results: the printable table, short text, and JSON.

Every number shown to people comes from :mod:`baclofen_dose.display`; values that are not
exact in a few decimals (an hourly rate of 200 mcg/day, worst-case days) are shown as labelled
estimates, and the arithmetic behind each is written out. Titles say "intrathecal" in full.

JSON keeps amount and unit apart with UCUM codes (``ug``, ``ug/d``, ``ug/h``, ``ug/mL``,
``mL``, ``mL/d``, ``d``, ``h``, ``%``). A value with no finite decimal expansion is given
rounded half up to 6 places with its exact fraction beside it: ``{"value": 8.333333,
"unit": "ug/h", "exact": "25/3"}``. Percentages are given as percentages (``30`` with
``"%"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Final

from baclofen_dose.core import display, numeric, units
from baclofen_dose.core.limits import Finding, Override
from baclofen_dose.core.rules import RuleSet, default_rules
from baclofen_dose.intrathecal import (
    IntrathecalStart,
    IntrathecalTaper,
    IntrathecalTitration,
    PumpRefill,
    ScreeningPlan,
)
from baclofen_dose.oral.regimen import Provenance
from baclofen_dose.render.codec import dumps, finding_data, provenance_data
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.text import (
    INTENDED_USE,
    _columns,
    findings_lines,
    overrides_lines,
    rule_value,
    rules_used_lines,
)

__all__ = ["SCHEMAS", "Result", "table", "text", "to_data", "to_json"]

Result = ScreeningPlan | IntrathecalStart | IntrathecalTitration | PumpRefill | IntrathecalTaper

SCHEMAS: Final = {
    ScreeningPlan: "baclofen-dose/intrathecal-screening/1",
    IntrathecalStart: "baclofen-dose/intrathecal-initial/1",
    IntrathecalTitration: "baclofen-dose/intrathecal-titration/1",
    PumpRefill: "baclofen-dose/intrathecal-refill/1",
    IntrathecalTaper: "baclofen-dose/intrathecal-taper/1",
}
_JSON_PLACES: Final = 6
_WHOLE: Final = 0

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
    out += [f"- {name}: {value}" for name, value in provenance.inputs]
    out += ["", INTENDED_USE]
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
    out = _head("screening boluses" + (" (small child)" if plan.child else ""))
    out += _columns(rows)
    out += [
        "",
        "Instructions",
        f"- Use the {strength} screening strength only; never a pump strength "
        f"({_rule_ref(rules, 'it.concentration.screening')}).",
        f"- Observe the patient for {_a(plan.observe_from_hours, units.HOURS)} to "
        f"{_a(plan.observe_to_hours, units.HOURS)} after each bolus.",
        f"- No response to {_a(plan.largest_dose_mcg, IT_DOSE)}, the largest bolus: not a "
        "candidate for an intrathecal pump.",
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


def _refill(refill: PumpRefill, rules: RuleSet | None) -> list[str]:
    daily = _a(refill.daily_mcg, DAILY)
    strength = _a(refill.concentration_mcg_per_ml, CONC) + (" (diluted)" if refill.diluted else "")
    fill = _a(refill.fill_ml, ML)
    alarm = _a(refill.alarm_ml, ML)
    factor = 1 + refill.flow_tolerance
    to_deliver = refill.fill_ml - refill.alarm_ml
    worst_whole = display.number(refill.worst_days, places=_WHOLE)
    rows = [["Quantity", "Value", "Date (estimate)"]]
    rows += [
        ["Daily volume", display.approx(refill.daily_volume_ml, ML_DAY), ""],
        [
            "Days to the alarm, nominal",
            display.approx(refill.nominal_days, units.DAYS),
            _on(refill.nominal_alarm_date),
        ],
        [
            "Days to the alarm, worst case",
            f"about {worst_whole} days",
            _on(refill.worst_alarm_date),
        ],
        [
            "Refill by",
            f"{display.day_count(refill.margin_days)} before the worst-case alarm",
            _on(refill.refill_by),
        ],
        [
            "Reservoir empty, worst case",
            display.approx(refill.worst_empty_days, units.DAYS),
            _on(refill.worst_empty_date),
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
        f"{display.approx(refill.nominal_days, units.DAYS)}.",
        f"- Worst case: the pump may deliver {_a(refill.flow_tolerance, PCT)} more than "
        f"programmed (rule it.pump.flow_tolerance), so the nominal days are "
        f"divided by {display.number(factor)}: {display.approx(refill.nominal_days, units.DAYS)} "
        f"divided by {display.number(factor)} is {_rounded_days(refill.worst_days)}, about "
        f"{worst_whole} days.",
    ]
    if refill.start is not None and refill.refill_by is not None:
        out.append(
            f"- Refill by: {display.day(refill.start)} plus "
            f"{display.day_count(refill.worst_days_whole)} (the worst-case days, rounded down) is "
            f"{_on(refill.worst_alarm_date)}; minus the margin of "
            f"{display.day_count(refill.margin_days)} "
            f"(rule {_margin_rule(refill)}) is {_on(refill.refill_by)}."
        )
    out.append(
        f"- Reservoir empty, worst case: {fill} divided by "
        f"({display.approx(refill.daily_volume_ml, ML_DAY)} times {display.number(factor)}) is "
        f"{display.approx(refill.worst_empty_days, units.DAYS)}."
    )
    if refill.residual is not None:
        out += _residual(refill)
    return out


def _rounded_days(value: Fraction) -> str:
    """``'165.94 days (rounded to 2 decimal places)'``, or the exact days when they are exact."""
    exact = display.approx(value, units.DAYS)
    if not exact.startswith("about "):
        return exact
    places = display.ESTIMATE_PLACES
    return f"{display.number(value, places=places)} days (rounded to {places} decimal places)"


def _margin_rule(refill: PumpRefill) -> str:
    return f"it.refill.margin.{refill.margin_policy}"


def _residual(refill: PumpRefill) -> list[str]:
    check = refill.residual
    if check is None:  # pragma: no cover - the caller checks
        return []
    rate = check.previous_daily_mcg / check.previous_concentration_mcg_per_ml
    used = rate * check.days_elapsed
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
        f"{display.approx(used, ML)} is {_signed_volume(check.expected_ml)}; the flow tolerance "
        f"allows {_signed_volume(check.lowest_ml)} to {_signed_volume(check.highest_ml)} left.",
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
    worst_whole = display.number(refill.worst_days, places=_WHOLE)
    lines = [
        f"Daily volume {display.approx(refill.daily_volume_ml, ML_DAY)}; days to the "
        f"low-reservoir alarm: {display.approx(refill.nominal_days, units.DAYS)} nominal, about "
        f"{worst_whole} days worst case (estimates)."
    ]
    if refill.refill_by is not None:
        lines.append(
            f"Refill by {display.day(refill.refill_by)} (estimate; worst-case alarm "
            f"{_on(refill.worst_alarm_date)})."
        )
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
    overrides = result.overrides if isinstance(result, IntrathecalTitration) else ()
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
        f"{f.severity}: {finding_text(f)}" for f in result.findings if f.severity == "warning"
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
    overrides = result.overrides if isinstance(result, IntrathecalTitration) else ()
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
            "daily_volume": _amount(result.daily_volume_ml, ML_DAY),
            "days_to_alarm_nominal": _amount(result.nominal_days, units.DAYS),
            "days_to_alarm_worst_case": _amount(result.worst_days, units.DAYS),
            "days_to_alarm_worst_case_whole": result.worst_days_whole,
            "days_to_empty_worst_case": _amount(result.worst_empty_days, units.DAYS),
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
