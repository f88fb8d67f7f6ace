"""The library's one unit registry, strict parsing, and exact canonical values.

Every clinical quantity enters the library here, as a string with an explicit unit
("5 mg", "60 mg/day", "10 mg/5 mL") or as a pint Quantity, and leaves as an exact
``Fraction`` in the canonical unit of its :class:`Kind` (mg for oral amounts, mcg for
intrathecal amounts, days for intervals...). The planners compute on those exact values;
results give pint Quantities back through :func:`quantity`.

One owned table, ``units.txt``, defines every unit and its accepted spellings. The parser
reads it without pint; the pint registry is built from it, once and only when first needed,
with exact ratios (``non_int_type=Fraction``), so conversions never drift.

Strings are parsed by a closed grammar, not by pint's expression parser::

    quantity := NUMBER " " unit | NUMBER "%"                 ("%": percentages only)
    NUMBER   := 0 | [1-9][0-9]*, optionally "." [0-9]+      (ASCII digits only)
    unit     := term ( "/" [NUMBER " "] term )*             ("mg/day", "mg/5 mL")
              | the kind's house display unit               ("mL/min/1.73 m2" for an eGFR)
    term     := a spelling from the unit table (:func:`spellings`)

So every amount the library shows parses back to the same value, except that shown numbers
of 1,000 or more carry thousands separators, which input refuses (a comma can be a decimal
point).

Refused, with the library's own errors naming the field, the value and what was expected:
bare numbers, missing or unknown units, units not allowed for the field (an oral dose in
mcg), the wrong dimension ("5 mL" as a dose), NaN, infinities, zero and negative amounts,
booleans, and numbers written with signs, exponents, underscores, grouping commas,
non-ASCII digits or a naked decimal point. A missing space ("20mg"), a leading or trailing
space, or a comma in the number gets a message that says exactly that.

>>> parse("7.5 mg", ORAL_DOSE, "dose")
Fraction(15, 2)
>>> parse("10 mg/5 mL", ORAL_CONCENTRATION, "strength")
Fraction(2, 1)
"""

from __future__ import annotations

import math
import numbers
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from functools import cache, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from baclofen_dose.core.errors import ImplausibleValueError, InputError, InputTypeError, UnitError
from baclofen_dose.core.kinds import (
    AREA,
    BODY_MASS_INDEX,
    CONCENTRATION_FACTOR,
    CREATININE_MASS,
    CREATININE_MOLAR,
    DAILY_VOLUME,
    DAYS,
    EGFR,
    HEIGHT,
    HOURS,
    IT_CONCENTRATION,
    IT_DAILY_DOSE,
    IT_DOSE,
    IT_HOURLY_RATE,
    ORAL_CONCENTRATION,
    ORAL_DAILY_DOSE,
    ORAL_DAILY_DOSE_PER_KG,
    ORAL_DOSE,
    PER_DAY,
    PERCENT,
    RENAL_CLEARANCE,
    VOLUME,
    WEIGHT,
    WEIGHT_PER_HEIGHT,
    YEARS,
    Kind,
    Signature,
)
from baclofen_dose.core.numeric import check_exactness_with_decimal

if TYPE_CHECKING:
    import pint

__all__ = [
    "AREA",
    "BODY_MASS_INDEX",
    "CONCENTRATION_FACTOR",
    "CREATININE_MASS",
    "CREATININE_MOLAR",
    "DAILY_VOLUME",
    "DAYS",
    "EGFR",
    "HEIGHT",
    "HOURS",
    "IT_CONCENTRATION",
    "IT_DAILY_DOSE",
    "IT_DOSE",
    "IT_HOURLY_RATE",
    "MAX_FRACTION_DIGITS",
    "MAX_INTEGER_DIGITS",
    "ORAL_CONCENTRATION",
    "ORAL_DAILY_DOSE",
    "ORAL_DAILY_DOSE_PER_KG",
    "ORAL_DOSE",
    "PERCENT",
    "PER_DAY",
    "RENAL_CLEARANCE",
    "VOLUME",
    "WEIGHT",
    "WEIGHT_PER_HEIGHT",
    "YEARS",
    "Kind",
    "parse",
    "parse_number",
    "parse_unit",
    "quantity",
    "registry",
    "spellings",
]


