"""The command-line tool: output, exit codes 0 / 2 / 3, one clear line on error (issue 2)."""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from baclofen_dose.cli import main
from tests.cli_args import value_options, with_option
from tests.ismp import assert_clean, without_received_value

ROOT = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_titrate_prints_the_label_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "titrate", "--start", "2026-01-05", "--target", "60 mg/day")
    assert code == 0 and err == ""
    rows = [line.split("  ") for line in out.splitlines() if line[:1].isdigit()]
    cells = [[c.strip() for c in row if c.strip()] for row in rows]
    assert cells == [
        [
            "1",
            "Mon 5 January 2026",
            "start",
            "5 mg",
            "3 times a day",
            "15 mg/day",
        ],
        [
            "2",
            "Thu 8 January 2026",
            "up 15 mg/day",
            "10 mg",
            "3 times a day",
            "30 mg/day",
        ],
        [
            "3",
            "Sun 11 January 2026",
            "up 15 mg/day",
            "15 mg",
            "3 times a day",
            "45 mg/day",
        ],
        [
            "4",
            "Wed 14 January 2026",
            "up 15 mg/day",
            "20 mg",
            "3 times a day",
            "60 mg/day",
        ],
    ]
    assert "      to Wed 7 January 2026" in out.splitlines()
    assert all(len(line) <= 100 for line in out.splitlines())
    assert_clean(out)


def test_titrate_to_80_ends_at_20_mg_4_times_a_day(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "titrate", "--start", "2026-01-05", "--target", "80 mg/day", "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    final = data["steps"][-1]
    assert final["doses"] == [{"value": 20, "unit": "mg"}] * 4
    totals = [s["daily_dose"]["value"] for s in data["steps"]]
    # 15 mg/day label steps, then the label's +20 mg/day to 20 mg 4 times a day (issue 10)
    assert all(0 < b - a <= 15 for a, b in itertools.pairwise(totals[:-1]))
    assert totals[-2:] == [60, 80]


def test_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "titrate", "--start", "2026-01-05", "--target", "30 mg/day", "--format", "text"
    )
    assert code == 0
    assert (
        out.splitlines()[0]
        == "Take 5 mg by mouth 3 times a day from Mon 5 January 2026 to Wed 7 January 2026."
    )
    assert "Do not stop baclofen suddenly" in out and "Decision support" in out
    assert_clean(out)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--target", "100 mg/day"], "oral.adult.max_daily.us_label"),
        (
            ["--target", "125 mg/day", "--max-policy", "inpatient_supervised"],
            "oral.adult.max_daily.hard",
        ),
        (["--target", "60 mg/day", "--step", "30 mg/day"], "oral.adult.titration.step.max"),
    ],
)
def test_limit_refusal_exits_3(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = run(capsys, "titrate", "--start", "2026-01-05", *argv)
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and needle in err
    assert "Traceback" not in err


def test_override_refusal_names_the_override(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "titrate", "--start", "2026-01-05", "--target", "100 mg/day")
    assert "--override RULE_ID=REASON" in err and "--max-policy" in err


def test_overrides_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "100 mg/day",
        "--override",
        "oral.adult.max_daily.us_label=inpatient, supervised",
        "--override",
        "oral.adult.max_dose.us_label=inpatient, supervised",
    )
    assert code == 0 and '"inpatient, supervised"' in out
    assert_clean(out)


