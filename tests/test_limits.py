"""The limit machinery (core/limits.py) as a specification: hard limits refuse, soft limits
collect their worst crossing and need a named override with a reason, overrides are checked.

These tests are the ones the mutation gate (SAF-34) runs against core/limits.py, so each
boundary is checked exactly (at the limit: allowed; one step past it: refused), computed limits
are checked to be the ones used (not the rule's own value), and messages are checked word for
word where a person reads them.
"""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen_dose import HardLimitError, InputError, InputTypeError, OverrideRequired
from baclofen_dose.core import kinds
from baclofen_dose.core.limits import (
    LimitCheck,
    advice,
    parse_date,
    parse_overrides,
)
from baclofen_dose.core.model import Amount, Finding, Override, Severity
from baclofen_dose.core.rules import default_rules
from baclofen_dose.render.messages import finding_text

RULES = default_rules()
HARD_MAX = RULES["oral.adult.max_daily.hard"]  # 120 mg/day
HARD_MIN = RULES["oral.adult.titration.step.min"]  # 5 mg/day
SOFT_MAX = RULES["oral.adult.max_daily.us_label"]  # 80 mg/day
SOFT_DOSE = RULES["oral.adult.max_dose.us_label"]  # 20 mg
SOFT_MIN = RULES["oral.taper.duration.min"]  # 7 days
DAILY = kinds.ORAL_DAILY_DOSE
TINY = Fraction(1, 10**9)


def check(overrides: dict[str, str] | None = None) -> LimitCheck:
    return LimitCheck(RULES, parse_overrides(overrides, RULES))


# --- hard limits -------------------------------------------------------------------------


@pytest.mark.req("SAF-19")
def test_hard_max_allows_the_limit_itself_and_refuses_just_above() -> None:
    limit = HARD_MAX.require_value()
    check().hard_max(HARD_MAX, limit, DAILY, "daily dose")
    with pytest.raises(HardLimitError) as caught:
        check().hard_max(HARD_MAX, limit + TINY, DAILY, "daily dose")
    err = caught.value
    assert err.rule_id == HARD_MAX.id
    assert err.value == Amount(limit + TINY, DAILY)
    assert err.limit == Amount(limit, DAILY)
    assert err.what == "daily dose"


@pytest.mark.req("SAF-21")
def test_hard_min_allows_the_limit_itself_and_refuses_just_below() -> None:
    limit = HARD_MIN.require_value()
    check().hard_min(HARD_MIN, limit, DAILY, "step")
    with pytest.raises(HardLimitError) as caught:
        check().hard_min(HARD_MIN, limit - TINY, DAILY, "step")
    assert caught.value.limit == Amount(limit, DAILY)
    assert caught.value.rule_id == HARD_MIN.id


@pytest.mark.req("SAF-19")
def test_a_computed_hard_limit_is_the_one_applied() -> None:
    """A limit derived from the rule (a fraction of today's dose) replaces the rule's value."""
    computed = Fraction(30)
    check().hard_max(HARD_MAX, computed, DAILY, "increase", limit=computed)
    with pytest.raises(HardLimitError) as caught:
        check().hard_max(HARD_MAX, computed + 1, DAILY, "increase", limit=computed)
    assert caught.value.limit == Amount(computed, DAILY)
    computed_min = Fraction(200)
    check().hard_min(HARD_MIN, computed_min, DAILY, "x", limit=computed_min)
    with pytest.raises(HardLimitError) as low:
        check().hard_min(HARD_MIN, computed_min - 1, DAILY, "x", limit=computed_min)
    assert low.value.limit == Amount(computed_min, DAILY)


def test_hard_limit_message_names_value_limit_rule_and_no_override() -> None:
    with pytest.raises(HardLimitError) as caught:
        check().hard_max(HARD_MAX, Fraction(125), DAILY, "target")
    assert str(caught.value) == (
        "target: 125 mg/day would cross the hard limit 120 mg/day "
        "(rule oral.adult.max_daily.hard); hard limits cannot be overridden"
    )


@given(st.fractions(min_value=0, max_value=1000))
@pytest.mark.req("SAF-19")
def test_hard_max_refuses_exactly_the_values_above(value: Fraction) -> None:
    limit = HARD_MAX.require_value()
    if value > limit:
        with pytest.raises(HardLimitError):
            check().hard_max(HARD_MAX, value, DAILY, "daily dose")
    else:
        check().hard_max(HARD_MAX, value, DAILY, "daily dose")


