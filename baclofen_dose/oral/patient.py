"""The patient: age, sex, weight, height, serum creatinine and dialysis status (issue 3).

A :class:`Patient` holds exact canonical values (years, kg, cm, mg/dL) or ``None`` for a value
that is not known. Nothing has a default: each named constructor takes every field as a
required keyword, and ``None`` says "not known"; a calculation that needs a missing value
refuses and names it (``E_MISSING_INPUT``), it never assumes a normal value.

Every value is checked against its plausibility band from the rule data (``patient.*``), which
is what catches unit mix-ups: a creatinine 88.4 times off, a weight in g labelled kg, a height
in inches labelled cm. The error names the field, the value and the likely mix-up. Any unit
of the right dimension is accepted and converted exactly ("154 lb", "67 inch", "123.8
micromol/L"); the creatinine factor 88.4 comes from the rule data
(``renal.creatinine.umol_per_mg_dl``), never from code.

>>> p = Patient.from_inputs(age="72 years", sex="female", weight="70 kg", height=None,
...                         scr="123.8 micromol/L", dialysis=False)
>>> p.weight_kg, p.scr_unit, float(p.scr_mg_dl) > 1.4
(Fraction(70, 1), 'micromol/L', True)
>>> Patient.from_inputs(age="72 years", sex="female", weight="70 g", height=None,
...                     scr=None, dialysis=None)
Traceback (most recent call last):
...
baclofen_dose.ImplausibleValueError: patient.weight: '70 g' is 0.07 kg, ...
"""

from __future__ import annotations

import re
from datetime import date
from fractions import Fraction
from typing import Final

import attrs

from baclofen_dose.core import numeric, units
from baclofen_dose.core.errors import (
    BaclofenDoseError,
    ImplausibleValueError,
    InputError,
    InputTypeError,
    MissingInputError,
)
from baclofen_dose.core.kernel import rules_or_default
from baclofen_dose.core.limits import parse_date
from baclofen_dose.core.memo import remember
from baclofen_dose.core.model import Amount, ParamValue
from baclofen_dose.core.rules import Rule, RuleSet
from baclofen_dose.core.rules.interactions import icd10cm_code
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import DateInput, QuantityInput, Sex

__all__ = [
    "DIALYSIS_CODE",
    "POPULATIONS",
    "SEXES",
    "Patient",
    "dialysis_condition",
    "missing",
    "population",
    "read_dialysis",
]

RULES: Final = requires(
    __name__,
    {
        "patient.age.max": "age",
        "patient.creatinine.max_mass": "creatinine.mass",
        "patient.creatinine.min_molar": "creatinine.molar",
        "patient.height.adult_min": "height",
        "patient.height.max": "height",
        "patient.height.min": "height",
        "patient.weight.max": "weight",
        "patient.weight.min": "weight",
        "population.child.below_age": "age",
        "population.older_adult.from_age": "age",
        "renal.creatinine.umol_per_mg_dl": "factor",
    },
)


SEXES: Final = ("female", "male")
POPULATIONS: Final = ("adult", "older_adult", "child")
_LEADING_NUMBER = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)? ")
# Unit spellings for creatinine as the patient records it (the house units of
# kinds.CREATININE_MASS and kinds.CREATININE_MOLAR).
MASS_UNIT: Final = units.CREATININE_MASS.ucum
MOLAR_UNIT: Final = "micromol/L"


def _optional_amount(
    _: object, attribute: attrs.Attribute[Fraction | None], value: Fraction | None
) -> None:
    if value is None:
        return
    if not isinstance(value, Fraction) or value <= 0:
        raise InputTypeError(
            f"patient.{attribute.name}", value, "an exact Fraction above zero, or None"
        )


def _optional_sex(_: object, attribute: attrs.Attribute[str | None], value: str | None) -> None:
    if value is not None and value not in SEXES:
        raise InputError("patient.sex", value, "'female', 'male' or None (not known)")


def _optional_bool(_: object, attribute: attrs.Attribute[bool | None], value: bool | None) -> None:
    if value is not None and not isinstance(value, bool):
        raise InputTypeError(f"patient.{attribute.name}", value, "True, False or None (not stated)")