_MAX_TEXT = 64
MAX_INTEGER_DIGITS: Final = 12
"""The most digits the quantity grammar reads before the decimal point."""
MAX_FRACTION_DIGITS: Final = 12
"""The most digits the quantity grammar reads after the decimal point."""
_NUMBER_RE = (
    rf"(?:0|[1-9][0-9]{{0,{MAX_INTEGER_DIGITS - 1}}})(?:\.[0-9]{{1,{MAX_FRACTION_DIGITS}}})?"
)
_NUMBER = re.compile(_NUMBER_RE)
_QUANTITY = re.compile(rf"(?P<number>{_NUMBER_RE}) (?P<unit>\S.*)")
_PERCENT_SIGN = re.compile(rf"{_NUMBER_RE}%")
_NUMBER_THEN = re.compile(rf"(?P<number>{_NUMBER_RE})(?P<rest>.*)", re.DOTALL)
_DIGITS = re.compile(r"(?P<whole>[0-9]+)(?:\.(?P<part>[0-9]+))?(?![0-9.,])")
_COMMA_NUMBER = re.compile(r"[0-9]+(?:,[0-9]+)+")
_SPACES: Final = {" ": "a space", "\t": "a tab", "\n": "a line break", "\r": "a line break"}


def _space_name(char: str) -> str:
    if char == "\u00a0":
        return "a non-breaking space"
    return _SPACES.get(char, "white space")


def _layout_problem(value: str) -> str | None:
    """What is wrong with how a quantity is laid out, in words, or None.

    For the messages only (the grammar decides what is accepted): a leading or trailing
    space, no space or the wrong space between number and unit, a comma in the number.
    """
    if not value:
        return None
    if value[0].isspace():
        return f"starts with {_space_name(value[0])}"
    if value[-1].isspace():
        return f"ends with {_space_name(value[-1])}"
    head = value.split(" ", 1)[0]
    digits = _DIGITS.match(value)
    if digits is not None and (
        len(digits.group("whole")) > MAX_INTEGER_DIGITS
        or len(digits.group("part") or "") > MAX_FRACTION_DIGITS
    ):
        return (
            f"has too many digits (at most {MAX_INTEGER_DIGITS} before and "
            f"{MAX_FRACTION_DIGITS} after the decimal point)"
        )
    if _COMMA_NUMBER.match(head):
        return (
            "has a comma in its number (a comma can be read as a decimal point or as a "
            "thousands separator: write the number with no thousands separators and with a "
            "decimal point)"
        )
    match = _NUMBER_THEN.fullmatch(value)
    if match is None:
        return None
    rest = match.group("rest")
    if rest[:1].isspace() and rest[:1] != " ":
        return f"has {_space_name(rest[0])} between the number and the unit, not one plain space"
    if rest.startswith("  "):
        return "has more than one space between the number and the unit"
    first_term = rest.split(" ", 1)[0].split("/", 1)[0]
    if first_term in _table().vocabulary:
        return "has no space between the number and the unit"
    return None


Dimension = tuple[tuple[str, int], ...]


class _Table(NamedTuple):
    """``units.txt`` read once: what the parser needs, and what pint is given."""

    # unit name -> exact factor to base units, and dimension
    definitions: dict[str, tuple[Fraction, Dimension]]
    # input spelling -> (unit name, power): the closed vocabulary of input text
    vocabulary: dict[str, tuple[str, int]]
    # the same units as pint definitions, with the spellings as symbol and aliases
    pint_lines: tuple[str, ...]


def _package_data(name: str) -> bytes:
    """A data file beside this module (importlib.resources only when not on a file system:
    importing it costs a tenth of the CLI's start-up)."""
    try:
        with open(os.path.join(os.path.dirname(__file__), name), "rb") as stream:
            return stream.read()
    except OSError:  # pragma: no cover - a zipped install
        from importlib import resources

        return resources.files(__package__ or "baclofen_dose.core").joinpath(name).read_bytes()


