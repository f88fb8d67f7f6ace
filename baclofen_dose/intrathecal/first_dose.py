"""The first intrathecal daily dose after implant, from the effective screening bolus.

Rules ``it.initial.*`` (clinical.md 6.3), with the oral weaning advice (``it.oral_wean.*``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, ClassVar, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.model import Amount, Finding, Provenance, of_type, tuple_of
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import QuantityInput
from baclofen_dose.intrathecal.common import ROUTE, Context, Route, exact, flag, hourly
from baclofen_dose.intrathecal.weaning import weaning_findings

if TYPE_CHECKING:
    import pint

__all__ = ["SCREENING_DOSE_RULES", "IntrathecalStart", "plan_initial_dose"]

RULES: Final = requires(
    __name__,
    {
        "it.daily_dose.ceiling": "it.daily_dose",
        "it.initial.long_effect.percent_of_screening": "it.initial_percent",
        "it.initial.long_effect_after": "it.hours",
        "it.initial.no_increase": "it.hours",
        "it.initial.percent_of_screening": "it.initial_percent",
        "it.initial.screening_side_effects.percent_of_screening": "it.initial_percent",
        "it.screening.dose.child_first": "it.dose",
        "it.screening.dose.first": "it.dose",
        "it.screening.dose.max": "it.dose",
        "it.screening.dose.second": "it.dose",
        "it.screening.dose.third": "it.dose",
        "it.titrate.assess": None,
        "it.withdrawal.abrupt": None,
    },
)


SCREENING_DOSE_RULES: tuple[str, ...] = (
    "it.screening.dose.child_first",
    "it.screening.dose.first",
    "it.screening.dose.second",
    "it.screening.dose.third",
)
"""The doses of the screening sequence: an effective screening bolus is one of them."""

BASIS_RULES: tuple[str, ...] = (
    "it.initial.percent_of_screening",
    "it.initial.long_effect.percent_of_screening",
    "it.initial.screening_side_effects.percent_of_screening",
)
"""The rules a first daily dose can be based on (``IntrathecalStart.basis_rule``)."""


@attrs.frozen
class IntrathecalStart:
    """The first daily dose after implant, from the effective screening bolus.

    ``percent_of_screening`` is a plain ratio (2 for 200%).
    """

    SCHEMA: ClassVar[str] = "baclofen-dose/intrathecal-initial/1"

    screening_dose_mcg: Fraction
    effect_hours: Fraction
    screening_side_effects: bool
    percent_of_screening: Fraction
    basis_rule: str
    daily_mcg: Fraction
    no_increase_hours: Fraction
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
    def hourly_mcg(self) -> Fraction:
        """The same dose per hour (the daily dose divided by 24; exact, may not terminate)."""
        return hourly(self.daily_mcg)

    @property
    def daily_dose(self) -> pint.Quantity[Fraction]:
        """The first daily dose as a pint Quantity (mcg/day)."""
        return units.quantity(self.daily_mcg, units.IT_DAILY_DOSE)


def plan_initial_dose(
    *,
    screening_dose: QuantityInput,
    effect_duration: QuantityInput,
    screening_side_effects: bool = False,
    rules: RuleSet | None = None,
) -> IntrathecalStart:
    """The first daily dose after implant: twice the effective screening bolus over 24 hours.

    Rules ``it.initial.*``: the daily dose is ``it.initial.percent_of_screening`` (200%) of the
    effective screening bolus; the bolus itself (100%) when its effect lasted more than
    ``it.initial.long_effect_after`` (8 hours) or the screening caused side effects. No increase
    in the first ``it.initial.no_increase`` (24 hours). Errors: ``HardLimitError`` above
    ``it.screening.dose.max``, ``E_NOT_IN_PROTOCOL`` for a dose outside the sequence.

    >>> plan_initial_dose(screening_dose="100 mcg", effect_duration="6 hours").daily_mcg
    Fraction(200, 1)
    >>> plan_initial_dose(screening_dose="100 mcg", effect_duration="10 hours").daily_mcg
    Fraction(100, 1)
    """
    ctx = Context.open(rules)
    dose = exact(
        units.parse(screening_dose, units.IT_DOSE, "screening_dose"),
        units.IT_DOSE,
        "screening_dose",
        screening_dose,
    )
    ctx.check.hard_max(
        ctx.rule("it.screening.dose.max"), dose, units.IT_DOSE, "the effective screening bolus"
    )
    protocol = sorted(ctx.value(rule_id) for rule_id in SCREENING_DOSE_RULES)
    if dose not in protocol:
        raise InputError(
            "screening_dose",
            screening_dose,
            "a dose of the screening sequence (the doses are {doses})",
            problem="is not a dose of the screening sequence",
            code="E_NOT_IN_PROTOCOL",
            params={"doses": tuple(Amount(d, units.IT_DOSE) for d in protocol)},
        )
    effect = units.parse(effect_duration, units.HOURS, "effect_duration")
    side_effects = flag(screening_side_effects, "screening_side_effects")
    threshold = ctx.value("it.initial.long_effect_after")
    if side_effects:
        basis = "it.initial.screening_side_effects.percent_of_screening"
    elif effect > threshold:
        basis = "it.initial.long_effect.percent_of_screening"
    else:
        basis = "it.initial.percent_of_screening"
    percent = ctx.value(basis)
    daily = dose * percent
    ctx.check.hard_max(ctx.rule("it.daily_dose.ceiling"), daily, units.IT_DAILY_DOSE, "daily dose")
    no_increase = ctx.value("it.initial.no_increase")
    ctx.inputs += [
        ("screening_dose", Amount(dose, units.IT_DOSE)),
        ("effect_duration", Amount(effect, units.HOURS, "approx")),
        ("screening_side_effects", side_effects),
    ]
    ctx.advise("it.withdrawal.abrupt")
    ctx.advise("it.titrate.assess")
    ctx.findings += ctx.check.finish()
    weaning_findings(ctx)
    return IntrathecalStart(
        screening_dose_mcg=dose,
        effect_hours=effect,
        screening_side_effects=side_effects,
        percent_of_screening=percent,
        basis_rule=basis,
        daily_mcg=daily,
        no_increase_hours=no_increase,
        findings=tuple(ctx.findings),
        provenance=ctx.record(),
    )
