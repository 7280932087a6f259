"""The add-on charts' images through a target's registry mirrors (`targets.<t>.images.mirrors`) and their pull
secrets (`images.pullSecrets`): the values keys each chart reads its images from, at its pinned version
(mlops.targets.base.addons.CHARTS). A chart whose images' host has no mirror keeps its defaults.

The pull secrets are named the same in each add-on's namespace: the Secret must exist there too (a chart's pods
pull with Secrets of their own namespace, ServiceAccount.imagePullSecrets and PodSpec.imagePullSecrets alike).

Charts not covered yet (their images are pulled from upstream even with mirrors set): kube-prometheus-stack (and
its grafana, kube-state-metrics, node-exporter subcharts), envoy-gateway, cert-manager, nvidia-device-plugin,
cluster-autoscaler.
"""

from __future__ import annotations

from typing import Any

from mlops import ir
from mlops.ir import runtimes

QUAY, GHCR = "quay.io", "ghcr.io"
# (values path of an image's `registry` key, upstream host) per chart; the chart renders `<registry>/<repository>`,
# so the mirror prefix of that host stands for the registry and the repository keeps its path.
# - argo-rollouts 2.40.9: controller.image.registry and dashboard.image.registry, both quay.io
#   (argoproj/argo-helm@argo-rollouts-2.40.9:charts/argo-rollouts/values.yaml:106-110,383-387; rendered
#   "{{ registry }}/{{ repository }}:{{ tag }}", templates/controller/deployment.yaml:49).
# - argo-workflows 1.0.18: controller, executor (the init and wait containers of every Workflow pod, passed as
#   --executor-image) and server, each image.registry quay.io (argoproj/argo-helm@argo-workflows-1.0.18:
#   charts/argo-workflows/values.yaml:131-135,548-552,574-578; templates/_helpers.tpl:158-162,
#   templates/controller/workflow-controller-deployment.yaml:53-54).
# - keda 2.16.0: image.keda, image.metricsApiServer and image.webhooks, each registry ghcr.io (kedacore/charts@
#   v2.16.0:keda/values.yaml:10-29; templates/manager/deployment.yaml:72-76).
REGISTRIES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "argo-rollouts": ((("controller", "image", "registry"), QUAY), (("dashboard", "image", "registry"), QUAY)),
    "argo-workflows": ((("controller", "image", "registry"), QUAY), (("executor", "image", "registry"), QUAY),
                       (("server", "image", "registry"), QUAY)),
    "keda": ((("image", "keda", "registry"), GHCR), (("image", "metricsApiServer", "registry"), GHCR),
             (("image", "webhooks", "registry"), GHCR)),
}
# prometheus-pushgateway 3.8.0 names the host inside image.repository (quay.io/prometheus/pushgateway) with an
# empty image.registry (prometheus-community/helm-charts@prometheus-pushgateway-3.8.0:charts/
# prometheus-pushgateway/values.yaml:18-22; templates/_helpers.tpl:135-144): the whole repository is mirrored.
REPOSITORIES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "prometheus-pushgateway": ((("image", "repository"), "quay.io/prometheus/pushgateway"),),
}
# Where each chart reads its pull secrets, a list of {name: ...} rendered into its pods' imagePullSecrets:
# argo-rollouts values.yaml:309 and templates/controller/deployment.yaml:43-46; argo-workflows values.yaml:7
# (`images.pullSecrets`) and workflow-controller-deployment.yaml:118-121; keda values.yaml:54 and
# templates/manager/deployment.yaml:51-54; prometheus-pushgateway values.yaml:26 and _helpers.tpl:159-162.
PULL_SECRETS: dict[str, tuple[str, ...]] = {
    "argo-rollouts": ("imagePullSecrets",),
    "argo-workflows": ("images", "pullSecrets"),
    "keda": ("imagePullSecrets",),
    "prometheus-pushgateway": ("imagePullSecrets",),
}
COVERED = frozenset(PULL_SECRETS)
# The upstream hosts these charts pull from: a mirror of one of them is used by the add-ons.
HOSTS = frozenset({host for paths in REGISTRIES.values() for _, host in paths} |
                  {runtimes.split_host(r)[0] for paths in REPOSITORIES.values() for _, r in paths})


def values(chart: str, env: ir.Environment) -> dict[str, Any]:
    """The values that pull `chart`'s images through the target's mirrors, with its pull secrets."""
    target = env.target
    mirrors = dict(target.mirrors)
    out: dict[str, Any] = {}
    for path, host in REGISTRIES.get(chart, ()):
        if host in mirrors:
            _set(out, path, mirrors[host])
    for path, repository in REPOSITORIES.get(chart, ()):
        if runtimes.mirrored(repository, target.mirrors) != repository:
            _set(out, path, runtimes.mirrored(repository, target.mirrors))
    if target.pull_secrets and chart in PULL_SECRETS:
        _set(out, PULL_SECRETS[chart], [{"name": name} for name in target.pull_secrets])
    return out


def merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """`base` with `extra` merged in, mapping by mapping."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _set(out: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        out = out.setdefault(key, {})
    out[path[-1]] = value