@given(st.fractions(min_value=0, max_value=1000))
@pytest.mark.req("SAF-21")
def test_hard_min_refuses_exactly_the_values_below(value: Fraction) -> None:
    limit = HARD_MIN.require_value()
    if value < limit:
        with pytest.raises(HardLimitError):
            check().hard_min(HARD_MIN, value, DAILY, "step")
    else:
        check().hard_min(HARD_MIN, value, DAILY, "step")


# --- soft limits -------------------------------------------------------------------------


@pytest.mark.req("SAF-20")
def test_soft_max_at_the_limit_needs_no_override() -> None:
    c = check()
    c.soft_max(SOFT_MAX, SOFT_MAX.require_value(), DAILY, "daily dose")
    assert c.finish() == ()


@pytest.mark.req("SAF-20")
def test_soft_max_crossed_without_override_lists_the_worst_crossing() -> None:
    c = check()
    for value in (Fraction(85), Fraction(100), Fraction(90)):
        c.soft_max(SOFT_MAX, value, DAILY, "daily dose")
    with pytest.raises(OverrideRequired) as caught:
        c.finish()
    (crossing,) = caught.value.crossings
    assert crossing.rule_id == SOFT_MAX.id
    assert crossing.value == Amount(Fraction(100), DAILY)
    assert crossing.limit == Amount(Fraction(80), DAILY)
    assert caught.value.rule_id == SOFT_MAX.id
    assert str(caught.value) == (
        "daily dose 100 mg/day crosses the soft limit 80 mg/day "
        "(rule oral.adult.max_daily.us_label). "
        "To go on, give an override with a reason for: oral.adult.max_daily.us_label"
    )


@pytest.mark.req("SAF-21")
def test_soft_min_keeps_the_lowest_crossing_and_respects_a_computed_limit() -> None:
    c = check()
    days = kinds.DAYS
    for value in (Fraction(5), Fraction(3), Fraction(6)):
        c.soft_min(SOFT_MIN, value, days, "taper length")
    c.soft_min(SOFT_MIN, Fraction(7), days, "taper length")  # at the limit: no crossing
    with pytest.raises(OverrideRequired) as caught:
        c.finish()
    (crossing,) = caught.value.crossings
    assert crossing.value == Amount(Fraction(3), days)
    assert crossing.limit == Amount(Fraction(7), days)
    computed = check()
    computed.soft_min(SOFT_MIN, Fraction(20), days, "taper length", limit=Fraction(21))
    with pytest.raises(OverrideRequired) as low:
        computed.finish()
    assert low.value.crossings[0].limit == Amount(Fraction(21), days)


def test_soft_max_with_a_computed_limit() -> None:
    c = check()
    c.soft_max_at(SOFT_MAX, Fraction(40), Fraction(40), DAILY, "daily dose")
    assert c.finish() == ()
    c.soft_max_at(SOFT_MAX, Fraction(40), Fraction(45), DAILY, "daily dose")
    with pytest.raises(OverrideRequired) as caught:
        c.finish()
    assert caught.value.crossings[0].limit == Amount(Fraction(40), DAILY)
    assert caught.value.crossings[0].value == Amount(Fraction(45), DAILY)


def test_every_crossing_is_reported_at_once() -> None:
    c = check()
    c.soft_max(SOFT_MAX, Fraction(100), DAILY, "daily dose")
    c.soft_max(SOFT_DOSE, Fraction(25), kinds.ORAL_DOSE, "a single dose of")
    with pytest.raises(OverrideRequired) as caught:
        c.finish()
    assert [x.rule_id for x in caught.value.crossings] == [SOFT_MAX.id, SOFT_DOSE.id]


def test_a_condition_without_a_number_crosses_with_its_text() -> None:
    c = check()
    egfr_min = RULES["renal.ajkd2017.egfr_min"]
    c.soft_condition(egfr_min, kinds.EGFR, "renal function", "on dialysis")
    with pytest.raises(OverrideRequired) as caught:
        c.finish()
    assert caught.value.crossings[0].value == "on dialysis"
    assert caught.value.crossings[0].value_text == "on dialysis"