@cache
def _table() -> _Table:
    """Read ``units.txt``: the one unit table (its header describes the format).

    Reading it here lets strings be parsed without importing pint (most of the CLI's start-up);
    :func:`registry` gives pint the same units and spellings. A test checks every factor and
    spelling against pint.
    """
    definitions: dict[str, tuple[Fraction, Dimension]] = {}
    vocabulary: dict[str, tuple[str, int]] = {}
    pint_lines: list[str] = []

    def spell(spelling: str, name: str, power: int) -> None:
        if spelling in vocabulary or name not in definitions:  # pragma: no cover - a bad table
            raise AssertionError(f"units.txt: spelling {spelling!r} of {name!r}")
        vocabulary[spelling] = (name, power)

    text = _package_data("units.txt").decode("utf-8")
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("@squared "):
            spelling, name = (part.strip() for part in line.removeprefix("@squared ").split("="))
            spell(spelling, name, 2)
            continue
        head, _, spelled = line.partition(";")
        name, expr = (part.strip() for part in head.split("=", 1))
        definitions[name] = _definition(expr, definitions)
        spellings = spelled.split()
        for spelling in spellings:
            spell(spelling, name, 1)
        symbol = spellings[0] if spellings and spellings[0] != name else "_"
        aliases = [s for s in spellings if s not in (name, symbol)]
        names = [symbol, *aliases] if aliases or symbol != "_" else []
        pint_lines.append(" = ".join([name, expr, *names]))
    return _Table(definitions, vocabulary, tuple(pint_lines))


def _definition(
    expr: str, known: Mapping[str, tuple[Fraction, Dimension]]
) -> tuple[Fraction, Dimension]:
    """A unit's exact factor and dimension from its definition (``gram / 1000``, ``[mass]``)."""
    if expr.startswith("["):
        return Fraction(1), ((expr, 1),)
    factor, powers = Fraction(1), dict[str, int]()
    operator = "*"
    for token in expr.split():
        if token in ("*", "/"):
            operator = token
            continue
        if token in known:
            token_factor, token_dims = known[token]
        else:
            token_factor, token_dims = Fraction(token), ()
        sign = 1 if operator == "*" else -1
        factor = factor * token_factor if sign == 1 else factor / token_factor
        for dim, exp in token_dims:
            powers[dim] = powers.get(dim, 0) + sign * exp
    return factor, tuple(sorted((d, e) for d, e in powers.items() if e))


def spellings() -> Mapping[str, tuple[str, int]]:
    """The accepted unit spellings of input text: spelling -> (unit name, power).

    From the one unit table, ``units.txt``. Case matters.

    >>> spellings()["mcg"], spellings()["m2"]
    (('microgram', 1), ('meter', 2))
    >>> "MG" in spellings()
    False
    """
    return MappingProxyType(_table().vocabulary)


@cache
def registry() -> pint.UnitRegistry[Fraction]:
    """Return the library's one pint registry (built on first use from ``units.txt``).

    Magnitudes are exact: ``non_int_type=Fraction``. It knows exactly the units of the unit
    table, under their names and their accepted spellings.

    >>> ureg = registry()
    >>> (5 * ureg.mg).to(ureg.mcg)
    <Quantity(5000, 'microgram')>
    """
    import pint  # deferred: importing pint costs most of the CLI's start-up

    ureg: pint.UnitRegistry[Fraction] = pint.UnitRegistry(
        None,
        non_int_type=Fraction,
        cache_folder=None,
        autoconvert_offset_to_baseunit=False,
    )
    for line in _table().pint_lines:
        ureg.define(line)
    return ureg


def _reduce(sig: Signature) -> tuple[Fraction, Dimension]:
    factor, powers = Fraction(1), dict[str, int]()
    for name, exp in sig:
        unit_factor, dims = _table().definitions[name]
        factor *= unit_factor**exp
        for dim, dim_exp in dims:
            powers[dim] = powers.get(dim, 0) + dim_exp * exp
    return factor, tuple(sorted((d, e) for d, e in powers.items() if e))


@cache
def _factor(sig: Signature, canonical: Signature) -> Fraction:
    """Exact factor taking one ``sig`` unit to the ``canonical`` unit (from ``units.txt``)."""
    sig_factor, sig_dims = _reduce(sig)
    canonical_factor, canonical_dims = _reduce(canonical)
    if sig_dims != canonical_dims:  # pragma: no cover - Kinds only list convertible units
        raise AssertionError(f"{sig} and {canonical} differ in dimension")
    return sig_factor / canonical_factor


