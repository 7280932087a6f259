"""The loop spec's `assistant` (vLLM): its runtime args on the container, its disk as ephemeral storage and a
bounded model volume, and its patch applied, as `mlops compile` writes them; a bad patch leaves --out alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support import ROOT
from tests.support.cli import run

LOOP = ROOT / "examples" / "loop" / "mlops.yaml"


@pytest.mark.parametrize("env", ["staging", "production"])
def test_the_assistant_manifests(env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "compile", str(LOOP), "--out", str(tmp_path / "build"), "--manifests-only")
    assert code == 0
    rollout = yaml.safe_load((tmp_path / "build" / env / "manifests" / "rollout-assistant.yaml").read_text())
    pod = rollout["spec"]["template"]["spec"]
    [server] = pod["containers"]
    assert server["args"][-3:] == ["--max-model-len=8192", "--gpu-memory-utilization=0.90", "--enable-prefix-caching"]
    assert server["resources"]["requests"]["ephemeral-storage"] == "40Gi"
    assert server["resources"]["limits"]["ephemeral-storage"] == "40Gi"
    assert {"name": "models", "emptyDir": {"sizeLimit": "40Gi"}} in pod["volumes"]
    assert pod["priorityClassName"] == "high-priority"


def test_a_patch_on_a_missing_object_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(LOOP.read_text().replace("target: {kind: Rollout, name: assistant}",
                                             "target: {kind: Deployment, name: assistant}"))
    out = tmp_path / "build"
    code, stdout, stderr = run(capsys, "compile", str(spec), "--out", str(out))
    assert code == 1 and "Traceback" not in stdout + stderr
    assert ("error: patch target Deployment/assistant is not an object mlops emits for this model (its objects "
            "named assistant: HTTPRoute, PrometheusRule, Rollout, ScaledObject, Service, ServiceAccount, "
            "ServiceMonitor) [at $.models.assistant.patches[0].target]") in stdout + stderr
    assert not out.exists()
