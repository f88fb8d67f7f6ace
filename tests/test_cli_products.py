"""The taper, titrate --product and missed-dose commands (issue 4): output, exit codes, lint."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

from baclofen_dose.cli import main
from baclofen_dose.render import INTENDED_USE
from tests.ismp import assert_clean
from tests.printed import flat

ROOT = Path(__file__).resolve().parent.parent
TAPER = ["taper", "--from", "20 mg", "--times-per-day", "3", "--start", "2026-03-02"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.req("SAF-32")
def test_must_show_taper_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *TAPER)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Baclofen by mouth: taper plan"
    assert "Decision support for health-care professionals" in lines[1]
    first = next(i for i, line in enumerate(lines) if line.startswith("1 "))
    # Step 1's dates run down its dose rows: first day, last day, length (issue 14: weekdays).
    assert lines[first].split()[:8] == ["1", "Mon", "2", "March", "2026", "1st", "15", "mg"]
    assert lines[first + 1].split()[:5] == ["to", "Wed", "4", "March", "2026"]
    assert lines[first + 2].split()[:2] == ["3", "days"]
    stop = next(line for line in lines if line.startswith("Stop "))
    assert stop.split()[:5] == ["Stop", "Fri", "20", "March", "2026"]
    assert all(len(line) <= 100 for line in lines)
    assert (
        "If symptoms come back, return to the previous step and contact your prescriber."
        in flat(out)
    )
    closing = lines[lines.index("Dispense in total:") + 1]
    assert closing.startswith("- 10 mg tablet (scored: whole or half tablets): 47 tablets")
    assert flat(out).endswith(INTENDED_USE)
    assert_clean(out)


@pytest.mark.req("SAF-32")
def test_must_show_over_5_days_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    """5 days is below the minimum 7 days (oral.taper.duration.min, L17 "approximately 1 to
    2 weeks"); 5 steps is the fewest when no step removes more than half the daily dose nor
    more than oral.taper.step.max. 4 days fits only with larger steps: refused (exit 2)
    naming both rules, rather than planned with steps refused next (a tester's finding)."""
    code, out, err = run(capsys, *TAPER, "--over", "5 days")
    assert code == 3 and out == ""
    assert err.count("\n") == 1
    assert "oral.taper.duration.min" in err and "--override RULE_ID=REASON" in err
    assert "oral.taper.step.max" not in err
    assert_clean(err)
    code, out, err = run(capsys, *TAPER, "--over", "4 days")
    assert code == 2 and out == ""
    assert "oral.taper.step.max" in err and "oral.taper.duration.min" in err
    assert_clean(err)


def test_override_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        *TAPER,
        "--over",
        "4 days",
        "--override",
        "oral.taper.duration.min=serious adverse reaction",
        "--override",
        "oral.taper.step.max=serious adverse reaction",
    )
    assert code == 0 and '"serious adverse reaction"' in out
    assert_clean(out)


def test_csv_and_json_agree(capsys: pytest.CaptureFixture[str]) -> None:
    _, text, _ = run(capsys, *TAPER, "--format", "csv")
    _, js, _ = run(capsys, *TAPER, "--format", "json")
    rows = list(csv.DictReader(io.StringIO(text)))
    data = json.loads(js)
    doses = [r for r in rows if r["record"] == "dose"]
    assert len(doses) == sum(len(s["units_per_dose"]) for s in data["steps"])
    (stop,) = [r for r in rows if r["record"] == "stop"]
    assert stop["start"] == data["taper"]["stop"] == "2026-03-20"
    (dispense,) = [r for r in rows if r["record"] == "dispense"]
    assert dispense["quantity"] == str(data["dispense"][0]["dispensed"]["value"]) == "47"
    assert dispense["scheduled_quantity"] == "46.5"
    total = sum((Fraction(r["quantity"]) * int(r["days"]) for r in doses), Fraction(0))
    assert total == Fraction(93, 2)


def test_text_format_and_liquid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *TAPER, "--product", "5 mg/mL suspension", "--format", "text")
    assert code == 0
    assert out.splitlines()[0].startswith(
        "From Mon 2 March 2026 to Wed 4 March 2026: take 15 mg (3 mL"
    )
    assert all(len(line) <= 100 for line in out.splitlines())
    assert_clean(out)


def test_titrate_with_product(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "60 mg/day",
        "--product",
        "10 mg tablet",
    )
    assert code == 0
    assert "take one and a half 10 mg tablets (15 mg) by mouth 3 times a day" in flat(out)
    assert "27 tablets, for Mon 5 January 2026 to Tue 13 January 2026 (9 days)" in flat(out)
    assert_clean(out)
    code, out, err = run(
        capsys,
        "titrate",
        "--start",
        "2026-01-05",
        "--target",
        "60 mg/day",
        "--product",
        "20 mg tablet",
    )
    assert code == 2 and "cannot be given exactly" in err


def test_titrate_without_product_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(
        capsys, "titrate", "--start", "2026-01-05", "--target", "60 mg/day", "--format", "json"
    )
    data = json.loads(out)
    assert "products" not in data and "units_per_dose" not in data["steps"][0]


