"""FHIR in: a MedicationRequest (R4 or R5, alone or in a Bundle) becomes an order to check.

:func:`read_medication_request` maps what FHIR can say exactly into the keyword arguments of
:func:`~baclofen_dose.check.check_order` (oral) or
:func:`~baclofen_dose.check.check_intrathecal_order` (intrathecal):

- ``doseAndRate[0].doseQuantity`` (UCUM ``mg``) -> ``dose`` (or ``doses`` when Dosages of one
  ``sequence`` give different doses at different times);
- ``timing.repeat`` ``frequency`` per ``period`` 1 ``periodUnit`` ``d``, or the count of
  distinct ``when`` codes or ``timeOfDay`` times, or ``timing.code`` BID/TID/QID
  -> ``times_per_day``;
- ``timing.repeat.boundsPeriod.start`` -> ``start``; Dosages with increasing ``sequence`` are
  steps, each checked with the step before it as ``previous`` (dose and start);
- intrathecal: ``doseAndRate[0].rateQuantity`` in ``ug/d``, ``ug/h`` or ``mg/d``
  -> ``daily_dose``;
- ``route`` (SNOMED CT 26643006 oral, 72607000 intrathecal) -> the check to run.

Anything it cannot represent exactly is refused with an :class:`~baclofen_dose.core.errors.
InputError` whose ``field`` is the FHIR path (``dosageInstruction[1].doseAndRate[0].doseRange``):
as-needed doses, ranges, an unknown unit, a period other than a day, a rate for an oral dose,
a ``modifierExtension``, ``doNotPerform``, a medication that is not named baclofen (or not
clearly: :mod:`baclofen_dose.interop.medication`), a route that contradicts the product's name,
missing pieces. Nothing is guessed and no clinical value is filled in.

>>> request = {
...     "resourceType": "MedicationRequest", "status": "draft", "intent": "order",
...     "subject": {"reference": "Patient/1"},
...     "medicationCodeableConcept": {"text": "baclofen 10 mg oral tablet"},
...     "dosageInstruction": [{
...         "route": {"coding": [{"system": "http://snomed.info/sct", "code": "26643006"}]},
...         "timing": {"repeat": {"frequency": 3, "period": 1, "periodUnit": "d"}},
...         "doseAndRate": [{"doseQuantity": {
...             "value": 25, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}}],
...     }],
... }
>>> order = read_medication_request(request)
>>> order.route, dict(order.check_arguments)
('oral', {'dose': '25 mg', 'times_per_day': 3})
>>> result = check_medication_request(request)
>>> [f.rule_id for f in result.findings if f.severity.value != "info"][:1]
['oral.adult.max_dose.us_label']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal

import attrs

from baclofen_dose.check import OrderCheck, check_intrathecal_order, check_order
from baclofen_dose.check.dose_text import stated_dose
from baclofen_dose.core import units
from baclofen_dose.core.errors import (
    ImplausibleValueError,
    InputError,
    InputTypeError,
    MissingInputError,
    UnitError,
)
from baclofen_dose.core.rules.codes import CodeTable, default_codes
from baclofen_dose.interop.medication import medication_identity
from baclofen_dose.render.protocol import parse_json

__all__ = [
    "MEDICATION_UNCLEAR",
    "NOT_BACLOFEN",
    "ROUTE_CONTRADICTS",
    "FhirOrder",
    "FhirStep",
    "FhirVersion",
    "check_fhir_order",
    "check_medication_request",
    "check_medication_request_steps",
    "read_fhir",
    "read_fhir_bundle",
    "read_fhir_json",
    "read_medication_request",
]


FhirVersion = Literal["R4", "R5"]
Route = Literal["oral", "intrathecal"]

_CODE: Final = "E_FHIR"
NOT_BACLOFEN: Final = "E_FHIR_NOT_BACLOFEN"
"""The error code of a MedicationRequest for another medicine (its medication names no
baclofen): not an order to check here, and in a Bundle a co-medication."""
ROUTE_CONTRADICTS: Final = "E_FHIR_ROUTE_CONTRADICTS"
"""The error code of a Dosage route that contradicts the product its medication names (an
intrathecal product by mouth, an oral tablet intrathecally): no route is ever converted."""
MEDICATION_UNCLEAR: Final = "E_FHIR_MEDICATION_UNCLEAR"
"""The error code of a medication that is not clearly baclofen ("not baclofen", "baclofen
allergy", a brand alone): neither checked as baclofen nor taken for another medicine."""
_MAX_DIGITS: Final = 15  # as the unit parser: more digits than any plausible amount
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T[0-9:.]+(?:Z|[+-][0-9]{2}:[0-9]{2}))?")
# Dosage elements that do not change the amount or its timing: read past, never used as the
# amount (text and patientInstruction are compared with it by the check).
_DOSAGE_IGNORED: Final = frozenset(
    {
        "id",
        "extension",
        "text",
        "patientInstruction",
        "additionalInstruction",
        "site",
        "method",
        "maxDosePerPeriod",
        "maxDosePerAdministration",
        "maxDosePerLifetime",
    }
)
_DOSAGE_READ: Final = frozenset({"sequence", "timing", "route", "doseAndRate"})
# Words of a route's text or display that name the other route (a contradiction of the code).
_OTHER_ROUTE: Final = {
    "oral": re.compile(r"\b(?:intrathecal(?:ly)?|spinal)\b", re.IGNORECASE),
    "intrathecal": re.compile(r"\b(?:oral(?:ly)?|by mouth|per os|p\.?o\.?)\b", re.IGNORECASE),
}
# How often a timing code's display says, in words ("four times a day", "twice daily").
_COUNT_WORDS: Final = {
    "once": 1, "twice": 2, "thrice": 3, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6,
}  # fmt: skip
_TIMES: Final = re.compile(
    r"\b(?:(once|twice|thrice)|([0-9]+|one|two|three|four|five|six)\s*(?:times|x)\b)",
    re.IGNORECASE,
)

