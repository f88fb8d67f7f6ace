"""Interactions and contraindications as cited rule data: load, validate, hash and look up.

The bundled table is ``interactions.toml`` beside this module (clinical.md 8.3, 8.4, 4 and 16):
interaction **classes** (members by ingredient name and, where a code was confirmed, RxNorm
ingredient RxCUI), **conditions** (a closed set of keys, with ICD-10-CM codes matched as
prefixes) and **criteria** with a number (Beers 2023: eGFR below 60 in older adults). Every
entry cites a source in the file's own sources table. The loader refuses a file with an
unknown key, an entry without a source, a duplicated id, member, alias or code, or a
malformed RxCUI or ICD-10-CM code.

Every code in the bundled table carries its evidence: how many independent public sources gave
that code for that ingredient or condition (``rxcui_sources`` on a member, ``icd10cm_sources``
on a condition, one count per code; docs/identifiers.md names the sources). The loader refuses
a code without its count in the main file; an institution file may give counts (validated the
same way) or leave them out.

An institution file (``extra=``) may **add** members to a class and codes to a condition; it
cannot remove or weaken anything, and is validated the same way. The table's SHA-256 covers
both files.

>>> table = default_interactions()
>>> [c.id for c in table.classes_for("oxycodone", "oral")]
['opioids']
>>> [c.id for c in table.classes_for("RxCUI:7804", "oral")]
['opioids']
>>> table.condition_for("G40.909").key
'epilepsy'
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import BaclofenDoseError, RuleSetError
from baclofen_dose.core.rules import QUANTITIES, Source
from baclofen_dose.core.rules.fields import need_text, only_keys

__all__ = [
    "CONDITION_TYPES",
    "ROUTES",
    "Condition",
    "Criterion",
    "InteractionClass",
    "InteractionTable",
    "Member",
    "default_interactions",
    "icd10cm_code",
    "load_interactions",
]

ROUTES: Final = frozenset({"oral", "intrathecal"})
CONDITION_TYPES: Final = frozenset({"contraindication", "caution"})
_CLASS_SEVERITIES: Final = frozenset({"info", "warning"})
_CONDITION_SEVERITIES: Final = frozenset({"info", "warning", "hard"})
_CONFIDENCE: Final = frozenset({"LABEL", "SECONDARY", "DERIVED", "POLICY"})
_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_NAME = re.compile(r"[a-z][a-z0-9 '\-]{0,79}")
_RXCUI = re.compile(r"[1-9][0-9]{0,9}")
_WORD: Final = re.compile(r"[a-z0-9]+")
_ICD = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?")
# A code as CMS distributes them, without its dot ("G40909" for G40.909).
_ICD_UNDOTTED = re.compile(r"([A-Z][0-9][0-9A-Z])([0-9A-Z]{1,4})")
_VALUE = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_MAX_FILE_BYTES: Final = 1_048_576
_BUNDLED: Final = "interactions.toml"

_TOP: Final = frozenset({"table", "sources", "criteria", "classes", "conditions"})
_EXTRA_TOP: Final = frozenset({"table", "members", "codes"})
_TABLE: Final = frozenset({"id", "version", "rxnorm", "icd10cm"})
_SOURCE: Final = frozenset({"document", "edition", "url", "confidence"})
_CRITERION: Final = frozenset(
    {
        "id",
        "quantity",
        "value",
        "unit",
        "side",
        "severity",
        "consequence",
        "source",
        "section",
        "clinical",
    }
)
_CLASS: Final = frozenset(
    {"id", "name", "routes", "severity", "consequence", "source", "section", "clinical", "members"}
)
_MEMBER: Final = frozenset({"name", "rxcui", "rxcui_sources", "aliases"})
_CONDITION: Final = frozenset(
    {
        "key",
        "name",
        "type",
        "severity",
        "routes",
        "consequence",
        "source",
        "section",
        "clinical",
        "icd10cm",
        "icd10cm_sources",
    }
)
_EXTRA_MEMBER: Final = frozenset({"class", "name", "rxcui", "rxcui_sources", "aliases"})
_EXTRA_CODE: Final = frozenset({"condition", "icd10cm", "icd10cm_sources"})


@attrs.frozen
class Member:
    """One ingredient of a class: its name, RxNorm ingredient RxCUI (``None``: not confirmed),
    other names it is known by, and how many independent sources gave the RxCUI (``None``: not
    stated, allowed only in an institution file)."""

    name: str
    rxcui: str | None
    aliases: tuple[str, ...] = ()
    rxcui_sources: int | None = None


@attrs.frozen
class InteractionClass:
    """An interacting class: consequence, severity, routes, members and source."""

    id: str
    name: str
    routes: tuple[str, ...]
    severity: str
    consequence: str
    source: Source
    section: str
    clinical: str
    members: tuple[Member, ...]

    @property
    def rule_id(self) -> str:
        """The id findings cite: ``interaction.<class id>``."""
        return f"interaction.{self.id}"

    @property
    def citation(self) -> str:
        """Where the interaction comes from: document and section."""
        return f"{self.source.document} ({self.source.key}), {self.section}"


@attrs.frozen
class Condition:
    """A condition from the closed set: contraindication or caution, with ICD-10-CM prefixes."""

    key: str
    name: str
    type: str
    severity: str
    routes: tuple[str, ...]
    consequence: str
    source: Source
    section: str
    clinical: str
    icd10cm: tuple[str, ...]
    icd10cm_sources: tuple[tuple[str, int], ...] = ()

    @property
    def rule_id(self) -> str:
        """The id findings cite: ``condition.<key>``."""
        return f"condition.{self.key}"

    @property
    def citation(self) -> str:
        """Where the contraindication or caution comes from: document and section."""
        return f"{self.source.document} ({self.source.key}), {self.section}"


@attrs.frozen
class Criterion:
    """A criterion with a number (``value`` exact, in the canonical unit of ``quantity``)."""

    id: str
    quantity: str
    value: Fraction
    side: str
    severity: str
    consequence: str
    source: Source
    section: str
    clinical: str

    @property
    def rule_id(self) -> str:
        """The id findings cite: ``criterion.<id>``."""
        return f"criterion.{self.id}"

    @property
    def citation(self) -> str:
        """Where the criterion comes from: document and section."""
        return f"{self.source.document} ({self.source.key}), {self.section}"


def _conditions(value: Mapping[str, Condition]) -> Mapping[str, Condition]:
    return MappingProxyType(dict(value))


def _criteria(value: Mapping[str, Criterion]) -> Mapping[str, Criterion]:
    return MappingProxyType(dict(value))


def _index(
    value: Mapping[str, tuple[InteractionClass, ...]],
) -> Mapping[str, tuple[InteractionClass, ...]]:
    return MappingProxyType(dict(value))


@attrs.frozen
class InteractionTable:
    """A validated, hashed, immutable interaction table, indexed by name, RxCUI and code."""

    id: str
    version: str
    rxnorm: str
    icd10cm: str
    sha256: str
    classes: tuple[InteractionClass, ...]
    conditions: Mapping[str, Condition] = attrs.field(converter=_conditions)
    criteria: Mapping[str, Criterion] = attrs.field(converter=_criteria)
    _by_name: Mapping[str, tuple[InteractionClass, ...]] = attrs.field(converter=_index, repr=False)
    _by_rxcui: Mapping[str, tuple[InteractionClass, ...]] = attrs.field(
        converter=_index, repr=False
    )

    def known(self, medicine: str) -> bool:
        """True when ``medicine`` (a name or ``RxCUI:<n>``) is a member of some class."""
        return self._lookup(medicine) is not None

    def _lookup(self, medicine: str) -> tuple[InteractionClass, ...] | None:
        text = medicine.strip()
        if text.lower().startswith("rxcui:"):
            return self._by_rxcui.get(text[len("rxcui:") :].strip())
        exact = self._by_name.get(" ".join(text.lower().split()))
        if exact is not None:
            return exact
        found: list[InteractionClass] = []
        for name in self._named_in(text):
            found += [c for c in self._by_name[name] if c not in found]
        return tuple(found) or None

    def _named_in(self, text: str) -> list[str]:
        """The member names (and aliases) that appear in ``text`` as whole words, as an EHR
        names a product: "oxycodone hydrochloride 5 mg tablet", "acetaminophen/codeine"."""
        words = _WORD.findall(text.lower())
        found = []
        for name in self._by_name:
            tokens = _WORD.findall(name)
            n = len(tokens)
            if n and any(
                words[i : i + n] == tokens and words[i + n : i + n + 1] != ["free"]
                for i in range(len(words) - n + 1)
            ):  # "alcohol-free" names no alcohol
                found.append(name)
        return found

    def display_name(self, medicine: str) -> str:
        """How a finding names ``medicine``: an ``RxCUI:<n>`` of a member as its ingredient
        name with the code ("oxycodone, RxCUI 7804"); a product text with the ingredient read
        in it ("oxycodone hydrochloride 5 mg tablet (read as oxycodone)"); a name as given.

        >>> default_interactions().display_name("RxCUI:7804")
        'oxycodone, RxCUI 7804'
        """
        text = medicine.strip()
        if not text.lower().startswith("rxcui:"):
            if " ".join(text.lower().split()) in self._by_name:
                return medicine
            names = self._named_in(text)
            return f"{medicine} (read as {', '.join(names)})" if names else medicine
        cui = text[len("rxcui:") :].strip()
        for klass in self._by_rxcui.get(cui, ()):
            for member in klass.members:
                if member.rxcui == cui:
                    return f"{member.name}, RxCUI {cui}"
        return medicine

    def classes_for(self, medicine: str, route: str) -> tuple[InteractionClass, ...]:
        """The classes ``medicine`` belongs to that apply to ``route`` (empty: none or unknown)."""
        found = self._lookup(medicine) or ()
        return tuple(c for c in found if route in c.routes)

    def condition_for(self, given: str) -> Condition | None:
        """The condition a key (``"epilepsy"``) or an ICD-10-CM code (``"G40.909"``, or
        ``"G40909"`` as CMS writes it without the dot: :func:`icd10cm_code`) names."""
        text = given.strip()
        if text in self.conditions:
            return self.conditions[text]
        code = icd10cm_code(text)
        if code is None:
            return None
        best: tuple[int, Condition] | None = None
        for condition in self.conditions.values():
            for prefix in condition.icd10cm:
                if code.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), condition)
        return None if best is None else best[1]




def icd10cm_code(text: str) -> str | None:
    """An ICD-10-CM code as written with its dot, in capitals, or None where ``text`` is not
    one. The code may be given without its dot, as CMS distributes the code files
    (``"z992"`` is Z99.2; the dot always follows the third character), and with spaces
    around it.

    >>> icd10cm_code(" g40909 "), icd10cm_code("Z99.2"), icd10cm_code("Z99"), icd10cm_code("x")
    ('G40.909', 'Z99.2', 'Z99', None)
    """
    code = text.strip().upper()
    if _ICD.fullmatch(code):
        return code
    undotted = _ICD_UNDOTTED.fullmatch(code)
    return None if undotted is None else f"{undotted[1]}.{undotted[2]}"


def _list(table: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise RuleSetError(where, f"'{key}' must be a list")
    return value


def _routes(table: Mapping[str, Any], where: str) -> tuple[str, ...]:
    routes = _list(table, "routes", where)
    if not routes or any(r not in ROUTES for r in routes) or len(set(routes)) != len(routes):
        raise RuleSetError(where, f"'routes' must list some of {sorted(ROUTES)}, each once")
    return tuple(routes)


def _source(table: Mapping[str, Any], sources: Mapping[str, Source], where: str) -> Source:
    key = table.get("source")
    if not isinstance(key, str) or not key.strip():
        raise RuleSetError(where, "has no source")
    if key not in sources:
        raise RuleSetError(where, f"source {key!r} is not in the sources table")
    return sources[key]


def _count(value: object, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuleSetError(where, f"{what} must be a whole number of sources, at least 1")
    return value


def _member(raw: object, where: str, evidence: bool = False) -> Member:
    """One member; ``evidence``: an RxCUI must state its number of sources (the main file)."""
    table = only_keys(raw, _MEMBER | {"class"}, where)
    name = need_text(table, "name", where)
    if not _NAME.fullmatch(name):
        raise RuleSetError(where, f"member name {name!r} must be lowercase letters")
    rxcui = table.get("rxcui")
    if rxcui is not None and (not isinstance(rxcui, str) or not _RXCUI.fullmatch(rxcui)):
        raise RuleSetError(where, f"rxcui {rxcui!r} must be digits written as a string")
    sources = table.get("rxcui_sources")
    if sources is not None:
        if rxcui is None:
            raise RuleSetError(where, "rxcui_sources is given without an rxcui")
        sources = _count(sources, "rxcui_sources", where)
    elif rxcui is not None and evidence:
        raise RuleSetError(where, f"rxcui {rxcui} has no rxcui_sources (its evidence)")
    aliases = _list(table, "aliases", where)
    for alias in aliases:
        if not isinstance(alias, str) or not _NAME.fullmatch(alias):
            raise RuleSetError(where, f"alias {alias!r} must be lowercase letters")
    return Member(name, rxcui, tuple(aliases), sources)


def _add_members(members: list[Member], new: Sequence[Member], class_id: str) -> None:
    names = {n for m in members for n in (m.name, *m.aliases)}
    codes = {m.rxcui for m in members if m.rxcui is not None}
    for member in new:
        for name in (member.name, *member.aliases):
            if name in names:
                raise RuleSetError(f"classes.{class_id}", f"member {name!r} is listed twice")
            names.add(name)
        if member.rxcui is not None:
            if member.rxcui in codes:
                raise RuleSetError(f"classes.{class_id}", f"rxcui {member.rxcui} is listed twice")
            codes.add(member.rxcui)
        members.append(member)


def _codes(table: Mapping[str, Any], where: str) -> list[str]:
    codes = _list(table, "icd10cm", where)
    for code in codes:
        if not isinstance(code, str) or not _ICD.fullmatch(code):
            raise RuleSetError(where, f"ICD-10-CM code {code!r} is not well formed")
    return codes


def _code_sources(table: Mapping[str, Any], codes: list[str], where: str) -> list[tuple[str, int]]:
    """The number of sources of each ICD-10-CM code of a condition (every code, no other)."""
    raw = table.get("icd10cm_sources", {})
    if not isinstance(raw, Mapping):
        raise RuleSetError(where, "'icd10cm_sources' must be a table of code = number of sources")
    if set(raw) != set(codes):
        raise RuleSetError(
            where, f"'icd10cm_sources' must give every code of icd10cm {codes}, and no other"
        )
    return [(code, _count(raw[code], f"icd10cm_sources.{code}", where)) for code in codes]


def _read(data: bytes, where: str) -> Mapping[str, Any]:
    if len(data) > _MAX_FILE_BYTES:
        raise RuleSetError(where, f"is larger than {_MAX_FILE_BYTES} bytes")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleSetError(where, f"is not valid UTF-8 TOML: {exc}") from None


def _criterion(raw: object, sources: Mapping[str, Source], index: int) -> Criterion:
    where = f"criteria[{index}]"
    table = only_keys(raw, _CRITERION, where)
    cid = need_text(table, "id", where)
    if not _ID.fullmatch(cid):
        raise RuleSetError(where, f"id {cid!r} must be a lowercase dotted name")
    quantity = need_text(table, "quantity", cid)
    if quantity not in QUANTITIES:
        raise RuleSetError(cid, f"quantity {quantity!r} is not a rule quantity")
    written = table.get("value")
    if not isinstance(written, str) or not _VALUE.fullmatch(written):
        raise RuleSetError(cid, "value must be an exact decimal written as a string")
    unit = need_text(table, "unit", cid)
    try:
        factor = units.parse_unit(unit, QUANTITIES[quantity], f"{cid}.unit")
    except BaclofenDoseError as exc:
        raise RuleSetError(cid, f"unit {unit!r} does not fit {quantity}: {exc}") from None
    value = Fraction(written) * factor
    if value <= 0:
        raise RuleSetError(cid, "value must be greater than zero")
    side = need_text(table, "side", cid)
    if side not in ("below", "above"):
        raise RuleSetError(cid, "side must be 'below' or 'above'")
    severity = need_text(table, "severity", cid)
    if severity not in _CLASS_SEVERITIES:
        raise RuleSetError(cid, f"severity must be one of {sorted(_CLASS_SEVERITIES)}")
    return Criterion(
        id=cid,
        quantity=quantity,
        value=value,
        side=side,
        severity=severity,
        consequence=need_text(table, "consequence", cid),
        source=_source(table, sources, cid),
        section=need_text(table, "section", cid),
        clinical=need_text(table, "clinical", cid),
    )


def _build(base: bytes, extra: bytes | None, origin: str) -> InteractionTable:
    doc = only_keys(_read(base, origin), _TOP, origin)
    meta = only_keys(doc.get("table"), _TABLE, "table")
    sources: dict[str, Source] = {}
    raw_sources = doc.get("sources")
    if not isinstance(raw_sources, Mapping):
        raise RuleSetError("sources", "must be a table")
    for key, raw in raw_sources.items():
        table = only_keys(raw, _SOURCE, f"sources.{key}")
        confidence = need_text(table, "confidence", f"sources.{key}")
        if confidence not in _CONFIDENCE:
            raise RuleSetError(f"sources.{key}", f"confidence must be one of {sorted(_CONFIDENCE)}")
        sources[key] = Source(
            key,
            need_text(table, "document", f"sources.{key}"),
            need_text(table, "edition", f"sources.{key}"),
            need_text(table, "url", f"sources.{key}"),
            confidence,
        )
    criteria: dict[str, Criterion] = {}
    for index, raw in enumerate(_list(doc, "criteria", "criteria")):
        criterion = _criterion(raw, sources, index)
        if criterion.id in criteria:
            raise RuleSetError(criterion.id, "duplicate criterion id")
        criteria[criterion.id] = criterion
    classes: dict[str, dict[str, Any]] = {}
    for index, raw in enumerate(_list(doc, "classes", "classes")):
        where = f"classes[{index}]"
        table = only_keys(raw, _CLASS, where)
        cid = need_text(table, "id", where)
        if not _ID.fullmatch(cid):
            raise RuleSetError(where, f"id {cid!r} must be a lowercase dotted name")
        if cid in classes:
            raise RuleSetError(cid, "duplicate class id")
        severity = need_text(table, "severity", cid)
        if severity not in _CLASS_SEVERITIES:
            raise RuleSetError(cid, f"severity must be one of {sorted(_CLASS_SEVERITIES)}")
        members: list[Member] = []
        _add_members(
            members,
            [
                _member(m, f"{cid}.members[{i}]", evidence=True)
                for i, m in enumerate(_list(table, "members", cid))
            ],
            cid,
        )
        classes[cid] = {
            "id": cid,
            "name": need_text(table, "name", cid),
            "routes": _routes(table, cid),
            "severity": severity,
            "consequence": need_text(table, "consequence", cid),
            "source": _source(table, sources, cid),
            "section": need_text(table, "section", cid),
            "clinical": need_text(table, "clinical", cid),
            "members": members,
        }
    conditions: dict[str, dict[str, Any]] = {}
    for index, raw in enumerate(_list(doc, "conditions", "conditions")):
        where = f"conditions[{index}]"
        table = only_keys(raw, _CONDITION, where)
        key = need_text(table, "key", where)
        if not _ID.fullmatch(key) or "." in key:
            raise RuleSetError(where, f"key {key!r} must be a lowercase name")
        if key in conditions:
            raise RuleSetError(key, "duplicate condition key")
        kind = need_text(table, "type", key)
        codes = _codes(table, key)
        if kind not in CONDITION_TYPES:
            raise RuleSetError(key, f"type must be one of {sorted(CONDITION_TYPES)}")
        severity = need_text(table, "severity", key)
        if severity not in _CONDITION_SEVERITIES:
            raise RuleSetError(key, f"severity must be one of {sorted(_CONDITION_SEVERITIES)}")
        conditions[key] = {
            "key": key,
            "name": need_text(table, "name", key),
            "type": kind,
            "severity": severity,
            "routes": _routes(table, key),
            "consequence": need_text(table, "consequence", key),
            "source": _source(table, sources, key),
            "section": need_text(table, "section", key),
            "clinical": need_text(table, "clinical", key),
            "icd10cm": codes,
            "icd10cm_sources": _code_sources(table, codes, key),
        }
    table_id, version = need_text(meta, "id", "table"), need_text(meta, "version", "table")
    if extra is not None:
        more = only_keys(_read(extra, "extra"), _EXTRA_TOP, "extra")
        extra_meta = only_keys(more.get("table"), frozenset({"id", "version"}), "extra.table")
        table_id = f"{table_id}+{need_text(extra_meta, 'id', 'extra.table')}"
        version = f"{version}+{need_text(extra_meta, 'version', 'extra.table')}"
        for index, raw in enumerate(_list(more, "members", "extra.members")):
            where = f"extra.members[{index}]"
            target = only_keys(raw, _EXTRA_MEMBER, where).get("class")
            if target not in classes:
                raise RuleSetError(where, f"class {target!r} is not in the table")
            _add_members(classes[target]["members"], [_member(raw, where)], target)
        for index, raw in enumerate(_list(more, "codes", "extra.codes")):
            where = f"extra.codes[{index}]"
            entry = only_keys(raw, _EXTRA_CODE, where)
            target = entry.get("condition")
            if target not in conditions:
                raise RuleSetError(where, f"condition {target!r} is not in the table")
            added = _codes(entry, where)
            conditions[target]["icd10cm"] += added
            if "icd10cm_sources" in entry:
                conditions[target]["icd10cm_sources"] += _code_sources(entry, added, where)
    seen_codes: dict[str, str] = {}
    for key, entry in conditions.items():
        for code in entry["icd10cm"]:
            if code in seen_codes:
                raise RuleSetError(
                    key, f"ICD-10-CM code {code} is also listed for {seen_codes[code]}"
                )
            seen_codes[code] = key
    built = {
        cid: InteractionClass(**{**c, "members": tuple(c["members"])}) for cid, c in classes.items()
    }
    by_name: dict[str, list[InteractionClass]] = {}
    by_rxcui: dict[str, list[InteractionClass]] = {}
    for klass in built.values():
        for member in klass.members:
            for name in (member.name, *member.aliases):
                by_name.setdefault(name, []).append(klass)
            if member.rxcui is not None:
                by_rxcui.setdefault(member.rxcui, []).append(klass)
    digest = hashlib.sha256(base + (b"" if extra is None else b"\x00" + extra)).hexdigest()
    return InteractionTable(
        id=table_id,
        version=version,
        rxnorm=need_text(meta, "rxnorm", "table"),
        icd10cm=need_text(meta, "icd10cm", "table"),
        sha256=digest,
        classes=tuple(built.values()),
        conditions={
            k: Condition(
                **{
                    **c,
                    "icd10cm": tuple(c["icd10cm"]),
                    "icd10cm_sources": tuple(c["icd10cm_sources"]),
                }
            )
            for k, c in conditions.items()
        },
        criteria=criteria,
        by_name={k: tuple(v) for k, v in by_name.items()},
        by_rxcui={k: tuple(v) for k, v in by_rxcui.items()},
    )


def _bytes(path: str | Path, where: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(_MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RuleSetError(where, f"cannot be read: {exc.strerror}") from None


def load_interactions(
    path: str | Path | None = None, *, extra: str | Path | None = None
) -> InteractionTable:
    """Load and validate an interaction table (default: the bundled one), plus an institution
    file ``extra`` that adds members and codes."""
    base = (
        _bytes(Path(__file__).with_name(_BUNDLED), _BUNDLED)
        if path is None
        else _bytes(path, str(path))
    )
    more = None if extra is None else _bytes(extra, str(extra))
    return _build(base, more, _BUNDLED if path is None else str(path))


@cache
def default_interactions() -> InteractionTable:
    """The bundled interaction table (loaded and validated once per process)."""
    return load_interactions()
