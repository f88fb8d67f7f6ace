"""Sentences for taper findings and step reasons: code -> template (see render/messages.py)."""

from __future__ import annotations

from typing import Final

# The default product's sentence, one per scoring ({{strength}} stays a placeholder).
_DEFAULT: Final = (
    "No product was chosen: the plan uses the {{strength}} tablet ({scoring}), the single "
    "tablet strength that gives the finest steps, then the current doses in the fewest pieces "
    "(whole tablets before halves), then in the fewest tablets. "
    "Choose another product to change this."
)

_SMALLEST: Final = (
    "{percent:percent} of the daily dose is less than {grid}, the smallest step the chosen "
    "products give, so "
)
_HALF: Final = (
    "the step asked for would remove more than {{fraction:percent}} of the daily dose, so "
    "{which} removes at most {{fraction:percent}} of it (rounded down to a whole multiple of "
    "{{grid}}); a taper from a low dose steps down through smaller amounts."
)

FINDINGS: Final[dict[str, str]] = {
    "TAPER_DEFAULT_PRODUCT_SCORED": _DEFAULT.format(scoring="scored: whole or half tablets"),
    "TAPER_DEFAULT_PRODUCT_NOT_SCORED": _DEFAULT.format(scoring="not scored: whole tablets only"),
    "TAPER_DEFAULT_PRODUCT_NOT_FOUND": _DEFAULT.format(
        scoring="scoring not known: whole tablets only"
    ),
    "TAPER_CURRENT_ROUNDED": (
        "The current doses ({current}) are not whole multiples of {grid}, the smallest amount "
        "on the dose grid the chosen products give: the first step starts from {start} "
        "(rounded down) and its total is rounded up to that grid."
    ),
    "TAPER_STEP_ROUNDED": (
        "Step: {asked}; the plan uses {used}, rounded down to a whole multiple of {grid} (at "
        "least one), so every dose can be given."
    ),
    "TAPER_STEP_PERCENT": (
        "Step: {percent:percent} of the daily dose at each step (so {percent:percent} of each "
        "dose, taken together), rounded down to a whole multiple of {grid} so every dose can be "
        "given: no step cuts more than {percent:percent}."
    ),
    "TAPER_STEP_SMALLEST_GIVABLE": "Steps {first} to {last}: "
    + _SMALLEST
    + "each of these steps cuts {grid}.",
    "TAPER_STEP_SMALLEST_GIVABLE_ONE": "Step {first}: " + _SMALLEST + "this step cuts {grid}.",
    "TAPER_STEP_HALF": "Steps {first} to {last}: " + _HALF.format(which="each of these steps"),
    "TAPER_STEP_HALF_ONE": "Step {first}: " + _HALF.format(which="this step"),
    "TAPER_SINGLE_STEP": (
        "{daily} is already the smallest daily dose the chosen products give on the dose grid, "
        "once a day: there is no smaller step, so the taper is this one step for {days:days}, "
        "then stop (the taper lasts at least {minimum:days}, rule {rule})."
    ),
    "TAPER_LAST_STEP_COARSE": (
        "The chosen products cannot give less than {grid} on the dose grid, so the last step "
        "before stopping is {grid} once a day; a product that gives {dose_grid} would allow a "
        "gentler last step."
    ),
}
REASONS: Final[dict[str, str]] = {}
