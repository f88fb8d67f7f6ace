"""Pharmacokinetic education model: plasma concentration over an oral plan (issue 14).

**Educational, not for therapeutic drug monitoring.** Population means only; nothing here
chooses or checks a dose. Data in (a plan, a creatinine clearance), data out (numbers); render/
draws and words them (render/plots.py, render/sentences/pk.py).

The model: one compartment, first-order absorption, linear (dose-proportional, clinical.md 9),
each dose added by superposition. All parameters are rule data with their sources
(clinical.md 9): the apparent volume ``pk.oral.volume`` (Varea/F 59.0 L, S7), the apparent
oral clearance ``pk.oral.clearance`` (CL/F 180 mL/min, S7) at the reference creatinine clearance
``pk.oral.reference_crcl`` (103 mL/min, the renal clearance of baclofen, about equal to CrCl:
S8), the fraction excreted unchanged ``pk.oral.fraction_renal`` (69 %, S8) and the time to peak
``pk.oral.tmax`` (2 h, S11). Kidney function changes only the renal part of the clearance::

    CL/F(CrCl) = CL/F x ((1 - fe) + fe x CrCl / CrCl_ref)
    k = CL/F(CrCl) / (V/F)                 half-life = ln 2 / k
    ka: the rate that puts a single dose's peak at Tmax, ln(ka/k) / (ka - k) = Tmax
    C(t) = sum over doses D given at t_i <= t of
           D ka / (V/F (ka - k)) x (exp(-k (t - t_i)) - exp(-ka (t - t_i)))

The absorption rate is fixed at the reference kidney function (absorption does not depend on
it). A half-life in renal impairment is NOT FOUND as a published number (clinical.md 9): the
one computed here follows from the assumption above and is labelled educational wherever shown.
Arithmetic is in 50-digit decimals (:mod:`baclofen_dose.core.numeric`); floats appear only in
the plotting call.

>>> model = pk_model()
>>> str(model.half_life_h)[:5]
'3.786'
>>> str(pk_model("30 mL/min").half_life_h)[:5]
'7.410'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import TYPE_CHECKING, Final

import attrs

from baclofen_dose.core import numeric, units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.kernel import rules_or_default
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires

if TYPE_CHECKING:
    from baclofen_dose.core.types import QuantityInput
    from baclofen_dose.oral.regimen import Step

__all__ = [
    "PARAMETER_RULES",
    "Dose",
    "PkModel",
    "concentrations",
    "pk_model",
    "plan_doses",
]

RULES: Final = requires(
    __name__,
    {
        "pk.oral.bioavailability": "pk.fraction",
        "pk.oral.clearance": "pk.clearance",
        "pk.oral.fraction_renal": "pk.fraction",
        "pk.oral.half_life.max": "pk.hours",
        "pk.oral.half_life.min": "pk.hours",
        "pk.oral.reference_crcl": "pk.clearance",
        "pk.oral.tmax": "pk.hours",
        "pk.oral.volume": "pk.volume",
    },
)


# The rules the model reads, in the order the parameter table shows them.
PARAMETER_RULES: Final = (
    "pk.oral.bioavailability",
    "pk.oral.volume",
    "pk.oral.clearance",
    "pk.oral.reference_crcl",
    "pk.oral.fraction_renal",
    "pk.oral.tmax",
    "pk.oral.half_life.min",
    "pk.oral.half_life.max",
)


def _per_hour(per_minute: Fraction) -> Fraction:
    """A rate per minute as a rate per hour, through the unit table (no literal 60)."""
    return per_minute / units.parse("1 min", units.HOURS, "time")


def _hours_per_day() -> Fraction:
    return units.parse("1 day", units.HOURS, "time")


@attrs.frozen
class Dose:
    """One dose by mouth: ``amount_mg`` at ``at_h`` hours after the plan's first midnight."""

    at_h: Fraction
    amount_mg: Fraction


@attrs.frozen
class PkModel:
    """The model's parameters for one creatinine clearance (mL/min).

    ``clearance_ml_min`` and ``volume_ml`` are apparent (oral: CL/F, V/F); ``k_per_h`` the
    elimination and ``ka_per_h`` the absorption rate constant; ``rule_ids`` the rules read.
    """

    crcl_ml_min: Fraction
    clearance_ml_min: Fraction
    volume_ml: Fraction
    k_per_h: Decimal
    ka_per_h: Decimal
    rule_ids: tuple[str, ...]

    @property
    def half_life_h(self) -> Decimal:
        """ln 2 / k, in hours."""
        with localcontext(prec=numeric.DIGITS):
            return -numeric.ln(numeric.HALF) / self.k_per_h

    def accumulation_ratio(self, tau_h: Fraction) -> Decimal:
        """Steady-state accumulation with a dose every ``tau_h`` hours: 1 / (1 - exp(-k tau))."""
        if tau_h <= 0:
            raise InputError("tau_h", tau_h, "a dosing interval above 0 hours")
        with localcontext(prec=numeric.DIGITS):
            return 1 / (1 - numeric.exp(-self.k_per_h * numeric.decimal(tau_h)))

    def time_to_steady_state(self, fraction: Fraction) -> Decimal:
        """Hours of regular dosing to reach ``fraction`` of steady state: -ln(1 - f) / k.

        For 90 %: ln 10 / k, that is ln 10 / ln 2 (about 3.3) half-lives.
        """
        if not 0 < fraction < 1:
            raise InputError("fraction", fraction, "a fraction of steady state between 0 and 1")
        with localcontext(prec=numeric.DIGITS):
            return -numeric.ln(1 - fraction) / self.k_per_h

    def concentration(self, doses: Iterable[Dose], at_h: Fraction) -> Decimal:
        """The plasma concentration (mg/mL) at ``at_h`` hours: the doses added up."""
        return concentrations(self, doses, (at_h,))[0]


