"""Sentences for intrathecal findings (render/messages.py): code -> template.

Every code an intrathecal planner emits has its sentence here; values are filled through the
one formatter (amounts in mcg, mcg/day, mcg/hour, mL; ``{days:days}`` as "46 days").
"intrathecal" is always written in full.
"""

from __future__ import annotations

from typing import Final

_USUAL: Final = "the usual maintenance range for {origin} origin, {low} to {high}"
_USUAL_CHILD: Final = (
    "the usual maintenance range for children (cerebral-origin rules), {low} to {high}"
)
_RESIDUAL: Final = (
    "The measured residual {measured} is {side} than the flow tolerance explains: expected "
    "{expected} (from {lowest} to {highest}). {advice}"
)

FINDINGS: Final[dict[str, str]] = {
    "IT_PER_HOUR": (
        "The {label} was entered per hour: {rate} times {hours} is {daily}, and every daily "
        "limit was checked on that daily total. {advice}"
    ),
    "IT_PER_HOUR_CONFIRMED": (
        "The dose entered per hour totals {daily} over 24 hours, against {before} before "
        "this refill; the per-hour total was confirmed."
    ),
    "IT_PER_HOUR_FLEX": (
        "The {label} was entered with per-hour rates in a flex program: its 24-hour total is "
        "{daily}, and every daily limit was checked on that daily total. {advice}"
    ),
    "IT_LIMITED_EXPERIENCE": (
        "The {label} {daily} is above {threshold}: experience with intrathecal daily doses "
        "above this is limited."
    ),
    "IT_LIMITED_EXPERIENCE_AHEAD": (
        "Above {threshold} experience with intrathecal daily doses is limited."
    ),
    "IT_ORAL_WEAN": (
        "Moving from oral baclofen: after intrathecal therapy starts, oral baclofen may be cut "
        "by {low} to {high} at one time. {advice}"
    ),
    "IT_CAPPED_AT_CEILING": (
        "{percent} more would be {uncapped}, above the hard ceiling {ceiling}: the largest "
        "increase shown stops at the ceiling."
    ),
    "IT_ABOVE_USUAL_RANGE": f"Today's dose is above {_USUAL}.",
    "IT_ABOVE_USUAL_RANGE_CHILD": f"Today's dose is above {_USUAL_CHILD}.",
    "IT_BELOW_USUAL_RANGE": f"Today's dose is below {_USUAL} (usual while titration goes on).",
    "IT_BELOW_USUAL_RANGE_CHILD": (
        f"Today's dose is below {_USUAL_CHILD} (usual while titration goes on)."
    ),
    "IT_CHILD_MAINTENANCE": (
        "In children under 12 years the average maintenance dose was {average} (range {low} to "
        "{high}); from 12 years the adult ranges apply."
    ),
    "IT_SMALL_INCREASE": (
        "The increase is smaller than the usual smallest step, {percent} of today's dose."
    ),
    "IT_RESIDUAL_LATE": (
        "At the programmed rate the reservoir should have reached the alarm volume {alarm} "
        "before this refill ({expected} expected left after {days:days}): the refill was late "
        "or the interval was too long."
    ),
    "IT_REFILL_INSIDE_MARGIN": (
        "Urgent: the worst-case low-reservoir alarm is {worst} after this refill, not longer "
        "than the refill margin of {margin:days}. The next refill is due by the worst-case "
        "alarm date, with no margin left: book it now. A higher concentration or a larger fill "
        "volume gives a longer interval."
    ),
    "IT_REFILL_STABILITY": (
        "The worst-case low-reservoir alarm is {worst} after this refill: less the margin of "
        "{margin:days}, that is later than the maximum refill interval of {limit} (a published "
        "figure on drug stability in the pump, not a label one). The refill is planned at "
        "{limit}, and no alarm date that far ahead is given. A lower concentration or a smaller "
        "fill volume gives an interval within it."
    ),
    "IT_PREVIOUS_FILL_PAST_STABILITY": (
        "The previous fill stayed in the pump for {days:days}, longer than the maximum refill "
        "interval of {limit} (a published figure on drug stability in the pump, not a label "
        "one). Review the refill schedule."
    ),
    "IT_USUAL_RANGE": (
        "For reference: most patients with {origin} origin spasticity were maintained on "
        "{low} to {high}. This is an observed range, not a target or a maximum."
    ),
    "IT_USUAL_RANGE_CHILD": (
        "For reference: {low} to {high} is the usual maintenance range under the "
        "cerebral-origin rules that children follow. This is an observed range, not a target "
        "or a maximum."
    ),
    "IT_BELOW_LABELLED_AGE": (
        "Eligibility: intrathecal baclofen is labelled from {labelled} (Gablofen US; Lioresal "
        "Intrathecal UK); safety and effectiveness below that age are not established. This "
        "patient is {age}: screening would be outside the labelled age, a specialist decision."
    ),
    "IT_RESIDUAL_LOW": _RESIDUAL.replace("{side}", "less"),
    "IT_RESIDUAL_HIGH": _RESIDUAL.replace("{side}", "more"),
}
REASONS: Final[dict[str, str]] = {}
