"""mlops.gitops.plan.changes: field paths of what differs between two objects."""

from __future__ import annotations

from typing import Any

import pytest

from mlops.gitops.plan.changes import ABSENT, diff


@pytest.mark.parametrize(("before", "after", "expected"), [
    ({"a": {"b": 1}}, {"a": {"b": 2}}, [("a.b", 1, 2)]),
    ({"labels": {"app.kubernetes.io/name": "x"}}, {"labels": {}}, [('labels["app.kubernetes.io/name"]', "x", ABSENT)]),
    ({"c": [{"name": "a", "v": 1}, {"name": "b", "v": 1}]},
     {"c": [{"name": "z", "v": 0}, {"name": "a", "v": 1}, {"name": "b", "v": 2}]},
     [("c[z]", ABSENT, {"name": "z", "v": 0}), ("c[b].v", 1, 2)]),
    ({"s": [1, 2]}, {"s": [1, 3]}, [("s[1]", 2, 3)]),
    ({"s": [1, 2]}, {"s": [1, 2, 3]}, [("s", [1, 2], [1, 2, 3])]),
    ({"k": None}, {}, [("k", None, ABSENT)]),
])
def test_field_paths(before: Any, after: Any, expected: list[tuple[str, Any, Any]]) -> None:
    assert [(c.path, c.before, c.after) for c in diff(before, after)] == expected
