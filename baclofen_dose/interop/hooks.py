"""CDS Hooks 2.0: a pure handler (JSON-ready dict in, dict out) for baclofen orders.

- :func:`hook_discovery` the ``GET /cds-services`` answer: ``order-select`` and ``order-sign``
  services with their prefetch templates (patient; serum creatinine, eGFR and body weight
  Observations; active MedicationRequests; active Conditions);
- :func:`handle_hook` one hook call: each baclofen ``MedicationRequest`` in ``context.draftOrders``
  is read with :func:`~baclofen_dose.interop.fhir.read_medication_request` and judged by the
  order check with what the prefetch says about the patient; the findings become cards;
- :func:`read_hook_feedback` a ``POST /cds-services/{id}/feedback`` body, checked, as records.

Nothing is guessed. A value the prefetch does not give, or gives too old (a creatinine older
than ``interop.renal.lab_max_age``), or in a unit the library does not read, is not used and
the card says so ("not assessed: no serum creatinine or eGFR in the last 30 days"). Dialysis
is known only from an active ``Z99.2`` Condition (dependence on renal dialysis); otherwise it
is "not stated" and a computed CrCl is judged as given, which the card says. The date that
ages are counted to is the order's ``authoredOn`` (or ``as_of``, or the date of the call the
caller states): this module reads no clock.

Cards: ``indicator`` from the finding's severity (``hard`` -> ``critical``), ``summary`` at most
140 characters, ``detail`` and every other text from render/, ``source`` from the rule's source
(label and URL), ``overrideReasons`` on soft-limit findings, ``suggestions`` with an ``update``
action where a corrected order exists (the renal-capped dose), and a ``uuid`` on every card.

>>> sorted(s["hook"] for s in hook_discovery()["services"])
['order-select', 'order-sign']
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from baclofen_dose.check import OrderCheck, check_order
from baclofen_dose.check.order import NotAssessed
from baclofen_dose.core import numeric, units
from baclofen_dose.core.errors import BaclofenDoseError, InputError, InputTypeError
from baclofen_dose.core.limits import parse_date
from baclofen_dose.core.model import Amount, Finding, ParamValue, Severity
from baclofen_dose.core.rules import RuleSet, Source, default_rules
from baclofen_dose.core.rules.interactions import InteractionTable, default_interactions
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.interop import fhir
from baclofen_dose.oral import renal
from baclofen_dose.oral.patient import Patient, dialysis_condition, population
from baclofen_dose.oral.titration import adolescent_policy_applies, adolescent_policy_name
from baclofen_dose.render.cards import (
    card_text,
    finding_detail,
    finding_summary,
    note_text,
)
from baclofen_dose.render.sentences.hooks import OVERRIDE_REASONS

if TYPE_CHECKING:
    from baclofen_dose.core.types import Sex

__all__ = [
    "HOOKS",
    "OVERRIDE_REASON_SYSTEM",
    "PREFETCH",
    "SERVICE_IDS",
    "HookFeedback",
    "HooksConfig",
    "handle_hook",
    "hook_discovery",
    "read_hook_feedback",
]

RULES: Final = requires(
    __name__,
    {
        "interop.renal.lab_max_age": "interval",
        "oral.adult.dose.grid": "oral.dose",
    },
)


JsonObject = Mapping[str, Any]

SERVICE_IDS: Final = {"baclofen-order-select": "order-select", "baclofen-order-sign": "order-sign"}
"""The service ids this handler answers, with their hooks."""
HOOKS: Final = tuple(SERVICE_IDS.values())

_LOINC: Final = "http://loinc.org"
_ICD10CM: Final = "http://hl7.org/fhir/sid/icd-10-cm"
_RXNORM: Final = fhir.RXNORM
_UCUM: Final = "http://unitsofmeasure.org"
# LOINC codes (shared/reference/identifiers.md section 4, each [2 SOURCES]) with the UCUM units
# read for each, mapped to the library's unit spelling. A unit not listed is not read.
_CREATININE: Final = {"2160-0": {"mg/dL": "mg/dL"}, "14682-9": {"umol/L": "micromol/L"}}
_EGFR: Final = {"98979-8": {"mL/min/{1.73_m2}": "mL/min/1.73 m2"}}
_WEIGHT: Final = {"29463-7": {"kg": "kg", "g": "g", "[lb_av]": "lb"}}
_FINAL: Final = ("final", "amended", "corrected")

_Q: Final = "Observation?patient={{context.patientId}}&code="
PREFETCH: Final = {
    "patient": "Patient/{{context.patientId}}",
    "creatinine": _Q + ",".join(f"{_LOINC}|{c}" for c in _CREATININE) + "&_sort=-date&_count=5",
    "egfr": _Q + ",".join(f"{_LOINC}|{c}" for c in _EGFR) + "&_sort=-date&_count=5",
    "weight": _Q + ",".join(f"{_LOINC}|{c}" for c in _WEIGHT) + "&_sort=-date&_count=5",
    "medications": "MedicationRequest?patient={{context.patientId}}&status=active",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
}
"""The prefetch templates every service asks for (CDS Hooks 2.0 prefetch tokens)."""
_PREFETCH_WHAT: Final = {
    "patient": "Patient",
    "creatinine": "serum creatinine Observations",
    "egfr": "eGFR Observations",
    "weight": "body weight Observations",
    "medications": "active MedicationRequests",
    "conditions": "active Conditions",
}

OVERRIDE_REASON_SYSTEM: Final = "urn:baclofen-dose:cds-hooks:override-reason"
"""The code system of the override reasons the cards offer."""

def _ended(resource: JsonObject) -> bool:
    """A MedicationRequest whose status says it is no (longer an) order to give: neither
    checked nor counted as a co-medication or another baclofen order."""
    status = resource.get("status")
    return isinstance(status, str) and status in fhir.ENDED_STATUSES


_INDICATOR: Final = {Severity.HARD: "critical", Severity.WARNING: "warning", Severity.INFO: "info"}
_DATE_PREFIX = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _bad(field: str, value: object, expected: str) -> InputError:
    return InputError(field, value, expected, code="E_CDS_HOOKS")


def _service(service_id: object) -> str:
    """The hook of a service id; ``InputError`` for any other value."""
    if not isinstance(service_id, str) or service_id not in SERVICE_IDS:
        raise _bad("service", service_id, "one of " + ", ".join(SERVICE_IDS))
    return SERVICE_IDS[service_id]


@attrs.frozen
class HooksConfig:
    """Settings of the handler: the rule set, the interaction table, and how old a kidney
    function or weight measurement may be (days; ``None``: the rule
    ``interop.renal.lab_max_age``), and the ``adolescent_policy`` of the institution, given to
    the check for patients aged 12 to under 18 only (as ``check_order(adolescent_policy=)``)."""

    rules: RuleSet = attrs.field(factory=default_rules)
    interactions: InteractionTable = attrs.field(factory=default_interactions)
    lab_max_age_days: int | None = None
    adolescent_policy: str | None = None

    def __attrs_post_init__(self) -> None:
        days = self.lab_max_age_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise InputTypeError("lab_max_age_days", days, "a whole number of days, 1 or more")
        adolescent_policy_name(self.adolescent_policy, self.rules)

    @property
    def max_age_days(self) -> int:
        """The window in days (the setting, else the rule)."""
        if self.lab_max_age_days is not None:
            return self.lab_max_age_days
        return int(self.rules["interop.renal.lab_max_age"].require_value())


# ---------------------------------------------------------------------------------------------
# Discovery


def hook_discovery() -> dict[str, Any]:
    """The discovery document (``GET /cds-services``)."""
    return {
        "services": [
            {
                "hook": hook,
                "id": service_id,
                "title": card_text("SERVICE_TITLE") + f" ({hook})",
                "description": card_text("SERVICE_DESCRIPTION"),
                "prefetch": dict(PREFETCH),
            }
            for service_id, hook in SERVICE_IDS.items()
        ]
    }


# ---------------------------------------------------------------------------------------------
# Prefetch


@attrs.frozen
class _Context:
    """What the prefetch says about the patient, as check arguments, and what it could not say."""

    patient: Patient | None
    check_kwargs: Mapping[str, Any]
    medicines: tuple[str, ...]
    conditions: tuple[str, ...]
    notes: tuple[NotAssessed, ...]
    facts: tuple[NotAssessed, ...]


def _obj(value: object, where: str) -> JsonObject:
    if not isinstance(value, Mapping):
        raise _bad(where, value, "a JSON object")
    return value


def _resources(
    prefetch: JsonObject, key: str, notes: list[NotAssessed], patient_id: str | None
) -> list[JsonObject]:
    """The resources of a prefetch entry: a resource or a searchset Bundle's entries."""
    value = prefetch.get(key)
    if value is None:  # absent, or null: the EHR could not fetch it (CDS Hooks 2.0)
        notes.append(
            NotAssessed(
                "prefetch", key, "NOT_IN_PREFETCH", {"key": key, "what": _PREFETCH_WHAT[key]}
            )
        )
        return []
    node = _obj(value, f"prefetch.{key}")
    if node.get("resourceType") != "Bundle":
        return _same_patient([(f"prefetch.{key}", node)], patient_id, notes)
    entries = node.get("entry") or []
    if not isinstance(entries, list):
        raise _bad(f"prefetch.{key}.entry", entries, "a list of entries")
    found = []
    for i, entry in enumerate(entries):
        where = f"prefetch.{key}.entry[{i}]"
        resource = _obj(entry, where).get("resource")
        found.append((where + ".resource", _obj(resource, where + ".resource")))
    return _same_patient(found, patient_id, notes)


