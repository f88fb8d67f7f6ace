"""The oral taper planner: from the current regimen down to zero, with products that can be given.

Clinical basis (clinical.md 7.1 and 12): stopping abruptly can cause hallucinations, seizures,
high fever and death (``oral.withdrawal.abrupt``); taper over approximately 1 to 2 weeks
(Canadian label L17, UK and French labels likewise): at least 7 days without an override
(``oral.taper.duration.min``), 14 days by default (``oral.taper.duration.default``); in steps of
10 mg/day by default and at most 15 mg/day without an override (``oral.taper.step.*``, French
label: steps of 10 or 15 mg), and never more than half of the daily dose at once
(``oral.taper.step.max_fraction``, issue 10 item 7); if symptoms come back, return to the
previous step (``oral.taper.return_to_previous_step``).

The result is a :class:`TaperPlan` (its own type: a titration plan is an ``OralPlan``). Its
findings are data (a code and typed values); render/ words them (render/sentences/taper.py).

How a plan is built, in order:

1. The products: the ones asked for, or by default the single tablet strength that gives the
   finest steps, then the current doses in the fewest pieces (whole tablets before halves), then
   the fewest tablets. Every dose of the plan is a whole
   multiple of the *taper grid*: the smallest amount on the dose grid (``oral.adult.dose.grid``)
   that the products give, so every dose can be given exactly.
2. The daily totals: the current total minus the step, again and again, until the next total
   would be at or below the grid amount. A percentage step is taken of each current daily
   total and rounded down to the grid (never a larger cut than asked), but is at least one grid
   amount, the smallest step the products give (a finding names those steps). No step removes
   more than ``oral.taper.step.max_fraction`` of the total before it (rounded down to the grid,
   at least one grid amount), so a low dose steps down through smaller amounts. Then the grid
   amount once a day (the lowest practical dose, ``oral.taper.lowest_practical``), then stop.
   Nothing ever goes up. A current dose that is not a multiple of the taper grid is rounded
   down at the first step, and the first total is rounded up to the grid (a smaller first
   reduction); both are findings.
3. The doses of each day: each step takes the reduction from the largest doses of the day
   first, in grid amounts; among equal doses the one named by ``reduce_first`` goes first,
   then the others in the order of the day. A dose that reaches zero is dropped: the plan says
   which dose of the day each remaining dose is.
4. The step lengths: ``every`` days each (default ``oral.taper.step_length.default``), or the
   total ``over`` spread over the steps (the last steps take any extra day). When nothing was
   chosen, the steps are lengthened to reach the default duration
   (``oral.taper.duration.default``); a chosen schedule shorter than the minimum needs an
   override with a reason (``oral.taper.duration.min``).

>>> plan = plan_taper(dose="20 mg", times_per_day=3, start="2026-03-02")
>>> [(s.start.isoformat(), [str(d) for d in s.regimen.doses_mg]) for s in plan.steps][:2]
[('2026-03-02', ['15', '15', '20']), ('2026-03-05', ['10', '15', '15'])]
>>> plan.taper.stop.isoformat(), plan.supply.dispense[0].dispensed, plan.schema
('2026-03-20', Fraction(47, 1), 'baclofen-dose/oral-taper/1')
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Final, Literal

import attrs

from baclofen_dose.core import kinds, units
from baclofen_dose.core.deprecation import renamed
from baclofen_dose.core.errors import InputError, InputTypeError, MissingInputError
from baclofen_dose.core.kernel import (
    PlanningContext,
    RoundMode,
    add_days,
    round_to_grid,
)
from baclofen_dose.core.limits import advice, parse_date
from baclofen_dose.core.model import (
    Amount,
    Finding,
    Override,
    ParamValue,
    Provenance,
    contiguous,
    of_type,
    tuple_of,
)
from baclofen_dose.core.rules import RuleSet
from baclofen_dose.core.rules.needs import requires
from baclofen_dose.core.types import (
    DateInput,
    MaxPolicyName,
    OverridesInput,
    ProductsInput,
    QuantityInput,
)
from baclofen_dose.oral import products
from baclofen_dose.oral.regimen import OralRegimen, Step
from baclofen_dose.oral.titration import select_max_policy

__all__ = ["SCHEMA", "TaperInfo", "TaperPlan", "plan_taper"]

RULES: Final = requires(
    __name__,
    {
        "oral.adult.dose.grid": "oral.dose",
        "oral.adult.max_daily.hard": "oral.daily_dose",
        "oral.adult.policy_above_label": None,
        "oral.adult.times_per_day.max": "oral.times_per_day",
        "oral.taper.duration.default": "schedule.length",
        "oral.taper.duration.min": "schedule.length",
        "oral.taper.lowest_practical": None,
        "oral.taper.return_to_previous_step": None,
        "oral.taper.step.default": "oral.step",
        "oral.taper.step.max": "oral.step",
        "oral.taper.step.max_fraction": "factor",
        "oral.taper.step_length.default": "interval",
        "oral.taper.step_length.min": "interval",
        "oral.withdrawal.abrupt": None,
        "schedule.horizon": "schedule.length",
    },
)


SCHEMA: Final = "baclofen-dose/oral-taper/1"
_T = "oral.taper."
_GRID = "oral.adult.dose.grid"
_TIMES_MAX = "oral.adult.times_per_day.max"


@attrs.frozen
class TaperInfo:
    """What a taper starts from and where it ends.

    ``current`` is the regimen before the first step; ``stop`` the first day without
    baclofen; ``step_mg`` the planned reduction per step (mg/day); ``grid_mg`` the taper grid
    every dose is a multiple of; ``order`` the doses of the day in the order they are reduced.
    """

    current: OralRegimen
    stop: date
    step_mg: Fraction
    grid_mg: Fraction
    order: tuple[int, ...]


@attrs.frozen
class TaperPlan:
    """An oral taper: dated steps down to the stop day, with products and what to dispense.

    ``steps`` are the reduced regimens (each dose a whole multiple of ``taper.grid_mg``);
    ``supply`` the units per dose and the quantities to dispense; ``taper`` the current
    regimen, the stop date, the step and the reduction order. ``findings`` are data (codes and
    typed values), ``overrides`` the soft limits crossed with a reason, ``max_policy`` the
    maximum policy the current regimen was checked against.
    """

    steps: tuple[Step, ...] = attrs.field(validator=[tuple_of(Step, nonempty=True), contiguous])
    findings: tuple[Finding, ...] = attrs.field(validator=tuple_of(Finding))
    overrides: tuple[Override, ...] = attrs.field(validator=tuple_of(Override))
    max_policy: str = attrs.field(validator=of_type(str))
    provenance: Provenance = attrs.field(validator=of_type(Provenance))
    supply: products.Supply = attrs.field(validator=of_type(products.Supply))
    taper: TaperInfo = attrs.field(validator=of_type(TaperInfo))

    @property
    def route(self) -> Literal["oral"]:
        """Always ``"oral"``: doses are in mg by mouth."""
        return "oral"

    @property
    def schema(self) -> str:
        """The JSON schema id of a taper plan."""
        return SCHEMA

    @property
    def final(self) -> Step:
        """The last step before stopping."""
        return self.steps[-1]

    @property
    def stop(self) -> date:
        """The first day without baclofen."""
        return self.taper.stop


def _floor(value: Fraction, grid: Fraction) -> Fraction:
    return round_to_grid(value, grid, RoundMode.DOWN)


def _ceil(value: Fraction, grid: Fraction) -> Fraction:
    return round_to_grid(value, grid, RoundMode.UP)


def _doses(amounts: Sequence[Fraction]) -> tuple[Amount, ...]:
    return tuple(Amount(a, kinds.ORAL_DOSE) for a in amounts)


def _count_error(value: object, n_max: int) -> InputError:
    return InputError(
        "times_per_day",
        value,
        "1 to {max} doses a day (rule {rule}), one current dose for each",
        code="E_FREQUENCY",
        params={"max": n_max, "rule": _TIMES_MAX},
        rule_id=_TIMES_MAX,
    )


def _is_quantity(value: object) -> bool:
    """True for a pint Quantity (checked by module, so pint is not imported to ask)."""
    return type(value).__module__.startswith("pint")


def _current(
    current: object, times_per_day: object, n_max: int, field: str = "dose"
) -> tuple[Fraction, ...]:
    """The current doses, one per administration, from the forms plan_taper accepts.

    The count is checked against ``n_max`` before any tuple is built from it.
    """
    if times_per_day is not None and (
        isinstance(times_per_day, bool) or not isinstance(times_per_day, int)
    ):
        raise InputTypeError("times_per_day", times_per_day, "a whole number of doses a day")
    if times_per_day is not None and not 1 <= times_per_day <= n_max:
        raise _count_error(times_per_day, n_max)
    if isinstance(current, OralRegimen):
        doses = current.doses_mg
    elif isinstance(current, str) or _is_quantity(current):
        if times_per_day is None:
            raise InputError(
                "times_per_day",
                None,
                "how many times a day the current dose is taken (there is no default)",
                problem="is missing",
                code="E_MISSING_INPUT",
            )
        amount = units.parse(current, units.ORAL_DOSE, field)
        doses = (amount,) * times_per_day
    elif isinstance(current, Sequence) and not isinstance(current, bytes):
        if len(current) > n_max:
            raise _count_error(len(current), n_max)
        doses = tuple(
            units.parse(d, units.ORAL_DOSE, f"{field}[{i}]") for i, d in enumerate(current)
        )
    else:
        raise InputTypeError(
            field,
            current,
            "the current dose ('20 mg' with times_per_day), a list of doses, or an OralRegimen",
        )
    count = len(doses) if times_per_day is None else times_per_day
    if not 1 <= count <= n_max or len(doses) != count:
        raise _count_error(times_per_day if times_per_day is not None else len(doses), n_max)
    return doses


def _step_input(
    step: object, total: Fraction, grid: Fraction
) -> tuple[Fraction, Fraction | None, Fraction | None]:
    """The step in mg/day: (step, the percentage asked for, the unrounded mg/day)."""
    if isinstance(step, str) and (step.endswith(" %") or step.endswith(" percent")):
        percent = units.parse(step, units.PERCENT, "step")
        if percent > 1:
            raise InputError(
                "step",
                step,
                "a percentage of the current daily dose up to 100 %",
                code="E_OUT_OF_RANGE",
            )
        raw = percent * total
        return max(grid, _floor(raw, grid)), percent, raw
    value = units.parse(step, units.ORAL_DAILY_DOSE, "step")
    if (value / grid).denominator != 1:
        raise InputError(
            "step",
            step,
            "a whole multiple of {grid}, the smallest amount on the dose grid that the chosen "
            "products give",
            problem="is {step}",
            code="E_NOT_GIVABLE",
            params={
                "grid": Amount(grid, kinds.ORAL_DAILY_DOSE),
                "step": Amount(value, kinds.ORAL_DAILY_DOSE),
            },
        )
    return value, None, None


def _days(value: object, field: str) -> int:
    days = units.parse(value, units.DAYS, field)
    if days.denominator != 1:
        raise InputError(field, value, "a whole number of days", code="E_SCHEDULE")
    return int(days)


# Why a step's cut differs from the step asked for (a per-step mark; see _notes).
_SMALLEST: Final = "smallest"
_HALF: Final = "half"


def _cut(
    current: Fraction,
    step: Fraction,
    percent: Fraction | None,
    grid: Fraction,
    half: Fraction,
) -> tuple[Fraction, str | None]:
    """The reduction of one step from the daily total ``current``, and why it differs from
    the step asked for.

    A percentage is taken of the current daily dose and rounded *down* to the taper grid (never
    a larger cut than asked), but never below one grid amount, the smallest step the products
    give (mark ``_SMALLEST``). No cut is larger than ``half`` of the current daily dose rounded
    down to the grid, while that is at least one grid amount (mark ``_HALF``).

    >>> _cut(Fraction(60), Fraction(0), Fraction(1, 5), Fraction(5), Fraction(1, 2))
    (Fraction(10, 1), None)
    >>> _cut(Fraction(20), Fraction(0), Fraction(1, 5), Fraction(5), Fraction(1, 2))
    (Fraction(5, 1), 'smallest')
    >>> _cut(Fraction(15), Fraction(10), None, Fraction(5), Fraction(1, 2))
    (Fraction(5, 1), 'half')
    """
    mark: str | None = None
    cut = step
    if percent is not None:
        cut = _floor(percent * current, grid)
        if cut < grid:
            cut, mark = grid, _SMALLEST
    cap = _floor(half * current, grid)
    if cut > cap >= grid:
        cut, mark = cap, _HALF
    return cut, mark


def _totals(
    start: Fraction,
    floored: Fraction,
    step: Fraction,
    grid: Fraction,
    percent: Fraction | None = None,
    half: Fraction = Fraction(1),
) -> list[tuple[Fraction, str | None]]:
    """The daily totals of the steps with each step's mark (see :func:`_cut`), ending with the
    lowest practical dose ``grid``. Every total is below the one before it."""
    out: list[tuple[Fraction, str | None]] = []
    current = start
    while True:
        cut, mark = _cut(current, step, percent, grid, half)
        following = current - cut
        if following > 0:
            following = _ceil(following, grid)
        if not out:
            following = min(following, floored)
        if following <= grid:
            if mark == _HALF:
                # The half cap only marks a last step the step asked for would not reach.
                uncapped, _ = _cut(current, step, percent, grid, Fraction(1))
                if current - uncapped <= grid:
                    mark = None
            out.append((grid, mark))
            return out
        out.append((following, mark))
        current = following


def _level(
    doses: list[Fraction], target: Fraction, grid: Fraction, rank: Mapping[int, int]
) -> list[Fraction]:
    """Remove ``sum(doses) - target`` in grid amounts, always from the largest dose of the day;
    among equal doses, the one reduced first in ``rank`` order."""
    result = list(doses)
    remove = sum(result, Fraction(0)) - target
    while remove > 0:
        top = max(result)
        index = min((i for i, d in enumerate(result) if d == top), key=lambda i: rank[i])
        result[index] -= grid
        remove -= grid
    return result


def _spread(total: int, count: int) -> list[int]:
    base, extra = divmod(total, count)
    return [base] * (count - extra) + [base + 1] * extra


def _default_product(
    rules: RuleSet, current: object, doses: Sequence[Fraction], grid: Fraction, field: str
) -> tuple[products.Product, ...]:
    """The single tablet strength with the finest taper grid, then the fewest pieces to take
    for the current doses (rounded down to that grid; half a tablet is a piece), then the fewest
    doses that need a part of a tablet (5 mg is a whole 5 mg tablet, not half a 10 mg one:
    issue 10 item 7), then the fewest tablets, then the larger strength."""
    best: tuple[tuple[Fraction, int, int, Fraction, Fraction], products.Product] | None = None
    for product in products.catalogue(rules):
        if product.form != "tablet":
            continue
        finest = products.smallest_amount([product], grid)
        floored = [_floor(d, finest) for d in doses]
        if not any(floored):
            continue
        count = Fraction(0)
        pieces = 0  # whole or part tablets to take: half a tablet is one piece, as a whole one
        split = 0  # doses that need a part of a tablet
        for amount in floored:
            found = products.realize_exact(amount, (product,)) if amount else None
            if found is not None:
                count += sum((p.quantity for p in found.portions), Fraction(0))
                pieces += sum(math.ceil(p.quantity) for p in found.portions)
                split += any(p.quantity.denominator != 1 for p in found.portions)
        key = (finest, pieces, split, count, -(product.strength_mg or Fraction(0)))
        if best is None or key < best[0]:
            best = (key, product)
    if best is None:
        raise InputError(
            field,
            current,
            "doses the catalogue's tablets can give; choose a product (a liquid) that gives "
            "smaller amounts",
            problem="is below the smallest tablet dose",
            code="E_NOT_GIVABLE",
            params={"doses": _doses(doses)},
        )
    return (best[1],)


def _dose_or_doses(value: object) -> str:
    """The new name of the old ``current=``: ``dose`` for one dose, ``doses`` for several."""
    return "dose" if isinstance(value, str) or _is_quantity(value) else "doses"


@renamed(current=_dose_or_doses, every="interval")
def plan_taper(
    *,
    start: DateInput,
    dose: QuantityInput | None = None,
    doses: Sequence[QuantityInput] | OralRegimen | None = None,
    times_per_day: int | None = None,
    over: QuantityInput | None = None,
    step: QuantityInput | None = None,
    interval: QuantityInput | None = None,
    reduce_first: int | None = None,
    product: ProductsInput | None = None,
    max_policy: MaxPolicyName | None = None,
    overrides: OverridesInput | None = None,
    rules: RuleSet | None = None,
) -> TaperPlan:
    """Plan an oral taper from the current regimen to zero, starting on ``start``.

    Parameters (quantities are pint Quantities or strings with units; none has a clinical
    default that is not in the rule data):

    - ``dose``: the dose per administration now ("20 mg", with ``times_per_day``); or
      ``doses``: one per administration in the order of the day (["20 mg", "20 mg", "10 mg"]),
      or an ``OralRegimen``. (``current=``, either form, is the old spelling: deprecated.)
    - ``start``: the first day of the first reduced dose (``datetime.date`` or "YYYY-MM-DD").
    - ``over``: the total duration asked for ("3 weeks"), from the start to the first day
      without baclofen.
    - ``step``: the reduction per step, "5 mg/day" or a percentage of the daily dose at each
      step ("20 %": of 60 mg/day 12, rounded down to 10; of 50, 10; of 40, 8, rounded down to
      5...; ``taper.step_mg`` records the first step's mg/day).
    - ``interval``: days per step ("3 days"); with ``over``, the shortest step
      (``every=`` is the old spelling: deprecated).
    - ``reduce_first``: which dose of the day (1 for the first...) is reduced first
      (default 1, so the last dose of the day is kept longest).
    - ``product``: one or more product names ("10 mg tablet"); default: see the module notes.
    - ``max_policy``, ``overrides``, ``rules``: as for :func:`~baclofen_dose.plan_titration`.

    Returns a :class:`TaperPlan`. Raises ``InputError``/``InputTypeError`` for bad input (a
    count of doses above ``oral.adult.times_per_day.max``: ``E_FREQUENCY``, before anything is
    built; a schedule past 31 December 9999: ``E_SCHEDULE``), ``HardLimitError`` for a hard
    limit and ``OverrideRequired`` when a soft limit (the minimum duration, the largest step,
    the maximum the current regimen is above) is crossed without an override.
    """
    given: object
    if dose is not None:
        if doses is not None:
            raise InputError("doses", doses, "no value with dose= (one or the other)")
        if not isinstance(dose, str) and not _is_quantity(dose):
            raise InputTypeError("dose", dose, "one dose such as '20 mg' (several: doses=)")
        given, field = dose, "dose"
    elif doses is not None:
        if isinstance(doses, str) or _is_quantity(doses):
            raise InputTypeError("doses", doses, "a list of doses (one dose: dose=)")
        given, field = doses, "doses"
    else:
        raise MissingInputError(
            "dose", "today's dose such as '20 mg' (with times_per_day), or doses", "a taper"
        )
    ctx = PlanningContext.start(rules, overrides)
    rules, check = ctx.rules, ctx.check
    rule = ctx.rule

    first_day = parse_date(start, "start")
    n_max = int(ctx.value(_TIMES_MAX))
    today = _current(given, times_per_day, n_max, field)
    n = len(today)
    total = sum(today, Fraction(0))
    order_first = 1 if reduce_first is None else reduce_first
    if isinstance(order_first, bool) or not isinstance(order_first, int):
        raise InputTypeError("reduce_first", reduce_first, "a dose number: 1 for the first")
    if not 1 <= order_first <= n:
        raise InputError(
            "reduce_first",
            reduce_first,
            "a dose of the day from 1 to {n}",
            code="E_INPUT",
            params={"n": n},
        )
    order = (order_first, *(p for p in range(1, n + 1) if p != order_first))
    rank = {position - 1: index for index, position in enumerate(order)}

    policy, daily_max, dose_max = select_max_policy(rules, max_policy)
    ctx.used.append(daily_max.id)
    check.hard_max(
        rule("oral.adult.max_daily.hard"), total, units.ORAL_DAILY_DOSE, "current daily dose"
    )
    check.soft_max(daily_max, total, units.ORAL_DAILY_DOSE, "current daily dose")
    if dose_max is not None:
        ctx.used.append(dose_max.id)
        for amount in today:
            check.soft_max(dose_max, amount, units.ORAL_DOSE, "a current single dose of")

    dose_grid = ctx.value(_GRID)
    findings: list[Finding] = []
    if product is None:
        chosen = _default_product(rules, given, today, dose_grid, field)
    else:
        chosen = products.choose_products(product, rules)
    grid = products.smallest_amount(chosen, dose_grid)
    product_ids = [p.id for p in chosen]
    if any(p.liquid for p in chosen):
        product_ids.append(products.MEASURE_RULE)
    ctx.used.extend(product_ids)
    floored = [_floor(d, grid) for d in today]
    if not any(floored):
        raise InputError(
            field,
            given,
            "doses of at least {grid}, the smallest amount on the dose grid the chosen products "
            "give; choose a product that gives smaller doses",
            problem="is below what the chosen products give",
            code="E_NOT_GIVABLE",
            params={"grid": Amount(grid, kinds.ORAL_DOSE), "doses": _doses(today)},
        )

    # The step: chosen (mg/day or %), derived from `over`, or the rule default.
    percent: Fraction | None = None
    if step is None:
        wanted = ctx.value(_T + "step.default")
        step_mg = max(grid, _floor(wanted, grid))
        raw_step: Fraction | None = wanted if step_mg != wanted else None
    else:
        step_mg, percent, raw_step = _step_input(step, total, grid)
        ctx.used.append(_T + "step.max")
    step_max = rule(_T + "step.max")
    length_min = rule(_T + "step_length.min")
    every_days = None if interval is None else _days(interval, "interval")
    if every_days is not None:
        check.hard_min(length_min, Fraction(every_days), units.DAYS, "a taper step of")
    over_days = None if over is None else _days(over, "over")
    shortest = every_days if every_days is not None else int(length_min.require_value())
    floored_total = sum(floored, Fraction(0))
    half = ctx.value(_T + "step.max_fraction")
    marked = _totals(total, floored_total, step_mg, grid, percent, half)
    capped = False
    if over_days is not None and step is None:
        # Fit the plan to the duration asked for: the smallest step whose steps fit (the
        # half-of-the-day cap may keep the count from falling; then E_SCHEDULE below). The
        # step never grows past its own soft limit unless that limit is overridden: an
        # override of the duration alone must not give a plan refused on its step size.
        cap = None if step_max.id in check.overrides else step_max.require_value()
        while len(marked) * shortest > over_days and len(marked) > 1 and step_mg < total:
            if cap is not None and step_mg + grid > cap:
                capped = True
                break
            step_mg += grid
            marked = _totals(total, floored_total, step_mg, grid, percent, half)
        raw_step = None
    totals = [t for t, _ in marked]
    count = len(totals)

    minimum = rule(_T + "duration.min")
    lengthened = False
    if over_days is not None:
        if count * shortest > over_days:
            # Say the real minimum: the steps' days, or the minimum duration if longer (a soft
            # limit, so not when it is overridden), never a figure that is refused next.
            least = count * shortest
            if minimum.id not in check.overrides:
                least = max(least, int(minimum.require_value()))
            if capped:
                raise InputError(
                    "over",
                    over,
                    "at least {total:days}: {count} steps of at least {shortest:days}, each "
                    "reducing at most {step_max} (rule {step_rule}, a soft limit: larger "
                    "steps need its override with a reason), and a taper of at least "
                    "{minimum:days} (rule {rule}, a soft limit)",
                    problem="is too short for a taper whose steps stay within their limit",
                    code="E_SCHEDULE",
                    params={
                        "total": least,
                        "count": count,
                        "shortest": shortest,
                        "step_max": Amount(step_max.require_value(), kinds.ORAL_DAILY_DOSE),
                        "step_rule": step_max.id,
                        "minimum": int(minimum.require_value()),
                        "rule": minimum.id,
                    },
                )
            raise InputError(
                "over",
                over,
                "at least {total:days}: {count} steps of at least {shortest:days}, and a taper "
                "of at least {minimum:days} (rule {rule}, a soft limit)",
                problem="is too short for the steps of this taper",
                code="E_SCHEDULE",
                params={
                    "total": least,
                    "count": count,
                    "shortest": shortest,
                    "minimum": int(minimum.require_value()),
                    "rule": minimum.id,
                },
            )
        if every_days is not None and step is not None and count * every_days != over_days:
            raise InputError(
                "over",
                over,
                "{total:days} ({count} steps of {every:days}), or give only two of over, step "
                "and interval",
                problem="disagrees with the step and the days per step",
                code="E_SCHEDULE",
                params={"total": count * every_days, "count": count, "every": every_days},
            )
        lengths = _spread(over_days, count)
    elif every_days is not None:
        lengths = [every_days] * count
    else:
        default_length = int(ctx.value(_T + "step_length.default"))
        lengths = [default_length] * count
        default_duration = ctx.value(_T + "duration.default")
        if count * default_length < default_duration:
            lengths = _spread(int(default_duration), count)
            lengthened = True
    duration = sum(lengths)
    check.soft_min(minimum, Fraction(duration), units.DAYS, "the taper's duration")
    horizon = rule("schedule.horizon")
    check.hard_max(horizon, Fraction(duration), units.DAYS, "the taper's duration")
    for length in lengths:
        check.hard_min(length_min, Fraction(length), units.DAYS, "a taper step of")
    # The stop day must be a representable date (E_SCHEDULE, never OverflowError).
    add_days(first_day, duration, "start")

    # The doses of each day, and the steps with their dates.
    steps: list[Step] = []
    positions: list[tuple[int, ...]] = []
    day_doses = list(floored)
    previous_total = total
    begin = first_day
    common = [
        _T + ("step.default" if step is None and over_days is None else "step.max"),
        _T
        + (
            "step_length.default" if every_days is None and over_days is None else "step_length.min"
        ),
        _GRID,
        *product_ids,
    ]
    for index, ((target, mark), length) in enumerate(zip(marked, lengths, strict=True)):
        check.soft_max(step_max, previous_total - target, units.ORAL_DAILY_DOSE, "a taper step of")
        day_doses = _level(day_doses, target, grid, rank)
        kept = [(i + 1, d) for i, d in enumerate(day_doses) if d > 0]
        ids = list(common)
        if mark == _HALF:
            ids.append(_T + "step.max_fraction")
        if index == count - 1:
            ids.append(_T + "lowest_practical")
            if lengthened:
                ids.append(_T + "duration.default")
            if lengthened or over_days is not None:
                ids.append(_T + "duration.min")
        end = add_days(begin, length - 1, "start")
        steps.append(Step(begin, end, OralRegimen(tuple(d for _, d in kept)), tuple(ids)))
        positions.append(tuple(p for p, _ in kept))
        ctx.used.extend(ids)
        previous_total = target
        begin = add_days(end, 1, "start")
    supply = products.supply_for(steps, chosen, positions)

    findings += check.finish()
    findings += _notes(
        rules,
        today,
        floored,
        grid,
        dose_grid,
        chosen,
        product is None,
        step_mg,
        percent,
        raw_step,
        total,
        marked,
    )
    if count == 1 and totals[0] == total:
        # Already at the smallest givable daily dose: no reduction step exists (issue 10 item 7).
        findings.append(
            Finding(
                _T + "lowest_practical",
                "warning",
                "TAPER_SINGLE_STEP",
                {
                    "daily": Amount(total, kinds.ORAL_DAILY_DOSE),
                    "days": duration,
                    "minimum": int(minimum.require_value()),
                    "rule": minimum.id,
                },
                rule(_T + "lowest_practical").citation,
            )
        )
    findings += products.product_findings(chosen, rules)
    for advice_id in (
        "oral.withdrawal.abrupt",
        _T + "return_to_previous_step",
        _T + "lowest_practical",
    ):
        findings.append(advice(rule(advice_id)))
    from baclofen_dose.oral.counselling import counselling_ids  # issue 10 item 9 (h10-oral)

    findings += [advice(rule(advice_id)) for advice_id in counselling_ids(None)]
    _, default_daily, _ = select_max_policy(rules, None)
    if daily_max.require_value() > default_daily.require_value():
        findings.append(advice(rule("oral.adult.policy_above_label")))

    inputs: list[tuple[str, ParamValue]] = [
        ("current", _doses(today)),
        ("times_per_day", n),
        ("start", first_day),
        ("over", None if over_days is None else Amount(Fraction(over_days), kinds.DAYS)),
        ("step", None if step is None else Amount(step_mg, kinds.ORAL_DAILY_DOSE)),
        ("step_percent", percent),
        ("every", None if every_days is None else Amount(Fraction(every_days), kinds.DAYS)),
        ("reduce_first", order_first),
        ("product", None if product is None else tuple(p.id for p in chosen)),
        ("max_policy", policy),
    ]
    info = TaperInfo(OralRegimen(today), begin, step_mg, grid, order)
    return TaperPlan(
        steps=tuple(steps),
        findings=tuple(findings),
        overrides=tuple(check.overrides.values()),
        max_policy=policy,
        provenance=ctx.provenance(inputs),
        supply=supply,
        taper=info,
    )


def _notes(
    rules: RuleSet,
    doses: Sequence[Fraction],
    floored: Sequence[Fraction],
    grid: Fraction,
    dose_grid: Fraction,
    chosen: Sequence[products.Product],
    defaulted: bool,
    step_mg: Fraction,
    percent: Fraction | None,
    raw_step: Fraction | None,
    total: Fraction,
    marked: Sequence[tuple[Fraction, str | None]],
) -> list[Finding]:
    """Findings that record every choice and rounding the planner made (codes in
    render/sentences/taper.py)."""
    notes: list[Finding] = []
    grid_rule = rules[_GRID]
    grid_amount = Amount(grid, kinds.ORAL_DOSE)
    if defaulted:
        notes.append(
            Finding(
                chosen[0].id,
                "info",
                # One sentence per scoring (the tablet's name states what may be split).
                "TAPER_DEFAULT_PRODUCT_" + (chosen[0].scoring or "not_found").upper(),
                {"strength": chosen[0].amount},
                chosen[0].citation,
            )
        )
    if list(floored) != list(doses):
        notes.append(
            Finding(
                grid_rule.id,
                "warning",
                "TAPER_CURRENT_ROUNDED",
                {
                    "current": _doses(doses),
                    "grid": grid_amount,
                    "start": _doses([d for d in floored if d] or [grid]),
                },
                grid_rule.citation,
            )
        )
    daily_grid = Amount(grid, kinds.ORAL_DAILY_DOSE)
    if percent is not None:
        notes.append(
            Finding(
                grid_rule.id,
                "info",
                "TAPER_STEP_PERCENT",
                {"percent": percent, "grid": daily_grid},
                grid_rule.citation,
            )
        )
        smallest = [i for i, (_, mark) in enumerate(marked, 1) if mark == _SMALLEST]
        if smallest:
            notes.append(
                Finding(
                    grid_rule.id,
                    "info",
                    "TAPER_STEP_SMALLEST_GIVABLE" + ("" if len(smallest) > 1 else "_ONE"),
                    {
                        "percent": percent,
                        "grid": daily_grid,
                        "first": smallest[0],
                        "last": smallest[-1],
                    },
                    grid_rule.citation,
                )
            )
    elif raw_step is not None:
        params: dict[str, ParamValue] = {
            "asked": Amount(raw_step, kinds.ORAL_DAILY_DOSE),
            "used": Amount(step_mg, kinds.ORAL_DAILY_DOSE),
            "grid": grid_amount,
        }
        notes.append(
            Finding(grid_rule.id, "info", "TAPER_STEP_ROUNDED", params, grid_rule.citation)
        )
    halved = [i for i, (_, mark) in enumerate(marked, 1) if mark == _HALF]
    if halved:
        half_rule = rules[_T + "step.max_fraction"]
        notes.append(
            Finding(
                half_rule.id,
                "info",
                "TAPER_STEP_HALF" + ("" if len(halved) > 1 else "_ONE"),
                {
                    "fraction": half_rule.require_value(),
                    "grid": daily_grid,
                    "first": halved[0],
                    "last": halved[-1],
                },
                half_rule.citation,
            )
        )
    if grid > dose_grid:
        notes.append(
            Finding(
                grid_rule.id,
                "warning",
                "TAPER_LAST_STEP_COARSE",
                {"grid": grid_amount, "dose_grid": Amount(dose_grid, kinds.ORAL_DOSE)},
                grid_rule.citation,
            )
        )
    return notes
