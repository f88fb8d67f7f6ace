"""The command-line tool: a thin layer from arguments to the library to a renderer.

Exit codes: 0 success; 2 bad input (one line on stderr, no traceback); 3 a limit refused the
request (the line names the rule, and for a soft limit the override that would be needed).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from baclofen_dose._version import VERSION
from baclofen_dose.core.errors import BaclofenDoseError, LimitError, OverrideRequired
from baclofen_dose.render.messages import finding_text

if TYPE_CHECKING:
    from baclofen_dose.core.rules import RuleSet
    from baclofen_dose.oral.regimen import OralPlan

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


def _add_override(parser: argparse.ArgumentParser, help_text: str) -> None:
    """The repeatable ``--override RULE_ID=REASON`` option (soft limits only)."""
    parser.add_argument(
        "--override",
        action="append",
        type=_override,
        default=[],
        metavar="RULE_ID=REASON",
        help=help_text,
    )


def _add_rules_file(parser: argparse.ArgumentParser) -> None:
    """The ``--rules FILE`` option: an institution's rule file instead of the bundled one."""
    parser.add_argument("--rules", help="a rule file to use instead of the bundled rules")


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
    _add_override(titrate, "cross a soft limit, giving the reason (repeat for several)")
    _add_rules_file(titrate)
    titrate.add_argument(
        "--format", choices=("table", "text", "json"), default="table", help="output form"
    )
    titrate.add_argument(
        "--product",
        action="append",
        metavar="PRODUCT",
        help='give the doses with this product, such as "10 mg tablet" (repeat for several): '
        "each step then lists the units per dose, and the plan what to dispense",
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


def _add_taper(commands: Any) -> Command:
    taper = commands.add_parser(
        "taper",
        help="plan an oral taper to zero, with tablets (or a liquid) and what to dispense",
        description="Plan an oral taper from the current regimen to zero. The default reaches "
        "zero over at least 2 weeks in steps of 10 mg/day; faster needs --override.",
    )
    taper.add_argument(
        "--from",
        dest="current",
        action="append",
        required=True,
        metavar="DOSE",
        help='the current dose per administration, such as "20 mg" (with --times-per-day), '
        "or once per dose of the day in order when they differ",
    )
    taper.add_argument("--times-per-day", type=int, help="doses a day now (no default)")
    taper.add_argument(
        "--start",
        required=True,
        help="first day of the first reduced dose, YYYY-MM-DD (no default)",
    )
    taper.add_argument("--over", help='total duration asked for, such as "3 weeks"')
    taper.add_argument(
        "--step", help='reduction per step: "5 mg/day", or "20 %%" of the current daily dose'
    )
    taper.add_argument("--every", help='days per step, such as "3 days"')
    taper.add_argument(
        "--reduce-first", type=int, help="which dose of the day to reduce first (default 1)"
    )
    taper.add_argument(
        "--product",
        action="append",
        metavar="PRODUCT",
        help='a product to use, such as "10 mg tablet" or "5 mg/mL suspension" (repeat for '
        "several tablet strengths); default: the best single tablet strength",
    )
    taper.add_argument("--max-policy", help="maximum policy (default: us_label)")
    _add_override(taper, "cross a soft limit (such as oral.taper.duration.min), giving the reason")
    _add_rules_file(taper)
    taper.add_argument(
        "--format",
        choices=("table", "text", "json", "csv"),
        default="table",
        help="output form",
    )
    return _taper


def _add_missed_dose(commands: Any) -> Command:
    missed = commands.add_parser(
        "missed-dose",
        help="advise take now or skip for a missed dose of a plan (never double)",
        description="Advise whether to take a missed dose now or skip it (NHS: skip when "
        "less than 2 hours remain until the next dose). Every time is given explicitly.",
    )
    missed.add_argument(
        "--plan", required=True, help="a plan written by titrate or taper with --format json"
    )
    missed.add_argument(
        "--times",
        required=True,
        help='clock times of the doses on the missed day, in order, such as "08:00,14:00,20:00"',
    )
    missed.add_argument(
        "--missed", required=True, help='date and time of the missed dose: "2026-03-03 08:00"'
    )
    missed.add_argument("--now", required=True, help='date and time now: "2026-03-03 12:30"')
    missed.add_argument(
        "--next", help="date and time of the next dose, if the number of doses changes next day"
    )
    _add_rules_file(missed)
    missed.add_argument("--format", choices=("text", "json"), default="text", help="output form")
    return _missed_dose


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
        _add_rules_file(parser)
        parser.add_argument(
            "--format", choices=("table", "text", "json"), default="table", help="output form"
        )

    screening = sub.add_parser(
        "screening", help="the screening bolus sequence (50 mcg/mL strength only)"
    )
    screening.add_argument(
        "--concentration", help='the screening strength, "50 mcg/mL" (the only one allowed)'
    )
    screening.add_argument("--child", action="store_true", help="a small child: start at 25 mcg")
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
    titrate.add_argument("--at-refill", action="store_true", help="a change made at a refill visit")
    titrate.add_argument("--proposed", help='a daily dose to check, such as "380 mcg/day"')
    titrate.add_argument(
        "--flex-step",
        action="append",
        type=_flex_step,
        default=[],
        metavar="DURATION=RATE",
        help="today's dose as a flex program step (repeat; the steps cover 24 hours)",
    )
    _add_override(titrate, "cross a soft limit, giving the reason (repeat for several)")
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
    group.add_argument("--weight-policy", help="body weight for Cockcroft-Gault (default: actual)")
    group.add_argument("--renal-policy", help="renal dose policy (default: vlavonou2014)")


_PATIENT_OPTIONS = ("age", "born", "as_of", "sex", "weight", "height", "scr", "dialysis")


def _patient(args: argparse.Namespace, rules: Any) -> Any:
    """A Patient from the options, or None when no patient option was given."""
    from baclofen_dose.oral.patient import Patient

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
    _add_rules_file(renal)
    renal.add_argument("--format", choices=("text", "json"), default="text", help="output form")
    return _renal


def _renal(args: argparse.Namespace) -> str:
    from baclofen_dose.core.rules import default_rules, load_rules
    from baclofen_dose.oral.renal import renal_report as report
    from baclofen_dose.render.renal import renal_json, renal_text

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
    _add_taper,
    _add_missed_dose,
    _add_intrathecal,
    _add_renal,
)


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for rule_id, reason in args.override:
        if rule_id in overrides:
            raise _UsageError(f"--override {rule_id} is given twice")
        overrides[rule_id] = reason
    return overrides


