"""``screen``: screen a file of orders (Parquet or CSV) and write one row per finding.

``baclofen-dose screen orders.parquet [--co-medications meds.parquet] [--conditions dx.parquet]
-o findings.parquet`` reads the orders in batches (memory stays bounded by the batch), screens
each batch with :func:`baclofen_dose.check.screen.screen_orders`, appends the findings to the
output (Parquet or CSV, by extension), shows a progress bar with rows per second when stderr
is a terminal, and prints a summary table. Exit 0 when it ran, whatever it found.

CSV files are read as text (every cell is re-read by the unit grammar, never guessed as a
float). Needs the ``screen`` extra: ``pip install 'baclofen-dose[screen]'``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from baclofen_dose.cli import options
from baclofen_dose.cli.oral import Command
from baclofen_dose.core.errors import shown

__all__ = ["add_screen"]

BATCH_ROWS: Final = 100_000
MOST_BATCH_ROWS: Final = 10_000_000


def batch_rows(text: str) -> int:
    """A number of rows per batch: a whole number from 1 to :data:`MOST_BATCH_ROWS`, written
    in ASCII digits only (the count of a dose's times a day is another option's type).

    >>> batch_rows("50000")
    50000
    >>> batch_rows("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: '0' is not a number of rows from 1 to 10000000 written in digits
    """
    if not re.fullmatch(r"[1-9][0-9]{0,7}", text) or int(text) > MOST_BATCH_ROWS:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a number of rows from 1 to {MOST_BATCH_ROWS} written in digits"
        )
    return int(text)
"""Orders screened at a time (the memory bound of the command)."""

_EXTRA = "bulk screening needs the screen extra: pip install 'baclofen-dose[screen]'"


def add_screen(commands: Any) -> Command:
    """``screen``: a file of orders in, a file of findings out."""
    parser = commands.add_parser(
        "screen",
        help="screen a file of orders (Parquet or CSV): one row per finding",
        description=(
            "Screen every order of a Parquet or CSV file with the same rules as 'check' and "
            "write one row per finding (Parquet or CSV, by the extension of -o). Rows that "
            "cannot be read are reported as invalid input naming the column, never dropped. "
            "Exit 0 when the screen ran. Columns: docs/screening.md."
        ),
    )
    parser.add_argument("orders", help="the orders: a .parquet or .csv file")
    parser.add_argument(
        "--co-medications", help="a long table (order_id, medicine): .parquet or .csv"
    )
    parser.add_argument("--conditions", help="a long table (order_id, condition): .parquet or .csv")
    parser.add_argument(
        "-o", "--output", required=True, help="where to write the findings: .parquet or .csv"
    )
    parser.add_argument("--max-policy", help="the oral maximum policy for every order")
    parser.add_argument("--renal-policy", help="the renal policy for every order")
    parser.add_argument("--weight-policy", help="the weight policy for every order")
    parser.add_argument(
        "--advice",
        action="store_true",
        help="also write a row for each order's general advice (counted in the summary "
        "either way)",
    )
    parser.add_argument(
        "--adolescent-policy",
        help="for every order of a patient aged 12 to under 18 (default: weight_based)",
    )
    parser.add_argument(
        "--batch-rows",
        type=batch_rows,
        default=BATCH_ROWS,
        help=f"orders screened at a time (default {BATCH_ROWS})",
    )
    return _run


def _kind(path: str, option: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise options.UsageError(f"{option}: {path!r} is not a .parquet or .csv file")
    return suffix


def _unreadable(option: str, path: str, kind: str, exc: Exception) -> options.UsageError:
    """A file the engine cannot read (empty, not CSV or Parquet): one line naming the option."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    what = "CSV" if kind == ".csv" else "Parquet"
    return options.UsageError(f"{option}: {path!r} cannot be read as {what}: {first}")


def _read(pl: Any, path: str, option: str) -> Any:
    """A whole (small) table: CSV cells as text."""
    kind = _kind(path, option)
    if not Path(path).is_file():
        raise options.UsageError(f"{option}: no file {path!r}")
    try:
        if kind == ".csv":
            return pl.read_csv(path, infer_schema=False)
        return pl.read_parquet(path)
    except Exception as exc:  # the engine's own error types: said in one line, never a trace
        raise _unreadable(option, path, kind, exc) from None


def _batches(pl: Any, path: str, rows: int) -> tuple[int | None, Iterator[Any]]:
    """(rows in the file if known, batches of orders as polars frames). Both kinds are read
    a batch at a time, so memory is bounded by the batch, not the file. CSV cells are text
    (only an empty cell is missing), as a CSV read whole by polars."""
    kind = _kind(path, "orders")
    if not Path(path).is_file():
        raise options.UsageError(f"orders: no file {path!r}")
    if kind == ".csv":
        import pyarrow as pa
        import pyarrow.csv as pa_csv

        try:
            names = pa_csv.open_csv(path).schema.names
            reader = pa_csv.open_csv(
                path,
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[""],
                    strings_can_be_null=True,
                ),
            )
        except Exception as exc:  # empty or not CSV: one line, never a trace
            raise _unreadable("orders", path, kind, exc) from None
        return None, _sliced(pl, (pl.from_arrow(batch) for batch in reader), rows, path)
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except Exception as exc:  # not Parquet
        raise _unreadable("orders", path, kind, exc) from None
    return source.metadata.num_rows, (
        pl.from_arrow(batch) for batch in source.iter_batches(batch_size=rows)
    )


