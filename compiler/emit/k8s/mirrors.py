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

Two kinds of pod start from objects mlops emits without running under one of its ServiceAccounts, so they are
given both here: the Envoy proxies of each Gateway (Envoy Gateway creates them in its own namespace from the
Gateway's EnvoyProxy: `spec.provider.kubernetes.envoyDeployment.container.image` and `.pod.imagePullSecrets`,
envoyproxy/gateway@v1.5.2:api/v1alpha1/envoyproxy_types.go:372, shared_types.go:104-109,193,236), and
cert-manager's HTTP-01 solver pods (under the namespace's default ServiceAccount, from the Issuer's
`solvers[].http01.gatewayHTTPRoute.podTemplate.spec.imagePullSecrets`, cert-manager/cert-manager@v1.21.1:
pkg/apis/acme/v1/types_issuer.go:322,350,380). The solver's image is the chart's (mlops.targets.base.chart_images).
"""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.emit.k8s.meta import Obj
from mlops.emit.k8s.runtimes import STORAGE_INITIALIZER_IMAGE
from mlops.ir import runtimes
from mlops.targets.base import addons
from mlops.targets.base.addons import CERT_MANAGER_API, ENVOY_PROXY_API, ENVOY_PROXY_IMAGE


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
    # The proxy image is pinned only beside the Envoy Gateway mlops installs: an existing one has its own default,
    # which an Envoy of another version must not replace.
    mine = "envoyGateway" not in addons.existing(env)
    proxy = runtimes.mirrored(ENVOY_PROXY_IMAGE, target.mirrors) if mine else ENVOY_PROXY_IMAGE
    secrets = [{"name": name} for name in target.pull_secrets]
    for obj in objects:
        if obj["kind"] == "ServiceAccount" and obj["apiVersion"] == "v1" and secrets:
            obj["imagePullSecrets"] = list(secrets)
        elif obj["kind"] == "EnvoyProxy" and obj["apiVersion"] == ENVOY_PROXY_API:
            _envoy_proxy(obj["spec"]["provider"]["kubernetes"], proxy if proxy != ENVOY_PROXY_IMAGE else None, secrets)
        elif obj["kind"] == "Issuer" and obj["apiVersion"] == CERT_MANAGER_API and secrets:
            for solver in obj["spec"].get("acme", {}).get("solvers", []):
                route = solver.get("http01", {}).get("gatewayHTTPRoute")
                if route is not None:
                    route["podTemplate"] = {"spec": {"imagePullSecrets": list(secrets)}}
    return objects


def _envoy_proxy(kubernetes: Obj, image: str | None, secrets: list[Obj]) -> None:
    """The proxies' Envoy image through the mirror and their pull secrets, on an EnvoyProxy's provider settings
    (merged into what a patch may have set there)."""
    if image is not None:
        kubernetes.setdefault("envoyDeployment", {}).setdefault("container", {})["image"] = image
    if secrets:
        kubernetes.setdefault("envoyDeployment", {}).setdefault("pod", {})["imagePullSecrets"] = list(secrets)


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
