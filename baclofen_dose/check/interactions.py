"""Co-medications and conditions against the interaction table (clinical.md 8.3, 8.4, 4, 16).

Each known medicine gives one finding per class it belongs to (for the order's route); each
known condition (a key or an ICD-10-CM code) one finding. An unknown medicine or code is a
"not assessed" entry, never dropped. Adding a medicine or a condition only adds findings.
"""

from __future__ import annotations

from collections.abc import Sequence

from baclofen_dose.check.order import Judge
from baclofen_dose.core.errors import InputTypeError
from baclofen_dose.core.model import Route
from baclofen_dose.core.rules.interactions import InteractionTable, default_interactions

__all__ = ["judge_conditions", "judge_medicines", "table_or_default"]


def table_or_default(table: object) -> InteractionTable:
    """The given interaction table, or the bundled one."""
    if table is None:
        return default_interactions()
    if not isinstance(table, InteractionTable):
        raise InputTypeError("interactions", table, "an InteractionTable from load_interactions()")
    return table


def _names(values: object, field: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InputTypeError(field, values, "a list of strings")
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise InputTypeError(field, value, "a non-empty string")
    return tuple(values)


def judge_medicines(
    judge: Judge, table: InteractionTable, medicines: object, route: Route
) -> tuple[str, ...]:
    """Add a finding for each (medicine, class) pair; unknown medicines are not assessed."""
    given = _names(medicines, "medicines")
    for medicine in given:
        if not table.known(medicine):
            judge.skip("medicine", medicine, "UNKNOWN_MEDICINE")
            continue
        for klass in table.classes_for(medicine, route):
            judge.found(
                klass.rule_id,
                klass.severity,
                "INTERACTION",
                {
                    "medicine": table.display_name(medicine),
                    "class_name": klass.name,
                    "consequence": klass.consequence,
                },
                klass.citation,
            )
    return given


def judge_conditions(
    judge: Judge, table: InteractionTable, conditions: object, route: Route
) -> tuple[str, ...]:
    """Add a finding for each known condition; unknown keys or codes are not assessed."""
    given = _names(conditions, "conditions")
    for text in given:
        condition = table.condition_for(text)
        if condition is None:
            judge.skip("condition", text, "UNKNOWN_CONDITION")
            continue
        if route not in condition.routes:
            continue
        judge.found(
            condition.rule_id,
            condition.severity,
            "CONTRAINDICATION" if condition.type == "contraindication" else "CAUTION",
            {
                "given": text,
                "condition": condition.name,
                "consequence": condition.consequence,
            },
            condition.citation,
        )
    return given
