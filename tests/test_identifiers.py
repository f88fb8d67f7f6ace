"""Every clinical code in the interaction table is backed by named public sources (issue 11).

tests/data/identifiers.toml is the machine-readable copy of docs/identifiers.md: each RxNorm
ingredient RxCUI and ICD-10-CM code with the sources it was read in. A code in
baclofen_dose/core/rules/interactions.toml must be listed there for the same ingredient or
condition, with at least as many sources as the table claims; a code with one source is allowed
only where the project's first reference (identifiers.md) already carried it; a NOT FOUND
ingredient or condition carries no code.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from baclofen_dose.core.errors import RuleSetError
from baclofen_dose.core.rules.interactions import default_interactions, load_interactions

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "identifiers.toml"
DOC = ROOT / "docs" / "identifiers.md"
BUNDLED = ROOT / "baclofen_dose" / "core" / "rules" / "interactions.toml"
TAGS = {"2 SOURCES", "1 SOURCE"}
ORIGINS = {"identifiers.md", "2026-11-29"}


def _data() -> dict[str, Any]:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def _entries(system: str) -> list[dict[str, Any]]:
    return list(_data()[system])


def _index(system: str, key: str) -> dict[str, dict[str, Any]]:
    entries = _entries(system)
    codes = Counter(e["code"] for e in entries)
    assert not [c for c, n in codes.items() if n > 1], f"a {system} code is listed twice"
    return {e["code"]: e for e in entries if key in e or system == "loinc"}


@pytest.mark.parametrize("system", ["rxnorm", "icd10cm", "loinc"])
def test_every_entry_names_its_sources_and_its_tag_fits_them(system: str) -> None:
    for entry in _entries(system):
        sources = entry["sources"]
        assert entry["tag"] in TAGS, entry
        assert entry["origin"] in ORIGINS, entry
        assert sources and len(set(sources)) == len(sources), entry
        assert all(isinstance(s, str) and len(s) > 10 for s in sources), entry
        # "2 SOURCES" needs two distinct places; "1 SOURCE" has exactly one.
        assert (entry["tag"] == "2 SOURCES") == (len(sources) >= 2), entry
        # A new code (this pass) is taken only with two sources.
        if entry["origin"] != "identifiers.md":
            assert entry["tag"] == "2 SOURCES", entry


def test_every_rxcui_in_the_table_is_listed_for_the_same_ingredient() -> None:
    listed = _index("rxnorm", "name")
    seen = 0
    for klass in default_interactions().classes:
        for member in klass.members:
            if member.rxcui is None:
                assert member.rxcui_sources is None, member
                continue
            seen += 1
            entry = listed.get(member.rxcui)
            assert entry is not None, f"{member.name} {member.rxcui} is not in identifiers.toml"
            assert entry["name"] == member.name, (member, entry)
            assert member.rxcui_sources is not None, member
            assert member.rxcui_sources == min(len(entry["sources"]), 2), (member, entry)
    assert seen >= 24


def test_every_icd10cm_code_in_the_table_is_listed_for_the_same_condition() -> None:
    listed = _index("icd10cm", "condition")
    seen = 0
    for condition in default_interactions().conditions.values():
        counts = dict(condition.icd10cm_sources)
        assert set(counts) == set(condition.icd10cm), condition.key
        for code in condition.icd10cm:
            seen += 1
            entry = listed.get(code)
            assert entry is not None, f"{condition.key} {code} is not in identifiers.toml"
            assert entry["condition"] == condition.key, (code, entry)
            assert counts[code] == min(len(entry["sources"]), 2), (code, entry)
    assert seen >= 10


def test_nothing_not_found_is_encoded() -> None:
    table = default_interactions()
    missing = _entries("not_found")
    assert missing
    names = {m.name: m for c in table.classes for m in c.members}
    listed_rx = {e["name"] for e in _entries("rxnorm")}
    listed_icd = {e["condition"] for e in _entries("icd10cm")}
    for entry in missing:
        if entry["system"] == "rxnorm":
            assert entry["name"] not in listed_rx, entry
            if entry["name"] in names:
                assert names[entry["name"]].rxcui is None, entry
        else:
            assert entry["system"] == "icd10cm", entry
            assert entry["name"] in table.conditions, entry
            assert entry["name"] not in listed_icd, entry
            assert table.conditions[entry["name"]].icd10cm == (), entry


def test_no_contradicted_code_is_used() -> None:
    """Codes public files gave wrongly (tizanidine as 10454 or 10634, ...) are not in the table."""
    conflicts = _entries("conflicts")
    assert conflicts
    names = {m.name: m for c in default_interactions().classes for m in c.members}
    listed = {e["name"]: e["code"] for e in _entries("rxnorm")}
    for entry in conflicts:
        assert entry["where"] and entry["note"], entry
        if entry["name"] in names:
            assert names[entry["name"]].rxcui != entry["code"], entry
        assert listed.get(entry["name"]) != entry["code"], entry


def test_the_documentation_lists_every_code_with_its_tag() -> None:
    doc = DOC.read_text(encoding="utf-8")
    rows = {
        match.group(1): match.group(2)
        for match in re.finditer(r"^\|[^|\n]*\|\s*`([^`]+)`\s*\|.*\[(2 SOURCES|1 SOURCE)\]", doc, re.M)
    }
    for system in ("rxnorm", "icd10cm", "loinc"):
        for entry in _entries(system):
            assert rows.get(entry["code"]) == entry["tag"], (system, entry["code"])
    assert len(rows) == sum(len(_entries(s)) for s in ("rxnorm", "icd10cm", "loinc"))


def test_the_table_says_where_its_codes_come_from() -> None:
    table = default_interactions()
    for text in (table.rxnorm, table.icd10cm):
        assert "identifiers.md" in text and "2026-11-29" in text


def _refused(tmp_path: Path, old: str, new: str) -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "t.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleSetError):
        load_interactions(path)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('rxcui = "7052", rxcui_sources = 2', 'rxcui = "7052"'),
        ('rxcui = "7052", rxcui_sources = 2', 'rxcui = "7052", rxcui_sources = 0'),
        ('rxcui = "7052", rxcui_sources = 2', 'rxcui = "7052", rxcui_sources = "2"'),
        ('rxcui = "7052", rxcui_sources = 2', 'rxcui = "7052", rxcui_sources = true'),
        ('{ "G90.4" = 2 }', "{ }"),
        ('{ "G90.4" = 2 }', '{ "G90.4" = 2, "G90.5" = 2 }'),
        ('{ "G90.4" = 2 }', '{ "G90.4" = 0 }'),
    ],
)
def test_a_code_without_its_evidence_is_refused(tmp_path: Path, old: str, new: str) -> None:
    _refused(tmp_path, old, new)


def test_evidence_without_a_code_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, 'rxcui = "7052", rxcui_sources = 2', "rxcui_sources = 2")


def test_an_institution_file_may_leave_out_or_give_counts(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[table]\nid = "hospital"\nversion = "1"\n\n'
        '[[members]]\nclass = "muscle_relaxants"\nname = "dantrolene"\n\n'
        # A made-up code (test data only): an institution file need not give its evidence.
        '[[members]]\nclass = "muscle_relaxants"\nname = "examplemedicine"\nrxcui = "999999991"\n\n'
        '[[codes]]\ncondition = "peptic_ulcer"\nicd10cm = ["K28"]\n'
        'icd10cm_sources = { "K28" = 1 }\n',
        encoding="utf-8",
    )
    table = load_interactions(extra=extra)
    assert table.condition_for("K28.9").key == "peptic_ulcer"  # type: ignore[union-attr]
    assert ("K28", 1) in table.conditions["peptic_ulcer"].icd10cm_sources
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[table]\nid = "h"\nversion = "1"\n[[codes]]\ncondition = "peptic_ulcer"\n'
        'icd10cm = ["K28"]\nicd10cm_sources = { "K29" = 1 }\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleSetError):
        load_interactions(extra=bad)
