"""The PK education model (issue 14 item 4): the numbers behind the curves, not the pixels.

Specification: a one-compartment model with first-order absorption and the cited parameters
(clinical.md 9); steady-state accumulation 1 / (1 - exp(-k tau)); 90 % of steady state after
ln 10 / ln 2 (about 3.3) half-lives; a longer half-life at a lower creatinine clearance; doses
add up (superposition is linear in dose). Educational, not for therapeutic drug monitoring.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import baclofen_dose as bd
from baclofen_dose.core.errors import InputError
from baclofen_dose.oral import pk

RULES = bd.default_rules()
REFERENCE = pk.pk_model()
LN10_OVER_LN2 = Decimal("3.3219280948873623478703194294893901758648313930246")


def test_hand_checked_parameters() -> None:
    """k = CL/F / V/F = 180 mL/min x 60 / 59,000 mL = 0.18305 per hour; half-life ln 2 / k =
    3.787 hours; at CrCl 30 mL/min CL/F = 180 x (0.31 + 0.69 x 30/103) = 91.97 mL/min."""
    assert REFERENCE.crcl_ml_min == 103
    assert REFERENCE.clearance_ml_min == 180
    assert REFERENCE.volume_ml == 59000
    assert abs(Fraction(REFERENCE.k_per_h) - Fraction(180 * 60, 59000)) < Fraction(1, 10**40)
    assert abs(REFERENCE.half_life_h - Decimal("3.7866373752811827088")) < Decimal("1e-15")
    low = pk.pk_model("30 mL/min")
    assert low.clearance_ml_min == Fraction(180) * (
        Fraction(31, 100) + Fraction(69, 100) * 30 / 103
    )
    assert abs(low.half_life_h - Decimal("7.4106716635751818167")) < Decimal("1e-15")


def test_reference_half_life_lies_in_the_cited_range() -> None:
    """The model at the reference CrCl agrees with the cited 3 to 4 hour half-life (S12)."""
    low = RULES["pk.oral.half_life.min"].require_value()
    high = RULES["pk.oral.half_life.max"].require_value()
    assert Decimal(low.numerator) <= REFERENCE.half_life_h <= Decimal(high.numerator)


def test_a_single_dose_peaks_at_the_cited_time_to_peak() -> None:
    """ka is chosen so that one dose peaks at pk.oral.tmax (2 hours, S11)."""
    tmax = RULES["pk.oral.tmax"].require_value()
    dose = [pk.Dose(Fraction(0), Fraction(10))]
    near = [tmax - Fraction(1, 100), tmax, tmax + Fraction(1, 100)]
    before, peak, after = pk.concentrations(REFERENCE, dose, near)
    assert peak > before
    assert peak > after


def test_time_to_90_percent_of_steady_state_is_3_3_half_lives() -> None:
    hours = REFERENCE.time_to_steady_state(Fraction(9, 10))
    assert abs(hours / REFERENCE.half_life_h - LN10_OVER_LN2) < Decimal("1e-25")
    assert round(hours / REFERENCE.half_life_h, 1) == Decimal("3.3")


@settings(max_examples=40)
@given(st.integers(min_value=2, max_value=24))
def test_steady_state_is_the_accumulation_ratio_times_a_single_dose(tau_h: int) -> None:
    """After many doses every tau hours, superposition equals the closed form: each
    exponential of a single dose multiplied by its accumulation ratio 1 / (1 - exp(-k tau))."""
    tau = Fraction(tau_h)
    k_tau = REFERENCE.k_per_h * tau_h
    count = int(Decimal(60) / k_tau) + 1  # exp(-60): the first dose has washed out
    doses = [pk.Dose(tau * i, Fraction(20)) for i in range(count)]
    after = Fraction(tau_h, 3)  # a third of the interval after the last dose
    at = tau * (count - 1) + after
    (many,) = pk.concentrations(REFERENCE, doses, [at])
    with localcontext(prec=50):
        k, ka = REFERENCE.k_per_h, REFERENCE.ka_per_h
        scale = Decimal(20) * ka / (Decimal(59000) * (ka - k))
        fast_ratio = 1 / (1 - (-ka * tau_h).exp())
        t = Decimal(after.numerator) / after.denominator
        closed = scale * (
            (-k * t).exp() * REFERENCE.accumulation_ratio(tau) - (-ka * t).exp() * fast_ratio
        )
    assert abs(many - closed) <= abs(closed) * Decimal("1e-20")
    # The ratio itself, checked by hand against the formula.
    assert abs(REFERENCE.accumulation_ratio(tau) - 1 / (1 - (-k_tau).exp())) < Decimal("1e-20")


@settings(max_examples=40)
@given(
    st.integers(min_value=5, max_value=199),
    st.integers(min_value=1, max_value=100),
)
def test_half_life_is_longer_with_lower_creatinine_clearance(crcl: int, less: int) -> None:
    lower = max(crcl - less, 1)
    assert pk.pk_model(f"{lower} mL/min").half_life_h > pk.pk_model(f"{crcl} mL/min").half_life_h


def test_crcl_30_shows_a_longer_half_life_than_the_reference() -> None:
    compare = RULES["pk.compare_crcl"].require_value()
    assert compare == 30
    assert pk.pk_model(f"{compare} mL/min").half_life_h > REFERENCE.half_life_h


doses_strategy = st.lists(
    st.builds(
        pk.Dose,
        at_h=st.fractions(min_value=0, max_value=200, max_denominator=4),
        amount_mg=st.fractions(min_value=Fraction(1, 2), max_value=40, max_denominator=2),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60)
@given(
    doses_strategy,
    st.fractions(min_value=Fraction(1, 4), max_value=8, max_denominator=4),
    st.lists(st.fractions(min_value=0, max_value=240, max_denominator=4), min_size=1, max_size=6),
)
def test_superposition_is_linear_in_dose(
    doses: list[pk.Dose], factor: Fraction, times: list[Fraction]
) -> None:
    times = sorted(times)
    scaled = [pk.Dose(d.at_h, d.amount_mg * factor) for d in doses]
    base = pk.concentrations(REFERENCE, doses, times)
    more = pk.concentrations(REFERENCE, scaled, times)
    for one, other in zip(base, more, strict=True):
        expected = one * Decimal(factor.numerator) / factor.denominator
        assert abs(other - expected) <= Decimal("1e-30") + abs(expected) * Decimal("1e-25")
    # And additive: two sets of doses give the sum of their curves.
    both = pk.concentrations(REFERENCE, [*doses, *scaled], times)
    for one, other, total in zip(base, more, both, strict=True):
        assert abs(total - (one + other)) <= Decimal("1e-30") + abs(total) * Decimal("1e-25")


def test_no_concentration_before_the_first_dose() -> None:
    dose = [pk.Dose(Fraction(5), Fraction(10))]
    assert pk.concentrations(REFERENCE, dose, [Fraction(0), Fraction(5)]) == (0, 0)


def test_plan_doses_follow_the_plan() -> None:
    """The 60 mg/day label ladder: 3 days each of 5, 10 and 15 mg 3 times a day, then 20 mg 3
    times a day for the open-ended step; doses every 8 hours from midnight."""
    plan = bd.plan_titration(start="2026-01-05", target="60 mg/day")
    doses = pk.plan_doses(plan.steps, open_days=2)
    assert len(doses) == (3 + 3 + 3 + 2) * 3
    assert [d.at_h for d in doses[:4]] == [0, 8, 16, 24]
    assert [d.amount_mg for d in doses[:3]] == [5, 5, 5]
    assert doses[9].amount_mg == 10
    assert doses[-1].amount_mg == 20
    assert doses[-1].at_h == (3 + 3 + 3 + 2) * 24 - 8


def test_a_taper_plan_gives_doses_down_to_the_stop() -> None:
    plan = bd.plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
    doses = pk.plan_doses(plan.steps, open_days=1)
    assert doses[0].amount_mg + doses[1].amount_mg + doses[2].amount_mg == 50
    assert doses[-1].amount_mg > 0
    assert len({d.at_h for d in doses}) == len(doses)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: pk.pk_model("30"), "crcl"),
        (lambda: pk.pk_model("30 mg"), "crcl"),
        (lambda: REFERENCE.accumulation_ratio(Fraction(0)), "tau_h"),
        (lambda: REFERENCE.time_to_steady_state(Fraction(1)), "fraction"),
        (lambda: pk.concentrations(REFERENCE, [], [Fraction(2), Fraction(1)]), "times_h"),
        (lambda: pk.plan_doses((), open_days=1), "steps"),
    ],
)
def test_bad_input_is_refused_with_the_field(call: object, field: str) -> None:
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field
