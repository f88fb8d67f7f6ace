"""The command-line tool: output, exit codes 0 / 2 / 3, one clear line on error (issue 2)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from baclofen_dose.cli import main
from tests.ismp import assert_clean

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
        ["1", "5 January 2026", "7 January 2026", "start", "5 mg", "3 times a day", "15 mg/day"],
        [
            "2",
            "8 January 2026",
            "10 January 2026",
            "up 15 mg/day",
            "10 mg",
            "3 times a day",
            "30 mg/day",
        ],
        [
            "3",
            "11 January 2026",
            "13 January 2026",
            "up 15 mg/day",
            "15 mg",
            "3 times a day",
            "45 mg/day",
        ],
        ["4", "14 January 2026", "onward", "up 15 mg/day", "20 mg", "3 times a day", "60 mg/day"],
    ]
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
    assert all(0 < b - a <= 15 for a, b in itertools.pairwise(totals))


def test_text_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "titrate", "--start", "2026-01-05", "--target", "30 mg/day", "--format", "text"
    )
    assert code == 0
    assert (
        out.splitlines()[0]
        == "Take 5 mg by mouth 3 times a day from 5 January 2026 to 7 January 2026."
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
