"""baclofen-dose: baclofen dosing decision support with cited rule data and exact arithmetic.

Decision support for health-care professionals, not medical advice.

>>> import baclofen_dose as bd
>>> plan = bd.plan_titration(start="2026-01-05", target="60 mg/day")
>>> plan.final.regimen.daily_dose
<Quantity(60, 'milligram / day')>

Importing the package is cheap: names load on first use, and pint only when a quantity is
parsed or shown.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import (
        BaclofenDoseError,
        BaclofenDoseWarning,
        HardLimitError,
        ImplausibleValueError,
        InputError,
        InputTypeError,
        LimitCrossing,
        LimitError,
        OverrideRequired,
        RuleSetError,
        UnitError,
    )
    from .limits import Finding, Override
    from .oral import plan_titration
    from .patient import Patient
    from .regimen import Adjustment, OralPlan, OralRegimen, Provenance, Step
    from .renal import (
        BodyWeight,
        RenalAssessment,
        RenalEstimate,
        RenalReport,
        assess,
        ckd_epi_2021,
        cockcroft_gault,
        deindex,
        dosing_weight,
        renal_report,
    )
    from .render import from_json, instructions, table, to_json
    from .rules import Rule, RuleSet, Source, default_rules, load_rules
    from .units import registry

__all__ = [
    "Adjustment",
    "BaclofenDoseError",
    "BaclofenDoseWarning",
    "BodyWeight",
    "Finding",
    "HardLimitError",
    "ImplausibleValueError",
    "InputError",
    "InputTypeError",
    "LimitCrossing",
    "LimitError",
    "OralPlan",
    "OralRegimen",
    "Override",
    "OverrideRequired",
    "Patient",
    "Provenance",
    "RenalAssessment",
    "RenalEstimate",
    "RenalReport",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "Source",
    "Step",
    "UnitError",
    "__version__",
    "assess",
    "ckd_epi_2021",
    "cockcroft_gault",
    "default_rules",
    "deindex",
    "dosing_weight",
    "from_json",
    "instructions",
    "load_rules",
    "plan_titration",
    "registry",
    "renal_report",
    "table",
    "to_json",
]

_HOMES = {
    "errors": (
        "BaclofenDoseError",
        "BaclofenDoseWarning",
        "HardLimitError",
        "ImplausibleValueError",
        "InputError",
        "InputTypeError",
        "LimitCrossing",
        "LimitError",
        "OverrideRequired",
        "RuleSetError",
        "UnitError",
    ),
    "limits": ("Finding", "Override"),
    "oral": ("plan_titration",),
    "patient": ("Patient",),
    "regimen": ("Adjustment", "OralPlan", "OralRegimen", "Provenance", "Step"),
    "renal": (
        "BodyWeight",
        "RenalAssessment",
        "RenalEstimate",
        "RenalReport",
        "assess",
        "ckd_epi_2021",
        "cockcroft_gault",
        "deindex",
        "dosing_weight",
        "renal_report",
    ),
    "render": ("from_json", "instructions", "table", "to_json"),
    "rules": ("Rule", "RuleSet", "Source", "default_rules", "load_rules"),
    "units": ("registry",),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from ._version import VERSION

        return VERSION
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'baclofen_dose' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
