"""Is a FHIR medication baclofen? Read from its text, displays and codes, never by a substring.

A concept is **baclofen** when one of its names (``text``, a coding's ``display``) names
baclofen as the ingredient and every word of every name belongs to a baclofen product's
description: the word ``baclofen`` (or a baclofen brand beside it), strengths and units, dose
forms and routes ("baclofen 10 mg oral tablet", "baclofen 20,000 MCG in 20 ML Injection").
No RxNorm code identifies it: none was confirmed with its name (shared identifiers.md 1; the
code table's ``rxnorm`` note), so a code alone never makes a medication baclofen.

It is **another medicine** when no name mentions baclofen at all ("oxycodone 5 mg").

It is **unclear** (:attr:`MedicationIdentity.unclear`, with the reason) otherwise, and then it
is neither checked as baclofen nor taken for another medicine: a name with a word that is not
part of a product description ("not baclofen", "baclofen allergy", "no baclofen",
"baclofen/oxycodone combo"), a word that only contains baclofen ("arbaclofen"), a baclofen
brand without the word baclofen ("Gablofen"), names that disagree, a name that says both an
oral form and an intrathecal one, or an RxNorm code of another ingredient (the interaction
table's) beside a name that says baclofen.

The route the names say (``oral``: tablet, oral solution, granules...; ``intrathecal``:
intrathecal, injection, mcg strengths) is kept, so that a request whose Dosage route
contradicts its product is refused rather than checked on either route.

>>> medication_identity({"text": "baclofen 10 mg oral tablet"}).route_named
'oral'
>>> medication_identity({"text": "not baclofen"}).unclear
"the word 'not' is not part of a baclofen product's name, strength or form"
>>> medication_identity({"text": "oxycodone 5 mg"}).baclofen
False
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Final, Literal

import attrs

from baclofen_dose.core.rules.interactions import InteractionTable, default_interactions
from baclofen_dose.oral.products import catalogue
from baclofen_dose.render.products import product_name

__all__ = ["MedicationIdentity", "medication_identity"]

RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"

_INGREDIENT: Final = "baclofen"
# Baclofen brands named in shared clinical.md 2 and 7 (labels L7-L11; Lioresal Intrathecal,
# Gablofen): words of a baclofen product's name, with the route the product has (None: a brand
# with both oral and intrathecal products). A brand alone does not name the ingredient.
_BRANDS: Final[Mapping[str, str | None]] = {
    "lioresal": None,
    "gablofen": "intrathecal",
    "ozobax": "oral",
    "fleqsuvy": "oral",
    "lyvispah": "oral",
}
# Words of a product description, with the route they say (None: no route). A word not here
# makes a name that mentions baclofen unclear: refusing a strange name is safer than guessing.
_WORDS: Final[Mapping[str, str | None]] = {
    **{w: None for w in ("mg", "ml", "g", "l", "in", "per", "usp", "generic", "ds", "for")},
    **{w: None for w in ("milligram", "milligrams", "solution", "liquid", "screening")},
    **{
        w: "oral"
        for w in (
            "oral", "po", "by", "mouth", "tablet", "tablets", "tab", "tabs", "suspension",
            "granules", "granule", "packet", "packets", "sachet", "sachets",
        )
    },
    **{
        w: "intrathecal"
        for w in (
            "intrathecal", "intrathecally", "injection", "inj", "infusion", "mcg", "ug", "\u03bcg",
            "microgram", "micrograms", "ampule", "ampoule", "vial", "syringe", "prefilled",
        )
    },
}
_TOKEN = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*|\S")
_SYMBOLS: Final = frozenset("/()[],.:;-")

Kind = Literal["baclofen", "other", "unclear"]


@attrs.frozen
class MedicationIdentity:
    """What a medication concept is: baclofen (and the route its names say), another
    medicine, or unclear (with the reason, in words)."""

    kind: Kind
    route_named: str | None = None
    reason: str | None = None

    @property
    def baclofen(self) -> bool:
        """True only when the concept clearly names baclofen."""
        return self.kind == "baclofen"

    @property
    def unclear(self) -> str | None:
        """The reason it is unclear, or ``None`` when it is clear either way."""
        return self.reason if self.kind == "unclear" else None


@cache
def _own_names() -> frozenset[str]:
    """The names this library writes for its oral products ("baclofen 5 mg tablet (not
    scored: whole tablets only)"), read back as they were written."""
    return frozenset(
        " ".join(f"baclofen {product_name(p)}".casefold().split()) for p in catalogue()
    )


