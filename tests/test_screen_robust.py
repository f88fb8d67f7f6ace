"""The bulk screen's robustness (issues a fresh tester found): a failed screen leaves no
partial findings file, the output is never one of the inputs, rows with no order id or an
unreadable times_per_day are invalid rows, float order ids join, Float32 cells are read as
their own shortest text."""

from __future__ import annotations

from pathlib import Path

import pytest

pl = pytest.importorskip("polars")


def _orders_then_a_malformed_line(path: Path, good: int) -> None:
    lines = ["order_id,dose,dose_unit,times_per_day"]
    lines += [f"{i},10,mg,3" for i in range(good)]
    path.write_text("\n".join([*lines, '"bad']) + "\n", "utf-8")


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_failed_screen_leaves_an_earlier_output_untouched_and_no_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """Batches written before a malformed line are never left as a findings file that looks
    valid: the earlier output of that name is untouched and no temporary file is left."""
    from baclofen_dose.cli import main

    orders = tmp_path / "bad.csv"
    _orders_then_a_malformed_line(orders, 3000)
    out = tmp_path / f"out{suffix}"
    out.write_text("earlier", "utf-8")
    assert main(["screen", str(orders), "-o", str(out), "--batch-rows", "1000"]) == 2
    assert "orders: " in capsys.readouterr().err
    assert out.read_text("utf-8") == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", f"out{suffix}"]
    fresh = tmp_path / f"fresh{suffix}"
    assert main(["screen", str(orders), "-o", str(fresh), "--batch-rows", "1000"]) == 2
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", f"out{suffix}"]


def test_a_screen_that_ran_replaces_the_output(tmp_path: Path) -> None:
    from baclofen_dose.cli import main

    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,dose,dose_unit,times_per_day\n1,25,mg,3\n", "utf-8")
    out = tmp_path / "out.parquet"
    out.write_text("earlier", "utf-8")
    assert main(["screen", str(orders), "-o", str(out)]) == 0
    assert set(pl.read_parquet(out)["order_id"].to_list()) == {"1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv", "out.parquet"]


