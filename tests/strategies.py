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

# --- issue 4: products, tapers, missed doses -------------------------------------------------
from baclofen_dose.oral.products import catalogue as _catalogue  # noqa: E402

PRODUCTS = _catalogue(RULES)
TABLETS = tuple(p for p in PRODUCTS if p.form == "tablet")
GRANULES = tuple(p for p in PRODUCTS if p.form == "granules")
LIQUIDS = tuple(p for p in PRODUCTS if p.liquid)
TAPER_MIN_DAYS = int(RULES["oral.taper.duration.min"].require_value())
TAPER_STEP_MAX = RULES["oral.taper.step.max"].require_value()

# A set of products a plan may use: tablets (1 or more), granules (1 or more) or one liquid.
product_sets = st.one_of(
    st.lists(st.sampled_from(TABLETS), min_size=1, max_size=4, unique=True).map(tuple),
    st.lists(st.sampled_from(GRANULES), min_size=1, max_size=3, unique=True).map(tuple),
    st.sampled_from(LIQUIDS).map(lambda p: (p,)),
)
# Amounts per dose on a 0.5 mg grid, up to 40 mg.
amounts = st.integers(min_value=1, max_value=80).map(lambda k: Fraction(k, 2))
# Current doses of a taper: 1 to 4 a day, 2.5 mg steps up to 30 mg each.
current_doses = st.lists(
    st.integers(min_value=1, max_value=12).map(lambda k: Fraction(5, 2) * k), min_size=1, max_size=4
)

# Intrathecal (issue 5): amounts written as input strings, exact decimals in mcg.
IT_CEILING = RULES["it.daily_dose.ceiling"].require_value()
IT_STRENGTHS = sorted(
    r.require_value()
    for r in RULES
    if r.kind == "catalogue"
    and r.quantity == "it.concentration"
    and r.id != "it.concentration.screening"
)
IT_RESERVOIRS = sorted(
    r.require_value() for r in RULES if r.kind == "catalogue" and r.quantity == "it.volume"
)


def text_of(value: Fraction, unit: str) -> str:
    """An exact decimal amount written as an input string ("12.5 mcg/day")."""
    decimal = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    if "." in decimal:
        decimal = decimal.rstrip("0").rstrip(".")
    return f"{decimal} {unit}"


# Daily doses from 1 mcg/day to past the ceiling, in tenths of a mcg/day.
it_daily = st.integers(min_value=10, max_value=int(IT_CEILING) * 10 + 500).map(
    lambda k: Fraction(k, 10)
)
# Daily doses a titration or refill accepts (up to the ceiling).
it_daily_ok = st.integers(min_value=10, max_value=int(IT_CEILING) * 10).map(
    lambda k: Fraction(k, 10)
)
it_strengths = st.sampled_from(IT_STRENGTHS)
it_reservoirs = st.sampled_from(IT_RESERVOIRS)
# Fill and alarm volumes in tenths of a mL.
it_tenths_ml = st.integers(min_value=1, max_value=400).map(lambda k: Fraction(k, 10))
it_origins = st.sampled_from(["spinal", "cerebral"])

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