def _name(text: str) -> MedicationIdentity:
    """One name (a text or a display) on its own."""
    if " ".join(text.casefold().split()) in _own_names():
        return MedicationIdentity("baclofen", "oral")
    tokens = _TOKEN.findall(text.casefold())
    words = [t for t in tokens if t[0].isalpha()]
    mentions = [w for w in words if _INGREDIENT in w or w in _BRANDS]
    if not mentions:
        return MedicationIdentity("other")
    for word in mentions:
        if word != _INGREDIENT and word not in _BRANDS:
            return MedicationIdentity(
                "unclear", reason=f"the word {word!r} is not the name baclofen"
            )
    if _INGREDIENT not in words:
        return MedicationIdentity(
            "unclear", reason=f"it names the brand {mentions[0]!r} but not baclofen itself"
        )
    routes: set[str] = set()
    for token in tokens:
        if token[0].isdigit() or token == _INGREDIENT:
            continue
        if token in _BRANDS or token in _WORDS:
            route = _BRANDS.get(token) if token in _BRANDS else _WORDS[token]
            if route is not None:
                routes.add(route)
        elif token not in _SYMBOLS:
            return MedicationIdentity(
                "unclear",
                reason=f"the word {token!r} is not part of a baclofen product's name, strength "
                "or form",
            )
    if len(routes) > 1:
        return MedicationIdentity(
            "unclear", reason="it names both an oral form and an intrathecal one"
        )
    return MedicationIdentity("baclofen", next(iter(routes), None))


def _other_codes(concept: Mapping[str, object], table: InteractionTable) -> list[str]:
    codings = concept.get("coding")
    found = []
    for coding in codings if isinstance(codings, list) else ():
        if isinstance(coding, Mapping) and coding.get("system") == RXNORM:
            code = coding.get("code")
            if isinstance(code, str) and table.known(f"RxCUI:{code}"):
                found.append(code)
    return found


def medication_identity(
    concept: object, *, interactions: InteractionTable | None = None
) -> MedicationIdentity:
    """Whether a CodeableConcept is baclofen, another medicine or unclear (see the module).

    ``concept`` as found in the resource (anything that is not a JSON object is "other": the
    FHIR reader refuses its shape itself). ``interactions`` (default: the bundled table) gives
    the RxNorm codes of other ingredients.
    """
    if not isinstance(concept, Mapping):
        return MedicationIdentity("other")
    names: list[str] = []
    if isinstance(concept.get("text"), str):
        names.append(str(concept["text"]))
    codings = concept.get("coding")
    for coding in codings if isinstance(codings, list) else ():
        if isinstance(coding, Mapping) and isinstance(coding.get("display"), str):
            names.append(str(coding["display"]))
    each = [(name, _name(name)) for name in names]
    for name, found in each:
        if found.unclear:
            why = found.reason if len(each) == 1 else f"{name!r}: {found.reason}"
            return MedicationIdentity("unclear", reason=why)
    said = [found for _, found in each if found.baclofen]
    if not said:
        return MedicationIdentity("other")
    if len(said) != len(each):
        others = [name for name, found in each if not found.baclofen]
        return MedicationIdentity(
            "unclear", reason=f"one name says baclofen and another does not ({others[0]!r})"
        )
    routes = {found.route_named for found in said} - {None}
    if len(routes) > 1:
        return MedicationIdentity(
            "unclear", reason="its names say both an oral form and an intrathecal one"
        )
    table = default_interactions() if interactions is None else interactions
    codes = _other_codes(concept, table)
    if codes:
        return MedicationIdentity(
            "unclear",
            reason=f"it is named baclofen but coded as another ingredient (RxCUI {codes[0]})",
        )
    return MedicationIdentity("baclofen", next(iter(routes), None))
