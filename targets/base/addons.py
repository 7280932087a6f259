"""The cluster add-ons: ONE table of the Helm charts the infra stacks install (pinned versions) and of the names,
URLs and ports the Kubernetes layer relies on. Pure data, no SDK: the manifests read it as much as the programs.

The infra stacks install kube-prometheus-stack (release `kube-prometheus-stack` in `monitoring`, with the Grafana
dashboard sidecar watching every namespace), Envoy Gateway (class `envoy-gateway`, proxies in
`envoy-gateway-system`), KEDA and Argo Rollouts with the Gateway API traffic-router plugin (`mlops.targets.base.helm`);
cert-manager only where the environment's Gateway takes its certificates from an ACME CA (`gateway.tls.acme`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MONITORING_NAMESPACE = "monitoring"
PROMETHEUS_URL = f"http://kube-prometheus-stack-prometheus.{MONITORING_NAMESPACE}:9090"
PROMETHEUS_PORT = 9090
PUSHGATEWAY_URL = f"http://prometheus-pushgateway.{MONITORING_NAMESPACE}:9091"
PUSHGATEWAY_PORT = 9091
# kube-prometheus-stack selects ServiceMonitors and PrometheusRules carrying its release label by default.
PROMETHEUS_SELECTOR_LABELS = (("release", "kube-prometheus-stack"),)
GRAFANA_DASHBOARD_LABEL = ("grafana_dashboard", "1")
GRAFANA_FOLDER_ANNOTATION = "grafana_folder"

GATEWAY_CLASS = "envoy-gateway"
GATEWAY_NAMESPACE = "envoy-gateway-system"       # where Envoy Gateway runs the proxies of every Gateway
GATEWAY_HTTP_PORT = 80
GATEWAY_HTTPS_PORT = 443
# Envoy Gateway's own resource kind for per-Gateway proxy settings (the load balancer Service's type and annotations),
# referenced from a Gateway's `spec.infrastructure.parametersRef` (envoyproxy/gateway@v1.5.2:
# internal/gatewayapi/contexts.go:49-62; api/v1alpha1/envoyproxy_types.go:385 `EnvoyService *KubernetesServiceSpec`).
ENVOY_PROXY_API = "gateway.envoyproxy.io/v1alpha1"

# cert-manager (jetstack/cert-manager@v1.21.1): the label its HTTP-01 solver pods carry
# (pkg/apis/acme/v1/types.go:60 `SolverIdentificationLabelKey = "acme.cert-manager.io/http01-solver"`, value "true")
# and the port they listen on (pkg/issuer/acme/http/http.go:49 `acmeSolverListenPort = 8089`): the Gateway's
# proxies must reach them through the namespace's default-deny.
CERT_MANAGER_API = "cert-manager.io/v1"
ACME_SOLVER_LABEL = ("acme.cert-manager.io/http01-solver", "true")
ACME_SOLVER_PORT = 8089

ROLLOUTS_GATEWAY_PLUGIN = "argoproj-labs/gatewayAPI"


@dataclass(frozen=True)
class Chart:
    release: str                 # Helm release name (also the name the manifests rely on)
    chart: str                   # chart name, or an oci:// reference
    version: str
    repo: str | None             # None for an oci:// chart
    namespace: str


# Where each pin was confirmed (cert-manager: git tag v1.21.1 of cert-manager/cert-manager, 2026-07-29, the newest
# in the snapshot read; chart versions carry the `v`, as in `helm install --version v1.17.0` of
# envoyproxy/gateway@v1.5.2:site/content/en/latest/tasks/security/tls-cert-manager.md:30-37).
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
    "cert-manager": Chart("cert-manager", "cert-manager", "v1.21.1", "https://charts.jetstack.io", "cert-manager"),
    # Provider-specific (passed as `extra` by the targets that need them): EKS managed node groups do not scale
    # by themselves. 9.43.2 as installed in public EKS guides (chart repo kubernetes/autoscaler).
    "cluster-autoscaler": Chart("cluster-autoscaler", "cluster-autoscaler", "9.43.2", "https://kubernetes.github.io/autoscaler",
                                "kube-system"),
}
BASE = ("argo-rollouts", "kube-prometheus-stack", "keda", "envoy-gateway")
CERT_MANAGER = "cert-manager"     # installed only when a spec asks for ACME certificates (`wanted`)

# The Argo Rollouts controller downloads this plugin binary at start (asset naming as in the plugin's installation docs).
GATEWAY_PLUGIN_URL = ("https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/"
                      "v0.8.0/gatewayapi-plugin-linux-amd64")
ENVOY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller"


def wanted(acme: bool, nvidia_device_plugin: bool) -> tuple[str, ...]:
    """The charts an environment's cluster gets (before a target's provider-specific extras)."""
    return BASE + ((CERT_MANAGER,) if acme else ()) + (("nvidia-device-plugin",) if nvidia_device_plugin else ())


def values(name: str) -> dict[str, Any]:
    """Chart values: only what the Kubernetes layer depends on."""
    if name == "argo-rollouts":
        return {"controller": {"trafficRouterPlugins": [{"name": ROLLOUTS_GATEWAY_PLUGIN, "location": GATEWAY_PLUGIN_URL}]},
                "providerRBAC": {"enabled": True, "providers": {"gatewayAPI": True}}}
    if name == "kube-prometheus-stack":
        unrestricted = {f"{kind}SelectorNilUsesHelmValues": False for kind in ("serviceMonitor", "podMonitor", "rule", "probe")}
        return {"fullnameOverride": "kube-prometheus-stack",
                "prometheus": {"prometheusSpec": unrestricted},
                "grafana": {"sidecar": {"dashboards": {"enabled": True, "label": GRAFANA_DASHBOARD_LABEL[0],
                                                       "labelValue": GRAFANA_DASHBOARD_LABEL[1],
                                                       "searchNamespace": "ALL"}}}}
    if name == CERT_MANAGER:
        # cert-manager@v1.21.1 deploy/charts/cert-manager/values.yaml:106-116: `crds.enabled` (default false) installs
        # the CRDs with the release, `crds.keep` (default true) keeps them (and every Certificate) on uninstall.
        # Gateway API support is off unless asked: `config.gatewayAPI.enabled` (pkg/apis/config/controller/v1alpha1/
        # types.go:152-153,269-272, new in v1.21; the chart fills apiVersion/kind, templates/controller-config.yaml:1-4;
        # the ExperimentalGatewayAPISupport gate it needs is Beta, default on: internal/controller/feature/features.go:225).
        return {"crds": {"enabled": True, "keep": True}, "config": {"gatewayAPI": {"enabled": True}}}
    if name == "nvidia-device-plugin":
        # Only GPU nodes need it; they carry the nvidia.com/gpu taint every target sets (or GKE/AKS set themselves).
        return {"tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]}
    return {}
