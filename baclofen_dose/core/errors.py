"""Every exception and warning the library raises.

The tree::

    BaclofenDoseError (Exception)            catch-all: code, message
      InputError (+ValueError)               a bad value: field, value, expected
        UnitError                            unknown or disallowed unit, wrong dimension, no unit
        ImplausibleValueError                outside the field's plausibility band
      InputTypeError (+TypeError)            wrong type (a float for a quantity, a bool...)
      LimitError                             a rule-data limit refused the request: rule_id
        HardLimitError                       a hard limit: never crossed, no override exists
          AbruptStopError                    a plan that would stop intrathecal baclofen abruptly
        OverrideRequired                     soft limits crossed without an override: crossings
        ConfirmationRequired                 a change that must be confirmed explicitly first
      RuleSetError                           invalid rule data: field names the rule or key
    BaclofenDoseWarning (UserWarning)

Each error has a stable ``code`` (``E_NUMBER_SYNTAX``, ``E_HARD_LIMIT``...) for programs, and a
message in plain English that names the field, the value received and what was expected.
Errors from pint, attrs or the TOML parser never escape unwrapped. Every error pickles.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AbruptStopError",
    "BaclofenDoseError",
    "BaclofenDoseWarning",
    "ConfirmationRequired",
    "HardLimitError",
    "ImplausibleValueError",
    "InputError",
    "InputTypeError",
    "LimitCrossing",
    "LimitError",
    "OverrideRequired",
    "RuleSetError",
    "UnitError",
]

_MAX_SHOWN = 60


def shown(value: object) -> str:
    """Return a short, printable, safe rendering of a received value for an error message.

    Non-ASCII and control characters are escaped so that an error message can never carry
    display spoofing (right-to-left overrides, zero-width spaces) or a micro sign.

    >>> shown("5\\u00b5g")
    "'5\\\\xb5g'"
    """
    text = ascii(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 12] + " (truncated)"
    return text


class BaclofenDoseError(Exception):
    """Root of every error the library raises on purpose."""

    code: str = "E_BACLOFEN_DOSE"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))

    def __str__(self) -> str:
        return self.message


def _rebuild(cls: type[BaclofenDoseError], state: dict[str, Any]) -> BaclofenDoseError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class InputError(BaclofenDoseError, ValueError):
    """A value was received that the library cannot use.

    ``field`` names the parameter, ``value`` is what was received (as given) and
    ``expected`` says what would have been accepted.
    """

    code = "E_INPUT"

    def __init__(
        self,
        field: str,
        value: object,
        expected: str,
        *,
        problem: str | None = None,
        code: str | None = None,
    ) -> None:
        what = problem or "is not valid"
        message = f"{field}: {shown(value)} {what}; expected {expected}"
        super().__init__(message, code=code)
        self.field = field
        self.value = value
        self.expected = expected


class UnitError(InputError):
    """A unit that is missing, unknown, not allowed for the field, or of the wrong dimension."""

    code = "E_UNIT"


class ImplausibleValueError(InputError):
    """A value outside the plausibility band for its field (often a unit mix-up)."""

    code = "E_IMPLAUSIBLE"


class InputTypeError(BaclofenDoseError, TypeError):
    """A value of the wrong Python type (a bare number, a bool, a naive datetime...)."""

    code = "E_TYPE"

    def __init__(self, field: str, value: object, expected: str, *, code: str | None = None):
        message = f"{field}: got {type(value).__name__} {shown(value)}; expected {expected}"
        super().__init__(message, code=code)
        self.field = field
        self.value = value
        self.expected = expected


class LimitError(BaclofenDoseError):
    """A limit from the rule data refused the request. ``rule_id`` names the rule."""

    code = "E_LIMIT"
    rule_id: str = ""


class HardLimitError(LimitError):
    """A hard limit would be crossed. Nothing is returned, and no override exists for it."""

    code = "E_HARD_LIMIT"

    def __init__(
        self, rule_id: str, value: str, limit: str, *, what: str, problem: str | None = None
    ) -> None:
        # ``problem`` words a limit that is not a bound ("is not the screening strength").
        crossed = problem or f"would cross the hard limit {limit}"
        message = f"{what}: {value} {crossed} (rule {rule_id}); hard limits cannot be overridden"
        super().__init__(message)
        self.rule_id = rule_id
        self.value = value
        self.limit = limit


class LimitCrossing:
    """One soft limit a request would cross: the rule, the value and the limit (display text)."""

    __slots__ = ("limit", "rule_id", "value", "what")

    def __init__(self, rule_id: str, what: str, value: str, limit: str) -> None:
        self.rule_id = rule_id
        self.what = what
        self.value = value
        self.limit = limit

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LimitCrossing):
            return NotImplemented
        return (self.rule_id, self.what, self.value, self.limit) == (
            other.rule_id,
            other.what,
            other.value,
            other.limit,
        )

    def __hash__(self) -> int:
        return hash((self.rule_id, self.what, self.value, self.limit))

    def __repr__(self) -> str:
        return f"LimitCrossing({self.rule_id!r}, {self.what!r}, {self.value!r}, {self.limit!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (LimitCrossing, (self.rule_id, self.what, self.value, self.limit))


class OverrideRequired(LimitError):  # noqa: N818 - the name design.md gives; it reads as a state
    """Soft limits would be crossed and no override was given for them.

    ``crossings`` lists every soft limit crossed (rule id, what, value, limit), so a caller can
    ask for all the overrides at once. An override names the rule and gives a reason.
    """

    code = "E_OVERRIDE_REQUIRED"

    def __init__(self, crossings: tuple[LimitCrossing, ...]) -> None:
        parts = [
            f"{c.what} {c.value} crosses the soft limit {c.limit} (rule {c.rule_id})"
            for c in crossings
        ]
        needed = ", ".join(c.rule_id for c in crossings)
        message = (
            "; ".join(parts)
            + f". To go on, give an override with a reason for: {needed}"
            + " (command line: --override RULE_ID=REASON)"
        )
        super().__init__(message)
        self.crossings = crossings
        self.rule_id = crossings[0].rule_id if crossings else ""


class AbruptStopError(HardLimitError):
    """A plan would stop intrathecal baclofen abruptly (a daily dose of zero): always refused.

    Abrupt discontinuation of intrathecal baclofen has caused high fever, rebound rigidity,
    rhabdomyolysis and death (boxed warning); no override exists.
    """

    code = "E_ABRUPT_STOP"

    def __init__(self, rule_id: str, field: str, value: str, *, why: str) -> None:
        LimitError.__init__(
            self,
            f"{field}: {value} would stop intrathecal baclofen abruptly (rule {rule_id}); "
            f"{why}; this is never planned and cannot be overridden",
        )
        self.rule_id = rule_id
        self.field = field
        self.value = value
        self.limit = "more than zero"


class ConfirmationRequired(LimitError):  # noqa: N818 - reads as a state, like OverrideRequired
    """A change that is allowed only when the caller confirms it explicitly (``confirm``)."""

    code = "E_CONFIRM_REQUIRED"

    def __init__(self, rule_id: str, what: str, confirm: str) -> None:
        super().__init__(f"{what} (rule {rule_id}); to go on, confirm it explicitly with {confirm}")
        self.rule_id = rule_id
        self.what = what
        self.confirm = confirm


class RuleSetError(BaclofenDoseError):
    """The rule data is invalid: ``field`` names the rule id or key at fault."""

    code = "E_RULESET_INVALID"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"rule data: {field}: {problem}")
        self.field = field
        self.problem = problem


class BaclofenDoseWarning(UserWarning):
    """Root of every warning the library emits."""


# Tracebacks and reprs show the public path (``baclofen_dose.HardLimitError``), as httpx does;
# pickling resolves the class through the package's public names.
for _cls in (
    AbruptStopError,
    BaclofenDoseError,
    BaclofenDoseWarning,
    ConfirmationRequired,
    HardLimitError,
    ImplausibleValueError,
    InputError,
    InputTypeError,
    LimitCrossing,
    LimitError,
    OverrideRequired,
    RuleSetError,
    UnitError,
):
    _cls.__module__ = "baclofen_dose"
del _cls
