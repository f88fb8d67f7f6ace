"""The OMOP recipe (issue 12 item 6): a small hand-made CDM extract to the order frame, then
screened. Every expected value below is worked by hand in the comments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import polars as pl
import pytest

from baclofen_dose.check.omop import OmopMeasurement, orders_from_omop
from baclofen_dose.check.screen import screen_orders
from baclofen_dose.core.errors import InputError

D = dt.date
# Concept ids here are made up for the test: the recipe takes them from the caller.
TAB10, TAB5, UNMAPPED = 900, 901, 999
SCR, WEIGHT = 55, 66
MG_DL, UMOL_L, KG, UNKNOWN_UNIT = 5, 6, 7, 8

EXPOSURE = {
    "drug_exposure_id": [1, 2, 3, 4, 5, 6],
    "person_id": [1, 2, 3, 1, 2, 4],
    "drug_concept_id": [TAB10, TAB5, UNMAPPED, TAB10, TAB10, TAB10],
    "drug_exposure_start_date": [D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 1),
                                 D(2026, 4, 1), D(2026, 3, 1)],
    "quantity": [240.0, 100.0, 30.0, 60.0, 90.0, 90.0],
    "days_supply": [30, 30, 30, 0, 30, 30],
}
PERSON = {
    "person_id": [1, 2, 3, 4],
    "gender_concept_id": [1, 2, 1, 0],
    "year_of_birth": [1950, 1960, 1970, 1980],
    "month_of_birth": [6, 3, None, 1],
    "day_of_birth": [1, 1, None, 1],
}
MEASUREMENT = {
    "person_id": [2, 2, 2, 2, 2, 4],
    "measurement_concept_id": [SCR, SCR, WEIGHT, SCR, SCR, SCR],
    "measurement_date": [D(2026, 1, 1), D(2026, 2, 15), D(2026, 2, 15), D(2026, 3, 30),
                         D(2026, 3, 30), D(2026, 2, 27)],
    "value_as_number": [3.0, 1.0, 80.0, 1.0, 1.2, 90.0],
    "unit_concept_id": [MG_DL, MG_DL, KG, MG_DL, MG_DL, UNKNOWN_UNIT],
}
OPTIONS: dict[str, Any] = {
    "strengths": {TAB10: "10 mg", TAB5: "5 mg"},
    "creatinine": OmopMeasurement((SCR,), {MG_DL: "mg/dL", UMOL_L: "micromol/L"}, window_days=30),
    "weight": OmopMeasurement((WEIGHT,), {KG: "kg"}, window_days=30),
    "sexes": {1: "female", 2: "male"},
}
COLUMNS = ("order_id", "daily_dose", "daily_dose_unit", "age_years", "sex", "weight_kg", "scr",
           "scr_unit", "daily_dose_estimate", "daily_dose_rounded_up")


def _frames(kind: str) -> tuple[Any, Any, Any]:
    frames = (pl.DataFrame(EXPOSURE), pl.DataFrame(MEASUREMENT), pl.DataFrame(PERSON))
    if kind == "pandas":
        return tuple(f.to_pandas() for f in frames)  # type: ignore[return-value]
    if kind == "lazy":
        return tuple(f.lazy() for f in frames)  # type: ignore[return-value]
    return frames


def _table(frame: Any) -> dict[str, tuple[Any, ...]]:
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(frame, pd.DataFrame):
        frame = pl.from_pandas(frame)
    rows = frame.sort("order_id").select(COLUMNS).rows()
    return {r[0]: tuple(None if v is None or v != v else v for v in r[1:]) for r in rows}


EXPECTED = {
    # 240 x 10 mg / 30 d = 80 mg/day; born 1950-06-01, on 2026-03-01: 75 (birthday not yet)
    "1": ("80", "mg/day", "75", "female", None, None, None, "240 x 10 mg / 30 d", False),
    # 100 x 5 mg / 30 d = 50/3 = 16.666... mg/day: rounded up to 16.667; born 1960-03-01: 66 on
    # its birthday; latest creatinine in 30 days: 1.0 on 02-15 (3.0 on 01-01 is 59 days before)
    "2": ("16.667", "mg/day", "66", "male", "80.0", "1.0", "mg/dL", "100 x 5 mg / 30 d", True),
    # concept 999 has no strength: no daily dose; year of birth only: no age
    "3": (None, None, None, "female", None, None, None, None, None),
    # days_supply 0: no estimate
    "4": (None, None, "75", "female", None, None, None, None, None),
    # 90 x 10 / 30 = 30; two creatinines (1.0, 1.2) on 03-30: ambiguous, neither used
    "5": ("30", "mg/day", "66", "male", None, None, None, "90 x 10 mg / 30 d", False),
    # gender concept 0 is not in the map: sex not given; creatinine unit concept 8 unknown
    "6": ("30", "mg/day", "46", None, None, "90.0", None, "90 x 10 mg / 30 d", False),
}
UNRESOLVED = [("3", "AGE_NEEDS_DATE_OF_BIRTH"), ("3", "STRENGTH_UNKNOWN"),
              ("4", "DAYS_SUPPLY_NOT_GIVEN"), ("5", "CREATININE_AMBIGUOUS")]


@pytest.mark.parametrize("kind", ["polars", "pandas", "lazy"])
def test_hand_made_extract_gives_the_hand_worked_orders(kind: str) -> None:
    """Issue 12 item 6: daily dose = quantity x strength / days supply (exact, rounded up to a
    microgram when it does not terminate), latest creatinine in the window, age at the order."""
    got = orders_from_omop(*_frames(kind), **OPTIONS)
    assert _table(got.orders) == EXPECTED
    unresolved = got.unresolved
    if isinstance(unresolved, pl.LazyFrame):
        unresolved = unresolved.collect()
    if isinstance(unresolved, pd.DataFrame):
        unresolved = pl.from_pandas(unresolved)
    assert sorted(unresolved.rows()) == UNRESOLVED


def _by_order(findings: pl.DataFrame) -> dict[str, set[tuple[str, str | None, str | None]]]:
    out: dict[str, set[tuple[str, str | None, str | None]]] = {}
    for row in findings.iter_rows(named=True):
        out.setdefault(row["order_id"], set()).add((row["code"], row["rule_id"], row["what"]))
    return out


def test_the_omop_orders_screen_with_per_administration_checks_not_assessed() -> None:
    """Every exposure is screened (none dropped): a daily dose alone is judged for the daily
    limits, and what needs one administration's dose is not assessed."""
    got = orders_from_omop(*_frames("polars"), **OPTIONS)
    result = screen_orders(got.orders)
    assert result.summary.rows_in == 6
    # no daily dose (3: no strength; 4: no days supply), and 6: a creatinine with no unit
    assert result.summary.rows_invalid == 3
    rows = _by_order(result.findings)
    invalid = {o: {w for c, _, w in rows[o] if c == "INVALID_INPUT"} for o in ("3", "4", "6")}
    assert invalid == {"3": {"dose"}, "4": {"dose"}, "6": {"scr_unit"}}
    for order in ("1", "2", "5"):
        assert ("DOSE_PER_ADMINISTRATION_NOT_GIVEN", None, "order") in rows[order]
        assert not any(w in {"doses a day", "a single dose of"} for _, _, w in rows[order])
    # 80 mg/day at 75: above the older adult's tolerance note (30 mg/day), not above the
    # policy maximum (80 mg/day)
    assert any(c == "OLDER_TOLERANCE_ORDER" for c, _, _ in rows["1"])
    assert not any(c.endswith("LIMIT_CROSSED") for c, _, _ in rows["1"])
    # OMOP gives no dialysis status: the Cockcroft-Gault CrCl of order 2 is not assessed
    renal = result.findings.filter((pl.col("order_id") == "2") & (pl.col("code") == "RENAL_NOT_ASSESSED"))
    assert renal["detail"].to_list() == ["patient.dialysis"]


def test_strength_not_guessed_and_parameters_checked() -> None:
    with pytest.raises(InputError, match="strengths"):
        orders_from_omop(*_frames("polars"), **{**OPTIONS, "strengths": {TAB10: 10}})
    with pytest.raises(InputError, match="window_days"):
        OmopMeasurement((SCR,), {MG_DL: "mg/dL"}, window_days=-1)
    with pytest.raises(InputError, match="sexes"):
        orders_from_omop(*_frames("polars"), **{**OPTIONS, "sexes": {1: "f"}})
    with pytest.raises(InputError, match=r"weight\.units"):
        orders_from_omop(*_frames("polars"), **{**OPTIONS, "weight": OmopMeasurement((WEIGHT,), {KG: "g"}, window_days=3)})
