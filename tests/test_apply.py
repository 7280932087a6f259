"""`mlops apply` against fakes of the Pulumi Automation API and the kubernetes client, and `plan --live`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi.automation import OpType

from mlops.gitops import apply as applying
from mlops.gitops import live, watch
from mlops.gitops.stacks import AutomationStacks, backend_missing
from tests.support import ROOT
from tests.support.cli import run
from tests.support.fakes import (
    FakeAppsV1Api,
    FakeAutomation,
    FakeCustomObjectsApi,
    Script,
    command_error,
    deployment,
    not_found,
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


def test_interactive_asks_first(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
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
    h = Harness(monkeypatch, {"fraud-scorer": [rollout("fraud-scorer", "Healthy")],
                              **{n: [deployment(n)] for n in ("embedder", "embedder-candidate", "ranker-control", "ranker-treatment")}})
    h.auto.outputs["infra"] = {"kubeconfig": "apiVersion: v1\nkind: Config\n"}
    repo.edit("artifact: registry://fraud-scorer:v12", "artifact: registry://fraud-scorer:v13")
    build = str(tmp_path / "build")
    code, _, err = run(capsys, "apply", str(repo.spec), "--env", "production", "--yes", "--out", build)
    assert code == 2 and "production is promoted from staging: give --base REF" in err
    code, _, err = run(capsys, "apply", str(repo.spec), "--env", "production", "--yes", "--base", "HEAD", "--out", build)
    assert code == 1 and h.auto.calls == [] and not Path(build).exists()
    assert err.startswith("mlops: refused: production: fraud-scorer would run registry://fraud-scorer:v13, which staging "
                          "has not run at HEAD") and err.endswith("mlops: nothing applied\n")
    repo.edit("          scaling: {max: 3}\n", "          scaling: {max: 3}\n          artifact: registry://fraud-scorer:v13\n")
    repo.commit(message="staging runs v13")
    code, out, err = run(capsys, "apply", str(repo.spec), "--env", "production", "--yes", "--base", "HEAD", "--out", build)
    assert (code, err) == (0, "")
    assert out.startswith("promotion gate: every artifact of production already ran in staging at HEAD\n")
    assert h.connected == [{"kubeconfig": "apiVersion: v1\nkind: Config\n"}]
    assert out.endswith("production: healthy: 5 workloads healthy\n")


# --- following the rollout -----------------------------------------------------------------------------------

def follow(answers: dict[str, list[Any]], timeout: float = 600) -> tuple[watch.Outcome, list[str], list[float]]:
    script, lines, slept, now = Script(answers), [], [], [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    cluster = watch.KubeCluster(FakeCustomObjectsApi(script), FakeAppsV1Api(script), serialize)
    found = [watch.Workload("Rollout" if n.startswith("r") else "Deployment", "ns", n) for n in answers]
    outcome = watch.watch(cluster, found, lines.append, timeout=timeout, poll=5, clock=lambda: now[0], sleep=sleep)
    return outcome, lines, slept


def test_a_canary_is_followed_step_by_step_until_healthy() -> None:
    outcome, lines, slept = follow({"r": [not_found(), rollout("r", "Healthy", observed="2"),
                                          rollout("r", "Progressing", step=0), rollout("r", "Paused", step=1, reasons=("CanaryPauseStep",)),
                                          rollout("r", "Paused", step=3, reasons=("CanaryPauseStep",)), rollout("r", "Healthy")]})
    assert outcome == watch.Outcome("healthy", "1 workload healthy")
    assert lines == ["  Rollout r: progressing: not created yet",
                     "  Rollout r: progressing: waiting for the Argo Rollouts controller",
                     "  Rollout r: progressing: step 1 of 4, canary weight 10%",
                     "  Rollout r: progressing: step 2 of 4, canary weight 10%, holding 5m",
                     "  Rollout r: progressing: step 4 of 4, canary weight 30%, holding 5m",
                     "  Rollout r: healthy: 2 available"]
    assert slept == [5] * 5


def test_an_aborted_canary_fails_and_an_inconclusive_one_waits_for_a_person() -> None:
    outcome, lines, _ = follow({"r": [rollout("r", "Degraded", abort=True, message="RolloutAborted: metric error-rate failed")]})
    assert outcome.state == "failed" and lines == [
        "  Rollout r: failed: aborted, traffic back on the stable version: RolloutAborted: metric error-rate failed"]
    outcome, lines, _ = follow({"r": [rollout("r", "Paused", step=1, reasons=("InconclusiveAnalysisRun",))],
                                "dep": [deployment("dep")]})
    assert outcome == watch.Outcome("paused", "r paused, waiting for a person")
    assert "  Rollout r: paused: InconclusiveAnalysisRun at step 2 of 4, canary weight 10%: a person decides " \
           "(kubectl argo rollouts promote r, or abort r)" in lines


def test_deployments_fail_on_their_progress_deadline_and_the_watch_times_out() -> None:
    outcome, lines, _ = follow({"dep": [deployment("dep", updated=1, available=1, total=3), deployment("dep", deadline=True, updated=1)]})
    assert outcome.state == "failed" and lines[0] == "  Deployment dep: progressing: 1 of 2 updated, 1 available"
    assert lines[1] == '  Deployment dep: failed: ReplicaSet "dep-abc" has timed out progressing.'
    outcome, _, slept = follow({"dep": [deployment("dep", observed=1)]}, timeout=30)
    assert outcome == watch.Outcome("timed out", "dep still progressing after 30 s") and sum(slept) == 30
    assert watch.deployment_status(serialize(deployment("z", replicas=0, updated=0, available=0))).detail == "scaled to zero"


def test_paused_exits_4(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART.replace("    endpoint: {host: iris.example.com}\n",
                                       "    endpoint: {host: iris.example.com}\n    rollout: {strategy: blue-green}\n"))
    Harness(monkeypatch, {"iris": [rollout("iris", "Paused", reasons=("BlueGreenPause",))]})
    code, out, _ = run(capsys, "apply", str(spec), "--env", "dev", "--yes", "--out", str(tmp_path / "build"))
    assert code == 4 and out.endswith("dev: paused: iris paused, waiting for a person\n")


# --- plan --live and the Pulumi adapter ----------------------------------------------------------------------

def test_live_preview_reports_each_stack(tmp_path: Path) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART)
    auto = FakeAutomation()
    auto.summaries = {"infra": {OpType.UPDATE: 1, OpType.SAME: 8}, "workloads": {"create": 2, "same": 20}}
    result = live.preview(str(spec), ["dev"], AutomationStacks(auto), missing=lambda: None)
    assert result == live.Live(("live preview of dev infra (pulumi): 1 to update",
                                "live preview of dev workloads (pulumi): 2 to create"), False)
    auto.existing = set()
    assert live.preview(str(spec), ["dev"], AutomationStacks(auto), missing=lambda: None).notes == (
        "live preview of dev infra (pulumi): no stack dev yet, everything would be created",)
    auto.existing, auto.fail["infra"] = {"infra"}, command_error("error: could not find AWS credentials")
    assert live.preview(str(spec), ["dev"], AutomationStacks(auto), missing=lambda: None) == live.Live(
        ("live preview of dev infra (pulumi) failed: pulumi preview of infra (dev) failed: error: could not find AWS credentials",), True)
    assert ("up", "infra", "dev") not in auto.calls


def test_a_backend_is_a_url_a_token_or_a_stored_login(tmp_path: Path) -> None:
    assert backend_missing({"PULUMI_BACKEND_URL": "s3://state"}, tmp_path) is None
    assert backend_missing({"PULUMI_ACCESS_TOKEN": "x"}, tmp_path) is None
    assert "run `pulumi login`" in (backend_missing({}, tmp_path) or "")
    (tmp_path / "credentials.json").write_text('{"current": "https://api.pulumi.com"}')
    assert backend_missing({}, tmp_path) is None


def test_apply_library_reports_through_its_callback(tmp_path: Path) -> None:
    spec = tmp_path / "mlops.yaml"
    spec.write_text(QUICKSTART)
    auto, script, lines = FakeAutomation(), Script({"iris": [deployment("iris")]}), []
    deps = applying.Deps(AutomationStacks(auto), lambda outputs: watch.KubeCluster(None, FakeAppsV1Api(script), serialize),
                         lambda env: True, lines.append, preflight=lambda: None)
    outcome = applying.apply(str(spec), "dev", tmp_path / "out", None, deps)
    assert outcome.state == "healthy" and lines[-1] == "  Deployment iris: healthy: 2 available"
