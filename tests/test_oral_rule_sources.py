"""Issue 10 item 11: every rule cites a section of clinical.md that exists, no rule resting only
on the founding page (seed 002) is a hard limit, and no rule whose clinical.md figure is NOT
FOUND is a catalogue fact or a hard limit."""

from __future__ import annotations

import re
from pathlib import Path

from tests import strategies as S

SECTIONS = Path(__file__).resolve().parent / "data" / "clinical_sections.txt"
HARD_OR_FACT = frozenset({"hard_min", "hard_max", "catalogue"})
# A NOT FOUND in these rules' clinical reference is about another attribute than the value.
NOT_FOUND_ELSEWHERE = {
    "product.oral.tablet_15_mg": "the 15 mg strength is listed (L3 How Supplied); its scoring is "
    "NOT FOUND, so whole tablets only",
}


def _sections() -> set[str]:
    """The section numbers of clinical.md (the repository's copy, tests/data)."""
    lines = SECTIONS.read_text(encoding="utf-8").splitlines()
    return {line.split("\t", 1)[0] for line in lines if line and not line.startswith("#")}


def _cited(clinical: str) -> list[str]:
    return re.findall(r"(?<![\d.])(\d{1,2}(?:\.\d)?)(?![\d.])", clinical)


def test_every_rule_cites_a_clinical_section_that_exists() -> None:
    sections = _sections()
    for rule in S.RULES:
        clinical = rule.clinical or ""
        assert clinical, rule.id
        if clinical.startswith("not clinical"):
            continue  # software limits (plausibility bands, horizons) say so
        assert any(n in sections for n in _cited(clinical)), (rule.id, clinical)


def test_no_founding_page_rule_is_a_hard_limit_or_fact() -> None:
    """clinical.md 16: a figure only from the founding page is at most a soft limit or a
    default; a hard limit needs a label or a regulator behind it."""
    for rule in S.RULES:
        if rule.source.key.startswith("FOUNDING"):
            assert rule.kind not in HARD_OR_FACT, rule.id


def test_no_not_found_figure_is_a_hard_limit_or_fact() -> None:
    for rule in S.RULES:
        if rule.kind in HARD_OR_FACT and "NOT FOUND" in (rule.clinical or ""):
            assert rule.id in NOT_FOUND_ELSEWHERE, rule.id


def test_founding_page_soft_limits_say_so() -> None:
    """The titration step and interval soft limits name clinical.md 16, which made them soft."""
    for rule_id in (
        "oral.adult.titration.step.min",
        "oral.adult.titration.step.max",
        "oral.adult.titration.interval.min",
    ):
        rule = S.RULES[rule_id]
        assert rule.kind.startswith("soft_") and "16" in _cited(rule.clinical or "")
