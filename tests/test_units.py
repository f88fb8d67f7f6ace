"""Units: strict parsing, exact canonical values, one registry (brief: units; SAF-09..12)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose.core import kinds, numeric, units
from baclofen_dose.core.errors import BaclofenDoseError, InputError, InputTypeError, UnitError
from tests.ismp import assert_clean, without_received_value
from tests.strategies import junk

ORAL = units.ORAL_DOSE


@pytest.mark.req("SAF-10")
@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("5 mg", units.ORAL_DOSE, Fraction(5)),
        ("0.5 mg", units.ORAL_DOSE, Fraction(1, 2)),
        ("7.5 milligrams", units.ORAL_DOSE, Fraction(15, 2)),
        ("60 mg/day", units.ORAL_DAILY_DOSE, Fraction(60)),
        ("60 mg/d", units.ORAL_DAILY_DOSE, Fraction(60)),
        ("10 mg/5 mL", units.ORAL_CONCENTRATION, Fraction(2)),
        ("25 mg/5 mL", units.ORAL_CONCENTRATION, Fraction(5)),
        ("1 mg/mL", units.ORAL_CONCENTRATION, Fraction(1)),
        ("3 days", units.DAYS, Fraction(3)),
        ("2 weeks", units.DAYS, Fraction(14)),
        ("300 mcg/day", units.IT_DAILY_DOSE, Fraction(300)),
        ("60 mcg/hour", units.IT_DAILY_DOSE, Fraction(1440)),
        ("50 \u00b5g", units.IT_DOSE, Fraction(50)),
        ("50 ug", units.IT_DOSE, Fraction(50)),
        ("2000 mcg/mL", units.IT_CONCENTRATION, Fraction(2000)),
        ("154 lb", units.WEIGHT, Fraction(154) * Fraction(45359237, 100000000)),
        ("70000 g", units.WEIGHT, Fraction(70)),
        ("1.4 mg/dL", units.CREATININE_MASS, Fraction(7, 5)),
        ("123.8 micromol/L", units.CREATININE_MOLAR, Fraction(1238, 10)),
    ],
)
def test_parses_exactly(text: str, kind: units.Kind, expected: Fraction) -> None:
    assert units.parse(text, kind, "field") == expected


@pytest.mark.req("SAF-10")
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("5", "E_UNIT_MISSING"),
        ("nan mg", "E_NUMBER_SYNTAX"),
        ("NaN mg", "E_NUMBER_SYNTAX"),
        ("inf mg", "E_NUMBER_SYNTAX"),
        ("Infinity mg", "E_NUMBER_SYNTAX"),
        ("1_000 mg", "E_NUMBER_SYNTAX"),
        ("1e3 mg", "E_NUMBER_SYNTAX"),
        ("0.5e-1 mg", "E_NUMBER_SYNTAX"),
        ("0x10 mg", "E_NUMBER_SYNTAX"),
        ("\u0661\u0662 mg", "E_NUMBER_SYNTAX"),
        ("\uff11\uff10 mg", "E_NUMBER_SYNTAX"),
        ("1O mg", "E_NUMBER_SYNTAX"),
        (".5 mg", "E_NUMBER_SYNTAX"),
        ("5. mg", "E_NUMBER_SYNTAX"),
        ("00.5 mg", "E_NUMBER_SYNTAX"),
        ("0.5.1 mg", "E_NUMBER_SYNTAX"),
        ("1,5 mg", "E_NUMBER_SYNTAX"),
        ("1,000 mg", "E_NUMBER_SYNTAX"),
        ("1 000 mg", "E_UNIT_UNKNOWN"),
        (" 5 mg", "E_NUMBER_SYNTAX"),
        ("5\u00a0mg", "E_NUMBER_SYNTAX"),
        ("+5 mg", "E_NUMBER_SYNTAX"),
        ("-5 mg", "E_NUMBER_SYNTAX"),
        ("-0 mg", "E_NUMBER_SYNTAX"),
        ("0 mg", "E_OUT_OF_RANGE"),
        ("0.0 mg", "E_OUT_OF_RANGE"),
        ("5mg", "E_NUMBER_SYNTAX"),
        ("5 MG", "E_UNIT_UNKNOWN"),
        ("5 Mg", "E_UNIT_UNKNOWN"),
        ("5 mgs", "E_UNIT_UNKNOWN"),
        ("5 cc", "E_UNIT_UNKNOWN"),
        ("5 U", "E_UNIT_UNKNOWN"),
        ("5 mL", "E_UNIT_DIMENSION"),
        ("5 mcg", "E_UNIT_DIMENSION"),
        ("5 mg/day", "E_UNIT_DIMENSION"),
        ("5 mg\n", "E_UNIT"),
        ("5 mg ", "E_UNIT_UNKNOWN"),
        ("5 mg/0 mL", "E_UNIT_UNKNOWN"),
        ("5" * 70 + " mg", "E_TOO_LONG"),
    ],
)
def test_refuses_malformed_text(text: str, code: str) -> None:
    with pytest.raises(InputError) as caught:
        units.parse(text, ORAL, "dose")
    assert caught.value.code == code
    assert caught.value.field == "dose"
    assert caught.value.value == text
    assert "dose" in str(caught.value)
    assert_clean(without_received_value(str(caught.value), text))


@pytest.mark.req("SAF-09")
@pytest.mark.parametrize(
    "value", [5, 5.0, True, False, None, Decimal("5"), Fraction(5), [5], b"5 mg"]
)
def test_refuses_bare_values(value: object) -> None:
    with pytest.raises(InputTypeError) as caught:
        units.parse(value, ORAL, "dose")
    assert caught.value.field == "dose"
    assert isinstance(caught.value, TypeError)


@pytest.mark.req("SAF-12")
def test_routes_never_convert() -> None:
    """An oral field refuses mcg and an intrathecal field refuses mg, even though both are mass."""
    with pytest.raises(UnitError, match="no oral dose is ever converted"):
        units.parse("5000 mcg", units.ORAL_DOSE, "dose")
    with pytest.raises(UnitError, match="no intrathecal dose is ever converted"):
        units.parse("0.05 mg", units.IT_DOSE, "dose")
    with pytest.raises(UnitError):
        units.parse("300 mg/day", units.IT_DAILY_DOSE, "rate")


def test_our_registry_quantities() -> None:
    ureg = units.registry()
    assert units.parse(5 * ureg.mg, ORAL, "d") == 5
    assert units.parse(Fraction(15, 2) * ureg.milligram, ORAL, "d") == Fraction(15, 2)
    assert units.parse(60 * ureg.mg / ureg.day, units.ORAL_DAILY_DOSE, "d") == 60
    assert units.registry() is ureg


def test_other_registry_quantities_are_rehomed_by_name() -> None:
    other = pint.UnitRegistry()
    assert units.parse(other.Quantity(0.1, "mg"), ORAL, "d") == Fraction(1, 10)
    assert units.parse(other.Quantity(60, "mg/d"), units.ORAL_DAILY_DOSE, "d") == 60
    assert units.parse(other.Quantity(Decimal("2.5"), "milligram"), ORAL, "d") == Fraction(5, 2)
    with pytest.raises(UnitError):
        units.parse(other.Quantity(5, "megagram"), ORAL, "d")
    with pytest.raises(UnitError):
        units.parse(other.Quantity(5, "mL"), ORAL, "d")


@pytest.mark.req("SAF-09")
@pytest.mark.parametrize(
    "magnitude", [float("nan"), float("inf"), -float("inf"), Decimal("NaN"), Decimal("Infinity")]
)
def test_quantities_must_be_finite(magnitude: object) -> None:
    ureg = units.registry()
    with pytest.raises(InputError) as caught:
        units.parse(ureg.Quantity(magnitude, "milligram"), ORAL, "dose")
    assert caught.value.code == "E_NOT_FINITE"


@pytest.mark.parametrize("magnitude", [0, -5, Fraction(-1, 2), Decimal("-0.5")])
def test_quantities_must_be_positive(magnitude: object) -> None:
    ureg = units.registry()
    with pytest.raises(InputError) as caught:
        units.parse(ureg.Quantity(magnitude, "milligram"), ORAL, "dose")
    assert caught.value.code == "E_OUT_OF_RANGE"


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3))
def test_decimal_text_parses_exactly(value: Decimal) -> None:
    """No binary-float drift: the parsed value equals the exact decimal written."""
    text = format(value.normalize(), "f")
    assert units.parse(f"{text} mg", ORAL, "d") == Fraction(value)
    assert numeric.to_decimal(units.parse(f"{text} mg", ORAL, "d")) == value


@given(st.integers(min_value=1, max_value=10**6))
def test_unit_conversions_are_exact_round_trips(n: int) -> None:
    """mcg/hour to mcg/day is exactly 24-fold; a week is exactly 7 days (SAF-11)."""
    assert units.parse(f"{n} mcg/hour", units.IT_DAILY_DOSE, "r") == 24 * n
    assert units.parse(f"{n} weeks", units.DAYS, "d") == 7 * units.parse(
        f"{n} days", units.DAYS, "d"
    )


@given(st.text(max_size=40))
def test_fuzz_text_only_library_errors(text: str) -> None:
    """Any text gives a value or one of the library's own errors (never pint's or Python's)."""
    for kind in (ORAL, units.ORAL_DAILY_DOSE, units.DAYS, units.IT_DAILY_DOSE, units.WEIGHT):
        try:
            value = units.parse(text, kind, "f")
        except BaclofenDoseError:
            continue
        assert isinstance(value, Fraction)
        assert value > 0