def _sliced(pl: Any, blocks: Iterator[Any], rows: int, path: str) -> Iterator[Any]:
    """Blocks of a file (sized in bytes by the reader) as batches of ``rows`` rows."""
    pending: list[Any] = []
    held = 0
    try:
        for block in blocks:
            pending.append(block)
            held += block.height
            while held >= rows:
                whole = pl.concat(pending)
                yield whole.head(rows)
                rest = whole.slice(rows)
                pending, held = [rest], rest.height
    except Exception as exc:  # a malformed line further on: one line, never a trace
        raise _unreadable("orders", path, ".csv", exc) from None
    if held:
        yield pl.concat(pending)


def _ids_as_text(frame: Any, field: str) -> Any:
    """A polars frame with its order ids as the screen reads them (whole floats as the whole
    number's text; see :func:`~baclofen_dose.check.screen.order_id_text`)."""
    import narwhals.stable.v2 as nw

    from baclofen_dose.check.screen import order_id_text

    return order_id_text(nw, nw.from_native(frame), field).to_native()


def _check_output(args: argparse.Namespace) -> None:
    """Refuse an output that is a folder or the same file as one of the inputs (resolved:
    links and relative paths alike), one line naming ``-o``."""
    out = Path(args.output)
    if out.is_dir():
        raise options.UsageError(f"-o: {args.output!r} is a folder, not a file to write")
    if not out.exists():
        return
    for given, option in (
        (args.orders, "orders"),
        (args.co_medications, "--co-medications"),
        (args.conditions, "--conditions"),
    ):
        if given is None or not Path(given).exists():
            continue
        if os.path.samefile(out, given):
            raise options.UsageError(
                f"-o: {args.output!r} is the same file as {option} {given!r}: "
                "writing there would overwrite it"
            )


def _id_counts(pl: Any, path: str, related: dict[str, Any]) -> tuple[int, int]:
    """(rows whose order id is not unique, co-medication/condition rows for no order), by
    streaming passes over the file that hold 8 bytes per row (the id's hash), not the ids:
    ids whose hashes repeat are then counted exactly by their text (a hash shared by two
    different ids is never counted as a repeat)."""
    if _kind(path, "orders") == ".csv":
        scan = pl.scan_csv(path, infer_schema=False)
    else:
        scan = pl.scan_parquet(path)
    if "order_id" not in scan.collect_schema().names():
        return 0, 0
    ids = _ids_as_text(scan.select("order_id"), "order_id").drop_nulls()
    hashes = ids.select(pl.col("order_id").hash()).collect(engine="streaming").to_series().sort()
    # Sorted, a repeated hash sits beside its twin: no table of every id is built.
    candidates = hashes.filter((hashes == hashes.shift(1)) | (hashes == hashes.shift(-1)))
    candidates = candidates.unique()
    del hashes
    # An order id given more than once: its rows are screened, but its co-medications and
    # conditions are joined to each of them (said, so the findings are read with care).
    repeated = 0
    if len(candidates):
        rows = ids.filter(pl.col("order_id").hash().is_in(candidates.implode()))
        counts = rows.group_by("order_id").len().filter(pl.col("len") > 1)
        repeated = counts.select(pl.col("len").sum()).collect(engine="streaming").item() or 0
    unmatched = 0
    for table in related.values():
        if table is not None and "order_id" in table.columns:
            wanted = table.select("order_id").drop_nulls().unique()
            found = ids.join(wanted.lazy(), on="order_id", how="semi").unique()
            known = found.collect(engine="streaming")["order_id"]
            unmatched += table.filter(~pl.col("order_id").is_in(known.implode())).height
    return int(repeated), int(unmatched)