def parse_number(text: str, field: str) -> Fraction:
    """Parse a plain decimal number strictly (ASCII digits, optional point with a leading digit).

    >>> parse_number("0.5", "x")
    Fraction(1, 2)
    >>> parse_number(".5", "x")
    Traceback (most recent call last):
    ...
    baclofen_dose.InputError: x: '.5' is not a plain decimal number; ...
    """
    if not isinstance(text, str):
        raise InputTypeError(field, text, "a decimal number written as text")
    if len(text) > _MAX_TEXT or not _NUMBER.fullmatch(text):
        raise InputError(
            field,
            text,
            "ASCII digits with an optional decimal point after a leading digit, such as '0.5'",
            problem="is not a plain decimal number",
            code="E_NUMBER_SYNTAX",
        )
    return Fraction(text)


def _unit_signature(
    unit_text: str, field: str, value: str, kind: Kind
) -> tuple[Signature, Fraction]:
    """Read the unit part of a quantity: its signature and any number in a denominator.

    A kind's house display unit is read as that kind's canonical unit, so every amount the
    library shows parses back ("60 mL/min/1.73 m2" is an eGFR, "3 times a day" a count a day).
    """
    vocabulary = _table().vocabulary
    factor = Fraction(1)
    powers: dict[str, int] = {}
    parts = unit_text.split("/")
    for index, raw in enumerate(parts):
        term = raw
        if index > 0:
            match = re.fullmatch(rf"({_NUMBER_RE}) (\S+)", raw)
            if match and kind.display.endswith("/mL"):  # "10 mg/5 mL": strengths only
                divisor = Fraction(match.group(1))
                if divisor == 0:
                    raise UnitError(field, value, kind.expected, problem="divides by zero")
                factor /= divisor
                term = match.group(2)
        if index == 0 and term == "1" and len(parts) > 1:
            continue
        spelled = vocabulary.get(term)
        if spelled is None and unit_text == kind.display:
            # A house unit outside the grammar ("mL/min/1.73 m2"): the kind's canonical unit.
            return kind.canonical, Fraction(1)
        if spelled is None:
            raise UnitError(
                field,
                value,
                kind.expected,
                problem="has a unit this library does not know" if term else "has a malformed unit",
                code="E_UNIT_UNKNOWN",
            )
        name, power = spelled
        powers[name] = powers.get(name, 0) + (power if index == 0 else -power)
    sig = tuple(sorted((n, e) for n, e in powers.items() if e != 0))
    return sig, factor


# The quantity a unit measures, in words, for the hint after a refused unit.
_QUANTITY_WORDS: Final[dict[Dimension, str]] = {
    (("[mass]", 1),): "a mass",
    (("[mass]", 1), ("[time]", -1)): "an amount per time",
    (("[mass]", 1), ("[volume]", -1)): "a concentration",
    (("[volume]", 1),): "a volume",
}
_OTHER_ROUTE: Final = {"mg": "microgram", "mcg": "milligram"}


def _unit_note(sig: Signature, kind: Kind) -> str:
    """The hint after a unit ``kind`` does not take: the kind's note (no dose is converted
    between routes) only for the other route's unit (mcg for an oral dose); a dose per day
    given as a dose, the dose of one administration; another quantity, what it is not."""
    if not kind.note:
        return ""
    names = {name for name, _ in sig}
    if _OTHER_ROUTE.get(kind.display.split("/", 1)[0]) in names:
        return kind.note
    _, dims = _reduce(sig)
    _, wanted = _reduce(kind.canonical)
    per_time = tuple(sorted((*wanted, ("[time]", -1))))
    if dims == per_time:
        return (
            " (a dose per day or per hour: give the dose of one administration, such as "
            f"'5 {kind.display}', and the number of doses a day)"
        )
    if dims == wanted:
        return f" ({kind.name} amounts are in {kind.display})"
    what = _QUANTITY_WORDS.get(wanted, "the same quantity")
    return f" (the unit is not {what} such as {kind.display})"


def _check_allowed(sig: Signature, kind: Kind, field: str, value: object) -> None:
    if sig not in kind.allowed:
        raise UnitError(
            field,
            value,
            kind.expected + _unit_note(sig, kind),
            problem=f"is not in a unit for {kind.name}",
            code="E_UNIT_DIMENSION",
        )