@pytest.mark.req("SAF-20")
def test_an_override_records_a_finding_with_the_values_and_reason() -> None:
    reason = "inpatient, supervised"
    c = check({SOFT_MAX.id: reason})
    c.soft_max(SOFT_MAX, Fraction(90), DAILY, "daily dose")
    c.soft_max(SOFT_MAX, Fraction(100), DAILY, "daily dose")
    (finding,) = c.finish()
    assert finding == Finding(
        SOFT_MAX.id,
        "warning",
        "SOFT_LIMIT_OVERRIDDEN",
        {
            "what": "daily dose",
            "value": Amount(Fraction(100), DAILY),
            "side": "above",
            "limit": Amount(Fraction(80), DAILY),
            "reason": reason,
        },
        SOFT_MAX.citation,
        override_reason=reason,
    )
    assert finding_text(finding) == (
        "daily dose 100 mg/day is above the soft limit 80 mg/day; "
        'overridden with the reason "inpatient, supervised"'
    )


def test_an_override_for_a_limit_not_crossed_is_refused() -> None:
    c = check({SOFT_MAX.id: "just in case"})
    c.soft_max(SOFT_MAX, Fraction(60), DAILY, "daily dose")
    with pytest.raises(InputError) as caught:
        c.finish()
    assert caught.value.code == "E_OVERRIDE_UNUSED"
    assert caught.value.value == SOFT_MAX.id


def test_one_missing_override_among_several_is_still_required() -> None:
    c = check({SOFT_MAX.id: "supervised"})
    c.soft_max(SOFT_MAX, Fraction(100), DAILY, "daily dose")
    c.soft_max(SOFT_DOSE, Fraction(25), kinds.ORAL_DOSE, "a single dose of")
    with pytest.raises(OverrideRequired) as caught:
        c.finish()
    assert [x.rule_id for x in caught.value.crossings] == [SOFT_DOSE.id]


# --- overrides as given by a caller ------------------------------------------------------