@attrs.frozen(cache_hash=True)  # immutable: hashed once (a patient keys remembered results)
class Patient:
    """What the special-population rules need to know about a patient (``None``: not known).

    Values are exact and canonical: ``age_years`` (completed years when computed from a date of
    birth), ``weight_kg``, ``height_cm``, ``scr_mg_dl``. ``scr_unit`` and ``scr_as_given``
    record the creatinine as it was given, and ``scr_factor`` the conversion factor used
    (micromol/L per mg/dL, from the rule data). Build one with :meth:`from_inputs` or
    :meth:`from_birth_date`; they check every value against its plausibility band.
    """

    age_years: Fraction | None = attrs.field(validator=_optional_amount)
    sex: str | None = attrs.field(validator=_optional_sex)
    weight_kg: Fraction | None = attrs.field(validator=_optional_amount)
    height_cm: Fraction | None = attrs.field(validator=_optional_amount)
    scr_mg_dl: Fraction | None = attrs.field(validator=_optional_amount)
    dialysis: bool | None = attrs.field(validator=_optional_bool)
    scr_unit: str | None = None
    scr_as_given: Fraction | None = attrs.field(default=None, validator=_optional_amount)
    scr_factor: Fraction | None = attrs.field(default=None, validator=_optional_amount)
    born: date | None = None
    as_of: date | None = None
    pregnant: bool | None = attrs.field(default=None, validator=_optional_bool)
    breastfeeding: bool | None = attrs.field(default=None, validator=_optional_bool)

    @classmethod
    def from_inputs(
        cls,
        *,
        age: QuantityInput | None,
        sex: Sex | None,
        weight: QuantityInput | None,
        height: QuantityInput | None,
        scr: QuantityInput | None,
        dialysis: bool | None,
        rules: RuleSet | None = None,
        pregnant: bool | None = None,
        breastfeeding: bool | None = None,
    ) -> Patient:
        """A patient from quantities (pint Quantities or strings with units) or ``None``.

        ``age`` ("72 years"), ``sex`` ("female" or "male"), ``weight`` ("70 kg", "154 lb"),
        ``height`` ("170 cm", "67 inch"), ``scr`` (serum creatinine: "1.4 mg/dL" or
        "123.8 micromol/L") and ``dialysis`` (True or False). Every keyword is required;
        ``None`` means not known. Values outside their plausibility band are refused.
        ``pregnant`` and ``breastfeeding`` (optional; ``None``: not stated, never assumed) add
        the counselling findings ``counsel.pregnancy`` and ``counsel.breastfeeding``.
        """
        rules = _rules(rules)
        age_years = None if age is None else units.parse(age, units.YEARS, "patient.age")
        patient = cls._build(age_years, sex, weight, height, scr, dialysis, rules, None, None)
        return attrs.evolve(patient, pregnant=pregnant, breastfeeding=breastfeeding)

    @classmethod
    def from_birth_date(
        cls,
        *,
        born: DateInput,
        as_of: DateInput,
        sex: Sex | None,
        weight: QuantityInput | None,
        height: QuantityInput | None,
        scr: QuantityInput | None,
        dialysis: bool | None,
        rules: RuleSet | None = None,
        pregnant: bool | None = None,
        breastfeeding: bool | None = None,
    ) -> Patient:
        """A patient whose age is the completed years from ``born`` to ``as_of`` (both dates).

        There is no "today": ``as_of`` is required. A date of birth after ``as_of`` is refused,
        and so is an age under 1 year (give ``age`` as a quantity, such as "0.5 years").
        """
        rules = _rules(rules)
        birth = parse_date(born, "patient.born")
        when = parse_date(as_of, "patient.as_of")
        if birth > when:
            raise ImplausibleValueError(
                "patient.born",
                born,
                f"a date of birth on or before the as-of date {when.isoformat()}",
                problem="is after the as-of date",
                code="E_IMPLAUSIBLE",
            )
        years = when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))
        if years < 1:
            raise InputError(
                "patient.born",
                born,
                "a date of birth at least 1 year before the as-of date, or the age as a "
                "quantity with Patient.from_inputs (such as '0.5 years')",
                problem="gives an age under 1 year in completed years",
                code="E_OUT_OF_SCOPE",
            )
        patient = cls._build(
            Fraction(years), sex, weight, height, scr, dialysis, rules, birth, when
        )
        return attrs.evolve(patient, pregnant=pregnant, breastfeeding=breastfeeding)

    @classmethod
    def _build(
        cls,
        age_years: Fraction | None,
        sex: object,
        weight: object,
        height: object,
        scr: object,
        dialysis: object,
        rules: RuleSet,
        born: date | None,
        as_of: date | None,
    ) -> Patient:
        if sex is not None and not isinstance(sex, str):
            raise InputTypeError("patient.sex", sex, "'female', 'male' or None (not known)")
        if dialysis is not None and not isinstance(dialysis, bool):
            raise InputTypeError("patient.dialysis", dialysis, "True, False or None (not stated)")
        weight_kg = None if weight is None else units.parse(weight, units.WEIGHT, "patient.weight")
        height_cm = None if height is None else units.parse(height, units.HEIGHT, "patient.height")
        scr_mg_dl, scr_unit, scr_given, factor = _creatinine(scr, rules)
        patient = cls(
            age_years=age_years,
            sex=sex,
            weight_kg=weight_kg,
            height_cm=height_cm,
            scr_mg_dl=scr_mg_dl,
            dialysis=dialysis,
            scr_unit=scr_unit,
            scr_as_given=scr_given,
            scr_factor=factor,
            born=born,
            as_of=as_of,
        )
        check_plausible(patient, rules, raw={"weight": weight, "height": height, "scr": scr})
        return patient

    def describe(self) -> tuple[tuple[str, ParamValue], ...]:
        """The normalised values for provenance: exact amounts with their kind (``None``: not
        known), the sex and the dialysis status (``None``: not stated).

        >>> Patient.from_inputs(age="72 years", sex=None, weight=None, height=None, scr=None,
        ...                     dialysis=False).describe()[-1]
        ('patient.dialysis', False)
        """

        def show(value: Fraction | None, kind: units.Kind) -> Amount | None:
            return None if value is None else Amount(value, kind, "estimate")

        stated = tuple(
            (f"patient.{name}", value)
            for name, value in (("pregnant", self.pregnant), ("breastfeeding", self.breastfeeding))
            if value is not None
        )
        return (
            ("patient.age", show(self.age_years, units.YEARS)),
            ("patient.sex", self.sex),
            ("patient.weight", show(self.weight_kg, units.WEIGHT)),
            ("patient.height", show(self.height_cm, units.HEIGHT)),
            ("patient.scr", show(self.scr_mg_dl, units.CREATININE_MASS)),
            ("patient.dialysis", self.dialysis),
            *stated,
        )


