"""Patient-specific oral plans: an older woman with CrCl 40 mL/min, and a 6-year-old of 20 kg.

Run from the repository root:

    python examples/renal_and_child_plans.py

Decision support for health-care professionals, not medical advice.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Use the package from this checkout, so the example runs before (or without) an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from baclofen_dose import Patient, cockcroft_gault, plan_titration
from baclofen_dose.render.messages import finding_text, reason_text
from baclofen_dose.render.renal import estimate_label, estimate_shown, working_lines
from baclofen_dose.render.text import adjustment_lines, working

woman = Patient.from_inputs(
    age="72 years",
    sex="female",
    weight="70 kg",
    height=None,
    scr="123.8 micromol/L",
    dialysis=False,
)
crcl = cockcroft_gault(woman)
# The estimate is exact data (value, kind, equation terms); render/ writes the words.
print(f"{estimate_label(crcl)}: {estimate_shown(crcl)}")
print(working_lines(crcl)[0])
plan = plan_titration(start="2026-01-05", target="max", patient=woman)
print(f"renal policy {plan.renal_policy}; population {plan.population}")
for line in adjustment_lines(plan):
    print("-", line)
# Each step records why it is what it is (a code and values), and each finding has a code.
first_reason = plan.steps[0].reason
if first_reason is not None:
    print(f"first step: {first_reason.code}: {reason_text(first_reason)}")
print("finding codes:", sorted({f.code for f in plan.findings}))
print(working(plan, None)[0])

child = Patient.from_inputs(
    age="6 years", sex=None, weight="20 kg", height=None, scr=None, dialysis=None
)
plan = plan_titration(start="2026-01-05", target="max", patient=child)
first, last = plan.steps[0].regimen, plan.final.regimen
print(f"child: start {first.daily_mg} mg/day, maximum {last.daily_mg} mg/day")
print(next(finding_text(f) for f in plan.findings if f.rule_id == "oral.child.us_off_label"))
