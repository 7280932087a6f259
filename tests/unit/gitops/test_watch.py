"""mlops.gitops.watch: following workloads until healthy, failed, paused or timed out (against fakes)."""

from __future__ import annotations

from typing import Any

from mlops.gitops import watch
from tests.support.fakes import FakeAppsV1Api, FakeCustomObjectsApi, Script, deployment, not_found, rollout, serialize


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
    pause = ("CanaryPauseStep",)
    outcome, lines, slept = follow({"r": [not_found(), rollout("r", "Healthy", observed="2"),
                                          rollout("r", "Progressing", step=0),
                                          rollout("r", "Paused", step=1, reasons=pause),
                                          rollout("r", "Paused", step=3, reasons=pause), rollout("r", "Healthy")]})
    assert outcome == watch.Outcome("healthy", "1 workload healthy")
    assert lines == ["  Rollout r: progressing: not created yet",
                     "  Rollout r: progressing: waiting for the Argo Rollouts controller",
                     "  Rollout r: progressing: step 1 of 4, canary weight 10%",
                     "  Rollout r: progressing: step 2 of 4, canary weight 10%, holding 5m",
                     "  Rollout r: progressing: step 4 of 4, canary weight 30%, holding 5m",
                     "  Rollout r: healthy: 2 available"]
    assert slept == [5] * 5


def test_an_aborted_canary_fails_and_an_inconclusive_one_waits_for_a_person() -> None:
    aborted = rollout("r", "Degraded", abort=True, message="RolloutAborted: metric error-rate failed")
    outcome, lines, _ = follow({"r": [aborted]})
    assert outcome.state == "failed" and lines == [
        "  Rollout r: failed: aborted, traffic back on the stable version: RolloutAborted: metric error-rate failed"]
    outcome, lines, _ = follow({"r": [rollout("r", "Paused", step=1, reasons=("InconclusiveAnalysisRun",))],
                                "dep": [deployment("dep")]})
    assert outcome == watch.Outcome("paused", "r paused, waiting for a person")
    assert "  Rollout r: paused: InconclusiveAnalysisRun at step 2 of 4, canary weight 10%: a person decides " \
           "(kubectl argo rollouts promote r, or abort r)" in lines


def test_deployments_fail_on_their_progress_deadline_and_the_watch_times_out() -> None:
    outcome, lines, _ = follow({"dep": [deployment("dep", updated=1, available=1, total=3),
                                        deployment("dep", deadline=True, updated=1)]})
    assert outcome.state == "failed" and lines[0] == "  Deployment dep: progressing: 1 of 2 updated, 1 available"
    assert lines[1] == '  Deployment dep: failed: ReplicaSet "dep-abc" has timed out progressing.'
    outcome, _, slept = follow({"dep": [deployment("dep", observed=1)]}, timeout=30)
    assert outcome == watch.Outcome("timed out", "dep still progressing after 30 s") and sum(slept) == 30
    idle = serialize(deployment("z", replicas=0, updated=0, available=0))
    assert watch.deployment_status(idle).detail == "scaled to zero"