def _taper(args: argparse.Namespace) -> str:
    from baclofen_dose import render
    from baclofen_dose.core.rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    current: object = args.current[0] if len(args.current) == 1 else args.current
    try:
        plan = _taper_plan(args, ruleset, current)
    except OverrideRequired as exc:
        raise _RefusedError(
            str(exc)
            + " (command line: --override RULE_ID=REASON)"
            + _policy_hint(exc, ruleset, args.max_policy)
        ) from None
    if args.format == "json":
        return render.to_json(plan)
    if args.format == "csv":
        return render.to_csv(plan)
    if args.format == "text":
        return "\n".join([*render.instructions(plan), render.INTENDED_USE]) + "\n"
    return render.table(plan, rules=ruleset)


def _taper_plan(args: argparse.Namespace, ruleset: RuleSet, current: object) -> OralPlan:
    from baclofen_dose.oral.taper import plan_taper

    return plan_taper(
        current=current,
        times_per_day=args.times_per_day,
        start=args.start,
        over=args.over,
        step=args.step,
        every=args.every,
        reduce_first=args.reduce_first,
        product=args.product,
        max_policy=args.max_policy,
        overrides=_overrides(args) or None,
        rules=ruleset,
    )


def _when(text: str, option: str) -> tuple[str, str]:
    day, sep, clock = text.partition(" ")
    if not sep:
        raise _UsageError(
            f"{option} {text!r}: expected a date and a time, such as '2026-03-03 08:00'"
        )
    return day, clock


