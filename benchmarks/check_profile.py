"""Where an order check's time goes: a cProfile run grouped by component (issue 11 speed).

Runs ``check_order`` over the single order of ``check_ratio.py`` ("25 mg 3 times a day") and
over its varied set of 1,000 orders, and prints each component's share of the time spent in
the package's own code and in the standard library it calls (``fractions``, ``attrs``
generated methods...). Shares, not microseconds: the profiler slows every call, so only the
proportions mean something. Nothing here fails.

It also times, side by side with the floor, building the records of the single order's result
alone (its amounts, findings, not-assessed entry, provenance and the result, through the same
trusted path the check uses, with nothing judged): a lower bound for any check that returns
this result type.

Run from the repository root: ``python benchmarks/check_profile.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# (file part, function name or "*") -> component; the first match wins.
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("check/oral.py", "check_order", "check_order body (argument checks, the order record)"),
    ("check/oral.py", "_regimen", "inputs: doses and times a day (parse, validate)"),
    ("check/oral.py", "_count", "inputs: doses and times a day (parse, validate)"),
    ("check/oral.py", "_total", "inputs: doses and times a day (parse, validate)"),
    ("core/units.py", "*", "inputs: doses and times a day (parse, validate)"),
    ("core/limits.py", "parse_", "inputs: doses and times a day (parse, validate)"),
    ("check/order.py", "limit", "limits: Judge.limit (exact whole-number compare)"),
    ("check/order.py", "_bound", "limits: Judge.limit (exact whole-number compare)"),
    ("check/order.py", "rule", "rule reads (Judge.rule, RuleSet lookup)"),
    ("core/rules/__init__.py", "*", "rule reads (Judge.rule, RuleSet lookup)"),
    ("check/oral.py", "_adult", "adult limits (sequence of checks)"),
    ("check/oral.py", "_step", "adult limits (sequence of checks)"),
    ("check/oral.py", "_grid", "adult limits (sequence of checks)"),
    ("check/oral.py", "_max_policy", "adult limits (sequence of checks)"),
    ("core/model.py", "trusted", "records: amounts, findings (trusted path)"),
    ("check/oral.py", "_dose", "records: amounts, findings (trusted path)"),
    ("check/oral.py", "_daily", "records: amounts, findings (trusted path)"),
    ("check/order.py", "found", "records: amounts, findings (trusted path)"),
    ("check/order.py", "add", "records: amounts, findings (trusted path)"),
    ("check/order.py", "skip", "records: amounts, findings (trusted path)"),
    ("core/model.py", "freeze_params", "records: amounts, findings (trusted path)"),
    ("core/limits.py", "advice", "records: amounts, findings (trusted path)"),
    ("<attrs generated", "*", "records built by public constructors (attrs __init__)"),
    ("check/oral.py", "_renal", "patient: renal bands, Muanda, older adults"),
    ("check/oral.py", "_older", "patient: renal bands, Muanda, older adults"),
    ("check/oral.py", "_band", "patient: renal bands, Muanda, older adults"),
    ("check/oral.py", "_floor", "patient: renal bands, Muanda, older adults"),
    ("oral/", "*", "patient: plausibility, description, population, renal assess"),
    ("core/memo.py", "*", "patient: remembered renal assessment (memo key and look-up)"),
    ("interactions.py", "*", "co-medications and conditions (interaction table)"),
    ("check/order.py", "result", "result: sort, provenance, OrderCheck"),
    ("core/model.py", "made", "result: sort, provenance, OrderCheck"),
    ("fractions.py", "*", "Fraction arithmetic (stdlib)"),
)
OTHER = "other (builtins: sorted, isinstance, dict and list methods...)"


def component(filename: str, name: str) -> str:
    for part, func, label in COMPONENTS:
        if part in filename and (func == "*" or name.startswith(func)):
            return label
    return OTHER


def shares(run: Callable[[], object]) -> list[tuple[str, float]]:
    """Each component's share of the total internal time of ``run``."""
    profile = cProfile.Profile()
    profile.runcall(run)
    stats = pstats.Stats(profile)
    totals: dict[str, float] = defaultdict(float)
    for (filename, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if filename.endswith("check_profile.py") or filename.endswith("check_ratio.py"):
            continue
        totals[component(filename, name)] += row[2]  # tottime
    whole = sum(totals.values())
    return sorted(((label, t / whole) for label, t in totals.items()), key=lambda x: -x[1])


def render(title: str, rows: list[tuple[str, float]]) -> str:
    lines = [title]
    lines += [f"  {share * 100:5.1f} %  {label}" for label, share in rows]
    return "\n".join(lines) + "\n"


def records_only(result: object) -> Callable[[], object]:
    """Build ``result``'s records again through the trusted path, judging nothing."""
    from baclofen_dose.check.order import NotAssessed, OrderCheck
    from baclofen_dose.core.model import Amount, Finding, Provenance, trusted, trusted_amount
    from baclofen_dose.core.rules import default_rules

    rules = default_rules()
    assert isinstance(result, OrderCheck)
    order, findings, skipped = result.order, result.findings, result.not_assessed
    inputs = result.provenance.inputs
    used = list(result.provenance.rule_ids)

    def again(value: object) -> object:
        if type(value) is Amount:
            return trusted_amount(value.value, value.kind, value.style)
        if type(value) is tuple:
            return tuple(again(v) for v in value)
        return value

    def build() -> object:
        made_order = tuple((name, again(value)) for name, value in order)
        made = tuple(
            trusted(
                Finding,
                rule_id=f.rule_id,
                severity=f.severity,
                code=f.code,
                params=tuple((name, again(value)) for name, value in f.params),
                citation=f.citation,
                override_reason=f.override_reason,
            )
            for f in findings
        )
        gaps = tuple(
            trusted(NotAssessed, what=n.what, given=n.given, code=n.code, params=n.params)
            for n in skipped
        )
        return trusted(
            OrderCheck,
            route=result.route,
            order=made_order,
            findings=made,
            not_assessed=gaps,
            overrides=(),
            provenance=Provenance.made(rules, used, made_order + inputs[len(order) :]),
        )

    return build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3000, help="single-order checks to run")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO_ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import check_ratio

    from baclofen_dose.check import check_order

    check_all, _, count = check_ratio.set_runners()
    check_all()  # warm up: rules, table, parsed texts, patients assessed once

    def single() -> None:
        for _ in range(args.repeat):
            check_order(dose="25 mg", times_per_day=3)

    sys.stdout.write(render("check_order, 25 mg 3 times a day:", shares(single)))
    sys.stdout.write(render(f"check_order over {count} varied orders:", shares(check_all)))

    check_ratio.LIMITS = check_ratio._limits()
    build = records_only(check_order(dose="25 mg", times_per_day=3))
    ratios = []
    for _ in range(5):
        floor = check_ratio._per_call(lambda: check_ratio.floor_check("25 mg", 3), 0.2)
        ratios.append((check_ratio._per_call(build, 0.2) / floor, floor))
    ratios.sort()
    ratio, floor = ratios[len(ratios) // 2]
    sys.stdout.write(
        "Building the single order's result records alone (nothing judged) / floor: "
        f"{ratio:.1f} (floor {floor * 1e6:.2f} us)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
