"""Checking existing orders (issue 11): golden orders with hand-worked findings, boundaries,
rule kinds read at run time, planning and checking in agreement, the interaction table."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baclofen_dose import default_rules, render
from baclofen_dose.check import check_intrathecal_order, check_order
from baclofen_dose.check.order import Judge
from baclofen_dose.cli import main
from baclofen_dose.core import kinds
from baclofen_dose.core.errors import (
    BaclofenDoseError,
    HardLimitError,
    InputError,
    InputTypeError,
    RuleSetError,
)
from baclofen_dose.core.rules.interactions import default_interactions, load_interactions
from baclofen_dose.intrathecal.common import FlexProgram
from baclofen_dose.oral.patient import Patient
from baclofen_dose.oral.titration import plan_titration
from baclofen_dose.render.check import check_text, not_assessed_text
from baclofen_dose.render.messages import finding_text
from tests import strategies as s
from tests.ismp import assert_clean

RULES = default_rules()
BUNDLED = Path(__file__).parents[1] / "baclofen_dose" / "core" / "rules"


def codes(result: object) -> dict[str, str]:
    """rule id -> code of each finding."""
    return {f.rule_id: f.code for f in result.findings}  # type: ignore[attr-defined]


def older(age: str = "80 years", dialysis: bool = False) -> Patient:
    return Patient.from_inputs(
        age=age, sex=None, weight=None, height=None, scr=None, dialysis=dialysis
    )


# --- golden orders ---------------------------------------------------------------------------


def test_single_dose_above_20_mg_is_a_finding() -> None:
    """'25 mg 3 times a day' for an adult: the single dose is above the 20 mg label maximum
    (75 mg/day is below 80 mg/day, so the planner's re-split ladder would pass it)."""
    result = check_order(dose="25 mg", times_per_day=3)
    finding = next(f for f in result.findings if f.rule_id == "oral.adult.max_dose.us_label")
    assert finding.severity in ("warning", "hard")
    assert finding.values["value"].value == 25
    assert finding.values["limit"].value == 20
    assert "oral.adult.max_daily.us_label" not in codes(result)
    assert result.order[0][1] == tuple(result.order[0][1][:1]) * 3  # judged as ordered


def test_renal_and_older_adult_findings_with_sources() -> None:
    """'15 mg 3 times a day', 80 years, CrCl 25 mL/min: severe band (below 30), ceiling
    80 x 1/3 = 26.67 rounded down to the 5 mg grid = 25 mg/day < 45 mg/day; older adult: the
    label caution, the tolerance note (45 > 30 mg/day) and Beers 2023 (below 60)."""
    result = check_order(
        dose="15 mg",
        times_per_day=3,
        patient=older(),
        measured_crcl="25 mL/min",
        measured_method="cockcroft_gault",
    )
    found = codes(result)
    renal = next(f for f in result.findings if f.rule_id.startswith("renal.vlavonou2014.severe"))
    assert renal.values["value"].value == 45
    assert renal.values["limit"].value == 25
    assert found["oral.older_adult.beers2023.egfr_below"] == "CHECK_BEERS_KIDNEY"
    assert found["oral.older_adult.tolerance_note"] == "OLDER_TOLERANCE_ORDER"
    assert "oral.older_adult.caution" in found
    assert all(f.citation for f in result.findings)
    beers = next(f for f in result.findings if f.code == "CHECK_BEERS_KIDNEY")
    assert "Beers" in beers.citation and "BEERS2023" in beers.citation


def test_opioid_interaction_and_unknown_medicine() -> None:
    result = check_order(dose="10 mg", times_per_day=3, medicines=["oxycodone", "unobtainium"])
    opioid = next(f for f in result.findings if f.rule_id == "interaction.opioids")
    assert "respiratory depression" in str(opioid.values["consequence"])
    assert [(n.what, n.given, n.code) for n in result.not_assessed if n.what == "medicine"] == [
        ("medicine", "unobtainium", "UNKNOWN_MEDICINE")
    ]


def test_rxcui_finds_the_same_class() -> None:
    """oxycodone is RxNorm ingredient 7804 (identifiers.md: OMTK and CPIC)."""
    result = check_order(dose="10 mg", times_per_day=3, medicines=["RxCUI:7804"])
    assert "interaction.opioids" in codes(result)


def test_epilepsy_caution_cites_the_uk_smpc() -> None:
    for given_as in ("epilepsy", "G40.909"):
        result = check_order(dose="5 mg", times_per_day=3, conditions=[given_as])
        caution = next(f for f in result.findings if f.rule_id == "condition.epilepsy")
        assert caution.code == "CAUTION"
        assert "UK summary of product characteristics" in caution.citation
        assert "4.4" in caution.citation


def test_unknown_condition_is_not_assessed() -> None:
    result = check_order(dose="5 mg", times_per_day=3, conditions=["Q99.9"])
    assert [n.code for n in result.not_assessed if n.what == "condition"] == ["UNKNOWN_CONDITION"]


def test_intrathecal_per_hour_against_per_day_is_hard() -> None:
    """60 mcg/hour is 1,440 mcg/day: 23 times more than 60 mcg/day (+2,300%), above every
    origin's increase maximum; and flagged as a time-base mistake."""
    result = check_intrathecal_order(
        daily_dose="60 mcg/hour", previous_daily_dose="60 mcg/day", origin="spinal"
    )
    assert result.worst == "hard"
    hard = result.hard[0]
    assert hard.rule_id == "it.titrate.spinal.increase.max"
    assert hard.values["value"].value == 23
    assert "IT_TIME_BASE_SUSPECTED" in {f.code for f in result.findings}
    assert dict(result.order)["daily_dose"].value == 1440


def test_intrathecal_ceiling_is_hard_and_origin_missing_is_recorded() -> None:
    result = check_intrathecal_order(daily_dose="2,500 mcg/day".replace(",", ""))
    assert "it.daily_dose.ceiling" in {f.rule_id for f in result.hard}
    result = check_intrathecal_order(daily_dose="110 mcg/day", previous_daily_dose="100 mcg/day")
    assert result.worst in (None, "info")
    result = check_intrathecal_order(daily_dose="120 mcg/day", previous_daily_dose="100 mcg/day")
    assert [n.code for n in result.not_assessed] == ["ORIGIN_NOT_GIVEN", "IT_INTERVAL_NOT_ASSESSED"]
    assert {f.rule_id for f in result.findings} == {"it.titrate.cerebral.increase.max"}


def test_what_an_intrathecal_check_cannot_judge_is_said_never_silent() -> None:
    """No previous daily dose: the change and time-base checks are not assessed; a change
    without the hours since the last one: the interval is not assessed (with it: judged)."""
    alone = check_intrathecal_order(daily_dose="300 mcg/day", origin="spinal")
    assert [n.code for n in alone.not_assessed] == ["IT_CHANGE_NOT_ASSESSED"]
    changed = check_intrathecal_order(
        daily_dose="300 mcg/day", previous_daily_dose="250 mcg/day", origin="spinal"
    )
    assert [n.code for n in changed.not_assessed] == ["IT_INTERVAL_NOT_ASSESSED"]
    timed = check_intrathecal_order(
        daily_dose="300 mcg/day", previous_daily_dose="250 mcg/day", origin="spinal",
        hours_since_previous="12 hours",
    )  # fmt: skip
    assert timed.not_assessed == () and "it.titrate.interval.min" in {
        f.rule_id for f in timed.hard
    }


def test_a_change_at_a_refill_visit_uses_the_refill_visit_limits() -> None:
    """Cerebral origin, 250 -> 300 mcg/day (+20%): above the titration limit (15%) but within
    the refill-visit limit (20%; clinical.md 6.5), as the planner's --at-refill says."""
    kwargs = {"daily_dose": "300 mcg/day", "previous_daily_dose": "250 mcg/day",
              "origin": "cerebral", "hours_since_previous": "48 hours"}  # fmt: skip
    assert "it.titrate.cerebral.increase.max" in {
        f.rule_id for f in check_intrathecal_order(**kwargs).hard
    }
    at_refill = check_intrathecal_order(**kwargs, at_refill=True)
    assert at_refill.hard == () and at_refill.worst in (None, "info")
    from baclofen_dose.render import from_json, to_json

    assert from_json(to_json(at_refill)) == at_refill  # re-checked with at_refill, as recorded
    over = check_intrathecal_order(**{**kwargs, "daily_dose": "310 mcg/day"}, at_refill=True)
    assert "it.refill_change.cerebral.increase.max" in {f.rule_id for f in over.hard}


# --- boundaries and limits --------------------------------------------------------------------


def test_20_mg_is_within_and_20_5_mg_is_not() -> None:
    within = check_order(dose="20 mg", times_per_day=3)
    assert "oral.adult.max_dose.us_label" not in codes(within)
    assert within.worst == "info"
    above = check_order(dose="20.5 mg", times_per_day=3)
    assert codes(above)["oral.adult.max_dose.us_label"] == "SOFT_LIMIT_CROSSED"
    assert codes(above)["oral.adult.dose.grid"] == "OFF_GRID"


def test_daily_hard_maximum_is_a_hard_finding_not_an_error() -> None:
    """35 mg 4 times a day = 140 mg/day, above the 120 mg/day hard maximum."""
    result = check_order(dose="35 mg", times_per_day=4)
    assert "oral.adult.max_daily.hard" in {f.rule_id for f in result.hard}
    assert result.fails("hard") and result.fails("warning")


def test_unequal_doses_are_judged_as_ordered() -> None:
    result = check_order(doses=["10 mg", "10 mg", "25 mg"])
    finding = next(f for f in result.findings if f.rule_id == "oral.adult.max_dose.us_label")
    assert finding.values["value"].value == 25
    assert dict(result.order)["daily"].value == 45


def test_acknowledged_soft_limit_records_the_reason() -> None:
    result = check_order(
        dose="25 mg", times_per_day=3, overrides={"oral.adult.max_dose.us_label": "specialist"}
    )
    finding = next(f for f in result.findings if f.rule_id == "oral.adult.max_dose.us_label")
    assert (finding.code, finding.override_reason) == ("SOFT_LIMIT_ACKNOWLEDGED", "specialist")
    assert result.needs_override == ()


def test_step_and_interval_since_the_previous_regimen() -> None:
    """10 mg -> 20 mg 3 times a day is +30 mg/day (step maximum 15) after 2 days (minimum 3)."""
    result = check_order(
        dose="20 mg",
        times_per_day=3,
        previous="10 mg",
        previous_times_per_day=3,
        start="2026-01-07",
        previous_start="2026-01-05",
    )
    found = {f.rule_id: f for f in result.findings}
    assert found["oral.adult.titration.step.max"].values["value"].value == 30
    assert found["oral.adult.titration.interval.min"].values["value"].value == 2


def test_dialysis_caps_the_daily_dose() -> None:
    """On dialysis about 5 mg daily (Canadian monograph): 5 mg 3 times a day is 15 mg/day."""
    result = check_order(dose="5 mg", times_per_day=3, patient=older("70 years", dialysis=True))
    cap = next(f for f in result.findings if f.rule_id == "renal.ca_monograph.dialysis.max_daily")
    assert (cap.values["value"].value, cap.values["limit"].value) == (15, 5)
    assert "oral.older_adult.beers2023.egfr_below" in codes(result)


def test_child_age_band_and_per_kg_maxima() -> None:
    """A 5-year-old of 20 kg on 15 mg 3 times a day: 45 mg/day is above the under-8 maximum
    (40 mg/day) and 2.25 mg/kg/day above 2 mg/kg/day."""
    child = Patient.from_inputs(
        age="5 years", sex=None, weight="20 kg", height=None, scr=None, dialysis=None
    )
    result = check_order(dose="15 mg", times_per_day=3, patient=child)
    found = {f.rule_id: f for f in result.findings}
    assert found["oral.child.max_daily.under_8"].values["limit"].value == 40
    assert found["oral.child.maintenance.max_per_kg"].values["value"].value == Fraction(9, 4)


@pytest.mark.parametrize(
    ("kind", "severity"),
    [("hard_max", "hard"), ("soft_max", "warning"), ("parameter", None), ("threshold", None)],
)
def test_a_limit_kind_is_read_when_the_check_runs(kind: str, severity: str | None) -> None:
    """The same rule judged as hard, soft or no limit, by the kind the rule data gives it
    (parallel rule changes turn some hard limits soft: the check follows the data)."""
    rule = attrs.evolve(RULES["oral.adult.max_dose.us_label"], kind=kind)
    judge = Judge.open(RULES, None)
    finding = judge.limit(rule, Fraction(25), kinds.ORAL_DOSE, "a single dose of")
    assert (None if finding is None else finding.severity) == severity
    assert judge.limit(rule, Fraction(20), kinds.ORAL_DOSE, "a single dose of") is None


def test_bad_input_still_raises() -> None:
    with pytest.raises(InputError):
        check_order(dose="15", times_per_day=3)
    with pytest.raises(InputError):
        check_order(dose="15 mg")
    with pytest.raises(InputError):
        check_order(dose="15 mg", times_per_day=3, measured_crcl="25 mL/min")


@given(
    k=st.integers(min_value=1, max_value=60),
    n=st.integers(min_value=1, max_value=8),
    medicines=st.lists(st.sampled_from(["oxycodone", "lithium", "ibuprofen", "zz"]), max_size=3),
)
def test_a_check_never_raises_for_a_limit(k: int, n: int, medicines: list[str]) -> None:
    result = check_order(
        dose=s.mg(Fraction(k, 2), per_day=False), times_per_day=n, medicines=medicines
    )
    for finding in result.findings:
        assert_clean(finding_text(finding))
    assert render.from_json(render.to_json(result)) == result


@given(
    base=st.lists(
        st.sampled_from(["oxycodone", "lithium", "amitriptyline", "zz", "propofol"]), max_size=3
    ),
    extra=st.sampled_from(["oxycodone", "lithium", "ibuprofen", "levodopa", "unknown thing"]),
)
def test_adding_a_co_medication_never_removes_a_finding(base: list[str], extra: str) -> None:
    before = check_order(dose="10 mg", times_per_day=3, medicines=base)
    after = check_order(dose="10 mg", times_per_day=3, medicines=[*base, extra])
    assert set(before.findings) <= set(after.findings)
    assert set(before.not_assessed) <= set(after.not_assessed)


# --- planning and checking agree --------------------------------------------------------------


@given(target=s.grid_targets, policy=s.policies, times=s.times)
def test_every_planned_step_checks_without_unacknowledged_findings(
    target: Fraction, policy: str, times: int | None
) -> None:
    """For every order a planner produces, checking it gives no hard finding and no soft
    finding without the plan's recorded override."""
    overrides: dict[str, str] = {}
    for _ in range(3):
        try:
            plan = plan_titration(
                start="2026-01-05",
                target=s.mg(target),
                max_policy=policy,
                times_per_day=times,
                overrides=overrides or None,
            )
        except HardLimitError:
            return
        except Exception as exc:  # an OverrideRequired names what the plan needs
            crossings = getattr(exc, "crossings", None)
            if crossings is None:
                return
            overrides.update({c.rule_id: "test" for c in crossings})
            continue
        break
    else:
        return
    acknowledged = {o.rule_id: o.reason for o in plan.overrides}
    previous = None
    for step in plan.steps:
        result = check_order(
            doses=[s.mg(d, per_day=False) for d in step.regimen.doses_mg],
            start=step.start,
            max_policy=policy,
            overrides=acknowledged or None,
            **(
                {}
                if previous is None
                else {
                    "previous_doses": [s.mg(d, per_day=False) for d in previous.regimen.doses_mg],
                    "previous_start": previous.start,
                }
            ),
        )
        assert result.hard == ()
        assert result.needs_override == ()
        previous = step


@given(
    target=st.integers(min_value=int(s.HARD_MAX / s.GRID) + 1, max_value=60).map(
        lambda k: s.GRID * k
    )
)
def test_what_a_hard_limit_refuses_when_planned_is_hard_when_checked(target: Fraction) -> None:
    with pytest.raises(HardLimitError) as refused:
        plan_titration(start="2026-01-05", target=s.mg(target))
    n = int(RULES["oral.adult.times_per_day.max"].require_value())
    result = check_order(doses=[s.mg(target / n, per_day=False)] * n)
    assert refused.value.rule_id in {f.rule_id for f in result.hard}


def test_interval_boundary_matches_the_planner() -> None:
    """An increase exactly the minimum interval after the previous one is within."""
    days = int(RULES["oral.adult.titration.interval.min"].require_value())
    first = date(2026, 1, 5)
    result = check_order(
        dose="10 mg",
        times_per_day=3,
        previous="5 mg",
        previous_times_per_day=3,
        start=first + timedelta(days=days),
        previous_start=first,
    )
    assert "oral.adult.titration.interval.min" not in codes(result)
    early = check_order(
        dose="10 mg",
        times_per_day=3,
        previous="5 mg",
        previous_times_per_day=3,
        start=first + timedelta(days=days - 1),
        previous_start=first,
    )
    assert "oral.adult.titration.interval.min" in codes(early)


# --- rendering ---------------------------------------------------------------------------------


def test_texts_pass_the_ismp_lint_and_json_round_trips() -> None:
    result = check_order(
        dose="15 mg",
        times_per_day=3,
        patient=older(),
        measured_crcl="25 mL/min",
        measured_method="cockcroft_gault",
        medicines=["oxycodone", "nothing known"],
        conditions=["epilepsy", "Z33.1", "X99"],
    )
    assert_clean(check_text(result).splitlines())
    assert_clean([not_assessed_text(n) for n in result.not_assessed])
    data = json.loads(render.to_json(result))
    assert data["schema"] == "baclofen-dose/order-check/1"
    assert {f["code"] for f in data["findings"]} >= {"INTERACTION", "CAUTION", "CHECK_BEERS_KIDNEY"}
    assert render.from_json(render.to_json(result)) == result


def test_json_with_a_changed_sentence_is_refused() -> None:
    text = render.to_json(check_order(dose="25 mg", times_per_day=3))
    with pytest.raises(InputError):
        render.from_json(text.replace("Soft limit crossed", "All fine"))


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--dose", "25 mg", "--times-per-day", "3"]) == 0
    out = capsys.readouterr().out
    assert "oral.adult.max_dose.us_label" in out and "source:" in out
    assert main(["check", "--dose", "25 mg", "--times-per-day", "3", "--fail-on", "hard"]) == 0
    assert main(["check", "--dose", "25 mg", "--times-per-day", "3", "--fail-on", "warning"]) == 4
    capsys.readouterr()
    argv = ["check", "intrathecal", "--daily-dose", "60 mcg/hour"]
    argv += ["--previous-daily-dose", "60 mcg/day", "--fail-on", "hard", "--format", "json"]
    assert main(argv) == 4
    assert json.loads(capsys.readouterr().out)["worst"] == "hard"


def test_cli_interactions_and_patient(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "--dose", "15 mg", "--times-per-day", "3", "--age", "80", "--no-dialysis"]
    argv += ["--measured-crcl", "25 mL/min", "--measured-method", "cockcroft_gault"]
    argv += ["--with", "oxycodone", "--with", "lithium", "--condition", "epilepsy"]
    assert main([*argv, "--format", "text"]) == 0
    out = capsys.readouterr().out
    for expected in ("interaction.opioids", "interaction.lithium", "condition.epilepsy"):
        assert expected in out
    assert main(["check", "--dose", "15 mg"]) == 2
    assert "--times-per-day" in capsys.readouterr().err


# --- the interaction table ----------------------------------------------------------------------


def test_bundled_table_is_valid_and_cited() -> None:
    table = default_interactions()
    assert table.classes and table.conditions
    assert all(c.source.url for c in table.classes)
    assert "RxNorm" in table.rxnorm
    # Beers 2023 Table 6 lives once, in the rule set the planner reads (one rule id).
    assert "older_adult.beers2023.kidney" not in table.criteria
    assert default_rules()["oral.older_adult.beers2023.egfr_below"].require_value() == 60


def _write(tmp_path: Path, text: str, name: str = "t.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('id = "lithium"', 'id = "opioids"'),
        ('source = "L20"', 'source = "NOPE"'),
        ('rxcui = "7804"', 'rxcui = "78O4"'),
        ('rxcui = "2670"', 'rxcui = "7804"'),
        ('icd10cm = ["G40"]', 'icd10cm = ["g40"]'),
        ('icd10cm = ["G90.4"]', 'icd10cm = ["G40"]'),
        ('key = "porphyria"', 'key = "epilepsy"'),
        ('severity = "info"', 'severity = "grave"'),
    ],
)
def test_invalid_tables_are_refused(tmp_path: Path, old: str, new: str) -> None:
    text = (BUNDLED / "interactions.toml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(RuleSetError):
        load_interactions(_write(tmp_path, text.replace(old, new, 1)))


def test_an_institution_file_adds_members(tmp_path: Path) -> None:
    extra = _write(
        tmp_path,
        '[table]\nid = "hospital"\nversion = "1"\n\n'
        '[[members]]\nclass = "muscle_relaxants"\nname = "dantrolene"\n\n'
        '[[codes]]\ncondition = "peptic_ulcer"\nicd10cm = ["K28"]\n',
        "extra.toml",
    )
    table = load_interactions(extra=extra)
    assert [c.id for c in table.classes_for("dantrolene", "oral")] == ["muscle_relaxants"]
    assert table.condition_for("K28.9") is not None
    assert table.sha256 != default_interactions().sha256
    result = check_order(dose="5 mg", times_per_day=3, medicines=["dantrolene"], interactions=table)
    assert "interaction.muscle_relaxants" in codes(result)
    bad = _write(
        tmp_path, '[table]\nid = "h"\nversion = "1"\n[[members]]\nclass = "x"\nname = "y"\n'
    )
    with pytest.raises(RuleSetError):
        load_interactions(extra=bad)


def test_product_units_and_givability() -> None:
    """1.5 tablets of 10 mg is 15 mg; 7.5 mg cannot be given with 10 mg tablets (halves: 5 mg)."""
    result = check_order(product="10 mg tablet", units_per_dose="1.5", times_per_day=3)
    assert dict(result.order)["daily"].value == 45
    assert "NOT_GIVABLE" not in {f.code for f in result.findings}
    result = check_order(product="10 mg tablet", dose="7.5 mg", times_per_day=3)
    assert {"NOT_GIVABLE", "OFF_GRID"} <= {f.code for f in result.findings}


def test_computed_kidney_function_from_a_patient() -> None:
    """72-year-old woman, 60 kg, creatinine 1.4 mg/dL: Cockcroft-Gault
    (140 - 72) x 60 x 0.85 / (72 x 1.4) = 34.4 mL/min (moderate band: one half, so 40 mg/day);
    10 mg 3 times a day = 30 mg/day is within it; eGFR about 40, below 60, with 20 mg/day or
    more: the Muanda 2019 finding; Beers 2023 on the computed eGFR."""
    patient = Patient.from_inputs(
        age="72 years", sex="female", weight="60 kg", height=None, scr="1.4 mg/dL", dialysis=False
    )
    result = check_order(dose="10 mg", times_per_day=3, patient=patient)
    found = codes(result)
    assert found["renal.vlavonou2014.moderate.dose_fraction"] == "RENAL_REDUCED"
    assert found["renal.muanda2019.start_daily"] == "MUANDA_DAILY"
    beers = next(f for f in result.findings if f.code == "CHECK_BEERS_KIDNEY")
    assert beers.values["measure"] == "eGFR (computed)"
    assert result.needs_override == () and result.hard == ()
    assert_clean(check_text(result).splitlines())


def _plan_with_overrides(
    target: str, patient: Patient, renal_policy: str | None = None, product: str | None = None
) -> object | None:
    """The plan for ``target``, with the overrides it asks for (None when refused)."""
    overrides: dict[str, str] = {}
    for _ in range(3):
        try:
            return plan_titration(
                start="2026-01-05",
                target=target,
                patient=patient,
                overrides=overrides or None,
                renal_policy=renal_policy,
                product=product,
            )
        except BaclofenDoseError as exc:
            crossings = getattr(exc, "crossings", None)
            if crossings is None:
                return None
            overrides.update({c.rule_id: "test" for c in crossings})
    return None


@given(
    age=st.sampled_from(["3 years", "7 years", "12 years", "40 years", "70 years", "88 years"]),
    weight=st.sampled_from(["14 kg", "25 kg", "50 kg", "90 kg"]),
    scr=st.sampled_from(["0.7 mg/dL", "1.2 mg/dL", "2.5 mg/dL", "6 mg/dL"]),
    dialysis=st.booleans(),
    target=st.integers(min_value=1, max_value=24).map(lambda k: s.mg(Fraction(5 * k))),
    policy=st.sampled_from([None, "cheong2020"]),
    product=st.sampled_from(
        [None, "1 mg/mL oral solution", "5 mg/mL oral suspension", "2 mg/mL oral solution"]
    ),
)
# Cheong 2020's 2.5 mg/day on dialysis, measured with a liquid (issue 10 item 6).
@example("60 years", "90 kg", "6 mg/dL", True, "5 mg/day", "cheong2020", "1 mg/mL oral solution")
@example("60 years", "90 kg", "6 mg/dL", True, "20 mg/day", "cheong2020", "5 mg/mL oral suspension")
def test_planned_steps_for_patients_check_clean(
    age: str,
    weight: str,
    scr: str,
    dialysis: bool,
    target: str,
    policy: str | None,
    product: str | None,
) -> None:
    """Planning and checking agree for children and for adults with kidney function too, with
    the renal policies and products that change a plan's start (each step checked with the
    plan's product)."""
    patient = Patient.from_inputs(
        age=age, sex="male", weight=weight, height=None, scr=scr, dialysis=dialysis
    )
    adult = int(age.split()[0]) >= 18
    plan = _plan_with_overrides(target, patient, policy if adult else None, product)
    if plan is None:
        return
    acknowledged = {o.rule_id: o.reason for o in plan.overrides}  # type: ignore[attr-defined]
    previous = None
    for step in plan.steps:  # type: ignore[attr-defined]
        extra = (
            {}
            if previous is None
            else {
                "previous_doses": [s.mg(d, per_day=False) for d in previous.regimen.doses_mg],
                "previous_start": previous.start,
            }
        )
        result = check_order(
            doses=[s.mg(d, per_day=False) for d in step.regimen.doses_mg],
            start=step.start,
            patient=patient,
            overrides=acknowledged or None,
            renal_policy=policy if adult else None,
            product=product,
            **extra,
        )
        assert result.hard == ()
        assert result.needs_override == ()
        assert "NOT_GIVABLE" not in {f.code for f in result.findings}
        previous = step


def test_policies_are_validated_and_missing_dialysis_status_is_recorded() -> None:
    with pytest.raises(InputError):
        check_order(dose="5 mg", times_per_day=3, renal_policy="bogus")
    result = check_order(
        dose="5 mg", times_per_day=3, measured_crcl="45 mL/min", measured_method="other"
    )
    assert "DIALYSIS_NOT_STATED" in {n.code for n in result.not_assessed}
    # 45 mL/min is the moderate band (30 to 50): maximum 80 x 1/2 = 40 mg/day; 15 is within.
    assert dict(result.provenance.inputs)["renal_band"] == "moderate"
    assert result.needs_override == ()


def test_intrathecal_interval_and_flex() -> None:
    """A flex program of 12 hours at 10 mcg/hour and 12 hours at 15 mcg/hour is 300 mcg/day;
    from 250 mcg/day that is +20% (within 30% for spinal origin), but 12 hours after the
    previous change is below the 24-hour minimum."""
    flex = FlexProgram.from_steps([("12 hours", "10 mcg/hour"), ("12 hours", "15 mcg/hour")])
    result = check_intrathecal_order(
        daily_dose=flex,
        previous_daily_dose="250 mcg/day",
        hours_since_previous="12 hours",
        origin="spinal",
    )
    assert [f.rule_id for f in result.hard] == ["it.titrate.interval.min"]
    assert "IT_PER_HOUR_FLEX" in {f.code for f in result.findings}
    with pytest.raises(InputError):
        check_intrathecal_order(daily_dose="300 mcg/day", hours_since_previous="12 hours")


@given(
    dose=s.junk,
    times=s.junk,
    medicines=s.junk,
    conditions=s.junk,
    crcl=s.junk,
)
def test_only_documented_errors_escape(
    dose: object, times: object, medicines: object, conditions: object, crcl: object
) -> None:
    """Whatever is passed, a check returns a result or raises one of the library's errors."""
    try:
        check_order(
            dose=dose,
            times_per_day=times,  # type: ignore[arg-type]
            medicines=medicines,  # type: ignore[arg-type]
            conditions=conditions,  # type: ignore[arg-type]
            measured_crcl=crcl,
            measured_method="other",
        )
    except BaclofenDoseError:
        pass
    try:
        check_intrathecal_order(
            daily_dose=dose,
            previous_daily_dose=crcl,
            medicines=medicines,  # type: ignore[arg-type]
        )
    except BaclofenDoseError:
        pass


def test_implausible_dose_counts_are_refused() -> None:
    """More doses a day than hours in a day is bad input, not an order to judge."""
    with pytest.raises(InputError):
        check_order(dose="5 mg", times_per_day=10**9)
    with pytest.raises(InputError):
        check_order(doses=["5 mg"] * 25)
    # 24 doses a day is judged: above the label's 4 (a soft limit since issue 10), not refused.
    assert "oral.adult.times_per_day.max" in check_order(dose="5 mg", times_per_day=24).needs_override


# Every RxNorm ingredient code and ICD-10-CM code the table carries, copied by hand from
# shared/reference/identifiers.md (sections 2 and 3) and the second pass in docs/identifiers.md
# (issue 11 item 3): a code the references do not confirm must never appear in the table (double
# entry: a guessed code fails here; tests/test_identifiers.py checks the sources of each).
CONFIRMED_RXCUI = {
    "morphine": "7052",
    "oxycodone": "7804",
    "hydrocodone": "5489",
    "fentanyl": "4337",
    "tramadol": "10689",
    "methadone": "6813",
    "hydromorphone": "3423",
    "codeine": "2670",
    "diazepam": "3322",
    "lorazepam": "6470",
    "alprazolam": "596",
    "clonazepam": "2598",
    "zolpidem": "39993",
    "gabapentin": "25480",
    "pregabalin": "187832",
    "amitriptyline": "704",
    "nortriptyline": "7531",
    "imipramine": "5691",
    "lithium": "6448",
    "metoprolol": "6918",
    "hydrochlorothiazide": "5487",
    "ibuprofen": "5640",
    "naproxen": "7258",
    "ethanol": "448",
    "tizanidine": "57258",
    "cyclobenzaprine": "21949",
    "phenelzine": "8123",
    "lisinopril": "29046",
    "amlodipine": "17767",
    "clonidine": "2599",
    "propofol": "8782",
    "levodopa": "6375",
}
CONFIRMED_ICD = {"G40", "R45.851", "I63", "G20", "E80.2", "N18", "Z99.2", "Z33.1", "Z39.1", "G90.4"}
CONFIRMED_ICD |= {"K25", "K26", "K27", "F10", "F20", "F29", "F30", "F31", "F32", "F33", "I69"}
CONFIRMED_ICD |= {"I10", "J44", "J96", "K72", "E10", "E11"}


def test_every_code_in_the_table_is_confirmed_by_the_reference() -> None:
    table = default_interactions()
    for klass in table.classes:
        for member in klass.members:
            if member.rxcui is not None:
                assert CONFIRMED_RXCUI.get(member.name) == member.rxcui, member.name
    codes_used = {c for condition in table.conditions.values() for c in condition.icd10cm}
    assert codes_used <= CONFIRMED_ICD
    # Prefixes of confirmed codes: E80.2 covers E80.20, E80.21 and E80.29 (ICD-10-CM).
    assert table.condition_for("E80.21").key == "porphyria"  # type: ignore[union-attr]
    assert table.condition_for("G20.A1").key == "parkinsons"  # type: ignore[union-attr]


def test_a_child_with_kidney_values_and_policies() -> None:
    """No renal rule for children: a measured value is recorded as not used; a maximum or renal
    policy for a child is refused, as when planning."""
    child = Patient.from_inputs(
        age="6 years", sex=None, weight="20 kg", height=None, scr=None, dialysis=None
    )
    result = check_order(
        dose="5 mg", times_per_day=3, patient=child, measured_crcl="40 mL/min",
        measured_method="other",
    )  # fmt: skip
    assert "CHILD_RENAL_NOT_ASSESSED" in {n.code for n in result.not_assessed}
    with pytest.raises(InputError):
        check_order(dose="5 mg", times_per_day=3, patient=child, max_policy="us_label")


@pytest.mark.parametrize(
    ("age", "off_label"), [("11 years", True), ("12 years", False), ("15 years", False)]
)
def test_us_off_label_only_under_12_and_kidney_never_silently_unchecked(
    age: str, off_label: bool
) -> None:
    """Fresh user's report (issues 10 item 3, 11): US labels say safety and effectiveness are
    not established under 12 years only (clinical.md 5.1, 16 'Adolescents'), so a 15-year-old
    is not off-label; the planner says the same (one function). A child with no creatinine,
    CrCl or eGFR has kidney function listed as not assessed, as an adult has."""
    child = Patient.from_inputs(
        age=age, sex=None, weight="50 kg", height=None, scr=None, dialysis=None
    )
    result = check_order(dose="10 mg", times_per_day=3, patient=child)
    rules = {f.rule_id for f in result.findings}
    assert ("oral.child.us_off_label" in rules) is off_label
    assert ("population.adolescent.us_label_from" in rules) is not off_label
    assert "CHILD_KIDNEY_NOT_GIVEN" in {n.code for n in result.not_assessed}
    plan = plan_titration(start="2026-01-05", target="max", patient=child)
    assert {f.code for f in plan.findings if f.rule_id in rules} >= {
        f.code for f in result.findings if f.rule_id.startswith(("oral.child.us", "population"))
    }


def test_child_step_judged_by_age_band() -> None:
    """Issue 10 item 3 (clinical.md 16, S15): from 8 years a step is judged per dose (5 mg, a
    soft limit); under 8 years per kg (0.5 mg/kg/day, a hard limit)."""
    older = Patient.from_inputs(
        age="10 years", sex=None, weight="40 kg", height=None, scr=None, dialysis=None
    )
    result = check_order(
        dose="8 mg", times_per_day=4, previous="2 mg", previous_times_per_day=4, patient=older
    )
    found = {f.rule_id: f for f in result.findings}
    assert found["oral.child.titration.step.per_dose"].severity == "warning"
    assert found["oral.child.titration.step.per_dose"].values["value"].value == 6
    assert "oral.child.titration.step.max_per_kg" not in found
    younger = Patient.from_inputs(
        age="7 years", sex=None, weight="40 kg", height=None, scr=None, dialysis=None
    )
    result = check_order(
        dose="8 mg", times_per_day=4, previous="2 mg", previous_times_per_day=4, patient=younger
    )
    found = {f.rule_id: f for f in result.findings}
    assert found["oral.child.titration.step.max_per_kg"].severity == "hard"  # 24/40 = 0.6
    assert "oral.child.titration.step.per_dose" not in found
    within = check_order(
        dose="7 mg", times_per_day=4, previous="2 mg", previous_times_per_day=4, patient=older
    )
    assert "oral.child.titration.step.per_dose" not in {f.rule_id for f in within.findings}


def test_tablets_for_a_child_under_33_kg_are_a_soft_finding() -> None:
    """UK SmPC 4.2 (rule oral.child.tablet.min_weight): checked as when planning."""
    light = Patient.from_inputs(
        age="10 years", sex=None, weight="30 kg", height=None, scr=None, dialysis=None
    )
    result = check_order(product="5 mg tablet", units_per_dose="1", times_per_day=3, patient=light)
    found = {f.rule_id: f for f in result.findings}
    assert found["oral.child.tablet.min_weight"].severity == "warning"
    heavy = Patient.from_inputs(
        age="10 years", sex=None, weight="33 kg", height=None, scr=None, dialysis=None
    )
    result = check_order(product="5 mg tablet", units_per_dose="1", times_per_day=3, patient=heavy)
    assert "oral.child.tablet.min_weight" not in {f.rule_id for f in result.findings}
    liquid = check_order(
        product="1 mg/mL oral solution", units_per_dose="5 mL", times_per_day=3, patient=light
    )
    assert "oral.child.tablet.min_weight" not in {f.rule_id for f in liquid.findings}


def test_other_baclofen_orders_give_the_duplicate_warning() -> None:
    """The daily maxima apply to the total of all baclofen orders (L1): a check told of other
    orders says it judged this one alone; the count is recorded and read back."""
    result = check_order(dose="20 mg", times_per_day=4, other_baclofen_orders=1)
    found = {f.rule_id: f for f in result.findings}
    assert found["interop.duplicate_baclofen"].severity == "warning"
    assert ("other_baclofen_orders", 1) in result.provenance.inputs
    assert render.from_json(render.to_json(result)) == result
    plain = check_order(dose="20 mg", times_per_day=4)
    assert "interop.duplicate_baclofen" not in {f.rule_id for f in plain.findings}
    it = check_intrathecal_order(daily_dose="300 mcg/day", other_baclofen_orders=2)
    assert "interop.duplicate_baclofen" in {f.rule_id for f in it.findings}
    for bad in (-1, True, "1"):
        with pytest.raises(InputTypeError):
            check_order(dose="5 mg", times_per_day=3, other_baclofen_orders=bad)  # type: ignore[arg-type]


def test_cli_a_dose_with_product_units_is_refused_not_dropped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--dose`` with ``--product`` and ``--units-per-dose`` used to drop the dose and check one
    tablet: a 200 mg order passed as 10 mg. Both cannot be judged at once: refused, exit 2."""
    argv = ["check", "--dose", "200 mg", "--product", "10 mg tablet", "--units-per-dose", "1",
            "--times-per-day", "3"]  # fmt: skip
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("baclofen-dose: error: --units-per-dose")
    assert main([argv[0], *argv[3:]]) == 0  # without --dose: 10 mg 3 times a day
    assert "10 mg (1 tablet, 10 mg each) 3 times a day" in capsys.readouterr().out


def test_a_start_before_the_previous_start_is_refused_not_a_soft_finding() -> None:
    """safety.md section 5 row 20: an end before its start is refused. A start three days
    before the previous regimen's start was a soft "-3 days" interval finding."""
    with pytest.raises(InputError) as caught:
        check_order(dose="10 mg", times_per_day=3, previous="5 mg", previous_times_per_day=3,
                    start="2026-03-01", previous_start="2026-03-04")  # fmt: skip
    assert caught.value.field == "start" and "2026-03-04" in str(caught.value)
    same_day = check_order(dose="10 mg", times_per_day=3, previous="5 mg",
                           previous_times_per_day=3, start="2026-03-04",
                           previous_start="2026-03-04")  # fmt: skip
    assert same_day.findings  # 0 days: judged (a soft interval finding), not refused


@pytest.mark.parametrize(
    ("medicine", "classes", "shown"),
    [
        ("oxycodone hydrochloride 5 mg tablet", ["interaction.opioids"], "read as oxycodone"),
        ("acetaminophen/codeine 300/30", ["interaction.opioids"], "read as codeine"),
        ("Lithium Carbonate ER 300 mg", ["interaction.lithium"], "read as lithium"),
        ("oxycodone", ["interaction.opioids"], None),
    ],
)
def test_a_product_text_is_read_for_its_ingredient(
    medicine: str, classes: list[str], shown: str | None
) -> None:
    """EHRs name products, not ingredients: the ingredient is read as a whole word in the text
    (and the finding says what was read), so the opioid interaction is not missed."""
    result = check_order(dose="10 mg", times_per_day=3, medicines=[medicine])
    found = [f for f in result.findings if f.code == "INTERACTION"]
    assert [f.rule_id for f in found] == classes
    named = str(found[0].values["medicine"])
    assert named.startswith(medicine) and (shown is None or shown in named)


@pytest.mark.parametrize("medicine", ["alcohol-free mouthwash", "oxycodonex", "frobnizol"])
def test_a_text_without_a_whole_ingredient_word_is_not_assessed(medicine: str) -> None:
    result = check_order(dose="10 mg", times_per_day=3, medicines=[medicine])
    assert not [f for f in result.findings if f.code == "INTERACTION"]
    assert [n.given for n in result.not_assessed if n.code == "UNKNOWN_MEDICINE"] == [medicine]


@pytest.mark.parametrize(
    ("product", "units_per_dose", "shown"),
    [
        ("25 mg/5 mL oral suspension", "3 mL", "15 mg (3 mL of 25 mg/5 mL oral suspension)"),
        ("10 mg tablet", "1.5", "15 mg (one and a half tablets, 10 mg each)"),
    ],
)
def test_an_order_by_product_restates_the_product_and_the_amount(
    capsys: pytest.CaptureFixture[str], product: str, units_per_dose: str, shown: str
) -> None:
    """clinical.md 2: a dose from a liquid is stated in mg and in mL; the order line says both."""
    argv = ["check", "--product", product, "--units-per-dose", units_per_dose,
            "--times-per-day", "3"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    line = f"Order: {shown} 3 times a day (45 mg/day)."
    assert line in out.splitlines()
    assert_clean(line)


@pytest.mark.parametrize(
    ("patient_in", "says"),
    [
        (
            {"age": "50 years", "sex": "male", "dialysis": False},
            "kidney function (body weight and serum creatinine not given;",
        ),
        (
            {"age": "50 years", "sex": "male"},
            "kidney function (dialysis status not given, and off dialysis body weight and serum "
            "creatinine would be needed too;",
        ),
        (
            {"weight": "70 kg", "scr": "1 mg/dL", "dialysis": False},
            "kidney function (age and sex not given;",
        ),
        (
            {"age": "50 years", "sex": "male", "weight": "70 kg", "dialysis": None},
            "kidney function (dialysis status not given, and off dialysis serum creatinine",
        ),
    ],
)
def test_renal_not_assessed_names_what_is_missing(patient_in: dict[str, object], says: str) -> None:
    """The note names the fields really missing: after --no-dialysis it never asks for the
    dialysis status; the finding code stays RENAL_NOT_ASSESSED."""
    inputs: dict[str, object] = dict.fromkeys(("age", "sex", "weight", "height", "scr", "dialysis"))
    inputs.update(patient_in)
    result = check_order(
        dose="5 mg",
        times_per_day=3,
        patient=Patient.from_inputs(**inputs),  # type: ignore[arg-type]
    )
    (note,) = [n for n in result.not_assessed if n.code == "RENAL_NOT_ASSESSED"]
    text = not_assessed_text(note)
    assert says in text
    if patient_in.get("dialysis") is False:
        assert "dialysis" not in text
    assert_clean(text)


# --- a fresh user's report (issues 10 and 11): agreement and conflicting inputs -----------------


def _man(age: str, scr: str) -> Patient:
    return Patient.from_inputs(
        age=age, sex="male", weight="70 kg", height=None, scr=scr, dialysis=False
    )


def test_planner_and_check_agree_on_muanda_and_beers_for_an_older_adult() -> None:
    """80-year-old man, 70 kg, creatinine 3 mg/dL: eGFR 20.4 (CKD-EPI 2021), CrCl
    (140 - 80) x 70 / (72 x 3) = 19.4 mL/min. The 25 mg/day plan starts at 5 mg/day; its
    steps of 20 mg/day or more carry Muanda 2019 when checked, so the plan carries it too, with
    the same rule; Beers 2023 has one rule id in both; Muanda names its cohort, 66 and over."""
    patient = _man("80 years", "3 mg/dL")
    plan = plan_titration(start="2026-01-05", target="25 mg/day", patient=patient)
    assert plan.steps[0].regimen.daily_mg == 5 and plan.final.regimen.daily_mg == 25
    muanda = [f for f in plan.findings if f.rule_id == "renal.muanda2019.start_daily"]
    assert [f.code for f in muanda] == ["MUANDA_REACHES"]
    assert muanda[0].values["highest"].value == 25
    assert muanda[0].values["older"].value == 66
    assert "66 years and older" in finding_text(muanda[0])
    result = check_order(
        doses=[f"{d} mg" for d in plan.final.regimen.doses_mg], patient=patient
    )
    checked = {f.rule_id: f for f in result.findings}
    assert checked["renal.muanda2019.start_daily"].values["older"].value == 66
    assert "66 years and older" in finding_text(checked["renal.muanda2019.start_daily"])
    beers = "oral.older_adult.beers2023.egfr_below"
    assert beers in checked and beers in {f.rule_id for f in plan.findings}
    assert not any(f.rule_id.startswith("criterion.older_adult") for f in result.findings)
    low = plan_titration(start="2026-01-05", target="15 mg/day", patient=patient)
    assert "renal.muanda2019.start_daily" not in {f.rule_id for f in low.findings}


@pytest.mark.parametrize(
    ("measured", "severity"), [("25 mL/min", "warning"), ("85 mL/min", "info")]
)
def test_measured_crcl_and_creatinine_both_given_are_both_said(
    measured: str, severity: str
) -> None:
    """50-year-old man, 70 kg, creatinine 1 mg/dL: Cockcroft-Gault (140 - 50) x 70 / (72 x 1)
    = 87.5 mL/min. The measured value is judged and the computed one is said beside it, never
    silently dropped; a warning when they fall in different renal bands (25: severe, 87.5:
    none), info when not (85 and 87.5: both above 80)."""
    result = check_order(
        dose="10 mg", times_per_day=3, patient=_man("50 years", "1 mg/dL"),
        measured_crcl=measured, measured_method="cockcroft_gault",
    )  # fmt: skip
    (both,) = [f for f in result.findings if f.code == "MEASURED_AND_COMPUTED"]
    assert both.severity == severity
    assert both.values["computed"].value == Fraction(175, 2)
    assert both.values["measured"].value == Fraction(measured.split()[0])
    text = finding_text(both)
    assert "87.5 mL/min" in text and f"the CrCl given, {measured}" in text
    if severity == "warning":  # the measured 25 is what was judged: severe band
        assert "renal.vlavonou2014.severe.dose_fraction" in codes(result)
    assert_clean(check_text(result).splitlines())


def test_measured_egfr_and_creatinine_without_sex_is_not_assessed() -> None:
    patient = Patient.from_inputs(
        age="50 years", sex=None, weight="70 kg", height=None, scr="1 mg/dL", dialysis=False
    )
    result = check_order(
        dose="10 mg", times_per_day=3, patient=patient,
        measured_egfr="25 mL/min/1.73 m2", measured_method="ckd_epi_2021",
    )  # fmt: skip
    assert "MEASURED_AND_COMPUTED" not in {f.code for f in result.findings}
    assert "COMPUTED_RENAL_NOT_GIVEN" in {n.code for n in result.not_assessed}


def test_cli_intrathecal_keeps_what_was_given_before_intrathecal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``check --with oxycodone intrathecal ...`` lost the co-medication (argparse let the
    sub-command's defaults replace it; a tester's finding): options given before and after
    ``intrathecal`` are one set."""
    base = ["intrathecal", "--daily-dose", "100 mcg/day"]
    assert main(["check", "--with", "oxycodone", *base, "--with", "diazepam"]) == 0
    out = capsys.readouterr().out
    assert "interaction.opioids" in out and "interaction.cns_depressants" in out
    assert main(["check", "--format", "json", *base]) == 0
    assert json.loads(capsys.readouterr().out)["schema"].startswith("baclofen-dose/order-check")
    assert main(["check", "--with", "oxycodone", "--fail-on", "warning", *base]) == 4
    capsys.readouterr()
    assert main(["check", "--format", "json", *base, "--format", "text"]) == 2
    assert "--format is given twice" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("given", "option"),
    [
        (["--product", "10 mg tablet"], "--product"),
        (["--dose", "10 mg", "--times-per-day", "3"], "--dose"),
        (["--age", "40"], "--age"),
        (["--no-dialysis"], "--no-dialysis"),
        (["--fhir", "order.json"], "--fhir"),
    ],
)
def test_cli_intrathecal_refuses_an_oral_option(
    given: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An oral product, dose or patient option with ``check intrathecal`` was silently dropped;
    it is refused, naming the option and the route (no route conversion, ever)."""
    assert main(["check", *given, "intrathecal", "--daily-dose", "100 mcg/day"]) == 2
    err = capsys.readouterr().err
    assert option in err and "intrathecal" in err


def test_unequal_doses_are_not_read_as_each_dose_n_times_a_day(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """"Order: 10 mg, 10 mg and 20 mg 3 times a day" reads as each dose 3 times a day (120
    mg/day); the order line puts the count first."""
    assert main(["check", "--dose", "10 mg", "--dose", "10 mg", "--dose", "20 mg"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Order: 3 doses a day: 10 mg, 10 mg and 20 mg (40 mg/day)." in lines
    argv = ["check", "--dose", "10 mg", "--times-per-day", "3"]
    assert main([*argv, "--previous", "5 mg", "--previous", "5 mg", "--previous", "10 mg"]) == 0
    line = "Order: 10 mg 3 times a day (30 mg/day); previous: 3 doses a day: 5 mg, 5 mg and 10 mg."
    assert line in capsys.readouterr().out.splitlines()
