"""Plots (``[plot]`` extra, matplotlib): the dose ladder of a plan and the PK education curves.

Numbers come from the planners and from :mod:`baclofen_dose.oral.pk`, exact until the plotting
call, where they become floats; every word comes from render/sentences/pk.py. No pyplot and no
global backend: each figure is a ``matplotlib.figure.Figure`` drawn on its own Agg canvas, so
a caller's matplotlib set-up is left alone. matplotlib is imported only when a figure is drawn.

Every concentration curve says it is educational, not for therapeutic drug monitoring, and
shows the model's parameters with their sources beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from baclofen_dose.core import display, units
from baclofen_dose.core.errors import InputError, InputTypeError
from baclofen_dose.core.kernel import rules_or_default
from baclofen_dose.core.model import Amount
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.intrathecal.taper import IntrathecalTaper
from baclofen_dose.oral import pk
from baclofen_dose.oral.regimen import OralPlan
from baclofen_dose.oral.taper import TaperPlan
from baclofen_dose.render import INTENDED_USE
from baclofen_dose.render.sentences import pk as words

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from baclofen_dose.core.types import QuantityInput

__all__ = [
    "SUFFIXES",
    "CurveSet",
    "Ladder",
    "concentration_curves",
    "curve_labels",
    "dose_ladder",
    "draw_plan",
    "ladder_of",
    "parameter_lines",
]

RULES: Final = requires(
    __name__,
    {
        "pk.compare_crcl": "pk.clearance",
        "pk.oral.reference_crcl": "pk.clearance",
    },
)


# Points of the curve per hour: a dose's peak is about 2 hours after it, so 4 a hour draw it.
_POINTS_PER_HOUR: Final = 4
# The last (open-ended) step is drawn until this fraction of its steady state is reached at the
# lowest kidney function shown.
_STEADY: Final = Fraction(99, 100)
# ng/mL per mg/mL.
_NG_PER_MG: Final = 10**6
_WIDTH_IN: Final = 15
_HEIGHT_IN: Final = 11
_DPI: Final = 100
_WRAP: Final = 78
# Drawing fractions (matplotlib takes floats; the package writes no float literal).
_HEADROOM: Final = Fraction(6, 5)
_FAINT: Final = float(Fraction(3, 10))


PlotPlan = OralPlan | TaperPlan | IntrathecalTaper


@attrs.frozen
class Ladder:
    """A plan as a staircase: each step's first and last day (counted from the plan's first
    day, the last one included), its daily dose, the unit and a title."""

    title: str
    unit: str
    first: date
    from_day: tuple[int, ...]
    to_day: tuple[int, ...]
    daily: tuple[Fraction, ...]


@attrs.frozen
class CurveSet:
    """The education curves of an oral plan: the hours, one curve (ng/mL) per model."""

    hours: tuple[Fraction, ...]
    models: tuple[pk.PkModel, ...]
    levels_ng_ml: tuple[tuple[Decimal, ...], ...]
    open_days: int
    patient: bool


def ladder_of(plan: PlotPlan, *, open_days: int | None = None) -> Ladder:
    """The staircase of any plan with dated steps (titration, taper, intrathecal taper). An
    open-ended last step is drawn for ``open_days`` days (default: as long as the step before
    it, at least one day)."""
    bounds: list[tuple[date, date | None]]
    if isinstance(plan, IntrathecalTaper):
        bounds = [(step.start, step.end) for step in plan.steps]
        daily = tuple(step.daily_mcg for step in plan.steps)
        unit, title = units.IT_DAILY_DOSE.display, "Intrathecal baclofen: taper"
    elif isinstance(plan, OralPlan | TaperPlan):
        bounds = [(step.start, step.end) for step in plan.steps]
        daily = tuple(step.regimen.daily_mg for step in plan.steps)
        unit = units.ORAL_DAILY_DOSE.display
        title = "Baclofen by mouth: " + (
            "taper plan" if isinstance(plan, TaperPlan) else "titration plan"
        )
    else:
        raise InputTypeError("plan", plan, "a titration, taper or intrathecal taper plan")
    first = bounds[0][0]
    starts = [(start - first).days for start, _ in bounds]
    ends: list[int] = []
    for index, (_, end) in enumerate(bounds):
        if end is not None:
            ends.append((end - first).days)
            continue
        before = ends[index - 1] - starts[index - 1] + 1 if index else 1
        ends.append(starts[index] + (open_days or before) - 1)
    return Ladder(
        title=title,
        unit=unit,
        first=first,
        from_day=tuple(starts),
        to_day=tuple(ends),
        daily=daily,
    )


def _oral_steps(plan: PlotPlan) -> Sequence[Any]:
    if not isinstance(plan, OralPlan | TaperPlan):
        raise InputTypeError("plan", plan, "an oral titration or taper plan (doses in mg)")
    return plan.steps


def concentration_curves(
    plan: OralPlan | TaperPlan,
    *,
    crcl: QuantityInput | Fraction | None = None,
    rules: RuleSet | None = None,
) -> CurveSet:
    """The education curves of an oral plan: at the patient's CrCl (``crcl``; without it the
    reference kidney function) and at ``pk.compare_crcl`` (30 mL/min, Vlavonou's lowest group)."""
    rules = rules_or_default(rules)
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    steps = _oral_steps(plan)
    first = pk.pk_model(crcl, rules=rules)
    compare = rules["pk.compare_crcl"].require_value()
    models = [first]
    if compare != first.crcl_ml_min:
        models.append(pk.pk_model(display.amount(compare, units.RENAL_CLEARANCE), rules=rules))
    slowest = max(models, key=lambda model: model.half_life_h)
    day_h = units.parse("1 day", units.HOURS, "time")
    settle = slowest.time_to_steady_state(_STEADY) / Decimal(day_h.numerator)
    open_days = int(settle.to_integral_value(rounding="ROUND_CEILING")) + 1
    doses = pk.plan_doses(steps, open_days=open_days)
    total_days = sum(step.days if step.days is not None else open_days for step in steps)
    points = int(total_days * day_h) * _POINTS_PER_HOUR
    hours = tuple(Fraction(i, _POINTS_PER_HOUR) for i in range(points + 1))
    levels = tuple(
        tuple(level * _NG_PER_MG for level in pk.concentrations(model, doses, hours))
        for model in models
    )
    return CurveSet(
        hours=hours,
        models=tuple(models),
        levels_ng_ml=levels,
        open_days=open_days,
        patient=crcl is not None,
    )


def _figure(width: float, height: float) -> tuple[Figure, Any]:
    # The [plot] extra; without it the ImportError says so (the CLI words it).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    return figure, FigureCanvasAgg(figure)


def _draw_ladder(axes: Axes, ladder: Ladder) -> None:
    """Each step a bar over its days (a step's last day included, so the bars meet)."""
    previous: Fraction | None = None
    for start, end, daily in zip(ladder.from_day, ladder.to_day, ladder.daily, strict=True):
        axes.hlines(float(daily), start, end + 1, linewidth=3)
        if previous is not None:
            axes.vlines(start, float(previous), float(daily), linewidth=1, linestyles="dotted")
        previous = daily
        axes.annotate(
            display.number(daily) + " " + ladder.unit,
            (start, float(daily)),
            textcoords="offset points",
            xytext=(2, 5),
            fontsize=8,
        )
    axes.set_title(display.fill(words.TEXTS["LADDER_TITLE"], {"title": ladder.title}))
    axes.set_ylabel(display.fill(words.TEXTS["LADDER_AXIS"], {"unit": ladder.unit}))
    axes.set_xlabel(display.fill(words.TEXTS["DAY_AXIS"], {"first": ladder.first}))
    axes.set_ylim(bottom=0, top=float(max(ladder.daily) * _HEADROOM))
    axes.grid(visible=True, alpha=_FAINT)


def _curve_label(model: pk.PkModel, reference: Fraction, patient: bool, first: bool) -> str:
    key = "CURVE_LABEL"
    if first and patient:
        key = "CURVE_LABEL_PATIENT"
    elif model.crcl_ml_min == reference:
        key = "CURVE_LABEL_REFERENCE"
    return display.fill(
        words.TEXTS[key],
        {
            "crcl": Amount(model.crcl_ml_min, units.RENAL_CLEARANCE),
            "half_life": Amount(Fraction(model.half_life_h), units.HOURS),
        },
    )


def curve_labels(curves: CurveSet, rules: RuleSet) -> list[str]:
    """The legend of the curves: each one's creatinine clearance and half-life."""
    reference = rules["pk.oral.reference_crcl"].require_value()
    return [
        _curve_label(model, reference, curves.patient, index == 0)
        for index, model in enumerate(curves.models)
    ]


def _draw_curves(axes: Axes, curves: CurveSet, rules: RuleSet, first: date) -> None:
    day_h = units.parse("1 day", units.HOURS, "time")
    days = [float(hour / day_h) for hour in curves.hours]
    for label, levels in zip(curve_labels(curves, rules), curves.levels_ng_ml, strict=True):
        axes.plot(days, [float(level) for level in levels], linewidth=1, label=label)
    axes.set_title(words.TEXTS["CURVE_TITLE"])
    axes.set_ylabel(words.TEXTS["CURVE_AXIS"])
    axes.set_xlabel(display.fill(words.TEXTS["DAY_AXIS"], {"first": first}))
    axes.set_ylim(bottom=0)
    axes.grid(visible=True, alpha=_FAINT)
    axes.legend(loc="upper left", fontsize=8)


def _wrap(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(text, _WRAP) or [""]


def parameter_lines(curves: CurveSet, rules: RuleSet) -> list[str]:
    """The text beside the curves: the label, the parameters with their sources, the model."""
    lines = [*_wrap(words.EDUCATIONAL), "", words.TEXTS["PARAMETERS_TITLE"], ""]
    for rule_id in pk.PARAMETER_RULES:
        rule = rules[rule_id]
        kind = units.PERCENT if rule.quantity == "pk.fraction" else None
        value = rule.require_value()
        written = display.amount(value, kind or _kind_of(rule.quantity))
        line = display.fill(
            words.TEXTS["PARAMETER_LINE"],
            {"name": words.PARAMETER_NAMES[rule_id], "value": written, "rule_id": rule_id},
        )
        lines += _wrap(line)
        lines += [
            "  " + part
            for part in _wrap(display.fill(words.TEXTS["SOURCE_LINE"], {"source": rule.citation}))
        ]
    reference, *others = curves.models
    slow = others[0] if others else reference
    lines += [""]
    params = {
        "reference": Amount(Fraction(reference.time_to_steady_state(Fraction(9, 10))), units.HOURS),
        "crcl_ref": Amount(reference.crcl_ml_min, units.RENAL_CLEARANCE),
        "compare": Amount(Fraction(slow.time_to_steady_state(Fraction(9, 10))), units.HOURS),
        "crcl_compare": Amount(slow.crcl_ml_min, units.RENAL_CLEARANCE),
    }
    lines += _wrap(display.fill(words.TEXTS["STEADY_STATE"], params))
    crcl_ref = rules["pk.oral.reference_crcl"].require_value()
    lines += _wrap(
        display.fill(words.TEXTS["RENAL"], {"crcl_ref": Amount(crcl_ref, units.RENAL_CLEARANCE)})
    )
    lines += _wrap(display.fill(words.TEXTS["MODEL"], {"days": curves.open_days}))
    return lines


def _kind_of(quantity: str | None) -> units.Kind:
    from baclofen_dose.core.rules import QUANTITIES

    if quantity is None:  # pragma: no cover - every parameter rule has a quantity
        raise InputError("quantity", quantity, "a rule with a quantity")
    return QUANTITIES[quantity]


# What ``path`` may end in: the formats drawn here.
SUFFIXES: Final = (".png", ".svg", ".pdf")


def _target(path: str | Path) -> Path:
    out = Path(path)
    if out.suffix.lower() not in SUFFIXES:
        raise InputError("path", str(path), "a file name ending in " + " or ".join(SUFFIXES))
    return out


def dose_ladder(plan: PlotPlan, path: str | Path) -> Path:
    """Draw the plan's dose ladder to ``path`` (PNG, SVG or PDF by its suffix)."""
    out = _target(path)
    figure, canvas = _figure(_WIDTH_IN / 2 + 2, _HEIGHT_IN / 2 + 1)
    axes = figure.add_subplot()
    _draw_ladder(axes, ladder_of(plan))
    figure.supxlabel(INTENDED_USE, fontsize=7)
    canvas.print_figure(out, dpi=_DPI)
    return out


def draw_plan(
    plan: PlotPlan,
    path: str | Path,
    *,
    crcl: QuantityInput | Fraction | None = None,
    rules: RuleSet | None = None,
) -> Path:
    """Draw ``plan`` to ``path``: the dose ladder and, for an oral plan, the PK education
    curves (at ``crcl`` and at 30 mL/min) with the parameters and their sources beside them."""
    out = _target(path)
    if not isinstance(plan, OralPlan | TaperPlan):
        return dose_ladder(plan, out)
    rules = rules_or_default(rules)
    if not isinstance(rules, RuleSet):
        raise InputTypeError("rules", rules, "a RuleSet from load_rules() or default_rules()")
    curves = concentration_curves(plan, crcl=crcl, rules=rules)
    figure, canvas = _figure(_WIDTH_IN, _HEIGHT_IN)
    grid = figure.add_gridspec(2, 2, width_ratios=(3, 2))
    ladder = ladder_of(plan, open_days=curves.open_days)
    top = figure.add_subplot(grid[0, 0])
    _draw_ladder(top, ladder)
    _draw_curves(figure.add_subplot(grid[1, 0], sharex=top), curves, rules, ladder.first)
    side = figure.add_subplot(grid[:, 1])
    side.axis("off")
    side.text(
        0,
        1,
        "\n".join(parameter_lines(curves, rules)),
        va="top",
        ha="left",
        fontsize=7,
        transform=side.transAxes,
    )
    figure.suptitle(words.EDUCATIONAL, color="darkred", fontweight="bold")
    figure.supxlabel(INTENDED_USE, fontsize=7)
    canvas.print_figure(out, dpi=_DPI)
    return out
