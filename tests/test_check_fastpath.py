"""The order check's fast path (issue 11 speed): limits read once per rule set and compared in
whole numbers, records built through the trusted path. Nothing here times anything: these
tests pin that the fast path judges exactly what the plain comparisons judge, and that what it
builds equals what the validating public constructors build."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose import default_rules, from_json, load_rules, to_json
from baclofen_dose.check import check_order
from baclofen_dose.check.order import Judge
from baclofen_dose.core import kinds
from baclofen_dose.core.model import Amount, Finding, Severity, trusted, trusted_amount
from baclofen_dose.oral.patient import Patient

RULES = default_rules()
BUNDLED = Path(__file__).parents[1] / "baclofen_dose" / "core" / "rules" / "baclofen.toml"
MAX_DOSE = "oral.adult.max_dose.us_label"  # soft_max 20 mg


def test_trusted_needs_every_field() -> None:
    with pytest.raises(TypeError, match="every field"):
        trusted(Amount, value=Fraction(5), kind=kinds.ORAL_DOSE)
    made = trusted_amount(Fraction(15, 2), kinds.ORAL_DOSE, "estimate")
    assert made == Amount(Fraction(15, 2), kinds.ORAL_DOSE, "estimate")
    assert type(made) is Amount


@pytest.mark.parametrize(
    ("value", "fires"),
    [
        (Fraction(20), False),  # 20 mg is within
        (Fraction(41, 2), True),  # 20.5 mg is not
        (Fraction(20) + Fraction(1, 10**12), True),  # a float would round this to 20
        (Fraction(1, 10) + Fraction(2, 10) + Fraction(197, 10), False),  # 0.1 + 0.2 + 19.7 = 20
        (Fraction(59, 3), False),
        (Fraction(61, 3), True),
    ],
)
def test_limit_is_exact_at_the_boundary(value: Fraction, fires: bool) -> None:
    judge = Judge.open(RULES, None)
    finding = judge.limit(RULES[MAX_DOSE], value, kinds.ORAL_DOSE, "a single dose of")
    plain = value > RULES[MAX_DOSE].require_value()
    assert (finding is not None) is fires is plain
    if finding is not None:
        assert finding == Finding(
            MAX_DOSE,
            "warning",
            "SOFT_LIMIT_CROSSED",
            {
                "what": "a single dose of",
                "value": Amount(value, kinds.ORAL_DOSE),
                "side": "above",
                "limit": Amount(Fraction(20), kinds.ORAL_DOSE),
                "override": MAX_DOSE,
            },
            RULES[MAX_DOSE].citation,
        )
    assert judge.used == [MAX_DOSE]  # read and recorded, fired or not


def test_a_derived_limit_and_a_minimum_are_exact() -> None:
    judge = Judge.open(RULES, None)
    rule = RULES["oral.adult.times_per_day.min"]  # a minimum
    bound = rule.require_value()
    assert judge.limit(rule, bound, kinds.PER_DAY, "doses a day") is None
    below = judge.limit(rule, bound - Fraction(1, 7), kinds.PER_DAY, "doses a day")
    assert below is not None and below.values["side"] == "below"
    # A limit derived from the rule (a renal ceiling): the given bound, not the rule's value.
    ceiling = Fraction(95, 3)
    assert judge.limit(RULES[MAX_DOSE], ceiling, kinds.ORAL_DOSE, "x", limit=ceiling) is None
    over = judge.limit(
        RULES[MAX_DOSE], ceiling + Fraction(1, 3), kinds.ORAL_DOSE, "x", limit=ceiling
    )
    assert over is not None and over.values["limit"] == Amount(ceiling, kinds.ORAL_DOSE)


def test_an_override_is_recorded_on_the_fast_path() -> None:
    judge = Judge.open(RULES, {MAX_DOSE: "specialist advice"})
    finding = judge.limit(RULES[MAX_DOSE], Fraction(25), kinds.ORAL_DOSE, "a single dose of")
    assert finding is not None
    assert finding.code == "SOFT_LIMIT_ACKNOWLEDGED"
    assert finding.severity is Severity.WARNING
    assert finding.override_reason == "specialist advice"
    assert finding.values["reason"] == "specialist advice"


def test_a_rule_set_loaded_again_judges_alike() -> None:
    """Limits are read once per rule set; an equal rule set loaded again (other objects, the
    same SHA-256) gives the same findings, and a changed one is read afresh."""
    again = load_rules(BUNDLED)
    assert again == RULES and again is not RULES
    first = check_order(dose="25 mg", times_per_day=3)
    second = check_order(dose="25 mg", times_per_day=3, rules=again)
    assert first == second


def test_a_changed_rule_set_is_read_afresh(tmp_path: Path) -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    start = text.index('id = "oral.adult.max_dose.us_label"')
    block_end = text.index("[[rules]]", start)
    block = text[start:block_end]
    changed = block.replace('value = "20"', 'value = "15"')  # an institution's tighter limit
    assert changed != block
    path = tmp_path / "baclofen.toml"
    path.write_text(text[:start] + changed + text[block_end:], encoding="utf-8")
    tighter = load_rules(path)
    assert check_order(dose="20 mg", times_per_day=3).needs_override == ()  # bundled first
    result = check_order(dose="20 mg", times_per_day=3, rules=tighter)
    assert [f.values["limit"] for f in result.findings if f.rule_id == MAX_DOSE] == [
        Amount(Fraction(15), kinds.ORAL_DOSE)
    ]
    assert check_order(dose="20 mg", times_per_day=3).needs_override == ()


PATIENT = Patient.from_inputs(
    age="81 years", sex="male", weight="64 kg", height=None, scr="2.1 mg/dL", dialysis=False
)


@given(
    dose=st.sampled_from(["2.5 mg", "5 mg", "7.5 mg", "12 mg", "20 mg", "20.5 mg", "35 mg"]),
    times=st.integers(min_value=1, max_value=5),
    with_patient=st.booleans(),
    medicines=st.lists(st.sampled_from(["oxycodone", "lithium", "frobozz"]), max_size=2),
    conditions=st.lists(st.sampled_from(["epilepsy", "G40.909", "nope"]), max_size=2),
)
def test_what_the_fast_path_builds_equals_the_validated_records(
    dose: str, times: int, with_patient: bool, medicines: list[str], conditions: list[str]
) -> None:
    """Every record of a result built through the trusted path equals the same record built
    by the validating constructors (the JSON form is read back through them)."""
    result = check_order(
        dose=dose,
        times_per_day=times,
        patient=PATIENT if with_patient else None,
        medicines=medicines or None,
        conditions=conditions or None,
    )
    again = from_json(to_json(result))
    assert again == result
    assert hash(again.findings) == hash(result.findings)
    for finding in result.findings:
        rebuilt = Finding(
            finding.rule_id,
            finding.severity.value,
            finding.code,
            dict(finding.params),
            finding.citation,
            finding.override_reason,
        )
        assert rebuilt == finding
