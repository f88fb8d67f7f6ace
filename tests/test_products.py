"""Products and realizable doses (issue 4; SAF-05, SAF-06, SAF-27): the catalogue, exact
realization, and refusal of what cannot be given."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baclofen_dose import BaclofenDoseError, InputError, catalogue, find_product, realize
from baclofen_dose.core.errors import RuleSetError
from baclofen_dose.core.rules import load_rules
from baclofen_dose.oral.products import Product, realize_exact, smallest_amount
from baclofen_dose.render.products import product_name, short_name, strength_text, units_text
from tests import strategies as S
from tests.ismp import assert_clean
from tests.test_rules import BUNDLED

D = Fraction


@pytest.mark.req("SAF-37")
@pytest.mark.parametrize(
    ("amount", "product", "text"),
    [
        ("15 mg", "10 mg tablet", "one and a half tablets"),  # issue 4 must-show
        ("15 mg", "5 mg tablet", "3 tablets"),  # issue 4 must-show
        ("7.5 mg", "5 mg/mL suspension", "7.5 mg (1.5 mL of 5 mg/mL)"),  # issue 4 must-show
        ("10 mg", "25 mg/5 mL oral suspension", "10 mg (2 mL of 5 mg/mL)"),  # design.md
        ("5 mg", "10 mg tablet", "half tablet"),
        ("20 mg", "20 mg tablet", "1 tablet"),
        ("10 mg", "20 mg tablet", "half tablet"),
        ("15 mg", "15 mg tablet", "1 tablet"),
        ("5 mg", "5 mg/5 mL oral solution", "5 mg (5 mL of 1 mg/mL)"),  # L7 ladder: 5 mL
        ("15 mg", "10 mg/5 mL oral solution", "15 mg (7.5 mL of 2 mg/mL)"),  # L8 ladder: 7.5 mL
        ("20 mg", "5 mg/mL suspension", "20 mg (4 mL of 5 mg/mL)"),  # L9 ladder: 4 mL
        ("30 mg", "10 mg granules", "3 packets"),
    ],
)
def test_golden_realizations(amount: str, product: str, text: str) -> None:
    realization = realize(amount, product)
    assert units_text(realization) == text
    assert_clean(text)


def test_fewest_units_across_strengths() -> None:
    """Several strengths: the fewest units; ties go to fewer split tablets, then products."""
    tablets = ["5 mg tablet", "10 mg tablet", "15 mg tablet", "20 mg tablet"]
    # 1.5 units (a 20 mg tablet and half a 10 mg tablet) beat 2 whole tablets (20 mg and 5 mg)
    assert units_text(realize("25 mg", tablets)) == "1 tablet of 20 mg and half tablet of 10 mg"
    assert units_text(realize("25 mg", ["20 mg tablet", "5 mg tablet"])) == (
        "1 tablet of 20 mg and 1 tablet of 5 mg"
    )
    assert units_text(realize("15 mg", tablets)) == "1 tablet"  # one 15 mg tablet
    assert units_text(realize("25 mg", ["20 mg tablet", "10 mg tablet"])) == (
        "1 tablet of 20 mg and half tablet of 10 mg"
    )
    assert units_text(realize("30 mg", ["10 mg granules", "20 mg granules"])) == (
        "1 packet of 20 mg and 1 packet of 10 mg"
    )


@pytest.mark.req("SAF-06")
@pytest.mark.parametrize(
    ("amount", "product"),
    [
        ("2.5 mg", "5 mg tablet"),  # 5 mg is not scored (L2)
        ("7.5 mg", "15 mg tablet"),  # 15 mg scoring not found: whole tablets only
        ("5 mg", "20 mg tablet"),  # only halves, never quarters
        ("0.3 mg", "5 mg/5 mL oral solution"),  # 0.3 mL is not on the 0.5 mL syringe grid
        ("1 mg", "5 mg/mL suspension"),  # 0.2 mL
        ("2.5 mg", "5 mg granules"),  # packets are never split
    ],
)
def test_amounts_that_cannot_be_given_are_refused(amount: str, product: str) -> None:
    with pytest.raises(InputError) as caught:
        realize(amount, product)
    assert caught.value.code == "E_NOT_GIVABLE"
    assert_clean(str(caught.value).replace(repr(amount), "'...'"))


@pytest.mark.req("SAF-05")
def test_catalogue_matches_clinical_md_section_2() -> None:
    products = {short_name(p): p for p in catalogue()}
    assert {n: p.scoring for n, p in products.items() if p.form == "tablet"} == {
        "5 mg tablet": "not_scored",
        "10 mg tablet": "scored",
        "15 mg tablet": "not_found",
        "20 mg tablet": "scored",
    }
    liquids = [product_name(p) for p in catalogue() if p.liquid]
    assert liquids == [
        "5 mg/5 mL (1 mg/mL) oral solution",
        "10 mg/5 mL (2 mg/mL) oral solution",
        "25 mg/5 mL (5 mg/mL) oral suspension",
    ]
    assert [p.strength_mg for p in catalogue() if p.form == "granules"] == [5, 10, 20]
    for product in catalogue():
        assert product.citation
        assert_clean([product_name(product), short_name(product), strength_text(product)])
        assert find_product(short_name(product)) == product
        assert find_product(product.id) == product


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ("7.5 mg tablet", "E_PRODUCT"),
        ("5 mg/mL solution", "E_PRODUCT"),  # 5 mg/mL is a suspension: never conflated
        ("10 mg", "E_PRODUCT"),
        ("10 mcg tablet", "E_UNIT_DIMENSION"),
        ("ten mg tablet", "E_NUMBER_SYNTAX"),
        ("oral.adult.start.dose", "E_PRODUCT"),
    ],
)
def test_unknown_products_are_refused(spec: str, code: str) -> None:
    with pytest.raises(InputError) as caught:
        find_product(spec)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "specs",
    [
        ["10 mg tablet", "10 mg granules"],
        ["5 mg/mL suspension", "1 mg/mL solution"],
        ["10 mg tablet", "5 mg/mL suspension"],
    ],
)
def test_forms_and_liquids_are_never_mixed(specs: list[str]) -> None:
    with pytest.raises(InputError) as caught:
        realize("10 mg", specs)
    assert caught.value.code == "E_PRODUCT_MIX"


def test_smallest_amount_is_on_the_dose_grid() -> None:
    grid = S.GRID
    by_name = {short_name(p): p for p in catalogue()}
    assert smallest_amount([by_name["10 mg tablet"]], grid) == 5
    assert smallest_amount([by_name["20 mg tablet"]], grid) == 10
    assert smallest_amount([by_name["15 mg tablet"]], grid) == 15
    assert smallest_amount([by_name["5 mg/5 mL oral solution"]], grid) == 5
    assert smallest_amount([by_name["15 mg tablet"], by_name["20 mg tablet"]], grid) == 10


def _reference_units(amount: Fraction, products: tuple[Product, ...]) -> Fraction | None:
    """Independent brute force: the fewest units (a half counts half) giving ``amount``."""
    pieces = []
    for p in products:
        strength = p.strength_mg
        assert strength is not None
        pieces.append((strength, D(1)))
        if p.scored:
            pieces.append((strength / 2, D(1, 2)))
    best = None
    ranges = [range(int(amount // size) + 1) for size, _ in pieces]
    for counts in itertools.product(*ranges):
        if sum(k * size for k, (size, _) in zip(counts, pieces, strict=True)) == amount:
            units = sum((k * w for k, (_, w) in zip(counts, pieces, strict=True)), D(0))
            best = units if best is None or units < best else best
    return best


@pytest.mark.req("SAF-27")
@given(S.amounts, S.product_sets)
@example(D(15), (S.TABLETS[1],))
@example(D(25), (S.TABLETS[3], S.TABLETS[1]))
def test_realization_is_exact_and_minimal(amount: Fraction, products: tuple[Product, ...]) -> None:
    """Every realization gives the amount exactly; halves only of scored tablets; liquids on
    the syringe grid; tablets and granules in the fewest units (checked by brute force)."""
    found = realize_exact(amount, products)
    if products[0].liquid:
        (p,) = products
        assert p.per_ml is not None and p.measure_ml is not None
        volume = amount / p.per_ml
        assert (found is not None) == ((volume / p.measure_ml).denominator == 1)
        if found is not None:
            assert found.portions[0].quantity == volume
            text = units_text(found)
            assert "mL of" in text and text.startswith(f"{S.mg(amount, per_day=False)} (")
            assert_clean(text)
        return
    reference = _reference_units(amount, products) if amount <= 40 else None
    if found is None:
        assert reference is None
        return
    assert sum((p.amount_mg for p in found.portions), D(0)) == amount
    for portion in found.portions:
        assert portion.quantity > 0 and portion.product in products
        if portion.quantity.denominator != 1:
            assert portion.product.scored and portion.quantity.denominator == 2
    units = sum((p.quantity for p in found.portions), D(0))
    assert units == reference
    assert_clean(units_text(found))


@given(S.junk, S.junk)
def test_fuzz_realize_only_library_errors(amount: object, products: object) -> None:
    try:
        realize(amount, products)
    except BaclofenDoseError:
        pass


@given(st.text(max_size=40))
def test_fuzz_find_product_only_library_errors(text: str) -> None:
    try:
        find_product(text)
    except BaclofenDoseError:
        pass


TEN = 'id = "product.oral.tablet_10_mg"\nkind = "catalogue"\nform = "tablet"\nscoring = "scored"'


@pytest.mark.req("SAF-18")
@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (TEN, TEN.replace('form = "tablet"', 'form = "capsule"'), "form must be one of"),
        (TEN, TEN.replace('scoring = "scored"', ""), "needs 'scoring'"),
        (TEN, TEN.replace('scoring = "scored"', 'scoring = "quartered"'), "needs 'scoring'"),
        (TEN, TEN.replace('form = "tablet"', 'form = "oral_solution"'), "must measure"),
        (
            'form = "oral_suspension"',
            'form = "oral_suspension"\nscoring = "scored"',
            "only tablets",
        ),
        (
            'id = "oral.adult.start.dose"\nkind = "default"',
            'id = "oral.adult.start.dose"\nkind = "default"\nform = "tablet"',
            "only catalogue",
        ),
    ],
)
def test_invalid_catalogue_entries_are_refused(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in BUNDLED
    path = tmp_path / "rules.toml"
    path.write_text(BUNDLED.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleSetError, match=problem):
        load_rules(path)


def test_institution_syringe_resolution(tmp_path: Path) -> None:
    """An institution whose syringes measure 0.1 mL sets its own rule; results follow it."""
    old = 'id = "product.oral.liquid.measure"\nkind = "grid"\nquantity = "volume"\nvalue = "0.5"'
    assert old in BUNDLED
    path = tmp_path / "rules.toml"
    path.write_text(BUNDLED.replace(old, old.replace('"0.5"', '"0.1"')), encoding="utf-8")
    rules = load_rules(path)
    assert units_text(realize("1 mg", "5 mg/mL suspension", rules)) == "1 mg (0.2 mL of 5 mg/mL)"
    with pytest.raises(InputError):
        realize("1 mg", "5 mg/mL suspension")


def test_products_keep_numbers_and_render_writes_the_words() -> None:
    """Issue 8: oral/products.py holds exact numbers only (units per dose, volumes); the
    words come from render/products.py."""
    import baclofen_dose.oral.products as module

    found = realize("25 mg", ["20 mg tablet", "10 mg tablet"])
    assert [(p.product.strength_mg, p.quantity) for p in found.portions] == [
        (D(20), D(1)),
        (D(10), D(1, 2)),
    ]
    assert not hasattr(found, "text") and not hasattr(found.portions[0].product, "name")
    assert "display" not in vars(module)


def test_unknown_product_error_lists_the_catalogue_by_form() -> None:
    with pytest.raises(InputError) as caught:
        find_product("7.5 mg tablet")
    message = str(caught.value)
    assert "tablet of 5 mg, 10 mg, 15 mg and 20 mg" in message
    assert "oral suspension of 5 mg/mL" in message
    assert_clean(message.replace("'7.5 mg tablet'", "'...'"))


def test_not_givable_error_names_the_amount_and_strengths() -> None:
    with pytest.raises(InputError) as caught:
        realize("2.5 mg", "5 mg tablet")
    assert caught.value.params["amount"].value == D(5, 2)
    assert "the chosen products (5 mg) give exactly" in str(caught.value)
    assert "is 2.5 mg, which cannot be given exactly" in str(caught.value)


@pytest.mark.parametrize(
    ("dose", "product", "expected"),
    [
        ("10 mg", "20 mg tablet", "half a 20 mg tablet (10 mg)"),
        ("5 mg", "10 mg tablet", "half a 10 mg tablet (5 mg)"),
        ("10 mg", "10 mg tablet", "one 10 mg tablet (10 mg)"),
        ("15 mg", "10 mg tablet", "one and a half 10 mg tablets (15 mg)"),
        ("20 mg", "10 mg tablet", "two 10 mg tablets (20 mg)"),
        ("15 mg", "15 mg tablet", "one 15 mg tablet (15 mg)"),
        ("7.5 mg", "5 mg/mL suspension", "7.5 mg (1.5 mL of 5 mg/mL)"),
    ],
)
def test_instructions_name_the_tablet_strength(dose: str, product: str, expected: str) -> None:
    """Issue 10 item 10: "half a 20 mg tablet (10 mg)", never a bare "half tablet"; a count is
    a word, so it never stands next to a strength ("2 10 mg tablets")."""
    from baclofen_dose.render.products import give

    text = give(realize(dose, product))
    assert text == expected
    assert_clean(text)


def test_two_strengths_each_named() -> None:
    from baclofen_dose.render.products import give

    text = give(realize("25 mg", ["20 mg tablet", "10 mg tablet"]))
    assert text == "one 20 mg tablet and half a 10 mg tablet (25 mg)"


def test_smallest_amount_is_true_for_the_product() -> None:
    """Issue 10 item 7: a 1 mg/mL liquid measured to 0.5 mL gives 0.5 mg (0.5 mL x 1 mg/mL),
    a scored 10 mg tablet 5 mg; a plan's doses stay on the 5 mg dose grid, and the taper's
    working says both, truthfully."""
    from baclofen_dose import plan_taper
    from baclofen_dose.render.taper import taper_working

    (liquid,) = [p for p in catalogue() if short_name(p) == "5 mg/5 mL oral solution"]
    assert liquid.step_mg == Fraction(1, 2)
    assert smallest_amount([liquid], Fraction(5)) == 5
    plan = plan_taper(
        dose="5 mg", times_per_day=3, start="2026-03-02", product="1 mg/mL solution"
    )
    working = "\n".join(taper_working(plan, None))
    assert "the smallest amount they give at all is 0.5 mg" in working
    assert "smallest dose on the dose grid the products give" in working
    assert_clean(working)


@pytest.mark.parametrize(
    ("product", "shown"),
    [("5 mg/mL suspension", True), ("1 mg/mL solution", False), ("10 mg tablet", False)],
)
def test_suspension_warning_whenever_chosen(product: str, shown: bool) -> None:
    """Issue 10 item 10 (L9: "a concentrated formulation; shake well"): the warning is a
    finding of every plan that uses the suspension, and a line of the patient instructions."""
    from baclofen_dose import plan_taper
    from baclofen_dose.render.taper import taper_instructions

    plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02", product=product)
    ids = [f.rule_id for f in plan.findings]
    assert ids.count("product.oral.suspension.shake") == (1 if shown else 0)
    lines = taper_instructions(plan)
    assert any("shake it well" in line for line in lines) == shown
    assert_clean(lines)
