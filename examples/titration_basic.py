"""Plan an adult oral titration with the US label ladder and print the schedule table.

Run from the repository root:

    python examples/titration_basic.py

Decision support for health-care professionals, not medical advice.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Use the package from this checkout, so the example runs before (or without) an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import baclofen_dose as bd


def main() -> int:
    """Plan 5 mg 3 times a day up to 60 mg/day from 5 January 2026, and print the table."""
    plan = bd.plan_titration(start="2026-01-05", target="60 mg/day")
    sys.stdout.write(bd.table(plan))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
