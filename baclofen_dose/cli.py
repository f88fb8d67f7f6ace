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


def _flex_step(text: str) -> tuple[str, str]:
    duration, sep, rate = text.partition("=")
    if not sep or not duration.strip() or not rate.strip():
        raise argparse.ArgumentTypeError(
            f"--flex-step {text!r}: expected DURATION=RATE, such as '12 hours=15 mcg/hour'"
        )
    return duration.strip(), rate.strip()


def _add_intrathecal(commands: Any) -> Command:
    group = commands.add_parser(
        "intrathecal",
        help="intrathecal baclofen: screening, first dose, titration, pump refill, taper",
        description="Intrathecal baclofen (doses in mcg; no conversion from oral doses).",
    )
    sub = group.add_subparsers(dest="it_command", required=True, parser_class=_Parser)

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--rules", help="a rule file to use instead of the bundled rules")
        parser.add_argument(
            "--format", choices=("table", "text", "json"), default="table", help="output form"
        )

    screening = sub.add_parser(
        "screening", help="the screening bolus sequence (50 mcg/mL strength only)"
    )
    screening.add_argument(
        "--concentration", help='the screening strength, "50 mcg/mL" (the only one allowed)'
    )
    screening.add_argument(
        "--child", action="store_true", help="a small child: start at 25 mcg"
    )
    common(screening)

    initial = sub.add_parser("initial", help="the first daily dose after implant")
    initial.add_argument(
        "--screening-dose", required=True, help='the effective screening bolus, such as "100 mcg"'
    )
    initial.add_argument(
        "--effect-duration", required=True, help='how long its effect lasted, such as "6 h"'
    )
    initial.add_argument(
        "--side-effects-at-screening",
        action="store_true",
        help="the screening bolus caused side effects (start at the screening dose)",
    )
    common(initial)

    titrate = sub.add_parser("titrate", help="the dose changes allowed from today's daily dose")
    titrate.add_argument("--current", help='today\'s daily dose, such as "300 mcg/day"')
    titrate.add_argument("--origin", required=True, help="spinal or cerebral (no default)")
    titrate.add_argument(
        "--child", action="store_true", help="a child (cerebral-origin titration rules)"
    )
    titrate.add_argument(
        "--at-refill", action="store_true", help="a change made at a refill visit"
    )
    titrate.add_argument("--proposed", help='a daily dose to check, such as "380 mcg/day"')
    titrate.add_argument(
        "--flex-step",
        action="append",
        type=_flex_step,
        default=[],
        metavar="DURATION=RATE",
        help="today's dose as a flex program step (repeat; the steps cover 24 hours)",
    )
    titrate.add_argument(
        "--override",
        action="append",
        type=_override,
        default=[],
        metavar="RULE_ID=REASON",
        help="cross a soft limit, giving the reason (repeat for several)",
    )
    common(titrate)

    refill = sub.add_parser("refill", help="pump refill arithmetic and residual check")
    refill.add_argument("--reservoir", required=True, help='reservoir size, "20 mL" or "40 mL"')
    refill.add_argument("--fill-volume", help="volume put in, if less than the reservoir size")
    refill.add_argument("--concentration", required=True, help='such as "2000 mcg/mL"')
    refill.add_argument(
        "--diluted", action="store_true", help="the concentration is a documented dilution"
    )
    refill.add_argument("--daily-dose", help='the programmed daily dose, such as "400 mcg/day"')
    refill.add_argument(
        "--flex-step",
        action="append",
        type=_flex_step,
        default=[],
        metavar="DURATION=RATE",
        help="the programmed dose as a flex program step (repeat; the steps cover 24 hours)",
    )
    refill.add_argument(
        "--alarm-volume", required=True, help='low-reservoir alarm volume, such as "2 mL"'
    )
    refill.add_argument("--start", help="the refill date, YYYY-MM-DD (dates shown only with it)")
    refill.add_argument("--residual", help='the measured residual volume, such as "3.1 mL"')
    refill.add_argument("--previous-fill", help="the previous fill date, YYYY-MM-DD")
    refill.add_argument("--previous-fill-volume", help="volume put in at the previous fill")
    refill.add_argument("--previous-concentration", help="the previous fill's concentration")
    refill.add_argument("--previous-daily-dose", help="the daily dose since the previous fill")
    refill.add_argument(
        "--confirm-concentration-change",
        action="store_true",
        help="confirm a concentration different from the previous fill",
    )
    refill.add_argument("--margin-policy", help="refill margin policy (default: the longer)")
    common(refill)

    taper = sub.add_parser("taper", help="a supervised intrathecal taper")
    taper.add_argument("--current", required=True, help='today\'s daily dose, "600 mcg/day"')
    taper.add_argument(
        "--first-dose", required=True, help="the first post-implant daily dose (the floor)"
    )
    taper.add_argument("--start", required=True, help="first day, YYYY-MM-DD (no default)")
    taper.add_argument("--step", help='largest cut per step (default: rule data, "20 %%")')
    taper.add_argument("--every", help='days between steps (default: rule data, "2 days")')
    common(taper)
    return _intrathecal


