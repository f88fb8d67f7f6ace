"""The words of CDS Hooks cards: summaries (at most 140 characters), details and notes.

Every text a card shows comes from here, through the one formatter and the templates in
:mod:`baclofen_dose.render.sentences.hooks` (the finding sentences themselves are those of
render/messages.py), so a card reads exactly as the order check's text output does.

>>> from baclofen_dose.check import check_order
>>> finding = check_order(dose="25 mg", times_per_day=3).findings[0]
>>> finding_summary(finding)
'Soft limit crossed: a single dose of 25 mg is above the soft limit 20 mg'
"""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Final

from baclofen_dose.check.order import NotAssessed
from baclofen_dose.core import display
from baclofen_dose.core.model import Finding, ParamValue
from baclofen_dose.render.check import not_assessed_text
from baclofen_dose.render.messages import order_finding_text, order_values
from baclofen_dose.render.sentences.check import NOT_ASSESSED
from baclofen_dose.render.sentences.hooks import (
    ADVICE_SUMMARIES,
    CARDS,
    GENERIC_SUMMARY,
    NOTES,
    SUMMARIES,
)

__all__ = ["SUMMARY_MAX", "card_text", "finding_detail", "finding_summary", "note_text"]

SUMMARY_MAX: Final = 140
"""The longest card summary CDS Hooks 2.0 allows (characters)."""


def finding_summary(finding: Finding) -> str:
    """A one-sentence summary of a finding that fits a card (at most 140 characters).

    The full sentence (as the order check words it) when it fits; else the first short form of
    the code (for rule advice: of the rule) whose values the finding has and that fits; else a
    generic line naming the rule (a test checks that no finding a check gives comes to it). A
    summary is never cut in the middle (a cut could drop a number or its unit).
    """
    full = order_finding_text(finding)
    if len(full) <= SUMMARY_MAX:
        return full
    if finding.code == "ADVICE":
        advice = ADVICE_SUMMARIES.get(finding.rule_id)
        shorts: tuple[str, ...] = () if advice is None else (advice,)
    else:
        shorts = SUMMARIES.get(finding.code, ())
    values = order_values(finding)
    for short in shorts:
        if not _fields(short) <= set(values):
            continue
        text = display.fill(short, values)
        if len(text) <= SUMMARY_MAX:
            return text
    return display.fill(GENERIC_SUMMARY[finding.severity.value], {"rule_id": finding.rule_id})


def _fields(template: str) -> set[str]:
    """The value names a template reads (``{dose}``, ``{n:times}``, ``{x:computed@limit}``)."""
    names: set[str] = set()
    for _, field, spec, _ in Formatter().parse(template):
        if field:
            names.add(field)
        if spec and "@" in spec:
            names.add(spec.rsplit("@", 1)[1])
    return names


def finding_detail(finding: Finding) -> str:
    """The card detail (Markdown): the finding's full sentence and its source."""
    source = card_text("SOURCE_DETAIL", citation=finding.citation, rule_id=finding.rule_id)
    lines = [order_finding_text(finding), "", source]
    if finding.code == "SOFT_LIMIT_CROSSED":
        lines += ["", card_text("OVERRIDE_DETAIL", rule_id=finding.rule_id)]
    return "\n".join(lines)


def note_text(note: NotAssessed) -> str:
    """The sentence for something not assessed: the check's own, or a prefetch note."""
    if note.code in NOT_ASSESSED:
        return not_assessed_text(note)
    template = NOTES.get(note.code)
    if template is None:
        raise KeyError(f"no sentence for the code {note.code!r}")
    return display.fill(template, {"given": note.given, **note.values})


def card_text(code: str, **values: ParamValue) -> str:
    """A card-level text (summaries, source lines, suggestion labels) from its code."""
    template = CARDS.get(code)
    if template is None:
        raise KeyError(f"no sentence for the code {code!r}")
    params: Mapping[str, ParamValue] = values
    return display.fill(template, params)