def test_parse_overrides_accepts_soft_limits_with_reasons() -> None:
    assert parse_overrides(None, RULES) == {}
    assert parse_overrides({SOFT_MAX.id: "  supervised  "}, RULES) == {
        SOFT_MAX.id: Override(SOFT_MAX.id, "supervised")
    }


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"no.such.rule": "x"}, "E_OVERRIDE"),
        ({HARD_MAX.id: "x"}, "E_OVERRIDE_HARD"),
        ({"oral.withdrawal.abrupt": "x"}, "E_OVERRIDE"),
        ({SOFT_MAX.id: ""}, "E_OVERRIDE_REASON"),
        ({SOFT_MAX.id: "   "}, "E_OVERRIDE_REASON"),
        ({SOFT_MAX.id: "x" * 201}, "E_OVERRIDE_REASON"),
        ({SOFT_MAX.id: "caf\u00e9"}, "E_OVERRIDE_REASON"),
        ({SOFT_MAX.id: 5}, "E_OVERRIDE_REASON"),
        ({7: "x"}, "E_OVERRIDE"),
    ],
)
@pytest.mark.req("SAF-19", "SAF-20")
def test_parse_overrides_refuses(overrides: dict[object, object], code: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_overrides(overrides, RULES)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_parse_overrides_names_the_hard_rule_kind() -> None:
    with pytest.raises(InputError) as caught:
        parse_overrides({HARD_MAX.id: "x"}, RULES)
    assert "is a hard max rule; only soft limits have overrides" in str(caught.value)


def test_a_reason_of_exactly_200_characters_is_accepted() -> None:
    assert parse_overrides({SOFT_MAX.id: "x" * 200}, RULES)[SOFT_MAX.id].reason == "x" * 200


def test_parse_overrides_needs_a_mapping() -> None:
    with pytest.raises(InputTypeError):
        parse_overrides([SOFT_MAX.id], RULES)  # type: ignore[arg-type]


# --- dates and advice --------------------------------------------------------------------


def test_parse_date() -> None:
    assert parse_date("2026-01-05", "start") == date(2026, 1, 5)
    assert parse_date(date(2026, 1, 5), "start") == date(2026, 1, 5)
    for bad, code in (
        ("2026-02-30", "E_DATE"),
        ("2026-1-5", "E_DATE"),
        ("20260105", "E_DATE"),
        (" 2026-01-05", "E_DATE"),
    ):
        with pytest.raises(InputError) as caught:
            parse_date(bad, "start")
        assert caught.value.code == code and caught.value.field == "start"
    with pytest.raises(InputTypeError) as naive:
        parse_date(datetime(2026, 1, 5), "start")  # noqa: DTZ001 - the point of the test
    assert naive.value.code == "E_NAIVE_DATETIME"
    with pytest.raises(InputTypeError):
        parse_date(20260105, "start")


def test_advice_finding_carries_the_rule_text_and_citation() -> None:
    rule = RULES["oral.withdrawal.abrupt"]
    finding = advice(rule)
    assert finding.code == "ADVICE"
    assert finding.severity is Severity(rule.severity)
    assert finding_text(finding) == rule.text
    assert finding.citation == rule.citation
    with pytest.raises(InputError):
        advice(HARD_MAX)


# --- exact messages and tie-breaking (each kills a class of mutant, SAF-34) --------------


def test_soft_limits_at_the_limit_alone_record_nothing() -> None:
    low = check()
    low.soft_min(SOFT_MIN, SOFT_MIN.require_value(), kinds.DAYS, "taper length")
    assert low.finish() == ()
    at = check()
    at.soft_max_at(SOFT_MAX, Fraction(40), Fraction(40), DAILY, "daily dose")
    assert at.finish() == ()


def test_equal_crossings_keep_the_first_description() -> None:
    high = check()
    high.soft_max(SOFT_MAX, Fraction(100), DAILY, "first")
    high.soft_max(SOFT_MAX, Fraction(100), DAILY, "second")
    with pytest.raises(OverrideRequired) as above:
        high.finish()
    assert above.value.crossings[0].what == "first"
    low = check()
    low.soft_min(SOFT_MIN, Fraction(3), kinds.DAYS, "first")
    low.soft_min(SOFT_MIN, Fraction(3), kinds.DAYS, "second")
    with pytest.raises(OverrideRequired) as below:
        low.finish()
    assert below.value.crossings[0].what == "first"
    computed = check()
    computed.soft_max_at(SOFT_MAX, Fraction(40), Fraction(45), DAILY, "renal daily dose")
    with pytest.raises(OverrideRequired) as renal:
        computed.finish()
    assert renal.value.crossings[0].what == "renal daily dose"


def test_overridden_minimum_and_condition_findings_say_below() -> None:
    reason = "patient request, reviewed"
    low = check({SOFT_MIN.id: reason})
    low.soft_min(SOFT_MIN, Fraction(5), kinds.DAYS, "taper length")
    (finding,) = low.finish()
    assert finding_text(finding) == (
        "taper length 5 days is below the soft limit 7 days; "
        'overridden with the reason "patient request, reviewed"'
    )
    egfr_min = RULES["renal.ajkd2017.egfr_min"]
    cond = check({egfr_min.id: reason})
    cond.soft_condition(egfr_min, kinds.EGFR, "renal function", "on dialysis")
    (on_dialysis,) = cond.finish()
    assert on_dialysis.values["value"] == "on dialysis"
    assert on_dialysis.values["side"] == "below"
    assert finding_text(on_dialysis).startswith(
        "renal function on dialysis is below the soft limit 30 mL/min/1.73 m2"
    )


def test_hard_min_error_keeps_value_and_description() -> None:
    with pytest.raises(HardLimitError) as caught:
        check().hard_min(HARD_MIN, Fraction(1), DAILY, "step")
    assert caught.value.value == Amount(Fraction(1), DAILY)
    assert str(caught.value) == (
        "step: 1 mg/day would cross the hard limit 5 mg/day "
        "(rule oral.adult.titration.step.min); hard limits cannot be overridden"
    )


def test_unused_override_message() -> None:
    c = check({SOFT_MAX.id: "just in case"})
    with pytest.raises(InputError) as caught:
        c.finish()
    assert str(caught.value) == (
        "overrides: 'oral.adult.max_daily.us_label' names a limit this plan does not cross; "
        "expected an override only for a soft limit this plan crosses"
    )


def test_advice_refusal_message() -> None:
    with pytest.raises(InputError) as caught:
        advice(HARD_MAX)
    assert str(caught.value) == (
        "rule: 'oral.adult.max_daily.hard' is not advice; expected an advice rule"
    )
    text_only = attrs.evolve(RULES["oral.withdrawal.abrupt"], severity=None)
    with pytest.raises(InputError) as caught_text_only:
        advice(text_only)
    assert caught_text_only.value.field == "rule"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            datetime(2026, 1, 5),  # noqa: DTZ001 - the point of the test
            "start: got datetime datetime.datetime(2026, 1, 5, 0, 0); expected a date "
            "(datetime.date or 'YYYY-MM-DD'), not a datetime",
        ),
        (
            "2026-02-30",
            "start: '2026-02-30' is not valid; expected a calendar date written YYYY-MM-DD, "
            "such as '2026-01-05'",
        ),
        (20260105, "start: got int 20260105; expected a datetime.date or a string 'YYYY-MM-DD'"),
    ],
)
def test_parse_date_messages(value: object, message: str) -> None:
    with pytest.raises((InputError, InputTypeError)) as caught:
        parse_date(value, "start")
    assert str(caught.value) == message
    assert caught.value.field == "start" and caught.value.value == value


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ([1], "overrides: got list [1]; expected a mapping of rule id to reason"),
        (
            {"no.such.rule": "x"},
            "overrides: 'no.such.rule' is not valid; expected the id of a soft-limit rule in "
            "the rule set",
        ),
        (
            {"oral.adult.max_daily.hard": "x"},
            "overrides: 'oral.adult.max_daily.hard' is a hard max rule; only soft limits have "
            "overrides; expected the id of a soft limit",
        ),
        (
            {"oral.adult.max_daily.us_label": " "},
            "overrides[oral.adult.max_daily.us_label]: ' ' is not a usable reason; expected a "
            "reason of 1 to 200 printable ASCII characters",
        ),
    ],
)
def test_parse_overrides_messages(overrides: object, message: str) -> None:
    with pytest.raises((InputError, InputTypeError)) as caught:
        parse_overrides(overrides, RULES)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert caught.value.value in (overrides, *getattr(overrides, "keys", list)(), " ")