@pytest.mark.parametrize(
    "argv",
    [
        ["titrate", "--start", "2026-01-05", "--target", "60 mcg/day"],
        ["titrate", "--start", "2026-01-05", "--target", "60"],
        ["titrate", "--start", "2026-01-05", "--target", "nan mg/day"],
        ["titrate", "--start", "tomorrow", "--target", "60 mg/day"],
        ["titrate", "--target", "60 mg/day"],
        ["titrate", "--start", "2026-01-05", "--target", "60 mg/day", "--times-per-day", "three"],
        ["titrate", "--start", "2026-01-05", "--target", "60 mg/day", "--override", "nonsense"],
        ["titrate", "--start", "2026-01-05", "--target", "60 mg/day", "--rules", "/no/such.toml"],
        ["titrate", "--start", "2026-01-05", "--target", "60 mg/day", "--format", "pdf"],
        ["frobnicate"],
        [],
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("baclofen-dose: error: ")


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["--every", "3.5 days"], "baclofen-dose: error: --every:"),
        (["--max-policy", "eu"], "baclofen-dose: error: --max-policy:"),
        (["--target", "65 mg/3 days"], "baclofen-dose: error: --target:"),
        (["--start", "9999-12-30"], "baclofen-dose: error: --start:"),
    ],
)
def test_errors_use_option_names(
    capsys: pytest.CaptureFixture[str], argv: list[str], start: str
) -> None:
    args = {"--start": "2026-01-05", "--target": "60 mg/day"}
    args.update(dict(zip(argv[::2], argv[1::2], strict=True)))
    code, _, err = run(capsys, "titrate", *[x for kv in args.items() for x in kv])
    assert code == 2 and err.startswith(start)


def test_policy_hint_lists_only_other_policies(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "120 mg/day",
        "--max-policy",
        "uk_outpatient",
    )
    assert "--max-policy (us_label, inpatient_supervised)" in err


def test_rules_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "oral.adult.max_daily.us_label: 80 mg/day" in out
    assert_clean(out)


@pytest.mark.req("SAF-08")
def test_module_entry_point_is_environment_independent() -> None:
    """The same bytes under other locales and time zones (SAF-08, SAF-23)."""
    argv = [
        sys.executable,
        "-m",
        "baclofen_dose",
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "80 mg/day",
    ]
    outputs = set()
    for extra in (
        {},
        {"LC_ALL": "de_DE.UTF-8", "TZ": "Pacific/Apia"},
        {"LC_ALL": "C", "TZ": "UTC"},
    ):
        env = {**os.environ, **extra}
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_missing_dialysis_status_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "60 mg/day",
        "--age",
        "72",
        "--sex",
        "female",
        "--weight",
        "70 kg",
        "--scr",
        "1.4 mg/dL",
    )
    assert code == 2
    assert err.startswith("baclofen-dose: error: --dialysis or --no-dialysis")
    assert "True or False" not in err


# --- issue 8, item 8: a thin command line -------------------------------------------------

TITRATE = ["titrate", "--start", "2026-01-05", "--target", "60 mg/day"]
TAPER = ["taper", "--from", "20 mg", "--times-per-day", "3", "--start", "2026-03-02"]
PATIENT = ["--age", "72", "--sex", "female", "--weight", "70 kg", "--scr", "1.4 mg/dL"]


