"""The ISMP display lint (safety.md section 2.1) as library code: text that a rule file or a
caller supplies is checked before the library ever shows it.

The rules are those of the project's reference checker (shared/tools/ismp_lint.py): no trailing
zeros, a leading zero, thousands separators, no error-prone abbreviations (qd, IT, cc, ug...),
no glued units, printable ASCII only. ISO dates and clock times are exempt.

>>> lint("Take .5 mg qd")[0][:2]
('NAKED_DECIMAL', '.5')
>>> lint("Take 0.5 mg once a day")
[]
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["CHECKS", "lint"]

UNITS: Final = r"(?:mg|mcg|micrograms?|milligrams?|mL|g|kg|L|units?)"
CHECKS: Final[dict[str, str]] = {
    "TRAILING_ZERO": r"(?<![\d.])\d+\.\d*0(?![\d.])",
    "NAKED_DECIMAL": r"(?<![\d.])\.\d",
    "NO_THOUSANDS_SEP": r"(?<![\d,.])\d{4,}(?:\.\d+)?(?=\s*" + UNITS + r"\b)",
    "SPACE_THOUSANDS_SEP": r"(?<![\d,.])\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+(?![\d])",
    "BAD_COMMA_GROUPING": r"\d,(?!\d{3}(?!\d))",
    "NUMBER_GLUED_TO_UNIT": r"\d(?:mg|mcg|mL|ml|microgram|milligram|g|kg|L)\b",
    "NAME_GLUED_TO_DOSE": r"(?i)[a-z]\d+(?:\.\d+)?\s*(?:mg|mcg|mL)\b",
    "UNIT_WITH_PERIOD": r"(?<=\d )(?:mg|mcg|mL|ml|g|kg)\.(?!\d)",
    "UNIT_UG": r"\bug\b",
    "UNIT_CC": r"(?i)\bcc\b",
    "UNIT_U_IU": r"\d\s*(?:U|u|IU|iu)\b",
    "QD": r"(?i)(?<![a-z.])q\.?d\.?(?![a-z])",
    "QOD": r"(?i)(?<![a-z.])q\.?o\.?d\.?(?![a-z])",
    "Q1D": r"(?i)\bq1d\b",
    "QHS_HS_QN": r"(?i)(?<![a-z.])(?:q\.?h\.?s\.?|h\.?s\.?|q\.?n\.?)(?![a-z])",
    "BIW_TIW": r"(?i)\b[bt]\.?i\.?w\.?(?![a-z])",
    "X_DAYS": r"(?i)\bx\s?\d+\s?d(?:ays?)?\b",
    "D_C": r"(?i)\bd/c\b",
    "SUBQ": r"(?i)\b(?:sc|sq|sub\s?q)\b",
    "ROUTE_IT": r"\bIT\b",
    "PER_OS_OD": r"(?i)\bper\s+os\b|\bo\.d\.|\bOD\b|\bOJ\b",
    "LATIN_FREQ": (
        r"(?i)(?<![a-z.])(?:b\.?i\.?d|t\.?i\.?d|q\.?i\.?d|q\.?\d+\s?h(?:rs?)?|p\.?r\.?n|p\.?o"
        r"|a\.?c|p\.?c)\.?(?![a-z])"
    ),
    "DRUG_ABBREV": r"\b(?:ITB|MSO4|MgSO4|MS)\b",
    "SYMBOLS": r"[<>@&+\u00b0]",
    "SLASH_BETWEEN_DOSES": r"\d\s*(mg|mcg)\s*/\s*\d+(?:\.\d+)?\s*\1\b",
    "FRACTION_TABLET": r"(?i)\b\d+\s*/\s*\d+\s*(?:of\s+a\s+)?tab|(?<![\d])0?\.\d+\s*tab",
    "UPPERCASE_UNIT": r"\b(?:MG|MCG|ML|Mg|Ml)\b",
    "LOWERCASE_ML": r"\d\s*ml\b",
    "NON_ASCII": r"[^\x20-\x7E\n]",
    "LEADING_ZEROS": r"(?<![\d.,\-:])0\d+(?![\d:])",
}
_COMPILED: Final = {name: re.compile(rx) for name, rx in CHECKS.items()}
_EXEMPT: Final = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}:\d{2}\b")


def lint(text: str) -> list[tuple[str, str, str]]:
    """Every finding in ``text``: (rule, matched text, line)."""
    found = []
    for line in text.splitlines():
        scrubbed = _EXEMPT.sub(lambda m: "#" * len(m.group(0)), line)
        for name, rx in _COMPILED.items():
            for m in rx.finditer(scrubbed):
                found.append((name, line[m.start() : m.end()], line))
    return found
