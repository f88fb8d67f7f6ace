"""The CDS Hooks handler (issue 13 item 4): discovery, order-select/order-sign cards, prefetch
reading (nothing guessed), suggestions, feedback. Pure: JSON-ready dicts in and out.

Fixtures are shaped like the CDS Hooks 2.0 specification's examples (hookInstance, fhirServer,
context.userId/patientId/encounterId, draftOrders as a Bundle, prefetch by key).
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baclofen_dose.core.errors import InputError
from baclofen_dose.interop.hooks import (
    PREFETCH,
    SERVICE_IDS,
    HooksConfig,
    handle_hook,
    hook_discovery,
    read_hook_feedback,
)
from baclofen_dose.render.cards import SUMMARY_MAX
from tests.ismp import assert_clean

DATA = Path(__file__).resolve().parent / "data" / "cds_hooks"
SIGN = "baclofen-order-sign"
SELECT = "baclofen-order-select"


def _request(name: str = "order-sign-renal.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def _draft(request: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = request["context"]["draftOrders"]["entry"][0]["resource"]
    return resource


def _texts(cards: list[dict[str, Any]]) -> list[str]:
    out = []
    for card in cards:
        out += [card["summary"], card["detail"]]
        for suggestion in card.get("suggestions", []):
            out.append(suggestion["label"])
            out += [a["description"] for a in suggestion["actions"]]
    return out


def _check_card_shapes(cards: list[dict[str, Any]]) -> None:
    """Every card as CDS Hooks 2.0 wants it, and every text ISMP-clean."""
    uuids = set()
    for card in cards:
        assert set(card) <= {
            "uuid", "summary", "detail", "indicator", "source", "suggestions",
            "selectionBehavior", "overrideReasons", "links", "extension",
        }  # fmt: skip
        assert re.fullmatch(r"[0-9a-f-]{36}", card["uuid"])
        uuids.add(card["uuid"])
        assert 0 < len(card["summary"]) <= SUMMARY_MAX
        assert card["indicator"] in ("info", "warning", "critical")
        assert card["source"]["label"]
        if "url" in card["source"]:
            assert card["source"]["url"].startswith(("https://", "http://"))
        if "suggestions" in card:
            assert card["selectionBehavior"] == "at-most-one"
            for suggestion in card["suggestions"]:
                assert suggestion["label"] and suggestion["uuid"]
                for action in suggestion["actions"]:
                    assert action["type"] in ("create", "update", "delete")
        for reason in card.get("overrideReasons", []):
            assert set(reason) == {"code", "system", "display"}
    assert len(uuids) == len(cards)
    assert_clean(_texts(cards))


def test_discovery_lists_both_hooks_with_prefetch_templates() -> None:
    services = hook_discovery()["services"]
    assert {(s["id"], s["hook"]) for s in services} == set(SERVICE_IDS.items())
    for service in services:
        assert service["title"] and service["description"]
        assert service["prefetch"] == PREFETCH
    assert PREFETCH["patient"] == "Patient/{{context.patientId}}"
    assert "http://loinc.org|2160-0" in PREFETCH["creatinine"]
    assert "http://loinc.org|14682-9" in PREFETCH["creatinine"]
    assert "http://loinc.org|98979-8" in PREFETCH["egfr"]
    assert "http://loinc.org|29463-7" in PREFETCH["weight"]
    assert_clean([s["description"] for s in services])


@pytest.mark.req("SAF-18")
def test_must_show_order_sign_15_mg_3_times_a_day_creatinine_3_gives_renal_warning() -> None:
    """Issue 13 "Must show": 15 mg 3 times a day, creatinine 3 mg/dL -> a warning card with the
    renal source. By hand: male, 60 years (born 1966-03-10, order 2026-11-29), 70 kg:
    CrCl = (140 - 60) x 70 / (72 x 3) = 25.93 mL/min (25.9 rounded down), below 30: the severe
    band, one third of the 80 mg/day maximum = 26.7, down to the 5 mg grid = 25 mg/day; the order
    gives 45 mg/day."""
    cards = handle_hook(SIGN, _request())["cards"]
    _check_card_shapes(cards)
    renal = [c for c in cards if "kidney function" in c["summary"]]
    assert len(renal) == 1
    card = renal[0]
    assert card["indicator"] == "warning"
    assert card["summary"] == (
        "Soft limit crossed: daily dose with reduced kidney function 45 mg/day is above the soft "
        "limit 25 mg/day"
    )
    assert card["source"]["label"].startswith("Vlavonou R et al.")
    assert card["source"]["url"] == "http://onlinelibrary.wiley.com/doi/10.1002/jcph.247/abstract"
    assert card["extension"] == {
        "org.baclofen-dose.rule-id": "renal.vlavonou2014.severe.dose_fraction"
    }
    assert {r["code"] for r in card["overrideReasons"]} >= {"benefit-outweighs-risk"}
    notes = "\n".join(c["detail"] for c in cards)
    assert "CrCl 25.9 mL/min by Cockcroft-Gault from creatinine 3 mg/dL (2026-11-20)" in notes
    assert "Dialysis status not stated" in notes


def test_the_suggestion_is_the_renal_capped_order_and_passes_the_check() -> None:
    """25 mg/day over 3 doses on the 5 mg grid: 5 mg 3 times a day (15 mg/day)."""
    request = _request()
    card = next(c for c in handle_hook(SIGN, request)["cards"] if "suggestions" in c)
    (suggestion,) = card["suggestions"]
    assert suggestion["label"] == "Change to 5 mg 3 times a day (15 mg/day)."
    (action,) = suggestion["actions"]
    assert action["type"] == "update"
    corrected = action["resource"]
    assert corrected["id"] == _draft(request)["id"]
    dosage = corrected["dosageInstruction"][0]
    assert dosage["doseAndRate"][0]["doseQuantity"]["value"] == 5
    assert "text" not in dosage  # the old "15 mg" text would contradict the new dose
    # The corrected order, sent back as the draft, raises no renal card.
    again = copy.deepcopy(request)
    again["context"]["draftOrders"]["entry"][0]["resource"] = corrected
    cards = handle_hook(SIGN, again)["cards"]
    assert not [c for c in cards if c["indicator"] != "info" and "suggestions" in c]
    assert not [c for c in cards if "kidney function 15" in c["summary"]]


def test_no_creatinine_in_the_prefetch_is_not_assessed_never_guessed() -> None:
    request = _request()
    del request["prefetch"]["creatinine"]
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    assert not [c for c in cards if "kidney function" in c["summary"]]
    missing = next(c for c in cards if c["summary"].startswith("Baclofen order: some checks"))
    assert missing["indicator"] == "warning"
    assert (
        "no serum creatinine or eGFR in the last 30 days before the order date 2026-11-29"
        in missing["detail"]
    )
    assert "the prefetch has no creatinine" in missing["detail"]


def test_a_creatinine_older_than_the_window_is_not_used() -> None:
    request = _request()
    obs = request["prefetch"]["creatinine"]["entry"][0]["resource"]
    obs["effectiveDateTime"] = "2026-09-01T08:00:00Z"
    cards = handle_hook(SIGN, request)["cards"]
    detail = "\n".join(c["detail"] for c in cards)
    assert "no serum creatinine or eGFR in the last 30 days" in detail
    assert "(the latest seen is dated 2026-09-01)" in detail
    assert not [c for c in cards if "kidney function" in c["summary"]]
    # A shorter configured window also leaves out the 9-day-old value of the fixture.
    cards = handle_hook(SIGN, _request(), config=HooksConfig(lab_max_age_days=5))["cards"]
    assert "in the last 5 days" in "\n".join(c["detail"] for c in cards)


def test_a_measurement_after_the_order_date_is_not_used() -> None:
    cards = handle_hook(SIGN, _request(), as_of=date(2026, 11, 19))["cards"]
    assert not [c for c in cards if "kidney function" in c["summary"]]


def test_a_creatinine_in_an_unknown_unit_is_not_used_and_named() -> None:
    request = _request()
    obs = request["prefetch"]["creatinine"]["entry"][0]["resource"]
    obs["valueQuantity"]["code"] = "mg/L"
    detail = "\n".join(c["detail"] for c in handle_hook(SIGN, request)["cards"])
    assert "Not used: prefetch.creatinine[0].valueQuantity" in detail
    assert "no serum creatinine or eGFR" in detail


def test_micromol_creatinine_and_an_egfr_are_read() -> None:
    request = _request()
    obs = request["prefetch"]["creatinine"]["entry"][0]["resource"]
    obs["code"]["coding"][0]["code"] = "14682-9"
    obs["valueQuantity"] = {
        "value": 265.2, "unit": "umol/L", "system": "http://unitsofmeasure.org", "code": "umol/L",
    }  # fmt: skip
    request["prefetch"]["egfr"]["entry"] = [
        {"resource": {
            "resourceType": "Observation", "status": "final", "effectiveDateTime": "2026-11-20",
            "code": {"coding": [{"system": "http://loinc.org", "code": "98979-8"}]},
            "valueQuantity": {"value": 22, "unit": "mL/min/1.73m2",
                              "system": "http://unitsofmeasure.org", "code": "mL/min/{1.73_m2}"},
        }}
    ]  # fmt: skip
    from baclofen_dose.render.protocol import parse_json

    cards = handle_hook(SIGN, parse_json(json.dumps(request)))["cards"]
    _check_card_shapes(cards)
    text = "\n".join(c["summary"] + c["detail"] for c in cards)
    # 265.2 micromol/L / 88.4 = 3 mg/dL: the same band as the mg/dL fixture.
    assert "45 mg/day is above the soft limit 25 mg/day" in text
    assert "eGFR 22 mL/min/1.73 m2" in text


def test_dialysis_is_read_from_a_z99_2_condition() -> None:
    request = _request()
    request["prefetch"]["conditions"]["entry"] = [
        {"resource": {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"}]},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z99.2"}]},
        }}
    ]  # fmt: skip
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    text = "\n".join(c["summary"] + c["detail"] for c in cards)
    assert "dialysis" in text
    assert "Dialysis status not stated" not in text
    assert any(
        c["indicator"] in ("warning", "critical") and "dialysis" in c["summary"] for c in cards
    )


def test_a_child_on_dialysis_gets_a_dialysis_warning_card() -> None:
    """Found by a fresh tester (SAFETY): a 15-year-old with Z99.2 got info cards only; the
    check's warning naming dialysis (no dialysis rule for children) is a warning card."""
    request = _request()
    request["prefetch"]["patient"]["birthDate"] = "2011-06-01"
    request["prefetch"]["conditions"]["entry"] = [
        {"resource": {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"}]},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z99.2"}]},
        }}
    ]  # fmt: skip
    cards = handle_hook(SIGN, request, as_of=date(2026, 11, 19))["cards"]
    _check_card_shapes(cards)
    assert any(
        c["indicator"] == "warning"
        and "dialysis" in c["summary"]
        and "children" in c["summary"]
        for c in cards
    )


