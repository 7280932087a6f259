"""The Kubernetes side of `mlops apply`: follow each model's workloads until healthy, paused for a person, or failed.

Argo Rollouts (canary, blue-green) are read through `CustomObjectsApi`, Deployments (rolling, recreate, the
variants of ab, the stable and candidate of shadow) through `AppsV1Api`; the cluster is the one the infra stack
exports (`kubeconfig`), or the onprem target's kubeconfig context (`kubeContext`). A status is only believed
once the controller has observed the object's latest generation, so the previous version's "Healthy" is not
mistaken for the new one's.

- Rollout: `Healthy` -> healthy; `Degraded` or aborted -> failed (Argo has shifted traffic back to stable);
  `Paused` on a timed canary step -> still progressing; paused otherwise (an inconclusive analysis, a
  blue-green waiting for promotion, a manual pause) -> paused, which needs a person.
- Deployment: every replica updated and available, no old one left -> healthy; `ProgressDeadlineExceeded`
  -> failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mlops.diagnostics.words import duration

PROGRESSING, HEALTHY, PAUSED, FAILED, TIMEOUT = "progressing", "healthy", "paused", "failed", "timed out"
ROLLOUTS = ("argoproj.io", "v1alpha1", "rollouts")


@dataclass(frozen=True, order=True)
class Workload:
    kind: str                        # Rollout | Deployment
    namespace: str
    name: str


@dataclass(frozen=True)
class Status:
    state: str                       # progressing | healthy | paused | failed
    detail: str


@dataclass(frozen=True)
class Outcome:
    state: str                       # healthy | paused | failed | timed out
    detail: str


class Cluster(Protocol):
    def status(self, workload: Workload) -> Status: ...


def _observed(obj: Mapping[str, Any]) -> bool:
    generation = obj.get("metadata", {}).get("generation")
    observed = (obj.get("status") or {}).get("observedGeneration")
    return generation is None or (observed is not None and str(observed) == str(generation))


def _weight(steps: Sequence[Mapping[str, Any]], index: int) -> int:
    weights = [s["setWeight"] for s in steps[: index + 1] if "setWeight" in s]
    return int(weights[-1]) if weights else 0


def rollout_status(obj: Mapping[str, Any]) -> Status:
    """The state of an Argo Rollout object (as the API returns it)."""
    if not _observed(obj):
        return Status(PROGRESSING, "waiting for the Argo Rollouts controller")
    spec, status = obj.get("spec", {}), obj.get("status") or {}
    phase, message = status.get("phase", ""), status.get("message", "")
    if status.get("abort") or phase == "Degraded":
        return Status(FAILED, f"aborted, traffic back on the stable version{': ' + message if message else ''}")
    if phase == "Healthy":
        return Status(HEALTHY, f"{status.get('availableReplicas', 0)} available")
    steps = spec.get("strategy", {}).get("canary", {}).get("steps", [])
    index = int(status.get("currentStepIndex", 0) or 0)
    at = f"step {min(index + 1, len(steps))} of {len(steps)}, canary weight {_weight(steps, index)}%" if steps else ""
    if phase == "Paused":
        reasons = sorted({str(c.get("reason", "")) for c in status.get("pauseConditions") or []})
        timed = index < len(steps) and bool(steps[index].get("pause", {}).get("duration"))
        if reasons == ["CanaryPauseStep"] and timed and not spec.get("paused"):
            return Status(PROGRESSING, f"{at}, holding {steps[index]['pause']['duration']}")
        name = obj.get("metadata", {}).get("name", "")
        return Status(PAUSED, f"{', '.join(reasons) or 'paused'}{' at ' + at if at else ''}: a person decides "
                              f"(kubectl argo rollouts promote {name}, or abort {name})")
    return Status(PROGRESSING, at or message or phase or "starting")


def deployment_status(obj: Mapping[str, Any]) -> Status:
    """The state of a Deployment (as a plain dict, camelCase keys)."""
    if not _observed(obj):
        return Status(PROGRESSING, "waiting for the Deployment controller")
    status = obj.get("status") or {}
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Progressing" and condition.get("reason") == "ProgressDeadlineExceeded":
            return Status(FAILED, condition.get("message") or "progress deadline exceeded")
    desired = obj.get("spec", {}).get("replicas", 1)
    updated, available = status.get("updatedReplicas") or 0, status.get("availableReplicas") or 0
    total = status.get("replicas") or 0
    if desired == 0 and total == 0:
        return Status(HEALTHY, "scaled to zero")
    if updated >= desired and available >= desired and total == updated:
        return Status(HEALTHY, f"{available} available")
    return Status(PROGRESSING, f"{updated} of {desired} updated, {available} available")


class KubeCluster:
    """`Cluster` over the kubernetes client's `CustomObjectsApi` and `AppsV1Api` (or fakes with their methods)."""

    def __init__(self, custom: Any, apps: Any, to_dict: Callable[[Any], Any]) -> None:
        self.custom, self.apps, self.to_dict = custom, apps, to_dict

    def status(self, workload: Workload) -> Status:
        from kubernetes.client.exceptions import ApiException

        try:
            if workload.kind == "Rollout":
                return rollout_status(self.custom.get_namespaced_custom_object(*ROLLOUTS[:2], workload.namespace,
                                                                               ROLLOUTS[2], workload.name))
            return deployment_status(self.to_dict(self.apps.read_namespaced_deployment_status(workload.name,
                                                                                              workload.namespace)))
        except ApiException as exc:
            if exc.status == 404:
                return Status(PROGRESSING, "not created yet")
            raise


def connect(outputs: Mapping[str, Any]) -> KubeCluster:
    """The cluster of an infra stack's outputs: its `kubeconfig`, else the kubeconfig context `kubeContext`."""
    import yaml
    from kubernetes import client, config

    if outputs.get("kubeconfig"):
        api = config.new_client_from_config_dict(yaml.safe_load(str(outputs["kubeconfig"])))  # type: ignore[no-untyped-call]
    else:
        api = config.new_client_from_config(context=outputs.get("kubeContext") or None)  # type: ignore[no-untyped-call]
    return KubeCluster(client.CustomObjectsApi(api), client.AppsV1Api(api), api.sanitize_for_serialization)


def watch(cluster: Cluster, workloads: Sequence[Workload], report: Callable[[str], None], *, timeout: float = 1800,
          poll: float = 5, clock: Callable[[], float] = time.monotonic,
          sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """Poll every `poll` seconds, reporting each change of state, until all are healthy, one failed, the rest
    wait on a person, or `timeout` seconds passed."""
    deadline = clock() + timeout
    last: dict[Workload, Status] = {}
    while True:
        now = {w: cluster.status(w) for w in sorted(workloads)}
        for w, s in now.items():
            if last.get(w) != s:
                report(f"  {w.kind} {w.name}: {s.state}: {s.detail}")
        last = now
        failed = [w.name for w, s in now.items() if s.state == FAILED]
        if failed:
            return Outcome(FAILED, f"{', '.join(failed)} failed")
        if all(s.state == HEALTHY for s in now.values()):
            return Outcome(HEALTHY, f"{len(now)} workload{'s' if len(now) != 1 else ''} healthy")
        if all(s.state in (HEALTHY, PAUSED) for s in now.values()):
            return Outcome(PAUSED, f"{', '.join(w.name for w, s in now.items() if s.state == PAUSED)} paused, "
                                   f"waiting for a person")
        if clock() >= deadline:
            waiting = ", ".join(w.name for w, s in now.items() if s.state == PROGRESSING)
            return Outcome(TIMEOUT, f"{waiting} still progressing after {duration(int(timeout))}")
        sleep(poll)