def _rules(rules: RuleSet | None) -> RuleSet:
    rules = rules_or_default(rules)
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    return rules


def _creatinine(
    scr: object, rules: RuleSet
) -> tuple[Fraction | None, str | None, Fraction | None, Fraction | None]:
    """(mg/dL, unit as given, value as given, factor) for a serum creatinine, or all None."""
    if scr is None:
        return None, None, None, None
    factor = rules["renal.creatinine.umol_per_mg_dl"].require_value()
    try:
        mass = units.parse(scr, units.CREATININE_MASS, "patient.scr")
    except InputError as exc:
        if exc.code != "E_UNIT_DIMENSION":
            raise
    else:
        return mass, MASS_UNIT, mass, factor
    molar = units.parse(scr, units.CREATININE_MOLAR, "patient.scr")
    return molar / factor, MOLAR_UNIT, molar, factor


def _written(raw: object) -> tuple[Fraction, str] | None:
    """The number and unit the caller wrote, for a mix-up hint; None if unclear."""
    if isinstance(raw, str):
        match = _LEADING_NUMBER.match(raw)
        if match is None:
            return None
        return Fraction(match.group(0).strip()), raw[match.end() :]
    try:
        value = Fraction(str(raw.magnitude))  # type: ignore[attr-defined]
        unit = str(raw.units)  # type: ignore[attr-defined]
    except (AttributeError, ValueError, TypeError, ZeroDivisionError):
        return None
    if value <= 0 or not numeric.check_exactness_with_decimal(value):
        return None
    return value, unit


Hint = tuple[str, dict[str, ParamValue]]
"""A template (filled by the one formatter) and its values."""


