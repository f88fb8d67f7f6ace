"""The documentation site (docs/conf.py, docs/_ext/baclofen_docs.py) stays complete and true:
every public name has a reference entry on the built site, the CLI reference finds every
subcommand, console examples are re-run as a terminal would run them, and the help text in the
pharmacist guide is the tool's own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import baclofen_dose

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))

import baclofen_docs as site  # noqa: E402 - the docs extension lives beside the pages


def test_every_public_name_has_an_entry_in_the_built_inventory(tmp_path: Path) -> None:
    """Builds the generated API reference with autodoc and reads the site's objects.inv."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "extensions = ['sphinx.ext.autodoc']\nproject = 'baclofen-dose'\n",
        encoding="utf-8",
    )
    body = ["API reference", "=============", ""]
    for module, rst in site.api_reference_rst().items():
        body += [module, "-" * len(module), "", *rst]
    (src / "index.rst").write_text("\n".join(body) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert site.inventory_gaps(out / "objects.inv") == []


def test_the_inventory_check_names_a_missing_entry(tmp_path: Path) -> None:
    """The check can fail: an inventory without the entries reports every public name."""
    import zlib

    path = tmp_path / "objects.inv"
    header = b"# Sphinx inventory version 2\n# Project: x\n# Version: 1\n"
    header += b"# The remainder of this file is compressed using zlib.\n"
    entry = b"baclofen_dose.Patient py:class 1 index.html#$ -\n"
    path.write_bytes(header + zlib.compress(entry))
    gaps = site.inventory_gaps(path)
    assert "baclofen_dose.plan_titration" in gaps
    assert "baclofen_dose.Patient" not in gaps
    assert len(gaps) == len(site.reference_entries()) - 1


def test_reference_entries_cover_every_public_name_once() -> None:
    dotted = [name for _, name in site.reference_entries()]
    assert len(dotted) == len(set(dotted))
    for name in baclofen_dose.__all__:
        assert f"baclofen_dose.{name}" in dotted
    # A name only a subpackage exports is documented there.
    assert "baclofen_dose.intrathecal.ORIGINS" in dotted
    assert "baclofen_dose.cli.main" in dotted


def test_the_cli_reference_finds_every_subcommand() -> None:
    commands = site.cli_commands()
    shell = site.Shell()
    try:
        top = shell.run("baclofen-dose --help")
    finally:
        shell.close()
    listed = [c for c in commands if " " not in c]
    for name in ("titrate", "taper", "missed-dose", "renal", "rules", "intrathecal", "check"):
        assert name in listed
        assert f"    {name}" in top
    assert "intrathecal refill" in commands


def test_console_blocks_split_and_join() -> None:
    text = '$ baclofen-dose a \\\n    --b "c"\nout 1\nout 2\n$ echo $?\n0'
    pairs = site.split_block(text)
    assert pairs == [('baclofen-dose a \\\n    --b "c"', "out 1\nout 2"), ("echo $?", "0")]
    assert site.join_block(pairs) == text
    with pytest.raises(ValueError, match="does not start"):
        site.split_block("output first\n$ cmd")


def test_a_block_is_rerun_as_a_terminal_runs_it() -> None:
    """`$?` is the status of the command before; a later command reads what an earlier wrote."""
    shell = site.Shell()
    try:
        text = "$ false\n$ echo $?\nwrong\n$ echo hi > f.txt\n$ cat f.txt"
        assert (
            site.rerun(text, shell) == "$ false\n$ echo $?\n1\n$ echo hi > f.txt\n$ cat f.txt\nhi"
        )
    finally:
        shell.close()


def test_the_readme_page_links_work_on_the_site() -> None:
    page = site.readme_page()
    assert "](pharmacist.md)" in page
    assert "](../LICENSE)" in page
    assert "](changelog.md)" in page
    assert "](docs/" not in page


@pytest.mark.parametrize("page", ["docs/pharmacist.md", "docs/cli-reference.md"])
def test_help_text_in_the_pages_is_the_tools_own(page: str) -> None:
    """docs/pharmacist.md's help text equals the CLI's (at the 80 columns the site uses)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = [m.group(1) for m in site.FENCE.finditer(text)]
    helps = [
        (command, shown)
        for block in blocks
        for command, shown in site.split_block(block)
        if command.endswith("--help")
    ]
    if page == "docs/cli-reference.md":
        assert not helps  # generated at build time, nothing written by hand
        return
    assert len(helps) >= 2
    shell = site.Shell()
    try:
        for command, shown in helps:
            assert shown == shell.run(command), command
    finally:
        shell.close()