def _same_patient(
    found: list[tuple[str, JsonObject]], patient_id: str | None, notes: list[NotAssessed]
) -> list[JsonObject]:
    """The resources about ``context.patientId``: a Patient with another id refuses the whole
    call (an age or sex from someone else); another resource whose ``subject`` names another
    patient is left out and named."""
    if patient_id is None:
        return [resource for _, resource in found]
    kept = []
    for where, resource in found:
        if resource.get("resourceType") == "Patient":
            if resource.get("id") not in (None, patient_id):
                raise _bad(where + ".id", resource.get("id"), f"the hook's patient {patient_id}")
        else:
            subject = resource.get("subject")
            reference = subject.get("reference") if isinstance(subject, Mapping) else None
            if reference is not None and reference != f"Patient/{patient_id}":
                problem = f"is about {reference}, not Patient/{patient_id}"
                notes.append(
                    NotAssessed(
                        "prefetch", where, "UNREADABLE_RESOURCE",
                        {"where": where + ".subject", "problem": problem},
                    )
                )  # fmt: skip
                continue
        kept.append(resource)
    return kept


def _day(value: object, where: str) -> date:
    if not isinstance(value, str) or not _DATE_PREFIX.match(value):
        raise _bad(where, value, "a FHIR date or dateTime (YYYY-MM-DD...)")
    return parse_date(value[:10], where)


_INSTANT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})"
)


def _instant(value: str) -> datetime | None:
    """The instant of a FHIR dateTime with a time and a zone; ``None`` for a date alone (or a
    form this reader does not order by)."""
    if not _INSTANT.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@attrs.frozen