@given(junk)
def test_fuzz_objects_only_library_errors(value: object) -> None:
    try:
        units.parse(value, ORAL, "f")
    except BaclofenDoseError:
        return
    assert isinstance(value, str)


@given(st.text(alphabet="0123456789./ mgdayLhrwk", max_size=16))
def test_fuzz_near_miss_text(text: str) -> None:
    try:
        value = units.parse(text, units.ORAL_DAILY_DOSE, "f")
    except BaclofenDoseError:
        return
    assert value > 0


def test_quantity_views_are_exact() -> None:
    view = units.quantity(Fraction(15, 2), ORAL)
    assert view.magnitude == Fraction(15, 2)
    assert str(view.units) == "milligram"
    assert view.to("microgram").magnitude == 7500


def test_zero_divisor_in_a_strength() -> None:
    with pytest.raises(UnitError, match="divides by zero"):
        units.parse("10 mg/0 mL", units.ORAL_CONCENTRATION, "strength")


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("0.06 g/day", units.ORAL_DAILY_DOSE, Fraction(60)),
        ("420 mg/week", units.ORAL_DAILY_DOSE, Fraction(60)),
        ("2.5 mg/hour", units.ORAL_DAILY_DOSE, Fraction(60)),
        ("0.005 g", units.ORAL_DOSE, Fraction(5)),
    ],
)
def test_any_spelling_of_the_right_dimension_converts_exactly(
    text: str, kind: units.Kind, expected: Fraction
) -> None:
    """Safety amendment A1: other spellings convert exactly (but never across routes)."""
    assert units.parse(text, kind, "f") == expected


