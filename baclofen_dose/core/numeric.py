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
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DIGITS",
    "HALF",
    "POWER_CACHE",
    "check_exactness_with_decimal",
    "decimal",
    "exp",
    "ln",
    "power",
    "solve_decreasing",
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


def decimal(value: Fraction | Decimal | int) -> Decimal:
    """``value`` as a Decimal of :data:`DIGITS` significant digits (exact when it fits)."""
    if isinstance(value, Decimal):
        return _CONTEXT.plus(value)
    value = Fraction(value)
    return _decimal(value)


def exp(value: Fraction | Decimal | int) -> Decimal:
    """``e ** value`` to :data:`DIGITS` significant digits (issue 14: the PK education model).

    >>> str(exp(0)), str(exp(1))[:12]
    ('1', '2.7182818284')
    """
    return _CONTEXT.exp(decimal(value))


def ln(value: Fraction | Decimal | int) -> Decimal:
    """The natural logarithm of a positive value, to :data:`DIGITS` significant digits.

    >>> str(ln(exp(3)))[:6], str(ln(1))
    ('3.0000', '0')
    """
    number = decimal(value)
    if number <= 0:
        raise ValueError("ln() needs a positive value")
    return _CONTEXT.ln(number)


def solve_decreasing(
    function: Callable[[Decimal], Decimal], target: Decimal, low: Decimal
) -> Decimal:
    """The ``x > low`` where a decreasing ``function`` equals ``target``, by bisection.

    ``function(low)`` (or its limit there) must be above ``target``. The bracket doubles until
    it holds the answer, then halves until its ends meet at :data:`DIGITS` digits.

    >>> solve_decreasing(lambda x: 1 / x, Decimal(4), Decimal(0)).quantize(Decimal("1e-20"))
    Decimal('0.25000000000000000000')
    """
    step = max(abs(low), Decimal(1))
    high = _CONTEXT.add(low, step)
    while function(high) > target:
        step = _CONTEXT.multiply(step, Decimal(2))
        high = _CONTEXT.add(low, step)
    # Each halving gains about 0.3 digits: DIGITS * 4 halvings narrow the bracket to well
    # below the last of the DIGITS digits (all sums in the 50-digit context, never the
    # caller's 28-digit default, which would stop the bracket from narrowing).
    for _ in range(DIGITS * 4):
        middle = _CONTEXT.divide(_CONTEXT.add(low, high), Decimal(2))
        if middle in (low, high):
            break
        if function(middle) > target:
            low = middle
        else:
            high = middle
    return _CONTEXT.divide(_CONTEXT.add(low, high), Decimal(2))


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
    return _twos_and_fives(value.denominator)[2] == 1


def _twos_and_fives(den: int) -> tuple[int, int, int]:
    """(a, b, rest) with den == 2^a * 5^b * rest, counted on integers (the twos from the
    lowest set bit; the fives sixteen at a time, then one at a time)."""
    twos = (den & -den).bit_length() - 1
    den >>= twos
    fives = 0
    for step, power in ((16, 5**16), (1, 5)):
        while den % power == 0:
            den //= power
            fives += step
    return twos, fives, den


def to_decimal(value: Fraction) -> Decimal:
    """The exact Decimal of a terminating Fraction (raises ValueError otherwise).

    >>> to_decimal(Fraction(15, 2)), to_decimal(Fraction(100))
    (Decimal('7.5'), Decimal('100'))
    """
    # The denominator is 2^a * 5^b exactly when the expansion is finite; it then has
    # max(a, b) places (counted on integers: a 50-digit estimate took 50 Fraction products).
    twos, fives, rest = _twos_and_fives(value.denominator)
    if rest != 1:
        raise ValueError(f"{value} has no finite decimal expansion")
    places = max(twos, fives)
    scaled = value.numerator * 10**places // value.denominator  # exact: a whole number
    # From text, not scaleb(): scaleb rounds to the caller's context precision (28 digits by
    # default), which would silently shorten a 50-digit estimate written to JSON.
    return Decimal(f"{scaled}E-{places}")