def test_a_co_medication_by_rxcui_gives_an_interaction_card() -> None:
    request = _request()
    request["prefetch"]["medications"]["entry"] = [
        {"resource": {
            "resourceType": "MedicationRequest", "status": "active", "intent": "order",
            "medicationCodeableConcept": {"coding": [{
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7052",
                "display": "morphine"}]},
        }},
        {"resource": {
            "resourceType": "MedicationRequest", "status": "active", "intent": "order",
            "medicationCodeableConcept": {"text": "home remedy"},
        }},
    ]  # fmt: skip
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    card = next(c for c in cards if c["summary"].startswith("Interaction"))
    assert card["indicator"] == "warning"
    assert "opioids" in card["summary"]
    assert "home remedy has no RxNorm code" in "\n".join(c["detail"] for c in cards)


def test_a_hard_limit_is_a_critical_card_without_override_reasons() -> None:
    request = _request()
    _draft(request)["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] = 50
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    critical = [c for c in cards if c["indicator"] == "critical"]
    assert critical
    assert critical[0]["summary"].startswith("Hard limit crossed: daily dose 150 mg/day")
    assert "overrideReasons" not in critical[0]


def test_order_select_skips_other_medicines_and_flags_an_unreadable_baclofen_draft() -> None:
    request = _request()
    request["hook"] = "order-select"
    request["context"]["selections"] = ["MedicationRequest/draft-baclofen-1"]
    other = copy.deepcopy(_draft(request))
    other["medicationCodeableConcept"] = {"text": "amoxicillin 500 mg capsule"}
    request["context"]["draftOrders"]["entry"].append({"resource": other})
    assert len(handle_hook(SELECT, request)["cards"]) == len(handle_hook(SIGN, _request())["cards"])
    ranged = _draft(request)["dosageInstruction"][0]["doseAndRate"][0]
    ranged["doseRange"] = {"low": {"value": 5, "unit": "mg"}, "high": {"value": 10, "unit": "mg"}}
    del ranged["doseQuantity"]
    cards = handle_hook(SELECT, request)["cards"]
    assert len(cards) == 1
    assert cards[0]["indicator"] == "info"  # order-select: a draft may still be incomplete
    assert "dosageInstruction[0].doseAndRate[0].doseRange" in cards[0]["detail"]
    request["hook"] = "order-sign"
    assert handle_hook(SIGN, request)["cards"][0]["indicator"] == "warning"


def test_no_patient_in_the_prefetch_is_said() -> None:
    request = _request()
    request["prefetch"]["patient"] = None  # the EHR could not fetch it
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    detail = "\n".join(c["detail"] for c in cards)
    assert "no Patient resource in the prefetch" in detail


@pytest.mark.parametrize(
    ("service", "change", "field"),
    [
        ("nope", {}, "service"),
        (SIGN, {"hook": "order-select"}, "hook"),
        (SIGN, {"hookInstance": None}, "hookInstance"),
        (SIGN, {"context": {"patientId": "1"}}, "context.draftOrders"),
        (SIGN, {"prefetch": []}, "prefetch"),
    ],
)
def test_a_malformed_request_is_an_input_error_naming_the_field(
    service: str, change: dict[str, Any], field: str
) -> None:
    request = {**_request(), **change}
    with pytest.raises(InputError) as raised:
        handle_hook(service, request)
    assert raised.value.field == field


def test_feedback_is_read_and_checked() -> None:
    body = {
        "feedback": [
            {"card": "9368d37b-283f-44a0-93ea-547cebab93ed", "outcome": "accepted",
             "acceptedSuggestions": [{"id": "e56e1945-20b3-4393-8503-a1a20fd73152"}],
             "outcomeTimestamp": "2026-11-29T14:32:09Z"},
            {"card": "9368d37b-283f-44a0-93ea-547cebab93ee", "outcome": "overridden",
             "overrideReason": {"reason": {"code": "specialist-advice",
                                           "system": "urn:baclofen-dose:cds-hooks:override-reason"},
                                "userComment": "neurology agreed"},
             "outcomeTimestamp": "2026-11-29T14:33:09Z"},
        ]
    }  # fmt: skip
    accepted, overridden = read_hook_feedback(SIGN, body)
    assert accepted.accepted_suggestions == ("e56e1945-20b3-4393-8503-a1a20fd73152",)
    assert overridden.override_reason == "specialist-advice"
    assert overridden.user_comment == "neurology agreed"
    bad = copy.deepcopy(body)
    bad["feedback"][0]["outcome"] = "ignored"
    with pytest.raises(InputError, match=r"feedback\[0\]\.outcome"):
        read_hook_feedback(SIGN, bad)
    with pytest.raises(InputError, match="feedback"):
        read_hook_feedback(SIGN, {"feedback": []})


def test_an_intrathecal_draft_is_checked_without_renal_notes() -> None:
    """The intrathecal check has no renal or weight rule: no creatinine is asked for. 2,000 mcg
    a day is above the intrathecal maintenance range the rule data holds."""
    request = _request()
    draft = _draft(request)
    draft["medicationCodeableConcept"] = {"text": "baclofen intrathecal 2000 mcg/mL"}
    dosage = draft["dosageInstruction"][0]
    dosage["route"]["coding"][0].update(code="72607000", display="Intrathecal route")
    dosage["timing"]["repeat"]["frequency"] = 1
    dosage.pop("text")
    dosage["doseAndRate"] = [
        {"rateQuantity": {"value": 2000, "unit": "mcg/day", "system": "http://unitsofmeasure.org",
                          "code": "ug/d"}}
    ]  # fmt: skip
    del request["prefetch"]["creatinine"]
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    text = "\n".join(c["summary"] + c["detail"] for c in cards)
    assert "creatinine" not in text
    assert "not checked" not in text  # judged, not refused (a route display must agree)
    assert any(c["indicator"] in ("warning", "critical") for c in cards)
    assert not any("suggestions" in c for c in cards)


def test_order_select_judges_only_the_selected_drafts() -> None:
    request = _request()
    request["hook"] = "order-select"
    request["context"]["selections"] = ["MedicationRequest/another-draft"]
    assert handle_hook(SELECT, request)["cards"] == []
    request["context"]["selections"] = ["MedicationRequest/draft-baclofen-1"]
    assert handle_hook(SELECT, request)["cards"]
    request["context"]["selections"] = "MedicationRequest/draft-baclofen-1"
    with pytest.raises(InputError, match=r"context\.selections"):
        handle_hook(SELECT, request)


@settings(max_examples=60, deadline=None)
@given(
    dose=st.sampled_from([2.5, 5, 7.5, 10, 15, 20, 25, 30, 40]),
    times=st.integers(1, 6),
    scr=st.sampled_from(["0.8", "1.4", "2.2", "3", "5.5"]),
    weight=st.sampled_from([40, 70, 120]),
    born=st.sampled_from(["1940-05-01", "1966-03-10", "2000-01-01", "2015-06-30"]),
    gender=st.sampled_from(["male", "female", "unknown"]),
)
def test_every_card_fits_the_specification_and_reads_cleanly(
    dose: float, times: int, scr: str, weight: int, born: str, gender: str
) -> None:
    """Whatever the order and patient: summaries of at most 140 characters, known indicators,
    ISMP-clean text, and a suggestion only with a renal card."""
    from decimal import Decimal

    request = _request()
    dosage = _draft(request)["dosageInstruction"][0]
    dosage["doseAndRate"][0]["doseQuantity"]["value"] = Decimal(str(dose))
    dosage["timing"]["repeat"]["frequency"] = times
    request["prefetch"]["creatinine"]["entry"][0]["resource"]["valueQuantity"]["value"] = Decimal(
        scr
    )
    request["prefetch"]["weight"]["entry"][0]["resource"]["valueQuantity"]["value"] = weight
    request["prefetch"]["patient"].update(birthDate=born, gender=gender)
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    for card in cards:
        if "suggestions" in card:
            assert "kidney function" in card["summary"]


def test_an_r5_draft_is_read_too() -> None:
    """R5 names the medication ``medication.concept`` (a CodeableReference)."""
    request = _request()
    draft = _draft(request)
    draft["medication"] = {"concept": draft.pop("medicationCodeableConcept")}
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    assert any("kidney function 45 mg/day" in c["summary"] for c in cards)


def test_prefetch_about_another_patient_is_never_used() -> None:
    """A creatinine of another patient is left out and named; a Patient with another id than
    context.patientId stops the check (an age or sex from someone else)."""
    request = _request()
    obs = request["prefetch"]["creatinine"]["entry"][0]["resource"]
    obs["subject"] = {"reference": "Patient/someone-else"}
    cards = handle_hook(SIGN, request)["cards"]
    detail = "\n".join(c["detail"] for c in cards)
    assert "is about Patient/someone-else, not Patient/1288992" in detail
    assert not [c for c in cards if "kidney function" in c["summary"]]
    request = _request()
    request["prefetch"]["patient"]["id"] = "someone-else"
    (card,) = handle_hook(SIGN, request)["cards"]
    assert card["summary"].startswith("Baclofen order not checked")
    assert "prefetch.patient.id" in card["detail"]


def test_without_authored_on_the_date_of_the_call_is_used_or_nothing_is_assumed() -> None:
    request = _request()
    del _draft(request)["authoredOn"]
    cards = handle_hook(SIGN, request)["cards"]
    detail = "\n".join(c["detail"] for c in cards)
    assert "the order has no date (authoredOn)" in detail
    assert not [c for c in cards if "kidney function 45" in c["summary"]]
    cards = handle_hook(SIGN, request, call_date=date(2026, 11, 29))["cards"]
    assert [c for c in cards if "kidney function 45 mg/day" in c["summary"]]


def test_another_baclofen_order_and_a_drafted_opioid_are_taken_into_account() -> None:
    """An active baclofen order in the prefetch: the daily doses add up, so the card says the
    order was judged alone (interop.duplicate_baclofen). An opioid drafted with the baclofen
    order is a co-medication: the interaction card appears."""
    request = _request()
    other = copy.deepcopy(_draft(request))
    other["id"] = "active-baclofen"
    other["status"] = "active"
    request["prefetch"]["medications"]["entry"] = [{"resource": other}]
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    assert any("interop.duplicate_baclofen" in c["summary"] + c["detail"] for c in cards)
    # The doses add up: a corrected dose for this order alone is no answer, so none is offered.
    assert not any("suggestions" in c for c in cards)
    alone = handle_hook(SIGN, _request())["cards"]
    assert not any("interop.duplicate_baclofen" in c["summary"] + c["detail"] for c in alone)
    assert any("suggestions" in c for c in alone)
    request = _request()
    request["context"]["draftOrders"]["entry"].append(
        {"resource": {
            "resourceType": "MedicationRequest", "id": "oxy", "status": "draft",
            "intent": "order",
            "medicationCodeableConcept": {"coding": [{
                "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7804",
                "display": "oxycodone"}]},
        }}
    )  # fmt: skip
    cards = handle_hook(SIGN, request)["cards"]
    assert any(c["summary"].startswith("Interaction") and "opioids" in c["summary"] for c in cards)


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("creatinine", 80, "above the plausible maximum 20 mg/dL"),  # micromol/L labelled mg/dL
        ("creatinine", 0, "not greater than zero"),
        ("weight", Decimal("0.5"), "below the plausible minimum 1 kg"),
    ],
)
def test_an_implausible_measurement_is_not_used_and_the_rest_is_still_checked(
    key: str, value: Any, reason: str
) -> None:
    """One implausible value (a unit slip) leaves kidney function not assessed, said with the
    prefetch path and the reason; the checks that do not need it still run (here: 25 mg a dose,
    above the 20 mg single-dose maximum). The older plausible value is never used instead."""
    request = _request()
    request["context"]["draftOrders"]["entry"][0]["resource"]["dosageInstruction"][0][
        "doseAndRate"][0]["doseQuantity"]["value"] = 25  # fmt: skip
    request["prefetch"][key]["entry"][0]["resource"]["valueQuantity"]["value"] = value
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    text = "\n".join(_texts(cards))
    assert "not checked" not in text
    assert f"Not used: prefetch.{key}[0] (" in text and reason in text
    assert any("single dose" in c["summary"] for c in cards)
    assert "Cockcroft-Gault" not in text  # no CrCl from the refused value