class _Measured:
    text: str
    on: date
    loinc: str
    where: str
    at: datetime | None = None


def _latest(
    resources: Sequence[JsonObject],
    table: Mapping[str, Mapping[str, str]],
    key: str,
    as_of: date | None,
    days: int,
    notes: list[NotAssessed],
) -> tuple[_Measured | None, str]:
    """The latest final Observation of ``table``'s codes in the window, and why none was used."""
    candidates: list[_Measured] = []
    seen: list[str] = []
    for i, obs in enumerate(resources):
        where = f"prefetch.{key}[{i}]"
        if obs.get("resourceType") != "Observation":
            continue
        loinc = next((c for c in fhir.concept_codes(obs.get("code"), _LOINC) if c in table), None)
        if loinc is None:
            continue
        try:
            if obs.get("status") not in _FINAL:
                raise _bad(where + ".status", obs.get("status"), "final, amended or corrected")
            on = _day(obs.get("effectiveDateTime"), where + ".effectiveDateTime")
            quantity = _obj(obs.get("valueQuantity"), where + ".valueQuantity")
            unit = quantity.get("code")
            if (
                quantity.get("system") != _UCUM
                or not isinstance(unit, str)
                or unit not in table[loinc]
            ):
                raise _bad(
                    where + ".valueQuantity" + (".code" if unit is None else ""),
                    unit,
                    "a UCUM unit read for LOINC " + loinc + ": " + ", ".join(table[loinc]),
                )
            value = quantity.get("value")
            # A JSON number is read exactly by the server's parser (a Decimal or an int).
            if not isinstance(value, (int, Decimal)) or isinstance(value, bool):
                raise _bad(where + ".valueQuantity.value", value, "a number")
        except InputError as exc:
            notes.append(
                NotAssessed("prefetch", where, "UNREADABLE_RESOURCE", _unreadable(exc))
            )
            continue
        if as_of is None:
            continue
        age = (as_of - on).days
        if age < 0 or age > days:
            seen.append(on.isoformat())
            continue
        number = format(value, "f") if isinstance(value, Decimal) else str(value)
        raw_time = obs.get("effectiveDateTime")
        at = _instant(raw_time) if isinstance(raw_time, str) else None
        candidates.append(
            _Measured(f"{number} {table[loinc][str(unit)]}", on, loinc, where, at)
        )
    why = "" if not seen else " (the latest seen is dated " + max(seen) + ")"
    if not candidates:
        return None, why
    # The latest by its instant; on the latest day, values whose times do not order them
    # (a date alone) and that differ are not used: which one is current is not guessed.
    last_day = max(m.on for m in candidates)
    same_day = [m for m in candidates if m.on == last_day]
    if all(m.at is not None for m in same_day):
        last = max(m.at for m in same_day if m.at is not None)
        same_day = [m for m in same_day if m.at == last]
    if len({m.text for m in same_day}) > 1:
        notes.append(
            NotAssessed(
                "prefetch", key, "SAME_DAY_CONFLICT",
                {"key": key, "date": last_day.isoformat(),
                 "values": ", ".join(f"{m.text} ({m.where})" for m in same_day)},
            )
        )  # fmt: skip
        return None, _REFUSED
    return same_day[0], why


def _read_patient(
    prefetch: JsonObject, as_of: date | None, notes: list[NotAssessed], patient_id: str | None
) -> tuple[date | None, str | None]:
    """Birth date and sex (``female``/``male``; anything else is not stated)."""
    found = _resources(prefetch, "patient", notes, patient_id)
    if not found:
        notes.append(NotAssessed("patient", "Patient", "NO_PATIENT"))
        return None, None
    patient = found[0]
    if patient.get("resourceType") != "Patient":
        raise _bad("prefetch.patient.resourceType", patient.get("resourceType"), "Patient")
    born: date | None = None
    raw = patient.get("birthDate")
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        born = parse_date(raw, "prefetch.patient.birthDate")
    else:  # absent, or a partial date (year only): the age is not known to the day
        given = "missing" if raw is None else str(raw)
        notes.append(NotAssessed("patient", given, "NO_BIRTH_DATE"))
    gender = patient.get("gender")
    sex = gender if gender in ("female", "male") else None
    if sex is None:
        notes.append(NotAssessed("patient", str(gender), "NO_SEX"))
    if as_of is None:
        notes.append(NotAssessed("order", "authoredOn", "NO_ORDER_DATE"))
    return born, sex


def _read_conditions(
    prefetch: JsonObject, notes: list[NotAssessed], patient_id: str | None
) -> tuple[str, ...]:
    codes: list[str] = []
    for i, condition in enumerate(_resources(prefetch, "conditions", notes, patient_id)):
        if condition.get("resourceType") != "Condition":
            continue
        status = fhir.concept_codes(
            condition.get("clinicalStatus"),
            "http://terminology.hl7.org/CodeSystem/condition-clinical",
        )
        verification = fhir.concept_codes(
            condition.get("verificationStatus"),
            "http://terminology.hl7.org/CodeSystem/condition-ver-status",
        )
        if (
            status
            and "active" not in status
            and "recurrence" not in status
            and "relapse" not in status
        ) or (set(verification) & {"refuted", "entered-in-error"}):
            continue
        icd = fhir.concept_codes(condition.get("code"), _ICD10CM)
        if not icd:
            text = (
                condition.get("code", {}).get("text")
                if isinstance(condition.get("code"), Mapping)
                else None
            )
            notes.append(
                NotAssessed("condition", str(text or f"conditions[{i}]"), "CONDITION_NOT_ICD10CM")
            )
        codes += icd
    return tuple(dict.fromkeys(codes))


