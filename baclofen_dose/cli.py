"""The command-line tool: a thin layer from arguments to the library to a renderer.

Exit codes: 0 success; 2 bad input (one line on stderr, no traceback); 3 a limit refused the
request (the line names the rule, and for a soft limit the override that would be needed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ._version import VERSION
from .errors import BaclofenDoseError, LimitError, OverrideRequired

__all__ = ["main"]

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_LIMIT = 3

_DESCRIPTION = (
    "Baclofen dosing decision support for health-care professionals (not medical advice). "
    'Quantities are quoted strings with units, such as "60 mg/day".'
)


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _override(text: str) -> tuple[str, str]:
    rule_id, sep, reason = text.partition("=")
    if not sep or not rule_id or not reason.strip():
        raise argparse.ArgumentTypeError(
            f"--override {text!r}: expected RULE_ID=REASON, such as "
            "'oral.adult.max_daily.us_label=inpatient, supervised'"
        )
    return rule_id.strip(), reason.strip()


Command = Callable[[argparse.Namespace], str]


def _add_titrate(commands: Any) -> Command:
    titrate = commands.add_parser(
        "titrate",
        help="plan an adult oral titration (US label ladder by default)",
        description="Plan an adult oral titration from the label start to a target daily dose.",
    )
    titrate.add_argument("--start", required=True, help="first day, YYYY-MM-DD (no default)")
    titrate.add_argument(
        "--target", required=True, help='target daily dose, such as "60 mg/day", or "max"'
    )
    titrate.add_argument("--step", help='daily increase per step (default: label, "15 mg/day")')
    titrate.add_argument("--every", help='days between increases (default: label, "3 days")')
    titrate.add_argument("--times-per-day", type=int, help="doses a day from the start: 3 or 4")
    titrate.add_argument("--max-policy", help="maximum policy (default: us_label)")
    titrate.add_argument(
        "--override",
        action="append",
        type=_override,
        default=[],
        metavar="RULE_ID=REASON",
        help="cross a soft limit, giving the reason (repeat for several)",
    )
    titrate.add_argument("--rules", help="a rule file to use instead of the bundled rules")
    titrate.add_argument(
        "--format", choices=("table", "text", "json"), default="table", help="output form"
    )
    _add_patient_options(titrate)
    return _titrate


def _add_rules(commands: Any) -> Command:
    rules = commands.add_parser("rules", help="list every rule with its value and source")
    rules.add_argument("--rules", help="a rule file to list instead of the bundled rules")
    rules.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text for people; markdown (with URLs and the SHA-256) for docs/rules.md",
    )
    return _rules


def _add_patient_options(parser: argparse.ArgumentParser) -> None:
    """The patient options shared by `titrate` and `renal` (issue 3). None has a default."""
    group = parser.add_argument_group(
        "patient (issue 3; nothing is assumed: a value a rule needs and not given is refused)"
    )
    group.add_argument(
        "--age", help='age: whole years ("72") or a quantity ("72 years", "0.5 years")'
    )
    group.add_argument("--born", help="date of birth YYYY-MM-DD (with --as-of; instead of --age)")
    group.add_argument("--as-of", help="the date the age is counted to, YYYY-MM-DD")
    group.add_argument("--sex", help="female or male (as the kidney equations need it)")
    group.add_argument("--weight", help='body weight with its unit, such as "70 kg" or "154 lb"')
    group.add_argument("--height", help='height with its unit, such as "170 cm" or "67 inch"')
    group.add_argument(
        "--scr", help='serum creatinine with its unit: "1.4 mg/dL" or "123.8 micromol/L"'
    )
    group.add_argument(
        "--dialysis",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="on dialysis (--dialysis) or not (--no-dialysis); not stated if left out",
    )
    group.add_argument(
        "--weight-policy", help="body weight for Cockcroft-Gault (default: actual)"
    )
    group.add_argument("--renal-policy", help="renal dose policy (default: vlavonou2014)")


_PATIENT_OPTIONS = ("age", "born", "as_of", "sex", "weight", "height", "scr", "dialysis")


def _patient(args: argparse.Namespace, rules: Any) -> Any:
    """A Patient from the options, or None when no patient option was given."""
    from .patient import Patient

    if all(getattr(args, name) is None for name in _PATIENT_OPTIONS):
        return None
    values = {
        "sex": args.sex,
        "weight": args.weight,
        "height": args.height,
        "scr": args.scr,
        "dialysis": args.dialysis,
        "rules": rules,
    }
    if args.born is not None or args.as_of is not None:
        if args.age is not None:
            raise _UsageError("give either --age or --born with --as-of, not both")
        return Patient.from_birth_date(born=args.born, as_of=args.as_of, **values)
    age = args.age
    if age is not None and age.isdigit() and age.isascii() and not age.startswith("0"):
        age = f"{age} years"  # --age takes whole years, as its help says
    return Patient.from_inputs(age=age, **values)


def _add_renal(commands: Any) -> Command:
    renal = commands.add_parser(
        "renal",
        help="kidney function (Cockcroft-Gault, CKD-EPI 2021) and the renal dose policy",
        description=(
            "Estimate creatinine clearance and eGFR with their basis (equation, weight, "
            "creatinine in mg/dL and the conversion factor) and show what the renal dose policy "
            "makes of them."
        ),
    )
    _add_patient_options(renal)
    renal.add_argument("--rules", help="a rule file to use instead of the bundled rules")
    renal.add_argument("--format", choices=("text", "json"), default="text", help="output form")
    return _renal


def _renal(args: argparse.Namespace) -> str:
    from .renal import renal_report as report
    from .render.renal import renal_json, renal_text
    from .rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    patient = _patient(args, ruleset)
    if patient is None:
        raise _UsageError("renal needs the patient: --age, --sex, --weight and --scr at least")
    result = report(
        patient,
        renal_policy=args.renal_policy,
        weight_policy=args.weight_policy,
        rules=ruleset,
    )
    if args.format == "json":
        return renal_json(result)
    return renal_text(result, rules=ruleset)


# Each subcommand: a function that adds its parser and returns the function that runs it.
_COMMANDS: tuple[Callable[[Any], Command], ...] = (
    _add_titrate,
    _add_rules,
    _add_renal,
)


def _parser() -> tuple[_Parser, dict[str, Command]]:
    parser = _Parser(prog="baclofen-dose", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"baclofen-dose {VERSION}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    runners: dict[str, Command] = {}
    for add in _COMMANDS:
        before = set(commands.choices)
        runner = add(commands)
        for name in set(commands.choices) - before:
            runners[name] = runner
    return parser, runners


def _titrate(args: argparse.Namespace) -> str:
    from . import render
    from .oral import plan_titration
    from .rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    overrides: dict[str, str] = {}
    for rule_id, reason in args.override:
        if rule_id in overrides:
            raise _UsageError(f"--override {rule_id} is given twice")
        overrides[rule_id] = reason
    plan = plan_titration(
        start=args.start,
        target=args.target,
        step=args.step,
        interval=args.every,
        times_per_day=args.times_per_day,
        max_policy=args.max_policy,
        overrides=overrides or None,
        rules=ruleset,
        patient=_patient(args, ruleset),
        renal_policy=args.renal_policy,
        weight_policy=args.weight_policy,
    )
    if args.format == "json":
        return render.to_json(plan)
    if args.format == "text":
        lines = render.instructions(plan)
        lines += [f"{f.severity}: {f.message}" for f in plan.findings if f.severity == "warning"]
        return "\n".join([*lines, render.INTENDED_USE]) + "\n"
    return render.table(plan, rules=ruleset)


def _rules(args: argparse.Namespace) -> str:
    from .render.rules_table import rules_markdown, rules_text
    from .rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    return rules_markdown(ruleset) if args.format == "markdown" else rules_text(ruleset)


def _policy_hint(error: OverrideRequired) -> str:
    from .rules import default_rules

    rules = default_rules()
    policies = {
        c.rule_id for c in error.crossings if c.rule_id in rules and rules[c.rule_id].policy
    }
    if not policies:
        return ""
    choices = ", ".join(rules.policy_choices("oral_max_daily"))
    return f"; or choose another --max-policy ({choices})"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool; returns the exit code."""
    parser, runners = _parser()
    try:
        args = parser.parse_args(argv)
        output = runners[args.command](args)
    except _UsageError as exc:
        print(f"baclofen-dose: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except OverrideRequired as exc:
        print(f"baclofen-dose: refused: {exc}{_policy_hint(exc)}", file=sys.stderr)
        return EXIT_LIMIT
    except LimitError as exc:
        print(f"baclofen-dose: refused: {exc}", file=sys.stderr)
        return EXIT_LIMIT
    except BaclofenDoseError as exc:
        print(f"baclofen-dose: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(output)
    return EXIT_OK
