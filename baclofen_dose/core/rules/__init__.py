"""Rule data: load, validate and hash the file that holds every clinical figure.

The bundled rule set is ``baclofen.toml`` beside this module. An institution can load its own
file with :func:`load_rules`; it is validated the same way. A rule set is refused
(:class:`~baclofen_dose.RuleSetError`) when a rule has no source or section, an id is
duplicated, a value is not an exact decimal string, a unit has the wrong dimension for the
rule's quantity, a minimum lies above a maximum, a soft limit lies outside its hard limit, a
key is unknown, or a rule the planners need is missing.

A loaded :class:`RuleSet` is immutable (read-only mappings, frozen classes, made only by the
loaders), equal to another exactly when their SHA-256 is, and indexed: ``rules.select(kind=...,
quantity=..., population=..., policy=...)`` finds rules without a scan. Loading is quick:
what the TOML parser makes of a file is cached by the file's SHA-256 (:func:`cache_folder`),
and every check above still runs on each load.

>>> rules = default_rules()
>>> rules.id, rules.version, len(rules.sha256)
('baclofen-core', '1.0.0', 64)
>>> rules["oral.adult.max_daily.us_label"].value
Fraction(80, 1)
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Iterator, Mapping
from fractions import Fraction
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import BaclofenDoseError, InputTypeError, RuleSetError
from baclofen_dose.core.rules import needs
from baclofen_dose.core.rules.tighten import check_bands, check_texts, check_tightens

__all__ = [
    "ANY",
    "CATALOGUE_FORMS",
    "LIMIT_KINDS",
    "QUANTITIES",
    "SCORINGS",
    "Rule",
    "RuleSet",
    "Source",
    "cache_folder",
    "default_rules",
    "load_rules",
]

# What each rule measures -> the kind of quantity its value must be.
QUANTITIES: Final[Mapping[str, units.Kind]] = {
    "oral.dose": units.ORAL_DOSE,
    "oral.daily_dose": units.ORAL_DAILY_DOSE,
    "oral.step": units.ORAL_DAILY_DOSE,
    "oral.times_per_day": units.PER_DAY,
    "interval": units.DAYS,
    "schedule.length": units.DAYS,
    "oral.concentration": units.ORAL_CONCENTRATION,
    "volume": units.VOLUME,
    "duration.hours": units.HOURS,
    # intrathecal (issue 5): mcg amounts only; percentages are plain ratios (0.3 for 30%)
    "it.dose": units.IT_DOSE,
    "it.daily_dose": units.IT_DAILY_DOSE,
    "it.concentration": units.IT_CONCENTRATION,
    "it.volume": units.VOLUME,
    "it.hours": units.HOURS,
    "it.days": units.DAYS,
    "it.increase": units.PERCENT,
    "it.decrease": units.PERCENT,
    "it.taper_step": units.PERCENT,
    "it.flow_tolerance": units.PERCENT,
    "it.initial_percent": units.PERCENT,
    "it.oral_wean_cut": units.PERCENT,
    # pharmacokinetic education (issue 14): never used to choose a dose
    "pk.clearance": units.RENAL_CLEARANCE,
    "pk.fraction": units.PERCENT,
    "pk.hours": units.HOURS,
    "pk.volume": units.VOLUME,
    # patient-specific dosing (issue 3)
    "age": units.YEARS,
    "weight": units.WEIGHT,
    "height": units.HEIGHT,
    "creatinine.mass": units.CREATININE_MASS,
    "creatinine.molar": units.CREATININE_MOLAR,
    "renal.crcl": units.RENAL_CLEARANCE,
    "renal.egfr": units.EGFR,
    "factor": units.CONCENTRATION_FACTOR,
    "bmi": units.BODY_MASS_INDEX,
    "bsa": units.AREA,
    "weight.per_height": units.WEIGHT_PER_HEIGHT,
    "oral.daily_dose_per_kg": units.ORAL_DAILY_DOSE_PER_KG,
    "oral.step_per_kg": units.ORAL_DAILY_DOSE_PER_KG,
}

LIMIT_KINDS: Final = frozenset({"hard_min", "soft_min", "soft_max", "hard_max"})
# catalogue: one marketed strength, size or protocol dose; parameter: a fixed figure the
# arithmetic or the guidance uses (a flow tolerance, an observation window).
_VALUE_KINDS: Final = LIMIT_KINDS | {"default", "grid", "threshold", "catalogue", "parameter"}
_KINDS: Final = _VALUE_KINDS | {"advice"}
_CONFIDENCE: Final = frozenset({"LABEL", "SECONDARY", "DERIVED", "POLICY"})
_POPULATIONS: Final = frozenset({"adult", "older_adult", "child", "all"})
_SEVERITIES: Final = frozenset({"info", "warning"})
_ID = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
_VALUE = re.compile(r"(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
# A plain ratio (quantity "factor") may also be written as an exact fraction, such as "2/3".
_RATIO = re.compile(r"[1-9][0-9]*/[1-9][0-9]*")

# Product catalogue entries (kind "catalogue"): their forms, the quantity each form's value
# measures, and the scoring a tablet may have ("not_found": no source says; whole tablets only).
CATALOGUE_FORMS: Final[Mapping[str, str]] = {
    "tablet": "oral.dose",
    "granules": "oral.dose",
    "oral_solution": "oral.concentration",
    "oral_suspension": "oral.concentration",
}
SCORINGS: Final = frozenset({"scored", "not_scored", "not_found"})

_TOP_KEYS: Final = frozenset({"ruleset", "policies", "sources", "rules"})
_RULESET_KEYS: Final = frozenset({"id", "version", "title", "effective", "publisher"})
_SOURCE_KEYS: Final = frozenset({"document", "edition", "url", "confidence"})
_RULE_KEYS: Final = frozenset(
    {
        "id",
        "kind",
        "quantity",
        "value",
        "unit",
        "population",
        "policy",
        "source",
        "section",
        "clinical",
        "note",
        "severity",
        "text",
        "form",
        "scoring",
    }
)
_MAX_FILE_BYTES: Final = 1_048_576
_BUNDLED: Final = "baclofen.toml"


@attrs.frozen
class Source:
    """A document a rule comes from: ``key`` as in clinical.md's source register."""

    key: str
    document: str
    edition: str
    url: str
    confidence: str


