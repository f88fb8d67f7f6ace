"""Between the routes: how oral baclofen is weaned once intrathecal therapy starts, and the
refusal of any dose conversion between oral and intrathecal baclofen.

Rules ``it.oral_wean.*`` and ``it.route.no_conversion``.
"""

from __future__ import annotations

from typing import Final, NoReturn

from baclofen_dose.core import units
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.model import Amount, Finding
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import QuantityInput
from baclofen_dose.intrathecal.common import Context

__all__ = ["convert_route", "oral_weaning_advice", "weaning_findings"]


RULES: Final = requires(
    __name__,
    {
        "it.oral_wean.cut.max": "it.oral_wean_cut",
        "it.oral_wean.cut.usual_min": "it.oral_wean_cut",
        "it.oral_wean.method": None,
        "it.route.no_conversion": None,
    },
)


def weaning_findings(ctx: Context) -> None:
    """Add the oral weaning findings to ``ctx`` (code ``IT_ORAL_WEAN`` and the no-conversion
    advice), reading ``it.oral_wean.cut.usual_min``, ``it.oral_wean.cut.max``,
    ``it.oral_wean.method`` and ``it.route.no_conversion``."""
    low = ctx.value("it.oral_wean.cut.usual_min")
    high = ctx.value("it.oral_wean.cut.max")
    method = ctx.rule("it.oral_wean.method")
    ctx.note(
        method.id,
        "info",
        "IT_ORAL_WEAN",
        {
            "low": Amount(low, units.PERCENT),
            "high": Amount(high, units.PERCENT),
            "advice": method.text or "",
        },
    )
    ctx.advise("it.route.no_conversion")


def oral_weaning_advice(rules: RuleSet | None = None) -> tuple[Finding, ...]:
    """How oral baclofen is weaned once intrathecal therapy starts (advice with its source).

    Rules ``it.oral_wean.*`` and ``it.route.no_conversion``: oral baclofen first, one drug at a
    time, cut by 25% to 50% at a time; never a dose conversion between the routes.

    >>> [f.code for f in oral_weaning_advice()]
    ['IT_ORAL_WEAN', 'ADVICE']
    """
    ctx = Context.open(rules)
    weaning_findings(ctx)
    return tuple(ctx.findings)


def convert_route(dose: QuantityInput, *, to: str, rules: RuleSet | None = None) -> NoReturn:
    """Refuse, always: no conversion between oral and intrathecal doses exists.

    Rule ``it.route.no_conversion``. The error says why, so a caller looking for a conversion
    finds the reason instead of a number.

    >>> convert_route("60 mg/day", to="intrathecal")
    Traceback (most recent call last):
    ...
    baclofen_dose.InputError: to: 'intrathecal' asks for a dose conversion between ...
    """
    ctx = Context.open(rules)
    rule = ctx.rule("it.route.no_conversion")
    raise InputError(
        "to",
        to,
        "no conversion: {text} (rule {rule}; {citation})",
        problem="asks for a dose conversion between oral and intrathecal routes",
        code="E_NO_ROUTE_CONVERSION",
        params={"text": rule.text or "", "rule": rule.id, "citation": rule.citation},
        rule_id=rule.id,
    )