def _tmax(k: Decimal, ka: Decimal) -> Decimal:
    with localcontext(prec=numeric.DIGITS):
        return numeric.ln(ka / k) / (ka - k)


def pk_model(
    crcl: QuantityInput | Fraction | None = None, *, rules: RuleSet | None = None
) -> PkModel:
    """The model at creatinine clearance ``crcl`` ("30 mL/min", or an exact ``Fraction`` in
    mL/min such as a Cockcroft-Gault estimate; default: the reference).

    Rules: :data:`PARAMETER_RULES` (clinical.md 9). Educational only.
    """
    rules = rules_or_default(rules)
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    volume = rules["pk.oral.volume"].require_value()
    clearance_ref = rules["pk.oral.clearance"].require_value()
    crcl_ref = rules["pk.oral.reference_crcl"].require_value()
    renal = rules["pk.oral.fraction_renal"].require_value()
    tmax = rules["pk.oral.tmax"].require_value()
    if crcl is None:
        value = crcl_ref
    elif isinstance(crcl, Fraction):
        if crcl <= 0:
            raise InputError("crcl", crcl, "a creatinine clearance above 0 mL/min")
        value = crcl
    else:
        value = units.parse(crcl, units.RENAL_CLEARANCE, "crcl")

    def k_at(clearance_ml_min: Fraction) -> Decimal:
        return numeric.decimal(_per_hour(clearance_ml_min / volume))

    k_ref = k_at(clearance_ref)
    if numeric.decimal(tmax) * k_ref >= 1:
        # ln(ka/k)/(ka-k) is below 1/k for every ka > k: no absorption rate gives this Tmax.
        raise InputError("pk.oral.tmax", tmax, "a time to peak below 1/k of the reference model")
    ka = numeric.solve_decreasing(lambda x: _tmax(k_ref, x), numeric.decimal(tmax), k_ref)
    clearance = clearance_ref * ((1 - renal) + renal * value / crcl_ref)
    return PkModel(
        crcl_ml_min=value,
        clearance_ml_min=clearance,
        volume_ml=volume,
        k_per_h=k_at(clearance),
        ka_per_h=ka,
        rule_ids=PARAMETER_RULES,
    )


def concentrations(
    model: PkModel, doses: Iterable[Dose], times_h: Sequence[Fraction | Decimal]
) -> tuple[Decimal, ...]:
    """The concentration (mg/mL) at each of ``times_h`` (ascending), by superposition.

    Each dose's two exponentials are split as exp(-k t) x exp(k t_i), so the sum over doses is
    a running total: one pass over the times and the doses, at 50 digits.
    """
    with localcontext(prec=numeric.DIGITS):
        return _superpose(model, sorted(doses, key=lambda dose: dose.at_h), times_h)


def _superpose(
    model: PkModel, ordered: Sequence[Dose], times_h: Sequence[Fraction | Decimal]
) -> tuple[Decimal, ...]:
    k, ka = model.k_per_h, model.ka_per_h
    scale = ka / (numeric.decimal(model.volume_ml) * (ka - k))
    slow = fast = Decimal(0)
    taken = 0
    out: list[Decimal] = []
    previous: Decimal | None = None
    for raw in times_h:
        now = numeric.decimal(raw)
        if previous is not None and now < previous:
            raise InputError("times_h", raw, "times in ascending order")
        previous = now
        while taken < len(ordered) and ordered[taken].at_h <= now:
            dose = ordered[taken]
            at = numeric.decimal(dose.at_h)
            amount = numeric.decimal(dose.amount_mg)
            slow += amount * numeric.exp(k * at)
            fast += amount * numeric.exp(ka * at)
            taken += 1
        level = scale * (numeric.exp(-k * now) * slow - numeric.exp(-ka * now) * fast)
        out.append(max(level, Decimal(0)))
    return tuple(out)


def plan_doses(steps: Sequence[Step], *, open_days: int) -> tuple[Dose, ...]:
    """The doses of a plan's steps, evenly spaced over each day (every 24/n hours from
    midnight of the first day: the textbook regular-dosing assumption, for education).

    An open-ended last step lasts ``open_days`` days; a taper's stop day has no dose.
    """
    if not steps:
        raise InputError("steps", steps, "at least one step")
    if open_days < 1:
        raise InputError("open_days", open_days, "a whole number of days, at least 1")
    first: date = steps[0].start
    day_h = _hours_per_day()
    doses: list[Dose] = []
    for step in steps:
        days = step.days if step.days is not None else open_days
        amounts = step.regimen.doses_mg
        if not amounts:  # a day without doses (none is planned today, but nothing to add)
            continue
        spacing = day_h / len(amounts)
        for day in range(days):
            midnight = ((step.start - first).days + day) * day_h
            doses += [
                Dose(at_h=midnight + index * spacing, amount_mg=amount)
                for index, amount in enumerate(amounts)
            ]
    return tuple(doses)
