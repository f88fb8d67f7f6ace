"""One result protocol: every result goes through the same functions, by single dispatch.

Each renderer module registers its result types here:

- ``to_data.register(ResultType)``: the result as JSON-ready data (a ``schema`` key first);
- ``table.register``, ``text.register``, ``to_csv.register`` (where the result has rows);
- ``register_reader(schema_id, reader)``: rebuilds the result from its data, through the
  same checks as planning (a file is never believed).

:func:`to_json` and :func:`from_json` are then the same two functions for every result type,
and ``from_json(to_json(result)) == result``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from decimal import Decimal
from functools import singledispatch
from typing import Any, Final

from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.model import Result
from baclofen_dose.core.rules import RuleSet, default_rules
from baclofen_dose.render.codec import dumps

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "from_json",
    "reading_rules",
    "register_reader",
    "schemas",
    "table",
    "text",
    "to_csv",
    "to_data",
    "to_json",
]

MAX_JSON_BYTES: Final = 4_000_000
"""The largest JSON document read (a year's daily plan is far below it)."""
MAX_JSON_DEPTH: Final = 32
"""The deepest nesting read; deeper documents are refused before parsing."""

_READERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {}


def _unsupported(name: str, result: object) -> InputTypeError:
    return InputTypeError("result", result, f"a baclofen-dose result that has a {name} form")


@singledispatch
def to_data(result: object) -> dict[str, Any]:
    """The result as JSON-ready data (exact Decimal numbers, typed params)."""
    raise _unsupported("JSON", result)


@singledispatch
def table(result: object, **options: Any) -> str:
    """The printable table of a result, with findings, working and sources."""
    raise _unsupported("table", result)


@singledispatch
def text(result: object, **options: Any) -> str:
    """Plain-English lines for a result."""
    raise _unsupported("text", result)


@singledispatch
def to_csv(result: Result, **options: Any) -> str:
    """CSV rows for a result that has rows (a schedule)."""
    raise _unsupported("CSV", result)


def register_reader(schema: str, reader: Callable[[Mapping[str, Any]], Any]) -> None:
    """Register the reader for one schema id (each id once)."""
    if schema in _READERS and _READERS[schema] is not reader:
        raise RuntimeError(f"schema {schema!r} has a reader already")
    _READERS[schema] = reader


def schemas() -> tuple[str, ...]:
    """Every schema id a reader is registered for."""
    return tuple(sorted(_READERS))


def to_json(result: Result) -> str:
    """The result as JSON text: exact numbers, ``{"value", "unit"}`` amounts, UCUM units."""
    return dumps(to_data(result))


def _bad(field: str, value: object, expected: str) -> InputError:
    return InputError(field, value, expected, code="E_JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)  # at C speed; only a document with a repeated key is walked again
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _bad("json", key, "each key once in an object")
            seen.add(key)
    return found


def _no_constant(name: str) -> None:
    raise _bad("json", name, "finite numbers only (no NaN or Infinity)")


# The depth check runs before parsing, at C speed (regular expressions, no Python loop over
# the characters): strings are blanked (an escaped quote does not end one), everything but
# brackets is dropped, and innermost bracket pairs are removed one level per pass.
_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]+")
_INNERMOST: Final = re.compile(r"\[\]|\{\}")


def _nesting(text: str, most: int) -> int | None:
    """The nesting depth of JSON text when it is at most ``most``; ``most + 1`` when deeper;
    ``None`` when its brackets do not balance (not JSON)."""
    outside = _STRING.sub("", text)
    if '"' in outside:  # a string that never ends: not JSON (refused, never measured wrongly)
        return None
    skeleton = _NOT_BRACKET.sub("", outside)
    for depth in range(most + 1):
        if not skeleton:
            return depth
        shorter = _INNERMOST.sub("", skeleton)
        if len(shorter) == len(skeleton):
            return None
        skeleton = shorter
    return most + 1


def parse_json(source: str | bytes) -> Mapping[str, Any]:
    """Parse JSON text with limits: size, depth, UTF-8, duplicate keys, NaN, exact numbers."""
    if isinstance(source, bytes):
        if len(source) > MAX_JSON_BYTES:
            raise _bad("json", f"{len(source)} bytes", f"at most {MAX_JSON_BYTES} bytes")
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad("json", source[:20], "UTF-8 text") from None
    if not isinstance(source, str):
        raise InputTypeError("json", source, "JSON text (str or UTF-8 bytes)")
    if len(source) > MAX_JSON_BYTES:
        raise _bad("json", f"{len(source)} characters", f"at most {MAX_JSON_BYTES} characters")
    depth = _nesting(source, MAX_JSON_DEPTH)
    if depth is None:
        raise _bad("json", source[:40], "JSON text (its brackets do not balance)")
    if depth > MAX_JSON_DEPTH:
        raise _bad("json", source[:20], f"nesting at most {MAX_JSON_DEPTH} levels deep")
    try:
        data = json.loads(
            source,
            parse_float=Decimal,
            parse_constant=_no_constant,
            object_pairs_hook=_no_duplicates,
        )
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        raise _bad("json", source[:40], f"JSON text ({exc})") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise _bad("json", source[:20], "less deeply nested JSON") from None
    if not isinstance(data, Mapping):
        raise _bad("json", source[:40], "a JSON object")
    return data


_READING_RULES: ContextVar[RuleSet | None] = ContextVar("reading_rules", default=None)


def reading_rules() -> RuleSet:
    """The rule set a reader re-checks against: the one given to :func:`from_json`, or the
    bundled one."""
    given = _READING_RULES.get()
    return default_rules() if given is None else given


def from_json(source: str | bytes, *, rules: RuleSet | None = None) -> Any:
    """Read any result written by :func:`to_json`, by its ``schema`` id, and re-validate it.

    Nothing read is believed: the reader rebuilds the result through the planners' checks
    (a plan is planned again from its recorded inputs and must come out identical). A result
    made with another rule set (its SHA-256 differs) is refused unless that rule set is given
    as ``rules``.

    Raises ``InputError`` (``E_JSON``, ``E_RULESET_MISMATCH``, ``E_TAMPERED``) for a document
    that is malformed, made with other rules, or not what the rules give, and the planners'
    ``HardLimitError``/``OverrideRequired`` when its recorded inputs cross a limit.
    """
    if rules is not None and not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    data = parse_json(source)
    schema = data.get("schema")
    reader = _READERS.get(schema) if isinstance(schema, str) else None
    if reader is None:
        raise _bad("schema", schema, "one of " + ", ".join(schemas()))
    expected = rules if rules is not None else default_rules()
    _check_ruleset(data, expected)
    token = _READING_RULES.set(expected)
    try:
        return reader(data)
    finally:
        _READING_RULES.reset(token)


def _check_ruleset(data: Mapping[str, Any], rules: RuleSet) -> None:
    prov = data.get("provenance")
    ruleset = prov.get("ruleset") if isinstance(prov, Mapping) else None
    digest = ruleset.get("sha256") if isinstance(ruleset, Mapping) else None
    if digest != rules.sha256:
        raise InputError(
            "provenance.ruleset.sha256",
            digest,
            "the SHA-256 of the rule set in use ({sha}); to read a result made with another "
            "rule file, load that file and pass it as rules",
            problem="names another rule set",
            params={"sha": rules.sha256},
            code="E_RULESET_MISMATCH",
        )
