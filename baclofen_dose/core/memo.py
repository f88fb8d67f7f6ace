"""Remembering pure functions of immutable inputs (issue 8 item 10, issue 11 speed).

A renal assessment is a pure function of an immutable patient, two policy names and an
immutable, hashed rule set; an order check is a pure function of its typed inputs. Both are
computed once for the same inputs and the immutable result is shared. Two things keep this
safe for a library that must never believe what it is given:

- **Keys keep types.** ``1``, ``True``, ``1.0`` and ``Fraction(1)`` compare equal in Python;
  here each value is keyed with its exact type, so a value the function would refuse (a bool
  for a count, a float for a dose) never finds the result of one it accepted.
- **Only plain values are keys.** Strings, whole numbers, bools, None, Fractions, dates, tuples
  and lists of those, mappings of those, and the immutable library types a caller names
  (rule sets and tables by their SHA-256). Anything else (a pint Quantity, an unknown object)
  is not remembered: the function simply runs. Errors are never remembered either: a refused
  input is refused again, with the same error, every time.

>>> calls = []
>>> @remember()
... def double(x: object) -> object:
...     calls.append(x)
...     return (x, x)
>>> double(x=2), double(x=2), double(x=True), len(calls)
((2, 2), (2, 2), (True, True), 2)
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime
from fractions import Fraction
from threading import Lock
from typing import Final, ParamSpec, TypeVar

__all__ = ["MEMO_SIZE", "key_of", "remember"]

MEMO_SIZE: Final = 4096
"""How many results each remembered function keeps (least recently used first out)."""

_P = ParamSpec("_P")
_R = TypeVar("_R")
_PLAIN: Final = frozenset({str, int, bool, type(None), Fraction, date, datetime})


_MISSING: Final = object()


class _NoKeyError(Exception):
    """A value that cannot be part of a key (the call then runs without the memo)."""


def _key(value: object, by_value: tuple[type, ...], by_sha256: tuple[type, ...]) -> Hashable:
    kind = type(value)
    if kind in _PLAIN:
        return (kind, value)
    if kind is tuple or kind is list:
        assert isinstance(value, (tuple, list))
        return (kind, tuple(_key(v, by_value, by_sha256) for v in value))
    if kind is dict and isinstance(value, dict):
        return (
            kind,
            frozenset(
                (_key(k, by_value, by_sha256), _key(v, by_value, by_sha256))
                for k, v in value.items()
            ),
        )
    if kind in by_sha256:
        return (kind, str(getattr(value, "sha256")))  # noqa: B009 - typed by the caller's list
    if kind in by_value:
        try:
            hash(value)
        except TypeError:
            raise _NoKeyError from None
        return (kind, value)
    raise _NoKeyError


def key_of(
    values: Mapping[str, object],
    *,
    by_value: tuple[type, ...] = (),
    by_sha256: tuple[type, ...] = (),
) -> Hashable | None:
    """A key for these named values that keeps each value's exact type, or ``None`` when one
    of them cannot be a key.

    >>> key_of({"n": 1}) == key_of({"n": True})
    False
    >>> key_of({"q": object()}) is None
    True
    """
    try:
        return tuple(
            (name, _key(value, by_value, by_sha256)) for name, value in sorted(values.items())
        )
    except _NoKeyError:
        return None


def remember(
    *, by_value: tuple[type, ...] = (), by_sha256: tuple[type, ...] = ()
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Remember a keyword-only pure function's results (see the module's docstring).

    ``by_value`` names the immutable, hashable library types a key may hold (a patient);
    ``by_sha256`` the ones keyed by their SHA-256 (a rule set, an interaction table).
    """

    def decorate(func: Callable[_P, _R]) -> Callable[_P, _R]:
        cache: OrderedDict[Hashable, _R] = OrderedDict()
        lock = Lock()

        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            key = None if args else key_of(kwargs, by_value=by_value, by_sha256=by_sha256)
            if key is None:
                return func(*args, **kwargs)
            with lock:
                found = cache.get(key, _MISSING)
                if found is not _MISSING:
                    cache.move_to_end(key)
                    return found  # type: ignore[return-value]
            result = func(*args, **kwargs)
            with lock:
                cache[key] = result
                if len(cache) > MEMO_SIZE:
                    cache.popitem(last=False)
            return result

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        return wrapper

    return decorate
