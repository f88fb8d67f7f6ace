"""What the bulk screen reads, refuses and passes to the check (a second fresh tester's
findings, issue 12): no column that states part of the order is passed over, batch policies
are the adults', a weight policy that reads the height is judged exactly, a route column of
numbers is an invalid row, DECIMAL cells are read by their value, and the screen agrees with
the exact path (:func:`screen_row`) on each."""

from __future__ import annotations

import decimal
import itertools
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from baclofen_dose import check_order
from baclofen_dose.check.screen import screen_orders, screen_row
from baclofen_dose.core.errors import InputError
from baclofen_dose.oral.patient import Patient


def _rows(findings: Any) -> list[tuple[str, ...]]:
    if isinstance(findings, pd.DataFrame):
        records = findings.astype(object).where(findings.notna(), None).to_dict("records")
    else:
        records = findings.to_dicts()
    return sorted(tuple("" if v is None else str(v) for v in r.values()) for r in records)


def _agrees(frame: pl.DataFrame, **options: Any) -> Any:
    """The screen of ``frame`` (with advice rows), checked row for row against screen_row."""
    result = screen_orders(frame, advice=True, **options)
    expected = [out for row in frame.to_dicts() for out in screen_row(row, **options)]
    assert _rows(result.findings) == _rows(pl.DataFrame(expected, infer_schema_length=None))
    return result


def test_a_dose_beside_a_product_and_its_units_is_an_invalid_row() -> None:
    """40 mg 3 times a day beside "5 mg tablet, 1 unit": the check refuses the pair (either
    units of a product or a dose), and so does the screen (it had judged 5 mg, passing over
    the 40 mg dose without a word). Units with no product are refused alike, in the check
    too (they were ignored)."""
    frame = pl.DataFrame(
        {
            "order_id": ["both", "units", "daily"],
            "product": ["5 mg tablet", None, None],
            "units_per_dose": ["1", "1", "2"],
            "dose": ["40", "40", None],
            "dose_unit": ["mg", "mg", None],
            "daily_dose": [None, None, "30"],
            "daily_dose_unit": [None, None, "mg/day"],
            "times_per_day": [3, 3, None],
        }
    )
    result = _agrees(frame)
    invalid = result.findings.filter(pl.col("kind") == "invalid")
    assert sorted(invalid["what"].to_list()) == ["units_per_dose"] * 3
    assert result.summary.rows_invalid == 3
    with pytest.raises(InputError) as caught:
        check_order(dose="40 mg", units_per_dose="1", times_per_day=3)
    assert caught.value.field == "units_per_dose"


@pytest.mark.parametrize(
    "policy",
    [{"max_policy": "us_label"}, {"renal_policy": "vlavonou2014"}, {"weight_policy": "actual"}],
)
def test_batch_policies_are_the_adults_and_children_keep_their_own_limits(
    policy: dict[str, str],
) -> None:
    """A site-wide adult policy does not make every child's order an invalid row: a child of
    7 on 100 mg/day gets the child maximum under 8 (40 mg/day, HARD), as with no policy."""
    frame = pl.DataFrame(
        {
            "order_id": ["child7", "teen", "adult"],
            "dose": ["25", "25", "10"],
            "dose_unit": ["mg", "mg", "mg"],
            "times_per_day": [4, 4, 3],
            "age_years": ["7", "15", "40"],
            "weight_kg": ["20", "50", "70"],
            "dialysis": [False, False, False],
        }
    )
    with_policy = _agrees(frame, **policy)
    without = screen_orders(frame, advice=True)
    assert with_policy.summary.rows_invalid == 0
    children = pl.col("order_id") != "adult"
    assert _rows(with_policy.findings.filter(children)) == _rows(without.findings.filter(children))
    child = with_policy.findings.filter(pl.col("order_id") == "child7")
    assert "oral.child.max_daily.under_8" in child["rule_id"].to_list()
    # One order's check still refuses an adult policy named for a child.
    young = Patient.from_inputs(
        age="7 years", sex=None, weight="20 kg", height=None, scr=None, dialysis=False
    )
    with pytest.raises(InputError):
        check_order(dose="25 mg", times_per_day=4, patient=young, **policy)