# Each subcommand: a function that adds its parser and returns the function that runs it.
_COMMANDS: tuple[Callable[[Any], Command], ...] = (
    _add_titrate,
    _add_rules,
    _add_intrathecal,
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


def _dose_or_flex(args: argparse.Namespace, option: str, value: object) -> object:
    from .intrathecal import FlexProgram

    if args.flex_step and value is not None:
        raise _UsageError(f"give {option} or --flex-step, not both")
    if args.flex_step:
        return FlexProgram.from_steps(args.flex_step)
    if value is None:
        raise _UsageError(f"{option} (or --flex-step) is required")
    return value


def _intrathecal(args: argparse.Namespace) -> str:
    from . import intrathecal as it
    from .render import intrathecal as render
    from .rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    result: render.Result
    if args.it_command == "screening":
        result = it.plan_screening(
            concentration=args.concentration, child=args.child, rules=ruleset
        )
    elif args.it_command == "initial":
        result = it.plan_initial_dose(
            screening_dose=args.screening_dose,
            effect_duration=args.effect_duration,
            screening_side_effects=args.side_effects_at_screening,
            rules=ruleset,
        )
    elif args.it_command == "titrate":
        overrides: dict[str, str] = {}
        for rule_id, reason in args.override:
            if rule_id in overrides:
                raise _UsageError(f"--override {rule_id} is given twice")
            overrides[rule_id] = reason
        result = it.titration_bounds(
            current=_dose_or_flex(args, "--current", args.current),
            origin=args.origin,
            child=args.child,
            at_refill=args.at_refill,
            proposed=args.proposed,
            overrides=overrides or None,
            rules=ruleset,
        )
    elif args.it_command == "refill":
        result = it.plan_refill(
            reservoir=args.reservoir,
            concentration=args.concentration,
            daily_dose=_dose_or_flex(args, "--daily-dose", args.daily_dose),
            alarm_volume=args.alarm_volume,
            fill_volume=args.fill_volume,
            diluted=args.diluted,
            start=args.start,
            residual=args.residual,
            previous_fill=args.previous_fill,
            previous_fill_volume=args.previous_fill_volume,
            previous_concentration=args.previous_concentration,
            previous_daily_dose=args.previous_daily_dose,
            confirm_concentration_change=args.confirm_concentration_change,
            margin_policy=args.margin_policy,
            rules=ruleset,
        )
    else:
        result = it.plan_intrathecal_taper(
            current=args.current,
            first_dose=args.first_dose,
            start=args.start,
            step=args.step,
            interval=args.every,
            rules=ruleset,
        )
    if args.format == "json":
        return render.to_json(result)
    if args.format == "text":
        return render.text(result)
    return render.table(result, rules=ruleset)


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
