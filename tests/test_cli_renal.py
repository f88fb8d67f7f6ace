"""The `renal` subcommand and the patient options on `titrate` (issue 3): output, exit codes."""

from __future__ import annotations

import json
import re

import pytest

from baclofen_dose.cli import main
from tests.ismp import assert_clean


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cells(out: str) -> list[list[str]]:
    """The schedule table's rows, split into cells."""
    rows = [line for line in out.splitlines() if line[:1].isdigit()]
    return [[c.strip() for c in re.split(r"\s{2,}", row) if c.strip()] for row in rows]


WOMAN = ["--age", "72", "--sex", "female", "--weight", "70 kg"]


@pytest.mark.req("SAF-13")
def test_must_show_renal_for_a_72_year_old_woman(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "renal", *WOMAN, "--scr", "1.4 mg/dL")
    assert code == 0 and err == ""
    assert "Creatinine clearance (Cockcroft-Gault 1976): 40.1 mL/min" in out
    assert "weight used: actual body weight 70 kg (weight policy actual)" in out
    assert "CrCl = (140 - 72) x 70 / (72 x 1.4) x 0.85 = 40.1 mL/min" in out
    assert "eGFR (CKD-EPI 2021 without race): 40 mL/min/1.73 m2" in out
    assert "Decision support for health-care professionals" in out
    assert_clean(out)
    code, molar, _ = run(capsys, "renal", *WOMAN, "--scr", "123.8 micromol/L")
    assert code == 0
    assert "Creatinine clearance (Cockcroft-Gault 1976): 40.1 mL/min" in molar
    assert "given as 123.8 micromol/L; divided by 88.4" in molar
    assert_clean(molar)


def test_renal_json_and_policy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "renal",
        *WOMAN,
        "--scr",
        "1.4 mg/dL",
        "--height",
        "165 cm",
        "--no-dialysis",
        "--weight-policy",
        "ideal",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["crcl"]["weight"]["policy"] == "ideal"
    assert data["crcl"]["conversion_factor_umol_per_mg_dl"] == 88.4
    assert data["egfr_deindexed"]["bsa_m2"] > 1.7
    assert data["assessment"]["band"] == "moderate"
    assert data["assessment"]["policy"] == "vlavonou2014"


def test_renal_with_a_policy_on_dialysis(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "renal", *WOMAN, "--dialysis", "--renal-policy", "ajkd2017")
    assert code == 0
    assert "on dialysis" in out and "renal.ajkd2017.egfr_min" in out
    assert_clean(out)


@pytest.mark.req("SAF-13", "SAF-14")
@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--scr", "124 mg/dL"], "likely a value in micromol/L labelled mg/dL"),
        (["--scr", "1.4"], "has no unit"),
        (["--weight", "70 g", "--scr", "1 mg/dL"], "did you mean 70 kg?"),
        (["--scr", "1.4 mg/dL", "--weight-policy", "lean"], "--weight-policy:"),
        (["--scr", "1.4 mg/dL", "--age", "72 years", "--born", "1950-01-01"], "not both"),
        (["--sex", "F"], "--sex:"),
    ],
)
def test_bad_patient_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    base = [a for a in WOMAN]
    for index in range(0, len(argv), 2):
        if argv[index] in base:
            base[base.index(argv[index]) + 1] = argv[index + 1]
        else:
            base += argv[index : index + 2]
    code, out, err = run(capsys, "renal", *base)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_renal_needs_a_patient(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "renal")
    assert code == 2 and "--age" in err
    code, _, err = run(capsys, "renal", "--age", "72", "--sex", "female")
    assert code == 2 and "is missing" in err


@pytest.mark.req("SAF-28")
def test_must_show_titrate_crcl_40_and_100(capsys: pytest.CaptureFixture[str]) -> None:
    code, low, _ = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "max",
        *WOMAN,
        "--scr",
        "1.4 mg/dL",
        "--no-dialysis",
    )
    assert code == 0
    code, normal, _ = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "max",
        "--age",
        "50",
        "--sex",
        "male",
        "--weight",
        "80 kg",
        "--scr",
        "1 mg/dL",
        "--no-dialysis",
    )
    assert code == 0
    low_rows, normal_rows = cells(low), cells(normal)
    assert low_rows[0][2:] == ["start", "5 mg", "once a day", "5 mg/day"]
    assert low_rows[-1][2:] == [
        "up 5 mg/day",
        "15 mg, 15 mg and 10 mg",
        "3 times a day",
        "40 mg/day",
    ]
    assert normal_rows[0][2:] == ["start", "5 mg", "3 times a day", "15 mg/day"]
    assert normal_rows[-1][-1] == "80 mg/day"
    assert "renal policy vlavonou2014" in low and "renal.vlavonou2014.moderate.dose_fraction" in low
    assert "Creatinine clearance: 40.1 mL/min" in low
    assert "Creatinine clearance: 100 mL/min" in normal
    assert_clean([low, normal])


