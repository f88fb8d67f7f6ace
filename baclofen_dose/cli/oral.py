"""The oral subcommands: titrate, taper, missed-dose, renal, and the rules listing.

Each ``add_*`` function adds its parser and returns the function that runs it; a runner
takes the parsed arguments and returns the text to print. Library errors pass through (the
caller writes them with the subcommand's option names); a soft-limit refusal becomes a
:class:`RefusedError` carrying the command-line hint.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from baclofen_dose.cli import fhir, options
from baclofen_dose.cli.plot import add_plot as _add_plot
from baclofen_dose.cli.plot import plot as _plot
from baclofen_dose.core.errors import BaclofenDoseError, OverrideRequired, shown

if TYPE_CHECKING:
    from baclofen_dose.core.rules import RuleSet

__all__ = [
    "Command",
    "add_missed_dose",
    "add_renal",
    "add_rules",
    "add_taper",
    "add_titrate",
    "refusal",
]

Command = Callable[[argparse.Namespace], str]

_FORMATS_HELP = (
    "output form (ics: an iCalendar file, [calendar] extra; html and pdf: the patient "
    "handout, [handout] and [pdf] extras; pdf needs -o FILE; fhir-r4, fhir-r5: a FHIR "
    "MedicationRequest)"
)
# What --format needs installed: the import that fails without it, and its extra.
_EXTRAS = {"ics": ("icalendar", "calendar"), "html": ("jinja2", "handout"), "pdf": ("typst", "pdf")}

# The largest plan file missed-dose reads (a plan of a year of daily steps is far smaller).
_PLAN_MAX_BYTES = 1_048_576


def refusal(error: OverrideRequired, rules: RuleSet, chosen: str | None) -> options.RefusedError:
    """A soft-limit refusal with the command-line hint, naming the other maximum policies."""
    hint = " (command line: --override RULE_ID=REASON)" + _policy_hint(error, rules, chosen)
    return options.RefusedError(str(error) + hint)


def _policy_hint(error: OverrideRequired, rules: RuleSet, chosen: str | None) -> str:
    """Name the other maximum policies when the crossing is a policy's own maximum."""
    from baclofen_dose.oral.titration import MAX_POLICY

    if not any(c.rule_id in rules and rules[c.rule_id].policy for c in error.crossings):
        return ""
    current = chosen or rules.policy_default(MAX_POLICY)
    others = [p for p in rules.policy_choices(MAX_POLICY) if p != current]
    return f"; or choose another --max-policy ({', '.join(others)})" if others else ""


def add_titrate(commands: Any) -> Command:
    """``titrate``: an adult (or child) oral titration plan."""
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
    titrate.add_argument(
        "--times-per-day", type=options.times_a_day, help="doses a day from the start: 3 or 4"
    )
    titrate.add_argument("--max-policy", help="maximum policy (default: us_label)")
    titrate.add_argument(
        "--older-adult-policy",
        help="older-adult schedule from 65 (default: start_low_go_slow; or adult_label)",
    )
    titrate.add_argument(
        "--adolescent-policy",
        help="ages 12 to under 18 (default: weight_based; or us_adult_label)",
    )
    options.add_override(titrate, "cross a soft limit, giving the reason (repeat for several)")
    options.add_rules_file(titrate)
    titrate.add_argument(
        "--format",
        choices=("table", "text", "json", "ics", "html", "pdf", *fhir.FORMATS),
        default="table",
        help=_FORMATS_HELP,
    )
    titrate.add_argument(
        "--product",
        action="append",
        metavar="PRODUCT",
        help='give the doses with this product, such as "10 mg tablet" (repeat for several): '
        "each step then lists the units per dose, and the plan what to dispense",
    )
    add_schedule_options(titrate)
    options.add_patient_options(titrate)
    _add_plot(titrate)
    return run_titrate