@pytest.mark.parametrize("text", ["65 mg/3 days", "10 mg/3 days"])
def test_divisors_only_in_strengths(text: str) -> None:
    with pytest.raises(UnitError):
        units.parse(text, units.ORAL_DAILY_DOSE, "target")


def test_values_without_an_exact_decimal_are_refused() -> None:
    ureg = units.registry()
    with pytest.raises(InputError) as caught:
        units.parse(ureg.Quantity(Fraction(181, 3), "milligram / day"), units.ORAL_DAILY_DOSE, "t")
    assert caught.value.code == "E_NOT_EXACT"


def test_to_decimal_refuses_repeating_values() -> None:
    with pytest.raises(ValueError, match="finite decimal"):
        numeric.to_decimal(Fraction(1, 3))


@given(
    st.integers(-(10**60), 10**60),
    st.integers(0, 80),
    st.integers(0, 80),
    st.sampled_from([1, 1, 3, 7, 11]),
)
def test_to_decimal_is_the_exact_value_with_the_fewest_places(
    numerator: int, twos: int, fives: int, other: int
) -> None:
    """A fraction over 2^a 5^b is written exactly, with max(a, b) places at most (fewer where
    the numerator cancels); any other denominator is refused."""
    value = Fraction(numerator, 2**twos * 5**fives * other)
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den != 1:
        with pytest.raises(ValueError, match="finite decimal"):
            numeric.to_decimal(value)
        return
    written = numeric.to_decimal(value)
    assert Fraction(written) == value
    places = max(0, -int(written.as_tuple().exponent))
    assert places == 0 or (value * 10 ** (places - 1)).denominator != 1


ALL_KINDS = [v for v in vars(units).values() if isinstance(v, units.Kind)]


@pytest.mark.req("SAF-11")
@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.name)
def test_factors_agree_with_the_pint_registry(kind: units.Kind) -> None:
    """Strings are converted without pint, from units.txt; pint's registry must agree exactly."""
    ureg = units.registry()
    for sig in kind.allowed:
        expected = ureg.Quantity(Fraction(1), kinds._expr(sig)).to(kind.canonical_expr).magnitude
        assert units._factor(sig, kind.canonical) == expected


