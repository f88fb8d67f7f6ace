"""Shared hypothesis strategies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

from baclofen_dose import default_rules

RULES = default_rules()
GRID = RULES["oral.adult.dose.grid"].require_value()
START_DAILY = RULES["oral.adult.start.dose"].require_value() * int(
    RULES["oral.adult.start.times_per_day"].require_value()
)
HARD_MAX = RULES["oral.adult.max_daily.hard"].require_value()
STEP_MIN = RULES["oral.adult.titration.step.min"].require_value()
STEP_MAX = RULES["oral.adult.titration.step.max"].require_value()
INTERVAL_MIN = int(RULES["oral.adult.titration.interval.min"].require_value())
POLICIES = RULES.policy_choices("oral_max_daily")

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


def mg(value: Fraction, per_day: bool = True) -> str:
    """Write an exact amount as an input string."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} mg/day" if per_day else f"{text} mg"


# Targets on the grid, from the start up to (and past) the hard maximum.
grid_targets = st.integers(
    min_value=int(START_DAILY / GRID), max_value=int(HARD_MAX / GRID) + 6
).map(lambda k: GRID * k)
steps = st.integers(min_value=int(STEP_MIN / GRID), max_value=int(STEP_MAX / GRID)).map(
    lambda k: GRID * k
)
intervals = st.integers(min_value=INTERVAL_MIN, max_value=10)
times = st.sampled_from([None, 3, 4])
policies = st.sampled_from(POLICIES)

# Anything a caller could pass where a quantity is expected.
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.fractions(),
    st.text(max_size=30),
    st.binary(max_size=10),
    st.lists(st.integers(), max_size=3),
)


# -- issue 3: patients ---------------------------------------------------------------------------

ADULT_AGES = st.integers(min_value=18, max_value=100)
CHILD_AGES = st.integers(min_value=1, max_value=17)
SEXES = st.sampled_from(["female", "male"])
# Creatinine in mg/dL with two places, inside the plausibility band.
creatinine = st.integers(min_value=30, max_value=1500).map(lambda n: Fraction(n, 100))
adult_weights = st.integers(min_value=35, max_value=180)
child_weights = st.integers(min_value=7, max_value=90)
RENAL_POLICIES = st.sampled_from(RULES.policy_choices("renal_dose"))
WEIGHT_POLICIES = st.sampled_from(["actual", "ideal", "adjusted", "medcalc_bmi"])


def decimal_text(value: Fraction) -> str:
    """An exact terminating Fraction written as a plain decimal."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
