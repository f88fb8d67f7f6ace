"""The patient handout (issue 14 item 3): what to take when, what to do about a missed dose,
the withdrawal warning and when to get help, drowsiness and driving.

:func:`handout_data` gathers the handout's content from the plan and the rule set that made it
(every clinical sentence is a rule's own text, through ``finding_text``; every number and date
goes through the one formatter); :func:`to_html` fills a Jinja2 template with it (autoescaped)
and :func:`to_pdf` a Typst template (the ``typst`` package bundles the compiler), a tagged
PDF/UA-1 document with its title and language. Jinja2 is the ``[handout]`` extra, typst the
``[pdf]`` extra.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import singledispatch
from importlib import resources
from typing import Any, Final

from baclofen_dose.core import display, units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.limits import advice
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.oral.regimen import OralPlan, Step
from baclofen_dose.oral.taper import TaperPlan
from baclofen_dose.render.lines import INTENDED_USE, rule_value, rules_for
from baclofen_dose.render.messages import finding_text
from baclofen_dose.render.products import give, product_name, step_when
from baclofen_dose.render.sentences import handout as words
from baclofen_dose.render.text import step_times

__all__ = ["LANGUAGE", "handout_data", "to_html", "to_pdf"]

RULES: Final = requires(
    __name__,
    {
        "counsel.breastfeeding": None,
        "counsel.pregnancy": None,
        "handout.cns_depressants": None,
        "handout.missed_dose": None,
        "handout.missed_several": None,
        "handout.sedation_driving": None,
        "handout.symptoms": None,
        "oral.missed_dose.never_double": None,
        "oral.missed_dose.skip_within": "duration.hours",
        "oral.taper.return_to_previous_step": None,
        "oral.withdrawal.abrupt": None,
    },
)


LANGUAGE: Final = "en"

# The rule texts of each section, in order (a rule the plan's rule set lacks is left out).
# The handout.* rules are the plain-language wording of the advice rules of the same name.
_MISSED: Final = ("handout.missed_dose", "oral.missed_dose.never_double", "handout.missed_several")
_SKIP_WITHIN: Final = "oral.missed_dose.skip_within"
_STOPPING: Final = ("oral.withdrawal.abrupt", "oral.taper.return_to_previous_step")
_HELP: Final = ("handout.symptoms",)
_DRIVING: Final = ("handout.sedation_driving", "handout.cns_depressants")
_PATIENT: Final = ("counsel.pregnancy", "counsel.breastfeeding")


def _texts(plan: OralPlan | TaperPlan, rules: RuleSet, ids: Sequence[str]) -> list[str]:
    """Each rule's text: the plan's own finding when it has one, else the rule's advice
    (a rule missing from the rule set is left out, never replaced by other words)."""
    found = {f.rule_id: finding_text(f) for f in plan.findings}
    return [
        found[rule_id] if rule_id in found else finding_text(advice(rules[rule_id]))
        for rule_id in ids
        if rule_id in found or rule_id in rules
    ]


def _stated(plan: OralPlan | TaperPlan, ids: Sequence[str]) -> list[str]:
    """The texts of the plan's own findings among ``ids`` (pregnancy, breastfeeding: shown
    only when the patient data said so, which the plan's findings record)."""
    return [finding_text(f) for f in plan.findings if f.rule_id in ids]


def _doses(step: Step, row: Sequence[Any] | None, at: Sequence[str] | None) -> list[dict[str, str]]:
    positions = range(1, len(step.regimen.doses_mg) + 1)
    out = []
    for index, position in enumerate(positions):
        take = (
            display.amount(step.regimen.doses_mg[index], units.ORAL_DOSE)
            if row is None
            else give(row[index])
        )
        when = at[index] if at else words.DOSE_OF_DAY.format(ordinal=display.ordinal(position))
        out.append({"time": when, "take": take})
    return out


