"""Bulk screening (issue 12): a data frame of oral orders in, one row per finding out.

:func:`screen_orders` is the vectorised twin of :func:`~baclofen_dose.check.check_order`: the
same rule ids, codes and severities, read from the same :class:`~baclofen_dose.core.rules.RuleSet`
(no figure in code). It is written once with narwhals, so the same expressions run on polars
(the default, from the ``[screen]`` extra), pandas and pyarrow eagerly, and on polars lazy
frames, PySpark, Dask and DuckDB lazily.

Exactness: every number is read per row into an integer count of thousandths of its unit
(micrograms for doses, thousandths of a mL/min for kidney function, of a year for ages), and
every rule value is turned into the integer bound that gives the same answer (``x <= 20 mg``
is ``x_mcg <= 20000``). A row whose values are not exactly whole thousandths (or which the
vectorised path does not cover, below) is judged by the exact one-order check, row by row.

The vectorised path covers oral orders of an adult, an older adult or a patient of unknown age,
with equal doses (a dose and times a day) or a daily dose only, with a measured CrCl and/or
eGFR or no kidney values, not on dialysis. The exact path takes every other row: children
(age-band and per-kg maxima), a serum creatinine to compute a CrCl from (Cockcroft-Gault and
the weight policies), dialysis, products, values not exact in thousandths, anything malformed.
Co-medications and conditions do not depend on the dose: each distinct name is judged once by
the order check's own code and joined to its orders.

A daily dose without the dose of each administration (OMOP-style data) is judged for every
daily limit; what needs the dose of one administration (times a day, the single-dose maximum,
the dose grid) is reported as not assessed (``DOSE_PER_ADMINISTRATION_NOT_GIVEN``).

Every input row is accounted for: a row that cannot be read is an ``invalid`` row naming the
column (``INVALID_INPUT``), never dropped and never a crash of the batch, and
``rows_in == rows_screened + rows_invalid`` is checked.

>>> import polars as pl
>>> orders = pl.DataFrame({"order_id": ["a", "b"], "dose": [25, 5], "dose_unit": ["mg", "mg"],
...                        "times_per_day": [3, 3]})
>>> result = screen_orders(orders)
>>> result.summary.rows_screened, result.summary.rows_invalid
(2, 0)
>>> sorted(result.findings.filter(pl.col("severity") == "warning")["rule_id"])
['oral.adult.max_dose.us_label']
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from functools import cache
from math import ceil, floor
from typing import TYPE_CHECKING, Any, Final, Literal, cast

import attrs

from baclofen_dose.check.interactions import judge_conditions, judge_medicines, table_or_default
from baclofen_dose.check.oral import CRCL_METHODS, EGFR_METHODS, MEASURED_METHODS, check_order
from baclofen_dose.check.order import Judge, NotAssessed, OrderCheck
from baclofen_dose.core import numeric, tuning, units
from baclofen_dose.core.errors import (
    BaclofenDoseError,
    InputError,
    InputTypeError,
    MissingInputError,
    UnitError,
)
from baclofen_dose.core.model import Amount, Finding, ParamValue
from baclofen_dose.core.rules import LIMIT_KINDS, Rule, RuleSet, default_rules
from baclofen_dose.core.rules.interactions import InteractionTable
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.oral import renal
from baclofen_dose.oral.patient import (
    DIALYSIS_PREFIXES,
    SEXES,
    Patient,
    population,
    read_dialysis,
)
from baclofen_dose.oral.titration import (
    ADOLESCENT_LADDER,
    adolescent_policy_applies,
    adolescent_policy_name,
    ladder_max_policy,
    select_max_policy,
)

if TYPE_CHECKING:
    from baclofen_dose.core.types import Sex

__all__ = [
    "INPUT_COLUMNS",
    "OUTPUT_COLUMNS",
    "ScreenResult",
    "ScreenSummary",
    "finding_rows",
    "screen_orders",
    "screen_row",
]

RULES: Final = requires(
    __name__,
    {
        "oral.older_adult.beers2023.egfr_below": "renal.egfr",
        "oral.adult.dose.grid": "oral.dose",
        "oral.adult.lowest_effective": None,
        "oral.adult.max_daily.hard": "oral.daily_dose",
        "oral.adult.times_per_day.max": "oral.times_per_day",
        "oral.adult.times_per_day.min": "oral.times_per_day",
        "oral.older_adult.caution": None,
        "oral.older_adult.tolerance_note": "oral.daily_dose",
        "oral.renal.times_per_day.min": "oral.times_per_day",
        "patient.age.max": "age",
        "patient.height.adult_min": "height",
        "patient.height.max": "height",
        "patient.height.min": "height",
        "patient.weight.max": "weight",
        "patient.weight.min": "weight",
        "population.child.below_age": "age",
        "population.older_adult.from_age": "age",
        "renal.ajkd2017.egfr_min": "renal.egfr",
        "renal.ca_monograph.end_stage.below": "renal.crcl",
        "renal.ca_monograph.end_stage.max_daily": "oral.daily_dose",
        "renal.muanda2019.egfr_below": "renal.egfr",
        "renal.muanda2019.start_daily": "oral.daily_dose",
        "renal.vlavonou2014.mild.crcl_max": "renal.crcl",
        "renal.vlavonou2014.moderate.crcl_max": "renal.crcl",
        "renal.vlavonou2014.severe.crcl_below": "renal.crcl",
    },
)


INPUT_COLUMNS: Final = (
    "order_id",
    "route",
    "dose",
    "dose_unit",
    "times_per_day",
    "daily_dose",
    "daily_dose_unit",
    "product",
    "units_per_dose",
    "age_years",
    "sex",
    "weight_kg",
    "height_cm",
    "scr",
    "scr_unit",
    "dialysis",
    "crcl_ml_min",
    "egfr_ml_min_173m2",
    "measured_method",
)
"""The columns an order frame may have (only ``order_id`` and a dose are required)."""

OUTPUT_COLUMNS: Final = (
    "order_id",
    "kind",
    "rule_id",
    "severity",
    "code",
    "what",
    "value",
    "limit",
    "unit",
    "detail",
    "rules_sha256",
)
"""The columns of the findings frame (all text; ``kind``: finding, not_assessed or invalid)."""

Row = dict[str, str | None]
_DIALYSIS_WORDS: Final = {
    word: value
    for value in (True, False)
    for word in (str(value).lower(), str(value), str(value).upper())
}
"""The text a ``dialysis`` cell may hold (a CSV has no booleans): true or false, in lower,
title or upper case. Any other text is an invalid row naming the column."""
_NO_PER_ADMIN: Final = "DOSE_PER_ADMINISTRATION_NOT_GIVEN"
_ADVICE: Final = "ADVICE"  # a rule's general advice (no value compared): see screen_orders


def _general_advice(code: object, severity: object) -> bool:
    """Advice that is counted, not written, by default: an ``ADVICE`` finding of severity
    info (the advice of the rules of the order's population). Advice of severity warning
    (a child's kidney function not assessed, a use off the label) is always written."""
    return code == _ADVICE and severity == "info"


_PER_ADMIN_WHAT: Final = frozenset({"doses a day", "a single dose of"})
_ONE_DOSE_WHAT: Final = frozenset({"a single dose of"})
_VALUE_KEYS: Final = ("value", "daily", "highest", "doses")
_LIMIT_KEYS: Final = ("limit", "risky", "tolerated", "threshold", "grid")
_WHAT_KEYS: Final = ("what", "measure", "medicine", "given")
_A: Final = "oral.adult."
_STRING_COLUMNS: Final = frozenset(
    {"order_id", "route", "dose_unit", "daily_dose_unit", "product", "sex", "scr_unit",
     "measured_method"}
)  # fmt: skip
# The library's field names -> the screen's columns (an invalid row names the user's column).
_COLUMN_OF: Final = {
    "dose": "dose",
    "daily_dose": "daily_dose",
    "times_per_day": "times_per_day",
    "product": "product",
    "units_per_dose": "units_per_dose",
    "patient.age": "age_years",
    "patient.sex": "sex",
    "patient.weight": "weight_kg",
    "patient.height": "height_cm",
    "patient.scr": "scr",
    "patient.dialysis": "dialysis",
    "measured_crcl": "crcl_ml_min",
    "measured_egfr": "egfr_ml_min_173m2",
    "measured_method": "measured_method",
}


@attrs.frozen
class ScreenSummary:
    """The counts of one screen: every input row is screened or invalid."""

    rows_in: int
    rows_screened: int
    rows_invalid: int
    rows_exact: int
    findings: Mapping[str, int]
    not_assessed: int
    related_rows_invalid: int
    related_rows_unmatched: int
    rules_sha256: str
    advice: Mapping[str, int] = attrs.field(factory=dict)
    """For each general advice rule (``ADVICE`` findings of severity info: a rule's advice for
    a population, with no value compared), the number of orders it applies to. Not in
    ``findings``; written as rows only when the screen was asked for them (``advice=True``).
    Advice of severity warning is a finding like any other, always written."""

    def table(self) -> list[tuple[str, str]]:
        """(label, count) pairs for a summary table."""
        return [
            ("rows in", str(self.rows_in)),
            ("rows screened", str(self.rows_screened)),
            ("rows invalid", str(self.rows_invalid)),
            ("rows judged by the exact order check", str(self.rows_exact)),
            *((f"findings: {sev}", str(n)) for sev, n in self.findings.items()),
            ("not assessed", str(self.not_assessed)),
            ("co-medication/condition rows invalid", str(self.related_rows_invalid)),
            ("co-medication/condition rows for no order", str(self.related_rows_unmatched)),
            *((f"orders given advice {rule}", str(n)) for rule, n in self.advice.items()),
            ("rule set", self.rules_sha256),
        ]


@attrs.frozen
class ScreenResult:
    """The findings (a native frame of the input's library, lazy if the input was) and the
    summary."""

    findings: Any
    summary: ScreenSummary


# -- the exact path and the projection of a check into rows --------------------------------


def _text(value: Fraction) -> str:
    """An exact number as plain text: decimal digits when it terminates, else ``p/q``."""
    if not numeric.check_exactness_with_decimal(value):
        return f"{value.numerator}/{value.denominator}"
    digits = format(numeric.to_decimal(value), "f")
    return digits.rstrip("0").rstrip(".") if "." in digits else digits


def _amount_text(value: ParamValue) -> tuple[str, str] | None:
    if isinstance(value, Amount):
        return _text(value.value), value.kind.ucum
    if isinstance(value, tuple) and value and all(isinstance(v, Amount) for v in value):
        amounts = [v for v in value if isinstance(v, Amount)]
        return ", ".join(_text(a.value) for a in amounts), amounts[0].kind.ucum
    return None


def _first(params: Mapping[str, ParamValue], keys: tuple[str, ...]) -> ParamValue:
    return next((params[k] for k in keys if k in params), None)


def _finding_row(order_id: str, finding: Finding, sha: str) -> Row:
    params = dict(finding.params)
    value = _amount_text(_first(params, _VALUE_KEYS))
    limit = _amount_text(_first(params, _LIMIT_KEYS))
    what = _first(params, _WHAT_KEYS)
    unit = value[1] if value is not None else (limit[1] if limit is not None else None)
    return _row(
        order_id,
        "finding",
        rule_id=finding.rule_id,
        severity=finding.severity.value,
        code=finding.code,
        what=what if isinstance(what, str) else None,
        value=None if value is None else value[0],
        limit=None if limit is None else limit[0],
        unit=unit,
        detail=finding.override_reason,
        sha=sha,
    )


def _skip_row(order_id: str, skipped: NotAssessed, sha: str) -> Row:
    return _row(
        order_id, "not_assessed", code=skipped.code, what=skipped.what, detail=skipped.given,
        sha=sha,
    )  # fmt: skip


def _row(order_id: str | None, kind: str, *, sha: str, **values: str | None) -> Row:
    row: Row = dict.fromkeys(OUTPUT_COLUMNS)
    row.update(order_id=order_id, kind=kind, rules_sha256=sha, **values)
    return row


def _invalid_row(order_id: str | None, column: str, error: BaclofenDoseError, sha: str) -> Row:
    return _row(
        order_id, "invalid", code="INVALID_INPUT", what=column,
        detail=f"{error.code}: {error}", sha=sha,
    )  # fmt: skip


def finding_rows(
    order_id: str, check: OrderCheck, *, daily_only: bool = False, times_given: bool = False
) -> list[Row]:
    """The screen's rows for one order check (findings, then what was not assessed).

    With ``daily_only`` the order was a daily dose alone: what needs the dose of one
    administration (the single-dose maximum, the dose grid) is not assessed, nor the doses a
    day unless ``times_given`` (the order gave them beside its daily dose).
    """
    sha = check.provenance.ruleset_sha256
    findings = check.findings
    rows: list[Row] = []
    if daily_only:
        dropped = _ONE_DOSE_WHAT if times_given else _PER_ADMIN_WHAT
        findings = tuple(
            f
            for f in findings
            if f.code != "OFF_GRID" and dict(f.params).get("what") not in dropped
        )
        rows.append(_skip_row(order_id, NotAssessed("order", "daily_dose", _NO_PER_ADMIN), sha))
    rows[:0] = [_finding_row(order_id, f, sha) for f in findings]
    rows += [_skip_row(order_id, s, sha) for s in check.not_assessed]
    return rows


def _number_text(value: object, column: str) -> str:
    """A cell as the text of a number: what came from a file is re-read by the unit grammar."""
    if isinstance(value, bool):
        raise InputError(column, value, "a number")
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as this float
    if isinstance(value, Decimal) and value.is_finite():
        # A DECIMAL cell's trailing zeros are its column's scale, not the number: 20 stored
        # as DECIMAL(38, 18) is 20, never "too many digits" (the vectorised path alike).
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def _quantity(row: Mapping[str, object], column: str, unit: str | None) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    return f"{_number_text(value, column)} {unit}" if unit else _number_text(value, column)


_WHOLE_TEXT: Final = "^(?:0|[1-9][0-9]{0,2})$"  # a count written as text (a CSV cell)


def _whole(value: object, column: str) -> Any:
    """A count from a file: a float that is a whole number (pandas stores nullable integers as
    floats), or text of plain digits (a CSV read as text), is that whole number; anything else
    goes to the check, which refuses it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(_WHOLE_TEXT, value):
        return int(value)
    return value


def _unit(row: Mapping[str, object], value: str, unit: str) -> str | None:
    if row.get(value) is None:
        return None
    given = row.get(unit)
    if given is None:
        raise MissingInputError(unit, "the unit of the value, such as 'mg'", value)
    return str(given)


def _patient(row: Mapping[str, object], rules: RuleSet) -> Patient | None:
    names = ("age_years", "sex", "weight_kg", "height_cm", "scr", "dialysis")
    if all(row.get(n) is None for n in names):
        return None
    dialysis = row.get("dialysis")
    if isinstance(dialysis, str):  # a CSV cell: only the words for true and false are read
        dialysis = _DIALYSIS_WORDS.get(dialysis, dialysis)
    if dialysis is not None and not isinstance(dialysis, bool):
        raise InputError("dialysis", dialysis, "true or false")
    return Patient.from_inputs(
        age=_quantity(row, "age_years", "years"),
        sex=cast("Sex | None", row.get("sex")),  # from_inputs checks it like a caller's value
        weight=_quantity(row, "weight_kg", "kg"),
        height=_quantity(row, "height_cm", "cm"),
        scr=_quantity(row, "scr", _unit(row, "scr", "scr_unit")),
        dialysis=dialysis,
        rules=rules,
    )


@attrs.frozen
class _Options:
    max_policy: str | None = None
    renal_policy: str | None = None
    weight_policy: str | None = None
    overrides: Mapping[str, str] | None = None
    rules: RuleSet = attrs.field(factory=default_rules)
    interactions: InteractionTable | None = None
    adolescent_policy: str | None = None  # given to the check for rows aged 12 to under 18
    # Orders with a condition that may say dialysis (Z99.2): their condition cells, as given
    # (read by read_dialysis on the exact path).
    dialysis_orders: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)


def _check_row(
    row: Mapping[str, object], options: _Options, related: Mapping[str, Sequence[str]]
) -> tuple[OrderCheck, bool, bool]:
    """The order check of one row (and whether it gave a daily dose only, and then whether
    it gave its doses a day)."""
    order_id = row.get("order_id")
    if order_id is None or (isinstance(order_id, str) and not order_id.strip()):
        raise MissingInputError("order_id", "an order id that is not blank", "the screen")
    route = row.get("route")
    if route is not None and not (isinstance(route, str) and route.lower() == "oral"):
        raise InputError(
            "route", route, "oral, in any case (check intrathecal orders one by one)"
        )
    daily = row.get("daily_dose")
    dose = row.get("dose")
    product = row.get("product")
    if product is not None and not isinstance(product, str):
        raise InputError("product", product, "a product name such as '10 mg tablet'")
    patient = _patient(row, options.rules)
    said = options.dialysis_orders.get(str(row.get("order_id")))
    if said:  # read as the check reads the conditions (a malformed cell refused, naming it)
        patient, _ = read_dialysis(patient, list(said))
    common: dict[str, Any] = {
        "patient": patient,
        "measured_crcl": _quantity(row, "crcl_ml_min", "mL/min"),
        "measured_egfr": _quantity(row, "egfr_ml_min_173m2", "mL/min/1.73 m2"),
        "measured_method": row.get("measured_method"),
        "max_policy": options.max_policy,
        "renal_policy": options.renal_policy,
        "weight_policy": options.weight_policy,
        "overrides": options.overrides,
        "rules": options.rules,
        "interactions": options.interactions,
        **related,
    }
    if options.adolescent_policy is not None and adolescent_policy_applies(patient, options.rules):
        common["adolescent_policy"] = options.adolescent_policy
        if options.adolescent_policy == ADOLESCENT_LADDER:
            # The batch's renal and weight policies are the adults'; the ladder has none (no
            # source gives a renal rule under 18: the check says "not assessed" instead).
            common["renal_policy"] = common["weight_policy"] = None
    elif (
        patient is not None
        and patient.age_years is not None
        and population(patient, options.rules) == "child"
    ):
        # The batch's maximum, renal and weight policies are the adults' (a site-wide setting):
        # a child is judged by the child profile's own maxima, as with no policy named (the
        # check refuses an adult policy named for one child's order).
        common["max_policy"] = common["renal_policy"] = common["weight_policy"] = None
    if dose is None and product is None and daily is not None:
        if row.get("units_per_dose") is not None:
            raise InputError(
                "units_per_dose", row["units_per_dose"],
                "units of a product, with the product (or no units with a daily dose)",
            )  # fmt: skip
        text = _quantity(row, "daily_dose", _unit(row, "daily_dose", "daily_dose_unit"))
        assert text is not None  # daily is not None
        per_day = units.parse(text, units.ORAL_DAILY_DOSE, "daily_dose")
        count = row.get("times_per_day")
        if count is None:
            # The daily dose judged as one administration; per-administration findings dropped.
            one = units.quantity(per_day, units.ORAL_DOSE)
            return check_order(dose=one, times_per_day=1, **common), True, False
        # Its doses a day given: read and judged by the check (the doses a day limits kept),
        # the day's amount split into that many doses (the dose of one is not judged).
        n = _whole(count, "times_per_day")
        doses = _split(per_day, n)
        return check_order(doses=doses, times_per_day=n, **common), True, True
    # Every column given reaches the check, which refuses what does not go together (units
    # of a product beside a dose, units without a product): none is passed over.
    units_per_dose = row.get("units_per_dose")
    check = check_order(
        product=product,
        units_per_dose=(
            None if units_per_dose is None else _number_text(units_per_dose, "units_per_dose")
        ),
        dose=None if dose is None else _quantity(row, "dose", _unit(row, "dose", "dose_unit")),
        times_per_day=_whole(row.get("times_per_day"), "times_per_day"),
        **common,
    )
    if daily is not None:  # given beside the dose: it must be the order's, never ignored
        text = _quantity(row, "daily_dose", _unit(row, "daily_dose", "daily_dose_unit"))
        given = units.parse(text, units.ORAL_DAILY_DOSE, "daily_dose")
        ordered = dict(check.order).get("daily")
        if not isinstance(ordered, Amount) or given != ordered.value:
            shown = _text(ordered.value) if isinstance(ordered, Amount) else "?"
            raise InputError(
                "daily_dose", text,
                f"the order's daily dose, the dose times the doses a day ({shown} "
                f"{units.ORAL_DAILY_DOSE.display}), or no daily dose",
            )  # fmt: skip
    return check, False, False


def _split(per_day: Fraction, n: object) -> list[Any]:
    """A daily amount as ``n`` doses that add up to it exactly (equal where the quotient is
    an exact decimal, else equal but for the last): only their number is judged. A count
    the check does not read as one gives one dose, for the check to refuse the count."""
    whole = isinstance(n, int) and not isinstance(n, bool)
    if not whole or not 1 <= cast("int", n) <= int(units.parse_unit("day", units.HOURS, "n")):
        return [units.quantity(per_day, units.ORAL_DOSE)]
    count = cast("int", n)
    part = per_day / count
    if numeric.check_exactness_with_decimal(part):
        return [units.quantity(part, units.ORAL_DOSE)] * count
    scale = int("1" + "0" * units.MAX_FRACTION_DIGITS)  # the grammar's finest decimal
    part = Fraction(floor(part * scale), scale)
    if part <= 0:
        raise InputError("times_per_day", n, "no more doses a day than the daily dose allows")
    last = per_day - part * (count - 1)
    return [units.quantity(part, units.ORAL_DOSE)] * (count - 1) + [
        units.quantity(last, units.ORAL_DOSE)
    ]


def screen_row(
    row: Mapping[str, object],
    *,
    max_policy: str | None = None,
    renal_policy: str | None = None,
    weight_policy: str | None = None,
    overrides: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    interactions: InteractionTable | None = None,
    medicines: Sequence[str] | None = None,
    conditions: Sequence[str] | None = None,
    adolescent_policy: str | None = None,
) -> list[Row]:
    """The screen's rows for one order row, by the exact order check (the path every row the
    vectorised path does not cover takes). A row that cannot be read gives one ``invalid`` row.
    ``medicines`` and ``conditions`` are the order's rows of the long tables.

    >>> [r["code"] for r in screen_row({"order_id": 7, "dose": "ten", "dose_unit": "mg",
    ...                                  "times_per_day": 3})]
    ['INVALID_INPUT']
    """
    options = _Options(
        max_policy, renal_policy, weight_policy, overrides, rules or default_rules(),
        interactions, adolescent_policy,
    )  # fmt: skip
    related = {"medicines": medicines, "conditions": conditions}
    return _exact(row, options, {k: v for k, v in related.items() if v is not None})


def _exact(
    row: Mapping[str, object],
    options: _Options,
    related: Mapping[str, Sequence[str]] | None = None,
) -> list[Row]:
    given = row.get("order_id")
    order_id = None if given is None else str(given)
    try:
        check, daily_only, counted = _check_row(row, options, related or {})
    except BaclofenDoseError as exc:
        column = _column_at_fault(row, exc)
        return [_invalid_row(order_id, column, exc, options.rules.sha256)]
    assert order_id is not None  # a row without one is refused above
    return finding_rows(order_id, check, daily_only=daily_only, times_given=counted)


# A value whose unit is a column of its own: the unit column and the kinds it may be read as.
_UNIT_COLUMN_OF: Final = {
    "dose": ("dose_unit", (units.ORAL_DOSE,)),
    "daily_dose": ("daily_dose_unit", (units.ORAL_DAILY_DOSE,)),
    "patient.scr": ("scr_unit", (units.CREATININE_MASS, units.CREATININE_MOLAR)),
}


def _column_at_fault(row: Mapping[str, object], error: BaclofenDoseError) -> str:
    """The screen's column an error is about: a unit error whose unit column is itself not a
    unit of the value's kind names that column (``dose_unit``), not the value's."""
    field = str(getattr(error, "field", ""))
    column = _COLUMN_OF.get(field, field)
    if not isinstance(error, UnitError) or field not in _UNIT_COLUMN_OF:
        return column
    unit_column, kinds = _UNIT_COLUMN_OF[field]
    unit = row.get(unit_column)
    for kind in kinds:
        try:
            units.parse_unit(cast("str", unit), kind, unit_column)  # it checks the type itself
        except BaclofenDoseError:
            continue
        return column  # the unit reads: the value's text is at fault
    return unit_column


# -- exact integer bounds ------------------------------------------------------------------


def _below(bound: Fraction) -> int:
    """The integer ``b`` with ``x < bound`` exactly when ``x < b`` (for integer ``x``)."""
    return ceil(bound)


def _at_most(bound: Fraction) -> int:
    """The integer ``b`` with ``x <= bound`` exactly when ``x <= b`` (for integer ``x``)."""
    return floor(bound)


@cache
def _milli() -> int:
    """Thousandths: the sub-unit of every vectorised number (a microgram is a thousandth of
    the oral dose's mg), read from the unit table."""
    return int(1 / units.parse_unit("g", units.WEIGHT, "dose_unit"))


# -- the vectorised path -------------------------------------------------------------------


def _nw() -> Any:
    try:
        import narwhals.stable.v2 as nw_module
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ImportError(
            "bulk screening needs the screen extra: pip install 'baclofen-dose[screen]'"
        ) from exc
    return nw_module


def _milli_int(nw: Any, frame: Any, column: str) -> tuple[Any, Any]:
    """(thousandths as Int64, True where the cell is a positive whole number inside the
    grammar's range) of an integer column; any column but integers, floats and text (those
    are read by :func:`_float_milli`) leaves its rows with a value to the exact path."""
    dtype = frame.collect_schema()[column]
    col = nw.col(column)
    if dtype.is_integer():
        ok = (~col.is_null() & (col > 0) & (col < _grammar_top())).fill_null(False)
        return nw.when(ok).then(col).otherwise(nw.lit(0)).cast(nw.Int64) * _milli(), ok
    return nw.lit(0), nw.lit(False)


def _float_milli(nw: Any, column: str, name: str, *, floor: bool) -> tuple[Any, Any, Any]:
    """A float column's thousandths, in two stages: (stage one: the truncation t of x * 1000,
    0 outside the grammar's range, Int64, written on ``name``; stage two, from it: the
    thousandths k, Int64, written on ``name`` again; and True where x is exactly the number
    the exact path reads, written on ``name + "_ok"``).

    A float's shortest text has at most three decimals exactly when x is the float nearest to
    k / 1000 for some whole k: the number the exact path reads (below 10^12 a thousandth is far
    wider than the float's spacing, so no other such decimal lies as near, and k is unique).
    The product x * 1000 lies within an eighth of that k, so k is t or t + 1; each is
    divided back and compared with x. No float is ever compared to a limit, and no rounding
    call is made (SAF-26). Division by a full column, not a literal: polars divides by a
    literal (or a literal column) as a product with its reciprocal, not the correctly rounded
    quotient (18 * 0.001 != 0.018); the division of two columns is IEEE's, on every engine.

    ``floor``: take the floor before the cast to Int64 (see :func:`_cast_truncates`); on the
    positive values inside the range it is the truncation."""
    col, got = nw.col(column), nw.col(name)
    milli = _milli()
    # NaN fails one of the two comparisons whether the engine orders it above every number
    # (polars, Spark, DuckDB) or compares it false (numpy, pandas, pyarrow).
    inside = ((col > 0) & (col < _grammar_top())).fill_null(False)
    scaled = col * milli
    truncated = nw.when(inside).then(scaled.floor() if floor else scaled).otherwise(nw.lit(0))
    truncated = truncated.cast(nw.Int64)
    up = got + 1
    above = (up / (up * 0 + milli)) == col  # x is nearest to (t + 1) / 1000
    value = nw.when(above.fill_null(False)).then(up).otherwise(got)
    # Outside the range t is 0, so ``got > 0`` holds only for a cell inside it (and there
    # (0 + 1) / 1000 is not x).
    ok = (above | ((got > 0) & ((got / (got * 0 + milli)) == col))).fill_null(False)
    return truncated, value, ok


def _whole_int(nw: Any, frame: Any, column: str, name: str) -> tuple[Any, Any]:
    """(a count as Int64, True where the cell is a whole number the exact path reads alike;
    the second written on the column ``name`` holding the first)."""
    dtype = frame.collect_schema()[column]
    col, got = nw.col(column), nw.col(name)
    if dtype.is_integer():
        ok = ~col.is_null()
        return nw.when(ok).then(col).otherwise(nw.lit(0)).cast(nw.Int64), ok
    if dtype.is_float():
        top = _grammar_top()
        ok = (~col.is_null() & ~col.is_nan() & (col.abs() < top)).fill_null(False)
        whole = col if _cast_truncates(frame) else col.floor()  # not whole: got != col
        value = nw.when(ok).then(whole).otherwise(nw.lit(0)).cast(nw.Int64)
        return value, (ok & (got == col)).fill_null(False)
    if dtype == nw.String:
        ok = col.str.contains(_WHOLE_TEXT).fill_null(False)
        return nw.when(ok).then(col).otherwise(nw.lit("0")).cast(nw.Int64), ok
    return nw.lit(0), nw.lit(False)


def _cast_truncates(frame: Any) -> bool:
    """Whether the engine's cast of a float to Int64 truncates (polars, pandas, Dask, Spark).
    pyarrow refuses a float that is not whole (a safe cast) and DuckDB rounds to the nearest:
    there the readers take the floor first (the same whole number on the positive values they
    read; polars is spared the extra pass)."""
    impl = frame.implementation
    return not (impl.is_pyarrow() or impl.is_duckdb())


def _grammar_top() -> int:
    """One more than the largest whole part the quantity grammar reads."""
    return int("1" + "0" * units.MAX_INTEGER_DIGITS)


@cache
def _pattern(decimal: bool = False) -> str:
    """Text the vectorised path reads: the unit grammar's numbers with at most three decimals
    that are not zeros (a longer one goes to the exact check); ``decimal``: the text of a
    DECIMAL cell, whose trailing zeros are its scale (any number of them)."""
    digits = len(str(_milli())) - 1
    zeros = "0*" if decimal else f"0{{0,{units.MAX_FRACTION_DIGITS - digits}}}"
    return (
        rf"^(?:0|[1-9][0-9]{{0,{units.MAX_INTEGER_DIGITS - 1}}})"
        rf"(?:\.[0-9]{{1,{digits}}}{zeros})?$"
    )


def _decimal_text(nw: Any, thousandths: Any) -> Any:
    """Thousandths as the exact decimal text of the whole unit ("2500" -> "2.5")."""
    milli = _milli()
    digits = len(str(milli)) - 1
    whole = (thousandths // milli).cast(nw.String)
    part = (thousandths % milli).cast(nw.String).str.zfill(digits).str.strip_chars_end("0")
    return (
        nw.when((thousandths % milli) == 0)
        .then(whole)
        .otherwise(nw.concat_str([whole, nw.lit("."), part]))
    )


@cache
def _factors(kind: units.Kind) -> dict[str, int]:
    """The kind's unit (mg, mg/day) in one of each spelling the unit grammar reads for it
    (single units and ``a/b``, each read once by :func:`units.parse_unit`), where that is a
    whole number: thousandths of the spelling are then whole micrograms. A spelling not listed
    (refused, or a fraction of a mg such as mcg) leaves its rows to the exact check."""
    vocabulary = list(units.spellings())
    candidates = [*vocabulary, *(f"{a}/{b}" for a in vocabulary for b in vocabulary)]
    factors: dict[str, int] = {}
    for spelling in (*candidates, kind.display):
        try:
            factor = units.parse_unit(spelling, kind, "unit")
        except BaclofenDoseError:
            continue
        if factor.denominator == 1:
            factors[spelling] = int(factor)
    return factors


def _unit_factors(nw: Any, frame: Any, column: str, kind: units.Kind) -> Any:
    """mg per unit as Int64 (0 where the spelling is not known): for each factor, whether the
    cell is one of its spellings (comparisons of short text are far cheaper per row than a
    lookup in a table; no scan of the data is needed to build them)."""
    if frame.collect_schema()[column] != nw.String:
        return nw.lit(0, nw.Int64)
    spellings: dict[int, list[str]] = {}
    for spelling, factor in _factors(kind).items():
        spellings.setdefault(factor, []).append(spelling)
    cell = nw.col(column)
    value = nw.lit(0, nw.Int64)
    for factor, names in spellings.items():
        match = functools.reduce(operator.or_, (cell == name for name in names))
        value = nw.when(match).then(nw.lit(factor, nw.Int64)).otherwise(value)
    return value.fill_null(0)


# Conditions are narwhals expressions or, where the frame's columns settle them (a column the
# frame does not have is null on every row), Python booleans: folded here, so a check that
# cannot fire costs nothing per row and emits nothing.
Cond = Any


def _all(*terms: Cond) -> Cond:
    """The conjunction of ``terms`` (False if any is False; True if all are True)."""
    if any(t is False for t in terms):
        return False
    left = [t for t in terms if t is not True]
    return True if not left else functools.reduce(operator.and_, left)


def _any(*terms: Cond) -> Cond:
    """The disjunction of ``terms`` (True if any is True; False if all are False)."""
    if any(t is True for t in terms):
        return True
    left = [t for t in terms if t is not False]
    return False if not left else functools.reduce(operator.or_, left)


def _not(term: Cond) -> Cond:
    return (not term) if isinstance(term, bool) else ~term


def _expr(nw: Any, term: Cond) -> Any:
    """A condition as an expression (a settled one as a literal)."""
    return nw.lit(term, nw.Boolean) if isinstance(term, bool) else term


@attrs.frozen
class _Piece:
    """One kind of output row: a condition on the prepared frame and its values."""

    when: Any
    kind: str
    code: str
    rule_id: str | None = None
    severity: str | None = None
    what: Any = None
    value: Any = None
    limit: str | None = None
    unit: str | None = None
    detail: Any = None


class _Plan:
    """The vectorised judgement of one rule set and batch options (integer bounds, read once)."""

    def __init__(self, nw: Any, options: _Options) -> None:
        self.nw = nw
        self.rules = rules = options.rules
        self.milli = _milli()
        self.judge = Judge.open(rules, options.overrides)
        self.options = options
        self.policy, self.daily_max, self.dose_max = select_max_policy(rules, options.max_policy)
        for name, value, policy in (
            ("renal_policy", options.renal_policy, renal.RENAL_POLICY),
            ("weight_policy", options.weight_policy, renal.WEIGHT_POLICY),
        ):
            choices = rules.policy_choices(policy)
            if value is not None and value not in choices:
                raise InputError(name, value, "one of " + ", ".join(choices), code="E_POLICY")
        self.pieces: list[_Piece] = []
        self.absent: frozenset[str] = frozenset()
        self.per_admin: Cond = self.nw.col("__per_admin")  # settled by _prepare where it can
        self.counted: Cond = self.nw.col("__counted")  # the doses a day given and readable

    def given(self, column: str) -> Cond:
        """True where the row has a value in ``column``."""
        return False if column in self.absent else ~self.nw.col(column).is_null()

    def null(self, column: str) -> Cond:
        """True where the row has no value in ``column``."""
        return True if column in self.absent else self.nw.col(column).is_null()

    def m(self, rule_id: str) -> Fraction:
        """A rule's value in thousandths."""
        return self.rules[rule_id].require_value() * self.milli

    def add(self, piece: _Piece | None) -> None:
        if piece is not None and piece.when is not False:
            self.pieces.append(piece)

    def limit(
        self,
        rule: Rule,
        value: Any,
        kind: units.Kind,
        what: str,
        when: Any,
        *,
        scaled: bool = True,
        bound: Fraction | None = None,
    ) -> _Piece | None:
        """The twin of :meth:`Judge.limit`: a finding where ``value`` crosses ``rule``."""
        if rule.kind not in LIMIT_KINDS:
            return None
        limit = rule.require_value() if bound is None else bound
        exact = limit * (self.milli if scaled else 1)
        above = rule.kind.endswith("_max")
        crossed = (value > _at_most(exact)) if above else (value < _below(exact))
        code, severity, detail = "HARD_LIMIT_CROSSED", "hard", None
        if rule.kind.startswith("soft_"):
            severity = "warning"
            acknowledged = self.judge.overrides.get(rule.id)
            code = "SOFT_LIMIT_CROSSED" if acknowledged is None else "SOFT_LIMIT_ACKNOWLEDGED"
            detail = None if acknowledged is None else acknowledged.reason
        text = value if scaled else value * self.milli  # thousandths, as every value
        return _Piece(
            _all(when, crossed), "finding", code, rule.id, severity, what, text, _text(limit),
            kind.ucum, detail,
        )  # fmt: skip

    def finding(self, rule: Rule, code: str, when: Any, **values: Any) -> _Piece:
        severity = values.pop("severity", None) or rule.severity or "info"
        return _Piece(when, "finding", code, rule.id, severity, **values)

    def skip(self, when: Any, what: str, given: Any, code: str) -> _Piece:
        return _Piece(when, "not_assessed", code, what=what, detail=given)


_PATIENT_COLUMNS: Final = ("age_years", "sex", "weight_kg", "height_cm", "scr", "dialysis")
# Which patient values are known decides which one the renal assessment names as missing.
_PATTERN_COLUMNS: Final = ("age_years", "sex", "weight_kg", "height_cm", "dialysis")


def _native(nw: Any, frame: object, field: str) -> Any:
    """A narwhals frame of the caller's data frame (a library error for anything else)."""
    try:
        native = nw.from_native(frame)
    except TypeError as exc:
        raise InputTypeError(
            field, frame, "a data frame: polars, pandas, pyarrow, PySpark, Dask or DuckDB"
        ) from exc
    return native


def _complete(nw: Any, frame: Any) -> tuple[Any, frozenset[str]]:
    """Every input column present (a missing one is all "not given"); order ids as text.
    Also the input columns the frame did not have."""
    if "order_id" not in frame.collect_schema().names():
        raise MissingInputError("order_id", "a column order_id naming each order", "screening")
    for needed in (("dose", "daily_dose"),):
        if not any(c in frame.collect_schema().names() for c in needed):
            raise MissingInputError(
                "dose", "a column dose (with dose_unit and times_per_day) or daily_dose",
                "screening",
            )  # fmt: skip
    names = set(frame.collect_schema().names())
    absent = frozenset(c for c in INPUT_COLUMNS if c not in names)
    extra = []
    for column in sorted(absent):
        dtype = nw.Boolean if column == "dialysis" else nw.String
        extra.append(nw.lit(None, dtype).alias(column))
    if extra:
        frame = frame.with_columns(*extra)
    frame = _float32_read(nw, frame)
    frame = order_id_text(nw, frame, "order_id")
    return frame.select(*(nw.col(c) for c in INPUT_COLUMNS)), absent


def order_id_text(nw: Any, frame: Any, field: str) -> Any:
    """``frame`` (narwhals) with its ``order_id`` column as text, the same text for the same
    order in every table: a column of floats (pandas makes floats of whole numbers beside a
    missing one) is read only when every value is a whole number, as that whole number's
    text ("2", never "2.0"; NaN is a missing id); any other float refuses the column, naming
    ``field``."""
    col = nw.col("order_id")
    if not frame.collect_schema()["order_id"].is_float():
        return frame.with_columns(col.cast(nw.String))
    # Whole numbers a float holds exactly (below 2^53, the float's significand): an id
    # beyond may have been rounded on its way into a float, so it is not read as one.
    exact = 1 << sys.float_info.mant_dig
    number = ~col.is_null() & ~col.is_nan()
    whole = (number & (col.abs() < exact) & ((col % 1) == 0)).fill_null(False)
    bad = _collect(nw, frame.filter(number & ~whole).select(col).head(1))["order_id"].to_list()
    if bad:
        raise InputError(
            field, bad[0], "order ids as text or whole numbers (a float column only of whole "
            "numbers, read as their text)",
        )  # fmt: skip
    value = nw.when(whole).then(col).otherwise(nw.lit(0)).cast(nw.Int64).cast(nw.String)
    text = nw.when(whole).then(value).otherwise(nw.lit(None, nw.String))
    return frame.with_columns(text.alias("order_id"))


_QUANTITY_COLUMNS: Final = (
    "dose", "daily_dose", "units_per_dose", "age_years", "weight_kg", "height_cm", "scr",
    "crcl_ml_min", "egfr_ml_min_173m2",
)  # fmt: skip


def _float32_read(nw: Any, frame: Any) -> Any:
    """Float32 cells as their own shortest text (what the engine writes for a float32: 20.1,
    not the 20.100000381469727 of its value widened to 64 bits), read then by the grammar as
    any text; NaN is a missing cell. A count of doses a day is widened (a whole float32 is
    a whole float64)."""
    schema = frame.collect_schema()
    changed = []
    for column in _QUANTITY_COLUMNS:
        if schema[column] == nw.Float32:
            col = nw.col(column)
            text = nw.when(~col.is_nan()).then(col.cast(nw.String))
            changed.append(text.otherwise(nw.lit(None, nw.String)).alias(column))
    if schema["times_per_day"] == nw.Float32:
        changed.append(nw.col("times_per_day").cast(nw.Float64))
    return frame.with_columns(*changed) if changed else frame


def _renal_not_assessed(plan: _Plan) -> dict[int, str | None]:
    """For each pattern of known patient values (age, sex, weight, height, dialysis stated;
    as the code of :func:`_pattern_code`), with no creatinine and no measured value: the field
    the renal assessment names as missing (asked of the planner itself, once per pattern and
    rule set; None: not this path)."""
    options = plan.options
    return _renal_fields(options.rules, options.renal_policy, options.weight_policy)


@cache
def _renal_fields(
    rules: RuleSet, renal_policy: str | None, weight_policy: str | None
) -> dict[int, str | None]:
    fields: dict[int, str | None] = {}
    chosen = weight_policy or rules.policy_default(renal.WEIGHT_POLICY)
    for pattern in itertools.product((False, True), repeat=len(_PATTERN_COLUMNS)):
        code = sum(1 << i for i, known in enumerate(pattern) if known)
        has_age, has_sex, has_weight, has_height, has_dialysis = pattern
        adult = rules["population.child.below_age"].require_value()
        low = "patient.height.adult_min" if has_age else "patient.height.min"
        try:
            renal.assess(
                Patient(
                    age_years=adult if has_age else None,
                    sex=SEXES[0] if has_sex else None,
                    weight_kg=rules["patient.weight.min"].require_value() if has_weight else None,
                    height_cm=rules[low].require_value() if has_height else None,
                    scr_mg_dl=None,
                    dialysis=False if has_dialysis else None,
                ),
                renal_policy=renal_policy,
                weight_policy=weight_policy,
                rules=rules,
            )
        except MissingInputError as exc:
            fields[code] = exc.field
        except BaclofenDoseError:
            fields[code] = None
        else:  # pragma: no cover - no creatinine: the assessment cannot be made
            fields[code] = None
        if has_weight and has_height and chosen != _WEIGHT_ACTUAL:
            # The body weight then depends on the values (the BMI band, a height below the
            # ideal-weight formula's range): one sample patient does not speak for every row,
            # so these rows go to the exact path.
            fields[code] = None
    return fields


_WEIGHT_ACTUAL: Final = "actual"  # the weight policy that reads the actual weight alone


def _prepare(nw: Any, frame: Any, plan: _Plan) -> list[list[Any]]:
    """The columns that give the frame its integer values and ``__fast`` (True where the
    vectorised path judges the row exactly as the order check would), as lists of named
    expressions to add in turn (``frame`` is read for its schema only). Doses become whole
    micrograms in one product (the value in thousandths of its unit times the unit's whole
    mg)."""
    m, c, given, null = plan.m, nw.col, plan.given, plan.null

    # Each cell read once into a named integer column (stage one); every test below reads
    # those columns, so no conversion is computed twice whatever the engine's optimiser does.
    parse: dict[str, Any] = {}  # text cells as floats, before stage one
    stage: dict[str, Any] = {}
    settle: dict[str, Any] = {}  # stage two: columns computed from stage one's

    def staged(name: str, value: Any, ok: Cond) -> tuple[Any, Cond]:
        stage[name] = value
        return nw.col(name), ok

    def number(column: str) -> tuple[Any, Cond]:
        if column in plan.absent:
            return nw.lit(0), False
        name = "__" + column
        dtype = frame.collect_schema()[column]
        if dtype.is_float():
            stage[name], settle[name], settle[name + "_ok"] = _float_milli(
                nw, column, name, floor=not _cast_truncates(frame)
            )
            return nw.col(name), nw.col(name + "_ok")
        if dtype in (nw.String, nw.Decimal):
            # Text the grammar reads with at most three decimals is parsed as a float (the
            # float nearest its value) and read by the float reader, which gives back exactly
            # its thousandths (or leaves the row to the exact path: never another number). A
            # decimal cell (a warehouse's DECIMAL) is read as its text ("5.00").
            cell = nw.col(column) if dtype == nw.String else nw.col(column).cast(nw.String)
            readable = cell.str.contains(_pattern(dtype == nw.Decimal)).fill_null(False)
            text = nw.when(readable).then(cell).otherwise(nw.lit("0"))
            parse[name + "_text"], parse[name + "_read"] = text.cast(nw.Float64), readable
            stage[name], settle[name], settle[name + "_ok"] = _float_milli(
                nw, name + "_text", name, floor=not _cast_truncates(frame)
            )
            return nw.col(name), nw.col(name + "_read") & nw.col(name + "_ok")
        return staged(name, *_milli_int(nw, frame, column))

    def factor(column: str, kind: units.Kind) -> tuple[Any, Cond]:
        if column in plan.absent:
            return nw.lit(1), False
        name = "__" + column
        stage[name] = _unit_factors(nw, frame, column, kind)
        return nw.max_horizontal(nw.col(name), nw.lit(1)), nw.col(name) > 0

    dose, dose_ok = number("dose")
    dose_f, dose_f_ok = factor("dose_unit", units.ORAL_DOSE)
    daily, daily_ok = number("daily_dose")
    daily_f, daily_f_ok = factor("daily_dose_unit", units.ORAL_DAILY_DOSE)
    n, n_ok = (nw.lit(0), False)
    if "times_per_day" not in plan.absent:
        n, n_ok = staged("__n", *_whole_int(nw, frame, "times_per_day", "__n"))
    most = int(units.parse_unit("day", units.HOURS, "times_per_day"))
    age, age_ok = number("age_years")
    weight, weight_ok = number("weight_kg")
    height, height_ok = number("height_cm")
    crcl, crcl_ok = number("crcl_ml_min")
    egfr, egfr_ok = number("egfr_ml_min_173m2")
    method: Any = nw.lit(0)
    if "measured_method" not in plan.absent:
        method, _ = staged("__method", _method_code(nw, frame), True)
    steps = [
        [value.alias(name) for name, value in part.items()]
        for part in (parse, stage, settle)
        if part
    ]
    # Fast only below 10^12 micrograms (the bound the exact twin was proven against; far
    # beyond every plausibility band, so such a row is the exact path's to refuse).
    top = _grammar_top()
    dose_mcg = _product(nw, dose, dose_f, units.ORAL_DOSE)
    daily_mcg = _product(nw, daily, daily_f, units.ORAL_DAILY_DOSE)
    per_admin = _all(
        given("dose"), dose_ok, dose_f_ok, _all(n_ok, n >= 1, n <= most),
        (dose_mcg < top).fill_null(False) if dose_ok is not False else False,
    )  # fmt: skip
    counted = _all(given("times_per_day"), n_ok, n >= 1, n <= most)
    daily_only = _all(
        null("dose"), given("daily_dose"), daily_ok, daily_f_ok,
        (daily_mcg < top).fill_null(False) if daily_ok is not False else False,
        _any(null("times_per_day"), counted),  # an unreadable count: the exact path's
    )  # fmt: skip

    def within(column: str, value: Any, ok: Cond, low: Any, high: int) -> Cond:
        if column in plan.absent:
            return True
        return _any(null(column), _all(ok, value >= low, value <= high).fill_null(False))

    age_in = within(
        "age_years", age, age_ok, _below(m("population.child.below_age")),
        _at_most(m("patient.age.max")),
    )  # fmt: skip
    weight_in = within(
        "weight_kg", weight, weight_ok, _below(m("patient.weight.min")),
        _at_most(m("patient.weight.max")),
    )  # fmt: skip
    height_low: Any = nw.lit(_below(m("patient.height.min")))
    if "age_years" not in plan.absent:
        height_low = nw.when(c("age_years").is_null()).then(height_low).otherwise(
            nw.lit(_below(m("patient.height.adult_min")))
        )
    height_in = within(
        "height_cm", height, height_ok, height_low, _at_most(m("patient.height.max"))
    )
    measured = _any(given("crcl_ml_min"), given("egfr_ml_min_173m2"))
    dialysis_off: Cond = True
    if "dialysis" not in plan.absent:
        dialysis = c("dialysis")
        # pandas keeps a boolean column with missing values as objects: compared, not negated.
        dtype = frame.collect_schema()["dialysis"]
        if dtype in (nw.Boolean, nw.Object):
            off = dialysis.is_null() | (dialysis == nw.lit(False))
        elif dtype == nw.String:
            words = [word for word, value in _DIALYSIS_WORDS.items() if value is False]
            off = dialysis.is_null() | dialysis.is_in(words)
        else:
            off = dialysis.is_null()
        dialysis_off = off.fill_null(False)
    fields = _renal_not_assessed(plan)
    present = _present(plan.absent)
    uncovered = [code for code, f in fields.items() if f is None and code and code & ~present == 0]
    pattern = _pattern_code(nw, plan.absent)
    pattern_ok = ~pattern.is_in(uncovered) if uncovered else True

    def one_of(column: str, values: Sequence[str]) -> Cond:
        # Equalities to each word (short text compared in place: far cheaper than is_in).
        return _any(null(column), _expr(nw, given(column)) & _equals_any(nw, frame, column, values))

    def readable(column: str, ok: Cond) -> Cond:
        return True if column in plan.absent else _any(null(column), ok)

    # A daily dose given beside the dose must be the order's (else the exact path refuses it).
    agrees = _any(
        null("daily_dose"),
        _all(daily_ok, daily_f_ok, (daily_mcg == dose_mcg * n).fill_null(False)),
    ) if daily_ok is not False else null("daily_dose")
    # "ORAL" is oral; any other text, and a route column that is not text (a SNOMED code as a
    # number), is the exact path's to judge (it names the column).
    oral: Cond = False
    if "route" not in plan.absent and frame.collect_schema()["route"] == nw.String:
        oral = _expr(nw, given("route")) & (c("route").str.to_lowercase() == "oral")
    # An order id that begins with a printable ASCII character other than a space is not
    # blank (two comparisons: a strip of every id cost a fifth of the screen); any other id
    # (empty, blank, beginning with a space or beyond ASCII) is the exact path's to judge.
    oid = c("order_id")
    fast = _all(
        ((oid >= nw.lit("!")) & (oid < nw.lit("\x7f"))).fill_null(False),
        _any(null("route"), oral),
        _any(_not(per_admin), agrees),
        null("product"),
        null("units_per_dose"),  # units without a product: the exact path refuses them
        _any(per_admin, daily_only),
        null("scr"),
        dialysis_off,
        one_of("sex", SEXES),
        age_in,
        weight_in,
        height_in,
        readable("crcl_ml_min", crcl_ok),
        readable("egfr_ml_min_173m2", egfr_ok),
        _any(null("measured_method"), method > 0),
        # A method must give its measurement (else the exact path refuses the row).
        _any(null("crcl_ml_min"), null("measured_method"), _method_fits(method, 0)),
        _any(null("egfr_ml_min_173m2"), null("measured_method"), _method_fits(method, 1)),
        _any(_not(measured), given("measured_method")),
        _any(measured, pattern_ok),
    )
    columns = {
        "__fast": _fill(nw, fast),
        "__per_admin": _fill(nw, per_admin),
        "__counted": _fill(nw, counted),
        "__n": n,
        "__age": age,
        "__crcl": crcl,
        "__egfr": egfr,
        "__dose": dose_mcg,
        "__daily_given": daily_mcg,
    }
    # Which patient values a row has, as a code: only where a decision list cannot name the
    # missing value the renal assessment names (see _renal_field), or some codes are not fast.
    if uncovered or _decision_list(fields, present) is None:
        columns["__pattern"] = pattern
    plan.per_admin = per_admin if isinstance(per_admin, bool) else c("__per_admin")
    plan.counted = counted if isinstance(counted, bool) else c("__counted")
    steps.append([_expr(nw, value).alias(name) for name, value in columns.items()])
    # A condition settled in Python picks its branch; otherwise the branches are chosen
    # between columns already in the frame (Dask aligns only those inside when/then).
    if isinstance(per_admin, bool):
        daily_column = c("__dose") * c("__n") if per_admin else c("__daily_given")
    else:
        daily_column = (
            nw.when(c("__per_admin")).then(c("__dose") * c("__n")).otherwise(c("__daily_given"))
        )
    steps.append([daily_column.alias("__daily")])
    return steps


def _is_text(nw: Any, frame: Any, column: str) -> bool:
    """Whether ``column`` holds words (text or categories) the vectorised path compares."""
    return frame.collect_schema()[column] in (nw.String, nw.Categorical, nw.Enum)


def _equals_any(nw: Any, frame: Any, column: str, words: Sequence[str]) -> Any:
    """True where the text cell is one of ``words`` (False for a column that is not text:
    its rows go to the exact path)."""
    if not _is_text(nw, frame, column):
        return nw.lit(False)
    cell = nw.col(column)
    return functools.reduce(operator.or_, (cell == word for word in words))


# What a measured method measures, (CrCl, eGFR); a method's code is 1 + its place here, so the
# methods of each measure have adjacent codes (see _method_code and _method_fits).
_METHOD_FITS: Final = ((True, False), (True, True), (False, True))


def _method_code(nw: Any, frame: Any) -> Any:
    """The measured method as a small integer (Int8): 1 + the place in :data:`_METHOD_FITS` of
    what it measures, 0 for any other cell (not a method the exact path reads, or empty;
    those rows with a measurement go to the exact path)."""
    code: Any = nw.lit(0, nw.Int8)
    if not _is_text(nw, frame, "measured_method"):
        return code
    cell = nw.col("measured_method")
    for method in MEASURED_METHODS:
        fits = (method in CRCL_METHODS, method in EGFR_METHODS)
        if fits in _METHOD_FITS:
            value = nw.lit(_METHOD_FITS.index(fits) + 1, nw.Int8)
            code = nw.when(cell == method).then(value).otherwise(code)
    return code.fill_null(0)


def _method_fits(code: Any, measure: int) -> Any:
    """True where the method's code (:func:`_method_code`) is of a method of ``measure`` (0:
    CrCl, 1: eGFR)."""
    codes = [i + 1 for i, fits in enumerate(_METHOD_FITS) if fits[measure]]
    return (code >= min(codes)) & (code <= max(codes))


def _product(nw: Any, thousandths: Any, factor: Any, kind: units.Kind) -> Any:
    """Micrograms: thousandths of a unit times the unit's whole mg. A value is below 10^15
    thousandths; where a factor could take the product past 64 bits, a value that large
    (hundreds of tonnes) stands as 10^12, so its product stays at or above the bound the
    caller keeps fast rows under (``micrograms < 10^12``) and the exact path judges it."""
    biggest = max(_factors(kind).values(), default=1)
    if _grammar_top() * _milli() * biggest > _INT64_MAX:
        thousandths = nw.when(thousandths < _INT64_MAX // biggest).then(thousandths).otherwise(
            nw.lit(_grammar_top())
        )
    return thousandths * factor


_INT64_MAX: Final = sys.maxsize  # the engines' 64-bit integers (a smaller bound is only safer)


def _fill(nw: Any, term: Cond) -> Any:
    """A condition as a boolean column with no nulls (null: the condition does not hold)."""
    return nw.lit(term, nw.Boolean) if isinstance(term, bool) else term.fill_null(False)


def _present(absent: frozenset[str]) -> int:
    """The pattern code (:func:`_pattern_code`) of a row with every column the frame has."""
    return sum(1 << i for i, column in enumerate(_PATTERN_COLUMNS) if column not in absent)


def _decision_list(
    fields: Mapping[int, str | None], present: int
) -> tuple[list[tuple[int, str]], str] | None:
    """The renal assessment's missing value (``fields``: by pattern code, as
    :func:`_renal_not_assessed`) as a decision list over the columns the frame has: in turn,
    where column ``i`` is empty, field f (a list of (i, f)), else the last field. None where
    no such list gives each code's field (then the code is looked up). Only codes a row of
    this frame can have, with a field, and with some patient value, count."""
    remaining = {
        code: field for code, field in fields.items()
        if field is not None and code and code & ~present == 0
    }  # fmt: skip
    free = [i for i in range(len(_PATTERN_COLUMNS)) if present & (1 << i)]
    steps: list[tuple[int, str]] = []
    while len(set(remaining.values())) > 1:
        for i in free:
            empty = {remaining[code] for code in remaining if not code & (1 << i)}
            if len(empty) == 1:
                steps.append((i, empty.pop()))
                remaining = {code: f for code, f in remaining.items() if code & (1 << i)}
                free.remove(i)
                break
        else:
            return None
    return (steps, next(iter(remaining.values()))) if remaining else None


def _renal_field(nw: Any, fields: Mapping[int, str | None], absent: frozenset[str]) -> Any:
    """The value the renal assessment names as missing, on rows with some patient value and
    no measurement: a decision list of empty-cell tests where there is one, else the row's
    pattern code looked up in ``fields``."""
    rule = _decision_list(fields, _present(absent))
    if rule is None:
        named = {code: field for code, field in fields.items() if field is not None and code}
        return nw.col("__pattern").replace_strict(
            list(named), list(named.values()), default=nw.lit(None, nw.String),
            return_dtype=nw.String,
        )  # fmt: skip
    steps, last = rule
    if not steps:
        return last
    field = nw.lit(last, nw.String)
    for i, name in reversed(steps):
        empty = nw.col(_PATTERN_COLUMNS[i]).is_null()
        field = nw.when(empty).then(nw.lit(name, nw.String)).otherwise(field)
    return field


def _pattern_code(nw: Any, absent: frozenset[str]) -> Any:
    """Which patient values a row has, as one integer (bit i: the i-th of _PATTERN_COLUMNS)."""
    bits = [
        (~nw.col(column).is_null()).cast(nw.Int64) * (1 << i)
        for i, column in enumerate(_PATTERN_COLUMNS)
        if column not in absent
    ]
    return nw.sum_horizontal(*bits) if bits else nw.lit(0, nw.Int64)


def _judge(plan: _Plan) -> list[_Piece]:
    """Every output row the vectorised path can give, as in check/oral.py (same order)."""
    nw, rules, m = plan.nw, plan.rules, plan.m
    c = nw.col
    fields = _renal_not_assessed(plan)
    per_admin = plan.per_admin
    daily = c("__daily")
    crcl, egfr = c("__crcl"), c("__egfr")
    has_crcl, has_egfr = plan.given("crcl_ml_min"), plan.given("egfr_ml_min_173m2")
    has_patient = _any(*(plan.given(column) for column in _PATIENT_COLUMNS))
    older = _all(
        plan.given("age_years"), c("__age") >= _below(m("population.older_adult.from_age"))
    )
    add = plan.add
    add(plan.skip(_all(has_patient, plan.null("age_years")), "population", "patient.age",
                  "AGE_NOT_GIVEN"))  # fmt: skip

    # Renal (check/oral.py _renal): measured CrCl bands, end-stage cap, not-assessed entries.
    no_measure = _all(_not(has_crcl), _not(has_egfr))
    named = {code: field for code, field in fields.items() if field is not None and code}
    if named:
        renal_field = _renal_field(nw, fields, plan.absent)
        add(plan.skip(_all(has_patient, no_measure), "renal", renal_field,
                      "RENAL_NOT_ASSESSED"))  # fmt: skip
    add(plan.skip(_all(has_crcl, plan.null("dialysis")), "renal", "patient.dialysis",
                  "DIALYSIS_NOT_STATED"))  # fmt: skip
    add(plan.skip(_all(_not(has_patient), _not(has_crcl)), "patient", "patient",
                  "PATIENT_NOT_GIVEN"))  # fmt: skip
    add(plan.skip(_all(_not(has_crcl), has_egfr), "renal", "measured_egfr",
                  "RENAL_BAND_NEEDS_CRCL"))  # fmt: skip
    prefix = "renal.vlavonou2014."
    end_stage = _all(has_crcl, crcl < _below(m("renal.ca_monograph.end_stage.below")))
    severe = _all(has_crcl, crcl < _below(m(prefix + "severe.crcl_below")))
    moderate = _all(has_crcl, crcl <= _at_most(m(prefix + "moderate.crcl_max")))
    mild = _all(has_crcl, crcl <= _at_most(m(prefix + "mild.crcl_max")))
    reduced = _any(severe, moderate, mild, end_stage)
    cap = rules["renal.ca_monograph.end_stage.max_daily"]
    add(plan.limit(cap, daily, units.ORAL_DAILY_DOSE,
                   "daily dose with end-stage kidney failure", end_stage))  # fmt: skip
    grid = rules[_A + "dose.grid"].require_value()
    usual = plan.daily_max.require_value()
    band_rules = (("severe", severe), ("moderate", _all(moderate, _not(severe))),
                  ("mild", _all(mild, _not(moderate), _not(severe))))  # fmt: skip
    for band, when in band_rules:
        rule = rules[prefix + band + ".dose_fraction"]
        ceiling = max((usual * rule.require_value() // grid) * grid, grid)
        add(plan.limit(rule, daily, units.ORAL_DAILY_DOSE,
                       "daily dose with reduced kidney function", _all(when, _not(end_stage)),
                       bound=ceiling))  # fmt: skip
    if plan.options.renal_policy == "ajkd2017":
        add(plan.limit(rules["renal.ajkd2017.egfr_min"], egfr, units.EGFR, "eGFR", has_egfr))
    muanda_start = rules["renal.muanda2019.start_daily"]
    muanda = _all(
        has_egfr,
        egfr < _below(m("renal.muanda2019.egfr_below")),
        daily >= _below(m(muanda_start.id)),
    )
    add(plan.finding(muanda_start, "MUANDA_DAILY", muanda, severity="warning",
                     value=daily, limit=_text(muanda_start.require_value()),
                     unit=units.ORAL_DAILY_DOSE.ucum))  # fmt: skip

    # Older adults (_older): caution, tolerance note, Beers 2023 on a measured value.
    add(plan.finding(rules["oral.older_adult.caution"], _ADVICE, older))
    note = rules["oral.older_adult.tolerance_note"]
    add(plan.finding(note, "OLDER_TOLERANCE_ORDER", _all(older, daily > _at_most(m(note.id))),
                     severity="warning", value=daily,
                     limit=_text(note.require_value()), unit=units.ORAL_DAILY_DOSE.ucum))  # fmt: skip  # noqa: E501
    beers = rules["oral.older_adult.beers2023.egfr_below"]  # the planner's rule, as _older
    below = _below(beers.require_value() * plan.milli)
    for measure, value, kind, when in (
        ("eGFR", egfr, units.EGFR, has_egfr),
        ("CrCl", crcl, units.RENAL_CLEARANCE, _all(has_crcl, _not(has_egfr))),
    ):
        add(_Piece(_all(older, when, value < below), "finding", "CHECK_BEERS_KIDNEY",
                   beers.id, "warning", f"{measure} (given)",
                   value, _text(beers.require_value()), kind.ucum))  # fmt: skip
    add(plan.skip(_all(older, no_measure), "older_adult", "kidney function",
                  "BEERS_NOT_ASSESSED"))  # fmt: skip

    # The order (_adult): doses a day, single dose, daily maxima, grid, advice.
    count = units.PER_DAY
    times_min = rules[_A + "times_per_day.min"]
    renal_min = rules["oral.renal.times_per_day.min"]
    # The doses a day are judged wherever given (a daily dose alone may give them too).
    counted = plan.counted
    add(plan.limit(renal_min, c("__n"), count, "doses a day", _all(counted, reduced),
                   scaled=False))  # fmt: skip
    add(plan.limit(times_min, c("__n"), count, "doses a day", _all(counted, _not(reduced)),
                   scaled=False))  # fmt: skip
    add(plan.limit(rules[_A + "times_per_day.max"], c("__n"), count, "doses a day", counted,
                   scaled=False))  # fmt: skip
    if plan.dose_max is not None:
        add(plan.limit(plan.dose_max, c("__dose"), units.ORAL_DOSE, "a single dose of",
                       per_admin))  # fmt: skip
    everything = True  # every row of the fast frame
    add(plan.limit(plan.daily_max, daily, units.ORAL_DAILY_DOSE, "daily dose", everything))
    add(plan.limit(rules[_A + "max_daily.hard"], daily, units.ORAL_DAILY_DOSE, "daily dose",
                   everything))  # fmt: skip
    grid_rule = rules[_A + "dose.grid"]
    off_grid = _all(per_admin, (c("__dose") % _at_most(m(grid_rule.id))) != 0)
    add(plan.finding(grid_rule, "OFF_GRID", off_grid, severity="warning",
                     value=c("__dose"), limit=_text(grid),
                     unit=units.ORAL_DOSE.ucum))  # fmt: skip
    add(plan.finding(rules["oral.adult.lowest_effective"], _ADVICE, everything))
    add(plan.skip(_not(per_admin), "order", "daily_dose", _NO_PER_ADMIN))
    return plan.pieces


_DISTINCT_TEXTS: Final = tuning.SCREEN_DISTINCT_TEXTS
_COMPILED_KEPT: Final = tuning.SCREEN_COMPILED_KEPT
_EXACT_ROWS_HELD: Final = tuning.SCREEN_EXACT_ROWS_HELD


class _Compiled:
    """The vectorised screen of one rule set, batch options and input schema: the columns to
    add in turn (``steps``, the last one the pieces' boolean columns) and the pieces with the
    expressions of their output rows. Built once and kept (:func:`_compile`): on polars, the
    expressions are also translated once into polars' own (a screen of many batches, such as
    the CLI's, then spends its time on the data, not on building the same expressions).
    Other engines are given the narwhals expressions each time, as they are."""

    def __init__(self, nw: Any, options: _Options, frame: Any, absent: frozenset[str]) -> None:
        self.nw = nw
        plan = _Plan(nw, options)
        plan.absent = absent
        steps = _prepare(nw, frame, plan)
        self.pieces: tuple[_Piece, ...] = tuple(_judge(plan))
        self.fires: tuple[str, ...] = tuple(f"__w{i}" for i in range(len(self.pieces)))
        # Every output row kind as one boolean column, all computed in one pass over the frame.
        steps.append([
            _fill(nw, _all(nw.col("__fast"), piece.when)).alias(name)
            for piece, name in zip(self.pieces, self.fires, strict=True)
        ])  # fmt: skip
        self.steps = steps
        sha = options.rules.sha256
        self.selects = [_row_exprs(nw, piece, sha) for piece in self.pieces]
        self._natives: dict[object, list[Any] | None] = {}

    def _polars(self, frame: Any, key: object, exprs: Sequence[Any]) -> list[Any] | None:
        """``exprs`` as polars expressions, translated by narwhals once per key (None where
        this narwhals release does not expose its translation: then narwhals runs them)."""
        if not frame.implementation.is_polars():
            return None
        if key not in self._natives:
            try:
                compliant = frame._flatten_and_extract(*exprs)
                self._natives[key] = [c.native for c in compliant]
            except (AttributeError, TypeError):  # pragma: no cover - another narwhals
                self._natives[key] = None
        return self._natives[key]

    def with_columns(self, frame: Any, step: int) -> Any:
        native = self._polars(frame, ("step", step), self.steps[step])
        if native is None:
            return frame.with_columns(*self.steps[step])
        return self.nw.from_native(frame.to_native().with_columns(*native))

    def rows(self, frame: Any, piece: int) -> Any:
        """The output rows of one piece: the rows where its column fires (its value as
        thousandths, Int64, or null text for a piece without one)."""
        exprs = self.selects[piece]
        fired = self.nw.col(self.fires[piece])
        native = self._polars(frame, ("rows", piece), [fired, *exprs])
        if native is None:
            return frame.filter(fired).select(*exprs)
        return self.nw.from_native(frame.to_native().filter(native[0]).select(*native[1:]))


_COMPILED: dict[object, _Compiled] = {}


def _compile(nw: Any, options: _Options, frame: Any, absent: frozenset[str]) -> _Compiled:
    """The compiled screen for these options and this frame's schema (kept: see _Compiled)."""
    overrides = None if options.overrides is None else tuple(sorted(options.overrides.items()))
    schema = tuple((name, str(dtype)) for name, dtype in frame.collect_schema().items())
    key = (
        options.rules.sha256, options.max_policy, options.renal_policy, options.weight_policy,
        overrides, absent, schema, str(frame.implementation), type(frame).__name__,
    )  # fmt: skip
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _Compiled(nw, options, frame, absent)
        if len(_COMPILED) >= _COMPILED_KEPT:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = compiled
    return compiled


def _row_exprs(nw: Any, piece: _Piece, sha: str) -> list[Any]:
    """The output columns of one piece's rows (the value as thousandths, Int64)."""

    def text(value: Any) -> Any:
        if value is None or isinstance(value, str):
            return nw.lit(value, nw.String)
        return value.cast(nw.String)

    value = (
        nw.lit(None, nw.String) if piece.value is None else piece.value.cast(nw.Int64)
    ).alias("value")
    return [
        nw.col("order_id"),
        nw.lit(piece.kind, nw.String).alias("kind"),
        text(piece.rule_id).alias("rule_id"),
        text(piece.severity).alias("severity"),
        nw.lit(piece.code, nw.String).alias("code"),
        text(piece.what).alias("what"),
        value,
        text(piece.limit).alias("limit"),
        text(piece.unit).alias("unit"),
        text(piece.detail).alias("detail"),
        nw.lit(sha, nw.String).alias("rules_sha256"),
    ]


def _emit(nw: Any, frame: Any, compiled: _Compiled, chosen: Sequence[int], *, local: bool) -> Any:
    """The output rows of the ``chosen`` pieces (the rows where each one's boolean column
    fires), in one frame; the values compared are written as text once, over all the rows
    that have one.

    ``local``: ``frame`` is a polars lazy frame over data in memory; see :func:`_emit_local`."""
    pieces = compiled.pieces
    valued = [compiled.rows(frame, i) for i in chosen if pieces[i].value is not None]
    bare = [compiled.rows(frame, i) for i in chosen if pieces[i].value is None]
    if not valued and not bare:  # no piece fires: no rows, in the output's columns
        return frame.head(0).select(
            nw.col("order_id"), *(nw.lit(None, nw.String).alias(c) for c in OUTPUT_COLUMNS[1:])
        )
    if local:
        return _emit_local(nw, valued, bare)
    parts = list(bare)
    if valued:
        together = _stack(nw, valued)
        parts.insert(0, together.with_columns(_decimal_text(nw, nw.col("value")).alias("value")))
    return _stack(nw, parts)


def _emit_local(nw: Any, valued: Sequence[Any], bare: Sequence[Any]) -> Any:
    """:func:`_emit` on a polars lazy frame over data in memory: the rows with a value and the
    rows without are materialised together (polars runs the branches in parallel); each
    distinct value is written by :func:`_text` (the exact path's own writer) and each row's
    text looked up (:func:`_value_texts`), far cheaper than string arithmetic on every row."""
    import polars as pl  # the screen extra's engine: here only for a polars frame

    plans = [nw.concat(group, how="vertical").to_native() for group in (valued, bare) if group]
    done = pl.collect_all(plans)
    parts = []
    if valued:
        native = done.pop(0)
        values = native.get_column("value")
        texts = _value_texts(values)
        if texts is None:
            parts.append(nw.from_native(native).with_columns(
                _decimal_text(nw, nw.col("value")).alias("value")
            ))  # fmt: skip
        else:
            parts.append(nw.from_native(native.with_columns(texts)))
    parts += [nw.from_native(rest) for rest in done]
    return _stack(nw, parts)


def _value_texts(values: Any) -> Any:
    """A polars Series of thousandths (Int64) as the exact decimal text of each, or None where
    it has more than :data:`_DISTINCT_TEXTS` distinct values. Each distinct value is written
    once by :func:`_text`; where the distinct values lie on a grid of at most that many steps
    (as doses and measurements do), each row's text is taken from its place on the grid (two
    integer operations and a gather), else looked up by value."""
    import polars as pl  # the screen extra's engine: here only for a polars frame

    distinct = values.unique().drop_nulls().to_list()
    if len(distinct) > _DISTINCT_TEXTS:
        return None
    written = {v: _text(Fraction(v, _milli())) for v in distinct}
    if not distinct:
        return values.cast(pl.String)
    low = min(distinct)
    step = functools.reduce(math.gcd, (v - low for v in distinct), 0) or 1
    span = (max(distinct) - low) // step + 1
    if span > _DISTINCT_TEXTS:
        return values.replace_strict(list(written), list(written.values()), return_dtype=pl.String)
    table: list[str | None] = [None] * span
    for v, text in written.items():
        table[(v - low) // step] = text
    return pl.Series("value", table, dtype=pl.String).gather((values - low) // step)


def _stack(nw: Any, parts: Sequence[Any]) -> Any:
    """Frames one under another. Polars lazy frames (a scan larger than memory) are joined
    unordered: an ordered concat of many branches of one scan makes polars' streaming engine
    hold each branch's rows until every branch before it is done, so memory grew with the
    file. The order of the finding rows carries no meaning (sort by ``order_id``)."""
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, nw.LazyFrame) and p.implementation.is_polars() for p in parts):
        import polars as pl  # the screen extra's engine: here only for a polars lazy frame

        return nw.from_native(pl.union([p.to_native() for p in parts], how="vertical"))
    return nw.concat(parts, how="vertical")


def _frame_like(nw: Any, template: Any, rows: Sequence[Row], columns: Sequence[str]) -> Any:
    """A frame of text columns in the template's library (lazy if the template is)."""
    data = {column: [row[column] for row in rows] for column in columns}
    schema = {column: nw.String() for column in columns}
    impl = template.implementation
    if impl.is_duckdb():
        return _duckdb_rows(nw, template, data)
    if isinstance(template, nw.LazyFrame):
        eager = nw.from_dict(data, schema, backend="polars" if impl.is_polars() else "pandas")
        if impl.is_polars():
            return eager.lazy()
        session = None
        if impl.is_pyspark() or impl.is_pyspark_connect():
            session = template.to_native().sparkSession
        return eager.lazy(backend=impl, session=session)
    return nw.from_dict(data, schema, backend=impl)


def _duckdb_rows(nw: Any, template: Any, data: Mapping[str, Sequence[str | None]]) -> Any:
    """Text columns as a DuckDB relation on the template's connection. DuckDB combines (joins,
    unions) only relations of one connection, and a relation does not expose its own (narwhals
    builds its DuckDB frames on the default connection; a warehouse file is another): so the
    rows are made from the template itself. Its count of no rows (``LIMIT 0``: exactly one
    row, and nothing read) is the one row; each column is a list constant of its values,
    unnested beside the others (DuckDB unnests the lists of one select side by side, as a
    zip). The first column is always unnested, so there are as many rows as values; a column
    of one repeated value is that constant. Cells are DuckDB's own constants (quoted by
    DuckDB), never SQL text written here."""
    import duckdb  # the input's engine: here only for a DuckDB relation

    one = template.head(0).select(nw.len()).to_native()
    text = duckdb.sqltypes.VARCHAR
    exprs = []
    for place, (column, values) in enumerate(data.items()):
        if place and len(set(values)) == 1:
            cell = duckdb.ConstantExpression(values[0]).cast(text)
        else:
            listed = duckdb.ConstantExpression(list(values)).cast(duckdb.list_type(text))
            cell = duckdb.FunctionExpression("unnest", listed)
        exprs.append(cell.alias(column))
    return nw.from_native(one.select(*exprs))


def _count_true(nw: Any, frame: Any, column: str) -> Any:
    """The number of rows where a boolean column is true: summed as it is where the engine
    sums booleans (polars counts the bits, far cheaper than summing a cast), else as Int64."""
    impl = frame.implementation
    if impl.is_polars() or impl.is_pandas_like() or impl.is_dask():
        return nw.col(column).sum()
    return nw.col(column).cast(nw.Int64).sum()


def _collect(nw: Any, frame: Any) -> Any:
    """A lazy frame's result (eager frames as they are). A polars lazy frame (a scan of
    Parquet larger than memory) runs on polars' streaming engine, so a count or a filter
    over it holds one batch of rows at a time, not the whole file."""
    if not isinstance(frame, nw.LazyFrame):
        return frame
    if frame.implementation.is_polars():
        return frame.collect(engine="streaming")
    return frame.collect()


def _count(nw: Any, frame: Any) -> int:
    return int(_collect(nw, frame.select(nw.len()))["len"].to_list()[0])


def _missing(value: object) -> bool:
    """A missing cell: None, a float NaN, or pandas' NA."""
    if isinstance(value, float):
        return value != value  # NaN is the only float unequal to itself
    return value is None or type(value).__name__ == "NAType"


def _python(value: object) -> object:
    """A cell as a Python value: pandas-backed frames (pandas' nullable dtypes, and Dask,
    which computes to pandas) give numpy scalars (``np.True_``, ``np.int64(3)``), which the
    order check would refuse as not a bool or an int; ``item()`` gives the same value."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def _rows(nw: Any, frame: Any) -> list[dict[str, object]]:
    """Python rows (a NaN, pandas' mark of a missing number, is a missing value)."""
    rows = []
    for row in _collect(nw, frame).iter_rows(named=True):
        rows.append({k: None if _missing(v) else _python(v) for k, v in row.items()})
    return rows


RELATED_COLUMNS: Final = {"co_medications": "medicine", "conditions": "condition"}
"""The long tables and the column each names beside ``order_id``."""


def _related(
    nw: Any,
    related: Any,
    table_name: str,
    orders: Any,
    invalid_ids: list[str],
    options: _Options,
) -> tuple[list[Any], int, int]:
    """Findings for a long table (order id, name): each distinct name judged once by the order
    check's own code, joined to the valid orders; (frames, invalid rows, unmatched rows)."""
    column = RELATED_COLUMNS[table_name]
    sha = options.rules.sha256
    frame = _native(nw, related, table_name)
    for needed in ("order_id", column):
        if needed not in frame.collect_schema().names():
            raise MissingInputError(
                f"{table_name}.{needed}", f"a column {needed}", f"the {table_name} table"
            )
    frame = order_id_text(nw, frame.select("order_id", column), f"{table_name}.order_id")
    table = table_or_default(options.interactions)
    judge_names: Callable[[Judge, InteractionTable, object, Literal["oral"]], object] = (
        judge_medicines if table_name == "co_medications" else judge_conditions
    )
    names = _collect(nw, frame.select(column).unique())[column].to_list()
    lookup: list[Row] = []
    bad: list[object] = []
    for name in names:
        judge = Judge.open(options.rules, None)
        try:
            judge_names(judge, table, [name], "oral")
        except BaclofenDoseError:
            bad.append(name)
            continue
        check = judge.result("oral", [], [])
        for row in finding_rows("", check):
            row["__name"] = name
            lookup.append(row)
    # The long table's order ids that are orders of this batch (a small list on any engine).
    wanted = [
        i for i in _collect(nw, frame.select("order_id"))["order_id"].to_list()
        if not _missing(i) and i
    ]  # fmt: skip
    found = orders.filter(nw.col("order_id").is_in(sorted(set(wanted)))).select("order_id")
    ids = sorted({i for i in _collect(nw, found)["order_id"].to_list() if not _missing(i)})
    known = frame.filter(nw.col("order_id").is_in(ids))
    unmatched = _count(nw, frame) - _count(nw, known)
    valid = known.filter(~nw.col("order_id").is_in(invalid_ids)) if invalid_ids else known
    frames = []
    bad_test = nw.col(column).is_null()
    if bad:
        bad_test = bad_test | nw.col(column).is_in([b for b in bad if b is not None])
    bad_rows = valid.filter(bad_test)
    n_bad = _count(nw, bad_rows)
    if n_bad:
        frames.append(bad_rows.select(
            nw.col("order_id"),
            nw.lit("invalid", nw.String).alias("kind"),
            nw.lit(None, nw.String).alias("rule_id"),
            nw.lit(None, nw.String).alias("severity"),
            nw.lit("INVALID_INPUT", nw.String).alias("code"),
            nw.lit(f"{table_name}.{column}", nw.String).alias("what"),
            nw.lit(None, nw.String).alias("value"),
            nw.lit(None, nw.String).alias("limit"),
            nw.lit(None, nw.String).alias("unit"),
            nw.lit("a non-empty name", nw.String).alias("detail"),
            nw.lit(sha, nw.String).alias("rules_sha256"),
        ))  # fmt: skip
    if lookup:
        right = _frame_like(nw, frame, lookup, ["__name", *OUTPUT_COLUMNS[1:]])
        # Both keys as the engine's one text type (pyarrow joins no large_string, as polars
        # exports text, with the string of the lookup).
        key = valid.with_columns(nw.col(column).cast(nw.String))
        joined = key.join(right, left_on=column, right_on="__name", how="inner")
        frames.append(joined.select(*OUTPUT_COLUMNS))
    return frames, n_bad, unmatched


def _dialysis_orders(nw: Any, conditions: Any) -> dict[str, tuple[str, ...]]:
    """The order ids with a condition that may say dialysis (Z99.2, with its dot or without
    it), each with those condition cells as given: such orders are judged by the exact path,
    which reads them as the check does (on dialysis; a cell that begins as the code but is not
    it refused). A table without the columns gives none here; the conditions' own pass
    refuses it, naming them."""
    frame = _native(nw, conditions, "conditions")
    if not {"order_id", "condition"} <= set(frame.collect_schema().names()):
        return {}
    cell = nw.col("condition").cast(nw.String)
    code = cell.str.strip_chars().str.to_uppercase()
    frame = order_id_text(nw, frame.select("order_id", "condition"), "conditions.order_id")
    # The set only routes orders to the exact path, so a wider match is safe.
    said = functools.reduce(operator.or_, (code.str.starts_with(p) for p in DIALYSIS_PREFIXES))
    found = _collect(nw, frame.filter(said).select("order_id", cell.alias("condition")))
    orders: dict[str, tuple[str, ...]] = {}
    for order_id, text in zip(
        found["order_id"].to_list(), found["condition"].to_list(), strict=True
    ):
        if not _missing(order_id):
            orders[order_id] = (*orders.get(order_id, ()), text)
    return orders


def _same_kind(nw: Any, orders: Any, frame: Any, table: object, name: str) -> None:
    """A long table must be a frame of the orders' library, eager or lazy as they are (the
    findings of both are one frame): else a library error naming the table."""
    lazy = isinstance(orders, nw.LazyFrame)
    got = f"{type(table).__module__.partition('.')[0]}.{type(table).__name__}"
    if isinstance(frame, nw.LazyFrame) == lazy and frame.implementation == orders.implementation:
        if orders.implementation.is_duckdb():
            _same_connection(nw, orders, frame, got, name)
        return
    kind = "a lazy" if lazy else "an eager"
    raise InputTypeError(
        name, got, f"{kind} {orders.implementation} frame, as the orders are (convert it)"
    )


def _same_connection(nw: Any, orders: Any, frame: Any, got: str, name: str) -> None:
    """DuckDB combines only relations of one connection (and a relation does not say which
    is its own): a union of no rows of each, which DuckDB refuses as it builds it, before any
    row is read; a library error naming the table rather than DuckDB's deep in the screen."""
    import duckdb  # the input's engine: here only for DuckDB relations

    empty = [f.head(0).select(nw.len()) for f in (orders, frame)]
    try:
        nw.concat(empty, how="vertical")
    except duckdb.Error as exc:
        raise InputTypeError(
            name, got, "a DuckDB relation on the orders' connection (DuckDB combines only "
            "relations of one connection)",
        ) from exc  # fmt: skip


def screen_orders(
    orders: Any,
    *,
    co_medications: Any = None,
    conditions: Any = None,
    max_policy: str | None = None,
    renal_policy: str | None = None,
    weight_policy: str | None = None,
    overrides: Mapping[str, str] | None = None,
    rules: RuleSet | None = None,
    interactions: InteractionTable | None = None,
    advice: bool = False,
    adolescent_policy: str | None = None,
) -> ScreenResult:
    """Screen a data frame of oral orders: one output row per finding, as the order check.

    ``orders``: a polars, pandas or pyarrow frame, a polars lazy frame, a PySpark or a Dask
    frame or a DuckDB relation with the columns of :data:`INPUT_COLUMNS` (docs/screening.md
    has the schema).
    ``co_medications`` (``order_id``, ``medicine``) and ``conditions`` (``order_id``,
    ``condition``): long tables in the same library. ``max_policy``, ``renal_policy``,
    ``weight_policy`` and ``overrides`` apply to every order, as for
    :func:`~baclofen_dose.check.check_order`; ``adolescent_policy`` to every order of a patient
    aged 12 to under 18 (children are always judged by the exact check).

    ``advice``: also write a row for each general advice (an ``ADVICE`` finding of severity
    info: a rule's advice for the order's population, such as "use the lowest dose that gives
    an optimal response", with no value compared), one per order, as the order check lists
    them. By default they are counted in :attr:`ScreenSummary.advice` by rule, not written: on
    a warehouse of orders they would be most of the rows and say the same thing on each.
    Advice of severity warning is always written.

    Returns the findings (:data:`OUTPUT_COLUMNS`, a frame of the input's library, lazy if the
    input was) and a :class:`ScreenSummary`. Rules: as the order check.
    """
    nw = _nw()
    options = _Options(
        max_policy, renal_policy, weight_policy, overrides,
        default_rules() if rules is None else rules, interactions, adolescent_policy,
    )  # fmt: skip
    if not isinstance(options.rules, RuleSet):
        raise InputError("rules", options.rules, "a RuleSet from load_rules() or default_rules()")
    adolescent_policy_name(adolescent_policy, options.rules)  # refused once, not per row
    ladder_max_policy(adolescent_policy, max_policy)  # the batch's maximum: once, not per row
    native = _native(nw, orders, "orders")
    for name, table in (("co_medications", co_medications), ("conditions", conditions)):
        if table is not None:
            _same_kind(nw, native, _native(nw, table, name), table, name)
    if conditions is not None:
        options = attrs.evolve(options, dialysis_orders=_dialysis_orders(nw, conditions))
    sha = options.rules.sha256
    # An eager polars frame is judged as one lazy plan (polars fuses the expressions and runs
    # them in parallel) and materialised once; other engines run as they are.
    local = isinstance(native, nw.DataFrame) and native.implementation.is_polars()
    frame, absent = _complete(nw, native.lazy() if local else native)
    compiled = _compile(nw, options, frame, absent)
    pieces, fires = compiled.pieces, compiled.fires
    last = len(compiled.steps) - 1  # the pieces' columns, which read __fast
    for step in range(last):
        frame = compiled.with_columns(frame, step)
    if options.dialysis_orders:  # a Z99.2 condition: the exact path (this call's, never kept)
        away = ~nw.col("order_id").is_in(sorted(options.dialysis_orders))  # the ids
        frame = frame.with_columns((nw.col("__fast") & away).alias("__fast"))
    frame = compiled.with_columns(frame, last)
    if local:
        frame = frame.collect()
    totals = _collect(nw, frame.select(
        nw.len().alias("__rows"),
        *(_count_true(nw, frame, n).alias(n) for n in ("__fast", *fires)),
    )).rows(named=True)[0]  # fmt: skip
    rows_in, rows_fast = int(totals["__rows"]), int(totals["__fast"] or 0)
    by_severity = {s: 0 for s in ("hard", "warning", "info")}
    advised: dict[str, int] = {}
    not_assessed = 0

    def tally(kind: object, severity: object, n: int, code: object, rule_id: object) -> None:
        nonlocal not_assessed
        if _general_advice(code, severity) and isinstance(rule_id, str):
            if n:
                advised[rule_id] = advised.get(rule_id, 0) + n
        elif kind == "finding" and isinstance(severity, str):
            by_severity[severity] = by_severity.get(severity, 0) + n
        elif kind == "not_assessed":
            not_assessed += n

    for piece, name in zip(pieces, fires, strict=True):
        tally(piece.kind, piece.severity, int(totals[name] or 0), piece.code, piece.rule_id)
    slow_rows: list[Row] = []
    slow_parts: list[Any] = []  # the exact path's rows, made columnar a batch at a time
    invalid_ids: list[str] = []
    rows_exact = 0
    exact_rows = [] if rows_fast == rows_in else _rows(
        nw, frame.filter(~nw.col("__fast")).select(*INPUT_COLUMNS)
    )
    for row in exact_rows:
        rows_exact += 1
        # A column the input did not have is not given, whatever the engine made of its
        # placeholder (pandas keeps a boolean column of missing values as False).
        row.update(dict.fromkeys(absent))
        result = _exact(row, options)
        if result and result[0]["kind"] == "invalid":
            invalid_ids.append(str(row["order_id"]))
        for out in result:
            tally(out["kind"], out["severity"], 1, out["code"], out["rule_id"])
            if advice or not _general_advice(out["code"], out["severity"]):
                slow_rows.append(out)
        if len(slow_rows) >= _EXACT_ROWS_HELD:
            slow_parts.append(_frame_like(nw, frame, slow_rows, OUTPUT_COLUMNS))
            slow_rows = []
    source = frame.lazy() if local else frame
    chosen = [
        i for i, (p, n) in enumerate(zip(pieces, fires, strict=True))
        if totals[n] and (advice or not _general_advice(p.code, p.severity))
    ]  # fmt: skip
    found = _emit(nw, source, compiled, chosen, local=local)
    parts = [found.collect() if isinstance(found, nw.LazyFrame) and local else found]
    if slow_rows:
        slow_parts.append(_frame_like(nw, frame, slow_rows, OUTPUT_COLUMNS))
    parts += slow_parts
    related_invalid = related_unmatched = 0
    related_parts = []
    for name, table in (("co_medications", co_medications), ("conditions", conditions)):
        if table is not None:
            more, n_bad, n_unmatched = _related(nw, table, name, frame, invalid_ids, options)
            related_parts += more
            related_invalid += n_bad
            related_unmatched += n_unmatched
    if related_parts:
        related = nw.concat(related_parts, how="vertical")
        grouped = _collect(nw, related.group_by("kind", "severity").agg(nw.len()))
        for kind, severity, n in grouped.iter_rows():
            tally(kind, severity, int(n), None, None)  # interactions and conditions only
        parts += related_parts
    findings = _stack(nw, parts)
    rows_invalid = len(invalid_ids)
    rows_screened = rows_fast + rows_exact - rows_invalid
    if rows_in != rows_screened + rows_invalid:  # pragma: no cover - a bug if it ever fails
        raise AssertionError(
            f"rows in {rows_in} != screened {rows_screened} + invalid {rows_invalid}"
        )
    summary = ScreenSummary(
        rows_in, rows_screened, rows_invalid, rows_exact, by_severity, not_assessed,
        related_invalid, related_unmatched, sha, dict(sorted(advised.items())),
    )  # fmt: skip
    return ScreenResult(findings.to_native(), summary)
