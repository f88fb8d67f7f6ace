"""The command-line tool: a thin layer from arguments to the library to a renderer.

Exit codes: 0 success; 2 bad input (one line on stderr, no traceback); 3 a limit refused the
request (the line names the rule, and for a soft limit the override that would be needed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ._version import VERSION
from .errors import BaclofenDoseError, LimitError, OverrideRequired

if TYPE_CHECKING:
    from .regimen import OralPlan
    from .rules import RuleSet

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


class _RefusedError(Exception):
    """A limit refusal, its message complete (with the command-line hint)."""


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


# Each subcommand: a function that adds its parser and returns the function that runs it.
_COMMANDS: tuple[Callable[[Any], Command], ...] = (
    _add_titrate,
    _add_rules,
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
    from .rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    overrides: dict[str, str] = {}
    for rule_id, reason in args.override:
        if rule_id in overrides:
            raise _UsageError(f"--override {rule_id} is given twice")
        overrides[rule_id] = reason
    try:
        plan = _plan(args, ruleset, overrides)
    except OverrideRequired as exc:
        raise _RefusedError(str(exc) + _policy_hint(exc, ruleset, args.max_policy)) from None
    if args.format == "json":
        return render.to_json(plan)
    if args.format == "text":
        lines = render.instructions(plan)
        lines += [f"{f.severity}: {f.message}" for f in plan.findings if f.severity == "warning"]
        return "\n".join([*lines, render.INTENDED_USE]) + "\n"
    return render.table(plan, rules=ruleset)


def _plan(args: argparse.Namespace, ruleset: RuleSet, overrides: dict[str, str]) -> OralPlan:
    from .oral import plan_titration

    return plan_titration(
        start=args.start,
        target=args.target,
        step=args.step,
        interval=args.every,
        times_per_day=args.times_per_day,
        max_policy=args.max_policy,
        overrides=overrides or None,
        rules=ruleset,
    )


def _rules(args: argparse.Namespace) -> str:
    from .render.rules_table import rules_markdown, rules_text
    from .rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    return rules_markdown(ruleset) if args.format == "markdown" else rules_text(ruleset)


def _policy_hint(error: OverrideRequired, rules: RuleSet, chosen: str | None) -> str:
    """Name the other maximum policies when the crossing is a policy's own maximum."""
    from .oral import MAX_POLICY

    if not any(c.rule_id in rules and rules[c.rule_id].policy for c in error.crossings):
        return ""
    current = chosen or rules.policy_default(MAX_POLICY)
    others = [p for p in rules.policy_choices(MAX_POLICY) if p != current]
    return f"; or choose another --max-policy ({', '.join(others)})" if others else ""


# Library field names as the command line spells them, for error messages.
_OPTIONS = {
    "start": "--start",
    "target": "--target",
    "step": "--step",
    "interval": "--every",
    "times_per_day": "--times-per-day",
    "max_policy": "--max-policy",
    "overrides": "--override",
}


def _message(exc: BaclofenDoseError) -> str:
    text = str(exc)
    field = getattr(exc, "field", None)
    if isinstance(field, str):
        head = field.split("[", 1)[0]
        if head in _OPTIONS and text.startswith(field):
            text = _OPTIONS[head] + text[len(head) :]
    return text


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool; returns the exit code."""
    parser, runners = _parser()
    try:
        args = parser.parse_args(argv)
        output = runners[args.command](args)
    except _UsageError as exc:
        print(f"baclofen-dose: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except _RefusedError as exc:
        print(f"baclofen-dose: refused: {exc}", file=sys.stderr)
        return EXIT_LIMIT
    except LimitError as exc:
        print(f"baclofen-dose: refused: {_message(exc)}", file=sys.stderr)
        return EXIT_LIMIT
    except BaclofenDoseError as exc:
        print(f"baclofen-dose: error: {_message(exc)}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(output)
    return EXIT_OK
