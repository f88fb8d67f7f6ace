"""The patient policies of issue 10 from the command line: the US adult ladder for a
15-year-old, the older-adult schedule, pregnancy and breastfeeding as stated inputs."""

from __future__ import annotations

import re

import pytest

from baclofen_dose.cli import main
from tests.ismp import assert_clean

TITRATE = ["titrate", "--start", "2026-01-05"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_15_year_old_of_60_kg_can_have_the_adult_ladder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys,
        *TITRATE,
        "--target",
        "80 mg/day",
        "--age",
        "15",
        "--sex",
        "male",
        "--weight",
        "60 kg",
        "--adolescent-policy",
        "us_adult_label",
    )
    assert code == 0
    assert re.search(r"  5 mg +3 times a day +15 mg/day\n", out)
    assert re.search(r"  20 mg +4 times a day +80 mg/day\n", out)
    assert "population.adolescent.us_label_from" in out
    assert_clean(out)


def test_older_adult_policy_and_pregnancy_are_options(capsys: pytest.CaptureFixture[str]) -> None:
    patient = ["--sex", "female", "--weight", "60 kg", "--scr", "0.8 mg/dL", "--no-dialysis"]
    code, slow, _ = run(capsys, *TITRATE, "--target", "30 mg/day", "--age", "80", *patient)
    assert code == 0 and "oral.older_adult.interval" in slow
    code, label, _ = run(
        capsys,
        *TITRATE,
        "--target",
        "30 mg/day",
        "--age",
        "80",
        *patient,
        "--older-adult-policy",
        "adult_label",
    )
    assert code == 0 and "8 January 2026" in label and label != slow
    code, pregnant, _ = run(
        capsys, *TITRATE, "--target", "30 mg/day", "--age", "30", *patient, "--pregnant"
    )
    assert code == 0 and "counsel.pregnancy" in pregnant
    code, _, err = run(
        capsys,
        *TITRATE,
        "--target",
        "30 mg/day",
        "--age",
        "80",
        *patient,
        "--older-adult-policy",
        "bogus",
    )
    assert code == 2 and err.startswith("baclofen-dose: error: --older-adult-policy:")
