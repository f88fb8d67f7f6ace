"""`baclofen-dose intrathecal ...`: the must-show outputs, exit codes 0 / 2 / 3 (issue 5)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from baclofen_dose.cli import main
from baclofen_dose.core import display, units
from tests.cli_args import value_options, with_option
from tests.ismp import assert_clean

REFILL = [
    "intrathecal",
    "refill",
    "--reservoir",
    "40 mL",
    "--concentration",
    "2000 mcg/mL",
    "--daily-dose",
    "400 mcg/day",
    "--alarm-volume",
    "2 mL",
]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cells(out: str, first: str) -> list[str]:
    """The cells of the table row that starts with ``first``."""
    line = next(line for line in out.splitlines() if line.startswith(first))
    return [c.strip() for c in line.split("  ") if c.strip()]


@pytest.mark.req("SAF-24")
def test_refill_golden_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *REFILL, "--start", "2026-01-05")
    assert code == 0 and err == ""
    assert out.startswith("Intrathecal baclofen: pump refill arithmetic (estimates")
    assert cells(out, "Daily volume") == ["Daily volume", "0.2 mL/day"]
    assert cells(out, "Days to the alarm, nominal") == [
        "Days to the alarm, nominal",
        "190 days",
        "14 July 2026",
    ]
    assert cells(out, "Days to the alarm, worst case") == [
        "Days to the alarm, worst case",
        "165 days (rounded down)",
        "19 June 2026",
    ]
    assert cells(out, "Refill by") == [
        "Refill by",
        "10 days before the worst-case alarm",
        "9 June 2026",
    ]
    assert "190 days divided by 1.145 is 165.94 days (rounded to 2 decimal places)" in out
    assert "Decision support for health-care professionals" in out
    assert_clean(out)


@pytest.mark.req("SAF-04")
def test_refill_golden_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *REFILL, "--start", "2026-01-05", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["daily_volume"] == {"value": 0.2, "unit": "mL/d"}
    assert data["days_to_alarm_nominal"] == {"value": 190, "unit": "d"}
    assert data["days_to_alarm_worst_case"]["exact"] == "38000/229"
    assert data["refill_by"] == "2026-06-09"
    assert '"value": 0.2,' in out and "e+" not in out


def test_refill_text_and_residual(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        *REFILL,
        "--start",
        "2026-01-05",
        "--residual",
        "3.1 mL",
        "--previous-fill",
        "2025-11-20",
        "--format",
        "text",
    )
    assert code == 0
    assert out.splitlines()[0].startswith(
        "Daily volume 0.2 mL/day; days to the low-reservoir alarm"
    )
    assert "Refill by 9 June 2026" in out
    assert "The measured residual 3.1 mL is less than the flow tolerance explains" in out
    assert_clean(out)


@pytest.mark.req("SAF-28")
@pytest.mark.parametrize(
    ("origin", "top"), [("spinal", "390 mcg/day"), ("cerebral", "345 mcg/day")]
)
def test_titrate_from_300(capsys: pytest.CaptureFixture[str], origin: str, top: str) -> None:
    """From 300 mcg/day: at most 390 mcg/day the next day (spinal), 345 (cerebral)."""
    code, out, _ = run(
        capsys, "intrathecal", "titrate", "--current", "300 mcg/day", "--origin", origin
    )
    assert code == 0
    assert f"The largest next daily dose is {top}, no sooner than 24 hours" in out
    assert cells(out, "increase")[2] == top
    assert_clean(out)
    code, out, _ = run(
        capsys,
        "intrathecal",
        "titrate",
        "--current",
        "300 mcg/day",
        "--origin",
        origin,
        "--format",
        "json",
    )
    assert json.loads(out)["increase"]["daily_dose_max"] == {
        "value": int(top.split()[0]),
        "unit": "ug/d",
    }


def test_initial_golden(capsys: pytest.CaptureFixture[str]) -> None:
    for effect, daily in (("6 h", "200 mcg/day"), ("10 h", "100 mcg/day")):
        code, out, _ = run(
            capsys,
            "intrathecal",
            "initial",
            "--screening-dose",
            "100 mcg",
            "--effect-duration",
            effect,
        )
        assert code == 0 and f"First daily dose: {daily}" in out
        assert_clean(out)


def test_screening_and_taper(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "intrathecal", "screening", "--child")
    assert code == 0 and cells(out, "1 ")[:3] == ["1", "25 mcg", "0.5 mL"]
    assert_clean(out)
    code, out, _ = run(
        capsys,
        "intrathecal",
        "taper",
        "--current",
        "600 mcg/day",
        "--first-dose",
        "200 mcg/day",
        "--start",
        "2026-01-05",
        "--format",
        "json",
    )
    assert code == 0
    assert [s["daily_dose"]["value"] for s in json.loads(out)["steps"]] == [
        600,
        480,
        384,
        308,
        247,
        200,
    ]


def test_flex_steps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "intrathecal",
        "titrate",
        "--origin",
        "spinal",
        "--flex-step",
        "12 hours=10 mcg/hour",
        "--flex-step",
        "12 hours=20 mcg/hour",
    )
    assert code == 0 and "Today's daily dose: 360 mcg/day" in out
    code, _, err = run(
        capsys,
        "intrathecal",
        "titrate",
        "--origin",
        "spinal",
        "--flex-step",
        "24 hours=100 mcg/hour",
    )
    assert code == 3 and "flex program" in err


@pytest.mark.req("SAF-19")
@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (
            ["screening", "--concentration", "2000 mcg/mL"],
            "is not the screening strength 50 mcg/mL",
        ),
        (
            [
                "refill",
                "--reservoir",
                "40 mL",
                "--concentration",
                "2000 mcg/mL",
                "--daily-dose",
                "0 mcg/day",
                "--alarm-volume",
                "2 mL",
            ],
            "would stop intrathecal baclofen abruptly",
        ),
        (["titrate", "--current", "0 mcg/day", "--origin", "spinal"], "it.withdrawal.abrupt"),
        (
            [
                "taper",
                "--current",
                "600 mcg/day",
                "--first-dose",
                "0 mcg/day",
                "--start",
                "2026-01-05",
            ],
            "abruptly",
        ),
        (
            ["titrate", "--current", "100 mcg/hour", "--origin", "spinal"],
            "100 mcg/hour times 24 hours",
        ),
        (
            [
                "titrate",
                "--current",
                "300 mcg/day",
                "--origin",
                "spinal",
                "--proposed",
                "420 mcg/day",
            ],
            "it.titrate.spinal.increase.max",
        ),
        (
            [
                "titrate",
                "--current",
                "300 mcg/day",
                "--origin",
                "spinal",
                "--proposed",
                "200 mcg/day",
            ],
            "--override RULE_ID=REASON",
        ),
        (
            ["refill", *REFILL[2:], "--previous-concentration", "500 mcg/mL"],
            "--confirm-concentration-change",
        ),
    ],
)
def test_refusals_exit_3(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    code, out, err = run(capsys, "intrathecal", *argv)
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and err.startswith("baclofen-dose: refused: ")
    assert needle in err and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ["initial", "--screening-dose", "0.1 mg", "--effect-duration", "6 h"],
        ["titrate", "--current", "0.3 mg/day", "--origin", "spinal"],
        ["titrate", "--current", "300 mcg/day", "--origin", "brain"],
        ["titrate", "--current", "300 mcg/day"],
        ["titrate", "--origin", "spinal"],
        [
            "titrate",
            "--current",
            "300 mcg/day",
            "--origin",
            "spinal",
            "--flex-step",
            "24 h=10 mcg/hour",
        ],
        ["titrate", "--origin", "spinal", "--flex-step", "nonsense"],
        [
            "refill",
            "--reservoir",
            "40 mL",
            "--concentration",
            "2000 mcg/mL",
            "--daily-dose",
            "400 mcg/day",
        ],
        ["refill", *REFILL[2:], "--residual", "3 mL"],
        ["refill", *REFILL[2:], "--reservoir", "30 mL"],
        [
            "refill",
            "--reservoir",
            "40 mL",
            "--concentration",
            "2 mcg/mL",
            "--daily-dose",
            "400 mcg/day",
            "--alarm-volume",
            "2 mL",
        ],
        ["screening", "--concentration", "2000"],
        ["taper", "--current", "600 mcg/day", "--first-dose", "200 mcg/day"],
        [
            "taper",
            "--current",
            "600 mcg/day",
            "--first-dose",
            "200 mcg/day",
            "--start",
            "9999-12-30",
        ],
        ["frobnicate"],
        [],
    ],
)
def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, "intrathecal", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("baclofen-dose: error: ")


def test_mg_for_mcg_names_the_route(capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(
        capsys, "intrathecal", "initial", "--screening-dose", "0.1 mg", "--effect-duration", "6 h"
    )
    assert (
        "intrathecal amounts are in mcg; no intrathecal dose is ever converted from an oral one"
        in err
    )


@pytest.mark.req("SAF-03")
def test_display_percentages_and_estimates() -> None:
    """The one formatter writes ratios as percentages and labels estimates (SAF-03)."""
    assert display.amount(Fraction(3, 10), units.PERCENT) == "30%"
    assert display.amount(Fraction(29, 200), units.PERCENT) == "14.5%"
    assert display.approx(Fraction(190), units.DAYS) == "190 days"
    assert display.approx(Fraction(38000, 229), units.DAYS) == "about 165.94 days"
    assert display.approx(Fraction(1, 3), units.PERCENT) == "about 33.33%"
    assert display.approx(Fraction(1, 8), units.VOLUME) == "about 0.13 mL"
    assert display.amount(Fraction(1), units.DAYS) == "1 day"
    assert display.amount(Fraction(1), units.HOURS) == "1 hour"
    assert display.amount(Fraction(25, 2), units.IT_HOURLY_RATE) == "12.5 mcg/hour"
    assert display.amount(Fraction(1, 5), units.DAILY_VOLUME) == "0.2 mL/day"
    assert_clean(["30%", "about 165.94 days", "12.5 mcg/hour", "0.2 mL/day"])


@pytest.mark.req("SAF-08")
def test_refill_output_is_environment_independent() -> None:
    """The same bytes under other locales and time zones (SAF-08, SAF-23)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    argv = [sys.executable, "-m", "baclofen_dose", *REFILL, "--start", "2026-01-05"]
    outputs = set()
    for extra in (
        {},
        {"LC_ALL": "de_DE.UTF-8", "TZ": "Pacific/Apia"},
        {"LC_ALL": "C", "TZ": "UTC"},
    ):
        env = {**os.environ, **extra}
        done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


