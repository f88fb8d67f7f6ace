"""Use baclofen-dose from a program: Quantity inputs, structured results, JSON, overrides.

Run from the repository root:

    python examples/ehr_integration.py

It shows, in order:

1. inputs as pint Quantities from the library's registry (``baclofen_dose.registry()``);
2. the plan's steps as exact Quantities, and its findings as data (rule id, severity, code,
   params), with the sentence written from the code by ``baclofen_dose.render.messages``;
3. JSON out with ``to_json`` and back with ``from_json`` (the round trip gives an equal plan),
   and an edited file refused, because the reader plans the result again from its inputs;
4. a refused input: the error's ``code``, ``field`` and ``expected``;
5. a target above a soft limit: ``OverrideRequired`` and its ``crossings``, then a retry with one
   override (rule id and reason) for each crossing, recorded in the plan;
6. the one result protocol: every schema id, and an intrathecal pump refill through the same
   ``to_json``/``from_json``.

Decision support for health-care professionals, not medical advice.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

# Use the package from this checkout, so the example runs before (or without) an install.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import baclofen_dose as bd
from baclofen_dose.render import messages, protocol

START = "2026-01-05"


def exact(value: Fraction) -> str:
    """An exact Fraction magnitude as a plain decimal string (every amount here terminates)."""
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


def show_plan(plan: bd.OralPlan) -> None:
    """Print each step's dates and doses from the plan's pint Quantity views."""
    for number, step in enumerate(plan.steps, 1):
        daily = step.regimen.daily_dose  # a pint Quantity with an exact Fraction magnitude
        doses = [f"{exact(d.magnitude)} mg" for d in step.regimen.doses]
        end = "open-ended" if step.end is None else step.end.isoformat()
        print(f"  step {number}: {step.start.isoformat()} to {end}")
        listed = ", ".join(doses[:-1]) + " and " + doses[-1] if len(doses) > 1 else doses[0]
        print(f"    doses {listed}; daily total {exact(daily.magnitude)} mg/day")


def show_findings(plan: bd.OralPlan) -> None:
    """Print each finding as structured fields, as an EHR would store them."""
    for finding in plan.findings:
        line = f"  {finding.severity}: {finding.rule_id} (code {finding.code})"
        if finding.override_reason is not None:
            line += f' (overridden, reason "{finding.override_reason}")'
        print(line)


def main() -> int:
    ureg = bd.registry()

    # 1. Quantities from the library's registry. Strings with units ("60 mg/day") work too.
    target = 60 * ureg.milligram / ureg.day
    interval = 3 * ureg.day
    plan = bd.plan_titration(start=START, target=target, interval=interval)

    # 2. Steps and findings as data.
    final = plan.final.regimen.daily_dose
    print(f"Titration to {exact(target.magnitude)} mg/day: {len(plan.steps)} steps")
    print(f"  final daily dose {exact(final.magnitude)} {final.units}")
    print(f"  magnitude type: {type(final.magnitude).__name__} (exact, never a float)")
    show_plan(plan)
    print("Findings:")
    show_findings(plan)
    first = plan.findings[0]
    print(f"  params of the first: {sorted(dict(first.params))}")
    print(f"  its sentence: {messages.finding_text(first)}")
    reason = plan.steps[1].reason
    if reason is not None:
        print(f"  step 2 reason {reason.code}: {messages.reason_text(reason)}")
    prov = plan.provenance
    print(f"Rule set {prov.ruleset_id} version {prov.ruleset_version}; rules used:")
    for rule_id in prov.rule_ids:
        print(f"  {rule_id}")

    # 3. JSON out and back.
    text = bd.to_json(plan)
    data = json.loads(text, parse_float=Decimal)
    last = data["steps"][-1]["daily_dose"]
    print(f"JSON schema {data['schema']}")
    value_type = type(last["value"]).__name__
    print(f"  last step daily_dose: value {last['value']} (read as Python {value_type})")
    print(f"  last step daily_dose: unit {last['unit']} (UCUM)")
    again = bd.from_json(text)
    print(f"from_json(to_json(plan)) == plan: {again == plan}")
    for dose in data["steps"][0]["doses"]:
        dose["value"] = 500  # an edited saved plan: each dose of step 1 set to 500 mg
    data["steps"][0]["daily_dose"]["value"] = 1500
    try:
        bd.from_json(json.dumps(data))
    except bd.HardLimitError as err:
        print(f"Edited file refused: {err.code}, rule {err.rule_id}")

    # 4. A refused input: a bare number has no unit, so it is never guessed.
    try:
        bd.plan_titration(start=START, target=60)
    except bd.InputTypeError as err:
        print(f"Refused: {err.code} on field {err.field!r}; expected {err.expected}")

    # 5. A soft limit: ask once, read every crossing, then retry with one override for each.
    high = 100 * ureg.milligram / ureg.day
    try:
        bd.plan_titration(start=START, target=high)
    except bd.OverrideRequired as err:
        print(f"{err.code}: {len(err.crossings)} soft limits crossed")
        for crossing in err.crossings:
            print(
                f"  {crossing.rule_id}: {crossing.what} {crossing.value_text},"
                f" limit {crossing.limit_text}"
            )
        reason = "inpatient, supervised"
        overrides = {crossing.rule_id: reason for crossing in err.crossings}
        plan = bd.plan_titration(start=START, target=high, overrides=overrides)
        final_mg = exact(plan.final.regimen.daily_mg)
        print(f"Retried with overrides: final daily dose {final_mg} mg/day")
        for override in plan.overrides:
            print(f'  override recorded: {override.rule_id}, reason "{override.reason}"')
        print("Findings:")
        show_findings(plan)

    # 6. One protocol for every result type.
    print("Schema ids:")
    for schema in protocol.schemas():
        print(f"  {schema}")
    refill = bd.plan_refill(
        reservoir="20 mL", concentration="500 mcg/mL", daily_dose="100 mcg/day", alarm_volume="2 mL"
    )
    back = bd.from_json(bd.to_json(refill))
    print(f"{refill.schema} ({refill.route}): round trip equal: {back == refill}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
