"""mlops.gitops.apply: the library behind `mlops apply`, reporting through its callback."""

from __future__ import annotations

from pathlib import Path

from mlops.gitops import apply as applying
from mlops.gitops import watch
from mlops.gitops.stacks import AutomationStacks
from tests.support import QUICKSTART
from tests.support.fakes import FakeAppsV1Api, FakeAutomation, Script, deployment, serialize


def test_apply_library_reports_through_its_callback(tmp_path: Path) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART.read_text(encoding="utf-8"))
    auto, script, lines = FakeAutomation(), Script({"iris": [deployment("iris")]}), []
    deps = applying.Deps(AutomationStacks(auto),
                         lambda outputs: watch.KubeCluster(None, FakeAppsV1Api(script), serialize),
                         lambda env: True, lines.append, preflight=lambda: None)
    outcome = applying.apply(str(spec), "dev", tmp_path / "out", None, deps)
    assert outcome.state == "healthy" and lines[-1] == "  Deployment iris: healthy: 2 available"
