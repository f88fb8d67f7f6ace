"""Checking existing orders (issue 11): one order in, findings as data out.

- :func:`check_order` an oral order (dose and times a day, unequal doses, or a product and
  units per dose), with the previous regimen, a patient, co-medications and conditions;
- :func:`check_intrathecal_order` an intrathecal daily dose (or flex program), with the
  previous daily dose and the concentration.

A check never raises for a limit: hard-limit crossings are findings of severity ``hard``.
"""

from __future__ import annotations

from baclofen_dose.check.intrathecal import check_intrathecal_order
from baclofen_dose.check.oral import CRCL_METHODS, EGFR_METHODS, MEASURED_METHODS, check_order
from baclofen_dose.check.order import SCHEMA, NotAssessed, OrderCheck

__all__ = [
    "CRCL_METHODS",
    "EGFR_METHODS",
    "MEASURED_METHODS",
    "SCHEMA",
    "NotAssessed",
    "OrderCheck",
    "check_intrathecal_order",
    "check_order",
]