# Subcommand -> its base command (which succeeds) and, for every option that takes a value,
# a bad value for it (and extra options it needs; None leaves an option out).
IT_BAD_VALUES: dict[str, tuple[list[str], dict[str, list[str | None]]]] = {
    "screening": (
        ["intrathecal", "screening"],
        {
            "--concentration": ["50 mcg"],
            "--age": ["3 kg"],
            "--rules": ["/no/such.toml"],
            "--format": ["pdf"],
        },
    ),
    "initial": (
        ["intrathecal", "initial", "--screening-dose", "100 mcg", "--effect-duration", "6 h"],
        {
            "--screening-dose": ["0.1 mg"],
            "--effect-duration": ["6"],
            "--rules": ["/no/such.toml"],
            "--format": ["pdf"],
        },
    ),
    "titrate": (
        ["intrathecal", "titrate", "--current", "300 mcg/day", "--origin", "spinal"],
        {
            "--current": ["0.3 mg/day"],
            "--origin": ["brain"],
            "--proposed": ["380 mg/day"],
            "--flex-step": ["12 h=15 mcg/hour", "--current", None],
            "--override": ["it.titrate.spinal.increase.max=a reason"],
            "--rules": ["/no/such.toml"],
            "--format": ["pdf"],
        },
    ),
    "refill": (
        [*REFILL, "--start", "2026-01-05"],
        {
            "--reservoir": ["30 mL"],
            "--fill-volume": ["41 mL"],
            "--concentration": ["2 mg/mL"],
            "--daily-dose": ["400 mcg"],
            "--flex-step": ["x=15 mcg/hour", "--daily-dose", None],
            "--alarm-volume": ["2 mcg"],
            "--start": ["2026-02-30"],
            "--residual": ["3 mcg", "--previous-fill", "2025-12-01"],
            "--previous-fill": ["2026-02-30", "--residual", "3 mL"],
            "--previous-fill-volume": [
                "40 mcg",
                "--residual",
                "3 mL",
                "--previous-fill",
                "2025-12-01",
            ],
            "--previous-concentration": ["2 mg/mL"],
            "--previous-daily-dose": [
                "400 mcg",
                "--residual",
                "3 mL",
                "--previous-fill",
                "2025-12-01",
            ],
            "--margin-policy": ["never"],
            "--stability-policy": ["forever"],
            "--rules": ["/no/such.toml"],
            "--format": ["pdf"],
        },
    ),
    "taper": (
        [
            "intrathecal",
            "taper",
            "--current",
            "600 mcg/day",
            "--first-dose",
            "200 mcg/day",
            "--start",
            "2026-01-05",
        ],
        {
            "--current": ["0.6 mg/day"],
            "--first-dose": ["200 mcg"],
            "--start": ["2026-02-30"],
            "--step": ["20"],
            "--every": ["2.5 days"],
            "--override": ["it.taper.step.max=a reason"],
            "--rules": ["/no/such.toml"],
            "--format": ["pdf"],
        },
    ),
}


