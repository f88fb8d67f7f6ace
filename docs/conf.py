"""Sphinx configuration of the baclofen-dose documentation site.

Build: ``pip install ".[docs]" && python -m sphinx -W --keep-going -b html docs OUT``. The
pages are the Markdown files of docs/ (myst-parser); every console example is run at build
time (docs/_ext/baclofen_docs.py), the CLI reference is the tool's own --help and the API
reference is generated from the docstrings.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

from baclofen_dose._version import VERSION  # noqa: E402 - after the path is set

project = "baclofen-dose"
author = "baclofen-dose contributors"
copyright = "baclofen-dose contributors, Apache-2.0"
release = version = VERSION

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinxcontrib.programoutput",
    "baclofen_docs",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "README.md"]
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"show-inheritance": True}

# programoutput runs the tool's --help in a pipe: 80 columns, whatever the terminal says (the
# console blocks of the pages are run at 80 columns too, docs/_ext/baclofen_docs.py).
os.environ["COLUMNS"] = "80"
programoutput_use_ansi = False

html_theme = "furo"
html_title = f"baclofen-dose {VERSION}"
