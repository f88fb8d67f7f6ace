"""Intrathecal baclofen: screening, first daily dose, titration bounds, pump refill and taper.

Intrathecal amounts are micrograms: doses in mcg, daily doses in mcg/day (a per-hour rate is
accepted and summed over 24 hours before any limit is checked), concentrations in mcg/mL.
They have their own kinds of quantity (``units.IT_DOSE``, ``units.IT_DAILY_DOSE``,
``units.IT_CONCENTRATION``), so an oral amount in mg can never reach this arithmetic and no
conversion between the routes exists (:func:`convert_route` refuses, with the reason).

Every figure comes from the rule data (rules ``it.*``): the screening doses and strength, the
catalogue of strengths and reservoir sizes, the titration percentages by origin, the usual
maintenance ranges, the hard daily ceiling, the pump's flow tolerance, the refill margin (a
named policy, ``it_refill_margin``) and the taper step. The planners are pure functions: inputs
and a rule set in, an immutable result with findings (codes and typed values) and provenance
out; ``render/`` writes every sentence.

One module per planner: :mod:`.screening`, :mod:`.first_dose`, :mod:`.titration`,
:mod:`.refill`, :mod:`.taper`; :mod:`.weaning` (between the routes) and :mod:`.common`
(shared checks). This package re-exports their public names.

>>> refill = plan_refill(reservoir="40 mL", concentration="2000 mcg/mL",
...                      daily_dose="400 mcg/day", alarm_volume="2 mL", start="2026-01-05")
>>> refill.daily_volume_ml, refill.nominal_days, refill.refill_by
(Fraction(1, 5), Fraction(190, 1), datetime.date(2026, 6, 9))
"""

from __future__ import annotations

from baclofen_dose.intrathecal.common import (
    MARGIN_POLICY,
    ORIGINS,
    FlexProgram,
    FlexStep,
)
from baclofen_dose.intrathecal.first_dose import IntrathecalStart, plan_initial_dose
from baclofen_dose.intrathecal.refill import PumpRefill, ResidualCheck, plan_refill
from baclofen_dose.intrathecal.screening import ScreeningBolus, ScreeningPlan, plan_screening
from baclofen_dose.intrathecal.taper import IntrathecalTaper, TaperStep, plan_intrathecal_taper
from baclofen_dose.intrathecal.titration import IntrathecalTitration, titration_bounds
from baclofen_dose.intrathecal.weaning import convert_route, oral_weaning_advice

__all__ = [
    "MARGIN_POLICY",
    "ORIGINS",
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
]
