"""Order checks for people and programs: findings by severity, each with its source; JSON.

Registers :class:`~baclofen_dose.check.order.OrderCheck` with the protocol (``to_data``,
``table``, ``text``, and the reader for ``baclofen-dose/order-check/1``).

>>> from baclofen_dose.check import check_order
>>> line = check_text(check_order(dose="25 mg", times_per_day=3)).splitlines()[1]
>>> line.startswith("warning: Soft limit crossed: a single dose of 25 mg is above the soft")
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from baclofen_dose.check.order import SCHEMA, NotAssessed, OrderCheck
from baclofen_dose.core import display
from baclofen_dose.core.errors import InputError
from baclofen_dose.core.model import Finding, Override, ParamValue
from baclofen_dose.render import protocol
from baclofen_dose.render.codec import (
    decode_params,
    dumps,
    encode_params,
    finding_data,
    provenance_data,
    read_finding,
    read_provenance,
)
from baclofen_dose.render.lines import INTENDED_USE
from baclofen_dose.render.messages import order_finding_text
from baclofen_dose.render.recheck import recheck_order
from baclofen_dose.render.sentences.check import MISSING_WORDS, NOT_ASSESSED

__all__ = ["check_data", "check_table", "check_text", "not_assessed_text", "read_check"]


_ORDER: Final = ("hard", "warning", "info")
_TITLES: Final = {
    "hard": "HARD (a hard limit or contraindication)",
    "warning": "WARNING",
    "info": "INFO",
}


def not_assessed_text(entry: NotAssessed) -> str:
    """The sentence for something a check could not judge."""
    code, values = entry.code, {"given": entry.given, **entry.values}
    if code == "RENAL_NOT_ASSESSED":
        code, values = _renal_missing(entry, values)
    template = NOT_ASSESSED.get(code)
    if template is None:
        raise KeyError(f"no sentence for the code {entry.code!r}")
    return display.fill(template, values)


def _renal_missing(
    entry: NotAssessed, values: dict[str, ParamValue]
) -> tuple[str, dict[str, ParamValue]]:
    """What kidney function needed and was not given, in words: the dialysis status first
    (on dialysis nothing else is needed), then what is needed off dialysis."""
    found = entry.values.get("missing")
    fields = found if isinstance(found, tuple) and found else (entry.given,)
    names = [str(f) for f in fields]
    words = [MISSING_WORDS.get(name, name) for name in names if name != "patient.dialysis"]
    if "patient.dialysis" in names:
        if not words:
            return "RENAL_NOT_ASSESSED_DIALYSIS", values
        return "RENAL_NOT_ASSESSED_DIALYSIS_AND", {**values, "missing": display.words_list(words)}
    return "RENAL_NOT_ASSESSED", {**values, "missing": display.words_list(words)}


def _product_part(result: OrderCheck, order: Mapping[str, Any]) -> str:
    """" (3 mL of 25 mg/5 mL oral suspension)": what an order by product says (clinical.md
    2: a liquid dose in mg and in mL); "" when the order gave doses, or the product is not in
    the rule set that made the result."""
    product_id, units_given = order.get("product"), order.get("units_per_dose")
    if not isinstance(product_id, str) or not isinstance(units_given, str):
        return ""
    from baclofen_dose.core import units
    from baclofen_dose.oral.products import find_product
    from baclofen_dose.render.lines import rules_for
    from baclofen_dose.render.products import portion_count, short_name, strength_text

    rules = rules_for(result.provenance, None)
    if rules is None:
        return ""
    product = find_product(product_id, rules)
    quantity = (
        units.parse(units_given, units.VOLUME, "units_per_dose")
        if product.liquid
        else units.parse_number(units_given, "units_per_dose")
    )
    if product.liquid:
        return f" ({portion_count(product, quantity)} of {short_name(product)})"
    countable = (quantity * 2).denominator == 1 if product.form == "tablet" else (
        quantity.denominator == 1
    )
    # A count the product cannot give (0.3 tablet; the check says so) is shown as written.
    count = (
        portion_count(product, quantity)
        if countable
        else f"{display.number(quantity)} {product.unit_word}"
    )
    return f" ({count}, {strength_text(product)} each)"


def _regimen(doses: tuple[Any, ...], times: int, product: str = "") -> str:
    """Equal doses as "15 mg 3 times a day"; unequal ones with their count first, "3 doses a
    day: 10 mg, 10 mg and 20 mg", never "10 mg, 10 mg and 20 mg 3 times a day" (which reads
    as each dose 3 times a day)."""
    if len(set(doses)) == 1:
        return f"{display.param(doses[:1], 'doses')}{product} {display.times_a_day(times)}"
    return f"{times} doses a day: {display.param(doses, 'doses')}{product}"


def _order_line(result: OrderCheck) -> str:
    order = dict(result.order)
    if result.route == "oral":
        doses = order["doses"]
        assert isinstance(doses, tuple)
        times = order["times_per_day"]
        assert isinstance(times, int)
        line = f"Order: {_regimen(doses, times, _product_part(result, order))}"
        line += f" ({display.param(order['daily'])})"
        if "previous_doses" in order:
            before = order["previous_doses"]
            assert isinstance(before, tuple)
            line += f"; previous: {_regimen(before, len(before))}"
        return line + "."
    line = f"Order: intrathecal daily dose {display.param(order['daily_dose'])}"
    if "daily_dose_entered_per_hour" in order:
        line += f" (entered as {display.param(order['daily_dose_entered_per_hour'])})"
    if "previous_daily_dose" in order:
        line += f"; previous daily dose {display.param(order['previous_daily_dose'])}"
    if "concentration" in order:
        line += f"; concentration {display.param(order['concentration'])}"
    return line + "."


def _finding_line(finding: Finding) -> str:
    return f"{finding.severity}: {order_finding_text(finding)} (rule {finding.rule_id})"


def check_text(result: OrderCheck) -> str:
    """Plain lines: the order, each finding with its severity and rule, what was not assessed."""
    lines = [_order_line(result)]
    lines += [_finding_line(f) for f in result.findings]
    lines += [not_assessed_text(n) for n in result.not_assessed]
    return "\n".join([*lines, INTENDED_USE]) + "\n"


def check_table(result: OrderCheck) -> str:
    """The printable report: findings grouped by severity, each with its source."""
    out = [f"Order check ({result.route})", INTENDED_USE, "", _order_line(result), ""]
    if not result.findings:
        out += ["No findings.", ""]
    for severity in _ORDER:
        group = [f for f in result.findings if f.severity == severity]
        if not group:
            continue
        out.append(_TITLES[severity])
        for finding in group:
            out.append(f"- {order_finding_text(finding)}")
            out.append(f"  rule {finding.rule_id}; source: {finding.citation or 'none'}")
        out.append("")
    if result.not_assessed:
        out.append("NOT ASSESSED")
        out += [f"- {not_assessed_text(n)}" for n in result.not_assessed]
        out.append("")
    prov = result.provenance
    out.append(
        f"Rule set {prov.ruleset_id} {prov.ruleset_version} (SHA-256 {prov.ruleset_sha256[:12]})."
    )
    out += ["", INTENDED_USE]
    return "\n".join(out) + "\n"


def check_data(result: OrderCheck) -> dict[str, Any]:
    """The result as JSON-ready data: schema first, findings with code, values and text."""
    return {
        "schema": SCHEMA,
        "route": result.route,
        "worst": None if result.worst is None else str(result.worst),
        "order": encode_params(result.order),
        "findings": [finding_data(f, order_finding_text(f)) for f in result.findings],
        "not_assessed": [
            {
                "what": n.what,
                "given": n.given,
                "code": n.code,
                "params": encode_params(n.params),
                "text": not_assessed_text(n),
            }
            for n in result.not_assessed
        ],
        "overrides": [{"rule_id": o.rule_id, "reason": o.reason} for o in result.overrides],
        "provenance": provenance_data(result.provenance),
        "intended_use": INTENDED_USE,
    }


def _bad(field: str, value: object, expected: str) -> InputError:
    return InputError(field, value, expected, code="E_JSON")


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise _bad(key, value, "a list")
    return value


def _text(data: Any, key: str, where: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, str):
        raise _bad(f"{where}.{key}", value, "a string")
    return value


def read_check(data: Mapping[str, Any]) -> OrderCheck:
    """An order check from its data; refused unless it was made with the loaded rule set and
    every sentence it carries is the one render/ writes for its code and values."""
    provenance = read_provenance(data.get("provenance"))
    rules = protocol.reading_rules()
    if provenance.ruleset_sha256 != rules.sha256:
        raise _bad("provenance.ruleset.sha256", provenance.ruleset_sha256, "the loaded rule set")
    route = data.get("route")
    if route not in ("oral", "intrathecal"):
        raise _bad("route", route, "oral or intrathecal")
    not_assessed = []
    for i, raw in enumerate(_list(data, "not_assessed")):
        where = f"not_assessed[{i}]"
        code = _text(raw, "code", where)
        if code not in NOT_ASSESSED:
            raise _bad(f"{where}.code", code, "a known code")
        not_assessed.append(
            NotAssessed(
                _text(raw, "what", where),
                _text(raw, "given", where),
                code,
                decode_params(raw.get("params"), f"{where}.params"),
            )
        )
    result = OrderCheck(
        route=route,
        order=decode_params(data.get("order"), "order"),
        findings=tuple(
            read_finding(f, f"findings[{i}]") for i, f in enumerate(_list(data, "findings"))
        ),
        not_assessed=tuple(not_assessed),
        overrides=tuple(
            Override(_text(o, "rule_id", f"overrides[{i}]"), _text(o, "reason", f"overrides[{i}]"))
            for i, o in enumerate(_list(data, "overrides"))
        ),
        provenance=provenance,
    )
    if dumps(check_data(result)) != dumps(data):
        raise _bad("check", SCHEMA, "values and sentences that agree with their codes")
    recheck_order(result, rules)
    return result


def _table(result: OrderCheck, **options: Any) -> str:
    return check_table(result)


def _plain(result: OrderCheck, **options: Any) -> str:
    return check_text(result)


protocol.to_data.register(OrderCheck)(check_data)
protocol.table.register(OrderCheck)(_table)
protocol.text.register(OrderCheck)(_plain)
protocol.register_reader(SCHEMA, read_check)
