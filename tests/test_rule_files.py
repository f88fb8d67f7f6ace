"""Institution rule files (issue 9): they may only tighten, every value sits in its band, the
reading is bounded, and advice text is ISMP-clean before it can be shown.

Each test writes a copy of the bundled rule file with one edit, as a hospital would, and loads
it through ``load_rules`` and through the CLI's ``--rules``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen_dose import (
    HardLimitError,
    InputTypeError,
    Patient,
    RuleSetError,
    load_rules,
    plan_titration,
)
from baclofen_dose.cli import main
from baclofen_dose.core.rules import default_rules
from baclofen_dose.core.rules.tighten import bands, check_bands, check_texts

BUNDLED = (
    Path(__file__).resolve().parent.parent / "baclofen_dose" / "core" / "rules" / "baclofen.toml"
).read_text(encoding="utf-8")


def edit(rule_id: str, key: str, new: str, text: str = BUNDLED) -> str:
    """The rule file with ``key = new`` in the rule ``rule_id`` (which must have the key)."""
    start = text.index(f'id = "{rule_id}"\n')
    end = text.find("[[rules]]", start)
    end = len(text) if end < 0 else end
    block = text[start:end]
    changed, count = re.subn(rf"(?m)^{key} = .*$", lambda _: f"{key} = {new}", block, count=1)
    assert count == 1, (rule_id, key)
    return text[:start] + changed + text[end:]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "institution.toml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.mark.req("SAF-18")
def test_a_g_per_day_slip_in_the_hard_maximum_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, edit("oral.adult.max_daily.hard", "unit", '"g/day"'))
    with pytest.raises(RuleSetError) as caught:
        load_rules(path)
    message = str(caught.value)
    assert caught.value.field == "oral.adult.max_daily.hard"
    assert "120,000 mg/day" in message and "120 mg/day" in message and "loosens" in message
    code, err = cli(capsys, "rules", "--rules", str(path))
    assert code == 2 and err.count("\n") == 1
    assert "oral.adult.max_daily.hard" in err and "120 mg/day" in err


@pytest.mark.req("SAF-18", "SAF-19")
def test_a_lower_hard_maximum_loads_and_the_plan_respects_it(tmp_path: Path) -> None:
    text = edit("oral.adult.max_daily.hard", "value", '"60"')
    for soft in (
        "oral.adult.max_daily.us_label",
        "oral.adult.max_daily.uk_outpatient",
        "oral.adult.max_daily.inpatient_supervised",
    ):
        text = edit(soft, "value", '"60"', text)
    rules = load_rules(write(tmp_path, text))
    assert rules["oral.adult.max_daily.hard"].value == 60
    assert rules != default_rules()
    plan = plan_titration(start="2026-01-05", target="max", rules=rules)
    assert max(step.regimen.daily_mg for step in plan.steps) == 60
    assert plan.provenance.ruleset_sha256 == rules.sha256
    with pytest.raises(HardLimitError) as caught:
        plan_titration(start="2026-01-05", target="80 mg/day", rules=rules)
    assert caught.value.rule_id == "oral.adult.max_daily.hard"


@pytest.mark.req("SAF-18")
@pytest.mark.parametrize(
    ("rule_id", "key", "new", "needle"),
    [
        ("oral.adult.max_daily.hard", "value", '"121"', "loosens the bundled hard limit 120"),
        ("oral.child.titration.interval.min", "value", '"6"', "loosens the bundled hard limit 7"),
        ("schedule.horizon", "value", '"1000000000"', "loosens the bundled hard limit 366"),
        ("oral.adult.max_daily.hard", "kind", '"soft_max"', "may not change a rule's kind"),
        ("oral.adult.dose.grid", "value", '"0.000000000001"', "outside the plausible range"),
        ("oral.adult.start.dose", "value", '"5000"', "outside the plausible range"),
    ],
)
def test_loosening_and_implausible_values_are_refused(
    tmp_path: Path, rule_id: str, key: str, new: str, needle: str
) -> None:
    text = edit(rule_id, key, new)
    with pytest.raises(RuleSetError) as caught:
        load_rules(write(tmp_path, text))
    assert needle in str(caught.value)


@pytest.mark.req("SAF-01", "SAF-18")
@pytest.mark.parametrize(
    "advice",
    [
        '"Take .5 mg qd."',
        '"Give 10mg at night."',
        '"Do not stop \\u202e suddenly."',
        '"Reduce by 5.0 mg."',
    ],
)
def test_advice_text_that_breaks_the_ismp_rules_is_refused(tmp_path: Path, advice: str) -> None:
    text = edit("oral.withdrawal.abrupt", "text", advice)
    with pytest.raises(RuleSetError) as caught:
        load_rules(write(tmp_path, text))
    assert caught.value.field == "oral.withdrawal.abrupt"
    assert "ISMP" in str(caught.value)


def test_tightening_a_hard_minimum_is_allowed(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, edit("oral.child.titration.interval.min", "value", '"8"')))
    child = Patient.from_inputs(
        age="6 years", sex=None, weight="20 kg", height=None, scr=None, dialysis=None
    )
    with pytest.raises(HardLimitError):
        plan_titration(start="2026-01-05", target="12 mg/day", patient=child, rules=rules)
    plan = plan_titration(
        start="2026-01-05", target="12 mg/day", interval="8 days", patient=child, rules=rules
    )
    assert plan.steps[0].days == 8


def test_the_bundled_rules_are_in_band_and_clean() -> None:
    rules = default_rules()
    check_bands(rules)
    check_texts(rules)
    for band in bands().values():
        assert band.low <= band.high


@pytest.mark.req("SAF-18")
@pytest.mark.parametrize("source", ["/dev/zero", "deep"])
def test_unbounded_or_deep_files_exit_2_within_a_second(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    if source == "deep":
        deep = tmp_path / "deep.toml"
        deep.write_text("[a]\nx = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
        source = str(deep)
    began = time.perf_counter()
    code, err = cli(capsys, "rules", "--rules", source)
    elapsed = time.perf_counter() - began
    assert code == 2 and err.count("\n") == 1 and "--rules" in err
    assert elapsed < 5  # generous on a loaded machine; unbounded reading took minutes


def test_load_rules_checks_its_argument_type() -> None:
    for bad in (None, 42, b"x.toml", True):
        with pytest.raises(InputTypeError) as caught:
            load_rules(bad)  # type: ignore[arg-type]
        assert caught.value.field == "rules"


@pytest.mark.req("SAF-18")
@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["oral.adult.max_daily.hard", "it.daily_dose.ceiling"]),
    st.integers(min_value=1, max_value=10**7),
)
def test_a_hard_maximum_only_ever_goes_down(rule_id: str, value: int) -> None:
    """Property: any edited hard maximum loads only if it is at most the bundled value."""
    import tempfile

    bundled = default_rules()[rule_id].require_value()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "r.toml"
        path.write_text(edit(rule_id, "value", f'"{value}"'), encoding="utf-8")
        try:
            loaded = load_rules(path)
        except RuleSetError:
            return
    assert loaded[rule_id].require_value() <= bundled