@attrs.frozen
class Rule:
    """One clinical figure (or advice text) with its source.

    ``value`` is exact, in the canonical unit of ``quantity`` (mg, mg/day, days, 1/day...);
    ``unit`` is the unit as written in the rule data. Advice rules have ``text`` instead.
    """

    id: str
    kind: str
    quantity: str | None
    value: Fraction | None
    unit: str | None
    written: str | None
    population: str
    policy: str | None
    source: Source
    section: str
    clinical: str
    note: str
    severity: str | None
    text: str | None
    form: str | None = None
    scoring: str | None = None
    # Where the figure comes from: document and section. Derived from ``source`` and
    # ``section`` once at load, because every finding a plan makes cites it.
    citation: str = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        citation = f"{self.source.document} ({self.source.key}), {self.section}"
        object.__setattr__(self, "citation", citation)

    def require_value(self) -> Fraction:
        """The exact value; a RuleSetError for a rule that has none (advice)."""
        if self.value is None:
            raise RuleSetError(self.id, "is advice and has no value")
        return self.value


class _Wildcard(enum.Enum):
    """The type of :data:`ANY` (an enum member, so it has one value and a readable repr)."""

    ANY = "any"


ANY: Final = _Wildcard.ANY
"""Matches every value in :meth:`RuleSet.select` (the default of each of its filters)."""

_Field = str | _Wildcard
_OptionalField = str | _Wildcard | None
_Key = tuple[_Field, _OptionalField, _Field, _OptionalField]


