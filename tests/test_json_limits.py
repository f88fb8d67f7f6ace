"""The bounded JSON parser (SAF-35): its depth check agrees with a plain character scan.

``parse_json`` measures nesting with regular expressions (one C-speed pass per level, issue
13's speed item) instead of a Python loop over every character; these tests hold it to the
old scan, character by character, on generated JSON and on arbitrary text, so a string that
holds brackets or escaped quotes can never hide a level or add one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baclofen_dose import BaclofenDoseError
from baclofen_dose.render.protocol import MAX_JSON_DEPTH, _nesting, parse_json

# Strings full of the characters that matter: brackets, quotes, backslashes.
_TRICKY = st.text(alphabet='[]{}"\\ab \n\u00e9', max_size=12)
_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | _TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TRICKY, inner, max_size=3),
    max_leaves=40,
)


def _scan(text: str) -> int:
    """The reference: the deepest bracket level outside strings, one character at a time."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


@pytest.mark.req("SAF-35")
@given(_JSON, st.integers(min_value=0, max_value=6))
def test_nesting_of_json_agrees_with_a_character_scan(value: Any, most: int) -> None:
    text = json.dumps(value, ensure_ascii=False)
    assert _nesting(text, most) == min(_scan(text), most + 1)


@pytest.mark.req("SAF-35")
@given(st.text(alphabet='[]{}"\\a,:1', max_size=40))
@example('"{}')  # a string that never ends (found by a random run): refused, not measured
def test_nesting_of_any_text_is_refused_or_agrees(text: str) -> None:
    """On text that is not JSON, the check either says the brackets do not balance (and the
    parser refuses it) or measures what the character scan measures."""
    found = _nesting(text, MAX_JSON_DEPTH)
    if found is not None:
        assert found == min(_scan(text), MAX_JSON_DEPTH + 1)
    else:
        with pytest.raises(BaclofenDoseError):
            parse_json(text)


@pytest.mark.req("SAF-35")
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH - 1, MAX_JSON_DEPTH])
def test_the_deepest_allowed_document_is_read(depth: int) -> None:
    text = '{"a": ' + "[" * (depth - 1) + '"]}[\\""' + "]" * (depth - 1) + "}"
    assert _nesting(text, MAX_JSON_DEPTH) == depth
    assert parse_json(text)["a"] is not None


@pytest.mark.req("SAF-35")
@pytest.mark.parametrize(
    "text",
    [
        '{"a": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}",
        "[" * 5000 + "]" * 5000,
        "[" * 5000,
        '{"a": "x", "a": "y"}',
        '{"a": {"b": 1, "b": 1}}',
        '{"a": NaN}',
        '{"a": -Infinity}',
        '{"a": [}',
    ],
)
def test_too_deep_unbalanced_duplicated_or_not_finite_is_refused(text: str) -> None:
    with pytest.raises(BaclofenDoseError):
        parse_json(text)
