"""Library field names as each subcommand spells them on the command line.

A library error names the parameter at fault in ``.field`` (``"interval"``, ``"times[0]"``,
``"patient.weight"``) and its message begins with that name. The library never mentions
command-line options; the command line rewrites the leading field into the option of the
subcommand that ran, from one table per subcommand. A field is looked up whole first
(``"patient.weight"``), then by its name before an index (``"times"`` for ``"times[0]"``); an
index shows as the position of the value given (``--times (value 1)``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from baclofen_dose.core.errors import BaclofenDoseError, ConfirmationRequired

__all__ = ["FIELDS", "command_message", "option_for"]

_PATIENT = {
    "patient.age": "--age",
    "patient.born": "--born",
    "patient.as_of": "--as-of",
    "patient.sex": "--sex",
    "patient.weight": "--weight",
    "patient.height": "--height",
    "patient.scr": "--scr",
    "patient.dialysis": "--dialysis or --no-dialysis",
    "weight_policy": "--weight-policy",
    "renal_policy": "--renal-policy",
    "patient.pregnant": "--pregnant or --no-pregnant",
    "patient.breastfeeding": "--breastfeeding or --no-breastfeeding",
}

_TITRATE = {
    "older_adult_policy": "--older-adult-policy",
    "adolescent_policy": "--adolescent-policy",
    "start": "--start",
    "target": "--target",
    "step": "--step",
    "interval": "--every",
    "every": "--every",
    "times_per_day": "--times-per-day",
    "max_policy": "--max-policy",
    "overrides": "--override",
    "product": "--product",
    "times": "--times",
    "tz": "--tz",
    **_PATIENT,
}

_TAPER = {
    "current": "--from",
    "dose": "--from",
    "doses": "--from",
    "times_per_day": "--times-per-day",
    "start": "--start",
    "over": "--over",
    "step": "--step",
    "interval": "--every",
    "every": "--every",
    "reduce_first": "--reduce-first",
    "product": "--product",
    "max_policy": "--max-policy",
    "overrides": "--override",
    "times": "--times",
    "tz": "--tz",
}

_MISSED_DOSE = {
    "plan": "--plan",
    "times": "--times",
    "day": "--missed",
    "missed_at": "--missed",
    "now_day": "--now",
    "now_at": "--now",
    "next_dose": "--next",
    "doses_missed": "--doses-missed",
    "dose": "--dose",
}

_IT_TITRATE = {
    # today's daily dose: ``current`` in the library now; ``daily_dose`` is the one keyword
    # for it that issue 8 (item 6) asks for, so both spellings are mapped.
    "current": "--current",
    "daily_dose": "--current",
    "origin": "--origin",
    "child": "--child",
    "at_refill": "--at-refill",
    "proposed": "--proposed",
    "flex": "--flex-step",
    "overrides": "--override",
}

_IT_REFILL = {
    "reservoir": "--reservoir",
    "fill_volume": "--fill-volume",
    "concentration": "--concentration",
    "diluted": "--diluted",
    "daily_dose": "--daily-dose",
    "flex": "--flex-step",
    "alarm_volume": "--alarm-volume",
    "start": "--start",
    "residual": "--residual",
    "previous_fill": "--previous-fill",
    "previous_fill_volume": "--previous-fill-volume",
    "previous_concentration": "--previous-concentration",
    "previous_daily_dose": "--previous-daily-dose",
    "confirm_concentration_change": "--confirm-concentration-change",
    "confirm_per_hour_total": "--confirm-per-hour-total",
    "margin_policy": "--margin-policy",
    "stability_policy": "--stability-policy",
}

_IT_TAPER = {
    "current": "--current",
    "daily_dose": "--current",
    "first_dose": "--first-dose",
    "start": "--start",
    "step": "--step",
    "interval": "--every",
    "every": "--every",
    "overrides": "--override",
}

_CHECK = {
    "dose": "--dose",
    "doses": "--dose",
    "times_per_day": "--times-per-day",
    "product": "--product",
    "units_per_dose": "--units-per-dose",
    "start": "--start",
    "previous": "--previous",
    "previous_doses": "--previous",
    "previous_times_per_day": "--previous-times-per-day",
    "previous_start": "--previous-start",
    "measured_crcl": "--measured-crcl",
    "measured_egfr": "--measured-egfr",
    "measured_method": "--measured-method",
    "medicines": "--with",
    "conditions": "--condition",
    "max_policy": "--max-policy",
    "adolescent_policy": "--adolescent-policy",
    "overrides": "--override",
    **_PATIENT,
}

_CHECK_IT = {
    "daily_dose": "--daily-dose",
    "previous_daily_dose": "--previous-daily-dose",
    "hours_since_previous": "--hours-since-previous",
    "flex": "--flex-step",
    "concentration": "--concentration",
    "origin": "--origin",
    "medicines": "--with",
    "conditions": "--condition",
    "overrides": "--override",
}

# Subcommand (as typed, words joined by a space) -> library field -> option.
FIELDS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        name: MappingProxyType(table)
        for name, table in {
            "titrate": _TITRATE,
            "taper": _TAPER,
            "missed-dose": _MISSED_DOSE,
            "renal": _PATIENT,
            "rules": {},
            "serve": {
                "lab_max_age_days": "--lab-max-age-days",
                "adolescent_policy": "--adolescent-policy",
            },
            "intrathecal screening": {
                "concentration": "--concentration",
                "child": "--child",
                "age": "--age",
            },
            "intrathecal initial": {
                "screening_dose": "--screening-dose",
                "effect_duration": "--effect-duration",
                "screening_side_effects": "--side-effects-at-screening",
            },
            "intrathecal titrate": _IT_TITRATE,
            "intrathecal refill": _IT_REFILL,
            "intrathecal taper": _IT_TAPER,
            "check": _CHECK,
            "check intrathecal": _CHECK_IT,
            "screen": {
                "max_policy": "--max-policy",
                "renal_policy": "--renal-policy",
                "weight_policy": "--weight-policy",
                "adolescent_policy": "--adolescent-policy",
            },
        }.items()
    }
)

# ``name``, ``name[3]`` or ``name[3].part``: a parameter, an item of it, a part of an item.
_FIELD = re.compile(r"(?P<name>[A-Za-z_][\w.]*?)(?:\[(?P<index>\d+)\](?:\.(?P<part>\w+))?)?")


def option_for(field: str, table: Mapping[str, str]) -> str | None:
    """The option (with the position of an item) that gives ``field``, or None if none does.

    >>> option_for("times[0]", FIELDS["missed-dose"])
    '--times (value 1)'
    >>> option_for("flex[1].duration", FIELDS["intrathecal titrate"])
    '--flex-step (value 2, duration)'
    >>> option_for("patient.weight", FIELDS["titrate"])
    '--weight'
    """
    if field in table:
        return table[field]
    match = _FIELD.fullmatch(field)
    if match is None or match["name"] not in table or match["index"] is None:
        return None
    where = f"value {int(match['index']) + 1}"
    if match["part"]:
        where += f", {match['part']}"
    return f"{table[match['name']]} ({where})"


def command_message(error: BaclofenDoseError, table: Mapping[str, str]) -> str:
    """The error's message with its leading field written as the subcommand's option.

    A hard limit names what it limits in ``.what``, which is a field name when the limit is on
    one parameter (``times_per_day``); a confirmation names the library parameter that confirms.
    """
    text = str(error)
    field = getattr(error, "field", None)
    if not isinstance(field, str):
        field = getattr(error, "what", None)
    if isinstance(field, str) and text[len(field) : len(field) + 1] in {":", " "}:
        option = option_for(field, table) if text.startswith(field) else None
        if option is not None:
            text = option + text[len(field) :]
            if field == "patient.dialysis":
                text = text.replace("expected True or False", "pass --dialysis or --no-dialysis")
            if field == "patient.sex":
                text = text.replace(
                    "expected 'female', 'male' or None (not known)",
                    f"expected female or male (leave {option} out when it is not known)",
                )
    if field == "measured_method":  # the measurement it does not give, as an option
        for name in ("measured_crcl", "measured_egfr"):
            text = text.replace(f"({name})", f"({table.get(name, name)})")
            text = text.replace(f"for {name}:", f"for {table.get(name, name)}:")
    ladder = table.get("adolescent_policy")
    if ladder is not None and field == "max_policy":  # the two options that do not go together
        text = text.replace("adolescent_policy us_adult_label", f"{ladder} us_adult_label")
    doses_a_day = table.get("times_per_day")
    if doses_a_day is not None:  # a dose per day given as one administration (core/units.py)
        text = text.replace("and the number of doses a day)", f"and {doses_a_day})")
    if isinstance(error, ConfirmationRequired):
        # ``confirm`` is the library's spelling ("confirm_concentration_change=True", possibly
        # with more words after it); the command line names its own flag instead.
        parameter = error.confirm.split("=", 1)[0].split(" ", 1)[0]
        option = table.get(parameter)
        if option is not None:
            head, _, _ = text.rpartition(f"with {error.confirm}")
            if head:
                text = f"{head}with {option}"
    return text
