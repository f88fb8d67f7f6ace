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
    from baclofen_dose.check.intrathecal import check_intrathecal_order
    from baclofen_dose.check.omop import OmopMeasurement, OmopOrders, orders_from_omop
    from baclofen_dose.check.oral import check_order
    from baclofen_dose.check.order import NotAssessed, OrderCheck
    from baclofen_dose.check.screen import ScreenResult, ScreenSummary, screen_orders
    from baclofen_dose.core.errors import (
        AbruptStopError,
        BaclofenDoseError,
        BaclofenDoseWarning,
        ConfirmationRequired,
        HardLimitError,
        ImplausibleValueError,
        InputError,
        InputTypeError,
        LimitCrossing,
        LimitError,
        MissingInputError,
        OverrideRequired,
        RuleSetError,
        UnitError,
    )
    from baclofen_dose.core.limits import Finding, Override
    from baclofen_dose.core.rules import Rule, RuleSet, Source, default_rules, load_rules
    from baclofen_dose.core.units import registry
    from baclofen_dose.interop.hooks import (
        HookFeedback,
        HooksConfig,
        handle_hook,
        hook_discovery,
        read_hook_feedback,
    )
    from baclofen_dose.intrathecal import (
        FlexProgram,
        FlexStep,
        IntrathecalStart,
        IntrathecalTaper,
        IntrathecalTitration,
        PumpRefill,
        ResidualCheck,
        ScreeningBolus,
        ScreeningPlan,
        TaperStep,
        convert_route,
        oral_weaning_advice,
        plan_initial_dose,
        plan_intrathecal_taper,
        plan_refill,
        plan_screening,
        titration_bounds,
    )
    from baclofen_dose.oral.missed import MissedDoseAdvice, advise_missed_dose
    from baclofen_dose.oral.patient import Patient
    from baclofen_dose.oral.products import (
        DispenseLine,
        Product,
        Realization,
        Supply,
        catalogue,
        find_product,
        realize,
    )
    from baclofen_dose.oral.regimen import Adjustment, OralPlan, OralRegimen, Provenance, Step
    from baclofen_dose.oral.renal import (
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
    from baclofen_dose.oral.taper import TaperInfo, TaperPlan, plan_taper
    from baclofen_dose.oral.titration import plan_titration
    from baclofen_dose.render import (
        INTENDED_USE,
        from_json,
        instructions,
        rule_value,
        table,
        to_csv,
        to_json,
    )

__all__ = [
    "AbruptStopError",
    "Adjustment",
    "BaclofenDoseError",
    "BaclofenDoseWarning",
    "BodyWeight",
    "ConfirmationRequired",
    "DispenseLine",
    "Finding",
    "FlexProgram",
    "FlexStep",
    "HardLimitError",
    "HookFeedback",
    "HooksConfig",
    "INTENDED_USE",
    "ImplausibleValueError",
    "InputError",
    "InputTypeError",
    "IntrathecalStart",
    "IntrathecalTaper",
    "IntrathecalTitration",
    "LimitCrossing",
    "LimitError",
    "MissedDoseAdvice",
    "MissingInputError",
    "NotAssessed",
    "OmopMeasurement",
    "OmopOrders",
    "OralPlan",
    "OralRegimen",
    "OrderCheck",
    "Override",
    "OverrideRequired",
    "Patient",
    "Product",
    "Provenance",
    "PumpRefill",
    "Realization",
    "RenalAssessment",
    "RenalEstimate",
    "RenalReport",
    "ResidualCheck",
    "Rule",
    "RuleSet",
    "RuleSetError",
    "ScreenResult",
    "ScreenSummary",
    "ScreeningBolus",
    "ScreeningPlan",
    "Source",
    "Step",
    "Supply",
    "TaperInfo",
    "TaperPlan",
    "TaperStep",
    "UnitError",
    "__version__",
    "advise_missed_dose",
    "assess",
    "catalogue",
    "check_intrathecal_order",
    "check_order",
    "ckd_epi_2021",
    "cockcroft_gault",
    "convert_route",
    "default_rules",
    "deindex",
    "dosing_weight",
    "find_product",
    "from_json",
    "handle_hook",
    "hook_discovery",
    "instructions",
    "load_rules",
    "oral_weaning_advice",
    "orders_from_omop",
    "plan_initial_dose",
    "plan_intrathecal_taper",
    "plan_refill",
    "plan_screening",
    "plan_taper",
    "plan_titration",
    "read_hook_feedback",
    "realize",
    "registry",
    "renal_report",
    "rule_value",
    "screen_orders",
    "table",
    "titration_bounds",
    "to_csv",
    "to_json",
]

_HOMES = {
    "check.intrathecal": ("check_intrathecal_order",),
    "check.omop": ("OmopMeasurement", "OmopOrders", "orders_from_omop"),
    "check.oral": ("check_order",),
    "check.order": ("NotAssessed", "OrderCheck"),
    "check.screen": ("ScreenResult", "ScreenSummary", "screen_orders"),
    "core.errors": (
        "AbruptStopError",
        "BaclofenDoseError",
        "BaclofenDoseWarning",
        "ConfirmationRequired",
        "HardLimitError",
        "ImplausibleValueError",
        "InputError",
        "InputTypeError",
        "LimitCrossing",
        "LimitError",
        "MissingInputError",
        "OverrideRequired",
        "RuleSetError",
        "UnitError",
    ),
    "core.limits": ("Finding", "Override"),
    "oral.titration": ("plan_titration",),
    "oral.missed": ("MissedDoseAdvice", "advise_missed_dose"),
    "oral.products": (
        "DispenseLine",
        "Product",
        "Realization",
        "Supply",
        "catalogue",
        "find_product",
        "realize",
    ),
    "oral.taper": ("TaperInfo", "TaperPlan", "plan_taper"),
    "render": (
        "INTENDED_USE",
        "from_json",
        "instructions",
        "rule_value",
        "table",
        "to_csv",
        "to_json",
    ),
    "oral.patient": ("Patient",),
    "oral.regimen": ("Adjustment", "OralPlan", "OralRegimen", "Provenance", "Step"),
    "oral.renal": (
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
    "core.rules": ("Rule", "RuleSet", "Source", "default_rules", "load_rules"),
    "core.units": ("registry",),
    "interop.hooks": (
        "HookFeedback",
        "HooksConfig",
        "handle_hook",
        "hook_discovery",
        "read_hook_feedback",
    ),
    "intrathecal": (
        "FlexProgram",
        "FlexStep",
        "IntrathecalStart",
        "IntrathecalTaper",
        "IntrathecalTitration",
        "PumpRefill",
        "ResidualCheck",
        "ScreeningBolus",
        "ScreeningPlan",
        "TaperStep",
        "convert_route",
        "oral_weaning_advice",
        "plan_initial_dose",
        "plan_intrathecal_taper",
        "plan_refill",
        "plan_screening",
        "titration_bounds",
    ),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from baclofen_dose._version import VERSION

        return VERSION
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'baclofen_dose' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
