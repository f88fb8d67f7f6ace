"""Immutable values for oral plans: a day's regimen, a dated step, provenance and the plan.

Amounts are exact ``Fraction`` values in mg (``*_mg`` attributes); the properties without
the suffix give pint Quantity views from the library's registry. One :class:`OralPlan`
produces the table, the instructions, and the JSON, so they cannot disagree.

>>> r = OralRegimen.split(Fraction(75), 4, grid=Fraction(5))
>>> [str(d) for d in r.doses_mg], r.times_per_day, r.daily_mg
(['20', '20', '20', '15'], 4, Fraction(75, 1))
>>> r.daily_dose
<Quantity(75, 'milligram / day')>
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.model import (
    Finding,
    Override,
    Provenance,
    Reason,
    Route,
    contiguous,
    of_type,
    tuple_of,
)

if TYPE_CHECKING:
    import pint

    from baclofen_dose.oral.products import Supply

__all__ = ["Adjustment", "OralPlan", "OralRegimen", "Provenance", "Step"]


def _amounts(
    _: object, attribute: attrs.Attribute[tuple[Fraction, ...]], value: tuple[Fraction, ...]
) -> None:
    expected = "a non-empty tuple of Fraction amounts in mg, each above zero"
    if not isinstance(value, tuple) or not value:
        raise InputTypeError(attribute.name, value, expected)
    for amount in value:
        if not isinstance(amount, Fraction):
            raise InputTypeError(attribute.name, value, expected)
        if amount <= 0:
            raise InputError(attribute.name, value, expected, code="E_OUT_OF_RANGE")


@attrs.frozen
class OralRegimen:
    """One day's oral doses: one amount in mg per administration, in the order given."""

    doses_mg: tuple[Fraction, ...] = attrs.field(validator=_amounts)
    # The daily total, summed once at construction: planners and renderers read it many times
    # per plan (issue 8 item 10). Derived from ``doses_mg``, so not part of equality.
    daily_mg: Fraction = attrs.field(init=False, eq=False, repr=False)
    # The largest single dose, found once: the per-dose limit checks read it for every step.
    largest_mg: Fraction = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "daily_mg", sum(self.doses_mg, Fraction(0)))
        object.__setattr__(self, "largest_mg", max(self.doses_mg))

    @classmethod
    def split(cls, daily_mg: Fraction, times_per_day: int, *, grid: Fraction) -> OralRegimen:
        """Divide a daily amount into ``times_per_day`` doses, each a multiple of ``grid``.

        The doses are as equal as the grid allows; any larger ones come first in the day
        (75 mg in 4 doses on a 5 mg grid: 20, 20, 20 and 15 mg). A regimen is an immutable
        value, so the same split is made once and shared (amounts are bounded by the hard
        maxima before any split, so the cache stays small).
        """
        return _split(daily_mg, times_per_day, grid)

    @classmethod
    def split_units(cls, count: int, times_per_day: int, grid: Fraction) -> OralRegimen:
        """:meth:`split` for a daily amount of ``count`` whole ``grid`` units (the planners'
        integer sub-units: no Fraction arithmetic or hashing on the hot path).

        >>> [str(d) for d in OralRegimen.split_units(15, 4, Fraction(5)).doses_mg]
        ['20', '20', '20', '15']
        """
        return _split_units(count, times_per_day, grid.numerator, grid.denominator)

    @classmethod
    def _split_now(cls, daily_mg: Fraction, times_per_day: int, grid: Fraction) -> OralRegimen:
        units_total = daily_mg / grid
        if units_total.denominator != 1 or units_total < times_per_day:
            raise ValueError(
                f"{daily_mg} mg/day cannot be split into {times_per_day} doses of {grid} mg steps"
            )
        base, extra = divmod(int(units_total), times_per_day)
        doses = [grid * (base + 1)] * extra + [grid * base] * (times_per_day - extra)
        return cls(tuple(doses))

    @property
    def times_per_day(self) -> int:
        """How many administrations a day."""
        return len(self.doses_mg)

    @property
    def equal(self) -> bool:
        """True when every dose of the day is the same amount."""
        return len(set(self.doses_mg)) == 1

    @property
    def doses(self) -> tuple[pint.Quantity[Fraction], ...]:
        """The day's doses as pint Quantities (mg)."""
        return tuple(units.quantity(d, units.ORAL_DOSE) for d in self.doses_mg)

    @property
    def daily_dose(self) -> pint.Quantity[Fraction]:
        """The daily total as a pint Quantity (mg/day)."""
        return units.quantity(self.daily_mg, units.ORAL_DAILY_DOSE)


