"""The input shapes the public API accepts, named once (as httpx names its inputs in ``_types.py``).

A public function types each parameter with one of these names rather than ``object``, so a
reader (and mypy) sees what may be passed, and one concept has one shape everywhere:

======================  ========================================================================
name                    accepted
======================  ========================================================================
QuantityInput           a string with its unit ("60 mg/day", "6 h") or a pint ``Quantity``
DateInput               a ``datetime.date`` or an ISO string "YYYY-MM-DD"
ClockTimeInput          a 24-hour clock time "HH:MM"
ProductInput            a catalogue product: its name ("10 mg tablet"), rule id, or ``Product``
ProductsInput           one product, or several (tablet strengths used together)
OralDosesInput          the current oral dose per administration, or one per dose of the day
FlexStepInput           one flex-program step: (duration, rate)
IntrathecalDailyInput   an intrathecal daily dose: a quantity, or a ``FlexProgram``
OverridesInput          rule id -> the reason for crossing that soft limit
======================  ========================================================================

Closed sets are ``Literal`` types: :data:`SeverityName`, :data:`IntrathecalOrigin`,
:data:`Sex`, :data:`Purpose`, and the policy names of the bundled rule data
(:data:`MaxPolicyName`, :data:`RenalPolicyName`, :data:`WeightPolicyName`,
:data:`RefillMarginPolicyName`). Policy choices live in the rule data: the planners check a
name against the rule set in use at run time, and a test keeps these names equal to the bundled
choices.

This module imports nothing at run time beyond the standard library (pint and the planner
types are named for type checkers only), so importing it costs nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

if TYPE_CHECKING:
    # Type-only names: core sits below the planners, and nothing here runs these imports.
    import pint

    from baclofen_dose.intrathecal import FlexProgram
    from baclofen_dose.oral.products import Product
    from baclofen_dose.oral.regimen import OralRegimen

__all__ = [
    "ClockTimeInput",
    "DateInput",
    "FlexStepInput",
    "IntrathecalDailyInput",
    "IntrathecalOrigin",
    "MaxPolicyName",
    "OralDosesInput",
    "OverridesInput",
    "ProductInput",
    "ProductsInput",
    "Purpose",
    "QuantityInput",
    "RefillMarginPolicyName",
    "RenalPolicyName",
    "SeverityName",
    "Sex",
    "WeightPolicyName",
]

QuantityInput: TypeAlias = "str | pint.Quantity[Any]"
"""A quantity with its unit: a string in the strict grammar ("60 mg/day": ASCII digits, one
space, the unit) or a pint ``Quantity``. Never a bare number or a float."""

DateInput: TypeAlias = datetime.date | str
"""A calendar date: a ``datetime.date`` (not a ``datetime``) or "YYYY-MM-DD"."""

ClockTimeInput: TypeAlias = str
"""A 24-hour clock time written "HH:MM", such as "08:00"."""

ProductInput: TypeAlias = "str | Product"
"""A catalogue product: its name ("10 mg tablet", "5 mg/5 mL oral solution"), its rule id, or a
``Product`` from the rule set's catalogue."""

ProductsInput: TypeAlias = "ProductInput | Sequence[ProductInput]"
"""One product, or several used together (tablet strengths)."""

OralDosesInput: TypeAlias = "QuantityInput | Sequence[QuantityInput] | OralRegimen"
"""The current oral dose per administration ("20 mg", with a number of doses a day), one dose
per administration of the day in order (["20 mg", "20 mg", "10 mg"]), or an ``OralRegimen``."""

FlexStepInput: TypeAlias = "tuple[QuantityInput, QuantityInput]"
"""One step of an intrathecal flex program: (duration, rate), such as ("8 h", "15 mcg/hour")."""

IntrathecalDailyInput: TypeAlias = "QuantityInput | FlexProgram"
"""An intrathecal daily dose ("300 mcg/day", "12.5 mcg/hour") or a ``FlexProgram``."""

OverridesInput: TypeAlias = Mapping[str, str]
"""Soft-limit overrides: rule id -> the reason (never empty). Hard limits have none."""

SeverityName: TypeAlias = Literal["info", "warning", "hard"]
"""The values of :class:`baclofen_dose.core.model.Severity`."""

IntrathecalOrigin: TypeAlias = Literal["spinal", "cerebral"]
"""The origin of the spasticity, which selects the intrathecal titration rules (no default)."""

Sex: TypeAlias = Literal["female", "male"]
"""Sex as the kidney-function equations use it."""

Purpose: TypeAlias = Literal["titration", "taper"]
"""What an oral plan is for."""

MaxPolicyName: TypeAlias = Literal["us_label", "uk_outpatient", "inpatient_supervised"]
"""The adult oral maximum policies (rule data ``policies.oral_max_daily``)."""

RenalPolicyName: TypeAlias = Literal["vlavonou2014", "ajkd2017", "cheong2020"]
"""The renal dose policies (rule data ``policies.renal_dose``)."""

WeightPolicyName: TypeAlias = Literal["actual", "ideal", "adjusted", "medcalc_bmi"]
"""The body weight used in Cockcroft-Gault (rule data ``policies.crcl_weight``)."""

RefillMarginPolicyName: TypeAlias = Literal["gillette_7_to_10_days", "gillette_3_to_5_days"]
"""The pump refill margin policies (rule data ``policies.it_refill_margin``)."""