def add_schedule_options(parser: argparse.ArgumentParser) -> None:
    """``--times``: the clock time of each dose of the day on the printed schedule, and
    ``--tz``: their time zone in a calendar (issue 14)."""
    parser.add_argument(
        "--times",
        type=clock_list,
        metavar="HH:MM,...",
        help='clock time of each dose of the day, in order, such as "08:00,14:00,20:00" '
        "(one per dose): shown with every dose",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the output to FILE instead of the screen (needed for --format pdf)",
    )
    parser.add_argument(
        "--tz",
        help='IANA time zone of --times for --format ics, such as "Europe/London" (required '
        "with --times there; the machine's zone is never used)",
    )


def only_for_calendar(args: argparse.Namespace) -> None:
    """``--tz`` means something only in a calendar: refuse it elsewhere rather than ignore it."""
    if args.tz is not None and args.format != "ics":
        raise options.UsageError("--tz: only with --format ics (the printed times have no zone)")


def handout(plan: Any, args: argparse.Namespace) -> str | bytes:
    """The plan in one of the forms that need an extra: ``ics``, ``html``, ``pdf``."""
    module, extra = _EXTRAS[args.format]
    try:
        __import__(module)
    except ImportError:
        raise options.UsageError(
            f'--format {args.format} needs the {extra} extra: pip install "baclofen-dose[{extra}]"'
        ) from None
    if args.format == "ics":
        from baclofen_dose.render.ics import to_ics

        return to_ics(plan, times=args.times, tz=args.tz)
    from baclofen_dose.render.handout import to_html, to_pdf

    if args.format == "html":
        return to_html(plan, times=args.times, rules=options.ruleset(args))
    return to_pdf(plan, times=args.times, rules=options.ruleset(args))


def emit(output: str | bytes, args: argparse.Namespace) -> str:
    """The output for the screen, or "" after writing it to ``--output`` (a PDF must go to a
    file: binary bytes are never written to a terminal). ``-o -`` is standard output, as
    usual: text goes to the screen, and a PDF only to a pipe or a redirection."""
    path = getattr(args, "output", None)
    if path == "-" and isinstance(output, bytes) and not sys.stdout.isatty():
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
        sys.stdout.buffer.flush()
        return ""
    if path is None or path == "-":
        if isinstance(output, bytes):
            raise options.UsageError(
                f"--format {args.format} writes a binary file: give -o FILE (such as -o plan.pdf)"
                + ("" if path is None else ", or -o - into a pipe, not a terminal")
            )
        return output
    data = output if isinstance(output, bytes) else output.encode("utf-8")
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        problem = f"--output {shown(path)}: cannot be written: {exc.strerror}"
        raise options.UsageError(problem) from None
    return ""


def clock_list(text: str) -> list[str]:
    """``--times`` as a list ("08:00,14:00" -> ["08:00", "14:00"]); the library checks each."""
    return text.split(",")


def run_titrate(args: argparse.Namespace) -> str:
    """Plan a titration and render it."""
    from baclofen_dose import render
    from baclofen_dose.oral.titration import plan_titration
    from baclofen_dose.render.lines import fit
    from baclofen_dose.render.messages import finding_text

    rules = options.ruleset(args)
    overrides = options.overrides(args)
    only_for_calendar(args)
    try:
        plan = plan_titration(
            start=args.start,
            target=args.target,
            step=args.step,
            interval=args.every,
            times_per_day=args.times_per_day,
            max_policy=args.max_policy,
            overrides=overrides or None,
            rules=rules,
            **({} if args.product is None else {"product": args.product}),
            patient=options.patient(args, rules),
            renal_policy=args.renal_policy,
            weight_policy=args.weight_policy,
            older_adult_policy=args.older_adult_policy,
            adolescent_policy=args.adolescent_policy,
        )
    except OverrideRequired as exc:
        raise refusal(exc, rules, args.max_policy) from None
    if args.plot:
        _plot(args.plot, plan, rules, options.patient(args, rules))
    if args.format == "json":
        return emit(render.to_json(plan), args)
    if fhir.is_fhir(args.format):
        return emit(fhir.render(plan, args.format, rules), args)
    if args.format in _EXTRAS:
        return emit(handout(plan, args), args)
    if args.format == "text":
        lines = render.instructions(plan, times=args.times)
        lines += [
            f"{f.severity}: {finding_text(f)}" for f in plan.findings if f.severity == "warning"
        ]
        return emit("\n".join(fit([*lines, render.INTENDED_USE])) + "\n", args)
    return emit(render.table(plan, rules=rules, times=args.times), args)


