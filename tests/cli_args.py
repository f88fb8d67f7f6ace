"""Helpers for the command-line tests: build argument lists, list a subcommand's options."""

from __future__ import annotations

import argparse

__all__ = ["value_options", "with_option"]


def with_option(base: list[str], option: str, *values: str | None) -> list[str]:
    """``base`` with ``option`` set to ``values`` (replacing its value when base has it;
    ``None`` leaves the option out)."""
    argv = list(base)
    if option in argv:
        at = argv.index(option)
        del argv[at : at + 2]
    return argv + [x for value in values if value is not None for x in (option, value)]


def value_options(argv: list[str], *, flags: bool = False) -> set[str]:
    """Every option of the (sub)command ``argv`` names that takes a value (and with
    ``flags``, those that take none too, except --help)."""
    from baclofen_dose.cli import _parser

    parser: argparse.ArgumentParser = _parser()[0]
    for word in argv:
        parser = next(  # the subparser for this word
            a.choices[word]
            for a in parser._actions  # argparse keeps them only here
            if isinstance(a.choices, dict) and word in a.choices
        )
    return {
        o
        for a in parser._actions
        if (flags or a.nargs != 0) and a.option_strings
        for o in a.option_strings
        if o.startswith("--") and o != "--help"
    }
