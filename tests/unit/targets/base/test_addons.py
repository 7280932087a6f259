"""mlops.targets.base.addons: the one table of Helm charts, and the values the Kubernetes layer relies on."""

from __future__ import annotations

from mlops.targets.base import addons


def test_kube_prometheus_stack_values() -> None:
    values = addons.values("kube-prometheus-stack")
    assert addons.CHARTS["kube-prometheus-stack"].namespace == "monitoring"
    # -> kube-prometheus-stack-prometheus.monitoring:9090
    assert values["fullnameOverride"] == "kube-prometheus-stack"
    spec = values["prometheus"]["prometheusSpec"]
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False and spec["ruleSelectorNilUsesHelmValues"] is False
    assert values["grafana"]["sidecar"]["dashboards"]["label"] == "grafana_dashboard"
    plugins = addons.values("argo-rollouts")["controller"]["trafficRouterPlugins"]
    assert plugins == [{"name": "argoproj-labs/gatewayAPI", "location": addons.GATEWAY_PLUGIN_URL}]
    assert "/releases/download/v" in addons.GATEWAY_PLUGIN_URL        # pinned, never latest