def _mix_up(
    raw: object,
    kind: units.Kind,
    house: str,
    candidates: tuple[str, ...],
    band: tuple[Fraction, Fraction],
    actual: Fraction,
    convert: dict[str, Fraction] | None = None,
) -> Hint:
    """Name the likely unit mix-up: the written number read in another unit that is plausible.

    ``actual`` is the value as parsed (canonical unit, written ``house``); a candidate unit
    giving the same value is the unit that was written. ``convert`` maps a candidate unit to a
    factor into the canonical unit where the registry cannot convert (micromol/L to mg/dL needs
    the rule-data factor). Returns a template and its values ("" when there is no hint).
    """
    written = _written(raw)
    if written is None:
        return "", {}
    number, unit = written

    def read(candidate: str) -> Fraction | None:
        if convert is not None and candidate in convert:
            return number * convert[candidate]
        return _as(number, candidate, kind)

    if read(house) != actual:
        # Written in another unit than the house one: the likely slip is the house unit.
        candidates = (house,)
    low, high = band
    hints = []
    params: dict[str, ParamValue] = {"written": unit, "number": number}
    for index, candidate in enumerate(candidates):
        value = read(candidate)
        if value is None or value == actual or not low <= value <= high:
            continue
        name = f"unit{index}"
        params[name] = candidate
        if candidate == house:
            hints.append(
                f"a value in {{{name}}} labelled {{written}} "
                f"(did you mean {{number:number}} {{{name}}}?)"
            )
        else:
            params[f"value{index}"] = Amount(value, kind, "estimate")
            hints.append(
                f"a value in {{{name}}} labelled {{written}} "
                f"({{number:number}} {{{name}}} is {{value{index}:computed}})"
            )
    return ("likely " + " or ".join(hints), params) if hints else ("", {})


def _plain(number: Fraction) -> str:
    """An exact number as plain decimal digits, for the parser (not for people)."""
    return format(numeric.to_decimal(number), "f")


def _as(number: Fraction, unit: str, kind: units.Kind) -> Fraction | None:
    """``number`` read in ``unit``, converted to ``kind``'s canonical unit (None if it fails)."""
    try:
        return units.parse(f"{_plain(number)} {unit}", kind, "hint")
    except (BaclofenDoseError, ValueError):
        return None


def _implausible(
    field: str,
    raw: object,
    value: Fraction,
    kind: units.Kind,
    rule: Rule,
    low: Rule,
    high: Rule,
    hint: Hint,
) -> ImplausibleValueError:
    side = "below the plausible minimum" if rule is low else "above the plausible maximum"
    template, hint_params = hint
    problem = "is {value}, " + side + " {bound} (rule {rule})"
    if template:
        problem += ": " + template
    return ImplausibleValueError(
        field,
        raw,
        "a {kind} from {low} to {high}",
        problem=problem,
        params={
            **hint_params,
            # Exact, never rounded onto its bound ("400.04 kg, above 400 kg"; "0.07 kg").
            "value": Amount(value, kind),
            "bound": Amount(rule.require_value(), kind, "estimate"),
            "rule": rule.id,
            "kind": kind.name,
            "low": Amount(low.require_value(), kind, "estimate"),
            "high": Amount(high.require_value(), kind, "estimate"),
        },
        code="E_IMPLAUSIBLE",
        rule_id=rule.id,
    )


def check_plausible(
    patient: Patient, rules: RuleSet, *, raw: dict[str, object] | None = None
) -> None:
    """Refuse a patient value outside its plausibility band (rules ``patient.*``).

    ``raw`` holds the values as the caller gave them, so the error can show them and name the
    likely unit mix-up. Nothing is written unless a value is refused.
    """
    if raw is None:
        _checked(patient=patient, rules=rules)
    else:
        _check(patient, rules, raw)


@remember(by_value=(Patient,), by_sha256=(RuleSet,))
def _checked(*, patient: Patient, rules: RuleSet) -> bool:
    """:func:`check_plausible` without raw values, remembered: a patient is immutable, so it
    is checked once per rule set (a refusal is raised again every time, never remembered)."""
    _check(patient, rules, {})
    return True


