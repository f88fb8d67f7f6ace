"""Renderers: turn a plan into text for people or JSON for programs.

Every number shown to people comes from :mod:`baclofen_dose.display` (the one formatter);
renderers never compute doses. Every human-facing output carries :data:`INTENDED_USE`.

- :func:`table` the printable schedule with instructions, findings, working and sources;
- :func:`instructions` plain-English lines, one per step;
- :func:`to_json` / :func:`from_json` machine output (amount and UCUM unit kept apart),
  which round-trips to an equal plan;
- :func:`to_csv` one row per dose portion, plus stop and dispense rows.
"""

from __future__ import annotations

from baclofen_dose.render import check as _check  # registers order checks  # noqa: F401
from baclofen_dose.render import csv as _csv  # registers CSV forms  # noqa: F401
from baclofen_dose.render import intrathecal as _intrathecal  # registers intrathecal results  # noqa: F401
from baclofen_dose.render import json as _json  # registers oral plans  # noqa: F401
from baclofen_dose.render import renal as _renal  # registers renal reports  # noqa: F401
from baclofen_dose.render import taper as _taper  # registers taper plans  # noqa: F401
from baclofen_dose.render.protocol import from_json, to_csv, to_json
from baclofen_dose.render.text import INTENDED_USE, instructions, rule_value, table

__all__ = ["INTENDED_USE", "from_json", "instructions", "rule_value", "table", "to_csv", "to_json"]