def test_cli_path_does_not_import_pint() -> None:
    """Parsing strings and printing a plan never needs pint (fast CLI start-up)."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, io, contextlib; from baclofen_dose.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['titrate', '--start', '2026-01-05', '--target', '80 mg/day'])\n"
        "print('pint' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


# --- issue 8 item 7: one unit table; messages that say what is wrong -------------------------


def test_one_table_gives_pint_and_the_parser_the_same_units() -> None:
    """units.txt is the one source: pint knows exactly its units and spellings, and each
    spelling means the same unit to pint as to the strict parser (squared spellings such as
    "m2" are for input text only; pint writes "meter ** 2")."""
    ureg = units.registry()
    table = units.spellings()
    plain = {spelling for spelling, (_, power) in table.items() if power == 1}
    names = {name for name, _ in table.values()} | {"second"}
    assert set(ureg) == plain | names
    for spelling in plain:
        assert list(ureg.Quantity(1, spelling).unit_items()) == [(table[spelling][0], 1)]
    assert table["m2"] == ("meter", 2)
    assert units.parse("1.73 m2", units.AREA, "bsa") == Fraction(173, 100)


def test_the_vocabulary_is_closed_and_case_sensitive() -> None:
    table = units.spellings()
    for refused in ("MG", "Mg", "mgs", "cc", "U", "IU", "s", "metre", "a", "mole", "liters"):
        assert refused not in table
    for accepted in ("mg", "mcg", "ug", "\u00b5g", "\u03bcg", "mL", "ml", "%", "m2", "lbs"):
        assert accepted in table
    with pytest.raises(TypeError):
        units.spellings()["MG"] = ("milligram", 1)  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "code", "problem"),
    [
        ("20mg", "E_NUMBER_SYNTAX", "has no space between the number and the unit"),
        ("20mg/day", "E_NUMBER_SYNTAX", "has no space between the number and the unit"),
        ("0.5mcg", "E_NUMBER_SYNTAX", "has no space between the number and the unit"),
        (" 20 mg", "E_NUMBER_SYNTAX", "starts with a space"),
        ("\t20 mg", "E_NUMBER_SYNTAX", "starts with a tab"),
        ("20 mg ", "E_UNIT_UNKNOWN", "ends with a space"),
        ("20 mg\n", "E_UNIT", "ends with a line break"),
        ("20  mg", "E_UNIT", "has more than one space between the number and the unit"),
        ("20\u00a0mg", "E_NUMBER_SYNTAX", "has a non-breaking space between the number"),
        ("1,000 mg", "E_NUMBER_SYNTAX", "has a comma in its number"),
        ("1,5 mg", "E_NUMBER_SYNTAX", "has a comma in its number"),
        ("1e3 mg", "E_NUMBER_SYNTAX", "does not start with a plain decimal number"),
        ("99999999999999999999999 mg", "E_NUMBER_SYNTAX", "has too many digits (at most 12 before"),
        ("20.000000000000001 mg", "E_NUMBER_SYNTAX", "has too many digits (at most 12 before"),
        ("20 MG", "E_UNIT_UNKNOWN", "has a unit this library does not know"),
    ],
)
def test_layout_mistakes_are_named(text: str, code: str, problem: str) -> None:
    """A missing space, a stray space and a comma each get a message that says so."""
    with pytest.raises(InputError) as caught:
        units.parse(text, units.ORAL_DAILY_DOSE if "/" in text else ORAL, "dose")
    assert caught.value.code == code
    assert caught.value.problem == problem or str(caught.value.problem).startswith(problem)
    assert f"dose: {text!r} {problem}" in str(caught.value)
    assert_clean(without_received_value(str(caught.value), text))


def test_other_registry_quantities_use_public_pint_api() -> None:
    """Re-homing reads a Quantity's units with unit_items(), pint's public API."""
    other: pint.UnitRegistry[float] = pint.UnitRegistry()
    assert units.parse(other.Quantity(2, "kg/m**2"), units.BODY_MASS_INDEX, "bmi") == 2
    assert units.parse(other.Quantity(3, "percent"), units.PERCENT, "p") == Fraction(3, 100)


@pytest.mark.parametrize(
    ("text", "kind", "hint"),
    [
        ("25 kg", units.ORAL_DOSE, "(oral dose amounts are in mg)"),
        ("25 mL", units.ORAL_DOSE, "(the unit is not a mass such as mg)"),
        ("25 mg/day", units.ORAL_DOSE, "give the dose of one administration, such as '5 mg'"),
        ("25 mcg", units.ORAL_DOSE, "no oral dose is ever converted from an intrathecal one"),
        ("5 mL", units.IT_DAILY_DOSE, "(the unit is not an amount per time such as mcg/day)"),
        ("5 mg/day", units.IT_DAILY_DOSE, "no intrathecal dose is ever converted from an oral"),
    ],
)
def test_a_refused_unit_gets_the_hint_that_applies(text: str, kind: units.Kind, hint: str) -> None:
    """The route note (no conversion between oral and intrathecal) only for the other route's
    unit; a weight or a volume is told what it is not; a dose per day is told to give one dose."""
    with pytest.raises(UnitError) as caught:
        units.parse(text, kind, "dose")
    assert hint in str(caught.value)
    if "mcg" not in text and kind is units.ORAL_DOSE:
        assert "intrathecal" not in str(caught.value)
    assert_clean(without_received_value(str(caught.value), text))
