"""The parser, the option types and the options shared by several subcommands.

Nothing here imports a planner at module level: the command line starts fast, and each
subcommand imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from baclofen_dose.core.errors import shown

if TYPE_CHECKING:
    from baclofen_dose.core.rules import RuleSet
    from baclofen_dose.oral.patient import Patient

__all__ = [
    "COUNT_MAX",
    "PATIENT_OPTIONS",
    "Parser",
    "RefusedError",
    "UsageError",
    "add_override",
    "add_patient_options",
    "add_rules_file",
    "count",
    "flex_step",
    "override",
    "overrides",
    "patient",
    "ruleset",
]

# The largest whole number any integer option takes (doses a day, a dose number of the day).
# A sanity bound on the input, checked before the number is used: the clinical limits (3 to 4
# doses a day for adults) come from the rule data and are checked by the library.
COUNT_MAX = 24

# ASCII digits only, no sign, no underscore, no surrounding space, no leading zero; at most
# two digits, so a long string is refused before int() sees it.
_COUNT = re.compile(r"0|[1-9][0-9]?")


class UsageError(Exception):
    """A command-line mistake: one line on stderr, exit code 2."""


class RefusedError(Exception):
    """A limit refusal, its message complete (with the command-line hint): exit code 3."""


class Parser(argparse.ArgumentParser):
    """argparse, but no option may be abbreviated and a usage error is one line (exit 2).

    ``allow_abbrev`` is always off: with it on, ``taper --times 08:00`` would silently be
    taken as ``--times-per-day``. An option that keeps one value is given at most once: again
    with another value, or as both ``--x`` and ``--no-x``, it is a usage error naming the
    option and both values (the same value twice is one value; ``append`` options repeat).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)
        # argparse keeps the last of an option given twice, without a word: a wrapper script
        # that appends its defaults would silently replace the clinician's values. Every
        # one-value option of every parser (argument groups share these tables) is refused
        # when given again with another value.
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)
        self.register("action", argparse.BooleanOptionalAction, _YesOrNoOnce)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._words = list(sys.argv[1:] if args is None else args)
        self._given: dict[str, tuple[str, str]] = {}  # dest -> (option, value as typed)
        self._typed = ""
        return super().parse_known_args(args, namespace)

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # The words as typed: an option given twice is named with them (its type converts).
        self._typed = " ".join(arg_strings)
        return super()._get_values(action, arg_strings)

    def _record(self, action: argparse.Action, option: str, typed: str) -> tuple[str, str] | None:
        """Record that ``action`` was given as ``option`` with the value ``typed``; returns the
        first (option, value) when this one differs from it (None the first time or the same)."""
        first = self._given.setdefault(action.dest, (option, typed))
        return None if first == (option, typed) else first

    def error(self, message: str) -> NoReturn:
        # argparse writes "argument --x: problem"; the tool's errors read "--x: problem".
        if message.startswith("argument "):
            message = message[len("argument ") :]
        raise UsageError(self._flag_given_a_value(message) or message)

    def _flag_given_a_value(self, message: str) -> str | None:
        """A value written after a yes-or-no option (``--dialysis false``) is read by argparse
        as the next positional argument, and its error names that argument; this names the
        option instead (None where that is not what happened)."""
        words = getattr(self, "_words", [])
        flags: dict[str, argparse.Action] = {}
        parsers: list[argparse.ArgumentParser] = [self]
        while parsers:  # this parser's options and its subcommands'
            parser = parsers.pop()
            for action in parser._actions:
                if isinstance(action, argparse.BooleanOptionalAction):
                    flags |= dict.fromkeys(action.option_strings, action)
                elif isinstance(action, argparse._SubParsersAction):
                    parsers += action.choices.values()
        _, _, unread = message.partition("unrecognized arguments: ")
        for before, word in itertools.pairwise(words):
            named = repr(word) in message or word in unread.split()
            if before in flags and not word.startswith("-") and named:
                yes, no = flags[before].option_strings[:2]
                return f"{before}: takes no value (got {word!r}): write {yes} or {no}"
        return None


class _StoreOnce(argparse._StoreAction):
    """A one-value option (``--age 80``): given again with another value, it is refused."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if isinstance(parser, Parser):
            name = "/".join(self.option_strings)
            typed = shown(parser._typed)
            first = parser._record(self, name, typed)
            if first is not None:
                raise UsageError(f"{name}: given twice ({first[1]} and {typed}): give it once")
        super().__call__(parser, namespace, values, option_string)


class _YesOrNoOnce(argparse.BooleanOptionalAction):
    """A yes-or-no option pair (``--dialysis``/``--no-dialysis``): both are refused."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if isinstance(parser, Parser) and option_string is not None:
            yes, no = self.option_strings[:2]
            if parser._record(self, option_string, "") is not None:
                raise UsageError(f"{yes}: given as both {yes} and {no}: give one")
        super().__call__(parser, namespace, values, option_string)


