"""Helpers for the command-line tests: build argument lists, list a subcommand's options."""

from __future__ import annotations

import argparse

__all__ = ["commands", "one_value_actions", "subparser", "value_options", "with_option"]


def with_option(base: list[str], option: str, *values: str | None) -> list[str]:
    """``base`` with ``option`` set to ``values`` (replacing its value when base has it;
    ``None`` leaves the option out)."""
    argv = list(base)
    if option in argv:
        at = argv.index(option)
        del argv[at : at + 2]
    return argv + [x for value in values if value is not None for x in (option, value)]


def subparser(argv: list[str]) -> argparse.ArgumentParser:
    """The parser of the (sub)command ``argv`` names."""
    from baclofen_dose.cli import _parser

    parser: argparse.ArgumentParser = _parser()[0]
    for word in argv:
        parser = next(  # the subparser for this word
            a.choices[word]
            for a in parser._actions  # argparse keeps them only here
            if isinstance(a.choices, dict) and word in a.choices
        )
    return parser


def commands(argv: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every (sub)command under ``argv`` as its words, nested ones too (``check intrathecal``),
    found by walking the parser."""
    found = [argv]
    for action in subparser(list(argv))._actions:
        if isinstance(action, argparse._SubParsersAction):
            for word in action.choices:
                found += commands((*argv, word))
    return found


def one_value_actions(argv: list[str]) -> list[argparse.Action]:
    """The options of the (sub)command ``argv`` that keep one value: argparse ``store``
    actions taking one word and yes-or-no pairs (``--dialysis``/``--no-dialysis``)."""
    return [
        a
        for a in subparser(argv)._actions
        if a.option_strings
        and (
            isinstance(a, argparse.BooleanOptionalAction)
            or (isinstance(a, argparse._StoreAction) and a.nargs is None)
        )
    ]


def value_options(argv: list[str], *, flags: bool = False) -> set[str]:
    """Every option of the (sub)command ``argv`` names that takes a value (and with
    ``flags``, those that take none too, except --help)."""
    parser = subparser(argv)
    return {
        o
        for a in parser._actions
        if (flags or a.nargs != 0) and a.option_strings
        for o in a.option_strings
        if o.startswith("--") and o != "--help"
    }
