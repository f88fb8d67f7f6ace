"""FHIR on the command line: ``--format fhir-r4|fhir-r5`` and ``check --fhir FILE``.

The FHIR writer and reader are imported only when one of these is used, so every other
command starts as fast as before.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from baclofen_dose.cli import options

if TYPE_CHECKING:
    from baclofen_dose.check import OrderCheck
    from baclofen_dose.core.rules import RuleSet

__all__ = ["FORMATS", "add_fhir_input", "check_file", "is_fhir", "render"]

FORMATS: Final = ("fhir-r4", "fhir-r5")
"""The FHIR output forms: a MedicationRequest (an order) or DetectedIssues (a check)."""


# The first element of a FHIR path in a reader's error (the rest are library keywords).
_FHIR_ROOTS: Final = frozenset(
    {
        "json",
        "resource",
        "resourceType",
        "entry",
        "dosageInstruction",
        "medication",
        "medicationCodeableConcept",
        "medicationReference",
        "doNotPerform",
        "modifierExtension",
        "version",
    }
)


def is_fhir(form: str) -> bool:
    """True for ``fhir-r4`` and ``fhir-r5``."""
    return form in FORMATS


def render(result: object, form: str, rules: RuleSet | None = None) -> str:
    """The result as FHIR JSON of the chosen version."""
    from baclofen_dose.render.fhir import to_fhir_json

    version = "R4" if form == "fhir-r4" else "R5"
    return to_fhir_json(result, version=version, rules=rules)


def _read(path: str) -> bytes:
    from baclofen_dose.render.protocol import MAX_JSON_BYTES

    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise options.UsageError(f"--fhir: cannot read {path} ({exc.strerror})") from None
    if len(data) > MAX_JSON_BYTES:
        raise options.UsageError(f"--fhir: {path} is larger than {MAX_JSON_BYTES} bytes")
    return data


def check_file(
    path: str,
    order_options: dict[str, Any],
    oral_options: dict[str, Any],
    common: dict[str, Any],
) -> list[OrderCheck]:
    """Check every step of every MedicationRequest in a FHIR file (a request or a Bundle).

    ``order_options`` are the order options given on the command line: with ``--fhir`` the
    file gives the order, so any of them is refused rather than mixed in. ``oral_options``
    (patient, kidney function, policies) apply to oral orders only.
    """
    from baclofen_dose.core.errors import BaclofenDoseError
    from baclofen_dose.interop.fhir import check_fhir_order, read_fhir_bundle
    from baclofen_dose.render.protocol import parse_json

    given = sorted(name for name, value in order_options.items() if value not in (None, []))
    if given:
        raise options.UsageError(
            f"--fhir gives the order; do not also give --{given[0].replace('_', '-')}"
        )
    data = _read(path)
    results: list[OrderCheck] = []
    try:
        orders, medicines = read_fhir_bundle(parse_json(data))
        # Another medicine ordered in the same Bundle is a co-medication of each order.
        with_others = {**common, "medicines": [*(common.get("medicines") or ()), *medicines]}
        for order in orders:
            extra = oral_options if order.route == "oral" else {}
            # Several baclofen requests in one file: their daily doses add up (each is judged
            # alone, with the warning that says so).
            others = {"other_baclofen_orders": len(orders) - 1} if len(orders) > 1 else {}
            results += check_fhir_order(order, **with_others, **extra, **others)
    except BaclofenDoseError as exc:
        field = getattr(exc, "field", None)
        if not isinstance(field, str) or field.split("[", 1)[0].split(".", 1)[0] in _FHIR_ROOTS:
            raise options.UsageError(f"--fhir {path}: {exc}") from None
        raise  # an option's value (--weight...): named by the command line's field table
    return results


def add_fhir_input(parser: argparse.ArgumentParser) -> None:
    """``--fhir FILE``: the order as a FHIR MedicationRequest or a Bundle of them."""
    parser.add_argument(
        "--fhir",
        metavar="FILE",
        help="read the order from a FHIR R4/R5 MedicationRequest (or a Bundle of them) in a "
        "JSON file; each step of each request is checked",
    )
