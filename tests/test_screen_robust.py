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
