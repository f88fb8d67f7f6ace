"""Exact-as-possible arithmetic for the equations that need powers and roots (issue 3).

Cockcroft-Gault, the Devine ideal body weight and the dose arithmetic are rational and stay
exact ``Fraction`` values. CKD-EPI 2021 (``0.9938 ** age``, ``(SCr / kappa) ** -1.2``) and the
Mosteller body surface area (a square root) are irrational: they are computed here with
``decimal`` at :data:`DIGITS` significant digits (correctly rounded, half even, independent of
any caller's decimal context) and returned as the exact ``Fraction`` of that decimal. Results
of these functions are estimates; people see them only through ``display.number(..., places=N)``.

>>> power(Fraction(2), Fraction(-6, 5)) == power(Fraction(2), Fraction(-12, 10))
True
>>> str(float(sqrt(Fraction(2))))[:8]
'1.414213'
"""

from __future__ import annotations

from decimal import Context, Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Final

__all__ = [
    "DIGITS",
    "HALF",
    "POWER_CACHE",
    "check_exactness_with_decimal",
    "power",
    "sqrt",
    "to_decimal",
]

DIGITS: Final = 50
HALF: Final = Fraction(1, 2)
"""One half: the only part a scored tablet is ever split into (ISMP: "half tablet")."""
_CONTEXT: Final = Context(prec=DIGITS)


def _decimal(value: Fraction) -> Decimal:
    return _CONTEXT.divide(Decimal(value.numerator), Decimal(value.denominator))


def power(base: Fraction, exponent: Fraction) -> Fraction:
    """``base ** exponent`` for a positive base, to :data:`DIGITS` significant digits.

    A whole exponent is computed exactly. The result is a pure function of two exact values,
    so it is remembered (:data:`POWER_CACHE` entries): a correctly rounded 50-digit decimal
    power takes about 150 microseconds, longer than a whole titration plan, and CKD-EPI raises
    the same few values (a creatinine over kappa, a whole age) again and again. The cache
    returns the same digits, so no displayed value and no band decision can change.
    """
    if base <= 0:
        raise ValueError("power() needs a positive base")
    if exponent.denominator == 1:
        return _whole_power(base, exponent.numerator)
    return _power(base, exponent)


POWER_CACHE: Final = 4096
"""How many distinct ``(base, exponent)`` results :func:`power` remembers (least recently used
first out); a laboratory reports creatinine to a few hundred distinct values."""


@lru_cache(maxsize=POWER_CACHE)
def _power(base: Fraction, exponent: Fraction) -> Fraction:
    return Fraction(_CONTEXT.power(_decimal(base), _decimal(exponent)))


@lru_cache(maxsize=POWER_CACHE)
def _whole_power(base: Fraction, exponent: int) -> Fraction:
    return Fraction(base) ** exponent


def sqrt(value: Fraction) -> Fraction:
    """The square root of a positive value, to :data:`DIGITS` significant digits."""
    if value <= 0:
        raise ValueError("sqrt() needs a positive value")
    return Fraction(_CONTEXT.sqrt(_decimal(value)))


def check_exactness_with_decimal(value: Fraction) -> bool:
    """True when ``value`` has a finite decimal expansion (it can be written exactly).

    >>> check_exactness_with_decimal(Fraction(15, 2)), check_exactness_with_decimal(Fraction(1, 3))
    (True, False)
    """
    den = value.denominator
    for p in (2, 5):
        while den % p == 0:
            den //= p
    return den == 1


def to_decimal(value: Fraction) -> Decimal:
    """The exact Decimal of a terminating Fraction (raises ValueError otherwise).

    >>> to_decimal(Fraction(15, 2)), to_decimal(Fraction(100))
    (Decimal('7.5'), Decimal('100'))
    """
    if not check_exactness_with_decimal(value):
        raise ValueError(f"{value} has no finite decimal expansion")
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    scaled = value * 10**places
    # From text, not scaleb(): scaleb rounds to the caller's context precision (28 digits by
    # default), which would silently shorten a 50-digit estimate written to JSON.
    return Decimal(f"{scaled.numerator}E-{places}")
