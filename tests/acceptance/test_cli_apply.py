"""`mlops apply` against fakes of the Pulumi Automation API and the kubernetes client."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from mlops.gitops import watch
from mlops.gitops.stacks import AutomationStacks
from tests.support import ROOT
from tests.support.cli import run
from tests.support.fakes import (
    FakeAppsV1Api,
    FakeAutomation,
    FakeCustomObjectsApi,
    Script,
    command_error,
    deployment,
    rollout,
    serialize,
)
from tests.support.gitrepo import Repo

QUICKSTART = (ROOT / "examples" / "quickstart" / "mlops.yaml").read_text(encoding="utf-8")
NORTH_STAR = (ROOT / "examples" / "north-star" / "mlops.yaml").read_text(encoding="utf-8")


class Harness:
    """The fakes, wired into the command the way the real Automation API and kubernetes client are."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[Any]]) -> None:
        self.auto = FakeAutomation()
        self.script = Script(answers)
        self.connected: list[dict[str, Any]] = []
        monkeypatch.setattr("mlops.gitops.stacks.AutomationStacks", lambda: AutomationStacks(self.auto))
        monkeypatch.setattr("mlops.gitops.watch.connect", self.connect)
        monkeypatch.setattr("shutil.which", lambda name: f"/usr/local/bin/{name}")
        monkeypatch.setenv("PULUMI_BACKEND_URL", "file:///tmp/state")

    def connect(self, outputs: dict[str, Any]) -> watch.KubeCluster:
        self.connected.append(dict(outputs))
        return watch.KubeCluster(FakeCustomObjectsApi(self.script), FakeAppsV1Api(self.script), serialize)


def test_apply_runs_infra_then_workloads_then_follows_the_rollout(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART)
    h = Harness(monkeypatch, {"iris": [deployment("iris", updated=2, available=2)]})
    h.auto.outputs["infra"] = {"kubeContext": "kind-mlops", "clusterName": "quickstart-dev"}
    code, out, err = run(capsys, "apply", str(spec), "--env", "dev", "--yes", "--out", str(tmp_path / "build"))
    assert (code, err) == (0, "")
    assert h.auto.calls == [("up", "infra", "dev"), ("up", "workloads", "dev")]
    assert h.auto.env_vars[0] == {"PULUMI_PYTHON_CMD": sys.executable}
    assert h.connected == [{"kubeContext": "kind-mlops", "clusterName": "quickstart-dev"}]
    assert out.splitlines() == [
        "dev has no promotion gate",
        f"dev: pulumi up {tmp_path / 'build' / 'dev' / 'infra'} (stack dev)",
        "    Updating (dev)", "    Resources:", "        3 unchanged",
        f"dev: pulumi up {tmp_path / 'build' / 'dev' / 'workloads'} (stack dev)",
        "    Updating (dev)", "    Resources:", "        3 unchanged",
        "dev: following 1 workload in quickstart-dev",
        "  Deployment iris: healthy: 2 available",
        "dev: healthy: 1 workload healthy",
    ]
    assert (tmp_path / "build" / "dev" / "infra" / "resources.json").is_file()


def test_a_failed_pulumi_up_stops_before_the_workloads(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART)
    h = Harness(monkeypatch, {})
    h.auto.fail["infra"] = command_error("error: update failed\nerror: configured Kubernetes cluster is unreachable")
    code, _, err = run(capsys, "apply", str(spec), "--env", "dev", "--yes", "--out", str(tmp_path / "build"))
    assert code == 1 and h.auto.calls == [("up", "infra", "dev")]
    assert err == ("mlops: pulumi up of infra (dev) failed: error: update failed "
                   "error: configured Kubernetes cluster is unreachable\n")


def test_without_the_pulumi_cli_apply_says_how_to_install_it(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART)
    h = Harness(monkeypatch, {})
    monkeypatch.setattr("shutil.which", lambda name: None)
    code, _, err = run(capsys, "apply", str(spec), "--env", "dev", "--yes", "--out", str(tmp_path / "build"))
    assert code == 1 and h.auto.calls == [] and not (tmp_path / "build").exists()
    assert err == ("mlops: cannot apply dev: the pulumi CLI is not installed: install it from "
                   "https://www.pulumi.com/docs/install/ (e.g. curl -fsSL https://get.pulumi.com | sh)\n")


def test_not_interactive_without_yes_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART)
    h = Harness(monkeypatch, {})
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = run(capsys, "apply", str(spec), "--env", "dev")
    assert code == 2 and h.auto.calls == [] and "refusing to apply without --yes" in err


def test_interactive_asks_first(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART)
    h = Harness(monkeypatch, {})
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    code, _, err = run(capsys, "apply", str(spec), "--env", "dev", "--out", str(tmp_path / "build"))
    assert code == 1 and h.auto.calls == [] and err == "mlops: dev not applied\n"


# --- the promotion gate --------------------------------------------------------------------------------------

def test_the_promotion_gate_is_enforced_before_anything_is_applied(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Repo(tmp_path, NORTH_STAR)
    others = ("embedder", "embedder-candidate", "ranker-control", "ranker-treatment")
    h = Harness(monkeypatch, {"fraud-scorer": [rollout("fraud-scorer", "Healthy")],
                              **{n: [deployment(n)] for n in others}})
    h.auto.outputs["infra"] = {"kubeconfig": "apiVersion: v1\nkind: Config\n"}
    repo.edit("artifact: registry://fraud-scorer:v12", "artifact: registry://fraud-scorer:v13")
    build = str(tmp_path / "build")
    apply = ("apply", str(repo.spec), "--env", "production", "--yes")
    code, _, err = run(capsys, *apply, "--out", build)
    assert code == 2 and "production is promoted from staging: give --base REF" in err
    code, _, err = run(capsys, *apply, "--base", "HEAD", "--out", build)
    assert code == 1 and h.auto.calls == [] and not Path(build).exists()
    assert err.startswith("mlops: refused: production: fraud-scorer would run registry://fraud-scorer:v13, "
                          "which staging has not run at HEAD") and err.endswith("mlops: nothing applied\n")
    repo.edit("          scaling: {max: 3}\n",
              "          scaling: {max: 3}\n          artifact: registry://fraud-scorer:v13\n")
    repo.commit(message="staging runs v13")
    code, out, err = run(capsys, *apply, "--base", "HEAD", "--out", build)
    assert (code, err) == (0, "")
    assert out.startswith("promotion gate: every artifact of production already ran in staging at HEAD\n")
    assert h.connected == [{"kubeconfig": "apiVersion: v1\nkind: Config\n"}]
    assert out.endswith("production: healthy: 5 workloads healthy\n")


# --- following the rollout (the watch itself: tests/unit/gitops/test_watch.py) ----------------------------------------

def test_paused_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART.replace("    endpoint: {host: iris.example.com}\n",
                                       "    endpoint: {host: iris.example.com}\n    rollout: {strategy: blue-green}\n"))
    Harness(monkeypatch, {"iris": [rollout("iris", "Paused", reasons=("BlueGreenPause",))]})
    code, out, _ = run(capsys, "apply", str(spec), "--env", "dev", "--yes", "--out", str(tmp_path / "build"))
    assert code == 4 and out.endswith("dev: paused: iris paused, waiting for a person\n")
