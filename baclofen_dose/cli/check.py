"""``check``: judge an existing order (oral by default; ``check intrathecal`` for a pump dose).

The check always runs to the end and prints every finding (exit 0), whatever it found; a
script that must stop on findings passes ``--fail-on warning`` or ``--fail-on hard``, and the
tool then exits with :data:`EXIT_FINDINGS` (4) when a finding at that level or above is present.
"""

from __future__ import annotations

import argparse
from typing import Any, Final

from baclofen_dose.cli import fhir, options
from baclofen_dose.cli.oral import Command

__all__ = ["EXIT_FINDINGS", "CheckOutput", "add_check"]

EXIT_FINDINGS: Final = 4
"""The exit code of ``check --fail-on LEVEL`` when a finding at LEVEL or above is present."""


class CheckOutput(str):
    """The printed output, carrying the exit code ``--fail-on`` asks for."""

    exit_code: int = 0


# The options both ``check`` and ``check intrathecal`` take (dest, option). argparse lets a
# sub-command's values replace the parent's, so ``check --with oxycodone intrathecal ...``
# silently lost the co-medication: the sub-command's copies have their own dests (``it_``) and
# no default, and :func:`_merge_shared` joins the two.
_SHARED: Final = (
    ("medicines", "--with"),
    ("condition", "--condition"),
    ("override", "--override"),
    ("rules", "--rules"),
    ("interactions_extra", "--interactions-extra"),
    ("format", "--format"),
    ("fail_on", "--fail-on"),
)
_LISTS: Final = frozenset({"medicines", "condition", "override"})
# What an oral order is (``check``'s own options): none of it is read by ``check intrathecal``,
# and no dose is ever converted between routes, so giving one with it is refused.
_ORAL_ONLY: Final = (
    "dose", "times_per_day", "product", "units_per_dose", "start", "previous",
    "previous_times_per_day", "previous_start", "measured_crcl", "measured_egfr",
    "measured_method", "max_policy",
)  # fmt: skip
_PATIENT: Final = (
    "age", "born", "as_of", "sex", "weight", "height", "scr", "dialysis", "pregnant",
    "breastfeeding", "weight_policy", "renal_policy",
)  # fmt: skip


def _common(parser: argparse.ArgumentParser, prefix: str = "") -> None:
    def default(value: object) -> object:
        # The sub-command's copy sets nothing unless given, so the parent's value survives.
        return argparse.SUPPRESS if prefix else value

    parser.add_argument(
        "--with",
        dest=prefix + "medicines",
        action="append",
        default=default([]),
        metavar="MEDICINE",
        help='a co-medication by ingredient name or "RxCUI:<n>" (repeat for several)',
    )
    parser.add_argument(
        "--condition",
        dest=prefix + "condition",
        action="append",
        default=default([]),
        metavar="CONDITION",
        help='a condition key (such as "epilepsy") or an ICD-10-CM code (repeat for several)',
    )
    parser.add_argument(
        "--override",
        dest=prefix + "override",
        action="append",
        type=options.override,
        default=default([]),
        metavar="RULE_ID=REASON",
        help="acknowledge a soft limit, giving the reason (repeat)",
    )
    parser.add_argument(
        "--rules",
        dest=prefix + "rules",
        default=default(None),
        help="a rule file to use instead of the bundled rules",
    )
    parser.add_argument(
        "--interactions-extra",
        dest=prefix + "interactions_extra",
        default=default(None),
        help="an institution file that adds members and codes to the interaction table",
    )
    parser.add_argument(
        "--format",
        dest=prefix + "format",
        choices=("table", "text", "json", *fhir.FORMATS),
        # None is the table: so "--format table" given before 'intrathecal' and another
        # after it is seen as given twice, not as the default.
        default=default(None),
        help="output form (default: table; fhir-r4, fhir-r5: a Bundle of FHIR DetectedIssues)",
    )
    parser.add_argument(
        "--fail-on",
        dest=prefix + "fail_on",
        choices=("warning", "hard"),
        default=default(None),
        help=f"exit {EXIT_FINDINGS} when a finding at this severity or above is present",
    )


