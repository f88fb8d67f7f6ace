"""The one formatter: the only place numbers, amounts, frequencies and dates become text.

Everything shown to people goes through here, so every string follows the ISMP rules
(safety.md 2.1): no trailing zero ("5 mg", never "5.0 mg"), a leading zero ("0.5 mg"),
thousands separators ("1,000 mcg"), a space between number and unit, "mcg" never a micro sign,
frequencies in words ("3 times a day"), part tablets in words ("half tablet"), printable ASCII.
Nothing here depends on the locale or the time zone.

A value that cannot be written exactly (1/3 mg) is refused, never rounded, unless the caller
names how many decimal places an *estimate* is shown to.

>>> amount(Fraction(5, 2), units.ORAL_DOSE)
'2.5 mg'
>>> amount(Fraction(2000), units.IT_CONCENTRATION)
'2,000 mcg/mL'
>>> times_a_day(3)
'3 times a day'
>>> day(date(2026, 1, 8))
'8 January 2026'
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from . import units

__all__ = [
    "amount",
    "day",
    "day_count",
    "dose_list",
    "estimate",
    "number",
    "ordinal",
    "ratio",
    "tablets",
    "times_a_day",
]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number(value: Fraction | int, *, places: int | None = None) -> str:
    """Write a number for people: exact, grouped by thousands, no trailing zero.

    With ``places``, the value is an estimate rounded half up to that many decimal places
    (used only for computed estimates, never for doses).

    >>> number(Fraction(1, 2)), number(Fraction(12345, 1)), number(Fraction(123455, 10))
    ('0.5', '12,345', '12,345.5')
    >>> number(Fraction(401, 10)), number(Fraction(1, 3), places=1)
    ('40.1', '0.3')
    >>> number(Fraction(1, 3))
    Traceback (most recent call last):
    ...
    ValueError: 1/3 cannot be written exactly as a decimal
    """
    value = Fraction(value)
    if places is not None:
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        text = format(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
    else:
        if not units.check_exactness_with_decimal(value):
            raise ValueError(f"{value} cannot be written exactly as a decimal")
        text = format(units.to_decimal(value), "f")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    grouped = f"{int(whole):,}"
    return sign + grouped + (f".{frac}" if frac else "")


def amount(value: Fraction, kind: units.Kind, *, places: int | None = None) -> str:
    """An amount with its house unit: ``'7.5 mg'``, ``'1,440 mcg/day'``."""
    return f"{number(value, places=places)} {kind.display}"


def times_a_day(count: int) -> str:
    """A frequency in words.

    >>> times_a_day(1), times_a_day(4)
    ('once a day', '4 times a day')
    """
    if count == 1:
        return "once a day"
    return f"{count} times a day"


def day(value: date) -> str:
    """A calendar date in words, independent of locale: ``'14 January 2026'``."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def day_count(count: int) -> str:
    """``'1 day'``, ``'3 days'``."""
    return "1 day" if count == 1 else f"{number(count)} days"


def ordinal(position: int) -> str:
    """``'1st'``, ``'2nd'``, ``'3rd'``, ``'4th'``."""
    if 10 <= position % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(position % 10, "th")
    return f"{position}{suffix}"


def dose_list(doses: Sequence[Fraction], kind: units.Kind) -> str:
    """The doses of one day, in order: ``'20 mg, 20 mg, 20 mg and 15 mg'`` (never a slash)."""
    parts = [amount(d, kind) for d in doses]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def tablets(count: Fraction) -> str:
    """A number of tablets in words, halves spelled out; never "1/2" or "0.5".

    >>> tablets(Fraction(1, 2)), tablets(Fraction(1)), tablets(Fraction(3, 2)), tablets(Fraction(3))
    ('half tablet', '1 tablet', 'one and a half tablets', '3 tablets')
    """
    if count <= 0 or (count * 2).denominator != 1:
        raise ValueError(f"{count} is not a whole or half number of tablets")
    whole = int(count)
    half = count != whole
    if not half:
        return "1 tablet" if whole == 1 else f"{number(whole)} tablets"
    if whole == 0:
        return "half tablet"
    lead = _WORDS[whole] if whole < len(_WORDS) else number(whole)
    return f"{lead} and a half tablets"


_DENOMINATORS = {2: ("half", "halves"), 3: ("third", "thirds"), 4: ("quarter", "quarters")}


def ratio(value: Fraction) -> str:
    """A plain ratio for people: exact decimals as numbers, simple fractions in words.

    Used for equation coefficients and dose fractions (issue 3); never "1/3" or "0.33".

    >>> ratio(Fraction(17, 20)), ratio(Fraction(2, 3)), ratio(Fraction(1, 2)), ratio(Fraction(1, 3))
    ('0.85', 'two thirds', 'one half', 'one third')
    """
    value = Fraction(value)
    words = _DENOMINATORS.get(value.denominator)
    if words is not None and 0 < value < 1:
        single, plural = words
        count = value.numerator
        return f"{_WORDS[count]} {single if count == 1 else plural}"
    return number(value)


# Decimal places for values that cannot be written exactly (issue 3): creatinine and body
# surface area are read to two places, every other estimate (clearance, eGFR, weights) to one.
_ESTIMATE_PLACES = {
    units.CREATININE_MASS.name: 2,
    units.AREA.name: 2,
}


def estimate(
    value: Fraction, kind: units.Kind, *, unit: bool = True, computed: bool = False
) -> str:
    """An amount that may be computed: exact when it can be written exactly, else rounded.

    Rounded half up to two places for creatinine and body surface area, one place otherwise.
    With ``unit=False`` only the number is written (for equations shown in words);
    ``computed=True`` always rounds (a value computed to 50 digits is exact but not meant).

    >>> estimate(Fraction(70), units.WEIGHT), estimate(Fraction(10115, 252), units.RENAL_CLEARANCE)
    ('70 kg', '40.1 mL/min')
    >>> estimate(Fraction(1238, 884), units.CREATININE_MASS)
    '1.4 mg/dL'
    """
    places = None
    if computed or not units.check_exactness_with_decimal(value):
        places = _ESTIMATE_PLACES.get(kind.name, 1)
    if not unit:
        return number(value, places=places)
    return amount(value, kind, places=places)