def test_a_stopped_baclofen_draft_is_not_checked_and_said() -> None:
    request = _request()
    _draft(request)["status"] = "stopped"
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    assert [c["summary"] for c in cards] == ["Baclofen order not checked: its status is stopped."]
    assert cards[0]["indicator"] == "info"


@pytest.mark.parametrize("status", ["stopped", "cancelled", "completed", "entered-in-error"])
def test_an_ended_co_medication_is_not_an_interaction(status: str) -> None:
    request = _request()
    opioid = {
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "medicationCodeableConcept": {"coding": [{
            "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7804"}]},
    }  # fmt: skip
    request["prefetch"]["medications"]["entry"] = [{"resource": opioid}]
    cards = handle_hook(SIGN, request)["cards"]
    (card,) = [c for c in cards if c["summary"].startswith("Interaction")]
    assert card["summary"].startswith("Interaction: oxycodone, RxCUI 7804 (opioids)")
    opioid["status"] = status
    cards = handle_hook(SIGN, request)["cards"]
    assert not [c for c in cards if c["summary"].startswith("Interaction")]


def test_a_draft_for_another_patient_is_not_checked_with_this_patients_data() -> None:
    request = _request()
    _draft(request)["subject"] = {"reference": "Patient/999"}
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    assert [c["summary"] for c in cards] == [
        "Baclofen order not checked: the order could not be read."
    ]
    assert "draft.subject.reference: 'Patient/999'" in cards[0]["detail"]
    assert "Patient/1288992" in cards[0]["detail"]


