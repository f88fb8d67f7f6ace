"""Plots (issue 14 item 4, the [plot] extra): the dose ladder of any plan and the educational
concentration curves with their parameters and sources; ``--plot`` on titrate and taper.
The numbers behind the pictures are tested here and in test_pk.py, not the pixels."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

import baclofen_dose as bd
from baclofen_dose.cli import main
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.oral import pk
from baclofen_dose.render import plots
from baclofen_dose.render.sentences import pk as words
from tests.ismp import assert_clean

RULES = bd.default_rules()
PNG = b"\x89PNG\r\n\x1a\n"
TITRATION = bd.plan_titration(start="2026-01-05", target="60 mg/day")


def test_the_ladder_of_a_titration_has_meeting_steps() -> None:
    ladder = plots.ladder_of(TITRATION, open_days=4)
    assert ladder.daily == (15, 30, 45, 60)
    assert ladder.from_day == (0, 3, 6, 9)
    assert ladder.to_day == (2, 5, 8, 12)
    for end, start in zip(ladder.to_day, ladder.from_day[1:], strict=False):
        assert end + 1 == start
    assert ladder.unit == "mg/day"


def test_the_ladder_of_an_intrathecal_taper_is_in_mcg(tmp_path: Path) -> None:
    plan = bd.plan_intrathecal_taper(
        daily_dose="400 mcg/day", first_dose="100 mcg/day", start="2026-01-05"
    )
    ladder = plots.ladder_of(plan)
    assert ladder.unit == "mcg/day"
    assert ladder.daily[-1] < ladder.daily[0] <= 400
    out = plots.draw_plan(plan, tmp_path / "it.png")
    assert out.read_bytes().startswith(PNG)


def test_the_curves_compare_the_reference_with_crcl_30() -> None:
    curves = plots.concentration_curves(TITRATION)
    reference, low = curves.models
    assert reference.crcl_ml_min == RULES["pk.oral.reference_crcl"].require_value()
    assert low.crcl_ml_min == RULES["pk.compare_crcl"].require_value() == 30
    assert low.half_life_h > reference.half_life_h
    # 9 days of steps plus the open step, 4 points an hour, both ends included.
    assert len(curves.hours) == (9 + curves.open_days) * 24 * 4 + 1
    assert all(level >= 0 for levels in curves.levels_ng_ml for level in levels)
    # Accumulation: the lowest kidney function gives the higher levels at the end.
    assert curves.levels_ng_ml[1][-1] > curves.levels_ng_ml[0][-1]
    assert not curves.patient


def test_the_patients_crcl_draws_the_first_curve() -> None:
    curves = plots.concentration_curves(TITRATION, crcl=Fraction(10115, 252))
    assert curves.patient
    assert curves.models[0].crcl_ml_min == Fraction(10115, 252)
    assert curves.models[0].half_life_h > pk.pk_model().half_life_h


def test_the_side_text_says_educational_and_cites_every_parameter() -> None:
    lines = plots.parameter_lines(plots.concentration_curves(TITRATION), RULES)
    text = " ".join(lines)
    assert words.EDUCATIONAL.split(":")[0] in text
    for rule_id in pk.PARAMETER_RULES:
        assert f"rule {rule_id}" in text
        assert f"({RULES[rule_id].source.key})" in text
    assert "59,000 mL" in text
    assert "74%" in text
    assert "3.3 half-lives" in text
    assert_clean(lines)


def test_draw_plan_writes_png_svg_and_pdf(tmp_path: Path) -> None:
    taper = bd.plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
    assert plots.draw_plan(taper, tmp_path / "t.png").read_bytes().startswith(PNG)
    assert b"<svg" in plots.draw_plan(TITRATION, tmp_path / "t.svg").read_bytes()[:500]
    assert plots.dose_ladder(taper, tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")


def test_bad_targets_and_plans_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        plots.draw_plan(TITRATION, tmp_path / "t.jpg")
    assert caught.value.field == "path"
    with pytest.raises(InputTypeError):
        plots.ladder_of("a plan")  # type: ignore[arg-type]
    with pytest.raises(InputTypeError):
        plots.concentration_curves(
            bd.plan_intrathecal_taper(  # type: ignore[arg-type]
                daily_dose="400 mcg/day", first_dose="100 mcg/day", start="2026-01-05"
            )
        )


def test_cli_titrate_plot_uses_the_patients_crcl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "concentration.png"
    code = main(
        [
            "titrate",
            "--start",
            "2026-01-05",
            "--target",
            "max",
            "--age",
            "72",
            "--sex",
            "female",
            "--weight",
            "70 kg",
            "--scr",
            "1.4 mg/dL",
            "--no-dialysis",
            "--plot",
            str(out),
        ]
    )
    assert code == 0
    assert out.read_bytes().startswith(PNG)
    assert "titration plan" in capsys.readouterr().out


def test_cli_taper_plot(tmp_path: Path) -> None:
    out = tmp_path / "taper.png"
    argv = ["taper", "--from", "20 mg", "--times-per-day", "3", "--start", "2026-03-02"]
    assert main([*argv, "--plot", str(out)]) == 0
    assert out.read_bytes().startswith(PNG)


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--plot", "{tmp}/plan.jpg"], "--plot"),
        (["--plot", "{tmp}/no/such/folder/plan.png"], "cannot write"),
    ],
)
def test_cli_plot_bad_input_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], says: str
) -> None:
    argv = ["titrate", "--start", "2026-01-05", "--target", "60 mg/day"]
    code = main([*argv, *(part.replace("{tmp}", str(tmp_path)) for part in extra)])
    err = capsys.readouterr().err
    assert code == 2
    assert says in err
    assert "Traceback" not in err


def test_cli_plot_refuses_a_patient_on_dialysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "titrate",
            "--start",
            "2026-01-05",
            "--target",
            "15 mg/day",
            "--age",
            "60",
            "--sex",
            "male",
            "--weight",
            "80 kg",
            "--scr",
            "6 mg/dL",
            "--dialysis",
            "--override",
            "renal.dialysis.max_daily=test",
            "--plot",
            str(tmp_path / "d.png"),
        ]
    )
    err = capsys.readouterr().err
    assert code in (2, 3)
    assert not (tmp_path / "d.png").exists()
    assert "Traceback" not in err