def _missed_dose(args: argparse.Namespace) -> str:
    from baclofen_dose.core.rules import default_rules, load_rules
    from baclofen_dose.oral.missed import advise_missed_dose
    from baclofen_dose.render import INTENDED_USE, from_json

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    try:
        with open(args.plan, encoding="utf-8") as handle:
            text = handle.read(1_048_576)
    except OSError as exc:
        raise _UsageError(f"--plan {args.plan!r}: cannot be read: {exc.strerror}") from None
    plan = from_json(text)
    day, missed_at = _when(args.missed, "--missed")
    now_day, now_at = _when(args.now, "--now")
    advice = advise_missed_dose(
        plan,
        times=args.times.split(","),
        day=day,
        missed_at=missed_at,
        now_day=now_day,
        now_at=now_at,
        next_dose=None if args.next is None else _when(args.next, "--next"),
        rules=ruleset,
    )
    if args.format == "json":
        import json

        data = {
            "action": advice.action,
            "dose": {"value": str(advice.dose_mg), "unit": "mg"},
            "missed": f"{advice.day.isoformat()} {advice.missed_at}",
            "now": f"{advice.now_day.isoformat()} {advice.now_at}",
            "next": None
            if advice.next_day is None
            else f"{advice.next_day.isoformat()} {advice.next_at}",
            "text": advice.text(),
            "rule_ids": list(advice.provenance.rule_ids),
            "ruleset_sha256": advice.provenance.ruleset_sha256,
            "intended_use": INTENDED_USE,
        }
        return json.dumps(data, indent=2) + "\n"
    lines = [advice.text()]
    lines += [f"{f.severity}: {finding_text(f)} (rule {f.rule_id})" for f in advice.findings]
    return "\n".join([*lines, INTENDED_USE]) + "\n"


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
    from baclofen_dose import render
    from baclofen_dose.core.rules import default_rules, load_rules

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    overrides = _overrides(args)
    try:
        plan = _plan(args, ruleset, overrides)
    except OverrideRequired as exc:
        raise _RefusedError(
            str(exc)
            + " (command line: --override RULE_ID=REASON)"
            + _policy_hint(exc, ruleset, args.max_policy)
        ) from None
    if args.format == "json":
        return render.to_json(plan)
    if args.format == "text":
        lines = render.instructions(plan)
        lines += [
            f"{f.severity}: {finding_text(f)}" for f in plan.findings if f.severity == "warning"
        ]
        return "\n".join([*lines, render.INTENDED_USE]) + "\n"
    return render.table(plan, rules=ruleset)


def _plan(args: argparse.Namespace, ruleset: RuleSet, overrides: dict[str, str]) -> OralPlan:
    from baclofen_dose.oral.titration import plan_titration

    return plan_titration(
        start=args.start,
        target=args.target,
        step=args.step,
        interval=args.every,
        times_per_day=args.times_per_day,
        max_policy=args.max_policy,
        overrides=overrides or None,
        rules=ruleset,
        **({} if args.product is None else {"product": args.product}),
        patient=_patient(args, ruleset),
        renal_policy=args.renal_policy,
        weight_policy=args.weight_policy,
    )


def _rules(args: argparse.Namespace) -> str:
    from baclofen_dose.core.rules import default_rules, load_rules
    from baclofen_dose.render.rules_table import rules_markdown, rules_text

    ruleset = default_rules() if args.rules is None else load_rules(args.rules)
    return rules_markdown(ruleset) if args.format == "markdown" else rules_text(ruleset)


def _dose_or_flex(args: argparse.Namespace, option: str, value: object) -> object:
    from baclofen_dose.intrathecal import FlexProgram

    if args.flex_step and value is not None:
        raise _UsageError(f"give {option} or --flex-step, not both")
    if args.flex_step:
        return FlexProgram.from_steps(args.flex_step)
    if value is None:
        raise _UsageError(f"{option} (or --flex-step) is required")
    return value


def _intrathecal(args: argparse.Namespace) -> str:
    from baclofen_dose import intrathecal as it
    from baclofen_dose.core.rules import default_rules, load_rules
    from baclofen_dose.render import intrathecal as render

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
        overrides = _overrides(args)
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


def _policy_hint(error: OverrideRequired, rules: RuleSet, chosen: str | None) -> str:
    """Name the other maximum policies when the crossing is a policy's own maximum."""
    from baclofen_dose.oral.titration import MAX_POLICY

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
    "patient.age": "--age",
    "patient.sex": "--sex",
    "patient.weight": "--weight",
    "patient.height": "--height",
    "patient.scr": "--scr",
    "patient.dialysis": "--dialysis or --no-dialysis",
    "current": "--from",
    "over": "--over",
    "every": "--every",
    "reduce_first": "--reduce-first",
    "product": "--product",
}


def _message(exc: BaclofenDoseError) -> str:
    text = str(exc)
    field = getattr(exc, "field", None)
    if isinstance(field, str):
        head = field.split("[", 1)[0]
        if head in _OPTIONS and text.startswith(field):
            text = _OPTIONS[head] + text[len(head) :]
            if head == "patient.dialysis":
                text = text.replace("expected True or False", "pass --dialysis or --no-dialysis")
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
        hint = (
            " (command line: --override RULE_ID=REASON)"
            if isinstance(exc, OverrideRequired)
            else ""
        )
        print(f"baclofen-dose: refused: {_message(exc)}{hint}", file=sys.stderr)
        return EXIT_LIMIT
    except BaclofenDoseError as exc:
        print(f"baclofen-dose: error: {_message(exc)}", file=sys.stderr)
        return EXIT_INPUT
    sys.stdout.write(output)
    return EXIT_OK
