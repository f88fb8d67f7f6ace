"""Which FHIR medication is baclofen (found by a tester: "not baclofen" was checked as a
baclofen order, because any text containing the letters b-a-c-l-o-f-e-n was taken for it), and
a Dosage route that contradicts its product (an intrathecal product by mouth).

Requirements: a concept is baclofen when its names say so plainly (no RxNorm code is confirmed:
shared identifiers.md 1); a negated or ambiguous name is neither checked as baclofen nor taken
for another medicine, and the refusal says why; no route conversion, ever (safety.md).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose.core.errors import InputError
from baclofen_dose.interop.fhir import (
    MEDICATION_UNCLEAR,
    NOT_BACLOFEN,
    ROUTE_CONTRADICTS,
    read_fhir_bundle,
    read_medication_request,
)
from baclofen_dose.interop.hooks import handle_hook
from baclofen_dose.interop.medication import medication_identity
from baclofen_dose.oral.products import catalogue
from baclofen_dose.render.products import product_name

ORAL = "26643006"
INTRATHECAL = "72607000"


def _request(text: str, route: str = ORAL, *, it_rate: bool = False) -> dict[str, Any]:
    if it_rate:
        amount = {"rateQuantity": {"value": 100, "unit": "mcg/day",
                                   "system": "http://unitsofmeasure.org", "code": "ug/d"}}
        per_day = 1
    else:
        amount = {"doseQuantity": {"value": 25, "unit": "mg",
                                   "system": "http://unitsofmeasure.org", "code": "mg"}}
        per_day = 3
    return {
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "subject": {"reference": "Patient/123"},
        "medicationCodeableConcept": {"text": text},
        "dosageInstruction": [{
            "route": {"coding": [{"system": "http://snomed.info/sct", "code": route}]},
            "timing": {"repeat": {"frequency": per_day, "period": 1, "periodUnit": "d"}},
            "doseAndRate": [amount],
        }],
    }  # fmt: skip


UNCLEAR = (
    "not baclofen",  # the tester's file notbaclofen2.json
    "no baclofen",
    "baclofen allergy",
    "baclofen/oxycodone combo",
    "stop baclofen",
    "baclofen (discontinued)",
    "baclofen-free",
    "arbaclofen 10 mg",
    "Gablofen 500 mcg/mL",  # a brand alone does not name the ingredient
    "baclofen 10 mg tablet intrathecal",  # both routes
)


@pytest.mark.parametrize("text", UNCLEAR)
def test_a_name_that_is_not_plainly_baclofen_is_refused_and_says_why(text: str) -> None:
    with pytest.raises(InputError) as caught:
        read_medication_request(_request(text))
    assert caught.value.code == MEDICATION_UNCLEAR
    assert caught.value.field == "medicationCodeableConcept.text"
    assert "not clearly baclofen" in str(caught.value)


def test_the_tester_file_not_baclofen_is_not_checked() -> None:
    """notbaclofen2.json (text "not baclofen", 25 mg 3 times a day by mouth) was checked as a
    baclofen order; the refusal names the word that makes it unclear."""
    with pytest.raises(InputError) as caught:
        read_medication_request(_request("not baclofen"))
    assert "the word 'not'" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "baclofen 10 mg oral tablet",
        "baclofen 10 MG Oral Tablet",
        "Baclofen 10mg tab PO",
        "baclofen 10 mg oral tablet [Lioresal]",
        "BACLOFEN",
        "baclofen 25 mg/5 mL oral suspension",
    ],
)
def test_plain_baclofen_names_are_read(text: str) -> None:
    assert read_medication_request(_request(text)).route == "oral"


def test_the_library_reads_back_its_own_product_names() -> None:
    """What the FHIR writer puts in the medication text ("baclofen 5 mg tablet (not scored:
    whole tablets only)") is read back as baclofen, though it contains "not"."""
    for product in catalogue():
        found = medication_identity({"text": "baclofen " + product_name(product)})
        assert (found.kind, found.route_named) == ("baclofen", "oral"), product.id


def test_another_medicine_is_still_another_medicine() -> None:
    with pytest.raises(InputError) as caught:
        read_medication_request(_request("oxycodone 5 mg"))
    assert caught.value.code == NOT_BACLOFEN
    assert caught.value.field == "medicationCodeableConcept"


def test_a_name_against_a_code_of_another_ingredient_is_unclear() -> None:
    """Text "baclofen" with the RxNorm code of oxycodone (7804, the interaction table's)."""
    resource = _request("baclofen 10 mg tablet")
    resource["medicationCodeableConcept"]["coding"] = [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "7804"}
    ]
    with pytest.raises(InputError) as caught:
        read_medication_request(resource)
    assert caught.value.code == MEDICATION_UNCLEAR
    assert "RxCUI 7804" in str(caught.value)


