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
from typing import Final, Literal

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import InputTypeError
from baclofen_dose.core.limits import advice, parse_overrides
from baclofen_dose.core.model import (
    Amount,
    Finding,
    Override,
    Params,
    ParamValue,
    Provenance,
    Route,
    Severity,
    freeze_params,
    of_type,
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


@attrs.define
class Judge:
    """Collects findings and the rules read during one check."""

    rules: RuleSet
    overrides: dict[str, Override]
    findings: list[Finding] = attrs.field(factory=list)
    not_assessed: list[NotAssessed] = attrs.field(factory=list)
    used: list[str] = attrs.field(factory=list)

    @classmethod
    def open(cls, rules: RuleSet, overrides: Mapping[str, str] | None) -> Judge:
        """A judge for ``rules`` with the caller's acknowledgments checked (soft limits only)."""
        return cls(rules, parse_overrides(overrides, rules))

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
        """
        self.used.append(rule.id)
        if rule.kind not in LIMIT_KINDS:
            return None
        bound = rule.require_value() if limit is None else limit
        above = rule.kind.endswith("_max")
        if (value <= bound) if above else (value >= bound):
            return None
        params: dict[str, ParamValue] = {
            "what": what,
            "value": Amount(value, kind),
            "side": "above" if above else "below",
            "limit": Amount(bound, limit_kind or kind),
        }
        if rule.kind.startswith("hard_"):
            finding = Finding(rule.id, "hard", "HARD_LIMIT_CROSSED", params, rule.citation)
        else:
            acknowledged = self.overrides.get(rule.id)
            if acknowledged is None:
                params["override"] = rule.id
                finding = Finding(rule.id, "warning", "SOFT_LIMIT_CROSSED", params, rule.citation)
            else:
                params["reason"] = acknowledged.reason
                finding = Finding(
                    rule.id,
                    "warning",
                    "SOFT_LIMIT_ACKNOWLEDGED",
                    params,
                    rule.citation,
                    override_reason=acknowledged.reason,
                )
        self.findings.append(finding)
        return finding

    def add(self, finding: Finding) -> None:
        """Add a finding (its rule is recorded as used when it is in the rule set)."""
        if finding.rule_id in self.rules:
            self.used.append(finding.rule_id)
        self.findings.append(finding)

    def skip(self, what: str, given: str, code: str, **params: ParamValue) -> None:
        """Record something that could not be judged."""
        self.not_assessed.append(NotAssessed(what, given, code, params))

    def result(
        self,
        route: Route,
        order: list[tuple[str, ParamValue]],
        inputs: list[tuple[str, ParamValue]],
    ) -> OrderCheck:
        """The result: findings (hard first, then warnings, then info, each in check order)."""
        ordered = sorted(self.findings, key=lambda f: -_RANK[f.severity])
        return OrderCheck(
            route=route,
            order=order,
            findings=tuple(ordered),
            not_assessed=tuple(self.not_assessed),
            overrides=tuple(self.overrides.values()),
            provenance=Provenance.of(self.rules, self.used, order + inputs),
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
