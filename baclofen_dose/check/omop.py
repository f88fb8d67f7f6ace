"""An OMOP CDM extract to the screen's order frame (issue 12 item 6).

:func:`orders_from_omop` turns ``drug_exposure`` (one row per order), ``measurement`` (serum
creatinine, optionally body weight) and ``person`` into the columns of
:data:`~baclofen_dose.check.screen.INPUT_COLUMNS`, with narwhals, so it runs wherever the screen
runs (polars, pandas, polars lazy, PySpark, Dask). Nothing is filled in: a value the extract does
not give stays empty, and every row that cannot be made a complete order is listed in
``unresolved`` with its reason (and kept in ``orders``, where the screen reports it).

**The daily-dose estimate.** OMOP ``drug_exposure`` has no dose per administration, only
``quantity`` (units dispensed) and ``days_supply``. The daily dose is estimated as

    daily dose = quantity x strength per unit / days_supply

the "total dose dispensed (quantity x strength) over the days supplied" estimate (as in the
CRAN package daySupply's documentation, "Total dose dispensed: dispensed quantity x strength",
and the description of calDDDsViaRxCui in the R package pharm: "the dosage ... divided by the
number of days of drug supplied"); the OMOP ``DOSE_ERA`` table rests on the same assumption, "a
span of time when the Person is assumed to be exposed to a constant dose" (HL7 FHIR-OMOP IG,
DoseEra). It is an average over the supply, not what was taken on a given day. The strength per
unit comes only from the caller's ``strengths`` (drug concept id -> strength of one unit, such
as ``"10 mg"``, read by the unit grammar), never guessed: an exposure whose concept is not in
the map is ``STRENGTH_UNKNOWN``. The estimate is computed exactly in integers; when it is not a
whole number of micrograms a day (100 x 10 mg tablets over 30 days is 33.333... mg/day) it is
rounded *up* to the next microgram, so a value above a maximum is never brought below it, and
``daily_dose_estimate`` keeps the exact sum (``"100 x 5 mg / 30 d"``). The screen then judges
every daily limit and reports what needs the dose of one administration as not assessed
(``DOSE_PER_ADMINISTRATION_NOT_GIVEN``).

**Creatinine and weight.** The latest measurement on or before the order's start date and at
most ``window_days`` before it (the window is the caller's: no default). The concept ids and
unit concept ids are the caller's (:class:`OmopMeasurement`): the OMOP concept ids of LOINC
2160-0 (creatinine, mass/volume) and of the UCUM units are not confirmed in the project's
identifier list, so none is built in. A latest creatinine whose unit concept is not in the map
is passed with no unit (the screen reports the row invalid, naming ``scr_unit``); two different
values on the latest date are ``CREATININE_AMBIGUOUS`` and neither is used.

**Age and sex.** Age is the completed years at the order's start date, from ``year_of_birth``,
``month_of_birth`` and ``day_of_birth``; with the year alone the age is not known to the year
(``AGE_NEEDS_DATE_OF_BIRTH``) and is left empty. Sex comes from ``gender_concept_id`` through
the caller's ``sexes`` map (concept id -> ``"female"``/``"male"``; not confirmed here either);
any other concept leaves it empty. Route: every exposure is screened as oral, so map only oral
products in ``strengths``.

>>> import datetime as dt, polars as pl
>>> exposure = pl.DataFrame({"drug_exposure_id": [1], "person_id": [7],
...     "drug_concept_id": [900], "drug_exposure_start_date": [dt.date(2026, 3, 1)],
...     "quantity": [90.0], "days_supply": [30]})
>>> person = pl.DataFrame({"person_id": [7], "gender_concept_id": [1], "year_of_birth": [1950],
...     "month_of_birth": [6], "day_of_birth": [1]})
>>> measurement = pl.DataFrame({"person_id": [7], "measurement_concept_id": [55],
...     "measurement_date": [dt.date(2026, 2, 20)], "value_as_number": [1.4],
...     "unit_concept_id": [5]})
>>> got = orders_from_omop(exposure, measurement, person, strengths={900: "10 mg"},
...     creatinine=OmopMeasurement((55,), {5: "mg/dL"}, window_days=30), sexes={1: "female"})
>>> got.orders.select("order_id", "daily_dose", "daily_dose_unit", "age_years", "scr").row(0)
('1', '30', 'mg/day', '75', '1.4')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from baclofen_dose.core import units
from baclofen_dose.core.errors import InputError, InputTypeError, MissingInputError
from baclofen_dose.oral.patient import SEXES

__all__ = ["UNRESOLVED_REASONS", "OmopMeasurement", "OmopOrders", "orders_from_omop"]

UNRESOLVED_REASONS: Final = (
    "STRENGTH_UNKNOWN",
    "QUANTITY_NOT_READABLE",
    "DAYS_SUPPLY_NOT_GIVEN",
    "AGE_NEEDS_DATE_OF_BIRTH",
    "CREATININE_AMBIGUOUS",
    "WEIGHT_AMBIGUOUS",
    "WEIGHT_UNIT_UNKNOWN",
)
"""Why an exposure is listed in ``unresolved`` (a row may have several)."""

# The screen's sub-unit, read from the unit table: a microgram, a thousandth of a mg.
_MCG_PER_MG: Final = int(1 / units.parse_unit("g", units.WEIGHT, "strengths"))  # as the screen
_DIGITS: Final = len(str(_MCG_PER_MG)) - 1  # decimals of a mg in micrograms
_SECONDS_PER_DAY: Final = int(dt.timedelta(days=1).total_seconds())
# A quantity read exactly in thousandths: at most 9 whole digits, at most 3 decimals not zero.
_QUANTITY: Final = rf"^(?:0|[1-9][0-9]{{0,8}})(?:\.[0-9]{{1,{_DIGITS}}}0*)?$"


def _ids(value: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    items = tuple(value) if isinstance(value, Sequence) and not isinstance(value, str) else ()
    if not items or not all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        raise InputError("concept_ids", value, "OMOP concept ids (integers) of the measurement")
    return items


def _units(value: Mapping[int, str]) -> Mapping[int, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, int) and isinstance(v, str) for k, v in value.items()
    ):
        raise InputError("units", value, "unit concept id -> unit text, such as {8840: 'mg/dL'}")
    return dict(value)


def _window(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError("window_days", value, "a whole number of days, 0 or more")
    return value


@attrs.frozen
class OmopMeasurement:
    """Which ``measurement`` rows are one value: their concept ids, the unit text of each unit
    concept id (read by the library's unit grammar), and how many days before the order the
    latest may be (the caller's choice; there is no default)."""

    concept_ids: tuple[int, ...] = attrs.field(converter=_ids)
    units: Mapping[int, str] = attrs.field(converter=_units)
    window_days: int = attrs.field(kw_only=True, converter=_window)


@attrs.frozen
class OmopOrders:
    """The order frame for :func:`~baclofen_dose.check.screen.screen_orders` (one row per
    exposure, with ``person_id``, ``order_date``, ``daily_dose_estimate`` and
    ``daily_dose_rounded_up`` beside the screen's columns) and the exposures not fully
    resolved (``order_id``, ``reason``)."""

    orders: Any
    unresolved: Any


def _strength_mcg(concept: object, strength: object) -> int:
    if isinstance(concept, bool) or not isinstance(concept, int):
        raise InputError("strengths", concept, "a drug concept id (an integer)")
    if not isinstance(strength, str):
        raise InputError("strengths", strength, "the strength of one unit, such as '10 mg'")
    value = units.parse(strength, units.ORAL_DOSE, "strengths") * _MCG_PER_MG
    if value.denominator != 1:
        raise InputError("strengths", strength, "a strength in whole micrograms")
    return int(value)


def _chain(
    nw: Any, column: str, mapping: Mapping[int, Any], dtype: Any, default: Any = None
) -> Any:
    """``mapping[column]`` as an expression (``default`` where the key is not in the map)."""
    expr: Any = None
    for key, value in mapping.items():
        test = nw.col(column) == key
        expr = (nw.when(test) if expr is None else expr.when(test)).then(nw.lit(value, dtype))
    return nw.lit(default, dtype) if expr is None else expr.otherwise(nw.lit(default, dtype))


def _latest(nw: Any, exposure: Any, measurement: Any, spec: OmopMeasurement, name: str) -> Any:
    """Per order: the latest value of ``spec`` in its window (``<name>``, ``<name>_unit`` as
    text) and ``<name>_ambiguous`` (two different values or units on that date)."""
    rows = measurement.filter(nw.col("measurement_concept_id").is_in(list(spec.concept_ids)))
    rows = rows.select(
        "person_id", "measurement_date", "value_as_number",
        _chain(nw, "unit_concept_id", spec.units, nw.String()).alias("__unit"),
    )  # fmt: skip
    joined = exposure.select("order_id", "person_id", "order_date").join(
        rows, on="person_id", how="inner"
    )
    # Whole days between two dates, as seconds (narwhals has no total_days).
    seconds = (nw.col("order_date") - nw.col("measurement_date")).dt.total_seconds()
    joined = joined.filter(
        (seconds >= 0)
        & (seconds <= spec.window_days * _SECONDS_PER_DAY)
        & ~nw.col("value_as_number").is_null()
    )
    last = joined.group_by("order_id").agg(nw.col("measurement_date").max().alias("__last"))
    on_last = joined.join(last, on="order_id", how="inner").filter(
        nw.col("measurement_date") == nw.col("__last")
    )
    value = nw.col("value_as_number").cast(nw.String())
    unit = nw.col("__unit").fill_null("")
    picked = on_last.with_columns(__v=value, __u=unit).group_by("order_id").agg(
        nw.col("__v").min().alias("__vmin"), nw.col("__v").max().alias("__vmax"),
        nw.col("__u").min().alias("__umin"), nw.col("__u").max().alias("__umax"),
    )  # fmt: skip
    ambiguous = (nw.col("__vmin") != nw.col("__vmax")) | (nw.col("__umin") != nw.col("__umax"))
    return picked.select(
        "order_id",
        nw.when(~ambiguous).then(nw.col("__vmin")).alias(name),
        nw.when(~ambiguous & (nw.col("__umin") != "")).then(nw.col("__umin")).alias(name + "_unit"),
        ambiguous.alias(name + "_ambiguous"),
    )


def _daily(nw: Any, strengths: Mapping[int, int]) -> tuple[Any, Any, Any]:
    """(daily micrograms rounded up, the exact estimate as text, rounded up?) from
    quantity x strength / days_supply, in integers."""
    text = nw.col("quantity").cast(nw.String())
    readable = text.str.contains(_QUANTITY).fill_null(False)
    safe = nw.when(readable).then(text).otherwise(nw.lit("0"))
    whole = safe.str.replace_all(r"\..*$", "").cast(nw.Int64())
    part = nw.concat_str([safe.str.replace_all(r"^[0-9]*\.?", ""), nw.lit("0" * _DIGITS)])
    quantity_milli = whole * _MCG_PER_MG + part.str.slice(0, _DIGITS).cast(nw.Int64())
    # Stand-ins where a value is not known (0 mcg, 1 day): such rows get no daily dose.
    strength = _chain(nw, "drug_concept_id", strengths, nw.Int64(), 0)
    given = (nw.col("days_supply") > 0).fill_null(False)
    days = nw.when(given).then(nw.col("days_supply")).otherwise(nw.lit(1)).cast(nw.Int64())
    # daily mcg = quantity_milli / 1000 x strength_mcg / days, as num / den
    num = quantity_milli * strength
    den = days * _MCG_PER_MG
    ceiling = (num + den - 1) // den
    exact = nw.concat_str([
        _decimal_mg(nw, quantity_milli), nw.lit(" x "), _decimal_mg(nw, strength),
        nw.lit(" mg / "), days.cast(nw.String()), nw.lit(" d"),
    ])  # fmt: skip
    return ceiling, exact, (num % den) != 0


def _decimal_mg(nw: Any, mcg: Any) -> Any:
    """Thousandths (micrograms of a mg, or of a unit) as exact decimal text."""
    whole = (mcg // _MCG_PER_MG).cast(nw.String())
    part = (mcg % _MCG_PER_MG).cast(nw.String()).str.zfill(_DIGITS).str.strip_chars_end("0")
    return nw.when((mcg % _MCG_PER_MG) == 0).then(whole).otherwise(
        nw.concat_str([whole, nw.lit("."), part])
    )


_EXPOSURE_COLUMNS: Final = ("drug_exposure_id", "person_id", "drug_concept_id",
                             "drug_exposure_start_date", "quantity", "days_supply")  # fmt: skip
_MEASUREMENT_COLUMNS: Final = ("person_id", "measurement_concept_id", "measurement_date",
                               "value_as_number", "unit_concept_id")  # fmt: skip
_PERSON_COLUMNS: Final = ("person_id", "gender_concept_id", "year_of_birth", "month_of_birth",
                          "day_of_birth")  # fmt: skip


def _table(nw: Any, native: object, name: str, columns: tuple[str, ...]) -> Any:
    """A narwhals frame of one CDM table, with the columns the recipe reads (library errors)."""
    try:
        frame = nw.from_native(native)
    except TypeError as exc:
        raise InputTypeError(name, native, "a data frame (polars, pandas, ...)") from exc
    present = frame.collect_schema().names()
    for column in columns:
        if column not in present:
            raise MissingInputError(
                ".".join((name, column)), f"a column {column}", f"the {name} table"
            )
    return frame


def orders_from_omop(
    drug_exposure: Any,
    measurement: Any,
    person: Any,
    *,
    strengths: Mapping[int, str],
    creatinine: OmopMeasurement,
    sexes: Mapping[int, str],
    weight: OmopMeasurement | None = None,
) -> OmopOrders:
    """The screen's order frame from an OMOP CDM extract (one order per ``drug_exposure``).

    ``drug_exposure``: ``drug_exposure_id``, ``person_id``, ``drug_concept_id``,
    ``drug_exposure_start_date``, ``quantity``, ``days_supply``. ``measurement``:
    ``person_id``, ``measurement_concept_id``, ``measurement_date``, ``value_as_number``,
    ``unit_concept_id``. ``person``: ``person_id``, ``gender_concept_id``, ``year_of_birth``,
    ``month_of_birth``, ``day_of_birth``. Frames of one library (polars, pandas, lazy ones).
    ``strengths``: drug concept id -> strength of one unit (``"10 mg"``). ``creatinine`` (units
    read as ``mg/dL`` or ``micromol/L``) and ``weight`` (units must be ``kg``): which
    measurements, and the window. ``sexes``: gender concept id -> ``"female"`` or ``"male"``.
    The module docstring states the daily-dose estimate and what is left empty.
    """
    import narwhals.stable.v2 as nw

    for name, value in (("strengths", strengths), ("sexes", sexes)):
        if not isinstance(value, Mapping):
            raise InputTypeError(name, value, "a mapping of concept ids")
    grams = {k: _strength_mcg(k, v) for k, v in strengths.items()}
    for key, sex in sexes.items():
        if sex not in SEXES or isinstance(key, bool) or not isinstance(key, int):
            raise InputError("sexes", {key: sex}, "gender concept id -> 'female' or 'male'")
    if not isinstance(creatinine, OmopMeasurement):
        raise InputTypeError("creatinine", creatinine, "an OmopMeasurement")
    if weight is not None and not isinstance(weight, OmopMeasurement):
        raise InputTypeError("weight", weight, "an OmopMeasurement or None")
    if weight is not None and set(weight.units.values()) - {"kg"}:
        raise InputError("weight.units", weight.units, "unit concept id -> 'kg'")
    de = _table(nw, drug_exposure, "drug_exposure", _EXPOSURE_COLUMNS)
    ms = _table(nw, measurement, "measurement", _MEASUREMENT_COLUMNS)
    pe = _table(nw, person, "person", _PERSON_COLUMNS)
    mcg, exact, rounded = _daily(nw, grams)
    de = de.with_columns(
        order_id=nw.col("drug_exposure_id").cast(nw.String()),
        order_date=nw.col("drug_exposure_start_date"),
        __mcg=mcg,
        __exact=exact,
        __rounded=rounded,
        __strength_known=nw.col("drug_concept_id").is_in(list(grams)).fill_null(False),
        __quantity_ok=nw.col("quantity").cast(nw.String()).str.contains(_QUANTITY).fill_null(False),
        __days_ok=(nw.col("days_supply") > 0).fill_null(False),
    )
    good = nw.col("__strength_known") & nw.col("__quantity_ok") & nw.col("__days_ok")
    de = de.with_columns(
        daily_dose=nw.when(good & (nw.col("__mcg") > 0)).then(_decimal_mg(nw, nw.col("__mcg"))),
        daily_dose_estimate=nw.when(good).then(nw.col("__exact")),
        daily_dose_rounded_up=nw.when(good).then(nw.col("__rounded")),
    ).with_columns(
        daily_dose_unit=nw.when(~nw.col("daily_dose").is_null()).then(nw.lit("mg/day")),
    )
    pe = pe.select(
        "person_id",
        _chain(nw, "gender_concept_id", dict(sexes), nw.String()).alias("sex"),
        "year_of_birth", "month_of_birth", "day_of_birth",
    )  # fmt: skip
    frame = de.join(pe, on="person_id", how="left")
    d = nw.col("order_date")
    before = (d.dt.month() < nw.col("month_of_birth")) | (
        (d.dt.month() == nw.col("month_of_birth")) & (d.dt.day() < nw.col("day_of_birth"))
    )
    years = d.dt.year().cast(nw.Int64()) - nw.col("year_of_birth").cast(nw.Int64())
    age = years - nw.when(before).then(nw.lit(1)).otherwise(nw.lit(0))
    born = (
        ~nw.col("year_of_birth").is_null()
        & ~nw.col("month_of_birth").is_null()
        & ~nw.col("day_of_birth").is_null()
    ).fill_null(False)
    frame = frame.with_columns(
        age_years=nw.when(born).then(age.cast(nw.String())),
        __age_partial=~nw.col("year_of_birth").is_null() & ~born,
    )
    scr = _latest(nw, frame, ms, creatinine, "scr")
    frame = frame.join(scr, on="order_id", how="left")
    if weight is not None:
        kg = _latest(nw, frame, ms, weight, "weight")
        frame = frame.join(kg, on="order_id", how="left").with_columns(
            weight_kg=nw.when(nw.col("weight_unit") == "kg").then(nw.col("weight")),
            __weight_unit_unknown=(
                ~nw.col("weight").is_null() & nw.col("weight_unit").is_null()
            ).fill_null(False),
        )
    else:
        frame = frame.with_columns(
            weight_kg=nw.lit(None, nw.String()),
            weight_ambiguous=nw.lit(False),
            __weight_unit_unknown=nw.lit(False),
        )
    frame = frame.with_columns(
        __route=nw.lit("oral", nw.String()),
        __cr_amb=nw.col("scr_ambiguous").fill_null(False),
        __wt_amb=nw.col("weight_ambiguous").fill_null(False),
    )
    orders = frame.select(
        "order_id",
        nw.col("__route").alias("route"),
        "daily_dose", "daily_dose_unit", "age_years", "sex", "weight_kg", "scr",
        nw.col("scr_unit"),
        "person_id", "order_date", "daily_dose_estimate", "daily_dose_rounded_up",
    )  # fmt: skip
    reasons = (
        ("STRENGTH_UNKNOWN", ~nw.col("__strength_known")),
        ("QUANTITY_NOT_READABLE", ~nw.col("__quantity_ok")),
        ("DAYS_SUPPLY_NOT_GIVEN", ~nw.col("__days_ok")),
        ("AGE_NEEDS_DATE_OF_BIRTH", nw.col("__age_partial").fill_null(False)),
        ("CREATININE_AMBIGUOUS", nw.col("__cr_amb")),
        ("WEIGHT_AMBIGUOUS", nw.col("__wt_amb")),
        ("WEIGHT_UNIT_UNKNOWN", nw.col("__weight_unit_unknown")),
    )
    unresolved = nw.concat(
        [
            frame.filter(test).select("order_id", nw.lit(reason, nw.String()).alias("reason"))
            for reason, test in reasons
        ],
        how="vertical",
    )
    return OmopOrders(orders.to_native(), unresolved.to_native())