_REPEAT_READ: Final = frozenset(
    {"frequency", "period", "periodUnit", "when", "timeOfDay", "boundsPeriod", "id", "extension"}
)
_REQUEST_REFUSED: Final = ("modifierExtension", "medicationReference")


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


# MedicationRequest.status (R4: active, on-hold, cancelled, completed, entered-in-error,
# stopped, draft, unknown; R5 adds ended). The ended ones are no (longer an) order to give.
ORDER_STATUSES: Final = frozenset({"active", "on-hold", "draft", "unknown"})
ENDED_STATUSES: Final = frozenset(
    {"cancelled", "completed", "entered-in-error", "stopped", "ended"}
)
_STATUS_EXPECTED: Final = "an order to give: status active, draft, on-hold or unknown"


def _status(request: Mapping[str, Any], path: str) -> None:
    """Refuse a request that is not an order to give (or whose status is not FHIR's)."""
    status = request.get("status")
    if status is None:
        raise _missing(path + "status", _STATUS_EXPECTED)
    if not isinstance(status, str):
        raise _refuse(path + "status", status, _STATUS_EXPECTED, "is not a status code")
    if status not in ORDER_STATUSES:
        problem = "is not a MedicationRequest status" if status not in ENDED_STATUSES else None
        raise _refuse(path + "status", status, _STATUS_EXPECTED, problem)


def _refuse(path: str, value: object, expected: str, problem: str | None = None) -> InputError:
    return InputError(path, value, expected, problem=problem, code=_CODE)


def _missing(path: str, expected: str) -> MissingInputError:
    return MissingInputError(path, expected, "the order read from FHIR")


@attrs.frozen
class FhirStep:
    """One step of the order (the Dosages of one ``sequence``), as check arguments.

    ``path`` is the FHIR path of its first Dosage; ``check_arguments`` the keyword arguments
    for the order check (strings with units, counts and dates, never a float).
    """

    sequence: int | None
    path: str
    start: date | None
    check_arguments: Mapping[str, Any] = attrs.field(converter=_frozen)


@attrs.frozen
class FhirOrder:
    """A MedicationRequest read for checking: route, medication, version and its steps."""

    route: Route
    version: FhirVersion
    medication: Mapping[str, Any] = attrs.field(converter=_frozen)
    steps: tuple[FhirStep, ...]
    path: str = ""

    @property
    def check_arguments(self) -> Mapping[str, Any]:
        """The check arguments of a one-step order (most orders).

        A request with several sequenced steps (a titration) has no single set: this raises
        ``InputError`` (``E_FHIR_STEPS``) rather than pick one; use :attr:`steps` or
        :func:`check_medication_request_steps`.
        """
        return self.only_step.check_arguments

    @property
    def only_step(self) -> FhirStep:
        """The one step of a one-step order (``InputError`` ``E_FHIR_STEPS`` otherwise)."""
        if len(self.steps) != 1:
            raise InputError(
                self.path + "dosageInstruction",
                f"{len(self.steps)} steps",
                "one step; check a sequenced plan step by step "
                "(FhirOrder.steps or check_medication_request_steps)",
                code="E_FHIR_STEPS",
            )
        return self.steps[0]


def _obj(value: object, path: str, expected: str = "a JSON object") -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _refuse(path, value, expected)
    return value


def _list(value: object, path: str) -> Sequence[Any]:
    if not isinstance(value, list) or not value:
        raise _refuse(path, value, "a non-empty JSON array")
    return value


