"""mlops.emit.workloads: the workloads layer, a Pulumi project applying the manifests folder."""

from __future__ import annotations

import yaml

from mlops.emit import workloads as layer
from mlops.targets import Hints
from tests.support.infra_helpers import north_star


def test_project_files() -> None:
    env = north_star("production")
    files = layer.emit(env, Hints(registry="x"))
    assert sorted(files) == ["Pulumi.production.yaml", "Pulumi.yaml", "__main__.py"]
    assert yaml.safe_load(files["Pulumi.yaml"])["name"] == "fraud-platform-workloads"
    assert yaml.safe_load(files["Pulumi.production.yaml"]) == {"config": {
        "mlops:infraStack": "fraud-platform-infra/production", "mlops:manifests": "../manifests"}}
    assert "from mlops.runtime.workloads import main" in files["__main__.py"].decode()
