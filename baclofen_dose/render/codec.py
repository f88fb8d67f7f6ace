"""The one encoder for machine output: amounts, typed params, findings and provenance.

Amounts keep value and unit apart, with an exact decimal string and the UCUM code
(``{"value": "7.5", "unit": "mg"}``); a typed param also names its kind, so a reader rebuilds
exactly the value that was written. Every JSON writer and reader in render/ uses these.

>>> from fractions import Fraction
>>> from baclofen_dose.core import kinds
>>> from baclofen_dose.core.model import Amount
>>> data = encode_param(Amount(Fraction(15, 2), kinds.ORAL_DOSE))
>>> data
{'type': 'amount', 'value': Decimal('7.5'), 'unit': 'mg', 'kind': 'oral dose', 'style': 'exact'}
>>> decode_param(data, "x") == Amount(Fraction(15, 2), kinds.ORAL_DOSE)
True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from json.encoder import encode_basestring_ascii as _quote
from typing import Any, Final

from baclofen_dose.core import numeric
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.kinds import KINDS, Kind
from baclofen_dose.core.model import (
    SEVERITIES,
    Amount,
    Finding,
    Params,
    ParamValue,
    Provenance,
    Reason,
)
from baclofen_dose.render.messages import finding_text, reason_text

__all__ = [
    "amount_data",
    "decode_param",
    "decode_params",
    "dumps",
    "encode_param",
    "encode_params",
    "finding_data",
    "provenance_data",
    "read_finding",
    "read_provenance",
    "read_reason",
    "reason_data",
]



def _bad(field: str, value: object, expected: str) -> InputError:
    return InputError(field, value, expected, code="E_JSON")


def amount_data(value: Fraction, kind: Kind) -> dict[str, Any]:
    """An exact amount as ``{"value": Decimal("7.5"), "unit": "mg"}`` (UCUM code).

    The Decimal is written as an exact JSON number. A value with no finite decimal expansion
    (a computed estimate such as a clearance) is written as an exact ratio string
    ``"10115/252"``, so nothing is lost and no binary float is ever involved.
    """
    if numeric.check_exactness_with_decimal(value):
        return {"value": numeric.to_decimal(value), "unit": kind.ucum}
    return {"value": f"{value.numerator}/{value.denominator}", "unit": kind.ucum}


def _read_fraction(text: Any, where: str) -> Fraction:
    if isinstance(text, Decimal) and text.is_finite():
        return Fraction(text)
    if isinstance(text, int) and not isinstance(text, bool):
        return Fraction(text)
    if not isinstance(text, str) or not text or len(text) > 200:
        raise _bad(where, text, "an exact decimal or ratio written as a string")
    try:
        if "/" in text:
            num, den = text.split("/")
            if not (num.isascii() and num.isdigit() and den.isascii() and den.isdigit()):
                raise ValueError(text)
            value = Fraction(int(num), int(den))
        else:
            head, _, tail = text.partition(".")
            if not (head.isascii() and head.isdigit()) or (tail and not tail.isdigit()):
                raise ValueError(text)
            value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _bad(where, text, "an exact decimal or ratio written as a string") from None
    return value


def encode_param(value: ParamValue) -> Any:
    """One typed param as JSON-ready data (tagged where a plain JSON value would be ambiguous)."""
    if isinstance(value, Amount):
        return {
            "type": "amount",
            **amount_data(value.value, value.kind),
            "kind": value.kind.name,
            "style": value.style,
        }
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, date):
        return {"type": "date", "value": value.isoformat()}
    if isinstance(value, Fraction):
        return {"type": "ratio", "value": f"{value.numerator}/{value.denominator}"}
    if isinstance(value, tuple):
        return [encode_param(v) for v in value]
    raise TypeError(f"not a param value: {value!r}")


def decode_param(data: Any, where: str) -> ParamValue:
    """The typed param :func:`encode_param` wrote (refuses anything else)."""
    if isinstance(data, bool) or data is None or isinstance(data, (int, str)):
        return data
    if isinstance(data, list):
        items = [decode_param(v, f"{where}[{i}]") for i, v in enumerate(data)]
        if all(isinstance(v, Amount) for v in items):
            return tuple(v for v in items if isinstance(v, Amount))
        if all(isinstance(v, str) for v in items):
            return tuple(str(v) for v in items)
        raise _bad(where, data, "a list of amounts or of strings")
    if isinstance(data, Mapping):
        tag = data.get("type")
        if tag == "amount":
            name = data.get("kind")
            kind = KINDS.get(name) if isinstance(name, str) else None
            if kind is None or data.get("unit") != kind.ucum:
                raise _bad(where, data, "an amount with a known kind and its UCUM unit")
            style = data.get("style")
            if style not in ("exact", "estimate", "approx"):
                raise _bad(f"{where}.style", style, "exact, estimate or approx")
            return Amount(_read_fraction(data.get("value"), f"{where}.value"), kind, style)
        if tag == "date":
            text = data.get("value")
            try:
                return date.fromisoformat(text)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise _bad(where, text, "a date written YYYY-MM-DD") from None
        if tag == "ratio":
            return _read_fraction(data.get("value"), f"{where}.value")
    raise _bad(where, data, "a param value as baclofen-dose writes it")


def encode_params(params: Params) -> dict[str, Any]:
    """Params as a JSON object (names to encoded values, in order)."""
    return {name: encode_param(value) for name, value in params}


def decode_params(data: Any, where: str) -> Params:
    """Params from :func:`encode_params`."""
    if not isinstance(data, Mapping):
        raise _bad(where, data, "an object of named values")
    return tuple((str(k), decode_param(v, f"{where}.{k}")) for k, v in data.items())


def finding_data(finding: Finding, text: str | None = None) -> dict[str, Any]:
    """A finding as data: rule id, severity, code, values, and the sentence render/ writes
    (``text``: another wording of it, such as an order check's)."""
    return {
        "rule_id": finding.rule_id,
        "severity": str(finding.severity),
        "code": finding.code,
        "params": encode_params(finding.params),
        "text": finding_text(finding) if text is None else text,
        "citation": finding.citation,
        "override_reason": finding.override_reason,
    }


def _str(data: Mapping[str, Any], key: str, where: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise _bad(f"{where}.{key}", value, "a string")
    return value


def read_finding(data: Any, where: str) -> Finding:
    """A finding from :func:`finding_data` (its text is written again, never trusted)."""
    if not isinstance(data, Mapping):
        raise _bad(where, data, "a finding object")
    severity = _str(data, "severity", where)
    if severity not in SEVERITIES:
        raise _bad(f"{where}.severity", severity, " or ".join(SEVERITIES))
    return Finding(
        _str(data, "rule_id", where),
        severity,
        _str(data, "code", where),
        decode_params(data.get("params"), f"{where}.params"),
        _str(data, "citation", where),
        override_reason=_str(data, "override_reason", where, optional=True),
    )


def reason_data(reason: Reason) -> dict[str, Any]:
    """A step reason as data: its code, values and sentence."""
    return {
        "code": reason.code,
        "params": encode_params(reason.params),
        "text": reason_text(reason),
    }


def read_reason(data: Any, where: str) -> Reason:
    """A reason from :func:`reason_data`."""
    if not isinstance(data, Mapping):
        raise _bad(where, data, "a reason object")
    return Reason(_str(data, "code", where), decode_params(data.get("params"), f"{where}.params"))


def provenance_data(prov: Provenance) -> dict[str, Any]:
    """Provenance as data: library, rule set (id, version, SHA-256), rule ids, typed inputs."""
    return {
        "library_version": prov.library_version,
        "ruleset": {
            "id": prov.ruleset_id,
            "version": prov.ruleset_version,
            "sha256": prov.ruleset_sha256,
        },
        "rule_ids": list(prov.rule_ids),
        "inputs": encode_params(prov.inputs),
    }


def read_provenance(data: Any, where: str = "provenance") -> Provenance:
    """Provenance from :func:`provenance_data`."""
    if not isinstance(data, Mapping):
        raise _bad(where, data, "a provenance object")
    ruleset = data.get("ruleset")
    if not isinstance(ruleset, Mapping):
        raise _bad(f"{where}.ruleset", ruleset, "an object with id, version and sha256")
    rule_ids = data.get("rule_ids")
    if not isinstance(rule_ids, list) or not all(isinstance(r, str) for r in rule_ids):
        raise _bad(f"{where}.rule_ids", rule_ids, "a list of rule ids")
    return Provenance(
        library_version=_str(data, "library_version", where),
        ruleset_id=_str(ruleset, "id", f"{where}.ruleset"),
        ruleset_version=_str(ruleset, "version", f"{where}.ruleset"),
        ruleset_sha256=_str(ruleset, "sha256", f"{where}.ruleset"),
        rule_ids=tuple(rule_ids),
        inputs=decode_params(data.get("inputs"), f"{where}.inputs"),
    )


def _write(value: Any, indent: str, out: list[str]) -> None:
    """Append the JSON text of ``value`` to ``out`` (2-space indent; exact Decimals).

    One pass into a list of parts, with the C string quoter of the json module: a plan's
    JSON costs less than planning it (issue 8), and the text is byte for byte what
    ``json.dumps`` would write for each value.
    """
    kind = type(value)
    if kind is str:
        out.append(_quote(value))
    elif kind is dict or (kind is not list and isinstance(value, Mapping)):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        sep = "{\n"
        for key, item in value.items():
            out.append(sep)
            out.append(inner)
            out.append(_quote(str(key)))
            out.append(": ")
            _write(item, inner, out)
            sep = ",\n"
        out.append("\n" + indent + "}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        sep = "[\n"
        for item in value:
            out.append(sep)
            out.append(inner)
            _write(item, inner, out)
            sep = ",\n"
        out.append("\n" + indent + "]")
    elif kind is Decimal:
        out.append(format(value, "f"))  # exact: no exponent, no binary float
    elif value is None or value is True or value is False:
        out.append(_CONSTANTS[value])
    elif kind is int:
        out.append(int.__repr__(value))
    elif isinstance(value, (int, str)):  # a subclass (an IntEnum, a StrEnum): as json writes it
        out.append(json.dumps(value, ensure_ascii=True))
    else:
        raise TypeError(f"cannot encode {type(value).__name__}")  # pragma: no cover - internal


_CONSTANTS: Final = {None: "null", True: "true", False: "false"}


def dumps(data: Mapping[str, Any]) -> str:
    """JSON text for data from the writers here: exact Decimal numbers, ASCII, 2-space indent."""
    out: list[str] = []
    _write(data, "", out)
    out.append("\n")
    return "".join(out)
