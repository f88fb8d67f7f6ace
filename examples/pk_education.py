"""PK education (issue 14): how baclofen accumulates over a titration, and how reduced kidney
function lengthens its half-life. Educational, not for therapeutic drug monitoring.

Run from the repository root: ``python examples/pk_education.py``. With the [plot] extra,
``baclofen-dose titrate --start 2026-01-05 --target "60 mg/day" --plot curve.png`` draws it.
"""

from __future__ import annotations

from fractions import Fraction

import baclofen_dose as bd
from baclofen_dose.core import display, units
from baclofen_dose.oral import pk
from baclofen_dose.render import plots

rules = bd.default_rules()
plan = bd.plan_titration(start="2026-01-05", target="60 mg/day", rules=rules)
curves = plots.concentration_curves(plan, rules=rules)

for label in plots.curve_labels(curves, rules):
    print(label)
# Steady state at 20 mg 3 times a day (a dose every 8 hours): accumulation 1 / (1 - exp(-k tau)).
for model in curves.models:
    ratio = model.accumulation_ratio(Fraction(8))
    crcl = display.estimate(model.crcl_ml_min, units.RENAL_CLEARANCE, computed=True)
    print(
        f"CrCl {crcl}: accumulation ratio with a dose every 8 hours "
        f"{display.number(Fraction(ratio), places=2)}"
    )
print()
print("\n".join(plots.parameter_lines(curves, rules)))
# The model is for teaching: it never chooses a dose.
assert all(rule.startswith("pk.") for rule in pk.PARAMETER_RULES)