def _read_medicines(
    prefetch: JsonObject, notes: list[NotAssessed], patient_id: str | None
) -> tuple[str, ...]:
    found: list[str] = []
    for i, request in enumerate(_resources(prefetch, "medications", notes, patient_id)):
        if request.get("resourceType") != "MedicationRequest" or _ended(request):
            continue
        concept = fhir.medication_concept(request)
        cuis = fhir.concept_codes(concept, _RXNORM)
        if not cuis:
            text = concept.get("text") if isinstance(concept, Mapping) else None
            notes.append(
                NotAssessed("medicine", str(text or f"medications[{i}]"), "MEDICINE_NOT_RXNORM")
            )
        found += [f"RxCUI:{c}" for c in cuis]
    return tuple(dict.fromkeys(found))


def _context(
    prefetch: JsonObject,
    as_of: date | None,
    config: HooksConfig,
    *,
    oral: bool,
    patient_id: str | None,
) -> _Context:
    notes: list[NotAssessed] = []
    facts: list[NotAssessed] = []
    days = config.max_age_days
    window: dict[str, ParamValue] = {
        "days": Amount(Fraction(days), units.DAYS),
        "as_of": as_of.isoformat() if as_of else "(not known)",
    }
    born, sex = _read_patient(prefetch, as_of, notes, patient_id)
    conditions = _read_conditions(prefetch, notes, patient_id)
    medicines = _read_medicines(prefetch, notes, patient_id)
    dialysis: bool | None = None
    on_dialysis = dialysis_condition(list(conditions))  # the check reads it the same way
    if on_dialysis is not None:
        dialysis = True
        facts.append(NotAssessed("renal", on_dialysis, "DIALYSIS_FROM_CONDITION"))
    scr = egfr = weight = None
    if oral:  # the intrathecal check has no renal or weight rule: nothing to read or miss
        scr, why_scr = _latest(
            _resources(prefetch, "creatinine", notes, patient_id),
            _CREATININE,
            "creatinine",
            as_of,
            days,
            notes,
        )
        egfr, why_egfr = _latest(
            _resources(prefetch, "egfr", notes, patient_id), _EGFR, "egfr", as_of, days, notes
        )
        weight, why_weight = _latest(
            _resources(prefetch, "weight", notes, patient_id), _WEIGHT, "weight", as_of, days, notes
        )
        if scr is None and egfr is None:
            why = why_scr or why_egfr
            notes.append(
                NotAssessed("renal", "creatinine", "NO_RECENT_RENAL", {**window, "why": why})
            )
        if weight is None:
            notes.append(
                NotAssessed("weight", "weight", "NO_RECENT_WEIGHT", {**window, "why": why_weight})
            )
    patient: Patient | None = None
    if not any(n.code == "NO_PATIENT" for n in notes):
        # A value the patient model refuses (an implausible creatinine or weight: a unit slip;
        # a birth date after the order) is not used, and said; it never stops the checks that
        # do not need it. The latest measurement is refused rather than an older one used.
        weight_was = weight
        while True:
            try:
                patient = _patient(born, as_of, sex, weight, scr, dialysis, config.rules)
                break
            except InputError as exc:
                if exc.field == "patient.born" and born is not None:
                    notes.append(NotAssessed("patient", born.isoformat(), "NO_BIRTH_DATE"))
                    born = None
                    continue
                if exc.field == "patient.scr" and scr is not None:
                    bad, scr = scr, None
                elif exc.field == "patient.weight" and weight is not None:
                    bad, weight = weight, None
                else:
                    raise
                notes.append(
                    NotAssessed(
                        "prefetch", bad.where, "UNREADABLE_RESOURCE", _unreadable(exc, bad.where)
                    )
                )
                refused: dict[str, ParamValue] = {**window, "why": _REFUSED}
                if bad is weight_was:
                    notes.append(NotAssessed("weight", "weight", "NO_RECENT_WEIGHT", refused))
                elif egfr is None:
                    notes.append(NotAssessed("renal", "creatinine", "NO_RECENT_RENAL", refused))
    kwargs: dict[str, Any] = {}
    if egfr is not None:
        kwargs["measured_egfr"] = egfr.text
        facts.append(
            NotAssessed(
                "renal", egfr.text, "EGFR_MEASURED",
                {"egfr": Amount(units.parse(egfr.text, units.EGFR, "egfr"), units.EGFR, "estimate"),
                 "egfr_date": egfr.on.isoformat(), "loinc": egfr.loinc},
            )
        )  # fmt: skip
    if patient is not None and dialysis is None and scr is not None and weight is not None:
        crcl = _computed_crcl(patient, config.rules)
        if crcl is not None:
            kwargs["measured_crcl"] = f"{_plain(crcl)} mL/min"
            facts.append(
                NotAssessed(
                    "renal", "Cockcroft-Gault", "CRCL_COMPUTED",
                    {"crcl": Amount(crcl, units.RENAL_CLEARANCE, "estimate"), "scr": scr.text,
                     "scr_date": scr.on.isoformat(), "weight": weight.text,
                     "weight_date": weight.on.isoformat(),
                     "age": Amount(patient.age_years or Fraction(0), units.YEARS),
                     "sex": sex or ""},
                )
            )  # fmt: skip
    if "measured_crcl" in kwargs or "measured_egfr" in kwargs:
        kwargs["measured_method"] = (
            "cockcroft_gault" if "measured_egfr" not in kwargs
            else "ckd_epi_2021" if "measured_crcl" not in kwargs
            else "other"
        )  # fmt: skip
    return _Context(patient, kwargs, medicines, conditions, tuple(notes), tuple(facts))


