"""Code systems and codes for FHIR as cited data: load, validate and look up.

The bundled table is ``codes.toml`` beside this module: the code-system URIs, the SNOMED CT
route codes, the UCUM codes of the library's units (with "mcg" as the display of ``ug``) and
the timing abbreviations the FHIR reader maps (BID, TID, QID). Every code cites a source in
the file's own sources table; the loader refuses unknown keys, an entry without a known source,
duplicated codes and a unit the library's parser does not know. No RxNorm code is included
(none was confirmed with its name: identifiers.md section 1), so the table records that.

>>> table = default_codes()
>>> table.route_code("oral"), table.route_for("72607000")
('26643006', 'intrathecal')
>>> table.unit("ug").display, table.times_per_day("TID")
('mcg', 3)
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

import attrs

from baclofen_dose.core.errors import RuleSetError
from baclofen_dose.core.rules.fields import need_text, only_keys

__all__ = ["CodeTable", "RouteCode", "UnitCode", "default_codes"]

_BUNDLED: Final = "codes.toml"
_TOP: Final = frozenset({"table", "systems", "sources", "routes", "units", "timing"})
_SYSTEMS: Final = frozenset({"snomed", "ucum", "rxnorm", "gts", "issue_type"})
_SOURCE: Final = frozenset({"document", "edition", "url", "confidence"})
_CONFIDENCE: Final = frozenset({"LABEL", "SECONDARY", "DERIVED", "POLICY"})
_ROUTES: Final = frozenset({"oral", "intrathecal"})


@attrs.frozen
class RouteCode:
    """A route of administration as a SNOMED CT code, with its source key."""

    route: str
    code: str
    display: str
    source: str


@attrs.frozen
class UnitCode:
    """A UCUM code, its display text and the library's spelling of the same unit."""

    code: str
    display: str
    library: str
    source: str


@attrs.frozen
class CodeTable:
    """The validated code table (read-only mappings)."""

    id: str
    version: str
    rxnorm: str
    systems: Mapping[str, str]
    sources: Mapping[str, Mapping[str, str]]
    routes: Mapping[str, RouteCode]
    units: Mapping[str, UnitCode]
    timing: Mapping[str, int]

    def route_code(self, route: str) -> str:
        """The SNOMED CT code of a route ("oral", "intrathecal")."""
        return self.routes[route].code

    def route_for(self, code: str) -> str | None:
        """The route a SNOMED CT code stands for, or ``None``."""
        for found in self.routes.values():
            if found.code == code:
                return found.route
        return None

    def unit(self, code: str) -> UnitCode:
        """The unit entry for a UCUM code (KeyError when it is not in the table)."""
        return self.units[code]

    def times_per_day(self, code: str) -> int | None:
        """Times a day for a timing abbreviation (BID: 2), or ``None`` when not mapped."""
        return self.timing.get(code)




def _entries(doc: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    raw = doc.get(name)
    if not isinstance(raw, list) or not raw:
        raise RuleSetError(name, "must be a non-empty array of tables")
    return raw


def _validate(doc: Mapping[str, Any]) -> CodeTable:
    from baclofen_dose.core import units as unit_parser

    only_keys(doc, _TOP, "codes")
    head = only_keys(doc.get("table"), frozenset({"id", "version", "rxnorm"}), "table")
    systems = only_keys(doc.get("systems"), _SYSTEMS, "systems")
    if set(systems) != _SYSTEMS or not all(str(v).startswith("http") for v in systems.values()):
        raise RuleSetError("systems", f"needs exactly {sorted(_SYSTEMS)}, each a URI")
    sources: dict[str, Mapping[str, str]] = {}
    for key, raw in only_keys(
        doc.get("sources"), frozenset(doc.get("sources") or ()), "sources"
    ).items():
        entry = only_keys(raw, _SOURCE, f"sources.{key}")
        fields = {k: need_text(entry, k, f"sources.{key}") for k in sorted(_SOURCE)}
        if fields["confidence"] not in _CONFIDENCE:
            raise RuleSetError(f"sources.{key}", f"confidence must be one of {sorted(_CONFIDENCE)}")
        sources[key] = MappingProxyType(fields)

    def cited(entry: Mapping[str, Any], where: str) -> str:
        key = need_text(entry, "source", where)
        if key not in sources:
            raise RuleSetError(where, f"source {key!r} is not in the sources table")
        return key

    routes: dict[str, RouteCode] = {}
    for i, raw in enumerate(_entries(doc, "routes")):
        where = f"routes[{i}]"
        entry = only_keys(raw, frozenset({"route", "code", "display", "source"}), where)
        route = RouteCode(
            need_text(entry, "route", where),
            need_text(entry, "code", where),
            need_text(entry, "display", where),
            cited(entry, where),
        )
        if route.route not in _ROUTES or route.route in routes or not route.code.isdigit():
            raise RuleSetError(where, "a route (oral or intrathecal) once, with a numeric code")
        routes[route.route] = route
    if set(routes) != _ROUTES:
        raise RuleSetError("routes", f"needs a code for each of {sorted(_ROUTES)}")
    found: dict[str, UnitCode] = {}
    for i, raw in enumerate(_entries(doc, "units")):
        where = f"units[{i}]"
        entry = only_keys(raw, frozenset({"code", "display", "library", "source"}), where)
        unit = UnitCode(
            need_text(entry, "code", where),
            need_text(entry, "display", where),
            need_text(entry, "library", where),
            cited(entry, where),
        )
        if unit.code in found:
            raise RuleSetError(where, f"unit {unit.code!r} is listed twice")
        if unit.library not in unit_parser.spellings() and "/" not in unit.library:
            raise RuleSetError(where, f"{unit.library!r} is not a unit the library knows")
        found[unit.code] = unit
    timing: dict[str, int] = {}
    for i, raw in enumerate(_entries(doc, "timing")):
        where = f"timing[{i}]"
        entry = only_keys(raw, frozenset({"code", "times_per_day", "source"}), where)
        code = need_text(entry, "code", where)
        count = entry.get("times_per_day")
        cited(entry, where)
        if code in timing or isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise RuleSetError(where, "a code once, with a whole number of times a day")
        timing[code] = count
    return CodeTable(
        id=need_text(head, "id", "table"),
        version=need_text(head, "version", "table"),
        rxnorm=need_text(head, "rxnorm", "table"),
        systems=MappingProxyType(dict(systems)),
        sources=MappingProxyType(sources),
        routes=MappingProxyType(routes),
        units=MappingProxyType(found),
        timing=MappingProxyType(timing),
    )


@cache
def default_codes() -> CodeTable:
    """The bundled code table (loaded and validated once per process)."""
    data = resources.files(__package__ or __name__).joinpath(_BUNDLED).read_bytes()
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleSetError(_BUNDLED, f"is not valid TOML ({exc})") from None
    return _validate(doc)