def _read_only(value: Any) -> Any:
    """A deep read-only copy: mappings become ``MappingProxyType``, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _read_only(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_read_only(item) for item in value)
    return value


def _thawed(value: Any) -> Any:
    """Plain dicts again (for pickling: ``MappingProxyType`` does not pickle)."""
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    return value


def _rules_view(rules: Mapping[str, Rule]) -> Mapping[str, Rule]:
    return MappingProxyType(dict(rules))


def _policies_view(policies: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Mapping[str, Any]]:
    view: Mapping[str, Mapping[str, Any]] = _read_only(policies)
    return view


@attrs.frozen
class RuleSet:
    """A validated, hashed, immutable rule set; look a rule up by id: ``rules[rule_id]``.

    Nothing in it can be changed after loading (its mappings are read-only views, its classes
    frozen), so the SHA-256 a result reports is always the hash of the rules it used. Two rule
    sets are equal, and hash alike, exactly when their SHA-256 is the same.

    >>> rules = default_rules()
    >>> rules == default_rules() and hash(rules) == hash(rules.sha256)
    True
    >>> rules.rules["oral.adult.start.dose"] = None
    Traceback (most recent call last):
    ...
    TypeError: 'mappingproxy' object does not support item assignment
    """

    id: str = attrs.field(eq=False)
    version: str = attrs.field(eq=False)
    title: str = attrs.field(eq=False)
    effective: str = attrs.field(eq=False)
    sha256: str
    rules: Mapping[str, Rule] = attrs.field(repr=False, eq=False, converter=_rules_view)
    policies: Mapping[str, Mapping[str, Any]] = attrs.field(
        repr=False, eq=False, converter=_policies_view
    )
    origin: str = attrs.field(repr=False, eq=False)
    # Built on the first select() and then itself read-only (a view of a derived index).
    _index: Mapping[_Key, tuple[Rule, ...]] | None = attrs.field(
        init=False, default=None, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        if not _MAKING.get():
            raise TypeError(
                "a RuleSet is made only by load_rules() or default_rules(), which validate "
                "the rule file and hash its bytes"
            )

    def __hash__(self) -> int:
        return hash(self.sha256)

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild,
            (
                self.id,
                self.version,
                self.title,
                self.effective,
                self.sha256,
                dict(self.rules),
                _thawed(self.policies),
                self.origin,
            ),
        )

    def __getitem__(self, rule_id: str) -> Rule:
        try:
            return self.rules[rule_id]
        except KeyError:
            raise RuleSetError(
                rule_id, f"no such rule in rule set {self.id} {self.version}"
            ) from None

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self.rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)

    def policy_choices(self, name: str) -> tuple[str, ...]:
        """The choices of a named policy (e.g. ``oral_max_daily``), in file order."""
        return tuple(self.policies[name]["choices"])

    def policy_default(self, name: str) -> str:
        """The default choice of a named policy."""
        return str(self.policies[name]["default"])

    def select(
        self,
        *,
        kind: str | _Wildcard = ANY,
        quantity: str | _Wildcard | None = ANY,
        population: str | _Wildcard = ANY,
        policy: str | _Wildcard | None = ANY,
    ) -> tuple[Rule, ...]:
        """The rules matching every given filter, in file order (an index lookup, no scan).

        Each filter left out (:data:`ANY`) matches every rule; ``policy=None`` matches the rules
        that belong to no policy, and ``quantity=None`` the advice. Matching is exact: the
        population ``"all"`` is its own value (ask for it separately where it applies).

        >>> rules = default_rules()
        >>> [r.id for r in rules.select(
        ...     kind="soft_max", quantity="oral.daily_dose", population="adult", policy="us_label"
        ... )]
        ['oral.adult.max_daily.us_label']
        >>> rules.select(kind="no such kind")
        ()
        """
        index = self._index
        if index is None:
            index = _build_index(self.rules)
            # Frozen class: the slot is set once, to a read-only view derived from the rules.
            object.__setattr__(self, "_index", index)
        return index.get((kind, quantity, population, policy), ())


# Set only while the loader (or the unpickler) makes a RuleSet: a rule set built any other way
# (attrs.evolve with other rules, say) could report a SHA-256 that its rules do not have.
_MAKING: Final = contextvars.ContextVar("baclofen_dose_making_rule_set", default=False)


def _make(**fields: Any) -> RuleSet:
    """Make a RuleSet from checked fields (the one way to make one)."""
    token = _MAKING.set(True)
    try:
        return RuleSet(**fields)
    finally:
        _MAKING.reset(token)


def _rebuild(
    id: str,
    version: str,
    title: str,
    effective: str,
    sha256: str,
    rules: Mapping[str, Rule],
    policies: Mapping[str, Mapping[str, Any]],
    origin: str,
) -> RuleSet:
    """Unpickle a :class:`RuleSet` (module level, so pickle can find it)."""
    return _make(
        id=id,
        version=version,
        title=title,
        effective=effective,
        sha256=sha256,
        rules=rules,
        policies=policies,
        origin=origin,
    )


def _build_index(rules: Mapping[str, Rule]) -> Mapping[_Key, tuple[Rule, ...]]:
    """Every rule under each of the 16 ways of leaving out some of its four select() fields."""
    index: dict[_Key, list[Rule]] = {}
    for rule in rules.values():
        k, q, p, o = rule.kind, rule.quantity, rule.population, rule.policy
        w = ANY
        keys: tuple[_Key, ...] = (
            (k, q, p, o), (w, q, p, o), (k, w, p, o), (w, w, p, o),
            (k, q, w, o), (w, q, w, o), (k, w, w, o), (w, w, w, o),
            (k, q, p, w), (w, q, p, w), (k, w, p, w), (w, w, p, w),
            (k, q, w, w), (w, q, w, w), (k, w, w, w), (w, w, w, w),
        )  # fmt: skip
        for key in keys:
            found = index.get(key)
            if found is None:
                index[key] = [rule]
            else:
                found.append(rule)
    return MappingProxyType({key: tuple(found) for key, found in index.items()})


def _need_str(table: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> str:
    value = table.get(key)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise RuleSetError(where, f"'{key}' must be a non-empty string")
    return value


def _check_keys(table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RuleSetError(where, f"unknown keys {unknown}")


def _source(key: str, table: Any) -> Source:
    where = f"sources.{key}"
    if not isinstance(table, Mapping):
        raise RuleSetError(where, "must be a table")
    _check_keys(table, _SOURCE_KEYS, where)
    confidence = _need_str(table, "confidence", where)
    if confidence not in _CONFIDENCE:
        raise RuleSetError(where, f"confidence must be one of {sorted(_CONFIDENCE)}")
    return Source(
        key=key,
        document=_need_str(table, "document", where),
        edition=_need_str(table, "edition", where),
        url=_need_str(table, "url", where),
        confidence=confidence,
    )


def _rule(raw: Any, sources: Mapping[str, Source], index: int) -> Rule:
    if not isinstance(raw, Mapping):
        raise RuleSetError(f"rules[{index}]", "must be a table")
    rule_id = _need_str(raw, "id", f"rules[{index}]")
    if not _ID.fullmatch(rule_id):
        raise RuleSetError(
            rule_id, "ids are lowercase dotted names, such as 'oral.adult.start.dose'"
        )
    _check_keys(raw, _RULE_KEYS, rule_id)
    kind = _need_str(raw, "kind", rule_id)
    if kind not in _KINDS:
        raise RuleSetError(rule_id, f"kind {kind!r} is not one of {sorted(_KINDS)}")
    source_key = raw.get("source")
    if not isinstance(source_key, str) or not source_key.strip():
        raise RuleSetError(rule_id, "has no source")
    if source_key not in sources:
        raise RuleSetError(rule_id, f"source {source_key!r} is not in the sources table")
    section = _need_str(raw, "section", rule_id)
    population = _need_str(raw, "population", rule_id)
    if population not in _POPULATIONS:
        raise RuleSetError(rule_id, f"population must be one of {sorted(_POPULATIONS)}")
    policy = raw.get("policy")
    if policy is not None and (not isinstance(policy, str) or not policy):
        raise RuleSetError(rule_id, "'policy' must be a non-empty string")
    quantity: str | None = None
    value: Fraction | None = None
    unit: str | None = None
    written: str | None = None
    text: str | None = None
    severity: str | None = None
    if kind == "advice":
        for key in ("value", "unit", "quantity"):
            if key in raw:
                raise RuleSetError(rule_id, f"advice has no '{key}'")
        text = _need_str(raw, "text", rule_id)
        severity = _need_str(raw, "severity", rule_id)
        if severity not in _SEVERITIES:
            raise RuleSetError(rule_id, f"severity must be one of {sorted(_SEVERITIES)}")
    else:
        if "text" in raw or "severity" in raw:
            raise RuleSetError(rule_id, "only advice has 'text' and 'severity'")
        quantity = _need_str(raw, "quantity", rule_id)
        if quantity not in QUANTITIES:
            raise RuleSetError(rule_id, f"quantity {quantity!r} is not one of {sorted(QUANTITIES)}")
        written = raw.get("value")
        ratio = QUANTITIES[quantity] is units.CONCENTRATION_FACTOR
        if not isinstance(written, str) or not (
            _VALUE.fullmatch(written) or (ratio and _RATIO.fullmatch(written))
        ):
            raise RuleSetError(
                rule_id, f"value must be an exact decimal written as a string, got {written!r}"
            )
        unit = _need_str(raw, "unit", rule_id)
        try:
            factor = units.parse_unit(unit, QUANTITIES[quantity], f"{rule_id}.unit")
        except BaclofenDoseError as exc:
            raise RuleSetError(rule_id, f"unit {unit!r} does not fit {quantity}: {exc}") from None
        value = Fraction(written) * factor
        if value <= 0:
            raise RuleSetError(rule_id, "value must be greater than zero")
    form, scoring = _catalogue(raw, rule_id, kind, quantity)
    return Rule(
        id=rule_id,
        kind=kind,
        quantity=quantity,
        value=value,
        unit=unit,
        written=written,
        population=population,
        policy=policy,
        source=sources[source_key],
        section=section,
        clinical=_need_str(raw, "clinical", rule_id),
        note=_need_str(raw, "note", rule_id, optional=True),
        severity=severity,
        text=text,
        form=form,
        scoring=scoring,
    )


def _catalogue(
    raw: Mapping[str, Any], rule_id: str, kind: str, quantity: str | None
) -> tuple[str | None, str | None]:
    """A catalogue entry's form and scoring (refused on other kinds; checked against quantity)."""
    if kind != "catalogue" or (quantity or "").startswith("it."):
        # Intrathecal catalogue entries are strengths and pump sizes: no form, no scoring.
        if "form" in raw or "scoring" in raw:
            raise RuleSetError(
                rule_id, "only catalogue entries for oral products have 'form' and 'scoring'"
            )
        return None, None
    form = _need_str(raw, "form", rule_id)
    if form not in CATALOGUE_FORMS:
        raise RuleSetError(rule_id, f"form must be one of {sorted(CATALOGUE_FORMS)}")
    if quantity != CATALOGUE_FORMS[form]:
        raise RuleSetError(rule_id, f"a {form} entry must measure {CATALOGUE_FORMS[form]}")
    scoring = raw.get("scoring")
    if form == "tablet":
        if scoring not in SCORINGS:
            raise RuleSetError(rule_id, f"a tablet needs 'scoring', one of {sorted(SCORINGS)}")
    elif scoring is not None:
        raise RuleSetError(rule_id, "only tablets have 'scoring'")
    return form, scoring


