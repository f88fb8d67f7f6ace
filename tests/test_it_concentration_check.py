"""SAF-17 in the intrathecal order check (issue 11, left item): the concentration of a pump
order is judged against the rule data's catalogue (clinical.md 6.1), not only the lowest and
highest strengths. The check never raises for these: it gives findings."""

from __future__ import annotations

import pytest

from baclofen_dose import default_rules
from baclofen_dose.check import check_intrathecal_order
from baclofen_dose.render.messages import finding_text
from tests.ismp import assert_clean

RULES = default_rules()


@pytest.mark.parametrize(
    ("concentration", "expected"),
    [
        ("0.05", {("it.concentration.lowest", "HARD_LIMIT_CROSSED")}),
        ("0.5", {("it.concentration.lowest", "HARD_LIMIT_CROSSED")}),
        ("2", {("it.concentration.lowest", "HARD_LIMIT_CROSSED")}),
        ("50", {("it.concentration.screening", "IT_SCREENING_STRENGTH_IN_PUMP")}),
        ("500", set()),
        ("750", {("it.concentration.diluted", "IT_CONCENTRATION_NOT_MARKETED")}),
        ("1000", set()),
        ("2000", set()),
        ("2500", {("it.concentration.highest", "HARD_LIMIT_CROSSED")}),
        ("20000", {("it.concentration.highest", "HARD_LIMIT_CROSSED")}),
    ],
)
def test_the_pump_concentration_is_judged_against_the_catalogue(
    concentration: str, expected: set[tuple[str, str]]
) -> None:
    """SAF-17's table over a pump order (an infusion, as a refill fills): outside the band a
    hard finding; the screening-only 50 mcg/mL (it.concentration.screening) a hard finding; a
    strength not marketed a warning to check the dilution (it.concentration.diluted, S38:
    other concentrations are dilutions with preservative-free sodium chloride); 500, 1,000
    and 2,000 mcg/mL (the catalogue) nothing."""
    result = check_intrathecal_order(
        daily_dose="300 mcg/day", concentration=f"{concentration} mcg/mL", origin="spinal"
    )
    concentration_rules = {
        (f.rule_id, f.code) for f in result.findings if f.rule_id.startswith("it.concentration")
    }
    assert concentration_rules == expected
    for finding in result.findings:
        assert_clean(finding_text(finding))
    severities = {f.code: f.severity.value for f in result.findings}
    if "IT_SCREENING_STRENGTH_IN_PUMP" in severities:
        assert severities["IT_SCREENING_STRENGTH_IN_PUMP"] == "hard"
    if "IT_CONCENTRATION_NOT_MARKETED" in severities:
        assert severities["IT_CONCENTRATION_NOT_MARKETED"] == "warning"


def test_the_catalogue_comes_from_the_rule_data() -> None:
    """The finding lists the marketed strengths the rule data holds (each cited)."""
    result = check_intrathecal_order(daily_dose="300 mcg/day", concentration="750 mcg/mL")
    finding = next(f for f in result.findings if f.code == "IT_CONCENTRATION_NOT_MARKETED")
    listed = {a.value for a in finding.values["strengths"]}  # type: ignore[union-attr]
    catalogue = {
        r.require_value()
        for r in RULES.rules.values()
        if r.kind == "catalogue" and r.quantity == "it.concentration"
    } - {RULES["it.concentration.screening"].require_value()}
    assert listed == catalogue
    assert "it.concentration.strength_1000" in result.provenance.rule_ids
    assert "1,000 mcg/mL" in finding_text(finding)