def test_names_that_disagree_are_unclear() -> None:
    resource = _request("baclofen 10 mg tablet")
    resource["medicationCodeableConcept"]["coding"] = [{"display": "tizanidine 4 mg tablet"}]
    with pytest.raises(InputError) as caught:
        read_medication_request(resource)
    assert caught.value.code == MEDICATION_UNCLEAR


def test_in_a_bundle_an_unclear_entry_is_neither_checked_nor_a_co_medication() -> None:
    """A Bundle with a baclofen order and a "not baclofen" request: refused (naming the entry),
    not silently read as a second baclofen order nor as another medicine."""
    bundle = {
        "resourceType": "Bundle", "type": "collection",
        "entry": [{"resource": _request("baclofen 10 mg oral tablet")},
                  {"resource": _request("not baclofen")}],
    }  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_fhir_bundle(bundle)
    assert caught.value.field == "entry[1].resource.medicationCodeableConcept.text"
    other = copy.deepcopy(bundle)
    other["entry"][1]["resource"] = _request("oxycodone 5 mg tablet")
    orders, medicines = read_fhir_bundle(other)
    assert len(orders) == 1 and medicines == ("oxycodone 5 mg tablet",)


def test_the_hook_says_an_unclear_draft_was_not_checked() -> None:
    data = Path(__file__).resolve().parent / "data" / "cds_hooks" / "order-sign-renal.json"
    request = json.loads(data.read_text(encoding="utf-8"))
    draft = request["context"]["draftOrders"]["entry"][0]["resource"]
    draft["medicationCodeableConcept"] = {"text": "not baclofen"}
    cards = handle_hook("baclofen-order-sign", request)["cards"]
    assert len(cards) == 1
    assert "not clearly baclofen" in cards[0]["detail"]
    draft["medicationCodeableConcept"] = {"text": "oxycodone 5 mg tablet"}
    assert handle_hook("baclofen-order-sign", request)["cards"] == []


_NEGATIONS = ("not", "no", "allergy", "allergic", "stopped", "avoid", "without", "free", "never")
_PRODUCT_WORDS = ("10", "mg", "oral", "tablet", "tab", "po", "5", "ml", "solution", "/", "(", ")")


@given(
    before=st.lists(st.sampled_from(_PRODUCT_WORDS), max_size=4),
    after=st.lists(st.sampled_from(_PRODUCT_WORDS), max_size=4),
    negation=st.sampled_from(_NEGATIONS),
    where=st.integers(min_value=0, max_value=9),
    upper=st.booleans(),
)
def test_a_negation_anywhere_never_makes_baclofen(
    before: list[str], after: list[str], negation: str, where: int, upper: bool
) -> None:
    """Property: a name of baclofen with product words around it and a negating word put
    anywhere is never read as baclofen (and never as another medicine either)."""
    words = [*before, "baclofen", *after]
    words.insert(where % (len(words) + 1), negation)
    text = " ".join(words)
    found = medication_identity({"text": text.upper() if upper else text})
    assert found.kind == "unclear", text


# --- the route and the product agree (no route conversion, ever) -----------------------------


def test_an_intrathecal_product_by_mouth_is_refused_naming_both() -> None:
    """The tester's it_text_oral_route.json: "Baclofen intrathecal 2000 mcg/mL", route oral."""
    with pytest.raises(InputError) as caught:
        read_medication_request(_request("Baclofen intrathecal 2000 mcg/mL"))
    assert caught.value.code == ROUTE_CONTRADICTS
    assert caught.value.field == "dosageInstruction[0].route"
    assert "medicationCodeableConcept" in str(caught.value)
    assert "intrathecal product" in str(caught.value)


def test_an_oral_tablet_given_intrathecally_is_refused_naming_both() -> None:
    """The tester's oral_dose_it_route.json: "baclofen 10 mg oral tablet", route intrathecal;
    refused on the contradiction even before the dose's form (rate or dose)."""
    for it_rate in (False, True):
        with pytest.raises(InputError) as caught:
            read_medication_request(
                _request("baclofen 10 mg oral tablet", INTRATHECAL, it_rate=it_rate)
            )
        assert caught.value.code == ROUTE_CONTRADICTS
        assert "oral product" in str(caught.value)


def test_a_name_without_a_route_takes_the_dosage_route() -> None:
    assert read_medication_request(_request("baclofen", INTRATHECAL, it_rate=True)).route == (
        "intrathecal"
    )
    assert read_medication_request(_request("baclofen")).route == "oral"