def add_rules(commands: Any) -> Command:
    """``rules``: list every rule with its value and source."""
    rules = commands.add_parser("rules", help="list every rule with its value and source")
    rules.add_argument("--rules", help="a rule file to list instead of the bundled rules")
    rules.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="text for people; markdown (with URLs and the SHA-256) for docs/rules.md",
    )
    return run_rules


def run_rules(args: argparse.Namespace) -> str:
    """List the rules."""
    from baclofen_dose.render.rules_table import rules_markdown, rules_text

    rules = options.ruleset(args)
    return rules_markdown(rules) if args.format == "markdown" else rules_text(rules)


def add_taper(commands: Any) -> Command:
    """``taper``: an oral taper to zero."""
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
    taper.add_argument(
        "--times-per-day", type=options.times_a_day, help="doses a day now (no default)"
    )
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
        "--reduce-first",
        type=options.count,
        help="which dose of the day to reduce first (default 1)",
    )
    taper.add_argument(
        "--product",
        action="append",
        metavar="PRODUCT",
        help='a product to use, such as "10 mg tablet" or "5 mg/mL suspension" (repeat for '
        "several tablet strengths); default: the best single tablet strength",
    )
    taper.add_argument("--max-policy", help="maximum policy (default: us_label)")
    options.add_override(
        taper, "cross a soft limit (such as oral.taper.duration.min), giving the reason"
    )
    options.add_rules_file(taper)
    taper.add_argument(
        "--format",
        choices=("table", "text", "json", "csv", "ics", "html", "pdf", *fhir.FORMATS),
        default="table",
        help=_FORMATS_HELP,
    )
    add_schedule_options(taper)
    _add_plot(taper)
    return run_taper


def run_taper(args: argparse.Namespace) -> str:
    """Plan a taper and render it."""
    from baclofen_dose import render
    from baclofen_dose.oral.taper import plan_taper

    rules = options.ruleset(args)
    only_for_calendar(args)
    one = len(args.current) == 1
    try:
        plan = plan_taper(
            dose=args.current[0] if one else None,
            doses=None if one else args.current,
            times_per_day=args.times_per_day,
            start=args.start,
            over=args.over,
            step=args.step,
            interval=args.every,
            reduce_first=args.reduce_first,
            product=args.product,
            max_policy=args.max_policy,
            overrides=options.overrides(args) or None,
            rules=rules,
        )
    except OverrideRequired as exc:
        raise refusal(exc, rules, args.max_policy) from None
    if args.plot:
        _plot(args.plot, plan, rules, None)
    if args.format == "json":
        return emit(render.to_json(plan), args)
    if args.format == "csv":
        return emit(render.to_csv(plan), args)
    if fhir.is_fhir(args.format):
        return emit(fhir.render(plan, args.format, rules), args)
    if args.format in _EXTRAS:
        return emit(handout(plan, args), args)
    if args.format == "text":
        return emit(render.protocol.text(plan, times=args.times), args)
    return emit(render.table(plan, rules=rules, times=args.times), args)


