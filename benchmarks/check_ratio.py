"""One order check against a floats-and-tuples floor doing the same comparisons, side by side.

``check / floor``: ``check_order(dose="25 mg", times_per_day=3)`` (issue 11) against a floor that
parses the same dose string into a float and makes the same comparisons (doses a day against
the minimum and maximum, the single dose against the policy's per-dose maximum, the daily dose
against the policy's and the hard maximum, the dose grid) from a tuple of limits read once.
Both run in interleaved rounds, so the machine's speed and drift cancel out. Issue 11 target:
a ratio of at most 5. Nothing here fails: the ratio is printed next to the target.

``set / floor``: the same over a fixed, varied set of 1,000 distinct orders (:func:`orders`):
doses on and off the 5 mg grid, 1 to 4 times a day, about half with an adult or older patient
(age, sex, weight, serum creatinine), about a third with co-medications (known and unknown).
The floor makes the same comparisons on the same set: for a patient also Cockcroft-Gault in
floats, the renal band and the older-adult age; for co-medications a dictionary look-up of
each name's interaction classes (unknown: not assessed). Each order is checked afresh: no
result is remembered. Patients are built once, before the clock (as an EHR builds a patient
once); the renal assessment of a patient already seen is remembered (``core.memo``), as for
every plan and check.

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


MEDICINES = ("oxycodone", "lithium", "ibuprofen", "amitriptyline", "alcohol", "diazepam", "frobozz")
"""Co-medications in the set: known members of interaction classes, and one unknown name."""

Order = tuple[str, int, "tuple[float, str, float, float] | None", tuple[str, ...]]


def orders(count: int = 1000, seed: int = 11) -> list[Order]:
    """A fixed set of ``count`` distinct orders: (dose text, times a day, patient as (age
    years, sex, weight kg, creatinine mg/dL) or None, co-medications)."""
    import random

    rng = random.Random(seed)
    on_grid = [f"{n} mg" for n in range(5, 45, 5)]
    off_grid = ["2.5 mg", "7.5 mg", "12.5 mg", "6 mg", "11 mg", "17.5 mg", "22.5 mg", "0.5 mg"]
    patients = [
        (float(age), sex, float(weight), scr)
        for age in (25, 48, 64, 70, 79, 88)
        for sex in ("female", "male")
        for weight in (52, 70, 95)
        for scr in (0.7, 1.1, 1.9, 3.4)
    ]
    made: dict[Order, None] = {}
    while len(made) < count:
        dose = rng.choice(on_grid if rng.random() < 0.7 else off_grid)
        times = rng.randint(1, 4)
        patient = rng.choice(patients) if rng.random() < 0.5 else None
        meds = tuple(rng.sample(MEDICINES, rng.randint(1, 2))) if rng.random() < 0.35 else ()
        made[(dose, times, patient, meds)] = None
    return list(made)


def _patient_object(patient: tuple[float, str, float, float]) -> object:
    from baclofen_dose import Patient

    age, sex, weight, scr = patient
    return Patient.from_inputs(
        age=f"{age:g} years",
        sex=sex,
        weight=f"{weight:g} kg",
        height=None,
        scr=f"{scr:g} mg/dL",
        dialysis=False,
    )


def set_runners(
    count: int = 1000,
) -> tuple[Callable[[], object], Callable[[], object], int]:
    """(check every order of the set, the floor over the same set, number of orders); the
    set, its patients and the floor's limits are made once, before any clock runs."""
    from baclofen_dose.check import check_order
    from baclofen_dose.core.rules.interactions import default_interactions

    global LIMITS
    if LIMITS is None:
        LIMITS = _limits()
    renal = renal_limits()
    table = default_interactions()
    classes = {
        name: tuple(k.rule_id for k in table.classes_for(name, "oral"))
        for name in MEDICINES
        if table.known(name)
    }
    chosen = orders(count)
    patients = {p: _patient_object(p) for p in {o[2] for o in chosen if o[2] is not None}}
    calls = [
        (dose, times, None if p is None else patients[p], list(meds) or None)
        for dose, times, p, meds in chosen
    ]

    def check_all() -> object:
        last = None
        for dose, times, patient, meds in calls:
            last = check_order(dose=dose, times_per_day=times, patient=patient, medicines=meds)
        return last

    def floor_all() -> object:
        last = None
        for dose, times, patient, meds in chosen:
            if patient is None:
                found = floor_check(dose, times)
            else:
                found = floor_check_patient(dose, times, patient, renal)
            for name in meds:
                hit = classes.get(name)
                if hit is None:
                    found.append(("not_assessed", name, 0.0, 0.0))
                else:
                    found.extend(("interaction", rule, 0.0, 0.0) for rule in hit)
            last = found
        return last

    return check_all, floor_all, len(chosen)


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
    parser.add_argument("--orders", type=int, default=1000, help="orders in the varied set")
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
    print("One order, 25 mg 3 times a day:")
    print(f"  check_order: {statistics.median(checks) * 1e6:9.1f} us per call")
    print(f"  floor:       {statistics.median(floors) * 1e6:9.1f} us per call")
    print(f"  check / floor: {statistics.median(ratios):.1f} (target <= {TARGET:g})")
    check_all, floor_all, count = set_runners(args.orders)
    check_all(), floor_all()  # warm up: parse each dose text once, assess each patient once
    ratios, checks, floors = [], [], []
    for _ in range(args.rounds):
        floor = _per_call(floor_all, args.seconds) / count
        check = _per_call(check_all, args.seconds) / count
        floors.append(floor)
        checks.append(check)
        ratios.append(check / floor)
    print(f"A varied set of {count} distinct orders (per order):")
    print(f"  check_order: {statistics.median(checks) * 1e6:9.1f} us per order")
    print(f"  floor:       {statistics.median(floors) * 1e6:9.1f} us per order")
    print(f"  set / floor: {statistics.median(ratios):.1f} (target <= {TARGET:g})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
