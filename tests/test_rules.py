"""Rule data: validation, sources, hashing, institution files (brief: rules are data; SAF-18)."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tomllib
from collections.abc import Callable, Sequence
from fractions import Fraction
from importlib import resources
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import baclofen_dose.core.rules as rules_module
from baclofen_dose import plan_titration
from baclofen_dose.core.errors import RuleSetError
from baclofen_dose.core.rules import (
    LIMIT_KINDS,
    QUANTITIES,
    default_rules,
    load_rules,
    needs,
)
from baclofen_dose.render.rules_table import rules_markdown, rules_text
from tests.ismp import assert_clean

posix_only = pytest.mark.skipif(
    not hasattr(os, "getuid") or sys.platform == "win32",
    reason="the cache is used only where files have POSIX owners and modes",
)

BUNDLED = resources.files("baclofen_dose.core.rules").joinpath("baclofen.toml").read_text("utf-8")

# Snapshot of every hard and soft limit (SAF-38). Changing a limit in the rule data must come
# with a change here and a CHANGELOG "Rules changed" entry.
LIMIT_SNAPSHOT = {
    # issue 10 item 2: founding-page figures are soft; no label sets a minimum of doses a day
    "oral.adult.titration.step.min": ("soft_min", Fraction(5)),
    "oral.adult.titration.step.max": ("soft_max", Fraction(15)),
    "oral.adult.titration.interval.min": ("soft_min", Fraction(3)),
    "oral.adult.times_per_day.min": ("hard_min", Fraction(1)),
    "oral.adult.times_per_day.max": ("soft_max", Fraction(4)),
    "oral.adult.max_daily.us_label": ("soft_max", Fraction(80)),
    "oral.adult.max_dose.us_label": ("soft_max", Fraction(20)),
    "oral.adult.max_daily.uk_outpatient": ("soft_max", Fraction(100)),
    "oral.adult.max_daily.inpatient_supervised": ("soft_max", Fraction(120)),
    "oral.adult.max_daily.hard": ("hard_max", Fraction(120)),
    "schedule.horizon": ("hard_max", Fraction(366)),
    "oral.taper.duration.min": ("soft_min", Fraction(7)),
    "oral.taper.step.max": ("soft_max", Fraction(15)),
    "oral.taper.step_length.min": ("hard_min", Fraction(1)),
    # intrathecal (issue 5): percentages are plain ratios (3/10 is 30%)
    "it.concentration.lowest": ("hard_min", Fraction(50)),
    "it.concentration.highest": ("hard_max", Fraction(2000)),
    "it.screening.dose.max": ("hard_max", Fraction(100)),
    "it.screening.interval.min": ("hard_min", Fraction(24)),
    "it.initial.no_increase": ("hard_min", Fraction(24)),
    "it.titrate.spinal.increase.max": ("hard_max", Fraction(3, 10)),
    "it.titrate.cerebral.increase.max": ("hard_max", Fraction(3, 20)),
    "it.titrate.child.increase.max": ("hard_max", Fraction(3, 20)),
    "it.refill_change.spinal.increase.max": ("hard_max", Fraction(2, 5)),
    "it.refill_change.cerebral.increase.max": ("hard_max", Fraction(1, 5)),
    "it.refill_change.child.increase.max": ("hard_max", Fraction(1, 5)),
    "it.titrate.interval.min": ("hard_min", Fraction(24)),
    "it.titrate.decrease.max": ("soft_max", Fraction(1, 5)),
    "it.daily_dose.ceiling": ("hard_max", Fraction(2000)),
    "it.daily_dose.plausible_min": ("hard_min", Fraction(1)),
    "it.taper.step.max": ("soft_max", Fraction(1, 5)),
    "it.taper.interval.min": ("soft_min", Fraction(2)),
    # issue 3: plausibility bands, renal policies, children
    "patient.age.max": ("hard_max", Fraction(120)),
    "patient.weight.min": ("hard_min", Fraction(1)),
    "patient.weight.max": ("hard_max", Fraction(400)),
    "patient.height.min": ("hard_min", Fraction(40)),
    "patient.height.adult_min": ("hard_min", Fraction(100)),
    "patient.height.max": ("hard_max", Fraction(250)),
    "patient.creatinine.max_mass": ("hard_max", Fraction(20)),
    "patient.creatinine.min_molar": ("hard_min", Fraction(20)),
    "renal.vlavonou2014.mild.dose_fraction": ("soft_max", Fraction(2, 3)),
    "renal.vlavonou2014.moderate.dose_fraction": ("soft_max", Fraction(1, 2)),
    "renal.vlavonou2014.severe.dose_fraction": ("soft_max", Fraction(1, 3)),
    "renal.ca_monograph.dialysis.max_daily": ("soft_max", Fraction(5)),
    # issue 10 item 1: kidney failure without dialysis
    "renal.ca_monograph.end_stage.max_daily": ("soft_max", Fraction(5)),
    "renal.end_stage.interval.min": ("soft_min", Fraction(7)),
    "oral.older_adult.interval.min": ("soft_min", Fraction(7)),
    "oral.renal.times_per_day.min": ("hard_min", Fraction(1)),
    "renal.ajkd2017.egfr_min": ("soft_min", Fraction(30)),
    "oral.child.times_per_day.min": ("hard_min", Fraction(2)),
    "oral.child.times_per_day.max": ("hard_max", Fraction(4)),
    "oral.child.titration.interval.min": ("hard_min", Fraction(7)),
    "oral.child.titration.step.max_per_kg": ("hard_max", Fraction(1, 2)),
    "oral.child.titration.step.per_dose": ("soft_max", Fraction(5)),
    "oral.child.tablet.min_weight": ("soft_min", Fraction(33)),
    "oral.child.maintenance.max_per_kg": ("soft_max", Fraction(2)),
    "oral.child.max_daily.under_8": ("hard_max", Fraction(40)),
    "oral.child.max_daily.from_8": ("hard_max", Fraction(60)),
}


def test_bundled_rules_load_and_identify() -> None:
    rules = default_rules()
    assert rules.id == "baclofen-core"
    assert rules.version == "1.0.0"
    data = resources.files("baclofen_dose.core.rules").joinpath("baclofen.toml").read_bytes()
    assert rules.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.req("SAF-38")
def test_limit_snapshot() -> None:
    rules = default_rules()
    limits = {r.id: (r.kind, r.value) for r in rules if r.kind in LIMIT_KINDS}
    assert limits == LIMIT_SNAPSHOT


@pytest.mark.req("SAF-18")
def test_every_rule_is_sourced() -> None:
    for rule in default_rules():
        assert rule.source.document.strip()
        assert rule.section.strip()
        assert rule.clinical.strip()
        assert rule.source.confidence in {"LABEL", "SECONDARY", "DERIVED", "POLICY"}
        if rule.kind == "advice":
            assert rule.text and rule.value is None
        else:
            assert rule.quantity in QUANTITIES and rule.value is not None and rule.value > 0


def test_required_rules_present() -> None:
    rules = default_rules()
    for rule_id, quantity in needs.declared().items():
        assert rules[rule_id].quantity == quantity


@pytest.mark.req("SAF-01")
def test_rule_texts_pass_the_lint() -> None:
    """Citations and advice are shown to people, so they follow the ISMP rules too."""
    rules = default_rules()
    texts = [r.citation for r in rules] + [r.text or "" for r in rules] + [rules.title]
    assert_clean(texts)
    assert_clean(rules_text(rules))


def test_docs_rules_page_matches_the_data() -> None:
    """docs/rules.md is generated from the rule data (`baclofen-dose rules --format markdown`)."""
    page = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
    assert page.read_text(encoding="utf-8") == rules_markdown(default_rules())


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _edit(old: str, new: str) -> str:
    assert old in BUNDLED, old
    return BUNDLED.replace(old, new, 1)


START = 'id = "oral.adult.start.dose"\nkind = "default"\nquantity = "oral.dose"\nvalue = "5"\nunit = "mg"'


@pytest.mark.req("SAF-18")
@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        (
            _edit(
                START + '\npopulation = "adult"\nsource = "L1"\n',
                START + '\npopulation = "adult"\n',
            ),
            "oral.adult.start.dose",
            "has no source",
        ),
        (
            _edit(
                'source = "L1"\nsection = "Dosage and Administration: 5 mg three times a day for 3 days"',
                'source = "L1"\nsection = ""',
            ),
            "oral.adult.start.dose",
            "section",
        ),
        (
            _edit('id = "oral.adult.start.times_per_day"', 'id = "oral.adult.start.dose"'),
            "oral.adult.start.dose",
            "duplicate",
        ),
        (
            _edit(START, START.replace('unit = "mg"', 'unit = "mL"')),
            "oral.adult.start.dose",
            "does not fit",
        ),
        (
            _edit(START, START.replace('unit = "mg"', 'unit = "mcg"')),
            "oral.adult.start.dose",
            "does not fit",
        ),
        (
            _edit(START, START.replace('value = "5"', "value = 5.0")),
            "oral.adult.start.dose",
            "exact decimal",
        ),
        (
            _edit(START, START.replace('value = "5"', 'value = "0"')),
            "oral.adult.start.dose",
            "greater than zero",
        ),
        (
            _edit(
                'id = "oral.adult.titration.step.min"\nkind = "soft_min"\nquantity = "oral.step"\nvalue = "5"',
                'id = "oral.adult.titration.step.min"\nkind = "soft_min"\nquantity = "oral.step"\nvalue = "20"',
            ),
            "oral.adult.titration.step.min",
            "above the maximum",
        ),
        (
            _edit(
                'policy = "us_label"\nsource = "L1"\nsection = "Dosage and Administration: total daily',
                'policy = "us_label"\nsource = "L1"\nsection = "Dosage and Administration: total daily',
            ).replace('value = "80"', 'value = "130"', 1),
            "oral.adult.max_daily.us_label",
            "above the hard limit",
        ),
        (
            _edit(
                'population = "adult"\nsource = "L1"\nsection = "Dosage and Administration: 5 mg three times a day for 3 days"',
                'population = "adult"\nsource = "L1"\nsection = "Dosage and Administration: 5 mg three times a day for 3 days"\ncolour = "red"',
            ),
            "oral.adult.start.dose",
            "unknown keys",
        ),
        (_edit("[sources.L1]\n", "[sources.L1]\nfavourite = true\n"), "sources.L1", "unknown keys"),
        (_edit('confidence = "LABEL"', 'confidence = "NOT FOUND"'), "sources.L1", "confidence"),
        (
            _edit('id = "schedule.horizon"', 'id = "schedule.horizon_renamed"'),
            "schedule.horizon",
            "missing",
        ),
        (
            _edit(
                'kind = "advice"\npopulation = "all"',
                'kind = "advice"\nvalue = "1"\npopulation = "all"',
            ),
            "oral.withdrawal.abrupt",
            "advice has no",
        ),
        (
            _edit('policy = "uk_outpatient"', 'policy = "somewhere_else"'),
            "oral.adult.max_daily.uk_outpatient",
            "not a choice",
        ),
        (
            _edit('default = "us_label"', 'default = "nowhere"'),
            "policies.oral_max_daily",
            "default",
        ),
        (_edit('kind = "grid"', 'kind = "gird"'), "oral.adult.dose.grid", "kind"),
        ("this is = not toml [", "rules.toml", "TOML"),
        (BUNDLED.replace("[ruleset]", "[header]", 1), "rules.toml", "unknown keys"),
    ],
)
def test_invalid_rule_files_are_refused(
    tmp_path: Path, text: str, field: str, problem: str
) -> None:
    with pytest.raises(RuleSetError) as caught:
        load_rules(_write(tmp_path, text))
    assert field in caught.value.field
    assert problem in str(caught.value)


def test_soft_limit_below_hard_minimum_is_refused(tmp_path: Path) -> None:
    text = BUNDLED + (
        '\n[[rules]]\nid = "oral.adult.times_per_day.soft_floor"\nkind = "soft_min"\n'
        'quantity = "oral.times_per_day"\nvalue = "0.5"\nunit = "1/day"\npopulation = "adult"\n'
        'source = "L1"\nsection = "test"\nclinical = "test"\n'
    )
    with pytest.raises(RuleSetError, match="below the hard limit"):
        load_rules(_write(tmp_path, text))


def test_institution_file_is_used_and_identified(tmp_path: Path) -> None:
    """An institution's own file is validated the same way, and results name its hash."""
    text = _edit(
        '[ruleset]\nid = "baclofen-core"\nversion = "1.0.0"',
        '[ruleset]\nid = "st-elsewhere"\nversion = "7.1.2"',
    )
    text = text.replace(START, START.replace('value = "5"', 'value = "10"'))
    path = _write(tmp_path, text)
    rules = load_rules(path)
    assert rules.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert rules.sha256 != default_rules().sha256
    plan = plan_titration(start="2026-01-05", target="60 mg/day", rules=rules)
    assert plan.steps[0].regimen.doses_mg == (Fraction(10),) * 3
    assert plan.provenance.ruleset_id == "st-elsewhere"
    assert plan.provenance.ruleset_sha256 == rules.sha256


