"""The package as a whole: public API, no clinical literals in code, determinism, examples."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import baclofen_dose

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "baclofen_dose"
SOURCES = sorted(PACKAGE.rglob("*.py"))
# Modules that decide doses: their only numeric literals are 0 and 1 (rules are data).
DOSE_DECIDING = sorted(
    path.relative_to(PACKAGE).as_posix()
    for path in [
        *(PACKAGE / "oral").rglob("*.py"),
        *(PACKAGE / "intrathecal").rglob("*.py"),
        *(PACKAGE / "check").rglob("*.py"),
        *(PACKAGE / "core").glob("limits.py"),
        *(PACKAGE / "core").glob("kernel.py"),
        *(PACKAGE / "core").glob("model.py"),
    ]
)


def test_public_api_is_explicit_and_sorted() -> None:
    assert baclofen_dose.__all__ == sorted(baclofen_dose.__all__)
    for name in baclofen_dose.__all__:
        assert getattr(baclofen_dose, name) is not None
    assert baclofen_dose.__version__ == "0.1.0"
    with pytest.raises(AttributeError):
        baclofen_dose.nothing_here  # noqa: B018


def test_import_is_light() -> None:
    """Importing the package does not import pint or build a registry, nor anything FHIR
    (the FHIR writer and reader load only when used; issue 13)."""
    code = (
        "import sys, baclofen_dose; print('pint' in sys.modules, "
        "sorted(m for m in sys.modules if 'fhir' in m or m.startswith('baclofen_dose.interop')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False []"


@pytest.mark.req("SAF-18")
@pytest.mark.parametrize("name", DOSE_DECIDING)
def test_no_clinical_literals_in_dose_code(name: str) -> None:
    tree = ast.parse((PACKAGE / name).read_text(encoding="utf-8"))
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float)
    }
    assert literals <= {0, 1}, f"{name} holds numbers that belong in the rule data: {literals}"


@pytest.mark.req("SAF-26")
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_floats_rounding_or_clock(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    floats = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is float
    ]
    assert not floats
    calls = {
        n.func.id if isinstance(n.func, ast.Name) else getattr(n.func, "attr", "")
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
    }
    assert "round" not in calls
    assert not re.search(r"\b(?:date\.today|datetime\.now|datetime\.utcnow|time\.time)\(", source)


@pytest.mark.req("SAF-19")
def test_no_bypass_parameters() -> None:
    import inspect

    names = set(inspect.signature(baclofen_dose.plan_titration).parameters)
    assert not names & {"force", "skip_checks", "unsafe", "check_limits", "strict"}


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_examples_run(script: Path) -> None:
    from tests.ismp import assert_clean

    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
    assert_clean(done.stdout)


def test_readme_quick_start_is_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert commands == [
        'pip install . && baclofen-dose titrate --start 2026-01-05 --target "60 mg/day"',
        'pip install ".[test]" && python -m pytest',
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install ".[test]" && python -m pytest' in ci
