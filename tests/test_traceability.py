"""Traceability (SAF-33): every safety requirement that applies is checked by a named test,
every test names only known requirements, and every hazard has a tested control.

The requirements and hazards are the repository's copy in tests/data/requirements.toml (from
shared/reference/safety.md); the tests' names for them are their ``@pytest.mark.req(...)``
markers, read from the test files' syntax trees. This file also holds the tests for the
process requirements (SAF-22 provenance, SAF-30 calendar counting, SAF-34 the mutation gate,
SAF-36 the hypothesis profiles, SAF-07 no truncation).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings

import baclofen_dose as bd
from tests.printed import flat

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = tomllib.loads((TESTS / "data" / "requirements.toml").read_text(encoding="utf-8"))
REQUIREMENTS: dict[str, dict[str, object]] = DATA["requirements"]
HAZARDS: dict[str, dict[str, object]] = DATA["hazards"]


def _markers() -> dict[str, list[str]]:
    """Requirement id -> the tests (file::function) that name it in a ``req`` marker."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                if (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and decorator.func.attr == "req"
                ):
                    for arg in decorator.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            found.setdefault(arg.value, []).append(f"{path.name}::{node.name}")
    return found


MARKERS = _markers()


def _applies(req_id: str) -> bool:
    return bool(REQUIREMENTS[req_id].get("applies", True))


@pytest.mark.req("SAF-33")
def test_every_applicable_requirement_has_a_test() -> None:
    missing = [r for r in REQUIREMENTS if _applies(r) and r not in MARKERS]
    assert missing == [], f"requirements without a test: {missing}"


@pytest.mark.req("SAF-33")
def test_tests_name_only_known_requirements() -> None:
    unknown = {r: where for r, where in MARKERS.items() if r not in REQUIREMENTS}
    assert unknown == {}


@pytest.mark.req("SAF-33")
def test_requirements_that_do_not_apply_say_why_and_have_no_tests() -> None:
    for req_id, req in REQUIREMENTS.items():
        if not _applies(req_id):
            assert str(req.get("why", "")).strip(), req_id
            assert req_id not in MARKERS, f"{req_id} does not apply but {MARKERS[req_id]} test it"


@pytest.mark.req("SAF-33")
def test_every_hazard_has_a_tested_control() -> None:
    for hazard_id, hazard in HAZARDS.items():
        controls = hazard["controls"]
        assert isinstance(controls, list) and controls, hazard_id
        tested = [c for c in controls if c in REQUIREMENTS and _applies(c) and c in MARKERS]
        assert tested, f"{hazard_id} has no control requirement with a test"


@pytest.mark.req("SAF-33")
def test_the_hazard_log_covers_every_hazard() -> None:
    log = (ROOT / "docs" / "hazard-log.md").read_text(encoding="utf-8")
    for hazard_id in HAZARDS:
        assert f"| {hazard_id} |" in log, f"{hazard_id} is not in docs/hazard-log.md"


# --- process requirements ----------------------------------------------------------------


@pytest.mark.req("SAF-22")
def test_every_plan_carries_full_provenance() -> None:
    rules = bd.default_rules()
    plan = bd.plan_titration(start="2026-01-05", target="60 mg/day")
    prov = plan.provenance
    assert prov.library_version == bd.__version__
    assert (prov.ruleset_id, prov.ruleset_version, prov.ruleset_sha256) == (
        rules.id,
        rules.version,
        rules.sha256,
    )
    assert len(prov.ruleset_sha256) == 64
    assert prov.rule_ids == tuple(sorted(set(prov.rule_ids)))
    assert all(rule_id in rules for rule_id in prov.rule_ids)
    for step in plan.steps:
        assert set(step.rule_ids) <= set(prov.rule_ids)
    assert dict(prov.inputs)["start"]


@pytest.mark.req("SAF-30")
def test_steps_cover_each_calendar_day_once() -> None:
    """Every day from the first to the last step's start belongs to exactly one step."""
    for plan in (
        bd.plan_titration(start="2026-02-26", target="80 mg/day"),
        bd.plan_taper(dose="20 mg", times_per_day=4, start="2028-02-27"),
    ):
        for before, after in zip(plan.steps, plan.steps[1:], strict=False):
            assert before.end is not None
            assert after.start == before.end + timedelta(days=1)
            assert before.days == (before.end - before.start).days + 1


@pytest.mark.req("SAF-34")
def test_the_mutation_gate_covers_the_limit_code() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutmut"]
    assert "baclofen_dose/core/limits.py" in config["paths_to_mutate"]
    assert (ROOT / "tools" / "mutation_gate.py").is_file()
    equivalent = tomllib.loads(
        (TESTS / "data" / "equivalent_mutants.toml").read_text(encoding="utf-8")
    )
    for name, why in equivalent.get("equivalent", {}).items():
        assert name.startswith("baclofen_dose.") and len(str(why)) > 20
    assert "tools/mutation_gate.py" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.req("SAF-36")
def test_ci_selects_the_deterministic_hypothesis_profile() -> None:
    code = (
        "import tests.conftest; from hypothesis import settings; "
        "print(settings.default.derandomize, settings.default.database)"
    )
    env = {**os.environ, "CI": "true"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "None"]
    if os.environ.get("CI", "").lower() == "true":
        assert settings.default.derandomize


@pytest.mark.req("SAF-07")
def test_text_is_never_truncated() -> None:
    """Every finding, citation and instruction appears in full in the printed table."""
    from baclofen_dose.render.messages import finding_text

    plan = bd.plan_titration(start="2026-01-05", target="100 mg/day", max_policy="uk_outpatient")
    printed = bd.table(plan)
    whole = flat(printed)
    for finding in plan.findings:
        assert finding_text(finding) in whole
    for line in bd.instructions(plan):
        assert line in whole
    assert all(len(line) <= 100 for line in printed.splitlines())
    assert "..." not in printed and "\u2026" not in printed