def _text(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 1000:
        raise _refuse(path, value, "a non-empty string")
    return value


def _whole(value: object, path: str, expected: str) -> int:
    if isinstance(value, bool):
        raise _refuse(path, value, expected)
    if (
        isinstance(value, Decimal)
        and value.is_finite()
        and abs(value.adjusted()) <= _MAX_DIGITS  # int() of 1e999999999 would be huge
        and value == value.to_integral_value()
    ):
        value = int(value)
    if not isinstance(value, int) or value < 1:
        raise _refuse(path, value, expected)
    return value


def _number(value: object, path: str) -> str:
    """A JSON number as plain decimal text ("25", "7.5"); a float is read as its shortest repr
    (the text the JSON had), never through binary arithmetic."""
    if isinstance(value, bool):
        raise _refuse(path, value, "a decimal number")
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
        raise _refuse(path, value, "a positive, finite decimal number")
    # Checked before the number is written out: "1e999999999" would be a billion digits.
    if abs(value.adjusted()) > _MAX_DIGITS:
        raise _refuse(
            path, value, f"a number with at most {_MAX_DIGITS} digits either side of the point"
        )
    return format(value.normalize(), "f")


def _no_modifiers(node: Mapping[str, Any], path: str) -> None:
    if "modifierExtension" in node:
        raise _refuse(
            path + "modifierExtension",
            "present",
            "no modifier extension (it may change the meaning of the order)",
        )


def _quantity(node: object, path: str, codes: CodeTable, allowed: tuple[str, ...]) -> str:
    """A UCUM Quantity as the library's quantity text ("25 mg", "300 mcg/day")."""
    quantity = _obj(node, path)
    _no_modifiers(quantity, path + ".")
    unknown = sorted(
        set(quantity) - {"value", "unit", "system", "code", "id", "extension"}, key=str
    )
    if unknown:
        raise _refuse(f"{path}.{unknown[0]}", quantity[unknown[0]], "no " + unknown[0])
    if "value" not in quantity:
        raise _missing(path + ".value", "the amount")
    number = _number(quantity["value"], path + ".value")
    system = quantity.get("system")
    code = quantity.get("code")
    if code is None:
        raise _missing(path + ".code", "a UCUM code (" + ", ".join(allowed) + ")")
    if system != codes.systems["ucum"]:
        raise _refuse(path + ".system", system, codes.systems["ucum"] + " (UCUM)")
    if code not in allowed:
        raise _refuse(path + ".code", code, "one of the UCUM codes " + ", ".join(allowed))
    entry = codes.unit(code)
    shown = quantity.get("unit")
    if shown is not None and (
        not isinstance(shown, str) or shown not in {entry.code, entry.display, entry.library}
    ):
        raise _refuse(
            path + ".unit",
            shown,
            f"a display that agrees with the code {code!r} ({entry.display})",
            problem="disagrees with the code",
        )
    return f"{number} {entry.library}"


def _route(dosage: Mapping[str, Any], path: str, codes: CodeTable) -> Route:
    if "route" not in dosage:
        raise _missing(
            path + "route", "the route as SNOMED CT (oral 26643006, intrathecal 72607000)"
        )
    route = _obj(dosage["route"], path + "route")
    coding = _list(route.get("coding"), path + "route.coding")
    found: set[str] = set()
    for i, raw in enumerate(coding):
        entry = _obj(raw, f"{path}route.coding[{i}]")
        if entry.get("system") == codes.systems["snomed"]:
            known = codes.route_for(str(entry.get("code")))
            if known is None:
                raise _refuse(
                    f"{path}route.coding[{i}].code",
                    entry.get("code"),
                    "oral (26643006) or intrathecal (72607000)",
                )
            found.add(known)
    if len(found) == 1:
        (this,) = found
        said = [(f"{path}route.text", route.get("text"))]
        said += [(f"{path}route.coding[{i}].display", c.get("display"))
                 for i, c in enumerate(coding) if isinstance(c, Mapping)]  # fmt: skip
        for where, text in said:
            if isinstance(text, str) and _OTHER_ROUTE[this].search(text):
                raise _refuse(
                    where,
                    text,
                    f"a text that agrees with {path}route.coding ({this})",
                    problem=f"names another route than {path}route.coding ({this})",
                )
    if len(found) != 1:
        raise _refuse(
            path + "route.coding",
            [dict(c) for c in coding if isinstance(c, Mapping)],
            "exactly one route coded in SNOMED CT: oral (26643006) or intrathecal (72607000)",
        )
    return "oral" if "oral" in found else "intrathecal"


def _display_count(display: object, codes: CodeTable) -> int | None:
    """How many times a day a timing code's display says ("four times a day": 4; "QID": 4),
    or None when it says no number. Two different numbers: the first one (refused anyway
    unless it agrees with the code)."""
    if not isinstance(display, str):
        return None
    for word in re.findall(r"[A-Za-z]+", display):
        per_day = codes.times_per_day(word.upper())
        if per_day is not None:
            return per_day
    match = _TIMES.search(display)
    if match is None:
        return None
    word = (match[1] or match[2]).lower()
    return int(word) if word.isdigit() else _COUNT_WORDS[word]


def _date(value: object, path: str) -> date:
    text = value if isinstance(value, str) else ""
    match = _DATE.fullmatch(text)
    if match is None:
        raise _refuse(path, value, "a full date (YYYY-MM-DD) or dateTime")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _refuse(path, value, "a real calendar date") from None


def _times(dosage: Mapping[str, Any], path: str, codes: CodeTable) -> tuple[int, date | None]:
    """Times a day and the start date of one Dosage's timing."""
    if "timing" not in dosage:
        raise _missing(path + "timing", "how often: frequency per day, when codes or BID/TID/QID")
    timing = _obj(dosage["timing"], path + "timing")
    _no_modifiers(timing, path + "timing.")
    for key in sorted(set(timing) - {"repeat", "code", "id", "extension"}, key=str):
        raise _refuse(f"{path}timing.{key}", timing[key], "no " + key + " (not read)")
    counts: list[tuple[str, int]] = []
    start: date | None = None
    if "code" in timing:
        cpath = path + "timing.code"
        concept = _obj(timing["code"], cpath)
        coding = _list(concept.get("coding"), cpath + ".coding")
        for i, raw in enumerate(coding):
            entry = _obj(raw, f"{cpath}.coding[{i}]")
            code = entry.get("code")
            per_day = codes.times_per_day(code) if isinstance(code, str) else None
            if entry.get("system") != codes.systems["gts"] or per_day is None:
                raise _refuse(
                    f"{cpath}.coding[{i}]",
                    code,
                    "BID, TID or QID in " + codes.systems["gts"],
                )
            said = _display_count(entry.get("display"), codes)
            if said is not None and said != per_day:
                raise _refuse(
                    f"{cpath}.coding[{i}].display",
                    entry.get("display"),
                    f"a display that agrees with {cpath}.coding[{i}].code {code} "
                    f"({per_day} times a day)",
                    problem=f"says {said} times a day, while the code {code} says {per_day}",
                )
            counts.append((f"{cpath}.coding[{i}].code", per_day))
    if "repeat" in timing:
        rpath = path + "timing.repeat"
        repeat = _obj(timing["repeat"], rpath)
        _no_modifiers(repeat, rpath + ".")
        for key in sorted(set(repeat) - _REPEAT_READ, key=str):
            raise _refuse(f"{rpath}.{key}", repeat[key], f"no {key}: it cannot be checked exactly")
        if "frequency" in repeat or "period" in repeat or "periodUnit" in repeat:
            for key in ("frequency", "period", "periodUnit"):
                if key not in repeat:
                    raise _missing(f"{rpath}.{key}", "frequency, period 1 and periodUnit d")
            frequency = _whole(repeat["frequency"], rpath + ".frequency", "a whole number >= 1")
            if repeat["periodUnit"] != "d":
                raise _refuse(
                    rpath + ".periodUnit",
                    repeat["periodUnit"],
                    "d (a day)",
                    problem="is a period other than a day",
                )
            period = repeat["period"]
            exact = Decimal(repr(period)) if isinstance(period, float) else period
            if (
                isinstance(period, bool)
                or not isinstance(exact, (int, Decimal))
                or (isinstance(exact, Decimal) and not exact.is_finite())
                or exact != 1
            ):
                raise _refuse(
                    rpath + ".period",
                    period,
                    "1 (with periodUnit d)",
                    problem="is a period other than a day",
                )
            counts.append((rpath + ".frequency", frequency))
        for key in ("when", "timeOfDay"):
            if key in repeat:
                items = _list(repeat[key], f"{rpath}.{key}")
                for i, item in enumerate(items):
                    _text(item, f"{rpath}.{key}[{i}]")
                if len(set(items)) != len(items):
                    raise _refuse(f"{rpath}.{key}", items, f"each {key} once")
                for i, item in enumerate(items):
                    # MORN.early is a part of MORN: both would count one time of day twice.
                    whole = str(item).split(".", 1)[0]
                    if key == "when" and whole != item and whole in items:
                        raise _refuse(
                            f"{rpath}.{key}[{i}]",
                            item,
                            f"a time of day that is not part of another: {whole} "
                            f"({rpath}.{key}[{items.index(whole)}]) already includes it",
                            problem=f"is a part of {whole}, also given",
                        )
                counts.append((f"{rpath}.{key}", len(items)))
        if "boundsPeriod" in repeat:
            bounds = _obj(repeat["boundsPeriod"], rpath + ".boundsPeriod")
            if "start" in bounds:
                start = _date(bounds["start"], rpath + ".boundsPeriod.start")
            if "end" in bounds:
                end = _date(bounds["end"], rpath + ".boundsPeriod.end")
                if start is not None and end < start:  # safety.md 5 row 20: refused
                    raise _refuse(
                        rpath + ".boundsPeriod.end",
                        bounds["end"],
                        f"a date on or after the start ({start.isoformat()})",
                    )
    if not counts:
        raise _missing(path + "timing.repeat", "frequency per day, when codes or BID/TID/QID")
    first_path, first = counts[0]
    # Plausibility of the input (as the order check's): at most one dose an hour. Checked
    # here, before a step's doses are listed, so a huge frequency is refused at once.
    most = int(units.parse_unit("day", units.HOURS, first_path))
    if first > most:
        raise InputError(first_path, first, f"from 1 to {most} doses a day", code="E_TIMES_PER_DAY")
    for other_path, other in counts[1:]:
        if other != first:
            raise _refuse(
                other_path,
                other,
                f"{first} times a day, as {first_path} says",
                problem="disagrees with the other timing elements",
            )
    return first, start


def _dose(dosage: Mapping[str, Any], path: str, route: Route, codes: CodeTable) -> str:
    if "doseAndRate" not in dosage:
        raise _missing(path + "doseAndRate", "the dose (doseQuantity)")
    entries = _list(dosage["doseAndRate"], path + "doseAndRate")
    if len(entries) != 1:
        raise _refuse(path + "doseAndRate", f"{len(entries)} entries", "exactly one dose")
    dpath = path + "doseAndRate[0]"
    entry = _obj(entries[0], dpath)
    _no_modifiers(entry, dpath + ".")
    for key in ("doseRange", "rateRange", "rateRatio"):
        if key in entry:
            raise _refuse(f"{dpath}.{key}", entry[key], "one exact amount, not a range or ratio")
    for key in sorted(
        set(entry) - {"doseQuantity", "rateQuantity", "type", "id", "extension"}, key=str
    ):
        raise _refuse(f"{dpath}.{key}", entry[key], "no " + key)
    if route == "oral":
        if "rateQuantity" in entry:
            raise _refuse(
                dpath + ".rateQuantity", entry["rateQuantity"], "a doseQuantity for an oral dose"
            )
        if "doseQuantity" not in entry:
            raise _missing(dpath + ".doseQuantity", "the dose in mg")
        text = _quantity(entry["doseQuantity"], dpath + ".doseQuantity", codes, ("mg",))
        units.parse(text, units.ORAL_DOSE, dpath + ".doseQuantity")
        return text
    if "doseQuantity" in entry:
        raise _refuse(
            dpath + ".doseQuantity",
            entry["doseQuantity"],
            "a rateQuantity (the daily dose, ug/d or ug/h) for an intrathecal infusion",
        )
    if "rateQuantity" not in entry:
        raise _missing(dpath + ".rateQuantity", "the intrathecal daily dose (ug/d or ug/h)")
    text = _quantity(
        entry["rateQuantity"], dpath + ".rateQuantity", codes, ("ug/d", "ug/h", "mg/d")
    )
    units.parse(text, units.IT_DAILY_DOSE, dpath + ".rateQuantity")
    return text


def _medication(
    request: Mapping[str, Any], path: str, version: FhirVersion
) -> tuple[str, Mapping[str, Any], str | None]:
    if version == "R5":
        mpath = path + "medication"
        holder = _obj(request.get("medication"), mpath, "a CodeableReference")
        if "reference" in holder:
            raise _refuse(
                mpath + ".reference", holder["reference"], "the medication as a concept (code/text)"
            )
        mpath += ".concept"
        concept = _obj(holder.get("concept"), mpath, "a CodeableConcept")
    else:
        mpath = path + "medicationCodeableConcept"
        concept = _obj(request.get("medicationCodeableConcept"), mpath, "a CodeableConcept")
    names: list[str] = []
    codings: list[dict[str, str]] = []
    if "text" in concept:
        names.append(_text(concept["text"], mpath + ".text"))
    for i, raw in enumerate(concept.get("coding") or ()):
        entry = _obj(raw, f"{mpath}.coding[{i}]")
        kept = {k: str(entry[k]) for k in ("system", "code", "display") if k in entry}
        codings.append(kept)
        if "display" in entry:
            names.append(_text(entry["display"], f"{mpath}.coding[{i}].display"))
    found = medication_identity(concept)
    if found.unclear is not None:
        # Neither checked as baclofen nor taken for another medicine: say why, never guess.
        raise InputError(
            mpath + (".text" if "text" in concept else ".coding"),
            names[0] if names else codings,
            "a medication named plainly as baclofen, such as 'baclofen 10 mg oral tablet' "
            "(not checked: it is not clear that this orders baclofen)",
            problem=f"is not clearly baclofen: {found.unclear}",
            code=MEDICATION_UNCLEAR,
        )
    if not found.baclofen:
        raise InputError(
            mpath,
            names or codings,
            "a medication whose text or display names baclofen (no RxNorm code is confirmed "
            "in this library's code table, so a code alone cannot identify it)",
            code=NOT_BACLOFEN,
        )
    return mpath, {"text": names[0], "coding": tuple(codings)}, found.route_named


def _version(request: Mapping[str, Any], path: str, version: str | None) -> FhirVersion:
    r5 = "medication" in request
    r4 = "medicationCodeableConcept" in request or "medicationReference" in request
    if r4 and r5:
        raise _refuse(
            path + "medication", "medication and medicationCodeableConcept", "one of them"
        )
    if version is not None:
        if version not in ("R4", "R5"):
            raise InputError("version", version, "R4 or R5", code=_CODE)
        if (version == "R5" and r4) or (version == "R4" and r5):
            raise _refuse(
                path + ("medicationCodeableConcept" if r4 else "medication"),
                "present",
                f"the {version} element for the medication",
                problem=f"is not {version}",
            )
        return version  # type: ignore[return-value]
    if not (r4 or r5):
        raise _missing(path + "medicationCodeableConcept", "the medication (R4) or medication (R5)")
    return "R5" if r5 else "R4"


def _request(
    request: Mapping[str, Any], path: str, version: str | None, codes: CodeTable
) -> FhirOrder:
    if request.get("resourceType") != "MedicationRequest":
        raise _refuse(path + "resourceType", request.get("resourceType"), "MedicationRequest")
    _no_modifiers(request, path)
    if request.get("doNotPerform") not in (None, False):
        raise _refuse(
            path + "doNotPerform", request["doNotPerform"], "an order to give (no doNotPerform)"
        )
    if "medicationReference" in request:
        raise _refuse(
            path + "medicationReference", "present", "the medication as medicationCodeableConcept"
        )
    found = _version(request, path, version)
    mpath, medication, named = _medication(request, path, found)
    _status(request, path)  # after the medication: another medicine's request is not ours
    dosages = _list(request.get("dosageInstruction"), path + "dosageInstruction")
    groups: dict[int | None, list[tuple[str, str, int, date | None]]] = {}
    texts: dict[int | None, list[str]] = {}
    route: Route | None = None
    for i, raw in enumerate(dosages):
        dpath = f"{path}dosageInstruction[{i}]."
        dosage = _obj(raw, dpath[:-1])
        _no_modifiers(dosage, dpath)
        for key in ("asNeeded", "asNeededBoolean", "asNeededCodeableConcept", "asNeededFor"):
            # ``false`` says the dose is scheduled, which is what is read; anything else is not.
            if key in dosage and not (key != "asNeededFor" and dosage[key] is False):
                raise _refuse(
                    dpath + key, dosage[key], "a scheduled dose (as-needed is not checked)"
                )
        scheduled = {"asNeeded", "asNeededBoolean"}
        for key in sorted(set(dosage) - _DOSAGE_IGNORED - _DOSAGE_READ - scheduled, key=str):
            raise _refuse(dpath + key, dosage[key], f"no {key}: it cannot be checked exactly")
        sequence = None
        if "sequence" in dosage:
            sequence = _whole(dosage["sequence"], dpath + "sequence", "a whole number >= 1")
        elif len(dosages) > 1:
            raise _missing(dpath + "sequence", "a sequence number for each of several Dosages")
        this = _route(dosage, dpath, codes)
        if named is not None and this != named:
            # No route conversion, ever: a product of one route ordered on the other is refused,
            # naming both elements, rather than checked on either route.
            raise InputError(
                dpath + "route",
                this,
                f"the route of the medication: {mpath} names an {named} product "
                f"({medication['text']!r})",
                problem=f"contradicts {mpath} (an {named} product ordered by the {this} route)",
                code=ROUTE_CONTRADICTS,
            )
        if route is not None and this != route:
            raise _refuse(dpath + "route", this, f"{route}, as the other Dosages")
        route = this
        per_day, start = _times(dosage, dpath, codes)
        groups.setdefault(sequence, []).append(
            (dpath[:-1], _dose(dosage, dpath, this, codes), per_day, start)
        )
        for element in ("text", "patientInstruction"):
            # The dosage as written, and as the patient is told it: each compared by the check
            # with the structured dose (a patient follows the instruction), never used as it.
            # An instruction is compared only where it states one dose in mg (one in tablets
            # or spoonfuls, as this library writes them, is not the check's to read).
            written = dosage.get(element)
            if written is not None and not isinstance(written, str):
                raise _refuse(dpath + element, written, "a string (the dosage as written)")
            if element == "patientInstruction" and stated_dose(written or "") is None:
                continue
            if written is not None and written.strip():
                texts.setdefault(sequence, []).append(written)
    assert route is not None  # dosages is non-empty
    steps: list[FhirStep] = []
    for sequence in sorted(groups, key=lambda s: 0 if s is None else s):
        step = _step(sequence, groups[sequence], route, steps[-1] if steps else None)
        if route == "oral" and sequence in texts:
            # Each Dosage's text is read alone against the step's doses.
            written = {**step.check_arguments, "dose_text": tuple(texts[sequence])}
            step = attrs.evolve(step, check_arguments=written)
        steps.append(step)
    return FhirOrder(route, found, medication, tuple(steps), path)


def _step(
    sequence: int | None,
    group: list[tuple[str, str, int, date | None]],
    route: Route,
    before: FhirStep | None,
) -> FhirStep:
    first_path = group[0][0]
    starts = {start for _, _, _, start in group}
    if len(starts) > 1:
        raise _refuse(
            group[1][0] + ".timing.repeat.boundsPeriod.start",
            sorted(str(s) for s in starts if s),
            "the same start for Dosages of one sequence",
        )
    start = starts.pop()
    if (
        before is not None
        and start is not None
        and before.start is not None
        and (start <= before.start)
    ):
        raise _refuse(
            first_path + ".timing.repeat.boundsPeriod.start",
            start.isoformat(),
            f"a date after the previous step's start ({before.start.isoformat()})",
        )
    previous = None if before is None else before.check_arguments
    args: dict[str, Any] = {}
    if route == "oral":
        doses = [dose for _, dose, per_day, _ in group for _ in range(per_day)]
        if len(set(doses)) == 1:
            args["dose"] = doses[0]
            args["times_per_day"] = len(doses)
        else:
            args["doses"] = tuple(doses)
        if start is not None:
            args["start"] = start
        if previous is not None:
            if "doses" in previous:
                args["previous_doses"] = previous["doses"]
            else:
                args["previous"] = previous["dose"]
                args["previous_times_per_day"] = previous["times_per_day"]
            if "start" in previous:
                args["previous_start"] = previous["start"]
    else:
        if len(group) != 1 or group[0][2] != 1:
            raise _refuse(
                first_path + ".timing",
                f"{sum(g[2] for g in group)} a day",
                "one continuous daily dose (frequency 1 per day) for an intrathecal infusion",
            )
        args["daily_dose"] = group[0][1]
        if previous is not None and before is not None:
            args["previous_daily_dose"] = previous["daily_dose"]
            if start is not None and before.start is not None:
                hours = (start - before.start).days * 24
                args["hours_since_previous"] = f"{hours} hours"
    return FhirStep(sequence, first_path, start, args)


def read_fhir(
    resource: Mapping[str, Any], *, version: FhirVersion | None = None
) -> tuple[FhirOrder, ...]:
    """Read a MedicationRequest, or every baclofen MedicationRequest of a Bundle, as orders.

    A Bundle entry that is not a MedicationRequest is refused (naming ``entry[i]``), as is a
    Bundle without a baclofen one; a MedicationRequest for another medicine is not an order
    to check here (:func:`read_fhir_bundle` returns those as co-medications). ``version``
    ("R4" or "R5") is detected from the medication element when not given; a resource that
    disagrees with a given version is refused.
    """
    return read_fhir_bundle(resource, version=version)[0]


def read_fhir_bundle(
    resource: Mapping[str, Any], *, version: FhirVersion | None = None
) -> tuple[tuple[FhirOrder, ...], tuple[str, ...]]:
    """:func:`read_fhir`, and the other medicines a Bundle orders: each MedicationRequest that
    does not name baclofen, as ``RxCUI:<code>`` for its RxNorm codings or else its text (ready
    for the order check's ``medicines``; an unknown one is "not assessed" there, never
    dropped). A single MedicationRequest for another medicine is refused, naming its
    medication element. A request whose ``status`` says it is not an order to give (stopped,
    cancelled, completed, entered-in-error, R5 ended) is refused alone and left out of a
    Bundle (neither checked nor counted); a status FHIR does not define is refused.
    """
    codes = default_codes()
    node = _obj(resource, "resource")
    if node.get("resourceType") != "Bundle":
        return (_request(node, "", version, codes),), ()
    entries = _list(node.get("entry"), "entry")
    orders: list[FhirOrder] = []
    others: list[str] = []
    refused: InputError | None = None
    for i, raw in enumerate(entries):
        entry = _obj(raw, f"entry[{i}]")
        where = f"entry[{i}].resource."
        inner = _obj(entry.get("resource"), where[:-1])
        status = inner.get("status")
        if inner.get("resourceType") == "MedicationRequest" and (
            isinstance(status, str) and status in ENDED_STATUSES
        ):
            # Not an order to give (stopped, entered in error...): neither checked nor counted
            # as another baclofen order or a co-medication.
            try:
                _status(inner, where)
            except InputError as exc:
                refused = refused or exc
            continue
        try:
            orders.append(_request(inner, where, version, codes))
        except InputError as exc:
            if exc.code != NOT_BACLOFEN:
                raise  # a baclofen order that cannot be read, or a medication not clearly one
            refused = refused or exc
            others += _other_medicine(inner)
    if not orders:
        raise refused or _refuse("entry", "no MedicationRequest", "a baclofen MedicationRequest")
    return tuple(orders), tuple(dict.fromkeys(others))


RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
"""The RxNorm code system URI."""


def medication_concept(request: Mapping[str, Any]) -> object:
    """The medication's CodeableConcept (R4 ``medicationCodeableConcept``; R5 ``medication``,
    a CodeableReference, its ``concept``); anything else as found (callers check the type)."""
    concept = request.get("medicationCodeableConcept")
    holder = request.get("medication")
    if concept is None and isinstance(holder, Mapping):
        concept = holder.get("concept")
    return concept


def concept_codes(concept: object, system: str) -> list[str]:
    """The codes of ``system`` in a CodeableConcept (none when it is not one)."""
    if not isinstance(concept, Mapping):
        return []
    codings = concept.get("coding")
    if not isinstance(codings, list):
        return []
    return [
        c["code"]
        for c in codings
        if isinstance(c, Mapping) and c.get("system") == system and isinstance(c.get("code"), str)
    ]


def _other_medicine(request: Mapping[str, Any]) -> list[str]:
    """How the order check names another medicine's request: its RxNorm codes, else its text."""
    concept = medication_concept(request)
    cuis = [f"RxCUI:{code}" for code in concept_codes(concept, RXNORM)]
    if cuis or not isinstance(concept, Mapping):
        return cuis
    codings = [c for c in concept.get("coding") or () if isinstance(c, Mapping)]
    text = concept.get("text")
    names = [text] if isinstance(text, str) else []
    names += [c["display"] for c in codings if isinstance(c.get("display"), str)]
    return names[:1]


def read_medication_request(
    resource: Mapping[str, Any], *, version: FhirVersion | None = None
) -> FhirOrder:
    """Read one MedicationRequest (or a Bundle holding exactly one) as an order to check.

    Raises ``InputError`` (code ``E_FHIR``, ``field`` = the FHIR path) or
    ``MissingInputError`` for whatever cannot be read exactly.
    """
    orders = read_fhir(resource, version=version)
    if len(orders) != 1:
        raise _refuse("entry", f"{len(orders)} MedicationRequests", "exactly one; use read_fhir")
    return orders[0]


def read_fhir_json(
    source: str | bytes, *, version: FhirVersion | None = None
) -> tuple[FhirOrder, ...]:
    """:func:`read_fhir` on JSON text, parsed with the library's bounded parser (size, depth,
    duplicate keys, exact decimals)."""
    return read_fhir(parse_json(source), version=version)


# Where each check argument comes from in a Dosage (for errors raised by the check itself).
_ARGUMENT_PATHS: Final = {
    "dose": ".doseAndRate[0].doseQuantity",
    "doses": ".doseAndRate[0].doseQuantity",
    "times_per_day": ".timing",
    "start": ".timing.repeat.boundsPeriod.start",
    "daily_dose": ".doseAndRate[0].rateQuantity",
    "hours_since_previous": ".timing.repeat.boundsPeriod.start",
    "dose_text": ".text",
}


def _check(order: FhirOrder, step: FhirStep, check_kwargs: Mapping[str, Any]) -> OrderCheck:
    clash = sorted(set(check_kwargs) & set(step.check_arguments))
    if clash:
        raise InputError(
            clash[0],
            check_kwargs[clash[0]],
            "no value: the FHIR resource gives it (" + step.path + ")",
            code=_CODE,
        )
    args = {**step.check_arguments, **check_kwargs}
    try:
        if order.route == "oral":
            return check_order(**args)
        return check_intrathecal_order(**args)
    except InputError as exc:
        name = exc.field.split("[", 1)[0]
        if name not in step.check_arguments:
            raise  # a caller's keyword (patient, overrides...): its own name
        # A value read from the resource: the error names the FHIR path it came from.
        path = step.path + _ARGUMENT_PATHS.get(name, "")
        if isinstance(exc, MissingInputError):
            raise MissingInputError(path, exc.expected, exc.needed_for) from exc
        kind = type(exc) if type(exc) in (UnitError, ImplausibleValueError) else InputError
        raise kind(path, exc.value, exc.expected, problem=exc.problem, code=exc.code) from exc


def check_medication_request(
    resource: Mapping[str, Any], *, version: FhirVersion | None = None, **check_kwargs: Any
) -> OrderCheck:
    """Read a one-step MedicationRequest and check it: :func:`read_medication_request`, then
    :func:`~baclofen_dose.check.check_order` or
    :func:`~baclofen_dose.check.check_intrathecal_order` with ``check_kwargs`` (patient,
    medicines, overrides...) added. A keyword the resource already gives (``dose``...) is
    refused rather than silently replaced."""
    order = read_medication_request(resource, version=version)
    return _check(order, order.only_step, check_kwargs)


def check_medication_request_steps(
    resource: Mapping[str, Any], *, version: FhirVersion | None = None, **check_kwargs: Any
) -> tuple[OrderCheck, ...]:
    """Check every step of a MedicationRequest (each against the step before it)."""
    return check_fhir_order(read_medication_request(resource, version=version), **check_kwargs)


def check_fhir_order(order: FhirOrder, **check_kwargs: Any) -> tuple[OrderCheck, ...]:
    """Check every step of an order already read (from :func:`read_fhir`), each against the
    step before it, with ``check_kwargs`` added (refused when the order gives them)."""
    if not isinstance(order, FhirOrder):
        raise InputTypeError("order", order, "a FhirOrder from read_fhir()")
    return tuple(_check(order, step, check_kwargs) for step in order.steps)