def test_a_soft_minimum_can_be_overridden() -> None:
    assert parse_overrides({SOFT_MIN.id: "reviewed"}, RULES)[SOFT_MIN.id].reason == "reviewed"


@given(
    st.lists(
        st.fractions(min_value=Fraction(60), max_value=Fraction(100), max_denominator=997),
        min_size=1,
        max_size=5,
    )
)
def test_soft_limits_record_exactly_the_worst_crossing(values: list[Fraction]) -> None:
    """Issue 8 item 10: the comparisons are integer cross-multiplications; on any exact values
    (denominators other than 1 included) they agree with Fraction's own order."""
    high, low = LimitCheck(RULES, {}), LimitCheck(RULES, {})
    for value in values:
        high.soft_max(SOFT_MAX, value, DAILY, "daily dose")
        low.soft_min(SOFT_MIN, value / 10, kinds.DAYS, "taper")
    above = [v for v in values if v > SOFT_MAX.require_value()]
    below = [v / 10 for v in values if v / 10 < SOFT_MIN.require_value()]
    for check, crossed, worst in ((high, above, max), (low, below, min)):
        if not crossed:
            assert check.finish() == ()
            continue
        with pytest.raises(OverrideRequired) as caught:
            check.finish()
        assert caught.value.crossings[0].value == Amount(
            worst(crossed), DAILY if check is high else kinds.DAYS
        )


def test_a_computed_limit_with_a_denominator_is_compared_exactly() -> None:
    """A computed limit need not be whole (a third of a maximum): 1 is above 1/2 and not below
    it, whatever the denominators (integer cross-multiplication, both sides)."""
    half = Fraction(1, 2)
    check = LimitCheck(RULES, {})
    check.soft_min(SOFT_MIN, Fraction(1), kinds.DAYS, "taper", limit=half)
    assert check.finish() == ()
    check.soft_max(SOFT_MAX, Fraction(1), DAILY, "daily dose", limit=half)
    with pytest.raises(OverrideRequired) as caught:
        check.finish()
    assert caught.value.crossings[0].limit == Amount(half, DAILY)
    with pytest.raises(HardLimitError):
        LimitCheck(RULES, {}).hard_max(HARD_MAX, Fraction(1), DAILY, "dose", limit=half)
    LimitCheck(RULES, {}).hard_min(HARD_MIN, Fraction(1), DAILY, "dose", limit=half)
    with pytest.raises(HardLimitError):
        LimitCheck(RULES, {}).hard_min(HARD_MIN, Fraction(1, 3), DAILY, "dose", limit=half)
    check = LimitCheck(RULES, {})
    check.soft_min(SOFT_MIN, Fraction(1, 3), kinds.DAYS, "taper", limit=half)
    check.soft_min(SOFT_MIN, Fraction(1, 4), kinds.DAYS, "taper", limit=half)
    with pytest.raises(OverrideRequired) as caught:
        check.finish()
    assert caught.value.crossings[0].value == Amount(Fraction(1, 4), kinds.DAYS)
