"""Institution rule files may only tighten (issue 9): a drug library, not a bypass.

As in a smart pump's drug library, a hospital's own rule file may lower a hard maximum or raise
a hard minimum relative to the bundled rule set, and move soft limits only inside the hard ones.
It may not loosen a hard limit, change a rule's kind (hard to soft) or quantity, or put a value
outside its quantity's plausibility band (``bands.toml``: a g/day slip for mg/day lands 1,000
times out of band; so do a dose grid of 1e-12 mg and a horizon of 1e9 days). Advice text goes
through the ISMP lint before it can ever be shown.

Each refusal is a :class:`~baclofen_dose.core.errors.RuleSetError` naming the rule, both values
and why.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any, Final, Protocol

import attrs

from baclofen_dose.core import display, numeric
from baclofen_dose.core.errors import RuleSetError
from baclofen_dose.core.ismp import lint

__all__ = ["Band", "bands", "check_bands", "check_texts", "check_tightens"]


class _Rule(Protocol):  # the parts of core.rules.Rule read here
    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def quantity(self) -> str | None: ...
    @property
    def value(self) -> Fraction | None: ...
    @property
    def text(self) -> str | None: ...


@attrs.frozen
class Band:
    """The plausible range of one quantity's rule values (canonical unit), with its basis."""

    quantity: str
    low: Fraction
    high: Fraction
    unit: str
    basis: str


_HARD: Final = {"hard_max": "lower", "hard_min": "higher"}


def _exact(text: Any, where: str) -> Fraction:
    if not isinstance(text, str) or not text.replace(".", "", 1).isdigit() or not text.isascii():
        raise RuleSetError(where, f"{text!r} is not an exact decimal written as a string")
    return Fraction(text)


@cache
def bands() -> Mapping[str, Band]:
    """The bundled plausibility bands, by quantity (read once)."""
    raw = resources.files(__package__).joinpath("bands.toml").read_text(encoding="utf-8")
    table = tomllib.loads(raw).get("bands", {})
    out = {}
    for quantity, entry in table.items():
        where = f"bands.{quantity}"
        low, high = _exact(entry.get("min"), where), _exact(entry.get("max"), where)
        if not low <= high:
            raise RuleSetError(where, "min is above max")
        out[quantity] = Band(quantity, low, high, str(entry.get("unit")), str(entry.get("basis")))
    return out


def _show(value: Fraction, band: Band | None) -> str:
    exact = numeric.check_exactness_with_decimal(value)
    text = display.number(value, places=None if exact else 3)
    return f"{text} {band.unit if band else ''}".strip()


def check_bands(rules: Iterable[_Rule]) -> None:
    """Refuse a rule whose value lies outside its quantity's plausibility band."""
    known = bands()
    for rule in rules:
        if rule.value is None or rule.quantity is None:
            continue
        band = known.get(rule.quantity)
        if band is None:
            raise RuleSetError(rule.id, f"quantity {rule.quantity!r} has no plausibility band")
        if not band.low <= rule.value <= band.high:
            raise RuleSetError(
                rule.id,
                f"the value {_show(rule.value, band)} is outside the plausible range for "
                f"{band.basis} ({_show(band.low, band)} to {_show(band.high, band)}); "
                "check the value and its unit (mg, not g or mcg; days, not hours)",
            )


def check_texts(rules: Iterable[_Rule]) -> None:
    """Refuse advice text that breaks the ISMP display rules (it would be shown as written)."""
    for rule in rules:
        if rule.text is None:
            continue
        problems = lint(rule.text)
        if problems:
            name, matched, _ = problems[0]
            raise RuleSetError(
                rule.id,
                f"its text breaks the ISMP display rule {name} at {matched!r} "
                "(and must be printable ASCII)",
            )


def check_tightens(candidate: Mapping[str, _Rule], bundled: Mapping[str, _Rule]) -> None:
    """Refuse a rule file that loosens the bundled rule set.

    ``candidate`` and ``bundled`` map rule ids to rules. A rule the bundled set has must keep
    its kind and quantity; a hard maximum may only go down and a hard minimum only up. Soft
    limits must sit inside the hard ones (checked by the loader for every rule file).
    """
    for rule_id, base in bundled.items():
        new = candidate.get(rule_id)
        if new is None:
            continue
        if new.kind != base.kind:
            raise RuleSetError(
                rule_id,
                f"is a {new.kind.replace('_', ' ')} rule here but a "
                f"{base.kind.replace('_', ' ')} rule in the bundled rule set; an institution "
                "rule file may not change a rule's kind",
            )
        if new.quantity != base.quantity:
            raise RuleSetError(
                rule_id,
                f"measures {new.quantity!r} here but {base.quantity!r} in the bundled rule set",
            )
        direction = _HARD.get(base.kind)
        if direction is None or new.value is None or base.value is None:
            continue
        looser = new.value > base.value if base.kind == "hard_max" else new.value < base.value
        if looser:
            band = bands().get(base.quantity or "")
            shown_new, shown_base = _show(new.value, band), _show(base.value, band)
            raise RuleSetError(
                rule_id,
                f"{shown_new} loosens the bundled hard limit {shown_base}; an institution rule "
                f"file may only make a hard limit stricter ({direction})",
            )