def count(text: str) -> int:
    """A whole number from 0 to :data:`COUNT_MAX`, written in ASCII digits only.

    ``int()`` alone would take full-width digits ("\\uff13"), spaces, a sign and
    underscores (" 3", "+3", "3_0"), and a huge number would reach the library.

    >>> count("3")
    3
    >>> count("+3")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '+3' is not a whole number from 0 to 24 written in digits
    """
    if not _COUNT.fullmatch(text) or int(text) > COUNT_MAX:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a whole number from 0 to {COUNT_MAX} written in digits"
        )
    return int(text)


def times_a_day(text: str) -> int:
    """Doses a day: a whole number from 1 to :data:`COUNT_MAX` in ASCII digits (the library
    refuses 0 with the same words).

    >>> times_a_day("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '0' is not a whole number of doses a day from 1 to 24 ...
    """
    if not _COUNT.fullmatch(text) or not 1 <= int(text) <= COUNT_MAX:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a whole number of doses a day from 1 to {COUNT_MAX} written "
            "in digits"
        )
    return int(text)


def override(text: str) -> tuple[str, str]:
    """``RULE_ID=REASON`` as a pair (the reason is required)."""
    rule_id, sep, reason = text.partition("=")
    if not sep or not rule_id.strip() or not reason.strip():
        raise argparse.ArgumentTypeError(
            f"{shown(text)}: expected RULE_ID=REASON, such as "
            "'oral.adult.max_daily.us_label=inpatient, supervised'"
        )
    return rule_id.strip(), reason.strip()


def flex_step(text: str) -> tuple[str, str]:
    """``DURATION=RATE`` as a pair, such as ``12 hours=15 mcg/hour``."""
    duration, sep, rate = text.partition("=")
    if not sep or not duration.strip() or not rate.strip():
        raise argparse.ArgumentTypeError(
            f"{shown(text)}: expected DURATION=RATE, such as '12 hours=15 mcg/hour'"
        )
    return duration.strip(), rate.strip()


def add_override(parser: argparse.ArgumentParser, help_text: str) -> None:
    """The repeatable ``--override RULE_ID=REASON`` option (soft limits only)."""
    parser.add_argument(
        "--override",
        action="append",
        type=override,
        default=[],
        metavar="RULE_ID=REASON",
        help=help_text,
    )


def overrides(args: argparse.Namespace) -> dict[str, str]:
    """The ``--override`` options as rule id -> reason; a rule given twice is a usage error."""
    found: dict[str, str] = {}
    for rule_id, reason in args.override:
        if rule_id in found:
            raise UsageError(f"--override {rule_id} is given twice")
        found[rule_id] = reason
    return found


def add_rules_file(parser: argparse.ArgumentParser) -> None:
    """The ``--rules FILE`` option: an institution's rule file instead of the bundled one."""
    parser.add_argument("--rules", help="a rule file to use instead of the bundled rules")


def ruleset(args: argparse.Namespace) -> RuleSet:
    """The rule set named by ``--rules``, or the bundled one.

    An invalid rule file is a usage error naming ``--rules`` (the message says which rule or
    key is at fault).
    """
    from baclofen_dose.core.errors import RuleSetError
    from baclofen_dose.core.rules import default_rules, load_rules

    if args.rules is None:
        return default_rules()
    try:
        return load_rules(args.rules)
    except RuleSetError as exc:
        raise UsageError(f"--rules: {exc}") from None


def add_patient_options(parser: argparse.ArgumentParser) -> None:
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
    for name, what in (("pregnant", "pregnant"), ("breastfeeding", "breastfeeding")):
        group.add_argument(
            f"--{name}",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"{what} (--{name}) or not (--no-{name}); not stated if left out",
        )
    group.add_argument("--weight-policy", help="body weight for Cockcroft-Gault (default: actual)")
    group.add_argument("--renal-policy", help="renal dose policy (default: vlavonou2014)")


PATIENT_OPTIONS = ("age", "born", "as_of", "sex", "weight", "height", "scr", "dialysis")


def patient(args: argparse.Namespace, rules: RuleSet) -> Patient | None:
    """A Patient from the options, or None when no patient option was given."""
    from baclofen_dose.oral.patient import Patient

    if all(getattr(args, name) is None for name in PATIENT_OPTIONS):
        return None
    values: dict[str, Any] = {
        "sex": args.sex,
        "weight": args.weight,
        "height": args.height,
        "scr": args.scr,
        "dialysis": args.dialysis,
        "rules": rules,
        "pregnant": args.pregnant,
        "breastfeeding": args.breastfeeding,
    }
    if args.born is not None or args.as_of is not None:
        if args.age is not None:
            raise UsageError("give either --age or --born with --as-of, not both")
        if args.born is None or args.as_of is None:
            raise UsageError("--born and --as-of go together: give both, or --age instead")
        return Patient.from_birth_date(born=args.born, as_of=args.as_of, **values)
    age = args.age
    if age is not None and age.isascii() and age.isdigit() and int(age) == 0:
        raise UsageError(
            f"--age: {shown(age)} is not greater than zero; expected whole years such as '72', "
            "or a quantity such as '0.5 years'"
        )
    if age is not None and age.isdigit() and age.isascii() and not age.startswith("0"):
        age = f"{age} years"  # --age takes whole years, as its help says
    return Patient.from_inputs(age=age, **values)