# Why a window has no value left when the latest one was refused (the note before says why).
_REFUSED: Final = " that could be used (the latest one was not used: see above)"


def _unreadable(error: InputError, where: str | None = None) -> dict[str, ParamValue]:
    """The note parameters of a prefetch value that is not used: where (the prefetch path;
    ``where`` when the error names the patient model's field), and the whole reason (what was
    given, what is wrong with it and what was expected)."""
    if error.value is None and error.problem is None:
        reason = "missing; expected " + error.expected
    else:
        reason = str(error).removeprefix(error.field + ": ")
    return {"where": where or error.field, "problem": reason}


def _patient(
    born: date | None,
    as_of: date | None,
    sex: str | None,
    weight: _Measured | None,
    scr: _Measured | None,
    dialysis: bool | None,
    rules: RuleSet,
) -> Patient:
    """The prefetch's patient; without a usable birth date (or order date), of unknown age
    (the check then says the age bands were not assessed and applies the adult rules)."""
    common: dict[str, Any] = {
        "sex": cast("Sex | None", sex),  # checked by the model like a caller's value
        "weight": None if weight is None else weight.text,
        "height": None,
        "scr": None if scr is None else scr.text,
        "dialysis": dialysis,
        "rules": rules,
    }
    if born is not None and as_of is not None:
        return Patient.from_birth_date(born=born, as_of=as_of, **common)
    return Patient.from_inputs(age=None, **common)


def _computed_crcl(patient: Patient, rules: RuleSet) -> Fraction | None:
    """Cockcroft-Gault CrCl rounded down to 0.1 mL/min (down: never a milder renal band).

    ``None`` when it does not apply (a child: the check says the children's rules have no
    renal rule). With dialysis not stated, the check judges this value as given and says so.
    """
    try:
        estimate = renal.cockcroft_gault(patient, rules=rules)
    except BaclofenDoseError:
        return None
    tenth = Fraction(1, 10)
    return (estimate.value // tenth) * tenth


# ---------------------------------------------------------------------------------------------
# Cards


def _source(finding: Finding, config: HooksConfig) -> Source | None:
    if finding.rule_id in config.rules:
        return config.rules[finding.rule_id].source
    table = config.interactions
    for cls in table.classes:
        if cls.rule_id == finding.rule_id:
            return cls.source
    for condition in table.conditions.values():
        if condition.rule_id == finding.rule_id:
            return condition.source
    for criterion in table.criteria.values():
        if criterion.rule_id == finding.rule_id:
            return criterion.source
    return None


def _card_source(source: Source | None) -> dict[str, str]:
    if source is None:
        return {"label": "baclofen-dose rule data"}
    out = {"label": f"{source.document} ({source.key})"}
    if source.url.startswith(("https://", "http://")):
        out["url"] = source.url
    return out


def _card(summary: str, indicator: str, detail: str, source: dict[str, str]) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "summary": summary,
        "indicator": indicator,
        "detail": detail,
        "source": source,
    }


def _override_reasons() -> list[dict[str, str]]:
    return [
        {"code": code, "system": OVERRIDE_REASON_SYSTEM, "display": display}
        for code, display in OVERRIDE_REASONS.items()
    ]


