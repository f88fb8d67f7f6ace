"""Sphinx extension of the baclofen-dose docs: what the site shows is produced at build time.

- Every ```console block of every page is run when the site is built: each ``$ command`` line
  runs in a shell (in a scratch folder that holds ``examples/``; ``baclofen-dose`` and
  ``python`` are the ones Sphinx runs under; 80 columns), and the block shows what it printed
  (standard output and standard error, in order). When the page's own text differs, the build
  warns (with ``-W``, fails): the Markdown on disk cannot drift from the tool either.
  ``python docs/_ext/baclofen_docs.py --fix docs/PAGE.md`` rewrites a page's blocks.
- ``readme.md`` is the repository's README, its links made to work on the site.
- ``{cli-reference}`` writes the ``--help`` of every subcommand, discovered from the argparse
  parser (nested ones such as ``intrathecal refill`` too), each run at build time.
- ``{api-reference}`` documents, through autodoc, every name in ``baclofen_dose.__all__`` and
  every other name in a subpackage's ``__all__`` (:func:`reference_entries` lists them; a test
  builds the page and checks the inventory).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = "80"
TIMEOUT_S = 300
PROMPT = "$ "
# A fenced console block in Markdown (for --fix).
FENCE = re.compile(r"^```console\n(.*?)^```$", re.DOTALL | re.MULTILINE)


# ---------------------------------------------------------------- console blocks


def split_block(text: str) -> list[tuple[str, str]]:
    """The (command, shown output) pairs of a console block; a command may continue over
    lines that end in a backslash."""
    pairs: list[tuple[str, list[str]]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(PROMPT):
            command = line[len(PROMPT) :]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command += "\n" + lines[i]
            pairs.append((command, []))
        elif pairs:
            pairs[-1][1].append(line)
        else:
            raise ValueError(f"console block does not start with a {PROMPT!r} command: {line!r}")
        i += 1
    return [(command, "\n".join(out)) for command, out in pairs]


def join_block(pairs: list[tuple[str, str]]) -> str:
    parts: list[str] = []
    for command, output in pairs:
        parts.append(PROMPT + command)
        if output:
            parts.append(output)
    return "\n".join(parts)


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    env["COLUMNS"] = COLUMNS
    env.pop("LINES", None)
    # The package as checked out, whether or not it is installed.
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


class Shell:
    """Runs a page's commands one after another in one scratch folder (a later command may
    read what an earlier one wrote, as ``> plan.json`` then ``--plan plan.json``)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="baclofen-docs-"))
        (self.folder / "examples").symlink_to(ROOT / "examples")
        self.env = _environment()
        # `python` in a command is the interpreter running the build.
        self.env["PATH"] = str(self._python_dir()) + os.pathsep + self.env["PATH"]
        self.status = 0

    def _python_dir(self) -> Path:
        shim = self.folder / ".bin"
        shim.mkdir()
        (shim / "python").symlink_to(sys.executable)
        script = Path(sys.executable).parent / "baclofen-dose"
        if not script.exists():
            tool = shim / "baclofen-dose"
            tool.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m baclofen_dose "$@"\n')
            tool.chmod(0o755)
        return shim

    def run(self, command: str) -> str:
        done = subprocess.run(
            # `$?` in a command is the exit status of the one before it, as in a terminal.
            ["bash", "-c", f"(exit {self.status}); {command}"],
            cwd=self.folder,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        self.status = done.returncode
        return "\n".join(line.rstrip() for line in done.stdout.rstrip("\n").splitlines())

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def rerun(text: str, shell: Shell) -> str:
    """The console block ``text`` with each command's output as the command prints it now."""
    return join_block([(command, shell.run(command)) for command, _ in split_block(text)])


def difference(shown: str, actual: str, limit: int = 12) -> str:
    diff = difflib.unified_diff(
        shown.splitlines(), actual.splitlines(), "page", "tool", lineterm="", n=0
    )
    lines = list(diff)
    more = f"\n... ({len(lines) - limit} more lines)" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def fix_page(path: Path) -> bool:
    """Rewrite the console blocks of a Markdown page with the tool's output; True if changed."""
    text = path.read_text(encoding="utf-8")
    shell = Shell()
    try:
        new = FENCE.sub(lambda m: "```console\n" + rerun(m.group(1), shell) + "\n```", text)
    finally:
        shell.close()
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def _console_blocks(app: Any, doctree: Any) -> None:
    from docutils import nodes
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
    blocks = [
        node
        for node in doctree.findall(nodes.literal_block)
        if node.get("language") == "console" and not node.get("baclofen_generated")
    ]
    if not blocks:
        return
    shell = Shell()
    try:
        for node in blocks:
            shown = node.astext().rstrip("\n")
            try:
                actual = rerun(shown, shell)
            except (ValueError, subprocess.TimeoutExpired) as exc:
                logger.warning("console block not run: %s", exc, location=node)
                continue
            if actual != shown:
                logger.warning(
                    "console block differs from what the tool prints now "
                    "(python docs/_ext/baclofen_docs.py --fix PAGE rewrites it):\n%s",
                    difference(shown, actual),
                    location=node,
                )
            node.children = [nodes.Text(actual)]
            node.rawsource = actual
    finally:
        shell.close()


# ---------------------------------------------------------------- the README as a page

# Files of the repository that are pages of the site too.
PAGES = {"CHANGELOG.md": "changelog.md", "README.md": "readme.md"}
LINK = re.compile(r"\]\((?!https?:|#|mailto:)([^)]+)\)")


def readme_page() -> str:
    """The repository's README as a page of the site: links into docs/ become links between
    pages, other relative links point into the repository (a download on the site)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")

    def relink(match: re.Match[str]) -> str:
        target = match.group(1)
        if target in PAGES:
            return f"]({PAGES[target]})"
        return f"]({target[len('docs/') :]})" if target.startswith("docs/") else f"](../{target})"

    return LINK.sub(relink, text)


def _source_read(app: Any, docname: str, source: list[str]) -> None:
    if docname == "readme":
        source[0] = readme_page()


# ---------------------------------------------------------------- CLI reference


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:  # argparse keeps its subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def cli_commands() -> list[str]:
    """Every subcommand of the tool as typed ("titrate", "intrathecal refill"), in the order
    of its --help, discovered from the parser."""
    from baclofen_dose.cli import _parser

    parser, _ = _parser()

    def walk(prefix: str, node: argparse.ArgumentParser) -> Iterator[str]:
        for name, sub in _subparsers(node):
            path = f"{prefix} {name}".strip()
            yield path
            yield from walk(path, sub)

    return list(walk("", parser))


def _cli_reference_md() -> list[str]:
    lines: list[str] = []
    for command in ["", *cli_commands()]:
        invocation = " ".join(["baclofen-dose", *command.split(), "--help"])
        lines += [f"## `{invocation[: -len(' --help')]}`", ""]
        lines += [f"```{{program-output}} {invocation}", ":prompt:", "```", ""]
    return lines


# ---------------------------------------------------------------- API reference


def _public_modules() -> list[Any]:
    import baclofen_dose

    found = [baclofen_dose]
    for info in pkgutil.walk_packages(baclofen_dose.__path__, "baclofen_dose."):
        if info.ispkg:
            module = importlib.import_module(info.name)
            if hasattr(module, "__all__"):
                found.append(module)
    return found


def reference_entries() -> list[tuple[str, str]]:
    """(autodoc directive, dotted name) for every public name: each name of
    ``baclofen_dose.__all__`` once, under ``baclofen_dose``, and each name that only a
    subpackage's ``__all__`` exports, under that subpackage."""
    seen: set[int] = set()
    entries: list[tuple[str, str]] = []
    for module in _public_modules():
        for name in sorted(module.__all__):
            obj = getattr(module, name)
            if module.__name__ != "baclofen_dose" and id(obj) in seen and not _plain(obj):
                continue
            if module.__name__ != "baclofen_dose" and _plain(obj) and _top_has(name, obj):
                continue
            seen.add(id(obj))
            kind = (
                "autoexception"
                if inspect.isclass(obj) and issubclass(obj, BaseException)
                else "autoclass"
                if inspect.isclass(obj)
                else "autofunction"
                if callable(obj)
                else "py:data"
            )
            entries.append((kind, f"{module.__name__}.{name}"))
    return entries


def _plain(obj: object) -> bool:
    """A value (a string, a set, a number) rather than a class or a function."""
    return not (inspect.isclass(obj) or callable(obj))


def _top_has(name: str, obj: object) -> bool:
    import baclofen_dose

    return name in baclofen_dose.__all__ and getattr(baclofen_dose, name) is obj


def inventory_gaps(objects_inv: Path) -> list[str]:
    """The public names (:func:`reference_entries`) that the built site's inventory lacks."""
    from sphinx.util.inventory import InventoryFile

    with objects_inv.open("rb") as stream:
        inventory = InventoryFile.load(stream, "", lambda base, uri: uri)
    # Sphinx 8 returns a plain dict; later versions an object holding it in .data.
    table = getattr(inventory, "data", inventory)
    documented = {
        name for kind, entries in table.items() if kind.startswith("py:") for name in entries
    }
    return [dotted for _, dotted in reference_entries() if dotted not in documented]


def _check_inventory(app: Any, exception: BaseException | None) -> None:
    """After an HTML build: every public name has a reference entry, or the build fails."""
    from sphinx.errors import ExtensionError

    objects_inv = Path(app.outdir) / "objects.inv"
    if exception is not None or app.builder.name != "html" or not objects_inv.exists():
        return
    gaps = inventory_gaps(objects_inv)
    if gaps:
        raise ExtensionError(f"public names without a reference entry on the site: {gaps}")


def _resolve(dotted: str) -> object:
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _short(value: object, limit: int = 100) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def api_reference_rst() -> dict[str, list[str]]:
    """For each module, the reStructuredText that documents its public names (autodoc for
    classes and functions, ``py:data`` with the value for constants)."""
    modules: dict[str, list[str]] = {}
    for kind, dotted in reference_entries():
        module, name = dotted.rsplit(".", 1)
        rst = modules.setdefault(module, [f".. py:module:: {module}", ""])
        if kind == "py:data":
            # A constant has no docstring of its own (autodoc would show its type's); py:data
            # takes the name inside the current module.
            value = _resolve(dotted)
            rst += [f".. py:data:: {name}", f"   :type: {type(value).__name__}"]
            rst += [f"   :value: {_short(value)}", ""]
        else:
            members = ["   :members:"] if kind in ("autoclass", "autoexception") else []
            rst += [f".. {kind}:: {dotted}", *members, ""]
    return modules


def _api_reference_md() -> list[str]:
    # autodoc writes reStructuredText, so each module's entries sit in an eval-rst block.
    lines: list[str] = []
    for module, rst in api_reference_rst().items():
        lines += [f"## `{module}`", "", "```{eval-rst}", *rst, "```", ""]
    return lines


# ---------------------------------------------------------------- directives


def _generated(markdown: Any) -> Any:
    """A directive that parses the Markdown ``markdown()`` writes, in place (headings too)."""
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective
    from sphinx.util.nodes import nested_parse_with_titles

    class Generated(SphinxDirective):
        def run(self) -> list[nodes.Node]:
            container = nodes.section()
            container.document = self.state.document
            content = StringList(markdown(), source="<generated>")
            nested_parse_with_titles(self.state, content, container, self.content_offset)
            return container.children

    return Generated


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _source_read)
    app.connect("doctree-read", _console_blocks)
    app.connect("build-finished", _check_inventory)
    app.add_directive("cli-reference", _generated(_cli_reference_md))
    app.add_directive("api-reference", _generated(_api_reference_md))
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fix", nargs="+", type=Path, required=True, metavar="PAGE")
    args = parser.parse_args(argv)
    for page in args.fix:
        print(f"{page}: {'rewritten' if fix_page(page) else 'unchanged'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
