"""Every public callable, called with arbitrary arguments, returns or raises one of the library's
own errors (issue 9 item 5; SAF-35). Arguments are drawn per parameter name from values near
the valid ones (quantity strings, dates) and from odd ones (None, bools, floats, NaN, lists,
Quantities of another registry, huge Decimals), keyword by keyword as the signature names them.
"""

from __future__ import annotations

import inspect
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import baclofen_dose as bd
from baclofen_dose import BaclofenDoseError

ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=10**6),
    st.floats(allow_nan=True),
    st.sampled_from([Decimal("NaN"), Decimal("1E+5000"), Fraction(1, 3), b"5 mg", [], {}, ()]),
    st.text(max_size=12),
)
NEAR = st.sampled_from(
    [
        "5 mg", "20 mg", "60 mg/day", "max", "300 mcg/day", "60 mcg/hour", "2000 mcg/mL",
        "500 mcg/mL", "40 mL", "2 mL", "3 days", "20 %", "10 mg tablet", "spinal", "cerebral",
        "2026-01-05", "9999-12-30", "08:00", "us_label", "72 years", "70 kg", "1.4 mg/dL",
        "female", "6 hours", "100 mcg", "0 mg", "-5 mg", "5 MG", "1,000 mcg",
    ]
)
VALUES = st.one_of(NEAR, ODD, st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))

# Functions whose first argument must be a result, a patient or a rule: fuzzed with real ones too.
_PATIENT = bd.Patient.from_inputs(
    age="72 years", sex="female", weight="70 kg", height="165 cm", scr="1.4 mg/dL",
    dialysis=False,
)
_PLAN = bd.plan_titration(start="2026-01-05", target="60 mg/day")
SPECIAL = {
    "patient": st.one_of(st.just(_PATIENT), ODD),
    "plan": st.one_of(st.just(_PLAN), ODD),
    "estimate": st.one_of(st.just(bd.ckd_epi_2021(_PATIENT)), ODD),
    "rule": st.one_of(st.just(bd.default_rules()["oral.adult.start.dose"]), ODD),
    "rules": st.one_of(st.none(), st.just(bd.default_rules()), ODD),
    "times": st.one_of(st.just(["08:00", "14:00", "20:00"]), st.lists(st.text(max_size=6))),
    "overrides": st.one_of(st.none(), st.dictionaries(st.text(max_size=30), ODD, max_size=2)),
}

SKIP = {"registry", "default_rules", "load_rules"}  # no arguments / a file path (tested apart)
CALLABLES = sorted(
    name
    for name in bd.__all__
    if name not in SKIP
    and callable(getattr(bd, name))
    and not isinstance(getattr(bd, name), type)
)


def _arguments(func: Any) -> st.SearchStrategy[tuple[list[Any], dict[str, Any]]]:
    signature = inspect.signature(func)
    positional, keywords = [], {}
    for name, parameter in signature.parameters.items():
        strategy = SPECIAL.get(name, VALUES)
        optional = parameter.default is not inspect.Parameter.empty
        if optional:
            strategy = st.one_of(st.just(parameter.default), strategy)
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            positional.append(strategy)
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[name] = strategy
    return st.tuples(st.tuples(*positional).map(list), st.fixed_dictionaries(keywords))


@pytest.mark.req("SAF-35")
@pytest.mark.parametrize("name", CALLABLES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_public_callables_raise_only_library_errors(name: str, data: st.DataObject) -> None:
    func = getattr(bd, name)
    args, kwargs = data.draw(_arguments(func))
    try:
        func(*args, **kwargs)
    except BaclofenDoseError:
        pass
