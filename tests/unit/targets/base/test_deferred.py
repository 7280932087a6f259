"""mlops.targets.base.deferred: `$(infra.NAME)` values, filled from the infra stack outputs at apply time."""

from __future__ import annotations

import pytest

from mlops.targets.base import deferred


def test_substitute_and_names() -> None:
    doc = {"a": ["x $(infra.one) y $(infra.two)", 3, None], "b": {"c": "$(infra.one)"}}
    assert deferred.names_in(doc) == {"one", "two"}
    assert deferred.substitute(doc, {"one": "1", "two": "2"}) == {"a": ["x 1 y 2", 3, None], "b": {"c": "1"}}
    with pytest.raises(ValueError, match="no 'two'"):
        deferred.substitute(doc, {"one": "1"})