# Subcommand -> option -> a bad value for it (extra options it needs first). Every option that
# takes a value appears (test_every_option_has_a_bad_value_case checks it).
BAD_VALUES: dict[str, tuple[list[str], dict[str, list[str | None]]]] = {
    "titrate": (
        [*with_option(TITRATE, "--target", "30 mg/day"), *PATIENT, "--no-dialysis"],
        {
            "--start": ["2026-02-30"],
            "--target": ["60 mcg/day"],
            "--step": ["7 mg/day"],
            "--every": ["3.5 days"],
            "--times-per-day": ["+3"],
            "--max-policy": ["eu"],
            "--override": ["oral.adult.max_daily.us_label=a reason"],
            "--rules": ["/no/such.toml"],
            "--format": ["docx"],
            "--plot": ["plan.jpg"],
            "--product": ["7 mg tablet"],
            "--age": ["200"],
            "--born": ["1950-02-30", "--as-of", "2026-01-05", "--age", None],
            "--as-of": ["2026-02-30", "--born", "1950-01-05", "--age", None],
            "--sex": ["F"],
            "--weight": ["70 mg"],
            "--height": ["2 kg"],
            "--scr": ["1.4 mg"],
            "--weight-policy": ["lean"],
            "--renal-policy": ["none"],
            "--older-adult-policy": ["slow"],
            "--adolescent-policy": ["adult"],
            "--times": ["8:00,14:00,20:00"],
            "--tz": ["Mars/Olympus", "--format", "ics", "--times", "08:00,14:00,20:00"],
            "--output": ["/no/such/directory/plan.txt"],
        },
    ),
    "renal": (
        ["renal", *PATIENT, "--no-dialysis"],
        {
            "--rules": ["/no/such.toml"],
            "--format": ["pdf"],
            "--age": ["0 years"],
            "--born": ["x", "--as-of", "2026-01-05", "--age", None],
            "--as-of": ["x", "--born", "1950-01-05", "--age", None],
            "--sex": ["other"],
            "--weight": ["70"],
            "--height": ["170 kg"],
            "--scr": ["x"],
            "--weight-policy": ["lean"],
            "--renal-policy": ["none"],
        },
    ),
    "taper": (
        TAPER,
        {
            "--from": ["20 mcg"],
            "--times-per-day": ["\uff13"],
            "--start": ["2026-02-30"],
            "--over": ["3 mg"],
            "--step": ["7 mg/day"],
            "--every": ["0 days"],
            "--reduce-first": ["9"],
            "--product": ["7.5 mg tablet"],
            "--max-policy": ["eu"],
            "--override": ["oral.taper.duration.min"],
            "--rules": ["/no/such.toml"],
            "--format": ["docx"],
            "--times": ["08:00,14:00"],
            "--tz": ["localtime", "--format", "ics", "--times", "08:00,14:00,20:00"],
            "--output": ["/no/such/directory/plan.pdf", "--format", "pdf"],
            "--plot": ["plan.jpg"],
        },
    ),
}


def missed_dose_cases(plan: str) -> tuple[list[str], dict[str, list[str | None]]]:
    base = [
        "missed-dose",
        "--plan",
        plan,
        "--times",
        "08:00,14:00,20:00",
        "--missed",
        "2026-01-06 08:00",
        "--now",
        "2026-01-06 09:00",
    ]
    return base, {
        "--plan": ["/no/such.json"],
        "--times": ["8:00,14:00,20:00"],
        "--missed": ["2026-01-06 8:00"],
        "--now": ["2026-01-06 7:00"],
        "--next": ["tomorrow 08:00"],
        "--doses-missed": ["0"],
        "--dose": ["10 mcg", "--plan", None],
        "--rules": ["/no/such.toml"],
        "--format": ["pdf"],
    }


@pytest.mark.parametrize("command", [*BAD_VALUES, "missed-dose"])
def test_every_option_has_a_bad_value_case(command: str) -> None:
    """The table below covers every option that takes a value, so none is left untested."""
    covered = missed_dose_cases("x")[1] if command == "missed-dose" else BAD_VALUES[command][1]
    assert set(covered) == value_options([command])