@attrs.frozen
class Step:
    """One dated step of a plan: from ``start`` to ``end`` inclusive (``None``: open-ended).

    ``reason`` says what made the step (a :class:`~baclofen_dose.core.model.Reason`: ``START``,
    ``LABEL_STEP``, ``PATIENT_STEP``...; render/ words it); ``None`` for planners that do not
    record one yet (taper steps).
    """

    start: date = attrs.field(validator=of_type(date))
    end: date | None = attrs.field(validator=of_type(date, optional=True))
    regimen: OralRegimen = attrs.field(validator=of_type(OralRegimen))
    rule_ids: tuple[str, ...] = attrs.field(validator=tuple_of(str))
    reason: Reason | None = attrs.field(
        default=None, validator=of_type(Reason, optional=True)
    )

    @property
    def days(self) -> int | None:
        """How many calendar days the step lasts (``None`` when open-ended)."""
        return None if self.end is None else (self.end - self.start).days + 1


@attrs.frozen
class Adjustment:
    """One patient-specific change to a plan (issue 3): what changed, from what, to what, why.

    ``what`` is ``"start"``, ``"step"``, ``"maximum"`` (daily amounts in mg/day),
    ``"interval"`` (days) or ``"times_per_day"``; ``quantity`` names the rule-data quantity of
    ``before``/``after`` (``"oral.daily_dose"``, ``"interval"``, ``"oral.times_per_day"``).
    ``before`` is the usual adult value (``None`` for a child's weight-based profile, which
    replaces the adult one rather than adjusting it). ``rule_ids`` are the rules behind it;
    ``reason`` is why, as a code and values (render/ words it).
    """

    what: str
    quantity: str
    before: Fraction | None
    after: Fraction
    rule_ids: tuple[str, ...]
    reason: Reason


@attrs.frozen
class OralPlan:
    """An oral plan: dated steps, findings, overrides used, and provenance.

    ``purpose`` is ``"titration"`` (a taper is a :class:`~baclofen_dose.oral.taper.TaperPlan`);
    ``max_policy`` names the maximum policy the plan was checked against (for a child:
    ``"child_age_band"``). ``supply`` (products, units per dose, quantities to dispense) is set
    when the plan was realized with products.
    """

    purpose: str = attrs.field(validator=of_type(str))
    steps: tuple[Step, ...] = attrs.field(validator=[tuple_of(Step, nonempty=True), contiguous])
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
    overrides: tuple[Override, ...] = attrs.field(validator=tuple_of(Override))
    max_policy: str = attrs.field(validator=of_type(str))
    provenance: Provenance = attrs.field(validator=of_type(Provenance))
    supply: Supply | None = None
    # Patient-specific dosing (issue 3). ``population`` is None when no patient was given (the
    # adult label schedule); else "adult", "older_adult" or "child". ``renal_policy`` names the
    # renal dose policy applied (adults), ``adjustments`` every change made for the patient.
    population: str | None = None
    renal_policy: str | None = None
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def route(self) -> Route:
        """Always ``"oral"``: doses are in mg by mouth."""
        return "oral"

    @property
    def schema(self) -> str:
        """The JSON schema id of a titration plan."""
        return "baclofen-dose/oral-plan/1"

    @property
    def final(self) -> Step:
        """The last step (open-ended for a titration)."""
        return self.steps[-1]


@cache
def _split(daily_mg: Fraction, times_per_day: int, grid: Fraction) -> OralRegimen:
    return OralRegimen._split_now(daily_mg, times_per_day, grid)


@cache
def _split_units(count: int, times_per_day: int, grid_num: int, grid_den: int) -> OralRegimen:
    return _split(Fraction(count * grid_num, grid_den), times_per_day, Fraction(grid_num, grid_den))
