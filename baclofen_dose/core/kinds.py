"""Kinds of clinical quantity: each one's canonical unit, house display unit, UCUM code and the
input units it accepts. Pure data: no parsing here (``units.py``) and no formatting
(``display.py``).

>>> ORAL_DOSE.display, ORAL_DOSE.ucum, IT_DAILY_DOSE.canonical_expr
('mg', 'mg', 'microgram / day')
"""

from __future__ import annotations

import attrs

Signature = tuple[tuple[str, int], ...]


@attrs.frozen(cache_hash=True)  # a key of the parse cache: hashed once
class Kind:
    """A kind of clinical quantity: its canonical unit and the input units it accepts.

    ``allowed`` lists unit signatures (unit name -> exponent); any of them converts exactly
    to ``canonical``. ``display`` is the house unit shown to people, ``ucum`` the code used
    in machine output.
    """

    name: str
    canonical: Signature
    display: str
    ucum: str
    allowed: tuple[Signature, ...]
    expected: str
    note: str = ""
    # Amounts must be writable exactly as decimals; a duration need not (481 minutes in hours).
    exact_decimal: bool = True

    @property
    def canonical_expr(self) -> str:
        """The canonical unit as a pint expression, e.g. ``milligram / day``."""
        return _expr(self.canonical)


def _sig(*parts: tuple[str, int]) -> Signature:
    return tuple(sorted(parts))


def _kind(
    name: str,
    canonical: Signature,
    display: str,
    ucum: str,
    expected: str,
    *also: Signature,
    note: str = "",
) -> Kind:
    return Kind(name, canonical, display, ucum, (canonical, *also), expected, note)


_MG = ("milligram", 1)
_MCG = ("microgram", 1)
_PER_DAY = ("day", -1)
_PER_ML = ("milliliter", -1)
_ORAL_NOTE = " (oral amounts are in mg; no oral dose is ever converted from an intrathecal one)"
_IT_NOTE = (
    " (intrathecal amounts are in mcg; no intrathecal dose is ever converted from an oral one)"
)

ORAL_DOSE = _kind(
    "oral dose",
    _sig(_MG),
    "mg",
    "mg",
    "an amount in mg, such as '5 mg'",
    _sig(("gram", 1)),
    note=_ORAL_NOTE,
)
ORAL_DAILY_DOSE = _kind(
    "oral daily dose",
    _sig(_MG, _PER_DAY),
    "mg/day",
    "mg/d",
    "a daily amount in mg/day, such as '60 mg/day'",
    _sig(_MG, ("week", -1)),
    _sig(_MG, ("hour", -1)),
    _sig(("gram", 1), _PER_DAY),
    note=_ORAL_NOTE,
)
ORAL_CONCENTRATION = _kind(
    "oral concentration",
    _sig(_MG, _PER_ML),
    "mg/mL",
    "mg/mL",
    "a strength in mg/mL or mg/5 mL, such as '10 mg/5 mL'",
)
IT_DOSE = _kind(
    "intrathecal dose", _sig(_MCG), "mcg", "ug", "an amount in mcg, such as '50 mcg'", note=_IT_NOTE
)
IT_DAILY_DOSE = _kind(
    "intrathecal daily dose",
    _sig(_MCG, _PER_DAY),
    "mcg/day",
    "ug/d",
    "a rate in mcg/day or mcg/hour, such as '300 mcg/day'",
    _sig(_MCG, ("hour", -1)),
    note=_IT_NOTE,
)
IT_CONCENTRATION = _kind(
    "intrathecal concentration",
    _sig(_MCG, _PER_ML),
    "mcg/mL",
    "ug/mL",
    "a concentration in mcg/mL, such as '500 mcg/mL'",
    note=" (intrathecal concentrations are in mcg/mL, never mg/mL)",
)
VOLUME = _kind("volume", _sig(("milliliter", 1)), "mL", "mL", "a volume in mL, such as '2 mL'")
DAYS = _kind(
    "duration in days",
    _sig(("day", 1)),
    "days",
    "d",
    "a whole number of days or weeks, such as '3 days'",
    _sig(("week", 1)),
)
HOURS = attrs.evolve(
    _kind(
        "duration in hours",
        _sig(("hour", 1)),
        "hours",
        "h",
        "a duration in hours, such as '6 h'",
        _sig(("minute", 1)),
        _sig(("day", 1)),
    ),
    exact_decimal=False,
)
YEARS = _kind(
    "age in years", _sig(("year", 1)), "years", "a", "an age in years, such as '72 years'"
)
PER_DAY = _kind("times a day", _sig(_PER_DAY), "times a day", "/d", "a count per day")
PERCENT = _kind("percentage", (), "%", "%", "a percentage, such as '20 %'", _sig(("percent", 1)))
WEIGHT = _kind(
    "body weight",
    _sig(("kilogram", 1)),
    "kg",
    "kg",
    "a weight such as '70 kg'",
    _sig(("gram", 1)),
    _sig(("pound", 1)),
    _sig(("milligram", 1)),
)
HEIGHT = _kind(
    "height",
    _sig(("centimeter", 1)),
    "cm",
    "cm",
    "a height such as '170 cm'",
    _sig(("inch", 1)),
    _sig(("meter", 1)),
)
CREATININE_MASS = _kind(
    "serum creatinine (mass)",
    _sig(_MG, ("deciliter", -1)),
    "mg/dL",
    "mg/dL",
    "a serum creatinine in mg/dL or micromol/L, such as '1.1 mg/dL'",
)
CREATININE_MOLAR = _kind(
    "serum creatinine (molar)",
    _sig(("micromole", 1), ("liter", -1)),
    "micromol/L",
    "umol/L",
    "a serum creatinine in mg/dL or micromol/L, such as '97 micromol/L'",
)
RENAL_CLEARANCE = _kind(
    "renal clearance",
    _sig(("milliliter", 1), ("minute", -1)),
    "mL/min",
    "mL/min",
    "a clearance in mL/min, such as '40 mL/min'",
)
CONCENTRATION_FACTOR = _kind(
    "conversion factor", (), "", "1", "a plain ratio given with the unit '1'"
)