@pytest.mark.parametrize("which", ["orders", "--co-medications", "--conditions"])
def test_the_output_is_never_one_of_the_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], which: str
) -> None:
    """-o naming the orders, the co-medications or the conditions (by another spelling of
    the path too) is refused in one line naming -o, and the file is untouched."""
    from baclofen_dose.cli import main

    orders = tmp_path / "same.parquet"
    pl.DataFrame({"order_id": ["1"], "dose": ["25"], "dose_unit": ["mg"],
                  "times_per_day": ["3"]}).write_parquet(orders)  # fmt: skip
    related = tmp_path / "related.parquet"
    pl.DataFrame({"order_id": ["1"], "medicine": ["x"], "condition": ["x"]}).write_parquet(
        related
    )
    argv = ["screen", str(orders)]
    target = orders
    if which != "orders":
        argv += [which, str(related)]
        target = related
    before = target.read_bytes()
    spelled = tmp_path / "." / target.name
    assert main([*argv, "-o", str(spelled)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baclofen-dose: error: -o: ") and err.count("\n") == 1
    assert which in err
    assert target.read_bytes() == before


def test_an_output_that_is_a_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from baclofen_dose.cli import main

    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,dose,dose_unit,times_per_day\n1,25,mg,3\n", "utf-8")
    (tmp_path / "x.csv").mkdir()
    assert main(["screen", str(orders), "-o", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("baclofen-dose: error: -o: ") and err.count("\n") == 1


def _screen(rows: list[dict[str, object]], engine: str) -> tuple[list[dict[str, object]], object]:
    from baclofen_dose.check.screen import screen_orders

    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String))
    result = screen_orders(frame if engine == "polars" else frame.to_pandas(), advice=True)
    found = result.findings
    records = found.to_dicts() if engine == "polars" else found.to_dict("records")
    return [{k: (None if v != v else v) for k, v in r.items()} for r in records], result.summary


@pytest.mark.parametrize("engine", ["polars", "pandas"])
def test_a_daily_dose_alone_is_judged_with_its_doses_a_day(engine: str) -> None:
    """A daily dose with times_per_day: an unreadable or out-of-range count is an invalid row
    naming times_per_day; a readable one is judged against the doses-a-day limits (60 mg/day
    in 5 doses: more than the adult maximum of doses a day), on both paths alike."""
    from baclofen_dose.check.screen import screen_row
    from baclofen_dose.core.rules import default_rules

    most = default_rules()["oral.adult.times_per_day.max"].require_value()
    counts = ["abc", "0", "25", str(most + 1), str(most), None, "7"]
    rows = [
        {"order_id": str(i), "daily_dose": "60", "daily_dose_unit": "mg/day", "times_per_day": n}
        for i, n in enumerate(counts)
    ]
    found, summary = _screen(rows, engine)
    invalid = sorted(r["order_id"] for r in found if r["kind"] == "invalid")
    assert invalid == ["0", "1", "2"]
    assert {r["what"] for r in found if r["kind"] == "invalid"} == {"times_per_day"}
    crossed = {
        r["order_id"]: r["value"] for r in found if r["rule_id"] == "oral.adult.times_per_day.max"
    }
    assert crossed == {"3": str(most + 1), "6": "7"}
    for row in rows:  # the exact path says the same
        exact = screen_row(row, rules=None)
        assert any(r["kind"] == "invalid" for r in exact) == (row["order_id"] in invalid)
    mine = sorted((r["order_id"], r["kind"], r["code"], r["what"], r["value"]) for r in found)
    theirs = sorted(
        (r["order_id"], r["kind"], r["code"], r["what"], r["value"])
        for row in rows for r in screen_row(row)
    )  # fmt: skip
    assert mine == theirs
    assert summary.rows_in == summary.rows_screened + summary.rows_invalid  # type: ignore[attr-defined]


@pytest.mark.parametrize("engine", ["polars", "pandas"])
def test_an_order_without_an_id_is_an_invalid_row(engine: str) -> None:
    """Empty, blank or missing order ids are invalid rows naming order_id (never findings
    with a blank id), on both paths; the counts still add up."""
    from baclofen_dose.check.screen import screen_row

    rows = [
        {"order_id": oid, "dose": "10", "dose_unit": "mg", "times_per_day": "3"}
        for oid in ["", "  ", None, "\u00a0\u3000", "ok", " x", "é"]
    ]
    found, summary = _screen(rows, engine)
    invalid = [r for r in found if r["kind"] == "invalid"]
    assert len(invalid) == 4 and {r["what"] for r in invalid} == {"order_id"}
    assert {r["order_id"] for r in found if r["kind"] != "invalid"} == {"ok", " x", "é"}
    assert summary.rows_invalid == 4 and summary.rows_screened == 3  # type: ignore[attr-defined]
    for row in rows[:4]:
        assert [r["what"] for r in screen_row(row)] == ["order_id"]


def test_float_order_ids_join_as_whole_numbers() -> None:
    """Order ids 2 and 2.0 (pandas makes floats of integers beside a missing value) are the
    same order: the Z99.2 of order 2 reaches it; a float id that is not whole is refused,
    naming the table's column."""
    pd = pytest.importorskip("pandas")
    from baclofen_dose import InputError
    from baclofen_dose.check.screen import screen_orders

    orders = pd.DataFrame({"order_id": [1, 2], "dose": ["10", "10"], "dose_unit": ["mg", "mg"],
                           "times_per_day": [3, 3]})  # fmt: skip
    conditions = pd.DataFrame({"order_id": [2.0, float("nan")], "condition": ["Z99.2", "X"]})
    as_text = pd.DataFrame({"order_id": ["2"], "condition": ["Z99.2"]})
    joined = screen_orders(orders, conditions=conditions)
    expected = screen_orders(orders.astype({"order_id": str}), conditions=as_text)
    assert joined.summary.related_rows_unmatched == 1  # the NaN row only
    assert sorted(map(str, joined.findings.to_numpy().tolist())) == sorted(
        map(str, expected.findings.to_numpy().tolist())
    )
    float_orders = pl.DataFrame({"order_id": [1.0, 2.0], "dose": ["10", "10"],
                                 "dose_unit": ["mg", "mg"], "times_per_day": [3, 3]})  # fmt: skip
    assert set(screen_orders(float_orders).findings["order_id"].to_list()) == {"1", "2"}
    with pytest.raises(InputError) as caught:
        screen_orders(orders, conditions=pd.DataFrame({"order_id": [2.5], "condition": ["x"]}))
    assert caught.value.field == "conditions.order_id"
    with pytest.raises(InputError) as caught:
        screen_orders(float_orders.with_columns(pl.col("order_id") + 0.5))
    assert caught.value.field == "order_id"


def test_cli_joins_float_ids_of_a_parquet_conditions_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from baclofen_dose.cli import main

    orders = tmp_path / "orders.parquet"
    pl.DataFrame({"order_id": [1, 2], "dose": ["10", "10"], "dose_unit": ["mg", "mg"],
                  "times_per_day": [3, 3]}).write_parquet(orders)  # fmt: skip
    conditions = tmp_path / "dx.parquet"
    pl.DataFrame({"order_id": [2.0, None], "condition": ["Z99.2", "X"]}).write_parquet(conditions)
    out = tmp_path / "out.csv"
    assert main(["screen", str(orders), "--conditions", str(conditions), "-o", str(out)]) == 0
    lines = [line.rsplit("  ", 1) for line in capsys.readouterr().out.splitlines()]
    summary = {key.strip(): value.strip() for key, value in lines}
    assert summary["co-medication/condition rows for no order"] == "0"  # 2.0 is order 2
    written = pl.read_csv(out, infer_schema=False)
    one, two = (written.filter(pl.col("order_id") == i).drop("order_id") for i in ("1", "2"))
    assert not one.sort(pl.all()).equals(two.sort(pl.all()))  # the Z99.2 reached order 2


def test_long_tables_of_another_kind_are_a_library_error_naming_the_table() -> None:
    """Eager orders with lazy conditions (or a pandas table beside polars orders): a library
    error naming the table, never the engine's own TypeError."""
    from baclofen_dose import InputTypeError
    from baclofen_dose.check.screen import screen_orders

    orders = pl.DataFrame({"order_id": ["1"], "dose": ["10"], "dose_unit": ["mg"],
                           "times_per_day": [3]})  # fmt: skip
    table = pl.DataFrame({"order_id": ["1"], "condition": ["epilepsy"], "medicine": ["x"]})
    for given, other, name in (
        (orders, table.lazy(), "conditions"),
        (orders.lazy(), table, "co_medications"),
        (orders, table.to_pandas(), "conditions"),
    ):
        with pytest.raises(InputTypeError) as caught:
            screen_orders(given, **{name: other})
        assert caught.value.field == name
    assert screen_orders(orders.lazy(), conditions=table.lazy()).summary.rows_in == 1


@pytest.mark.parametrize("engine", ["polars", "pandas"])
def test_float32_cells_are_read_as_their_own_shortest_text(engine: str) -> None:
    """A Float32 20.1 is 20.1 mg (its own shortest text), as the text "20.1" is: never the
    20.100000381469727 of its value widened, which made every row invalid."""
    from baclofen_dose.check.screen import screen_orders

    values = {"order_id": ["1", "2", "3"], "dose": [20.1, 10.0, 7.5],
              "times_per_day": [3.0, 3.0, 4.0], "age_years": [40.5, 70.0, 66.6]}  # fmt: skip
    wide = pl.DataFrame(values).with_columns(dose_unit=pl.lit("mg"))
    narrow = wide.with_columns(pl.col("dose", "times_per_day", "age_years").cast(pl.Float32))
    text = wide.with_columns(pl.col("dose", "age_years").cast(pl.String))
    found = []
    for frame in (narrow, text):
        result = screen_orders(frame if engine == "polars" else frame.to_pandas(), advice=True)
        assert result.summary.rows_invalid == 0
        records = pl.from_pandas(result.findings) if engine == "pandas" else result.findings
        found.append(records.sort(pl.all()))
    assert found[0].equals(found[1])
    assert "20.1" in found[0]["value"].to_list()


def test_route_oral_in_any_case_is_oral_and_po_is_not() -> None:
    """ "ORAL" and "Oral" are oral on both paths; "PO" stays an invalid row (safety.md SAF-02:
    routes in full English)."""
    from baclofen_dose.check.screen import screen_orders, screen_row

    rows = [
        {"order_id": str(i), "dose": "10", "dose_unit": "mg", "times_per_day": "3", "route": r}
        for i, r in enumerate(["ORAL", "Oral", "oral", "PO", "po"])
    ]
    result = screen_orders(pl.DataFrame(rows))
    invalid = result.findings.filter(pl.col("kind") == "invalid")
    assert invalid["order_id"].sort().to_list() == ["3", "4"]
    assert set(invalid["what"].to_list()) == {"route"}
    assert result.summary.rows_exact == 2  # "ORAL" and "Oral" went the vectorised path
    for row in rows:
        assert (screen_row(row)[0]["kind"] == "invalid") == (row["route"].lower() == "po")