@pytest.mark.parametrize("command", IT_BAD_VALUES)
def test_every_intrathecal_option_has_a_bad_value_case(command: str) -> None:
    """The table covers every option that takes a value, so none is left untested."""
    assert set(IT_BAD_VALUES[command][1]) == value_options(["intrathecal", command])


@pytest.mark.parametrize(
    ("command", "option"), [(c, o) for c, (_, table) in IT_BAD_VALUES.items() for o in table]
)
def test_a_bad_value_is_blamed_on_its_option(
    capsys: pytest.CaptureFixture[str], command: str, option: str
) -> None:
    """Issue 8, item 8: each intrathecal subcommand names its own option for a bad value
    (``titrate --current "0.3 mg/day"`` once blamed ``--from``; refill said ``daily_dose:``)."""
    base, table = IT_BAD_VALUES[command]
    code, _, _ = run(capsys, *base)
    assert code == 0, "the base command must succeed"
    value, *extra = table[option]
    argv = with_option(base, option, value)
    for index in range(0, len(extra), 2):
        extra_option = extra[index]
        assert extra_option is not None
        argv = with_option(argv, extra_option, extra[index + 1])
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"baclofen-dose: error: {option}"), err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_titrate_current_blames_current(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "intrathecal", "titrate", "--current", "0.3 mg/day", "--origin", "spinal"
    )
    assert code == 2 and err.startswith("baclofen-dose: error: --current: '0.3 mg/day' ")
    assert "--from" not in err


def test_abrupt_stop_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    """A refusal that names a parameter names the option instead (``daily_dose:`` before)."""
    code, _, err = run(capsys, *with_option(REFILL, "--daily-dose", "0 mcg/day"))
    assert code == 3
    assert err.startswith("baclofen-dose: refused: --daily-dose: 0 mcg/day would stop")


def test_confirmation_names_the_flag_once(capsys: pytest.CaptureFixture[str]) -> None:
    """The library asks for its parameter; the command line names its own flag, once."""
    code, _, err = run(capsys, *REFILL, "--previous-concentration", "500 mcg/mL")
    assert code == 3 and err.count("\n") == 1
    assert err.rstrip().endswith("confirm it explicitly with --confirm-concentration-change")
    assert "confirm_concentration_change" not in err


def test_override_hint_only_where_there_is_an_override_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Only `intrathecal titrate` takes --override; its soft-limit refusals name it."""
    code, _, err = run(
        capsys,
        "intrathecal",
        "titrate",
        "--current",
        "300 mcg/day",
        "--origin",
        "spinal",
        "--proposed",
        "200 mcg/day",
    )
    assert code == 3 and err.rstrip().endswith("(command line: --override RULE_ID=REASON)")