@pytest.mark.parametrize(
    ("command", "option"),
    [(c, o) for c, (_, table) in BAD_VALUES.items() for o in table]
    + [("missed-dose", o) for o in missed_dose_cases("x")[1]],
)
def test_a_bad_value_is_blamed_on_its_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, option: str
) -> None:
    """Issue 8, item 8: each subcommand names its own option for every bad value, in one
    line, and no internal field name (``interval:``, ``times[0]:``) reaches the user."""
    if command == "missed-dose":
        _, plan, _ = run(capsys, *TITRATE, "--format", "json")
        (tmp_path / "plan.json").write_text(plan, encoding="utf-8")
        base, table = missed_dose_cases(str(tmp_path / "plan.json"))
    else:
        base, table = BAD_VALUES[command]
    code, out, _ = run(capsys, *base)
    assert code == 0, "the base command must succeed"
    value, *extra = table[option]
    argv = with_option(base, option, value)
    assert isinstance(value, str)
    for index in range(0, len(extra), 2):
        extra_option = extra[index]
        assert extra_option is not None
        argv = with_option(argv, extra_option, extra[index + 1])
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"baclofen-dose: error: {option}"), err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        [*TAPER, "--time", "08:00"],  # neither --times nor --times-per-day
        [*TITRATE, "--times-per", "3"],
        [*TITRATE, "--tar", "60 mg/day"],
        [*TAPER, "--reduce", "1"],
        ["titrate", "--start", "2026-01-05", "--targ", "60 mg/day"],
        ["rules", "--form", "markdown"],
        ["intrathecal", "taper", "--cur", "600 mcg/day", "--first-dose", "100 mcg/day"],
        ["--deb", "rules"],
    ],
)
def test_no_option_may_be_abbreviated(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    """Issue 8, item 8: `taper --times 08:00` was silently taken as --times-per-day."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("baclofen-dose: error: ") and err.count("\n") == 1
    assert "unrecognized arguments" in err or "required" in err


@pytest.mark.parametrize(
    "value",
    [
        "\uff13",
        " 3",
        "3 ",
        "+3",
        "-3",
        "3_0",
        "03",
        "3.0",
        "",
        "three",
        "\u0663",
        "25",
        "300000000",
    ],
)
@pytest.mark.parametrize("base", [TITRATE, TAPER])
def test_integer_options_take_ascii_digits_only(
    capsys: pytest.CaptureFixture[str], base: list[str], value: str
) -> None:
    """Full-width, Arabic-Indic, signed, spaced or underscored digits are refused at once,
    as is a number above the sanity bound (before the library sees it)."""
    code, out, err = run(capsys, *with_option(base, "--times-per-day", value))
    assert code == 2 and out == ""
    assert err.startswith("baclofen-dose: error: --times-per-day: ") and err.count("\n") == 1
    assert_clean(without_received_value(err, value))


def test_integer_option_bound_is_checked_before_use(capsys: pytest.CaptureFixture[str]) -> None:
    """A count with a million digits is refused by its length, not parsed."""
    code, _, err = run(capsys, *with_option(TAPER, "--times-per-day", "9" * 1_000_000))
    assert code == 2 and err.count("\n") == 1 and len(err) < 300


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("3", 3), ("24", 24)])
def test_count_accepts_plain_numbers(value: str, expected: int) -> None:
    from baclofen_dose.cli.options import count

    assert count(value) == expected


def test_taper_at_the_end_of_the_calendar_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 8 must-show: a schedule past 9999-12-31 is a typed error, one line, exit 2."""
    code, out, err = run(capsys, *with_option(TAPER, "--start", "9999-12-25"))
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert code == 2 and err.startswith("baclofen-dose: error: --start"), err


def test_an_internal_error_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 8, item 8: any exception that is not a library error is a bug: one line saying
    so, exit 1, no traceback; --debug shows the traceback instead."""
    from baclofen_dose.cli import oral

    def broken(args: object) -> str:
        raise RuntimeError("something\nbroke \u00b5")

    monkeypatch.setattr(oral, "run_rules", broken)
    code, out, err = run(capsys, "rules")
    assert code == 1 and out == ""
    assert err == (
        "baclofen-dose: internal error (a bug): RuntimeError: something broke \\xb5; "
        "rerun with --debug\n"
    )
    with pytest.raises(RuntimeError, match="broke"):
        main(["--debug", "rules"])


def test_a_library_error_is_not_called_a_bug(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from baclofen_dose.cli import oral
    from baclofen_dose.core.errors import InputError

    def refused(args: object) -> str:
        raise InputError("interval", "x", "a whole number of days")

    monkeypatch.setattr(oral, "run_titrate", refused)
    code, _, err = run(capsys, "--debug", *TITRATE)
    assert code == 2 and err == (
        "baclofen-dose: error: --every: 'x' is not valid; expected a whole number of days\n"
    )


def test_interrupt_is_one_line_and_exit_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from baclofen_dose.cli import oral

    def interrupted(args: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(oral, "run_rules", interrupted)
    code, out, err = run(capsys, "rules")
    assert (code, out, err) == (130, "", "baclofen-dose: interrupted\n")


def test_a_closed_pipe_ends_the_tool_quietly() -> None:
    """`baclofen-dose rules | head -1`: no traceback, no "Exception ignored" at exit."""
    done = subprocess.run(
        f"{sys.executable} -m baclofen_dose rules | head -c 1",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert len(done.stdout) == 1 and done.stderr == ""
    proc = subprocess.Popen(
        [sys.executable, "-m", "baclofen_dose", "rules"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before the tool writes
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait() == 141 and err == b""


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["--override", "oral.adult.max_daily.us_label=a reason"], "--override"),
        (["--times-per-day", "0"], "--times-per-day"),
    ],
)
def test_library_messages_never_name_options(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The library speaks of its parameters; only the command line names options."""
    from baclofen_dose.core.errors import BaclofenDoseError
    from baclofen_dose.oral.titration import plan_titration

    args = dict(zip(argv[::2], argv[1::2], strict=True))
    kwargs: dict[str, object] = {"start": "2026-01-05", "target": "60 mg/day"}
    if "--override" in args:
        rule, _, reason = args["--override"].partition("=")
        kwargs["overrides"] = {rule: reason}
    else:
        kwargs["times_per_day"] = int(args["--times-per-day"])
    with pytest.raises(BaclofenDoseError) as caught:
        plan_titration(**kwargs)  # type: ignore[arg-type]
    assert "--" not in str(caught.value)
    _, _, err = run(capsys, *TITRATE, *argv)
    assert err.split(": ", 3)[2] == option


_QUANTITY_TEXT = (
    r"[0-9]{1,6}(\.[0-9]{1,4})? (mg|mcg|mL|mg/day|mcg/day|mcg/hour|days|weeks|h|hours|%|kg|cm"
    r"|years|mg/dL|micromol/L|mcg/mL|mg tablet)"
)


def _fuzz_cases() -> list[tuple[list[str], str]]:
    import tests.test_intrathecal_cli as it_cli  # the module, so its tests are not collected here

    tables = [*BAD_VALUES.values(), *it_cli.IT_BAD_VALUES.values()]
    return [
        (base, option)
        for base, table in tables
        for option in table
        if option not in {"--rules", "--format"}
    ]


@given(
    case=st.sampled_from(_fuzz_cases()),
    value=st.one_of(
        st.text(max_size=20),
        st.from_regex(_QUANTITY_TEXT, fullmatch=True),
        st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
    ),
)
def test_any_value_gives_a_result_or_one_line(case: tuple[list[str], str], value: str) -> None:
    """Fuzz: whatever an option receives, the tool prints a result (exit 0) or one line of
    error or refusal (exit 2 or 3), never an internal error (exit 1) or a traceback."""
    base, option = case
    assume(not value.startswith("-"))  # argparse reads that as an option, not a value
    out, err = io.StringIO(), io.StringIO()
    # --output and --plot write the file they are given ("77 mg" once landed in the checkout):
    # every call runs in a fresh temporary folder.
    with (
        tempfile.TemporaryDirectory() as folder,
        contextlib.chdir(folder),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(with_option(base, option, value))
    assert code in {0, 2, 3}, err.getvalue()
    assert (err.getvalue() == "") == (code == 0) and err.getvalue().count("\n") <= 1


@given(st.text(max_size=8))
def test_count_takes_exactly_the_plain_numbers_0_to_24(text: str) -> None:
    """Property: count() accepts a string exactly when it is str(n) for n in 0..24."""
    import argparse

    from baclofen_dose.cli.options import COUNT_MAX, count

    plain = {str(n) for n in range(COUNT_MAX + 1)}
    if text in plain:
        assert count(text) == int(text)
    else:
        with pytest.raises(argparse.ArgumentTypeError):
            count(text)


def subcommands() -> list[list[str]]:
    """Every runnable subcommand, as typed (["titrate"], ["intrathecal", "refill"])."""
    from baclofen_dose.cli import _parser

    parser = _parser()[0]
    found: list[list[str]] = []
    for action in parser._actions:  # argparse keeps its subparsers only here
        if isinstance(action.choices, dict):
            for name, sub in action.choices.items():
                nested = [a for a in sub._actions if isinstance(a.choices, dict)]
                if nested:
                    found += [[name, inner] for inner in nested[0].choices]
                    if not nested[0].required:  # runnable by itself too ("check --dose ...")
                        found.append([name])
                else:
                    found.append([name])
    return found


def test_every_subcommand_has_a_field_table() -> None:
    from baclofen_dose.cli.fields import FIELDS

    assert sorted(FIELDS) == sorted(" ".join(words) for words in subcommands())


@pytest.mark.parametrize("words", subcommands(), ids=" ".join)
def test_field_tables_name_real_options(words: list[str]) -> None:
    """A typo in a table would blame an option that does not exist."""
    from baclofen_dose.cli.fields import FIELDS

    options = value_options(words, flags=True)
    for option in FIELDS[" ".join(words)].values():
        for name in option.split(" (", 1)[0].split(" or "):
            assert name in options, name


def test_missed_dose_with_a_typed_regimen_checks_it_as_an_order(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A regimen typed on the command line (no plan file) is judged as an order: 100 mg 3 times
    a day crosses the 120 mg/day hard limit and the 20 mg single-dose soft limit."""
    code = main(
        ["missed-dose", "--dose", "100 mg", "--times", "08:00,14:00,20:00",
         "--missed", "2026-03-03 08:00", "--now", "2026-03-03 09:00"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "oral.adult.max_daily.hard" in out and "oral.adult.max_dose.us_label" in out
    main(
        ["missed-dose", "--dose", "10 mg", "--times", "08:00,14:00,20:00",
         "--missed", "2026-03-03 08:00", "--now", "2026-03-03 09:00"]
    )  # fmt: skip
    assert "checked as an order" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--times-per-day", "0"], "--times-per-day: '0' is not a whole number of doses a day from 1 to 24"),
        (["--times-per-day", "25"], "--times-per-day: '25' is not a whole number of doses a day from 1 to 24"),
        (["--times-per-day", "3", "--sex", "M"], "--sex: 'M' is not valid; expected female or male (leave --sex out"),
        (["--times-per-day", "3", "--age", "0"], "--age: '0' is not greater than zero; expected whole years"),
        (["--times-per-day", "3", "--dose", "25 mg/day"], "give the dose of one administration, such as '5 mg', and --times-per-day)"),
        (["--times-per-day", "3", "--dose", "99999999999999999999999 mg"], "has too many digits"),
    ],
)  # fmt: skip
def test_check_errors_say_what_is_wrong(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    """A fresh tester's report: each message says what is wrong, in the command line's words."""
    dose = [] if "--dose" in argv else ["--dose", "5 mg"]
    code, out, err = run(capsys, "check", *dose, *argv)
    assert code == 2 and out == ""
    assert says in err
    assert "None" not in err and "has no unit" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ("check", "--dose", "10 mg", "--times-per-day", "3", "--dialysis", "false"),
        ("check", "--dose", "10 mg", "--times-per-day", "3", "--no-dialysis", "yes"),
        ("titrate", "--start", "2026-01-05", "--target", "60 mg/day", "--dialysis", "no"),
    ],
)
def test_a_value_after_a_yes_or_no_option_names_that_option(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    """`--dialysis false` is not read as the next positional argument's error ("ROUTE:
    invalid choice"): the message names the option the value was written after."""
    code, out, err = run(capsys, *argv)
    flag, word = argv[-2], argv[-1]
    assert code == 2 and out == ""
    assert f"{flag}: takes no value (got '{word}'): write --dialysis or --no-dialysis" in err
    assert "Traceback" not in err and "ROUTE" not in err