def _cards(
    result: OrderCheck,
    context: _Context,
    config: HooksConfig,
    suggestion: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    info: list[Finding] = []
    for finding in result.findings:
        if finding.severity is Severity.INFO:
            info.append(finding)
            continue
        card = _card(
            finding_summary(finding),
            _INDICATOR[finding.severity],
            finding_detail(finding),
            _card_source(_source(finding, config)),
        )
        card["extension"] = {"org.baclofen-dose.rule-id": finding.rule_id}
        if finding.code == "SOFT_LIMIT_CROSSED":
            card["overrideReasons"] = _override_reasons()
        if suggestion is not None and finding.rule_id == suggestion["ruleId"]:
            card["suggestions"] = [suggestion["suggestion"]]
            card["selectionBehavior"] = "at-most-one"
        cards.append(card)
    notes = [*context.notes, *result.not_assessed]
    if any(n.code == "NO_RECENT_RENAL" for n in context.notes):
        # The prefetch note says what is missing and since when; the check's generic
        # "kidney function not assessed" would say it a second time, less precisely.
        notes = [n for n in notes if n.code != "RENAL_NOT_ASSESSED"]
    lines = [note_text(n) for n in notes]
    if lines:
        renal_missing = any(n.what in ("renal", "patient", "population") for n in notes)
        detail = "\n".join(f"- {line}" for line in lines)
        cards.append(
            _card(card_text("NOT_ASSESSED_SUMMARY"), "warning" if renal_missing else "info", detail,
                  {"label": "baclofen-dose order check"})
        )  # fmt: skip
    if info or context.facts:
        detail = "\n".join(
            [
                *(f"- {finding_detail(f)}".replace("\n\n", " ") for f in info),
                *(f"- {note_text(f)}" for f in context.facts),
            ]
        )
        source = (
            _card_source(_source(info[0], config))
            if info
            else {"label": "baclofen-dose order check"}
        )
        cards.append(_card(card_text("INFO_SUMMARY"), "info", detail, source))
    return cards


def _ended_card(resource: JsonObject) -> dict[str, Any]:
    """An information card for a baclofen draft whose status says it is not to be given."""
    status = str(resource.get("status"))
    return _card(
        card_text("ENDED_SUMMARY", status=status),
        "info",
        card_text("ENDED_DETAIL", status=status),
        {"label": "baclofen-dose order check"},
    )


def _not_checked(error: BaclofenDoseError, hook: str) -> dict[str, Any]:
    return _card(
        card_text("NOT_CHECKED_SUMMARY"),
        "warning" if hook == "order-sign" else "info",
        card_text("NOT_CHECKED_DETAIL", error=str(error)),
        {"label": "baclofen-dose order check"},
    )


# ---------------------------------------------------------------------------------------------
# Hook calls


def _draft_orders(context: JsonObject) -> list[JsonObject]:
    bundle = _obj(context.get("draftOrders"), "context.draftOrders")
    if bundle.get("resourceType") != "Bundle":
        raise _bad("context.draftOrders.resourceType", bundle.get("resourceType"), "Bundle")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise _bad("context.draftOrders.entry", entries, "a list of entries")
    return [
        _obj(
            _obj(e, f"context.draftOrders.entry[{i}]").get("resource"),
            f"context.draftOrders.entry[{i}].resource",
        )
        for i, e in enumerate(entries)
    ]


def _selected(drafts: list[JsonObject], context: JsonObject, hook: str) -> list[JsonObject]:
    """At order-select, the drafts named in ``context.selections`` ("MedicationRequest/<id>");
    the others were judged when they were selected. Without ``selections``, every draft."""
    selections = context.get("selections")
    if hook != "order-select" or selections is None:
        return drafts
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        raise _bad("context.selections", selections, 'a list of "MedicationRequest/<id>"')
    chosen = set(selections)
    return [d for d in drafts if f"{d.get('resourceType')}/{d.get('id')}" in chosen]


def _read_draft(resource: JsonObject) -> fhir.FhirOrder | BaclofenDoseError | None:
    """The draft as an order; ``None`` for another medicine (or another resource type); the
    error for a baclofen order that cannot be read exactly (it gets a "not checked" card)."""
    if resource.get("resourceType") != "MedicationRequest":
        return None
    try:
        return fhir.read_medication_request(resource)
    except InputError as exc:
        # Another medicine's order is not this service's business (no card); a medication
        # that is not clearly baclofen ("not baclofen") gets a "not checked" card saying why.
        return None if exc.code == fhir.NOT_BACLOFEN else exc
    except BaclofenDoseError as exc:
        return exc


def handle_hook(
    service_id: str,
    request: JsonObject,
    *,
    config: HooksConfig | None = None,
    as_of: date | None = None,
    call_date: date | None = None,
) -> dict[str, Any]:
    """Answer one hook call (``POST /cds-services/{service_id}``) with ``{"cards": [...]}``.

    ``request`` is the parsed JSON body. Malformed requests (unknown service, wrong hook, no
    ``hookInstance``, no ``context.draftOrders`` Bundle) raise ``InputError`` (code
    ``E_CDS_HOOKS``, ``field`` the JSON path); what is wrong inside a baclofen order or the
    prefetch becomes a card. ``as_of`` (the date ages are counted to) defaults to the order's
    ``authoredOn``, and without one to ``call_date``, the date of the call as the caller
    states it (the service passes the day of the EHR's signed JWT ``iat``); with none of them,
    age and the age of laboratory results are "not assessed".
    """
    config = HooksConfig() if config is None else config
    if not isinstance(config, HooksConfig):
        raise InputTypeError("config", config, "a HooksConfig")
    for name, value in (("as_of", as_of), ("call_date", call_date)):
        if value is not None and not isinstance(value, date):
            raise InputTypeError(name, value, "a date")
    hook = _service(service_id)
    body = _obj(request, "request")
    if body.get("hook") != hook:
        raise _bad("hook", body.get("hook"), hook)
    if not isinstance(body.get("hookInstance"), str):
        raise _bad("hookInstance", body.get("hookInstance"), "a string (a UUID)")
    context = _obj(body.get("context"), "context")
    raw = body.get("prefetch")
    prefetch = _obj({} if raw is None else raw, "prefetch")
    patient_id = context.get("patientId")
    if patient_id is not None and not isinstance(patient_id, str):
        raise _bad("context.patientId", patient_id, "the patient's FHIR id")
    drafts = _draft_orders(context)
    # Each draft is read once per call (the reading is pure): by its position in the call.
    readings = {id(d): _read_draft(d) for d in drafts}
    others = _others(drafts, readings, prefetch, patient_id)
    cards: list[dict[str, Any]] = []
    for resource in _selected(drafts, context, hook):
        if _ended(resource):
            if _read_draft({**resource, "status": "draft"}) is not None:  # a baclofen one
                cards.append(_ended_card(resource))
            continue
        order = readings[id(resource)]
        if order is None:
            continue
        subject = resource.get("subject")
        reference = subject.get("reference") if isinstance(subject, Mapping) else None
        if patient_id is not None and reference not in (None, f"Patient/{patient_id}"):
            # Judged with this patient's prefetch, an order for someone else would be wrong.
            order = _bad("draft.subject.reference", reference, f"Patient/{patient_id}")
        if isinstance(order, BaclofenDoseError):
            cards.append(_not_checked(order, hook))
            continue
        try:
            cards += _judge(
                resource, order, prefetch, config, as_of, call_date, patient_id, others
            )
        except BaclofenDoseError as exc:
            cards.append(_not_checked(exc, hook))
    return {"cards": cards}


@attrs.frozen
class _Others:
    """What the other orders of the call say: the medicines of the other drafts (co-
    medications, judged with the prefetch's active ones) and how many baclofen orders there
    are besides the one judged (other drafts and active requests: their daily doses add up)."""

    medicines: tuple[str, ...]
    baclofen: int


def _others(
    drafts: list[JsonObject],
    readings: Mapping[int, fhir.FhirOrder | BaclofenDoseError | None],
    prefetch: JsonObject,
    patient_id: str | None,
) -> _Others:
    draft_ids = {d.get("id") for d in drafts if d.get("id") is not None}
    drafts = [d for d in drafts if not _ended(d)]
    baclofen_drafts = sum(1 for d in drafts if readings[id(d)] is not None)
    medicines: list[str] = []
    for draft in drafts:
        if draft.get("resourceType") == "MedicationRequest" and readings[id(draft)] is None:
            concept = fhir.medication_concept(draft)
            medicines += [f"RxCUI:{c}" for c in fhir.concept_codes(concept, _RXNORM)]
    unused: list[NotAssessed] = []  # the prefetch's own notes are made when it is read
    active = 0
    if prefetch.get("medications") is not None:
        for request in _resources(prefetch, "medications", unused, patient_id):
            if (
                request.get("id") in draft_ids
                or request.get("resourceType") != "MedicationRequest"
                or _ended(request)
            ):
                continue
            if _read_draft(request) is not None:
                active += 1
    return _Others(tuple(dict.fromkeys(medicines)), max(baclofen_drafts - 1, 0) + active)


def _order_date(resource: JsonObject, as_of: date | None, call_date: date | None) -> date | None:
    """``as_of`` if given, else the order's ``authoredOn``, else the date of the call."""
    if as_of is not None:
        return as_of
    authored = resource.get("authoredOn")
    return call_date if authored is None else _day(authored, "draftOrders.authoredOn")


def _judge(
    resource: JsonObject,
    order: fhir.FhirOrder,
    prefetch: JsonObject,
    config: HooksConfig,
    as_of: date | None,
    call_date: date | None,
    patient_id: str | None,
    others: _Others,
) -> list[dict[str, Any]]:
    context = _context(
        prefetch,
        _order_date(resource, as_of, call_date),
        config,
        oral=order.route == "oral",
        patient_id=patient_id,
    )
    common: dict[str, Any] = {
        "medicines": list(dict.fromkeys((*context.medicines, *others.medicines))),
        "conditions": list(context.conditions),
        "other_baclofen_orders": others.baclofen,
        "rules": config.rules,
        "interactions": config.interactions,
    }
    if order.route == "oral":
        kwargs = {**common, **context.check_kwargs, "patient": context.patient}
        patient = context.patient
        if config.adolescent_policy is not None and adolescent_policy_applies(
            patient, config.rules
        ):
            if patient is not None and patient.dialysis is True:
                # The ladder is refused on dialysis (oral.adolescent.dialysis_not_planned): the
                # order is judged on the child profile, the default, and the card says why.
                skipped = NotAssessed("policy", config.adolescent_policy, "ADOLESCENT_DIALYSIS")
                context = attrs.evolve(context, facts=(*context.facts, skipped))
            else:
                kwargs["adolescent_policy"] = config.adolescent_policy
    else:
        child = (
            context.patient is not None
            and context.patient.age_years is not None
            and (population(context.patient, config.rules) == "child")
        )
        kwargs = {**common, "child": child}
    cards: list[dict[str, Any]] = []
    for result in fhir.check_fhir_order(order, **kwargs):
        # With another baclofen order (a draft or an active one) the daily doses add up: a
        # corrected dose for this order alone could still be too much, so none is suggested.
        alone = order.route == "oral" and others.baclofen == 0
        suggestion = _suggest(resource, order, result, kwargs) if alone else None
        cards += _cards(result, context, config, suggestion)
    return cards


def _suggest(
    resource: JsonObject, order: fhir.FhirOrder, result: OrderCheck, kwargs: Mapping[str, Any]
) -> dict[str, Any] | None:
    """An update suggestion for a renal-capped daily dose (hook: the corrected order).

    Only for a one-step order of equal doses crossing a renal dose rule: the largest dose on
    the adult dose grid at the same times a day whose daily total is within the renal limit,
    kept only when the check of that order finds no hard or un-acknowledged soft limit.
    """
    renal_findings = [
        f for f in result.findings
        if f.code in ("SOFT_LIMIT_CROSSED", "HARD_LIMIT_CROSSED") and f.rule_id.startswith("renal.")
        and f.values.get("what") == "daily dose with reduced kidney function"
    ]  # fmt: skip
    if len(order.steps) != 1 or not renal_findings:
        return None
    finding = renal_findings[0]
    arguments = order.steps[0].check_arguments
    times = arguments.get("times_per_day")
    limit = finding.values.get("limit")
    if "dose" not in arguments or not isinstance(times, int) or not isinstance(limit, Amount):
        return None
    rules: RuleSet = kwargs["rules"]
    grid = rules["oral.adult.dose.grid"].require_value()
    dose = (limit.value / times // grid) * grid
    if dose <= 0:
        return None
    dose_text = f"{_plain(dose)} mg"
    trial = check_order(
        # The corrected draft has no text (_corrected drops it): none is compared here.
        **{**kwargs, **{k: v for k, v in arguments.items() if k not in ("dose", "dose_text")},
           "dose": dose_text}
    )
    if trial.hard or trial.needs_override:
        return None
    corrected = _corrected(resource, dose)
    if corrected is None:
        return None
    doses = Amount(dose, units.ORAL_DOSE)
    daily = Amount(dose * times, units.ORAL_DAILY_DOSE)
    label = card_text("SUGGESTION_LABEL", doses=doses, n=times, daily=daily)
    return {
        "ruleId": finding.rule_id,
        "suggestion": {
            "label": label,
            "uuid": str(uuid.uuid4()),
            "isRecommended": True,
            "actions": [
                {
                    "type": "update",
                    "description": card_text(
                        "SUGGESTION_DETAIL", doses=doses, n=times, daily=daily,
                        grid=Amount(grid, units.ORAL_DOSE),
                    ),
                    "resource": corrected,
                }
            ],
        },
    }  # fmt: skip


def _plain(value: Fraction) -> str:
    """The exact decimal text of a value on a decimal grid (a dose, a CrCl to 0.1)."""
    return format(_number(value), "f")


def _corrected(resource: JsonObject, dose: Fraction) -> dict[str, Any] | None:
    """The draft with each Dosage's ``doseQuantity.value`` set to ``dose`` (mg), built from the
    draft itself (the FHIR writer writes plans, not edits of an EHR's order), without the old
    ``text`` and ``patientInstruction`` (they would contradict the new dose)."""
    corrected = _json_copy(resource)
    for dosage in corrected.get("dosageInstruction") or []:
        dosage.pop("text", None)
        dosage.pop("patientInstruction", None)
        for rate in dosage.get("doseAndRate") or []:
            quantity = rate.get("doseQuantity")
            if not isinstance(quantity, dict) or quantity.get("code") != "mg":
                return None
            quantity["value"] = _number(dose)
    return corrected


def _json_copy(node: JsonObject) -> dict[str, Any]:
    """A deep copy of a parsed JSON object (objects, arrays and immutable scalars only)."""

    def copy(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: copy(item) for key, item in value.items()}
        if isinstance(value, list):
            return [copy(item) for item in value]
        return value

    copied: dict[str, Any] = copy(node)
    return copied


def _number(value: Fraction) -> int | Decimal:
    """A JSON number, exactly: an int, or the Decimal of a terminating fraction."""
    return value.numerator if value.denominator == 1 else numeric.to_decimal(value)


# ---------------------------------------------------------------------------------------------
# HookFeedback


@attrs.frozen
class HookFeedback:
    """One feedback entry: the card, accepted or overridden, the accepted suggestions, the
    override reason code and comment, and the time the EHR gives."""

    service_id: str
    card: str
    outcome: str
    accepted_suggestions: tuple[str, ...]
    override_reason: str | None
    user_comment: str | None
    outcome_timestamp: str


_UUID: Final = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
# A user's comment is recorded, so it is bounded and free of control and direction characters
# (a log line must read as it was written). Not a clinical figure: a text-field limit.
_COMMENT_MAX: Final = 1000


def _unprintable(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") and char not in "\n\t"


def read_hook_feedback(service_id: str, body: JsonObject) -> tuple[HookFeedback, ...]:
    """The entries of a feedback body (``{"feedback": [...]}``), checked; ``InputError`` names
    the JSON path of anything malformed."""
    _service(service_id)
    entries = _obj(body, "request").get("feedback")
    if not isinstance(entries, list) or not entries:
        raise _bad("feedback", entries, "a non-empty list of feedback entries")
    out: list[HookFeedback] = []
    for i, raw in enumerate(entries):
        where = f"feedback[{i}]"
        entry = _obj(raw, where)
        card, outcome, stamp = (
            entry.get("card"),
            entry.get("outcome"),
            entry.get("outcomeTimestamp"),
        )
        if not isinstance(card, str) or not _UUID.fullmatch(card):
            raise _bad(where + ".card", card, "the card's uuid")
        if outcome not in ("accepted", "overridden"):
            raise _bad(where + ".outcome", outcome, "accepted or overridden")
        if not isinstance(stamp, str) or _instant(stamp) is None:
            raise _bad(where + ".outcomeTimestamp", stamp, "an instant with its time zone")
        accepted = tuple(
            _ids(entry.get("acceptedSuggestions") or [], where + ".acceptedSuggestions")
        )
        if outcome == "accepted" and not accepted:
            raise _bad(where + ".acceptedSuggestions", [], "the ids of the accepted suggestions")
        reason: str | None = None
        comment: str | None = None
        override = entry.get("overrideReason")
        if override is not None:
            if outcome != "overridden":
                raise _bad(
                    where + ".overrideReason", override, "no override reason on an accepted card"
                )
            node = _obj(override, where + ".overrideReason")
            coding = node.get("reason")
            if coding is not None:
                reason_node = _obj(coding, where + ".overrideReason.reason")
                code = reason_node.get("code")
                if reason_node.get("system") != OVERRIDE_REASON_SYSTEM or code not in (
                    OVERRIDE_REASONS
                ):
                    raise _bad(
                        where + ".overrideReason.reason",
                        code,
                        "one of the override reasons the cards offer ("
                        + ", ".join(OVERRIDE_REASONS)
                        + ") in the system "
                        + OVERRIDE_REASON_SYSTEM,
                    )
                reason = str(code)
            text = node.get("userComment")
            if text is not None and (
                not isinstance(text, str)
                or len(text) > _COMMENT_MAX
                or any(_unprintable(c) for c in text)
            ):
                raise _bad(
                    where + ".overrideReason.userComment",
                    text if not isinstance(text, str) else text[:40],
                    f"printable text of at most {_COMMENT_MAX} characters",
                )
            comment = text
        out.append(HookFeedback(service_id, card, outcome, accepted, reason, comment, stamp))
    return tuple(out)


def _ids(values: Iterable[object], where: str) -> list[str]:
    if not isinstance(values, list):
        raise _bad(where, values, 'a list of {"id": ...}')
    ids = []
    for i, value in enumerate(values):
        found = _obj(value, f"{where}[{i}]").get("id")
        if not isinstance(found, str):
            raise _bad(f"{where}[{i}].id", found, "the suggestion's uuid")
        ids.append(found)
    return ids
