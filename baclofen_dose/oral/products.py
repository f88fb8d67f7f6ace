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

Only exact numbers live here (units per dose, volumes, what to dispense); the words
("one and a half tablets", "7.5 mg (1.5 mL of 5 mg/mL)") are written by
:mod:`baclofen_dose.render.products`.

>>> from baclofen_dose import default_rules
>>> rules = default_rules()
>>> ten = find_product("10 mg tablet", rules)
>>> [(p.product.id, p.quantity) for p in realize("15 mg", [ten]).portions]
[('product.oral.tablet_10_mg', Fraction(3, 2))]
>>> realize("7.5 mg", [find_product("5 mg/mL suspension", rules)]).portions[0].quantity
Fraction(3, 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Final

import attrs

from baclofen_dose.core import kinds, units
from baclofen_dose.core.errors import InputError, InputTypeError, RuleSetError
from baclofen_dose.core.kernel import RoundMode, round_to_grid, rules_or_default
from baclofen_dose.core.limits import LimitCheck, advice, parse_overrides
from baclofen_dose.core.model import Amount, Finding, Override, ParamValue
from baclofen_dose.core.numeric import HALF
from baclofen_dose.core.rules import Rule, RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import ProductInput, ProductsInput, QuantityInput

if TYPE_CHECKING:
    from collections.abc import Mapping

    from baclofen_dose.oral.patient import Patient
    from baclofen_dose.oral.regimen import OralPlan, Step

__all__ = [
    "FORM_NAMES",
    "MEASURE_RULE",
    "DispenseLine",
    "Portion",
    "Product",
    "Realization",
    "Supply",
    "catalogue",
    "catalogue_error",
    "choose_products",
    "find_product",
    "product_findings",
    "product_from_rule",
    "realize",
    "realize_exact",
    "realize_plan",
    "smallest_amount",
    "supply_for",
]

RULES: Final = requires(
    __name__,
    {
        "oral.child.tablet.min_weight": "weight",
        "population.child.below_age": "age",
        "product.oral.liquid.measure": "volume",
        "product.oral.suspension.shake": None,
    },
)


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
_ONE: Final = Fraction(1)
FORM_NAMES: Final = {
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
    def amount(self) -> Amount:
        """The strength as a typed amount: mg for tablets and granules, mg/mL for a liquid."""
        if self.liquid:
            return Amount(_need(self.per_ml), kinds.ORAL_CONCENTRATION)
        return Amount(_need(self.strength_mg), kinds.ORAL_DOSE)

    @property
    def step_mg(self) -> Fraction:
        """The smallest amount one piece of this product gives (half of a scored tablet)."""
        if self.liquid:
            return _need(self.per_ml) * _need(self.measure_ml)
        strength = _need(self.strength_mg)
        return strength * HALF if self.scored else strength


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

    >>> [p.strength_mg for p in catalogue()][:4]
    [Fraction(5, 1), Fraction(10, 1), Fraction(15, 1), Fraction(20, 1)]
    """
    rules = rules_or_default(rules)
    return tuple(
        _from_rule(rules, r.id) for r in rules if r.kind == "catalogue" and r.form is not None
    )


def catalogue_error(
    spec: object, rules: RuleSet, problem: str, *, code: str = "E_PRODUCT"
) -> InputError:
    """The error for a product name that is not in ``rules``' catalogue: it lists the
    catalogue's strengths by form (typed amounts, worded by the formatter)."""
    by_form: dict[str, list[Amount]] = {}
    for product in catalogue(rules):
        by_form.setdefault(product.form, []).append(product.amount)
    params: dict[str, ParamValue] = {name: tuple(amounts) for name, amounts in by_form.items()}
    parts = [f"{FORM_NAMES[form]} of {{{form}:doses}}" for form in by_form]
    expected = "a catalogue product: " + ("; ".join(parts) if parts else "(none)")
    return InputError("product", spec, expected, problem=problem, code=code, params=params)


def find_product(spec: ProductInput, rules: RuleSet | None = None) -> Product:
    """Look a product up by its text ("10 mg tablet", "5 mg/mL suspension") or rule id.

    The strength is parsed strictly (units.parse) and must match a catalogue entry of the
    same form exactly: "5 mg/mL solution" is refused, because 5 mg/mL is a suspension.

    >>> find_product("25 mg/5 mL oral suspension").id
    'product.oral.suspension_5_mg_per_ml'
    """
    rules = rules_or_default(rules)
    if isinstance(spec, Product):
        if spec not in catalogue(rules):
            raise InputError(
                "product", spec.id, "a product from this rule set's catalogue", code="E_PRODUCT"
            )
        return spec
    if not isinstance(spec, str):
        raise InputTypeError("product", spec, "a product name such as '10 mg tablet'")
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
            raise catalogue_error(spec, rules, "is not in the catalogue")
    raise catalogue_error(
        spec, rules, "does not name a form (tablet, granules, oral solution, oral suspension)"
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


@attrs.frozen
class Realization:
    """An amount in mg and the portions of products that give it exactly."""

    dose_mg: Fraction
    portions: tuple[Portion, ...]

    @property
    def liquid(self) -> bool:
        """True when the dose is a liquid volume."""
        return self.portions[0].product.liquid


def _key(
    counts: tuple[int, ...], pieces: tuple[tuple[Product, Fraction, Fraction], ...]
) -> tuple[Fraction, int, int, tuple[Fraction, ...]]:
    units_total = sum((k * w for k, (_, _, w) in zip(counts, pieces, strict=True)), Fraction(0))
    halves = sum(
        1
        for k, (p, _, _) in zip(counts, pieces, strict=True)
        if p.scored and (k * HALF).denominator != 1
    )
    distinct = sum(1 for k in counts if k)
    larger_first = tuple(-k * u for k, (_, u, _) in zip(counts, pieces, strict=True))
    return units_total, halves, distinct, larger_first


@cache
def _solid(amount: Fraction, products: tuple[Product, ...]) -> Realization | None:
    """The best tablets-or-granules realization of ``amount``, or None when none is exact."""
    # Pieces: (product, amount per piece, units per piece), larger strengths first.
    ordered = sorted(products, key=lambda p: _need(p.strength_mg), reverse=True)
    pieces = tuple((p, p.step_mg, HALF if p.scored else Fraction(1)) for p in ordered)
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
    return InputError(
        field,
        raw,
        "an amount the chosen products ({strengths}) give exactly",
        problem="is {amount}, which cannot be given exactly",
        code="E_NOT_GIVABLE",
        params={
            "strengths": tuple(p.amount for p in products),
            "amount": Amount(amount, kinds.ORAL_DOSE),
        },
    )


def realize(
    amount: QuantityInput, products: ProductsInput, rules: RuleSet | None = None
) -> Realization:
    """Turn an amount ("15 mg" or a Quantity) into units of the chosen products, exactly.

    Clinical basis: the product catalogue (``product.oral.*``); liquids measured on
    ``product.oral.liquid.measure``. Refuses (``E_NOT_GIVABLE``) an amount the products
    cannot give exactly; nothing is rounded.

    >>> found = realize("25 mg", ["20 mg tablet", "10 mg tablet"])
    >>> [(p.product.id, p.quantity) for p in found.portions]
    [('product.oral.tablet_20_mg', Fraction(1, 1)), ('product.oral.tablet_10_mg', Fraction(1, 2))]
    """
    rules = rules_or_default(rules)
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

    @property
    def spare(self) -> Fraction:
        """What is dispensed beyond the schedule (the other half of a split tablet)."""
        return self.dispensed - self.scheduled


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
        dispensed = scheduled if product.liquid else round_to_grid(scheduled, _ONE, RoundMode.UP)
        lines.append(DispenseLine(product, scheduled, dispensed, first[product], last[product]))
    return Supply(
        products=products,
        positions=tuple(tuple(p) for p in positions),
        doses=tuple(doses),
        dispense=tuple(lines),
        daily_after=tuple((p, after[p]) for p in products if p in after),
    )


def realize_plan(
    plan: OralPlan, product: object, rules: RuleSet, findings: Sequence[Finding] = ()
) -> OralPlan:
    """A titration plan with every dose realized with ``product`` (one or more names).

    The plan's doses are not changed: a dose the products cannot give exactly is refused
    (``E_NOT_GIVABLE``), so the clinical intent stays as planned. The products' own advice
    (:func:`product_findings`: the suspension's "shake well") and ``findings`` (the child
    tablet limit of :func:`child_tablet_limit`) are added to the plan's findings.
    """
    chosen = choose_products(product, rules)
    supply = supply_for(plan.steps, chosen)
    added = [*findings, *product_findings(chosen, rules)]
    ids = [p.id for p in chosen] + [f.rule_id for f in added]
    if any(p.liquid for p in chosen):
        ids.append(MEASURE_RULE)
    prov = plan.provenance
    provenance = attrs.evolve(
        prov,
        rule_ids=tuple(sorted({*prov.rule_ids, *ids})),
        inputs=(*prov.inputs, ("product", tuple(p.id for p in chosen))),
    )
    used = tuple(Override(f.rule_id, f.override_reason) for f in findings if f.override_reason)
    return attrs.evolve(
        plan,
        supply=supply,
        provenance=provenance,
        findings=(*plan.findings, *added),
        overrides=(*plan.overrides, *used),
    )


TABLET_WEIGHT_RULE: Final = "oral.child.tablet.min_weight"


def child_tablet_limit(
    product: object,
    patient: Patient | None,
    overrides: Mapping[str, str] | None,
    rules: RuleSet,
) -> tuple[tuple[Finding, ...], dict[str, str] | None]:
    """Tablets for a child under 33 kg (UK SmPC 4.2, rule ``oral.child.tablet.min_weight``):
    a soft limit, crossed only with an override giving the reason.

    Returns the findings (the recorded override, if any) and the other overrides, for the
    plan without products. Raises ``OverrideRequired`` when a child under the weight gets
    tablets without an override. A patient of 18 or over, or without age or weight, or a plan
    without tablets is not judged here (a child's plan needs the weight anyway).
    """
    rest = dict(overrides) if overrides is not None else {}
    if (
        patient is None
        or patient.age_years is None
        or patient.weight_kg is None
        or patient.age_years >= rules["population.child.below_age"].require_value()
        or not any(p.form == "tablet" for p in choose_products(product, rules))
    ):
        return (), overrides if overrides is None else rest
    mine = {k: v for k, v in rest.items() if k == TABLET_WEIGHT_RULE}
    check = LimitCheck(rules, parse_overrides(mine, rules))
    check.soft_min(rules[TABLET_WEIGHT_RULE], patient.weight_kg, kinds.WEIGHT, "patient weight")
    found = check.finish()
    rest.pop(TABLET_WEIGHT_RULE, None)
    return found, rest or None


# The advice each form carries whenever a plan uses it (issue 10 item 10).
_FORM_ADVICE: Final = {"oral_suspension": "product.oral.suspension.shake"}


def product_findings(chosen: Sequence[Product], rules: RuleSet) -> list[Finding]:
    """The advice findings of the products a plan uses, once per form: the suspension's
    "concentrated formulation; shake well" (``product.oral.suspension.shake``, L9) whenever it
    is chosen.

    >>> from baclofen_dose import default_rules
    >>> [f.rule_id for f in product_findings([find_product("5 mg/mL suspension")], default_rules())]
    ['product.oral.suspension.shake']
    """
    ids = dict.fromkeys(_FORM_ADVICE[p.form] for p in chosen if p.form in _FORM_ADVICE)
    return [advice(rules[rule_id]) for rule_id in ids if rule_id in rules]