def parse_unit(unit_text: str, kind: Kind, field: str) -> Fraction:
    """Return the exact factor taking one ``unit_text`` to ``kind``'s canonical unit.

    Used for unit strings in rule data ("mg/day", "1/day").

    >>> parse_unit("mcg/hour", IT_DAILY_DOSE, "rate")
    Fraction(24, 1)
    """
    if not isinstance(unit_text, str) or len(unit_text) > _MAX_TEXT:
        raise InputTypeError(field, unit_text, "a unit written as text, such as 'mg/day'")
    if unit_text == "1" and kind.allowed == ((),):
        # A plain ratio (an equation coefficient, a dose fraction) is written with the unit "1"
        # in rule data; only kinds that allow nothing but a plain ratio accept it.
        return Fraction(1)
    sig, factor = _unit_signature(unit_text, field, unit_text, kind)
    _check_allowed(sig, kind, field, unit_text)
    return factor * _factor(sig, kind.canonical)


def _positive(value: Fraction, kind: Kind, field: str, raw: object) -> Fraction:
    if value <= 0:
        raise InputError(
            field,
            raw,
            f"{kind.expected}, greater than zero",
            problem="is not greater than zero",
            code="E_OUT_OF_RANGE",
        )
    return value


# Magnitudes are bounded before any arithmetic on them: 10**15 of any unit is far outside every
# plausibility band, and bounding first keeps Decimal("1E-999999") from building a million-digit
# integer (a hang) and Decimal("1E+5000") from overflowing int conversion.
_MAX_DIGITS: Final = 15


def _too_large(field: str, raw: object, kind: Kind) -> ImplausibleValueError:
    return ImplausibleValueError(
        field,
        raw,
        kind.expected,
        problem=f"is outside any plausible range (more than {_MAX_DIGITS} digits either side "
        "of the decimal point)",
        code="E_IMPLAUSIBLE",
    )


def _magnitude(raw: object, field: str, kind: Kind) -> Fraction:
    """Exact value of a pint Quantity's magnitude; refuse non-finite, huge and odd values."""
    if isinstance(raw, bool):
        raise InputTypeError(field, raw, kind.expected)
    if isinstance(raw, Fraction):
        if max(abs(raw.numerator), raw.denominator).bit_length() > _MAX_DIGITS * 4:
            raise _too_large(field, raw, kind)
        return raw
    if isinstance(raw, numbers.Integral):
        value = int(raw)
        if value.bit_length() > _MAX_DIGITS * 4:
            raise _too_large(field, raw, kind)
        return Fraction(value)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise InputError(
                field, raw, kind.expected, problem="is not finite", code="E_NOT_FINITE"
            )
        if raw.is_zero():
            return Fraction(0)
        if abs(raw.adjusted()) > _MAX_DIGITS or len(raw.as_tuple().digits) > _MAX_DIGITS * 2:
            raise _too_large(field, raw, kind)
        return Fraction(raw)
    if isinstance(raw, numbers.Real) and not isinstance(raw, numbers.Rational):
        as_float = float(raw)
        if not math.isfinite(as_float):
            raise InputError(
                field, raw, kind.expected, problem="is not finite", code="E_NOT_FINITE"
            )
        # The shortest repr is what the caller wrote (0.1, not 0.1000000000000000055...).
        written = Decimal(repr(as_float))
        if not written.is_zero() and abs(written.adjusted()) > _MAX_DIGITS:
            raise _too_large(field, raw, kind)
        return Fraction(written)
    if isinstance(raw, numbers.Rational):
        num, den = int(raw.numerator), int(raw.denominator)
        if max(abs(num), den).bit_length() > _MAX_DIGITS * 4:
            raise _too_large(field, raw, kind)
        return Fraction(num, den)
    raise InputTypeError(field, raw, f"a Quantity with a real, finite magnitude: {kind.expected}")


def _from_quantity(value: pint.Quantity[Any], kind: Kind, field: str) -> Fraction:
    ureg = registry()
    unit_name = str(value.units)
    try:
        # Re-home by unit name: the Quantity may come from another registry.
        items = ureg.Quantity(1, unit_name).unit_items()
    except Exception as exc:  # pint raises several unrelated types here
        raise UnitError(
            field,
            value,
            kind.expected,
            problem=f"has a unit {unit_name!r} this library does not know",
            code="E_UNIT_UNKNOWN",
        ) from exc
    sig = tuple(sorted((str(n), int(str(e))) for n, e in items))
    _check_allowed(sig, kind, field, value)
    magnitude = _magnitude(value.magnitude, field, kind)
    return magnitude * _factor(sig, kind.canonical)


