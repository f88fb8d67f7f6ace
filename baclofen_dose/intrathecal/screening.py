"""Intrathecal screening: the bolus sequence at the screening strength, and how to observe.

Rules ``it.screening.*`` and ``it.concentration.screening`` (clinical.md 6.2).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import RuleSetError
from baclofen_dose.core.model import Amount, Finding, Provenance, of_type, tuple_of
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import QuantityInput
from baclofen_dose.intrathecal.common import ROUTE, Context, Route, concentration, exact, flag

if TYPE_CHECKING:
    import pint

__all__ = ["ScreeningBolus", "ScreeningPlan", "plan_screening"]


RULES: Final = requires(
    __name__,
    {
        "it.concentration.screening": "it.concentration",
        "it.screening.age.labelled_from": "age",
        "it.screening.dose.child_first": "it.dose",
        "it.screening.dose.first": "it.dose",
        "it.screening.dose.max": "it.dose",
        "it.screening.dose.second": "it.dose",
        "it.screening.dose.third": "it.dose",
        "it.screening.dose_count": None,
        "it.screening.injection": None,
        "it.screening.interval.min": "it.hours",
        "it.screening.non_responder": None,
        "it.screening.observe.from": "it.hours",
        "it.screening.observe.to": "it.hours",
        "it.screening.setting": None,
        "patient.age.max": "age",
    },
)


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
    age_years: Fraction | None
    boluses: tuple[ScreeningBolus, ...]
    observe_from_hours: Fraction
    observe_to_hours: Fraction
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
    provenance: Provenance = attrs.field(validator=of_type(Provenance))

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
    *,
    concentration: QuantityInput | None = None,
    child: bool = False,
    age: QuantityInput | None = None,
    rules: RuleSet | None = None,
) -> ScreeningPlan:
    """The screening sequence: 50 mcg, then 75 mcg, then 100 mcg, each 24 hours or more apart.

    Rules ``it.screening.*`` and ``it.concentration.screening``. Only the screening strength
    may be used: any other ``concentration`` is a hard refusal. When it is not given, the
    screening strength is used (it is the only one allowed) and the plan says so. A small
    ``child`` starts at 25 mcg (``it.screening.dose.child_first``), then 50 and 75 mcg: never
    more than 3 boluses in all (``it.screening.dose_count``, clinical.md 16.1 row 4a). An
    ``age`` below the labelled age (``it.screening.age.labelled_from``, 4 years; 16.1 row 4b)
    adds an eligibility finding (a warning, not a refusal); no age given, no age finding.

    >>> [str(b.dose_mcg) for b in plan_screening().boluses]
    ['50', '75', '100']
    >>> [str(b.dose_mcg) for b in plan_screening(child=True).boluses]
    ['25', '50', '75']
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
    years = None if age is None else _age(ctx, age)
    ctx.inputs += [
        ("concentration", Amount(strength, units.IT_CONCENTRATION)),
        ("concentration_given", concentration is not None),
        ("child", small),
        ("age", None if years is None else Amount(years, units.YEARS)),
    ]
    # Up to a total of 3 doses (it.screening.dose_count): a small child's 25 mcg start takes
    # the place of the last adult dose, not an extra one.
    ids = ["it.screening.dose.first", "it.screening.dose.second", "it.screening.dose.third"]
    if small:
        ids = ["it.screening.dose.child_first", *ids[:-1]]
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
    labelled = ctx.rule("it.screening.age.labelled_from")
    if years is not None and years < labelled.require_value():
        ctx.note(
            labelled.id,
            "warning",
            "IT_BELOW_LABELLED_AGE",
            {
                "age": Amount(years, units.YEARS),
                "labelled": Amount(labelled.require_value(), units.YEARS),
            },
        )
    for rule_id in (
        "it.screening.setting",
        "it.screening.dose_count",
        "it.screening.injection",
        "it.screening.non_responder",
    ):
        ctx.advise(rule_id)
    ctx.findings += ctx.check.finish()
    return ScreeningPlan(
        concentration_mcg_per_ml=strength,
        child=small,
        age_years=years,
        boluses=tuple(boluses),
        observe_from_hours=observe_from,
        observe_to_hours=observe_to,
        findings=tuple(ctx.findings),
        provenance=ctx.record(),
    )


def _age(ctx: Context, raw: object) -> Fraction:
    years = exact(units.parse(raw, units.YEARS, "age"), units.YEARS, "age", raw)
    ctx.check.hard_max(ctx.rule("patient.age.max"), years, units.YEARS, "the age")
    return years


def _strength(ctx: Context, raw: object) -> Fraction:
    return concentration(ctx, raw, "concentration", screening=True)
