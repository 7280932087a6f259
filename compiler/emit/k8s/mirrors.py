"""A target's registry mirrors and pull secrets (`targets.<t>.images`), applied to the environment's objects.

Every image mlops chooses is pulled through the mirror of its registry host (`mlops.ir.runtimes.mirrored`): the
runtimes, a model's `runtime.image` pin, the storage initializer. The job image is mirrored in the IR already
(`Target.jobs_image`). The user's own images (`model.image`, `registry://` artifacts, `training.image`) are left
as written: they name the registry the team pushes to. This runs once over the built objects, so every pod
template (Deployments, Rollouts, CronJobs, Workflows) is covered however its emitter wrote it.

Pull secrets go on every ServiceAccount mlops emits rather than on each pod spec: the ServiceAccount admission
controller adds a pod's ServiceAccount's imagePullSecrets to the pod when it is created
(https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
#add-imagepullsecrets-to-a-service-account; ServiceAccount.imagePullSecrets, core/v1: "references to secrets in the
same namespace to use for pulling any images in pods that reference this ServiceAccount"), and every pod mlops
emits runs under one of its own ServiceAccounts, so one list per identity covers the pods of every kind, including
the Workflow pods Argo creates.
"""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.emit.k8s.meta import Obj
from mlops.emit.k8s.runtimes import STORAGE_INITIALIZER_IMAGE
from mlops.ir import runtimes


def chosen(env: ir.Environment) -> frozenset[str]:
    """The images mlops picks for this environment's pods (before mirroring)."""
    pinned = {STORAGE_INITIALIZER_IMAGE, runtimes.MLSERVER_IMAGE, runtimes.TRITON_IMAGE, runtimes.VLLM_IMAGE,
              runtimes.VLLM_TPU_IMAGE, runtimes.KSERVE_AGENT_IMAGE, runtimes.VECTOR_IMAGE}
    return frozenset(pinned | {m.runtime.image for m in env.models if m.runtime.image})


def apply(env: ir.Environment, objects: list[Obj]) -> list[Obj]:
    """`objects` with mlops' images mirrored and the pull secrets on each ServiceAccount (in place)."""
    target = env.target
    if target.mirrors:
        images = chosen(env)
        for obj in objects:
            _rewrite(obj, images, target.mirrors)
    if target.pull_secrets:
        for obj in objects:
            if obj["kind"] == "ServiceAccount" and obj["apiVersion"] == "v1":
                obj["imagePullSecrets"] = [{"name": name} for name in target.pull_secrets]
    return objects


def _rewrite(node: Any, images: frozenset[str], mirrors: tuple[tuple[str, str], ...]) -> None:
    """Every container's `image` under `node` that mlops chose, through its mirror."""
    if isinstance(node, dict):
        image = node.get("image")
        if isinstance(image, str) and image in images:
            node["image"] = runtimes.mirrored(image, mirrors)
        for value in node.values():
            _rewrite(value, images, mirrors)
    elif isinstance(node, list):
        for item in node:
            _rewrite(item, images, mirrors)
