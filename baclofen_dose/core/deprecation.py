"""Old keyword spellings kept for one release (issue 8 item 6: one keyword per concept).

Only spellings that published docs used are kept; each warns with a ``DeprecationWarning``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from baclofen_dose.core.errors import InputError

__all__ = ["renamed"]

_T = TypeVar("_T")
_P = ParamSpec("_P")


def renamed(
    **old_to_new: str | Callable[[object], str],
) -> Callable[[Callable[_P, _T]], Callable[_P, _T]]:
    """Keep old keyword spellings working for one release (issue 8 item 6: one keyword per
    concept across the API). Only spellings already in published docs are kept.

    ``old_to_new`` maps each old keyword to its new name, or to a function choosing the new
    name from the value (``current`` of an oral taper is ``dose`` for one dose and ``doses``
    for a list). A call with an old spelling warns (``DeprecationWarning``) and passes the
    value on under the new name; giving both spellings is refused. The function's own
    signature (what ``inspect.signature`` shows) has only the new names.

    >>> @renamed(every="interval")
    ... def plan(*, interval: str) -> str:
    ...     return interval
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     plan(every="3 days"), caught[0].category.__name__
    ('3 days', 'DeprecationWarning')
    """

    def decorate(func: Callable[_P, _T]) -> Callable[_P, _T]:
        @functools.wraps(func)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
            for old, new in old_to_new.items():
                if old not in kwargs:
                    continue
                value = kwargs.pop(old)
                name = new if isinstance(new, str) else new(value)
                if kwargs.get(name) is not None:
                    raise InputError(
                        old,
                        value,
                        f"no value: it is the old spelling of {name}, which is also given",
                        code="E_INPUT",
                    )
                warnings.warn(
                    f"the keyword {old}= is deprecated and will be removed in the next "
                    f"release; use {name}= (the same value)",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[name] = value
            return func(*args, **kwargs)

        return wrapper

    return decorate
