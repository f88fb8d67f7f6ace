"""A pharmacist's taper: 20 mg 3 times a day to zero, with tablets to dispense and a missed dose.

Run from the repository root:

    python examples/taper_basic.py

Decision support for health-care professionals, not medical advice.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Use the package from this checkout, so the example runs before (or without) an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from baclofen_dose import advise_missed_dose, plan_taper, realize, table, to_json
from baclofen_dose.render import protocol
from baclofen_dose.render.products import units_text

plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
print(table(plan))

# The same realization rules for single amounts.
# The planner gives exact units (1.5 tablets); render/ writes them in words.
print("15 mg from 10 mg tablets:", units_text(realize("15 mg", "10 mg tablet")))
print("15 mg from 5 mg tablets:", units_text(realize("15 mg", "5 mg tablet")))
print("7.5 mg from the suspension:", units_text(realize("7.5 mg", "5 mg/mL suspension")))

# A missed 08:00 dose, remembered at 12:30: the next dose (14:00) is less than 2 hours away.
advice = advise_missed_dose(
    plan,
    times=["08:00", "14:00", "20:00"],
    day="2026-03-03",
    missed_at="08:00",
    now_day="2026-03-03",
    now_at="12:30",
)
print()
print(protocol.text(advice), end="")

# A percentage step is taken of each current daily dose, rounded down to what the tablets give:
# 60 -> 50 -> 40 -> 35 -> 30 -> 25 -> 20 -> 15 -> 10 -> 5 mg/day (issue 10 item 7).
percent = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02", step="20 %")
print("20 % steps:", [str(s.regimen.daily_mg) for s in percent.steps])

# A low dose steps down through smaller amounts, never more than half at once: 10, then 5 mg/day.
low = plan_taper(dose="5 mg", times_per_day=3, start="2026-03-02")
print("From 5 mg 3 times a day:", [str(s.regimen.daily_mg) for s in low.steps])

# Two doses missed in a row: skip them, go on, and contact the prescriber (withdrawal risk).
several = advise_missed_dose(
    plan,
    times=["08:00", "14:00", "20:00"],
    day="2026-03-03",
    missed_at="08:00",
    now_day="2026-03-03",
    now_at="15:00",
    doses_missed=2,
)
print(several.action, several.reason.code)

# Both results are data with a schema id: the same to_json / from_json serve them.
print(plan.schema, advice.schema, len(to_json(advice)) > 0)
