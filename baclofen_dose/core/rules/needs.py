"""Which rules each module reads: declared next to the module, checked by the loader.

A module that reads rules by id (a planner, a check, a renderer, interop) declares them at
module level, each id with the quantity it must measure (``None``: advice text)::

    RULES: Final = requires(
        __name__,
        {
            "oral.adult.max_daily.hard": "oral.daily_dose",
            "oral.withdrawal.abrupt": None,
        },
    )

The loader (:func:`baclofen_dose.core.rules.load_rules`, ``default_rules``) refuses a rule file
that lacks any declared rule, or has one measuring another quantity, whatever has been imported:
core imports nothing above it, and importing every planner, renderer and the service to collect
their declarations would slow every start-up, so :func:`declared` reads the declarations from
the package's source files instead (one pass, once per process). A test imports every module and
checks that each one's ``RULES`` is exactly what the scan reads (so the two cannot drift), and a
tracing run checks that every rule a module reads is declared by that module.

Rules that no module names are read through the data itself (a policy's choices, the product
catalogue: :func:`read_through_data`) or are there for documentation only (:data:`DATA_ONLY`).

>>> declared()["oral.adult.max_daily.hard"]
'oral.daily_dose'
>>> sorted(declared_by()["baclofen_dose.oral.missed"])[:2]
['oral.adult.times_per_day.max', 'oral.missed_dose.never_double']
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import Final

from baclofen_dose.core.errors import RuleSetError

__all__ = [
    "DATA_ONLY",
    "MARKER",
    "declared",
    "declared_by",
    "imported",
    "read_through_data",
    "requires",
]

Needs = Mapping[str, str | None]
"""Rule id -> the quantity it must measure (``None``: advice)."""

# The first line of a declaration, as the scan finds it (at the start of a line, at module level).
MARKER: Final = "RULES: Final = requires("

# Rules that no module reads: documentation and citation only (shown in docs/rules.md, never
# used in a computation or a finding). Each carries its reason.
DATA_ONLY: Final[Mapping[str, str]] = MappingProxyType({})

_MARKER_BYTES: Final = ("\n" + MARKER + "\n").encode()
_IMPORTED: dict[str, Needs] = {}
_ENTRY = re.compile(r'\s+"([a-z][a-z0-9_.]*)": (?:None|"([a-z][a-z0-9_.]*)"),\s*(?:#.*)?')
_PACKAGE: Final = "baclofen_dose"


def requires(module: str, rules: Mapping[str, str | None]) -> Needs:
    """Declare the rules ``module`` reads (id -> quantity, ``None`` for advice); returns them
    read-only. Write it as a module-level ``RULES: Final = requires(__name__, {...})`` with one
    ``"id": "quantity",`` per line: the loader reads that text without importing the module.
    """
    needs: Needs = MappingProxyType(dict(rules))
    _IMPORTED[module] = needs
    return needs


def imported() -> Mapping[str, Needs]:
    """The declarations of the modules imported so far, by module name."""
    return MappingProxyType(dict(_IMPORTED))


def read_through_data(rule: object) -> bool:
    """True for a rule that code reaches through the data rather than by its id: a choice of a
    named policy (``policy`` set; the policies table is checked by the loader) or a product
    catalogue entry (``kind == "catalogue"``, selected by kind).
    """
    return getattr(rule, "policy", None) is not None or getattr(rule, "kind", None) == "catalogue"


def _root() -> str:
    # core/rules/needs.py -> the package folder three levels up
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _sources(root: str) -> Iterator[tuple[str, str]]:
    """(module name, path) of every Python source file in the package, in a stable order."""
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(("_", ".")))
        relative = os.path.relpath(folder, root)
        parts = [_PACKAGE] if relative == "." else [_PACKAGE, *relative.split(os.sep)]
        for name in sorted(files):
            if name.endswith(".py"):
                stem = name[:-3]
                module = ".".join(parts if stem == "__init__" else [*parts, stem])
                yield module, os.path.join(folder, name)


def _parse(module: str, text: str) -> Needs | None:
    """The declaration in one module's source text, or None when it has none."""
    start = text.find("\n" + MARKER + "\n")
    if start < 0:
        return None
    lines = text[start + len(MARKER) + 2 :].split("\n")
    if len(lines) < 2 or lines[0].strip() != "__name__," or lines[1].strip() != "{":
        raise RuleSetError(module, "its RULES declaration must begin 'requires(__name__, {'")
    needs: dict[str, str | None] = {}
    for line in lines[2:]:
        if line.strip() == "},":
            return MappingProxyType(needs)
        if not line.strip() or line.strip().startswith("#"):
            continue
        entry = _ENTRY.fullmatch(line)
        if entry is None:
            raise RuleSetError(module, f"cannot read this line of its RULES declaration: {line}")
        needs[entry.group(1)] = entry.group(2)
    raise RuleSetError(module, "its RULES declaration does not end with '},'")


def _declaration(module: str, data: bytes) -> Needs | None:
    """The declaration in one module's source bytes: only the declaration is decoded (the scan
    runs on every start-up, so the rest of the file is searched as bytes)."""
    start = data.find(_MARKER_BYTES)
    if start < 0:
        return None
    end = data.find(b"\n)\n", start)
    block = data[start : len(data) if end < 0 else end + 1]
    return _parse(module, block.decode("utf-8"))


@cache
def declared_by() -> Mapping[str, Needs]:
    """Every module's declaration, read from the package's source files (not imported)."""
    found: dict[str, Needs] = {}
    for module, path in _sources(_root()):
        with open(path, "rb") as stream:
            needs = _declaration(module, stream.read())
        if needs is not None:
            found[module] = needs
    if not found:  # an install without source files: refuse rather than check nothing
        raise RuleSetError(_PACKAGE, "no rule declarations found beside the modules")
    return MappingProxyType(found)


@cache
def declared() -> Needs:
    """The union of every module's declaration: what a rule file must hold (id -> quantity)."""
    union: dict[str, str | None] = {}
    for module, needs in declared_by().items():
        for rule_id, quantity in needs.items():
            if union.setdefault(rule_id, quantity) != quantity:
                raise RuleSetError(
                    rule_id, f"{module} declares it as {quantity}, another module otherwise"
                )
    return MappingProxyType(union)
