"""The command-line tool: a thin layer from arguments to the library to a renderer.

Exit codes: 0 success; 2 bad input (one line on stderr, no traceback); 3 a limit refused the
request (the line names the rule, and for a soft limit the override that would be needed);
4 ``check --fail-on LEVEL`` found a finding at LEVEL or above (the check itself ran);
1 an internal error, which is always a bug (one line; ``--debug`` shows the traceback);
130 interrupted (Ctrl-C); 141 the reader of standard output went away (as a shell reports a
program ended by SIGPIPE), quietly.

The library's messages name its parameters (``interval: ...``); each subcommand writes them
as its own options (``--every: ...``) from one table per subcommand
(:data:`baclofen_dose.cli.fields.FIELDS`). No option may be abbreviated.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from baclofen_dose._version import VERSION
from baclofen_dose.cli import fields, options
from baclofen_dose.cli.check import add_check
from baclofen_dose.cli.intrathecal import add_intrathecal
from baclofen_dose.cli.oral import (
    Command,
    add_missed_dose,
    add_renal,
    add_rules,
    add_taper,
    add_titrate,
)
from baclofen_dose.cli.screen import add_screen
from baclofen_dose.cli.serve import add_serve
from baclofen_dose.core.errors import BaclofenDoseError, LimitError, OverrideRequired

__all__ = ["main"]

EXIT_OK = 0
EXIT_BUG = 1
EXIT_INPUT = 2
EXIT_LIMIT = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_PROG = "baclofen-dose"
_DESCRIPTION = (
    "Baclofen dosing decision support for health-care professionals (not medical advice). "
    'Quantities are quoted strings with units, such as "60 mg/day".'
)

# Each subcommand: a function that adds its parser and returns the function that runs it.
_COMMANDS = (
    add_titrate,
    add_rules,
    add_taper,
    add_missed_dose,
    add_intrathecal,
    add_renal,
    add_check,
    add_serve,
    add_screen,
)

# The longest part of an internal error's own text that the one line shows.
_BUG_TEXT_MAX = 200


def _parser() -> tuple[options.Parser, dict[str, Command]]:
    parser = options.Parser(prog=_PROG, description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"{_PROG} {VERSION}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="on an internal error (a bug), show the traceback instead of one line",
    )
    # The metavar names the subcommand in errors ("required: COMMAND"), not the internal dest.
    commands = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=options.Parser
    )
    runners: dict[str, Command] = {}
    for add in _COMMANDS:
        before = set(commands.choices)
        runner = add(commands)
        for name in set(commands.choices) - before:
            runners[name] = runner
    return parser, runners


def _command(args: argparse.Namespace) -> str:
    """The subcommand as typed ("titrate", "intrathecal refill"): the key of its field table."""
    name = str(args.command)
    sub = getattr(args, "it_command", None)
    return f"{name} {sub}" if sub else name


def _bug(exc: BaseException) -> str:
    """One printable line for an exception that should never have happened."""
    text = " ".join(str(exc).split())
    if len(text) > _BUG_TEXT_MAX:
        text = text[:_BUG_TEXT_MAX] + " (truncated)"
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return f"internal error (a bug): {type(exc).__name__}: {text}; rerun with --debug"


def _say(line: str) -> None:
    """One line on stderr (never raises: a closed stderr loses the line, not the exit code)."""
    # A closed stderr (ValueError) or a broken one (OSError): there is no one to tell.
    with contextlib.suppress(OSError, ValueError):
        print(f"{_PROG}: {line}", file=sys.stderr)


def _write(output: str) -> int:
    """Write the output; a reader that went away (``| head``) ends the tool quietly."""
    try:
        sys.stdout.write(output)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at /dev/null so that the flush at interpreter exit does not fail again.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):  # not a real file: nothing to redirect
            pass
        return EXIT_BROKEN_PIPE
    return EXIT_OK


class _InternalError(Exception):
    """A bug, already written as its one line."""


def _run(argv: Sequence[str]) -> str:
    """Parse and run; returns the output. Every failure is raised as a UsageError (exit 2),
    a RefusedError (exit 3) or an _InternalError (exit 1), unless --debug asks for the bug."""
    parser, runners = _parser()
    args = parser.parse_args(argv)
    table = fields.FIELDS.get(_command(args), {})
    try:
        return runners[args.command](args)
    except (options.UsageError, options.RefusedError):
        raise
    except LimitError as exc:
        hint = (
            " (command line: --override RULE_ID=REASON)"
            if isinstance(exc, OverrideRequired) and hasattr(args, "override")
            else ""
        )
        raise options.RefusedError(fields.command_message(exc, table) + hint) from exc
    except BaclofenDoseError as exc:
        raise options.UsageError(fields.command_message(exc, table)) from exc
    except Exception as exc:
        if args.debug:
            raise
        raise _InternalError(_bug(exc)) from exc


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tool on ``argv`` (default: the process's arguments); returns the exit code.

    Bad input and limit refusals are one line on stderr (exit 2 and 3). Any other exception is
    a bug: one line and exit 1, or the traceback with ``--debug``.
    """
    raw = list(sys.argv[1:] if argv is None else argv)
    try:
        output = _run(raw)
    except options.UsageError as exc:
        _say(f"error: {exc}")
        return EXIT_INPUT
    except options.RefusedError as exc:
        _say(f"refused: {exc}")
        return EXIT_LIMIT
    except _InternalError as exc:
        _say(str(exc))
        return EXIT_BUG
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:
        # A bug while parsing the arguments themselves (before --debug could be read).
        if "--debug" in raw:
            raise
        _say(_bug(exc))
        return EXIT_BUG
    # ``check --fail-on`` carries its exit code on the output (the check itself ran).
    return _write(output) or getattr(output, "exit_code", EXIT_OK)