def handout_data(
    plan: OralPlan | TaperPlan,
    *,
    times: Sequence[str] | None = None,
    rules: RuleSet | None = None,
) -> dict[str, Any]:
    """The handout's content as plain data (strings and lists): title, language, medicine,
    the schedule (one group of dose rows per step), the stop day of a taper, and the sections
    of advice, each a heading and the rule texts under it.

    ``times``: the clock times of the fullest day's doses (see
    :func:`baclofen_dose.oral.schedule.dose_times`); ``rules``: the rule set the plan was made
    with (default: the bundled one; another one is refused, its texts would not match).
    """
    if not isinstance(plan, OralPlan | TaperPlan):
        raise InputTypeError("plan", plan, "a plan from plan_titration or plan_taper")
    found = rules_for(plan.provenance, rules)
    if found is None:
        raise InputError(
            "rules",
            plan.provenance.ruleset_sha256,
            "the rule set that made the plan, so the handout's texts are its own",
            problem="is not the rule set given",
            code="E_RULESET_MISMATCH",
        )
    by_step = step_times(plan, times)
    rows: list[Any] = [None] * len(plan.steps) if plan.supply is None else list(plan.supply.doses)
    when: list[Any] = [None] * len(plan.steps) if by_step is None else list(by_step)
    steps = [
        {"days": step_when(step), "doses": _doses(step, row, at)}
        for step, row, at in zip(plan.steps, rows, when, strict=True)
    ]
    products = [] if plan.supply is None else [product_name(p) for p in plan.supply.products]
    stop = None
    if isinstance(plan, TaperPlan):
        stop = f"From {display.day(plan.taper.stop, weekday=True)}: stop taking baclofen."
    # "If symptoms come back, return to the previous step": a taper's own advice only.
    back = _stated(plan, _STOPPING[1:])
    missed = _texts(plan, found, _MISSED)
    if _SKIP_WITHIN in found:
        missed.insert(1, words.NEARLY.format(limit=rule_value(found[_SKIP_WITHIN])))
    sections = [
        {"heading": words.MISSED, "lines": missed},
        {"heading": words.STOPPING, "lines": _texts(plan, found, _STOPPING[:1]) + back},
        {"heading": words.HELP, "lines": _texts(plan, found, _HELP)},
        {
            "heading": words.DRIVING,
            "lines": _texts(plan, found, _DRIVING) + _stated(plan, _PATIENT),
        },
    ]
    return {
        "title": words.TITLE_TAPER if isinstance(plan, TaperPlan) else words.TITLE,
        "language": LANGUAGE,
        "medicine": words.MEDICINE.format(products=display.words_list(products))
        if products
        else None,
        "schedule_heading": words.SCHEDULE,
        "headers": list(words.HEADERS if by_step else words.HEADERS_NO_TIMES),
        "steps": steps,
        "stop": stop,
        "sections": [s for s in sections if s["lines"]],
        "intended_use": INTENDED_USE,
    }


def _template(name: str) -> str:
    return resources.files("baclofen_dose.render").joinpath("templates", name).read_text("utf-8")


@singledispatch
def to_html(result: object, **options: Any) -> str:
    """The handout as one HTML page (Jinja2, autoescaped; needs the ``[handout]`` extra)."""
    raise InputTypeError("result", result, "a titration or taper plan")


def _html(plan: OralPlan | TaperPlan, **options: Any) -> str:
    import jinja2

    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = environment.from_string(_template("handout.html.j2"))
    data = handout_data(plan, times=options.get("times"), rules=options.get("rules"))
    return template.render(**data)


@singledispatch
def to_pdf(result: object, **options: Any) -> bytes:
    """The handout as a tagged PDF/UA-1 document (Typst; needs the ``[pdf]`` extra). The
    content goes to the template as JSON data, never as Typst markup, so no text is read as
    markup; the timestamp is fixed, so the same plan gives the same file."""
    raise InputTypeError("result", result, "a titration or taper plan")


def _pdf(plan: OralPlan | TaperPlan, **options: Any) -> bytes:
    import typst

    data = handout_data(plan, times=options.get("times"), rules=options.get("rules"))
    source = _template("handout.typ").encode("utf-8")
    pdf = typst.compile(
        source,
        sys_inputs={"data": json.dumps(data)},
        pdf_standards="ua-1",
        timestamp=0,
    )
    return bytes(pdf)


for _type in (OralPlan, TaperPlan):
    to_html.register(_type)(_html)
    to_pdf.register(_type)(_pdf)
