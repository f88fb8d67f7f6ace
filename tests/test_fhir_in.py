"""FHIR in (issue 13, item 2): a MedicationRequest becomes an order for the order check;
what FHIR cannot say exactly is refused with a typed error naming the FHIR path."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen_dose.check import check_intrathecal_order, check_order
from baclofen_dose.core.errors import BaclofenDoseError, InputError, MissingInputError
from baclofen_dose.interop.fhir import (
    FhirOrder,
    check_medication_request,
    check_medication_request_steps,
    read_fhir,
    read_fhir_json,
    read_medication_request,
)

UCUM = "http://unitsofmeasure.org"
SCT = "http://snomed.info/sct"
GTS = "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation"


def dosage(
    value: Any = 25,
    code: str = "mg",
    frequency: int = 3,
    *,
    route: str = "26643006",
    sequence: int | None = None,
    start: str | None = None,
) -> dict[str, Any]:
    repeat: dict[str, Any] = {"frequency": frequency, "period": 1, "periodUnit": "d"}
    if start is not None:
        repeat["boundsPeriod"] = {"start": start}
    found: dict[str, Any] = {
        "route": {"coding": [{"system": SCT, "code": route}]},
        "timing": {"repeat": repeat},
        "doseAndRate": [
            {"doseQuantity": {"value": value, "unit": code, "system": UCUM, "code": code}}
        ],
    }
    if sequence is not None:
        found["sequence"] = sequence
    return found


def request(*dosages: dict[str, Any], r5: bool = False) -> dict[str, Any]:
    concept = {"text": "baclofen 10 mg oral tablet"}
    found: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "order",
        "subject": {"reference": "Patient/example"},
        "dosageInstruction": list(dosages) or [dosage()],
    }
    if r5:
        found["medication"] = {"concept": concept}
    else:
        found["medicationCodeableConcept"] = concept
    return found


def refused(resource: dict[str, Any], path: str, kind: type[InputError] = InputError) -> str:
    with pytest.raises(kind) as caught:
        read_medication_request(resource)
    assert caught.value.field == path, str(caught.value)
    return str(caught.value)


def test_must_show_25_mg_three_times_a_day_gives_the_single_dose_finding() -> None:
    """Issue 13 "Must show": 25 mg 3 times a day read back and checked gives the finding on
    the single dose (US label: 20 mg a dose), the same as checking the order directly."""
    result = check_medication_request(request())
    direct = check_order(dose="25 mg", times_per_day=3)
    assert result.findings == direct.findings
    assert "oral.adult.max_dose.us_label" in [f.rule_id for f in result.findings]


def test_must_show_a_dose_range_is_refused_naming_the_path() -> None:
    second = dosage(sequence=2)
    second["doseAndRate"] = [{"doseRange": {"low": {"value": 5}, "high": {"value": 10}}}]
    resource = request(dosage(sequence=1), second)
    refused(resource, "dosageInstruction[1].doseAndRate[0].doseRange")


def test_the_order_as_check_arguments() -> None:
    order = read_medication_request(request())
    assert isinstance(order, FhirOrder)
    assert (order.route, order.version) == ("oral", "R4")
    assert dict(order.check_arguments) == {"dose": "25 mg", "times_per_day": 3}
    assert order.medication["text"] == "baclofen 10 mg oral tablet"
    assert read_medication_request(request(r5=True)).version == "R5"


def test_a_float_and_a_decimal_are_read_exactly() -> None:
    assert read_medication_request(request(dosage(7.5))).check_arguments["dose"] == "7.5 mg"
    exact = read_medication_request(request(dosage(Decimal("2.50"))))
    assert exact.check_arguments["dose"] == "2.5 mg"


def test_json_text_is_read_with_exact_decimals() -> None:
    text = json.dumps(request(dosage(12.5)))
    (order,) = read_fhir_json(text)
    assert order.check_arguments["dose"] == "12.5 mg"
    with pytest.raises(InputError) as caught:
        read_fhir_json(text.replace('"status"', '"status": "x", "status"', 1))
    assert caught.value.code == "E_JSON"


@pytest.mark.parametrize(("code", "times"), [("BID", 2), ("TID", 3), ("QID", 4)])
def test_timing_codes(code: str, times: int) -> None:
    item = dosage()
    item["timing"] = {"code": {"coding": [{"system": GTS, "code": code}]}}
    order = read_medication_request(request(item))
    assert order.check_arguments["times_per_day"] == times


def test_when_codes_count_distinct_times() -> None:
    item = dosage()
    item["timing"] = {"repeat": {"when": ["MORN", "NOON", "HS"]}}
    assert read_medication_request(request(item)).check_arguments["times_per_day"] == 3
    item["timing"] = {"repeat": {"when": ["MORN", "MORN"]}}
    refused(request(item), "dosageInstruction[0].timing.repeat.when")


def test_timing_elements_that_disagree_are_refused() -> None:
    item = dosage()
    item["timing"]["code"] = {"coding": [{"system": GTS, "code": "BID"}]}
    refused(request(item), "dosageInstruction[0].timing.repeat.frequency")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (
            lambda d: d["timing"]["repeat"].update(periodUnit="h", period=8),
            "dosageInstruction[0].timing.repeat.periodUnit",
        ),
        (
            lambda d: d["timing"]["repeat"].update(period=2),
            "dosageInstruction[0].timing.repeat.period",
        ),
        (
            lambda d: d["timing"]["repeat"].update(frequencyMax=4),
            "dosageInstruction[0].timing.repeat.frequencyMax",
        ),
        (lambda d: d.update(asNeededBoolean=True), "dosageInstruction[0].asNeededBoolean"),
        (lambda d: d.update(asNeeded=True), "dosageInstruction[0].asNeeded"),
        (
            lambda d: d["doseAndRate"][0]["doseQuantity"].update(code="mcg"),
            "dosageInstruction[0].doseAndRate[0].doseQuantity.code",
        ),
        (
            lambda d: d["doseAndRate"][0]["doseQuantity"].update(code="ug", unit="mcg"),
            "dosageInstruction[0].doseAndRate[0].doseQuantity.code",
        ),
        (
            lambda d: d["doseAndRate"][0]["doseQuantity"].update(unit="mL"),
            "dosageInstruction[0].doseAndRate[0].doseQuantity.unit",
        ),
        (
            lambda d: d["doseAndRate"][0]["doseQuantity"].pop("system"),
            "dosageInstruction[0].doseAndRate[0].doseQuantity.system",
        ),
        (
            lambda d: d["doseAndRate"][0]["doseQuantity"].update(value=-5),
            "dosageInstruction[0].doseAndRate[0].doseQuantity.value",
        ),
        (
            lambda d: d["doseAndRate"][0]["doseQuantity"].update(value=True),
            "dosageInstruction[0].doseAndRate[0].doseQuantity.value",
        ),
        (
            lambda d: d["doseAndRate"][0]["doseQuantity"].update(value="25"),
            "dosageInstruction[0].doseAndRate[0].doseQuantity.value",
        ),
        (
            lambda d: d["doseAndRate"][0].update(
                rateQuantity={"value": 75, "system": UCUM, "code": "mg/d"}
            ),
            "dosageInstruction[0].doseAndRate[0].rateQuantity",
        ),
        (
            lambda d: d["doseAndRate"].append(copy.deepcopy(d["doseAndRate"][0])),
            "dosageInstruction[0].doseAndRate",
        ),
        (
            lambda d: d["route"]["coding"][0].update(code="47625008"),
            "dosageInstruction[0].route.coding[0].code",
        ),
        (
            lambda d: d.update(modifierExtension=[{"url": "x"}]),
            "dosageInstruction[0].modifierExtension",
        ),
        (lambda d: d["timing"].update(event=["2026-01-05"]), "dosageInstruction[0].timing.event"),
        (
            lambda d: d["timing"]["repeat"].update(boundsPeriod={"start": "2026-02-30"}),
            "dosageInstruction[0].timing.repeat.boundsPeriod.start",
        ),
    ],
)
def test_what_cannot_be_read_exactly_is_refused_naming_the_path(change: Any, path: str) -> None:
    item = dosage()
    change(item)
    refused(request(item), path)


@pytest.mark.parametrize(
    ("remove", "path"),
    [
        ("route", "dosageInstruction[0].route"),
        ("timing", "dosageInstruction[0].timing"),
        ("doseAndRate", "dosageInstruction[0].doseAndRate"),
    ],
)
def test_missing_pieces_are_never_filled_in(remove: str, path: str) -> None:
    item = dosage()
    del item[remove]
    refused(request(item), path, MissingInputError)


def test_frequency_without_its_period_is_missing() -> None:
    item = dosage()
    del item["timing"]["repeat"]["period"]
    refused(request(item), "dosageInstruction[0].timing.repeat.period", MissingInputError)


def test_the_request_level_refusals() -> None:
    not_baclofen = request()
    not_baclofen["medicationCodeableConcept"] = {"text": "tizanidine 4 mg tablet"}
    refused(not_baclofen, "medicationCodeableConcept")
    by_reference = request()
    del by_reference["medicationCodeableConcept"]
    by_reference["medicationReference"] = {"reference": "Medication/1"}
    refused(by_reference, "medicationReference")
    do_not = request()
    do_not["doNotPerform"] = True
    refused(do_not, "doNotPerform")
    both = request()
    both["medication"] = {"concept": {"text": "baclofen"}}
    refused(both, "medication")
    with pytest.raises(InputError) as caught:
        read_medication_request(request(), version="R5")
    assert caught.value.field == "medicationCodeableConcept"
    refused({"resourceType": "Patient"}, "resourceType")


def test_unequal_doses_of_one_sequence_are_doses() -> None:
    morning = dosage(10, frequency=1, sequence=1)
    evening = dosage(20, frequency=1, sequence=1)
    order = read_medication_request(request(morning, evening))
    assert dict(order.check_arguments) == {"doses": ("10 mg", "20 mg")}
    result = check_medication_request(request(morning, evening))
    assert result.findings == check_order(doses=["10 mg", "20 mg"]).findings


def test_several_dosages_need_a_sequence() -> None:
    refused(request(dosage(), dosage()), "dosageInstruction[0].sequence", MissingInputError)


def test_sequenced_steps_are_checked_each_against_the_one_before() -> None:
    steps = [
        dosage(5, sequence=1, start="2026-01-05"),
        dosage(10, sequence=2, start="2026-01-08"),
        dosage(15, sequence=3, start="2026-01-11"),
    ]
    order = read_medication_request(request(*steps))
    assert len(order.steps) == 3
    assert dict(order.steps[1].check_arguments) == {
        "dose": "10 mg",
        "times_per_day": 3,
        "start": order.steps[1].start,
        "previous": "5 mg",
        "previous_times_per_day": 3,
        "previous_start": order.steps[0].start,
    }
    with pytest.raises(InputError) as caught:
        order.check_arguments  # noqa: B018
    assert caught.value.code == "E_FHIR_STEPS"
    with pytest.raises(InputError):
        check_medication_request(request(*steps))
    results = check_medication_request_steps(request(*steps))
    direct = check_order(
        dose="10 mg",
        times_per_day=3,
        start="2026-01-08",
        previous="5 mg",
        previous_times_per_day=3,
        previous_start="2026-01-05",
    )
    assert results[1].findings == direct.findings
    backwards = [
        dosage(5, sequence=1, start="2026-01-08"),
        dosage(10, sequence=2, start="2026-01-05"),
    ]
    refused(request(*backwards), "dosageInstruction[1].timing.repeat.boundsPeriod.start")


def test_an_intrathecal_infusion_is_a_daily_dose() -> None:
    item = dosage(route="72607000", frequency=1)
    item["doseAndRate"] = [
        {"rateQuantity": {"value": 300, "unit": "mcg/day", "system": UCUM, "code": "ug/d"}}
    ]
    resource = request(item)
    resource["medicationCodeableConcept"] = {"text": "baclofen intrathecal 500 mcg/mL"}
    order = read_medication_request(resource)
    assert (order.route, dict(order.check_arguments)) == (
        "intrathecal",
        {"daily_dose": "300 mcg/day"},
    )
    assert (
        check_medication_request(resource).findings
        == check_intrathecal_order(daily_dose="300 mcg/day").findings
    )
    item["doseAndRate"] = [{"doseQuantity": {"value": 50, "system": UCUM, "code": "ug"}}]
    refused(resource, "dosageInstruction[0].doseAndRate[0].doseQuantity")


def test_a_bundle_is_read_entry_by_entry() -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": request()}, {"resource": request(dosage(10))}],
    }
    assert [o.check_arguments["dose"] for o in read_fhir(bundle)] == ["25 mg", "10 mg"]
    with pytest.raises(InputError) as caught:
        read_medication_request(bundle)
    assert caught.value.field == "entry"
    bundle["entry"][1]["resource"]["dosageInstruction"][0]["asNeededBoolean"] = True
    with pytest.raises(InputError) as caught:
        read_fhir(bundle)
    assert caught.value.field == "entry[1].resource.dosageInstruction[0].asNeededBoolean"


def test_check_keywords_add_to_the_order_but_never_replace_it() -> None:
    result = check_medication_request(request(), medicines=["oxycodone"])
    assert any(
        f.rule_id.startswith("interaction") or "opioid" in f.rule_id for f in result.findings
    )
    with pytest.raises(InputError) as caught:
        check_medication_request(request(), dose="5 mg")
    assert caught.value.field == "dose"


def test_an_error_from_the_check_names_the_fhir_path() -> None:
    """A value the reader passes on and the check refuses (26 doses a day from two Dosages
    of one sequence) is named by the path it was read from, not by a keyword the caller never
    gave."""
    morning = dosage(10, frequency=13, sequence=1)
    evening = dosage(20, frequency=13, sequence=1)
    with pytest.raises(InputError) as caught:
        check_medication_request(request(morning, evening))
    assert caught.value.field == "dosageInstruction[0].doseAndRate[0].doseQuantity"
    assert caught.value.code == "E_TIMES_PER_DAY"


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
_BASE = request(dosage(sequence=1, start="2026-01-05"), dosage(10, sequence=2, start="2026-01-08"))
_PATHS = _paths(_BASE)


@settings(max_examples=300, deadline=None)
@given(where=st.sampled_from(_PATHS), junk=_JUNK)
def test_fuzz_only_the_librarys_errors_escape(where: tuple[Any, ...], junk: Any) -> None:
    """Any element of a valid request replaced by junk is read, or refused with the library's
    own error; nothing else escapes (no KeyError, TypeError, InvalidOperation...)."""
    resource = copy.deepcopy(_BASE)
    if not where:
        resource = junk
    else:
        node: Any = resource
        for key in where[:-1]:
            node = node[key]
        node[where[-1]] = junk
    try:
        for order in read_fhir(resource):
            for step in order.steps:
                assert step.check_arguments
        check_medication_request_steps(resource)
    except BaclofenDoseError:
        pass


def test_a_huge_frequency_is_refused_before_anything_is_listed() -> None:
    """Found by the fuzz test: frequency 10**20 once made the reader list 10**20 doses."""
    with pytest.raises(InputError) as caught:
        read_medication_request(request(dosage(frequency=10**20)))
    assert caught.value.field == "dosageInstruction[0].timing.repeat.frequency"
    assert caught.value.code == "E_TIMES_PER_DAY"


@pytest.mark.parametrize("key", ["asNeeded", "asNeededBoolean"])
def test_as_needed_false_is_a_scheduled_dose(key: str) -> None:
    """asNeeded false (R5) or asNeededBoolean false (R4) says the dose is scheduled: read."""
    item = dosage()
    item[key] = False
    assert read_medication_request(request(item)).check_arguments["dose"] == "25 mg"
    item["asNeededFor"] = [{"text": "spasm"}]
    refused(request(item), "dosageInstruction[0].asNeededFor")
    item = dosage()
    item["asNeededCodeableConcept"] = False
    refused(request(item), "dosageInstruction[0].asNeededCodeableConcept")


@pytest.mark.parametrize("where", ["value", "frequency", "sequence"])
def test_a_number_with_a_huge_exponent_is_refused_before_it_is_written_out(where: str) -> None:
    """JSON "1e999999999" is a Decimal with a billion-digit expansion: refused at once."""
    huge = Decimal("1e999999999")
    item = dosage(sequence=1)
    path = {
        "value": "dosageInstruction[0].doseAndRate[0].doseQuantity.value",
        "frequency": "dosageInstruction[0].timing.repeat.frequency",
        "sequence": "dosageInstruction[0].sequence",
    }[where]
    if where == "value":
        item["doseAndRate"][0]["doseQuantity"]["value"] = huge
    elif where == "frequency":
        item["timing"]["repeat"]["frequency"] = huge
    else:
        item["sequence"] = huge
    refused(request(item), path)
    text = json.dumps(request(dosage())).replace('"value": 25', '"value": 1e999999999')
    with pytest.raises(InputError) as caught:
        read_fhir_json(text)
    assert caught.value.field == "dosageInstruction[0].doseAndRate[0].doseQuantity.value"


@pytest.mark.parametrize("status", ["stopped", "cancelled", "completed", "entered-in-error"])
def test_a_request_that_is_not_an_order_to_give_is_refused_naming_its_status(
    status: str,
) -> None:
    resource = request()
    resource["status"] = status
    with pytest.raises(InputError) as caught:
        read_fhir(resource)
    assert caught.value.field == "status" and status in str(caught.value)


@pytest.mark.parametrize("status", ["bogus", "Active", 3])
def test_a_status_fhir_does_not_define_is_refused(status: Any) -> None:
    resource = request()
    resource["status"] = status
    with pytest.raises(InputError) as caught:
        read_fhir(resource)
    assert caught.value.field == "status"


def test_ended_requests_in_a_bundle_are_neither_checked_nor_counted() -> None:
    """An entered-in-error baclofen order is not a second baclofen order, and an
    entered-in-error oxycodone is not a co-medication; the live ones are read."""
    from baclofen_dose.interop.fhir import read_fhir_bundle

    error = request(dosage(20, frequency=4))
    error["status"] = "entered-in-error"
    opioid = request()
    opioid["medicationCodeableConcept"] = {
        "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7804"}]
    }
    stopped_opioid = {**copy.deepcopy(opioid), "status": "stopped"}
    bundle = {"resourceType": "Bundle", "type": "collection",
              "entry": [{"resource": request(dosage(10))}, {"resource": error},
                        {"resource": stopped_opioid}]}  # fmt: skip
    orders, others = read_fhir_bundle(bundle)
    assert len(orders) == 1 and others == ()
    bundle["entry"].append({"resource": opioid})
    assert read_fhir_bundle(bundle)[1] == ("RxCUI:7804",)
    only_ended = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": error}]}
    with pytest.raises(InputError) as caught:
        read_fhir_bundle(only_ended)
    assert caught.value.field == "entry[0].resource.status"


def test_a_bounds_period_ending_before_it_starts_is_refused() -> None:
    """safety.md section 5 row 20: an end before its start is refused, naming the path."""
    resource = request(dosage(start="2026-03-10"))
    resource["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["end"] = "2026-03-01"
    with pytest.raises(InputError) as caught:
        read_fhir(resource)
    assert caught.value.field == "dosageInstruction[0].timing.repeat.boundsPeriod.end"
    resource["dosageInstruction"][0]["timing"]["repeat"]["boundsPeriod"]["end"] = "2026-03-20"
    assert read_fhir(resource)[0].steps[0].start is not None


@pytest.mark.parametrize(
    ("code", "display", "fits"),
    [
        ("TID", "four times a day", False),
        ("TID", "QID", False),
        ("BID", "3 times daily", False),
        ("QID", "twice a day", False),
        ("TID", "three times a day", True),
        ("TID", "TID", True),
        ("QID", "4x daily", True),
        ("BID", "every morning and evening", True),  # no number said: the code is read
    ],
)
def test_a_timing_code_display_that_contradicts_the_code_is_refused(
    code: str, display: str, fits: bool
) -> None:
    """Found by a fresh tester: TID with the display "four times a day" was read as 3 a day.
    Refused, naming the display and the code, as a unit display that disagrees with its code."""
    item = dosage(frequency={"BID": 2, "TID": 3, "QID": 4}[code])
    item["timing"] = {"code": {"coding": [{"system": GTS, "code": code, "display": display}]}}
    if fits:
        assert read_medication_request(request(item)).check_arguments["times_per_day"] > 0
        return
    text = refused(request(item), "dosageInstruction[0].timing.code.coding[0].display")
    assert "timing.code.coding[0].code" in text


@pytest.mark.parametrize(
    ("route", "where", "text"),
    [
        ("26643006", "text", "intrathecal"),
        ("26643006", "display", "Intrathecal route"),
        ("72607000", "text", "by mouth"),
        ("72607000", "display", "Oral route"),
    ],
)
def test_a_route_text_naming_the_other_route_is_refused(route: str, where: str, text: str) -> None:
    """Found by a fresh tester: route.text "intrathecal" beside the oral SNOMED CT code was
    judged oral. No route is ever chosen between two: refused, naming both elements."""
    item = dosage(value=25 if route == "26643006" else 100,
                  code="mg" if route == "26643006" else "ug", route=route)  # fmt: skip
    if where == "text":
        item["route"]["text"] = text
        path = "dosageInstruction[0].route.text"
    else:
        item["route"]["coding"][0]["display"] = text
        path = "dosageInstruction[0].route.coding[0].display"
    message = refused(request(item), path)
    assert "route.coding" in message
    item["route"] = {"coding": [{"system": SCT, "code": "26643006", "display": "Oral route"}],
                     "text": "by mouth"}  # fmt: skip
    item["doseAndRate"][0]["doseQuantity"] = {"value": 25, "unit": "mg", "system": UCUM,
                                              "code": "mg"}  # fmt: skip
    assert read_medication_request(request(item)).route == "oral"


def test_a_when_code_and_its_part_are_not_two_times_of_day() -> None:
    """Found by a fresh tester: ["MORN", "MORN.early", "EVE"] was counted as 3 doses a day;
    MORN.early is a part of MORN. Refused, naming both items."""
    item = dosage()
    item["timing"] = {"repeat": {"when": ["MORN", "MORN.early", "EVE"]}}
    text = refused(request(item), "dosageInstruction[0].timing.repeat.when[1]")
    assert "timing.repeat.when[0]" in text
    item["timing"] = {"repeat": {"when": ["MORN.early", "MORN.late", "EVE"]}}
    assert read_medication_request(request(item)).check_arguments["times_per_day"] == 3