def _merge_shared(args: argparse.Namespace) -> None:
    """``check intrathecal``: the shared options given before and after ``intrathecal`` are
    one set (lists joined; a value given twice differently is refused), and an oral order's
    option given with it is refused, naming both (no route conversion, ever)."""
    if getattr(args, "fhir", None) is not None:
        raise options.UsageError(
            "--fhir reads the route from the file: give it to 'check' without 'intrathecal'"
        )
    for dest in (*_ORAL_ONLY, *_PATIENT):
        if getattr(args, dest, None) in (None, []):  # --no-dialysis (False) was given
            continue
        option = ("--no-" if getattr(args, dest) is False else "--") + dest.replace("_", "-")
        if dest in _PATIENT:
            raise options.UsageError(
                f"{option} is read by the oral check only; 'check intrathecal' does not read "
                "it (for a child give --child after 'intrathecal'): leave it out"
            )
        raise options.UsageError(
            f"{option} describes an oral order; 'check intrathecal' does not read it (an "
            "intrathecal order is a daily dose in mcg, never converted from an oral one): give "
            "it to 'check' without 'intrathecal', or leave it out"
        )
    for dest, option in _SHARED:
        inner = getattr(args, "it_" + dest, None)
        if inner is None:
            continue
        outer = getattr(args, dest)
        if dest in _LISTS:
            setattr(args, dest, [*outer, *inner])
        elif outer is not None and outer != inner:
            raise options.UsageError(
                f"{option} is given twice, before and after 'intrathecal' ({outer} and {inner})"
            )
        else:
            setattr(args, dest, inner)


def add_check(commands: Any) -> Command:
    """``check`` (oral order) and ``check intrathecal`` (intrathecal order)."""
    check = commands.add_parser(
        "check",
        help="check an existing order: limits, patient, co-medications and conditions",
        description=(
            "Judge an existing oral order exactly as written (never re-split or re-rounded) and "
            f"list every finding with its source. Exit 0 when the check ran; --fail-on exits "
            f"{EXIT_FINDINGS} on findings at that level."
        ),
    )
    check.add_argument(
        "--dose",
        action="append",
        metavar="DOSE",
        help='the dose of each administration, such as "15 mg" (repeat for unequal doses)',
    )
    check.add_argument("--times-per-day", type=options.times_a_day, help="doses a day, such as 3")
    check.add_argument("--product", help='the product, such as "10 mg tablet"')
    check.add_argument("--units-per-dose", help='units of the product per dose: "1.5", "3 mL"')
    check.add_argument("--start", help="the day the order starts, YYYY-MM-DD")
    check.add_argument(
        "--previous", action="append", metavar="DOSE", help="the previous regimen's dose(s)"
    )
    check.add_argument(
        "--previous-times-per-day",
        type=options.times_a_day,
        help="the previous regimen's doses a day",
    )
    check.add_argument("--previous-start", help="the day the previous regimen started")
    check.add_argument("--measured-crcl", help='a measured or known CrCl, such as "25 mL/min"')
    check.add_argument("--measured-egfr", help='a known eGFR, such as "40 mL/min/1.73 m2"')
    check.add_argument(
        "--measured-method",
        help="how it was obtained: cockcroft_gault, ckd_epi_2021, timed_urine or other",
    )
    check.add_argument("--max-policy", help="maximum policy (default: us_label)")
    check.add_argument(
        "--adolescent-policy",
        help="ages 12 to under 18 (default: weight_based; or us_adult_label)",
    )
    fhir.add_fhir_input(check)
    _common(check)
    options.add_patient_options(check)
    sub = check.add_subparsers(dest="it_command", metavar="ROUTE", parser_class=options.Parser)
    it = sub.add_parser(
        "intrathecal",
        help="check an intrathecal daily dose",
        description="Judge an intrathecal order: ceiling, change since the previous daily dose, "
        "time-base mistakes, concentration, co-medications and conditions.",
    )
    it.add_argument("--daily-dose", help='"300 mcg/day" or "12.5 mcg/hour"')
    it.add_argument(
        "--flex-step",
        action="append",
        type=options.flex_step,
        default=[],
        metavar="DURATION=RATE",
        help="the daily dose as a flex program step (repeat; the steps cover 24 hours)",
    )
    it.add_argument(
        "--hours-since-previous",
        help='time since the previous dose change, such as "12 hours"',
    )
    it.add_argument("--previous-daily-dose", help="the daily dose before this order")
    it.add_argument("--concentration", help='such as "500 mcg/mL"')
    it.add_argument("--origin", help="spinal or cerebral (without it the smaller limit is used)")
    it.add_argument("--child", action="store_true", help="a child (children's increase limits)")
    it.add_argument(
        "--at-refill",
        action="store_true",
        help="the change is made at a refill visit (the refill-visit increase limits)",
    )
    _common(it, prefix="it_")
    return run_check


def _times(args: argparse.Namespace) -> dict[str, Any]:
    doses = args.dose or []
    if len(doses) > 1:
        return {"doses": doses, "times_per_day": args.times_per_day}
    return {"dose": doses[0] if doses else None, "times_per_day": args.times_per_day}


