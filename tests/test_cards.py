"""Card summaries and order-check wording (issues 11 and 13, a fresh tester's report).

Every finding an order check (oral or intrathecal) can give gets a specific card summary of at
most 140 characters (CDS Hooks 2.0) naming its key numbers, never the generic "Baclofen order:
warning (rule ...)"; the check's text speaks of the order, never of "this plan" or its steps;
Beers 2023 says what it was judged on, naming an estimating equation as such.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from baclofen_dose.check import OrderCheck, check_intrathecal_order, check_order
from baclofen_dose.core import display
from baclofen_dose.core.model import Amount, Finding
from baclofen_dose.intrathecal.common import FlexProgram
from baclofen_dose.oral.patient import Patient
from baclofen_dose.render.cards import SUMMARY_MAX, finding_summary
from baclofen_dose.render.check import check_text
from baclofen_dose.render.messages import FINDING_TEMPLATES, order_finding_text
from baclofen_dose.render.sentences.hooks import ADVICE_SUMMARIES, GENERIC_SUMMARY, SUMMARIES
from tests.ismp import assert_clean

PACKAGE = Path(__file__).resolve().parent.parent / "baclofen_dose"


def _patient(**given: str | bool) -> Patient:
    inputs: dict[str, object] = dict.fromkeys(("age", "sex", "weight", "height", "scr", "dialysis"))
    inputs.update(given)
    return Patient.from_inputs(**inputs)  # type: ignore[arg-type]


def _older(**given: str | bool) -> Patient:
    return _patient(age="80 years", sex="female", **given)


_FLEX = FlexProgram.from_steps([("12 hours", "10 mcg/hour"), ("12 hours", "15 mcg/hour")])

# One order for each finding the checks give (the coverage test below proves each is reached).
ORDERS: dict[str, Callable[[], OrderCheck]] = {
    "single dose above 20 mg": lambda: check_order(dose="25 mg", times_per_day=3),
    "140 mg/day, hard": lambda: check_order(dose="35 mg", times_per_day=4),
    "acknowledged": lambda: check_order(
        dose="25 mg",
        times_per_day=3,
        overrides={"oral.adult.max_dose.us_label": "specialist advice"},
    ),
    "off grid": lambda: check_order(dose="7.3 mg", times_per_day=3),
    "not givable": lambda: check_order(
        product="10 mg tablet", units_per_dose="0.3", times_per_day=3
    ),
    "older, severe, Muanda, Beers": lambda: check_order(
        dose="20 mg",
        times_per_day=4,
        patient=_older(weight="60 kg", scr="2 mg/dL", dialysis=False),
    ),
    "dialysis": lambda: check_order(
        dose="5 mg", times_per_day=3, patient=_older(weight="70 kg", scr="1 mg/dL", dialysis=True)
    ),
    "child on dialysis": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        patient=_patient(age="9 years", sex="male", weight="30 kg", dialysis=True),
    ),
    "dialysis, cheong2020": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        renal_policy="cheong2020",
        patient=_patient(age="70 years", sex="male", weight="70 kg", scr="1 mg/dL", dialysis=True),
    ),
    "dialysis, cheong2020, liquid start": lambda: check_order(
        dose="2.5 mg",
        times_per_day=1,
        renal_policy="cheong2020",
        patient=_patient(age="60 years", sex="male", weight="70 kg", scr="1 mg/dL", dialysis=True),
    ),
    "CrCl given and creatinine": lambda: check_order(
        dose="10 mg",
        times_per_day=3,
        measured_crcl="25 mL/min",
        measured_method="cockcroft_gault",
        patient=_patient(age="50 years", sex="male", weight="70 kg", scr="1 mg/dL", dialysis=False),
    ),
    "end stage": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        patient=_patient(age="50 years", sex="male", weight="70 kg", scr="6 mg/dL", dialysis=False),
    ),
    "cheong2020 start": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        renal_policy="cheong2020",
        patient=_patient(age="50 years", sex="male", weight="70 kg", scr="3 mg/dL", dialysis=False),
    ),
    "mild": lambda: check_order(
        dose="20 mg",
        times_per_day=4,
        patient=_patient(
            age="40 years", sex="male", weight="70 kg", scr="1.5 mg/dL", dialysis=False
        ),
    ),
    "normal": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        patient=_patient(
            age="30 years", sex="male", weight="70 kg", scr="0.9 mg/dL", dialysis=False
        ),
    ),
    "obesity": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        weight_policy="actual",
        patient=_patient(
            age="30 years",
            sex="male",
            weight="150 kg",
            height="170 cm",
            scr="0.9 mg/dL",
            dialysis=False,
        ),
    ),
    "ajkd2017": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        renal_policy="ajkd2017",
        weight_policy="actual",
        patient=_patient(
            age="25 years",
            sex="male",
            weight="150 kg",
            height="190 cm",
            scr="2 mg/dL",
            dialysis=False,
        ),
    ),
    "child with creatinine": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        patient=_patient(age="6 years", sex="male", weight="20 kg", scr="0.5 mg/dL"),
    ),
    "interactions, conditions, duplicate": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        medicines=["oxycodone"],
        conditions=["epilepsy", "hypersensitivity"],
        other_baclofen_orders=1,
    ),
    "older, CrCl given (Cockcroft-Gault)": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        patient=_older(),
        measured_crcl="25 mL/min",
        measured_method="cockcroft_gault",
    ),
    "older, eGFR given (CKD-EPI 2021)": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        patient=_older(),
        measured_egfr="25 mL/min/1.73 m2",
        measured_method="ckd_epi_2021",
    ),
    "intrathecal stop": lambda: check_intrathecal_order(daily_dose="0 mcg/day"),
    "intrathecal 60 mcg/hour": lambda: check_intrathecal_order(
        daily_dose="60 mcg/hour", previous_daily_dose="60 mcg/day"
    ),
    "intrathecal 1,200 mcg/day": lambda: check_intrathecal_order(
        daily_dose="1200 mcg/day", previous_daily_dose="1000 mcg/day", concentration="3000 mcg/mL"
    ),
    "intrathecal flex per hour": lambda: check_intrathecal_order(daily_dose=_FLEX),
    "intrathecal screening strength in a pump": lambda: check_intrathecal_order(
        daily_dose="300 mcg/day", concentration="50 mcg/mL"
    ),
    "intrathecal strength not marketed": lambda: check_intrathecal_order(
        daily_dose="300 mcg/day", concentration="750 mcg/mL"
    ),
    "adolescent on the US adult label ladder": lambda: check_order(
        dose="20 mg",
        times_per_day=4,
        adolescent_policy="us_adult_label",
        patient=_patient(age="15 years", sex="male", weight="60 kg", scr="0.7 mg/dL"),
    ),
    "text disagrees with the dose": lambda: check_order(
        dose="25 mg", times_per_day=3, dose_text="take 5 mg"
    ),
    "dialysis from Z99.2": lambda: check_order(
        dose="5 mg",
        times_per_day=3,
        conditions=["Z99.2"],
        patient=_patient(age="50 years", sex="male", weight="70 kg"),
    ),
}

# The values a summary must show when the finding has them (exact amounts: doses and limits).
_KEY_NUMBERS = ("value", "limit", "daily", "maximum", "previous", "highest", "tolerated", "cap")


def _key(finding: Finding) -> str:
    return f"ADVICE:{finding.rule_id}" if finding.code == "ADVICE" else finding.code


def _findings() -> list[Finding]:
    return [f for make in ORDERS.values() for f in make().findings]


def test_the_orders_reach_every_summary() -> None:
    """The corpus gives every finding that has a short form, so the tests below see them all."""
    seen = {_key(f) for f in _findings()}
    assert seen == set(SUMMARIES) | {f"ADVICE:{rule}" for rule in ADVICE_SUMMARIES}


def test_every_code_a_check_emits_has_a_short_form() -> None:
    """Every finding code written in check/ and in the renal assessment the oral check uses."""
    sources = [*sorted((PACKAGE / "check").glob("*.py")), PACKAGE / "oral" / "renal.py"]
    emitted = {
        node.value
        for path in sources
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in FINDING_TEMPLATES
    }
    emitted -= {"ADVICE", "IT_PER_HOUR_CONFIRMED"}  # advice: by rule id; confirmed: refills
    assert emitted, "no finding code found in the check sources"
    assert emitted <= set(SUMMARIES), sorted(emitted - set(SUMMARIES))


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_card_summaries_are_specific_short_and_clean(name: str) -> None:
    result = ORDERS[name]()
    assert result.findings
    for finding in result.findings:
        summary = finding_summary(finding)
        generic = display.fill(
            GENERIC_SUMMARY[finding.severity.value], {"rule_id": finding.rule_id}
        )
        assert summary != generic, finding
        assert not summary.startswith("Baclofen order:"), summary
        assert 0 < len(summary) <= SUMMARY_MAX, summary
        assert_clean(summary)
        assert not re.search(r"\b(mg|mcg|mL|day|hour|min|m2)\.$", summary), summary
        for key in _KEY_NUMBERS:
            amount = finding.values.get(key)
            if isinstance(amount, Amount) and amount.style == "exact":
                assert display.param(amount) in summary, (key, summary)


def test_per_hour_card_names_the_daily_total() -> None:
    """60 mcg/hour x 24 hours = 1,440 mcg/day, 24 times the previous 60 mcg/day."""
    found = {f.code: finding_summary(f) for f in ORDERS["intrathecal 60 mcg/hour"]().findings}
    assert found["IT_PER_HOUR"] == (
        "Entered per hour: 60 mcg/hour times 24 hours is 1,440 mcg/day; check that a per-hour "
        "rate was meant"
    )
    assert found["IT_TIME_BASE_SUSPECTED"] == (
        "Likely time-base mistake: 1,440 mcg/day is 24 times the previous daily dose 60 mcg/day"
    )


def test_duplicate_and_dialysis_cards() -> None:
    found = {
        f.rule_id: finding_summary(f)
        for f in ORDERS["interactions, conditions, duplicate"]().findings
    }
    assert found["interop.duplicate_baclofen"].startswith("Another baclofen order is active")
    dialysis = {f.code: finding_summary(f) for f in ORDERS["dialysis"]().findings}
    assert dialysis["RENAL_DIALYSIS"] == (
        "On dialysis: this order is judged against 5 mg/day (Canadian monograph); start 5 mg/day"
    )


@pytest.mark.parametrize("name", sorted(ORDERS))
def test_check_wording_speaks_of_the_order(name: str) -> None:
    """No sentence of a check (text, cards) speaks of a plan or of its steps."""
    result = ORDERS[name]()
    for finding in result.findings:
        for text in (order_finding_text(finding), finding_summary(finding)):
            assert not re.search(r"\b(this|the) plan\b|\bsteps?\b", text, re.IGNORECASE), text
            assert_clean(text)
    assert "this plan" not in check_text(result)


def test_older_adult_caution_in_a_check() -> None:
    text = check_text(ORDERS["dialysis"]())
    assert "this order was judged against the adult limits" in text
    assert "the daily dose of this order is judged against 5 mg/day" in text
    assert "one third of the usual" not in text


@pytest.mark.parametrize(
    ("method", "given", "words"),
    [
        ("cockcroft_gault", {"measured_crcl": "25 mL/min"}, "CrCl 25 mL/min as given (Cockcroft-Gault)"),
        ("ckd_epi_2021", {"measured_egfr": "25 mL/min/1.73 m2"}, "eGFR 25 mL/min/1.73 m2 as given (CKD-EPI 2021)"),
        ("timed_urine", {"measured_crcl": "25 mL/min"}, "CrCl 25 mL/min measured by timed urine collection"),
        ("other", {"measured_crcl": "25 mL/min"}, "CrCl 25 mL/min as given (method not named)"),
    ],
)  # fmt: skip
def test_beers_names_how_kidney_function_was_obtained(
    method: str, given: dict[str, str], words: str
) -> None:
    """An estimating equation is never called "measured"; only a timed urine collection is."""
    result = check_order(
        dose="5 mg", times_per_day=3, patient=_older(), measured_method=method, **given
    )
    beers = next(f for f in result.findings if f.code == "CHECK_BEERS_KIDNEY")
    text = order_finding_text(beers)
    assert f"judged on {words})" in text
    assert "(measured)" not in check_text(result)
    assert beers.values["method"] == method


def test_beers_computed_and_dialysis_wording() -> None:
    computed = next(
        f
        for f in ORDERS["older, severe, Muanda, Beers"]().findings
        if f.code == "CHECK_BEERS_KIDNEY"
    )
    assert "judged on eGFR 24.8 mL/min/1.73 m2 computed from the creatinine" in (
        order_finding_text(computed)
    )
    dialysis = next(f for f in ORDERS["dialysis"]().findings if f.code == "CHECK_BEERS_KIDNEY")
    assert "judged on dialysis)" in order_finding_text(dialysis)
    assert finding_summary(dialysis).endswith("judged on dialysis")


def test_the_hook_card_for_a_per_hour_entry_says_so() -> None:
    """Through the CDS Hooks handler: 60 mcg/hour is 1,440 mcg/day (60 x 24), and the card's
    summary (what many EHRs show alone) says so, not "Baclofen order: warning"."""
    import json

    from baclofen_dose.interop.hooks import handle_hook

    data = Path(__file__).resolve().parent / "data" / "cds_hooks" / "order-sign-renal.json"
    request = json.loads(data.read_text(encoding="utf-8"))
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"] = {"text": "baclofen intrathecal 2000 mcg/mL"}
    dosage = draft["dosageInstruction"][0]
    dosage["route"]["coding"][0].update(code="72607000", display="Intrathecal route")
    dosage["timing"]["repeat"]["frequency"] = 1
    dosage.pop("text")
    dosage["doseAndRate"] = [
        {"rateQuantity": {"value": 60, "unit": "mcg/hour", "system": "http://unitsofmeasure.org",
                          "code": "ug/h"}}
    ]  # fmt: skip
    cards = handle_hook("baclofen-order-sign", request)["cards"]
    summaries = [card["summary"] for card in cards]
    assert not any(s.startswith("Baclofen order: warning") for s in summaries), summaries
    assert (
        "Entered per hour: 60 mcg/hour times 24 hours is 1,440 mcg/day; check that a per-hour "
        "rate was meant"
    ) in summaries
    assert all(len(s) <= SUMMARY_MAX for s in summaries)
