"""The result of checking one order, and the judge that turns rule crossings into findings.

A check never raises for a limit (design.md, "Plan vs check"): a hard-limit crossing is a
finding of severity ``hard``; a soft-limit crossing is a ``warning`` that names the rule an
override would acknowledge (``override`` param), or, when the caller acknowledged it, records
the reason. Every limit's kind and value are read from the rule set when the check runs, so a
rule file that turns a hard limit into a soft one (or back) changes the finding, not the code.
What cannot be judged (an unknown medicine, a missing patient value) is a :class:`NotAssessed`
entry in the result, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Final, Literal, TypeAlias
from weakref import WeakKeyDictionary

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import InputTypeError
from baclofen_dose.core.limits import advice, parse_overrides
from baclofen_dose.core.model import (
    Finding,
    Override,
    Params,
    ParamValue,
    Provenance,
    Route,
    Severity,
    freeze_params,
    of_type,
    trusted,
    trusted_amount,
    tuple_of,
)
from baclofen_dose.core.rules import LIMIT_KINDS, Rule, RuleSet
from baclofen_dose.core.rules.needs import requires

__all__ = ["SCHEMA", "FailOn", "Judge", "NotAssessed", "OrderCheck"]

RULES: Final = requires(
    __name__,
    {
        "interop.duplicate_baclofen": None,
    },
)


SCHEMA: Final = "baclofen-dose/order-check/1"
FailOn = Literal["warning", "hard"]
_RANK: Final = {severity: rank for rank, severity in enumerate(Severity)}  # info < warning < hard


@attrs.frozen
class NotAssessed:
    """Something the check could not judge: what (``medicine``, ``condition``, ``renal``...),
    what was given, a code (a sentence in render/) and typed values."""

    what: str
    given: str
    code: str
    params: Params = attrs.field(default=(), converter=freeze_params)

    @property
    def values(self) -> Mapping[str, ParamValue]:
        """The params as a read-only mapping."""
        return dict(self.params)


@attrs.frozen
class OrderCheck:
    """The findings on one order, exactly as ordered (never re-split or re-rounded).

    ``order`` holds the order as judged (typed values); ``findings`` are data (rule id,
    severity ``info``/``warning``/``hard``, code, values, citation); ``not_assessed`` lists
    what could not be judged; ``overrides`` the acknowledgments the caller gave.
    """

    route: Route
    order: Params = attrs.field(converter=freeze_params)
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
    not_assessed: tuple[NotAssessed, ...]
    overrides: tuple[Override, ...] = attrs.field(validator=tuple_of(Override))
    provenance: Provenance = attrs.field(validator=of_type(Provenance))

    @property
    def schema(self) -> str:
        """The schema id of the JSON form."""
        return SCHEMA

    @property
    def worst(self) -> Severity | None:
        """The highest severity among the findings (``None``: no finding)."""
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=_RANK.__getitem__)

    @property
    def hard(self) -> tuple[Finding, ...]:
        """The findings of severity ``hard``."""
        return tuple(f for f in self.findings if f.severity is Severity.HARD)

    @property
    def needs_override(self) -> tuple[str, ...]:
        """The soft-limit rule ids crossed without an acknowledgment."""
        return tuple(
            f.rule_id
            for f in self.findings
            if f.code == "SOFT_LIMIT_CROSSED" and f.override_reason is None
        )

    def fails(self, level: FailOn) -> bool:
        """True when some finding is at ``level`` or above (for ``--fail-on``)."""
        worst = self.worst
        return worst is not None and _RANK[worst] >= _RANK[Severity(level)]


_Bound: TypeAlias = tuple[Rule, bool, bool, bool, int, int, "Fraction | None"]
"""A limit rule read once: (rule, is a limit, is a maximum, is hard, bound numerator,
bound denominator, bound)."""


def _bound_of(rule: Rule) -> _Bound:
    if rule.kind not in LIMIT_KINDS:
        return (rule, False, False, False, 0, 1, None)
    bound = rule.require_value()
    return (
        rule,
        True,
        rule.kind.endswith("_max"),
        rule.kind.startswith("hard_"),
        bound.numerator,
        bound.denominator,
        bound,
    )


_BOUNDS: WeakKeyDictionary[RuleSet, dict[str, _Bound]] = WeakKeyDictionary()


def _bounds(rules: RuleSet) -> dict[str, _Bound]:
    """The limits of one rule set as read by :meth:`Judge.limit`, filled on first use (a rule
    set is immutable and hashed by its SHA-256: nothing is loaded or re-read per check; kept
    while the rule set lives)."""
    found = _BOUNDS.get(rules)
    if found is None:
        found = _BOUNDS.setdefault(rules, {})
    return found


_WARNING: Final = Severity.WARNING
_HARD: Final = Severity.HARD


@attrs.define
class Judge:
    """Collects findings and the rules read during one check."""

    rules: RuleSet
    overrides: dict[str, Override]
    findings: list[Finding] = attrs.field(factory=list)
    not_assessed: list[NotAssessed] = attrs.field(factory=list)
    used: list[str] = attrs.field(factory=list)
    bounds: dict[str, _Bound] = attrs.field(factory=dict)

    @classmethod
    def open(cls, rules: RuleSet, overrides: Mapping[str, str] | None) -> Judge:
        """A judge for ``rules`` with the caller's acknowledgments checked (soft limits only)."""
        return cls(rules, parse_overrides(overrides, rules), bounds=_bounds(rules))

    def rule(self, rule_id: str) -> Rule:
        """Read a rule (recorded in the provenance)."""
        found = self.rules[rule_id]
        self.used.append(found.id)
        return found

    def limit(
        self,
        rule: Rule,
        value: Fraction,
        kind: units.Kind,
        what: str,
        *,
        limit: Fraction | None = None,
        limit_kind: units.Kind | None = None,
    ) -> Finding | None:
        """Judge ``value`` against the limit ``rule`` (or ``limit`` derived from it).

        The rule's kind decides: ``hard_*`` gives a ``hard`` finding, ``soft_*`` a warning that
        names its override; any other kind (a default, a threshold) is no limit and gives none.
        The comparison is exact, in whole numbers (``a/b <= c/d`` as ``a*d <= c*b``, with
        positive denominators); a finding is built only when the limit is crossed.
        """
        rule_id = rule.id
        self.used.append(rule_id)
        bound = self.bounds.get(rule_id)
        if bound is None or bound[0] is not rule:
            bound = _bound_of(rule)
            if self.rules.rules.get(rule_id) is rule:
                self.bounds[rule_id] = bound
        _, is_limit, above, hard, num, den, exact = bound
        if not is_limit:
            return None
        if limit is not None:
            num, den, exact = limit.numerator, limit.denominator, limit
        lhs, rhs = value.numerator * den, num * value.denominator
        if (lhs <= rhs) if above else (lhs >= rhs):
            return None
        assert exact is not None  # a limit rule has a value
        params: list[tuple[str, ParamValue]] = [
            ("what", what),
            ("value", trusted_amount(value, kind)),
            ("side", "above" if above else "below"),
            ("limit", trusted_amount(exact, limit_kind or kind)),
        ]
        if hard:
            severity, code, reason = _HARD, "HARD_LIMIT_CROSSED", None
        else:
            acknowledged = self.overrides.get(rule_id)
            severity = _WARNING
            if acknowledged is None:
                params.append(("override", rule_id))
                code, reason = "SOFT_LIMIT_CROSSED", None
            else:
                reason = acknowledged.reason
                params.append(("reason", reason))
                code = "SOFT_LIMIT_ACKNOWLEDGED"
        finding = trusted(
            Finding,
            rule_id=rule_id,
            severity=severity,
            code=code,
            params=tuple(params),
            citation=rule.citation,
            override_reason=reason,
        )
        self.findings.append(finding)
        return finding

    def found(
        self,
        rule_id: str,
        severity: Severity | str,
        code: str,
        params: dict[str, ParamValue],
        citation: str,
    ) -> None:
        """Add a finding this check made from rule data and values it checked (the trusted
        path: the params' types are checked, the strings are the rule data's own)."""
        self.add(
            trusted(
                Finding,
                rule_id=rule_id,
                severity=Severity(severity),
                code=code,
                params=freeze_params(params),
                citation=citation,
                override_reason=None,
            )
        )

    def add(self, finding: Finding) -> None:
        """Add a finding (its rule is recorded as used when it is in the rule set)."""
        if finding.rule_id in self.rules.rules:
            self.used.append(finding.rule_id)
        self.findings.append(finding)

    def skip(self, what: str, given: str, code: str, **params: ParamValue) -> None:
        """Record something that could not be judged."""
        self.not_assessed.append(
            trusted(NotAssessed, what=what, given=given, code=code, params=freeze_params(params))
        )

    def result(
        self,
        route: Route,
        order: list[tuple[str, ParamValue]],
        inputs: list[tuple[str, ParamValue]],
    ) -> OrderCheck:
        """The result: findings (hard first, then warnings, then info, each in check order)."""
        ordered = sorted(self.findings, key=lambda f: -_RANK[f.severity])
        # Built through the trusted path: every value here was made by this check from the
        # caller's inputs, which were parsed and validated on the way in.
        return trusted(
            OrderCheck,
            route=route,
            order=tuple(order),
            findings=tuple(ordered),
            not_assessed=tuple(self.not_assessed),
            overrides=tuple(self.overrides.values()),
            provenance=Provenance.made(self.rules, self.used, tuple(order + inputs)),
        )


DUPLICATE_RULE: Final = "interop.duplicate_baclofen"


def other_orders(judge: Judge, count: object) -> list[tuple[str, ParamValue]]:
    """The warning for other baclofen orders of the same patient (the daily maxima apply to
    the total; rule ``interop.duplicate_baclofen``) and the input it records."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise InputTypeError("other_baclofen_orders", count, "a whole number of orders, 0 or more")
    if count == 0:
        return []
    judge.add(advice(judge.rule(DUPLICATE_RULE)))
    return [("other_baclofen_orders", count)]