def _run(args: argparse.Namespace) -> str:
    try:
        import polars as pl
        import pyarrow as pa
        import pyarrow.parquet as pq
        from tqdm import tqdm

        from baclofen_dose.check.screen import (
            INPUT_COLUMNS,
            OUTPUT_COLUMNS,
            RELATED_COLUMNS,
            screen_orders,
        )
    except ImportError as exc:
        raise options.UsageError(_EXTRA) from exc
    out_kind = _kind(args.output, "-o")
    folder = Path(args.output).parent
    if not folder.is_dir():
        raise options.UsageError(f"-o: no folder {str(folder)!r} to write {args.output!r} in")
    _check_output(args)
    related = {
        "co_medications": None
        if args.co_medications is None
        else _read(pl, args.co_medications, "--co-medications"),
        "conditions": None
        if args.conditions is None
        else _read(pl, args.conditions, "--conditions"),
    }
    for name, table in related.items():
        if table is None:
            continue
        option, column = "--" + name.replace("_", "-"), RELATED_COLUMNS[name]
        for needed in ("order_id", column):
            if needed not in table.columns:  # said here: the batches filter on order_id
                raise options.UsageError(
                    f"{option}: no column {needed!r} (a long table of order_id, {column})"
                )
        related[name] = _ids_as_text(table, f"{name}.order_id")
    total, batches = _batches(pl, args.orders, args.batch_rows)
    schema = pa.schema([(c, pa.string()) for c in OUTPUT_COLUMNS])
    counts: dict[str, int] = {}
    findings: dict[str, int] = {}
    advised: dict[str, int] = {}
    not_read: list[str] = []
    sha = ""
    writer: Any = None
    first = True
    # The findings go to a temporary file beside the output, renamed into place only when
    # the whole screen ran: a failed screen never leaves a partial file that looks valid,
    # and an earlier output of that name stays untouched.
    handle_fd, temporary = tempfile.mkstemp(
        dir=folder, prefix=f".{Path(args.output).name}.", suffix=out_kind
    )
    os.close(handle_fd)
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(temporary, 0o666 & ~mask)  # as an ordinary new file (mkstemp makes it private)
    try:
        with tqdm(
            total=total, unit=" rows", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as progress:
            for batch in batches:
                # A column the screen does not read (a misspelled "time_per_day") is said at the
                # end, never silently passed over.
                not_read += [
                    c for c in batch.columns if c not in INPUT_COLUMNS and c not in not_read
                ]
                ids = None
                if "order_id" in batch.columns:
                    ids = _ids_as_text(batch, "order_id").get_column("order_id").implode()
                mine = {
                    k: None if v is None or ids is None else v.filter(pl.col("order_id").is_in(ids))
                    for k, v in related.items()
                }
                result = screen_orders(
                    batch,
                    max_policy=args.max_policy,
                    renal_policy=args.renal_policy,
                    weight_policy=args.weight_policy,
                    advice=args.advice,
                    adolescent_policy=args.adolescent_policy,
                    **mine,
                )
                summary = result.summary
                sha = summary.rules_sha256
                for name in ("rows_in", "rows_screened", "rows_invalid", "rows_exact",
                             "not_assessed", "related_rows_invalid"):  # fmt: skip
                    counts[name] = counts.get(name, 0) + getattr(summary, name)
                for severity, n in summary.findings.items():
                    findings[severity] = findings.get(severity, 0) + n
                for rule_id, n in summary.advice.items():
                    advised[rule_id] = advised.get(rule_id, 0) + n
                out = result.findings
                if out_kind == ".parquet":
                    if writer is None:
                        writer = pq.ParquetWriter(temporary, schema)
                    writer.write_table(out.to_arrow().cast(schema))
                else:
                    with open(temporary, "w" if first else "a", encoding="utf-8") as handle:
                        out.write_csv(handle, include_header=first)
                first = False
                progress.update(batch.height)
        if writer is not None:
            writer.close()
        elif first:  # no batch at all: an empty file with its columns
            empty = pl.DataFrame(schema={c: pl.String for c in OUTPUT_COLUMNS})
            if out_kind == ".parquet":
                empty.write_parquet(temporary)
            else:
                empty.write_csv(temporary)
    except BaseException:
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    os.replace(temporary, args.output)
    repeated, unmatched = _id_counts(pl, args.orders, related) if not first else (0, 0)
    rows = [
        ("rows in", counts.get("rows_in", 0)),
        ("rows screened", counts.get("rows_screened", 0)),
        ("rows invalid", counts.get("rows_invalid", 0)),
        ("rows judged by the exact order check", counts.get("rows_exact", 0)),
        *((f"findings: {s}", n) for s, n in findings.items()),
        ("not assessed", counts.get("not_assessed", 0)),
        ("co-medication/condition rows invalid", counts.get("related_rows_invalid", 0)),
        ("co-medication/condition rows for no order", unmatched),
        ("rows whose order id is not unique", int(repeated)),
        *((f"orders given advice {rule_id}", n) for rule_id, n in sorted(advised.items())),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label.ljust(width)}  {n}" for label, n in rows]
    if not_read:
        lines.append(f"{'columns not read'.ljust(width)}  {', '.join(not_read)}")
    if advised:
        written = "yes" if args.advice else "no (--advice writes them)"
        lines.append(f"{'advice rows written'.ljust(width)}  {written}")
    lines.append(f"{'rule set'.ljust(width)}  {sha or '-'}")
    lines.append(f"{'findings written to'.ljust(width)}  {args.output}")
    return "\n".join(lines) + "\n"