def _check_limits(rules: Mapping[str, Rule]) -> None:
    """Minimums below maximums; soft limits inside hard limits (per quantity and population)."""
    groups: dict[tuple[str, str], list[Rule]] = {}
    for rule in rules.values():
        if rule.kind in LIMIT_KINDS and rule.quantity is not None:
            groups.setdefault((rule.quantity, rule.population), []).append(rule)
    for members in groups.values():
        for low in members:
            for high in members:
                if low is high or not low.kind.endswith("_min") or not high.kind.endswith("_max"):
                    continue
                if low.policy and high.policy and low.policy != high.policy:
                    continue
                if low.require_value() > high.require_value():
                    raise RuleSetError(low.id, f"minimum is above the maximum of {high.id}")
        hard_max = [r for r in members if r.kind == "hard_max"]
        hard_min = [r for r in members if r.kind == "hard_min"]
        for soft in (r for r in members if r.kind.startswith("soft_")):
            for hard in hard_max:
                if soft.require_value() > hard.require_value():
                    raise RuleSetError(soft.id, f"soft limit lies above the hard limit {hard.id}")
            for hard in hard_min:
                if soft.require_value() < hard.require_value():
                    raise RuleSetError(soft.id, f"soft limit lies below the hard limit {hard.id}")


def _check_policies(policies: Any, rules: Mapping[str, Rule]) -> dict[str, dict[str, Any]]:
    if not isinstance(policies, Mapping):
        raise RuleSetError("policies", "must be a table")
    checked: dict[str, dict[str, Any]] = {}
    for name, table in policies.items():
        where = f"policies.{name}"
        if not isinstance(table, Mapping):
            raise RuleSetError(where, "must be a table")
        _check_keys(table, frozenset({"default", "description", "choices"}), where)
        choices = table.get("choices")
        if not isinstance(choices, Mapping) or not choices:
            raise RuleSetError(where, "needs a non-empty 'choices' table")
        default = _need_str(table, "default", where)
        if default not in choices:
            raise RuleSetError(where, f"default {default!r} is not one of its choices")
        checked[name] = {
            "default": default,
            "description": _need_str(table, "description", where),
            "choices": {str(k): str(v) for k, v in choices.items()},
        }
    all_choices = {c for p in checked.values() for c in p["choices"]}
    for rule in rules.values():
        if rule.policy and rule.policy not in all_choices:
            raise RuleSetError(rule.id, f"policy {rule.policy!r} is not a choice of any policy")
    return checked