# Intrathecal pump arithmetic (issue 5). IT_HOURLY_RATE accepts only per-hour rates: it shows
# an hourly rate, and tells whether an intrathecal rate was entered per hour (a time-base
# hazard); DAILY_VOLUME is the volume a pump delivers in a day.
IT_HOURLY_RATE = _kind(
    "intrathecal hourly rate",
    _sig(_MCG, ("hour", -1)),
    "mcg/hour",
    "ug/h",
    "a rate in mcg/hour, such as '12.5 mcg/hour'",
    note=_IT_NOTE,
)
DAILY_VOLUME = _kind(
    "daily volume",
    _sig(("milliliter", 1), _PER_DAY),
    "mL/day",
    "mL/d",
    "a volume per day in mL/day, such as '0.2 mL/day'",
)


# Patient-specific dosing (issue 3).
EGFR = _kind(
    "estimated GFR",
    _sig(("milliliter", 1), ("minute", -1)),
    "mL/min/1.73 m2",
    "mL/min/{1.73_m2}",
    "an eGFR in mL/min per 1.73 m2 of body surface area",
    note=" (eGFR values are per 1.73 m2 of body surface area)",
)
ORAL_DAILY_DOSE_PER_KG = _kind(
    "oral daily dose per kg",
    _sig(_MG, ("kilogram", -1), _PER_DAY),
    "mg/kg/day",
    "mg/kg/d",
    "a daily amount per kg of body weight, such as '0.3 mg/kg/day'",
    note=_ORAL_NOTE,
)
WEIGHT_PER_HEIGHT = _kind(
    "weight per height",
    _sig(("kilogram", 1), ("inch", -1)),
    "kg per inch",
    "kg/[in_i]",
    "a weight per inch of height, such as '2.3 kg/inch'",
)
BODY_MASS_INDEX = _kind(
    "body mass index",
    _sig(("kilogram", 1), ("meter", -2)),
    "kg/m2",
    "kg/m2",
    "a body mass index in kg/m2, such as '24.9 kg/m2'",
)
AREA = _kind(
    "body surface area",
    _sig(("meter", 2)),
    "m2",
    "m2",
    "a body surface area in m2, such as '1.73 m2'",
)


def _expr(sig: Signature) -> str:
    num = [name if exp == 1 else f"{name} ** {exp}" for name, exp in sig if exp > 0]
    den = [name if exp == -1 else f"{name} ** {-exp}" for name, exp in sig if exp < 0]
    text = " * ".join(num) or "1"
    if den:
        text += " / " + " / ".join(den)
    return text


KINDS: dict[str, Kind] = {
    value.name: value for value in list(globals().values()) if isinstance(value, Kind)
}
"""Every kind by its name (``"oral dose"``), for readers of machine output."""
