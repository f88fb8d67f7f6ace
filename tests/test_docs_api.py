"""The reference docs stay true: every public name has an entry in docs/api.md, every
``baclofen_dose.X`` the docs name exists, and the Python examples in the docs run as written."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

import baclofen_dose

ROOT = Path(__file__).resolve().parent.parent
API = ROOT / "docs" / "api.md"
# Pages whose ```pycon blocks are run here (the other guides are owned and checked elsewhere).
RUN_PAGES = ("docs/api.md", "docs/ehr-developer.md", "README.md")
DOTTED = re.compile(r"\bbaclofen_dose(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
PYCON = re.compile(r"^```pycon\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _resolves(dotted: str) -> bool:
    """True when ``dotted`` names a module, or an attribute reached from one."""
    parts = dotted.split(".")
    obj: object = None
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


def _headings(text: str) -> set[str]:
    return set(re.findall(r"^### `([^`]+)`", text, re.MULTILINE))


def test_every_public_name_has_an_entry() -> None:
    documented = _headings(API.read_text(encoding="utf-8"))
    missing = sorted(set(baclofen_dose.__all__) - documented)
    assert not missing, f"public names without an entry in docs/api.md: {missing}"


def test_every_entry_is_a_public_name() -> None:
    documented = _headings(API.read_text(encoding="utf-8"))
    stale = sorted(documented - set(baclofen_dose.__all__))
    assert not stale, f"docs/api.md has entries for names that are not public: {stale}"


@pytest.mark.parametrize(
    "page", ["docs/api.md", "docs/ehr-developer.md", "docs/decisions.md", "docs/index.md"]
)
def test_every_named_attribute_exists(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    named = sorted(set(DOTTED.findall(text)))
    assert named or page in ("docs/decisions.md", "docs/index.md")
    absent = [name for name in named if not _resolves(name)]
    assert not absent, f"{page} names what does not exist: {absent}"


def test_the_resolver_tells_present_from_absent() -> None:
    assert _resolves("baclofen_dose.render.protocol.schemas")
    assert _resolves("baclofen_dose.plan_titration")
    assert not _resolves("baclofen_dose.Finding.message")
    assert not _resolves("baclofen_dose.no_such_module.x")


@pytest.mark.parametrize("page", RUN_PAGES)
def test_python_examples_run(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = PYCON.findall(text)
    assert blocks, f"{page} has no pycon examples"
    parser = doctest.DocTestParser()
    test = parser.get_doctest("\n".join(blocks), {}, page, str(ROOT / page), 0)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} example(s) in {page} failed (see output)"
