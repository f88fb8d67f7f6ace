"""Each module declares the rules it reads, next to itself (issue 8 item 4); the loader refuses
a rule file lacking any of them, whatever has been imported.

The declarations are read from the source files by the loader (core imports nothing above it)
and built by ``requires()`` when a module is imported: the two must agree. Every rule id a
module names (a string, a prefix plus a suffix, an f-string pattern), and every rule it reads in
a tracing run over the planners, checks and renderers, is declared by that module.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

import baclofen_dose
from baclofen_dose import BaclofenDoseError, RuleSetError, load_rules
from baclofen_dose.core import rules as rules_module
from baclofen_dose.core.rules import RuleSet, default_rules, needs

PACKAGE = Path(baclofen_dose.__file__).resolve().parent
BUNDLED = (PACKAGE / "core" / "rules" / "baclofen.toml").read_text(encoding="utf-8")
IDS = frozenset(rule.id for rule in default_rules())


def all_modules() -> Iterator[str]:
    yield "baclofen_dose"
    for info in pkgutil.walk_packages(baclofen_dose.__path__, "baclofen_dose."):
        if not info.name.endswith("__main__"):  # running it is the CLI
            yield info.name


def source(module: str) -> str:
    parts = module.split(".")[1:]
    path = PACKAGE.joinpath(*parts)
    file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return file.read_text(encoding="utf-8")


def test_no_central_list_of_rule_ids_remains() -> None:
    """Core names no rule it does not read itself: at most a doctest's example per module."""
    assert not hasattr(rules_module, "REQUIRED_RULES")
    for file in (PACKAGE / "core").rglob("*.py"):
        named = IDS & set(re.findall(r'"([a-z][a-z0-9_.]+)"', file.read_text(encoding="utf-8")))
        assert len(named) <= 2, (file, sorted(named))


def test_the_scan_reads_exactly_what_the_modules_declare() -> None:
    """Importing every module builds the same declarations the loader reads from the source."""
    found = {}
    for name in all_modules():
        module = importlib.import_module(name)
        if hasattr(module, "RULES"):
            found[name] = dict(module.RULES)
    assert found == {m: dict(n) for m, n in needs.declared_by().items()}
    assert {m: dict(n) for m, n in needs.imported().items()} == found
    assert len(found) >= 20  # every planner, check and renderer that reads rules by id


def test_the_loader_checks_the_union_of_the_declarations() -> None:
    union: dict[str, str | None] = {}
    for declared in needs.declared_by().values():
        union.update(declared)
    assert union == dict(needs.declared())
    rules = default_rules()
    for rule_id, quantity in needs.declared().items():
        assert rules[rule_id].quantity == quantity, rule_id


