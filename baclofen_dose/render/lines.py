"""Sections every printed oral result shares: intended use, rule values, findings, rules used,
overrides, and column layout. The titration, taper and renal renderers build on these (one
place each), so none of them imports another.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from baclofen_dose.core import display, units
from baclofen_dose.core.errors import InputTypeError
from baclofen_dose.core.kernel import rules_or_default
from baclofen_dose.core.model import Finding, Override, Provenance
from baclofen_dose.core.rules import QUANTITIES, Rule, RuleSet
from baclofen_dose.render.messages import finding_text

__all__ = [
    "INTENDED_USE",
    "columns",
    "findings_lines",
    "overrides_lines",
    "rule_ref",
    "rule_value",
    "rules_for",
    "rules_used_lines",
]

INTENDED_USE: Final = (
    "Decision support for health-care professionals, not medical advice. "
    "Check every dose against the patient, the product label and local policy."
)


def rule_value(rule: Rule) -> str:
    """A rule's value for people, in its house unit ("80 mg/day", "3 days"); advice: its text."""
    if not isinstance(rule, Rule):
        raise InputTypeError("rule", rule, "a Rule from a RuleSet (rules[rule_id])")
    if rule.value is None or rule.quantity is None:
        return rule.text or ""
    if rule.kind == "catalogue" and rule.form is not None:
        from baclofen_dose.oral.products import product_from_rule
        from baclofen_dose.render.products import product_name

        return product_name(product_from_rule(rule, None))
    kind = QUANTITIES[rule.quantity]
    if kind is units.CONCENTRATION_FACTOR:
        return display.ratio(rule.value)
    if kind is units.PER_DAY:
        return display.times_a_day(int(rule.value))
    if kind is units.DAYS:
        return display.day_count(int(rule.value))
    return display.amount(rule.value, kind)


def columns(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells as left-aligned text columns, two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def rules_for(prov: Provenance, rules: RuleSet | None) -> RuleSet | None:
    """The rule set that made a result (default: the bundled one), or None if not loaded."""
    rules = rules_or_default(rules)
    return rules if rules.sha256 == prov.ruleset_sha256 else None


def rule_ref(rules: RuleSet | None, rule_id: str) -> str:
    """A rule's value and id ("80 mg/day (rule oral.adult.max_daily.us_label)"), or its id."""
    if rules is None or rule_id not in rules:
        return rule_id
    return f"{rule_value(rules[rule_id])} (rule {rule_id})"


def findings_lines(findings: Sequence[Finding]) -> list[str]:
    """The "Findings" section: severity, message and rule of each finding (empty when none)."""
    if not findings:
        return []
    return [
        "",
        "Findings",
        *(f"- {f.severity}: {finding_text(f)} (rule {f.rule_id})" for f in findings),
    ]


def rules_used_lines(
    prov: Provenance, rules: RuleSet | None, *, context: str = "", what: str = "plan"
) -> list[str]:
    """The "Rules used" section: each rule's value and citation, from the rule set that made it.

    ``context`` adds to the heading (the policies applied); ``rules`` is None when the rule set
    that made the result is not loaded, and the section then says so instead of guessing.
    """
    out = [
        "",
        f"Rules used (rule set {prov.ruleset_id} version {prov.ruleset_version}; "
        f"baclofen-dose {prov.library_version}{context})",
    ]
    if rules is None:
        out.append(f"- (the rule set that made this {what} is not loaded; rule texts not shown)")
        return out
    for rule_id in prov.rule_ids:
        rule = rules[rule_id]
        out.append(f"- {rule_id}: {rule_value(rule)}")
        out.append(f"  Source: {rule.citation}")
    return out


def overrides_lines(overrides: Sequence[Override]) -> list[str]:
    """The "Overrides" section: each soft limit crossed and the reason given (empty when none)."""
    if not overrides:
        return []
    return ["", "Overrides", *(f'- {o.rule_id}: "{o.reason}"' for o in overrides)]