def _check_required(rules: Mapping[str, Rule]) -> None:
    """Every rule some module declares it reads (:mod:`.needs`) is there, measuring what the
    module expects."""
    for rule_id, quantity in needs.declared().items():
        if rule_id not in rules:
            raise RuleSetError(rule_id, "is required by the planners and missing")
        if rules[rule_id].quantity != quantity:
            raise RuleSetError(rule_id, f"must measure {quantity or 'nothing (advice)'}")


# The parse cache (start-up time: parsing the TOML is most of the cost of loading the rules).
# It holds only what tomllib made of a file's bytes, as JSON, keyed by their SHA-256; every
# validation still runs on each load. It is read only from a folder and file that belong to
# this user and that no one else may write, and written atomically; any problem and it is
# ignored. BACLOFEN_DOSE_NO_CACHE=1 turns it off.
_CACHE_FORMAT: Final = 1
_CACHE_FOLDER: Final = "baclofen-dose"
_NO_CACHE: Final = "BACLOFEN_DOSE_NO_CACHE"
_MAX_CACHE_BYTES: Final = 4 * _MAX_FILE_BYTES
_MAX_CACHE_ENTRIES: Final = 16
_OTHERS_WRITE: Final = stat.S_IWGRP | stat.S_IWOTH


def cache_folder() -> Path | None:
    """Where parsed rule files are cached: ``$XDG_CACHE_HOME/baclofen-dose`` or
    ``~/.cache/baclofen-dose``; ``None`` when caching is off (``BACLOFEN_DOSE_NO_CACHE=1``,
    no home folder, or a system without POSIX file owners).
    """
    if os.environ.get(_NO_CACHE) or not hasattr(os, "getuid"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except RuntimeError:  # no home folder
        return None
    return root / _CACHE_FOLDER


def _private(info: os.stat_result, *, folder: bool) -> bool:
    """This user's own folder or regular file, which no other user may write."""
    kind = stat.S_ISDIR if folder else stat.S_ISREG
    return kind(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & _OTHERS_WRITE


def _cache_file(digest: str) -> Path | None:
    folder = cache_folder()
    if folder is None or not _private(os.lstat(folder), folder=True):
        return None
    return folder / f"rules-{digest}.json"


def _cached_document(digest: str) -> dict[str, Any] | None:
    """The parsed document cached for the bytes with this SHA-256, or None (on any problem)."""
    try:
        file = _cache_file(digest)
        if file is None:
            return None
        handle = os.open(file, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not _private(info, folder=False) or info.st_size > _MAX_CACHE_BYTES:
                return None
            payload = json.loads(stream.read())
    except (OSError, ValueError, RecursionError):
        return None
    if (
        not isinstance(payload, dict)
        or payload.get("format") != _CACHE_FORMAT
        or payload.get("sha256") != digest
        or not isinstance(payload.get("document"), dict)
    ):
        return None
    document: dict[str, Any] = payload["document"]
    return document


def _plain(value: Any) -> bool:
    """True when JSON gives back exactly this value (no dates, no NaN; str keys)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int)  # bool is an int


def _store_document(digest: str, document: dict[str, Any]) -> None:
    """Cache a parsed document, atomically; silently skipped on any problem."""
    folder = cache_folder()
    if folder is None or not _plain(document):
        return
    import tempfile  # deferred: only a cache miss writes

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        file = _cache_file(digest)
        if file is None:
            return
        payload = {"format": _CACHE_FORMAT, "sha256": digest, "document": document}
        text = json.dumps(payload, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".rules-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as stream:
                stream.write(text)
            os.replace(temporary, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _prune(folder)
    except (OSError, ValueError, RecursionError):
        return


def _prune(folder: Path) -> None:
    """Keep the most recently written entries only (each edit of a rule file makes one)."""
    entries = sorted(folder.glob("rules-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[_MAX_CACHE_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()


def _document(data: bytes, digest: str, origin: str) -> tuple[dict[str, Any], bool]:
    """The parsed TOML (from the cache when these exact bytes were parsed before) and
    whether it came from the cache.
    """
    cached = _cached_document(digest)
    if cached is not None:
        return cached, True
    import tomllib  # deferred: a cache hit needs no TOML parser

    if _nesting(data) > _MAX_NESTING:
        raise RuleSetError(origin, f"nests tables or arrays more than {_MAX_NESTING} deep")
    try:
        return tomllib.loads(data.decode("utf-8")), False
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleSetError(origin, f"is not valid UTF-8 TOML: {exc}") from None
    except RecursionError:  # pragma: no cover - the nesting check comes first
        raise RuleSetError(origin, "nests too deeply to read") from None


_MAX_NESTING: Final = 16


def _nesting(data: bytes) -> int:
    """An upper bound on the bracket nesting of a TOML document (strings may inflate it)."""
    depth = deepest = 0
    for byte in data:
        if byte in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif byte in b"]}":
            depth -= 1
        elif byte == 10:  # a newline ends any table header line
            depth = max(depth, 0)
    return deepest


def _parse(data: bytes, origin: str) -> RuleSet:
    digest = hashlib.sha256(data).hexdigest()
    doc, cached = _document(data, digest, origin)
    ruleset = _validate(doc, digest, origin)
    if not cached:
        _store_document(digest, doc)
    return ruleset


def _validate(doc: dict[str, Any], digest: str, origin: str) -> RuleSet:
    """Validate a parsed rule file (every check in the module docstring) into a RuleSet."""
    _check_keys(doc, _TOP_KEYS, origin)
    header = doc.get("ruleset")
    if not isinstance(header, Mapping):
        raise RuleSetError("ruleset", "the [ruleset] table is missing")
    _check_keys(header, _RULESET_KEYS, "ruleset")
    raw_sources = doc.get("sources")
    if not isinstance(raw_sources, Mapping) or not raw_sources:
        raise RuleSetError("sources", "the [sources] table is missing or empty")
    sources = {key: _source(key, table) for key, table in raw_sources.items()}
    raw_rules = doc.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleSetError("rules", "no [[rules]] entries")
    rules: dict[str, Rule] = {}
    for index, raw in enumerate(raw_rules):
        rule = _rule(raw, sources, index)
        if rule.id in rules:
            raise RuleSetError(rule.id, "duplicate rule id")
        rules[rule.id] = rule
    _check_limits(rules)
    policies = _check_policies(doc.get("policies", {}), rules)
    _check_required(rules)
    return _make(
        id=_need_str(header, "id", "ruleset"),
        version=_need_str(header, "version", "ruleset"),
        title=_need_str(header, "title", "ruleset"),
        effective=_need_str(header, "effective", "ruleset"),
        sha256=digest,
        rules=rules,
        policies=policies,
        origin=origin,
    )


def load_rules(path: str | Path) -> RuleSet:
    """Load and validate a rule file (an institution's own, say). Refuses invalid data.

    >>> load_rules("no/such/file.toml")
    Traceback (most recent call last):
    ...
    baclofen_dose.RuleSetError: rule data: no/such/file.toml: cannot be read: ...
    """
    if not isinstance(path, (str, Path)) or isinstance(path, bool):
        raise InputTypeError("rules", path, "the path of a rule file (str or pathlib.Path)")
    where = str(path)
    try:
        # Read at most one byte more than allowed: the size read, not the size reported (a
        # device such as /dev/zero reports 0 bytes and never ends).
        with open(path, "rb") as stream:
            data = stream.read(_MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise RuleSetError(where, f"cannot be read: {exc.strerror}") from None
    except ValueError as exc:  # an embedded NUL in the path
        raise RuleSetError(where, f"cannot be read: {exc}") from None
    if len(data) > _MAX_FILE_BYTES:
        raise RuleSetError(where, f"is larger than {_MAX_FILE_BYTES} bytes")
    ruleset = _parse(data, where)
    bundled = default_rules()
    if ruleset.sha256 != bundled.sha256:
        # An institution's file: every value plausible, every text ISMP-clean, and no hard
        # limit looser than the bundled rule set's (issue 9: a drug library, not a bypass).
        check_tightens(ruleset.rules, bundled.rules)
        check_bands(ruleset)
        check_texts(ruleset)
    return ruleset


@cache
def default_rules() -> RuleSet:
    """The bundled rule set (``baclofen.toml``), loaded and validated once."""
    try:
        with open(os.path.join(os.path.dirname(__file__), _BUNDLED), "rb") as stream:
            data = stream.read()
    except OSError:  # pragma: no cover - a zipped install; importlib.resources is slow to import
        from importlib import resources

        data = resources.files(__package__ or __name__).joinpath(_BUNDLED).read_bytes()
    return _parse(data, "baclofen.toml (bundled)")
