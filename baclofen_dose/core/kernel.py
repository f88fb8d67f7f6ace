"""The planning kernel every planner shares: one rounding vocabulary, one date stepper, one
rule-set default, and a context that records which rules a planner read.

- :func:`round_to_grid` is the only function that rounds a dose (``RoundMode.DOWN`` never
  rounds up across a limit; ``EXACT`` refuses a value off the grid rather than rounding it).
- :func:`add_days` is the only date arithmetic: a schedule reaching past 9999-12-31 is a typed
  :class:`~baclofen_dose.core.errors.InputError` (``E_SCHEDULE``), never ``OverflowError``.
- :func:`rules_or_default` checks a caller's rule set (or loads the bundled one).
- :class:`PlanningContext` reads rules (recording their ids for provenance), holds the limit
  check and builds the provenance.

>>> round_to_grid(Fraction(15, 2), Fraction(5), RoundMode.DOWN)
Fraction(5, 1)
>>> add_days(date(2026, 1, 5), 3, "start")
datetime.date(2026, 1, 8)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from enum import StrEnum
from fractions import Fraction

import attrs

from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.limits import LimitCheck, parse_overrides
from baclofen_dose.core.model import ParamValue, Provenance
from baclofen_dose.core.rules import Rule, RuleSet, default_rules

__all__ = [
    "PlanningContext",
    "RoundMode",
    "add_days",
    "exceeds",
    "on_grid",
    "round_to_grid",
    "rules_or_default",
]


class RoundMode(StrEnum):
    """How :func:`round_to_grid` treats a value between two grid points."""

    DOWN = "down"  # toward zero: a reduced dose never rises above what was computed
    UP = "up"  # away from zero: whole units to dispense, never fewer than scheduled
    EXACT = "exact"  # no rounding: a value off the grid raises ValueError


def round_to_grid(value: Fraction, grid: Fraction, mode: RoundMode) -> Fraction:
    """``value`` on the grid of whole multiples of ``grid`` (a positive step), by ``mode``.

    >>> round_to_grid(Fraction(7), Fraction(5), RoundMode.UP)
    Fraction(10, 1)
    >>> round_to_grid(Fraction(7), Fraction(5), RoundMode.EXACT)
    Traceback (most recent call last):
    ...
    ValueError: 7 is not a whole multiple of 5
    """
    if grid.numerator <= 0:  # a Fraction's sign is its numerator's
        raise ValueError("the grid must be above zero")
    # value / grid as a whole quotient and a remainder, in integers (no Fraction division:
    # every renal and child amount is rounded here, issue 8 item 10); divmod floors.
    whole, rest = divmod(value.numerator * grid.denominator, value.denominator * grid.numerator)
    if not rest:
        return value if type(value) is Fraction else Fraction(value)  # immutable: no copy
    if mode is RoundMode.DOWN:
        return grid * whole
    if mode is RoundMode.UP:
        return grid * (whole + 1)
    raise ValueError(f"{value} is not a whole multiple of {grid}")


def on_grid(value: Fraction, grid: Fraction) -> bool:
    """True when ``value`` is a whole multiple of ``grid`` (a positive step), decided in
    integers: no Fraction is built (issue 8 item 10: planners test this on every call).

    >>> on_grid(Fraction(15, 2), Fraction(5, 2)), on_grid(Fraction(7), Fraction(5))
    (True, False)
    """
    return value.numerator * grid.denominator % (value.denominator * grid.numerator) == 0


def exceeds(value: Fraction, bound: Fraction) -> bool:
    """``value > bound`` for exact values, by integer cross-multiplication (denominators are
    positive): several times cheaper than comparing two Fractions.

    >>> exceeds(Fraction(61), Fraction(60)), exceeds(Fraction(60), Fraction(60))
    (True, False)
    """
    return value.numerator * bound.denominator > bound.numerator * value.denominator


def add_days(start: date, days: int, field: str) -> date:
    """``start`` plus ``days`` calendar days; a date past 9999-12-31 (or before 0001-01-01) is
    refused with ``E_SCHEDULE`` naming ``field``.

    >>> add_days(date(9999, 12, 25), 10, "start")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    baclofen_dose.InputError: start: '9999-12-25' is too late: ...
    """
    try:
        return start + timedelta(days=days)
    except OverflowError:
        raise InputError(
            field,
            start.isoformat(),
            "a first day that leaves room for the whole schedule",
            problem="is too late: the schedule would run past the last representable date "
            "(31 December 9999)",
            code="E_SCHEDULE",
        ) from None


def rules_or_default(rules: RuleSet | None) -> RuleSet:
    """The caller's rule set (checked for its type) or the bundled one."""
    if rules is None:
        return default_rules()
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    return rules


@attrs.define
class PlanningContext:
    """One planning call's rules, limit check and the ids of every rule it read.

    >>> ctx = PlanningContext.start(None, None)
    >>> ctx.rule("oral.adult.start.dose").id in ctx.used
    True
    """

    rules: RuleSet
    check: LimitCheck
    used: list[str] = attrs.field(factory=list)

    @classmethod
    def start(cls, rules: RuleSet | None, overrides: Mapping[str, str] | None) -> PlanningContext:
        """A context for ``rules`` (default: bundled) with the caller's overrides checked."""
        ruleset = rules_or_default(rules)
        return cls(ruleset, LimitCheck(ruleset, parse_overrides(overrides, ruleset)))

    def rule(self, rule_id: str) -> Rule:
        """Read one rule, recording its id."""
        found = self.rules[rule_id]
        self.used.append(found.id)
        return found

    def value(self, rule_id: str) -> Fraction:
        """Read one rule's value, recording its id."""
        return self.rule(rule_id).require_value()

    def provenance(
        self, inputs: Mapping[str, ParamValue] | Sequence[tuple[str, ParamValue]]
    ) -> Provenance:
        """Provenance naming every rule read."""
        return Provenance.of(self.rules, self.used, inputs)
