"""Wiring rules of a target's registry mirrors and pull secrets (`targets.<t>.images`): with mirrors set, every
image of a repository mlops pins is pulled through the mirror of its upstream host, and every pod's ServiceAccount
carries each pull secret named; so do the add-on charts' Helm values (each image key of each installed chart, the
pull secrets at the chart's own key), the Envoy proxies (their EnvoyProxy) and cert-manager's HTTP-01 solver pods
(the Issuer's pod template). Both hold vacuously on a target without them. And every Rollout's traffic-router plugin
is registered by the Argo Rollouts release that installs the cluster's add-ons, downloaded over http(s) from the
target's `images.rolloutsGatewayPlugin` (else the pinned release asset) with the pinned sha256."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops.targets.base import addons

from .wiring_build import Build, Obj, Violation, name

# The repositories mlops pins, by upstream host, stated here (mlops.ir.runtimes, mlops.emit.k8s.runtimes).
PINNED = {
    "docker.io": ("seldonio/mlserver", "vllm/vllm-openai", "vllm/vllm-tpu", "kserve/storage-initializer"),
    "nvcr.io": ("nvidia/tritonserver",),
    "ghcr.io": ("mlops-compiler/mlops-jobs",),
}


RELEASE = "kubernetes:helm.sh/v3:Release"
Q, K, D = "quay.io", "registry.k8s.io", "docker.io"
# Each chart's image keys and the upstream host (or repository, or image) of its default, stated here from the
# charts' values.yaml at the pinned versions (the sources are cited in mlops.targets.base.chart_image_keys).
CHART_IMAGES: dict[str, dict[str, str]] = {
    "argo-rollouts": {"controller.image.registry": Q, "dashboard.image.registry": Q},
    "argo-workflows": {"controller.image.registry": Q, "executor.image.registry": Q, "server.image.registry": Q},
    "keda": {f"image.{c}.registry": "ghcr.io" for c in ("keda", "metricsApiServer", "webhooks")},
    "prometheus-pushgateway": {"image.repository": "quay.io/prometheus/pushgateway"},
    "kube-prometheus-stack": {
        "alertmanager.alertmanagerSpec.image.registry": Q, "prometheus.prometheusSpec.image.registry": Q,
        "prometheusOperator.image.registry": Q, "prometheusOperator.prometheusConfigReloader.image.registry": Q,
        "prometheusOperator.thanosImage.registry": Q,
        "prometheusOperator.admissionWebhooks.deployment.image.registry": Q,
        "prometheusOperator.admissionWebhooks.patch.image.registry": K, "thanosRuler.thanosRulerSpec.image.registry": Q,
        "kube-state-metrics.image.registry": K, "kube-state-metrics.kubeRBACProxy.image.registry": Q,
        "prometheus-node-exporter.image.registry": Q, "prometheus-node-exporter.kubeRBACProxy.image.registry": Q,
        "grafana.image.registry": D, "grafana.sidecar.image.registry": Q, "grafana.initChownData.image.registry": D,
        "grafana.downloadDashboardsImage.registry": D, "grafana.testFramework.image.registry": D,
        "grafana.imageRenderer.image.registry": D},
    "envoy-gateway": {"global.images.envoyGateway.image": "docker.io/envoyproxy/gateway:v1.5.2",
                      "global.images.ratelimit.image": "docker.io/envoyproxy/ratelimit:e74a664a"},
    "cert-manager": {"imageRegistry": Q},
    "nvidia-device-plugin": {"image.repository": "nvcr.io/nvidia/k8s-device-plugin"},
    "cluster-autoscaler": {"image.repository": "registry.k8s.io/autoscaling/cluster-autoscaler"},
}
CHART_PULL_SECRETS = {"argo-rollouts": "imagePullSecrets", "argo-workflows": "images.pullSecrets",
                      "keda": "imagePullSecrets", "prometheus-pushgateway": "imagePullSecrets",
                      "kube-prometheus-stack": "global.imagePullSecrets", "envoy-gateway": "global.imagePullSecrets",
                      "cert-manager": "global.imagePullSecrets", "nvidia-device-plugin": "imagePullSecrets",
                      "cluster-autoscaler": "image.pullSecrets"}


def _dig(values: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        values = values.get(key) if isinstance(values, dict) else None
    return values


def _named(secrets: Any) -> list[str]:
    """The names of a pull-secret list, of {name: ...} references or of names."""
    return [s["name"] if isinstance(s, dict) else s for s in secrets or []]


def _releases(b: Build) -> Iterator[tuple[str, Obj]]:
    for release in b.typed(RELEASE, cluster=True):
        yield release["inputs"]["name"], release["inputs"].get("values") or {}


def _charts_mirrored(b: Build, mirrors: dict[str, str]) -> Iterator[Violation]:
    for chart, values in _releases(b):
        if chart not in CHART_IMAGES:
            yield Violation("images-mirrored", f"{b.case} release {chart}", "no image keys are known for this chart")
        for path, upstream in CHART_IMAGES.get(chart, {}).items():
            host = upstream.split("/", 1)[0]
            prefix = mirrors.get(host)
            if prefix is not None and not str(_dig(values, path)).startswith(prefix):
                yield Violation("images-mirrored", f"{b.case} release {chart}",
                                f"{path} is {_dig(values, path)!r}, not through the {host} mirror {prefix}")
    # An existing Envoy Gateway keeps its own proxy image (mlops pins the one of the version it installs).
    prefix = mirrors.get(D) if "envoyGateway" not in {a.name for a in b.env.target.addons} else None
    for proxy in b.of_kind("EnvoyProxy"):
        image = _dig(proxy["spec"], "provider.kubernetes.envoyDeployment.container.image")
        if prefix is not None and not str(image).startswith(f"{prefix}/envoyproxy/envoy:"):
            yield Violation("images-mirrored", f"{b.case} {name(proxy)}",
                            f"its proxies' image {image!r} is not pulled through the {D} mirror {prefix}")


def _charts_pull(b: Build, wanted: list[str]) -> Iterator[Violation]:
    for chart, values in _releases(b):
        have = _named(_dig(values, CHART_PULL_SECRETS.get(chart, "imagePullSecrets")))
        for secret in (s for s in wanted if s not in have):
            yield Violation("pull-secrets", f"{b.case} release {chart}", f"its pods do not pull with {secret}")
    for proxy in b.of_kind("EnvoyProxy"):
        have = _named(_dig(proxy["spec"], "provider.kubernetes.envoyDeployment.pod.imagePullSecrets"))
        for secret in (s for s in wanted if s not in have):
            yield Violation("pull-secrets", f"{b.case} {name(proxy)}", f"its proxies do not pull with {secret}")
    for issuer in b.of_kind("Issuer"):
        for solver in _dig(issuer["spec"], "acme.solvers") or []:
            have = _named(_dig(solver, "http01.gatewayHTTPRoute.podTemplate.spec.imagePullSecrets"))
            for secret in (s for s in wanted if s not in have and _dig(solver, "http01.gatewayHTTPRoute")):
                yield Violation("pull-secrets", f"{b.case} {name(issuer)}",
                                f"its HTTP-01 solver pods do not pull with {secret}")


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
    yield from _charts_mirrored(b, mirrors)


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
    yield from _charts_pull(b, wanted)


def rollouts_plugin(b: Build) -> Iterator[Violation]:
    """The controller loads only the plugins its trafficRouterPlugins list, and checks a sha256 only for an http(s)
    location (argoproj/argo-rollouts@v1.9.0:utils/plugin/downloader.go:139-169; a file:// one is copied unchecked,
    174-192). An existing Argo Rollouts registers its plugins in its own configuration: nothing to check here."""
    if "argoRollouts" in {a.name for a in b.env.target.addons}:
        return
    registered = {p.get("name"): p for chart, values in _releases(b) if chart == "argo-rollouts"
                  for p in _dig(values, "controller.trafficRouterPlugins") or []}
    location = b.env.target.rollouts_gateway_plugin or addons.GATEWAY_PLUGIN_URL
    for rollout in b.of_kind("Rollout"):
        for plugin in _dig(rollout["spec"], "strategy.canary.trafficRouting.plugins") or {}:
            entry = registered.get(plugin)
            where = f"{b.case} {name(rollout)}"
            if entry is None:
                yield Violation("rollouts-plugin", where, f"its traffic router {plugin} is not registered with the "
                                f"Argo Rollouts controller (registered: {sorted(registered)})")
            elif entry.get("location") != location or not str(location).startswith(("https://", "http://")):
                yield Violation("rollouts-plugin", where, f"{plugin} is downloaded from {entry.get('location')!r}, "
                                f"not from {location!r}")
            elif entry.get("sha256") != addons.GATEWAY_PLUGIN_SHA256:
                yield Violation("rollouts-plugin", where, f"{plugin}'s sha256 is {entry.get('sha256')!r}, not the "
                                "pinned one: the controller would refuse the file or run another")