def _strings(tree: ast.Module) -> dict[str, set[str]]:
    """Each name bound only to string constants in the module (``_PREFIX = "oral.adult."``,
    ``prefix = "it.refill_change" if refill else "it.titrate"``), with its values."""
    out: dict[str, set[str] | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if not isinstance(target, ast.Name) or node.value is None:
                continue
            value = node.value
            options = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
            texts = {o.value for o in options if isinstance(o, ast.Constant)}
            known = out.get(target.id, set())
            plain = all(isinstance(o, ast.Constant) and isinstance(o.value, str) for o in options)
            out[target.id] = known | texts if plain and known is not None else None
    return {name: values for name, values in out.items() if values}


def _piece(value: ast.expr, strings: dict[str, set[str]]) -> str:
    if isinstance(value, ast.Constant):
        return re.escape(str(value.value))
    inner = value.value if isinstance(value, ast.FormattedValue) else value
    if isinstance(inner, ast.Name) and inner.id in strings:
        return "(?:" + "|".join(map(re.escape, sorted(strings[inner.id]))) + ")"
    return "[a-z0-9_]+"


def named_ids(text: str) -> tuple[set[str], set[str]]:
    """(ids a module names, ids its f-strings can make) among the bundled rules.

    Named: a string that is an id, or a prefix constant plus a string (``rule("dose.grid")``
    with ``_PREFIX``, ``_PREFIX + "dose.grid"``). An f-string with a dotted constant part is
    a pattern; a name in it bound only to strings stands for those strings.
    """
    tree = ast.parse(text)
    strings = _strings(tree)
    prefixes = {v for values in strings.values() for v in values if v.endswith(".")}
    exact: set[str] = set()
    patterns: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            exact |= {p + node.value for p in prefixes | {""} if p + node.value in IDS}
        elif isinstance(node, ast.JoinedStr):
            parts = node.values
            # A dotted constant with a word in it ("it.refill.margin.{x}"); a bare "." between
            # two values (f"{path}.{key}", a JSON path) names no rule.
            if any(
                isinstance(v, ast.Constant) and "." in str(v.value) and re.search("[a-z]", str(v.value))
                for v in parts
            ):
                pattern = re.compile("".join(_piece(v, strings) for v in parts))
                patterns |= {rule_id for rule_id in IDS if pattern.fullmatch(rule_id)}
    return exact, patterns


def test_every_rule_id_a_module_names_is_declared_by_it() -> None:
    """A grep of each module's source: an id it names, or builds from a prefix, is declared."""
    declared = needs.declared_by()
    missing = {}
    for name in all_modules():
        exact, patterns = named_ids(source(name))
        mine = set(declared.get(name, {}))
        if name.startswith("baclofen_dose.core."):
            continue  # doctest examples only (test_no_central_list_of_rule_ids_remains)
        lacking = exact - mine
        lacking |= {r for r in patterns - mine if not needs.read_through_data(default_rules()[r])}
        if lacking:
            missing[name] = sorted(lacking)
    assert missing == {}


def _workloads() -> None:
    """Planners, checks and renderers over the usual inputs, each result rendered."""
    bd = baclofen_dose
    from baclofen_dose.render.protocol import table, text, to_csv, to_json

    start = date(2026, 1, 5)
    adult = bd.Patient.from_inputs(
        age="80 years",
        sex="female",
        weight="60 kg",
        height="160 cm",
        scr="1.8 mg/dL",
        dialysis=False,
    )
    child = bd.Patient.from_inputs(
        age="6 years", sex="male", weight="20 kg", height="115 cm", scr=None, dialysis=False
    )
    results = [
        bd.plan_titration(start=start, target="80 mg/day"),
        bd.plan_titration(start=start, target="20 mg/day", patient=adult),
        bd.plan_titration(start=start, target="max", patient=child),
        bd.plan_taper(dose="20 mg", times_per_day=3, start=start),
        bd.plan_screening(),
        bd.plan_initial_dose(screening_dose="50 mcg", effect_duration="6 hours"),
        bd.titration_bounds(daily_dose="300 mcg/day", origin="spinal", at_refill=True),
        bd.plan_refill(
            reservoir="40 mL",
            concentration="2000 mcg/mL",
            daily_dose="400 mcg/day",
            alarm_volume="2 mL",
            start=start,
        ),
        bd.plan_intrathecal_taper(daily_dose="400 mcg/day", first_dose="100 mcg/day", start=start),
        bd.advise_missed_dose(
            bd.plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02"),
            times=["08:00", "14:00", "20:00"],
            day="2026-03-03",
            missed_at="08:00",
            now_day="2026-03-03",
            now_at="19:00",
            doses_missed=2,
        ),
        bd.check_order(dose="25 mg", times_per_day=3, patient=adult),
        bd.check_order(dose="90 mg", times_per_day=1),
        bd.check_intrathecal_order(daily_dose="900 mcg/day", previous_daily_dose="400 mcg/day"),
    ]
    for result in results:
        to_json(result)
        table(result)
        text(result)
        try:
            to_csv(result)
        except BaclofenDoseError:  # a result without rows has no CSV; only the reads matter
            pass


def test_every_rule_read_in_a_tracing_run_is_declared(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tracing run over planners, checks and renderers: every rule read by id is declared
    (or reached through the data). Reads are charged to the first module outside core on the
    stack; a renderer reads the rule a finding names, which its planner declares, so this
    checks the union, and test_every_rule_id_a_module_names_is_declared_by_it each module."""
    reads: dict[str, set[str]] = defaultdict(set)
    plain = RuleSet.__getitem__

    def traced(self: RuleSet, rule_id: str) -> object:
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_globals.get("__name__", "")
            if name.startswith("baclofen_dose.") and not name.startswith("baclofen_dose.core"):
                reads[name].add(rule_id)
                break
            frame = frame.f_back  # type: ignore[assignment]
        return plain(self, rule_id)

    monkeypatch.setattr(RuleSet, "__getitem__", traced)
    _workloads()
    declared = needs.declared()
    read = set().union(*reads.values())
    rules = default_rules()
    assert sorted(r for r in read - set(declared) if not needs.read_through_data(rules[r])) == []
    assert {"baclofen_dose.oral.titration", "baclofen_dose.intrathecal.refill"} <= set(reads)
    assert len(read) >= 100  # the run reached most of the rules


def test_every_rule_in_the_data_is_declared_read_through_data_or_data_only() -> None:
    declared = needs.declared()
    unaccounted = [
        rule.id
        for rule in default_rules()
        if rule.id not in declared
        and not needs.read_through_data(rule)
        and rule.id not in needs.DATA_ONLY
    ]
    assert unaccounted == []
    assert set(needs.DATA_ONLY) <= IDS and not set(needs.DATA_ONLY) & set(declared)


def without(rule_id: str) -> str:
    """The bundled rule file with the rule ``rule_id`` deleted."""
    start = BUNDLED.index(f'[[rules]]\nid = "{rule_id}"\n')
    following = [
        i for i in (BUNDLED.find("\n[[rules]]", start + 1), BUNDLED.find("\n[", start + 1)) if i > 0
    ]
    end = min(following) + 1 if following else len(BUNDLED)
    return BUNDLED[:start] + BUNDLED[end:]


def _one_per_module() -> list[str]:
    """One rule from each module's declaration (one not picked for an earlier module)."""
    picked: dict[str, None] = {}
    for declared in needs.declared_by().values():
        fresh = sorted(set(declared) - set(picked))
        if fresh:
            picked[fresh[0]] = None
    return list(picked)


@pytest.mark.req("SAF-18")
@pytest.mark.parametrize("rule_id", _one_per_module())
def test_deleting_a_declared_rule_is_refused_naming_it(tmp_path: Path, rule_id: str) -> None:
    path = tmp_path / "institution.toml"
    path.write_text(without(rule_id), encoding="utf-8")
    with pytest.raises(RuleSetError, match=re.escape(rule_id)) as refused:
        load_rules(path)
    assert refused.value.field == rule_id
    assert "missing" in str(refused.value)


def test_a_declared_rule_measuring_another_quantity_is_refused(tmp_path: Path) -> None:
    head = 'id = "oral.adult.max_daily.hard"\nkind = "hard_max"\n'
    text = BUNDLED.replace(
        head + 'quantity = "oral.daily_dose"\nvalue = "120"\nunit = "mg/day"\n',
        head + 'quantity = "oral.dose"\nvalue = "120"\nunit = "mg"\n',
    )
    assert text != BUNDLED
    path = tmp_path / "institution.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleSetError, match=r"must measure oral\.daily_dose") as refused:
        load_rules(path)
    assert refused.value.field == "oral.adult.max_daily.hard"


def test_a_declaration_the_scan_cannot_read_is_refused() -> None:
    """The scan's grammar is strict: a line it cannot read stops the loader, never skipped."""
    text = f'\n{needs.MARKER}\n    __name__,\n    {{\n        "a.b": oral.dose,\n    }},\n)\n'
    with pytest.raises(RuleSetError, match="cannot read"):
        needs._parse("baclofen_dose.example", text)
    unterminated = f'\n{needs.MARKER}\n    __name__,\n    {{\n        "a.b": None,\n'
    with pytest.raises(RuleSetError, match="does not end"):
        needs._parse("baclofen_dose.example", unterminated)
