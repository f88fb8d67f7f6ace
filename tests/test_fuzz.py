"""Fuzzing as a gate (SAF-35; issue 9): every parser and reader, fed arbitrary or mutated input,
returns a valid value or raises one of the library's own errors; nothing else escapes.

Hypothesis stands in for atheris here (decision recorded in docs/decisions.md): the harnesses
run under pytest with the deterministic ``ci`` profile in CI. Readers are fuzzed by mutating
*valid* documents, so most inputs get past the JSON parser and reach the checks behind it.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import baclofen_dose as bd
from baclofen_dose import BaclofenDoseError
from baclofen_dose.core import kinds, units
from baclofen_dose.core.limits import parse_date

KINDS = [k for k in kinds.KINDS.values()]
UNIT_WORDS = [
    "mg",
    "mcg",
    "g",
    "kg",
    "mL",
    "L",
    "day",
    "days",
    "hour",
    "h",
    "week",
    "mg/day",
    "mcg/day",
    "mcg/hour",
    "mg/mL",
    "mg/5 mL",
    "mcg/mL",
    "mg/dL",
    "micromol/L",
    "mL/min",
    "%",
    "years",
    "cm",
    "in",
    "lb",
    "m2",
    "kg/m2",
    "MG",
    "Mg",
    "ug",
    "\u00b5g",
]
NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=10**15).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "1E+5000",
            "1E-999999",
            ".5",
            "5.",
            "0",
            "00",
            "1,000",
            "1_000",
            "\uff13",
            "+3",
            " 3",
            "3 ",
            "nan",
            "inf",
            "0.0000000000001",
            "9" * 40,
        ]
    ),
)


@st.composite
def quantity_texts(draw: st.DrawFn) -> str:
    """Near-valid quantity strings: a number, separators and a unit, sometimes perturbed."""
    number = draw(NUMBERS)
    unit = draw(st.sampled_from(UNIT_WORDS))
    sep = draw(st.sampled_from([" ", "", "  ", "\t", "\u00a0"]))
    text = f"{number}{sep}{unit}"
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut] + draw(st.text(max_size=3)) + text[cut:]
    return text


@pytest.mark.req("SAF-35", "SAF-10", "SAF-11")
@given(st.one_of(quantity_texts(), st.text(max_size=40)), st.sampled_from(KINDS))
def test_parse_returns_an_exact_value_or_a_library_error(text: str, kind: kinds.Kind) -> None:
    try:
        value = units.parse(text, kind, "x")
    except BaclofenDoseError:
        return
    assert isinstance(value, Fraction) and value > 0


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("1E+5000"), Decimal("1E-999999"), Decimal("-0"), Fraction(1, 3)]),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=2),
)


@pytest.mark.req("SAF-35", "SAF-09")
@given(ODD_VALUES, st.sampled_from(KINDS))
def test_parse_of_odd_python_values_is_refused_with_a_library_error(
    value: object, kind: kinds.Kind
) -> None:
    with pytest.raises(BaclofenDoseError):
        units.parse(value, kind, "x")


@pytest.mark.req("SAF-35")
@given(
    st.one_of(
        st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(str),
        st.text(max_size=12),
        st.dates(),
        ODD_VALUES,
    )
)
def test_parse_date_over_the_whole_range(value: object) -> None:
    try:
        parsed = parse_date(value, "start")
    except BaclofenDoseError:
        return
    assert isinstance(parsed, date)


@pytest.mark.req("SAF-35")
@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(["15 mg/day", "60 mg/day", "80 mg/day", "max", "5 mg/day", "130 mg/day"]),
)
def test_planning_across_the_whole_date_range(start: date, target: str) -> None:
    try:
        plan = bd.plan_titration(start=start, target=target)
    except BaclofenDoseError:
        return
    assert plan.steps[0].start == start


def _mutations(data: Any) -> st.SearchStrategy[Any]:
    """Documents one mutation away from ``data``: a key dropped, a value replaced or retyped."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*path, index))

    walk(data, ())
    replacement = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.text(max_size=8),
        st.just([]),
        st.just({}),
        st.just("500"),
        st.just(500),
        st.just(0.1),
        st.just("2026-13-01"),
        st.just({"value": 500, "unit": "mg"}),
    )

    @st.composite
    def mutate(draw: st.DrawFn) -> Any:
        doc = json.loads(json.dumps(data))
        path = draw(st.sampled_from(paths[1:]))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(replacement)
        return doc

    return mutate()


def _valid_documents() -> list[dict[str, Any]]:
    plans = [
        bd.plan_titration(start="2026-01-05", target="60 mg/day"),
        bd.plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02"),
    ]
    return [json.loads(bd.to_json(p), parse_float=float) for p in plans]


DOCUMENTS = _valid_documents()


@pytest.mark.req("SAF-35")
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(DOCUMENTS))).flatmap(lambda i: _mutations(DOCUMENTS[i])))
def test_readers_refuse_mutated_documents_with_library_errors(doc: Any) -> None:
    text = json.dumps(doc)
    try:
        bd.from_json(text)
    except BaclofenDoseError:
        return


@pytest.mark.req("SAF-35")
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_from_json_of_arbitrary_text(text: str) -> None:
    with pytest.raises(BaclofenDoseError):
        bd.from_json(text)


@pytest.mark.req("SAF-35")
def test_from_json_refuses_deep_nesting_duplicates_non_utf8_and_floats() -> None:
    for source in (
        "[" * 5000 + "]" * 5000,
        '{"schema": "a", "schema": "b"}',
        b"\xff\xfe{}",
        '{"schema": NaN}',
    ):
        with pytest.raises(BaclofenDoseError):
            bd.from_json(source)  # type: ignore[arg-type]


@pytest.mark.req("SAF-35", "SAF-09")
@pytest.mark.parametrize(
    "magnitude",
    [Decimal("1E-999999"), Decimal("1E+5000"), Decimal("NaN"), Decimal("-Infinity"), 10**400,
     Fraction(1, 10**400), float("nan"), float("inf"), 1e308, 1e-308],
)
@pytest.mark.parametrize("registry", ["library", "other"])
def test_odd_quantity_magnitudes_are_refused_at_once(magnitude: object, registry: str) -> None:
    """Huge or tiny magnitudes are refused before any arithmetic (no hang, no overflow)."""
    import pint

    ureg = bd.registry() if registry == "library" else pint.UnitRegistry()
    quantity = ureg.Quantity(magnitude, "milligram / day")
    with pytest.raises(BaclofenDoseError):
        bd.plan_titration(start="2026-01-05", target=quantity)
