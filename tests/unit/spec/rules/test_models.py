"""mlops.spec.rules.models: placement on a pool that can hold the model, scaling that can work, endpoints served
once."""

from __future__ import annotations

from pathlib import Path

from tests.support.specs import errors, sklearn, spec


def test_fractional_cpu_target_is_refused_not_rounded(tmp_path: Path) -> None:
    doc = spec({"fraud": sklearn(scaling={"metric": "cpu", "target": 65.5})})
    assert errors(tmp_path, doc) == [
        "mlops.yaml:29:15: error: with metric cpu, target is a whole % of requested CPU, got 65.5 "
        "[at $.models.fraud.scaling.target]"]
