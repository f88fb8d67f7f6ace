"""Bulk-screen benchmark (issue 12): speed against a numpy floor, and peak memory at scale.

Run from the repository root (needs the screen extra and numpy)::

    python benchmarks/screen.py            # 10^6 orders for speed, 10^7 from Parquet for memory
    python benchmarks/screen.py --quick    # 10^4 and 10^5 (a smoke test for CI)
    python benchmarks/screen.py --speed-only   # the speed run alone (run it 3 times on a
                                               # shared machine and compare the ratios)

1. Speed: ``screen_orders`` on N polars rows (adults, doses in mg, a measured CrCl for half)
   against a numpy floor doing the same comparisons on integer micrograms (daily dose against
   the policy maximum, the hard maximum and the renal-band cap; single dose against its
   maximum). Both run side by side in this process, interleaved, and each is timed by its
   fastest run (on a shared machine the fastest run is the one least disturbed by others;
   both sides are timed alike); the ratio is printed (target: at most 3). The screen runs as a
   user calls it (advice counted in the summary, not written as rows; the number of rows it
   wrote is printed). The ratio of CPU times (all threads) is printed beside it: the work
   done, which other processes on a shared machine move far less than the wall time. The
   floor's counts must equal the screen's findings for those rules (else the run fails: a
   floor doing less than the screen is no floor).
2. Memory: M rows written to Parquet, then screened from a lazy scan with the findings streamed
   to a Parquet file, in a fresh process; its peak resident memory is printed (target: under
   2 GB).

A report, never a gate: the exit status is 0 however slow the machine is.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _orders(n: int, seed: int = 12):  # type: ignore[no-untyped-def]
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    doses = rng.choice(np.array([5, 10, 15, 20, 25, 7.5]), n)
    crcl = np.where(rng.random(n) < 0.5, rng.integers(10, 120, n).astype(float), np.nan)
    return pl.DataFrame(
        {
            "order_id": np.arange(n).astype(str),
            "dose": doses,
            "dose_unit": ["mg"] * n,
            "times_per_day": rng.integers(1, 5, n),
            "age_years": rng.integers(18, 90, n).astype(float),
            "crcl_ml_min": crcl,
        }
    ).with_columns(
        pl.col("crcl_ml_min").fill_nan(None),
        measured_method=pl.when(pl.col("crcl_ml_min").is_nan()).then(None).otherwise(pl.lit("other")),
        dialysis=pl.when(pl.col("crcl_ml_min").is_nan()).then(None).otherwise(pl.lit(False)),
    )


def _floor(frame, rules):  # type: ignore[no-untyped-def]
    """The same comparisons in numpy on integer micrograms: the floor the screen is held to.

    Each number is read once into integer thousandths (doses in micrograms, CrCl in thousandths
    of a mL/min; a missing CrCl has no band), every bound is the rule's value as an integer
    (no literal here), and each comparison the issue names is made on every row: the daily
    dose against the policy maximum, the hard maximum and the renal cap of the row's band
    (end-stage, severe, moderate, mild), the single dose against its maximum.
    """
    import numpy as np

    def milli(value: Fraction) -> Fraction:
        return value * 1000

    def at_most(rule_id: str) -> int:  # x <= v  <=>  x <= floor(v) for integer x
        return int(milli(rules[rule_id].require_value()) // 1)

    def below(rule_id: str) -> int:  # x < v  <=>  x < ceil(v) for integer x
        return int(-(-milli(rules[rule_id].require_value()) // 1))

    dose = np.rint(frame["dose"].to_numpy() * 1000).astype(np.int64)
    n = frame["times_per_day"].to_numpy().astype(np.int64)
    daily = dose * n
    crcl_float = frame["crcl_ml_min"].to_numpy()
    measured = ~np.isnan(crcl_float)
    crcl = np.where(measured, np.rint(np.nan_to_num(crcl_float) * 1000), 0).astype(np.int64)
    usual_value = rules["oral.adult.max_daily.us_label"].require_value()
    grid = rules["oral.adult.dose.grid"].require_value()
    prefix = "renal.vlavonou2014."
    caps = []
    for band in ("severe", "moderate", "mild"):
        fraction = rules[f"{prefix}{band}.dose_fraction"].require_value()
        caps.append(int(milli(max((usual_value * fraction // grid) * grid, grid)) // 1))
    no_cap = np.iinfo(np.int64).max
    cap = np.select(
        [
            measured & (crcl < below("renal.ca_monograph.end_stage.below")),
            measured & (crcl < below(prefix + "severe.crcl_below")),
            measured & (crcl <= at_most(prefix + "moderate.crcl_max")),
            measured & (crcl <= at_most(prefix + "mild.crcl_max")),
        ],
        [at_most("renal.ca_monograph.end_stage.max_daily"), *caps],
        default=no_cap,
    )
    return (
        int((daily > at_most("oral.adult.max_daily.us_label")).sum()),
        int((daily > at_most("oral.adult.max_daily.hard")).sum()),
        int((dose > at_most("oral.adult.max_dose.us_label")).sum()),
        int((daily > cap).sum()),
    )


def speed(n: int, runs: int) -> dict[str, float]:
    from baclofen_dose import default_rules, screen_orders

    rules = default_rules()
    frame = _orders(n)
    screen_orders(frame.head(1000))  # warm-up (imports, rule reads)
    screen_times, floor_times, screen_cpu, floor_cpu = [], [], [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        result = screen_orders(frame)
        screen_times.append(time.perf_counter() - start)
        screen_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        _floor(frame, rules)
        floor_times.append(time.perf_counter() - start)
        floor_cpu.append(time.process_time() - cpu)
    # The floor makes the same comparisons: its counts are the screen's findings.
    counts = _floor(frame, rules)
    found = result.findings.filter(result.findings["kind"] == "finding")["rule_id"].value_counts()
    by_rule = dict(zip(found["rule_id"].to_list(), found["count"].to_list(), strict=True))
    renal = sum(n for rule, n in by_rule.items() if rule.startswith(("renal.vlavonou2014.",
                                                                    "renal.ca_monograph.")))
    screened = (
        by_rule.get("oral.adult.max_daily.us_label", 0),
        by_rule.get("oral.adult.max_daily.hard", 0),
        by_rule.get("oral.adult.max_dose.us_label", 0),
        renal,
    )
    if counts != screened:  # a report, but never of a floor that does less than the screen
        raise AssertionError(f"the floor counts {counts}, the screen {screened}")
    screen_s = min(screen_times)
    floor_s = min(floor_times)
    return {
        "rows": n,
        "screen_s": screen_s,
        "floor_s": floor_s,
        "ratio": screen_s / floor_s,
        # CPU time of every thread: polars' work, unhelped by a second core and far less
        # moved by other processes on a shared machine than the wall time.
        "cpu_ratio": min(screen_cpu) / min(floor_cpu),
        "rows_exact": result.summary.rows_exact,
        "rows_out": len(result.findings),
    }


_MEMORY_CHILD = """
import resource, sys, time
import polars as pl
from baclofen_dose import screen_orders
start = time.perf_counter()
result = screen_orders(pl.scan_parquet(sys.argv[1]))
result.findings.sink_parquet(sys.argv[2])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(peak, time.perf_counter() - start, result.summary.rows_in)
"""


def memory(m: int) -> dict[str, float]:
    import polars as pl

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "orders.parquet"
        chunk = min(m, 1_000_000)
        frames = []
        for i in range(0, m, chunk):
            frames.append(
                _orders(min(chunk, m - i), seed=i).with_columns(
                    (pl.col("order_id").cast(pl.Int64) + i).cast(pl.String)
                )
            )
        pl.concat(frames).write_parquet(source, row_group_size=100_000)
        del frames
        done = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD, str(source), str(Path(work) / "out.parquet")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        peak_kb, seconds, rows = done.stdout.split()
    return {"rows": int(rows), "peak_mb": int(peak_kb) / 1024, "seconds": float(seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10^4 and 10^5 rows (CI smoke test)")
    parser.add_argument("--speed-only", action="store_true", help="skip the memory run")
    args = parser.parse_args()
    n, m, runs = (10_000, 100_000, 3) if args.quick else (1_000_000, 10_000_000, 5)
    s = speed(n, runs)
    # The target is for 10^6 orders; on the quick run's 10^4 the screen's fixed cost per call
    # (a few milliseconds: the plan, the summary) outweighs the floor's 1 ms of work.
    target = "target <= 3" if n >= 1_000_000 else "the target <= 3 is for 10^6 rows"
    print(
        f"screen_orders on {s['rows']:,} polars rows: {s['screen_s']:.3f} s; numpy floor "
        f"{s['floor_s']:.4f} s; ratio {s['ratio']:.1f} ({target}; rows by the exact "
        f"path: {s['rows_exact']}; finding rows written: {s['rows_out']:,}); CPU time "
        f"ratio {s['cpu_ratio']:.1f}"
    )
    if args.speed_only:
        return 0
    mem = memory(m)
    print(
        f"{mem['rows']:,} rows from Parquet (lazy scan, findings streamed to Parquet): peak "
        f"memory {mem['peak_mb']:.0f} MB (target < 2048 MB), {mem['seconds']:.1f} s"
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"this process's peak memory: {peak_mb} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
