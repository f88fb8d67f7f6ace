"""One order check against a floats-and-tuples floor doing the same comparisons, side by side.

``check / floor``: ``check_order(dose="25 mg", times_per_day=3)`` (issue 11) against a floor that
parses the same dose string into a float and makes the same comparisons (doses a day against
the minimum and maximum, the single dose against the policy's per-dose maximum, the daily dose
against the policy's and the hard maximum, the dose grid) from a tuple of limits read once.
Both run in interleaved rounds, so the machine's speed and drift cancel out. Issue 11 target:
a ratio of at most 5. Nothing here fails: the ratio is printed next to the target.

Neither side loads anything per call: the rule set and the interaction table are loaded once
(``default_rules`` and ``default_interactions`` are cached).

Run from the repository root: ``python benchmarks/check_ratio.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET = 5.0


def _limits() -> tuple[float, float, float, float, float, float]:
    """(times min, times max, per-dose max, daily max, hard daily max, grid) as floats."""
    from baclofen_dose import default_rules

    r = default_rules()

    def v(rule_id: str) -> float:
        value = r[rule_id].require_value()
        return value.numerator / value.denominator

    return (
        v("oral.adult.times_per_day.min"),
        v("oral.adult.times_per_day.max"),
        v("oral.adult.max_dose.us_label"),
        v("oral.adult.max_daily.us_label"),
        v("oral.adult.max_daily.hard"),
        v("oral.adult.dose.grid"),
    )


LIMITS = None


def floor_check(dose: str, times: int) -> list[tuple[str, str, float, float]]:
    """The same comparisons with floats and tuples: findings as (rule, side, value, limit)."""
    assert LIMITS is not None
    t_min, t_max, dose_max, daily_max, hard_max, grid = LIMITS
    number, unit = dose.split(" ")
    if unit != "mg":
        raise ValueError(dose)
    amount = float(number)
    daily = amount * times
    found: list[tuple[str, str, float, float]] = []
    if times < t_min:
        found.append(("times.min", "below", times, t_min))
    if times > t_max:
        found.append(("times.max", "above", times, t_max))
    if amount > dose_max:
        found.append(("max_dose", "above", amount, dose_max))
    if daily > daily_max:
        found.append(("max_daily", "above", daily, daily_max))
    if daily > hard_max:
        found.append(("max_daily.hard", "above", daily, hard_max))
    if amount % grid:
        found.append(("grid", "off", amount, grid))
    return found


def renal_limits() -> tuple[float, ...]:
    """(CG offset, divisor, female factor, severe below, moderate max, mild max, end-stage
    below, Muanda eGFR below, Muanda daily, older-adult age) as floats, read once."""
    from baclofen_dose import default_rules

    r = default_rules()

    def v(rule_id: str) -> float:
        value = r[rule_id].require_value()
        return value.numerator / value.denominator

    return tuple(
        v(rule_id)
        for rule_id in (
            "renal.cockcroft_gault.age_offset",
            "renal.cockcroft_gault.divisor",
            "renal.cockcroft_gault.female_factor",
            "renal.vlavonou2014.severe.crcl_below",
            "renal.vlavonou2014.moderate.crcl_max",
            "renal.vlavonou2014.mild.crcl_max",
            "renal.ca_monograph.end_stage.below",
            "renal.muanda2019.egfr_below",
            "renal.muanda2019.start_daily",
            "population.older_adult.from_age",
        )
    )


def floor_check_patient(
    dose: str,
    times: int,
    patient: tuple[float, str, float, float],
    renal: tuple[float, ...],
) -> list[tuple[str, str, float, float]]:
    """The plain comparisons, plus Cockcroft-Gault in floats, the renal band thresholds and
    the older-adult age: what a check with a patient compares, minus the care."""
    found = floor_check(dose, times)
    offset, divisor, female, severe, moderate, mild, end_stage, _, _, older = renal
    age, sex, weight, scr = patient
    crcl = (offset - age) * weight / (divisor * scr) * (female if sex == "female" else 1.0)
    if crcl < end_stage:
        found.append(("end_stage", "below", crcl, end_stage))
    elif crcl < severe:
        found.append(("severe", "below", crcl, severe))
    elif crcl <= moderate:
        found.append(("moderate", "below", crcl, moderate))
    elif crcl <= mild:
        found.append(("mild", "below", crcl, mild))
    if age >= older:
        found.append(("older", "above", age, older))
    return found


def _per_call(func: Callable[[], object], seconds: float) -> float:
    calls, begin = 0, time.perf_counter()
    batch = 1
    while True:
        for _ in range(batch):
            func()
        calls += batch
        now = time.perf_counter()
        if now - begin >= seconds:
            return (now - begin) / calls
        batch = min(batch * 2, 1000)


def main(argv: list[str] | None = None) -> int:
    global LIMITS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))
    from baclofen_dose.check import check_order

    LIMITS = _limits()
    check_order(dose="25 mg", times_per_day=3)  # warm the caches (rules, table, units)
    ratios, checks, floors = [], [], []
    for _ in range(args.rounds):
        floor = _per_call(lambda: floor_check("25 mg", 3), args.seconds)
        check = _per_call(lambda: check_order(dose="25 mg", times_per_day=3), args.seconds)
        floors.append(floor)
        checks.append(check)
        ratios.append(check / floor)
    print(f"check_order: {statistics.median(checks) * 1e6:9.1f} us per call")
    print(f"floor:       {statistics.median(floors) * 1e6:9.1f} us per call")
    print(f"check / floor: {statistics.median(ratios):.1f} (target <= {TARGET:g})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
