"""Intrathecal baclofen: first dose after implant, titration bounds and a pump refill.

Run from the repository root:

    python examples/intrathecal_pump.py

Decision support for health-care professionals, not medical advice. Every amount is in mcg;
nothing here converts an oral dose into an intrathecal one.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Use the package from this checkout, so the example runs before (or without) an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import baclofen_dose as bd
from baclofen_dose.render import intrathecal as render
from baclofen_dose.render import protocol


def main() -> int:
    """A 100 mcg screening bolus worked for 6 hours; the pump holds 2,000 mcg/mL."""
    start = bd.plan_initial_dose(screening_dose="100 mcg", effect_duration="6 hours")
    sys.stdout.write(render.text(start))

    bounds = bd.titration_bounds(daily_dose="300 mcg/day", origin="spinal")
    sys.stdout.write(render.text(bounds))

    refill = bd.plan_refill(
        reservoir="40 mL",
        concentration="2000 mcg/mL",
        daily_dose="400 mcg/day",
        alarm_volume="2 mL",
        start="2026-01-05",
    )
    sys.stdout.write(render.table(refill))

    # A fill that would last past the maximum refill interval (a cited policy on drug
    # stability, not a label figure) is planned at that limit, with a warning.
    long_fill = bd.plan_refill(
        reservoir="20 mL",
        concentration="2000 mcg/mL",
        daily_dose="100 mcg/day",
        alarm_volume="2 mL",
        start="2026-12-01",
    )
    sys.stdout.write(render.text(long_fill))

    # Every result is data: findings are codes with typed values, and the JSON reads back
    # (re-validated: the reader plans it again from its recorded inputs).
    per_hour = bd.titration_bounds(daily_dose="12.5 mcg/hour", origin="spinal")
    codes = sorted({finding.code for finding in per_hour.findings})
    sys.stdout.write(f"Finding codes for 12.5 mcg/hour: {', '.join(codes)}\n")
    again = protocol.from_json(protocol.to_json(refill))
    sys.stdout.write(f"The refill read back from its JSON is the same: {again == refill}\n")

    try:
        bd.plan_screening(concentration="2000 mcg/mL")
    except bd.HardLimitError as refused:
        sys.stdout.write(f"Refused as expected: {refused}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