def add_missed_dose(commands: Any) -> Command:
    """``missed-dose``: take now or skip, for a dose missed from a saved plan."""
    missed = commands.add_parser(
        "missed-dose",
        help="advise take now or skip for a missed dose of a plan (never double)",
        description="Advise whether to take a missed dose now or skip it (NHS: skip when "
        "less than 2 hours remain until the next dose). Every time is given explicitly.",
    )
    source = missed.add_mutually_exclusive_group(required=True)
    source.add_argument("--plan", help="a plan written by titrate or taper with --format json")
    source.add_argument(
        "--dose",
        help='a steady regimen instead of a plan: the dose taken at each of --times, "10 mg"',
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
    missed.add_argument(
        "--doses-missed",
        type=int,
        default=1,
        help="how many doses in a row were missed, from --missed on (default 1); more than one, "
        "or a day or more, means: skip them all, go on, and contact the prescriber",
    )
    options.add_rules_file(missed)
    missed.add_argument("--format", choices=("text", "json"), default="text", help="output form")
    return run_missed_dose


def _when(text: str, option: str) -> tuple[str, str]:
    day, sep, clock = text.partition(" ")
    if not sep:
        raise options.UsageError(
            f"{option}: {shown(text)}: expected a date and a time, such as '2026-03-03 08:00'"
        )
    return day, clock


def _read_plan(path: str) -> Any:
    """The plan saved in ``path`` (read through the library's JSON reader, which re-checks it)."""
    from baclofen_dose.render import from_json

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(_PLAN_MAX_BYTES)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise options.UsageError(f"--plan {shown(path)}: cannot be read: {reason}") from None
    try:
        return from_json(text)
    except BaclofenDoseError as exc:
        raise options.UsageError(f"--plan {shown(path)}: {exc}") from None


def run_missed_dose(args: argparse.Namespace) -> str:
    """Advise on a missed dose and render the advice."""
    from baclofen_dose import render
    from baclofen_dose.oral.missed import advise_missed_dose

    rules = options.ruleset(args)
    if args.plan is not None:
        plan = _read_plan(args.plan)
    else:
        from baclofen_dose.core import units
        from baclofen_dose.oral.regimen import OralRegimen

        dose = units.parse(args.dose, units.ORAL_DOSE, "dose")
        plan = OralRegimen((dose,) * len(args.times.split(",")))
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
        doses_missed=args.doses_missed,
        rules=rules,
    )
    if args.format == "json":
        return render.to_json(advice)
    text = render.protocol.text(advice)
    if args.plan is None:
        # A regimen typed on the command line is not a checked plan: judge it as an order and
        # show what crosses a limit before the advice is followed.
        from baclofen_dose.check import check_order
        from baclofen_dose.render.missed import regimen_check_lines

        judged = check_order(doses=[args.dose] * len(args.times.split(",")), rules=rules)
        text += "".join(line + "\n" for line in regimen_check_lines(judged.findings))
    return text


def add_renal(commands: Any) -> Command:
    """``renal``: kidney function and the renal dose policy."""
    renal = commands.add_parser(
        "renal",
        help="kidney function (Cockcroft-Gault, CKD-EPI 2021) and the renal dose policy",
        description=(
            "Estimate creatinine clearance and eGFR with their basis (equation, weight, "
            "creatinine in mg/dL and the conversion factor) and show what the renal dose policy "
            "makes of them."
        ),
    )
    options.add_patient_options(renal)
    options.add_rules_file(renal)
    renal.add_argument("--format", choices=("text", "json"), default="text", help="output form")
    return run_renal


def run_renal(args: argparse.Namespace) -> str:
    """Assess kidney function and render it."""
    from baclofen_dose.oral.renal import renal_report
    from baclofen_dose.render.renal import renal_json, renal_text

    rules = options.ruleset(args)
    patient = options.patient(args, rules)
    if patient is None:
        raise options.UsageError(
            "renal needs the patient: --age, --sex, --weight and --scr at least"
        )
    result = renal_report(
        patient,
        renal_policy=args.renal_policy,
        weight_policy=args.weight_policy,
        rules=rules,
    )
    if args.format == "json":
        return renal_json(result)
    return renal_text(result, rules=rules)