def test_one_changed_byte_changes_the_hash(tmp_path: Path) -> None:
    rules = load_rules(_write(tmp_path, BUNDLED + "\n# reviewed\n"))
    assert rules.sha256 != default_rules().sha256


def test_unreadable_and_huge_files(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="cannot be read"):
        load_rules(tmp_path / "missing.toml")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * 1_100_000)
    with pytest.raises(RuleSetError, match="larger than"):
        load_rules(big)


def test_unknown_rule_lookup() -> None:
    with pytest.raises(RuleSetError, match="no such rule"):
        default_rules()["oral.nothing"]


# --- issue 8 item 5: an immutable, indexed rule set ------------------------------------------


def test_a_loaded_rule_set_cannot_be_changed_in_place() -> None:
    """No way to change a loaded rule set, so a result's SHA-256 is that of the rules it used."""
    rules = default_rules()
    rule = rules["oral.adult.max_daily.hard"]
    with pytest.raises(TypeError):
        rules["oral.adult.max_daily.hard"] = rule  # type: ignore[index]
    with pytest.raises(TypeError):
        del rules["oral.adult.max_daily.hard"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        rules.rules["oral.adult.max_daily.hard"] = rule  # type: ignore[index]
    with pytest.raises(AttributeError):  # a read-only view has no pop, clear or update
        rules.rules.pop("oral.adult.max_daily.hard")  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        rules.policies["oral_max_daily"]["default"] = "uk_outpatient"  # type: ignore[index]
    with pytest.raises(TypeError):
        rules.policies["oral_max_daily"]["choices"]["anything"] = "goes"
    with pytest.raises(TypeError):
        rules.policies["new"] = {}  # type: ignore[index]
    for target, name, value in [
        (rules, "sha256", "0" * 64),
        (rules, "rules", {}),
        (rules, "policies", {}),
        (rules, "_index", None),
        (rule, "value", Fraction(1000)),
        (rule, "kind", "advice"),
        (rule.source, "url", "https://example.org"),
    ]:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(target, name, value)
    assert rules["oral.adult.max_daily.hard"].value == 120
    assert rules.policy_default("oral_max_daily") == "us_label"


def test_a_rule_set_is_made_only_by_the_loader() -> None:
    """A rule set with other rules under the same SHA-256 cannot be made (not by evolve either)."""
    rules = default_rules()
    smaller = {k: v for k, v in rules.rules.items() if k != "oral.adult.max_daily.hard"}
    with pytest.raises(TypeError, match="load_rules"):
        attrs.evolve(rules, rules=smaller)
    with pytest.raises(TypeError, match="load_rules"):
        rules_module.RuleSet(
            id=rules.id,
            version=rules.version,
            title=rules.title,
            effective=rules.effective,
            sha256=rules.sha256,
            rules=smaller,
            policies=rules.policies,
            origin="forged",
        )


def test_a_rule_set_does_not_share_the_mappings_it_was_built_from() -> None:
    rules = default_rules()
    given = dict(rules.rules)
    policies = {"oral_max_daily": {"default": "us_label", "choices": {"us_label": "US"}}}
    fields = attrs.asdict(rules, recurse=False)
    del fields["_index"]
    copy = rules_module._make(**(fields | {"rules": given, "policies": policies}))
    given.clear()
    policies["oral_max_daily"]["default"] = "uk_outpatient"
    assert len(copy) == len(rules)
    assert copy.policy_default("oral_max_daily") == "us_label"


def test_equality_and_hash_are_by_sha256(tmp_path: Path) -> None:
    """Two rule sets are equal, and hash alike, exactly when their bytes are the same."""
    same = load_rules(_write(tmp_path, BUNDLED))
    assert same == default_rules()
    assert hash(same) == hash(default_rules())
    assert same is not default_rules()
    assert {same, default_rules()} == {default_rules()}
    changed = load_rules(_write(tmp_path, BUNDLED + "\n# reviewed\n"))
    assert changed != default_rules()
    assert len({changed, default_rules()}) == 2
    assert default_rules() != default_rules().sha256  # type: ignore[comparison-overlap]


def test_a_rule_set_pickles() -> None:
    rules = default_rules()
    again = pickle.loads(pickle.dumps(rules))
    assert again == rules
    assert list(again) == list(rules)
    assert again.policies == rules.policies
    assert again.origin == rules.origin
    with pytest.raises(TypeError):
        again.rules["x"] = rules["oral.adult.start.dose"]


def test_default_rules_is_loaded_once() -> None:
    assert default_rules() is default_rules()


_RULES = tuple(default_rules())
_SELECTORS: dict[str, Sequence[str | None]] = {
    "kind": sorted({r.kind for r in _RULES}),
    "quantity": sorted({r.quantity for r in _RULES}, key=str),
    "population": sorted({r.population for r in _RULES}),
    "policy": sorted({r.policy for r in _RULES}, key=str),
}


@given(
    st.fixed_dictionaries(
        {},
        optional={
            name: st.sampled_from([*values, "no such value"]) for name, values in _SELECTORS.items()
        },
    )
)
def test_select_is_the_same_as_a_scan(filters: dict[str, str | None]) -> None:
    """The index gives exactly the rules a scan of all rules gives, in file order."""
    rules = default_rules()
    scanned = tuple(
        r for r in rules if all(getattr(r, name) == value for name, value in filters.items())
    )
    assert rules.select(**filters) == scanned  # type: ignore[arg-type]


def test_select_examples() -> None:
    rules = default_rules()
    daily = rules.select(
        kind="soft_max", quantity="oral.daily_dose", population="adult", policy="uk_outpatient"
    )
    assert [r.id for r in daily] == ["oral.adult.max_daily.uk_outpatient"]
    assert rules.select() == tuple(rules)
    advice = rules.select(kind="advice")
    assert advice and advice == rules.select(quantity=None)
    assert all(r.policy is None for r in rules.select(policy=None))
    assert rules.select(kind="soft_max") is rules.select(kind="soft_max")  # built once


# --- the parse cache (issue 8 item 10: start-up time) ----------------------------------------


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("BACLOFEN_DOSE_NO_CACHE", raising=False)
    return home / "baclofen-dose"


def _no_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the TOML was parsed")

    monkeypatch.setattr(tomllib, "loads", refuse)


@posix_only
def test_a_parsed_file_is_cached_by_its_sha256(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, BUNDLED)
    first = load_rules(path)
    files = list(cache_home.iterdir())
    assert [f.name for f in files] == [f"rules-{first.sha256}.json"]
    assert files[0].stat().st_mode & 0o777 == 0o600
    assert cache_home.stat().st_mode & 0o777 == 0o700
    _no_toml(monkeypatch)
    again = load_rules(path)
    assert again == first
    assert list(again) == list(first)
    assert again.policies == first.policies


@posix_only
def test_the_cache_is_validated_like_the_file(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the TOML parse is cached: every check runs again on what the cache holds."""
    path = _write(tmp_path, BUNDLED)
    sha = load_rules(path).sha256
    file = cache_home / f"rules-{sha}.json"
    payload = json.loads(file.read_text("ascii"))
    del payload["document"]["rules"][0]["source"]
    file.write_text(json.dumps(payload), "ascii")
    _no_toml(monkeypatch)
    with pytest.raises(RuleSetError, match="has no source"):
        load_rules(path)


@posix_only
@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p.update(sha256="0" * 64),
        lambda p: p.update(format=0),
        lambda p: p.update(document=[]),
        lambda p: p.clear(),
    ],
)
def test_a_cache_entry_that_does_not_match_is_ignored(
    tmp_path: Path, cache_home: Path, spoil: Callable[[dict[str, object]], None]
) -> None:
    path = _write(tmp_path, BUNDLED)
    sha = load_rules(path).sha256
    file = cache_home / f"rules-{sha}.json"
    payload = json.loads(file.read_text("ascii"))
    payload["document"]["ruleset"]["version"] = "6.6.6"  # would show if the entry were used
    spoil(payload)
    file.write_text(json.dumps(payload), "ascii")
    assert load_rules(path).version == "1.0.0"
    # ... and it is replaced by a good entry
    assert json.loads(file.read_text("ascii"))["document"]["ruleset"]["version"] == "1.0.0"


@posix_only
def test_an_unsafe_or_broken_cache_is_ignored(tmp_path: Path, cache_home: Path) -> None:
    path = _write(tmp_path, BUNDLED)
    sha = load_rules(path).sha256
    file = cache_home / f"rules-{sha}.json"
    good = file.read_text("ascii")
    forged = good.replace('"version":"1.0.0"', '"version":"6.6.6"')
    assert forged != good
    file.write_text(forged, "ascii")
    file.chmod(0o666)  # others could have written it
    assert load_rules(path).version == "1.0.0"
    file.write_text(forged, "ascii")
    file.chmod(0o600)
    cache_home.chmod(0o777)  # others could have replaced it
    try:
        assert load_rules(path).version == "1.0.0"
    finally:
        cache_home.chmod(0o700)
    file.write_text("{not json", "ascii")
    assert load_rules(path).version == "1.0.0"
    file.unlink()
    file.symlink_to(tmp_path / "elsewhere.json")
    assert load_rules(path).version == "1.0.0"


def test_no_cache_when_turned_off(
    tmp_path: Path, cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACLOFEN_DOSE_NO_CACHE", "1")
    assert rules_module.cache_folder() is None
    load_rules(_write(tmp_path, BUNDLED))
    assert not cache_home.exists()


def test_an_unwritable_cache_does_not_stop_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    monkeypatch.delenv("BACLOFEN_DOSE_NO_CACHE", raising=False)
    assert load_rules(_write(tmp_path, BUNDLED)) == default_rules()


def test_the_cache_folder_follows_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BACLOFEN_DOSE_NO_CACHE", raising=False)
    if not hasattr(os, "getuid"):
        assert rules_module.cache_folder() is None
        return
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert rules_module.cache_folder() == Path("/somewhere/cache/baclofen-dose")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # not absolute: ignored (XDG)
    assert rules_module.cache_folder() == Path.home() / ".cache" / "baclofen-dose"


@posix_only
def test_the_cache_keeps_only_recent_entries(tmp_path: Path, cache_home: Path) -> None:
    for n in range(rules_module._MAX_CACHE_ENTRIES + 3):
        load_rules(_write(tmp_path, BUNDLED + f"\n# edit {n}\n"))
        newest = max(cache_home.iterdir(), key=lambda p: p.stat().st_mtime)
        os.utime(newest, (1_000_000 + n, 1_000_000 + n))  # a distinct time for each entry
    kept = list(cache_home.glob("rules-*.json"))
    assert len(kept) == rules_module._MAX_CACHE_ENTRIES
    last = load_rules(
        _write(tmp_path, BUNDLED + f"\n# edit {rules_module._MAX_CACHE_ENTRIES + 2}\n")
    )
    assert cache_home.joinpath(f"rules-{last.sha256}.json") in kept
