"""Cluster add-ons every target installs: Helm releases with pinned chart versions, from ONE table.

The Kubernetes layer relies on these names: Prometheus at
`http://kube-prometheus-stack-prometheus.monitoring:9090`, the Gateway API traffic-router plugin
`argoproj-labs/gatewayAPI` of Argo Rollouts, the GatewayClass `envoy-gateway`, KEDA's CRDs, and Grafana
picking up dashboard ConfigMaps labelled `grafana_dashboard`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from compiler import ir

from .tags import k8s_labels


@dataclass(frozen=True)
class Chart:
    release: str                 # Helm release name (also the name the manifests rely on)
    chart: str                   # chart name, or an oci:// reference
    version: str
    repo: str | None             # None for an oci:// chart
    namespace: str


# Where each pin was confirmed (search corpus, 2026): argoproj/argo-helm charts/argo-rollouts/Chart.yaml (2.40.9,
# app v1.9.0); prometheus-community/helm-charts charts/kube-prometheus-stack/Chart.yaml (67.8.0); KEDA 2.16.0 from
# kedacore/charts install guides; Envoy Gateway gateway-helm v1.5.2 (OCI on Docker Hub); nvidia-device-plugin 0.17.1
# from https://nvidia.github.io/k8s-device-plugin; cluster-autoscaler 9.43.2.
CHARTS: dict[str, Chart] = {
    "argo-rollouts": Chart("argo-rollouts", "argo-rollouts", "2.40.9", "https://argoproj.github.io/argo-helm", "argo-rollouts"),
    "kube-prometheus-stack": Chart("kube-prometheus-stack", "kube-prometheus-stack", "67.8.0",
                                   "https://prometheus-community.github.io/helm-charts", "monitoring"),
    "keda": Chart("keda", "keda", "2.16.0", "https://kedacore.github.io/charts", "keda"),
    "envoy-gateway": Chart("envoy-gateway", "oci://docker.io/envoyproxy/gateway-helm", "v1.5.2", None, "envoy-gateway-system"),
    "nvidia-device-plugin": Chart("nvidia-device-plugin", "nvidia-device-plugin", "0.17.1",
                                  "https://nvidia.github.io/k8s-device-plugin", "kube-system"),
    # Provider-specific (passed as `extra` by the targets that need them): EKS managed node groups do not scale
    # by themselves. 9.43.2 as installed in public EKS guides (chart repo kubernetes/autoscaler).
    "cluster-autoscaler": Chart("cluster-autoscaler", "cluster-autoscaler", "9.43.2", "https://kubernetes.github.io/autoscaler",
                                "kube-system"),
}
BASE = ("argo-rollouts", "kube-prometheus-stack", "keda", "envoy-gateway")

# The Argo Rollouts controller downloads this plugin binary at start (asset naming as in the plugin's installation docs).
GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI"
GATEWAY_PLUGIN_URL = ("https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/"
                      "v0.8.0/gatewayapi-plugin-linux-amd64")
GATEWAY_CLASS = "envoy-gateway"
ENVOY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller"
PROMETHEUS_URL = "http://kube-prometheus-stack-prometheus.monitoring:9090"
DASHBOARD_LABEL = "grafana_dashboard"


def values(name: str) -> dict[str, Any]:
    """Chart values: only what the Kubernetes layer depends on."""
    if name == "argo-rollouts":
        return {"controller": {"trafficRouterPlugins": [{"name": GATEWAY_PLUGIN, "location": GATEWAY_PLUGIN_URL}]},
                "providerRBAC": {"enabled": True, "providers": {"gatewayAPI": True}}}
    if name == "kube-prometheus-stack":
        unrestricted = {f"{kind}SelectorNilUsesHelmValues": False for kind in ("serviceMonitor", "podMonitor", "rule", "probe")}
        return {"fullnameOverride": "kube-prometheus-stack",
                "prometheus": {"prometheusSpec": unrestricted},
                "grafana": {"sidecar": {"dashboards": {"enabled": True, "label": DASHBOARD_LABEL, "labelValue": "1",
                                                       "searchNamespace": "ALL"}}}}
    if name == "nvidia-device-plugin":
        # Only GPU nodes need it; they carry the nvidia.com/gpu taint every target sets (or GKE/AKS set themselves).
        return {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}
    return {}


class AddOns(pulumi.ComponentResource):
    """The Helm releases and the GatewayClass, installed through `k8s_provider`."""

    releases: dict[str, k8s.helm.v3.Release]

    def __init__(self, name: str, env: ir.Environment, k8s_provider: k8s.Provider, *, nvidia_device_plugin: bool,
                 depends_on: Sequence[pulumi.Resource] = (), extra: Mapping[str, Mapping[str, Any]] | None = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("mlops:k8s:AddOns", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=k8s_provider, depends_on=list(depends_on))
        chosen = {n: values(n) for n in BASE + (("nvidia-device-plugin",) if nvidia_device_plugin else ())}
        chosen.update({n: dict(v) for n, v in (extra or {}).items()})
        wanted = sorted(chosen)
        self.releases = {n: self._release(name, CHARTS[n], chosen[n], child) for n in wanted}
        self.gateway_class = k8s.apiextensions.CustomResource(
            f"{name}-gatewayclass",
            api_version="gateway.networking.k8s.io/v1",
            kind="GatewayClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_CLASS, labels=k8s_labels(env)),
            spec={"controllerName": ENVOY_CONTROLLER},
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[self.releases["envoy-gateway"]])),
        )
        self.register_outputs({"charts": {n: CHARTS[n].version for n in wanted}, "gatewayClass": GATEWAY_CLASS})

    @staticmethod
    def _release(prefix: str, chart: Chart, chart_values: dict[str, Any], opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            f"{prefix}-{chart.release}",
            k8s.helm.v3.ReleaseArgs(
                name=chart.release,                       # explicit: Pulumi would otherwise add a random suffix
                chart=chart.chart,
                version=chart.version,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repo) if chart.repo else None,
                namespace=chart.namespace,
                create_namespace=True,
                values=chart_values,
                atomic=True,
                cleanup_on_fail=True,
            ),
            opts=opts,
        )


def install(env: ir.Environment, k8s_provider: k8s.Provider, parent: pulumi.Resource, *, nvidia_device_plugin: bool,
            depends_on: Sequence[pulumi.Resource] = (), extra: Mapping[str, Mapping[str, Any]] | None = None) -> AddOns:
    """The add-ons of `env`'s cluster, as a child of `parent`. `extra`: provider-specific charts of `CHARTS`
    (by name) with their values."""
    return AddOns(f"{env.stack}-addons", env, k8s_provider, nvidia_device_plugin=nvidia_device_plugin,
                  depends_on=depends_on, extra=extra, opts=pulumi.ResourceOptions(parent=parent))
