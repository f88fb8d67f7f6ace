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

import math
import string
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from baclofen_dose.core.model import ParamValue

from baclofen_dose.core import kinds as units
from baclofen_dose.core.numeric import check_exactness_with_decimal, to_decimal

__all__ = [
    "ESTIMATE_PLACES",
    "amount",
    "approx",
    "day",
    "day_count",
    "dose_list",
    "estimate",
    "fill",
    "hours_minutes",
    "liquid_dose",
    "liquid_strength",
    "number",
    "ordinal",
    "packets",
    "param",
    "percent",
    "ratio",
    "tablets",
    "times_a_day",
    "words_list",
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

# Weekdays as printed schedules show them, Monday first (date.weekday() order).
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# Estimates (computed values that are not doses) are shown to this many decimal places.
ESTIMATE_PLACES: Final = 2
_PER_CENT: Final = 100
_TEN: Final = 10

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
        if not check_exactness_with_decimal(value):
            raise ValueError(f"{value} cannot be written exactly as a decimal")
        text = format(to_decimal(value), "f")
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    grouped = f"{int(whole):,}"
    return sign + grouped + (f".{frac}" if frac else "")


def amount(value: Fraction, kind: units.Kind, *, places: int | None = None) -> str:
    """An amount with its house unit: ``'7.5 mg'``, ``'1,440 mcg/day'``; a percentage ``'30%'``.

    A percentage's canonical value is a plain ratio (0.3 for 30%), written as a percentage.

    >>> amount(Fraction(29, 200), units.PERCENT)
    '14.5%'
    """
    if kind is units.PERCENT:
        return f"{number(value * _PER_CENT, places=places)}%"
    unit = kind.display
    if value == 1 and kind in (units.DAYS, units.HOURS):
        unit = unit.removesuffix("s")  # "1 day", "1 hour"
    return f"{number(value, places=places)} {unit}"


def approx(value: Fraction, kind: units.Kind, *, places: int = ESTIMATE_PLACES) -> str:
    """An amount written exactly when ``places`` decimals hold it, else labelled ``'about'``.

    For computed values that are not doses (days to an alarm, a volume a day): the estimate
    is rounded half up to ``places`` decimals and says so.

    >>> approx(Fraction(190), units.DAYS), approx(Fraction(38000, 229), units.DAYS)
    ('190 days', 'about 165.94 days')
    """
    scale = Fraction(_TEN**places) * (_PER_CENT if kind is units.PERCENT else 1)
    if (value * scale).denominator == 1:
        return amount(value, kind)
    return "about " + amount(value, kind, places=places)


def times_a_day(count: int) -> str:
    """A frequency in words.

    >>> times_a_day(1), times_a_day(4)
    ('once a day', '4 times a day')
    """
    if count == 1:
        return "once a day"
    return f"{count} times a day"


def day(value: date, *, weekday: bool = False) -> str:
    """A calendar date in words, independent of locale: ``'14 January 2026'``; with
    ``weekday``, the day of the week first (printed schedules, issue 14): ``'Wed 14 January
    2026'``.

    >>> day(date(2026, 1, 5), weekday=True)
    'Mon 5 January 2026'
    """
    text = f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    return f"{_WEEKDAYS[value.weekday()]} {text}" if weekday else text


def day_count(count: int) -> str:
    """``'1 day'``, ``'3 days'``."""
    return "1 day" if count == 1 else f"{number(count)} days"


def hours_minutes(hours: Fraction) -> str:
    """A clock duration in hours and whole minutes: ``'1 hour 30 minutes'``, ``'45 minutes'``.

    >>> hours_minutes(Fraction(3, 2)), hours_minutes(Fraction(2)), hours_minutes(Fraction(0))
    ('1 hour 30 minutes', '2 hours', '0 minutes')
    """
    whole = int(hours)
    rest = int((hours - whole) * 60)
    parts = []
    if whole:
        parts.append("1 hour" if whole == 1 else f"{number(whole)} hours")
    if rest or not parts:
        parts.append("1 minute" if rest == 1 else f"{rest} minutes")
    return " ".join(parts)


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


def packets(count: int) -> str:
    """A number of single-dose packets: ``'1 packet'``, ``'2 packets'``."""
    if count <= 0:
        raise ValueError(f"{count} is not a number of packets")
    return "1 packet" if count == 1 else f"{number(count)} packets"


def liquid_strength(labelled: Fraction, per_ml: Fraction, labelled_volume: Fraction) -> str:
    """A liquid's strength as labelled and per mL (ISMP, safety.md S7): both, always.

    >>> liquid_strength(Fraction(25), Fraction(5), Fraction(5))
    '25 mg/5 mL (5 mg/mL)'
    >>> liquid_strength(Fraction(1), Fraction(1), Fraction(1))
    '1 mg/mL'
    """
    per_ml_text = amount(per_ml, units.ORAL_CONCENTRATION)
    if labelled_volume == 1:
        return per_ml_text
    return f"{number(labelled)} mg/{number(labelled_volume)} mL ({per_ml_text})"


def liquid_dose(dose_mg: Fraction, volume_ml: Fraction, per_ml: Fraction) -> str:
    """A liquid dose: the amount in mg first, then the volume and its concentration.

    >>> liquid_dose(Fraction(15, 2), Fraction(3, 2), Fraction(5))
    '7.5 mg (1.5 mL of 5 mg/mL)'
    """
    return (
        f"{amount(dose_mg, units.ORAL_DOSE)} "
        f"({amount(volume_ml, units.VOLUME)} of {amount(per_ml, units.ORAL_CONCENTRATION)})"
    )


def words_list(parts: Sequence[str]) -> str:
    """Join phrases as English: ``'a'``, ``'a and b'``, ``'a, b and c'`` (never a slash)."""
    if not parts:
        raise ValueError("nothing to list")
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


HALF: Final = Fraction(1, 2)
"""Half a tablet: the only part a scored tablet is ever split into (ISMP: "half tablet")."""


def percent(value: Fraction) -> str:
    """A fraction as a percentage: ``'20 %'``; exact (never rounded).

    >>> percent(Fraction(1, 5)), percent(Fraction(1, 8))
    ('20 %', '12.5 %')
    """
    return f"{number(value * 100)} %"


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
# Body measures are shown to their places whatever their source: a unit conversion makes them
# exact but long (154 lb is exactly 69.85322498 kg, 67 inch exactly 170.18 cm), and a weight
# or height is never meant to more than a tenth. The exact value is kept for the arithmetic.
_ALWAYS_ROUNDED: Final = frozenset({units.WEIGHT.name, units.HEIGHT.name})


def estimate(
    value: Fraction, kind: units.Kind, *, unit: bool = True, computed: bool = False
) -> str:
    """An amount that may be computed: exact when it can be written exactly, else rounded.

    Rounded half up to two places for creatinine and body surface area, one place otherwise.
    With ``unit=False`` only the number is written (for equations shown in words);
    ``computed=True`` always rounds (a value computed to 50 digits is exact but not meant), as
    do a weight and a height always (``'69.9 kg'`` for 154 lb, exactly 69.85322498 kg).

    >>> estimate(Fraction(70), units.WEIGHT), estimate(Fraction(10115, 252), units.RENAL_CLEARANCE)
    ('70 kg', '40.1 mL/min')
    >>> estimate(Fraction(1238, 884), units.CREATININE_MASS)
    '1.4 mg/dL'
    >>> estimate(Fraction("69.85322498"), units.WEIGHT)
    '69.9 kg'
    """
    places = None
    if computed or kind.name in _ALWAYS_ROUNDED or not check_exactness_with_decimal(value):
        places = _ESTIMATE_PLACES.get(kind.name, 1)
    if not unit:
        return number(value, places=places)
    return amount(value, kind, places=places)


# How many more places an estimate may take to stay on its side of a limit it is compared
# with (issue 10 item 6: a CrCl of 29.96 is never shown as "30" beside "below 30").
_EXTRA_PLACES: Final = 3


def places_beside(value: Fraction, places: int, limits: Sequence[Fraction]) -> int | None:
    """The places to round ``value`` to so that the shown number is on the same side of each
    of ``limits`` as the value itself (and equal to one only when the value is): ``places``,
    or up to 3 more. ``None`` when even that is not enough (shown as "just below 30").

    >>> value = Fraction(2996, 100)
    >>> places_beside(value, 1, [Fraction(30)]), places_beside(value, 1, [])
    (2, 1)
    >>> places_beside(Fraction(2999999, 100000), 1, [Fraction(30)]) is None
    True
    """
    for extra in range(_EXTRA_PLACES + 1):
        scale = _TEN ** (places + extra)
        shown = Fraction(math.floor(value * scale + Fraction(1, 2)), scale)
        if all((shown < limit) == (value < limit) and (shown == limit) == (value == limit)
               for limit in limits):
            return places + extra
    return None


def estimate_beside(value: Fraction, kind: units.Kind, limits: Sequence[Fraction]) -> str:
    """A computed estimate shown beside the limits it is compared with: rounded as
    :func:`estimate` does, with more places when rounding would put it on the other side of
    a limit or on it (``'29.96 mL/min'`` beside 30, never ``'30 mL/min'``).

    >>> estimate_beside(Fraction(2996, 100), units.RENAL_CLEARANCE, [Fraction(30)])
    '29.96 mL/min'
    >>> estimate_beside(Fraction(2999999, 100000), units.RENAL_CLEARANCE, [Fraction(30)])
    'just below 30 mL/min'
    """
    places = places_beside(value, _ESTIMATE_PLACES.get(kind.name, 1), limits)
    if places is None:
        near = min(limits, key=lambda limit: abs(limit - value))
        side = "just below" if value < near else "just above"
        return f"{side} {amount(near, kind)}"
    return amount(value, kind, places=places)


def _amount_text(value: Any) -> str:
    """An :class:`~baclofen_dose.core.model.Amount` in its own style."""
    if value.style == "estimate":
        return estimate(value.value, value.kind)
    if value.style == "approx":
        return approx(value.value, value.kind)
    if check_exactness_with_decimal(value.value):
        return amount(value.value, value.kind)
    return amount(value.value, value.kind, places=1)


_SPECS: Final = {
    "times": lambda v: times_a_day(int(v)),
    "days": lambda v: day_count(int(v)),
    "hours": lambda v: hours_minutes(v.value if hasattr(v, "kind") else Fraction(v)),
    "ratio": lambda v: ratio(Fraction(v)),
    "percent": lambda v: percent(Fraction(v)),
    "ordinal": lambda v: ordinal(int(v)),
    "number": lambda v: estimate(v.value, v.kind, unit=False) if hasattr(v, "kind") else number(v),
    "estimate": lambda v: estimate(v.value, v.kind),
    "computed": lambda v: estimate(v.value, v.kind, computed=True),
    "approx": lambda v: approx(v.value, v.kind),
    "doses": lambda v: dose_list([a.value for a in v], v[0].kind),
    "words": lambda v: words_list(list(v)),
}


def param(value: ParamValue, spec: str = "") -> str:
    """One typed parameter as text, through the formatter.

    Amounts in their style (or the ``spec``: ``estimate``, ``approx``, ``number``; ``computed``
    always rounds, for a value computed to 50 digits such as an eGFR), dates in
    words, counts with ``times`` (``'3 times a day'``), ``days``, ``ordinal``; fractions with
    ``ratio`` or ``percent``; a tuple of amounts as a dose list; strings as they are.

    >>> from baclofen_dose.core.model import Amount
    >>> param(Amount(Fraction(15, 2), units.ORAL_DOSE)), param(3, "times"), param(date(2026, 1, 5))
    ('7.5 mg', '3 times a day', '5 January 2026')
    """
    if spec:
        if spec not in _SPECS:
            raise ValueError(f"unknown format spec {spec!r}")
        return str(_SPECS[spec](value))
    if hasattr(value, "kind") and hasattr(value, "style"):
        return _amount_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return day(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, Fraction):
        return ratio(value)
    if isinstance(value, tuple):
        if not value:
            return "none"
        # Each amount in its own unit and style (a flex program may mix mcg/hour and mcg/day).
        return words_list([param(v) for v in value])
    if value is None:
        return "none"
    return str(value)


class _Filler(string.Formatter):
    """Fills a template; ``{crcl:computed@threshold}`` shows a computed estimate beside the
    parameter ``threshold`` it is compared with (:func:`estimate_beside`)."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self.params = params

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("computed@"):
            limit: Any = self.params[format_spec.removeprefix("computed@")]
            bound = Fraction(limit.value if hasattr(limit, "kind") else limit)
            return estimate_beside(value.value, value.kind, [bound])
        return param(value, format_spec)


def fill(template: str, params: Mapping[str, ParamValue]) -> str:
    """A sentence from a template and typed params (``'{dose} {n:times}'``).

    >>> from baclofen_dose.core.model import Amount
    >>> fill("{dose} {n:times}", {"dose": Amount(Fraction(5), units.ORAL_DOSE), "n": 3})
    '5 mg 3 times a day'
    """
    return _Filler(params).vformat(template, (), dict(params))
