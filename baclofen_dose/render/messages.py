"""Every sentence a finding or a step reason becomes: one template per code.

Planners return codes and typed values (:class:`~baclofen_dose.core.model.Finding`,
:class:`~baclofen_dose.core.model.Reason`); this module is the one place that words them, so a
sentence can be changed (or translated) here without touching a planner. Templates name their
values in braces and are filled through the one formatter (``core.display.fill``): amounts in
their house unit, counts in words (``{n:times}`` is "3 times a day"), dates in words.

``ADVICE`` findings carry the rule data's own advice text (validated and ISMP-linted when the
rule file is loaded); every other code has its template here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Final

from baclofen_dose.core import display
from baclofen_dose.core.model import Amount, Finding, ParamValue, Reason
from baclofen_dose.core.numeric import check_exactness_with_decimal
from baclofen_dose.render.sentences import (
    check,
    intrathecal,
    missed,
    patient,
    products,
    renal,
    taper,
    titration,
)

__all__ = [
    "FINDING_TEMPLATES",
    "REASON_TEMPLATES",
    "finding_text",
    "order_finding_text",
    "order_values",
    "reason_text",
]

_CORE: Final[dict[str, str]] = {
    "SOFT_LIMIT_OVERRIDDEN": (
        '{what} {value} is {side} the soft limit {limit}; overridden with the reason "{reason}"'
    ),
}
_AREAS: Final = (titration, renal, patient, taper, products, missed, intrathecal, check)


def _merge(tables: Sequence[Mapping[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for table in tables:
        clash = set(merged) & set(table)
        if clash:  # pragma: no cover - a programming error caught by the test suite at import
            raise RuntimeError(f"sentence codes defined twice: {sorted(clash)}")
        merged.update(table)
    return merged


FINDING_TEMPLATES: Final = _merge([_CORE, *(area.FINDINGS for area in _AREAS)])
REASON_TEMPLATES: Final = _merge([area.REASONS for area in _AREAS])

_VERBATIM: Final = ("ADVICE",)


def _fill(templates: Mapping[str, str], code: str, values: Mapping[str, ParamValue]) -> str:
    template = templates.get(code)
    if template is None:
        raise KeyError(f"no sentence for the code {code!r}")
    return display.fill(template, values)


def finding_text(finding: Finding) -> str:
    """The sentence for a finding, from its code and values."""
    if finding.code in _VERBATIM:
        return str(finding.values["text"])
    return _fill(FINDING_TEMPLATES, finding.code, finding.values)


def order_finding_text(finding: Finding) -> str:
    """The sentence for a finding of an order check: the check's own wording where the
    planner's speaks of a plan (``check.ORDER_FINDINGS`` by code, ``check.ORDER_ADVICE`` by
    rule id for rule advice), else :func:`finding_text`."""
    if finding.code in _VERBATIM:
        own = check.ORDER_ADVICE.get(finding.rule_id)
        return finding_text(finding) if own is None else own
    if finding.code in check.ORDER_FINDINGS:
        return _fill(check.ORDER_FINDINGS, finding.code, order_values(finding))
    return finding_text(finding)


def order_values(finding: Finding) -> Mapping[str, ParamValue]:
    """The finding's values, and for Beers 2023 what it was judged on, in words."""
    values = finding.values
    if finding.code != "CHECK_BEERS_KIDNEY":
        return values
    measure = str(values.get("measure", ""))
    if "value" not in values:
        judged = measure  # dialysis
    else:
        kind, _, basis = measure.partition(" (")
        how = values.get("method") if basis == "given)" else "computed"
        template = check.JUDGED_ON.get(str(how), check.JUDGED_ON["other"])
        judged = display.fill(template, {**values, "kind": kind})
        return {**values, "judged_on": judged, "judged_value": judged}
    return {**values, "judged_on": judged}


def reason_text(reason: Reason) -> str:
    """The sentence for a step's reason, from its code and values."""
    return _fill(REASON_TEMPLATES, reason.code, reason.values)


def limits_compared(findings: Sequence[Finding], value: Amount) -> tuple[Fraction, ...]:
    """The limits (exact rule values of ``value``'s kind) that ``findings`` compare a computed
    ``value`` with, so that it can be shown beside them without crossing one
    (:func:`~baclofen_dose.core.display.estimate_beside`: 29.96 is never shown as 30 beside
    "below 30"). The value itself and other computed values are left out."""
    found = {
        param.value
        for finding in findings
        for param in finding.values.values()
        if isinstance(param, Amount)
        and param.kind == value.kind
        and param.style == "exact"
        and param.value != value.value
        and check_exactness_with_decimal(param.value)
    }
    return tuple(sorted(found))
