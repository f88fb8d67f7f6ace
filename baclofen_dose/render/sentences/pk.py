"""Sentences of the plots and the PK education curves (issue 14): key -> template.

Filled through the one formatter (``core.display.fill``); the figures of render/plots.py take
every word from here. Computed values (half-lives, clearances) are written rounded
(``{half_life:computed}``) and the education label goes on every curve.
"""

from __future__ import annotations

from typing import Final

from baclofen_dose.core.rules.needs import requires

RULES: Final = requires(
    __name__,
    {
        "pk.oral.bioavailability": "pk.fraction",
        "pk.oral.clearance": "pk.clearance",
        "pk.oral.fraction_renal": "pk.fraction",
        "pk.oral.half_life.max": "pk.hours",
        "pk.oral.half_life.min": "pk.hours",
        "pk.oral.reference_crcl": "pk.clearance",
        "pk.oral.tmax": "pk.hours",
        "pk.oral.volume": "pk.volume",
    },
)


EDUCATIONAL: Final = (
    "Educational, not for therapeutic drug monitoring: a population model, not this "
    "patient's levels."
)

TEXTS: Final[dict[str, str]] = {
    "LADDER_TITLE": "{title}: daily dose of each step",
    "LADDER_AXIS": "Daily dose ({unit})",
    "CURVE_TITLE": "Modelled plasma concentration over the plan (educational)",
    "CURVE_AXIS": "Plasma concentration (ng/mL)",
    "DAY_AXIS": "Days from the first day of the plan ({first})",
    "CURVE_LABEL": "CrCl {crcl:computed}: half-life {half_life:computed}",
    "CURVE_LABEL_REFERENCE": (
        "CrCl {crcl:computed} (reference kidney function): half-life {half_life:computed}"
    ),
    "CURVE_LABEL_PATIENT": "CrCl {crcl:computed} (this patient): half-life {half_life:computed}",
    "MODEL": (
        "One compartment, first-order absorption, each dose added (superposition); doses "
        "evenly spaced through the day; last step shown for {days:days}."
    ),
    "STEADY_STATE": (
        "90% of steady state after ln 10 / ln 2 = 3.3 half-lives: {reference:computed} at "
        "CrCl {crcl_ref:computed}, {compare:computed} at CrCl {crcl_compare:computed}."
    ),
    "RENAL": (
        "Kidney function changes only the renal part of the clearance: the fraction fe of CL/F "
        "is scaled by CrCl divided by {crcl_ref:computed}, the rest stays. No published "
        "half-life in renal impairment was found: this one is computed."
    ),
    "PARAMETERS_TITLE": "Model parameters (population means) and their sources",
    "PARAMETER_LINE": "{name}: {value} (rule {rule_id})",
    "SOURCE_LINE": "Source: {source}",
}

PARAMETER_NAMES: Final[dict[str, str]] = {
    "pk.oral.bioavailability": "Oral bioavailability F",
    "pk.oral.volume": "Apparent volume V/F",
    "pk.oral.clearance": "Apparent clearance CL/F",
    "pk.oral.reference_crcl": "Reference creatinine clearance",
    "pk.oral.fraction_renal": "Fraction excreted unchanged fe",
    "pk.oral.tmax": "Time to peak",
    "pk.oral.half_life.min": "Half-life, normal kidney function, from",
    "pk.oral.half_life.max": "Half-life, normal kidney function, to",
}