def _is_quantity(value: object) -> bool:
    module = type(value).__module__
    if not module.startswith("pint"):
        return False
    import pint

    return isinstance(value, pint.Quantity)


def parse(value: object, kind: Kind, field: str, *, allow_zero: bool = False) -> Fraction:
    """Parse ``value`` (a string with a unit, or a pint Quantity) into ``kind``'s canonical unit.

    The result is exact. Zero is refused unless ``allow_zero``; negative values always are.
    Strings are parsed once: the same text, kind and field give the same exact value (a pure
    function, cached); a refusal is raised again each time.

    >>> parse("3 weeks", DAYS, "over")
    Fraction(21, 1)
    >>> parse("60 mcg/hour", IT_DAILY_DOSE, "rate")
    Fraction(1440, 1)
    """
    if type(value) is str:
        return _parse_text(value, kind, field, allow_zero)
    return _parse(value, kind, field, allow_zero=allow_zero)


@lru_cache(maxsize=4096)
def _parse_text(value: str, kind: Kind, field: str, allow_zero: bool) -> Fraction:
    return _parse(value, kind, field, allow_zero=allow_zero)


def _parse(value: object, kind: Kind, field: str, *, allow_zero: bool = False) -> Fraction:
    if isinstance(value, str):
        if len(value) > _MAX_TEXT:
            raise InputError(
                field,
                value,
                kind.expected,
                problem=f"is longer than {_MAX_TEXT} characters",
                code="E_TOO_LONG",
            )
        text = value
        if kind is PERCENT and _PERCENT_SIGN.fullmatch(value):
            text = value[:-1] + " %"  # "14.5%", as a percentage is shown
        match = _QUANTITY.fullmatch(text)
        if match is None:
            layout = _layout_problem(value)
            head = value.split(" ", 1)[0]
            if _NUMBER.fullmatch(value):
                raise UnitError(
                    field, value, kind.expected, problem="has no unit", code="E_UNIT_MISSING"
                )
            if not _NUMBER.fullmatch(head):
                raise InputError(
                    field,
                    value,
                    f"{kind.expected}; numbers are ASCII digits with an optional decimal "
                    "point after a leading digit, then one space, then the unit",
                    problem=layout or "does not start with a plain decimal number",
                    code="E_NUMBER_SYNTAX",
                )
            raise UnitError(field, value, kind.expected, problem=layout or "has a malformed unit")
        if value[-1].isspace():
            raise UnitError(
                field,
                value,
                kind.expected,
                problem=f"ends with {_space_name(value[-1])}",
                code="E_UNIT_UNKNOWN",
            )
        number = Fraction(match.group("number"))
        sig, factor = _unit_signature(match.group("unit"), field, value, kind)
        _check_allowed(sig, kind, field, value)
        result = number * factor * _factor(sig, kind.canonical)
    elif _is_quantity(value):
        result = _from_quantity(value, kind, field)  # type: ignore[arg-type]
    else:
        raise InputTypeError(
            field,
            value,
            f"a pint Quantity or a string with a unit: {kind.expected}",
            code="E_TYPE",
        )
    if result < 0 or (result == 0 and not allow_zero):
        return _positive(result, kind, field, value)
    if kind.exact_decimal and not check_exactness_with_decimal(result):
        raise InputError(
            field,
            value,
            f"{kind.expected}, a value that can be written exactly as a decimal in {kind.display}",
            problem=f"has no exact decimal value in {kind.display}",
            code="E_NOT_EXACT",
        )
    return result


def quantity(value: Fraction, kind: Kind) -> pint.Quantity[Fraction]:
    """A pint Quantity view of an exact canonical value, from the library's registry.

    The magnitude is the exact ``Fraction``.

    >>> quantity(Fraction(15, 2), ORAL_DOSE)
    <Quantity(15/2, 'milligram')>
    """
    return registry().Quantity(Fraction(value), kind.canonical_expr)
