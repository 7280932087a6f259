"""Fakes at the API boundaries `mlops apply` and `mlops plan --live` talk to: the Pulumi Automation API module
(`create_or_select_stack`, `select_stack`, a stack's `up` and `preview`) and the kubernetes client's
`CustomObjectsApi` / `AppsV1Api`. They use the real result and error types of both libraries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from pulumi import automation
from pulumi.automation._cmd import CommandResult


def command_error(message: str,
                  kind: type[automation.CommandError] = automation.CommandError) -> automation.CommandError:
    return kind(CommandResult("Updating (dev):\n", message, 255))


class FakeStack:
    def __init__(self, auto: FakeAutomation, name: str, work_dir: Path) -> None:
        self.auto, self.name, self.work_dir = auto, name, work_dir

    def up(self, on_output: Callable[[str], None] | None = None) -> Any:
        self.auto.calls.append(("up", self.work_dir.name, self.name))
        for line in (f"Updating ({self.name})", "Resources:", "    3 unchanged"):
            (on_output or print)(line)
        failure = self.auto.fail.get(self.work_dir.name)
        if failure:
            raise failure
        values = self.auto.outputs.get(self.work_dir.name, {})
        summary = automation.UpdateSummary("update", datetime(2026, 1, 1), "", {}, {}, "succeeded")
        outputs = {k: automation.OutputValue(v, k == "kubeconfig") for k, v in values.items()}
        return automation.UpResult("", "", summary, outputs)

    def preview(self, on_output: Callable[[str], None] | None = None) -> Any:
        self.auto.calls.append(("preview", self.work_dir.name, self.name))
        failure = self.auto.fail.get(self.work_dir.name)
        if failure:
            raise failure
        return automation.PreviewResult("", "", self.auto.summaries.get(self.work_dir.name, {}))


class FakeAutomation:
    """Stands in for the `pulumi.automation` module."""

    CommandError = automation.CommandError
    StackNotFoundError = automation.StackNotFoundError
    LocalWorkspaceOptions = automation.LocalWorkspaceOptions

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.outputs: dict[str, dict[str, Any]] = {}          # project folder name (infra | workloads) -> outputs
        self.fail: dict[str, Exception] = {}
        self.summaries: dict[str, dict[Any, int]] = {}
        self.existing: set[str] = {"infra", "workloads"}      # projects whose stack exists (select_stack)
        self.env_vars: list[dict[str, str]] = []

    def _stack(self, stack_name: str, work_dir: str, opts: Any) -> FakeStack:
        folder = Path(work_dir)
        assert (folder / "Pulumi.yaml").is_file() and (folder / f"Pulumi.{stack_name}.yaml").is_file()
        self.env_vars.append(dict(opts.env_vars))
        return FakeStack(self, stack_name, folder)

    def create_or_select_stack(self, stack_name: str, work_dir: str, opts: Any) -> FakeStack:
        return self._stack(stack_name, work_dir, opts)

    def select_stack(self, stack_name: str, work_dir: str, opts: Any) -> FakeStack:
        if Path(work_dir).name not in self.existing:
            raise command_error(f"error: no stack named '{stack_name}' found", automation.StackNotFoundError)
        return self._stack(stack_name, work_dir, opts)


def deployment(name: str, *, generation: int = 2, observed: int = 2, replicas: int = 2, updated: int = 2,
               available: int = 2, total: int | None = None, deadline: bool = False) -> client.V1Deployment:
    timed_out = client.V1DeploymentCondition(type="Progressing", status="False", reason="ProgressDeadlineExceeded",
                                             message=f'ReplicaSet "{name}-abc" has timed out progressing.')
    conditions = [timed_out] if deadline else None
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, generation=generation),
        spec=client.V1DeploymentSpec(replicas=replicas, selector=client.V1LabelSelector(),
                                     template=client.V1PodTemplateSpec()),
        status=client.V1DeploymentStatus(observed_generation=observed, replicas=updated if total is None else total,
                                         updated_replicas=updated, available_replicas=available, conditions=conditions))


def rollout(name: str, phase: str, *, step: int = 0, reasons: tuple[str, ...] = (), abort: bool = False,
            generation: int = 3, observed: str = "3", message: str = "") -> dict[str, Any]:
    steps = [{"setWeight": 10}, {"pause": {"duration": "5m"}}, {"setWeight": 30}, {"pause": {"duration": "5m"}}]
    status: dict[str, Any] = {"phase": phase, "observedGeneration": observed, "currentStepIndex": step,
                              "availableReplicas": 2, "message": message}
    if reasons:
        status["pauseConditions"] = [{"reason": r, "startTime": "2026-01-01T00:00:00Z"} for r in reasons]
    if abort:
        status["abort"] = True
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": name, "generation": generation},
            "spec": {"strategy": {"canary": {"steps": steps}}}, "status": status}


class Script:
    """Successive answers per object name; the last one repeats. An exception in the list is raised."""

    def __init__(self, answers: dict[str, list[Any]]) -> None:
        self.answers = {k: list(v) for k, v in answers.items()}
        self.reads: list[str] = []

    def next(self, name: str) -> Any:
        self.reads.append(name)
        queue = self.answers[name]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeCustomObjectsApi:
    def __init__(self, script: Script) -> None:
        self.script = script

    def get_namespaced_custom_object(self, group: str, version: str, namespace: str, plural: str, name: str) -> Any:
        assert (group, version, plural) == ("argoproj.io", "v1alpha1", "rollouts")
        return self.script.next(name)


class FakeAppsV1Api:
    def __init__(self, script: Script) -> None:
        self.script = script

    def read_namespaced_deployment_status(self, name: str, namespace: str) -> Any:
        return self.script.next(name)


def not_found() -> ApiException:
    return ApiException(status=404, reason="Not Found")


def serialize(obj: Any) -> Any:
    return client.ApiClient().sanitize_for_serialization(obj)


