"""Wiring rules of a target's registry mirrors and pull secrets (`targets.<t>.images`): with mirrors set, every
image of a repository mlops pins is pulled through the mirror of its upstream host, and every pod's ServiceAccount
carries each pull secret named. Both hold vacuously on a target without them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .wiring_build import Build, Obj, Violation, name

# The repositories mlops pins, by upstream host, stated here (mlops.ir.runtimes, mlops.emit.k8s.runtimes).
PINNED = {
    "docker.io": ("seldonio/mlserver", "vllm/vllm-openai", "vllm/vllm-tpu", "kserve/storage-initializer"),
    "nvcr.io": ("nvidia/tritonserver",),
    "ghcr.io": ("mlops-compiler/mlops-jobs",),
}


def _pod_specs(b: Build) -> Iterator[tuple[Obj, Obj]]:
    """(object, pod spec or Workflow template) of every object that starts containers."""
    for obj in b.of_kind("Deployment", "Rollout", "CronJob"):
        spec = obj["spec"]
        template = spec["jobTemplate"]["spec"]["template"] if obj["kind"] == "CronJob" else spec["template"]
        yield obj, template["spec"]
    for obj in b.of_kind("Workflow", "WorkflowTemplate"):
        for template in obj["spec"].get("templates", []):
            yield obj, {"containers": [template["container"]] if "container" in template else [],
                        "initContainers": template.get("initContainers", []),
                        "serviceAccountName": obj["spec"].get("serviceAccountName")}


def _upstream(image: str) -> tuple[str, str] | None:
    """(host, repository) of the pinned repository `image` is a copy of, wherever it is pulled from."""
    repo = image.split("@", 1)[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image.split("@", 1)[0]
    for host, paths in PINNED.items():
        for path in paths:
            if repo == f"{host}/{path}" or repo.endswith(f"/{path}"):
                return host, path
    return None


def images_mirrored(b: Build) -> Iterator[Violation]:
    mirrors = dict(b.env.target.mirrors)
    if not mirrors:
        return
    for obj, spec in _pod_specs(b):
        for c in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            upstream = _upstream(c["image"])
            if upstream is None:
                continue  # the user's own image (model.image, a registry:// artifact, training.image)
            prefix = mirrors.get(upstream[0])
            if prefix is not None and not c["image"].startswith(f"{prefix}/{upstream[1]}"):
                yield Violation("images-mirrored", f"{b.case} {name(obj)}/{c['name']}",
                                f"{c['image']} is not pulled through the {upstream[0]} mirror {prefix}")


def pull_secrets(b: Build) -> Iterator[Violation]:
    wanted = list(b.env.target.pull_secrets)
    if not wanted:
        return
    accounts: dict[str, Any] = {o["metadata"]["name"]: o for o in b.of_kind("ServiceAccount")}
    for obj, spec in _pod_specs(b):
        account = accounts.get(spec.get("serviceAccountName") or "default")
        have = [s["name"] for s in (account or {}).get("imagePullSecrets", [])]
        for secret in wanted:
            if secret not in have:
                yield Violation("pull-secrets", f"{b.case} {name(obj)}",
                                f"its ServiceAccount {spec.get('serviceAccountName')} does not pull with {secret}")