def _two_creatinines(first: tuple[str, Any], second: tuple[str, Any]) -> dict[str, Any]:
    request = _request()
    entry = request["prefetch"]["creatinine"]["entry"][0]
    entries = []
    for when, value in (first, second):
        one = copy.deepcopy(entry)
        one["resource"]["effectiveDateTime"] = when
        one["resource"]["valueQuantity"]["value"] = value
        entries.append(one)
    request["prefetch"]["creatinine"]["entry"] = entries
    return request


@pytest.mark.parametrize("swap", [False, True])
def test_the_latest_creatinine_is_chosen_by_its_time_not_its_place_in_the_list(
    swap: bool,
) -> None:
    """1 mg/dL at 08:00 and 3 mg/dL at 20:00 the same day: 3 mg/dL is the latest, whichever
    comes first in the Bundle (CrCl 25.9 mL/min, the severe band: the renal card)."""
    pair = [("2026-11-28T08:00:00Z", 1), ("2026-11-28T20:00:00Z", 3)]
    cards = handle_hook(SIGN, _two_creatinines(*(pair[::-1] if swap else pair)))["cards"]
    text = "\n".join(_texts(cards))
    assert "CrCl 25.9 mL/min by Cockcroft-Gault from creatinine 3 mg/dL" in text
    assert any("kidney function" in c["summary"] for c in cards)


