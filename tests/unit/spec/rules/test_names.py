"""mlops.spec.rules.names: no two models make Kubernetes objects of the same kind and name."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import errors, sklearn, spec


def test_colliding_object_names_are_refused(tmp_path: Path) -> None:
    doc = spec({"fraud": sklearn(rollout={"strategy": "canary"}), "fraud-canary": sklearn()})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:29:3: error: model 'fraud-canary' and model 'fraud' would both make the Service "
        "'fraud-canary': rename one of them [at $.models.fraud-canary]"]