def _check(patient: Patient, rules: RuleSet, raw: dict[str, object]) -> None:
    if patient.age_years is not None:
        top = rules["patient.age.max"]
        if patient.age_years > top.require_value():
            raise ImplausibleValueError(
                "patient.age",
                raw.get("age", Amount(patient.age_years, units.YEARS, "estimate")),
                "an age in years up to {top}",
                problem="is above the plausible maximum (rule {rule})",
                params={
                    "top": Amount(top.require_value(), units.YEARS, "estimate"),
                    "rule": top.id,
                },
                code="E_IMPLAUSIBLE",
                rule_id=top.id,
            )
    if patient.weight_kg is not None:
        low, high = rules["patient.weight.min"], rules["patient.weight.max"]
        outside = _outside(patient.weight_kg, low, high)
        if outside is not None:
            given = raw.get("weight", Amount(patient.weight_kg, units.WEIGHT, "estimate"))
            hint: Hint = ("", {})
            if "weight" in raw:
                hint = _mix_up(
                    given,
                    units.WEIGHT,
                    units.WEIGHT.ucum,  # "kg"
                    ("kg", "g", "lb"),
                    (low.require_value(), high.require_value()),
                    patient.weight_kg,
                )
            raise _implausible(
                "patient.weight", given, patient.weight_kg, units.WEIGHT, outside, low, high, hint
            )
    if patient.height_cm is not None:
        low, high = rules["patient.height.min"], rules["patient.height.max"]
        adult_low = rules["patient.height.adult_min"]
        child_below = rules["population.child.below_age"].require_value()
        if patient.age_years is not None and patient.age_years >= child_below:
            low = adult_low
        outside = _outside(patient.height_cm, low, high)
        if outside is not None:
            given = raw.get("height", Amount(patient.height_cm, units.HEIGHT, "estimate"))
            hint = ("", {})
            if "height" in raw:
                hint = _mix_up(
                    given,
                    units.HEIGHT,
                    units.HEIGHT.ucum,  # "cm"
                    ("cm", "inch", "m"),
                    (low.require_value(), high.require_value()),
                    patient.height_cm,
                )
            raise _implausible(
                "patient.height", given, patient.height_cm, units.HEIGHT, outside, low, high, hint
            )
    if patient.scr_mg_dl is not None:
        _check_creatinine(patient.scr_mg_dl, raw.get("scr"), rules)


def _check_creatinine(mg_dl: Fraction, raw: object, rules: RuleSet) -> None:
    factor = rules["renal.creatinine.umol_per_mg_dl"].require_value()
    high = rules["patient.creatinine.max_mass"]
    low = rules["patient.creatinine.min_molar"]
    high_mg = high.require_value()
    low_mg = low.require_value() / factor
    if low_mg <= mg_dl <= high_mg:
        return
    mass, molar = units.CREATININE_MASS, units.CREATININE_MOLAR
    params: dict[str, ParamValue] = {
        "low_mass": Amount(low_mg, mass, "estimate"),
        "low_molar": Amount(low.require_value(), molar, "estimate"),
        "high_mass": Amount(high_mg, mass, "estimate"),
        "high_molar": Amount(high_mg * factor, molar, "estimate"),
        "factor": factor,
    }
    given = raw if raw is not None else Amount(mg_dl, mass, "estimate")
    template = ""
    if raw is not None:
        template, hint_params = _mix_up(
            raw,
            mass,
            MASS_UNIT,
            (MASS_UNIT, MOLAR_UNIT),
            (low_mg, high_mg),
            mg_dl,
            convert={MOLAR_UNIT: 1 / factor},
        )
        params.update(hint_params)
        if template:
            template += ", factor {factor:ratio} (rule renal.creatinine.umol_per_mg_dl)"
    if mg_dl > high_mg:
        problem, rule = "is above the plausible maximum {high_mass} (rule {rule})", high
    else:
        problem, rule = "is below the plausible minimum {low_molar} (rule {rule})", low
    params["rule"] = rule.id
    raise ImplausibleValueError(
        "patient.scr",
        given,
        "a serum creatinine from {low_mass} ({low_molar}) to {high_mass} ({high_molar}), "
        "with its unit",
        problem=problem + (f": {template}" if template else ""),
        params=params,
        code="E_IMPLAUSIBLE",
        rule_id=rule.id,
    )


def _outside(value: Fraction, low: Rule, high: Rule) -> Rule | None:
    """The band rule ``value`` falls outside of, if any."""
    if value < low.require_value():
        return low
    if value > high.require_value():
        return high
    return None


