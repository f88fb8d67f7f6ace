"""Sections every printed oral result shares: intended use, rule values, findings, rules used,
overrides, and column layout. The titration, taper and renal renderers build on these (one
place each), so none of them imports another.
"""

from __future__ import annotations

import functools
import re
import textwrap
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
    "WIDTH",
    "columns",
    "findings_lines",
    "fit",
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


WIDTH: Final = 100
"""The widest line of a printed schedule (issue 14: it fits a page; wrapped, never cut)."""

# A number stays on one line with the word after it ("10 mg", "2 March", "4 times"), and a
# date stays whole ("Mon 2 March 2026"): a break there could misread a dose or a day.
_DAYS: Final = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"
_MONTHS: Final = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
)
# Each alternative ends at the space to keep (the text after it is only looked at).
_GLUE: Final = re.compile(
    r"\d (?=\S)"
    rf"|\b(?:{_DAYS}) (?=\d)"
    rf"|\bto (?=(?:{_DAYS}) \d)"
    rf"|\b(?:{_MONTHS}) (?=\d{{4}}\b)"
    r"|\(rule (?=\S)"
)
_HARD: Final = "\xa0"  # textwrap never breaks at a no-break space


def _glued(text: str) -> str:
    """``text`` with a no-break space at each space wrapping must keep."""
    return _GLUE.sub(lambda match: match.group(0)[:-1] + _HARD, text)


@functools.lru_cache(maxsize=4096)
def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width``; a glued group longer than a line is let go."""
    out: list[str] = []
    for part in text.split("\n"):
        pieces = _glued(part).split(" ")
        # A glued group longer than a continued line (the width less its indent) is let go,
        # so it can never be broken inside a word.
        room = width - len(indent)
        glued = " ".join(p if len(p) <= room else p.replace(_HARD, " ") for p in pieces)
        lines = textwrap.wrap(
            glued,
            width,
            subsequent_indent=indent,
            break_long_words=True,
            break_on_hyphens=False,
        )
        out += [line.replace(_HARD, " ") for line in lines] or [""]
    return out


def _words(cell: str) -> list[str]:
    """The pieces of a cell that wrapping keeps whole (a date, a number and its unit)."""
    return _glued(cell).replace("\n", " ").split(" ")


def fit(lines: Sequence[str], width: int = WIDTH) -> list[str]:
    """Lines of text wrapped to ``width`` columns, never cut: a continued line stands in two
    spaces (under a list item's first word); a number keeps its unit on its line.

    >>> fit(["- take one and a half 10 mg tablets (15 mg) by mouth 4 times a day"], 40)
    ['- take one and a half 10 mg tablets', '  (15 mg) by mouth 4 times a day']
    """
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        body = line.lstrip(" ")
        lead = line[: len(line) - len(body)]
        indent = lead + "  "  # a continued line stands in, so each line's start shows
        out += _wrap(line, width, indent)
    return out


def _counts(rows: Sequence[Sequence[str]], column: int, width: int) -> list[int]:
    """The lines each body row's cell of ``column`` takes at ``width`` (the header excluded)."""
    return [len(_wrap(row[column], width)) for row in rows[1:]]


def _cost(counts: Sequence[Sequence[int]]) -> tuple[int, int]:
    """Lines the body takes (its rows' tallest cells), and the lines of all its cells: a cell
    wrapped beside a taller one costs no height but is still harder to read."""
    return sum(max(row) for row in zip(*counts, strict=True)), sum(map(sum, counts))


def _widths(rows: Sequence[Sequence[str]], width: int | None) -> list[int]:
    """Column widths: each column's longest cell line; to fit ``width``, columns are narrowed
    one character at a time where that adds the fewest body lines (then the widest first), so
    a header wraps before a dose does."""
    widths = [
        max(len(line) for row in rows for line in row[i].split("\n")) for i in range(len(rows[0]))
    ]
    if width is None or len(rows) < 2:
        return widths
    floor = [max(len(word) for row in rows for word in _words(row[i])) for i in range(len(widths))]
    room = width - 2 * (len(widths) - 1)
    counts = [_counts(rows, i, w) for i, w in enumerate(widths)]
    cost = _cost(counts)
    while sum(widths) > room:
        trials = []
        for i, w in enumerate(widths):
            if w > floor[i]:
                narrower = _counts(rows, i, w - 1)
                trial = _cost([*counts[:i], narrower, *counts[i + 1 :]])
                trials.append((trial[0] - cost[0], trial[1] - cost[1], -w, i, narrower))
        if not trials:
            break  # every column is one word wide: nothing can wrap further
        *_, i, counts[i] = min(trials, key=lambda t: t[:4])
        widths[i] -= 1
        cost = _cost(counts)
    return widths


def columns(rows: Sequence[Sequence[str]], width: int | None = None) -> list[str]:
    """Rows of cells as left-aligned text columns, two spaces apart. A cell may hold lines
    ("\\n"); with ``width``, the widest columns wrap their cells onto more lines until the table
    fits (never cut)."""
    widths = _widths(rows, width)
    out: list[str] = []
    for row in rows:
        cells = [_wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        for n in range(max(len(c) for c in cells)):
            parts = [
                (c[n] if n < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)
            ]
            out.append("  ".join(parts).rstrip())
    return out


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
