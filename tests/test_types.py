"""The named public input shapes (baclofen_dose.core.types; issue 8, item 6)."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest

from baclofen_dose.core import types

ROOT = Path(__file__).resolve().parent.parent


def literal(alias: object) -> set[str]:
    return set(typing.get_args(alias))


@pytest.mark.parametrize(
    ("alias", "policy"),
    [
        (types.MaxPolicyName, "oral_max_daily"),
        (types.RenalPolicyName, "renal_dose"),
        (types.WeightPolicyName, "crcl_weight"),
        (types.RefillMarginPolicyName, "it_refill_margin"),
    ],
)
def test_policy_names_are_the_bundled_choices(alias: object, policy: str) -> None:
    """Each Literal names exactly the choices of its policy in the bundled rule data."""
    from baclofen_dose.core.rules import default_rules

    assert literal(alias) == set(default_rules().policy_choices(policy))


def test_severity_names_are_the_severity_values() -> None:
    from baclofen_dose.core.model import SEVERITIES

    assert literal(types.SeverityName) == set(SEVERITIES)


def test_origins_are_those_the_planner_accepts() -> None:
    from baclofen_dose import intrathecal
    from baclofen_dose.core.errors import InputError

    for origin in sorted(literal(types.IntrathecalOrigin)):
        intrathecal.titration_bounds(daily_dose="300 mcg/day", origin=origin)
    with pytest.raises(InputError):
        intrathecal.titration_bounds(daily_dose="300 mcg/day", origin="brain")


def test_every_name_is_exported_and_documented() -> None:
    assert sorted(types.__all__) == types.__all__
    doc = types.__doc__ or ""
    for name in types.__all__:
        assert hasattr(types, name)
        assert name in doc


def test_importable_without_pint() -> None:
    """Naming the shapes loads nothing heavy: the module imports with pint unavailable."""
    code = (
        "import sys; sys.modules['pint'] = None\n"
        "import baclofen_dose.core.types as t\n"
        "assert 'pint' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "print(sorted(t.__all__)[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ClockTimeInput\n"
