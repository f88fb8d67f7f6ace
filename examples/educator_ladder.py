"""Walk the US label ladder to 80 mg/day, step by step, with the rule behind every number.

Run from the repository root:

    python examples/educator_ladder.py

For each step it prints the instruction line, why the step is what it is (the step's reason,
a code with its values, in words), then each rule id the step used, with the rule's value and
its citation (document and section) from ``baclofen_dose.default_rules()``.
The ladder moves to 4 doses a day after 60 mg/day (rule oral.adult.frequency.add_dose_above).

Decision support for health-care professionals, not medical advice.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Use the package from this checkout, so the example runs before (or without) an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import baclofen_dose as bd
from baclofen_dose.render import INTENDED_USE
from baclofen_dose.render.messages import reason_text
from baclofen_dose.render.text import rule_value


def main() -> int:
    rules = bd.default_rules()
    plan = bd.plan_titration(start="2026-01-05", target="80 mg/day", rules=rules)
    print(f"Rule set {rules.id} version {rules.version}; maximum policy {plan.max_policy}")
    print(INTENDED_USE)
    for number, (step, line) in enumerate(zip(plan.steps, bd.instructions(plan), strict=True), 1):
        print()
        print(f"Step {number}: {line}")
        if step.reason is not None:
            print(f"  Why: {reason_text(step.reason)} [{step.reason.code}]")
        for rule_id in step.rule_ids:
            rule = rules[rule_id]
            print(f"  {rule_id} = {rule_value(rule)} ({rule.kind.replace('_', ' ')})")
            print(f"    Source: {rule.citation}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