def test_two_different_creatinines_on_one_day_without_times_are_not_guessed() -> None:
    cards = handle_hook(SIGN, _two_creatinines(("2026-11-28", 1), ("2026-11-28", 3)))["cards"]
    _check_card_shapes(cards)
    text = "\n".join(_texts(cards))
    assert "Not used: the creatinine results of 2026-11-28 differ" in text
    assert "Cockcroft-Gault" not in text
    same = handle_hook(SIGN, _two_creatinines(("2026-11-28", 3), ("2026-11-28", 3)))["cards"]
    assert "CrCl 25.9 mL/min" in "\n".join(_texts(same))  # the same value twice: no conflict


@pytest.mark.parametrize("birth", [None, "2030-01-01", "1966"])
def test_a_patient_without_a_usable_birth_date_is_of_unknown_age_and_still_checked(
    birth: str | None,
) -> None:
    """A missing, partial or future birthDate: the age bands are not assessed (adult rules,
    said), never "no patient was given"; the dose checks still run (25 mg: single dose)."""
    request = _request()
    patient = request["prefetch"]["patient"]
    if birth is None:
        del patient["birthDate"]
    else:
        patient["birthDate"] = birth
    _draft(request)["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] = 25
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    text = "\n".join(_texts(cards))
    assert "not checked" not in text and "no patient was given" not in text
    assert f"the Patient has no usable birthDate ({birth or 'missing'})" in text
    assert "the age bands (child, adult, older adult) need the age" in text
    assert any("single dose" in c["summary"] for c in cards)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("card",), "abc", "card"),
        (("outcomeTimestamp",), "yesterday", "outcomeTimestamp"),
        (("outcomeTimestamp",), "2026-11-29T14:33:09", "outcomeTimestamp"),  # no time zone
        (("overrideReason", "reason", "system"), "urn:made-up", "overrideReason.reason"),
        (("overrideReason", "reason", "code"), "because", "overrideReason.reason"),
        (("overrideReason", "userComment"), "x" * 200_000, "overrideReason.userComment"),
        (("overrideReason", "userComment"), "ok\x00", "overrideReason.userComment"),
        (("overrideReason", "userComment"), "abc\u202edef", "overrideReason.userComment"),
    ],
)
def test_feedback_is_refused_when_any_part_is_malformed(
    path: tuple[str, ...], value: Any, field: str
) -> None:
    """Each part of a feedback entry is checked before it is recorded: the card's uuid, an
    instant with its zone, an override reason the cards offered, a bounded printable comment."""
    entry: dict[str, Any] = {
        "card": "9368d37b-283f-44a0-93ea-547cebab93ee", "outcome": "overridden",
        "overrideReason": {"reason": {"code": "specialist-advice",
                                      "system": "urn:baclofen-dose:cds-hooks:override-reason"},
                           "userComment": "neurology agreed"},
        "outcomeTimestamp": "2026-11-29T14:33:09Z",
    }  # fmt: skip
    read_hook_feedback(SIGN, {"feedback": [copy.deepcopy(entry)]})  # valid as it is
    node = entry
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError) as caught:
        read_hook_feedback(SIGN, {"feedback": [entry]})
    assert caught.value.field == f"feedback[0].{field}"


def test_a_condition_code_that_begins_as_z99_2_but_is_not_it_is_a_card_not_a_crash() -> None:
    """Z99.29 is no ICD-10-CM code: it may say dialysis, and the dialysis rules differ, so the
    service neither reads dialysis from it nor ignores it; its answer names the condition."""
    request = _request()
    request["prefetch"]["conditions"]["entry"] = [
        {"resource": {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active"}]},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "Z99.29"}]},
        }}
    ]  # fmt: skip
    cards = handle_hook(SIGN, request)["cards"]
    _check_card_shapes(cards)
    text = "\n".join(c["summary"] + c["detail"] for c in cards)
    assert "Z99.29" in text
    assert not any("dialysis maximum" in c["summary"] for c in cards)
