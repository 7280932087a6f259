"""The JSON writer for emitted files is json.dumps(indent=2, sort_keys=True), only faster."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mlops.emit.jsonout import dumps

_scalar = st.one_of(st.text(max_size=8), st.sampled_from(["é", "日本", "\x07", "\u2028", '"', "\\", "</"]),
                    st.integers(), st.booleans(), st.none(), st.floats(),
                    st.sampled_from([float("inf"), -float("inf"), float("nan"), -0.0, 1e20, 1e-7]))
_tree = st.recursive(_scalar, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                     max_leaves=30)


@settings(max_examples=500, deadline=None)
@given(_tree, st.booleans())
def test_byte_equal_to_json_dumps(tree: object, ensure_ascii: bool) -> None:
    expected = json.dumps(tree, indent=2, sort_keys=True, ensure_ascii=ensure_ascii)
    assert dumps(tree, ensure_ascii=ensure_ascii) == expected


def test_other_shapes_are_left_to_json() -> None:
    for tree in ({1: "a", 2: (1, 2)}, {"d": {"x": 1j}}):
        try:
            expected = json.dumps(tree, indent=2, sort_keys=True)
        except TypeError as error:
            expected = str(error)
        try:
            got = dumps(tree)
        except TypeError as error:
            got = str(error)
        assert got == expected
