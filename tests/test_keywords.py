"""One keyword per concept across the public API (issue 8 item 6).

The old spellings that published docs used still work for one release, with a
``DeprecationWarning``, and give the same result as the new ones; giving both is refused.
No public parameter is typed ``object``: each names its input shape (core/types.py).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import baclofen_dose as bd
from baclofen_dose.core.errors import BaclofenDoseError, BaclofenDoseWarning

SUBPACKAGES = ("oral", "intrathecal", "check", "render")
PATIENT = bd.Patient.from_inputs(
    age="50 years", sex="male", weight="120 kg", height="175 cm", scr="1 mg/dL", dialysis=False
)
RENAMES: list[tuple[Callable[..., Any], dict[str, Any], dict[str, Any]]] = [
    (bd.plan_taper, {"current": "20 mg"}, {"dose": "20 mg"}),
    (bd.plan_taper, {"current": ["20 mg", "10 mg", "20 mg"]}, {"doses": ["20 mg", "10 mg", "20 mg"]}),
    (bd.plan_taper, {"current": "20 mg", "every": "4 days"}, {"dose": "20 mg", "interval": "4 days"}),
    (bd.titration_bounds, {"current": "300 mcg/day"}, {"daily_dose": "300 mcg/day"}),
    (bd.plan_intrathecal_taper, {"current": "600 mcg/day"}, {"daily_dose": "600 mcg/day"}),
    (bd.dosing_weight, {"policy": "ideal"}, {"weight_policy": "ideal"}),
]
COMMON: dict[Callable[..., Any], dict[str, Any]] = {
    bd.plan_taper: {"times_per_day": 3, "start": "2026-03-02"},
    bd.titration_bounds: {"origin": "spinal"},
    bd.plan_intrathecal_taper: {"first_dose": "200 mcg/day", "start": "2026-01-05"},
    bd.dosing_weight: {"patient": PATIENT},
}


@pytest.mark.parametrize(("function", "old", "new"), RENAMES)
def test_old_spelling_warns_and_gives_the_same_result(
    function: Callable[..., Any], old: dict[str, Any], new: dict[str, Any]
) -> None:
    common = dict(COMMON[function])
    if "times_per_day" in common and "doses" in new:
        del common["times_per_day"]
    with pytest.deprecated_call(match="deprecated") as caught:
        before = function(**common, **old)
    assert all(issubclass(w.category, DeprecationWarning) for w in caught)
    assert before == function(**common, **new)


def test_old_and_new_spelling_together_are_refused() -> None:
    with pytest.raises(bd.InputError) as caught:
        bd.plan_taper(current="20 mg", dose="20 mg", times_per_day=3, start="2026-03-02")
    assert caught.value.field == "current"
    with pytest.raises(bd.InputError):
        bd.titration_bounds(current="300 mcg/day", daily_dose="300 mcg/day", origin="spinal")


def test_a_taper_without_a_dose_names_the_missing_input() -> None:
    with pytest.raises(bd.MissingInputError) as caught:
        bd.plan_taper(times_per_day=3, start="2026-03-02")  # type: ignore[call-arg]
    assert caught.value.field == "dose"


def test_new_spellings_are_the_signature() -> None:
    """inspect (and the docs) show only the new names; the old ones are accepted, not listed."""
    assert {"dose", "doses", "interval"} <= set(inspect.signature(bd.plan_taper).parameters)
    assert not {"current", "every"} & set(inspect.signature(bd.plan_taper).parameters)
    for function in (bd.titration_bounds, bd.plan_intrathecal_taper):
        parameters = inspect.signature(function).parameters
        assert "daily_dose" in parameters and "current" not in parameters
        assert parameters["daily_dose"].default is inspect.Parameter.empty  # SAF-15
    assert "weight_policy" in inspect.signature(bd.dosing_weight).parameters


def _public() -> Iterator[tuple[str, Any]]:
    """Every public callable: the names of the package and of its route, check and render
    subpackages, with the public methods and constructors of public classes."""
    seen: set[int] = set()
    modules = [bd, *(importlib.import_module(f"baclofen_dose.{n}") for n in SUBPACKAGES)]
    for module in modules:
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if obj is None or id(obj) in seen:
                continue
            seen.add(id(obj))
            if inspect.isclass(obj):
                # An error keeps what the caller gave, which may be anything (its subject).
                if issubclass(obj, (BaclofenDoseError, BaclofenDoseWarning, BaseException)):
                    continue
                for attribute, member in vars(obj).items():
                    if attribute.startswith("_") and attribute != "__init__":
                        continue
                    if isinstance(member, (classmethod, staticmethod)):
                        member = member.__func__
                    if inspect.isfunction(member):
                        yield f"{module.__name__}.{name}.{attribute}", member
            elif inspect.isfunction(obj) or (callable(obj) and hasattr(obj, "__wrapped__")):
                yield f"{module.__name__}.{name}", obj


def test_no_public_parameter_is_typed_object() -> None:
    """Style 8 (httpx ``_types.py``): each public parameter names its input shape."""
    offenders = []
    for name, function in _public():
        try:
            hints = inspect.signature(function, eval_str=False).parameters
        except (TypeError, ValueError):
            continue
        for parameter in hints.values():
            annotation = parameter.annotation
            text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
            words = str(text).replace("[", " ").replace("]", " ").replace("|", " ").replace(",", " ")
            if "object" in words.split():
                offenders.append(f"{name}({parameter.name}: {text})")
    assert not offenders, "public parameters typed object:\n" + "\n".join(sorted(offenders))
