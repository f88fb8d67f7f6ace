"""The dose a free-text instruction states, against the structured dose of the order.

An order read from FHIR has a structured dose (``doseQuantity``) and often a text
(``Dosage.text``, the sig). The check always judges the structured dose; the text never
overrides it. When the text states one dose in mg unambiguously and it is not a dose of the
order, that is a warning (``DOSE_TEXT_DISAGREES``): the two disagree and one of them is wrong.

The text is read conservatively. A dose is compared only when the text holds exactly one
amount written as digits and ``mg`` (or "milligram(s)"), not part of a range ("5-10 mg", "5
to 10 mg"), a count of units ("2 x 10 mg", "2 tablets of 10 mg"), a strength ("10 mg
tablet", "25 mg/5 mL") or an ambiguous daily amount ("15 mg daily", "15 mg a day"; a total
written "45 mg/day" is passed over), and the text names no
amount in another unit (mcg, g, mL, tablets...). A text with digits that cannot be read so is
"not compared" (``DOSE_TEXT_NOT_COMPARED``), and says so; a text without any digit states no
dose and is not compared (there is nothing to contradict).

>>> from fractions import Fraction
>>> stated_dose("take 5 mg by mouth 3 times a day")
Fraction(5, 1)
>>> stated_dose("take 5-10 mg") is None
True
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Final

from baclofen_dose.check.order import Judge
from baclofen_dose.core import units
from baclofen_dose.core.errors import InputTypeError
from baclofen_dose.core.model import trusted_amount
from baclofen_dose.core.rules.needs import requires

__all__ = ["judge_dose_text", "stated_dose"]

RULES: Final = requires(
    __name__,
    {
        "oral.order.dose_text": None,
    },
)

# An amount in another unit, or a count of units: the text names the dose another way.
_OTHER: Final = re.compile(
    r"\d\s*(?:mcg|micrograms?|\u00b5g|\u03bcg|ug|g\b|grams?|mL|ml|cc|MG|Mg|mgs|tablets?|tabs?|"
    r"capsules?|caps?|packets?|sachets?|granules?|units?|drops?|teaspoons?|tsp)",
)
# An amount in mg, with what may stand before it (a range, a multiplier, "of": a count of
# units of a strength, "up to") and after it (per day or per volume, or a product form: a
# strength, not a dose). Either one makes the amount not comparable; a daily total written as
# "mg/day" or "mg per day" is not a dose and is passed over. One pass over the text.
_AMOUNT: Final = re.compile(
    r"(?P<before>\d\s*(?:-|\u2013|to|or|x|\u00d7|\*|/)\s*|\bof\s+|\bup\s+to\s+)?"
    r"(?<![\w.,/])(?P<value>\d+(?:\.\d+)?)[ ]?(?:mg|milligrams?)(?!\w)"
    r"(?P<per_day>\s*(?:/\s*day|per\s+day)\b)?"
    r"(?P<after>\s*(?:/|per\b|a\s+day|daily|each\s+day|every\s+day|in\s+total|total|"
    r"tablet|tab\b|capsule|packet|granule|oral\s+solution|oral\s+suspension|solution|"
    r"suspension))?",
    re.IGNORECASE,
)


def stated_dose(text: str) -> Fraction | None:
    """The one dose in mg ``text`` states unambiguously, or None (not comparable)."""
    if _OTHER.search(text):
        return None
    values: set[Fraction] = set()
    for match in _AMOUNT.finditer(text):
        if match.group("before") is None and match.group("per_day") is not None:
            continue  # a daily total written as such ("(45 mg/day)"), not a dose
        if match.group("before") is not None or match.group("after") is not None:
            return None
        values.add(Fraction(Decimal(match.group("value"))))
    if len(values) != 1:
        return None
    (value,) = values
    return value if value > 0 else None


def judge_dose_text(
    judge: Judge, text: object, doses: tuple[Fraction, ...]
) -> tuple[str, ...] | None:
    """Compare the dose each text states with the order's ``doses`` (mg per administration):
    a warning when one states a dose the order does not have, a "not compared" entry when a
    text with numbers cannot be read unambiguously. ``text`` is one text or one per Dosage of
    a step (each read alone). Returns the texts (for the provenance), or None when none."""
    if text is None:
        return None
    texts = (text,) if isinstance(text, str) else text
    if not isinstance(texts, (list, tuple)) or not all(isinstance(x, str) for x in texts):
        raise InputTypeError(
            "dose_text", text, "the order's text as written: a string, or one per Dosage"
        )
    stated: list[Fraction] = []
    unread = False
    for one in texts:
        if not any(ch.isdigit() for ch in one):
            continue  # no amount stated: nothing to contradict
        value = stated_dose(one)
        if value is None:
            unread = True
        else:
            stated.append(value)
    if unread:
        judge.skip("dose_text", "dose_text", "DOSE_TEXT_NOT_COMPARED")
    off = tuple(dict.fromkeys(v for v in stated if v not in doses))
    if off:
        rule = judge.rule("oral.order.dose_text")
        judge.found(
            rule.id,
            "warning",
            "DOSE_TEXT_DISAGREES",
            {
                "stated": tuple(trusted_amount(v, units.ORAL_DOSE) for v in off),
                "doses": tuple(trusted_amount(d, units.ORAL_DOSE) for d in dict.fromkeys(doses)),
            },
            rule.citation,
        )
    return tuple(texts)
