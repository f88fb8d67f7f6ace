"""The value model every result shares: amounts, findings, reasons, overrides and provenance.

Everything here is data. A :class:`Finding` is a rule id, a severity, a stable ``code`` and
typed ``params`` (exact amounts with their kind, dates, counts, rule values); it holds no
sentence. ``render/`` writes every sentence from the code and the params (one template per
code), so wording can change or be translated without touching a planner.

>>> from fractions import Fraction
>>> from baclofen_dose.core import kinds
>>> f = Finding("oral.adult.dose.grid", "warning", "ROUNDED_DOWN",
...             {"raw": Amount(Fraction(15, 2), kinds.ORAL_DAILY_DOSE, "estimate")})
>>> f.values["raw"].value
Fraction(15, 2)
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, TypeVar, runtime_checkable

import attrs

from baclofen_dose._version import VERSION
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.kinds import Kind
from baclofen_dose.core.memo import MEMO_SIZE

if TYPE_CHECKING:
    from baclofen_dose.core.rules import RuleSet

__all__ = [
    "Amount",
    "Finding",
    "Override",
    "ParamValue",
    "Params",
    "Provenance",
    "Reason",
    "Result",
    "Severity",
    "Style",
    "contiguous",
    "freeze_params",
    "of_type",
    "trusted",
    "trusted_amount",
    "tuple_of",
]


class Severity(StrEnum):
    """How much a finding matters. ``HARD``: a hard limit is crossed (order checks only)."""

    INFO = "info"
    WARNING = "warning"
    HARD = "hard"


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)

Style = Literal["exact", "estimate", "approx"]
"""How an amount is shown: ``exact`` (a dose: refused if it cannot be written exactly),
``estimate`` (a computed value: rounded to the kind's places when not exact), ``approx``
(exact when two places hold it, else "about ...")."""

_STYLES: tuple[str, ...] = ("exact", "estimate", "approx")


def _fraction(_: object, attribute: attrs.Attribute[Fraction], value: object) -> None:
    if type(value) is not Fraction and not isinstance(value, Fraction):
        raise InputTypeError(attribute.name, value, "an exact Fraction")


def _kind(_: object, attribute: attrs.Attribute[Kind], value: object) -> None:
    if type(value) is not Kind and not isinstance(value, Kind):
        raise InputTypeError(attribute.name, value, "a Kind")


def _style(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in _STYLES:
        raise InputError(attribute.name, value, " or ".join(_STYLES), code="E_INPUT")


@attrs.frozen
class Amount:
    """An exact amount and its kind (``Fraction(15, 2)`` of ``ORAL_DOSE`` is 7.5 mg).

    ``style`` tells the formatter how to write it; it is not part of the value's meaning.
    """

    value: Fraction = attrs.field(validator=_fraction)
    kind: Kind = attrs.field(validator=_kind)
    style: Style = attrs.field(default="exact", validator=_style)


ParamValue: TypeAlias = (
    "Amount | date | Fraction | int | str | bool | tuple[Amount, ...] | tuple[str, ...] | None"
)
"""A typed parameter of a finding, reason, error or provenance input."""

Params: TypeAlias = "tuple[tuple[str, ParamValue], ...]"
"""Parameters as an immutable, ordered tuple of (name, value) pairs."""

_SCALARS = (Amount, date, Fraction, int, str, bool, type(None))


_PLAIN = frozenset({str, int, bool, type(None), Fraction, date})


def _check_param(name: str, value: object) -> None:
    if type(value) in _PLAIN or type(value) is Amount:
        return
    if isinstance(value, tuple):
        if all(isinstance(v, Amount) for v in value) or all(isinstance(v, str) for v in value):
            return
    elif isinstance(value, _SCALARS) and not isinstance(value, float):
        return
    raise InputTypeError(
        f"params[{name}]",
        value,
        "an Amount, date, Fraction, int, str, bool, None or a tuple of Amounts or strings",
    )


def freeze_params(params: Mapping[str, ParamValue] | Sequence[tuple[str, ParamValue]]) -> Params:
    """Params as an immutable tuple of (name, value) pairs, each value checked for its type.

    >>> freeze_params({"count": 3})
    (('count', 3),)
    """
    if type(params) is dict:
        # The common case (a planner's dict literal): names and plain values checked inline.
        for name, value in params.items():
            if type(name) is not str and not isinstance(name, str):
                raise InputTypeError(
                    "params", (name, value), "(name, value) pairs with string names"
                )
            if type(value) not in _PLAIN and type(value) is not Amount:
                _check_param(name, value)
        return tuple(params.items())
    if isinstance(params, Mapping):
        items = list(params.items())
    elif isinstance(params, (tuple, list)):
        items = list(params)
    else:
        raise InputTypeError("params", params, "a mapping of name to value")
    out = []
    for item in items:
        try:
            name, value = item
        except (TypeError, ValueError):
            raise InputTypeError("params", item, "(name, value) pairs") from None
        if type(name) is not str and not isinstance(name, str):
            raise InputTypeError("params", item, "(name, value) pairs with string names")
        if type(value) not in _PLAIN and type(value) is not Amount:
            _check_param(name, value)
        out.append((name, value))
    return tuple(out)


def _text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise InputTypeError(attribute.name, value, "a non-empty string")


def _severity(value: Severity | str) -> Severity:
    if isinstance(value, Severity):
        return value
    if isinstance(value, str) and value in SEVERITIES:
        return Severity(value)
    raise InputError("severity", value, " or ".join(SEVERITIES), code="E_SEVERITY")


@attrs.frozen
class Finding:
    """A structured finding: the rule behind it, its severity, a stable code and typed values.

    ``code`` names the sentence render/ writes (``"ROUNDED_DOWN"``; ``"ADVICE"`` for a rule's
    own advice text, carried as the ``text`` param); ``params`` are the values it cites.
    ``citation`` is the rule's source as the rule data writes it. ``override_reason`` is set
    when the finding records a soft limit crossed by an override.
    """

    rule_id: str = attrs.field(validator=_text)
    severity: Severity = attrs.field(converter=_severity)
    code: str = attrs.field(validator=_text)
    params: Params = attrs.field(default=(), converter=freeze_params)
    citation: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    override_reason: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(_text)
    )

    @property
    def values(self) -> Mapping[str, ParamValue]:
        """The params as a read-only mapping."""
        return dict(self.params)


@attrs.frozen
class Reason:
    """Why a step is what it is: a stable code (``"START"``, ``"LABEL_STEP"``...) and values."""

    code: str = attrs.field(validator=_text)
    params: Params = attrs.field(default=(), converter=freeze_params)

    @property
    def values(self) -> Mapping[str, ParamValue]:
        """The params as a read-only mapping."""
        return dict(self.params)


@attrs.frozen
class Override:
    """Permission to cross one soft limit: the rule id and the reason, both recorded."""

    rule_id: str = attrs.field(validator=_text)
    reason: str = attrs.field(validator=_text)


@attrs.frozen
class Provenance:
    """What produced a result: library and rule-set identity, rules used and typed inputs."""

    library_version: str
    ruleset_id: str
    ruleset_version: str
    ruleset_sha256: str
    rule_ids: tuple[str, ...]
    inputs: Params = attrs.field(converter=freeze_params)

    @classmethod
    def of(
        cls,
        rules: RuleSet,
        rule_ids: Sequence[str],
        inputs: Mapping[str, ParamValue] | Sequence[tuple[str, ParamValue]],
    ) -> Provenance:
        """Provenance for a result computed now with ``rules``."""
        return cls(
            library_version=VERSION,
            ruleset_id=rules.id,
            ruleset_version=rules.version,
            ruleset_sha256=rules.sha256,
            rule_ids=tuple(sorted(set(rule_ids))),
            inputs=inputs,
        )

    @classmethod
    def made(cls, rules: RuleSet, rule_ids: Sequence[str], inputs: Params) -> Provenance:
        """As :meth:`of`, for inputs the library built itself as a frozen tuple of typed
        (name, value) pairs (a check's order and inputs): not checked again."""
        return trusted(
            cls,
            library_version=VERSION,
            ruleset_id=rules.id,
            ruleset_version=rules.version,
            ruleset_sha256=rules.sha256,
            rule_ids=_sorted_ids(tuple(rule_ids)),
            inputs=inputs,
        )

    @property
    def values(self) -> Mapping[str, ParamValue]:
        """The inputs as a read-only mapping."""
        return dict(self.inputs)


@lru_cache(maxsize=MEMO_SIZE)
def _sorted_ids(rule_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct rule ids, sorted: a pure function of the ids a check read (a check of
    the same shape reads the same ids), so it is worked out once per sequence of ids."""
    return tuple(sorted(set(rule_ids)))


Route = Literal["oral", "intrathecal"]


@runtime_checkable
class Result(Protocol):
    """What every result exposes: findings, provenance, its route and a schema id.

    Every result type goes through the same ``to_json``/``from_json``/``table``/``text``
    functions in render/ (single dispatch on the type).
    """

    @property
    def findings(self) -> tuple[Finding, ...]: ...

    @property
    def provenance(self) -> Provenance: ...

    @property
    def route(self) -> Route: ...

    @property
    def schema(self) -> str: ...


_T = TypeVar("_T")
_SETTERS: dict[type, tuple[tuple[str, Any], ...]] = {}


def trusted(cls: type[_T], **fields: Any) -> _T:
    """An instance of the attrs record ``cls`` from values the library itself made and
    checked, without running its validators and converters again (the hot path of a check).

    Only for internal construction: ``params`` must already be a frozen tuple of (name,
    value) pairs and ``severity`` a :class:`Severity`. Every field must be given; a caller's
    values go through the public constructors, which validate them (issue 9).

    >>> from baclofen_dose.core import kinds
    >>> trusted(Amount, value=Fraction(5), kind=kinds.ORAL_DOSE, style="exact") == Amount(
    ...     Fraction(5), kinds.ORAL_DOSE)
    True
    """
    setters = _SETTERS.get(cls)
    if setters is None:
        # The slot of each field (attrs records here are slotted and frozen): set directly,
        # as attrs' own __init__ does.
        setters = _SETTERS[cls] = tuple(
            (a.name, getattr(cls, a.name).__set__)
            for a in attrs.fields(cls)  # type: ignore[arg-type]
        )
    if len(fields) != len(setters):
        raise TypeError(f"{cls.__name__}: every field is needed, got {sorted(fields)}")
    made = object.__new__(cls)
    for name, setter in setters:
        setter(made, fields[name])
    return made


_new = object.__new__
_set_value = getattr(Amount, "value").__set__  # noqa: B009 - the slot, not the class field
_set_kind = getattr(Amount, "kind").__set__  # noqa: B009
_set_style = getattr(Amount, "style").__set__  # noqa: B009


def trusted_amount(value: Fraction, kind: Kind, style: Style = "exact") -> Amount:
    """:func:`trusted` for an :class:`Amount` (the record a check makes most): ``value`` an
    exact Fraction the library computed, ``kind`` one of its kinds.

    >>> from baclofen_dose.core import kinds
    >>> trusted_amount(Fraction(5), kinds.ORAL_DOSE) == Amount(Fraction(5), kinds.ORAL_DOSE)
    True
    """
    made = _new(Amount)
    _set_value(made, value)
    _set_kind(made, kind)
    _set_style(made, style)
    return made


def of_type(*types: type, optional: bool = False) -> Any:
    """An attrs validator: the value is an instance of ``types`` (a library error otherwise);
    ``optional``: or ``None`` (as ``attrs.validators.optional``, in one call).

    Public record classes validate what they are built from, so a hand-built result cannot
    skip the checks a planner makes (issue 9).
    """
    expected = " or ".join(t.__name__ for t in types)
    exact = frozenset(types) | ({type(None)} if optional else set())

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) in exact:  # the usual case, decided without isinstance
            return
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise InputTypeError(attribute.name, value, f"a {expected}")

    return check


def tuple_of(item: type, *, nonempty: bool = False) -> Any:
    """An attrs validator: a tuple of ``item`` instances (non-empty when asked)."""

    expected = f"a {'non-empty ' if nonempty else ''}tuple of {item.__name__}"

    def check(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, tuple) or (nonempty and not value):
            raise InputTypeError(attribute.name, value, expected)
        for entry in value:  # the usual case, no isinstance (and no generator: every step)
            if type(entry) is not item:
                break
        else:
            return
        for entry in value:
            if not isinstance(entry, item):
                raise InputTypeError(attribute.name, entry, expected)

    return check


def contiguous(_: object, attribute: attrs.Attribute[Any], steps: Sequence[Any]) -> None:
    """An attrs validator: dated steps follow one another day by day, the last one open-ended
    or not, every other one with an end on or after its start."""
    for index, (step, following) in enumerate(itertools.pairwise(steps)):
        if step.end is None or step.end < step.start or (following.start - step.end).days != 1:
            raise InputError(
                f"{attribute.name}[{index}]",
                step.start.isoformat(),
                "steps that follow one another day by day, each ending the day before the next",
                problem="does not end the day before the next step starts",
                code="E_SCHEDULE",
            )
    if steps and steps[-1].end is not None and steps[-1].end < steps[-1].start:
        raise InputError(
            f"{attribute.name}[{len(steps) - 1}]",
            steps[-1].start.isoformat(),
            "an end on or after the start",
            problem="ends before it starts",
            code="E_SCHEDULE",
        )