def missing(field: str, expected: str, needed_for: str) -> InputError:
    """The error for a value the patient lacks: names the field and what needs it."""
    return MissingInputError(field, expected, needed_for)


def population(patient: Patient, rules: RuleSet) -> str:
    """``"child"``, ``"adult"`` or ``"older_adult"`` from the age bands in the rule data.

    Rules ``population.child.below_age`` (18 years, UK SmPC) and
    ``population.older_adult.from_age`` (66 years, Muanda 2019).
    """
    if patient.age_years is None:
        raise missing(
            "patient.age",
            "an age such as '72 years'",
            "choosing the adult, older-adult or child rules",
        )
    if patient.age_years < rules["population.child.below_age"].require_value():
        return "child"
    if patient.age_years >= rules["population.older_adult.from_age"].require_value():
        return "older_adult"
    return "adult"


DIALYSIS_CODE: Final = "Z99.2"
"""ICD-10-CM Z99.2, "Dependence on renal dialysis" (identifiers.md section 3, two sources)."""
DIALYSIS_PREFIXES: Final = (DIALYSIS_CODE, DIALYSIS_CODE.replace(".", ""))
"""How an entry that may say dialysis begins (in capitals): the code with its dot or without
it, as CMS writes codes."""


def dialysis_condition(conditions: object) -> str | None:
    """The first of ``conditions`` (keys or ICD-10-CM codes, as given) that says the patient
    depends on dialysis (:data:`DIALYSIS_CODE`, with its dot or without it), or None. Anything
    that is not a list of strings gives None here (the interaction check refuses it, naming
    it). An entry that begins as that code but is not it ("Z99.2,N18.6", "Z99.29") is refused
    (InputError naming ``conditions``): it may say dialysis, and the dialysis rules differ."""
    if isinstance(conditions, str) or not isinstance(conditions, (list, tuple)):
        return None
    for condition in conditions:
        if not isinstance(condition, str):
            continue
        if icd10cm_code(condition) == DIALYSIS_CODE:
            return condition
        text = condition.strip().upper()
        if text.startswith(DIALYSIS_PREFIXES):
            # "Z99.2,N18.6", "Z99.2.", "Z99.29": it may say dialysis, but it is no code: the
            # patient is neither read as on dialysis nor as not (refused, naming it).
            raise InputError(
                "conditions", condition,
                f"one condition key or ICD-10-CM code in each entry ({DIALYSIS_CODE}: "
                "dependence on renal dialysis, with its dot or without it)",
                code="E_CONDITION",
            )  # fmt: skip
    return None


def read_dialysis(patient: Patient | None, conditions: object) -> tuple[Patient | None, str | None]:
    """The patient with dialysis read from a Z99.2 condition, and the condition that said it.

    The one reading of Z99.2 the order check, the screen and the CDS Hooks service share: a
    Z99.2 condition means on dialysis, whether or not other patient values were given: without
    a patient it states one, on dialysis and nothing else known (the check then asks for the
    age, as it does with dialysis=True alone: the dialysis rules differ for adults and
    children; never "dialysis not stated" nor the adult rules without kidney function). A
    patient stated NOT on dialysis together with Z99.2 is a conflict: refused, naming both
    inputs, never one of them chosen.

    >>> patient = Patient.from_inputs(
    ...     age="60 years", sex=None, weight=None, height=None, scr=None, dialysis=None)
    >>> read_dialysis(patient, ["Z99.2"])[0].dialysis
    True
    >>> read_dialysis(None, ["Z99.2"])[0].dialysis
    True
    """
    code = dialysis_condition(conditions)
    if code is None:
        return patient, code
    if patient is None:
        stated = Patient.from_inputs(
            age=None, sex=None, weight=None, height=None, scr=None, dialysis=True
        )
        return stated, code
    if patient.dialysis is False:
        raise InputError(
            "conditions",
            code,
            "either this condition (dependence on renal dialysis) or a patient stated not on "
            "dialysis (patient.dialysis), not both: correct the one that is wrong",
            problem="says the patient is on dialysis, while patient.dialysis says not",
            code="E_CONFLICT",
        )
    if patient.dialysis is True:
        return patient, code
    return attrs.evolve(patient, dialysis=True), code
