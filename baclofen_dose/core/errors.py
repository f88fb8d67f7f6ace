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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from baclofen_dose.core import display

if TYPE_CHECKING:
    from baclofen_dose.core.model import Amount

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
    "MissingInputError",
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
    """Root of every error the library raises on purpose.

    Subclasses keep their values as attributes and build the message from them in
    ``__str__`` (as pint's errors do), so a program reads the values and a person the text.
    """

    code: str = "E_BACLOFEN_DOSE"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self._text = message
        if code is not None:
            self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))

    def _message(self) -> str:
        return self._text

    @property
    def message(self) -> str:
        """The message for people (the same as ``str(error)``)."""
        return self._message()

    def __str__(self) -> str:
        return self._message()


def _rebuild(cls: type[BaclofenDoseError], state: dict[str, Any]) -> BaclofenDoseError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("_text", ""))
    err.__dict__.update(state)
    return err


def _fill(template: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return template
    return display.fill(template, params)


class InputError(BaclofenDoseError, ValueError):
    """A value was received that the library cannot use.

    ``field`` names the parameter, ``value`` is what was received (as given) and
    ``expected`` says what would have been accepted; ``problem`` what is wrong with it.
    ``expected`` and ``problem`` may name typed values in braces (``"a multiple of {grid}"``)
    kept in ``params``; the message writes them through the formatter.
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
        params: Mapping[str, Any] | None = None,
        rule_id: str | None = None,
    ) -> None:
        super().__init__(code=code)
        self.field = field
        self.value = value
        self.expected_template = expected
        self.problem_template = problem
        self.params = dict(params or {})
        self.rule_id = rule_id

    @property
    def expected(self) -> str:
        """What would have been accepted, in words (the template filled from ``params``)."""
        return _fill(self.expected_template, self.params)

    @property
    def problem(self) -> str | None:
        """What is wrong with the value, in words (filled from ``params``), if said."""
        if self.problem_template is None:
            return None
        return _fill(self.problem_template, self.params)

    def _message(self) -> str:
        what = self.problem or "is not valid"
        return f"{self.field}: {_shown_value(self.value)} {what}; expected {self.expected}"


class MissingInputError(InputError):
    """A clinical input a rule needs was not given; no value is ever assumed for it."""

    code = "E_MISSING_INPUT"

    def __init__(self, field: str, expected: str, needed_for: str) -> None:
        super().__init__(field, None, expected, code="E_MISSING_INPUT")
        self.needed_for = needed_for

    def _message(self) -> str:
        return (
            f"{self.field} is missing: {self.needed_for} needs it, and no value is ever "
            f"assumed; expected {self.expected}"
        )


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
        super().__init__(code=code)
        self.field = field
        self.value = value
        self.expected = expected

    def _message(self) -> str:
        return (
            f"{self.field}: got {type(self.value).__name__} {shown(self.value)}; "
            f"expected {self.expected}"
        )


class LimitError(BaclofenDoseError):
    """A limit from the rule data refused the request. ``rule_id`` names the rule."""

    code = "E_LIMIT"
    rule_id: str = ""


def _shown_value(value: object) -> str:
    """A received value for a message; an exact amount (a computed value) in its house unit."""
    if hasattr(value, "kind") and hasattr(value, "style"):
        return repr(display.param(value))  # type: ignore[arg-type]
    return shown(value)


def _value_text(value: object) -> str:
    return value if isinstance(value, str) else display.param(value)  # type: ignore[arg-type]


class HardLimitError(LimitError):
    """A hard limit would be crossed. Nothing is returned, and no override exists for it.

    ``value`` and ``limit`` are exact amounts with their kind
    (:class:`~baclofen_dose.core.model.Amount`), or a text for a limit without a number.
    """

    code = "E_HARD_LIMIT"

    def __init__(
        self,
        rule_id: str,
        value: object,
        limit: object,
        *,
        what: str,
        problem: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.rule_id = rule_id
        self.value = value
        self.limit = limit
        self.what = what
        self.problem = problem
        self.params = dict(params or {})

    def _message(self) -> str:
        # ``problem`` words a limit that is not a bound ("is not the screening strength").
        limit = _value_text(self.limit)
        crossed = (
            _fill(self.problem, self.params)
            if self.problem
            else f"would cross the hard limit {limit}"
        )
        return (
            f"{self.what}: {_value_text(self.value)} {crossed} (rule {self.rule_id}); "
            "hard limits cannot be overridden"
        )


class LimitCrossing:
    """One soft limit a request would cross: the rule, what, the value and the limit.

    ``value`` and ``limit`` are exact amounts with their kind, or a text for a condition
    without a number ("on dialysis").
    """

    __slots__ = ("limit", "rule_id", "value", "what")

    def __init__(self, rule_id: str, what: str, value: Amount | str, limit: Amount | str) -> None:
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

    @property
    def value_text(self) -> str:
        """The value as people read it."""
        return _value_text(self.value)

    @property
    def limit_text(self) -> str:
        """The limit as people read it."""
        return _value_text(self.limit)


class OverrideRequired(LimitError):  # noqa: N818 - the name design.md gives; it reads as a state
    """Soft limits would be crossed and no override was given for them.

    ``crossings`` lists every soft limit crossed (rule id, what, value, limit), so a caller can
    ask for all the overrides at once. An override names the rule and gives a reason.
    """

    code = "E_OVERRIDE_REQUIRED"

    def __init__(self, crossings: tuple[LimitCrossing, ...]) -> None:
        super().__init__()
        self.crossings = crossings
        self.rule_id = crossings[0].rule_id if crossings else ""

    def _message(self) -> str:
        parts = [
            f"{c.what} {c.value_text} crosses the soft limit {c.limit_text} (rule {c.rule_id})"
            for c in self.crossings
        ]
        needed = ", ".join(c.rule_id for c in self.crossings)
        return "; ".join(parts) + f". To go on, give an override with a reason for: {needed}"


class AbruptStopError(HardLimitError):
    """A plan would stop intrathecal baclofen abruptly (a daily dose of zero): always refused.

    Abrupt discontinuation of intrathecal baclofen has caused high fever, rebound rigidity,
    rhabdomyolysis and death (boxed warning); no override exists.
    """

    code = "E_ABRUPT_STOP"

    def __init__(self, rule_id: str, field: str, value: object, *, why: str) -> None:
        LimitError.__init__(self)
        self.rule_id = rule_id
        self.field = field
        self.value = value
        self.why = why
        self.limit = "more than zero"
        self.what = field
        self.problem = None
        self.params = {}

    def _message(self) -> str:
        return (
            f"{self.field}: {_value_text(self.value)} would stop intrathecal baclofen abruptly "
            f"(rule {self.rule_id}); {self.why}; this is never planned and cannot be overridden"
        )


class ConfirmationRequired(LimitError):  # noqa: N818 - reads as a state, like OverrideRequired
    """A change that is allowed only when the caller confirms it explicitly (``confirm``).

    ``confirm`` names the library parameter that confirms it. ``what`` may name typed values
    in braces (``"from {before} to {after}"``) kept in ``params``.
    """

    code = "E_CONFIRM_REQUIRED"

    def __init__(
        self, rule_id: str, what: str, confirm: str, *, params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__()
        self.rule_id = rule_id
        self.what = what
        self.confirm = confirm
        self.params = dict(params or {})

    def _message(self) -> str:
        return (
            f"{_fill(self.what, getattr(self, 'params', None))} (rule {self.rule_id}); "
            f"to go on, confirm it explicitly with {self.confirm}"
        )


class RuleSetError(BaclofenDoseError):
    """The rule data is invalid: ``field`` names the rule id or key at fault."""

    code = "E_RULESET_INVALID"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__()
        self.field = field
        self.problem = problem

    def _message(self) -> str:
        return f"rule data: {self.field}: {self.problem}"


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
    MissingInputError,
    OverrideRequired,
    RuleSetError,
    UnitError,
):
    _cls.__module__ = "baclofen_dose"
del _cls