def _previous(args: argparse.Namespace) -> dict[str, Any]:
    doses = args.previous or []
    if len(doses) > 1:
        return {"previous_doses": doses, "previous_times_per_day": args.previous_times_per_day}
    if not doses:
        return {}
    times = args.previous_times_per_day or args.times_per_day
    return {"previous": doses[0], "previous_times_per_day": times}


def run_check(args: argparse.Namespace) -> str:
    """Run the check and render it; the exit code follows ``--fail-on``."""
    from baclofen_dose.check import check_intrathecal_order, check_order
    from baclofen_dose.core.errors import RuleSetError
    from baclofen_dose.core.rules.interactions import load_interactions

    if args.it_command == "intrathecal":
        _merge_shared(args)
    rules = options.ruleset(args)
    table = None
    if args.interactions_extra is not None:
        try:
            table = load_interactions(extra=args.interactions_extra)
        except RuleSetError as exc:
            raise options.UsageError(f"--interactions-extra: {exc}") from None
    common: dict[str, Any] = {
        "medicines": args.medicines,
        "conditions": args.condition,
        "overrides": options.overrides(args) or None,
        "rules": rules,
        "interactions": table,
    }
    if getattr(args, "fhir", None) is not None:
        return _check_fhir(args, rules, common)
    if args.it_command == "intrathecal":
        from baclofen_dose.core.types import IntrathecalDailyInput
        from baclofen_dose.intrathecal.common import FlexProgram

        if bool(args.flex_step) == (args.daily_dose is not None):
            raise options.UsageError("give either --daily-dose or --flex-step (one of them)")
        daily: IntrathecalDailyInput = (
            FlexProgram.from_steps(args.flex_step) if args.flex_step else args.daily_dose
        )
        result = check_intrathecal_order(
            daily_dose=daily,
            hours_since_previous=args.hours_since_previous,
            previous_daily_dose=args.previous_daily_dose,
            concentration=args.concentration,
            origin=args.origin,
            child=args.child,
            at_refill=args.at_refill,
            **common,
        )
    else:
        # Everything given goes to the check, which refuses a combination it cannot judge
        # (a dose and units of a product together), rather than one of them being dropped.
        order: dict[str, Any] = {**_times(args), "product": args.product}
        if args.units_per_dose is not None:
            order["units_per_dose"] = args.units_per_dose
        result = check_order(
            **order,
            **_previous(args),
            start=args.start,
            previous_start=args.previous_start,
            patient=options.patient(args, rules),
            measured_crcl=args.measured_crcl,
            measured_egfr=args.measured_egfr,
            measured_method=args.measured_method,
            max_policy=args.max_policy,
            renal_policy=args.renal_policy,
            weight_policy=args.weight_policy,
            adolescent_policy=args.adolescent_policy,
            **common,
        )
    return _output(args, [result], rules)


def _output(args: argparse.Namespace, results: list[Any], rules: Any) -> CheckOutput:
    """Each result in the chosen form (several: one after another; JSON: an array), with the
    exit code ``--fail-on`` asks for."""
    from baclofen_dose import render

    if args.format == "json":
        texts = [render.to_json(r) for r in results]
        shown = texts[0] if len(texts) == 1 else "[\n" + ",\n".join(texts) + "\n]"
    elif fhir.is_fhir(args.format):
        texts = [fhir.render(r, args.format, rules) for r in results]
        shown = texts[0] if len(texts) == 1 else "[\n" + ",\n".join(texts) + "\n]"
    elif args.format == "text":
        shown = "\n".join(render.protocol.text(r) for r in results)
    else:
        shown = "\n".join(render.protocol.table(r) for r in results)
    output = CheckOutput(shown)
    if args.fail_on is not None and any(r.fails(args.fail_on) for r in results):
        output.exit_code = EXIT_FINDINGS
    return output


def _check_fhir(args: argparse.Namespace, rules: Any, common: dict[str, Any]) -> CheckOutput:
    """``check --fhir FILE``: every step of every MedicationRequest in the file."""
    order = {
        "dose": args.dose,
        "times_per_day": args.times_per_day,
        "product": args.product,
        "units_per_dose": args.units_per_dose,
        "start": args.start,
        "previous": args.previous,
        "previous_times_per_day": args.previous_times_per_day,
        "previous_start": args.previous_start,
    }
    oral = {
        "patient": options.patient(args, rules),
        "measured_crcl": args.measured_crcl,
        "measured_egfr": args.measured_egfr,
        "measured_method": args.measured_method,
        "max_policy": args.max_policy,
        "renal_policy": args.renal_policy,
        "weight_policy": args.weight_policy,
        "adolescent_policy": args.adolescent_policy,
    }
    return _output(args, fhir.check_file(args.fhir, order, oral, common), rules)
