"""Intrathecal screening: the bolus sequence at the screening strength, and how to observe.

Rules ``it.screening.*`` and ``it.concentration.screening`` (clinical.md 6.2).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import RuleSetError
from baclofen_dose.core.model import Amount, Finding, Provenance
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.intrathecal.common import ROUTE, Context, Route, concentration, flag

if TYPE_CHECKING:
    import pint

__all__ = ["ScreeningBolus", "ScreeningPlan", "plan_screening"]


@attrs.frozen
class ScreeningBolus:
    """One screening bolus: its dose, the volume of the screening strength that holds it, and
    the least time since the bolus before it (``None`` for the first)."""

    number: int
    dose_mcg: Fraction
    volume_ml: Fraction
    hours_after_previous: Fraction | None
    rule_ids: tuple[str, ...]

    @property
    def dose(self) -> pint.Quantity[Fraction]:
        """The bolus as a pint Quantity (mcg)."""
        return units.quantity(self.dose_mcg, units.IT_DOSE)

    @property
    def volume(self) -> pint.Quantity[Fraction]:
        """The volume to inject as a pint Quantity (mL)."""
        return units.quantity(self.volume_ml, units.VOLUME)


@attrs.frozen
class ScreeningPlan:
    """The screening sequence: boluses in order at the screening strength, and how to observe."""

    SCHEMA: ClassVar[str] = "baclofen-dose/intrathecal-screening/1"

    concentration_mcg_per_ml: Fraction
    child: bool
    boluses: tuple[ScreeningBolus, ...]
    observe_from_hours: Fraction
    observe_to_hours: Fraction
    findings: tuple[Finding, ...]
    provenance: Provenance

    @property
    def route(self) -> Route:
        """Always ``"intrathecal"``."""
        return ROUTE

    @property
    def schema(self) -> str:
        """The schema id of this result's JSON."""
        return self.SCHEMA

    @property
    def largest_dose_mcg(self) -> Fraction:
        """The last (largest) bolus: no response to it means not a candidate."""
        return self.boluses[-1].dose_mcg


def plan_screening(
    *, concentration: object = None, child: bool = False, rules: RuleSet | None = None
) -> ScreeningPlan:
    """The screening sequence: 50 mcg, then 75 mcg, then 100 mcg, each 24 hours or more apart.

    Rules ``it.screening.*`` and ``it.concentration.screening``. Only the screening strength
    may be used: any other ``concentration`` is a hard refusal. When it is not given, the
    screening strength is used (it is the only one allowed) and the plan says so. A small
    ``child`` starts at 25 mcg (``it.screening.dose.child_first``), then follows the sequence.

    >>> [str(b.dose_mcg) for b in plan_screening().boluses]
    ['50', '75', '100']
    >>> plan_screening(concentration="2000 mcg/mL")
    Traceback (most recent call last):
    ...
    baclofen_dose.HardLimitError: the screening concentration: 2,000 mcg/mL is not ...
    """
    ctx = Context.open(rules)
    small = flag(child, "child")
    if concentration is None:
        strength = ctx.value("it.concentration.screening")
    else:
        strength = _strength(ctx, concentration)
    ctx.inputs += [
        ("concentration", Amount(strength, units.IT_CONCENTRATION)),
        ("concentration_given", concentration is not None),
        ("child", small),
    ]
    ids = ["it.screening.dose.first", "it.screening.dose.second", "it.screening.dose.third"]
    if small:
        ids.insert(0, "it.screening.dose.child_first")
    largest = ctx.rule("it.screening.dose.max")
    gap = ctx.value("it.screening.interval.min")
    boluses: list[ScreeningBolus] = []
    previous = Fraction(0)
    for number, rule_id in enumerate(ids, 1):
        dose = ctx.value(rule_id)
        if dose <= previous:
            raise RuleSetError(rule_id, "screening doses must rise from one bolus to the next")
        ctx.check.hard_max(largest, dose, units.IT_DOSE, "a screening bolus of")
        after = None if number == 1 else gap
        ids_used: tuple[str, ...] = (rule_id, "it.concentration.screening")
        if after is not None:
            ids_used += ("it.screening.interval.min",)
        boluses.append(ScreeningBolus(number, dose, dose / strength, after, ids_used))
        previous = dose
    observe_from = ctx.value("it.screening.observe.from")
    observe_to = ctx.value("it.screening.observe.to")
    for rule_id in ("it.screening.setting", "it.screening.injection", "it.screening.non_responder"):
        ctx.advise(rule_id)
    ctx.findings += ctx.check.finish()
    return ScreeningPlan(
        concentration_mcg_per_ml=strength,
        child=small,
        boluses=tuple(boluses),
        observe_from_hours=observe_from,
        observe_to_hours=observe_to,
        findings=tuple(ctx.findings),
        provenance=ctx.record(),
    )


def _strength(ctx: Context, raw: object) -> Fraction:
    return concentration(ctx, raw, "concentration", screening=True)
