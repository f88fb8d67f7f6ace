"""``baclofen-dose intrathecal ...``: screening, first dose, titration, pump refill, taper.

Doses are in mcg; no dose is ever converted from an oral one. Each subcommand is named
``intrathecal <name>`` in the field tables (:mod:`baclofen_dose.cli.fields`).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from baclofen_dose.cli import fhir, options
from baclofen_dose.cli.oral import Command

if TYPE_CHECKING:
    from baclofen_dose.core.rules import RuleSet
    from baclofen_dose.core.types import IntrathecalDailyInput

__all__ = ["add_intrathecal", "run_intrathecal"]


def _common(parser: argparse.ArgumentParser, *, order: bool = False) -> None:
    """Rules file and output form; a subcommand that makes an order can also write FHIR."""
    options.add_rules_file(parser)
    parser.add_argument(
        "--format",
        choices=("table", "text", "json", *(fhir.FORMATS if order else ())),
        default="table",
        help="output form" + (" (fhir-r4, fhir-r5: a FHIR MedicationRequest)" if order else ""),
    )


def _flex(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--flex-step",
        action="append",
        type=options.flex_step,
        default=[],
        metavar="DURATION=RATE",
        help=help_text,
    )


def add_intrathecal(commands: Any) -> Command:
    """``intrathecal`` and its five subcommands."""
    group = commands.add_parser(
        "intrathecal",
        help="intrathecal baclofen: screening, first dose, titration, pump refill, taper",
        description="Intrathecal baclofen (doses in mcg; no conversion from oral doses).",
    )
    # The metavar names the subcommand in errors ("required: COMMAND"), not the internal dest.
    sub = group.add_subparsers(
        dest="it_command", metavar="COMMAND", required=True, parser_class=options.Parser
    )

    screening = sub.add_parser(
        "screening", help="the screening bolus sequence (50 mcg/mL strength only)"
    )
    screening.add_argument(
        "--concentration", help='the screening strength, "50 mcg/mL" (the only one allowed)'
    )
    screening.add_argument(
        "--child", action="store_true", help="a small child: 25, 50 and 75 mcg (3 boluses)"
    )
    screening.add_argument(
        "--age", help='the patient\'s age, such as "3 years" (a finding below the labelled age)'
    )
    _common(screening, order=True)

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
    _common(initial, order=True)

    titrate = sub.add_parser("titrate", help="the dose changes allowed from today's daily dose")
    titrate.add_argument("--current", help='today\'s daily dose, such as "300 mcg/day"')
    titrate.add_argument("--origin", required=True, help="spinal or cerebral (no default)")
    titrate.add_argument(
        "--child", action="store_true", help="a child (cerebral-origin titration rules)"
    )
    titrate.add_argument("--at-refill", action="store_true", help="a change made at a refill visit")
    titrate.add_argument("--proposed", help='a daily dose to check, such as "380 mcg/day"')
    _flex(titrate, "today's dose as a flex program step (repeat; the steps cover 24 hours)")
    options.add_override(titrate, "cross a soft limit, giving the reason (repeat for several)")
    _common(titrate, order=True)

    refill = sub.add_parser("refill", help="pump refill arithmetic and residual check")
    refill.add_argument("--reservoir", required=True, help='reservoir size, "20 mL" or "40 mL"')
    refill.add_argument("--fill-volume", help="volume put in, if less than the reservoir size")
    refill.add_argument("--concentration", required=True, help='such as "2000 mcg/mL"')
    refill.add_argument(
        "--diluted", action="store_true", help="the concentration is a documented dilution"
    )
    refill.add_argument("--daily-dose", help='the programmed daily dose, such as "400 mcg/day"')
    _flex(refill, "the programmed dose as a flex program step (repeat; the steps cover 24 hours)")
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
    refill.add_argument(
        "--confirm-per-hour-total",
        action="store_true",
        help="confirm a daily dose entered per hour whose 24-hour total is far above the "
        "previous daily dose",
    )
    refill.add_argument("--margin-policy", help="refill margin policy (default: the longer)")
    refill.add_argument(
        "--stability-policy",
        help="maximum refill interval policy (default: study_2023_180_days; or cheo_11_weeks)",
    )
    _common(refill)

    taper = sub.add_parser("taper", help="a supervised intrathecal taper")
    taper.add_argument("--current", required=True, help='today\'s daily dose, "600 mcg/day"')
    taper.add_argument(
        "--first-dose", required=True, help="the first post-implant daily dose (the floor)"
    )
    taper.add_argument("--start", required=True, help="first day, YYYY-MM-DD (no default)")
    taper.add_argument("--step", help='largest cut per step (default: rule data, "20 %%")')
    taper.add_argument("--every", help='days between steps (default: rule data, "2 days")')
    options.add_override(taper, "cross a soft limit, giving the reason (repeat for several)")
    _common(taper, order=True)
    return run_intrathecal


def _dose_or_flex(
    args: argparse.Namespace, option: str, value: str | None
) -> IntrathecalDailyInput:
    from baclofen_dose.intrathecal import FlexProgram

    if args.flex_step and value is not None:
        raise options.UsageError(f"give {option} or --flex-step, not both")
    if args.flex_step:
        return FlexProgram.from_steps(args.flex_step)
    if value is None:
        raise options.UsageError(f"{option} (or --flex-step) is required")
    return value


def _result(args: argparse.Namespace, rules: RuleSet) -> Any:
    """The library's result for the intrathecal subcommand in ``args``."""
    from baclofen_dose import intrathecal as it

    if args.it_command == "screening":
        return it.plan_screening(
            concentration=args.concentration, child=args.child, age=args.age, rules=rules
        )
    if args.it_command == "initial":
        return it.plan_initial_dose(
            screening_dose=args.screening_dose,
            effect_duration=args.effect_duration,
            screening_side_effects=args.side_effects_at_screening,
            rules=rules,
        )
    if args.it_command == "titrate":
        return it.titration_bounds(
            daily_dose=_dose_or_flex(args, "--current", args.current),
            origin=args.origin,
            child=args.child,
            at_refill=args.at_refill,
            proposed=args.proposed,
            overrides=options.overrides(args) or None,
            rules=rules,
        )
    if args.it_command == "refill":
        return it.plan_refill(
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
            confirm_per_hour_total=args.confirm_per_hour_total,
            margin_policy=args.margin_policy,
            stability_policy=args.stability_policy,
            rules=rules,
        )
    return it.plan_intrathecal_taper(
        daily_dose=args.current,
        first_dose=args.first_dose,
        start=args.start,
        step=args.step,
        interval=args.every,
        overrides=options.overrides(args) or None,
        rules=rules,
    )


def run_intrathecal(args: argparse.Namespace) -> str:
    """Run the intrathecal subcommand and render its result."""
    from baclofen_dose.render import intrathecal as render

    rules = options.ruleset(args)
    result = _result(args, rules)
    if args.format == "json":
        return render.to_json(result)
    if fhir.is_fhir(args.format):
        if getattr(result, "proposed_daily_mcg", 0) is None:
            raise options.UsageError(
                "--format " + args.format + " writes an order: give --proposed (the new daily "
                "dose); without it titrate gives bounds, not an order"
            )
        return fhir.render(result, args.format, rules)
    if args.format == "text":
        return render.text(result)
    return render.table(result, rules=rules)
