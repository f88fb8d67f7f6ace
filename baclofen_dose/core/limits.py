"""Hard and soft limits, findings and overrides: how rule data turns into refusals or warnings.

- A **hard** limit is never crossed: :meth:`LimitCheck.hard_max` raises
  :class:`~baclofen_dose.HardLimitError` and the planner returns nothing.
- A **soft** limit is crossed only with an override naming the rule and giving a reason.
  :meth:`LimitCheck.finish` raises :class:`~baclofen_dose.OverrideRequired` listing
  every crossing that has no override, refuses overrides of hard limits, of unknown rules, and
  overrides nothing needed, and records the ones used as findings.
- **Advice** rules become :class:`Finding` objects that travel with the plan.

Comparisons are on exact Fractions, so NaN can never slip past a check (units.py refuses it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from fractions import Fraction
from functools import cache

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import (
    HardLimitError,
    InputError,
    InputTypeError,
    LimitCrossing,
    OverrideRequired,
)
from baclofen_dose.core.model import SEVERITIES, Amount, Finding, Override
from baclofen_dose.core.rules import LIMIT_KINDS, Rule, RuleSet

__all__ = [
    "SEVERITIES",
    "Finding",
    "LimitCheck",
    "Override",
    "advice",
    "parse_date",
    "parse_overrides",
]

_REASON = re.compile(r"[\x20-\x7e]{1,200}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _above(value: Fraction, bound: Fraction) -> bool:
    """``value > bound`` for exact values, by integer cross-multiplication (issue 8 item 10:
    the limit checks run for every step; Fraction's own comparison costs several times more).
    Denominators are positive, so the order is kept; an ``int`` has both attributes too."""
    return value.numerator * bound.denominator > bound.numerator * value.denominator


def _below(value: Fraction, bound: Fraction) -> bool:
    """``value < bound``, as :func:`_above`."""
    return value.numerator * bound.denominator < bound.numerator * value.denominator


def advice(rule: Rule) -> Finding:
    """The finding an advice rule produces (findings are immutable: made once per rule)."""
    if rule.text is None or rule.severity is None:
        raise InputError("rule", rule.id, "an advice rule", problem="is not advice")
    return _advice(rule.id, rule.severity, rule.text, rule.citation)


@cache  # advice rules are few; each finding is immutable
def _advice(rule_id: str, severity: str, text: str, citation: str) -> Finding:
    return Finding(rule_id, severity, "ADVICE", {"text": text}, citation)


def parse_date(value: object, field: str) -> date:
    """A calendar date: a ``datetime.date`` or an ISO string ``YYYY-MM-DD``.

    A ``datetime`` is refused (schedules are calendar dates; safety.md amendment A2).

    >>> parse_date("2026-01-05", "start")
    datetime.date(2026, 1, 5)
    """
    if isinstance(value, datetime):
        raise InputTypeError(
            field,
            value,
            "a date (datetime.date or 'YYYY-MM-DD'), not a datetime",
            code="E_NAIVE_DATETIME",
        )
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise InputError(
            field, value, "a calendar date written YYYY-MM-DD, such as '2026-01-05'", code="E_DATE"
        )
    raise InputTypeError(field, value, "a datetime.date or a string 'YYYY-MM-DD'")


def parse_overrides(overrides: Mapping[str, str] | None, rules: RuleSet) -> dict[str, Override]:
    """Check the overrides a caller gave: known soft-limit rules, each with a reason."""
    if overrides is None:
        return {}
    if not isinstance(overrides, Mapping):
        raise InputTypeError("overrides", overrides, "a mapping of rule id to reason")
    checked: dict[str, Override] = {}
    for rule_id, reason in overrides.items():
        if not isinstance(rule_id, str) or rule_id not in rules:
            raise InputError(
                "overrides",
                rule_id,
                "the id of a soft-limit rule in the rule set",
                code="E_OVERRIDE",
            )
        rule = rules[rule_id]
        if rule.kind not in ("soft_min", "soft_max"):
            raise InputError(
                "overrides",
                rule_id,
                "the id of a soft limit",
                problem=f"is a {rule.kind.replace('_', ' ')} rule; only soft limits have overrides",
                code="E_OVERRIDE_HARD" if rule.kind in LIMIT_KINDS else "E_OVERRIDE",
            )
        if not isinstance(reason, str) or not reason.strip() or not _REASON.fullmatch(reason):
            raise InputError(
                f"overrides[{rule_id}]",
                reason,
                "a reason of 1 to 200 printable ASCII characters",
                problem="is not a usable reason",
                code="E_OVERRIDE_REASON",
            )
        checked[rule_id] = Override(rule_id, reason.strip())
    return checked


@attrs.define
class LimitCheck:
    """Collects soft-limit crossings across a plan; raises at once on hard limits."""

    rules: RuleSet
    overrides: dict[str, Override]
    # rule id -> (value, kind, what, limit, "above" or "below", value text or None). The limit
    # may be computed from the rule (a renal fraction of the usual maximum, 30% of today's
    # dose); the text replaces the value for a condition without a number (on dialysis).
    _crossed: dict[str, tuple[Fraction, units.Kind, str, Fraction, str, str | None]] = attrs.field(
        factory=dict
    )

    def hard_max(
        self,
        rule: Rule,
        value: Fraction,
        kind: units.Kind,
        what: str,
        *,
        limit: Fraction | None = None,
    ) -> None:
        """Refuse (raise) when ``value`` is above the hard maximum ``rule``.

        ``limit`` is a bound derived from the rule (30% of today's dose, say); by default the
        rule's own value.
        """
        bound = rule.require_value() if limit is None else limit
        if _above(value, bound):
            raise HardLimitError(rule.id, Amount(value, kind), Amount(bound, kind), what=what)

    def hard_min(
        self,
        rule: Rule,
        value: Fraction,
        kind: units.Kind,
        what: str,
        *,
        limit: Fraction | None = None,
    ) -> None:
        """Refuse (raise) when ``value`` is below the hard minimum ``rule`` (or ``limit``)."""
        bound = rule.require_value() if limit is None else limit
        if _below(value, bound):
            raise HardLimitError(rule.id, Amount(value, kind), Amount(bound, kind), what=what)

    def soft_max(
        self,
        rule: Rule,
        value: Fraction,
        kind: units.Kind,
        what: str,
        *,
        limit: Fraction | None = None,
    ) -> None:
        """Note a crossing of the soft maximum ``rule`` (or ``limit``); keeps the largest."""
        bound = rule.require_value() if limit is None else limit
        if _above(value, bound):
            seen = self._crossed.get(rule.id)
            if seen is None or _above(value, seen[0]):
                self._crossed[rule.id] = (value, kind, what, bound, "above", None)

    def soft_min(
        self,
        rule: Rule,
        value: Fraction,
        kind: units.Kind,
        what: str,
        *,
        limit: Fraction | None = None,
    ) -> None:
        """Note a crossing of the soft minimum ``rule`` (or ``limit``); keeps the smallest."""
        bound = rule.require_value() if limit is None else limit
        if _below(value, bound):
            seen = self._crossed.get(rule.id)
            if seen is None or _below(value, seen[0]):
                self._crossed[rule.id] = (value, kind, what, bound, "below", None)

    def soft_max_at(
        self, rule: Rule, limit: Fraction, value: Fraction, kind: units.Kind, what: str
    ) -> None:
        """Note a crossing of a soft maximum computed from ``rule`` (``limit``, in ``kind``)."""
        self.soft_max(rule, value, kind, what, limit=limit)

    def soft_condition(self, rule: Rule, kind: units.Kind, what: str, shown: str) -> None:
        """Note that a condition without a number (on dialysis) crosses the soft limit ``rule``."""
        bound = rule.require_value()
        self._crossed[rule.id] = (bound, kind, what, bound, "below", shown)

    def finish(self) -> tuple[Finding, ...]:
        """Raise for crossings without overrides and for unused overrides; else the findings."""
        missing = [rid for rid in self._crossed if rid not in self.overrides]
        if missing:
            raise OverrideRequired(tuple(self._crossing(rid) for rid in missing))
        unused = sorted(set(self.overrides) - set(self._crossed))
        if unused:
            raise InputError(
                "overrides",
                unused[0],
                "an override only for a soft limit this plan crosses",
                problem="names a limit this plan does not cross",
                code="E_OVERRIDE_UNUSED",
            )
        findings = []
        for rule_id, (value, kind, what, limit, side, shown) in self._crossed.items():
            reason = self.overrides[rule_id].reason
            findings.append(
                Finding(
                    rule_id,
                    "warning",
                    "SOFT_LIMIT_OVERRIDDEN",
                    {
                        "what": what,
                        "value": shown if shown is not None else Amount(value, kind),
                        "side": side,
                        "limit": Amount(limit, kind),
                        "reason": reason,
                    },
                    self.rules[rule_id].citation,
                    override_reason=reason,
                )
            )
        return tuple(findings)

    def _crossing(self, rule_id: str) -> LimitCrossing:
        value, kind, what, limit, _, shown = self._crossed[rule_id]
        shown_value: Amount | str = shown if shown is not None else Amount(value, kind)
        return LimitCrossing(rule_id, what, shown_value, Amount(limit, kind))
