"""The fast paths of issue 8 item 10 and issue 11 give exactly what the slow ones gave.

Integer sub-units in the ladder, integer cross-multiplication in the limit checks, remembered
50-digit powers and remembered pure functions (renal assessment, order check): each is checked
here against the plain exact computation it replaces, so speed can never change a number.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import baclofen_dose as bd
from baclofen_dose.core import numeric
from baclofen_dose.core.limits import _above, _below
from baclofen_dose.core.memo import key_of, remember
from baclofen_dose.oral import renal
from baclofen_dose.oral.regimen import OralRegimen
from baclofen_dose.oral.titration import _ladder
from tests import strategies as S

RULES = S.RULES
fractions = st.fractions(min_value=-1000, max_value=1000, max_denominator=1000)


def _reference_ladder(
    start_daily: Fraction,
    step: Fraction,
    target: Fraction,
    grid: Fraction,
    n_usual: int,
    *,
    n_max: int,
    add_dose_above: Fraction | None,
) -> list[tuple[tuple[Fraction, ...], bool]]:
    """The ladder as it was computed before item 10, with Fractions throughout."""
    n = min(n_usual, int(start_daily // grid))
    ladder = [(OralRegimen.split(start_daily, n, grid=grid).doses_mg, False)]
    daily = start_daily
    while daily < target:
        full = add_dose_above is not None and daily == add_dose_above * n and n < n_max
        if full and add_dose_above is not None and target >= add_dose_above * (n + 1):
            n += 1
            daily = add_dose_above * n
            ladder.append((OralRegimen.split(daily, n, grid=grid).doses_mg, True))
            continue
        daily = min(daily + step, target)
        added = False
        n = max(n, min(n_usual, int(daily // grid)))
        if add_dose_above is not None:
            while n < n_max and daily > add_dose_above * n:
                n += 1
                added = True
        ladder.append((OralRegimen.split(daily, n, grid=grid).doses_mg, added))
    return ladder


@given(
    grid=st.sampled_from([Fraction(5), Fraction(5, 2), Fraction(1), Fraction(10)]),
    start=st.integers(1, 12),
    step=st.integers(1, 8),
    extra=st.integers(0, 40),
    n_usual=st.integers(1, 4),
    n_max=st.integers(1, 6),
    threshold=st.one_of(
        st.none(),
        st.fractions(min_value=1, max_value=40, max_denominator=4),
    ),
)
def test_integer_ladder_equals_the_fraction_ladder(
    grid: Fraction,
    start: int,
    step: int,
    extra: int,
    n_usual: int,
    n_max: int,
    threshold: Fraction | None,
) -> None:
    """Issue 8 item 10: the ladder in whole grid units is the Fraction ladder, rung by rung."""
    start_daily, step_mg = grid * start, grid * step
    target = start_daily + grid * extra
    n_max = max(n_max, n_usual)
    try:
        expected = _reference_ladder(
            start_daily, step_mg, target, grid, n_usual, n_max=n_max, add_dose_above=threshold
        )
    except ValueError:
        with pytest.raises(ValueError, match=r"grid|split"):
            _ladder(
                start_daily, step_mg, target, grid, n_usual, ["a"], ["b"],
                n_max=n_max, add_dose_above=threshold,
            )  # fmt: skip
        return
    got = _ladder(
        start_daily, step_mg, target, grid, n_usual, ["a"], ["b"],
        n_max=n_max, add_dose_above=threshold,
    )  # fmt: skip
    assert [r.doses_mg for r, _ in got] == [doses for doses, _ in expected]
    added = [("oral.adult.frequency.add_dose_above" in ids) for _, ids in got[1:]]
    assert added == [flag for _, flag in expected[1:]]


@given(fractions, fractions)
def test_cross_multiplied_comparisons_equal_fraction_comparisons(a: Fraction, b: Fraction) -> None:
    """The limit checks compare by integer cross-multiplication: the same order as Fraction."""
    assert _above(a, b) == (a > b)
    assert _below(a, b) == (a < b)
    assert _above(int(a), b) == (int(a) > b)


@given(
    st.fractions(min_value=Fraction(1, 100), max_value=30, max_denominator=100),
    st.fractions(min_value=-2, max_value=2, max_denominator=1000),
)
def test_remembered_power_has_the_same_digits(base: Fraction, exponent: Fraction) -> None:
    """The cached 50-digit power returns the very digits the computation gives (no digit, and
    so no displayed value or band decision, can change)."""
    first = numeric.power(base, exponent)
    again = numeric.power(base, exponent)
    direct = (
        base**exponent.numerator
        if exponent.denominator == 1
        else Fraction(numeric._CONTEXT.power(numeric._decimal(base), numeric._decimal(exponent)))
    )
    assert first == again == direct


def test_keys_keep_types() -> None:
    """1, True and Fraction(1) are equal in Python but never share a remembered result."""
    keys = {key_of({"n": v}) for v in (1, True, Fraction(1), "1")}
    assert len(keys) == 4
    assert key_of({"n": [1, 2]}) != key_of({"n": (1, 2)})
    assert key_of({"x": object()}) is None
    assert key_of({"x": {"a": [1]}}) == key_of({"x": {"a": [1]}})


def test_errors_are_not_remembered_and_unkeyable_calls_run() -> None:
    calls: list[object] = []

    @remember()
    def judge(*, x: object) -> tuple[object, ...]:
        calls.append(x)
        if x == "bad":
            raise ValueError(x)
        return (x,)

    for _ in range(2):
        with pytest.raises(ValueError, match="bad"):
            judge(x="bad")
    assert judge(x=1) is judge(x=1)
    judge(x=object())
    judge(x=object())
    assert len(calls) == 5


@given(
    age=st.integers(18, 99),
    sex=st.sampled_from(["female", "male"]),
    weight=S.adult_weights,
    scr=S.creatinine,
    dialysis=st.booleans(),
)
def test_remembered_assessment_equals_a_fresh_one(
    age: int, sex: str, weight: int, scr: Fraction, dialysis: bool
) -> None:
    """A remembered renal assessment is equal to one computed afresh (no stale result)."""
    patient = bd.Patient.from_inputs(
        age=f"{age} years", sex=sex, weight=f"{weight} kg", height="170 cm",
        scr=f"{S.decimal_text(scr)} mg/dL", dialysis=dialysis,
    )  # fmt: skip
    try:
        fresh = renal._assess.__wrapped__(  # type: ignore[attr-defined]
            patient=patient, renal_policy=None, weight_policy=None, rules=RULES
        )
    except bd.BaclofenDoseError as error:
        with pytest.raises(type(error)):
            renal.assess(patient, rules=RULES)
        return
    assert renal.assess(patient, rules=RULES) == fresh
    assert renal.assess(patient, rules=RULES) == fresh


def test_plan_dates_are_unchanged_by_the_fast_stepper() -> None:
    plan = bd.plan_titration(start=date(2026, 1, 5), target="80 mg/day")
    starts = [s.start for s in plan.steps]
    assert starts == [date(2026, 1, 5 + 3 * i) for i in range(len(starts))]
    assert [s.end for s in plan.steps][:-1] == [d.replace(day=d.day + 2) for d in starts[:-1]]
    assert plan.steps[-1].end is None
