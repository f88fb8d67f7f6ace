"""The error tree: builtin mixins, structured fields, pickling (design.md errors; SAF-19)."""

from __future__ import annotations

import pickle

import pytest

from baclofen_dose.core import errors


@pytest.mark.parametrize(
    "error",
    [
        errors.InputError("dose", "5 foo", "an amount in mg", code="E_UNIT"),
        errors.UnitError("dose", "5 mL", "an amount in mg"),
        errors.ImplausibleValueError("weight", "70 g", "a weight in kg"),
        errors.InputTypeError("dose", 5, "a Quantity"),
        errors.HardLimitError(
            "oral.adult.max_daily.hard", "130 mg/day", "120 mg/day", what="target"
        ),
        errors.OverrideRequired(
            (errors.LimitCrossing("r.x", "daily dose", "100 mg/day", "80 mg/day"),)
        ),
        errors.RuleSetError("oral.adult.start.dose", "has no source"),
    ],
)
def test_errors_pickle_with_their_fields(error: errors.BaclofenDoseError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.__dict__ == error.__dict__


def test_builtin_mixins() -> None:
    assert issubclass(errors.InputError, ValueError)
    assert issubclass(errors.UnitError, errors.InputError)
    assert issubclass(errors.InputTypeError, TypeError)
    assert issubclass(errors.HardLimitError, errors.LimitError)
    assert issubclass(errors.OverrideRequired, errors.LimitError)
    assert issubclass(errors.BaclofenDoseWarning, UserWarning)
    for cls in (errors.InputError, errors.InputTypeError, errors.LimitError, errors.RuleSetError):
        assert issubclass(cls, errors.BaclofenDoseError)


def test_messages_name_field_value_and_expectation() -> None:
    err = errors.InputError(
        "target", "60", "a daily amount such as '60 mg/day'", problem="has no unit"
    )
    assert str(err) == "target: '60' has no unit; expected a daily amount such as '60 mg/day'"
    assert (err.field, err.value, err.expected) == (
        "target",
        "60",
        "a daily amount such as '60 mg/day'",
    )


def test_received_values_are_shown_safely() -> None:
    err = errors.InputError("dose", "5\u202emg" + "x" * 100, "an amount")
    assert str(err).isascii() and "truncated" in str(err)
