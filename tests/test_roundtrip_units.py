"""Parse and format are inverses (issue 8 item 7; style.md habit 11).

Every amount the library shows (``display.amount``, ``display.percent``) parses back, for the
same kind, to exactly the value that was shown. The one deliberate exception is the thousands
separator: display writes "2,000 mcg/mL" (ISMP), and input text refuses any comma, because a
comma can be read as a decimal point ("1,000 mcg" is 1 mcg in much of the world). So a shown
amount of 1,000 or more parses back once its separators are left out, and is refused, with a
message that says why, as shown.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baclofen_dose.core import display, kinds, units
from baclofen_dose.core.errors import InputError

# A plain ratio (an equation coefficient) is not a quantity: rule data writes it with the unit
# "1" and people see it in words ("two thirds", display.ratio); it is never parsed from text.
NOT_QUANTITIES = {kinds.CONCENTRATION_FACTOR.name}
SHOWN_KINDS = [k for k in kinds.KINDS.values() if k.name not in NOT_QUANTITIES]

# Exact decimals as display writes them: up to 6 places, up to 10 million in the house unit.
exact_values = st.decimals(
    min_value=Decimal("0.000001"), max_value=Decimal("10000000"), places=6
).map(Fraction)


def _parses_back(text: str, kind: kinds.Kind, value: Fraction) -> None:
    if "," in text:
        with pytest.raises(InputError) as caught:
            units.parse(text, kind, "value")
        assert caught.value.code == "E_NUMBER_SYNTAX"
        assert "comma" in str(caught.value)
        text = text.replace(",", "")
    assert units.parse(text, kind, "value") == value, text


def test_every_kind_is_covered() -> None:
    assert {k.name for k in SHOWN_KINDS} | NOT_QUANTITIES == set(kinds.KINDS)
    assert len(SHOWN_KINDS) >= 20


@pytest.mark.parametrize("kind", SHOWN_KINDS, ids=lambda k: k.name)
@given(value=exact_values)
@example(value=Fraction(1))
@example(value=Fraction(1, 2))
@example(value=Fraction(1000))
@example(value=Fraction(1234567, 10))
def test_a_shown_amount_parses_back(kind: kinds.Kind, value: Fraction) -> None:
    """display.amount(v, kind) -> units.parse(text, kind) == v, for every kind."""
    if kind is kinds.PERCENT:
        value = value / 100  # a percentage's value is a plain ratio (0.3 for 30%)
    _parses_back(display.amount(value, kind), kind, value)


@given(value=exact_values.map(lambda v: v / 100))
def test_a_shown_percentage_parses_back(value: Fraction) -> None:
    """display.percent writes "20 %", display.amount "20%": both are percentages."""
    _parses_back(display.percent(value), kinds.PERCENT, value)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("60 mL/min/1.73 m2", kinds.EGFR, Fraction(60)),
        ("14.5%", kinds.PERCENT, Fraction(29, 200)),
        ("30%", kinds.PERCENT, Fraction(3, 10)),
        ("3 times a day", kinds.PER_DAY, Fraction(3)),
        ("2.3 kg per inch", kinds.WEIGHT_PER_HEIGHT, Fraction(23, 10)),
        ("1 day", kinds.DAYS, Fraction(1)),
        ("1 hour", kinds.HOURS, Fraction(1)),
        ("2,000 mcg/mL".replace(",", ""), kinds.IT_CONCENTRATION, Fraction(2000)),
    ],
)
def test_the_spellings_that_did_not_parse_back(
    text: str, kind: kinds.Kind, value: Fraction
) -> None:
    assert display.amount(value, kind).replace(",", "") == text
    assert units.parse(text, kind, "value") == value


def test_both_spellings_of_a_percentage() -> None:
    assert display.percent(Fraction(29, 200)) == "14.5 %"
    assert units.parse("14.5 %", kinds.PERCENT, "value") == Fraction(29, 200)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("60 mL/min/1.73 m2", kinds.RENAL_CLEARANCE),  # an indexed eGFR is not a clearance
        ("60 mL/min/1.73 m3", kinds.EGFR),
        ("60 mL/min/1.74 m2", kinds.EGFR),
        ("14.5%", kinds.ORAL_DOSE),
        ("14.5 %%", kinds.PERCENT),
        ("14.5 % ", kinds.PERCENT),
        ("%14.5", kinds.PERCENT),
        ("3 times a day", kinds.ORAL_DAILY_DOSE),
        ("3 times per day", kinds.PER_DAY),
        ("20 MG", kinds.ORAL_DOSE),
    ],
)
def test_a_house_unit_is_accepted_only_for_its_own_kind(text: str, kind: kinds.Kind) -> None:
    """The displayed spellings widen the grammar by exactly themselves, each for its kind."""
    with pytest.raises(InputError):
        units.parse(text, kind, "value")


@given(
    st.text(alphabet="0123456789.,% /mLgcinuteayskpr\u00a0\t\n", max_size=24),
    st.sampled_from(SHOWN_KINDS),
)
def test_fuzz_every_kind_gives_a_value_or_a_library_error(text: str, kind: kinds.Kind) -> None:
    """The widened spellings ("14.5%", house units) let nothing else through."""
    try:
        value = units.parse(text, kind, "value")
    except BaseException as exc:
        assert isinstance(exc, InputError), repr(exc)
        assert str(exc).startswith(f"value: {text!r} ")
        return
    assert isinstance(value, Fraction)
    assert value > 0


@given(st.integers(min_value=1, max_value=999))
def test_a_shown_day_count_parses_back(count: int) -> None:
    assert units.parse(display.day_count(count), kinds.DAYS, "value") == count


@given(st.integers(min_value=2, max_value=999))
def test_a_shown_frequency_parses_back(count: int) -> None:
    """A count a day shows as "3 times a day" ("once a day" is a phrase, not a quantity)."""
    assert units.parse(display.times_a_day(count), kinds.PER_DAY, "value") == count
