"""Side-by-side speed ratios: each measurement against a floor run in the same loop.

Speed is reported as a ratio of two things timed side by side, in interleaved rounds, so that
the machine's speed and drift cancel out. Nothing here is a test and nothing fails on a slow
machine: the targets are printed next to the ratios.

- ``plan / floor``: one adult titration plan (``plan_titration``, 60 mg/day) against a
  floats-and-tuples floor that builds the same dated ladder (issue 8 target: at most 15).
- ``patient / plain``: the same plan for a patient (renal assessment included) against the
  plain plan (target: at most 2).
- ``to_json(taper) / plan_taper``: writing a taper's JSON against planning it (target: at most 1).
- ``check / floor`` and ``check with a patient / floor`` (issue 11): ``check_order`` of
  "25 mg 3 times a day", and of "15 mg 3 times a day" for a 50-year-old, against a
  floats-and-tuples floor making the same comparisons (``check_ratio.floor_check``; with a
  patient also Cockcroft-Gault in floats and the renal band thresholds); target at most 5.
  Every check is judged afresh (no result is remembered). The renal assessment of the same
  patient is remembered (``core.memo``), as it is for every plan and check of that patient, so
  the ratios with a patient measure a patient seen before.
- ``check set / floor`` (issue 11): ``check_order`` over a fixed, varied set of 1,000 distinct
  orders (``check_ratio.orders``: doses on and off the grid, 1 to 4 times a day, with and
  without a patient, with co-medications) against the floor over the same set; per order;
  target at most 5.

Run from the repository root: ``python benchmarks/ratios.py [--rounds N]``.
Standard library only (plus the package).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
START = date(2026, 1, 5)

TARGETS: dict[str, float | None] = {
    "plan_over_floor": 15.0,
    "patient_over_plain": 2.0,
    "json_over_taper": 1.0,
    "check_over_floor": 5.0,
    "check_patient_over_floor": 5.0,
    "check_set_over_floor": 5.0,
}


def floor_ladder() -> list[tuple[date, date | None, tuple[float, ...], float]]:
    """The label ladder to 60 mg/day with floats and tuples: what a plan does, minus the care."""
    target, step, every, per_dose_max = 60.0, 15.0, 3, 20.0
    daily, day = 15.0, START
    steps = []
    while True:
        n = 3 if daily / 3 <= per_dose_max else 4
        done = daily >= target
        end = None if done else day + timedelta(days=every - 1)
        steps.append((day, end, tuple([daily / n] * n), daily))
        if done:
            return steps
        daily = min(daily + step, target)
        day += timedelta(days=every)


def _per_call(func: Callable[[], object], seconds: float) -> float:
    """Mean seconds per call over about ``seconds``."""
    calls, begin = 0, time.perf_counter()
    deadline = begin + seconds
    batch = 1
    while True:
        for _ in range(batch):
            func()
        calls += batch
        now = time.perf_counter()
        if now >= deadline:
            return (now - begin) / calls
        if now - begin < seconds / 10:
            batch *= 2


def side_by_side(
    subject: Callable[[], object], floor: Callable[[], object], rounds: int, seconds: float
) -> dict[str, float]:
    """Median ratio subject/floor over interleaved rounds, and the medians of each."""
    subject(), floor()  # warm up (caches, first rule load)
    ratios, subject_s, floor_s = [], [], []
    for _ in range(rounds):
        a = _per_call(subject, seconds)
        b = _per_call(floor, seconds)
        ratios.append(a / b)
        subject_s.append(a)
        floor_s.append(b)
    return {
        "ratio": statistics.median(ratios),
        "subject_us": statistics.median(subject_s) * 1e6,
        "floor_us": statistics.median(floor_s) * 1e6,
    }


def run(rounds: int, seconds: float) -> dict[str, Any]:
    """Every ratio, as a dictionary."""
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import baclofen_dose as bd

    patient = bd.Patient.from_inputs(
        age="50 years",
        sex="female",
        weight="70 kg",
        height="165 cm",
        scr="0.9 mg/dL",
        dialysis=False,
    )
    taper = bd.plan_taper(dose="20 mg", times_per_day=3, start=START)

    def plain() -> object:
        return bd.plan_titration(start=START, target="60 mg/day")

    def with_patient() -> object:
        return bd.plan_titration(start=START, target="60 mg/day", patient=patient)

    def taper_plan() -> object:
        return bd.plan_taper(dose="20 mg", times_per_day=3, start=START)

    def taper_json() -> object:
        return bd.to_json(taper)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import check_ratio

    from baclofen_dose.check import check_order

    check_ratio.LIMITS = check_ratio._limits()
    renal_floor = check_ratio.renal_limits()

    def check_plain() -> object:
        return check_order(dose="25 mg", times_per_day=3)

    def check_patient() -> object:
        return check_order(dose="15 mg", times_per_day=3, patient=patient)

    def floor_plain() -> object:
        return check_ratio.floor_check("25 mg", 3)

    def floor_patient() -> object:
        return check_ratio.floor_check_patient("15 mg", 3, (50, "female", 70, 0.9), renal_floor)

    check_set, floor_set, _ = check_ratio.set_runners()

    return {
        "check_over_floor": side_by_side(check_plain, floor_plain, rounds, seconds),
        "check_set_over_floor": side_by_side(check_set, floor_set, rounds, seconds),
        "check_patient_over_floor": side_by_side(check_patient, floor_patient, rounds, seconds),
        "plan_over_floor": side_by_side(plain, floor_ladder, rounds, seconds),
        "patient_over_plain": side_by_side(with_patient, plain, rounds, seconds),
        "json_over_taper": side_by_side(taper_json, taper_plan, rounds, seconds),
    }


LABELS = {
    "plan_over_floor": "plan_titration (60 mg/day) / floats-and-tuples floor",
    "patient_over_plain": "plan with a patient / plain plan",
    "json_over_taper": "to_json(taper) / plan_taper",
    "check_over_floor": "check_order (25 mg x 3) / floats-and-tuples floor",
    "check_patient_over_floor": "check_order with a patient / floor",
    "check_set_over_floor": "check_order, 1,000 varied orders (per set) / floor",
}


def render(report: dict[str, Any]) -> str:
    """The report as text."""
    head = "Side-by-side ratios (median of interleaved rounds)"
    lines = [f"{head:<55} ratio  target   subject / floor"]
    for key, result in report.items():
        target = TARGETS[key]
        if target is None:
            bound, verdict = "info   ", ""
        else:
            bound = f"<= {target:<4g}"
            verdict = "meets" if result["ratio"] <= target else "ABOVE"
        lines.append(
            f"  {LABELS[key]:<52} {result['ratio']:6.2f}  {bound} {verdict:<6}"
            f" {result['subject_us']:8.1f} us / {result['floor_us']:8.1f} us"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2)
    args = parser.parse_args(argv)
    sys.stdout.write(render(run(args.rounds, args.seconds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
