"""Oral products and realizable doses: what can really be given, and how much to dispense.

The catalogue is rule data (``product.oral.*`` rules of kind ``catalogue``, clinical.md 2):
tablets of 5, 10, 15 and 20 mg with their scoring, oral solutions of 1 mg/mL (5 mg/5 mL) and
2 mg/mL (10 mg/5 mL), an oral suspension of 5 mg/mL (25 mg/5 mL), and granules in 5, 10 and
20 mg packets. A liquid is always shown with its labelled strength and its per-mL
concentration (ISMP, safety.md S7).

Realizing an amount turns it into units of the chosen products:

- tablets and granules: the fewest units (a half counts as half a unit), halves only of
  tablets whose entry says ``scored``; ties go to fewer split tablets, then fewer products,
  then larger strengths;
- a liquid: a volume that is a whole multiple of the oral syringe resolution
  (``product.oral.liquid.measure``), written "7.5 mg (1.5 mL of 5 mg/mL)".

An amount that cannot be given exactly is refused (``E_NOT_GIVABLE``), never rounded here;
planners that round say so in a finding. Products of different forms are never mixed in one
plan, and a plan uses at most one liquid (concentration mix-ups, safety.md HZ-14).

>>> rules = default_rules()
>>> ten = find_product("10 mg tablet", rules)
>>> realize("15 mg", [ten]).text()
'one and a half tablets'
>>> realize("15 mg", [find_product("5 mg tablet", rules)]).text()
'3 tablets'
>>> realize("7.5 mg", [find_product("5 mg/mL suspension", rules)]).text()
'7.5 mg (1.5 mL of 5 mg/mL)'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Final

import attrs

from baclofen_dose.core import display, units
from baclofen_dose.core.errors import InputError, InputTypeError, RuleSetError
from baclofen_dose.core.rules import Rule, RuleSet, default_rules

if TYPE_CHECKING:
    from baclofen_dose.oral.regimen import OralPlan, Step

__all__ = [
    "DispenseLine",
    "Portion",
    "Product",
    "Realization",
    "Supply",
    "catalogue",
    "choose_products",
    "find_product",
    "product_from_rule",
    "realize",
    "realize_exact",
    "realize_plan",
    "smallest_amount",
    "supply_for",
]

MEASURE_RULE: Final = "product.oral.liquid.measure"
_LIQUIDS: Final = frozenset({"oral_solution", "oral_suspension"})
_FORM_WORDS: Final = (
    (" oral suspension", "oral_suspension"),
    (" suspension", "oral_suspension"),
    (" oral solution", "oral_solution"),
    (" solution", "oral_solution"),
    (" tablets", "tablet"),
    (" tablet", "tablet"),
    (" granules", "granules"),
    (" packets", "granules"),
    (" packet", "granules"),
)
_FORM_NAMES: Final = {
    "tablet": "tablet",
    "granules": "granules",
    "oral_solution": "oral solution",
    "oral_suspension": "oral suspension",
}


@attrs.frozen
class Product:
    """One catalogue product: a tablet or granule strength in mg, or a liquid's concentration.

    Tablets and granules have ``strength_mg``; liquids have ``per_ml`` (mg/mL), the labelled
    strength (``labelled_mg`` in ``labelled_ml``, "25 mg/5 mL") and ``measure_ml``, the oral
    syringe resolution a dose's volume must be a whole multiple of.
    """

    id: str
    form: str
    strength_mg: Fraction | None
    per_ml: Fraction | None
    labelled_mg: Fraction | None
    labelled_ml: Fraction | None
    measure_ml: Fraction | None
    scoring: str | None
    citation: str

    @property
    def liquid(self) -> bool:
        """True for oral solutions and suspensions."""
        return self.form in _LIQUIDS

    @property
    def scored(self) -> bool:
        """True only for tablets whose catalogue entry says scored (split only in halves)."""
        return self.form == "tablet" and self.scoring == "scored"

    @property
    def unit_word(self) -> str:
        """What a quantity of this product counts: tablets, packets or mL."""
        return {"tablet": "tablet", "granules": "packet"}.get(self.form, "mL")

    @property
    def step_mg(self) -> Fraction:
        """The smallest amount one piece of this product gives (half of a scored tablet)."""
        if self.liquid:
            return _need(self.per_ml) * _need(self.measure_ml)
        strength = _need(self.strength_mg)
        return strength * display.HALF if self.scored else strength

    @property
    def strength_text(self) -> str:
        """The strength for people: "10 mg", or "25 mg/5 mL (5 mg/mL)" for a liquid."""
        if self.liquid:
            return display.liquid_strength(
                _need(self.labelled_mg), _need(self.per_ml), _need(self.labelled_ml)
            )
        return display.amount(_need(self.strength_mg), units.ORAL_DOSE)

    @property
    def short_name(self) -> str:
        """A name a user can type back: "10 mg tablet", "25 mg/5 mL oral suspension"."""
        if self.liquid:
            labelled = f"{display.number(_need(self.labelled_mg))} mg/"
            labelled += f"{display.number(_need(self.labelled_ml))} mL"
            return f"{labelled} {_FORM_NAMES[self.form]}"
        return f"{self.strength_text} {_FORM_NAMES[self.form]}"

    @property
    def name(self) -> str:
        """The full name for people, with scoring or concentration."""
        if self.liquid:
            return f"{self.strength_text} {_FORM_NAMES[self.form]}"
        if self.form == "granules":
            return f"{self.strength_text} granules (single-dose packets)"
        scoring = {
            "scored": "scored: whole or half tablets",
            "not_scored": "not scored: whole tablets only",
            "not_found": "scoring not known: whole tablets only",
        }[self.scoring or "not_found"]
        return f"{self.strength_text} tablet ({scoring})"


def _need(value: Fraction | None) -> Fraction:
    if value is None:  # pragma: no cover - Product.from_rule always sets the form's fields
        raise RuleSetError("product", "a product field is missing")
    return value


def _from_rule(rules: RuleSet, rule_id: str) -> Product:
    rule = rules[rule_id]
    if rule.kind != "catalogue" or rule.form is None:
        raise InputError("product", rule_id, "the id of a catalogue product", code="E_PRODUCT")
    return product_from_rule(rule, rules[MEASURE_RULE].require_value())


def product_from_rule(rule: Rule, measure_ml: Fraction | None) -> Product:
    """The product a catalogue rule describes (``measure_ml``: the liquid syringe resolution)."""
    if rule.kind != "catalogue" or rule.form is None:
        raise InputError("product", rule.id, "a catalogue rule", code="E_PRODUCT")
    value = rule.require_value()
    if rule.form in _LIQUIDS:
        labelled = Fraction(rule.written or "0")
        return Product(
            id=rule.id,
            form=rule.form,
            strength_mg=None,
            per_ml=value,
            labelled_mg=labelled,
            labelled_ml=labelled / value,
            measure_ml=measure_ml if rule.form in _LIQUIDS else None,
            scoring=None,
            citation=rule.citation,
        )
    return Product(
        id=rule.id,
        form=rule.form,
        strength_mg=value,
        per_ml=None,
        labelled_mg=None,
        labelled_ml=None,
        measure_ml=None,
        scoring=rule.scoring,
        citation=rule.citation,
    )


def catalogue(rules: RuleSet | None = None) -> tuple[Product, ...]:
    """Every product in the rule set's catalogue, in file order.

    >>> [p.short_name for p in catalogue()][:4]
    ['5 mg tablet', '10 mg tablet', '15 mg tablet', '20 mg tablet']
    """
    rules = default_rules() if rules is None else rules
    return tuple(
        _from_rule(rules, r.id) for r in rules if r.kind == "catalogue" and r.form is not None
    )


def _catalogue_names(rules: RuleSet) -> str:
    return display.words_list([p.short_name for p in catalogue(rules)] or ["(none)"])


def find_product(spec: object, rules: RuleSet | None = None) -> Product:
    """Look a product up by its text ("10 mg tablet", "5 mg/mL suspension") or rule id.

    The strength is parsed strictly (units.parse) and must match a catalogue entry of the
    same form exactly: "5 mg/mL solution" is refused, because 5 mg/mL is a suspension.

    >>> find_product("25 mg/5 mL oral suspension").id
    'product.oral.suspension_5_mg_per_ml'
    """
    rules = default_rules() if rules is None else rules
    if isinstance(spec, Product):
        if spec not in catalogue(rules):
            raise InputError(
                "product", spec.id, "a product from this rule set's catalogue", code="E_PRODUCT"
            )
        return spec
    if not isinstance(spec, str):
        raise InputTypeError("product", spec, "a product name such as '10 mg tablet'")
    expected = "a catalogue product: " + _catalogue_names(rules)
    if spec in rules:
        return _from_rule(rules, spec)
    for suffix, form in _FORM_WORDS:
        if spec.endswith(suffix):
            strength = spec[: -len(suffix)]
            kind = units.ORAL_CONCENTRATION if form in _LIQUIDS else units.ORAL_DOSE
            value = units.parse(strength, kind, "product")
            for product in catalogue(rules):
                amount = product.per_ml if product.liquid else product.strength_mg
                if product.form == form and amount == value:
                    return product
            raise InputError(
                "product", spec, expected, problem="is not in the catalogue", code="E_PRODUCT"
            )
    raise InputError(
        "product",
        spec,
        expected,
        problem="does not name a form (tablet, granules, oral solution, oral suspension)",
        code="E_PRODUCT",
    )


def choose_products(specs: object, rules: RuleSet) -> tuple[Product, ...]:
    """The products a plan may use: one or more of one form, at most one liquid."""
    if isinstance(specs, str | Product):
        specs = [specs]
    if not isinstance(specs, Sequence) or not specs:
        raise InputTypeError("product", specs, "a product name or a list of product names")
    chosen: list[Product] = []
    for spec in specs:
        product = find_product(spec, rules)
        if product not in chosen:
            chosen.append(product)
    forms = {p.form for p in chosen}
    if len(forms) > 1:
        raise InputError(
            "product",
            specs,
            "products of one form (tablets, granules or one liquid)",
            problem="mixes forms",
            code="E_PRODUCT_MIX",
        )
    if chosen[0].liquid and len(chosen) > 1:
        raise InputError(
            "product",
            specs,
            "one liquid concentration per plan",
            problem="names more than one liquid (concentration mix-ups, ISMP)",
            code="E_PRODUCT_MIX",
        )
    return tuple(chosen)


@attrs.frozen
class Portion:
    """A quantity of one product within a dose: tablets (halves only if scored), packets, mL."""

    product: Product
    quantity: Fraction

    @property
    def amount_mg(self) -> Fraction:
        """The amount of baclofen this portion gives, in mg."""
        if self.product.liquid:
            return self.quantity * _need(self.product.per_ml)
        return self.quantity * _need(self.product.strength_mg)

    def text(self, *, name_product: bool) -> str:
        """The portion for people: "one and a half tablets", "half tablet of 10 mg"."""
        if self.product.form == "tablet":
            count = display.tablets(self.quantity)
        else:
            count = display.packets(int(self.quantity))
        if name_product:
            return f"{count} of {self.product.strength_text}"
        return count


@attrs.frozen
class Realization:
    """An amount in mg and the portions of products that give it exactly."""

    dose_mg: Fraction
    portions: tuple[Portion, ...]

    @property
    def liquid(self) -> bool:
        """True when the dose is a liquid volume."""
        return self.portions[0].product.liquid

    def text(self, *, name_products: bool = False) -> str:
        """For people: "one and a half tablets", or "10 mg (2 mL of 5 mg/mL)" for a liquid."""
        if self.liquid:
            portion = self.portions[0]
            return display.liquid_dose(
                self.dose_mg, portion.quantity, _need(portion.product.per_ml)
            )
        named = name_products or len(self.portions) > 1
        return display.words_list([p.text(name_product=named) for p in self.portions])


def _key(
    counts: tuple[int, ...], pieces: tuple[tuple[Product, Fraction, Fraction], ...]
) -> tuple[Fraction, int, int, tuple[Fraction, ...]]:
    units_total = sum((k * w for k, (_, _, w) in zip(counts, pieces, strict=True)), Fraction(0))
    halves = sum(
        1
        for k, (p, _, _) in zip(counts, pieces, strict=True)
        if p.scored and (k * display.HALF).denominator != 1
    )
    distinct = sum(1 for k in counts if k)
    larger_first = tuple(-k * u for k, (_, u, _) in zip(counts, pieces, strict=True))
    return units_total, halves, distinct, larger_first


@cache
def _solid(amount: Fraction, products: tuple[Product, ...]) -> Realization | None:
    """The best tablets-or-granules realization of ``amount``, or None when none is exact."""
    # Pieces: (product, amount per piece, units per piece), larger strengths first.
    ordered = sorted(products, key=lambda p: _need(p.strength_mg), reverse=True)
    pieces = tuple((p, p.step_mg, display.HALF if p.scored else Fraction(1)) for p in ordered)
    best: tuple[int, ...] | None = None
    best_key: tuple[Fraction, int, int, tuple[Fraction, ...]] | None = None

    def search(index: int, remaining: Fraction, counts: tuple[int, ...]) -> None:
        nonlocal best, best_key
        _, size, _ = pieces[index]
        if index == len(pieces) - 1:
            count = remaining / size
            if count.denominator != 1:
                return
            done = (*counts, int(count))
            key = _key(done, pieces)
            if best_key is None or key < best_key:
                best, best_key = done, key
            return
        for many in range(int(remaining // size), -1, -1):
            search(index + 1, remaining - many * size, (*counts, many))

    search(0, amount, ())
    if best is None:
        return None
    portions = tuple(Portion(p, k * w) for k, (p, _, w) in zip(best, pieces, strict=True) if k)
    return Realization(amount, portions)


def _realize(amount: Fraction, products: tuple[Product, ...]) -> Realization | None:
    if amount <= 0:
        return None
    if products[0].liquid:
        product = products[0]
        volume = amount / _need(product.per_ml)
        if (volume / _need(product.measure_ml)).denominator != 1:
            return None
        return Realization(amount, (Portion(product, volume),))
    return _solid(amount, products)


def realize_exact(amount: Fraction, products: tuple[Product, ...]) -> Realization | None:
    """The realization of an exact amount in mg with products already chosen, or None."""
    return _realize(amount, products)


def _not_givable(
    amount: Fraction, products: Sequence[Product], field: str, raw: object
) -> InputError:
    names = display.words_list([p.name for p in products])
    return InputError(
        field,
        raw,
        f"an amount the chosen products give exactly ({names})",
        problem=f"is {display.amount(amount, units.ORAL_DOSE)}, which cannot be given exactly",
        code="E_NOT_GIVABLE",
    )


def realize(amount: object, products: object, rules: RuleSet | None = None) -> Realization:
    """Turn an amount ("15 mg" or a Quantity) into units of the chosen products, exactly.

    Clinical basis: the product catalogue (``product.oral.*``); liquids measured on
    ``product.oral.liquid.measure``. Refuses (``E_NOT_GIVABLE``) an amount the products
    cannot give exactly; nothing is rounded.

    >>> realize("25 mg", ["20 mg tablet", "10 mg tablet"]).text()
    '1 tablet of 20 mg and half tablet of 10 mg'
    """
    rules = default_rules() if rules is None else rules
    chosen = choose_products(products, rules)
    value = units.parse(amount, units.ORAL_DOSE, "amount")
    found = _realize(value, chosen)
    if found is None:
        raise _not_givable(value, chosen, "amount", amount)
    return found


def _fraction_lcm(a: Fraction, b: Fraction) -> Fraction:
    den = math.lcm(a.denominator, b.denominator)
    return Fraction(math.lcm(int(a * den), int(b * den)), den)


def smallest_amount(products: Sequence[Product], grid: Fraction) -> Fraction:
    """The smallest amount on the dose ``grid`` that the products give: every multiple of it
    can be given exactly (it is a whole number of the smallest piece).

    >>> smallest_amount(catalogue()[1:2], Fraction(5))  # 10 mg scored: half is 5 mg
    Fraction(5, 1)
    >>> smallest_amount(catalogue()[2:3], Fraction(5))  # 15 mg, whole tablets only
    Fraction(15, 1)
    """
    return _fraction_lcm(grid, min(p.step_mg for p in products))


@attrs.frozen
class DispenseLine:
    """How much of one product a plan's dated steps use, and the days they cover.

    ``scheduled`` is the exact sum of the units in the schedule (tablets may end in a half);
    ``dispensed`` is what to supply: whole tablets or packets (``scheduled`` rounded up, the
    half left over is stated), or the exact volume in mL of a liquid.
    """

    product: Product
    scheduled: Fraction
    dispensed: Fraction
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        """Calendar days covered, first and last included."""
        return (self.last_day - self.first_day).days + 1

    def text(self) -> str:
        """One line for people."""
        if self.product.liquid:
            qty = display.amount(self.dispensed, units.VOLUME)
        elif self.product.form == "tablet":
            qty = display.tablets(self.dispensed)
        else:
            qty = display.packets(int(self.dispensed))
        line = (
            f"{self.product.name}: {qty}, for {display.day(self.first_day)} to "
            f"{display.day(self.last_day)} ({display.day_count(self.days)})"
        )
        spare = self.dispensed - self.scheduled
        if spare:
            line += f"; the schedule uses {_count(self.product, self.scheduled)}, so "
            line += f"{_count(self.product, spare)} is left over"
        return line


def _count(product: Product, quantity: Fraction) -> str:
    if product.form == "tablet":
        return display.tablets(quantity)
    return display.packets(int(quantity))  # pragma: no cover - packets are never split


@attrs.frozen
class Supply:
    """A plan realized with products: units per dose for each step, and what to dispense.

    ``doses[i][j]`` realizes the j-th dose of step i; ``positions[i][j]`` is that dose's
    place in the day (1 for the first dose of the day...), so a taper that drops a dose still
    says which one. ``daily_after`` lists the units a day of an open-ended last step, which
    no dispense line covers.
    """

    products: tuple[Product, ...]
    positions: tuple[tuple[int, ...], ...]
    doses: tuple[tuple[Realization, ...], ...]
    dispense: tuple[DispenseLine, ...]
    daily_after: tuple[tuple[Product, Fraction], ...]


def supply_for(
    steps: Sequence[Step],
    products: tuple[Product, ...],
    positions: Sequence[tuple[int, ...]] | None = None,
) -> Supply:
    """Realize every dose of ``steps`` and total what to dispense per product.

    Refuses (``E_NOT_GIVABLE``) a dose the products cannot give exactly.
    """
    doses: list[tuple[Realization, ...]] = []
    for step in steps:
        row: list[Realization] = []
        for amount in step.regimen.doses_mg:
            found = _realize(amount, products)
            if found is None:
                raise _not_givable(
                    amount, products, "product", f"the dose from {step.start.isoformat()}"
                )
            row.append(found)
        doses.append(tuple(row))
    if positions is None:
        positions = [tuple(range(1, s.regimen.times_per_day + 1)) for s in steps]
    totals: dict[Product, Fraction] = {}
    first: dict[Product, date] = {}
    last: dict[Product, date] = {}
    after: dict[Product, Fraction] = {}
    for step, realized in zip(steps, doses, strict=True):
        for realization in realized:
            for portion in realization.portions:
                if step.end is None:
                    after[portion.product] = after.get(portion.product, Fraction(0)) + (
                        portion.quantity
                    )
                    continue
                days = step.days or 0
                totals[portion.product] = totals.get(portion.product, Fraction(0)) + (
                    portion.quantity * days
                )
                first.setdefault(portion.product, step.start)
                last[portion.product] = step.end
    lines = []
    for product in products:
        if product not in totals:
            continue
        scheduled = totals[product]
        dispensed = scheduled if product.liquid else Fraction(math.ceil(scheduled))
        lines.append(DispenseLine(product, scheduled, dispensed, first[product], last[product]))
    return Supply(
        products=products,
        positions=tuple(tuple(p) for p in positions),
        doses=tuple(doses),
        dispense=tuple(lines),
        daily_after=tuple((p, after[p]) for p in products if p in after),
    )


def realize_plan(plan: OralPlan, product: object, rules: RuleSet) -> OralPlan:
    """A titration plan with every dose realized with ``product`` (one or more names).

    The plan's doses are not changed: a dose the products cannot give exactly is refused
    (``E_NOT_GIVABLE``), so the clinical intent stays as planned.
    """
    chosen = choose_products(product, rules)
    supply = supply_for(plan.steps, chosen)
    ids = [p.id for p in chosen]
    if any(p.liquid for p in chosen):
        ids.append(MEASURE_RULE)
    prov = plan.provenance
    provenance = attrs.evolve(
        prov,
        rule_ids=tuple(sorted({*prov.rule_ids, *ids})),
        inputs=(*prov.inputs, ("product", display.words_list([p.short_name for p in chosen]))),
    )
    return attrs.evolve(plan, supply=supply, provenance=provenance)
