"""A measured kidney value and its method must agree (found by a fresh tester): CKD-EPI 2021
gives an eGFR, Cockcroft-Gault and a timed urine collection give a CrCl, ``other`` fits both.
A CrCl "by CKD-EPI 2021" was judged and shown as "CrCl (CKD-EPI 2021)": one of the two inputs
is wrong, so the check refuses it (E_METHOD), naming the method and the measurement."""

from __future__ import annotations

import pytest

from baclofen_dose.check import CRCL_METHODS, EGFR_METHODS, MEASURED_METHODS, check_order
from baclofen_dose.cli import main
from baclofen_dose.core.errors import InputError

CRCL = "40 mL/min"
EGFR = "40 mL/min/1.73 m2"


def test_every_method_fits_at_least_one_measurement() -> None:
    assert set(CRCL_METHODS) | set(EGFR_METHODS) == set(MEASURED_METHODS)
    assert set(CRCL_METHODS) & set(EGFR_METHODS) == {"other"}


@pytest.mark.parametrize("method", MEASURED_METHODS)
@pytest.mark.parametrize(
    ("field", "value", "fits"),
    [("measured_crcl", CRCL, CRCL_METHODS), ("measured_egfr", EGFR, EGFR_METHODS)],
)
def test_a_method_is_taken_only_with_the_measurement_it_gives(
    method: str, field: str, value: str, fits: tuple[str, ...]
) -> None:
    kwargs = {field: value, "measured_method": method}
    if method in fits:
        result = check_order(dose="10 mg", times_per_day=3, **kwargs)  # type: ignore[arg-type]
        assert dict(result.provenance.inputs)["measured_method"] == method
        return
    with pytest.raises(InputError) as caught:
        check_order(dose="10 mg", times_per_day=3, **kwargs)  # type: ignore[arg-type]
    assert (caught.value.field, caught.value.code) == ("measured_method", "E_METHOD")
    assert field in str(caught.value)


def test_both_measurements_need_a_method_that_fits_both() -> None:
    both = {"measured_crcl": CRCL, "measured_egfr": EGFR}
    check_order(dose="10 mg", times_per_day=3, measured_method="other", **both)
    for method in ("cockcroft_gault", "ckd_epi_2021", "timed_urine"):
        with pytest.raises(InputError):
            check_order(dose="10 mg", times_per_day=3, measured_method=method, **both)


@pytest.mark.parametrize(
    ("option", "value", "method", "other"),
    [
        ("--measured-crcl", CRCL, "ckd_epi_2021", "--measured-egfr"),
        ("--measured-egfr", EGFR, "cockcroft_gault", "--measured-crcl"),
    ],
)
def test_cli_names_both_options(
    option: str, value: str, method: str, other: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["check", "--dose", "10 mg", "--times-per-day", "3", "--format", "text"]
    assert main([*base, option, value, "--measured-method", method]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("baclofen-dose: error: --measured-method:")
    assert option in captured.err
    assert other in captured.err
    assert "Traceback" not in captured.err
