"""A one-value option given twice with different values is refused, on every subcommand.

argparse keeps the last of an option given twice without a word: ``check ... --dialysis
--no-dialysis`` judged a patient not on dialysis (the 5 mg/day dialysis cap gone), and
``--age 80 --age 40`` dropped the older-adult findings. A wrapper script that appends its
defaults would silently replace the clinician's values (a tester's finding). The options are
found by walking the parser, so a new option is covered without an edit here.
"""

from __future__ import annotations

import argparse

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from baclofen_dose.cli import main
from baclofen_dose.core.errors import shown
from tests.cli_args import commands, one_value_actions, subparser

# Values tried for an option without choices: the first two its type accepts are used.
_CANDIDATES = ("2", "3", "8080", "8081", "a", "b")

_ONE_VALUE = [
    pytest.param(words, action, id=" ".join((*words, action.option_strings[-1])))
    for words in commands()
    for action in one_value_actions(list(words))
    if not isinstance(action, argparse.BooleanOptionalAction)
]
_YES_OR_NO = [
    pytest.param(words, action, id=" ".join((*words, action.option_strings[0])))
    for words in commands()
    for action in one_value_actions(list(words))
    if isinstance(action, argparse.BooleanOptionalAction)
]


def _two_values(action: argparse.Action) -> tuple[str, str]:
    """Two different values the option's choices or type accept."""
    if action.choices is not None:
        first, second, *_ = (str(c) for c in action.choices)
        return first, second

    def accepted(text: str) -> bool:
        if action.type is None:
            return True
        try:
            action.type(text)  # type: ignore[operator]
        except (argparse.ArgumentTypeError, ValueError, TypeError):
            return False
        return True

    first, second, *_ = (c for c in _CANDIDATES if accepted(c))
    return first, second


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_every_subcommand_has_one_value_options() -> None:
    """The walk finds the options the tester named (so the tests below test something)."""
    found = {(" ".join(p.values[0]), p.values[1].option_strings[-1]) for p in _ONE_VALUE}
    found |= {(" ".join(p.values[0]), p.values[1].option_strings[0]) for p in _YES_OR_NO}
    assert {
        ("check", "--age"),
        ("check", "--times-per-day"),
        ("check", "--weight"),
        ("check", "--scr"),
        ("check", "--measured-crcl"),
        ("check", "--dialysis"),
        ("check intrathecal", "--daily-dose"),
        ("titrate", "--start"),
        ("renal", "--age"),
        ("intrathecal refill", "--daily-dose"),
    } <= found
    assert len(_ONE_VALUE) > 100


@pytest.mark.parametrize(("words", "action"), _ONE_VALUE)
@pytest.mark.parametrize("form", ["space", "equals"])
def test_a_one_value_option_given_twice_differently_is_refused(
    words: tuple[str, ...], action: argparse.Action, form: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every one-value option of every subcommand, given twice with two different values
    (``--opt v`` or ``--opt=v``), is a usage error naming the option and both values."""
    first, second = _two_values(action)
    option = action.option_strings[-1]
    given = [f"{option}={first}"] if form == "equals" else [option, first]
    code, out, err = _run(capsys, [*words, *given, option, second])
    name = "/".join(action.option_strings)
    expected = f"{name}: given twice ({shown(first)} and {shown(second)}): give it once"
    assert (code, out, err) == (2, "", f"baclofen-dose: error: {expected}\n")


@pytest.mark.parametrize(("words", "action"), _ONE_VALUE)
def test_a_one_value_option_given_twice_alike_is_taken(
    words: tuple[str, ...], action: argparse.Action, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same value twice is one value: the parser takes it (the command may still refuse
    what else is missing, but never as a repeated option)."""
    value, _ = _two_values(action)
    option = action.option_strings[-1]
    _, _, err = _run(capsys, [*words, option, value, f"{option}={value}"])
    assert "given twice" not in err


@pytest.mark.parametrize(("words", "action"), _YES_OR_NO)
@pytest.mark.parametrize("reverse", [False, True])
def test_both_sides_of_a_yes_or_no_option_are_refused(
    words: tuple[str, ...], action: argparse.Action, reverse: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """``--dialysis --no-dialysis`` (either order) is a usage error naming both."""
    yes, no = action.option_strings[:2]
    code, out, err = _run(capsys, [*words, *((no, yes) if reverse else (yes, no))])
    expected = f"{yes}: given as both {yes} and {no}: give one"
    assert (code, out, err) == (2, "", f"baclofen-dose: error: {expected}\n")
    _, _, err = _run(capsys, [*words, yes, yes, no if reverse else yes])
    assert ("given as both" in err) is reverse


ORDER = ["check", "--dose", "20 mg", "--times-per-day", "3", "--format", "text"]
PATIENT = ["--age", "40", "--sex", "male", "--weight", "70 kg"]


def test_the_testers_dialysis_case(capsys: pytest.CaptureFixture[str]) -> None:
    """The tester's case: with both, the order was judged against no dialysis (or dialysis,
    in the other order); now it is refused, and once or twice alike is the same check."""
    for pair in (["--dialysis", "--no-dialysis"], ["--no-dialysis", "--dialysis"]):
        assert _run(capsys, [*ORDER, *PATIENT, *pair])[:2] == (2, "")
    once = _run(capsys, [*ORDER, *PATIENT, "--dialysis"])
    assert once[0] == 0 and "renal.ca_monograph.dialysis.max_daily" in once[1]
    assert _run(capsys, [*ORDER, *PATIENT, "--dialysis", "--dialysis"]) == once
    twice = [*ORDER, "--times-per-day", "3", *PATIENT, "--age", "40", "--dialysis"]
    assert _run(capsys, twice) == once


def test_the_testers_age_case(capsys: pytest.CaptureFixture[str]) -> None:
    """``--age 80 --age 40`` gave no older-adult findings; it is refused, naming both ages."""
    argv = [*ORDER, "--sex", "male", "--weight", "70 kg", "--age", "80", "--age", "40"]
    code, out, err = _run(capsys, argv)
    assert (code, out) == (2, "")
    assert err == "baclofen-dose: error: --age: given twice ('80' and '40'): give it once\n"


_TYPED = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF), min_size=1, max_size=12)


