"""mlops.emit.manifests: the manifests layer, one file per object, and a duplicate object is a bug."""

from __future__ import annotations

import pytest

from mlops import ir
from mlops.emit import manifests


def test_a_duplicate_object_is_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "n"}}
    monkeypatch.setattr(manifests, "objects", lambda env, hints: [obj, dict(obj)])
    env = ir.Environment.__new__(ir.Environment)
    object.__setattr__(env, "name", "dev")
    with pytest.raises(ValueError, match="two objects named ConfigMap/x in environment dev"):
        manifests.emit(env, None)  # type: ignore[arg-type]