def test_missed_dose_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, plan, _ = run(capsys, *TAPER, "--format", "json")
    path = tmp_path / "plan.json"
    path.write_text(plan, encoding="utf-8")
    base = [
        "missed-dose",
        "--plan",
        str(path),
        "--times",
        "08:00,14:00,20:00",
        "--missed",
        "2026-03-03 08:00",
    ]
    code, out, _ = run(capsys, *base, "--now", "2026-03-03 12:30")
    assert code == 0 and out.startswith(
        "Skip the missed dose: one and a half 10 mg tablets (15 mg)"
    )
    assert_clean(out)
    code, out, _ = run(capsys, *base, "--now", "2026-03-03 09:00", "--format", "json")
    assert code == 0 and json.loads(out)["action"] == "take_now"
    code, _, err = run(capsys, *base, "--now", "2026-03-03 07:00")
    assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        [*TAPER[:-2]],  # no --start
        ["taper", "--from", "20 mg", "--start", "2026-03-02"],  # no --times-per-day
        [*TAPER, "--step", "7 mg/day"],
        [*TAPER, "--every", "0 days"],
        [*TAPER, "--product", "7.5 mg tablet"],
        [*TAPER, "--format", "pdf"],
        [*TAPER, "--reduce-first", "first"],
        # Issue 8 must-show: past 9999-12-31, and a huge count refused before any allocation.
        ["taper", "--from", "20 mg", "--times-per-day", "3", "--start", "9999-12-25"],
        ["taper", "--from", "20 mg", "--times-per-day", "300000000", "--start", "2026-03-02"],
        ["taper", "--from", "20 mcg", "--times-per-day", "3", "--start", "2026-03-02"],
        [
            "missed-dose",
            "--plan",
            "/no/such.json",
            "--times",
            "08:00",
            "--missed",
            "2026-03-03 08:00",
            "--now",
            "2026-03-03 09:00",
        ],
        [
            "missed-dose",
            "--plan",
            "/no/such.json",
            "--times",
            "08:00",
            "--missed",
            "2026-03-03T08:00",
            "--now",
            "2026-03-03 09:00",
        ],
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("baclofen-dose: error: ")


def test_limit_refusal_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys, "taper", "--from", "50 mg", "--times-per-day", "3", "--start", "2026-03-02"
    )
    assert code == 3 and "oral.adult.max_daily.hard" in err


def test_guide_shows_the_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/taper.md prints the worked taper exactly as the tool prints it today."""
    _, out, _ = run(capsys, *TAPER)
    guide = (ROOT / "docs" / "taper.md").read_text(encoding="utf-8")
    command = '$ baclofen-dose taper --from "20 mg" --times-per-day 3 --start 2026-03-02\n'
    assert command + out in guide


def test_json_reader_refuses_unknown_product_forms(capsys: pytest.CaptureFixture[str]) -> None:
    from baclofen_dose import from_json
    from baclofen_dose.core.errors import InputError

    _, out, _ = run(capsys, *TAPER, "--format", "json")
    data = json.loads(out)
    data["products"][0]["form"] = "capsule"
    with pytest.raises(InputError, match="form"):
        from_json(json.dumps(data))
    data["products"][0]["form"] = "tablet"
    data["products"][0]["scoring"] = "quartered"
    with pytest.raises(InputError, match="scoring"):
        from_json(json.dumps(data))


def test_taper_json_is_a_taper_plan_the_library_reads(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 8: the taper's JSON carries its own schema and reads back as a TaperPlan equal to
    the library's; the missed-dose advice has a library JSON with a schema too."""
    from baclofen_dose import TaperPlan, advise_missed_dose, from_json, plan_taper, to_json

    _, out, _ = run(capsys, *TAPER, "--format", "json")
    data = json.loads(out)
    assert data["schema"] == "baclofen-dose/oral-taper/1" and "purpose" not in data
    plan = from_json(out)
    assert isinstance(plan, TaperPlan)
    assert plan == plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
    advice = advise_missed_dose(
        plan,
        times=["08:00", "14:00", "20:00"],
        day="2026-03-03",
        missed_at="08:00",
        now_day="2026-03-03",
        now_at="12:30",
    )
    assert json.loads(to_json(advice))["schema"] == "baclofen-dose/oral-missed-dose/1"
    assert from_json(to_json(advice)) == advice


def test_missed_dose_for_a_steady_regimen_needs_no_plan_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 14 item 5: --dose with --times instead of --plan; 20:00 missed, 06:30 now,
    08:00 next: 1 hour 30 minutes, less than 2 hours: skip."""
    code, out, err = run(
        capsys,
        "missed-dose",
        "--dose",
        "10 mg",
        "--times",
        "08:00,14:00,20:00",
        "--missed",
        "2026-03-03 20:00",
        "--now",
        "2026-03-04 06:30",
    )
    assert code == 0 and err == ""
    assert out.startswith("Skip the missed dose: 10 mg, due at 20:00 on 3 March 2026.")
    assert "Hours are counted on the wall clock" in out
    assert_clean(out)
    code, _, err = run(
        capsys,
        "missed-dose",
        "--times",
        "08:00",
        "--missed",
        "2026-03-03 08:00",
        "--now",
        "2026-03-03 09:00",
    )
    assert code == 2 and "--plan" in err and "--dose" in err
