"""Counselling shown with every oral plan (issue 10 item 9): the advice rules ``counsel.*``.

Every plan carries sedation and driving (``counsel.sedation_driving``; clinical.md 16
"Driving"), alcohol and other CNS depressants (``counsel.cns_depressants``; 8.4) and what to do
about withdrawal or overdose symptoms (``counsel.symptoms``; 7.1, 8.2); "do not stop suddenly"
is ``oral.withdrawal.abrupt``, which every oral plan already shows. Pregnancy and breastfeeding
are shown only when the patient data says so (``Patient.pregnant``, ``Patient.breastfeeding``;
``None`` means not stated and is never assumed). Every text comes from the rule data.

>>> from baclofen_dose.core.rules import default_rules
>>> [f.rule_id for f in counselling(default_rules(), None)]
['counsel.sedation_driving', 'counsel.cns_depressants', 'counsel.symptoms']
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from baclofen_dose.core.limits import Finding, advice
from baclofen_dose.core.memo import MEMO_SIZE
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.oral.patient import Patient

__all__ = ["ALWAYS", "counselling", "counselling_ids"]

RULES: Final = requires(
    __name__,
    {
        "counsel.breastfeeding": None,
        "counsel.cns_depressants": None,
        "counsel.pregnancy": None,
        "counsel.sedation_driving": None,
        "counsel.symptoms": None,
    },
)


ALWAYS: Final = ("counsel.sedation_driving", "counsel.cns_depressants", "counsel.symptoms")


def counselling_ids(patient: Patient | None) -> tuple[str, ...]:
    """The ids of the counselling rules that apply: always ``ALWAYS``, then pregnancy and
    breastfeeding when the patient data says ``True``."""
    ids = list(ALWAYS)
    if patient is not None and patient.pregnant is True:
        ids.append("counsel.pregnancy")
    if patient is not None and patient.breastfeeding is True:
        ids.append("counsel.breastfeeding")
    return tuple(ids)


def counselling(rules: RuleSet, patient: Patient | None) -> tuple[Finding, ...]:
    """The counselling findings for a plan (advice rules, each with its citation)."""
    return _findings(rules, counselling_ids(patient))


@lru_cache(maxsize=MEMO_SIZE)  # every plan asks: findings are immutable, a rule set is hashed
def _findings(rules: RuleSet, ids: tuple[str, ...]) -> tuple[Finding, ...]:
    return tuple(advice(rules[rule_id]) for rule_id in ids)