@given(first=_TYPED, second=_TYPED)
def test_any_two_different_values_are_refused(first: str, second: str) -> None:
    """Whatever the two values (spaces, quotes, braces, non-ASCII), two different ones are
    refused, each shown escaped; the same one twice is not a repetition error."""
    assume(not first.startswith("-") and not second.startswith("-"))  # those read as options
    for words in (["renal"], ["check", "intrathecal"]):
        option = "--age" if words == ["renal"] else "--daily-dose"
        parser_error = _error([*words, option, first, option, second])
        if first == second:
            assert "given twice" not in parser_error
        else:
            assert parser_error == (
                f"{option}: given twice ({shown(first)} and {shown(second)}): give it once"
            )


def _error(argv: list[str]) -> str:
    """The usage error the parser raises for ``argv`` ("" when it parses)."""
    from baclofen_dose.cli import _parser
    from baclofen_dose.cli.options import UsageError

    try:
        _parser()[0].parse_args(argv)
    except UsageError as exc:
        return str(exc)
    return ""


@pytest.mark.parametrize(
    "words", [pytest.param(list(w), id=" ".join(w) or "top") for w in commands()]
)
def test_repeatable_options_still_repeat(words: list[str]) -> None:
    """Options meant to repeat (``--dose`` for unequal doses, ``--with``, ``--condition``,
    ``--override``, ``--flex-step``, ...) take every value, in order."""
    from baclofen_dose.cli import _parser

    actions = subparser(words)._actions
    needed = [  # the required options and arguments, each given once
        word
        for a in actions
        if a.required and not isinstance(a, argparse._SubParsersAction)
        for word in ([a.option_strings[-1]] if a.option_strings else []) + [_two_values(a)[0]]
    ]
    for action in actions:
        if not isinstance(action, argparse._AppendAction):
            continue
        option = action.option_strings[-1]
        values = ["a=b", "c=d"]  # what --override and --flex-step also accept
        argv = [*words, *needed, option, values[0], option, values[1]]
        args, _ = _parser()[0].parse_known_args(argv)
        got = getattr(args, action.dest)
        assert len(got) == 2 + action.required, option  # a required one is in needed too


def test_repeated_co_medications_are_all_checked(capsys: pytest.CaptureFixture[str]) -> None:
    """``--with`` twice: both co-medications are judged."""
    code, out, _ = _run(capsys, [*ORDER, "--with", "oxycodone", "--with", "diazepam"])
    assert code == 0
    assert "interaction.opioids" in out and "interaction.cns_depressants" in out


def test_shared_check_options_before_and_after_intrathecal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``check --format X intrathecal --format Y`` is refused as before, ``table`` included
    (it was taken for the default and silently replaced); the same value on both sides is one."""
    base = ["intrathecal", "--daily-dose", "100 mcg/day"]
    for first, second in (("json", "text"), ("table", "text"), ("text", "table")):
        code, _, err = _run(capsys, ["check", "--format", first, *base, "--format", second])
        assert code == 2
        assert f"--format is given twice, before and after 'intrathecal' ({first} and" in err
    code, out, _ = _run(capsys, ["check", "--format", "text", *base, "--format", "text"])
    assert code == 0 and out.startswith("Order: intrathecal daily dose 100 mcg/day.")
    code, out, _ = _run(capsys, ["check", *base])
    assert code == 0 and out.startswith("Order check (intrathecal)")


@pytest.mark.parametrize(
    "argv",
    [
        ["screen", "-o", "a.parquet", "--output", "b.parquet"],
        ["titrate", "-oa.png", "-ob.png"],
        ["titrate", "--output=a.png", "-o", "b.png"],
    ],
)
def test_short_and_long_forms_are_one_option(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``-o`` and ``--output`` are one option, in any form (``-oFILE``, ``--output=FILE``)."""
    code, out, err = _run(capsys, argv)
    assert (code, out) == (2, "")
    assert err.startswith("baclofen-dose: error: -o/--output: given twice (")
    assert "'b." in err and err.count("\n") == 1