@pytest.mark.parametrize("policy", [None, "actual", "ideal", "adjusted", "medcalc_bmi"])
def test_every_weight_policy_agrees_with_the_check_over_heights_and_weights(
    policy: str | None,
) -> None:
    """Under medcalc_bmi a 150 cm woman's body weight depends on her BMI band and on the
    ideal-weight formula's height range: the screen had judged such rows by one sample
    patient and disagreed with the check on 238 of 3,456 rows. Rows whose weight and height
    are both known go to the exact path under any policy but the actual weight."""
    rows = [
        {"order_id": f"o{i}", "dose": "10", "dose_unit": "mg", "times_per_day": 3,
         "age_years": age, "sex": sex, "weight_kg": weight, "height_cm": height,
         "dialysis": dialysis}
        for i, (weight, height, age, sex, dialysis) in enumerate(itertools.product(
            ["40", "60", "140"], ["140", "150", "190", None], ["30", "70"], ["female", "male"],
            [None, False],
        ))
    ]  # fmt: skip
    frame = pl.DataFrame(rows, schema_overrides={"dialysis": pl.Boolean})
    _agrees(frame, weight_policy=policy)


@pytest.mark.parametrize("route", [[26643006, None], [True, None], [1.5, None]])
def test_a_route_column_that_is_not_text_gives_invalid_rows_naming_it(route: list[Any]) -> None:
    """A SNOMED route code stored as a number was an internal error ("cannot compare string
    with numeric type") on polars: it is an invalid row naming route, on polars and pandas."""
    frame = pl.DataFrame(
        {"order_id": ["a", "b"], "dose": ["20", "20"], "dose_unit": ["mg", "mg"],
         "times_per_day": [3, 3], "route": route}
    )  # fmt: skip
    for given in (frame, frame.to_pandas()):
        result = screen_orders(given)
        assert result.summary.rows_invalid == 1
        invalid = [r for r in _rows(result.findings) if r[1] == "invalid"]
        assert [r[0] for r in invalid] == ["a"]
        assert invalid[0][5] == "route"


def test_a_decimal_column_is_read_by_its_value_whatever_its_scale() -> None:
    """20 stored as DECIMAL(38, 18) (Spark's default) is 20 mg, not "too many digits", on
    both paths; a value with more than three decimals is judged by the exact path."""
    table = pa.table(
        {
            "order_id": ["a", "b", "c"],
            "dose": pa.array(
                [decimal.Decimal("20"), decimal.Decimal("7.5"), decimal.Decimal("5.0000005")],
                type=pa.decimal128(38, 18),
            ),
            "dose_unit": ["mg"] * 3,
            "times_per_day": [3, 3, 3],
        }
    )
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    result = _agrees(frame)
    assert result.summary.rows_invalid == 0
    assert result.summary.rows_exact == 1  # only the one with more decimals
    grid = result.findings.filter(pl.col("code") == "OFF_GRID")
    assert sorted(grid["value"].to_list()) == ["5.0000005", "7.5"]


@pytest.mark.parametrize(
    ("option", "header", "missing"),
    [("--co-medications", "id,medicine", "order_id"), ("--conditions", "order_id,cond", "condition")],
)
def test_cli_a_long_table_without_its_columns_is_one_line_naming_the_option(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], option: str, header: str, missing: str
) -> None:
    """It was an internal error ("unable to find column order_id", exit 1): the command line
    filters the long tables by the batch's order ids before the screen could say so."""
    from baclofen_dose.cli import main

    orders = tmp_path / "o.csv"
    orders.write_text("order_id,dose,dose_unit,times_per_day\nk1,10,mg,3\n", "utf-8")
    table = tmp_path / "t.csv"
    table.write_text(f"{header}\nk1,Z99.2\n", "utf-8")
    code = main(["screen", str(orders), option, str(table), "-o", str(tmp_path / "f.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{option}: no column '{missing}'" in err and "internal error" not in err