def test_must_show_titrate_six_year_old(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "max",
        "--age",
        "6",
        "--weight",
        "20 kg",
    )
    assert code == 0
    # 0.3 mg/kg/day x 20 kg = 6 mg/day in 4 equal doses of 1.5 mg (1.5 mL of 1 mg/mL).
    assert cells(out)[0][2:] == ["start", "1.5 mg", "4 times a day", "6 mg/day"]
    assert cells(out)[-1][-1] == "40 mg/day"
    assert out.count("40 mg/day") >= 2 and "oral.child.max_daily.under_8" in out
    assert "Off-label in the US" in out and "L18" in out
    assert_clean(out)
    code, text, _ = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "max",
        "--age",
        "6",
        "--weight",
        "20 kg",
        "--format",
        "text",
    )
    assert code == 0 and "Off-label in the US" in text


def test_titrate_refusals(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "titrate", "--start", "2026-01-05", "--target", "max", *WOMAN, "--scr", "1.4 mg/dL"
    )
    assert code == 2 and "--dialysis or --no-dialysis is missing" in err
    code, _, err = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "60 mg/day",
        *WOMAN,
        "--scr",
        "1.4 mg/dL",
        "--no-dialysis",
    )
    assert code == 3 and "renal.vlavonou2014.moderate.dose_fraction" in err
    assert "--override RULE_ID=REASON" in err
    code, _, err = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "max",
        *WOMAN,
        "--dialysis",
        "--renal-policy",
        "cheong2020",
    )
    # Cheong 2020's 2.5 mg/day on dialysis without a product: refused, naming the liquids that
    # measure it (issue 10 item 6), never another policy.
    assert code == 2 and "E_NOT_GIVABLE" not in err and "--renal-policy" in err
    assert "2.5 mg/day" in err and "oral solution of 1 mg/mL" in err and "policy or" not in err


def test_cli_output_passes_the_project_lint(capsys: pytest.CaptureFixture[str]) -> None:
    """The project's own ISMP lint (tests/ismp.py) on the real output of the installed tool.

    (.ci/run also runs the shared reference checker on CLI output when it sits beside the
    repository; the tests never depend on anything outside it.)
    """
    for argv in (
        ["renal", *WOMAN, "--scr", "123.8 micromol/L", "--height", "165 cm", "--no-dialysis"],
        [
            "titrate",
            "--start",
            "2026-01-05",
            "--target",
            "max",
            *WOMAN,
            "--scr",
            "1.4 mg/dL",
            "--no-dialysis",
        ],
        ["titrate", "--start", "2026-01-05", "--target", "max", "--age", "6", "--weight", "20 kg"],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 0 and err == "" and out
        assert_clean(out)


def test_a_clearance_just_below_a_band_edge_is_shown_below_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 10 item 6: (140 - 80) x 50 / (72 x 1.39) = 29.976 mL/min is in the below-30 band:
    shown as 29.98, never as 30 beside "below 30", in the report, working and plan."""
    args = ("--age", "80", "--sex", "male", "--weight", "50 kg", "--scr", "1.39 mg/dL")
    code, out, _ = run(capsys, "renal", *args, "--no-dialysis")
    assert code == 0
    assert "Creatinine clearance (Cockcroft-Gault 1976): 29.98 mL/min" in out
    assert "= 29.98 mL/min" in out and "CrCl 29.98 mL/min" in out
    assert "CrCl 30 mL/min" not in out
    code, plan, _ = run(
        capsys, "titrate", "--start", "2026-01-05", "--target", "max", *args, "--no-dialysis"
    )
    assert code == 0 and "Creatinine clearance: 29.98 mL/min" in plan
    assert_clean([out, plan])
