"""Shared checks of the fields of a data table read from TOML (rule, interaction and code
files): each refuses with a :class:`~baclofen_dose.core.errors.RuleSetError` naming where."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baclofen_dose.core.errors import RuleSetError

__all__ = ["need_text", "only_keys"]


def need_text(table: Mapping[str, Any], key: str, where: str) -> str:
    """``table[key]``, a non-empty string; else ``RuleSetError`` naming ``where``."""
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RuleSetError(where, f"'{key}' must be a non-empty string")
    return value


def only_keys(table: object, allowed: frozenset[str], where: str) -> Mapping[str, Any]:
    """``table`` when it is a table whose keys are all ``allowed``; else ``RuleSetError``."""
    if not isinstance(table, Mapping):
        raise RuleSetError(where, "must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RuleSetError(where, f"unknown keys {unknown}")
    return table
